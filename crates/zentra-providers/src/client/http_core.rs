//! The one HTTP core under both vendor clients, so that sending, retrying, token caching,
//! paging and error construction are written once and behave alike for Zoom and Graph.
//!
//! What both vendors share, and lives here:
//!
//! - one send loop ([`HttpCore::send`]): a bearer token from one cache, a per-attempt timeout
//!   and a total deadline per operation (retries included), a bounded number of attempts with
//!   exponential backoff and jitter, `Retry-After` honoured when the service sends one, one
//!   renewal of the token after a 401, and idempotent requests retried after a transport
//!   failure or a server error while a non-idempotent one never is;
//! - one token cache ([`TokenCache`]): single-flight, renewed ahead of expiry, forgotten after
//!   a 401, fed by a [`TokenSource`] (Zoom's `account_credentials`, Entra ID's client
//!   credentials with a secret, certificate, federated token or GitHub OIDC, or the Azure CLI);
//! - one paging loop ([`collect_pages`]), bounded and refusing links that come back;
//! - creates that must not be repeated blindly ([`create_once`]): after an answer that may
//!   hide a carried-out create, the object is looked up by its natural key first;
//! - errors built in one place: the request (`METHOD /path`, query values redacted), the
//!   status, the vendor's code and its request id.
//!
//! What differs per vendor is a [`VendorPolicy`]: Zoom paces requests per account and
//! rate-limit category and counts daily caps, reads `Retry-After` date-times and
//! `X-RateLimit-Type`, finds its request id in `x-zm-trackingid` and retries 5xx only for
//! idempotent requests; Graph retries 429, 503 and 504, reads `Retry-After` seconds (also per
//! request inside a `$batch`, which its client handles), finds its request id in `request-id`
//! or the error body, and can wait out directory replication lag for requests that reference
//! a just-created object. Where a token may be sent is [`super::url_policy::ApiRoot`]'s.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::Method;
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value as Json;
use url::Url;

use super::{Answer, RetryAfter, RetryPolicy, Timeouts, parse_retry_after, renewal_time};
use zentra_engine::progress::{Event, Progress, WaitReason};
use zentra_engine::provider::{ErrorKind, ProviderError, ProviderResult};

/// A token a [`TokenSource`] obtained.
pub(crate) struct IssuedToken {
    pub access_token: SecretString,
    pub expires_in: Duration,
}

/// Why one attempt at a token failed, and whether another attempt may help.
pub(crate) struct TokenFailure {
    pub error: ProviderError,
    /// A transport failure, a 429 or a server error: worth another attempt.
    pub transient: bool,
    /// How long the token endpoint asked to wait, if it did.
    pub retry_after: Option<Duration>,
}

/// Where access tokens come from: one attempt per call; [`TokenCache`] retries and caches.
#[async_trait]
pub(crate) trait TokenSource: Send + Sync + fmt::Debug {
    async fn fetch(&self, http: &reqwest::Client) -> Result<IssuedToken, TokenFailure>;
}

struct CachedToken {
    access_token: SecretString,
    renew_at: Instant,
    generation: u64,
}

#[derive(Default)]
struct TokenSlot {
    current: Option<CachedToken>,
    issued: u64,
}

/// The one token cache: single-flight (the lock is held while fetching), renewed
/// `renew_before` expiry, and forgotten by generation after a 401.
pub(crate) struct TokenCache {
    slot: tokio::sync::Mutex<TokenSlot>,
    renew_before: Duration,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token itself is never shown.
        f.debug_struct("TokenCache")
            .field("renew_before", &self.renew_before)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    pub(crate) fn new(renew_before: Duration) -> Self {
        TokenCache {
            slot: tokio::sync::Mutex::new(TokenSlot::default()),
            renew_before,
        }
    }

