//! Hearing about goal changes made by other replicas, so that this one's
//! [`GoalListCache`] never serves a list they made stale.
//!
//! On PostgreSQL a trigger on `goals` (migration `m20261125_000006`) sends the owner's
//! id on [`CHANNEL`] whenever one of their goal rows changes; step and check-in writes
//! change the goal row too, and erasing an account deletes its goal rows. The
//! notification is sent when the writing transaction commits. This module listens on
//! its own connection; while it cannot, the cache serves nothing. A heartbeat notices
//! a connection that died without closing.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgListener, PgPoolOptions};
use sea_orm::sqlx::{Executor, PgPool};
use waymark_domain::identity::AccountId;

use crate::goal_list_cache::GoalListCache;

/// The notification channel the `goals` trigger sends owner ids on.
pub(crate) const CHANNEL: &str = "waymark_goal_changes";

/// How often a quiet connection is checked.
const HEARTBEAT: Duration = Duration::from_secs(5);

/// How long the check may take before the connection counts as lost.
const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long to wait before listening again after losing the connection.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Listens for as long as the server runs, keeping `cache` serving exactly while
/// changes can be heard.
pub(crate) async fn listen(pool: &PgPool, cache: Arc<GoalListCache>) {
    // A connection of its own, so listening never takes one from requests.
    let own_pool = PgPoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .acquire_timeout(HEARTBEAT_TIMEOUT)
        .connect_lazy_with(pool.connect_options().as_ref().clone());
    loop {
        match subscribe(&own_pool).await {
            Ok(mut listener) => {
                cache.start_serving();
                tracing::debug!("listening for goal changes; the goal list cache is serving");
                relay(&mut listener, &cache).await;
                cache.stop_serving();
                tracing::warn!(
                    "lost the connection that hears goal changes; goal lists are read from the database until it is back"
                );
            }
            Err(error) => tracing::debug!(%error, "could not listen for goal changes yet"),
        }
        tokio::time::sleep(RETRY_AFTER).await;
    }
}

async fn subscribe(pool: &PgPool) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Forgets the cached pages of every owner named on the channel, until the
/// connection is lost.
async fn relay(listener: &mut PgListener, cache: &GoalListCache) {
    loop {
        let heard = tokio::time::timeout(HEARTBEAT, listener.try_recv()).await;
        match heard {
            Ok(Ok(Some(notification))) => match notification.payload().parse() {
                Ok(owner) => cache.forget(AccountId(owner)),
                Err(_) => {
                    // Not an owner id: someone else uses the channel. Be safe.
                    tracing::warn!(
                        "an unexpected payload on {CHANNEL}; forgetting every cached goal list"
                    );
                    cache.stop_serving();
                    cache.start_serving();
                }
            },
            Ok(Ok(None) | Err(_)) => return,
            Err(_quiet) => {
                let alive = tokio::time::timeout(HEARTBEAT_TIMEOUT, listener.execute("SELECT 1"))
                    .await
                    .is_ok_and(|outcome| outcome.is_ok());
                if !alive {
                    return;
                }
            }
        }
    }
}
