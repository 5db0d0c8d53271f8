//! Account e-mail addresses are compared after Unicode NFKC normalisation and case
//! folding (`ｃａｓｅ@example.org` is `case@example.org`); before, only NFC and lower
//! case. This rewrites stored addresses to the new form so that everyone can still
//! sign in. An address whose new form another account already holds is left as it
//! is and logged: signing in now reaches the other account, so an administrator must
//! decide which of the two is the person's.
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
    caseless::default_case_fold_str(&compatible)
        .nfkc()
        .collect()
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
        let rows = connection
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT email FROM accounts",
            ))
            .await?;
        for row in rows {
            let email: String = row.try_get("", "email")?;
            let new = folded(&email);
            if new == email {
                continue;
            }
            let taken = connection
                .query_one_raw(Statement::from_sql_and_values(
                    backend,
                    format!(
                        "SELECT COUNT(*) AS n FROM accounts WHERE email = {}",
                        placeholder(1)
                    ),
                    [Value::from(new.clone())],
                ))
                .await?
                .map(|row| row.try_get::<i64>("", "n"))
                .transpose()?
                .unwrap_or(0);
            if taken > 0 {
                tracing::warn!(
                    "two accounts share an e-mail address once it is case-folded; one was left as it is"
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
        assert_eq!(
            folded("\u{ff43}\u{ff41}\u{ff53}\u{ff45}@example.org"),
            "case@example.org"
        );
        assert_eq!(folded("stra\u{df}e@example.org"), "strasse@example.org");
    }
}
