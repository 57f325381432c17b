//! The `azuread` provider: Entra ID's consent settings (user consent, the admin consent
//! workflow), service principals, admin consent to delegated permissions and to application
//! permissions, domain federation with an external identity provider, and data sources for
//! domains, service principals and well-known application ids — through Microsoft Graph v1.0.
//!
//! A refresh wave's reads go out together as one JSON `$batch` (split at 20): service
//! principal lookups, grant and assignment lookups, policies and domains, each URL asked once
//! however many resources need it.
//!
//! # Signing in
//!
//! `auth` picks the method; when it is not set, the first that applies is used:
//!
//! 1. `client_secret` (or `AZURE_CLIENT_SECRET`): the app registration's secret;
//! 2. `client_certificate_path` (or `AZURE_CLIENT_CERTIFICATE_PATH`): a PEM file with the app
//!    registration's certificate and private key, which sign a client assertion per token;
//! 3. `federated_token_file` (or `AZURE_FEDERATED_TOKEN_FILE`): workload identity federation
//!    with a token file (Kubernetes, AKS), read afresh for every token;
//! 4. `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (a GitHub Actions job
//!    with `permissions: id-token: write`): workload identity federation with GitHub's token;
//! 5. without a `client_id`: the Azure CLI's signed-in session (`az login`), for an
//!    administrator at a laptop.
//!
//! `environment` (`public`, `usgovernment`, `china`) sets both the Graph and the sign-in host;
//! `graph_url` and `login_url` override them (an emulator, say).

mod admin_consent;
mod app_role_assignment;
mod consent;
mod data_sources;
mod discover;
mod domain_federation;
mod federation_checks;
pub mod federation_metadata;
mod grant;
mod permission_hints;
mod service_principal;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use indexmap::IndexSet;
use secrecy::SecretString;
use serde_json::Value as Json;

use crate::client::entra_auth::{ClientCertificate, Cloud, Credential};
use crate::client::graph::{
    GraphBudget, GraphClient, GraphClientOptions, GraphCredentials, GraphEndpoints, TenantSize,
};
use crate::client::validate_endpoint;
use crate::config::Setting;
use crate::names::SeenNames;
use zentra_engine::env::{Environment, vars};
use zentra_engine::provider::{
    DiscoveredObject, ErrorKind, InvalidAttribute, Provider, ProviderError, ProviderResult,
    ProviderType, ReadRequest, RemoteObject, WriteRequest,
};
use zentra_engine::schema::{Access, Attr, ResourceSchema};
use zentra_engine::value::Value;

pub use consent::{CONSENT_MODES, CUSTOM_MODE, consent_mode, with_consent_mode};
pub use grant::normalize_scopes;

const NAME: &str = "azuread";

/// The sign-in methods `auth` accepts.
pub const AUTH_METHODS: [&str; 5] = [
    "client_secret",
    "certificate",
    "workload_identity",
    "github_oidc",
    "azure_cli",
];

/// The `azuread` provider type.
#[derive(Clone, Debug, Default)]
pub struct AzureAdProviderType {
    options: GraphClientOptions,
}

impl AzureAdProviderType {
    /// A provider type whose instances use these client tunables (retries, timeouts, how long
    /// to wait out replication lag).
    pub fn with_options(options: GraphClientOptions) -> Self {
        AzureAdProviderType { options }
    }
}

fn setting<'a>(attribute: &'a str, env_var: &'a str) -> Setting<'a> {
    Setting {
        provider: NAME,
        attribute,
        env_var,
    }
}

fn config_error(message: impl Into<String>) -> ProviderError {
    ProviderError::new(ErrorKind::Configuration, message)
}

/// A tenant is a GUID or a domain name; anything else would change the token URL's path.
fn validate_tenant(tenant: &str) -> ProviderResult<()> {
    let ok = !tenant.is_empty()
        && tenant
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(config_error(format!(
            "provider \"azuread\": `tenant_id` = \"{tenant}\" is neither a tenant id (GUID) nor a domain name"
        )))
    }
}

/// A plain string setting of the block only (no environment variable).
fn block_string(config: &Value, attribute: &str) -> ProviderResult<Option<String>> {
    setting(attribute, "").optional(config, &Environment::default())
}

