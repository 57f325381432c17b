//! Strict OpenAPI 3.0 schema validation, as used for Zoom's request and response bodies and parameters.
//!
//! Supported keywords: `$ref` (local JSON pointers), `allOf`, `oneOf`, `anyOf`, `type`, `nullable`, `enum`,
//! `minimum`/`maximum` (with the OpenAPI 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum`), `multipleOf`,
//! `minLength`/`maxLength`, `pattern` (see below), `format` (`date-time`, `date`, `email`, `uri`, `int32`,
//! `int64`), `minItems`/`maxItems`/`uniqueItems`, `items`, `properties`, `required` and
//! `additionalProperties`.
//!
//! Combinators are expanded into *alternatives*: each alternative is a list of schema parts that must all
//! hold, so `allOf` multiplies and `oneOf`/`anyOf` add alternatives. A value is valid if at least one
//! alternative accepts it (Zoom's `oneOf` branches overlap, so "exactly one" is not required). Properties
//! declared by any part of an alternative count as declared, so `allOf` pieces that each declare part of an
//! object do not reject each other's properties.
//!
//! Strictness: an object property that no part of the alternative declares is an error unless the schema
//! says `additionalProperties: true` (or gives a schema for them). The only exception is an object schema
//! with no `properties` and no `additionalProperties` at all, which is treated as free-form.
//!
//! Tolerated inconsistencies of Zoom's files (each is applied only in the situation described):
//! * `enum` with scalar members on a `type: array` schema applies to each item
//!   (`in_meeting.language_interpretation.languages`).
//! * `minimum`/`maximum` on a `type: array` schema mean `minItems`/`maxItems`
//!   (`POST /groups/{groupId}/members` `members`, `admins`, `assistants`, `schedulers`).
//! * `minLength`/`maxLength` on non-string schemas and `minimum`/`maximum` on string schemas are ignored
//!   (`PATCH /users/{userId}` `pmi`, `PUT /users/{userId}/password` `password`).
//! * `format: datetime` is read as `date-time`.
//! * `pattern: "yyyy-MM-dd HH:mm:ss"` is a date layout, not a regular expression, and is checked as one; it
//!   overrides the `format: date-time` it is paired with (`PATCH /rooms/content/digital_signage/contents/{contentId}`
//!   `expiration_time`). Any other `pattern` is reported as unsupported instead of being silently accepted.

use serde_json::{Map, Value};

use super::{child_path, describe, index_path, is_full_date, is_rfc3339, show_short, suggestion};

/// Zoom's only `pattern`, a date layout rather than a regular expression.
const DATE_LAYOUT_PATTERN: &str = "yyyy-MM-dd HH:mm:ss";

/// Upper bound on the alternatives one schema may expand to; Zoom's deepest nesting yields five.
const MAX_ALTERNATIVES: usize = 512;

/// One way a value can satisfy a schema: every part must hold.
#[derive(Debug, Clone)]
pub struct Alternative<'a> {
    pub parts: Vec<&'a Value>,
    pub label: String,
}

impl<'a> Alternative<'a> {
    /// Names of the object properties declared by any part.
    pub fn declared_properties(&self) -> Vec<&'a str> {
        let mut names: Vec<&'a str> = Vec::new();
        for part in &self.parts {
            if let Some(properties) = part.get("properties").and_then(Value::as_object) {
                for name in properties.keys() {
                    if !names.contains(&name.as_str()) {
                        names.push(name.as_str());
                    }
                }
            }
        }
        names
    }

    /// The schemas that declare property `name`, one per declaring part.
    pub fn property_schemas(&self, name: &str) -> Vec<&'a Value> {
        self.parts
            .iter()
            .filter_map(|part| {
                part.get("properties")
                    .and_then(|properties| properties.get(name))
            })
            .collect()
    }

    /// The `type` keywords of the parts.
    pub fn types(&self) -> Vec<&'a str> {
        self.parts
            .iter()
            .filter_map(|part| part.get("type").and_then(Value::as_str))
            .collect()
    }
}

