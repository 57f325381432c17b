//! The `zoom` provider: account and group settings and their locks, groups and their members,
//! roles, Zoom Rooms calendar resources, and the data sources that read managed and trusted
//! domains, calendar services and groups, through the Zoom REST API v2 with Server-to-Server
//! OAuth credentials.
//!
//! A refresh wave's reads are coalesced: one settings GET per account or group and endpoint,
//! one group listing, one role listing and one resource listing per calendar service, however
//! many resources need them.

mod domains;
mod groups;
mod roles;
mod rooms;
pub(crate) mod settings;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::client::validate_endpoint;
use crate::client::zoom::{
    DEFAULT_API_URL, DEFAULT_OAUTH_URL, PlanTier, ZoomClient, ZoomClientOptions, ZoomCredentials,
    ZoomEndpoints, ZoomRateLimits, ZoomRequest,
};
use crate::config::Setting;
use crate::names::SeenNames;
use crate::paths::{deep_merge, is_empty_object};
use zentra_engine::env::{Environment, vars};
use zentra_engine::plan::diff::diff_attributes;
use zentra_engine::provider::{
    DiscoveredObject, ErrorKind, Provider, ProviderError, ProviderResult, ProviderType,
    ReadRequest, RemoteObject, WriteRequest, schema_to_read,
};
use zentra_engine::schema::{Attr, ResourceSchema};
use zentra_engine::value::Value;

use settings::{
    MEETING_AUTHENTICATION, MEETING_SECURITY, OWN_ACCOUNT, SettingsKind, authentication_from_api,
    configured_key, configures, live_to_attributes, patch_bodies,
};

const NAME: &str = "zoom";

/// Zoom for Government's API base and OAuth host.
pub const ZOOMGOV_API_URL: &str = "https://api.zoomgov.com/v2";
pub const ZOOMGOV_OAUTH_URL: &str = "https://zoomgov.com";

/// The values of the provider attribute `cloud`.
pub const CLOUDS: [&str; 2] = ["commercial", "zoomgov"];

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

