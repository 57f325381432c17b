//! The Microsoft Graph v1.0 client: tokens through the `oauth2` crate's client credentials grant
//! (with a secret or a client assertion, see [`super::entra_auth`]) or from the Azure CLI
//! (cached, single-flight), retries for throttling and transient failures, `@odata.nextLink`
//! paging, JSON `$batch` reads, waiting out directory replication lag after creates, and
//! Graph's error bodies turned into [`ProviderError`]s.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use super::entra_auth::{
    Credential, JWT_BEARER, azure_cli_token, github_actions_token, read_token_file,
};
use super::http_core::{
    self, HttpCore, IssuedToken, Outgoing, ReplicationWait, TokenFailure, TokenSource,
    VendorPolicy, give_up,
};
use super::pacing::{Bucket, BudgetPacer};
use super::url_policy::ApiRoot;
use super::{RetryAfter, RetryPolicy, Timeouts, body_excerpt, parse_retry_after};
use zentra_engine::progress::{Event, Progress, WaitReason, short_id};
use zentra_engine::provider::{ErrorKind, ProviderError, ProviderResult};

/// Default Graph host; the client adds `/v1.0`.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com";
/// Default Entra ID authority host.
pub const DEFAULT_LOGIN_URL: &str = "https://login.microsoftonline.com";
/// Graph accepts at most this many requests in one `$batch`.
pub const MAX_BATCH: usize = 20;

/// A tenant's size as Graph's identity and access limits count it: under 50 users, up to
/// 500, or more.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TenantSize {
    #[default]
    Small,
    Medium,
    Large,
}

impl TenantSize {
    /// The names the provider attribute `tenant_size` accepts.
    pub const NAMES: [&'static str; 3] = ["small", "medium", "large"];

    pub fn parse(name: &str) -> Option<TenantSize> {
        match name.trim().to_ascii_lowercase().as_str() {
            "small" => Some(TenantSize::Small),
            "medium" => Some(TenantSize::Medium),
            "large" => Some(TenantSize::Large),
            _ => None,
        }
    }
}

/// Graph's identity and access budget per application and tenant, from Microsoft's
/// "service-specific throttling limits": ResourceUnits per 10 seconds (3,500 for a small
/// tenant, 5,000 for a medium one, 8,000 for a large one) and 3,000 writes per 150 seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GraphBudget {
    pub resource_units_per_10s: f64,
    pub writes_per_150s: f64,
}

impl GraphBudget {
    pub fn for_size(size: TenantSize) -> GraphBudget {
        GraphBudget {
            resource_units_per_10s: match size {
                TenantSize::Small => 3_500.0,
                TenantSize::Medium => 5_000.0,
                TenantSize::Large => 8_000.0,
            },
            writes_per_150s: 3_000.0,
        }
    }

    fn buckets(&self) -> [Bucket; 2] {
        [
            Bucket {
                capacity: self.resource_units_per_10s,
                period: Duration::from_secs(10),
            },
            Bucket {
                capacity: self.writes_per_150s,
                period: Duration::from_secs(150),
            },
        ]
    }
}

impl Default for GraphBudget {
    fn default() -> Self {
        GraphBudget::for_size(TenantSize::default())
    }
}

/// The default of [`GraphClientOptions::rate_limit_share`]: the whole budget, adapting to
/// 429s.
pub const DEFAULT_RATE_LIMIT_SHARE: f64 = 1.0;

/// Tunables of a [`GraphClient`].
#[derive(Clone, Copy, Debug)]
pub struct GraphClientOptions {
    pub retry: RetryPolicy,
    pub timeouts: Timeouts,
    /// The application and tenant pair's budget (the provider attribute `tenant_size`).
    pub budget: GraphBudget,
    /// The share of the budget this client paces to (0.1 to 1; the provider attribute
    /// `rate_limit_share`); it slows down by itself when Graph throttles anyway.
    pub rate_limit_share: f64,
    /// How long before its expiry a token is replaced.
    pub renew_token_before: Duration,
    /// How long requests that reference a just-created object keep retrying the directory's
    /// "not there yet" answers.
    pub replication_wait: Duration,
    /// The first pause between such retries; it doubles up to 10 s.
    pub replication_backoff: Duration,
}

impl Default for GraphClientOptions {
    fn default() -> Self {
        GraphClientOptions {
            retry: RetryPolicy::default(),
            timeouts: Timeouts::default(),
            budget: GraphBudget::default(),
            rate_limit_share: DEFAULT_RATE_LIMIT_SHARE,
            renew_token_before: Duration::from_secs(300),
            replication_wait: Duration::from_secs(180),
            replication_backoff: Duration::from_secs(2),
        }
    }
}

/// Who zentra signs in as: the tenant, the app registration's client id (empty for the Azure
/// CLI) and its credential. `Debug` never shows a secret or key.
#[derive(Debug)]
pub struct GraphCredentials {
    /// Tenant id or domain; empty lets the Azure CLI use its signed-in tenant.
    pub tenant_id: String,
    pub client_id: String,
    pub credential: Credential,
}

/// Where Graph and the authority live (validated, no trailing slash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphEndpoints {
    /// Graph host without version, e.g. `https://graph.microsoft.com`.
    pub graph_url: String,
    /// Authority host, e.g. `https://login.microsoftonline.com`.
    pub login_url: String,
}

/// One request to Graph. `path` is relative to the `/v1.0` root (`/servicePrincipals?...`,
/// query already encoded), or a full `@odata.nextLink` on the same host.
#[derive(Clone, Debug)]
pub struct GraphRequest {
    method: Method,
    path: String,
    body: Option<Json>,
    idempotent: bool,
    wait_for_replication: bool,
}

