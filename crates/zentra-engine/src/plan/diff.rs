//! Attribute-level diff of desired against live, by the schema's rules: only attributes
//! written in configuration are compared; sets ignore order and duplicates; strings flagged
//! case-insensitive ignore case; numbers compare by value. A clean apply is therefore always
//! followed by an empty plan.

use crate::plan::AttributeChange;
use crate::schema::{Attr, AttrType};
use crate::value::Value;

/// Compares `desired` (an object of configured attributes) with `live` (the object read from
/// the service, `None` when it does not exist) and returns the attributes that differ.
/// `last_applied` (from state) tells drift from configuration change.
pub fn diff_attributes(
    schema: &Attr,
    desired: &Value,
    live: Option<&Value>,
    last_applied: Option<&serde_json::Value>,
) -> Vec<AttributeChange> {
    let mut out = Vec::new();
    diff_object(schema, desired, live, last_applied, "", &mut out);
    out
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn diff_object(
    schema: &Attr,
    desired: &Value,
    live: Option<&Value>,
    last: Option<&serde_json::Value>,
    prefix: &str,
    out: &mut Vec<AttributeChange>,
) {
    let Some(map) = desired.as_object() else {
        return;
    };
    for (key, want) in map {
        let path = join(prefix, key);
        let attr = schema.properties.get(key);
        let have = live.and_then(|l| l.get(key));
        let last_v = last.and_then(|l| l.get(key));
        match attr {
            Some(a) if a.ty == AttrType::Object && matches!(want.unmark().0, Value::Object(_)) => {
                diff_object(a, want, have, last_v, &path, out);
            }
            _ => {
                let default_attr = Attr::new(AttrType::String);
                let a = attr.unwrap_or(&default_attr);
                if let Some(change) = diff_leaf(a, want, have, last_v, &path) {
                    out.push(change);
                }
            }
        }
    }
}

fn diff_leaf(
    attr: &Attr,
    want: &Value,
    have: Option<&Value>,
    last: Option<&serde_json::Value>,
    path: &str,
) -> Option<AttributeChange> {
    let sensitive = want.contains_sensitive() || attr.sensitive;
    let applied_matches = last.is_some_and(|l| {
        !want.contains_unknown() && values_match(attr, want, &Value::from_json(l))
    });
    let equal = match have {
        Some(h) => !want.contains_unknown() && values_match(attr, want, h),
        // A write-only attribute is never returned: trust what was last applied.
        None if attr.write_only => applied_matches,
        None => false,
    };
    if equal {
        return None;
    }
    let drift = applied_matches && have.is_some();
    Some(AttributeChange {
        path: path.to_string(),
        before: if sensitive {
            serde_json::Value::Null
        } else {
            have.map(Value::to_redacted_json).unwrap_or_default()
        },
        after: if sensitive {
            serde_json::Value::Null
        } else {
            want.to_redacted_json()
        },
        after_unknown: want.contains_unknown(),
        sensitive,
        drift,
        forces_replacement: attr.force_new,
        set: attr.set,
        case_insensitive: attr.case_insensitive
            || attr.items.as_deref().is_some_and(|i| i.case_insensitive),
        labels: Default::default(),
    })
}

/// Whether a live value satisfies a desired one under the attribute's comparison rules.
pub fn values_match(attr: &Attr, desired: &Value, live: &Value) -> bool {
    let (d, _) = desired.unmark();
    let (l, _) = live.unmark();
    match (d, l) {
        (Value::Unknown, _) | (_, Value::Unknown) => false,
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::String(a), Value::String(b)) => {
            if attr.case_insensitive {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        }
        (Value::List(a), Value::List(b)) => {
            let item_attr = attr
                .items
                .as_deref()
                .cloned()
                .unwrap_or_else(|| Attr::new(AttrType::String));
            if attr.set {
                let contains =
                    |xs: &[Value], y: &Value| xs.iter().any(|x| values_match(&item_attr, x, y));
                a.iter().all(|x| contains(b, x)) && b.iter().all(|y| contains(a, y))
            } else {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| values_match(&item_attr, x, y))
            }
        }
        (Value::Object(a), Value::Object(b)) => a.iter().all(|(k, v)| {
            let sub = attr
                .properties
                .get(k)
                .cloned()
                .unwrap_or_else(|| Attr::new(AttrType::String));
            b.get(k).is_some_and(|w| values_match(&sub, v, w))
        }),
        (Value::String(s), Value::Number(n)) | (Value::Number(n), Value::String(s)) => {
            s == &n.to_string()
        }
        _ => d == l,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Attr {
        let mut domains = Attr::string_set();
        domains.items = Some(Box::new(Attr::string().case_insensitive()));
        Attr::object([
            (
                "security",
                Attr::object([(
                    "signin_with_sso",
                    Attr::object([("enable", Attr::bool()), ("domains", domains)]),
                )]),
            ),
            ("name", Attr::string()),
            ("app_id", Attr::string().force_new()),
            ("secret", Attr::string().sensitive()),
        ])
    }

    fn v(j: serde_json::Value) -> Value {
        Value::from_json(&j)
    }

    #[test]
    fn only_configured_attributes_are_compared() {
        let desired = v(json!({"security": {"signin_with_sso": {"enable": true}}}));
        let live = v(
            json!({"security": {"signin_with_sso": {"enable": true, "domains": ["x.com"]}}, "name": "n"}),
        );
        assert!(diff_attributes(&schema(), &desired, Some(&live), None).is_empty());
    }

    #[test]
    fn sets_ignore_order_duplicates_and_case_where_flagged() {
        let desired =
            v(json!({"security": {"signin_with_sso": {"domains": ["B.com", "a.com", "a.com"]}}}));
        let live = v(json!({"security": {"signin_with_sso": {"domains": ["a.com", "b.com"]}}}));
        assert!(diff_attributes(&schema(), &desired, Some(&live), None).is_empty());
        let live = v(json!({"security": {"signin_with_sso": {"domains": ["a.com"]}}}));
        let changes = diff_attributes(&schema(), &desired, Some(&live), None);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path, "security.signin_with_sso.domains");
        assert!(
            changes[0].set && changes[0].case_insensitive,
            "the change says how its elements compare"
        );
    }

    #[test]
    fn drift_is_told_apart_from_configuration_change() {
        let desired = v(json!({"name": "new"}));
        let live = v(json!({"name": "old"}));
        let c = diff_attributes(
            &schema(),
            &desired,
            Some(&live),
            Some(&json!({"name": "new"})),
        );
        assert!(c[0].drift, "configuration unchanged since apply: drift");
        let c = diff_attributes(
            &schema(),
            &desired,
            Some(&live),
            Some(&json!({"name": "old"})),
        );
        assert!(!c[0].drift, "configuration changed: not drift");
    }

    #[test]
    fn sensitive_and_unknown_values_are_withheld() {
        let mut m = indexmap::IndexMap::new();
        m.insert("secret".to_string(), Value::str("hunter2").mark_sensitive());
        m.insert("app_id".to_string(), Value::Unknown);
        let desired = Value::Object(m);
        let live = v(json!({"secret": "old-secret", "app_id": "x"}));
        let changes = diff_attributes(&schema(), &desired, Some(&live), None);
        let text = serde_json::to_string(&changes).unwrap();
        assert!(
            !text.contains("hunter2") && !text.contains("old-secret"),
            "{text}"
        );
        let app = changes.iter().find(|c| c.path == "app_id").unwrap();
        assert!(app.after_unknown && app.forces_replacement);
    }
}