/// A string attribute of the provider block that has no environment variable.
fn block_string(config: &Value, attribute: &str) -> ProviderResult<Option<String>> {
    match config.get(attribute).map(|v| v.unmark().0) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_ascii_lowercase())),
        Some(other) => Err(ProviderError::new(
            ErrorKind::Configuration,
            format!(
                "provider \"zoom\": `{attribute}` must be a known string, not {}",
                other.type_name()
            ),
        )),
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
                "cloud",
                Attr::string()
                    .describe(
                        "`commercial` (default: api.zoom.us and zoom.us) or `zoomgov` (Zoom for \
                         Government: api.zoomgov.com and zoomgov.com). `api_url` and `oauth_url` \
                         win over it.",
                    )
                    .one_of(&CLOUDS),
            ),
            (
                "api_url",
                Attr::string().describe(
                    "API base including `/v2` (env ZOOM_API_URL; default from `cloud`). Set it \
                     for a regional base or an emulator; http only on loopback.",
                ),
            ),
            (
                "oauth_url",
                Attr::string().describe(
                    "Host of the token endpoint `/oauth/token` (env ZOOM_OAUTH_URL; default \
                     from `cloud`).",
                ),
            ),
            (
                "plan_tier",
                Attr::string()
                    .describe(
                        "The account's Zoom plan, which sets zentra's request budgets per rate-limit \
                         category: `free`, `pro` (default) or `business` (Business, Business Plus, \
                         Enterprise, Education and Partner). zentra paces to `rate_limit_share` of \
                         Zoom's per-second limits, which every app of the account shares, and \
                         stays within its daily caps.",
                    )
                    .one_of(&PlanTier::NAMES),
            ),
            crate::config::share_attribute(
                "Zoom's per-second limits are shared by every app of the account: 0.5 leaves \
                 half to the others.",
            ),
        ]
        .into_iter()
        .chain(crate::config::timing_attributes()))
    }

    fn resource_schemas(&self) -> Vec<ResourceSchema> {
        let mut schemas: Vec<ResourceSchema> = SettingsKind::ALL
            .into_iter()
            .map(settings::resource_schema)
            .collect();
        schemas.extend([
            groups::group_schema(),
            groups::members_schema(),
            roles::role_schema(),
            rooms::calendar_resource_schema(),
            domains::managed_domains_schema(),
            domains::trusted_domains_schema(),
            rooms::calendar_services_schema(),
            groups::group_data_schema(),
        ]);
        schemas
    }

    /// Group and role names hold visible characters only; a calendar resource needs a
    /// calendar service (an empty `service_id` is refused when planning).
    fn complete_desired(
        &self,
        type_name: &str,
        desired: Value,
    ) -> Result<Value, Vec<zentra_engine::provider::InvalidAttribute>> {
        if type_name == groups::GROUP || type_name == roles::TYPE_NAME {
            let refused = crate::name_rules::check_names(&desired, &["name"]);
            if !refused.is_empty() {
                return Err(refused);
            }
        }
        match type_name {
            rooms::RESOURCE => rooms::complete(desired),
            _ => Ok(desired),
        }
    }

    fn configure(&self, config: &Value, env: &Environment) -> ProviderResult<Box<dyn Provider>> {
        let account_id = setting("account_id", vars::ZOOM_ACCOUNT_ID).required(config, env)?;
        let client_id = setting("client_id", vars::ZOOM_CLIENT_ID).required(config, env)?;
        let client_secret =
            setting("client_secret", vars::ZOOM_CLIENT_SECRET).required(config, env)?;
        let mut options = self.options;
        if let Some(tier) = block_string(config, "plan_tier")? {
            let tier = PlanTier::parse(&tier).ok_or_else(|| {
                ProviderError::new(
                    ErrorKind::Configuration,
                    format!(
                        "provider \"zoom\": `plan_tier` = \"{tier}\" is not one of {}",
                        PlanTier::NAMES.join(", ")
                    ),
                )
            })?;
            options.rate_limits = ZoomRateLimits::for_tier(tier);
        }
        if let Some(share) = crate::config::read_share("zoom", config)? {
            options.rate_limit_share = share;
        }
        crate::config::apply_timing("zoom", config, &mut options.retry, &mut options.timeouts)?;
        let endpoints = endpoints(config, env)?;
        let client = ZoomClient::new(
            ZoomCredentials {
                account_id,
                client_id,
                client_secret: client_secret.into(),
            },
            endpoints,
            options,
        )?
        .with_progress(env.progress().clone());
        Ok(Box::new(ZoomProvider::new(client)))
    }

    /// Settings by the account or group they belong to; groups and roles by name (Zoom
    /// compares names without regard to case); a group's members by the group; a calendar
    /// resource by its service and email.
    fn natural_key(&self, type_name: &str, desired: &Value) -> Option<String> {
        let known = |attribute: &str| match key(desired, attribute) {
            Key::Known(value) => Some(value),
            _ => None,
        };
        if let Some(kind) = SettingsKind::from_type_name(type_name) {
            let owner = if kind.key_attribute() == settings::GROUP_ID {
                "group"
            } else {
                "account"
            };
            return configured_key(kind, desired)
                .ok()
                .flatten()
                .map(|key| format!("{owner} {key}"));
        }
        match type_name {
            groups::GROUP => Some(format!("name {}", known("name")?.to_lowercase())),
            groups::MEMBERS => Some(format!("group {}", known("group_id")?)),
            roles::TYPE_NAME => Some(format!("name {}", known("name")?.to_lowercase())),
            rooms::RESOURCE => Some(format!(
                "service {}, email {}",
                known("service_id")?,
                known("email")?.to_lowercase()
            )),
            _ => None,
        }
    }

    /// Zoom's built-in roles (Owner, Admin, Member), which every account has.
    fn vendor_owned(&self, type_name: &str, attributes: &Value) -> Option<String> {
        match (type_name, key(attributes, "name")) {
            (roles::TYPE_NAME, Key::Known(name)) => roles::built_in(None, &name),
            _ => None,
        }
    }
}

