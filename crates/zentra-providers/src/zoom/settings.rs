//! The settings singletons: `zoom_account_settings` and `zoom_account_lock_settings` over
//! `GET/PATCH /accounts/{accountId}/settings|lock_settings`, and `zoom_group_settings` and
//! `zoom_group_lock_settings` over `/groups/{groupId}/settings|lock_settings`.
//!
//! The attribute tree is Zoom's own, generated from its OpenAPI files into
//! `schemas/providers/zoom.json`: every section of the main shape, plus a `meeting_security`
//! block for the `?option=meeting_security` shape (read and written with that option, and only
//! when configured). Fields Zoom only returns are dropped from the resource (nothing could
//! change them), except where a read/write mapping makes them manageable:
//! `security.signin_with_sso.sso_bypass_user_ids` is read from GET's `sso_bypass_users[].id`
//! and written as `sso_bypass_user_ids` without `operation`, which overwrites the list.

use std::sync::LazyLock;

use serde_json::{Map, Value as Json};

use crate::client::encode_segment;
use crate::paths::{paths_to_write, pick_paths, project_value, strip_nulls};
use zentra_engine::provider::{ErrorKind, ProviderError, ProviderResult};
use zentra_engine::schema::{
    Access, Attr, AttrType, Permission, PermissionSystem, ProviderSchemaFile, ResourceKind,
    ResourceSchema,
};
use zentra_engine::value::Value;

/// The attribute naming the account; `me` is the credentials' own account.
pub(crate) const ACCOUNT_ID: &str = "account_id";
/// The attribute naming the group of group settings.
pub(crate) const GROUP_ID: &str = "group_id";
/// What an absent `account_id` stands for.
pub(crate) const OWN_ACCOUNT: &str = "me";
/// The block (and Zoom's `option`) of the meeting and webinar security settings.
pub(crate) const MEETING_SECURITY: &str = "meeting_security";
/// The block (and Zoom's `option`) of the meeting authentication switches.
pub(crate) const MEETING_AUTHENTICATION: &str = "meeting_authentication";

/// The four settings singletons, which differ in endpoint, key and schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SettingsKind {
    /// `zoom_account_settings`.
    Account,
    /// `zoom_account_lock_settings`.
    AccountLocks,
    /// `zoom_group_settings`.
    Group,
    /// `zoom_group_lock_settings`.
    GroupLocks,
}

impl SettingsKind {
    pub(crate) const ALL: [SettingsKind; 4] = [
        SettingsKind::Account,
        SettingsKind::AccountLocks,
        SettingsKind::Group,
        SettingsKind::GroupLocks,
    ];

    pub(crate) fn from_type_name(name: &str) -> Option<Self> {
        SettingsKind::ALL
            .into_iter()
            .find(|k| k.type_name() == name)
    }

