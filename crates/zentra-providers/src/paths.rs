//! JSON shaping for partial reads and writes: keeping only what a schema manages, picking the
//! changed attributes (by dotted path) out of a desired object for a PATCH, and merging what
//! was written into what was read.

use serde_json::{Map, Value as Json};

use zentra_engine::plan::diff::diff_attributes;
use zentra_engine::schema::{Attr, AttrType};
use zentra_engine::value::Value;

/// Keeps only the members `schema` describes, recursively (into array items too), as a
/// [`Value`].
pub(crate) fn project_value(json: &Json, schema: &Attr) -> Value {
    match (schema.ty, json) {
        (AttrType::Object, Json::Object(map)) if !schema.properties.is_empty() => {
            let mut out = indexmap::IndexMap::with_capacity(schema.properties.len().min(map.len()));
            for (key, attr) in &schema.properties {
                if let Some(value) = map.get(key) {
                    out.insert(key.clone(), project_value(value, attr));
                }
            }
            Value::Object(out)
        }
        (AttrType::Array, Json::Array(items)) => match schema.items.as_deref() {
            Some(item) => Value::List(items.iter().map(|i| project_value(i, item)).collect()),
            None => Value::from_json(json),
        },
        _ => Value::from_json(json),
    }
}

/// The dotted paths (`in_meeting.chat`) of the attributes to write: the engine's
/// `changed_paths` when it gave any, else the configured attributes that differ from `live`,
/// else (nothing read) every configured attribute.
pub(crate) fn paths_to_write(
    schema: &Attr,
    desired: &Value,
    live: Option<&Value>,
    changed_paths: &[String],
) -> Vec<String> {
    if !changed_paths.is_empty() {
        return changed_paths
            .iter()
            .map(|p| p.split('[').next().unwrap_or(p).to_string())
            .collect();
    }
    diff_attributes(schema, desired, live, None)
        .into_iter()
        .map(|c| c.path)
        .collect()
}

/// A copy of `source` holding only the members at `paths` (and the objects leading to them).
/// A path that leads into a non-object takes the whole value where the object ends.
pub(crate) fn pick_paths(source: &Json, paths: &[String]) -> Json {
    let mut out = Json::Object(Map::new());
    for path in paths {
        let parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
        let mut from = source;
        let mut taken = Vec::new();
        for part in &parts {
            match from.get(*part) {
                Some(next) => {
                    taken.push(*part);
                    from = next;
                    if !from.is_object() {
                        break;
                    }
                }
                None => {
                    taken.clear();
                    break;
                }
            }
        }
        if taken.is_empty() {
            continue;
        }
        insert_at(&mut out, &taken, from.clone());
    }
    out
}

fn insert_at(target: &mut Json, path: &[&str], value: Json) {
    let Some((last, leading)) = path.split_last() else {
        return;
    };
    let mut cur = target;
    for part in leading {
        if !cur.is_object() {
            *cur = Json::Object(Map::new());
        }
        let Json::Object(map) = cur else { return };
        cur = map
            .entry(part.to_string())
            .or_insert_with(|| Json::Object(Map::new()));
    }
    if !cur.is_object() {
        *cur = Json::Object(Map::new());
    }
    if let Json::Object(map) = cur {
        map.insert(last.to_string(), value);
    }
}

/// Merges `overlay` into `base`: objects member by member, anything else replaced.
pub(crate) fn deep_merge(base: &mut Json, overlay: &Json) {
    match (base, overlay) {
        (Json::Object(base_map), Json::Object(overlay_map)) => {
            for (key, value) in overlay_map {
                match base_map.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        deep_merge(existing, value)
                    }
                    _ => {
                        base_map.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, overlay) => *base = overlay.clone(),
    }
}

/// Removes `null` members (unset attributes) and objects left empty by that.
pub(crate) fn strip_nulls(json: &Json) -> Json {
    match json {
        Json::Object(map) => Json::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .filter(|(_, v)| !matches!(v, Json::Object(m) if m.is_empty()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// True for `{}`.
pub(crate) fn is_empty_object(json: &Json) -> bool {
    matches!(json, Json::Object(m) if m.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Attr {
        Attr::object([
            (
                "in_meeting",
                Attr::object([("chat", Attr::bool()), ("polling", Attr::bool())]),
            ),
            (
                "numbers",
                Attr::list(Attr::object([("code", Attr::string())])),
            ),
            ("tags", Attr::string_set()),
        ])
    }

    #[test]
    fn projection_drops_what_the_schema_does_not_manage() {
        let live = json!({"in_meeting": {"chat": true, "secret_new_field": 1},
            "numbers": [{"code": "1", "display": "x"}], "other": {}, "tags": ["b", "a"]});
        assert_eq!(
            project_value(&live, &schema()),
            Value::from_json(
                &json!({"in_meeting": {"chat": true}, "numbers": [{"code": "1"}], "tags": ["b", "a"]})
            )
        );
    }

    #[test]
    fn picking_paths_builds_a_partial_body() {
        let desired = json!({"in_meeting": {"chat": false, "polling": true}, "tags": ["a"]});
        let picked = pick_paths(
            &desired,
            &["in_meeting.chat".into(), "tags".into(), "absent.x".into()],
        );
        assert_eq!(
            picked,
            json!({"in_meeting": {"chat": false}, "tags": ["a"]})
        );
        // A path below a list takes the list.
        assert_eq!(
            pick_paths(&desired, &["tags.0".into()]),
            json!({"tags": ["a"]})
        );
    }

    #[test]
    fn paths_to_write_come_from_the_diff_when_the_engine_gave_none() {
        let desired = Value::from_json(
            &json!({"in_meeting": {"chat": false, "polling": true}, "tags": ["a", "b"]}),
        );
        let live = Value::from_json(
            &json!({"in_meeting": {"chat": true, "polling": true}, "tags": ["b", "a", "a"]}),
        );
        assert_eq!(
            paths_to_write(&schema(), &desired, Some(&live), &[]),
            vec!["in_meeting.chat"]
        );
        assert_eq!(
            paths_to_write(&schema(), &desired, None, &[]).len(),
            3,
            "with nothing read, every configured attribute is written"
        );
        assert_eq!(
            paths_to_write(&schema(), &desired, Some(&live), &["tags[1]".into()]),
            vec!["tags"]
        );
    }

    #[test]
    fn merge_and_null_stripping() {
        let mut base = json!({"a": {"x": 1, "y": 2}, "b": [1]});
        deep_merge(&mut base, &json!({"a": {"y": 3}, "b": [2, 3]}));
        assert_eq!(base, json!({"a": {"x": 1, "y": 3}, "b": [2, 3]}));
        assert_eq!(
            strip_nulls(&json!({"a": null, "b": {"c": null}, "d": 1})),
            json!({"d": 1})
        );
    }
}
