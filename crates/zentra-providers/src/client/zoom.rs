//! The Zoom REST API v2 client: Server-to-Server OAuth with a cached, single-flight token,
//! client-side pacing per rate-limit category, retries for throttling and transient failures,
//! `next_page_token` paging, and Zoom's error bodies turned into [`ProviderError`]s.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use reqwest::Method;
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value as Json;

use super::http_core::{
    self, HttpCore, IssuedToken, Outgoing, TokenFailure, TokenSource, VendorPolicy,
    retry_after_header,
};
use super::pacing::WindowPacer;
use super::url_policy::ApiRoot;
use super::{RetryAfter, RetryPolicy, Timeouts, body_excerpt, parse_retry_after};
use zentra_engine::progress::{Progress, WaitReason, short_id};
use zentra_engine::provider::{ErrorKind, ProviderError, ProviderResult};

/// Default API base (the `v2` root).
pub const DEFAULT_API_URL: &str = "https://api.zoom.us/v2";
/// Default OAuth host; the token endpoint is `{oauth_url}/oauth/token`.
pub const DEFAULT_OAUTH_URL: &str = "https://zoom.us";

/// The header Zoom puts its request id in.
const TRACKING_ID_HEADER: &str = "x-zm-trackingid";

/// Zoom's rate-limit labels; every endpoint belongs to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RateCategory {
    Light,
    Medium,
    Heavy,
}

impl RateCategory {
    /// The category of a rate-limit label of the operation index (`LIGHT`, `Medium`, ...);
    /// resource-intensive calls share the Heavy budget, as they share Zoom's daily cap.
    fn from_label(label: &str) -> RateCategory {
        match label.to_ascii_uppercase().as_str() {
            "LIGHT" => RateCategory::Light,
            "HEAVY" | "RESOURCE-INTENSIVE" | "RESOURCE_INTENSIVE" => RateCategory::Heavy,
            _ => RateCategory::Medium,
        }
    }

    /// The category Zoom files `method path` under (a concrete path such as
    /// `/groups/abc/members`), from the generated operation index; Medium when the index does
    /// not list the operation.
    pub fn of(method: &Method, path: &str) -> RateCategory {
        let segments: Vec<&str> = path
            .split('?')
            .next()
            .unwrap_or("")
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        OPERATION_LABELS
            .iter()
            .filter(|op| op.method.eq_ignore_ascii_case(method.as_str()))
            .filter_map(|op| {
                let parts: Vec<&str> = op.path.split('/').filter(|s| !s.is_empty()).collect();
                let fits = parts.len() == segments.len()
                    && parts
                        .iter()
                        .zip(&segments)
                        .all(|(p, s)| p.starts_with('{') || p == s);
                // The most literal template wins (`/users/me` over `/users/{userId}`).
                fits.then(|| (parts.iter().filter(|p| !p.starts_with('{')).count(), op))
            })
            .max_by_key(|(literal, _)| *literal)
            .and_then(|(_, op)| op.rate_limit_label.as_deref())
            .map_or(RateCategory::Medium, RateCategory::from_label)
    }
}

/// What the client needs from `schemas/zoom-api.json`: each operation's rate-limit label.
#[derive(Deserialize)]
struct LabelledOperation {
    method: String,
    path: String,
    #[serde(default)]
    rate_limit_label: Option<String>,
}

#[derive(Deserialize)]
struct LabelIndex {
    operations: Vec<LabelledOperation>,
}

static OPERATION_LABELS: LazyLock<Vec<LabelledOperation>> = LazyLock::new(|| {
    serde_json::from_str::<LabelIndex>(zentra_engine::schema::data::ZOOM_API_INDEX)
        .map(|index| index.operations)
        .unwrap_or_default()
});

/// The Zoom plan an account is on, which sets its documented rate limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PlanTier {
    /// Basic (free): low per-second limits and daily caps per category.
    Free,
    /// Pro.
    #[default]
    Pro,
    /// Business, Business Plus, Enterprise, Education and Partner ("Business+").
    Business,
}

impl PlanTier {
    /// The names the provider attribute `plan_tier` accepts.
    pub const NAMES: [&'static str; 3] = ["free", "pro", "business"];

    pub fn parse(name: &str) -> Option<PlanTier> {
        match name.trim().to_ascii_lowercase().as_str() {
            "free" => Some(PlanTier::Free),
            "pro" => Some(PlanTier::Pro),
            "business" => Some(PlanTier::Business),
            _ => None,
        }
    }
}

/// Zoom's request limits per account and category: per second, and per UTC day where Zoom
/// caps the day. The per-second limits are shared by every app of the account; a client paces
/// to [`ZoomClientOptions::rate_limit_share`] of them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ZoomRateLimits {
    pub light: f64,
    pub medium: f64,
    pub heavy: f64,
    /// Requests per UTC day, per category (`None`: no daily cap).
    pub daily_light: Option<u32>,
    pub daily_medium: Option<u32>,
    /// Heavy and resource-intensive requests together.
    pub daily_heavy: Option<u32>,
}

impl ZoomRateLimits {
    /// The limits of an account on `tier`, from Zoom's rate-limit table (Free: 4/2/1 per
    /// second and 6000/2000/1000 a day; Pro: 30/20/10 and 30,000 heavy a day; Business+:
    /// 80/60/40 and 60,000 heavy a day).
    pub fn for_tier(tier: PlanTier) -> ZoomRateLimits {
        match tier {
            PlanTier::Free => ZoomRateLimits {
                light: 4.0,
                medium: 2.0,
                heavy: 1.0,
                daily_light: Some(6000),
                daily_medium: Some(2000),
                daily_heavy: Some(1000),
            },
            PlanTier::Pro => ZoomRateLimits {
                light: 30.0,
                medium: 20.0,
                heavy: 10.0,
                daily_light: None,
                daily_medium: None,
                daily_heavy: Some(30_000),
            },
            PlanTier::Business => ZoomRateLimits {
                light: 80.0,
                medium: 60.0,
                heavy: 40.0,
                daily_light: None,
                daily_medium: None,
                daily_heavy: Some(60_000),
            },
        }
    }