/// GitHub's token request URL: https, or http on loopback (a local stand-in); its query is
/// kept.
fn validate_request_url(raw: &str) -> ProviderResult<String> {
    let mut url = url::Url::parse(raw.trim()).map_err(|e| {
        config_error(format!(
            "ACTIONS_ID_TOKEN_REQUEST_URL = \"{}\" is not a URL: {e}",
            crate::client::url_policy::redact_url(raw)
        ))
    })?;
    let query = url.query().map(str::to_string);
    url.set_query(None);
    validate_endpoint(url.as_str(), "ACTIONS_ID_TOKEN_REQUEST_URL")?;
    url.set_query(query.as_deref());
    Ok(url.to_string())
}

/// Everything the block and the environment say about signing in.
struct SignIn {
    tenant_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    certificate_path: Option<String>,
    token_file: Option<String>,
    github: Option<(String, String)>,
    azure_cli: PathBuf,
}

impl SignIn {
    fn read(config: &Value, env: &Environment) -> ProviderResult<SignIn> {
        let github = match (
            env.get(vars::ACTIONS_ID_TOKEN_REQUEST_URL),
            env.get(vars::ACTIONS_ID_TOKEN_REQUEST_TOKEN),
        ) {
            (Some(url), Some(token)) => Some((url.to_string(), token.to_string())),
            _ => None,
        };
        Ok(SignIn {
            tenant_id: setting("tenant_id", vars::AZURE_TENANT_ID).optional(config, env)?,
            client_id: setting("client_id", vars::AZURE_CLIENT_ID).optional(config, env)?,
            client_secret: setting("client_secret", vars::AZURE_CLIENT_SECRET)
                .optional(config, env)?,
            certificate_path: setting(
                "client_certificate_path",
                vars::AZURE_CLIENT_CERTIFICATE_PATH,
            )
            .optional(config, env)?,
            token_file: setting("federated_token_file", vars::AZURE_FEDERATED_TOKEN_FILE)
                .optional(config, env)?,
            github,
            azure_cli: PathBuf::from(env.get(vars::ZENTRA_AZURE_CLI).unwrap_or("az")),
        })
    }

    /// The method `auth` names, or the first that applies.
    fn method(&self, explicit: Option<&str>) -> ProviderResult<&'static str> {
        if let Some(name) = explicit {
            return AUTH_METHODS
                .iter()
                .find(|m| **m == name)
                .copied()
                .ok_or_else(|| {
                    config_error(format!(
                        "provider \"azuread\": `auth` = \"{name}\" is not one of {}",
                        AUTH_METHODS.join(", ")
                    ))
                });
        }
        Ok(if self.client_secret.is_some() {
            "client_secret"
        } else if self.certificate_path.is_some() {
            "certificate"
        } else if self.token_file.is_some() {
            "workload_identity"
        } else if self.github.is_some() {
            "github_oidc"
        } else if self.client_id.is_none() {
            "azure_cli"
        } else {
            return Err(config_error(
                "provider \"azuread\": `client_secret` is not set, and no other credential \
                 either; set the client_secret (AZURE_CLIENT_SECRET), client_certificate_path \
                 (AZURE_CLIENT_CERTIFICATE_PATH) or federated_token_file \
                 (AZURE_FEDERATED_TOKEN_FILE), run in a GitHub Actions job with \
                 `permissions: id-token: write`, or use `auth = \"azure_cli\"`",
            ));
        })
    }

    fn require(value: &Option<String>, attribute: &str, env_var: &str) -> ProviderResult<String> {
        value.clone().ok_or_else(|| {
            config_error(format!(
                "provider \"azuread\": `{attribute}` is not set; set it in the provider block \
                 or in the {env_var} environment variable"
            ))
        })
    }

    fn credentials(self, method: &str, cloud: Cloud) -> ProviderResult<GraphCredentials> {
        if method == "azure_cli" {
            if let Some(tenant) = &self.tenant_id {
                validate_tenant(tenant)?;
            }
            return Ok(GraphCredentials {
                tenant_id: self.tenant_id.unwrap_or_default(),
                client_id: String::new(),
                credential: Credential::AzureCli {
                    executable: self.azure_cli,
                },
            });
        }
        let tenant_id = Self::require(&self.tenant_id, "tenant_id", vars::AZURE_TENANT_ID)?;
        validate_tenant(&tenant_id)?;
        let client_id = Self::require(&self.client_id, "client_id", vars::AZURE_CLIENT_ID)?;
        let credential = match method {
            "client_secret" => Credential::ClientSecret(SecretString::from(Self::require(
                &self.client_secret,
                "client_secret",
                vars::AZURE_CLIENT_SECRET,
            )?)),
            "certificate" => {
                let path = Self::require(
                    &self.certificate_path,
                    "client_certificate_path",
                    vars::AZURE_CLIENT_CERTIFICATE_PATH,
                )?;
                Credential::Certificate(ClientCertificate::from_pem_file(std::path::Path::new(
                    &path,
                ))?)
            }
            "workload_identity" => Credential::TokenFile(PathBuf::from(Self::require(
                &self.token_file,
                "federated_token_file",
                vars::AZURE_FEDERATED_TOKEN_FILE,
            )?)),
            _ => {
                let (url, token) = self.github.ok_or_else(|| {
                    config_error(
                        "provider \"azuread\": `auth = \"github_oidc\"` needs the \
                         ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN \
                         variables, which GitHub Actions sets in jobs with \
                         `permissions: id-token: write`",
                    )
                })?;
                Credential::GithubActions {
                    request_url: validate_request_url(&url)?,
                    request_token: SecretString::from(token),
                    audience: cloud.token_exchange_audience().to_string(),
                }
            }
        };
        Ok(GraphCredentials {
            tenant_id,
            client_id,
            credential,
        })
    }
}

