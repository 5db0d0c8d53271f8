//! Account e-mail addresses are compared after Unicode NFKC normalisation and case
//! folding (`ｃａｓｅ@example.org` is `case@example.org`); before, only NFC and lower
//! case. This rewrites stored addresses to the new form so that everyone can still
//! sign in. An address whose new form another account already holds is left as it
//! is, and both accounts' ids are logged (never the addresses): signing in now reaches
//! the other account, so an administrator must decide which of the two is the
//! person's.
//!
//! The rule is written out here, not borrowed from the domain, because a migration
//! must do tomorrow what it did today. `down` leaves the addresses as they are: each
//! folded address is one its owner could have registered under the old rule too.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement, Value};
use unicode_normalization::UnicodeNormalization;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An address as the domain compares it from this migration on.
fn folded(email: &str) -> String {
    let compatible: String = email.nfkc().collect();
    caseless::default_case_fold_str(&compatible).nfkc().collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        let backend = manager.get_database_backend();
        let placeholder = |number: usize| match backend {
            sea_orm_migration::sea_orm::DatabaseBackend::Postgres => format!("${number}"),
            _ => "?".to_owned(),
        };
        // Ids as text on both backends (SQLite keeps UUIDs as 16-byte blobs).
        let id_text = match backend {
            sea_orm_migration::sea_orm::DatabaseBackend::Postgres => "id::text",
            _ => "lower(hex(id))",
        };
        let rows = connection
            .query_all_raw(Statement::from_string(
                backend,
                format!("SELECT {id_text} AS id, email FROM accounts"),
            ))
            .await?;
        for row in rows {
            let id: String = row.try_get("", "id")?;
            let email: String = row.try_get("", "email")?;
            let new = folded(&email);
            if new == email {
                continue;
            }
            let holder = connection
                .query_one_raw(Statement::from_sql_and_values(
                    backend,
                    format!(
                        "SELECT {id_text} AS id FROM accounts WHERE email = {}",
                        placeholder(1)
                    ),
                    [Value::from(new.clone())],
                ))
                .await?
                .map(|row| row.try_get::<String>("", "id"))
                .transpose()?;
            if let Some(holder) = holder {
                tracing::warn!(
                    left_as_it_is = %id,
                    signs_in_instead = %holder,
                    "two accounts share an e-mail address once it is case-folded"
                );
                continue;
            }
            connection
                .execute_raw(Statement::from_sql_and_values(
                    backend,
                    format!(
                        "UPDATE accounts SET email = {} WHERE email = {}",
                        placeholder(1),
                        placeholder(2)
                    ),
                    [Value::from(new), Value::from(email)],
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::folded;

    #[test]
    fn full_width_and_upper_case_fold_to_plain_lower_case() {
        assert_eq!(folded("\u{ff43}\u{ff41}\u{ff53}\u{ff45}@example.org"), "case@example.org");
        assert_eq!(folded("stra\u{df}e@example.org"), "strasse@example.org");
    }
}
