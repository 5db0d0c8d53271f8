//! The webhook delivery worker every server instance runs: it claims due messages
//! (two instances never claim the same one), sends them at once, up to the
//! concurrency setting, and records what became of each. When nothing was due it
//! looks again after [`LOOK_EVERY`]; when a whole batch was due, at once.

use std::sync::Arc;
use std::time::Duration;

use waymark_application::webhook_delivery;
use waymark_domain::ports::StoragePorts;
use waymark_domain::time::now;
use waymark_domain::webhooks::ports::WebhookSender;

/// How often an idle worker looks for due messages: the longest a new message waits
/// before its first attempt.
const LOOK_EVERY: Duration = Duration::from_millis(100);

/// How long to wait after storage failed before trying again.
const AFTER_A_FAILURE: Duration = Duration::from_secs(1);

/// Delivers messages for as long as the server runs.
pub(crate) async fn deliver_webhooks(
    ports: StoragePorts,
    sender: Arc<dyn WebhookSender>,
    concurrency: u16,
) {
    let batch = u64::from(concurrency.max(1));
    loop {
        let due = match webhook_delivery::claim_due(&ports, now(), batch).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(%error, "could not claim webhook messages; trying again");
                tokio::time::sleep(AFTER_A_FAILURE).await;
                continue;
            }
        };
        let whole_batch = due.len() as u64 >= batch;
        if due.is_empty() {
            tokio::time::sleep(LOOK_EVERY).await;
            continue;
        }
        let mut sending = tokio::task::JoinSet::new();
        for message in due {
            let sender = Arc::clone(&sender);
            sending.spawn(async move {
                webhook_delivery::attempt(sender.as_ref(), &message, now).await
            });
        }
        let mut records = Vec::with_capacity(sending.len());
        while let Some(record) = sending.join_next().await {
            match record {
                Ok(record) => records.push(record),
                // A panicked attempt is claimed again when its lease lapses.
                Err(error) => tracing::error!(%error, "a webhook attempt did not finish"),
            }
        }
        let delivered = records.iter().filter(|record| record.outcome.delivered()).count();
        let failed = records.len() - delivered;
        if let Err(error) = webhook_delivery::record(&ports, records).await {
            // Not recorded: the messages are claimed again when their lease lapses,
            // and sent again under the same webhook-id.
            tracing::warn!(%error, "could not record webhook attempts; they will be sent again");
            tokio::time::sleep(AFTER_A_FAILURE).await;
        } else {
            tracing::debug!(delivered, failed, "webhook messages attempted");
        }
        if !whole_batch {
            tokio::time::sleep(LOOK_EVERY).await;
        }
    }
}