impl ProviderType for AzureAdProviderType {
    fn name(&self) -> &'static str {
        NAME
    }

    fn config_schema(&self) -> Attr {
        Attr::object([
            (
                "environment",
                Attr::string()
                    .describe(
                        "The Microsoft cloud: `public` (default), `usgovernment` or `china` \
                         (env AZURE_ENVIRONMENT). Sets both the Graph and the sign-in host.",
                    )
                    .one_of(&Cloud::NAMES),
            ),
            (
                "auth",
                Attr::string()
                    .describe(
                        "How to sign in: `client_secret`, `certificate`, `workload_identity` \
                         (a federated token file), `github_oidc` (GitHub Actions) or `azure_cli` \
                         (an administrator's `az login`). Detected from what is set when \
                         omitted.",
                    )
                    .one_of(&AUTH_METHODS),
            ),
            (
                "tenant_id",
                Attr::string().describe("Directory (tenant) id or domain (env AZURE_TENANT_ID)."),
            ),
            (
                "client_id",
                Attr::string().describe(
                    "Application (client) id of zentra's app registration (env AZURE_CLIENT_ID).",
                ),
            ),
            (
                "client_secret",
                Attr::string()
                    .describe("Client secret of the app registration (env AZURE_CLIENT_SECRET).")
                    .sensitive(),
            ),
            (
                "client_certificate_path",
                Attr::string().describe(
                    "PEM file with the app registration's certificate and its unencrypted RSA \
                     private key (env AZURE_CLIENT_CERTIFICATE_PATH).",
                ),
            ),
            (
                "federated_token_file",
                Attr::string().describe(
                    "File holding a federated token for workload identity federation, read \
                     again for every token request (env AZURE_FEDERATED_TOKEN_FILE).",
                ),
            ),
            (
                "graph_url",
                Attr::string().describe(
                    "Microsoft Graph host without version (env AZURE_GRAPH_URL; default from \
                     `environment`). Set it for an emulator; http only on loopback.",
                ),
            ),
            (
                "login_url",
                Attr::string().describe(
                    "Entra ID authority host (env AZURE_AUTHORITY_HOST; default from \
                     `environment`).",
                ),
            ),
            (
                "tenant_size",
                Attr::string()
                    .describe(
                        "The tenant's size as Microsoft Graph's identity and access limits \
                         count it, which sets zentra's request budget per app and tenant: \
                         `small` (default; under 50 users: 3,500 ResourceUnits per 10 seconds), \
                         `medium` (up to 500: 5,000) or `large` (8,000); 3,000 writes per 150 \
                         seconds at every size.",
                    )
                    .one_of(&TenantSize::NAMES),
            ),
            crate::config::share_attribute(
                "Graph's budget is per app and tenant: other apps have their own.",
            ),
        ]
        .into_iter()
        .chain(crate::config::timing_attributes()))
    }

    fn resource_schemas(&self) -> Vec<ResourceSchema> {
        vec![
            consent::resource_schema(),
            service_principal::resource_schema(),
            grant::resource_schema(),
            admin_consent::resource_schema(),
            app_role_assignment::resource_schema(),
            domain_federation::resource_schema(),
            data_sources::domain_schema(),
            data_sources::service_principal_schema(),
            data_sources::well_known_schema(),
        ]
    }

    fn configure(&self, config: &Value, env: &Environment) -> ProviderResult<Box<dyn Provider>> {
        let (credentials, endpoints) = resolve(config, env)?;
        let mut options = self.options;
        if let Some(size) = block_string(config, "tenant_size")? {
            let size = TenantSize::parse(&size).ok_or_else(|| {
                ProviderError::new(
                    ErrorKind::Configuration,
                    format!(
                        "provider \"azuread\": `tenant_size` = \"{size}\" is not one of {}",
                        TenantSize::NAMES.join(", ")
                    ),
                )
            })?;
            options.budget = GraphBudget::for_size(size);
        }
        if let Some(share) = crate::config::read_share("azuread", config)? {
            options.rate_limit_share = share;
        }
        crate::config::apply_timing("azuread", config, &mut options.retry, &mut options.timeouts)?;
        let graph = GraphClient::new(credentials, endpoints, options)?
            .with_progress(env.progress().clone());
        Ok(Box::new(AzureAdProvider::new(graph, options)))
    }

    fn complete_desired(
        &self,
        type_name: &str,
        desired: Value,
    ) -> Result<Value, Vec<InvalidAttribute>> {
        match type_name {
            domain_federation::TYPE_NAME => {
                let refused = crate::name_rules::check_names(&desired, &["display_name"]);
                if !refused.is_empty() {
                    return Err(refused);
                }
                domain_federation::complete(desired)
            }
            service_principal::TYPE_NAME => service_principal::complete(desired),
            admin_consent::TYPE_NAME => admin_consent::complete(desired),
            grant::TYPE_NAME => grant::complete(desired),
            _ => Ok(desired),
        }
    }

    /// Service principals by app id, grants by (client, resource app, user), app role
    /// assignments by (principal, resource app, role), federations by domain; a policy is one
    /// per tenant. Ids and domain names are compared without regard to case, as Entra ID does.
    fn natural_key(&self, type_name: &str, desired: &Value) -> Option<String> {
        let lower = |attribute: &str| match key(desired, attribute) {
            Key::Known(value) => Some(value.to_ascii_lowercase()),
            _ => None,
        };
        match type_name {
            service_principal::TYPE_NAME => Some(format!("app_id {}", lower("app_id")?)),
            grant::TYPE_NAME => {
                let user = match key(desired, "user_object_id") {
                    Key::Known(user) => format!("user {}", user.to_ascii_lowercase()),
                    Key::Unknown => return None,
                    Key::Absent => "all users".into(),
                };
                Some(format!(
                    "client {}, resource app {}, {user}",
                    lower("service_principal_object_id")?,
                    lower("resource_app_id")?
                ))
            }
            app_role_assignment::TYPE_NAME => Some(format!(
                "principal {}, resource app {}, role {}",
                lower("principal_object_id")?,
                lower("resource_app_id")?,
                match key(desired, "app_role") {
                    Key::Known(role) => role,
                    _ => return None,
                }
            )),
            domain_federation::TYPE_NAME => Some(format!(
                "domain {}",
                lower("domain_id")?.trim_end_matches('.')
            )),
            consent::TYPE_NAME | admin_consent::TYPE_NAME => Some("of the tenant".into()),
            _ => None,
        }
    }

    /// Microsoft's own service principals (by their well-known app ids) and the federation of
    /// `onmicrosoft.com` domains; reads also recognise Microsoft's service principals by the
    /// tenant their application is registered in.
    fn vendor_owned(&self, type_name: &str, attributes: &Value) -> Option<String> {
        match type_name {
            service_principal::TYPE_NAME => match key(attributes, "app_id") {
                Key::Known(app_id) => service_principal::microsoft_app(&app_id),
                _ => None,
            },
            domain_federation::TYPE_NAME => match key(attributes, "domain_id") {
                Key::Known(domain) => domain_federation::microsoft_domain(&domain),
                _ => None,
            },
            _ => None,
        }
    }

    fn desired_warnings(
        &self,
        type_name: &str,
        written: &Value,
        completed: &Value,
    ) -> Vec<InvalidAttribute> {
        match type_name {
            domain_federation::TYPE_NAME => {
                federation_checks::warnings(written, completed, chrono::Utc::now())
            }
            _ => Vec::new(),
        }
    }
}