    pub(crate) fn type_name(self) -> &'static str {
        match self {
            SettingsKind::Account => "zoom_account_settings",
            SettingsKind::AccountLocks => "zoom_account_lock_settings",
            SettingsKind::Group => "zoom_group_settings",
            SettingsKind::GroupLocks => "zoom_group_lock_settings",
        }
    }

    fn is_group(self) -> bool {
        matches!(self, SettingsKind::Group | SettingsKind::GroupLocks)
    }

    fn is_lock(self) -> bool {
        matches!(self, SettingsKind::AccountLocks | SettingsKind::GroupLocks)
    }

    /// The attribute locating the settings: `account_id` or `group_id`.
    pub(crate) fn key_attribute(self) -> &'static str {
        if self.is_group() {
            GROUP_ID
        } else {
            ACCOUNT_ID
        }
    }

    /// The object of `schemas/providers/zoom.json` describing the main body.
    fn schema_object(self) -> &'static str {
        match self {
            SettingsKind::Account => "account_settings",
            SettingsKind::AccountLocks => "account_lock_settings",
            SettingsKind::Group => "group_settings",
            SettingsKind::GroupLocks => "group_lock_settings",
        }
    }

    /// The request path for `key` (an account id or `me`, or a group id).
    pub(crate) fn path(self, key: &str) -> String {
        let endpoint = if self.is_lock() {
            "lock_settings"
        } else {
            "settings"
        };
        let owner = if self.is_group() {
            "groups"
        } else {
            "accounts"
        };
        format!("/{owner}/{}/{endpoint}", encode_segment(key))
    }

    /// Whether the settings have the `meeting_authentication` option (account and group
    /// settings, not lock settings).
    pub(crate) fn has_authentication(self) -> bool {
        !self.is_lock()
    }

    /// The `option` a PATCH of the `meeting_security` shape carries: none for account lock
    /// settings, whose PATCH takes no `option` and tells the shape by its body.
    pub(crate) fn meeting_security_write_option(self) -> Option<&'static str> {
        (self != SettingsKind::AccountLocks).then_some(MEETING_SECURITY)
    }

    fn description(self) -> &'static str {
        match self {
            SettingsKind::Account => {
                "Account-level Zoom settings (GET/PATCH /accounts/{accountId}/settings; the \
                 `meeting_security` block with `?option=meeting_security`). Only the settings \
                 written in configuration are managed."
            }
            SettingsKind::AccountLocks => {
                "Account-level Zoom lock settings (GET/PATCH /accounts/{accountId}/lock_settings): \
                 `true` locks a setting for every group and user. Only the settings written in \
                 configuration are managed."
            }
            SettingsKind::Group => {
                "A group's Zoom settings (GET/PATCH /groups/{groupId}/settings; the \
                 `meeting_security` block with `?option=meeting_security`). Only the settings \
                 written in configuration are managed; the others keep what the group inherits."
            }
            SettingsKind::GroupLocks => {
                "A group's Zoom lock settings (GET/PATCH /groups/{groupId}/lock_settings): \
                 `true` locks a setting for the group's users. A setting the account locks \
                 cannot be unlocked here. Only the settings written in configuration are managed."
            }
        }
    }

    /// The managed attribute tree of the settings body (without the key attribute).
    pub(crate) fn body_schema(self) -> &'static Attr {
        match self {
            SettingsKind::Account => &BODIES[0],
            SettingsKind::AccountLocks => &BODIES[1],
            SettingsKind::Group => &BODIES[2],
            SettingsKind::GroupLocks => &BODIES[3],
        }
    }

    /// Granular scopes (read, write) and why, from the operation index.
    fn permissions(self) -> Vec<Permission> {
        let (read, write, what) = match self {
            SettingsKind::Account => (
                "account:read:settings:admin",
                "account:update:settings:admin",
                "/accounts/{accountId}/settings",
            ),
            SettingsKind::AccountLocks => (
                "account:read:lock_settings:master",
                "account:update:lock_settings:admin",
                "/accounts/{accountId}/lock_settings",
            ),
            SettingsKind::Group => (
                "group:read:settings:admin",
                "group:update:settings:admin",
                "/groups/{groupId}/settings",
            ),
            SettingsKind::GroupLocks => (
                "group:read:lock_settings:admin",
                "group:update:lock_settings:admin",
                "/groups/{groupId}/lock_settings",
            ),
        };
        let classic = if self.is_group() { "group" } else { "account" };
        vec![
            Permission::new(
                PermissionSystem::ZoomScope,
                read,
                Access::Read,
                &format!("GET {what} (classic scope: {classic}:read:admin)"),
            ),
            Permission::new(
                PermissionSystem::ZoomScope,
                write,
                Access::Write,
                &format!("PATCH {what} (classic scope: {classic}:write:admin)"),
            ),
        ]
    }
}

static GENERATED: LazyLock<Option<ProviderSchemaFile>> =
    LazyLock::new(|| serde_json::from_str(zentra_engine::schema::data::ZOOM_PROVIDER_SCHEMA).ok());