/// The API base and OAuth host: `api_url` and `oauth_url` (block or environment) when set,
/// else those of the configured `cloud`.
fn endpoints(config: &Value, env: &Environment) -> ProviderResult<ZoomEndpoints> {
    let (default_api, default_oauth) = match block_string(config, "cloud")?.as_deref() {
        None | Some("commercial") => (DEFAULT_API_URL, DEFAULT_OAUTH_URL),
        Some("zoomgov") => (ZOOMGOV_API_URL, ZOOMGOV_OAUTH_URL),
        Some(other) => {
            return Err(ProviderError::new(
                ErrorKind::Configuration,
                format!(
                    "provider \"zoom\": `cloud` = \"{other}\" is not one of {}",
                    CLOUDS.join(", ")
                ),
            ));
        }
    };
    let api_url = setting("api_url", vars::ZOOM_API_URL)
        .optional(config, env)?
        .unwrap_or_else(|| default_api.to_string());
    let oauth_url = setting("oauth_url", vars::ZOOM_OAUTH_URL)
        .optional(config, env)?
        .unwrap_or_else(|| default_oauth.to_string());
    Ok(ZoomEndpoints {
        api_url: validate_endpoint(&api_url, "api_url")?,
        oauth_url: validate_endpoint(&oauth_url, "oauth_url")?,
    })
}

/// A configured `zoom` provider.
#[derive(Debug)]
pub struct ZoomProvider {
    client: ZoomClient,
    /// When zentra last changed each account's or group's settings, so a read soon after can
    /// wait for the change to show.
    written: std::sync::Mutex<HashMap<(SettingsKind, String), Instant>>,
    /// Names of the calendar services read, for plans to show beside their ids.
    names: SeenNames,
}

/// The kind of object whose names [`ZoomProvider::names`] keeps.
const CALENDAR_SERVICE_NAMES: &str = "calendar service";

/// One answer of a batched read: the request's index in the batch and its result.
type Slot = (usize, ProviderResult<Option<RemoteObject>>);

/// What a resource's configuration says about an attribute used to locate it.
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

/// The configured strings of a set attribute, or `None` when it is absent or not yet known.
pub(crate) fn string_set(config: &Value, attribute: &str) -> Option<Vec<String>> {
    let value = config.get(attribute)?;
    if value.contains_unknown() {
        return None;
    }
    let list = value.unmark().0.as_list()?.to_vec();
    Some(
        list.iter()
            .filter_map(|v| v.unmark().0.as_str().map(str::to_string))
            .collect(),
    )
}

/// A required string attribute of a write, which the engine guarantees is known.
pub(crate) fn required_string(req: &WriteRequest, attribute: &str) -> ProviderResult<String> {
    match key(&req.config, attribute) {
        Key::Known(value) => Ok(value),
        _ => Err(ProviderError::new(
            ErrorKind::Invalid,
            format!(
                "{}: `{attribute}` must be known at apply time",
                req.type_name
            ),
        )),
    }
}

/// Whether Zoom answered that the addressed object does not exist.
pub(crate) fn is_missing(error: &ProviderError) -> bool {
    error.kind == ErrorKind::NotFound
}

/// Splits `items` into the batches Zoom's "add members" calls take (at most 30 each).
pub(crate) fn batches_of_30<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    items.chunks(30).map(<[T]>::to_vec).collect()
}

impl ZoomProvider {
    fn new(client: ZoomClient) -> Self {
        ZoomProvider {
            client,
            written: Default::default(),
            names: SeenNames::default(),
        }
    }

    /// Keeps the names of the calendar services a data source listed.
    fn remember_names(&self, type_name: &str, object: &RemoteObject) {
        if type_name != rooms::SERVICES {
            return;
        }
        let text =
            |v: &Value, field: &str| v.get(field).and_then(Value::as_str).map(str::to_string);
        let services = object.attributes.get("services").and_then(Value::as_list);
        for service in services.unwrap_or_default() {
            if let (Some(id), Some(name)) = (text(service, "id"), text(service, "email")) {
                self.names.remember(CALENDAR_SERVICE_NAMES, &id, &name);
            }
        }
    }

    fn mark_written(&self, kind: SettingsKind, key: &str) {
        if let Ok(mut written) = self.written.lock() {
            written.insert((kind, key.to_string()), Instant::now());
        }
    }

    fn recently_written(&self, kind: SettingsKind, key: &str) -> bool {
        let window = self
            .client
            .options()
            .settle_wait
            .saturating_add(Duration::from_secs(60));
        self.written.lock().is_ok_and(|written| {
            written
                .get(&(kind, key.to_string()))
                .is_some_and(|at| at.elapsed() <= window)
        })
    }