impl GraphRequest {
    fn new(method: Method, path: impl Into<String>) -> Self {
        let idempotent = matches!(method, Method::GET | Method::PUT | Method::DELETE);
        GraphRequest {
            method,
            path: path.into(),
            body: None,
            idempotent,
            wait_for_replication: false,
        }
    }
    pub fn get(path: impl Into<String>) -> Self {
        GraphRequest::new(Method::GET, path)
    }
    pub fn post(path: impl Into<String>, body: Json) -> Self {
        let mut r = GraphRequest::new(Method::POST, path);
        r.body = Some(body);
        r
    }
    pub fn patch(path: impl Into<String>, body: Json) -> Self {
        let mut r = GraphRequest::new(Method::PATCH, path);
        r.body = Some(body);
        r
    }
    /// A replacement of the whole object (idempotent).
    pub fn put(path: impl Into<String>, body: Json) -> Self {
        let mut r = GraphRequest::new(Method::PUT, path);
        r.body = Some(body);
        r
    }
    pub fn delete(path: impl Into<String>) -> Self {
        GraphRequest::new(Method::DELETE, path)
    }
    /// Marks a request as safe to repeat after a transient failure.
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }
    /// The request references an object created moments ago: retry the directory's
    /// replication-lag answers (404 `Request_ResourceNotFound`, 400 `Request_BadRequest`)
    /// for up to [`GraphClientOptions::replication_wait`].
    pub fn wait_for_replication(mut self, wait: bool) -> Self {
        self.wait_for_replication = wait;
        self
    }
    /// What the request costs against the budget: a `$batch` the sum of its requests.
    fn cost(&self) -> GraphCost {
        if self.method == Method::POST && self.path == "/$batch" {
            let requests = self
                .body
                .as_ref()
                .and_then(|b| b.get("requests"))
                .and_then(Json::as_array);
            return requests.into_iter().flatten().fold(
                GraphCost {
                    resource_units: 0,
                    writes: 0,
                },
                |sum, inner| {
                    let method = inner
                        .get("method")
                        .and_then(Json::as_str)
                        .and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
                        .unwrap_or(Method::GET);
                    let url = inner.get("url").and_then(Json::as_str).unwrap_or("");
                    let cost = GraphCost::of(&method, url);
                    GraphCost {
                        resource_units: sum.resource_units + cost.resource_units,
                        writes: sum.writes + cost.writes,
                    }
                },
            );
        }
        GraphCost::of(&self.method, &self.path)
    }

    /// `METHOD /path`, as shown in errors (a next link without its query values).
    pub fn describe(&self) -> String {
        if self.path.starts_with('/') {
            format!("{} {}", self.method, self.path)
        } else {
            format!(
                "{} {}",
                self.method,
                super::url_policy::redact_url(&self.path)
            )
        }
    }
}

/// What a request costs against Graph's identity and access budget: ResourceUnits by method
/// and path (Microsoft's table: most cost 1, a few listings 2 or more; `$select` takes 1 off,
/// `$expand` adds 1, `$top` under 20 takes 1 off; never under 1) and one write for a POST,
/// PATCH, PUT or DELETE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GraphCost {
    pub resource_units: u32,
    pub writes: u32,
}

impl GraphCost {
    /// The cost of `method url`, `url` relative to `/v1.0` or a full next link.
    pub fn of(method: &Method, url: &str) -> GraphCost {
        let relative = match url.find("/v1.0/") {
            Some(at) if !url.starts_with('/') => &url[at + "/v1.0".len()..],
            _ => url,
        };
        let (path, query) = relative.split_once('?').unwrap_or((relative, ""));
        let options: Vec<(String, &str)> = query
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (k.replace("%24", "$"), v)
            })
            .collect();
        let (resource_units, writes) = zentra_engine::schema::data::graph_request_cost(
            method.as_str(),
            path,
            options.iter().map(|(k, v)| (k.as_str(), *v)),
        );
        GraphCost {
            resource_units,
            writes,
        }
    }
}

type PacerRegistry = std::sync::Mutex<std::collections::HashMap<String, Arc<BudgetPacer>>>;

static PACERS: std::sync::LazyLock<PacerRegistry> = std::sync::LazyLock::new(Default::default);

/// The pacer of an application and tenant pair, shared by every client of the pair in the
/// process.
fn pacer_for(tenant: &str, client_id: &str, budget: GraphBudget, share: f64) -> Arc<BudgetPacer> {
    let key = format!(
        "{}\u{0}{}\u{0}{budget:?}\u{0}{share}",
        tenant.to_ascii_lowercase(),
        client_id.to_ascii_lowercase()
    );
    let mut registry = PACERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    registry
        .entry(key)
        .or_insert_with(|| Arc::new(BudgetPacer::new(&budget.buckets(), share)))
        .clone()
}

/// Entra ID's token error body.
#[derive(Debug, Serialize, Deserialize)]
struct EntraTokenError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<i64>,
    #[serde(default)]
    trace_id: Option<String>,
    #[serde(default)]
    correlation_id: Option<String>,
}

impl fmt::Display for EntraTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error)?;
        if let Some(description) = &self.error_description {
            // Entra appends trace and correlation ids on further lines; they are reported apart.
            let first = description.lines().next().unwrap_or("").trim();
            write!(f, ": {first}")?;
        }
        Ok(())
    }
}

impl oauth2::ErrorResponse for EntraTokenError {}

type EntraClient = oauth2::Client<
    EntraTokenError,
    oauth2::basic::BasicTokenResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    oauth2::StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

/// Lets `oauth2` send its token request through zentra's reqwest 0.13 client (oauth2 5 only
/// ships an adapter for reqwest 0.12), remembering the status it got.
struct OAuthHttp<'a> {
    http: &'a reqwest::Client,
    last_status: std::sync::Mutex<Option<u16>>,
}

impl<'c> oauth2::AsyncHttpClient<'c> for OAuthHttp<'_> {
    type Error = reqwest::Error;
    type Future =
        Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request: reqwest::Request = request.try_into()?;
            let response = self.http.execute(request).await?;
            let status = response.status();
            if let Ok(mut last) = self.last_status.lock() {
                *last = Some(status.as_u16());
            }
            let mut builder = http::Response::builder().status(status);
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            // An oversized body is cut short, so it fails to parse as a token answer.
            let (body, _) = super::read_body(response).await?;
            // Status and headers came from a valid response, so building cannot fail; an
            // empty response stands in should it ever do.
            Ok(builder
                .body(body)
                .unwrap_or_else(|_| http::Response::new(Vec::new())))
        })
    }
}

/// A Microsoft Graph client for one tenant: Graph's [`VendorPolicy`] over the [`HttpCore`].
#[derive(Debug)]
pub struct GraphClient {
    core: HttpCore<GraphPolicy>,
    options: GraphClientOptions,
    api_root: ApiRoot,
    token_url: String,
}

/// Graph's rules: pacing to the application and tenant pair's budget, 429, 503 and 504
/// retried (other server errors only when idempotent), `Retry-After` seconds, `request-id`,
/// and replication lag.
#[derive(Debug)]
struct GraphPolicy {
    tenant_id: String,
    pacer: Arc<BudgetPacer>,
}

#[async_trait::async_trait]
impl VendorPolicy for GraphPolicy {
    type Pace = GraphCost;

    async fn pace(&self, cost: &GraphCost, _request: &str) -> ProviderResult<()> {
        self.pacer
            .acquire(&[f64::from(cost.resource_units), f64::from(cost.writes)])
            .await;
        Ok(())
    }

