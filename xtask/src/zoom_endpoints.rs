//! Builds `schemas/zoom-api.json`: the index of the Zoom operations zentra calls, with their
//! scopes, rate-limit label, query parameters, body and response schemas and documented error
//! codes, used by the emulator and the conformance tests.

use anyhow::{Context, Result, anyhow};
use serde_json::{Map, Value, json};

use crate::description::{collapse_whitespace, decode_entities, strip_html_tags};
use crate::openapi::{OpenApiDocument, content_schema, strip_documentation};
use crate::sources::{SpecFile, generated_from};

/// Path prefixes whose every operation is indexed (the path itself or anything below it).
pub const INDEXED_PATH_PREFIXES: &[&str] = &[
    "/accounts/{accountId}/settings",
    "/accounts/{accountId}/lock_settings",
    "/accounts/{accountId}/managed_domains",
    "/accounts/{accountId}/trusted_domains",
    "/groups",
    "/roles",
    "/rooms/calendar/services",
];

/// Single operations indexed outside those prefixes: the user list, one user, and the
/// master account's sub-account list (when the spec has it).
pub const INDEXED_OPERATIONS: &[(&str, &str)] = &[
    ("get", "/users"),
    ("get", "/users/{userId}"),
    ("patch", "/users/{userId}"),
    ("delete", "/users/{userId}"),
    ("get", "/accounts"),
];

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Whether the operation `method path` belongs in the index.
pub fn is_indexed(method: &str, path: &str) -> bool {
    let under_prefix = INDEXED_PATH_PREFIXES.iter().any(|prefix| {
        path == *prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    });
    under_prefix
        || INDEXED_OPERATIONS
            .iter()
            .any(|(m, p)| *m == method && *p == path)
}

/// Builds the endpoint index from the given spec files, in file, path and method order.
pub fn build_endpoint_index(specs: &[&SpecFile]) -> Result<Value> {
    let mut operations = Vec::new();
    for spec in specs {
        let document = OpenApiDocument::new(spec.label.clone(), spec.json()?);
        for (path, item) in document.paths()? {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, operation) in item {
                if !HTTP_METHODS.contains(&method.as_str()) || !is_indexed(method, path) {
                    continue;
                }
                let entry = index_operation(&document, method, path, operation)
                    .with_context(|| format!("{}: {} {path}", spec.label, method.to_uppercase()))?;
                operations.push(entry);
            }
        }
    }
    Ok(json!({
        "generated_from": generated_from(specs.iter().copied()),
        "operations": operations,
    }))
}

