//! Failures the emulator injects on purpose, so clients' throttling, retry and error paths can be
//! exercised deterministically: rate limits as Zoom and Graph enforce them, server errors,
//! links that lead elsewhere, and answers lost on the way back.

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
    /// Graph: the next answer that lists a collection carries this `@odata.nextLink`, written
    /// after the API root (`/../v2/users/me` makes `http://host:port/v1.0/../v2/users/me`), as a
    /// hostile or broken service might send it.
    pub graph_next_link: Option<String>,
    /// Vendor APIs: the next N requests whose `METHOD /path` starts with
    /// [`Faults::lose_answer_of`] are carried out, but their answer is lost: the connection is
    /// reset before the body arrives, as when a network drops it.
    pub lose_answer_next: u32,
    /// Which requests [`Faults::lose_answer_next`] applies to, e.g. `POST /v2/groups`; empty:
    /// every request.
    pub lose_answer_of: String,
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