    /// The current token and its generation, fetching a new one (with retries) when there is
    /// none or it is due for renewal.
    pub(crate) async fn get(
        &self,
        source: &dyn TokenSource,
        http: &reqwest::Client,
        policy: &RetryPolicy,
    ) -> ProviderResult<(SecretString, u64)> {
        let mut slot = self.slot.lock().await;
        if let Some(current) = &slot.current
            && Instant::now() < current.renew_at
        {
            return Ok((current.access_token.clone(), current.generation));
        }
        let mut attempt = 0u32;
        let issued = loop {
            attempt += 1;
            match source.fetch(http).await {
                Ok(issued) => break issued,
                Err(failure) if failure.transient && attempt < policy.max_attempts => {
                    let wait = failure
                        .retry_after
                        .filter(|w| *w <= policy.max_retry_after)
                        .unwrap_or_else(|| policy.backoff(attempt));
                    tokio::time::sleep(wait).await;
                }
                Err(failure) if failure.transient => return Err(give_up(failure.error, attempt)),
                Err(failure) => return Err(failure.error),
            }
        };
        slot.issued += 1;
        let generation = slot.issued;
        slot.current = Some(CachedToken {
            access_token: issued.access_token.clone(),
            renew_at: renewal_time(issued.expires_in, self.renew_before),
            generation,
        });
        Ok((issued.access_token, generation))
    }

    /// Forgets the token of `generation` (unless a newer one already replaced it).
    pub(crate) async fn invalidate(&self, generation: u64) {
        let mut slot = self.slot.lock().await;
        if slot
            .current
            .as_ref()
            .is_some_and(|t| t.generation == generation)
        {
            slot.current = None;
        }
    }
}

/// The rules of one vendor, plugged into [`HttpCore`].
#[async_trait]
pub(crate) trait VendorPolicy: Send + Sync + fmt::Debug {
    /// What a request carries for the vendor's pacing (Zoom: its rate-limit category).
    type Pace: Send + Sync + fmt::Debug;

    /// The vendor as named in messages: `Zoom`, `Graph`.
    fn name(&self) -> &'static str;

    /// The vendor's request id in an answer's headers.
    fn request_id(&self, headers: &HeaderMap) -> Option<String>;

    /// The error for a failed answer (its kind, message, vendor code and hint).
    fn error(&self, status: u16, headers: &HeaderMap, body: &[u8], request: &str) -> ProviderError;

    /// Whether an answer with `status` is worth another attempt.
    fn retryable(&self, status: u16, idempotent: bool) -> bool;

    /// Waits until the request may go out under the vendor's budgets.
    async fn pace(&self, _pace: &Self::Pace, _request: &str) -> ProviderResult<()> {
        Ok(())
    }

    /// The service answered 429 to a request paced as `pace`: the pacing may slow down.
    fn throttled(&self, _pace: &Self::Pace, _headers: &HeaderMap) {}

    /// What the user is told while a request waits after `status`.
    fn wait_reason(&self, status: u16, pace: &Self::Pace, request: &str) -> WaitReason;

    /// How long to wait before the next attempt after a retryable answer, or the error to
    /// report now. By default: the `Retry-After` header (seconds or a date), else backoff.
    fn retry_wait(
        &self,
        _status: u16,
        headers: &HeaderMap,
        error: ProviderError,
        policy: &RetryPolicy,
        attempt: u32,
    ) -> Result<Duration, ProviderError> {
        match retry_after_header(headers) {
            Some(value) => match parse_retry_after(&value, chrono::Utc::now()) {
                RetryAfter::Wait(wait) if wait > policy.max_retry_after => Err(error.with_hint(
                    format!("{} asks to wait {value}; try again later", self.name()),
                )),
                RetryAfter::Wait(wait) => Ok(wait),
                RetryAfter::Unreadable => Ok(policy.backoff(attempt)),
            },
            None => Ok(policy.backoff(attempt)),
        }
    }

    /// Whether `error` is the directory's "not there yet" for a just-created object.
    fn is_replication_lag(&self, _error: &ProviderError) -> bool {
        false
    }
}

/// How long a request that references a just-created object keeps waiting out replication.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReplicationWait {
    pub total: Duration,
    pub first_pause: Duration,
}

/// One request as the core sends it.
#[derive(Debug)]
pub(crate) struct Outgoing<'a, P> {
    pub method: Method,
    pub url: Url,
    pub query: &'a [(String, String)],
    pub body: Option<&'a Json>,
    /// `METHOD /path?query` as shown in messages (paging tokens redacted).
    pub described: String,
    pub idempotent: bool,
    pub replication: Option<ReplicationWait>,
    pub pace: P,
}