    fn throttled(&self, _cost: &GraphCost, _headers: &HeaderMap) {
        self.pacer.throttled();
    }

    fn name(&self) -> &'static str {
        "Graph"
    }

    fn request_id(&self, headers: &HeaderMap) -> Option<String> {
        header_request_id(headers)
    }

    fn error(&self, status: u16, headers: &HeaderMap, body: &[u8], request: &str) -> ProviderError {
        match serde_json::from_slice::<Json>(body) {
            Ok(json) => graph_error(status, &json, request, header_request_id(headers)),
            Err(_) => {
                let mut e = graph_error(status, &Json::Null, request, header_request_id(headers));
                let excerpt = body_excerpt(body);
                if !excerpt.is_empty() {
                    e.message = format!("{}: {excerpt}", e.message);
                }
                e
            }
        }
    }

    fn retryable(&self, status: u16, idempotent: bool) -> bool {
        matches!(status, 429 | 503 | 504) || (status >= 500 && idempotent)
    }

    fn wait_reason(&self, status: u16, _pace: &GraphCost, request: &str) -> WaitReason {
        wait_reason(&self.tenant_id, status, request)
    }

    fn is_replication_lag(&self, error: &ProviderError) -> bool {
        is_replication_lag(error)
    }
}

/// The reason of a wait after answer `status` to `request`.
fn wait_reason(tenant: &str, status: u16, request: &str) -> WaitReason {
    if status == 429 {
        WaitReason::RateLimit {
            service: "Microsoft Graph",
            category: None,
            scope: if tenant.is_empty() {
                "the signed-in tenant".to_string()
            } else {
                format!("tenant {}", short_id(tenant))
            },
        }
    } else {
        WaitReason::ServiceError {
            service: "Microsoft Graph",
            status,
            request: request.to_string(),
        }
    }
}

/// Entra ID's tokens: the client credentials grant with a secret or a client assertion
/// (certificate, federated token file, GitHub OIDC), or the Azure CLI's.
#[derive(Debug)]
struct EntraTokenSource {
    credentials: GraphCredentials,
    graph_url: String,
    token_url: String,
}

#[async_trait::async_trait]
impl TokenSource for EntraTokenSource {
    async fn fetch(&self, http: &reqwest::Client) -> Result<IssuedToken, TokenFailure> {
        let permanent = |error| TokenFailure {
            error,
            transient: false,
            retry_after: None,
        };
        if let Credential::AzureCli { executable } = &self.credentials.credential {
            let tenant = Some(self.credentials.tenant_id.as_str()).filter(|t| !t.is_empty());
            let issued = azure_cli_token(executable, &self.graph_url, tenant)
                .await
                .map_err(permanent)?;
            return Ok(IssuedToken {
                access_token: issued.access_token,
                expires_in: issued.expires_in,
            });
        }
        self.client_credentials_token(http).await
    }
}

impl EntraTokenSource {
    /// What stands in for a client secret in one token request: a fresh client assertion
    /// (Entra ID accepts an assertion once).
    async fn client_assertion(
        &self,
        http: &reqwest::Client,
    ) -> ProviderResult<Option<SecretString>> {
        match &self.credentials.credential {
            Credential::ClientSecret(_) | Credential::AzureCli { .. } => Ok(None),
            Credential::Certificate(certificate) => Ok(Some(SecretString::from(
                certificate.assertion(&self.credentials.client_id, &self.token_url)?,
            ))),
            Credential::TokenFile(path) => read_token_file(path).map(Some),
            Credential::GithubActions {
                request_url,
                request_token,
                audience,
            } => github_actions_token(http, request_url, request_token, audience)
                .await
                .map(Some),
        }
    }

    /// One client credentials grant, with the secret or a client assertion.
    async fn client_credentials_token(
        &self,
        http: &reqwest::Client,
    ) -> Result<IssuedToken, TokenFailure> {
        use oauth2::TokenResponse;

        let permanent = |error| TokenFailure {
            error,
            transient: false,
            retry_after: None,
        };
        let described = format!(
            "POST /{}/oauth2/v2.0/token",
            super::encode_segment(&self.credentials.tenant_id)
        );
        let token_url = oauth2::TokenUrl::new(self.token_url.clone()).map_err(|e| {
            permanent(ProviderError::new(
                ErrorKind::Configuration,
                format!("the Entra ID token URL is not valid: {e}"),
            ))
        })?;
        // Secrets, keys and tokens leave their wrappers only for the request built here.
        let mut oauth: EntraClient =
            oauth2::Client::new(oauth2::ClientId::new(self.credentials.client_id.clone()))
                .set_auth_type(oauth2::AuthType::RequestBody)
                .set_token_uri(token_url);
        if let Credential::ClientSecret(secret) = &self.credentials.credential {
            oauth = oauth.set_client_secret(oauth2::ClientSecret::new(
                secret.expose_secret().to_string(),
            ));
        }
        let assertion = self.client_assertion(http).await.map_err(permanent)?;
        let adapter = OAuthHttp {
            http,
            last_status: std::sync::Mutex::new(None),
        };
        let mut request = oauth
            .exchange_client_credentials()
            .add_scope(oauth2::Scope::new(format!("{}/.default", self.graph_url)));
        if let Some(assertion) = &assertion {
            request = request
                .add_extra_param("client_assertion_type", JWT_BEARER)
                .add_extra_param("client_assertion", assertion.expose_secret().to_string());
        }
        let result = request.request_async(&adapter).await;
        let status = adapter.last_status.lock().ok().and_then(|s| *s);
        let transient = matches!(status, Some(429) | Some(500..=599))
            || matches!(result, Err(oauth2::RequestTokenError::Request(_)));
        match result {
            Ok(token) => Ok(IssuedToken {
                access_token: SecretString::from(token.access_token().secret().clone()),
                expires_in: token.expires_in().unwrap_or(Duration::from_secs(3599)),
            }),
            Err(e) => Err(TokenFailure {
                error: entra_token_error(
                    e,
                    &described,
                    status,
                    self.credentials.credential.method(),
                ),
                transient,
                retry_after: None,
            }),
        }
    }
}