    /// The per-second limit of `category`.
    pub fn per_second(&self, category: RateCategory) -> f64 {
        match category {
            RateCategory::Light => self.light,
            RateCategory::Medium => self.medium,
            RateCategory::Heavy => self.heavy,
        }
    }

    fn per_day(&self, category: RateCategory) -> Option<u32> {
        match category {
            RateCategory::Light => self.daily_light,
            RateCategory::Medium => self.daily_medium,
            RateCategory::Heavy => self.daily_heavy,
        }
    }
}

impl Default for ZoomRateLimits {
    fn default() -> Self {
        ZoomRateLimits::for_tier(PlanTier::default())
    }
}

/// The default of [`ZoomClientOptions::rate_limit_share`]: the whole limit, adapting to 429s.
pub const DEFAULT_RATE_LIMIT_SHARE: f64 = 1.0;

/// Tunables of a [`ZoomClient`].
#[derive(Clone, Copy, Debug)]
pub struct ZoomClientOptions {
    pub retry: RetryPolicy,
    pub rate_limits: ZoomRateLimits,
    /// The share of the per-second limits this client paces to (0.1 to 1; the provider
    /// attribute `rate_limit_share`). At 1 it uses the whole of them and slows down by itself
    /// when Zoom throttles anyway (another app of the account using them too).
    pub rate_limit_share: f64,
    pub timeouts: Timeouts,
    /// How long before its expiry a token is replaced.
    pub renew_token_before: Duration,
    /// How long a read right after zentra changed a setting keeps re-reading until Zoom
    /// shows the written values (Zoom applies some changes with a delay).
    pub settle_wait: Duration,
}

impl Default for ZoomClientOptions {
    fn default() -> Self {
        ZoomClientOptions {
            retry: RetryPolicy::default(),
            rate_limits: ZoomRateLimits::default(),
            rate_limit_share: DEFAULT_RATE_LIMIT_SHARE,
            timeouts: Timeouts::default(),
            renew_token_before: Duration::from_secs(300),
            settle_wait: Duration::from_secs(5),
        }
    }
}

/// The Server-to-Server OAuth app's credentials. `Debug` never shows the secret.
#[derive(Clone, Debug)]
pub struct ZoomCredentials {
    pub account_id: String,
    pub client_id: String,
    pub client_secret: SecretString,
}

/// Where the API and the token endpoint live (validated, no trailing slash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoomEndpoints {
    pub api_url: String,
    pub oauth_url: String,
}

/// One pacer per category, and the day's request counts, shared by every client of the same
/// account in the process.
#[derive(Debug)]
struct AccountLimiter {
    limits: ZoomRateLimits,
    light: WindowPacer,
    medium: WindowPacer,
    heavy: WindowPacer,
    /// category -> (UTC day, requests sent that day).
    daily: std::sync::Mutex<HashMap<RateCategory, (chrono::NaiveDate, u32)>>,
}

impl AccountLimiter {
    fn pacer(&self, category: RateCategory) -> &WindowPacer {
        match category {
            RateCategory::Light => &self.light,
            RateCategory::Medium => &self.medium,
            RateCategory::Heavy => &self.heavy,
        }
    }

    /// Counts one request against the day's budget; `Err(limit)` when it is spent.
    fn take_daily(&self, category: RateCategory, today: chrono::NaiveDate) -> Result<(), u32> {
        let Some(limit) = self.limits.per_day(category) else {
            return Ok(());
        };
        let mut daily = self
            .daily
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = daily.entry(category).or_insert((today, 0));
        if entry.0 != today {
            *entry = (today, 0);
        }
        if entry.1 >= limit {
            return Err(limit);
        }
        entry.1 += 1;
        Ok(())
    }

    /// Waits for the per-second budget and counts the request against the daily one.
    async fn acquire(&self, category: RateCategory, described: &str) -> ProviderResult<()> {
        if let Err(limit) = self.take_daily(category, chrono::Utc::now().date_naive()) {
            let mut error = ProviderError::new(
                ErrorKind::Throttled,
                format!(
                    "{described} not sent: this run has used the account's daily budget of                      {limit} {category:?} requests"
                ),
            );
            error.request = Some(described.to_string());
            return Err(error.with_hint(
                "Zoom resets daily rate limits at 00:00 UTC; try again then, or set the zoom                  provider's `plan_tier` if the account is on a larger plan",
            ));
        }
        self.pacer(category).acquire().await;
        Ok(())
    }
}

type LimiterRegistry = std::sync::Mutex<HashMap<String, Arc<AccountLimiter>>>;

static ACCOUNT_LIMITERS: LazyLock<LimiterRegistry> = LazyLock::new(Default::default);

fn limiter_for(account_id: &str, limits: ZoomRateLimits, share: f64) -> Arc<AccountLimiter> {
    let key = format!("{account_id}\u{0}{limits:?}\u{0}{share}");
    let mut registry = ACCOUNT_LIMITERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    registry
        .entry(key)
        .or_insert_with(|| {
            Arc::new(AccountLimiter {
                limits,
                light: WindowPacer::new(limits.light, share),
                medium: WindowPacer::new(limits.medium, share),
                heavy: WindowPacer::new(limits.heavy, share),
                daily: Default::default(),
            })
        })
        .clone()
}