static BODIES: LazyLock<[Attr; 4]> = LazyLock::new(|| SettingsKind::ALL.map(managed_body));

/// The generated object, or an empty one should the compiled-in file not parse (a unit test
/// guarantees it does).
fn generated_object(name: &str) -> Attr {
    GENERATED
        .as_ref()
        .and_then(|file| file.objects.get(name).cloned())
        .unwrap_or_else(|| Attr::new(AttrType::Object))
}

fn managed_body(kind: SettingsKind) -> Attr {
    let mut body = generated_object(kind.schema_object());
    if kind == SettingsKind::Account {
        map_sso_bypass_users(&mut body);
    }
    let mut body = manageable(&body).unwrap_or_else(|| Attr::new(AttrType::Object));
    let meeting_security =
        generated_object(&format!("{}_{MEETING_SECURITY}", kind.schema_object()))
            .properties
            .shift_remove(MEETING_SECURITY)
            .and_then(|attr| manageable(&attr));
    if let Some(mut block) = meeting_security {
        block.description = format!(
            "Meeting and webinar security settings, read and written with \
             `?option={MEETING_SECURITY}`; requested only when this block is configured. {}",
            block.description
        )
        .trim_end()
        .to_string();
        body.properties.insert(MEETING_SECURITY.into(), block);
    }
    if kind.has_authentication() {
        body.properties
            .insert(MEETING_AUTHENTICATION.into(), authentication_block());
    }
    body
}

/// The switches of `?option=meeting_authentication` (the authentication profiles themselves
/// are not managed: Zoom edits them one by one through `authentication_option.action`).
fn authentication_block() -> Attr {
    Attr::object([
        (
            "enable",
            Attr::bool().describe(
                "Only authenticated users can join meetings (Zoom's `meeting_authentication`).",
            ),
        ),
        (
            "allow_authentication_exception",
            Attr::bool().describe("Hosts may let named people bypass meeting authentication."),
        ),
    ])
    .describe(
        "Meeting authentication, read and written with `?option=meeting_authentication`; \
         requested only when this block is configured.",
    )
}

/// The `?option=meeting_authentication` answer in the block's shape.
pub(crate) fn authentication_from_api(answer: &Json) -> Json {
    let mut block = Map::new();
    if let Some(enable) = answer.get(MEETING_AUTHENTICATION) {
        block.insert("enable".into(), enable.clone());
    }
    if let Some(exception) = answer.get("allow_authentication_exception") {
        block.insert("allow_authentication_exception".into(), exception.clone());
    }
    Json::Object(block)
}

/// The block's values as Zoom's `?option=meeting_authentication` PATCH body.
fn authentication_to_api(block: &Json) -> Json {
    let mut body = Map::new();
    if let Some(enable) = block.get("enable") {
        body.insert(MEETING_AUTHENTICATION.into(), enable.clone());
    }
    if let Some(exception) = block.get("allow_authentication_exception") {
        body.insert("allow_authentication_exception".into(), exception.clone());
    }
    Json::Object(body)
}

/// Replaces GET's `sso_bypass_users[{id,email}]` and PATCH's `operation` by one manageable
/// set, `sso_bypass_user_ids`.
fn map_sso_bypass_users(body: &mut Attr) {
    let Some(sso) = body
        .properties
        .get_mut("security")
        .and_then(|s| s.properties.get_mut("signin_with_sso"))
    else {
        return;
    };
    sso.properties.shift_remove("sso_bypass_users");
    sso.properties.shift_remove("operation");
    let mut ids = Attr::string_set().describe(
        "IDs of the users who may bypass SSO sign-in. Read from `sso_bypass_users[].id`; \
         written as `sso_bypass_user_ids`, replacing the whole list.",
    );
    if let Some(items) = ids.items.as_deref_mut() {
        items.write_only = false;
    }
    sso.properties.insert("sso_bypass_user_ids".into(), ids);
}

