//! Fingerprints of the live values a plan was computed from, one per resource and attribute,
//! so that `zentra apply PLANFILE` refuses a plan only when something it manages changed (not
//! when an unrelated setting of the same account did), and can say what changed.
//!
//! A managed resource is fingerprinted by its object's id and by each attribute its
//! configuration writes, as the service reports it; a data source by everything it read.
//! Sensitive values are left out: a per-value hash of a short secret could be guessed, and the
//! plan never showed them anyway (a sensitive value that starts or stops matching still
//! changes the planned changes, which apply compares too).

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::provider::RemoteObject;
use crate::schema::{Attr, AttrType};
use crate::value::Value;

/// Fingerprints by resource address, then attribute path.
pub type LiveFingerprints = BTreeMap<String, BTreeMap<String, String>>;

/// The key under which the identity of a resource's object is fingerprinted.
pub const OBJECT: &str = "id";

/// The fingerprints of a managed resource: the id of the object found (or its absence), and
/// the live value of each attribute the configuration writes.
pub fn managed(
    schema: &Attr,
    desired: &Value,
    live: Option<&RemoteObject>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert(OBJECT.to_string(), object_digest(live));
    walk(schema, desired, live.map(|o| &o.attributes), "", &mut out);
    out
}

/// The fingerprints of a data source: the id of the object found, and every attribute read.
pub fn read(schema: &Attr, live: Option<&RemoteObject>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert(OBJECT.to_string(), object_digest(live));
    if let Some(map) = live.and_then(|o| o.attributes.as_object()) {
        for (key, value) in map {
            let attr = schema.properties.get(key);
            if key == OBJECT || value.contains_sensitive() || attr.is_some_and(|a| a.sensitive) {
                continue;
            }
            out.insert(key.clone(), value_digest(attr, Some(value)));
        }
    }
    out
}

/// The fingerprint of an object that is only identified (one removed from configuration).
pub fn identity(live: Option<&RemoteObject>) -> BTreeMap<String, String> {
    BTreeMap::from([(OBJECT.to_string(), object_digest(live))])
}

/// The `(address, path)` pairs whose fingerprints differ between a saved plan and a fresh one.
/// Only what both recorded is compared: what the configuration added or dropped is a change of
/// configuration, which the configuration fingerprint reports.
pub fn changed(saved: &LiveFingerprints, fresh: &LiveFingerprints) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (address, then) in saved {
        let Some(now) = fresh.get(address) else {
            continue;
        };
        for (path, digest) in then {
            if now.get(path).is_some_and(|d| d != digest) {
                out.push((address.clone(), path.clone()));
            }
        }
    }
    out
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Follows the configuration the way the diff does: into blocks, down to the attributes.
fn walk(
    schema: &Attr,
    desired: &Value,
    live: Option<&Value>,
    prefix: &str,
    out: &mut BTreeMap<String, String>,
) {
    let Some(map) = desired.as_object() else {
        return;
    };
    for (key, want) in map {
        let path = join(prefix, key);
        let attr = schema.properties.get(key);
        let have = live.and_then(|l| l.get(key));
        let (plain, marked) = want.unmark();
        match attr {
            _ if marked || attr.is_some_and(|a| a.sensitive) => {}
            Some(a) if a.ty == AttrType::Object && matches!(plain, Value::Object(_)) => {
                walk(a, want, have, &path, out);
            }
            _ if want.contains_sensitive() => {}
            _ => {
                out.insert(path, value_digest(attr, have));
            }
        }
    }
}

fn object_digest(live: Option<&RemoteObject>) -> String {
    digest(&match live {
        Some(object) => serde_json::json!(object.id),
        None => serde_json::Value::Null,
    })
}

fn value_digest(attr: Option<&Attr>, value: Option<&Value>) -> String {
    let json = value.map(Value::to_redacted_json).unwrap_or_default();
    digest(&canonical(attr, json))
}

