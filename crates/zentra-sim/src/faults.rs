//! Failures the emulator injects on purpose, so clients' throttling, retry and error paths can be
//! exercised deterministically: rate limits as Zoom and Graph enforce them, server errors,
//! links that lead elsewhere, answers lost on the way back, slow and silent answers, latency
//! and replication lag. Countdowns (`*_next`) hit the next requests; rates (`*_rate`, a share
//! between 0 and 1) hit requests drawn at random from [`Faults::seed`], so a run of the same
//! requests in the same order meets the same faults.

use serde::{Deserialize, Serialize};

/// Injected failures. All counters count down as requests consume them. Serialized as the body
/// of `PUT /_sim/faults` and read from `zentra sim --faults FILE`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// The seed of the random draws of the rates below.
    pub seed: u64,
    /// Delay added before answering every vendor request, in milliseconds ...
    pub latency_ms: u64,
    /// ... plus up to this many more, drawn per request.
    pub jitter_ms: u64,
    /// Share of Zoom and Graph requests answered 429 as each vendor does: Zoom with
    /// `X-RateLimit-Type: QPS` and a `Retry-After` date-time, Graph with `Retry-After` seconds,
    /// each request inside a `$batch` drawn on its own. Nothing is carried out.
    pub throttle_rate: f64,
    /// The wait those 429s ask for, in seconds (0 means 1).
    pub retry_after_seconds: u64,
    /// Share of Zoom and Graph requests answered with a server error (Zoom 500, Graph 503 with
    /// `Retry-After`), each request inside a `$batch` drawn on its own. Nothing is carried out.
    pub server_error_rate: f64,
    /// Share of Zoom and Graph requests carried out whose connection is then reset mid-body:
    /// the client cannot tell whether the request took effect.
    pub reset_rate: f64,
    /// Share of Zoom and Graph answers whose body trickles out, a few bytes per
    /// [`Faults::slow_body_ms`].
    pub slow_body_rate: f64,
    /// The pause between two pieces of a slow body, in milliseconds (0 means 100).
    pub slow_body_ms: u64,
    /// Share of Zoom and Graph requests never answered: the connection stays open and silent.
    /// Nothing is carried out.
    pub hang_rate: f64,
    /// How long a Graph object created through the API stays invisible to reads, in
    /// milliseconds; `None` keeps the lag the emulator was started with.
    pub graph_replication_lag_ms: Option<u64>,
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
    /// Graph: ResourceUnits per 10 seconds per application and tenant, as Microsoft's identity
    /// and access limits set them; `None` uses the tenant's size (3,500 under 50 users, 5,000
    /// up to 500, 8,000 above). A request the budget cannot pay for gets a 429 with
    /// `Retry-After` seconds, inside a `$batch` too.
    pub graph_resource_unit_limit: Option<u32>,
    /// Graph: writes (POST, PATCH, PUT, DELETE) per 150 seconds per application and tenant;
    /// `None` uses Microsoft's 3,000.
    pub graph_write_limit: Option<u32>,
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
    /// Graph: the next N requests (each request inside a `$batch` counts) whose `METHOD /path`
    /// (the path after `/v1.0`) starts with [`Faults::graph_refuse_of`] are refused with 403
    /// `Authorization_RequestDenied`, as when the app lacks a permission. Nothing is carried
    /// out.
    pub graph_refuse_next: u32,
    /// Which requests [`Faults::graph_refuse_next`] applies to, e.g. `DELETE
    /// /oauth2PermissionGrants/`; empty: every request.
    pub graph_refuse_of: String,
}

impl Faults {
    /// Reads a faults file (JSON, the shape of `GET /_sim/faults`), refusing unknown fields
    /// and rates outside 0..=1.
    pub fn from_json(text: &str) -> Result<Faults, String> {
        let faults: Faults = serde_json::from_str(text).map_err(|e| e.to_string())?;
        faults.check()?;
        Ok(faults)
    }

    /// Refuses rates that are not shares.
    pub(crate) fn check(&self) -> Result<(), String> {
        for (name, rate) in [
            ("throttle_rate", self.throttle_rate),
            ("server_error_rate", self.server_error_rate),
            ("reset_rate", self.reset_rate),
            ("slow_body_rate", self.slow_body_rate),
            ("hang_rate", self.hang_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("`{name}` = {rate} is not a share between 0 and 1"));
            }
        }
        Ok(())
    }

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