/// The credentials and endpoints the provider block and the environment describe.
pub(crate) fn resolve(
    config: &Value,
    env: &Environment,
) -> ProviderResult<(GraphCredentials, GraphEndpoints)> {
    let cloud_name = setting("environment", vars::AZURE_ENVIRONMENT).optional(config, env)?;
    let cloud = match cloud_name.as_deref() {
        None => Cloud::Public,
        Some(name) => Cloud::parse(name).ok_or_else(|| {
            config_error(format!(
                "provider \"azuread\": `environment` = \"{name}\" is not one of {}",
                Cloud::NAMES.join(", ")
            ))
        })?,
    };
    let sign_in = SignIn::read(config, env)?;
    let explicit = block_string(config, "auth")?;
    let method = sign_in.method(explicit.as_deref())?;
    let credentials = sign_in.credentials(method, cloud)?;
    let graph_url = setting("graph_url", vars::AZURE_GRAPH_URL)
        .optional(config, env)?
        .unwrap_or_else(|| cloud.graph_url().to_string());
    let login_url = setting("login_url", vars::AZURE_AUTHORITY_HOST)
        .optional(config, env)?
        .unwrap_or_else(|| cloud.login_url().to_string());
    let endpoints = GraphEndpoints {
        graph_url: validate_endpoint(&graph_url, "graph_url")?,
        login_url: validate_endpoint(&login_url, "login_url")?,
    };
    Ok((credentials, endpoints))
}

