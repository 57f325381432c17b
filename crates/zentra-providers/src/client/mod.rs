//! HTTP plumbing shared by the vendor clients: one way to build a `reqwest` client, to check an
//! endpoint a user configured, to parse `Retry-After`, and to back off; [`pacing`] paces
//! requests to the vendors' limits.
//!
//! The vendor clients ([`zoom::ZoomClient`], [`graph::GraphClient`]) run over one core
//! ([`http_core`]: the send loop, the token cache, paging and errors) with their own policies;
//! resources above them never see HTTP.

pub mod entra_auth;
pub mod graph;
pub(crate) mod http_core;
pub mod pacing;
pub mod url_policy;
pub mod zoom;

#[cfg(test)]
mod hostile_tests;

use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::Rng;
use url::{Host, Url};

use zentra_engine::provider::{ErrorKind, ProviderError};

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!("zentra/", env!("CARGO_PKG_VERSION"));

/// Timeouts of the underlying HTTP client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Time allowed to establish a connection.
    pub connect: Duration,
    /// Time allowed for one attempt of a request, body included (the provider attribute
    /// `request_timeout`).
    pub request: Duration,
}

/// The default of [`Timeouts::request`]: 30 seconds.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The default of [`RetryPolicy::max_elapsed`]: 90 seconds, so that a service that never
/// answers ends in an error in under two minutes.
pub const DEFAULT_RETRY_MAX_ELAPSED: Duration = Duration::from_secs(90);

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            request: DEFAULT_REQUEST_TIMEOUT,
        }
    }
}

/// The TLS configuration of every HTTP client in the process, built once: the system's root
/// certificates are loaded and parsed when the first client is built, not once per provider
/// instance. It is the configuration `reqwest` builds by default (its `rustls` feature): the
/// platform's verifier over the system's roots, TLS 1.2 and 1.3, HTTP/2 and HTTP/1.1 offered.
/// `None` when it cannot be built (no usable root certificate): each client is then built
/// the default way, so that the error is reported as before.
fn shared_tls_config() -> Option<rustls::ClientConfig> {
    static TLS: OnceLock<Option<rustls::ClientConfig>> = OnceLock::new();
    TLS.get_or_init(|| {
        let provider = rustls::crypto::CryptoProvider::get_default()
            .cloned()
            .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
        let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).ok()?;
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(rustls::ALL_VERSIONS)
            .ok()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Some(tls)
    })
    .clone()
}

/// The most requests all provider instances of a run have out at once, whatever their number:
/// more wait for one of them to be answered. Over HTTP/1.1 (an emulator, a proxy) each request
/// out holds a connection with its own buffers, so a plan over a hundred accounts would
/// otherwise keep well over a thousand connections open; 128 at a few hundred milliseconds
/// per answer still make several hundred requests a second, more than the vendors' limits
/// allow most estates. Each instance also has its own, smaller bound
/// ([`http_core::MAX_IN_FLIGHT`]), so that no account or tenant takes all of them.
pub const MAX_IN_FLIGHT_PER_RUN: usize = 128;

/// What every provider instance of a run shares: one connection pool per set of timeouts (over
/// HTTP/2 one connection per host serves them all), and the bound on requests out at once.
#[derive(Clone, Debug)]
pub(crate) struct SharedHttp {
    pub client: reqwest::Client,
    pub in_flight: Arc<tokio::sync::Semaphore>,
}

/// The [`SharedHttp`] of the running async runtime for `timeouts`. Connections belong to the
/// runtime that opened them, so each runtime has its own (a process runs one; tests run many);
/// outside any runtime, or in a runtime other than the last one asked for, a client is built
/// apart.
pub(crate) fn shared_http(timeouts: Timeouts) -> Result<SharedHttp, ProviderError> {
    type Shared = (
        tokio::runtime::Id,
        Arc<tokio::sync::Semaphore>,
        Vec<(Timeouts, reqwest::Client)>,
    );
    static SHARED: Mutex<Option<Shared>> = Mutex::new(None);
    let Ok(runtime) = tokio::runtime::Handle::try_current().map(|h| h.id()) else {
        return Ok(SharedHttp {
            client: build_http_client(timeouts)?,
            in_flight: Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT_PER_RUN)),
        });
    };
    let mut shared = SHARED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if shared.as_ref().is_none_or(|(id, _, _)| *id != runtime) {
        let in_flight = Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT_PER_RUN));
        *shared = Some((runtime, in_flight, Vec::new()));
    }
    let (_, in_flight, clients) = shared.as_mut().expect("set above");
    let client = match clients.iter().find(|(t, _)| *t == timeouts) {
        Some((_, client)) => client.clone(),
        None => {
            let client = build_http_client(timeouts)?;
            clients.push((timeouts, client.clone()));
            client
        }
    };
    Ok(SharedHttp {
        client,
        in_flight: in_flight.clone(),
    })
}