/// The same value in one spelling: object members sorted by name, sets by element, so that a
/// service answering in another order does not make a plan stale.
fn canonical(attr: Option<&Attr>, json: serde_json::Value) -> serde_json::Value {
    match json {
        serde_json::Value::Array(items) => {
            let item_attr = attr.and_then(|a| a.items.as_deref());
            let mut items: Vec<serde_json::Value> =
                items.into_iter().map(|i| canonical(item_attr, i)).collect();
            if attr.is_some_and(|a| a.set) {
                items.sort_by_key(ToString::to_string);
            }
            serde_json::Value::Array(items)
        }
        serde_json::Value::Object(map) => {
            let sorted: BTreeMap<String, serde_json::Value> = map
                .into_iter()
                .map(|(k, v)| {
                    let sub = attr.and_then(|a| a.properties.get(&k));
                    let v = canonical(sub, v);
                    (k, v)
                })
                .collect();
            serde_json::Value::Object(sorted.into_iter().collect())
        }
        other => other,
    }
}

fn digest(json: &serde_json::Value) -> String {
    hex::encode(Sha256::digest(json.to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Attr {
        Attr::object([
            (
                "security",
                Attr::object([("enable", Attr::bool()), ("domains", Attr::string_set())]),
            ),
            ("token", Attr::string().sensitive()),
        ])
    }

    fn object(id: &str, attributes: serde_json::Value) -> RemoteObject {
        RemoteObject::new(id, Value::from_json(&attributes))
    }

    #[test]
    fn only_configured_attributes_count() {
        let desired = Value::from_json(&json!({"security": {"enable": true}}));
        let before = object("me", json!({"security": {"enable": false, "other": 1}}));
        let unrelated = object("me", json!({"security": {"enable": false, "other": 2}}));
        let managed_change = object("me", json!({"security": {"enable": true, "other": 1}}));
        let then = managed(&schema(), &desired, Some(&before));
        assert_eq!(
            then.keys().collect::<Vec<_>>(),
            ["id", "security.enable"],
            "the id and the configured attribute"
        );
        assert_eq!(then, managed(&schema(), &desired, Some(&unrelated)));
        let saved = LiveFingerprints::from([("a.b".into(), then)]);
        let fresh = LiveFingerprints::from([(
            "a.b".into(),
            managed(&schema(), &desired, Some(&managed_change)),
        )]);
        assert_eq!(
            changed(&saved, &fresh),
            [("a.b".to_string(), "security.enable".to_string())]
        );
    }

    #[test]
    fn set_order_does_not_count_but_the_object_id_does() {
        let desired = Value::from_json(&json!({"security": {"domains": ["a", "b"]}}));
        let one = managed(
            &schema(),
            &desired,
            Some(&object("1", json!({"security": {"domains": ["a", "b"]}}))),
        );
        let reordered = managed(
            &schema(),
            &desired,
            Some(&object("1", json!({"security": {"domains": ["b", "a"]}}))),
        );
        assert_eq!(one, reordered);
        let replaced = managed(
            &schema(),
            &desired,
            Some(&object("2", json!({"security": {"domains": ["a", "b"]}}))),
        );
        assert_ne!(one["id"], replaced["id"]);
        assert_ne!(one["id"], managed(&schema(), &desired, None)["id"]);
    }

    #[test]
    fn sensitive_values_are_left_out() {
        let mut map = indexmap::IndexMap::new();
        map.insert("token".to_string(), Value::str("x"));
        map.insert(
            "security".to_string(),
            Value::from_json(&json!({"enable": true})).mark_sensitive(),
        );
        let prints = managed(
            &schema(),
            &Value::Object(map),
            Some(&object(
                "1",
                json!({"token": "live-secret", "security": {"enable": true}}),
            )),
        );
        assert_eq!(prints.keys().collect::<Vec<_>>(), ["id"]);
    }

    #[test]
    fn what_only_one_side_recorded_is_not_a_live_change() {
        let saved =
            LiveFingerprints::from([("a.b".into(), BTreeMap::from([("x".into(), "1".into())]))]);
        let fresh = LiveFingerprints::from([
            ("a.b".into(), BTreeMap::from([("y".into(), "2".into())])),
            ("a.c".into(), BTreeMap::from([("x".into(), "3".into())])),
        ]);
        assert!(changed(&saved, &fresh).is_empty());
    }
}
