//! Failures the emulator injects on purpose, so clients' throttling, retry and error paths can be
//! exercised deterministically: rate limits as Zoom and Graph enforce them, and server errors.

use serde::{Deserialize, Serialize};

/// Injected failures. All counters count down as requests consume them. Serialized as the body
/// of `PUT /_sim/faults`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Zoom API: requests allowed per second per account and rate-limit category before a 429
    /// with `X-RateLimit-Type: QPS`. `None` uses the plan's documented limit, which tests rarely
    /// reach.
    pub zoom_qps_limit: Option<u32>,
    /// Zoom API: requests allowed per day per account before a 429 with
    /// `X-RateLimit-Type: Daily-limit` and a `Retry-After` date-time. `None`: no daily cap.
    pub zoom_daily_limit: Option<u32>,
    /// Zoom API: the next N requests get a per-second 429 regardless of the rate.
    pub zoom_throttle_next: u32,
    /// Zoom API: the next N requests get a 500.
    pub zoom_server_error_next: u32,
    /// Graph: the next N requests (each request inside a `$batch` counts) get a 429.
    pub graph_throttle_next: u32,
    /// Graph: the `Retry-After` seconds sent with a 429 (default 0 means 1).
    pub graph_retry_after_seconds: u64,
    /// Graph: the next N requests (each request inside a `$batch` counts) get a 503.
    pub graph_server_error_next: u32,
}

impl Faults {
    /// Consumes one unit of a countdown; true if the fault fires.
    pub(crate) fn take(counter: &mut u32) -> bool {
        if *counter > 0 {
            *counter -= 1;
            true
        } else {
            false
        }
    }
}
