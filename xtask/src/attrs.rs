//! Converts normalized JSON Schemas into zentra [`Attr`]s and merges the shape a service
//! returns (GET) with the shape it accepts (PATCH) into one attribute tree with
//! `read_only`/`write_only` marks.

use anyhow::{Result, bail};
use indexmap::IndexMap;
use serde_json::Value;
use zentra_schema::{Attr, AttrType};

use crate::description::clean_description;

/// Something worth knowing about the conversion of one field, reported by the generator.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    /// Dotted path of the field inside its object (`[]` marks array elements).
    pub path: String,
    pub message: String,
}

/// A field whose GET and PATCH shapes have different types; it is kept as GET returns it,
/// read-only.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeConflict {
    pub path: String,
    pub read: AttrType,
    pub write: AttrType,
}

/// Collects notes and conflicts while one object is converted.
#[derive(Debug, Default)]
pub struct ConversionLog {
    pub notes: Vec<Note>,
    pub conflicts: Vec<TypeConflict>,
}

impl ConversionLog {
    fn note(&mut self, path: &str, message: impl Into<String>) {
        self.notes.push(Note {
            path: path.to_string(),
            message: message.into(),
        });
    }
}

fn child_path(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

fn items_path(parent: &str) -> String {
    format!("{parent}[]")
}

fn type_from_name(name: &str) -> Option<AttrType> {
    Some(match name {
        "boolean" => AttrType::Boolean,
        "integer" => AttrType::Integer,
        "number" => AttrType::Number,
        "string" => AttrType::String,
        "array" => AttrType::Array,
        "object" => AttrType::Object,
        _ => return None,
    })
}

fn type_of_json(value: &Value) -> Option<AttrType> {
    Some(match value {
        Value::Bool(_) => AttrType::Boolean,
        Value::Number(n) if n.is_i64() || n.is_u64() => AttrType::Integer,
        Value::Number(_) => AttrType::Number,
        Value::String(_) => AttrType::String,
        Value::Array(_) => AttrType::Array,
        Value::Object(_) => AttrType::Object,
        Value::Null => return None,
    })
}

/// The narrowest scalar type that accepts values of both `a` and `b`.
fn most_permissive_scalar(a: AttrType, b: AttrType) -> AttrType {
    use AttrType::*;
    match (a, b) {
        _ if a == b => a,
        (Integer, Number) | (Number, Integer) => Number,
        _ => String,
    }
}

/// The declared type of a schema: `type` (a name, or a list whose non-null members are
/// widened), else inferred from `properties`, `items` or the `enum` values.
fn declared_type(schema: &Value, path: &str, log: &mut ConversionLog) -> Option<AttrType> {
    match schema.get("type") {
        Some(Value::String(name)) => {
            let ty = type_from_name(name);
            if ty.is_none() {
                log.note(path, format!("unknown type `{name}`"));
            }
            ty
        }
        Some(Value::Array(names)) => {
            let types: Vec<AttrType> = names
                .iter()
                .filter_map(Value::as_str)
                .filter_map(type_from_name)
                .collect();
            let first = *types.first()?;
            Some(types.iter().skip(1).fold(first, |acc, ty| {
                if acc == *ty {
                    acc
                } else {
                    most_permissive_scalar(acc, *ty)
                }
            }))
        }
        _ if schema.get("properties").is_some() => Some(AttrType::Object),
        _ if schema.get("items").is_some() => Some(AttrType::Array),
        _ => schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|values| values.iter().find_map(type_of_json)),
    }
}