/// Builds the HTTP client both vendor clients use: no redirects (a token endpoint that
/// redirects must not take credentials elsewhere), zentra's user agent, and bounded timeouts.
/// The TLS configuration (and its root certificates) is shared by every client.
pub fn build_http_client(timeouts: Timeouts) -> Result<reqwest::Client, ProviderError> {
    let builder = match shared_tls_config() {
        Some(tls) => reqwest::Client::builder().tls_backend_preconfigured(tls),
        None => reqwest::Client::builder(),
    };
    builder
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(USER_AGENT)
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.request)
        .build()
        .map_err(|e| {
            ProviderError::new(
                ErrorKind::Configuration,
                format!("could not set up the HTTP client: {}", e.without_url()),
            )
        })
}

/// Checks an endpoint URL from configuration and returns it without a trailing slash.
///
/// `https` is required, except for loopback hosts (127.0.0.0/8, `::1`, `localhost`), where
/// plain `http` is accepted so that a local emulator can stand in for the vendor.
pub fn validate_endpoint(raw: &str, attribute: &str) -> Result<String, ProviderError> {
    // The value is shown without user information or query values: either may hold a
    // credential (`https://user:password@…`, `?sig=…`).
    let shown = url_policy::redact_url(raw);
    let config_error = |why: String| {
        ProviderError::new(
            ErrorKind::Configuration,
            format!("`{attribute}` = \"{shown}\" is not a usable endpoint: {why}"),
        )
    };
    let url = Url::parse(raw.trim()).map_err(|e| config_error(e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        // The value itself is not repeated: it holds a credential.
        return Err(ProviderError::new(
            ErrorKind::Configuration,
            format!("`{attribute}` must not contain credentials (user:password@)"),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(config_error(
            "it must not contain a query or a fragment".into(),
        ));
    }
    let host = url
        .host()
        .ok_or_else(|| config_error("it has no host".into()))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(config_error(
                "plain http is accepted only for loopback hosts (127.0.0.0/8, ::1, localhost); use https"
                    .into(),
            ));
        }
        other => return Err(config_error(format!("unsupported scheme `{other}`"))),
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => {
            let name = name.trim_end_matches('.');
            name.eq_ignore_ascii_case("localhost")
        }
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// How often and how long a client retries throttled or failed requests.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Attempts in total, the first included.
    pub max_attempts: u32,
    /// The first backoff delay; it doubles with each attempt.
    pub initial_backoff: Duration,
    /// The largest backoff delay.
    pub max_backoff: Duration,
    /// The longest `Retry-After` the client waits for; a later one fails the request.
    pub max_retry_after: Duration,
    /// The time one operation may take, every attempt and wait included (the provider
    /// attribute `retry_max_elapsed`); a request still unanswered then fails, naming itself.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
            max_elapsed: DEFAULT_RETRY_MAX_ELAPSED,
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff with full jitter for the given attempt (1 = after the first try):
    /// a random delay between half and all of `initial * 2^(attempt-1)`, capped.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(20);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        let ceiling_ms = ceiling.as_millis() as u64;
        if ceiling_ms == 0 {
            return Duration::ZERO;
        }
        let low = ceiling_ms / 2;
        Duration::from_millis(rand::rng().random_range(low..=ceiling_ms))
    }
}

/// What a `Retry-After` header asks for, relative to `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryAfter {
    /// Wait this long (zero when the moment has passed).
    Wait(Duration),
    /// The header could not be read.
    Unreadable,
}

/// Parses a `Retry-After` value: delta seconds (Graph), an RFC 3339 date-time (Zoom's daily
/// limits) or an HTTP date.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> RetryAfter {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return RetryAfter::Wait(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>()
        && seconds.is_finite()
        && seconds >= 0.0
    {
        return RetryAfter::Wait(Duration::from_secs_f64(seconds.min(1e9)));
    }
    let at = DateTime::parse_from_rfc3339(value)
        .or_else(|_| DateTime::parse_from_rfc2822(value))
        .map(|t| t.with_timezone(&Utc));
    match at {
        Ok(at) => RetryAfter::Wait((at - now).to_std().unwrap_or(Duration::ZERO)),
        Err(_) => RetryAfter::Unreadable,
    }
}

/// When a token that lives `expires_in` should be replaced: `renew_before` its expiry, or
/// halfway for short-lived tokens. Lifetimes beyond a day are treated as a day, so an absurd
/// `expires_in` from a server cannot overflow the clock.
pub(crate) fn renewal_time(expires_in: Duration, renew_before: Duration) -> Instant {
    let lifetime = expires_in.min(Duration::from_secs(24 * 3600));
    let margin = if lifetime > renew_before.saturating_mul(2) {
        renew_before
    } else {
        lifetime / 2
    };
    Instant::now() + lifetime.saturating_sub(margin)
}

/// The largest response body zentra reads, in MiB; the vendors' largest answers (a page of
/// 999 directory objects, an account's settings) are a small fraction of it.
pub(crate) const MAX_BODY_MIB: usize = 32;

