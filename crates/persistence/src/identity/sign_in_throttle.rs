//! Sign-in attempts per e-mail digest in `sign_in_failures`, counted with one atomic
//! upsert so several server instances share the count without losing increments.

use std::time::Duration;

use async_trait::async_trait;
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, EntityTrait};
use waymark_domain::identity::Email;
use waymark_domain::identity::ports::{LockoutPolicy, SignInThrottle};
use waymark_domain::identity::secret::SecretDigest;
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use crate::entities::sign_in_failures::{self, Column};
use crate::error::store_error;
use crate::writes::Writes;

/// [`SignInThrottle`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlSignInThrottle {
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
}

fn key(email: &Email) -> String {
    SecretDigest::of(email.as_str()).as_str().to_owned()
}

fn window_seconds(policy: LockoutPolicy) -> i64 {
    i64::try_from(policy.window.as_secs()).unwrap_or(i64::MAX)
}

/// How long is left of a window whose attempts exceed the limit, if any.
fn remaining(
    failures: i32,
    window_started_at: i64,
    policy: LockoutPolicy,
    now: Instant,
) -> Option<Duration> {
    let limit = i32::try_from(policy.max_failures).unwrap_or(i32::MAX);
    let ends = window_started_at.saturating_add(window_seconds(policy));
    let left = ends.saturating_sub(now.timestamp());
    (failures > limit && left > 0).then(|| Duration::from_secs(u64::try_from(left).unwrap_or(0)))
}

#[async_trait]
impl SignInThrottle for SqlSignInThrottle {
    async fn count_attempt(
        &self,
        email: &Email,
        policy: LockoutPolicy,
        now: Instant,
    ) -> Result<Option<Duration>, StoreError> {
        let now_seconds = now.timestamp();
        let window_expired = Expr::col((sign_in_failures::Entity, Column::WindowStartedAt))
            .lte(now_seconds.saturating_sub(window_seconds(policy)));
        let statement = Query::insert()
            .into_table(sign_in_failures::Entity)
            .columns([Column::EmailDigest, Column::Failures, Column::WindowStartedAt])
            .values_panic([key(email).into(), 1.into(), now_seconds.into()])
            .on_conflict(
                OnConflict::column(Column::EmailDigest)
                    .value(
                        Column::Failures,
                        CaseStatement::new().case(window_expired.clone(), Expr::val(1)).finally(
                            Expr::col((sign_in_failures::Entity, Column::Failures)).add(1),
                        ),
                    )
                    .value(
                        Column::WindowStartedAt,
                        CaseStatement::new().case(window_expired, Expr::val(now_seconds)).finally(
                            Expr::col((sign_in_failures::Entity, Column::WindowStartedAt)),
                        ),
                    )
                    .to_owned(),
            )
            .to_owned();
        // Upsert and read back in one transaction: the upsert's row lock (PostgreSQL)
        // or write lock (SQLite) keeps other instances out until the read is done.
        let transaction = self.writes.begin().await?;
        transaction.execute(&statement).await.map_err(store_error)?;
        let counted = sign_in_failures::Entity::find_by_id(key(email))
            .one(&transaction)
            .await
            .map_err(store_error)?
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("the failure count vanished")))?;
        transaction.commit().await?;
        Ok(remaining(counted.failures, counted.window_started_at, policy, now))
    }

    async fn clear(&self, email: &Email) -> Result<(), StoreError> {
        sign_in_failures::Entity::delete_by_id(key(email))
            .exec(&self.writes)
            .await
            .map(|_| ())
            .map_err(store_error)
    }
}
