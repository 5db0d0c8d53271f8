//! Hearing about changes made by other replicas, so that this one's in-memory caches
//! ([`GoalListCache`], [`ArticleCache`]) never serve what those changes made stale.
//!
//! On PostgreSQL a trigger on `goals` (migration `m20261125_000006`) sends the owner's
//! id on [`GOAL_CHANNEL`] whenever one of their goal rows changes; step and check-in
//! writes change the goal row too, and erasing an account deletes its goal rows. A
//! trigger on `content_articles` (migration `m20261126_000013`) sends an empty notice on
//! [`CONTENT_CHANNEL`] for any article write. Notifications are sent when the writing
//! transaction commits. This module listens on its own connection; while it cannot,
//! the caches serve nothing. A heartbeat notices a connection that died without
//! closing.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgListener, PgPoolOptions};
use sea_orm::sqlx::{Executor, PgPool};
use waymark_domain::identity::AccountId;

use crate::article_cache::ArticleCache;
use crate::goal_list_cache::GoalListCache;
use crate::personal_cache::PersonalCache;

/// The notification channel the `goals` trigger sends owner ids on.
pub(crate) const GOAL_CHANNEL: &str = "waymark_goal_changes";

/// The notification channel the `content_articles` trigger sends on.
pub(crate) const CONTENT_CHANNEL: &str = "waymark_content_changes";

/// The notification channel the triggers on `accounts`, `routines`,
/// `routine_check_ins` and `routine_pauses` send owner ids on.
pub(crate) const PERSONAL_CHANNEL: &str = "waymark_personal_changes";

/// The caches kept true by what is heard.
#[derive(Debug, Clone)]
pub(crate) struct Caches {
    pub(crate) goal_lists: Arc<GoalListCache>,
    pub(crate) articles: Arc<ArticleCache>,
    pub(crate) personal: Arc<PersonalCache>,
}

impl Caches {
    fn start_serving(&self) {
        self.goal_lists.start_serving();
        self.articles.start_serving();
        self.personal.start_serving();
    }

    fn stop_serving(&self) {
        self.goal_lists.stop_serving();
        self.articles.stop_serving();
        self.personal.stop_serving();
    }
}

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
                tracing::debug!("listening for changes; the goal list and article caches serve");
                relay(&mut listener, &caches).await;
                caches.stop_serving();
                tracing::warn!(
                    "lost the connection that hears changes; goal lists and articles are read from the database until it is back"
                );
            }
            Err(error) => tracing::debug!(%error, "could not listen for changes yet"),
        }
        tokio::time::sleep(RETRY_AFTER).await;
    }
}

/// The triggers that send on the channels; without all of them (a replica started with
/// `--no-migrate` before the migrations ran) the caches could not hear every change.
const TRIGGERS: [&str; 6] = [
    "goals_notify_change",
    "content_articles_notify_change",
    "routines_notify_personal_change",
    "routine_check_ins_notify_personal_change",
    "routine_pauses_notify_personal_change",
    "accounts_notify_personal_change",
];

async fn subscribe(pool: &PgPool) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.eager_reconnect(false);
    listener
        .listen_all([GOAL_CHANNEL, CONTENT_CHANNEL, PERSONAL_CHANNEL])
        .await?;
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

/// Forgets the cached goal pages of every owner named on the goal channel, and every
/// cached article on any content notice, until the connection is lost.
async fn relay(listener: &mut PgListener, caches: &Caches) {
    loop {
        let heard = tokio::time::timeout(HEARTBEAT, listener.try_recv()).await;
        match heard {
            Ok(Ok(Some(notification))) if notification.channel() == CONTENT_CHANNEL => {
                caches.articles.forget_everything();
            }
            Ok(Ok(Some(notification))) if notification.channel() == PERSONAL_CHANNEL => {
                match notification.payload().parse() {
                    Ok(owner) => caches.personal.forget(AccountId(owner)),
                    Err(_) => {
                        tracing::warn!(
                            "an unexpected payload on {PERSONAL_CHANNEL}; forgetting everyone"
                        );
                        caches.personal.stop_serving();
                        caches.personal.start_serving();
                    }
                }
            }
            Ok(Ok(Some(notification))) => match notification.payload().parse() {
                Ok(owner) => caches.goal_lists.forget(AccountId(owner)),
                Err(_) => {
                    // Not an owner id: someone else uses the channel. Be safe.
                    tracing::warn!(
                        "an unexpected payload on {GOAL_CHANNEL}; forgetting every cached goal list"
                    );
                    caches.goal_lists.stop_serving();
                    caches.goal_lists.start_serving();
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
