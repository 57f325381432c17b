//! The `zoom` provider: Zoom account settings and lock settings, read and written through the
//! Zoom REST API v2 with Server-to-Server OAuth credentials.

mod settings;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::client::validate_endpoint;
use crate::client::zoom::{
    DEFAULT_API_URL, DEFAULT_OAUTH_URL, ZoomClient, ZoomClientOptions, ZoomCredentials,
    ZoomEndpoints, ZoomRequest,
};
use crate::env::{Environment, vars};
use crate::plan::diff::diff_attributes;
use crate::provider::config::Setting;
use crate::provider::paths::{deep_merge, is_empty_object};
use crate::provider::{
    ErrorKind, Provider, ProviderError, ProviderResult, ProviderType, ReadRequest, RemoteObject,
    WriteRequest,
};
use crate::schema::{Attr, ResourceSchema};
use crate::value::Value;

use settings::{
    ACCOUNT_ID, OWN_ACCOUNT, SettingsKind, configured_account, configures_security,
    live_to_attributes, patch_body,
};

const NAME: &str = "zoom";

/// The `zoom` provider type.
#[derive(Clone, Debug, Default)]
pub struct ZoomProviderType {
    options: ZoomClientOptions,
}

impl ZoomProviderType {
    /// A provider type whose instances use these client tunables (retries, pacing, timeouts).
    pub fn with_options(options: ZoomClientOptions) -> Self {
        ZoomProviderType { options }
    }
}

fn setting<'a>(attribute: &'a str, env_var: &'a str) -> Setting<'a> {
    Setting {
        provider: NAME,
        attribute,
        env_var,
    }
}

impl ProviderType for ZoomProviderType {
    fn name(&self) -> &'static str {
        NAME
    }

    fn config_schema(&self) -> Attr {
        Attr::object([
            (
                "account_id",
                Attr::string().describe(
                    "Account id of the Server-to-Server OAuth app (env ZOOM_ACCOUNT_ID).",
                ),
            ),
            (
                "client_id",
                Attr::string().describe("Client id of the app (env ZOOM_CLIENT_ID)."),
            ),
            (
                "client_secret",
                Attr::string()
                    .describe("Client secret of the app (env ZOOM_CLIENT_SECRET).")
                    .sensitive(),
            ),
            (
                "api_url",
                Attr::string().describe(
                    "API base including `/v2` (env ZOOM_API_URL; default https://api.zoom.us/v2). \
                     Set it for Zoom for Government or an emulator; http only on loopback.",
                ),
            ),
            (
                "oauth_url",
                Attr::string().describe(
                    "Host of the token endpoint `/oauth/token` (env ZOOM_OAUTH_URL; default \
                     https://zoom.us).",
                ),
            ),
        ])
    }

    fn resource_schemas(&self) -> Vec<ResourceSchema> {
        SettingsKind::ALL
            .into_iter()
            .map(settings::resource_schema)
            .collect()
    }

    fn configure(&self, config: &Value, env: &Environment) -> ProviderResult<Box<dyn Provider>> {
        let account_id = setting("account_id", vars::ZOOM_ACCOUNT_ID).required(config, env)?;
        let client_id = setting("client_id", vars::ZOOM_CLIENT_ID).required(config, env)?;
        let client_secret =
            setting("client_secret", vars::ZOOM_CLIENT_SECRET).required(config, env)?;
        let api_url = setting("api_url", vars::ZOOM_API_URL)
            .optional(config, env)?
            .unwrap_or_else(|| DEFAULT_API_URL.to_string());
        let oauth_url = setting("oauth_url", vars::ZOOM_OAUTH_URL)
            .optional(config, env)?
            .unwrap_or_else(|| DEFAULT_OAUTH_URL.to_string());
        let endpoints = ZoomEndpoints {
            api_url: validate_endpoint(&api_url, "api_url")?,
            oauth_url: validate_endpoint(&oauth_url, "oauth_url")?,
        };
        let client = ZoomClient::new(
            ZoomCredentials {
                account_id,
                client_id,
                client_secret: client_secret.into(),
            },
            endpoints,
            self.options,
        )?;
        Ok(Box::new(ZoomProvider::new(client)))
    }
}

/// A configured `zoom` provider.
#[derive(Debug)]
pub struct ZoomProvider {
    client: ZoomClient,
    /// When zentra last changed each account's settings, so a read soon after can wait for
    /// the change to show.
    written: std::sync::Mutex<HashMap<(SettingsKind, String), Instant>>,
}

impl ZoomProvider {
    fn new(client: ZoomClient) -> Self {
        ZoomProvider {
            client,
            written: Default::default(),
        }
    }

    fn mark_written(&self, kind: SettingsKind, account: &str) {
        if let Ok(mut written) = self.written.lock() {
            written.insert((kind, account.to_string()), Instant::now());
        }
    }

    fn recently_written(&self, kind: SettingsKind, account: &str) -> bool {
        let window = self.client.options().settle_wait + Duration::from_secs(60);
        self.written.lock().is_ok_and(|written| {
            written
                .get(&(kind, account.to_string()))
                .is_some_and(|at| at.elapsed() <= window)
        })
    }