/// What one HTTP exchange brought back: status, headers and the body.
pub(crate) struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    /// The body, cut at [`MAX_BODY_MIB`].
    pub body: Vec<u8>,
    /// The body was longer than [`MAX_BODY_MIB`] and was not read to its end.
    pub oversized: bool,
}

/// Reads a response body up to [`MAX_BODY_MIB`]; `true` with it when there was more, which is
/// left unread, so that a service sending without end cannot exhaust memory.
pub(crate) async fn read_body(
    mut response: reqwest::Response,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let limit = MAX_BODY_MIB << 20;
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

/// Sends a request and reads its body; an `Err` is a transport failure (the caller decides
/// whether the request may be retried).
pub(crate) async fn exchange(builder: reqwest::RequestBuilder) -> Result<Answer, reqwest::Error> {
    let response = builder.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let (body, oversized) = read_body(response).await?;
    Ok(Answer {
        status,
        headers,
        body,
        oversized,
    })
}

/// Percent-encodes one path segment (an account id, an object id) for a request URL.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Percent-encodes a query value, keeping the characters OData expressions are written with
/// (`'`, `(`, `)`, `,`, `$`) readable; spaces become `%20`.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.' | b'_' | b'~' | b'\'' | b'(' | b')' | b',' | b'$' | b':' | b'@' | b'/'
            )
        {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The first line of an error response body, shortened, for messages when a vendor sends
/// something other than its documented error shape.
pub(crate) fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text.lines().next().unwrap_or("").trim();
    let mut out: String = line.chars().take(200).collect();
    if line.chars().count() > 200 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn https_endpoints_are_accepted_and_trimmed() {
        assert_eq!(
            validate_endpoint("https://api.zoomgov.com/v2/", "api_url").unwrap(),
            "https://api.zoomgov.com/v2"
        );
    }

    #[test]
    fn plain_http_is_accepted_only_for_loopback_hosts() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3/v2",
            "http://[::1]:9000",
            "http://localhost:3000",
            "http://LOCALHOST",
        ] {
            assert!(validate_endpoint(ok, "api_url").is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1",
            "http://graph.microsoft.com",
            "http://localhost.example.com",
            "http://128.0.0.1",
            "ftp://127.0.0.1",
            "https://user:pw@example.com",
            "https://example.com/?a=b",
            "not a url",
        ] {
            let err = validate_endpoint(bad, "api_url").unwrap_err();
            assert_eq!(err.kind, ErrorKind::Configuration, "{bad}");
            assert!(err.message.contains("api_url"), "{}", err.message);
        }
        for secret in [
            "https://user:hunter2@example.com",
            "https://user:hunter2@exa mple.com",
            "https://example.com/v2?sig=hunter2",
            "http://10.0.0.1/?token=hunter2",
            "ftp://user:hunter2@127.0.0.1",
            "https://example.com/#hunter2",
        ] {
            let err = validate_endpoint(secret, "api_url").unwrap_err();
            assert!(!err.message.contains("hunter2"), "{}", err.message);
        }
    }

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        assert_eq!(
            parse_retry_after("7", now),
            RetryAfter::Wait(Duration::from_secs(7))
        );
        assert_eq!(
            parse_retry_after("2026-03-01T12:00:30Z", now),
            RetryAfter::Wait(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("2026-03-01T13:00:00+01:00", now),
            RetryAfter::Wait(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after("Sun, 01 Mar 2026 12:01:00 GMT", now),
            RetryAfter::Wait(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("2026-02-28T00:00:00Z", now),
            RetryAfter::Wait(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), RetryAfter::Unreadable);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(800),
            max_retry_after: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        let first = policy.backoff(1);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        let third = policy.backoff(3);
        assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
        for attempt in 4..40 {
            assert!(policy.backoff(attempt) <= Duration::from_millis(800));
        }
    }

    #[test]
    fn tokens_are_renewed_ahead_of_expiry_and_never_overflow() {
        let now = Instant::now();
        let hour = renewal_time(Duration::from_secs(3600), Duration::from_secs(300));
        let in_55_min = hour.duration_since(now);
        assert!(in_55_min >= Duration::from_secs(3299) && in_55_min <= Duration::from_secs(3301));
        let short = renewal_time(Duration::from_secs(60), Duration::from_secs(300));
        assert!(short.duration_since(now) <= Duration::from_secs(31));
        let absurd = renewal_time(Duration::from_secs(u64::MAX), Duration::from_secs(300));
        assert!(absurd.duration_since(now) <= Duration::from_secs(24 * 3600));
    }

    #[test]
    fn path_segments_and_query_values_are_encoded() {
        assert_eq!(encode_segment("me"), "me");
        assert_eq!(encode_segment("a/b c?"), "a%2Fb%20c%3F");
        assert_eq!(encode_query_value("appId eq 'x&y'"), "appId%20eq%20'x%26y'");
    }
}