/// `attr` without the fields Zoom only returns; `None` when nothing manageable is left.
fn manageable(attr: &Attr) -> Option<Attr> {
    if attr.read_only {
        return None;
    }
    let mut out = attr.clone();
    match attr.ty {
        AttrType::Object if !attr.properties.is_empty() => {
            out.properties = attr
                .properties
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), manageable(v)?)))
                .collect();
            if out.properties.is_empty() {
                return None;
            }
        }
        AttrType::Array => {
            if let Some(items) = attr.items.as_deref() {
                out.items = Some(Box::new(manageable(items)?));
            }
        }
        _ => {}
    }
    Some(out)
}

/// The resource schema: the key attribute plus every manageable section as a nested block.
pub(crate) fn resource_schema(kind: SettingsKind) -> ResourceSchema {
    let key = if kind.is_group() {
        Attr::string()
            .describe(
                "The group whose settings these are, e.g. `zoom_group.sales.id`. Changing it \
                 manages another group's settings instead.",
            )
            .required()
            .force_new()
    } else {
        Attr::string()
            .describe(
                "The account whose settings these are: `me` (the default) for the account the \
                 credentials belong to, or a sub account's id (master accounts only).",
            )
            .force_new()
    };
    let mut body = Attr::object([]);
    body.properties.insert(kind.key_attribute().into(), key);
    for (name, attr) in &kind.body_schema().properties {
        body.properties.insert(name.clone(), attr.clone());
    }
    ResourceSchema::new(
        kind.type_name(),
        ResourceKind::Singleton,
        kind.description(),
        body,
    )
    .with_permissions(kind.permissions())
}

/// The configured key (`me` for an absent `account_id`): `Ok(None)` while it is unknown.
pub(crate) fn configured_key(kind: SettingsKind, config: &Value) -> ProviderResult<Option<String>> {
    let name = kind.key_attribute();
    match config.get(name).map(|v| v.unmark().0) {
        None | Some(Value::Null) if !kind.is_group() => Ok(Some(OWN_ACCOUNT.to_string())),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
        Some(Value::Unknown) => Ok(None),
        None | Some(Value::Null) => Err(ProviderError::new(
            ErrorKind::Invalid,
            format!("{}: `{name}` is required", kind.type_name()),
        )),
        Some(other) => Err(ProviderError::new(
            ErrorKind::Invalid,
            format!(
                "`{name}` must be a non-empty string, not {}",
                other.type_name()
            ),
        )),
    }
}

/// Whether the configuration manages anything in `section`, which a plain GET may leave out
/// (`security`) or never includes (`meeting_security`).
pub(crate) fn configures(config: &Value, section: &str) -> bool {
    config
        .get(section)
        .is_some_and(|v| !matches!(v.unmark().0, Value::Null))
}

/// Turns the GET answers (main shape, with `security` and `meeting_security` merged in when
/// read) into attributes in the configuration's shape.
/// `schema` is what to keep: the kind's whole body, or the part a read asks for.
pub(crate) fn live_to_attributes(
    kind: SettingsKind,
    live: &Json,
    key: &str,
    schema: &Attr,
) -> Value {
    // Only the account's answer is reshaped before projection; a group's is read as it is.
    let live = if kind == SettingsKind::Account {
        let mut live = live.clone();
        read_sso_bypass_ids(&mut live);
        std::borrow::Cow::Owned(live)
    } else {
        std::borrow::Cow::Borrowed(live)
    };
    with_key(kind, project_value(&live, schema), key)
}

/// Settings' attributes with the key they were read by (`group_id`, `account_id`).
pub(crate) fn with_key(kind: SettingsKind, mut attributes: Value, key: &str) -> Value {
    if let Value::Object(map) = &mut attributes {
        map.insert(
            kind.key_attribute().to_string(),
            Value::String(key.to_string()),
        );
    }
    attributes
}

