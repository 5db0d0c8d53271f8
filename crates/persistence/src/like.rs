//! Case-insensitive "contains" search that behaves the same on SQLite and PostgreSQL:
//! the searched column holds text lower-cased in Rust, and so does the pattern.

use sea_orm::sea_query::LikeExpr;

/// `%text%` for LIKE on lower-cased text, with LIKE's own wildcards in `text` escaped.
pub(crate) fn contains_pattern(text: &str) -> LikeExpr {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    LikeExpr::new(format!("%{}%", escaped.to_lowercase())).escape('\\')
}
