//! Request counters and latency histograms, rendered in the Prometheus text format.
//! Labelled by route *template* (never the concrete path), so cardinality stays bounded.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use waymark_domain::health::PoolUsage;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SeriesKey {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Default, Clone)]
struct Series {
    count: u64,
    sum_seconds: f64,
    /// Non-cumulative counts per bucket; the last slot is `+Inf`.
    buckets: [u64; BUCKETS.len() + 1],
}

/// In-process metrics shared by every worker.
#[derive(Debug, Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<SeriesKey, Series>>,
}

impl Metrics {
    /// Records one finished request.
    pub fn observe(&self, method: &str, route: &str, status: u16, latency: Duration) {
        let seconds = latency.as_secs_f64();
        let key = SeriesKey { method: method.to_owned(), route: route.to_owned(), status };
        let mut series = self.series.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = series.entry(key).or_default();
        entry.count += 1;
        entry.sum_seconds += seconds;
        let slot = BUCKETS.iter().position(|bound| seconds <= *bound).unwrap_or(BUCKETS.len());
        entry.buckets[slot] += 1;
    }

    /// The Prometheus text exposition of every series plus the pool gauges.
    #[must_use]
    pub fn render(&self, pool: PoolUsage) -> String {
        let series = self.series.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP waymark_http_requests_total HTTP requests answered, by method, route template and status.\n");
        out.push_str("# TYPE waymark_http_requests_total counter\n");
        for (key, values) in &series {
            let _ =
                writeln!(out, "waymark_http_requests_total{{{}}} {}", labels(key), values.count);
        }
        out.push_str(
            "# HELP waymark_http_request_duration_seconds Time to answer HTTP requests.\n",
        );
        out.push_str("# TYPE waymark_http_request_duration_seconds histogram\n");
        for (key, values) in &series {
            let labels = labels(key);
            let mut cumulative = 0;
            for (bound, count) in BUCKETS.iter().zip(values.buckets.iter()) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "waymark_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "waymark_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                values.count
            );
            let _ = writeln!(
                out,
                "waymark_http_request_duration_seconds_sum{{{labels}}} {}",
                values.sum_seconds
            );
            let _ = writeln!(
                out,
                "waymark_http_request_duration_seconds_count{{{labels}}} {}",
                values.count
            );
        }
        out.push_str("# HELP waymark_db_pool_connections Database connections in this instance's pool, by state.\n");
        out.push_str("# TYPE waymark_db_pool_connections gauge\n");
        let _ = writeln!(out, "waymark_db_pool_connections{{state=\"in_use\"}} {}", pool.in_use);
        let _ = writeln!(out, "waymark_db_pool_connections{{state=\"idle\"}} {}", pool.idle);
        out.push_str("# HELP waymark_db_pool_max_connections The most connections this instance's pool will open.\n");
        out.push_str("# TYPE waymark_db_pool_max_connections gauge\n");
        let _ = writeln!(out, "waymark_db_pool_max_connections {}", pool.max);
        out
    }
}

fn labels(key: &SeriesKey) -> String {
    format!(
        "method=\"{}\",route=\"{}\",status=\"{}\"",
        escape_label(&key.method),
        escape_label(&key.route),
        key.status
    )
}

fn escape_label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_end_with_the_count() {
        let metrics = Metrics::default();
        metrics.observe("GET", "/health/live", 200, Duration::from_millis(3));
        metrics.observe("GET", "/health/live", 200, Duration::from_millis(300));
        let text = metrics.render(PoolUsage::default());
        assert!(text.contains(
            "waymark_http_request_duration_seconds_bucket{method=\"GET\",route=\"/health/live\",status=\"200\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "waymark_http_request_duration_seconds_bucket{method=\"GET\",route=\"/health/live\",status=\"200\",le=\"0.5\"} 2"
        ));
        assert!(text.contains(
            "waymark_http_requests_total{method=\"GET\",route=\"/health/live\",status=\"200\"} 2"
        ));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label("a\"b\\c"), "a\\\"b\\\\c");
    }
}
