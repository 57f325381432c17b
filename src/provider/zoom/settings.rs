//! `zoom_account_settings` and `zoom_account_lock_settings`: singletons over
//! `GET/PATCH /accounts/{accountId}/settings` and `/lock_settings`.
//!
//! The attribute tree is Zoom's own, generated from its OpenAPI files into
//! `schemas/providers/zoom.json`. Fields Zoom only returns are dropped from the resource
//! (nothing could change them), except where a read/write mapping makes them manageable:
//! `security.signin_with_sso.sso_bypass_user_ids` is read from GET's `sso_bypass_users[].id`
//! and written as `sso_bypass_user_ids` without `operation`, which overwrites the list.

use std::sync::LazyLock;

use serde_json::{Map, Value as Json};

use crate::client::encode_segment;
use crate::provider::paths::{paths_to_write, pick_paths, project, strip_nulls};
use crate::provider::{ErrorKind, ProviderError, ProviderResult};
use crate::schema::{Attr, AttrType, ProviderSchemaFile, ResourceKind, ResourceSchema};
use crate::value::Value;

/// The attribute naming the account; `me` is the credentials' own account.
pub(crate) const ACCOUNT_ID: &str = "account_id";
/// What an absent `account_id` stands for.
pub(crate) const OWN_ACCOUNT: &str = "me";

/// The two settings singletons, which differ only in endpoint and schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SettingsKind {
    Settings,
    LockSettings,
}

impl SettingsKind {
    pub(crate) const ALL: [SettingsKind; 2] = [SettingsKind::Settings, SettingsKind::LockSettings];

    pub(crate) fn from_type_name(name: &str) -> Option<Self> {
        SettingsKind::ALL
            .into_iter()
            .find(|k| k.type_name() == name)
    }

    pub(crate) fn type_name(self) -> &'static str {
        match self {
            SettingsKind::Settings => "zoom_account_settings",
            SettingsKind::LockSettings => "zoom_account_lock_settings",
        }
    }

    /// The object of `schemas/providers/zoom.json` describing the body.
    fn schema_object(self) -> &'static str {
        match self {
            SettingsKind::Settings => "account_settings",
            SettingsKind::LockSettings => "account_lock_settings",
        }
    }

    /// The request path for `account` (`me` or an account id).
    pub(crate) fn path(self, account: &str) -> String {
        let endpoint = match self {
            SettingsKind::Settings => "settings",
            SettingsKind::LockSettings => "lock_settings",
        };
        format!("/accounts/{}/{endpoint}", encode_segment(account))
    }

    fn description(self) -> &'static str {
        match self {
            SettingsKind::Settings => {
                "Account-level Zoom settings (GET/PATCH /accounts/{accountId}/settings). \
                 Only the settings written in configuration are managed."
            }
            SettingsKind::LockSettings => {
                "Account-level Zoom lock settings (GET/PATCH /accounts/{accountId}/lock_settings): \
                 `true` locks a setting for every group and user. Only the settings written in \
                 configuration are managed."
            }
        }
    }

    /// The managed attribute tree of the settings body (without `account_id`).
    pub(crate) fn body_schema(self) -> &'static Attr {
        match self {
            SettingsKind::Settings => &SETTINGS_BODY,
            SettingsKind::LockSettings => &LOCK_SETTINGS_BODY,
        }
    }
}

static GENERATED: LazyLock<Option<ProviderSchemaFile>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../schemas/providers/zoom.json")).ok()
});

static SETTINGS_BODY: LazyLock<Attr> = LazyLock::new(|| managed_body(SettingsKind::Settings));
static LOCK_SETTINGS_BODY: LazyLock<Attr> =
    LazyLock::new(|| managed_body(SettingsKind::LockSettings));

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
    if kind == SettingsKind::Settings {
        map_sso_bypass_users(&mut body);
    }
    manageable(&body).unwrap_or_else(|| Attr::new(AttrType::Object))
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