    /// Like [`ZoomProvider::fetch`], but right after zentra changed these settings, reads
    /// again (briefly) until they show what the configurations in `configs` ask for.
    async fn fetch_settled(
        &self,
        kind: SettingsKind,
        key: &str,
        sections: Sections,
        configs: &[&Value],
    ) -> ProviderResult<Json> {
        let mut live = self.fetch(kind, key, sections).await?;
        if !self.recently_written(kind, key) {
            return Ok(live);
        }
        let settle_wait = self.client.options().settle_wait;
        let started = Instant::now();
        let mut pause = Duration::from_millis(200);
        loop {
            let attributes = live_to_attributes(kind, &live, key, kind.body_schema());
            let settled = configs.iter().all(|config| {
                config.contains_unknown()
                    || diff_attributes(kind.body_schema(), config, Some(&attributes), None)
                        .is_empty()
            });
            if settled || started.elapsed().saturating_add(pause) > settle_wait {
                return Ok(live);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
            live = self.fetch(kind, key, sections).await?;
        }
    }

    /// The path of settings that one plain GET reads as they are, if these are: a group's (an
    /// account's answer is reshaped), with no section read apart, not written lately (those
    /// are read until they settle).
    fn plainly_read(&self, kind: SettingsKind, key: &str, sections: Sections) -> Option<String> {
        let plain = kind != SettingsKind::Account
            && !sections.meeting_security
            && !sections.authentication
            && !self.recently_written(kind, key);
        plain.then(|| kind.path(key))
    }

    /// The attributes of the settings at `path`, read by one GET straight from the answer's
    /// text: what [`live_to_attributes`] makes of [`ZoomProvider::fetch`]'s answer, without the
    /// answer's JSON document.
    async fn read_attributes(
        &self,
        kind: SettingsKind,
        key: &str,
        path: &str,
        schema: &Attr,
    ) -> ProviderResult<Value> {
        let attributes = self
            .client
            .send_reading(&ZoomRequest::get(path), &|body| {
                crate::paths::project_json(body, schema)
            })
            .await?
            .unwrap_or(Value::Null);
        Ok(settings::with_key(kind, attributes, key))
    }

    /// The remote id of settings: the account id (with `me` resolved to the credentials'
    /// account) or the group id.
    fn remote_id(&self, kind: SettingsKind, key: &str) -> String {
        if kind.key_attribute() == settings::ACCOUNT_ID && key == OWN_ACCOUNT {
            self.client.account_id().to_string()
        } else {
            key.to_string()
        }
    }

    /// One GET per endpoint, plus the `security` section (`?option=security`) only when
    /// configuration manages it and the plain GET left it out, and the `meeting_security`
    /// shape only when configuration manages it.
    async fn fetch(
        &self,
        kind: SettingsKind,
        key: &str,
        sections: Sections,
    ) -> ProviderResult<Json> {
        let path = kind.path(key);
        // The plain GET serves the main sections: skipped when only `meeting_security` is
        // configured.
        let only_options = sections.meeting_security || sections.authentication;
        let mut live = if sections.main || !only_options {
            self.client.get_json(&ZoomRequest::get(&path)).await?
        } else {
            Json::Object(Default::default())
        };
        let mut extra = Vec::new();
        if kind == SettingsKind::Account && sections.security && live.get("security").is_none() {
            extra.push("security");
        }
        if sections.meeting_security {
            extra.push(MEETING_SECURITY);
        }
        if sections.authentication && kind.has_authentication() {
            extra.push(MEETING_AUTHENTICATION);
        }
        for option in extra {
            let answer = self
                .client
                .get_json(&ZoomRequest::get(&path).query("option", option))
                .await?;
            let section = if option == MEETING_AUTHENTICATION {
                authentication_from_api(&answer)
            } else {
                answer.get(option).cloned().unwrap_or(answer)
            };
            if let Json::Object(map) = &mut live {
                map.insert(option.into(), section);
            }
        }
        Ok(live)
    }

    async fn read_settings(&self, batch: &[(usize, &ReadRequest)]) -> Vec<Slot> {
        let mut slots = Vec::new();
        // (kind, key) -> (sections, the requests' batch positions and the requests)
        type Wanted<'a> =
            IndexMap<(SettingsKind, String), (Sections, Vec<(usize, &'a ReadRequest)>)>;
        let mut wanted: Wanted = IndexMap::new();
        for &(index, request) in batch {
            let Some(kind) = SettingsKind::from_type_name(&request.type_name) else {
                slots.push((index, Err(unknown_type(&request.type_name))));
                continue;
            };
            match configured_key(kind, &request.config) {
                Ok(Some(key)) => {
                    let entry = wanted.entry((kind, key)).or_default();
                    entry.0.main |= configures_main(kind, &request.config);
                    entry.0.security |= configures(&request.config, "security");
                    entry.0.meeting_security |= configures(&request.config, MEETING_SECURITY);
                    entry.0.authentication |= configures(&request.config, MEETING_AUTHENTICATION);
                    entry.1.push((index, request));
                }
                Ok(None) => slots.push((index, Ok(None))),
                Err(e) => slots.push((index, Err(e))),
            }
        }
        let fetched =
            futures::future::join_all(wanted.iter().map(|((kind, key), (sections, requests))| {
                let configs: Vec<&Value> = requests.iter().map(|(_, r)| &r.config).collect();
                let requests: Vec<&ReadRequest> = requests.iter().map(|(_, r)| *r).collect();
                let schema = schema_to_read(kind.body_schema(), &requests);
                // Each answer becomes attributes as soon as it comes, keeping only what the
                // requests need, so the answers of a whole wave are not held at once.
                async move {
                    if let Some(path) = self.plainly_read(*kind, key, *sections) {
                        return self.read_attributes(*kind, key, &path, &schema).await;
                    }
                    self.fetch_settled(*kind, key, *sections, &configs)
                        .await
                        .map(|live| live_to_attributes(*kind, &live, key, &schema))
                }
            }))
            .await;
        for (((kind, key), (_, requests)), attributes) in wanted.iter().zip(fetched) {
            // The last request of the same settings takes the attributes; any other a copy.
            let mut attributes = Some(attributes);
            for (n, &(index, _)) in requests.iter().enumerate() {
                let read = if n + 1 == requests.len() {
                    attributes.take()
                } else {
                    attributes.clone()
                }
                .expect("taken only by the last request");
                slots.push((
                    index,
                    read.map(|attributes| {
                        Some(RemoteObject {
                            id: self.remote_id(*kind, key),
                            attributes,
                            ownership: Default::default(),
                        })
                    }),
                ));
            }
        }
        slots
    }

    /// Every settings object of `kinds` for `zentra export`, with every section: the account's
    /// (under `me`, the credentials' account) and each group's in `groups` (id, name).
    async fn discover_settings(
        &self,
        kinds: &[SettingsKind],
        groups: &[groups::Listed],
    ) -> ProviderResult<Vec<DiscoveredObject>> {
        let mut wanted: Vec<(SettingsKind, String, String)> = Vec::new();
        for &kind in kinds {
            if kind.key_attribute() == settings::ACCOUNT_ID {
                wanted.push((kind, OWN_ACCOUNT.to_string(), "account".to_string()));
            } else {
                wanted.extend(groups.iter().map(|g| (kind, g.id.clone(), g.name.clone())));
            }
        }
        let every_section = Sections {
            main: true,
            security: true,
            meeting_security: true,
            authentication: true,
        };
        let answers = futures::future::join_all(
            wanted
                .iter()
                .map(|(kind, key, _)| self.fetch(*kind, key, every_section)),
        )
        .await;
        wanted
            .into_iter()
            .zip(answers)
            .map(|((kind, key, name), live)| {
                let mut attributes = live_to_attributes(kind, &live?, &key, kind.body_schema())
                    .to_json()
                    .unwrap_or_default();
                // `me` is what an absent `account_id` stands for.
                if key == OWN_ACCOUNT
                    && let Json::Object(map) = &mut attributes
                {
                    map.shift_remove(settings::ACCOUNT_ID);
                }
                Ok(DiscoveredObject {
                    type_name: kind.type_name().to_string(),
                    name_hint: name,
                    object: RemoteObject::new(
                        self.remote_id(kind, &key),
                        Value::from_json(&attributes),
                    ),
                })
            })
            .collect()
    }

    async fn write_settings(
        &self,
        kind: SettingsKind,
        req: &WriteRequest,
    ) -> ProviderResult<RemoteObject> {
        let key = configured_key(kind, &req.config)?.ok_or_else(|| {
            ProviderError::new(
                ErrorKind::Invalid,
                format!(
                    "{}: `{}` is still unknown at apply time",
                    kind.type_name(),
                    kind.key_attribute()
                ),
            )
        })?;
        let bodies = patch_bodies(kind, &req.config, req.prior.as_ref(), &req.changed_paths)?;
        let path = kind.path(&key);
        let writes = [
            (&bodies.main, None),
            (
                &bodies.meeting_security,
                kind.meeting_security_write_option(),
            ),
            (&bodies.meeting_authentication, Some(MEETING_AUTHENTICATION)),
        ];
        for (body, option) in writes {
            if is_empty_object(body) {
                continue;
            }
            let mut request = ZoomRequest::patch(&path, body.clone()).idempotent();
            if let Some(option) = option {
                request = request.query("option", option);
            }
            self.client.send(&request).await?;
            self.mark_written(kind, &key);
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
        deep_merge(&mut attributes, &bodies.main);
        deep_merge(&mut attributes, &bodies.meeting_security);
        if let (Json::Object(map), Some(block)) = (
            &mut attributes,
            req.config
                .get(MEETING_AUTHENTICATION)
                .and_then(Value::to_json),
        ) {
            map.insert(MEETING_AUTHENTICATION.into(), block);
        }
        if let Json::Object(map) = &mut attributes {
            map.insert(kind.key_attribute().into(), Json::String(key.clone()));
        }
        Ok(RemoteObject {
            id: self.remote_id(kind, &key),
            attributes: Value::from_json(&attributes),
            ownership: Default::default(),
        })
    }
}

/// Which parts of the settings a read must include.
#[derive(Clone, Copy, Debug, Default)]
struct Sections {
    /// Any section of the plain GET's shape.
    main: bool,
    security: bool,
    meeting_security: bool,
    authentication: bool,
}

/// Whether the configuration manages a section of the plain GET's shape.
fn configures_main(kind: SettingsKind, config: &Value) -> bool {
    config.as_object().is_some_and(|map| {
        map.iter().any(|(name, value)| {
            name != kind.key_attribute()
                && name != MEETING_SECURITY
                && name != MEETING_AUTHENTICATION
                && !matches!(value.unmark().0, Value::Null)
        })
    })
}

fn unknown_type(type_name: &str) -> ProviderError {
    ProviderError::new(
        ErrorKind::Configuration,
        format!("the zoom provider has no resource type `{type_name}`"),
    )
}

/// The part of the provider a resource type belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Family {
    Settings,
    Groups,
    Roles,
    Rooms,
    Domains,
}

fn family(type_name: &str) -> Option<Family> {
    if SettingsKind::from_type_name(type_name).is_some() {
        Some(Family::Settings)
    } else if groups::TYPE_NAMES.contains(&type_name) {
        Some(Family::Groups)
    } else if type_name == roles::TYPE_NAME {
        Some(Family::Roles)
    } else if rooms::TYPE_NAMES.contains(&type_name) {
        Some(Family::Rooms)
    } else if domains::TYPE_NAMES.contains(&type_name) {
        Some(Family::Domains)
    } else {
        None
    }
}

#[async_trait]
impl Provider for ZoomProvider {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn read(&self, batch: &[ReadRequest]) -> Vec<ProviderResult<Option<RemoteObject>>> {
        let mut results: Vec<Option<ProviderResult<Option<RemoteObject>>>> =
            (0..batch.len()).map(|_| None).collect();
        let mut by_family: HashMap<Family, Vec<(usize, &ReadRequest)>> = HashMap::new();
        for (index, request) in batch.iter().enumerate() {
            match family(&request.type_name) {
                Some(f) => by_family.entry(f).or_default().push((index, request)),
                None => results[index] = Some(Err(unknown_type(&request.type_name))),
            }
        }
        let empty = Vec::new();
        let part = |f: Family| by_family.get(&f).unwrap_or(&empty);
        let (settings, groups, roles, rooms, domains) = futures::join!(
            self.read_settings(part(Family::Settings)),
            groups::read(&self.client, part(Family::Groups)),
            roles::read(&self.client, part(Family::Roles)),
            rooms::read(&self.client, part(Family::Rooms)),
            domains::read(&self.client, part(Family::Domains)),
        );
        for (index, result) in settings
            .into_iter()
            .chain(groups)
            .chain(roles)
            .chain(rooms)
            .chain(domains)
        {
            results[index] = Some(result);
        }
        let results: Vec<ProviderResult<Option<RemoteObject>>> =
            results.into_iter().map(|r| r.unwrap_or(Ok(None))).collect();
        for (request, result) in batch.iter().zip(&results) {
            if let Ok(Some(object)) = result {
                self.remember_names(&request.type_name, object);
            }
        }
        results
    }

    /// Settings and locks of the account and of every group, groups with their members, roles,
    /// and the Zoom Rooms calendar services with their resources: one listing of groups serves
    /// the group kinds.
    async fn discover(&self, type_names: &[String]) -> ProviderResult<Vec<DiscoveredObject>> {
        let wants = |name: &str| type_names.iter().any(|t| t == name);
        let kinds: Vec<SettingsKind> = SettingsKind::ALL
            .into_iter()
            .filter(|k| wants(k.type_name()))
            .collect();
        let group_kinds = kinds
            .iter()
            .any(|k| k.key_attribute() == settings::GROUP_ID);
        let groups = if group_kinds || wants(groups::GROUP) || wants(groups::MEMBERS) {
            groups::all(&self.client).await?
        } else {
            Vec::new()
        };
        let (settings, groups_found, roles_found, rooms_found) = futures::join!(
            self.discover_settings(&kinds, &groups),
            async {
                if wants(groups::GROUP) || wants(groups::MEMBERS) {
                    groups::discover(&self.client, &groups, wants(groups::MEMBERS)).await
                } else {
                    Ok(Vec::new())
                }
            },
            async {
                if wants(roles::TYPE_NAME) {
                    roles::discover(&self.client).await
                } else {
                    Ok(Vec::new())
                }
            },
            async {
                if wants(rooms::RESOURCE) {
                    rooms::discover(&self.client).await
                } else {
                    Ok(Vec::new())
                }
            },
        );
        // Groups first: the settings and members of a group refer to it.
        let mut found: Vec<DiscoveredObject> = groups_found?
            .into_iter()
            .filter(|f| wants(&f.type_name))
            .collect();
        found.extend(settings?);
        found.extend(roles_found?);
        found.extend(rooms_found?);
        Ok(found)
    }

    /// A calendar service's name beside its id (`service_id`, typically found by name with the
    /// `zoom_rooms_calendar_services` data source), when a read saw it.
    fn value_label(&self, _type_name: &str, path: &str, value: &str) -> Option<String> {
        match path {
            "service_id" => self.names.get(CALENDAR_SERVICE_NAMES, value),
            _ => None,
        }
    }

    /// Singletons always exist: creating one makes it match the configuration.
    async fn create(&self, req: &WriteRequest) -> ProviderResult<RemoteObject> {
        match family(&req.type_name) {
            Some(Family::Settings) => self.update(req).await,
            Some(Family::Groups) => groups::create(&self.client, req).await,
            Some(Family::Roles) => roles::create(&self.client, req).await,
            Some(Family::Rooms) => rooms::create(&self.client, req).await,
            _ => Err(unknown_type(&req.type_name)),
        }
    }

    async fn update(&self, req: &WriteRequest) -> ProviderResult<RemoteObject> {
        match family(&req.type_name) {
            Some(Family::Settings) => match SettingsKind::from_type_name(&req.type_name) {
                Some(kind) => self.write_settings(kind, req).await,
                None => Err(unknown_type(&req.type_name)),
            },
            Some(Family::Groups) => groups::update(&self.client, req).await,
            Some(Family::Roles) => roles::update(&self.client, req).await,
            Some(Family::Rooms) => rooms::update(req),
            _ => Err(unknown_type(&req.type_name)),
        }
    }

    /// Settings cannot be deleted; the engine only forgets singletons, so that changes nothing.
    async fn delete(&self, req: &WriteRequest) -> ProviderResult<()> {
        match family(&req.type_name) {
            Some(Family::Settings) => Ok(()),
            Some(Family::Groups) => groups::delete(&self.client, req).await,
            Some(Family::Roles) => roles::delete(&self.client, req).await,
            Some(Family::Rooms) => rooms::delete(&self.client, req).await,
            _ => Err(unknown_type(&req.type_name)),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