impl GraphClient {
    /// Makes no network call; the first request fetches a token.
    pub fn new(
        credentials: GraphCredentials,
        endpoints: GraphEndpoints,
        options: GraphClientOptions,
    ) -> ProviderResult<Self> {
        let api_root = ApiRoot::new(&format!("{}/v1.0", endpoints.graph_url))
            .map_err(|why| ProviderError::new(ErrorKind::Configuration, why))?;
        let token_url = format!(
            "{}/{}/oauth2/v2.0/token",
            endpoints.login_url,
            super::encode_segment(&credentials.tenant_id)
        );
        let policy = GraphPolicy {
            tenant_id: credentials.tenant_id.clone(),
            pacer: pacer_for(
                &credentials.tenant_id,
                &credentials.client_id,
                options.budget,
                options.rate_limit_share,
            ),
        };
        let source = EntraTokenSource {
            credentials,
            graph_url: endpoints.graph_url,
            token_url: token_url.clone(),
        };
        Ok(GraphClient {
            core: HttpCore::new(
                policy,
                Box::new(source),
                options.retry,
                options.timeouts,
                options.renew_token_before,
            )?,
            options,
            api_root,
            token_url,
        })
    }

    /// The same client, telling `progress` when it waits before trying a request again.
    pub fn with_progress(mut self, progress: Progress) -> Self {
        self.core.progress = progress;
        self
    }

    /// `{graph_url}/v1.0`.
    pub fn api_root(&self) -> String {
        self.api_root.as_str().trim_end_matches('/').to_string()
    }

    /// The token endpoint, `{login_url}/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self) -> String {
        self.token_url.clone()
    }

    /// The URL of a request: a path under `/v1.0`, or a next link that must stay there (same
    /// origin, under `/v1.0` once dot segments are resolved): the bearer token goes with it.
    fn resolve_url(&self, path: &str) -> ProviderResult<url::Url> {
        self.api_root.resolve(path).map_err(|why| {
            ProviderError::new(
                ErrorKind::Transport,
                format!("Graph's link {why}: not following it"),
            )
        })
    }

    /// Sends a request and returns its JSON body (`None` for an empty answer such as 204).
    pub async fn send(&self, request: &GraphRequest) -> ProviderResult<Option<Json>> {
        let described = request.describe();
        let url = self.resolve_url(&request.path).map_err(|mut e| {
            e.request = Some(described.clone());
            e
        })?;
        let replication = request.wait_for_replication.then_some(ReplicationWait {
            total: self.options.replication_wait,
            first_pause: self.options.replication_backoff,
        });
        self.core
            .send(Outgoing {
                method: request.method.clone(),
                url,
                query: &[],
                body: request.body.as_ref(),
                described,
                idempotent: request.idempotent,
                replication,
                pace: request.cost(),
            })
            .await
    }

    /// Sends a create (a POST that must not be repeated blindly): after an answer that may
    /// hide a carried-out create, `lookup` finds the object by its natural key first, and the
    /// create goes out again only when it is not there.
    pub async fn create<L, LF>(
        &self,
        request: &GraphRequest,
        lookup: L,
    ) -> ProviderResult<Option<Json>>
    where
        L: FnMut() -> LF,
        LF: std::future::Future<Output = ProviderResult<Option<Json>>>,
    {
        http_core::create_once(&self.core.retry, || self.send(request), lookup).await
    }

    /// `GET` returning the JSON body.
    pub async fn get(&self, path: &str) -> ProviderResult<Json> {
        Ok(self
            .send(&GraphRequest::get(path))
            .await?
            .unwrap_or(Json::Null))
    }

    /// `GET` of a collection, following `@odata.nextLink`; returns every item.
    pub async fn get_collection(&self, path: &str) -> ProviderResult<Vec<Json>> {
        let first = self.get(path).await?;
        let merged = self
            .follow_next_links(first, &GraphRequest::get(path).describe())
            .await?;
        Ok(merged
            .get("value")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default())
    }

    /// Appends every further page's `value` to a collection body's `value`; `request` (the
    /// first page's) names the collection in errors. Bounded: a link that comes back, or
    /// pages without end, fail the request.
    async fn follow_next_links(&self, mut body: Json, request: &str) -> ProviderResult<Json> {
        let Some(first_link) = take_next_link(&mut body) else {
            return Ok(body);
        };
        let take_values = |page: &mut Json| {
            page.get_mut("value")
                .and_then(Json::as_array_mut)
                .map(std::mem::take)
                .unwrap_or_default()
        };
        let mut first = Some(json!({
            "value": take_values(&mut body),
            "@odata.nextLink": first_link,
        }));
        let items = http_core::collect_pages(
            "Graph",
            request,
            "an @odata.nextLink",
            |next| {
                let first = first.take();
                async move {
                    match (next, first) {
                        (None, Some(first)) => Ok(first),
                        (None, None) => Ok(Json::Null),
                        (Some(link), _) => {
                            self.resolve_url(&link).map_err(|mut e| {
                                e.request = Some(request.to_string());
                                e
                            })?;
                            self.get(&link).await
                        }
                    }
                }
            },
            take_next_link,
            take_values,
        )
        .await?;
        if let Some(values) = body.get_mut("value") {
            *values = Json::Array(items);
        }
        Ok(body)
    }

    /// Reads several resources at once: `urls` are relative to `/v1.0` (`/servicePrincipals?…`)
    /// and go out as JSON `$batch` requests of at most 20; each answer (collections with all
    /// their pages) or error comes back in the order of `urls`. Throttled or unavailable inner
    /// requests are retried in a later batch.
    pub async fn batch_get(&self, urls: Vec<String>) -> Vec<ProviderResult<Json>> {
        if urls.len() == 1 {
            let result = match self.get(&urls[0]).await {
                Ok(body) => {
                    self.follow_next_links(body, &GraphRequest::get(&urls[0]).describe())
                        .await
                }
                Err(e) => Err(e),
            };
            return vec![result];
        }
        let chunks: Vec<Vec<(usize, String)>> = urls
            .into_iter()
            .enumerate()
            .collect::<Vec<_>>()
            .chunks(MAX_BATCH)
            .map(<[_]>::to_vec)
            .collect();
        let answered =
            futures::future::join_all(chunks.into_iter().map(|c| self.batch_chunk(c))).await;
        let mut results: Vec<(usize, ProviderResult<Json>)> =
            answered.into_iter().flatten().collect();
        results.sort_by_key(|(index, _)| *index);
        results.into_iter().map(|(_, result)| result).collect()
    }

    async fn batch_chunk(&self, chunk: Vec<(usize, String)>) -> Vec<(usize, ProviderResult<Json>)> {
        let policy = self.core.retry;
        let mut done: Vec<(usize, ProviderResult<Json>)> = Vec::new();
        let mut pending = chunk;
        let mut attempt = 0u32;
        while !pending.is_empty() {
            attempt += 1;
            let requests: Vec<Json> = pending
                .iter()
                .map(|(index, url)| json!({"id": index.to_string(), "method": "GET", "url": url}))
                .collect();
            let batch = GraphRequest::post("/$batch", json!({ "requests": requests })).idempotent();
            let answer = match self.send(&batch).await {
                Ok(answer) => answer.unwrap_or(Json::Null),
                Err(e) => {
                    done.extend(pending.drain(..).map(|(index, _)| (index, Err(e.clone()))));
                    break;
                }
            };
            // The answers are taken out of the batch's, not copied: a service principal
            // lookup carries every permission its application publishes.
            let mut responses: HashMap<String, Json> = HashMap::new();
            if let Json::Object(mut map) = answer
                && let Some(Json::Array(items)) = map.remove("responses")
            {
                for r in items {
                    if let Some(id) = r.get("id").and_then(Json::as_str) {
                        // The first answer of an id counts, should Graph repeat one.
                        responses.entry(id.to_string()).or_insert(r);
                    }
                }
            }
            let mut retry: Vec<(usize, String)> = Vec::new();
            let mut retry_errors: Vec<(usize, ProviderError)> = Vec::new();
            let mut wait = Duration::ZERO;
            // The answer that set the wait, for the progress event.
            let mut waited_on: Option<(u16, String)> = None;
            for (index, url) in pending.drain(..) {
                let described = format!("GET {url}");
                let Some(mut response) = responses.remove(&index.to_string()) else {
                    let mut e = ProviderError::new(
                        ErrorKind::Transport,
                        format!("Graph's $batch answer left out {described}"),
                    );
                    e.request = Some(described);
                    retry_errors.push((index, e));
                    retry.push((index, url));
                    continue;
                };
                let status = response
                    .get("status")
                    .and_then(Json::as_u64)
                    .and_then(|s| u16::try_from(s).ok())
                    .unwrap_or(0);
                let body = response
                    .get_mut("body")
                    .map(Json::take)
                    .unwrap_or(Json::Null);
                let inner_headers = response.get("headers");
                if (200..300).contains(&status) {
                    let result = self.follow_next_links(body, &described).await;
                    done.push((index, result));
                    continue;
                }
                let request_id = inner_headers.and_then(|h| json_header(h, "request-id"));
                let error = graph_error(status, &body, &described, request_id);
                if status == 429 {
                    self.core.vendor.pacer.throttled();
                }
                if matches!(status, 429 | 503 | 504) {
                    let asked = inner_headers
                        .and_then(|h| json_header(h, "retry-after"))
                        .map(|v| parse_retry_after(&v, chrono::Utc::now()));
                    let this_wait = match asked {
                        Some(RetryAfter::Wait(w)) => w,
                        _ => policy.backoff(attempt),
                    };
                    if waited_on.is_none() || this_wait > wait {
                        waited_on = Some((status, described.clone()));
                    }
                    wait = wait.max(this_wait);
                    retry_errors.push((index, error));
                    retry.push((index, url));
                } else {
                    done.push((index, Err(error)));
                }
            }
            if retry.is_empty() {
                break;
            }
            if attempt >= policy.max_attempts || wait > policy.max_retry_after {
                done.extend(
                    retry_errors
                        .into_iter()
                        .map(|(index, e)| (index, Err(give_up(e, attempt)))),
                );
                break;
            }
            if let Some((status, request)) = &waited_on {
                self.core.progress.emit(Event::Waiting {
                    wait,
                    reason: wait_reason(&self.core.vendor.tenant_id, *status, request),
                });
            }
            tokio::time::sleep(wait).await;
            pending = retry;
        }
        done
    }
}

