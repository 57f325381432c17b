//! Zoom's account and group settings and lock settings schemas, from the generated
//! `schemas/providers/zoom.json` (GET and PATCH shapes merged; `read_only` fields are GET-only,
//! `write_only` fields PATCH-only), and what the emulator derives from them: the default value
//! of every readable field, and validation of PATCH bodies with Zoom's field paths.

use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use zentra_schema::{Attr, AttrType, ProviderSchemaFile};

struct ZoomSchemas {
    settings: Attr,
    settings_meeting_security: Attr,
    lock_settings: Attr,
    lock_settings_meeting_security: Attr,
    group_settings: Attr,
    group_settings_meeting_security: Attr,
    group_lock_settings: Attr,
    group_lock_settings_meeting_security: Attr,
}

static SCHEMAS: LazyLock<ZoomSchemas> = LazyLock::new(|| {
    let file: Option<ProviderSchemaFile> =
        serde_json::from_str(zentra_schema::data::ZOOM_PROVIDER_SCHEMA).ok();
    let object = |name: &str| -> Attr {
        file.as_ref()
            .and_then(|f| f.objects.get(name).cloned())
            .unwrap_or_else(|| Attr::new(AttrType::Object))
    };
    let inner = |name: &str| -> Attr {
        object(name)
            .properties
            .get("meeting_security")
            .cloned()
            .unwrap_or_else(|| Attr::new(AttrType::Object))
    };
    ZoomSchemas {
        settings: object("account_settings"),
        settings_meeting_security: inner("account_settings_meeting_security"),
        lock_settings: object("account_lock_settings"),
        lock_settings_meeting_security: inner("account_lock_settings_meeting_security"),
        group_settings: object("group_settings"),
        group_settings_meeting_security: inner("group_settings_meeting_security"),
        group_lock_settings: object("group_lock_settings"),
        group_lock_settings_meeting_security: inner("group_lock_settings_meeting_security"),
    }
});

/// Where a settings document keeps the switches of the `meeting_authentication` and
/// `recording_authentication` options (not part of the main shape).
pub(crate) const AUTHENTICATION: &str = "authentication";

/// The switches the authentication options read and write.
static AUTHENTICATION_SCHEMA: LazyLock<Attr> = LazyLock::new(|| {
    Attr::object([
        ("meeting_authentication", Attr::bool()),
        ("allow_authentication_exception", Attr::bool()),
        ("recording_authentication", Attr::bool()),
    ])
});

/// The schema of the authentication switches of account and group settings.
pub(crate) fn authentication_schema() -> &'static Attr {
    &AUTHENTICATION_SCHEMA
}

/// Which stored document a request addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Document {
    Settings,
    LockSettings,
    GroupSettings,
    GroupLockSettings,
}

impl Document {
    /// The `option` values a GET of the document accepts.
    pub(crate) fn read_options(self) -> &'static [&'static str] {
        match self {
            Document::Settings => &[
                "meeting_authentication",
                "recording_authentication",
                "security",
                "meeting_security",
            ],
            Document::GroupSettings => &[
                "meeting_authentication",
                "recording_authentication",
                "meeting_security",
            ],
            Document::LockSettings | Document::GroupLockSettings => &["meeting_security"],
        }
    }

    /// The `option` values a PATCH of the document accepts (account lock settings take none:
    /// their `meeting_security` branch is told apart by the body alone).
    pub(crate) fn write_options(self) -> &'static [&'static str] {
        match self {
            Document::LockSettings => &[],
            other => other.read_options(),
        }
    }
}

/// The schema of the main shape of a document (every section except `meeting_security`).
pub(crate) fn main_schema(doc: Document) -> &'static Attr {
    match doc {
        Document::Settings => &SCHEMAS.settings,
        Document::LockSettings => &SCHEMAS.lock_settings,
        Document::GroupSettings => &SCHEMAS.group_settings,
        Document::GroupLockSettings => &SCHEMAS.group_lock_settings,
    }
}

/// The schema of the `meeting_security` section of a document.
pub(crate) fn meeting_security_schema(doc: Document) -> &'static Attr {
    match doc {
        Document::Settings => &SCHEMAS.settings_meeting_security,
        Document::LockSettings => &SCHEMAS.lock_settings_meeting_security,
        Document::GroupSettings => &SCHEMAS.group_settings_meeting_security,
        Document::GroupLockSettings => &SCHEMAS.group_lock_settings_meeting_security,
    }
}