/// The token endpoint's answer.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    #[allow(dead_code)]
    scope: Option<String>,
    /// The regional API host Zoom suggests. zentra keeps the configured `api_url`, so a token
    /// endpoint can never redirect API traffic (and the bearer token) elsewhere.
    #[serde(default)]
    #[allow(dead_code)]
    api_url: Option<String>,
}

/// One request to the Zoom API, relative to the API base.
#[derive(Clone, Debug)]
pub struct ZoomRequest {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Json>,
    category: RateCategory,
    idempotent: bool,
}

impl ZoomRequest {
    fn new(method: Method, path: impl Into<String>) -> Self {
        let idempotent = matches!(method, Method::GET | Method::PUT | Method::DELETE);
        let path = path.into();
        ZoomRequest {
            category: RateCategory::of(&method, &path),
            method,
            path,
            query: Vec::new(),
            body: None,
            idempotent,
        }
    }
    /// `path` starts with `/` and has its segments encoded (see [`super::encode_segment`]).
    pub fn get(path: impl Into<String>) -> Self {
        ZoomRequest::new(Method::GET, path)
    }
    pub fn patch(path: impl Into<String>, body: Json) -> Self {
        ZoomRequest::new(Method::PATCH, path).body(body)
    }
    pub fn post(path: impl Into<String>, body: Json) -> Self {
        ZoomRequest::new(Method::POST, path).body(body)
    }
    pub fn delete(path: impl Into<String>) -> Self {
        ZoomRequest::new(Method::DELETE, path)
    }
    /// A `PUT` without a body (Zoom's sync triggers).
    pub fn put(path: impl Into<String>) -> Self {
        ZoomRequest::new(Method::PUT, path)
    }
    pub fn body(mut self, body: Json) -> Self {
        self.body = Some(body);
        self
    }
    pub fn query(mut self, key: &str, value: &str) -> Self {
        self.query.push((key.to_string(), value.to_string()));
        self
    }
    pub fn category(mut self, category: RateCategory) -> Self {
        self.category = category;
        self
    }
    /// Marks a request as safe to repeat after a transient failure (a settings PATCH that
    /// sets values is; a POST that creates something is not).
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// `METHOD /path?query`, as shown in errors (a paging token's value hidden: it stands for
    /// a position in a listing, and messages never repeat tokens).
    pub fn describe(&self) -> String {
        let mut line = format!("{} {}", self.method, self.path);
        for (i, (k, v)) in self.query.iter().enumerate() {
            line.push(if i == 0 { '?' } else { '&' });
            line.push_str(k);
            line.push('=');
            line.push_str(if k.contains("token") {
                super::url_policy::REDACTED
            } else {
                v
            });
        }
        line
    }
}

/// A Zoom API client for one account: Zoom's [`VendorPolicy`] over the [`HttpCore`].
#[derive(Debug)]
pub struct ZoomClient {
    core: HttpCore<ZoomPolicy>,
    options: ZoomClientOptions,
    api_root: ApiRoot,
}

/// Zoom's rules: pacing per account and category with daily caps, `Retry-After` date-times,
/// `X-RateLimit-Type`, `x-zm-trackingid`, and server errors retried only when idempotent.
#[derive(Debug)]
struct ZoomPolicy {
    account_id: String,
    limiter: Arc<AccountLimiter>,
}

#[async_trait::async_trait]
impl VendorPolicy for ZoomPolicy {
    type Pace = RateCategory;

    fn name(&self) -> &'static str {
        "Zoom"
    }

    fn request_id(&self, headers: &HeaderMap) -> Option<String> {
        tracking_id(headers)
    }

    fn error(&self, status: u16, headers: &HeaderMap, body: &[u8], request: &str) -> ProviderError {
        zoom_error(status, body, request, tracking_id(headers))
    }

    fn retryable(&self, status: u16, idempotent: bool) -> bool {
        status == 429 || (status >= 500 && idempotent)
    }

    async fn pace(&self, category: &RateCategory, request: &str) -> ProviderResult<()> {
        self.limiter.acquire(*category, request).await
    }

    fn throttled(&self, category: &RateCategory, headers: &HeaderMap) {
        // A spent daily limit is not a matter of pace.
        if !is_daily_limit(headers) {
            self.limiter.pacer(*category).throttled();
        }
    }

    fn wait_reason(&self, status: u16, category: &RateCategory, request: &str) -> WaitReason {
        if status == 429 {
            WaitReason::RateLimit {
                service: "Zoom",
                category: Some(format!("{category:?}")),
                scope: format!("account {}", short_id(&self.account_id)),
            }
        } else {
            WaitReason::ServiceError {
                service: "Zoom",
                status,
                request: request.to_string(),
            }
        }
    }

    fn retry_wait(
        &self,
        status: u16,
        headers: &HeaderMap,
        error: ProviderError,
        policy: &RetryPolicy,
        attempt: u32,
    ) -> Result<Duration, ProviderError> {
        match retry_after_header(headers) {
            Some(value) => match parse_retry_after(&value, chrono::Utc::now()) {
                RetryAfter::Wait(wait) if wait > policy.max_retry_after => Err(error.with_hint(
                    format!("Zoom asks to wait until {value} (a daily limit?); try again then"),
                )),
                RetryAfter::Wait(wait) => Ok(wait),
                RetryAfter::Unreadable => Ok(policy.backoff(attempt)),
            },
            // Backing off cannot help with a spent daily limit, and Zoom did not say when it
            // resets: report it now.
            None if status == 429 && is_daily_limit(headers) => Err(error.with_hint(
                "Zoom's daily rate limit for this kind of request is reached; Zoom resets daily \
                 limits at 00:00 UTC, so try again then",
            )),
            None => Ok(policy.backoff(attempt)),
        }
    }
}

