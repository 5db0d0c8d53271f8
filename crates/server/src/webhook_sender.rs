//! Posting webhook messages over HTTP: the [`WebhookSender`] the delivery workers use.
//!
//! Every address a name resolves to is checked against the [`TargetPolicy`] when the
//! connection is made (so a name pointed at a private address after the subscription
//! was checked is refused, and the connection goes to the address that was checked);
//! an IP address in the URL is checked before sending. No proxy from the environment
//! is used, no redirect is followed, an attempt takes at most 10 seconds, and at most
//! 64 KiB of an answer is read.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Host;
use waymark_domain::webhooks::ports::{SignedHeaders, WebhookSender};
use waymark_domain::webhooks::{AttemptOutcome, TargetPolicy, WebhookUrl};

/// The longest an attempt may take, connecting included.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// The most of an answer's body read (it is read only so the connection can be
/// used again, and then dropped).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Sends with one HTTP client (connections are kept and reused per host).
#[derive(Debug, Clone)]
pub struct HttpWebhookSender {
    client: reqwest::Client,
    policy: TargetPolicy,
}

/// The error words of an address that resolves only to refused addresses.
const NOT_PUBLIC: &str = "the address does not resolve to a public address";

/// Resolves names with the system's resolver, keeping only addresses `policy` allows.
#[derive(Debug)]
struct CheckedResolver {
    policy: TargetPolicy,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> =
                found.filter(|address| policy.allows(address.ip())).collect();
            if allowed.is_empty() {
                return Err(NOT_PUBLIC.into());
            }
            let addresses: Addrs = Box::new(allowed.into_iter());
            Ok(addresses)
        })
    }
}

impl HttpWebhookSender {
    /// A sender reaching only what `policy` allows.
    ///
    /// # Errors
    /// When the HTTP client cannot be built (no TLS roots).
    pub fn new(policy: TargetPolicy) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(ATTEMPT_TIMEOUT)
            .connect_timeout(ATTEMPT_TIMEOUT)
            .user_agent(concat!("Waymark-Webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(CheckedResolver { policy }))
            .build()?;
        Ok(Self { client, policy })
    }

    fn literal_refused(&self, url: &WebhookUrl) -> bool {
        let literal = match url.url().host() {
            Some(Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        literal.is_some_and(|ip| !self.policy.allows(ip))
    }
}

#[async_trait]
impl WebhookSender for HttpWebhookSender {
    async fn send(&self, url: &WebhookUrl, headers: &SignedHeaders, body: &str) -> AttemptOutcome {
        let started = Instant::now();
        let failed = |status: Option<u16>, error: String| AttemptOutcome {
            status,
            duration: started.elapsed(),
            error: Some(error),
        };
        if self.literal_refused(url) {
            return failed(None, NOT_PUBLIC.to_owned());
        }
        let sent = self
            .client
            .post(url.url().clone())
            .header("content-type", "application/json")
            .header("webhook-id", &headers.id)
            .header("webhook-timestamp", headers.timestamp.to_string())
            .header("webhook-signature", &headers.signature)
            .body(body.to_owned())
            .send()
            .await;
        let mut answer = match sent {
            Ok(answer) => answer,
            Err(error) => return failed(None, words_for(&error)),
        };
        let status = answer.status();
        let mut read = 0usize;
        while read < MAX_ANSWER_BYTES {
            match answer.chunk().await {
                Ok(Some(chunk)) => read += chunk.len(),
                Ok(None) | Err(_) => break,
            }
        }
        if status.is_success() {
            AttemptOutcome {
                status: Some(status.as_u16()),
                duration: started.elapsed(),
                error: None,
            }
        } else if status.is_redirection() {
            failed(Some(status.as_u16()), format!("answered {status}; redirects are not followed"))
        } else {
            failed(Some(status.as_u16()), format!("answered {status}"))
        }
    }
}

/// What went wrong, in words for the client, without anything of Waymark's inside.
fn words_for(error: &reqwest::Error) -> String {
    let chain =
        std::iter::successors(Some(error as &dyn std::error::Error), |error| error.source())
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
    if error.is_timeout() {
        "no answer within 10 seconds".to_owned()
    } else if chain.contains(NOT_PUBLIC) {
        NOT_PUBLIC.to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed before an answer".to_owned()
    }
}