/// A plausible value for a field nobody set: false, the first enum value, the minimum, an
/// empty list or string; objects get every readable member.
fn default_value(attr: &Attr) -> Option<Value> {
    if attr.write_only {
        return None;
    }
    if let Some(first) = attr.enum_values.first()
        && !matches!(attr.ty, AttrType::Array | AttrType::Object)
    {
        return Some(first.clone());
    }
    Some(match attr.ty {
        AttrType::Boolean => Value::Bool(false),
        AttrType::Integer => json!(attr.minimum.map(|m| m as i64).unwrap_or(0)),
        AttrType::Number => json!(attr.minimum.unwrap_or(0.0)),
        AttrType::String => Value::String(String::new()),
        AttrType::Array => Value::Array(Vec::new()),
        AttrType::Object => Value::Object(default_object(attr)),
    })
}

fn default_object(attr: &Attr) -> Map<String, Value> {
    attr.properties
        .iter()
        .filter_map(|(name, member)| Some((name.clone(), default_value(member)?)))
        .collect()
}

/// Every readable field of a document with its default, plus `meeting_security`.
pub(crate) fn defaults(doc: Document) -> Map<String, Value> {
    let mut out = default_object(main_schema(doc));
    out.insert(
        "meeting_security".into(),
        Value::Object(default_object(meeting_security_schema(doc))),
    );
    if doc.read_options().contains(&"meeting_authentication") {
        out.insert(
            AUTHENTICATION.into(),
            Value::Object(default_object(authentication_schema())),
        );
    }
    out
}

/// Every readable account setting with its default, plus `meeting_security`.
pub(crate) fn default_settings() -> Map<String, Value> {
    defaults(Document::Settings)
}

/// Every lock setting unlocked, plus `meeting_security`.
pub(crate) fn default_lock_settings() -> Map<String, Value> {
    defaults(Document::LockSettings)
}

/// One rejected field of a PATCH body: Zoom's dotted path.
pub(crate) type FieldError = String;

/// Which way a value travels, deciding whether `read_only` or `write_only` fields are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    /// A PATCH body: read-only fields are refused.
    Write,
    /// Stored (GET-shaped) settings, as a seed gives them: write-only fields are refused.
    Read,
}

/// Checks a PATCH value against a schema: unknown and read-only fields, types, enums, bounds.
/// Errors are collected (Zoom reports every invalid field), as dotted field paths.
pub(crate) fn validate_patch(attr: &Attr, value: &Value, path: &str, errors: &mut Vec<FieldError>) {
    validate(attr, value, path, errors, Direction::Write)
}

/// Checks stored settings (a seed's overrides, GET shape plus `meeting_security`) against a
/// document's schemas.
pub(crate) fn validate_stored(doc: Document, value: &Map<String, Value>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (key, member) in value {
        let schema = if key == "meeting_security" {
            Some(meeting_security_schema(doc))
        } else if key == AUTHENTICATION && doc.read_options().contains(&"meeting_authentication") {
            Some(authentication_schema())
        } else {
            main_schema(doc).properties.get(key)
        };
        match schema {
            Some(schema) => validate(schema, member, key, &mut errors, Direction::Read),
            None => errors.push(key.clone()),
        }
    }
    errors
}