/// Server-to-Server OAuth: `account_credentials` at `{oauth_url}/oauth/token`.
#[derive(Debug)]
struct ZoomTokenSource {
    credentials: ZoomCredentials,
    oauth_url: String,
}

#[async_trait::async_trait]
impl TokenSource for ZoomTokenSource {
    async fn fetch(&self, http: &reqwest::Client) -> Result<IssuedToken, TokenFailure> {
        let described = "POST /oauth/token";
        let sent = http
            .post(format!("{}/oauth/token", self.oauth_url))
            .basic_auth(
                &self.credentials.client_id,
                Some(self.credentials.client_secret.expose_secret()),
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .query(&[
                ("grant_type", "account_credentials"),
                ("account_id", self.credentials.account_id.as_str()),
            ])
            .send()
            .await;
        let response = sent.map_err(|e| TokenFailure {
            error: authentication(http_core::transport_error(
                e,
                described,
                "Zoom",
                Timeouts::default().request,
            )),
            transient: true,
            retry_after: None,
        })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        // A body that cannot be read whole is treated as empty, hence unreadable.
        let body = match super::read_body(response).await {
            Ok((body, false)) => body,
            _ => Vec::new(),
        };
        let permanent = |error| TokenFailure {
            error,
            transient: false,
            retry_after: None,
        };
        if (200..300).contains(&status) {
            let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|_| {
                let mut e = ProviderError::new(
                    ErrorKind::Authentication,
                    "Zoom's token endpoint answered with an unreadable token response",
                );
                e.request = Some(described.to_string());
                e.status = Some(status);
                e.request_id = tracking_id(&headers);
                permanent(e)
            })?;
            if let Some(kind) = &parsed.token_type
                && !kind.eq_ignore_ascii_case("bearer")
            {
                let mut e = ProviderError::new(
                    ErrorKind::Authentication,
                    format!("Zoom issued a `{kind}` token; zentra needs a bearer token"),
                );
                e.request = Some(described.to_string());
                return Err(permanent(e));
            }
            return Ok(IssuedToken {
                access_token: SecretString::from(parsed.access_token),
                expires_in: Duration::from_secs(parsed.expires_in.unwrap_or(3600)),
            });
        }
        Err(TokenFailure {
            error: token_error(status, &body, described, tracking_id(&headers)),
            transient: status == 429 || status >= 500,
            retry_after: retry_after_header(&headers).and_then(|v| {
                match parse_retry_after(&v, chrono::Utc::now()) {
                    RetryAfter::Wait(w) => Some(w),
                    RetryAfter::Unreadable => None,
                }
            }),
        })
    }
}

impl ZoomClient {
    /// Makes no network call; the first request fetches a token.
    pub fn new(
        credentials: ZoomCredentials,
        endpoints: ZoomEndpoints,
        options: ZoomClientOptions,
    ) -> ProviderResult<Self> {
        let api_root = ApiRoot::new(&endpoints.api_url)
            .map_err(|why| ProviderError::new(ErrorKind::Configuration, why))?;
        let policy = ZoomPolicy {
            account_id: credentials.account_id.clone(),
            limiter: limiter_for(
                &credentials.account_id,
                options.rate_limits,
                options.rate_limit_share,
            ),
        };
        let source = ZoomTokenSource {
            credentials,
            oauth_url: endpoints.oauth_url,
        };
        Ok(ZoomClient {
            core: HttpCore::new(
                policy,
                Box::new(source),
                options.retry,
                options.timeouts,
                options.renew_token_before,
            )?,
            options,
            api_root,
        })
    }

    /// The same client, telling `progress` when it waits before trying a request again.
    pub fn with_progress(mut self, progress: Progress) -> Self {
        self.core.progress = progress;
        self
    }

    /// The tunables this client was made with.
    pub fn options(&self) -> &ZoomClientOptions {
        &self.options
    }

    /// The account the credentials belong to (what `me` stands for).
    pub fn account_id(&self) -> &str {
        &self.core.vendor.account_id
    }

    /// Sends a request and returns its JSON body (`None` for an empty answer such as 204).
    pub async fn send(&self, request: &ZoomRequest) -> ProviderResult<Option<Json>> {
        self.send_reading(request, &|body| serde_json::from_slice(body))
            .await
    }

    /// [`ZoomClient::send`], with the body of a successful answer read by `read` (JSON text
    /// into what the caller keeps of it).
    pub async fn send_reading<T>(
        &self,
        request: &ZoomRequest,
        read: &(dyn Fn(&[u8]) -> serde_json::Result<T> + Sync),
    ) -> ProviderResult<Option<T>> {
        let described = request.describe();
        // Paths are built from ids in answers: they must not lead out of the API root.
        let url = self.api_root.resolve(&request.path).map_err(|why| {
            let mut e = ProviderError::new(
                ErrorKind::Transport,
                format!("{described} is not sent: {why}"),
            );
            e.request = Some(described.clone());
            e
        })?;
        self.core
            .send_reading(
                Outgoing {
                    method: request.method.clone(),
                    url,
                    query: &request.query,
                    body: request.body.as_ref(),
                    described,
                    idempotent: request.idempotent,
                    replication: None,
                    pace: request.category,
                },
                read,
            )
            .await
    }

    /// Sends a create (a POST that must not be repeated blindly): after an answer that may
    /// hide a carried-out create, `lookup` finds the object by its natural key first, and the
    /// create goes out again only when it is not there.
    pub async fn create<L, LF>(
        &self,
        request: &ZoomRequest,
        lookup: L,
    ) -> ProviderResult<Option<Json>>
    where
        L: FnMut() -> LF,
        LF: std::future::Future<Output = ProviderResult<Option<Json>>>,
    {
        http_core::create_once(&self.core.retry, || self.send(request), lookup).await
    }