/// Converts one normalized schema (no `$ref`, no `allOf`) into an [`Attr`].
///
/// `oneOf`/`anyOf` alternatives are widened into one attribute (see [`widen`]); a schema
/// without any recognizable type becomes a string, with a note.
pub fn attr_from_schema(schema: &Value, path: &str, log: &mut ConversionLog) -> Result<Attr> {
    if !schema.is_object() {
        bail!("{path}: schema is not an object");
    }
    let alternatives: Vec<&Value> = ["oneOf", "anyOf"]
        .iter()
        .filter_map(|key| schema.get(*key).and_then(Value::as_array))
        .flatten()
        .collect();
    let mut attr = if alternatives.is_empty() {
        attr_from_plain_schema(schema, path, log)?
    } else {
        let mut branches = Vec::with_capacity(alternatives.len() + 1);
        if schema.get("type").is_some() || schema.get("properties").is_some() {
            branches.push(attr_from_plain_schema(schema, path, log)?);
        }
        for branch in alternatives {
            branches.push(attr_from_schema(branch, path, log)?);
        }
        let mut branches = branches.into_iter();
        let Some(first) = branches.next() else {
            bail!("{path}: empty oneOf/anyOf");
        };
        branches.fold(first, |acc, next| widen(acc, next, path, log))
    };
    if let Some(text) = schema.get("description").and_then(Value::as_str) {
        let cleaned = clean_description(text);
        if !cleaned.is_empty() {
            attr.description = cleaned;
        }
    }
    if schema.get("deprecated").and_then(Value::as_bool) == Some(true) {
        attr.deprecated = true;
    }
    Ok(attr)
}

fn attr_from_plain_schema(schema: &Value, path: &str, log: &mut ConversionLog) -> Result<Attr> {
    let ty = declared_type(schema, path, log).unwrap_or_else(|| {
        log.note(path, "no type in the spec; treated as string");
        AttrType::String
    });
    let mut attr = Attr::new(ty);
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        attr.enum_values = values.iter().filter(|v| !v.is_null()).cloned().collect();
    }
    attr.minimum = schema.get("minimum").and_then(Value::as_f64);
    attr.maximum = schema.get("maximum").and_then(Value::as_f64);
    attr.min_length = schema.get("minLength").and_then(Value::as_u64);
    attr.max_length = schema.get("maxLength").and_then(Value::as_u64);
    attr.max_items = schema.get("maxItems").and_then(Value::as_u64);
    match ty {
        AttrType::Object => {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, member) in properties {
                    let member = attr_from_schema(member, &child_path(path, name), log)?;
                    attr.properties.insert(name.clone(), member);
                }
            }
        }
        AttrType::Array => {
            attr.set = schema.get("uniqueItems").and_then(Value::as_bool) == Some(true);
            match schema.get("items") {
                Some(items) if items.is_object() => {
                    attr.items = Some(Box::new(attr_from_schema(items, &items_path(path), log)?));
                }
                _ => log.note(path, "array without an item schema"),
            }
            // Some arrays list their items' allowed values on the array itself; they belong to
            // the items (a list is never equal to a string).
            if !attr.enum_values.is_empty()
                && let Some(items) = attr.items.as_deref_mut()
                && items.enum_values.is_empty()
                && items.ty != AttrType::Object
            {
                items.enum_values = std::mem::take(&mut attr.enum_values);
                log.note(path, "the array's enum applies to its items");
            }
        }
        _ => {}
    }
    Ok(attr)
}

/// Combines two alternative shapes of one field into an attribute that accepts both:
/// objects unite their properties, arrays widen their items, differing scalar types become
/// the most permissive one (dropping enum and range), and enums and ranges are united.
pub fn widen(a: Attr, b: Attr, path: &str, log: &mut ConversionLog) -> Attr {
    if a.ty != b.ty {
        let scalar = |ty| !matches!(ty, AttrType::Object | AttrType::Array);
        if scalar(a.ty) && scalar(b.ty) {
            let ty = most_permissive_scalar(a.ty, b.ty);
            let note = format!(
                "alternatives of type {} and {}; {} is kept",
                type_name(a.ty),
                type_name(b.ty),
                type_name(ty)
            );
            log.note(path, note.clone());
            let mut widened = Attr::new(ty);
            widened.description = append_note(first_non_empty(a.description, b.description), &note);
            widened.deprecated = a.deprecated && b.deprecated;
            return widened;
        }
        let (kept, dropped) = if matches!(a.ty, AttrType::Object | AttrType::Array) {
            (a, b)
        } else {
            (b, a)
        };
        log.note(
            path,
            format!(
                "alternatives of type {} and {}; {} is kept",
                type_name(kept.ty),
                type_name(dropped.ty),
                type_name(kept.ty)
            ),
        );
        return kept;
    }
    let mut widened = a;
    widened.description = first_non_empty(std::mem::take(&mut widened.description), b.description);
    widened.enum_values = if widened.enum_values.is_empty() || b.enum_values.is_empty() {
        Vec::new()
    } else {
        union_values(widened.enum_values, b.enum_values)
    };
    widened.minimum = match (widened.minimum, b.minimum) {
        (Some(x), Some(y)) => Some(x.min(y)),
        _ => None,
    };
    widened.min_length = match (widened.min_length, b.min_length) {
        (Some(x), Some(y)) => Some(x.min(y)),
        _ => None,
    };
    widened.max_length = match (widened.max_length, b.max_length) {
        (Some(x), Some(y)) => Some(x.max(y)),
        _ => None,
    };
    widened.max_items = match (widened.max_items, b.max_items) {
        (Some(x), Some(y)) => Some(x.max(y)),
        _ => None,
    };
    widened.maximum = match (widened.maximum, b.maximum) {
        (Some(x), Some(y)) => Some(x.max(y)),
        _ => None,
    };
    widened.deprecated = widened.deprecated && b.deprecated;
    widened.set = widened.set && b.set;
    for (name, member) in b.properties {
        let member_path = child_path(path, &name);
        let merged = match widened.properties.shift_remove(&name) {
            Some(existing) => widen(existing, member, &member_path, log),
            None => member,
        };
        widened.properties.insert(name, merged);
    }
    widened.items = match (widened.items.take(), b.items) {
        (Some(x), Some(y)) => Some(Box::new(widen(*x, *y, &items_path(path), log))),
        (x, y) => x.or(y),
    };
    widened
}