/// What to check when Entra ID refuses a token, by sign-in method.
fn token_hint(method: &str) -> &'static str {
    match method {
        "certificate" => {
            "check the azuread provider's tenant_id and client_id, and that the certificate \
             in client_certificate_path (AZURE_CLIENT_CERTIFICATE_PATH) is registered on the \
             app registration"
        }
        "workload_identity" | "github_oidc" => {
            "check the app registration's federated identity credential: its issuer, subject \
             and audience must match the presented token exactly (case included)"
        }
        _ => {
            "check the azuread provider's tenant_id, client_id and client_secret \
             (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)"
        }
    }
}

fn entra_token_error(
    error: oauth2::RequestTokenError<reqwest::Error, EntraTokenError>,
    request: &str,
    status: Option<u16>,
    method: &str,
) -> ProviderError {
    let hint = token_hint(method);
    let mut e = match error {
        oauth2::RequestTokenError::ServerResponse(body) => {
            let mut e = ProviderError::new(
                ErrorKind::Authentication,
                format!("Entra ID did not issue an access token: {body}"),
            );
            e.vendor_code = Some(match body.error_codes.first() {
                Some(code) => format!("{} (AADSTS{code})", body.error),
                None => body.error.clone(),
            });
            e.request_id = body.correlation_id.or(body.trace_id);
            e
        }
        oauth2::RequestTokenError::Request(inner) => {
            let mut e =
                http_core::transport_error(inner, request, "Entra ID", Timeouts::default().request);
            e.message = format!("could not obtain an Entra ID access token: {}", e.message);
            e.kind = ErrorKind::Authentication;
            e
        }
        // The body of an unreadable answer is not shown: it might hold a token.
        oauth2::RequestTokenError::Parse(..) => ProviderError::new(
            ErrorKind::Authentication,
            "Entra ID's token endpoint answered with an unreadable response",
        ),
        oauth2::RequestTokenError::Other(why) => ProviderError::new(
            ErrorKind::Authentication,
            format!("Entra ID's token endpoint answered unexpectedly: {why}"),
        ),
    };
    e.request = Some(request.to_string());
    e.status = status;
    e.hint = Some(hint.to_string());
    e
}

fn take_next_link(body: &mut Json) -> Option<String> {
    body.as_object_mut()?
        .remove("@odata.nextLink")?
        .as_str()
        .map(str::to_string)
}

fn header_request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A header from a `$batch` inner response (`{"Retry-After": "10"}`), matched without case.
fn json_header(headers: &Json, name: &str) -> Option<String> {
    headers.as_object()?.iter().find_map(|(k, v)| {
        if !k.eq_ignore_ascii_case(name) {
            return None;
        }
        match v {
            Json::String(s) => Some(s.clone()),
            Json::Number(n) => Some(n.to_string()),
            _ => None,
        }
    })
}

/// Finds `request-id` in `innerError`, which may nest.
fn inner_request_id(error: &Json) -> Option<String> {
    let mut inner = error.get("innerError").or_else(|| error.get("innererror"));
    for _ in 0..8 {
        let current = inner?;
        if let Some(id) = current.get("request-id").and_then(Json::as_str) {
            return Some(id.to_string());
        }
        inner = current
            .get("innerError")
            .or_else(|| current.get("innererror"));
    }
    None
}