    /// `GET` returning the JSON body.
    pub async fn get_json(&self, request: &ZoomRequest) -> ProviderResult<Json> {
        Ok(self.send(request).await?.unwrap_or(Json::Null))
    }

    /// Follows `next_page_token` and returns the items under `items_key` from every page.
    pub async fn get_all_pages(
        &self,
        request: &ZoomRequest,
        items_key: &str,
    ) -> ProviderResult<Vec<Json>> {
        http_core::collect_pages(
            "Zoom",
            &request.describe(),
            "a next_page_token",
            |next| {
                let mut page = request.clone();
                if let Some(token) = next {
                    page = page.query("next_page_token", &token);
                }
                async move { self.get_json(&page).await }
            },
            |body| {
                body.get("next_page_token")
                    .and_then(Json::as_str)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
            },
            |body| {
                body.get_mut(items_key)
                    .and_then(Json::as_array_mut)
                    .map(std::mem::take)
                    .unwrap_or_default()
            },
        )
        .await
    }
}

/// Whether a 429 is for a daily limit (`X-RateLimit-Type: Daily-limit`) rather than a
/// per-second one.
fn is_daily_limit(headers: &HeaderMap) -> bool {
    headers
        .get("x-ratelimit-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("daily-limit"))
}

fn tracking_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(TRACKING_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A token endpoint that cannot be reached fails every request of the provider alike, so it
/// is reported as an authentication failure (once per provider, not per resource).
fn authentication(mut error: ProviderError) -> ProviderError {
    error.message = format!("could not obtain a Zoom access token: {}", error.message);
    error.kind = ErrorKind::Authentication;
    error.hint = Some(
        "check that the zoom provider's `oauth_url` (or `cloud`) is right and reachable".into(),
    );
    error
}

/// Zoom's error body: `{"code": 300, "message": "...", "errors": [{"field", "message"}]}`.
#[derive(Deserialize, Default)]
struct ZoomErrorBody {
    #[serde(default)]
    code: Option<Json>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    errors: Vec<ZoomFieldError>,
    /// The OAuth endpoint's shape: `{"reason": "...", "error": "invalid_client"}`.
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct ZoomFieldError {
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

fn code_text(code: &Json) -> Option<String> {
    match code {
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// Turns a failed API response into an error carrying the request, status, Zoom's code and
/// the tracking id.
pub(crate) fn zoom_error(
    status: u16,
    body: &[u8],
    request: &str,
    tracking_id: Option<String>,
) -> ProviderError {
    let parsed: Option<ZoomErrorBody> = serde_json::from_slice(body).ok();
    let parsed = parsed.unwrap_or_default();
    let code = parsed.code.as_ref().and_then(code_text);
    let mut message = parsed
        .message
        .clone()
        .or(parsed.reason.clone())
        .unwrap_or_else(|| {
            let excerpt = body_excerpt(body);
            if excerpt.is_empty() {
                format!("HTTP {status}")
            } else {
                excerpt
            }
        });
    let field_errors: Vec<String> = parsed
        .errors
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e.field.as_deref().unwrap_or("?"),
                e.message.as_deref().unwrap_or("invalid")
            )
        })
        .collect();
    if !field_errors.is_empty() {
        message = format!("{message} ({})", field_errors.join("; "));
    }
    let (kind, hint) = match (status, code.as_deref()) {
        (401, _) | (_, Some("124")) => (
            ErrorKind::Authentication,
            Some("check the Server-to-Server OAuth app's credentials and that it is activated"),
        ),
        (_, Some("4700" | "4711")) | (403, _) => (
            ErrorKind::Permission,
            Some(
                "add the missing scopes to the Server-to-Server OAuth app (`zentra permissions` lists them)",
            ),
        ),
        (400, Some("200")) => (
            ErrorKind::Invalid,
            Some("this setting needs a paid Zoom account"),
        ),
        (404, _) => (ErrorKind::NotFound, None),
        (409, _) => (ErrorKind::Conflict, None),
        (429, _) => (ErrorKind::Throttled, None),
        (s, _) if s >= 500 => (ErrorKind::Transport, None),
        _ => (ErrorKind::Invalid, None),
    };
    http_core::ApiError {
        vendor: "Zoom",
        kind,
        request,
        message: &message,
        status,
        vendor_code: code.or(parsed.error),
        request_id: tracking_id,
        hint,
    }
    .build()
}

fn token_error(
    status: u16,
    body: &[u8],
    request: &str,
    tracking_id: Option<String>,
) -> ProviderError {
    let mut error = zoom_error(status, body, request, tracking_id);
    error.kind = ErrorKind::Authentication;
    error.message = format!(
        "Zoom did not issue an access token: {}",
        error
            .message
            .trim_start_matches(&format!("Zoom rejected {request}: "))
    );
    error.hint = Some(
        "check the zoom provider's account_id, client_id and client_secret \
         (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET)"
            .to_string(),
    );
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use zentra_engine::progress::Event;

    use axum::Router;
    use axum::extract::{Query, State};
    use axum::http::{HeaderMap as AxumHeaders, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::{get, post};

    #[test]
    fn validation_errors_name_fields_and_keep_the_tracking_id() {
        let body = br#"{"code":300,"message":"Validation Failed.","errors":[{"field":"in_meeting.chat","message":"Invalid field."}]}"#;
        let e = zoom_error(
            400,
            body,
            "PATCH /accounts/me/settings",
            Some("v=2.0;clid=us05;rid=WEB_abc".into()),
        );
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(e.status, Some(400));
        assert_eq!(e.vendor_code.as_deref(), Some("300"));
        assert_eq!(e.request.as_deref(), Some("PATCH /accounts/me/settings"));
        assert_eq!(e.request_id.as_deref(), Some("v=2.0;clid=us05;rid=WEB_abc"));
        assert!(e.message.contains("in_meeting.chat: Invalid field."));
        let shown = e.to_string();
        assert!(
            shown.contains("request id v=2.0;clid=us05;rid=WEB_abc"),
            "{shown}"
        );
        assert!(shown.contains("code 300"), "{shown}");
    }

    #[test]
    fn error_kinds_follow_status_and_zoom_code() {
        let kind = |status, body: &str| zoom_error(status, body.as_bytes(), "GET /x", None).kind;
        assert_eq!(
            kind(401, r#"{"code":124,"message":"Invalid access token."}"#),
            ErrorKind::Authentication
        );
        assert_eq!(
            kind(
                400,
                r#"{"code":4700,"message":"Invalid access token, does not contain scopes."}"#
            ),
            ErrorKind::Permission
        );
        assert_eq!(
            kind(404, r#"{"code":2001,"message":"Account does not exist."}"#),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(429, r#"{"code":429,"message":"slow down"}"#),
            ErrorKind::Throttled
        );
        assert_eq!(kind(502, "<html>bad gateway</html>"), ErrorKind::Transport);
        let paid = zoom_error(
            400,
            br#"{"code":200,"message":"Only available for paid accounts."}"#,
            "GET /x",
            None,
        );
        assert!(paid.hint.unwrap().contains("paid"));
    }

    #[test]
    fn credentials_debug_hides_the_secret() {
        let creds = ZoomCredentials {
            account_id: "acct".into(),
            client_id: "cid".into(),
            client_secret: SecretString::from("s3cr3t-value"),
        };
        let client = ZoomClient::new(
            creds,
            ZoomEndpoints {
                api_url: "http://127.0.0.1:1/v2".into(),
                oauth_url: "http://127.0.0.1:1".into(),
            },
            ZoomClientOptions::default(),
        )
        .unwrap();
        let shown = format!("{client:?}");
        assert!(shown.contains("cid"));
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
    }

    /// A minimal stand-in for Zoom: a token endpoint and one settings endpoint whose behaviour
    /// each test scripts.
    #[derive(Default)]
    struct Stub {
        token_requests: AtomicUsize,
        api_requests: AtomicUsize,
        expires_in: AtomicUsize,
        /// Tokens the API rejects with 401 code 124.
        revoked: Mutex<Vec<String>>,
        /// Statuses (with Retry-After) answered before the real response, one per request.
        scripted: Mutex<Vec<(u16, Option<String>)>>,
        /// Extra headers on every scripted answer.
        scripted_headers: Mutex<Vec<(&'static str, &'static str)>>,
        seen_auth: Mutex<Vec<String>>,
    }

    async fn token_endpoint(
        State(stub): State<Arc<Stub>>,
        headers: AxumHeaders,
        Query(q): Query<HashMap<String, String>>,
    ) -> Response {
        let n = stub.token_requests.fetch_add(1, Ordering::SeqCst) + 1;
        let expected = format!(
            "Basic {}",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "cid:secret")
        );
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if auth != expected
            || q.get("grant_type").map(String::as_str) != Some("account_credentials")
            || q.get("account_id").map(String::as_str) != Some("acct")
        {
            return (
                StatusCode::BAD_REQUEST,
                r#"{"reason":"Invalid client_id or client_secret","error":"invalid_client"}"#,
            )
                .into_response();
        }
        let expires = stub.expires_in.load(Ordering::SeqCst);
        axum::Json(serde_json::json!({
            "access_token": format!("tok-{n}"),
            "token_type": "bearer",
            "expires_in": expires,
            "scope": "account:read:admin",
            "api_url": "https://api.zoom.us"
        }))
        .into_response()
    }

    async fn settings_endpoint(
        State(stub): State<Arc<Stub>>,
        headers: AxumHeaders,
        Query(q): Query<HashMap<String, String>>,
    ) -> Response {
        stub.api_requests.fetch_add(1, Ordering::SeqCst);
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        stub.seen_auth.lock().unwrap().push(auth.clone());
        let token = auth.trim_start_matches("Bearer ").to_string();
        if !token.starts_with("tok-") || stub.revoked.lock().unwrap().contains(&token) {
            return (
                StatusCode::UNAUTHORIZED,
                [("x-zm-trackingid", "track-401")],
                r#"{"code":124,"message":"Invalid access token."}"#,
            )
                .into_response();
        }
        let scripted = {
            let mut s = stub.scripted.lock().unwrap();
            if s.is_empty() {
                None
            } else {
                Some(s.remove(0))
            }
        };
        if let Some((status, retry_after)) = scripted {
            let mut response = (
                StatusCode::from_u16(status).unwrap(),
                [("x-zm-trackingid", "track-err")],
                format!(r#"{{"code":{status},"message":"scripted"}}"#),
            )
                .into_response();
            if let Some(value) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", value.parse().unwrap());
            }
            for (name, value) in stub.scripted_headers.lock().unwrap().iter() {
                response.headers_mut().insert(*name, value.parse().unwrap());
            }
            return response;
        }
        let page = q.get("next_page_token").cloned().unwrap_or_default();
        let (items, next) = match page.as_str() {
            "" => (vec![1, 2], "p2"),
            "p2" => (vec![3], "p3"),
            _ => (vec![4], ""),
        };
        axum::Json(serde_json::json!({
            "in_meeting": {"chat": true},
            "items": items,
            "next_page_token": next
        }))
        .into_response()
    }

    async fn start_stub(stub: Arc<Stub>) -> String {
        let app = Router::new()
            .route("/oauth/token", post(token_endpoint))
            .route("/v2/accounts/me/settings", get(settings_endpoint))
            .with_state(stub);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{addr}")
    }

    fn fast_options() -> ZoomClientOptions {
        ZoomClientOptions {
            retry: RetryPolicy {
                max_attempts: 4,
                initial_backoff: Duration::from_millis(10),
                max_backoff: Duration::from_millis(40),
                max_retry_after: Duration::from_secs(2),
                ..RetryPolicy::default()
            },
            rate_limits: ZoomRateLimits {
                light: 1000.0,
                medium: 1000.0,
                heavy: 1000.0,
                daily_light: None,
                daily_medium: None,
                daily_heavy: None,
            },
            ..ZoomClientOptions::default()
        }
    }

    fn client(base: &str, secret: &str, options: ZoomClientOptions) -> ZoomClient {
        ZoomClient::new(
            ZoomCredentials {
                account_id: "acct".into(),
                client_id: "cid".into(),
                client_secret: SecretString::from(secret),
            },
            ZoomEndpoints {
                api_url: format!("{base}/v2"),
                oauth_url: base.to_string(),
            },
            options,
        )
        .unwrap()
    }

    fn settings() -> ZoomRequest {
        ZoomRequest::get("/accounts/me/settings")
    }

    #[tokio::test]
    async fn token_is_fetched_once_and_reused() {
        let stub = Arc::new(Stub::default());
        stub.expires_in.store(3600, Ordering::SeqCst);
        let base = start_stub(stub.clone()).await;
        let zoom = Arc::new(client(&base, "secret", fast_options()));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let zoom = zoom.clone();
            tasks.push(tokio::spawn(
                async move { zoom.get_json(&settings()).await },
            ));
        }
        for task in tasks {
            let body = task.await.unwrap().unwrap();
            assert_eq!(body["in_meeting"]["chat"], true);
        }
        assert_eq!(stub.token_requests.load(Ordering::SeqCst), 1);
        assert_eq!(stub.api_requests.load(Ordering::SeqCst), 8);
        assert!(
            stub.seen_auth
                .lock()
                .unwrap()
                .iter()
                .all(|a| a == "Bearer tok-1")
        );
    }

    #[tokio::test]
    async fn token_is_renewed_before_it_expires() {
        let stub = Arc::new(Stub::default());
        // A token valid for 1 s is renewed halfway, so each request 0.6 s apart needs a new one.
        stub.expires_in.store(1, Ordering::SeqCst);
        let base = start_stub(stub.clone()).await;
        let zoom = client(&base, "secret", fast_options());
        zoom.get_json(&settings()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(600)).await;
        zoom.get_json(&settings()).await.unwrap();
        assert_eq!(stub.token_requests.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_rejected_token_is_renewed_once() {
        let stub = Arc::new(Stub::default());
        stub.expires_in.store(3600, Ordering::SeqCst);
        stub.revoked.lock().unwrap().push("tok-1".into());
        let base = start_stub(stub.clone()).await;
        let zoom = client(&base, "secret", fast_options());
        let body = zoom.get_json(&settings()).await.unwrap();
        assert_eq!(body["in_meeting"]["chat"], true);
        assert_eq!(stub.token_requests.load(Ordering::SeqCst), 2);
        // Both tokens rejected: the second 401 is reported, not retried forever.
        stub.revoked.lock().unwrap().push("tok-2".into());
        stub.revoked.lock().unwrap().push("tok-3".into());
        let err = zoom.get_json(&settings()).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Authentication);
        assert_eq!(err.vendor_code.as_deref(), Some("124"));
        assert_eq!(err.request_id.as_deref(), Some("track-401"));
        assert_eq!(stub.token_requests.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn wrong_credentials_fail_without_showing_the_secret() {
        let stub = Arc::new(Stub::default());
        let base = start_stub(stub.clone()).await;
        let zoom = client(&base, "wrong-secret-value", fast_options());
        let err = zoom.get_json(&settings()).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Authentication);
        assert_eq!(err.vendor_code.as_deref(), Some("invalid_client"));
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("wrong-secret-value"), "{shown}");
        assert!(
            shown.contains("Invalid client_id or client_secret"),
            "{shown}"
        );
        assert_eq!(stub.api_requests.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn throttling_honours_a_retry_after_date() {
        let stub = Arc::new(Stub::default());
        stub.expires_in.store(3600, Ordering::SeqCst);
        let until = chrono::Utc::now() + chrono::Duration::milliseconds(400);
        stub.scripted.lock().unwrap().push((
            429,
            Some(until.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        ));
        let base = start_stub(stub.clone()).await;
        let recorded = Arc::new(zentra_engine::progress::RecordedEvents::default());
        let zoom =
            client(&base, "secret", fast_options()).with_progress(Progress::new(recorded.clone()));
        zoom.get_json(&settings()).await.unwrap();
        // Measured against the date itself (written to the millisecond), not from a start
        // taken after the stub came up, which a busy machine can delay past part of the wait.
        let done = chrono::Utc::now();
        assert!(
            done >= until - chrono::Duration::milliseconds(1),
            "retried at {done}, before the Retry-After date {until}"
        );
        assert_eq!(stub.api_requests.load(Ordering::SeqCst), 2);
        // The wait is told, not printed: what for, whose budget, how long.
        let events = recorded.events();
        assert_eq!(events.len(), 1, "{events:?}");
        let Event::Waiting { wait, reason } = &events[0] else {
            panic!("{events:?}")
        };
        assert!(*wait <= Duration::from_millis(400), "{wait:?}");
        assert_eq!(
            *reason,
            WaitReason::RateLimit {
                service: "Zoom",
                category: Some("Medium".into()),
                scope: "account acct".into(),
            }
        );
    }

    #[tokio::test]
    async fn throttling_without_retry_after_backs_off_and_gives_up() {
        let stub = Arc::new(Stub::default());
        stub.expires_in.store(3600, Ordering::SeqCst);
        stub.scripted
            .lock()
            .unwrap()
            .extend([(429, None), (503, None)]);
        let base = start_stub(stub.clone()).await;
        let zoom = client(&base, "secret", fast_options());
        zoom.get_json(&settings()).await.unwrap();
        assert_eq!(stub.api_requests.load(Ordering::SeqCst), 3);

        stub.scripted.lock().unwrap().extend([
            (429, None),
            (429, None),
            (429, None),
            (429, None),
            (429, None),
        ]);
        let err = zoom.get_json(&settings()).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Throttled);
        assert!(
            err.message.contains("gave up after 4 attempts"),
            "{}",
            err.message
        );
        assert_eq!(err.request_id.as_deref(), Some("track-err"));
    }

    #[tokio::test]
    async fn a_far_retry_after_fails_at_once_with_a_hint() {
        let stub = Arc::new(Stub::default());
        stub.expires_in.store(3600, Ordering::SeqCst);
        stub.scripted
            .lock()
            .unwrap()
            .push((429, Some("2099-01-01T00:00:00Z".into())));
        let base = start_stub(stub.clone()).await;
        let zoom = client(&base, "secret", fast_options());
        let err = zoom.get_json(&settings()).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Throttled);
        assert!(err.hint.unwrap().contains("2099-01-01T00:00:00Z"));
        assert_eq!(stub.api_requests.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn server_errors_are_not_retried_for_unsafe_requests() {
        let stub = Arc::new(Stub::default());
        stub.expires_in.store(3600, Ordering::SeqCst);
        stub.scripted.lock().unwrap().push((500, None));
        let base = start_stub(stub.clone()).await;
        let zoom = client(&base, "secret", fast_options());
        let mut unsafe_get = settings();
        unsafe_get.idempotent = false;
        let err = zoom.send(&unsafe_get).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Transport);
        assert_eq!(err.status, Some(500));
        assert_eq!(stub.api_requests.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_spent_daily_limit_without_retry_after_fails_at_once() {
        let stub = Arc::new(Stub::default());
        stub.expires_in.store(3600, Ordering::SeqCst);
        stub.scripted.lock().unwrap().push((429, None));
        stub.scripted_headers
            .lock()
            .unwrap()
            .push(("x-ratelimit-type", "Daily-limit"));
        let base = start_stub(stub.clone()).await;
        let zoom = client(&base, "secret", fast_options());
        let err = zoom.get_json(&settings()).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Throttled);
        assert!(err.hint.unwrap().contains("00:00 UTC"));
        assert_eq!(stub.api_requests.load(Ordering::SeqCst), 1, "no retries");
    }

    #[tokio::test]
    async fn an_unreachable_token_endpoint_is_an_authentication_failure() {
        let mut options = fast_options();
        options.retry.max_attempts = 1;
        let zoom = client("http://127.0.0.1:9", "secret", options);
        let err = zoom.get_json(&settings()).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Authentication);
        assert!(err.message.contains("could not obtain a Zoom access token"));
        assert!(err.hint.unwrap().contains("oauth_url"));
    }

    #[test]
    fn rate_categories_come_from_the_operation_index() {
        use RateCategory::*;
        let of = |m: Method, p: &str| RateCategory::of(&m, p);
        assert_eq!(of(Method::GET, "/accounts/me/settings"), Medium);
        assert_eq!(of(Method::GET, "/accounts/me/managed_domains"), Light);
        assert_eq!(of(Method::POST, "/groups"), Light);
        assert_eq!(of(Method::GET, "/groups"), Medium);
        assert_eq!(of(Method::GET, "/groups/abc"), Light);
        assert_eq!(of(Method::POST, "/groups/abc/members"), Medium);
        assert_eq!(of(Method::DELETE, "/groups/abc/members/x%40y.z"), Light);
        assert_eq!(of(Method::PUT, "/rooms/calendar/services/s/sync"), Medium);
        assert_eq!(of(Method::GET, "/nothing/like/this"), Medium);
        assert_eq!(ZoomRequest::delete("/roles/r").category, Light);
    }

    #[test]
    fn daily_budgets_run_out_and_reset_the_next_day() {
        let limits = ZoomRateLimits {
            daily_light: Some(2),
            ..ZoomRateLimits::for_tier(PlanTier::Free)
        };
        let limiter = limiter_for("daily-budget-test", limits, 1.0);
        let day = chrono::NaiveDate::from_ymd_opt(2026, 2, 7).unwrap();
        assert!(limiter.take_daily(RateCategory::Light, day).is_ok());
        assert!(limiter.take_daily(RateCategory::Light, day).is_ok());
        assert_eq!(limiter.take_daily(RateCategory::Light, day), Err(2));
        assert!(
            limiter
                .take_daily(RateCategory::Light, day.succ_opt().unwrap())
                .is_ok()
        );
        let pro = ZoomRateLimits::for_tier(PlanTier::Pro);
        assert_eq!(pro.per_day(RateCategory::Medium), None);
        assert_eq!(pro.per_day(RateCategory::Heavy), Some(30_000));
        assert_eq!(PlanTier::parse(" Business "), Some(PlanTier::Business));
        assert_eq!(PlanTier::parse("enterprise"), None);
    }

    #[tokio::test]
    async fn pages_are_followed_until_the_token_is_empty() {
        let stub = Arc::new(Stub::default());
        stub.expires_in.store(3600, Ordering::SeqCst);
        let base = start_stub(stub.clone()).await;
        let zoom = client(&base, "secret", fast_options());
        let items = zoom.get_all_pages(&settings(), "items").await.unwrap();
        assert_eq!(
            items,
            vec![Json::from(1), Json::from(2), Json::from(3), Json::from(4)]
        );
        assert_eq!(stub.api_requests.load(Ordering::SeqCst), 3);
    }
}