fn validate(
    attr: &Attr,
    value: &Value,
    path: &str,
    errors: &mut Vec<FieldError>,
    direction: Direction,
) {
    let field = |name: &str| {
        if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    match (attr.ty, value) {
        (AttrType::Object, Value::Object(map)) => {
            for (name, member_value) in map {
                let allowed = |m: &Attr| match direction {
                    Direction::Write => !m.read_only,
                    Direction::Read => !m.write_only,
                };
                match attr.properties.get(name) {
                    Some(member) if allowed(member) => {
                        validate(member, member_value, &field(name), errors, direction)
                    }
                    _ => errors.push(field(name)),
                }
            }
        }
        (AttrType::Array, Value::Array(items)) => {
            if attr.max_items.is_some_and(|max| items.len() as u64 > max) {
                errors.push(path.to_string());
                return;
            }
            if let Some(item_attr) = attr.items.as_deref() {
                for item in items {
                    let before = errors.len();
                    validate(item_attr, item, path, errors, direction);
                    if errors.len() > before {
                        break;
                    }
                }
            }
        }
        (AttrType::Boolean, Value::Bool(_)) => {}
        (AttrType::String, Value::String(_))
        | (AttrType::Integer, Value::Number(_))
        | (AttrType::Number, Value::Number(_)) => {
            let integer_ok = attr.ty != AttrType::Integer || value.as_i64().is_some();
            let enum_ok =
                attr.enum_values.is_empty() || attr.enum_values.iter().any(|e| e == value);
            let n = value.as_f64();
            let min_ok = match (attr.minimum, n) {
                (Some(min), Some(n)) => n >= min,
                _ => true,
            };
            let max_ok = match (attr.maximum, n) {
                (Some(max), Some(n)) => n <= max,
                _ => true,
            };
            let length = value.as_str().map(|s| s.chars().count() as u64);
            let length_ok = length.is_none_or(|length| {
                attr.min_length.is_none_or(|min| length >= min)
                    && attr.max_length.is_none_or(|max| length <= max)
            });
            if !(integer_ok && enum_ok && min_ok && max_ok && length_ok) {
                errors.push(path.to_string());
            }
        }
        _ => errors.push(path.to_string()),
    }
}

/// Whether a stored (GET-shaped) value fits the schema: known members, right types, enums
/// and bounds.
pub(crate) fn fits(attr: &Attr, value: &Value) -> bool {
    let mut errors = Vec::new();
    validate(attr, value, "", &mut errors, Direction::Read);
    errors.is_empty()
}

/// Deep-merges a validated PATCH into stored settings, dropping write-only fields (they are
/// accepted but never returned).
pub(crate) fn merge_readable(
    attr: &Attr,
    target: &mut Map<String, Value>,
    patch: &Map<String, Value>,
) {
    for (name, value) in patch {
        let member = attr.properties.get(name);
        if member.is_some_and(|m| m.write_only) {
            continue;
        }
        match (target.get_mut(name), value, member) {
            (Some(Value::Object(existing)), Value::Object(incoming), Some(m)) => {
                merge_readable(m, existing, incoming)
            }
            (_, value, Some(m)) => {
                target.insert(name.clone(), normalized(m, value));
            }
            _ => {
                target.insert(name.clone(), value.clone());
            }
        }
    }
}

/// A value as stored: strings the schema compares without regard to case (domain names) are
/// kept lower-cased, so clients meet values that come back in another case than written.
fn normalized(attr: &Attr, value: &Value) -> Value {
    match value {
        Value::String(s) if attr.case_insensitive => Value::String(s.to_lowercase()),
        Value::Array(items) => match attr.items.as_deref() {
            Some(item) => Value::Array(items.iter().map(|v| normalized(item, v)).collect()),
            None => value.clone(),
        },
        _ => value.clone(),
    }
}

/// `custom_query_fields`: keeps, at any depth, the members whose names are listed (with their
/// whole subtree), and the objects leading to them.
pub(crate) fn filter_fields(document: &Map<String, Value>, names: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in document {
        if names.contains(&key.as_str()) {
            out.insert(key.clone(), value.clone());
        } else if let Value::Object(inner) = value {
            let kept = filter_fields(inner, names);
            if !kept.is_empty() {
                out.insert(key.clone(), Value::Object(kept));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_schemas_are_loaded() {
        let settings = main_schema(Document::Settings);
        assert!(settings.properties.contains_key("security"));
        assert!(settings.properties.contains_key("schedule_meeting"));
        assert!(
            !meeting_security_schema(Document::Settings)
                .properties
                .is_empty()
        );
        assert!(
            main_schema(Document::LockSettings)
                .properties
                .contains_key("in_meeting")
        );
        assert!(
            !meeting_security_schema(Document::LockSettings)
                .properties
                .is_empty()
        );
    }

    #[test]
    fn defaults_cover_every_readable_field_and_no_write_only_one() {
        fn check(attr: &Attr, value: &Value, path: &str) {
            if let (AttrType::Object, Value::Object(map)) = (attr.ty, value) {
                for (name, member) in &attr.properties {
                    let here = format!("{path}.{name}");
                    match map.get(name) {
                        Some(v) => {
                            assert!(!member.write_only, "{here} is write-only");
                            check(member, v, &here);
                        }
                        None => assert!(member.write_only, "{here} has no default"),
                    }
                }
            }
        }
        let defaults = default_settings();
        check(
            main_schema(Document::Settings),
            &Value::Object(defaults.clone()),
            "",
        );
        let sso = &defaults["security"]["signin_with_sso"];
        assert_eq!(sso["enable"], json!(false));
        assert_eq!(sso["sso_bypass_users"], json!([]));
        assert!(sso.get("sso_bypass_user_ids").is_none());
        assert_eq!(
            defaults["security"]["password_requirement"]["minimum_password_length"],
            json!(8)
        );
        let locks = default_lock_settings();
        assert_eq!(locks["in_meeting"]["breakout_room"], json!(false));
        assert!(locks.contains_key("meeting_security"));
    }

    #[test]
    fn patch_validation_reports_zoom_field_paths() {
        let schema = main_schema(Document::Settings);
        let body = json!({
            "security": {"signin_with_sso": {"enabel": true, "enable": "yes"}},
            "schedule_meeting": {"host_video": false},
            "nonsense": {}
        });
        let mut errors = Vec::new();
        validate_patch(schema, &body, "", &mut errors);
        errors.sort();
        assert_eq!(
            errors,
            vec![
                "nonsense".to_string(),
                "security.signin_with_sso.enabel".to_string(),
                "security.signin_with_sso.enable".to_string(),
            ]
        );
    }

    #[test]
    fn patch_validation_checks_enums_bounds_and_read_only() {
        let schema = main_schema(Document::Settings);
        for (body, field) in [
            (
                json!({"security": {"password_requirement": {"minimum_password_length": 20}}}),
                "security.password_requirement.minimum_password_length",
            ),
            (
                json!({"security": {"signin_with_sso": {"operation": "replace"}}}),
                "security.signin_with_sso.operation",
            ),
            (
                json!({"security": {"signin_with_sso": {"sso_bypass_users": []}}}),
                "security.signin_with_sso.sso_bypass_users",
            ),
            (
                json!({"security": {"signin_with_sso": {"sso_bypass_user_ids": [1]}}}),
                "security.signin_with_sso.sso_bypass_user_ids",
            ),
            (
                json!({"schedule_meeting": {"host_video": null}}),
                "schedule_meeting.host_video",
            ),
            (
                json!({"audio_conferencing": {"toll_call": {"numbers": [{"number": "1".repeat(31)}]}}}),
                "audio_conferencing.toll_call.numbers.number",
            ),
        ] {
            let mut errors = Vec::new();
            validate_patch(schema, &body, "", &mut errors);
            assert_eq!(errors, vec![field.to_string()], "{body}");
        }
        let mut errors = Vec::new();
        validate_patch(
            schema,
            &json!({"security": {"signin_with_sso": {"sso_bypass_user_ids": ["a"], "operation": "add"}}}),
            "",
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn stored_settings_validation_allows_read_only_and_refuses_write_only() {
        let good = json!({
            "security": {"signin_with_sso": {"sso_bypass_users": [{"id": "a", "email": "a@b"}]}},
            "meeting_security": {"waiting_room": true}
        });
        let Value::Object(good) = good else {
            unreachable!()
        };
        assert!(validate_stored(Document::Settings, &good).is_empty());
        let bad = json!({
            "security": {"signin_with_sso": {"sso_bypass_user_ids": ["a"]}},
            "meeting_security": {"waiting_rom": true},
            "nope": 1
        });
        let Value::Object(bad) = bad else {
            unreachable!()
        };
        let mut errors = validate_stored(Document::Settings, &bad);
        errors.sort();
        assert_eq!(
            errors,
            vec![
                "meeting_security.waiting_rom".to_string(),
                "nope".to_string(),
                "security.signin_with_sso.sso_bypass_user_ids".to_string()
            ]
        );
    }

    #[test]
    fn domain_names_are_stored_lower_cased() {
        let schema = main_schema(Document::Settings);
        let mut stored = default_settings();
        let patch = json!({"security": {"signin_with_sso": {"domains": ["Contoso.COM"]}},
                           "schedule_meeting": {"enforce_login_domains": "A.example,B.Example"}});
        if let Value::Object(p) = patch {
            merge_readable(schema, &mut stored, &p);
        }
        assert_eq!(
            stored["security"]["signin_with_sso"]["domains"],
            json!(["contoso.com"])
        );
        assert_eq!(
            stored["schedule_meeting"]["enforce_login_domains"],
            "a.example,b.example"
        );
    }

    #[test]
    fn merge_drops_write_only_fields() {
        let schema = main_schema(Document::Settings);
        let mut stored = default_settings();
        let patch = json!({"security": {"signin_with_sso": {"enable": true, "operation": "add"}}});
        if let Value::Object(p) = patch {
            merge_readable(schema, &mut stored, &p);
        }
        assert_eq!(stored["security"]["signin_with_sso"]["enable"], json!(true));
        assert!(
            stored["security"]["signin_with_sso"]
                .get("operation")
                .is_none()
        );
    }

    #[test]
    fn custom_query_fields_keep_matching_members_at_any_depth() {
        let doc = json!({
            "schedule_meeting": {"host_video": false, "participant_video": true},
            "in_meeting": {"chat": true},
            "recording": {"x": {"host_video": true}}
        });
        let Value::Object(doc) = doc else {
            unreachable!()
        };
        let kept = filter_fields(&doc, &["host_video", "in_meeting"]);
        assert_eq!(
            Value::Object(kept),
            json!({
                "schedule_meeting": {"host_video": false},
                "in_meeting": {"chat": true},
                "recording": {"x": {"host_video": true}}
            })
        );
    }
}
