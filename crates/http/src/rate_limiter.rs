//! Token buckets per key (a client address or a token subject), kept in memory.
//!
//! Each instance keeps its own buckets, so with N replicas a client may get up to N
//! times the limit; the limit that must hold across instances (failed sign-ins per
//! address) is counted in the database instead.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Buckets kept before idle (full) ones are swept.
const SWEEP_ABOVE: usize = 10_000;

/// The outcome of asking for one request's worth of tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// The bucket's size (`RateLimit-Limit`).
    pub limit: u32,
    /// Whole requests left (`RateLimit-Remaining`).
    pub remaining: u32,
    /// Seconds until the bucket is full again (`RateLimit-Reset`).
    pub reset_seconds: u64,
    /// Seconds until the next request would be allowed (`Retry-After`), when refused.
    pub retry_after_seconds: u64,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// A family of buckets of one size that refill at `per_minute` requests a minute.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// Buckets that allow bursts of `per_minute` and refill at that rate.
    #[must_use]
    pub fn new(per_minute: u32) -> Self {
        Self { per_minute: per_minute.max(1), buckets: Mutex::new(HashMap::new()) }
    }

    fn refill_per_second(&self) -> f64 {
        f64::from(self.per_minute) / 60.0
    }

    /// Takes one token from `key`'s bucket if it has one.
    pub fn check(&self, key: &str) -> Decision {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Decision {
        let capacity = f64::from(self.per_minute);
        let rate = self.refill_per_second();
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() > SWEEP_ABOVE {
            buckets.retain(|_, bucket| {
                bucket.tokens + now.duration_since(bucket.updated).as_secs_f64() * rate < capacity
            });
        }
        let bucket =
            buckets.entry(key.to_owned()).or_insert(Bucket { tokens: capacity, updated: now });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.updated = now;
        let allowed = bucket.tokens >= 1.0;
        if allowed {
            bucket.tokens -= 1.0;
        }
        let seconds = |missing: f64| {
            Duration::from_secs_f64((missing / rate).max(0.0)).as_secs_f64().ceil() as u64
        };
        Decision {
            allowed,
            limit: self.per_minute,
            remaining: bucket.tokens.floor().max(0.0) as u32,
            reset_seconds: seconds(capacity - bucket.tokens),
            retry_after_seconds: if allowed { 0 } else { seconds(1.0 - bucket.tokens).max(1) },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refuses_then_refills() {
        let limiter = RateLimiter::new(3);
        let start = Instant::now();
        let decisions: Vec<bool> = (0..4).map(|_| limiter.check_at("a", start).allowed).collect();
        assert_eq!(decisions, vec![true, true, true, false]);
        let refused = limiter.check_at("a", start);
        assert_eq!(refused.remaining, 0);
        assert_eq!(refused.retry_after_seconds, 20, "3 a minute refills one every 20 s");
        assert!(limiter.check_at("b", start).allowed, "buckets are per key");
        assert!(limiter.check_at("a", start + Duration::from_secs(21)).allowed);
    }

    #[test]
    fn reset_counts_until_the_bucket_is_full() {
        let limiter = RateLimiter::new(60);
        let start = Instant::now();
        let first = limiter.check_at("a", start);
        assert_eq!((first.limit, first.remaining, first.reset_seconds), (60, 59, 1));
    }
}