fn read_sso_bypass_ids(live: &mut Json) {
    let Some(sso) = live
        .get_mut("security")
        .and_then(|s| s.get_mut("signin_with_sso"))
        .and_then(Json::as_object_mut)
    else {
        return;
    };
    let Some(users) = sso.get("sso_bypass_users").and_then(Json::as_array) else {
        return;
    };
    let mut ids: Vec<String> = users
        .iter()
        .filter_map(|u| u.get("id").and_then(Json::as_str))
        .map(str::to_string)
        .collect();
    ids.sort();
    ids.dedup();
    sso.insert(
        "sso_bypass_user_ids".into(),
        Json::Array(ids.into_iter().map(Json::String).collect()),
    );
}

/// The PATCH bodies that make settings match the configuration, one per shape; each `{}`
/// when nothing in it changes.
#[derive(Debug, PartialEq)]
pub(crate) struct PatchBodies {
    /// The plain PATCH.
    pub main: Json,
    /// `{"meeting_security": {...}}`.
    pub meeting_security: Json,
    /// `{"meeting_authentication": bool, "allow_authentication_exception": bool}`.
    pub meeting_authentication: Json,
}

/// The PATCH bodies making the settings match `desired`: only the attributes that change
/// (`changed_paths`, or those differing from `live`).
pub(crate) fn patch_bodies(
    kind: SettingsKind,
    desired: &Value,
    live: Option<&Value>,
    changed_paths: &[String],
) -> ProviderResult<PatchBodies> {
    let mut desired_json = desired.to_json().ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Invalid,
            format!(
                "{}: some settings are still unknown at apply time",
                kind.type_name()
            ),
        )
    })?;
    let key = kind.key_attribute();
    if let Json::Object(map) = &mut desired_json {
        map.shift_remove(key);
    }
    let desired_settings = Value::from_json(&desired_json);
    let paths: Vec<String> =
        paths_to_write(kind.body_schema(), &desired_settings, live, changed_paths)
            .into_iter()
            .filter(|p| p != key && !p.starts_with(&format!("{key}.")))
            .collect();
    let mut main = match strip_nulls(&pick_paths(&desired_json, &paths)) {
        Json::Object(map) => map,
        _ => Map::new(),
    };
    let meeting_security = main
        .shift_remove(MEETING_SECURITY)
        .map(|section| {
            Json::Object(
                [(MEETING_SECURITY.to_string(), section)]
                    .into_iter()
                    .collect(),
            )
        })
        .unwrap_or_else(|| Json::Object(Map::new()));
    let meeting_authentication = main
        .shift_remove(MEETING_AUTHENTICATION)
        .map(|block| authentication_to_api(&block))
        .unwrap_or_else(|| Json::Object(Map::new()));
    Ok(PatchBodies {
        main: Json::Object(main),
        meeting_security,
        meeting_authentication,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_generated_schema_is_compiled_in_and_parses() {
        assert!(
            GENERATED.is_some(),
            "schemas/providers/zoom.json does not parse"
        );
        for kind in SettingsKind::ALL {
            assert!(
                kind.body_schema().properties.len() > 3,
                "{} has no sections",
                kind.type_name()
            );
            assert!(
                kind.body_schema()
                    .at_path(&[MEETING_SECURITY, "waiting_room"])
                    .is_some(),
                "{} has a meeting_security block",
                kind.type_name()
            );
        }
    }

    #[test]
    fn settings_schema_has_sections_as_blocks_and_account_id() {
        let schema = resource_schema(SettingsKind::Account);
        assert_eq!(schema.kind, ResourceKind::Singleton);
        let account = schema.body.property(ACCOUNT_ID).unwrap();
        assert!(account.force_new && !account.required);
        for section in ["security", "in_meeting", "schedule_meeting", "recording"] {
            assert_eq!(
                schema.body.property(section).map(|a| a.ty),
                Some(AttrType::Object),
                "{section}"
            );
        }
        assert_eq!(schema.permissions.len(), 2);
    }

    #[test]
    fn group_settings_are_keyed_by_a_required_group_id() {
        for kind in [SettingsKind::Group, SettingsKind::GroupLocks] {
            let schema = resource_schema(kind);
            let group = schema.body.property(GROUP_ID).unwrap();
            assert!(group.required && group.force_new);
            assert!(schema.body.property(ACCOUNT_ID).is_none());
            assert!(schema.body.property("in_meeting").is_some());
            assert!(schema.body.property("security").is_none());
        }
        assert_eq!(
            SettingsKind::GroupLocks.path("g 1"),
            "/groups/g%201/lock_settings"
        );
        assert!(
            configured_key(SettingsKind::Group, &Value::object()).is_err(),
            "no group, no settings"
        );
    }

    #[test]
    fn read_only_fields_are_dropped_but_sso_bypass_ids_are_managed() {
        let schema = resource_schema(SettingsKind::Account).body;
        let sso = schema.at_path(&["security", "signin_with_sso"]).unwrap();
        assert!(sso.property("sso_bypass_users").is_none());
        assert!(sso.property("operation").is_none());
        let ids = sso.property("sso_bypass_user_ids").unwrap();
        assert!(ids.set && !ids.write_only && !ids.read_only);
        assert!(!ids.items.as_ref().unwrap().write_only);

        fn assert_no_read_only(attr: &Attr, path: &str) {
            assert!(!attr.read_only, "{path} is read-only");
            for (k, v) in &attr.properties {
                assert_no_read_only(v, &format!("{path}.{k}"));
            }
            if let Some(items) = &attr.items {
                assert_no_read_only(items, &format!("{path}[]"));
            }
        }
        for kind in SettingsKind::ALL {
            assert_no_read_only(&resource_schema(kind).body, kind.type_name());
        }
        // Read-only sections disappear entirely.
        assert!(schema.property("smart_recognition").is_none());
        assert!(
            schema
                .at_path(&[MEETING_SECURITY, "chat_etiquette_tool", "policy_max_count"])
                .is_none()
        );
    }

    #[test]
    fn lock_settings_schema_covers_its_own_sections() {
        let schema = resource_schema(SettingsKind::AccountLocks);
        assert_eq!(schema.type_name, "zoom_account_lock_settings");
        assert!(schema.body.property("in_meeting").is_some());
        assert!(schema.body.property("security").is_none());
        assert_eq!(
            SettingsKind::AccountLocks.meeting_security_write_option(),
            None
        );
        assert_eq!(
            SettingsKind::GroupLocks.meeting_security_write_option(),
            Some(MEETING_SECURITY)
        );
    }

    #[test]
    fn live_settings_map_to_the_configuration_shape() {
        let live = json!({
            "security": {"signin_with_sso": {"enable": true, "domains": ["example.com"],
                "sso_bypass_users": [{"id": "u2", "email": "b@example.com"}, {"id": "u1", "email": "a@example.com"}]}},
            "in_meeting": {"chat": true, "unchecked_data_center_regions": ["EU"]},
            "meeting_security": {"waiting_room": true, "chat_etiquette_tool": {"policy_max_count": 5}},
            "not_in_the_spec": {"x": 1}
        });
        let attributes = live_to_attributes(
            SettingsKind::Account,
            &live,
            "me",
            SettingsKind::Account.body_schema(),
        );
        let json = attributes.to_json().unwrap();
        assert_eq!(json["account_id"], "me");
        assert_eq!(
            json["security"]["signin_with_sso"],
            json!({"enable": true, "domains": ["example.com"], "sso_bypass_user_ids": ["u1", "u2"]})
        );
        assert_eq!(json["in_meeting"], json!({"chat": true}));
        assert_eq!(
            json["meeting_security"],
            json!({"waiting_room": true, "chat_etiquette_tool": {}})
        );
        assert!(json.get("not_in_the_spec").is_none());
        let group = live_to_attributes(
            SettingsKind::Group,
            &live,
            "g1",
            SettingsKind::Group.body_schema(),
        )
        .to_json()
        .unwrap();
        assert_eq!(group["group_id"], "g1");
        assert!(group.get("security").is_none());
    }

    fn config(json: Json) -> Value {
        Value::from_json(&json)
    }

    #[test]
    fn patch_bodies_hold_only_what_changes() {
        let desired = config(json!({
            "account_id": "me",
            "in_meeting": {"chat": false, "breakout_room": true},
            "security": {"signin_with_sso": {"enable": true, "sso_bypass_user_ids": ["u1", "u3"]}},
            "meeting_security": {"waiting_room": true},
            "meeting_authentication": {"enable": true, "allow_authentication_exception": false}
        }));
        let live = live_to_attributes(
            SettingsKind::Account,
            &json!({
                "in_meeting": {"chat": true, "breakout_room": true},
                "security": {"signin_with_sso": {"enable": true, "sso_bypass_users": [{"id": "u1"}]}},
                "meeting_security": {"waiting_room": false},
                "meeting_authentication": authentication_from_api(&json!({
                    "meeting_authentication": false,
                    "allow_authentication_exception": false,
                    "authentication_options": []
                }))
            }),
            "me",
            SettingsKind::Account.body_schema(),
        );
        let bodies = patch_bodies(SettingsKind::Account, &desired, Some(&live), &[]).unwrap();
        assert_eq!(
            bodies.meeting_authentication,
            json!({"meeting_authentication": true})
        );
        let (main, security) = (bodies.main, bodies.meeting_security);
        assert_eq!(
            main,
            json!({"in_meeting": {"chat": false},
                   "security": {"signin_with_sso": {"sso_bypass_user_ids": ["u1", "u3"]}}})
        );
        assert_eq!(
            security,
            json!({"meeting_security": {"waiting_room": true}})
        );

        // With the engine's changed paths, exactly those are sent.
        let bodies = patch_bodies(
            SettingsKind::Account,
            &desired,
            Some(&live),
            &["in_meeting.breakout_room".into()],
        )
        .unwrap();
        assert_eq!(bodies.main, json!({"in_meeting": {"breakout_room": true}}));
        assert_eq!(bodies.meeting_security, json!({}));
        assert_eq!(bodies.meeting_authentication, json!({}));

        // Nothing to change: empty bodies.
        let bodies = patch_bodies(SettingsKind::Account, &live, Some(&live), &[]).unwrap();
        assert_eq!(
            bodies,
            PatchBodies {
                main: json!({}),
                meeting_security: json!({}),
                meeting_authentication: json!({}),
            }
        );
    }

    #[test]
    fn unknown_values_cannot_be_written() {
        let mut desired = indexmap::IndexMap::new();
        desired.insert(
            "in_meeting".to_string(),
            Value::Object([("chat".to_string(), Value::Unknown)].into_iter().collect()),
        );
        let err =
            patch_bodies(SettingsKind::Account, &Value::Object(desired), None, &[]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Invalid);
    }

    #[test]
    fn account_ids_default_to_me_and_wait_while_unknown() {
        let kind = SettingsKind::Account;
        assert_eq!(
            configured_key(kind, &Value::object()).unwrap().as_deref(),
            Some("me")
        );
        let unknown = Value::Object(
            [(ACCOUNT_ID.to_string(), Value::Unknown)]
                .into_iter()
                .collect(),
        );
        assert_eq!(configured_key(kind, &unknown).unwrap(), None);
        assert_eq!(
            configured_key(kind, &config(json!({"account_id": "abc"})))
                .unwrap()
                .as_deref(),
            Some("abc")
        );
        assert!(configured_key(kind, &config(json!({"account_id": 5}))).is_err());
        assert_eq!(kind.path("a/b"), "/accounts/a%2Fb/settings");
    }
}