/// Objects this process created, by object id or app id (lower case): requests referencing
/// them wait out directory replication lag.
#[derive(Debug, Default)]
pub(crate) struct FreshObjects {
    created: std::sync::Mutex<HashMap<String, Instant>>,
    window: Duration,
}

impl FreshObjects {
    fn new(window: Duration) -> Self {
        FreshObjects {
            created: Default::default(),
            window,
        }
    }

    pub(crate) fn mark(&self, id: &str) {
        if let Ok(mut created) = self.created.lock() {
            created.insert(id.to_ascii_lowercase(), Instant::now());
        }
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.created.lock().is_ok_and(|created| {
            created
                .get(&id.to_ascii_lowercase())
                .is_some_and(|at| at.elapsed() <= self.window)
        })
    }
}

/// A configured `azuread` provider.
#[derive(Debug)]
pub struct AzureAdProvider {
    pub(crate) graph: GraphClient,
    pub(crate) options: GraphClientOptions,
    pub(crate) fresh: FreshObjects,
    /// Display names of the service principals read, by app id and by object id (lower case),
    /// for plans to show beside those ids.
    names: SeenNames,
}

/// The kinds of id whose names [`AzureAdProvider::names`] keeps.
const APP_NAMES: &str = "app";
const OBJECT_NAMES: &str = "object";
/// What a `custom` user-consent setting is made of.
const CONSENT_NAMES: &str = "consent";

