//! Reads OpenAPI 3 documents: finds operations, follows local `$ref`s and folds `allOf`, so
//! that later steps see one self-contained JSON Schema per body or response.

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Map, Value};

/// Keywords whose value is a map of names to subschemas.
const SCHEMA_MAP_KEYWORDS: &[&str] = &["properties", "patternProperties"];
/// Keywords whose value is a single subschema.
const SCHEMA_KEYWORDS: &[&str] = &["items", "additionalProperties", "not"];
/// Keywords whose value is a list of subschemas.
const SCHEMA_LIST_KEYWORDS: &[&str] = &["oneOf", "anyOf", "allOf"];

/// Longest `$ref` chain followed before the document is declared cyclic.
const MAX_REF_DEPTH: usize = 64;

/// One parsed OpenAPI document and the name it is reported under.
#[derive(Clone, Debug)]
pub struct OpenApiDocument {
    pub name: String,
    pub root: Value,
}

impl OpenApiDocument {
    pub fn new(name: impl Into<String>, root: Value) -> Self {
        OpenApiDocument {
            name: name.into(),
            root,
        }
    }

    /// The paths of the document in spec order, each with its path item.
    pub fn paths(&self) -> Result<&Map<String, Value>> {
        self.root
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| anyhow!("{}: no `paths` object", self.name))
    }

    /// The operation object for `method` (lower case) on `path`.
    pub fn operation(&self, path: &str, method: &str) -> Result<&Value> {
        self.paths()?
            .get(path)
            .and_then(|item| item.get(method))
            .ok_or_else(|| {
                anyhow!(
                    "{}: no operation {} {path}",
                    self.name,
                    method.to_uppercase()
                )
            })
    }

    /// The target of a local reference such as `#/components/schemas/Foo`.
    pub fn resolve_ref(&self, reference: &str) -> Result<&Value> {
        let pointer = reference.strip_prefix('#').ok_or_else(|| {
            anyhow!(
                "{}: only local references are supported, found `{reference}`",
                self.name
            )
        })?;
        self.root
            .pointer(pointer)
            .ok_or_else(|| anyhow!("{}: unresolved reference `{reference}`", self.name))
    }

    /// Follows a `$ref` on an object that is not a schema (a parameter, a request body, a response).
    pub fn dereference<'a>(&'a self, mut value: &'a Value) -> Result<&'a Value> {
        for _ in 0..MAX_REF_DEPTH {
            match value.get("$ref").and_then(Value::as_str) {
                Some(reference) => value = self.resolve_ref(reference)?,
                None => return Ok(value),
            }
        }
        bail!("{}: reference chain longer than {MAX_REF_DEPTH}", self.name)
    }

    /// A copy of `schema` with every `$ref` replaced by its target and every `allOf` folded into
    /// its parent. `oneOf` and `anyOf` are kept (their branches normalized).
    pub fn normalize_schema(&self, schema: &Value) -> Result<Value> {
        self.normalize(schema, &mut Vec::new())
    }

    fn normalize(&self, schema: &Value, expanding: &mut Vec<String>) -> Result<Value> {
        let Some(object) = schema.as_object() else {
            return Ok(schema.clone());
        };
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            if expanding.iter().any(|seen| seen == reference) || expanding.len() >= MAX_REF_DEPTH {
                bail!("{}: cyclic schema reference `{reference}`", self.name);
            }
            expanding.push(reference.to_string());
            let target = self.resolve_ref(reference)?;
            let resolved = self
                .normalize(target, expanding)
                .with_context(|| format!("in `{reference}`"))?;
            expanding.pop();
            let mut resolved = match resolved {
                Value::Object(map) => map,
                other => return Ok(other),
            };
            // Siblings of `$ref` (usually a description) refine the target.
            for (key, value) in object {
                if key != "$ref" {
                    resolved.insert(key.clone(), self.normalize_member(key, value, expanding)?);
                }
            }
            return Ok(Value::Object(resolved));
        }

        let mut normalized = Map::new();
        for (key, value) in object {
            if key != "allOf" {
                normalized.insert(key.clone(), self.normalize_member(key, value, expanding)?);
            }
        }
        if let Some(parts) = object.get("allOf") {
            let parts = parts
                .as_array()
                .ok_or_else(|| anyhow!("{}: `allOf` is not a list", self.name))?;
            for part in parts {
                if let Value::Object(part) = self.normalize(part, expanding)? {
                    merge_all_of_part(&mut normalized, part);
                }
            }
            if !normalized.contains_key("type") && normalized.contains_key("properties") {
                normalized.insert("type".into(), Value::String("object".into()));
            }
        }
        Ok(Value::Object(normalized))
    }

    /// Normalizes the value of one schema keyword, descending only where the value is a schema.
    fn normalize_member(
        &self,
        key: &str,
        value: &Value,
        expanding: &mut Vec<String>,
    ) -> Result<Value> {
        if SCHEMA_MAP_KEYWORDS.contains(&key) {
            let Some(members) = value.as_object() else {
                return Ok(value.clone());
            };
            let mut out = Map::new();
            for (name, member) in members {
                let member = self
                    .normalize(member, expanding)
                    .with_context(|| format!("in property `{name}`"))?;
                out.insert(name.clone(), member);
            }
            Ok(Value::Object(out))
        } else if SCHEMA_KEYWORDS.contains(&key) && value.is_object() {
            self.normalize(value, expanding)
        } else if SCHEMA_LIST_KEYWORDS.contains(&key) {
            let Some(items) = value.as_array() else {
                return Ok(value.clone());
            };
            items
                .iter()
                .map(|item| self.normalize(item, expanding))
                .collect::<Result<Vec<_>>>()
                .map(Value::Array)
        } else {
            Ok(value.clone())
        }
    }
}

