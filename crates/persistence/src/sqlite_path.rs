//! Finding the file behind a `sqlite:` URL, so its directory can be created on a fresh
//! machine before SQLite tries to open it.

use std::path::PathBuf;

/// The database file a `sqlite:` URL names, or `None` for in-memory databases and
/// URLs of other schemes.
pub(crate) fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    Some(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_url_names_a_relative_file() {
        assert_eq!(
            sqlite_file("sqlite://./waymark-data/waymark.db?mode=rwc"),
            Some(PathBuf::from("./waymark-data/waymark.db"))
        );
    }

    #[test]
    fn absolute_url_names_an_absolute_file() {
        assert_eq!(
            sqlite_file("sqlite:///var/lib/waymark/w.db"),
            Some(PathBuf::from("/var/lib/waymark/w.db"))
        );
    }

    #[test]
    fn memory_and_other_schemes_have_no_file() {
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/waymark"), None);
    }
}