fn index_operation(
    document: &OpenApiDocument,
    method: &str,
    path: &str,
    operation: &Value,
) -> Result<Value> {
    let description = operation
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("");
    let extensions = operation.get("x-extensions");
    let string_list = |key: &str| -> Option<Vec<String>> {
        extensions?.get(key)?.as_array().map(|values| {
            values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
    };
    let macro_scopes = string_list("x-macro-scopes")
        .unwrap_or_else(|| backticked_on_line(description, "Scopes", Some("Granular")));
    let granular_scopes = string_list("x-granular-scopes")
        .unwrap_or_else(|| backticked_on_line(description, "Granular Scopes", None));
    let permissions = string_list("x-permissions").unwrap_or_default();
    let rate_limit_label = extensions
        .and_then(Value::as_object)
        .and_then(|map| {
            map.iter()
                .find(|(key, _)| key.contains("rate-limit"))
                .and_then(|(_, value)| value.as_str())
        })
        .map(str::to_string)
        .or_else(|| {
            backticked_on_line(description, "Rate Limit Label", None)
                .into_iter()
                .next()
        })
        .map(|label| label.to_uppercase());

    let (request_content_type, request_body) = match operation.get("requestBody") {
        Some(body) => {
            let body = document.dereference(body)?;
            match content_schema(body) {
                Some((media_type, schema)) => (
                    Value::String(media_type.to_string()),
                    validation_schema(document, schema).context("in the request body")?,
                ),
                None => (Value::Null, Value::Null),
            }
        }
        None => (Value::Null, Value::Null),
    };

    let mut entry = Map::new();
    entry.insert("method".into(), json!(method.to_uppercase()));
    entry.insert("path".into(), json!(path));
    entry.insert(
        "operation_id".into(),
        operation.get("operationId").cloned().unwrap_or(Value::Null),
    );
    entry.insert(
        "scopes".into(),
        json!({ "macro": macro_scopes, "granular": granular_scopes }),
    );
    entry.insert("permissions".into(), json!(permissions));
    entry.insert("rate_limit_label".into(), json!(rate_limit_label));
    entry.insert(
        "query".into(),
        Value::Array(query_parameters(document, operation)?),
    );
    entry.insert("request_content_type".into(), request_content_type);
    entry.insert("request_body".into(), request_body);
    entry.insert("responses".into(), responses(document, operation)?);
    Ok(Value::Object(entry))
}

/// A schema as the emulator validates against it: references resolved, `allOf` folded,
/// `oneOf` branches kept, prose and examples removed.
fn validation_schema(document: &OpenApiDocument, schema: &Value) -> Result<Value> {
    let mut normalized = document.normalize_schema(schema)?;
    strip_documentation(&mut normalized);
    Ok(normalized)
}

fn query_parameters(document: &OpenApiDocument, operation: &Value) -> Result<Vec<Value>> {
    let Some(parameters) = operation.get("parameters").and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    let mut query = Vec::new();
    for parameter in parameters {
        let parameter = document.dereference(parameter)?;
        if parameter.get("in").and_then(Value::as_str) != Some("query") {
            continue;
        }
        let name = parameter
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("query parameter without a name"))?;
        let schema = match parameter.get("schema") {
            Some(schema) => validation_schema(document, schema)
                .with_context(|| format!("in query parameter `{name}`"))?,
            None => Value::Null,
        };
        query.push(json!({
            "name": name,
            "required": parameter.get("required").and_then(Value::as_bool).unwrap_or(false),
            "schema": schema,
        }));
    }
    Ok(query)
}

/// Status code → body schema (or null) for successes, or the documented error codes for
/// failures.
fn responses(document: &OpenApiDocument, operation: &Value) -> Result<Value> {
    let mut out = Map::new();
    let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
        return Ok(Value::Object(out));
    };
    for (status, response) in responses {
        let response = document.dereference(response)?;
        let value = if status.starts_with('2') {
            match content_schema(response) {
                Some((_, schema)) => validation_schema(document, schema)
                    .with_context(|| format!("in the {status} response"))?,
                None => Value::Null,
            }
        } else {
            let description = response
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            let errors: Vec<Value> = parse_error_codes(description)
                .into_iter()
                .map(|error| json!({ "code": error.code, "message": error.message }))
                .collect();
            json!({ "errors": errors })
        };
        out.insert(status.clone(), value);
    }
    Ok(Value::Object(out))
}

/// One documented vendor error: the `code` of Zoom's error body and its message.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentedError {
    /// A number when the spec writes one (it always has so far), else the text.
    pub code: Value,
    pub message: String,
}

/// Parses the `**Error Code:** \`2001\` <br> Message` entries of a response description.
pub fn parse_error_codes(description: &str) -> Vec<DocumentedError> {
    const MARKER: &str = "**Error Code:**";
    description
        .split(MARKER)
        .skip(1)
        .filter_map(|chunk| {
            let open = chunk.find('`')?;
            let after_open = &chunk[open + 1..];
            let close = after_open.find('`')?;
            let code_text = after_open[..close].trim();
            let code = code_text
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(code_text.to_string()));
            let message = collapse_whitespace(&decode_entities(&strip_html_tags(
                &after_open[close + 1..].replace("**", ""),
            )));
            Some(DocumentedError { code, message })
        })
        .collect()
}