/// The resource schema: `account_id` plus every manageable section as a nested block.
pub(crate) fn resource_schema(kind: SettingsKind) -> ResourceSchema {
    let mut body = Attr::object([(
        ACCOUNT_ID,
        Attr::string()
            .describe(
                "The account whose settings these are: `me` (the default) for the account the \
                 credentials belong to, or a sub account's id.",
            )
            .force_new(),
    )]);
    for (name, attr) in &kind.body_schema().properties {
        body.properties.insert(name.clone(), attr.clone());
    }
    ResourceSchema::new(
        kind.type_name(),
        ResourceKind::Singleton,
        kind.description(),
        body,
    )
}

/// The configured account (`me` when absent): `Ok(None)` while it is unknown.
pub(crate) fn configured_account(config: &Value) -> ProviderResult<Option<String>> {
    match config.get(ACCOUNT_ID).map(|v| v.unmark().0) {
        None | Some(Value::Null) => Ok(Some(OWN_ACCOUNT.to_string())),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
        Some(Value::Unknown) => Ok(None),
        Some(other) => Err(ProviderError::new(
            ErrorKind::Invalid,
            format!(
                "`account_id` must be a non-empty string, not {}",
                other.type_name()
            ),
        )),
    }
}

/// Whether the configuration manages anything in the `security` section, which a plain GET
/// may leave out.
pub(crate) fn configures_security(config: &Value) -> bool {
    config
        .get("security")
        .is_some_and(|v| !matches!(v.unmark().0, Value::Null))
}