/// `text (note.)`, or just the note when there is no text.
fn append_note(text: String, note: &str) -> String {
    let note = note.trim_end_matches('.');
    if text.is_empty() {
        format!("{note}.")
    } else {
        format!("{} ({note}.)", text.trim_end())
    }
}

fn first_non_empty(a: String, b: String) -> String {
    if a.is_empty() { b } else { a }
}

fn union_values(mut first: Vec<Value>, second: Vec<Value>) -> Vec<Value> {
    for value in second {
        if !first.contains(&value) {
            first.push(value);
        }
    }
    first
}

/// JSON Schema's name of a type, as written in notes.
pub fn type_name(ty: AttrType) -> &'static str {
    match ty {
        AttrType::Boolean => "boolean",
        AttrType::Integer => "integer",
        AttrType::Number => "number",
        AttrType::String => "string",
        AttrType::Array => "array",
        AttrType::Object => "object",
    }
}

/// Marks an attribute and everything below it as returned on read but not accepted on write.
pub fn mark_read_only(attr: &mut Attr) {
    attr.read_only = true;
    attr.properties.values_mut().for_each(mark_read_only);
    if let Some(items) = attr.items.as_deref_mut() {
        mark_read_only(items);
    }
}

/// Marks an attribute and everything below it as accepted on write but never returned on read.
pub fn mark_write_only(attr: &mut Attr) {
    attr.write_only = true;
    attr.properties.values_mut().for_each(mark_write_only);
    if let Some(items) = attr.items.as_deref_mut() {
        mark_write_only(items);
    }
}

/// Merges the read shape (GET response) and write shape (PATCH body) of one field.
///
/// A field only read is `read_only`, one only written is `write_only` (both recursively).
/// When both exist with different types the read type and subtree are kept and marked
/// `read_only` (a value written in the other type could never read back equal, so nothing can
/// manage the field), both types are named in the description and a [`TypeConflict`] is
/// logged. Otherwise the write side's
/// description is preferred, enums are united (write values first), ranges are widened,
/// properties follow the read order with write-only members after them, and array items are
/// merged the same way.
pub fn merge_read_write(
    read: Option<Attr>,
    write: Option<Attr>,
    path: &str,
    log: &mut ConversionLog,
) -> Option<Attr> {
    match (read, write) {
        (None, None) => None,
        (Some(mut read), None) => {
            mark_read_only(&mut read);
            Some(read)
        }
        (None, Some(mut write)) => {
            mark_write_only(&mut write);
            Some(write)
        }
        (Some(read), Some(write)) => Some(merge_both(read, write, path, log)),
    }
}