/// The most requests one client (one provider instance) has out at once: more wait for one
/// of them to be answered. Each request out holds a connection, and over HTTP/1.1 (an
/// emulator, a proxy) every connection keeps its own buffers, so a plan that reads thousands
/// of objects at once would otherwise open thousands of connections. Sixteen at a time still
/// reach a vendor's per-second limits at a few hundred milliseconds per answer, and pacing
/// holds the requests back sooner anyway.
pub(crate) const MAX_IN_FLIGHT: usize = 16;

/// The HTTP client, its retry policy and timeouts, the token cache and source, and the
/// vendor's policy: everything a request needs to go out and come back.
pub(crate) struct HttpCore<V: VendorPolicy> {
    pub http: reqwest::Client,
    pub retry: RetryPolicy,
    pub timeouts: Timeouts,
    pub progress: Progress,
    pub vendor: V,
    source: Box<dyn TokenSource>,
    tokens: TokenCache,
    /// [`MAX_IN_FLIGHT`] permits: one is held from pacing until the answer is in.
    in_flight: tokio::sync::Semaphore,
    /// The run's [`super::MAX_IN_FLIGHT_PER_RUN`] permits, shared by every instance: one is
    /// held as long as an instance's own.
    run_in_flight: Arc<tokio::sync::Semaphore>,
}

impl<V: VendorPolicy> fmt::Debug for HttpCore<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpCore")
            .field("vendor", &self.vendor)
            .field("source", &self.source)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

impl<V: VendorPolicy> HttpCore<V> {
    pub(crate) fn new(
        vendor: V,
        source: Box<dyn TokenSource>,
        retry: RetryPolicy,
        timeouts: Timeouts,
        renew_token_before: Duration,
    ) -> ProviderResult<Self> {
        let shared = super::shared_http(timeouts)?;
        Ok(HttpCore {
            http: shared.client,
            run_in_flight: shared.in_flight,
            retry,
            timeouts,
            progress: Progress::default(),
            vendor,
            source,
            tokens: TokenCache::new(renew_token_before),
            in_flight: tokio::sync::Semaphore::new(MAX_IN_FLIGHT),
        })
    }

    /// The current access token and its generation.
    pub(crate) async fn token(&self) -> ProviderResult<(SecretString, u64)> {
        self.tokens
            .get(self.source.as_ref(), &self.http, &self.retry)
            .await
    }

    /// Sends a request and returns its JSON body (`None` for an empty answer such as 204),
    /// within the operation's deadline: [`RetryPolicy::max_elapsed`], plus the replication
    /// wait for a request that asks for one.
    pub(crate) async fn send(
        &self,
        request: Outgoing<'_, V::Pace>,
    ) -> ProviderResult<Option<Json>> {
        self.send_reading(request, &|body| serde_json::from_slice(body))
            .await
    }

    /// [`HttpCore::send`], with the body of a successful answer read by `read` (JSON text
    /// into what the caller keeps of it) instead of into a JSON document.
    pub(crate) async fn send_reading<T>(
        &self,
        request: Outgoing<'_, V::Pace>,
        read: &(dyn Fn(&[u8]) -> serde_json::Result<T> + Sync),
    ) -> ProviderResult<Option<T>> {
        let started = Instant::now();
        let budget =
            self.retry.max_elapsed + request.replication.map_or(Duration::ZERO, |r| r.total);
        let deadline = started + budget;
        match tokio::time::timeout_at(deadline.into(), self.send_until(&request, deadline, read))
            .await
        {
            Ok(result) => result,
            Err(_) => Err(
                no_answer(self.vendor.name(), started.elapsed(), &request.described).with_hint(
                    "the service did not answer in time; try again later, or raise the provider's \
                 `retry_max_elapsed`",
                ),
            ),
        }
    }