/// Turns a GET answer into attributes in the configuration's shape.
pub(crate) fn live_to_attributes(kind: SettingsKind, live: &Json, account: &str) -> Value {
    let mut live = live.clone();
    if kind == SettingsKind::Settings {
        read_sso_bypass_ids(&mut live);
    }
    let mut attributes = project(&live, kind.body_schema());
    if let Json::Object(map) = &mut attributes {
        map.insert(ACCOUNT_ID.to_string(), Json::String(account.to_string()));
    }
    Value::from_json(&attributes)
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

/// The PATCH body making the account match `desired`: only the attributes that change
/// (`changed_paths`, or those differing from `live`). `{}` when nothing does.
pub(crate) fn patch_body(
    kind: SettingsKind,
    desired: &Value,
    live: Option<&Value>,
    changed_paths: &[String],
) -> ProviderResult<Json> {
    let mut desired_json = desired.to_json().ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Invalid,
            format!(
                "{}: some settings are still unknown at apply time",
                kind.type_name()
            ),
        )
    })?;
    if let Json::Object(map) = &mut desired_json {
        map.shift_remove(ACCOUNT_ID);
    }
    let desired_settings = Value::from_json(&desired_json);
    let paths: Vec<String> =
        paths_to_write(kind.body_schema(), &desired_settings, live, changed_paths)
            .into_iter()
            .filter(|p| p != ACCOUNT_ID && !p.starts_with("account_id."))
            .collect();
    let body = strip_nulls(&pick_paths(&desired_json, &paths));
    Ok(match body {
        Json::Object(map) => Json::Object(map),
        _ => Json::Object(Map::new()),
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
                !kind.body_schema().properties.is_empty(),
                "{} has no sections",
                kind.type_name()
            );
        }
    }

    #[test]
    fn settings_schema_has_sections_as_blocks_and_account_id() {
        let schema = resource_schema(SettingsKind::Settings);
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
    }

    #[test]
    fn read_only_fields_are_dropped_but_sso_bypass_ids_are_managed() {
        let schema = resource_schema(SettingsKind::Settings).body;
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
        assert_no_read_only(&schema, "");
        // Read-only sections disappear entirely.
        assert!(schema.property("smart_recognition").is_none());
    }

    #[test]
    fn lock_settings_schema_covers_its_own_sections() {
        let schema = resource_schema(SettingsKind::LockSettings);
        assert_eq!(schema.type_name, "zoom_account_lock_settings");
        assert!(schema.body.property("in_meeting").is_some());
        assert!(schema.body.property("security").is_none());
    }

    #[test]
    fn live_settings_map_to_the_configuration_shape() {
        let live = json!({
            "security": {"signin_with_sso": {"enable": true, "domains": ["example.com"],
                "sso_bypass_users": [{"id": "u2", "email": "b@example.com"}, {"id": "u1", "email": "a@example.com"}]}},
            "in_meeting": {"chat": true, "unchecked_data_center_regions": ["EU"]},
            "not_in_the_spec": {"x": 1}
        });
        let attributes = live_to_attributes(SettingsKind::Settings, &live, "me");
        let json = attributes.to_json().unwrap();
        assert_eq!(json["account_id"], "me");
        assert_eq!(
            json["security"]["signin_with_sso"],
            json!({"enable": true, "domains": ["example.com"], "sso_bypass_user_ids": ["u1", "u2"]})
        );
        assert_eq!(json["in_meeting"], json!({"chat": true}));
        assert!(json.get("not_in_the_spec").is_none());
    }

    fn config(json: Json) -> Value {
        Value::from_json(&json)
    }

    #[test]
    fn patch_bodies_hold_only_what_changes() {
        let desired = config(json!({
            "account_id": "me",
            "in_meeting": {"chat": false, "breakout_room": true},
            "security": {"signin_with_sso": {"enable": true, "sso_bypass_user_ids": ["u1", "u3"]}}
        }));
        let live = live_to_attributes(
            SettingsKind::Settings,
            &json!({
                "in_meeting": {"chat": true, "breakout_room": true},
                "security": {"signin_with_sso": {"enable": true, "sso_bypass_users": [{"id": "u1"}]}}
            }),
            "me",
        );
        let body = patch_body(SettingsKind::Settings, &desired, Some(&live), &[]).unwrap();
        assert_eq!(
            body,
            json!({"in_meeting": {"chat": false},
                   "security": {"signin_with_sso": {"sso_bypass_user_ids": ["u1", "u3"]}}})
        );
        assert!(
            body.pointer("/security/signin_with_sso/operation")
                .is_none()
        );

        // With the engine's changed paths, exactly those are sent.
        let body = patch_body(
            SettingsKind::Settings,
            &desired,
            Some(&live),
            &["in_meeting.breakout_room".into()],
        )
        .unwrap();
        assert_eq!(body, json!({"in_meeting": {"breakout_room": true}}));

        // Nothing to change: an empty body.
        let same = patch_body(SettingsKind::Settings, &live, Some(&live), &[]).unwrap();
        assert_eq!(same, json!({}));
    }

    #[test]
    fn unknown_values_cannot_be_written() {
        let mut desired = indexmap::IndexMap::new();
        desired.insert(
            "in_meeting".to_string(),
            Value::Object([("chat".to_string(), Value::Unknown)].into_iter().collect()),
        );
        let err =
            patch_body(SettingsKind::Settings, &Value::Object(desired), None, &[]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Invalid);
    }

    #[test]
    fn account_ids_default_to_me_and_wait_while_unknown() {
        assert_eq!(
            configured_account(&Value::object()).unwrap().as_deref(),
            Some("me")
        );
        let unknown = config(json!({})).as_object().cloned().map(|mut m| {
            m.insert(ACCOUNT_ID.into(), Value::Unknown);
            Value::Object(m)
        });
        assert_eq!(configured_account(&unknown.unwrap()).unwrap(), None);
        assert_eq!(
            configured_account(&config(json!({"account_id": "abc"})))
                .unwrap()
                .as_deref(),
            Some("abc")
        );
        assert!(configured_account(&config(json!({"account_id": 5}))).is_err());
        assert_eq!(
            SettingsKind::Settings.path("a/b"),
            "/accounts/a%2Fb/settings"
        );
    }
}