fn merge_both(read: Attr, write: Attr, path: &str, log: &mut ConversionLog) -> Attr {
    if read.ty != write.ty {
        log.conflicts.push(TypeConflict {
            path: path.to_string(),
            read: read.ty,
            write: write.ty,
        });
        let note = format!(
            "GET returns {}, PATCH takes {}; kept as returned, and read-only since a value \
             written as {} could never read back equal",
            type_name(read.ty),
            type_name(write.ty),
            type_name(write.ty)
        );
        let mut kept = read;
        let description = append_note(
            first_non_empty(write.description, std::mem::take(&mut kept.description)),
            &note,
        );
        mark_read_only(&mut kept);
        kept.description = description;
        return kept;
    }

    let mut merged = Attr::new(write.ty);
    merged.description = first_non_empty(write.description, read.description);
    merged.deprecated = read.deprecated || write.deprecated;
    merged.set = read.set || write.set;
    merged.enum_values = match (read.enum_values.is_empty(), write.enum_values.is_empty()) {
        (true, _) => write.enum_values,
        (false, true) => read.enum_values,
        (false, false) => {
            if read.enum_values != write.enum_values {
                log.note(
                    path,
                    "GET and PATCH list different enum values; both are kept",
                );
            }
            union_values(write.enum_values, read.enum_values)
        }
    };
    merged.minimum = match (read.minimum, write.minimum) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => y.or(x),
    };
    merged.maximum = match (read.maximum, write.maximum) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => y.or(x),
    };
    merged.min_length = match (read.min_length, write.min_length) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => y.or(x),
    };
    merged.max_length = match (read.max_length, write.max_length) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => y.or(x),
    };
    merged.max_items = match (read.max_items, write.max_items) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => y.or(x),
    };

    let mut write_properties = write.properties;
    let mut properties = IndexMap::new();
    for (name, read_member) in read.properties {
        let write_member = write_properties.shift_remove(&name);
        let member_path = child_path(path, &name);
        if let Some(member) = merge_read_write(Some(read_member), write_member, &member_path, log) {
            properties.insert(name, member);
        }
    }
    for (name, write_member) in write_properties {
        let member_path = child_path(path, &name);
        if let Some(member) = merge_read_write(None, Some(write_member), &member_path, log) {
            properties.insert(name, member);
        }
    }
    merged.properties = properties;

    merged.items = match (read.items, write.items) {
        (Some(r), Some(w)) => Some(Box::new(merge_both(*r, *w, &items_path(path), log))),
        (r, w) => w.or(r),
    };
    merged
}

/// How many attributes below `attr` satisfy `predicate`, counted like [`count_fields`].
pub fn count_fields_where(attr: &Attr, predicate: &dyn Fn(&Attr) -> bool) -> usize {
    let own: usize = attr
        .properties
        .values()
        .map(|member| usize::from(predicate(member)) + count_fields_where(member, predicate))
        .sum();
    let items = attr
        .items
        .as_deref()
        .map_or(0, |items| count_fields_where(items, predicate));
    own + items
}