/// Remembers the display name of every service principal in a Graph answer (one object or a
/// collection's `value`).
fn remember_service_principals(names: &SeenNames, answer: &Json) {
    let items = match answer.get("value").and_then(Json::as_array) {
        Some(items) => items.iter().collect(),
        None => vec![answer],
    };
    for item in items {
        let text = |field: &str| item.get(field).and_then(Json::as_str);
        if let (Some(name), Some(app_id), Some(id)) =
            (text("displayName"), text("appId"), text("id"))
        {
            names.remember(APP_NAMES, &app_id.to_ascii_lowercase(), name);
            names.remember(OBJECT_NAMES, &id.to_ascii_lowercase(), name);
        }
    }
}

impl AzureAdProvider {
    fn new(graph: GraphClient, options: GraphClientOptions) -> Self {
        AzureAdProvider {
            graph,
            options,
            // Lag can outlast one request's wait: remember creations somewhat longer.
            fresh: FreshObjects::new(options.replication_wait.saturating_mul(2)),
            names: SeenNames::default(),
        }
    }

    /// Remembers which entries make a live user-consent setting `custom`, for plans to list
    /// them beside that value.
    fn remember_custom_consent(&self, policy: &Json) {
        let assigned = consent::assigned_policies(policy);
        if consent::consent_mode(&assigned) == consent::CUSTOM_MODE {
            let entries = consent::user_consent_entries(&assigned).join(", ");
            self.names.remember(
                CONSENT_NAMES,
                consent::CUSTOM_MODE,
                &format!("policies: {entries}"),
            );
        }
    }

    /// One pass over a wave: every GET the reads need, in one `$batch`.
    async fn read_wave(&self, batch: &[ReadRequest]) -> Vec<ProviderResult<Option<RemoteObject>>> {
        let plans: Vec<ReadPlan> = batch.iter().map(|r| self.plan_read(r)).collect();
        let mut urls: IndexSet<String> = IndexSet::new();
        for plan in &plans {
            if let ReadPlan::Fetch(needed) = plan {
                urls.extend(needed.iter().cloned());
            }
        }
        let urls: Vec<String> = urls.into_iter().collect();
        let fetched = self.graph.batch_get(urls.clone()).await;
        let answers: HashMap<String, ProviderResult<Json>> =
            urls.into_iter().zip(fetched).collect();
        for answer in answers.values().flatten() {
            remember_service_principals(&self.names, answer);
        }
        batch
            .iter()
            .zip(plans)
            .map(|(req, plan)| {
                let result = match plan {
                    ReadPlan::Done(result) => result,
                    ReadPlan::Fetch(_) => self.finish_read(req, &answers),
                };
                result.map_err(|e| permission_hints::explain(&req.type_name, Access::Read, e))
            })
            .collect()
    }

    /// Whether `req` is about an object this process created (so a miss may be lag).
    fn created_recently(&self, req: &ReadRequest) -> bool {
        if req.id.as_deref().is_some_and(|id| self.fresh.contains(id)) {
            return true;
        }
        req.type_name == service_principal::TYPE_NAME
            && matches!(key(&req.config, "app_id"), Key::Known(app) if self.fresh.contains(&app))
    }

    fn plan_read(&self, req: &ReadRequest) -> ReadPlan {
        if req.mode == zentra_engine::addr::Mode::Data
            && req.type_name == data_sources::SERVICE_PRINCIPAL
        {
            return data_sources::plan_service_principal(req);
        }
        match req.type_name.as_str() {
            consent::TYPE_NAME => ReadPlan::Fetch(vec![consent::POLICY_PATH.to_string()]),
            admin_consent::TYPE_NAME => {
                ReadPlan::Fetch(vec![admin_consent::POLICY_PATH.to_string()])
            }
            service_principal::TYPE_NAME => service_principal::plan_read(req),
            grant::TYPE_NAME => grant::plan_read(req),
            app_role_assignment::TYPE_NAME => app_role_assignment::plan_read(req),
            domain_federation::TYPE_NAME => domain_federation::plan_read(req),
            data_sources::DOMAIN => data_sources::plan_domain(req),
            data_sources::WELL_KNOWN => ReadPlan::Done(Ok(Some(data_sources::well_known()))),
            other => ReadPlan::Done(Err(unknown_type(other))),
        }
    }