    async fn send_until<T>(
        &self,
        request: &Outgoing<'_, V::Pace>,
        deadline: Instant,
        read: &(dyn Fn(&[u8]) -> serde_json::Result<T> + Sync),
    ) -> ProviderResult<Option<T>> {
        let policy = self.retry;
        let described = &request.described;
        let started = Instant::now();
        let mut lag_pause = request
            .replication
            .map_or(Duration::ZERO, |r| r.first_pause);
        let mut attempt = 0u32;
        let mut renewed_after_401 = false;
        loop {
            attempt += 1;
            // Taken before pacing, so that a request goes out as soon as pacing lets it;
            // given back before any wait for the next attempt.
            let permit = self
                .in_flight
                .acquire()
                .await
                .expect("the semaphore is never closed");
            let run_permit = self
                .run_in_flight
                .acquire()
                .await
                .expect("the semaphore is never closed");
            self.vendor.pace(&request.pace, described).await?;
            let (token, generation) = self.token().await?;
            let remaining = deadline.saturating_duration_since(Instant::now());
            let per_attempt = self.timeouts.request.min(remaining);
            let mut builder = self
                .http
                .request(request.method.clone(), request.url.clone())
                .bearer_auth(token.expose_secret())
                .header(reqwest::header::ACCEPT, "application/json")
                .timeout(per_attempt);
            if !request.query.is_empty() {
                builder = builder.query(request.query);
            }
            if let Some(body) = request.body {
                builder = builder.json(body);
            }
            let exchanged = super::exchange(builder).await;
            drop((run_permit, permit));
            let answer = match exchanged {
                Ok(answer) => answer,
                Err(e) => {
                    let error = transport_error(e, described, self.vendor.name(), per_attempt);
                    if request.idempotent && attempt < policy.max_attempts {
                        let wait = policy.backoff(attempt);
                        if Instant::now() + wait < deadline {
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                    }
                    return Err(if request.idempotent && attempt > 1 {
                        give_up(error, attempt)
                    } else {
                        error
                    });
                }
            };
            let status = answer.status;
            let request_id = self.vendor.request_id(&answer.headers);
            if (200..300).contains(&status) {
                return read_success_body(&answer, self.vendor.name(), described, request_id, read);
            }
            if status == 401 && !renewed_after_401 {
                // An expired or revoked token: renew once and try again.
                renewed_after_401 = true;
                self.tokens.invalidate(generation).await;
                attempt -= 1;
                continue;
            }
            let error = self
                .vendor
                .error(status, &answer.headers, &answer.body, described);
            if let Some(replication) = request.replication
                && self.vendor.is_replication_lag(&error)
                && started.elapsed() + lag_pause <= replication.total
            {
                self.progress.emit(Event::Waiting {
                    wait: lag_pause,
                    reason: WaitReason::Replication {
                        request: described.clone(),
                    },
                });
                tokio::time::sleep(lag_pause).await;
                lag_pause = (lag_pause * 2).min(Duration::from_secs(10));
                attempt -= 1;
                continue;
            }
            if status == 429 {
                self.vendor.throttled(&request.pace, &answer.headers);
            }
            if !self.vendor.retryable(status, request.idempotent) {
                return Err(error);
            }
            let error_copy = error.clone();
            let wait = self
                .vendor
                .retry_wait(status, &answer.headers, error, &policy, attempt)?;
            if attempt >= policy.max_attempts {
                return Err(give_up(error_copy, attempt));
            }
            if Instant::now() + wait >= deadline {
                return Err(give_up(error_copy, attempt).with_hint(format!(
                    "{} asks to wait longer than the time left for this request; try again \
                     later, or raise the provider's `retry_max_elapsed`",
                    self.vendor.name()
                )));
            }
            self.progress.emit(Event::Waiting {
                wait,
                reason: self.vendor.wait_reason(status, &request.pace, described),
            });
            tokio::time::sleep(wait).await;
        }
    }
}

/// Whether a failed non-idempotent request may nevertheless have been carried out: its answer
/// never arrived whole (a reset, a timeout) or the service failed while handling it (5xx).
pub(crate) fn may_have_been_carried_out(error: &ProviderError) -> bool {
    error.kind == ErrorKind::Transport && error.status.is_none_or(|s| s >= 500)
}

/// Creates an object with a request that must not be repeated blindly (a POST that creates).
/// When an attempt fails in a way that may hide a carried-out create, the object is looked up
/// by its natural key first: found, it is the answer; not found, the create is sent again
/// (at most `policy.max_attempts` times in all). A conflict on a later attempt (the earlier
/// create did land, but was not yet visible) is answered by looking it up again.
pub(crate) async fn create_once<S, SF, L, LF>(
    policy: &RetryPolicy,
    mut send: S,
    mut lookup: L,
) -> ProviderResult<Option<Json>>
where
    S: FnMut() -> SF,
    SF: Future<Output = ProviderResult<Option<Json>>>,
    L: FnMut() -> LF,
    LF: Future<Output = ProviderResult<Option<Json>>>,
{
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        match send().await {
            Err(error) if may_have_been_carried_out(&error) => {
                if let Some(found) = lookup().await? {
                    return Ok(Some(found));
                }
                if attempt >= policy.max_attempts {
                    return Err(give_up(error, attempt));
                }
                tokio::time::sleep(policy.backoff(attempt)).await;
            }
            Err(error) if attempt > 1 && error.kind == ErrorKind::Conflict => {
                return match lookup().await? {
                    Some(found) => Ok(Some(found)),
                    None => Err(error),
                };
            }
            other => return other,
        }
    }
}