/// Folds one `allOf` member into the schema that lists it: properties are united (a property
/// named in both is merged the same way), `required` lists are united, and for every other
/// keyword the first value seen wins.
fn merge_all_of_part(into: &mut Map<String, Value>, part: Map<String, Value>) {
    for (key, value) in part {
        match (key.as_str(), into.get_mut(&key), value) {
            ("properties", Some(Value::Object(existing)), Value::Object(added)) => {
                for (name, schema) in added {
                    match (existing.get_mut(&name), schema) {
                        (Some(Value::Object(current)), Value::Object(more)) => {
                            merge_all_of_part(current, more)
                        }
                        (Some(_), _) => {}
                        (None, schema) => {
                            existing.insert(name, schema);
                        }
                    }
                }
            }
            ("required", Some(Value::Array(existing)), Value::Array(added)) => {
                for name in added {
                    if !existing.contains(&name) {
                        existing.push(name);
                    }
                }
            }
            (_, Some(_), _) => {}
            (_, None, value) => {
                into.insert(key, value);
            }
        }
    }
}

/// Removes prose and examples (`description`, `example`, `examples`, `x-*` extensions) from a
/// normalized schema, everywhere a subschema can appear, leaving only what validation needs.
pub fn strip_documentation(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    object.retain(|key, _| {
        !matches!(key.as_str(), "description" | "example" | "examples") && !key.starts_with("x-")
    });
    for (key, value) in object.iter_mut() {
        if SCHEMA_MAP_KEYWORDS.contains(&key.as_str()) {
            if let Some(members) = value.as_object_mut() {
                members.values_mut().for_each(strip_documentation);
            }
        } else if SCHEMA_KEYWORDS.contains(&key.as_str()) {
            strip_documentation(value);
        } else if SCHEMA_LIST_KEYWORDS.contains(&key.as_str())
            && let Some(items) = value.as_array_mut()
        {
            items.iter_mut().for_each(strip_documentation);
        }
    }
}

/// The `application/json` schema (or, failing that, the first media type's schema) of a
/// request body or response object.
pub fn content_schema(holder: &Value) -> Option<(&str, &Value)> {
    let content = holder.get("content")?.as_object()?;
    let (media_type, media) = content
        .get_key_value("application/json")
        .or_else(|| content.iter().next())?;
    Some((media_type.as_str(), media.get("schema")?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document(components: Value) -> OpenApiDocument {
        OpenApiDocument::new(
            "test.json",
            json!({ "paths": {}, "components": components }),
        )
    }

    #[test]
    fn refs_are_replaced_by_their_targets_and_siblings_refine_them() {
        let doc = document(json!({ "schemas": {
            "Flag": { "type": "boolean", "description": "target" },
            "Holder": { "type": "object", "properties": {
                "flag": { "$ref": "#/components/schemas/Flag", "description": "sibling" }
            }}
        }}));
        let normalized = doc
            .normalize_schema(&json!({ "$ref": "#/components/schemas/Holder" }))
            .expect("normalizes");
        assert_eq!(
            normalized,
            json!({ "type": "object", "properties": {
                "flag": { "type": "boolean", "description": "sibling" }
            }})
        );
    }

    #[test]
    fn all_of_members_are_folded_in_order() {
        let doc = document(json!({ "schemas": {
            "Page": { "type": "object", "required": ["page_size"], "properties": {
                "page_size": { "type": "integer", "maximum": 300 }
            }}
        }}));
        let normalized = doc
            .normalize_schema(&json!({
                "description": "outer",
                "allOf": [
                    { "$ref": "#/components/schemas/Page" },
                    { "type": "object", "required": ["groups"], "properties": {
                        "groups": { "type": "array", "items": { "type": "string" } },
                        "page_size": { "minimum": 1 }
                    }}
                ]
            }))
            .expect("normalizes");
        assert_eq!(
            normalized,
            json!({
                "description": "outer",
                "type": "object",
                "required": ["page_size", "groups"],
                "properties": {
                    "page_size": { "type": "integer", "maximum": 300, "minimum": 1 },
                    "groups": { "type": "array", "items": { "type": "string" } }
                }
            })
        );
    }

    #[test]
    fn cyclic_refs_are_an_error_not_a_stack_overflow() {
        let doc = document(json!({ "schemas": {
            "Node": { "type": "object", "properties": {
                "next": { "$ref": "#/components/schemas/Node" }
            }}
        }}));
        let error = doc
            .normalize_schema(&json!({ "$ref": "#/components/schemas/Node" }))
            .expect_err("cycle detected");
        assert!(format!("{error:#}").contains("cyclic"), "{error:#}");
    }

    #[test]
    fn missing_refs_are_reported_by_name() {
        let doc = document(json!({}));
        let error = doc
            .normalize_schema(&json!({ "$ref": "#/components/schemas/Missing" }))
            .expect_err("unresolved");
        assert!(format!("{error:#}").contains("#/components/schemas/Missing"));
    }

    #[test]
    fn stripping_keeps_properties_named_like_keywords() {
        let mut schema = json!({
            "type": "object",
            "description": "gone",
            "x-extensions": {},
            "properties": {
                "description": { "type": "string", "example": "gone", "description": "gone" }
            },
            "oneOf": [{ "title": "kept", "description": "gone" }]
        });
        strip_documentation(&mut schema);
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "properties": { "description": { "type": "string" } },
                "oneOf": [{ "title": "kept" }]
            })
        );
    }
}