/// Turns a failed Graph response into an error. Decisions are made on `error.code` and the
/// status, never on the message text.
pub(crate) fn graph_error(
    status: u16,
    body: &Json,
    request: &str,
    header_request_id: Option<String>,
) -> ProviderError {
    let error = body.get("error").cloned().unwrap_or(Json::Null);
    let code = error
        .get("code")
        .and_then(Json::as_str)
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    let message = error
        .get("message")
        .and_then(Json::as_str)
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {status}"));
    let (kind, hint) = match (status, code.as_deref()) {
        (_, Some("Request_MultipleObjectsWithSameKeyValue")) | (409, _) => {
            (ErrorKind::Conflict, None)
        }
        (_, Some("Request_ResourceNotFound")) | (404, _) => (ErrorKind::NotFound, None),
        (401, _) => (
            ErrorKind::Authentication,
            Some("check the app registration's credentials and tenant"),
        ),
        (_, Some("Authorization_RequestDenied")) | (403, _) => (
            ErrorKind::Permission,
            Some(
                "grant the app registration the Graph application permissions zentra needs (`zentra permissions` lists them) and admin-consent them",
            ),
        ),
        (429, _) => (ErrorKind::Throttled, None),
        (s, _) if s >= 500 => (ErrorKind::Transport, None),
        _ => (ErrorKind::Invalid, None),
    };
    http_core::ApiError {
        vendor: "Graph",
        kind,
        request,
        message: &message,
        status,
        vendor_code: code,
        request_id: header_request_id.or_else(|| inner_request_id(&error)),
        hint,
    }
    .build()
}