/// Validates values against schemas that live inside one OpenAPI document (for `$ref` resolution).
#[derive(Clone, Copy)]
pub struct SchemaValidator<'a> {
    pub document: &'a Value,
}

impl<'a> SchemaValidator<'a> {
    pub fn new(document: &'a Value) -> Self {
        SchemaValidator { document }
    }

    /// Follows `$ref` chains to the referenced schema.
    pub fn resolve(&self, schema: &'a Value) -> Result<&'a Value, String> {
        let mut current = schema;
        for _ in 0..32 {
            match current.get("$ref").and_then(Value::as_str) {
                None => return Ok(current),
                Some(reference) => {
                    let pointer = reference
                        .strip_prefix('#')
                        .ok_or_else(|| format!("external $ref `{reference}` is not supported"))?;
                    current = self
                        .document
                        .pointer(pointer)
                        .ok_or_else(|| format!("unresolvable $ref `{reference}`"))?;
                }
            }
        }
        Err("$ref chain is longer than 32 links (cycle?)".to_string())
    }

    /// Expands `$ref`, `allOf`, `oneOf` and `anyOf` into alternatives.
    pub fn alternatives(&self, schema: &'a Value) -> Result<Vec<Alternative<'a>>, String> {
        self.alternatives_at_depth(schema, 0)
    }

    fn alternatives_at_depth(
        &self,
        schema: &'a Value,
        depth: usize,
    ) -> Result<Vec<Alternative<'a>>, String> {
        if depth > 16 {
            return Err("combinators nested more than 16 levels deep".to_string());
        }
        let schema = self.resolve(schema)?;
        let mut alternatives = vec![Alternative {
            parts: vec![schema],
            label: String::new(),
        }];
        if let Some(pieces) = schema.get("allOf").and_then(Value::as_array) {
            for piece in pieces {
                let piece_alternatives = self.alternatives_at_depth(piece, depth + 1)?;
                alternatives = product(&alternatives, &piece_alternatives)?;
            }
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(branches) = schema.get(keyword).and_then(Value::as_array) {
                let mut union = Vec::new();
                for (index, branch) in branches.iter().enumerate() {
                    let resolved = self.resolve(branch)?;
                    let title = resolved
                        .get("title")
                        .and_then(Value::as_str)
                        .map(|title| format!(" \"{title}\""))
                        .unwrap_or_default();
                    for mut alternative in self.alternatives_at_depth(branch, depth + 1)? {
                        let own = format!("{keyword}[{index}]{title}");
                        alternative.label = join_labels(&own, &alternative.label);
                        union.push(alternative);
                    }
                }
                if !union.is_empty() {
                    alternatives = product(&alternatives, &union)?;
                }
            }
        }
        Ok(alternatives)
    }

    /// Validates `value` against `schema`; returns one message per problem, each starting with `path`.
    pub fn validate(&self, schema: &'a Value, value: &Value, path: &str) -> Vec<String> {
        match self.alternatives(schema) {
            Ok(alternatives) => self.validate_alternatives(&alternatives, value, path),
            Err(problem) => vec![format!("{path}: invalid schema: {problem}")],
        }
    }

    /// Validates against a precomputed set of alternatives (at least one must accept the value).
    pub fn validate_alternatives(
        &self,
        alternatives: &[Alternative<'a>],
        value: &Value,
        path: &str,
    ) -> Vec<String> {
        match alternatives {
            [] => vec![format!("{path}: no schema alternative is applicable")],
            [only] => self.validate_alternative(only, value, path),
            many => {
                let mut closest: Option<(usize, Vec<String>)> = None;
                for (index, alternative) in many.iter().enumerate() {
                    let errors = self.validate_alternative(alternative, value, path);
                    if errors.is_empty() {
                        return errors;
                    }
                    if closest
                        .as_ref()
                        .is_none_or(|(_, best)| errors.len() < best.len())
                    {
                        closest = Some((index, errors));
                    }
                }
                let (index, errors) = closest.unwrap_or_default();
                let label = many
                    .get(index)
                    .map(|alternative| alternative.label.as_str())
                    .unwrap_or("");
                let mut messages = vec![format!(
                    "{path}: matches none of the {} schema alternatives; the closest, {}, fails with:",
                    many.len(),
                    if label.is_empty() { "the first" } else { label }
                )];
                messages.extend(errors.into_iter().map(|error| format!("  {error}")));
                messages
            }
        }
    }

    /// Validates `value` against every part of one alternative.
    pub fn validate_alternative(
        &self,
        alternative: &Alternative<'a>,
        value: &Value,
        path: &str,
    ) -> Vec<String> {
        let parts = &alternative.parts;
        if value.is_null() {
            let nullable = parts
                .iter()
                .any(|part| part.get("nullable").and_then(Value::as_bool) == Some(true));
            let typed = parts
                .iter()
                .any(|part| part.get("type").is_some() || part.get("enum").is_some());
            return if nullable || !typed {
                Vec::new()
            } else {
                vec![format!(
                    "{path}: null is not allowed (expected {}; the schema is not nullable)",
                    type_list(alternative)
                )]
            };
        }
        let mut errors = Vec::new();
        for declared in alternative.types() {
            if !type_matches(declared, value) {
                errors.push(format!(
                    "{path}: expected {declared}, found {}",
                    describe(value)
                ));
                return errors;
            }
        }
        for part in parts {
            self.check_enum(part, value, path, &mut errors);
            match value {
                Value::Number(_) => check_number(part, value, path, &mut errors),
                Value::String(text) => check_string(part, text, path, &mut errors),
                Value::Array(items) => self.check_array(part, items, path, &mut errors),
                _ => {}
            }
        }
        if let Value::Object(object) = value {
            self.check_object(alternative, object, path, &mut errors);
        }
        errors
    }

    fn check_enum(&self, part: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
        let Some(members) = part.get("enum").and_then(Value::as_array) else {
            return;
        };
        let array_schema = part.get("type").and_then(Value::as_str) == Some("array");
        match value {
            // Tolerance: scalar enum on an array schema constrains the items.
            Value::Array(items) if array_schema => {
                for (index, item) in items.iter().enumerate() {
                    if !members.contains(item) {
                        errors.push(format!(
                            "{}: {} is not one of the allowed values {}",
                            index_path(path, index),
                            show_short(item),
                            show_members(members)
                        ));
                    }
                }
            }
            _ if !members.contains(value) => errors.push(format!(
                "{path}: {} is not one of the allowed values {}",
                show_short(value),
                show_members(members)
            )),
            _ => {}
        }
    }

    fn check_array(&self, part: &'a Value, items: &[Value], path: &str, errors: &mut Vec<String>) {
        // Tolerance: Zoom writes `maximum`/`minimum` on arrays where it means `maxItems`/`minItems`.
        let array_schema = part.get("type").and_then(Value::as_str) == Some("array");
        let min_items = part.get("minItems").and_then(Value::as_u64).or_else(|| {
            if array_schema {
                part.get("minimum").and_then(Value::as_u64)
            } else {
                None
            }
        });
        let max_items = part.get("maxItems").and_then(Value::as_u64).or_else(|| {
            if array_schema {
                part.get("maximum").and_then(Value::as_u64)
            } else {
                None
            }
        });
        let count = items.len() as u64;
        if let Some(minimum) = min_items
            && count < minimum
        {
            errors.push(format!(
                "{path}: expected at least {minimum} items, found {count}"
            ));
        }
        if let Some(maximum) = max_items
            && count > maximum
        {
            errors.push(format!(
                "{path}: expected at most {maximum} items, found {count}"
            ));
        }
        if part.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
            for (index, item) in items.iter().enumerate() {
                if items[..index].contains(item) {
                    errors.push(format!(
                        "{}: duplicate item in an array with uniqueItems",
                        index_path(path, index)
                    ));
                }
            }
        }
        if let Some(item_schema) = part.get("items") {
            match self.alternatives(item_schema) {
                Ok(alternatives) => {
                    for (index, item) in items.iter().enumerate() {
                        errors.extend(self.validate_alternatives(
                            &alternatives,
                            item,
                            &index_path(path, index),
                        ));
                    }
                }
                Err(problem) => errors.push(format!("{path}: invalid items schema: {problem}")),
            }
        }
    }

    fn check_object(
        &self,
        alternative: &Alternative<'a>,
        object: &Map<String, Value>,
        path: &str,
        errors: &mut Vec<String>,
    ) {
        let declared = alternative.declared_properties();
        let declares_properties = alternative
            .parts
            .iter()
            .any(|part| part.get("properties").is_some());
        let additional: Vec<&'a Value> = alternative
            .parts
            .iter()
            .filter_map(|part| part.get("additionalProperties"))
            .collect();
        for (name, property_value) in object {
            let property_path = child_path(path, name);
            let schemas = alternative.property_schemas(name);
            if !schemas.is_empty() {
                for schema in schemas {
                    errors.extend(self.validate(schema, property_value, &property_path));
                }
                continue;
            }
            if additional
                .iter()
                .any(|extra| extra.as_bool() == Some(false))
            {
                errors.push(format!(
                    "{property_path}: property not declared in schema (additionalProperties is false){}",
                    suggestion(name, declared.iter().copied())
                ));
            } else if let Some(extra_schema) = additional.iter().find(|extra| extra.is_object()) {
                errors.extend(self.validate(extra_schema, property_value, &property_path));
            } else if declares_properties
                && !additional.iter().any(|extra| extra.as_bool() == Some(true))
            {
                // Undeclared. (An object schema without any `properties` is free-form: Zoom's
                // `tsp.call_out_countries` items.)
                errors.push(format!(
                    "{property_path}: property not declared in schema{}",
                    suggestion(name, declared.iter().copied())
                ));
            }
        }
        for part in &alternative.parts {
            if let Some(required) = part.get("required").and_then(Value::as_array) {
                for name in required.iter().filter_map(Value::as_str) {
                    if !object.contains_key(name) {
                        errors.push(format!(
                            "{}: required property is missing",
                            child_path(path, name)
                        ));
                    }
                }
            }
        }
    }
}

fn product<'a>(
    left: &[Alternative<'a>],
    right: &[Alternative<'a>],
) -> Result<Vec<Alternative<'a>>, String> {
    if left.len().saturating_mul(right.len()) > MAX_ALTERNATIVES {
        return Err(format!(
            "schema expands to more than {MAX_ALTERNATIVES} alternatives"
        ));
    }
    let mut combined = Vec::with_capacity(left.len() * right.len());
    for first in left {
        for second in right {
            let mut parts = first.parts.clone();
            parts.extend(second.parts.iter().copied());
            combined.push(Alternative {
                parts,
                label: join_labels(&first.label, &second.label),
            });
        }
    }
    Ok(combined)
}

fn join_labels(first: &str, second: &str) -> String {
    match (first.is_empty(), second.is_empty()) {
        (true, _) => second.to_string(),
        (false, true) => first.to_string(),
        (false, false) => format!("{first} / {second}"),
    }
}

fn type_list(alternative: &Alternative<'_>) -> String {
    let types = alternative.types();
    if types.is_empty() {
        "a value".to_string()
    } else {
        types.join(" and ")
    }
}

fn show_members(members: &[Value]) -> String {
    let shown: Vec<String> = members.iter().map(show_short).collect();
    format!("[{}]", shown.join(", "))
}

/// Whether a JSON value has the OpenAPI `type`.
pub fn type_matches(declared: &str, value: &Value) -> bool {
    match declared {
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn check_number(part: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let schema_type = part.get("type").and_then(Value::as_str);
    if !matches!(schema_type, None | Some("integer") | Some("number")) {
        return;
    }
    let Some(number) = value.as_f64() else { return };
    let exclusive_minimum = part.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true);
    let exclusive_maximum = part.get("exclusiveMaximum").and_then(Value::as_bool) == Some(true);
    if let Some(minimum) = part.get("minimum").and_then(Value::as_f64)
        && (number < minimum || (exclusive_minimum && number <= minimum))
    {
        let relation = if exclusive_minimum {
            "greater than"
        } else {
            "at least"
        };
        errors.push(format!(
            "{path}: expected a number {relation} {minimum}, found {value}"
        ));
    }
    if let Some(maximum) = part.get("maximum").and_then(Value::as_f64)
        && (number > maximum || (exclusive_maximum && number >= maximum))
    {
        let relation = if exclusive_maximum {
            "less than"
        } else {
            "at most"
        };
        errors.push(format!(
            "{path}: expected a number {relation} {maximum}, found {value}"
        ));
    }
    if let Some(step) = part.get("multipleOf").and_then(Value::as_f64)
        && step > 0.0
        && ((number / step).round() * step - number).abs() > 1e-9
    {
        errors.push(format!(
            "{path}: expected a multiple of {step}, found {value}"
        ));
    }
    match part.get("format").and_then(Value::as_str) {
        Some("int32")
            if value
                .as_i64()
                .is_none_or(|integer| i32::try_from(integer).is_err()) =>
        {
            errors.push(format!("{path}: {value} does not fit format int32"));
        }
        Some("int64") if value.as_i64().is_none() => {
            errors.push(format!("{path}: {value} does not fit format int64"));
        }
        _ => {}
    }
}

fn check_string(part: &Value, text: &str, path: &str, errors: &mut Vec<String>) {
    let schema_type = part.get("type").and_then(Value::as_str);
    if !matches!(schema_type, None | Some("string")) {
        return;
    }
    let length = text.chars().count() as u64;
    if let Some(minimum) = part.get("minLength").and_then(Value::as_u64)
        && length < minimum
    {
        errors.push(format!(
            "{path}: expected at least {minimum} characters, found {length}"
        ));
    }
    if let Some(maximum) = part.get("maxLength").and_then(Value::as_u64)
        && length > maximum
    {
        errors.push(format!(
            "{path}: expected at most {maximum} characters, found {length}"
        ));
    }
    if let Some(pattern) = part.get("pattern").and_then(Value::as_str) {
        check_pattern(pattern, text, path, errors);
    }
    // Zoom pairs its one layout pattern with `format: date-time`; the layout is the more specific of the two.
    let layout_pattern = part.get("pattern").and_then(Value::as_str) == Some(DATE_LAYOUT_PATTERN);
    if let Some(format) = part.get("format").and_then(Value::as_str)
        && !layout_pattern
    {
        let valid = match format {
            "date-time" | "datetime" => is_rfc3339(text),
            "date" => is_full_date(text),
            "email" => is_email(text),
            "uri" => url::Url::parse(text).is_ok(),
            _ => true,
        };
        if !valid {
            errors.push(format!(
                "{path}: expected format {format}, found {}",
                describe(&Value::String(text.into()))
            ));
        }
    }
}

/// Zoom's only `pattern` is a date layout; real regular expressions are not supported and say so.
fn check_pattern(pattern: &str, text: &str, path: &str, errors: &mut Vec<String>) {
    if pattern == DATE_LAYOUT_PATTERN {
        if chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").is_err() {
            errors.push(format!("{path}: expected the layout `yyyy-MM-dd HH:mm:ss`"));
        }
    } else {
        errors.push(format!("{path}: pattern `{pattern}` is a regular expression, which this validator does not check"));
    }
}

fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !text.contains(' ')
        }
        None => false,
    }
}