/// The backtick-quoted tokens on the first description line mentioning `label` (and, when
/// given, not `unless`), e.g. the scopes after `**[Scopes](...):**`.
fn backticked_on_line(description: &str, label: &str, unless: Option<&str>) -> Vec<String> {
    let Some(line) = description
        .lines()
        .find(|line| line.contains(label) && unless.is_none_or(|word| !line.contains(word)))
    else {
        return Vec::new();
    };
    let after_label = &line[line.find(label).map_or(0, |at| at + label.len())..];
    after_label
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|token| token.trim().to_string())
        .filter(|token| !token.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_and_messages_are_parsed_from_descriptions() {
        let description = "**HTTP Status Code:** `400` <br>\n Bad Request  \n\n **Error Code:** `1224` <br>\n Role name {roleName} has already been used.<br><br> <br>\n**Error Code:** `1034` <br>\n Provided `role_id` does not exist. <br>\n";
        assert_eq!(
            parse_error_codes(description),
            vec![
                DocumentedError {
                    code: json!(1224),
                    message: "Role name {roleName} has already been used.".into()
                },
                DocumentedError {
                    code: json!(1034),
                    message: "Provided `role_id` does not exist.".into()
                },
            ]
        );
        assert!(parse_error_codes("**HTTP Status Code:** `404` <br>\n Not Found\n\n").is_empty());
    }

    #[test]
    fn indexed_operations_follow_the_prefix_list_by_path_segment() {
        assert!(is_indexed("get", "/accounts/{accountId}/settings"));
        assert!(is_indexed(
            "patch",
            "/accounts/{accountId}/settings/registration"
        ));
        assert!(is_indexed("delete", "/groups/{groupId}/members/{memberId}"));
        assert!(is_indexed("get", "/users"));
        assert!(!is_indexed("post", "/users"));
        assert!(is_indexed("patch", "/users/{userId}"));
        assert!(!is_indexed("get", "/users/{userId}/settings"));
        assert!(!is_indexed("get", "/groupsettings"));
        assert!(!is_indexed("get", "/metrics/meetings"));
    }

    #[test]
    fn scopes_and_labels_come_from_extensions_or_the_description() {
        let spec = SpecFile {
            label: "inline.json".into(),
            sha256: "0".repeat(64),
            bytes: serde_json::to_vec(&json!({
                "paths": {
                    "/roles": { "get": {
                        "operationId": "roles",
                        "description": "List roles.\n\n**[Scopes](https://x):** `role:read:admin`\n\n**[Granular Scopes](https://x):** `role:read:list_roles`,`role:read:list_roles:admin`\n\n**[Rate Limit Label](https://x):** `Medium`",
                        "parameters": [
                            { "name": "type", "in": "query", "schema": { "type": "string", "description": "gone", "enum": ["common"] } },
                            { "$ref": "#/components/parameters/PageSize" }
                        ],
                        "responses": {
                            "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Roles" } } } },
                            "400": { "description": "**Error Code:** `4700` <br>\nInvalid access token." }
                        }
                    }},
                    "/roles/{roleId}": { "patch": {
                        "operationId": "updateRole",
                        "x-extensions": { "x-macro-scopes": ["role:write:admin"], "x-granular-scopes": [], "x-permissions": ["Role:Edit"] },
                        "requestBody": { "content": { "application/json": { "schema": { "oneOf": [
                            { "title": "A", "type": "object", "properties": { "name": { "type": "string", "description": "gone" } } },
                            { "title": "B", "type": "object" }
                        ]}}}},
                        "responses": { "204": { "description": "Updated." } }
                    }},
                    "/metrics/chat": { "get": { "responses": {} } }
                },
                "components": {
                    "parameters": { "PageSize": { "name": "page_size", "in": "query", "required": true, "schema": { "type": "integer", "maximum": 300 } } },
                    "schemas": { "Roles": { "type": "object", "properties": { "total_records": { "type": "integer", "example": 1 } } } }
                }
            }))
            .expect("serializes"),
        };
        let index = build_endpoint_index(&[&spec]).expect("builds");
        let operations = index["operations"].as_array().expect("operations");
        assert_eq!(operations.len(), 2, "the /metrics operation is not indexed");
        let list = &operations[0];
        assert_eq!(list["method"], "GET");
        assert_eq!(list["scopes"]["macro"], json!(["role:read:admin"]));
        assert_eq!(
            list["scopes"]["granular"],
            json!(["role:read:list_roles", "role:read:list_roles:admin"])
        );
        assert_eq!(list["rate_limit_label"], "MEDIUM");
        assert_eq!(
            list["query"],
            json!([
                { "name": "type", "required": false, "schema": { "type": "string", "enum": ["common"] } },
                { "name": "page_size", "required": true, "schema": { "type": "integer", "maximum": 300 } }
            ])
        );
        assert_eq!(
            list["responses"]["200"],
            json!({ "type": "object", "properties": { "total_records": { "type": "integer" } } })
        );
        assert_eq!(
            list["responses"]["400"],
            json!({ "errors": [{ "code": 4700, "message": "Invalid access token." }] })
        );
        assert_eq!(list["request_body"], Value::Null);

        let update = &operations[1];
        assert_eq!(update["scopes"]["macro"], json!(["role:write:admin"]));
        assert_eq!(update["permissions"], json!(["Role:Edit"]));
        assert_eq!(update["rate_limit_label"], Value::Null);
        assert_eq!(update["request_content_type"], "application/json");
        assert_eq!(
            update["request_body"]["oneOf"][0],
            json!({ "title": "A", "type": "object", "properties": { "name": { "type": "string" } } })
        );
        assert_eq!(update["responses"]["204"], Value::Null);
    }
}