/// The directory's answers while a just-created object has not replicated yet.
pub fn is_replication_lag(error: &ProviderError) -> bool {
    matches!(
        (error.status, error.vendor_code.as_deref()),
        (Some(404), Some("Request_ResourceNotFound")) | (Some(400), Some("Request_BadRequest"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use axum::Router;
    use axum::extract::{Path, Query, State};
    use axum::http::{HeaderMap as AxumHeaders, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::{get, post};

    #[test]
    fn errors_carry_code_and_request_id_from_the_body() {
        let body = json!({"error": {"code": "Request_ResourceNotFound", "message": "Resource 'x' does not exist.",
            "innerError": {"date": "2026-01-01T00:00:00", "request-id": "rid-1", "client-request-id": "c-1"}}});
        let e = graph_error(404, &body, "GET /servicePrincipals/x", None);
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert_eq!(e.vendor_code.as_deref(), Some("Request_ResourceNotFound"));
        assert_eq!(e.request_id.as_deref(), Some("rid-1"));
        assert_eq!(e.status, Some(404));
        assert!(is_replication_lag(&e));
        // The header wins over the body.
        let e = graph_error(404, &body, "GET /x", Some("rid-header".into()));
        assert_eq!(e.request_id.as_deref(), Some("rid-header"));
    }

    #[test]
    fn error_kinds_follow_code_and_status_not_message() {
        let with = |status, code: &str, message: &str| {
            graph_error(
                status,
                &json!({"error": {"code": code, "message": message}}),
                "POST /x",
                None,
            )
        };
        assert_eq!(
            with(400, "Request_MultipleObjectsWithSameKeyValue", "whatever").kind,
            ErrorKind::Conflict
        );
        assert_eq!(
            with(403, "Authorization_RequestDenied", "not found").kind,
            ErrorKind::Permission
        );
        assert_eq!(
            with(
                400,
                "Request_BadRequest",
                "Permission entry already exists."
            )
            .kind,
            ErrorKind::Invalid
        );
        assert_eq!(
            with(503, "serviceNotAvailable", "").kind,
            ErrorKind::Transport
        );
        let nested =
            json!({"error": {"code": "x", "innerError": {"innerError": {"request-id": "deep"}}}});
        assert_eq!(
            graph_error(400, &nested, "GET /x", None)
                .request_id
                .as_deref(),
            Some("deep")
        );
        assert!(!is_replication_lag(&with(
            400,
            "Request_UnsupportedQuery",
            ""
        )));
    }

    #[test]
    fn entra_token_errors_show_the_first_line_and_correlation_id() {
        let body: EntraTokenError = serde_json::from_value(json!({
            "error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: t\r\nCorrelation ID: c",
            "error_codes": [7000215], "trace_id": "t", "correlation_id": "corr-1"
        })).unwrap();
        let e = entra_token_error(
            oauth2::RequestTokenError::ServerResponse(body),
            "POST /t/oauth2/v2.0/token",
            Some(401),
            "client_secret",
        );
        assert_eq!(e.kind, ErrorKind::Authentication);
        assert_eq!(
            e.vendor_code.as_deref(),
            Some("invalid_client (AADSTS7000215)")
        );
        assert_eq!(e.request_id.as_deref(), Some("corr-1"));
        assert!(
            e.message.ends_with("Invalid client secret provided."),
            "{}",
            e.message
        );
    }

    #[derive(Default)]
    struct Stub {
        token_requests: AtomicUsize,
        batch_sizes: Mutex<Vec<usize>>,
        plain_gets: AtomicUsize,
        /// Inner URLs that answer 429 the first time they are seen in a batch.
        throttle_once: Mutex<Vec<String>>,
        /// Grant creates answered with 400 Request_BadRequest before succeeding.
        lagging_creates: AtomicUsize,
        creates: AtomicUsize,
        /// Tokens rejected with 401.
        revoked: Mutex<Vec<String>>,
        seen_form: Mutex<Vec<HashMap<String, String>>>,
    }

    async fn token(
        State(stub): State<Arc<Stub>>,
        Path(tenant): Path<String>,
        axum::Form(form): axum::Form<HashMap<String, String>>,
    ) -> Response {
        let n = stub.token_requests.fetch_add(1, Ordering::SeqCst) + 1;
        stub.seen_form.lock().unwrap().push(form.clone());
        if tenant != "tenant-1" || form.get("client_secret").map(String::as_str) != Some("secret") {
            return (
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided.",
                    "error_codes": [7000215], "correlation_id": "corr-x"})),
            )
                .into_response();
        }
        axum::Json(
            json!({"token_type": "Bearer", "expires_in": 3599, "access_token": format!("gt-{n}")}),
        )
        .into_response()
    }

    fn authorized(stub: &Stub, headers: &AxumHeaders) -> bool {
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let token = auth.trim_start_matches("Bearer ");
        token.starts_with("gt-") && !stub.revoked.lock().unwrap().iter().any(|t| t == token)
    }

    fn unauthorized() -> Response {
        (
            StatusCode::UNAUTHORIZED,
            [("request-id", "rid-401")],
            axum::Json(json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired."}})),
        )
            .into_response()
    }

    /// `/servicePrincipals?$filter=appId eq 'N'` answers one item; `$filter=appId eq 'paged'`
    /// answers three pages; `$skiptoken=K` is page K.
    fn service_principals(base: &str, q: &HashMap<String, String>) -> (u16, Json) {
        if let Some(skip) = q.get("$skiptoken") {
            let k: usize = skip.parse().unwrap_or(99);
            let mut page = json!({"value": [{"id": format!("page-{k}")}]});
            if k < 3 {
                page["@odata.nextLink"] = json!(format!(
                    "{base}/v1.0/servicePrincipals?$skiptoken={}",
                    k + 1
                ));
            }
            return (200, page);
        }
        let filter = q.get("$filter").cloned().unwrap_or_default();
        let app = filter
            .trim_start_matches("appId eq '")
            .trim_end_matches('\'')
            .to_string();
        if app == "paged" {
            return (
                200,
                json!({"value": [{"id": "page-1"}],
                "@odata.nextLink": format!("{base}/v1.0/servicePrincipals?$skiptoken=2")}),
            );
        }
        if app == "missing" {
            return (
                404,
                json!({"error": {"code": "Request_ResourceNotFound", "message": "gone",
                "innerError": {"request-id": "rid-missing"}}}),
            );
        }
        (
            200,
            json!({"value": [{"id": format!("sp-{app}"), "appId": app}]}),
        )
    }

    fn split_query(url: &str) -> HashMap<String, String> {
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
        url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    async fn start(stub: Arc<Stub>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let sp_base = base.clone();
        let batch_base = base.clone();
        let app = Router::new()
            .route("/{tenant}/oauth2/v2.0/token", post(token))
            .route(
                "/v1.0/servicePrincipals",
                get(move |State(stub): State<Arc<Stub>>, headers: AxumHeaders, Query(q): Query<HashMap<String, String>>| {
                    let base = sp_base.clone();
                    async move {
                        if !authorized(&stub, &headers) {
                            return unauthorized();
                        }
                        stub.plain_gets.fetch_add(1, Ordering::SeqCst);
                        let (status, body) = service_principals(&base, &q);
                        (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response()
                    }
                }),
            )
            .route(
                "/v1.0/$batch",
                post(move |State(stub): State<Arc<Stub>>, headers: AxumHeaders, axum::Json(batch): axum::Json<Json>| {
                    let base = batch_base.clone();
                    async move {
                        if !authorized(&stub, &headers) {
                            return unauthorized();
                        }
                        let requests = batch["requests"].as_array().cloned().unwrap_or_default();
                        stub.batch_sizes.lock().unwrap().push(requests.len());
                        if requests.len() > MAX_BATCH {
                            return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": {"code": "BadRequest", "message": "too many"}}))).into_response();
                        }
                        let mut responses = Vec::new();
                        for r in requests.iter().rev() {
                            let url = r["url"].as_str().unwrap_or("").to_string();
                            let mut throttled = stub.throttle_once.lock().unwrap();
                            if let Some(pos) = throttled.iter().position(|u| *u == url) {
                                throttled.remove(pos);
                                responses.push(json!({"id": r["id"], "status": 429, "headers": {"Retry-After": "1"},
                                    "body": {"error": {"code": "TooManyRequests", "message": "slow"}}}));
                                continue;
                            }
                            let (status, body) = service_principals(&base, &split_query(&url));
                            responses.push(json!({"id": r["id"], "status": status, "body": body}));
                        }
                        axum::Json(json!({"responses": responses})).into_response()
                    }
                }),
            )
            .route(
                "/v1.0/oauth2PermissionGrants",
                post(|State(stub): State<Arc<Stub>>, headers: AxumHeaders| async move {
                    if !authorized(&stub, &headers) {
                        return unauthorized();
                    }
                    stub.creates.fetch_add(1, Ordering::SeqCst);
                    if stub.lagging_creates.load(Ordering::SeqCst) > 0 {
                        stub.lagging_creates.fetch_sub(1, Ordering::SeqCst);
                        return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": {"code": "Request_BadRequest",
                            "message": "does not exist or one of its queried reference-property objects are not present"}}))).into_response();
                    }
                    (StatusCode::CREATED, axum::Json(json!({"id": "grant-1"}))).into_response()
                }),
            )
            .with_state(stub);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        base
    }

    fn options() -> GraphClientOptions {
        GraphClientOptions {
            retry: RetryPolicy {
                max_attempts: 4,
                initial_backoff: Duration::from_millis(10),
                max_backoff: Duration::from_millis(40),
                max_retry_after: Duration::from_secs(5),
                ..RetryPolicy::default()
            },
            replication_wait: Duration::from_millis(500),
            replication_backoff: Duration::from_millis(20),
            ..GraphClientOptions::default()
        }
    }

    fn client(base: &str, secret: &str) -> GraphClient {
        GraphClient::new(
            GraphCredentials {
                tenant_id: "tenant-1".into(),
                client_id: "client-1".into(),
                credential: Credential::ClientSecret(SecretString::from(secret)),
            },
            GraphEndpoints {
                graph_url: base.to_string(),
                login_url: base.to_string(),
            },
            options(),
        )
        .unwrap()
    }

    fn sp_url(app: &str) -> String {
        format!(
            "/servicePrincipals?$filter={}",
            super::super::encode_query_value(&format!("appId eq '{app}'"))
        )
    }

    #[tokio::test]
    async fn tokens_come_from_client_credentials_in_the_body_and_are_cached() {
        let stub = Arc::new(Stub::default());
        let base = start(stub.clone()).await;
        let graph = client(&base, "secret");
        graph.get(&sp_url("a")).await.unwrap();
        graph.get(&sp_url("b")).await.unwrap();
        assert_eq!(stub.token_requests.load(Ordering::SeqCst), 1);
        let form = stub.seen_form.lock().unwrap()[0].clone();
        assert_eq!(
            form.get("grant_type").map(String::as_str),
            Some("client_credentials")
        );
        assert_eq!(form.get("client_id").map(String::as_str), Some("client-1"));
        assert_eq!(form.get("scope"), Some(&format!("{base}/.default")));
    }

    #[tokio::test]
    async fn a_rejected_token_is_renewed_once() {
        let stub = Arc::new(Stub::default());
        stub.revoked.lock().unwrap().push("gt-1".into());
        let base = start(stub.clone()).await;
        let graph = client(&base, "secret");
        let body = graph.get(&sp_url("a")).await.unwrap();
        assert_eq!(body["value"][0]["id"], "sp-a");
        assert_eq!(stub.token_requests.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn wrong_secret_is_an_authentication_error_without_the_secret() {
        let stub = Arc::new(Stub::default());
        let base = start(stub.clone()).await;
        let graph = client(&base, "very-wrong-secret");
        let err = graph.get(&sp_url("a")).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Authentication);
        assert_eq!(err.request_id.as_deref(), Some("corr-x"));
        assert_eq!(err.status, Some(401));
        let shown = format!("{err} {err:?} {graph:?}");
        assert!(!shown.contains("very-wrong-secret"), "{shown}");
        assert_eq!(stub.token_requests.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn collections_follow_next_links() {
        let stub = Arc::new(Stub::default());
        let base = start(stub.clone()).await;
        let graph = client(&base, "secret");
        let items = graph.get_collection(&sp_url("paged")).await.unwrap();
        let ids: Vec<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
        assert_eq!(ids, ["page-1", "page-2", "page-3"]);
    }

    #[tokio::test]
    async fn next_links_to_other_hosts_are_refused() {
        let stub = Arc::new(Stub::default());
        let base = start(stub.clone()).await;
        let graph = client(&base, "secret");
        let err = graph
            .get("https://evil.example.com/v1.0/x")
            .await
            .unwrap_err();
        assert!(err.message.contains("not following"), "{}", err.message);
    }

    #[tokio::test]
    async fn batches_are_split_at_twenty_and_answers_keep_their_order() {
        let stub = Arc::new(Stub::default());
        let base = start(stub.clone()).await;
        let graph = client(&base, "secret");
        let urls: Vec<String> = (0..45).map(|i| sp_url(&i.to_string())).collect();
        let results = graph.batch_get(urls).await;
        assert_eq!(results.len(), 45);
        for (i, r) in results.iter().enumerate() {
            assert_eq!(r.as_ref().unwrap()["value"][0]["id"], format!("sp-{i}"));
        }
        let mut sizes = stub.batch_sizes.lock().unwrap().clone();
        sizes.sort_unstable();
        assert_eq!(sizes, vec![5, 20, 20]);
        assert_eq!(stub.plain_gets.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn batch_answers_carry_errors_pages_and_retried_throttling() {
        let stub = Arc::new(Stub::default());
        let base = start(stub.clone()).await;
        let graph = client(&base, "secret");
        let throttled = sp_url("slow");
        stub.throttle_once.lock().unwrap().push(throttled.clone());
        let urls = vec![sp_url("a"), sp_url("missing"), sp_url("paged"), throttled];
        let start = Instant::now();
        let results = graph.batch_get(urls).await;
        assert!(
            start.elapsed() >= Duration::from_millis(900),
            "Retry-After: 1 was not honoured"
        );
        assert_eq!(results[0].as_ref().unwrap()["value"][0]["id"], "sp-a");
        let missing = results[1].as_ref().unwrap_err();
        assert_eq!(missing.kind, ErrorKind::NotFound);
        assert_eq!(missing.request_id.as_deref(), Some("rid-missing"));
        let paged = results[2].as_ref().unwrap()["value"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(paged, 3);
        assert_eq!(results[3].as_ref().unwrap()["value"][0]["id"], "sp-slow");
        assert_eq!(*stub.batch_sizes.lock().unwrap(), vec![4, 1]);
    }

    #[tokio::test]
    async fn creates_that_reference_fresh_objects_wait_for_replication() {
        let stub = Arc::new(Stub::default());
        stub.lagging_creates.store(2, Ordering::SeqCst);
        let base = start(stub.clone()).await;
        let graph = client(&base, "secret");
        let body = json!({"clientId": "c", "consentType": "AllPrincipals", "resourceId": "r", "scope": "User.Read"});
        let created = graph
            .send(
                &GraphRequest::post("/oauth2PermissionGrants", body.clone())
                    .wait_for_replication(true),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(created["id"], "grant-1");
        assert_eq!(stub.creates.load(Ordering::SeqCst), 3);

        // Without the mark, the first lag answer is reported as is.
        stub.lagging_creates.store(1, Ordering::SeqCst);
        let err = graph
            .send(&GraphRequest::post("/oauth2PermissionGrants", body.clone()))
            .await
            .unwrap_err();
        assert_eq!(err.vendor_code.as_deref(), Some("Request_BadRequest"));

        // The wait is bounded.
        stub.lagging_creates.store(1000, Ordering::SeqCst);
        let start = Instant::now();
        let err = graph
            .send(&GraphRequest::post("/oauth2PermissionGrants", body).wait_for_replication(true))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Invalid);
        assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn costs_follow_microsofts_table_and_batches_add_up() {
        let get = |url: &str| GraphCost::of(&Method::GET, url);
        assert_eq!(
            get("/servicePrincipals?$filter=appId%20eq%20'x'").resource_units,
            1
        );
        assert_eq!(
            get("/oauth2PermissionGrants?$filter=clientId%20eq%20'x'").resource_units,
            2
        );
        assert_eq!(
            get("/oauth2PermissionGrants?%24select=id").resource_units,
            1
        );
        assert_eq!(
            get("http://127.0.0.1:1/v1.0/servicePrincipals/a/appRoleAssignments?$expand=x")
                .resource_units,
            3
        );
        assert_eq!(
            get("/users?$select=id&$top=5").resource_units,
            1,
            "never under 1"
        );
        assert_eq!(
            GraphCost::of(&Method::POST, "/servicePrincipals"),
            GraphCost {
                resource_units: 1,
                writes: 1
            }
        );
        assert_eq!(GraphCost::of(&Method::POST, "/getObjectsById").writes, 0);
        let batch = GraphRequest::post(
            "/$batch",
            json!({"requests": [
                {"id": "1", "method": "GET", "url": "/oauth2PermissionGrants"},
                {"id": "2", "method": "PATCH", "url": "/policies/authorizationPolicy"},
                {"id": "3", "method": "get", "url": "/domains"}
            ]}),
        );
        assert_eq!(
            batch.cost(),
            GraphCost {
                resource_units: 4,
                writes: 1
            }
        );
        assert_eq!(TenantSize::parse(" Large "), Some(TenantSize::Large));
        assert_eq!(
            GraphBudget::for_size(TenantSize::Medium).resource_units_per_10s,
            5_000.0
        );
    }
}