/// Follows a listing page by page: `fetch(None)` reads the first page, `fetch(Some(next))`
/// the page a continuation (`next_page_token`, `@odata.nextLink`) names; `take_next` removes
/// the continuation from a page, and `take_items` its items. Bounded: a continuation that
/// comes back, or pages without end, fail the request.
pub(crate) async fn collect_pages<F, Fut>(
    vendor: &str,
    described: &str,
    continuation: &str,
    mut fetch: F,
    take_next: impl Fn(&mut Json) -> Option<String>,
    take_items: impl Fn(&mut Json) -> Vec<Json>,
) -> ProviderResult<Vec<Json>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = ProviderResult<Json>>,
{
    let paging_error = |why: String| {
        let mut error = ProviderError::new(
            ErrorKind::Transport,
            format!("{vendor}'s pages of {described} {why}"),
        );
        error.request = Some(described.to_string());
        error
    };
    let mut items = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut next: Option<String> = None;
    for _ in 0..10_000 {
        let mut page = fetch(next.take()).await?;
        items.extend(take_items(&mut page));
        match take_next(&mut page) {
            None => return Ok(items),
            Some(link) if !seen.insert(link.clone()) => {
                return Err(paging_error(format!(
                    "do not end: {continuation} came back a second time"
                )));
            }
            Some(link) => next = Some(link),
        }
    }
    Err(paging_error("do not end after 10000 pages".into()))
}

/// `Retry-After` as sent.
pub(crate) fn retry_after_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Adds how many attempts were made to a final error.
pub(crate) fn give_up(mut error: ProviderError, attempts: u32) -> ProviderError {
    error.message = format!("{} (gave up after {attempts} attempts)", error.message);
    error
}

/// An error answer of a vendor API, built the same way for both: the request, the status,
/// the vendor's code and request id, and a hint.
pub(crate) struct ApiError<'a> {
    pub vendor: &'a str,
    pub kind: ErrorKind,
    pub request: &'a str,
    pub message: &'a str,
    pub status: u16,
    pub vendor_code: Option<String>,
    pub request_id: Option<String>,
    pub hint: Option<&'a str>,
}

impl ApiError<'_> {
    pub(crate) fn build(self) -> ProviderError {
        let mut error = ProviderError::new(
            self.kind,
            format!(
                "{} rejected {}: {}",
                self.vendor, self.request, self.message
            ),
        );
        error.request = Some(self.request.to_string());
        error.status = Some(self.status);
        error.vendor_code = self.vendor_code;
        error.request_id = self.request_id;
        error.hint = self.hint.map(str::to_string);
        error
    }
}

/// A duration as a person reads it: `30s`, `1.5s`, `500ms`.
pub(crate) fn shown(duration: Duration) -> String {
    if duration >= Duration::from_secs(1) {
        let seconds = duration.as_secs_f64();
        if (seconds - seconds.round()).abs() < 0.05 {
            format!("{}s", seconds.round())
        } else {
            format!("{seconds:.1}s")
        }
    } else {
        format!("{}ms", duration.as_millis())
    }
}

/// The error for a request the service did not answer in time.
fn no_answer(vendor: &str, after: Duration, request: &str) -> ProviderError {
    let mut error = ProviderError::new(
        ErrorKind::Transport,
        format!(
            "no answer from {vendor} after {} ({request}): the request timed out",
            shown(after)
        ),
    );
    error.request = Some(request.to_string());
    error
}

