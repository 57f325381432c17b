//! JSON shaping for partial reads and writes: keeping only what a schema manages, picking the
//! changed attributes (by dotted path) out of a desired object for a PATCH, and merging what
//! was written into what was read.

use indexmap::IndexMap;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};

use zentra_engine::plan::diff::diff_attributes;
use zentra_engine::schema::{Attr, AttrType};
use zentra_engine::value::Value;

/// Keeps only the members `schema` describes, recursively (into array items too), as a
/// [`Value`].
pub(crate) fn project_value(json: &Json, schema: &Attr) -> Value {
    match (schema.ty, json) {
        (AttrType::Object, Json::Object(map)) if !schema.properties.is_empty() => {
            let mut out = IndexMap::with_capacity(schema.properties.len().min(map.len()));
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

/// [`project_value`] of the JSON text `text`, read without building the JSON document first:
/// members the schema does not describe are skipped as they are read, and those it does are
/// read straight into [`Value`]s, in the schema's order.
pub(crate) fn project_json(text: &[u8], schema: &Attr) -> serde_json::Result<Value> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let value = Projected(Some(schema)).deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// One JSON value read as [`project_value`] projects it: by its schema where it has one that
/// applies (an object's described members, an array's items), whole otherwise.
#[derive(Clone, Copy)]
struct Projected<'a>(Option<&'a Attr>);

impl<'de> DeserializeSeed<'de> for Projected<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Projected<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        // As a JSON document reads it.
        Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let item = match self.0 {
            Some(schema) if schema.ty == AttrType::Array => schema.items.as_deref(),
            _ => None,
        };
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(value) = seq.next_element_seed(Projected(item))? {
            items.push(value);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Some(schema) = self
            .0
            .filter(|s| s.ty == AttrType::Object && !s.properties.is_empty())
        else {
            // Whole; a member given twice keeps its first place and its last value.
            let mut out = IndexMap::new();
            while let Some(key) = map.next_key::<String>()? {
                let value = map.next_value_seed(Projected(None))?;
                out.insert(key, value);
            }
            return Ok(Value::Object(out));
        };
        let mut found: Vec<Option<Value>> = vec![None; schema.properties.len()];
        while let Some(index) = map.next_key_seed(PropertyIndex(&schema.properties))? {
            match index {
                Some(i) => {
                    let attr = &schema.properties[i];
                    found[i] = Some(map.next_value_seed(Projected(Some(attr)))?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let mut out = IndexMap::with_capacity(found.iter().flatten().count());
        for ((key, _), value) in schema.properties.iter().zip(found) {
            if let Some(value) = value {
                out.insert(key.clone(), value);
            }
        }
        Ok(Value::Object(out))
    }
}

/// An object member's name read as its place among the schema's properties (`None`: one the
/// schema does not describe), without copying it.
struct PropertyIndex<'a>(&'a IndexMap<String, Attr>);

impl<'de> DeserializeSeed<'de> for PropertyIndex<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<usize>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for PropertyIndex<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E>(self, name: &str) -> Result<Option<usize>, E> {
        Ok(self.0.get_index_of(name))
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

    /// `project_json` of `text` is `project_value` of its JSON document, member order included.
    fn assert_projects_alike(text: &str, schema: &Attr) {
        let by_document = project_value(&serde_json::from_str(text).unwrap(), schema);
        let by_text = project_json(text.as_bytes(), schema).unwrap();
        let shown = |v: &Value| serde_json::to_string(&v.to_json().unwrap()).unwrap();
        assert_eq!(shown(&by_text), shown(&by_document), "{text}");
        assert_eq!(by_text, by_document);
    }

    /// A document with every member `schema` describes, in reverse order, and some it does not.
    fn sample(schema: &Attr, n: &mut u64) -> Json {
        *n += 1;
        match schema.ty {
            AttrType::Object => {
                let mut map = Map::new();
                map.insert("not_described".into(), json!({"deep": [1, {"x": null}]}));
                for (key, attr) in schema.properties.iter().rev() {
                    map.insert(key.clone(), sample(attr, n));
                }
                Json::Object(map)
            }
            AttrType::Array => Json::Array(match schema.items.as_deref() {
                Some(item) => vec![sample(item, n), sample(item, n)],
                None => vec![json!(1), json!("two"), json!({"three": 3})],
            }),
            AttrType::Boolean => json!(n.is_multiple_of(2)),
            AttrType::Integer => json!(*n),
            AttrType::Number => json!(*n as f64 + 0.5),
            AttrType::String => json!(format!("s\"{n}\u{e9}")),
        }
    }

    #[test]
    fn projection_from_text_is_projection_of_the_document() {
        for kind in [
            crate::zoom::settings::SettingsKind::Group,
            crate::zoom::settings::SettingsKind::Account,
        ] {
            let schema = kind.body_schema();
            let text = serde_json::to_string(&sample(schema, &mut 0)).unwrap();
            assert_projects_alike(&text, schema);
        }
        let schema = schema();
        for text in [
            r#"{"in_meeting": {"chat": true, "chat": false, "polling": 1}, "other": 2}"#,
            r#"{"numbers": {"code": "1"}, "in_meeting": [1, {"a": 2}], "tags": "x"}"#,
            r#"{"numbers": [{"code": "1", "x": 2}, 3, null], "tags": [], "in_meeting": {}}"#,
            r#"{"in_m\u0065eting": {"chat": 1.5e300, "polling": -3}, "a": {"b": 1, "b": 2}}"#,
            r#"{}"#,
            r#"[{"in_meeting": {"chat": true}}]"#,
            r#""text""#,
            r#"null"#,
            r#"18446744073709551615"#,
        ] {
            assert_projects_alike(text, &schema);
        }
        assert!(project_json(b"{\"in_meeting\": }", &schema).is_err());
        assert!(project_json(b"{} {}", &schema).is_err());
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