    /// Like [`ZoomProvider::fetch`], but right after zentra changed these settings, reads
    /// again (briefly) until they show what the configurations in `configs` ask for.
    async fn fetch_settled(
        &self,
        kind: SettingsKind,
        account: &str,
        needs_security: bool,
        configs: &[&Value],
    ) -> ProviderResult<Json> {
        let mut live = self.fetch(kind, account, needs_security).await?;
        if !self.recently_written(kind, account) {
            return Ok(live);
        }
        let deadline = Instant::now() + self.client.options().settle_wait;
        let mut pause = Duration::from_millis(200);
        loop {
            let attributes = live_to_attributes(kind, &live, account);
            let settled = configs.iter().all(|config| {
                config.contains_unknown()
                    || diff_attributes(kind.body_schema(), config, Some(&attributes), None)
                        .is_empty()
            });
            if settled || Instant::now() + pause > deadline {
                return Ok(live);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
            live = self.fetch(kind, account, needs_security).await?;
        }
    }
    /// The remote id of an account's settings: the account id, with `me` resolved to the
    /// credentials' account.
    fn remote_id(&self, account: &str) -> String {
        if account == OWN_ACCOUNT {
            self.client.account_id().to_string()
        } else {
            account.to_string()
        }
    }

    /// One GET per account and endpoint. The `security` section is asked for separately
    /// (`?option=security`) only when configuration manages it and the plain GET left it out.
    async fn fetch(
        &self,
        kind: SettingsKind,
        account: &str,
        needs_security: bool,
    ) -> ProviderResult<Json> {
        let path = kind.path(account);
        let mut live = self.client.get_json(&ZoomRequest::get(&path)).await?;
        if kind == SettingsKind::Settings && needs_security && live.get("security").is_none() {
            let answer = self
                .client
                .get_json(&ZoomRequest::get(&path).query("option", "security"))
                .await?;
            let security = answer.get("security").cloned().unwrap_or(answer);
            if let Json::Object(map) = &mut live {
                map.insert("security".into(), security);
            }
        }
        Ok(live)
    }

    async fn write(&self, req: &WriteRequest) -> ProviderResult<RemoteObject> {
        let kind = kind_of(&req.type_name)?;
        let account = configured_account(&req.config)?.ok_or_else(|| {
            ProviderError::new(
                ErrorKind::Invalid,
                format!(
                    "{}: `account_id` is still unknown at apply time",
                    kind.type_name()
                ),
            )
        })?;
        let body = patch_body(kind, &req.config, req.prior.as_ref(), &req.changed_paths)?;
        if !is_empty_object(&body) {
            let request = ZoomRequest::patch(kind.path(&account), body.clone()).idempotent();
            self.client.send(&request).await?;
            self.mark_written(kind, &account);
        }
        // PATCH answers 204 without a body: what was read, with what was written on top.
        let mut attributes = req
            .prior
            .as_ref()
            .and_then(Value::to_json)
            .unwrap_or_else(|| Json::Object(Default::default()));
        if req.prior.is_none()
            && let Some(desired) = req.config.to_json()
        {
            deep_merge(&mut attributes, &desired);
        }
        deep_merge(&mut attributes, &body);
        if let Json::Object(map) = &mut attributes {
            map.insert(ACCOUNT_ID.into(), Json::String(account.clone()));
        }
        Ok(RemoteObject {
            id: self.remote_id(&account),
            attributes: Value::from_json(&attributes),
        })
    }
}

fn kind_of(type_name: &str) -> ProviderResult<SettingsKind> {
    SettingsKind::from_type_name(type_name).ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Configuration,
            format!("the zoom provider has no resource type `{type_name}`"),
        )
    })
}

#[async_trait]
impl Provider for ZoomProvider {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn read(&self, batch: &[ReadRequest]) -> Vec<ProviderResult<Option<RemoteObject>>> {
        let mut results: Vec<Option<ProviderResult<Option<RemoteObject>>>> =
            (0..batch.len()).map(|_| None).collect();
        // (endpoint, account) -> (needs security, indices)
        let mut groups: IndexMap<(SettingsKind, String), (bool, Vec<usize>)> = IndexMap::new();
        for (index, request) in batch.iter().enumerate() {
            let kind = match kind_of(&request.type_name) {
                Ok(kind) => kind,
                Err(e) => {
                    results[index] = Some(Err(e));
                    continue;
                }
            };
            match configured_account(&request.config) {
                Ok(Some(account)) => {
                    let group = groups.entry((kind, account)).or_default();
                    group.0 |= configures_security(&request.config);
                    group.1.push(index);
                }
                Ok(None) => results[index] = Some(Ok(None)),
                Err(e) => results[index] = Some(Err(e)),
            }
        }
        let fetched = futures::future::join_all(groups.iter().map(
            |((kind, account), (security, indices))| {
                let configs: Vec<&Value> = indices.iter().map(|&i| &batch[i].config).collect();
                async move {
                    self.fetch_settled(*kind, account, *security, &configs)
                        .await
                }
            },
        ))
        .await;
        for (((kind, account), (_, indices)), live) in groups.iter().zip(fetched) {
            for &index in indices {
                results[index] = Some(live.as_ref().map_err(Clone::clone).map(|live| {
                    Some(RemoteObject {
                        id: self.remote_id(account),
                        attributes: live_to_attributes(*kind, live, account),
                    })
                }));
            }
        }
        results.into_iter().map(|r| r.unwrap_or(Ok(None))).collect()
    }

    /// Singletons always exist: creating one makes it match the configuration.
    async fn create(&self, req: &WriteRequest) -> ProviderResult<RemoteObject> {
        self.write(req).await
    }

    async fn update(&self, req: &WriteRequest) -> ProviderResult<RemoteObject> {
        self.write(req).await
    }

    /// Settings cannot be deleted; the engine only forgets singletons, so this changes nothing.
    async fn delete(&self, req: &WriteRequest) -> ProviderResult<()> {
        kind_of(&req.type_name).map(|_| ())
    }
}

#[cfg(test)]
pub(crate) mod tests;
