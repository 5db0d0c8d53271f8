//! Hearing about changes made by other replicas, so that this one's in-memory caches
//! never serve what those changes made stale.
//!
//! On PostgreSQL a trigger on `change_journal` (migration `m20261206_000019`) sends
//! every journal entry, as it is written, on [`JOURNAL_CHANNEL`]; the caches forget
//! what the entry makes stale, by the same table as for this process's own writes
//! ([`crate::caches::stale_after`]). Content has no journal: a trigger on
//! `content_articles` (migration `m20261126_000013`) sends an empty notice on
//! [`CONTENT_CHANNEL`] for any article write, and one on `api_clients` (migration
//! `m20261207_000026`) on [`CLIENT_CHANNEL`] for any client write. Notifications are sent when the writing
//! transaction commits. This module listens on its own connection; while it cannot,
//! the caches serve nothing. A heartbeat notices a connection that died without
//! closing.

use std::time::Duration;

use sea_orm::sqlx::postgres::{PgListener, PgPoolOptions};
use sea_orm::sqlx::{Executor, PgPool};
use waymark_domain::identity::AccountId;
use waymark_domain::journal::Change;

use crate::caches::Caches;
use crate::journal::HearsChanges;

/// The notification channel the `change_journal` trigger sends entries on, as
/// `account resource_type resource_id kind version` (version empty when there is none).
pub(crate) const JOURNAL_CHANNEL: &str = "waymark_journal";

/// The notification channel the `content_articles` trigger sends on.
pub(crate) const CONTENT_CHANNEL: &str = "waymark_content_changes";

/// The notification channel the `api_clients` trigger sends on.
pub(crate) const CLIENT_CHANNEL: &str = "waymark_client_changes";

/// How often a quiet connection is checked.
const HEARTBEAT: Duration = Duration::from_secs(5);

/// How long the check may take before the connection counts as lost.
const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long to wait before listening again after losing the connection.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Listens for as long as the server runs, keeping `caches` serving exactly while
/// changes can be heard.
pub(crate) async fn listen(pool: &PgPool, caches: Caches) {
    // A connection of its own, so listening never takes one from requests.
    let own_pool = PgPoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .acquire_timeout(HEARTBEAT_TIMEOUT)
        .connect_lazy_with(pool.connect_options().as_ref().clone());
    loop {
        match subscribe(&own_pool).await {
            Ok(mut listener) => {
                caches.start_serving();
                tracing::debug!("listening for changes; the caches serve");
                relay(&mut listener, &caches).await;
                caches.stop_serving();
                tracing::warn!(
                    "lost the connection that hears changes; nothing is served from the caches until it is back"
                );
            }
            Err(error) => tracing::debug!(%error, "could not listen for changes yet"),
        }
        tokio::time::sleep(RETRY_AFTER).await;
    }
}

/// The triggers that send on the channels; without all of them (a replica started with
/// `--no-migrate` before the migrations ran) the caches could not hear every change.
const TRIGGERS: [&str; 3] =
    ["change_journal_notify", "content_articles_notify_change", "api_clients_notify_change"];

async fn subscribe(pool: &PgPool) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.eager_reconnect(false);
    listener.listen_all([JOURNAL_CHANNEL, CONTENT_CHANNEL, CLIENT_CHANNEL]).await?;
    let present: i64 = sea_orm::sqlx::query_scalar(
        "SELECT count(DISTINCT tgname) FROM pg_trigger WHERE tgname = ANY($1)",
    )
    .bind(TRIGGERS.as_slice())
    .fetch_one(&mut listener)
    .await?;
    if usize::try_from(present).ok() != Some(TRIGGERS.len()) {
        return Err(sea_orm::sqlx::Error::Protocol(
            "the change triggers are not all installed yet (migrations pending)".to_owned(),
        ));
    }
    Ok(listener)
}

/// Forgets what each journal entry heard makes stale, every cached article on any
/// content notice and every cached client on any client notice, until the connection
/// is lost.
async fn relay(listener: &mut PgListener, caches: &Caches) {
    loop {
        let heard = tokio::time::timeout(HEARTBEAT, listener.try_recv()).await;
        match heard {
            Ok(Ok(Some(notification))) if notification.channel() == CONTENT_CHANNEL => {
                caches.articles.forget_everything();
            }
            Ok(Ok(Some(notification))) if notification.channel() == CLIENT_CHANNEL => {
                caches.clients.forget_everything();
            }
            Ok(Ok(Some(notification))) => match journal_entry(notification.payload()) {
                Some((owner, change)) => caches.heard(owner, &[change]),
                None => {
                    // Not a journal entry: someone else uses the channel. Be safe.
                    tracing::warn!(
                        "an unexpected payload on {JOURNAL_CHANNEL}; forgetting everyone"
                    );
                    caches.stop_serving();
                    caches.start_serving();
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

/// The owner and change in a notice on [`JOURNAL_CHANNEL`].
fn journal_entry(payload: &str) -> Option<(AccountId, Change)> {
    let mut fields = payload.split(' ');
    let owner = AccountId(fields.next()?.parse().ok()?);
    let resource = fields.next()?.parse().ok()?;
    let id = fields.next()?.parse().ok()?;
    let kind = fields.next()?.parse().ok()?;
    let version = match fields.next()? {
        "" => None,
        number => Some(number.parse().ok()?),
    };
    if fields.next().is_some() {
        return None;
    }
    Some((owner, Change { resource, id, kind, version }))
}

#[cfg(test)]
mod tests {
    use waymark_domain::journal::ResourceType;

    use super::*;

    #[test]
    fn a_notice_reads_back_as_the_entry_the_trigger_sent() {
        let owner = waymark_domain::id::new_id();
        let goal = waymark_domain::id::new_id();
        assert_eq!(
            journal_entry(&format!("{owner} goal {goal} updated 3")),
            Some((AccountId(owner), Change::updated(ResourceType::Goal, goal, Some(3))))
        );
        assert_eq!(
            journal_entry(&format!("{owner} goal {goal} deleted ")),
            Some((AccountId(owner), Change::deleted(ResourceType::Goal, goal)))
        );
        assert_eq!(journal_entry(&owner.to_string()), None);
        assert_eq!(journal_entry(&format!("{owner} goal {goal} moved 3")), None);
        assert_eq!(journal_entry(&format!("{owner} goal {goal} deleted  x")), None);
    }
}