/// The error for a request that never got a whole HTTP answer.
pub(crate) fn transport_error(
    error: reqwest::Error,
    request: &str,
    vendor: &str,
    timeout: Duration,
) -> ProviderError {
    if error.is_timeout() {
        return no_answer(vendor, timeout, request);
    }
    let what = if error.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    let mut e = ProviderError::new(
        ErrorKind::Transport,
        format!("{request} {what}: {}", error.without_url()),
    );
    e.request = Some(request.to_string());
    e
}

/// The JSON body of a successful answer, `None` when it is empty (204 and the like).
pub(crate) fn success_body(
    answer: &Answer,
    vendor: &str,
    request: &str,
    request_id: Option<String>,
) -> ProviderResult<Option<Json>> {
    read_success_body(answer, vendor, request, request_id, &|body| {
        serde_json::from_slice(body)
    })
}

/// [`success_body`], with the JSON text read by `read`.
fn read_success_body<T>(
    answer: &Answer,
    vendor: &str,
    request: &str,
    request_id: Option<String>,
    read: &(dyn Fn(&[u8]) -> serde_json::Result<T> + Sync),
) -> ProviderResult<Option<T>> {
    let failed = |message: String| {
        let mut err = ProviderError::new(ErrorKind::Transport, message);
        err.request = Some(request.to_string());
        err.status = Some(answer.status);
        err.request_id = request_id.clone();
        err
    };
    if answer.oversized {
        return Err(failed(format!(
            "{vendor} answered {request} with a body over {} MiB; not reading it",
            super::MAX_BODY_MIB
        )));
    }
    if answer.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    read(&answer.body).map(Some).map_err(|e| {
        failed(format!(
            "{vendor} answered {request} with a body that is not JSON: {e}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn quick() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
            ..RetryPolicy::default()
        }
    }

    fn reset() -> ProviderError {
        let mut e = ProviderError::new(ErrorKind::Transport, "POST /groups failed: reset");
        e.request = Some("POST /groups".into());
        e
    }

    #[tokio::test]
    async fn a_create_whose_answer_was_lost_is_found_not_sent_again() {
        let sent = AtomicU32::new(0);
        let found = create_once(
            &quick(),
            || async {
                sent.fetch_add(1, Ordering::SeqCst);
                Err(reset())
            },
            || async { Ok(Some(serde_json::json!({"id": "g1"}))) },
        )
        .await
        .unwrap();
        assert_eq!(found.unwrap()["id"], "g1");
        assert_eq!(sent.load(Ordering::SeqCst), 1, "never resent blindly");
    }

    #[tokio::test]
    async fn a_create_that_did_not_happen_is_sent_again_and_bounded() {
        let sent = AtomicU32::new(0);
        let looked = AtomicU32::new(0);
        let result = create_once(
            &quick(),
            || async {
                let n = sent.fetch_add(1, Ordering::SeqCst);
                if n == 0 {
                    Err(reset())
                } else {
                    Ok(Some(serde_json::json!({"id": "g2"})))
                }
            },
            || async {
                looked.fetch_add(1, Ordering::SeqCst);
                Ok(None)
            },
        )
        .await
        .unwrap();
        assert_eq!(result.unwrap()["id"], "g2");
        assert_eq!(looked.load(Ordering::SeqCst), 1);
        let err = create_once(&quick(), || async { Err(reset()) }, || async { Ok(None) })
            .await
            .unwrap_err();
        assert!(err.message.contains("gave up after 3 attempts"), "{err}");
        assert_eq!(err.request.as_deref(), Some("POST /groups"));
    }

    #[tokio::test]
    async fn rejected_creates_are_not_looked_up() {
        let looked = AtomicU32::new(0);
        let mut invalid = ProviderError::new(ErrorKind::Invalid, "bad name");
        invalid.status = Some(400);
        let err = create_once(
            &quick(),
            || {
                let e = invalid.clone();
                async move { Err(e) }
            },
            || async {
                looked.fetch_add(1, Ordering::SeqCst);
                Ok(None)
            },
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Invalid);
        assert_eq!(looked.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn durations_read_like_a_person_writes_them() {
        assert_eq!(shown(Duration::from_secs(30)), "30s");
        assert_eq!(shown(Duration::from_millis(1500)), "1.5s");
        assert_eq!(shown(Duration::from_millis(500)), "500ms");
    }
}