    fn finish_read(
        &self,
        req: &ReadRequest,
        answers: &HashMap<String, ProviderResult<Json>>,
    ) -> ProviderResult<Option<RemoteObject>> {
        if req.mode == zentra_engine::addr::Mode::Data
            && req.type_name == data_sources::SERVICE_PRINCIPAL
        {
            return data_sources::finish_service_principal(req, answers);
        }
        match req.type_name.as_str() {
            consent::TYPE_NAME => answer(answers, consent::POLICY_PATH).map(|p| {
                self.remember_custom_consent(p);
                Some(consent::remote_object(p))
            }),
            admin_consent::TYPE_NAME => answer(answers, admin_consent::POLICY_PATH)
                .map(|p| Some(admin_consent::remote_object(p))),
            service_principal::TYPE_NAME => service_principal::finish_read(req, answers),
            grant::TYPE_NAME => grant::finish_read(req, answers),
            app_role_assignment::TYPE_NAME => app_role_assignment::finish_read(req, answers),
            domain_federation::TYPE_NAME => domain_federation::finish_read(req, answers),
            data_sources::DOMAIN => data_sources::finish_domain(req, answers),
            other => Err(unknown_type(other)),
        }
    }
}

fn unknown_type(type_name: &str) -> ProviderError {
    config_error(format!(
        "the azuread provider has no resource type `{type_name}`"
    ))
}

fn read_only(type_name: &str) -> ProviderError {
    config_error(format!(
        "`{type_name}` is a data source: it is read, never written"
    ))
}

/// What one resource's read needs.
pub(crate) enum ReadPlan {
    /// Known without a request (the lookup key is still unknown, say).
    Done(ProviderResult<Option<RemoteObject>>),
    /// These GETs (relative to `/v1.0`), all of which go into the wave's `$batch`.
    Fetch(Vec<String>),
}

/// The answer fetched for `url` in this wave.
pub(crate) fn answer<'a>(
    answers: &'a HashMap<String, ProviderResult<Json>>,
    url: &str,
) -> ProviderResult<&'a Json> {
    match answers.get(url) {
        Some(Ok(json)) => Ok(json),
        Some(Err(e)) => Err(e.clone()),
        None => Err(ProviderError::new(
            ErrorKind::Transport,
            format!("no answer was fetched for GET {url}"),
        )),
    }
}

/// A configuration attribute used to locate an object.
pub(crate) enum Key {
    Known(String),
    Unknown,
    Absent,
}

pub(crate) fn key(config: &Value, attribute: &str) -> Key {
    match config.get(attribute).map(|v| v.unmark().0) {
        Some(Value::String(s)) if !s.trim().is_empty() => Key::Known(s.trim().to_string()),
        Some(Value::Unknown) => Key::Unknown,
        _ => Key::Absent,
    }
}

/// A configuration attribute that must be known at apply time.
pub(crate) fn known(config: &Value, attribute: &str, what: &str) -> ProviderResult<String> {
    match key(config, attribute) {
        Key::Known(value) => Ok(value),
        _ => Err(ProviderError::new(
            ErrorKind::Invalid,
            format!("`{attribute}` must be known when {what}"),
        )),
    }
}

