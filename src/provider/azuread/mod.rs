//! The `azuread` provider: Entra ID user-consent policy, service principals and delegated
//! permission grants, through Microsoft Graph v1.0 with client-credentials authentication.
//!
//! A refresh wave's reads go out together as one JSON `$batch` (split at 20): service
//! principal lookups, grant lookups and the authorization policy, each URL asked once however
//! many resources need it.

mod consent;
mod grant;
mod service_principal;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use indexmap::IndexSet;
use serde_json::Value as Json;

use crate::client::graph::{
    DEFAULT_GRAPH_URL, DEFAULT_LOGIN_URL, GraphClient, GraphClientOptions, GraphCredentials,
    GraphEndpoints,
};
use crate::client::validate_endpoint;
use crate::env::{Environment, vars};
use crate::provider::config::Setting;
use crate::provider::{
    ErrorKind, Provider, ProviderError, ProviderResult, ProviderType, ReadRequest, RemoteObject,
    WriteRequest,
};
use crate::schema::{Attr, ResourceSchema};
use crate::value::Value;

pub use consent::{CONSENT_MODES, CUSTOM_MODE, consent_mode, with_consent_mode};
pub use grant::normalize_scopes;

const NAME: &str = "azuread";

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

/// A tenant is a GUID or a domain name; anything else would change the token URL's path.
fn validate_tenant(tenant: &str) -> ProviderResult<()> {
    let ok = !tenant.is_empty()
        && tenant
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(ProviderError::new(
            ErrorKind::Configuration,
            format!(
                "provider \"azuread\": `tenant_id` = \"{tenant}\" is neither a tenant id (GUID) nor a domain name"
            ),
        ))
    }
}

impl ProviderType for AzureAdProviderType {
    fn name(&self) -> &'static str {
        NAME
    }

    fn config_schema(&self) -> Attr {
        Attr::object([
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
                "graph_url",
                Attr::string().describe(
                    "Microsoft Graph host without version (env AZURE_GRAPH_URL; default \
                     https://graph.microsoft.com). Set it for national clouds or an emulator; \
                     http only on loopback.",
                ),
            ),
            (
                "login_url",
                Attr::string().describe(
                    "Entra ID authority host (env AZURE_AUTHORITY_HOST; default \
                     https://login.microsoftonline.com).",
                ),
            ),
        ])
    }

    fn resource_schemas(&self) -> Vec<ResourceSchema> {
        vec![
            consent::resource_schema(),
            service_principal::resource_schema(),
            grant::resource_schema(),
        ]
    }

    fn configure(&self, config: &Value, env: &Environment) -> ProviderResult<Box<dyn Provider>> {
        let tenant_id = setting("tenant_id", vars::AZURE_TENANT_ID).required(config, env)?;
        validate_tenant(&tenant_id)?;
        let client_id = setting("client_id", vars::AZURE_CLIENT_ID).required(config, env)?;
        let client_secret =
            setting("client_secret", vars::AZURE_CLIENT_SECRET).required(config, env)?;
        let graph_url = setting("graph_url", vars::AZURE_GRAPH_URL)
            .optional(config, env)?
            .unwrap_or_else(|| DEFAULT_GRAPH_URL.to_string());
        let login_url = setting("login_url", vars::AZURE_AUTHORITY_HOST)
            .optional(config, env)?
            .unwrap_or_else(|| DEFAULT_LOGIN_URL.to_string());
        let endpoints = GraphEndpoints {
            graph_url: validate_endpoint(&graph_url, "graph_url")?,
            login_url: validate_endpoint(&login_url, "login_url")?,
        };
        let graph = GraphClient::new(
            GraphCredentials {
                tenant_id,
                client_id,
                client_secret: client_secret.into(),
            },
            endpoints,
            self.options,
        )?;
        Ok(Box::new(AzureAdProvider::new(graph, self.options)))
    }
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
}

impl AzureAdProvider {
    fn new(graph: GraphClient, options: GraphClientOptions) -> Self {
        AzureAdProvider {
            graph,
            options,
            // Lag can outlast one request's wait: remember creations somewhat longer.
            fresh: FreshObjects::new(options.replication_wait * 2),
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
        batch
            .iter()
            .zip(plans)
            .map(|(req, plan)| match plan {
                ReadPlan::Done(result) => result,
                ReadPlan::Fetch(_) => self.finish_read(req, &answers),
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
        match req.type_name.as_str() {
            consent::TYPE_NAME => ReadPlan::Fetch(vec![consent::POLICY_PATH.to_string()]),
            service_principal::TYPE_NAME => service_principal::plan_read(req),
            grant::TYPE_NAME => grant::plan_read(req),
            other => ReadPlan::Done(Err(unknown_type(other))),
        }
    }

    fn finish_read(
        &self,
        req: &ReadRequest,
        answers: &HashMap<String, ProviderResult<Json>>,
    ) -> ProviderResult<Option<RemoteObject>> {
        match req.type_name.as_str() {
            consent::TYPE_NAME => {
                answer(answers, consent::POLICY_PATH).map(|p| Some(consent::remote_object(p)))
            }
            service_principal::TYPE_NAME => service_principal::finish_read(req, answers),
            grant::TYPE_NAME => grant::finish_read(req, answers),
            other => Err(unknown_type(other)),
        }
    }
}

fn unknown_type(type_name: &str) -> ProviderError {
    ProviderError::new(
        ErrorKind::Configuration,
        format!("the azuread provider has no resource type `{type_name}`"),
    )
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

/// An OData string literal: quoted, with quotes doubled.
pub(crate) fn odata_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
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

    async fn create(&self, req: &WriteRequest) -> ProviderResult<RemoteObject> {
        match req.type_name.as_str() {
            consent::TYPE_NAME => consent::write(self, req).await,
            service_principal::TYPE_NAME => service_principal::create(self, req).await,
            grant::TYPE_NAME => grant::create(self, req).await,
            other => Err(unknown_type(other)),
        }
    }

    async fn update(&self, req: &WriteRequest) -> ProviderResult<RemoteObject> {
        match req.type_name.as_str() {
            consent::TYPE_NAME => consent::write(self, req).await,
            service_principal::TYPE_NAME => service_principal::update(self, req).await,
            grant::TYPE_NAME => grant::update(self, req).await,
            other => Err(unknown_type(other)),
        }
    }

    /// The policy is a singleton the engine only forgets, so deleting it changes nothing.
    async fn delete(&self, req: &WriteRequest) -> ProviderResult<()> {
        match req.type_name.as_str() {
            consent::TYPE_NAME => Ok(()),
            service_principal::TYPE_NAME => service_principal::delete(self, req).await,
            grant::TYPE_NAME => grant::delete(self, req).await,
            other => Err(unknown_type(other)),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