/// How many attributes an object holds, counting nested members and array element members
/// (the object itself and array element wrappers are not counted).
pub fn count_fields(attr: &Attr) -> usize {
    let own: usize = attr
        .properties
        .values()
        .map(|member| 1 + count_fields(member))
        .sum();
    let items = attr.items.as_deref().map_or(0, count_fields);
    own + items
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn convert(schema: Value) -> (Attr, ConversionLog) {
        let mut log = ConversionLog::default();
        let attr = attr_from_schema(&schema, "", &mut log).expect("converts");
        (attr, log)
    }

    fn merged(read: Value, write: Value) -> (Attr, ConversionLog) {
        let mut log = ConversionLog::default();
        let read = attr_from_schema(&read, "", &mut log).expect("read converts");
        let write = attr_from_schema(&write, "", &mut log).expect("write converts");
        let attr = merge_read_write(Some(read), Some(write), "", &mut log).expect("merged");
        (attr, log)
    }

    #[test]
    fn an_arrays_enum_moves_to_its_items() {
        let mut log = ConversionLog::default();
        let attr = attr_from_schema(
            &json!({ "type": "array", "items": { "type": "string" }, "enum": ["EU", "US"] }),
            "regions",
            &mut log,
        )
        .expect("converts");
        assert!(attr.enum_values.is_empty());
        assert_eq!(
            attr.items.expect("items").enum_values,
            vec![json!("EU"), json!("US")]
        );
        assert!(
            log.notes
                .iter()
                .any(|n| n.message.contains("applies to its items"))
        );
    }

    #[test]
    fn enum_values_keep_their_json_type_and_ranges_are_kept() {
        let (attr, _) = convert(json!({
            "type": "object",
            "properties": {
                "who": { "type": "integer", "enum": [1, 2, 3] },
                "mode": { "type": "string", "enum": ["host", "all"] },
                "length": { "type": "integer", "minimum": 8, "maximum": 14 }
            }
        }));
        assert_eq!(
            attr.properties["who"].enum_values,
            vec![json!(1), json!(2), json!(3)]
        );
        assert_eq!(
            attr.properties["mode"].enum_values,
            vec![json!("host"), json!("all")]
        );
        assert_eq!(attr.properties["length"].minimum, Some(8.0));
        assert_eq!(attr.properties["length"].maximum, Some(14.0));
        assert_eq!(attr.properties["length"].ty, AttrType::Integer);
    }

    #[test]
    fn descriptions_are_cleaned_and_deprecation_kept() {
        let (attr, _) = convert(json!({
            "type": "boolean",
            "deprecated": true,
            "description": "  Whether to allow <br> changes.\n\n More detail."
        }));
        assert_eq!(attr.description, "Whether to allow changes.");
        assert!(attr.deprecated);
    }

    #[test]
    fn arrays_keep_item_objects_and_unique_items_become_sets() {
        let (attr, _) = convert(json!({
            "type": "array",
            "uniqueItems": true,
            "items": { "type": "object", "properties": { "id": { "type": "string" } } }
        }));
        assert!(attr.set);
        let items = attr.items.expect("items");
        assert_eq!(items.ty, AttrType::Object);
        assert_eq!(items.properties["id"].ty, AttrType::String);
    }

    #[test]
    fn one_of_objects_unite_their_properties() {
        let (attr, log) = convert(json!({
            "oneOf": [
                { "type": "object", "properties": { "a": { "type": "boolean" } } },
                { "type": "object", "properties": { "b": { "type": "string" } } }
            ]
        }));
        assert_eq!(attr.ty, AttrType::Object);
        assert_eq!(attr.properties.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert!(log.notes.is_empty());
    }

    #[test]
    fn one_of_scalars_pick_the_most_permissive_type_with_a_note() {
        let (number, log) =
            convert(json!({ "anyOf": [{ "type": "integer" }, { "type": "number" }] }));
        assert_eq!(number.ty, AttrType::Number);
        assert_eq!(log.notes.len(), 1);
        let (string, _) = convert(json!({
            "oneOf": [{ "type": "boolean" }, { "type": "integer", "enum": [1, 2] }]
        }));
        assert_eq!(string.ty, AttrType::String);
        assert!(string.enum_values.is_empty());
        assert_eq!(
            string.description,
            "alternatives of type boolean and integer; string is kept."
        );
    }

    #[test]
    fn fields_only_in_get_are_read_only_and_only_in_patch_write_only() {
        let (attr, log) = merged(
            json!({ "type": "object", "properties": {
                "signin_with_sso": { "type": "object", "properties": {
                    "enable": { "type": "boolean" },
                    "sso_bypass_users": { "type": "array", "items": {
                        "type": "object", "properties": { "id": { "type": "string" } } } }
                }},
                "smart_recognition": { "type": "object", "properties": {
                    "enable": { "type": "boolean" } } }
            }}),
            json!({ "type": "object", "properties": {
                "signin_with_sso": { "type": "object", "properties": {
                    "enable": { "type": "boolean" },
                    "sso_bypass_user_ids": { "type": "array", "items": { "type": "string" } },
                    "operation": { "type": "string", "enum": ["add", "remove"] }
                }}
            }}),
        );
        let sso = &attr.properties["signin_with_sso"];
        assert!(!sso.read_only && !sso.write_only);
        assert!(!sso.properties["enable"].read_only && !sso.properties["enable"].write_only);
        assert!(sso.properties["sso_bypass_users"].read_only);
        let bypass_item = sso.properties["sso_bypass_users"]
            .items
            .as_deref()
            .expect("items");
        assert!(
            bypass_item.properties["id"].read_only,
            "read-only reaches the leaves"
        );
        assert!(sso.properties["sso_bypass_user_ids"].write_only);
        assert!(sso.properties["operation"].write_only);
        assert_eq!(
            sso.properties.keys().collect::<Vec<_>>(),
            [
                "enable",
                "sso_bypass_users",
                "sso_bypass_user_ids",
                "operation"
            ],
            "read order first, then write-only members"
        );
        let smart = &attr.properties["smart_recognition"];
        assert!(smart.read_only && smart.properties["enable"].read_only);
        assert!(log.conflicts.is_empty());
    }

    #[test]
    fn type_conflicts_keep_the_get_type_read_only_and_name_both() {
        let (attr, log) = merged(
            json!({ "type": "object", "properties": {
                "encryption_type": { "type": "boolean", "description": "Locked." } } }),
            json!({ "type": "object", "properties": {
                "encryption_type": { "type": "string", "enum": ["e2ee"] } } }),
        );
        let field = &attr.properties["encryption_type"];
        assert_eq!(field.ty, AttrType::Boolean);
        assert!(field.read_only && !field.write_only);
        assert!(field.enum_values.is_empty());
        assert!(
            field
                .description
                .contains("GET returns boolean, PATCH takes string")
        );
        assert!(field.description.starts_with("Locked."));
        assert_eq!(
            log.conflicts,
            vec![TypeConflict {
                path: "encryption_type".into(),
                read: AttrType::Boolean,
                write: AttrType::String
            }]
        );
    }

    #[test]
    fn merged_fields_unite_enums_and_widen_ranges() {
        let (attr, log) = merged(
            json!({ "type": "integer", "enum": [1, 2], "minimum": 0, "maximum": 10 }),
            json!({ "type": "integer", "enum": [2, 3], "minimum": 1, "maximum": 20 }),
        );
        assert_eq!(attr.enum_values, vec![json!(2), json!(3), json!(1)]);
        assert_eq!((attr.minimum, attr.maximum), (Some(0.0), Some(20.0)));
        assert_eq!(log.notes.len(), 1);
        let (one_sided, _) = merged(
            json!({ "type": "string" }),
            json!({ "type": "string", "enum": ["a"] }),
        );
        assert_eq!(one_sided.enum_values, vec![json!("a")]);
    }

    #[test]
    fn string_lengths_and_item_counts_are_kept_and_widened() {
        let (attr, _) = merged(
            json!({ "type": "array", "maxItems": 20,
                    "items": { "type": "string", "minLength": 5, "maxLength": 30 } }),
            json!({ "type": "array", "maxItems": 10,
                    "items": { "type": "string", "minLength": 4 } }),
        );
        assert_eq!(attr.max_items, Some(20));
        let items = attr.items.expect("items");
        assert_eq!((items.min_length, items.max_length), (Some(4), Some(30)));
    }

    #[test]
    fn array_items_are_merged_field_by_field() {
        let (attr, _) = merged(
            json!({ "type": "array", "items": { "type": "object", "properties": {
                "code": { "type": "string" }, "name": { "type": "string" } } } }),
            json!({ "type": "array", "items": { "type": "object", "properties": {
                "code": { "type": "string" } } } }),
        );
        let items = attr.items.expect("items");
        assert!(!items.properties["code"].read_only);
        assert!(items.properties["name"].read_only);
    }

    #[test]
    fn untyped_schemas_are_inferred_or_noted() {
        let (inferred, _) = convert(json!({ "enum": [true, false] }));
        assert_eq!(inferred.ty, AttrType::Boolean);
        let (fallback, log) = convert(json!({ "description": "anything" }));
        assert_eq!(fallback.ty, AttrType::String);
        assert_eq!(log.notes.len(), 1);
    }

    #[test]
    fn field_counts_include_nested_and_item_members() {
        let (attr, _) = convert(json!({ "type": "object", "properties": {
            "a": { "type": "boolean" },
            "b": { "type": "object", "properties": { "c": { "type": "boolean" } } },
            "d": { "type": "array", "items": { "type": "object", "properties": {
                "e": { "type": "string" } } } }
        }}));
        assert_eq!(count_fields(&attr), 5);
        assert_eq!(count_fields_where(&attr, &|a| a.ty == AttrType::String), 1);
    }
}