/// An OData string literal: quoted, with quotes doubled.
pub(crate) fn odata_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The closest of `candidates` to `wanted`, for "did you mean".
pub(crate) fn closest<'a>(
    wanted: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .map(|c| {
            (
                strsim::jaro_winkler(&wanted.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[async_trait]
impl Provider for AzureAdProvider {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn read(&self, batch: &[ReadRequest]) -> Vec<ProviderResult<Option<RemoteObject>>> {
        let mut results = self.read_wave(batch).await;
        // Objects created moments ago may not show up yet: look again for a while.
        let mut lagging: Vec<usize> = (0..batch.len())
            .filter(|&i| matches!(results[i], Ok(None)) && self.created_recently(&batch[i]))
            .collect();
        let mut waited = Duration::ZERO;
        let mut pause = self.options.replication_backoff;
        while !lagging.is_empty() && waited + pause <= self.options.replication_wait {
            tokio::time::sleep(pause).await;
            waited += pause;
            pause = (pause * 2).min(Duration::from_secs(10));
            let again: Vec<ReadRequest> = lagging.iter().map(|&i| batch[i].clone()).collect();
            for (&i, result) in lagging.iter().zip(self.read_wave(&again).await) {
                results[i] = result;
            }
            lagging.retain(|&i| matches!(results[i], Ok(None)));
        }
        results
    }

    /// The consent policies, the service principals of interest with their grants and app
    /// role assignments, and federated domains: see [`discover`].
    async fn discover(&self, type_names: &[String]) -> ProviderResult<Vec<DiscoveredObject>> {
        self.discover_objects(type_names).await
    }

    /// A directory role's name beside its template id; a service principal's display name
    /// beside its app id or object id, when a read saw it; the policy entries a `custom` user
    /// consent setting is made of.
    fn value_label(&self, type_name: &str, path: &str, value: &str) -> Option<String> {
        let id = value.to_ascii_lowercase();
        match path {
            "reviewer_roles" if type_name == admin_consent::TYPE_NAME => {
                admin_consent::role_name(value).map(str::to_string)
            }
            "user_consent" if type_name == consent::TYPE_NAME => {
                self.names.get(CONSENT_NAMES, value)
            }
            "resource_app_id" | "app_id" => self.names.get(APP_NAMES, &id),
            "service_principal_object_id" | "principal_object_id" | "resource_object_id" => {
                self.names.get(OBJECT_NAMES, &id)
            }
            _ => None,
        }
    }

    async fn create(&self, req: &WriteRequest) -> ProviderResult<RemoteObject> {
        let result = match req.type_name.as_str() {
            consent::TYPE_NAME => consent::write(self, req).await,
            admin_consent::TYPE_NAME => admin_consent::write(self, req).await,
            service_principal::TYPE_NAME => service_principal::create(self, req).await,
            grant::TYPE_NAME => grant::create(self, req).await,
            app_role_assignment::TYPE_NAME => app_role_assignment::create(self, req).await,
            domain_federation::TYPE_NAME => domain_federation::create(self, req).await,
            data_sources::DOMAIN | data_sources::WELL_KNOWN => Err(read_only(&req.type_name)),
            other => Err(unknown_type(other)),
        };
        result.map_err(|e| permission_hints::explain(&req.type_name, Access::Write, e))
    }

    async fn update(&self, req: &WriteRequest) -> ProviderResult<RemoteObject> {
        let result = match req.type_name.as_str() {
            consent::TYPE_NAME => consent::write(self, req).await,
            admin_consent::TYPE_NAME => admin_consent::write(self, req).await,
            service_principal::TYPE_NAME => service_principal::update(self, req).await,
            grant::TYPE_NAME => grant::update(self, req).await,
            domain_federation::TYPE_NAME => domain_federation::update(self, req).await,
            // Every attribute of an app role assignment forces replacement.
            app_role_assignment::TYPE_NAME => app_role_assignment::create(self, req).await,
            data_sources::DOMAIN | data_sources::WELL_KNOWN => Err(read_only(&req.type_name)),
            other => Err(unknown_type(other)),
        };
        result.map_err(|e| permission_hints::explain(&req.type_name, Access::Write, e))
    }

    /// Policies are singletons the engine only forgets, so deleting them changes nothing.
    async fn delete(&self, req: &WriteRequest) -> ProviderResult<()> {
        let result = match req.type_name.as_str() {
            consent::TYPE_NAME | admin_consent::TYPE_NAME => Ok(()),
            service_principal::TYPE_NAME => service_principal::delete(self, req).await,
            grant::TYPE_NAME => grant::delete(self, req).await,
            app_role_assignment::TYPE_NAME => app_role_assignment::delete(self, req).await,
            domain_federation::TYPE_NAME => domain_federation::delete(self, req).await,
            data_sources::DOMAIN | data_sources::WELL_KNOWN => Ok(()),
            other => Err(unknown_type(other)),
        };
        result.map_err(|e| permission_hints::explain(&req.type_name, Access::Write, e))
    }
}

#[cfg(test)]
pub(crate) mod tests;
