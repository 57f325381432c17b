//! Validates Zoom REST API v2 requests and responses against Zoom's own OpenAPI 3.0 files.
//!
//! The three API Hub files (Accounts, Users, Rooms; February 2026) are parsed once per test binary. A request
//! is matched to an operation by method and path template (literal segments beat `{parameters}`), then its
//! path parameters, query parameters and JSON body are checked with the strict schema rules of
//! [`super::json_schema`]. A response is checked for a documented status, a body that matches the documented
//! schema, and, for errors, Zoom's error shape and documented error codes.
//!
//! Rules that go beyond the letter of the spec (each follows Zoom's behaviour or documentation):
//! * `?option=` selects the settings shape. On operations that declare an `option` query parameter, with
//!   `option=v` the body must match an alternative that declares the top-level property `v`; when `v` is an
//!   object section (`security`, `meeting_security`) no other top-level property may appear. Without `option`,
//!   the alternatives that declare `meeting_security`, `meeting_authentication` or `recording_authentication`
//!   are excluded, because those shapes are only reachable through `option`.
//! * Zoom never marks a `requestBody` as required; a POST, PATCH or PUT to an operation that declares a JSON
//!   body must nevertheless send one (Zoom answers 400, code 300, otherwise).
//! * Statuses 401, 429 and 5xx are accepted on every operation (Zoom documents them globally). A 204 is
//!   accepted where the spec documents only a body-less 200 (`PATCH /accounts/{accountId}/lock_settings`).
//! * Error bodies are `{code: integer, message: string, errors?: [{field: string, message: string}]}` with no
//!   other keys. When a documented 4xx status lists error codes (`**Error Code:** \`2001\``), `code` must be
//!   one of them or one of Zoom's global codes: 300 (request validation) on 400, 124 (invalid or expired
//!   access token) on 401, 429 on 429. 5xx codes are not held to the list.
//! * Header parameters and multipart bodies are not checked.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::Value;

use super::json_schema::{Alternative, SchemaValidator};
use super::{
    child_path, describe, parse_query, percent_decode, read_spec_json, split_query, strip_origin,
    suggestion,
};

/// The API Hub files, each with the short name reported in [`MatchedOperation::api`].
const API_FILES: [(&str, &str); 3] = [
    ("accounts", "zoom/api-hub-2026-02/accounts/endpoints.json"),
    ("users", "zoom/api-hub-2026-02/users/endpoints.json"),
    ("rooms", "zoom/api-hub-2026-02/rooms/endpoints.json"),
];

/// Top-level settings properties whose shapes are only reachable through `?option=`.
const OPTION_ONLY_SECTIONS: [&str; 3] = [
    "meeting_security",
    "meeting_authentication",
    "recording_authentication",
];

static ZOOM_DATA: LazyLock<ZoomData> = LazyLock::new(ZoomData::load);

/// Handle to Zoom's parsed OpenAPI files; cheap to copy, the files are parsed once per test binary.
#[derive(Clone, Copy)]
pub struct ZoomSpec {
    data: &'static ZoomData,
}

/// The operation a request was matched to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedOperation {
    /// Which API Hub file documents it: `accounts`, `users` or `rooms`.
    pub api: &'static str,
    /// Zoom's `operationId`, e.g. `accountSettingsUpdate`.
    pub operation_id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The documented path template, e.g. `/accounts/{accountId}/settings`.
    pub template: String,
    /// Values of the template's parameters, percent-decoded.
    pub path_params: BTreeMap<String, String>,
    /// The query parameters as sent, decoded.
    pub query: BTreeMap<String, String>,
}

struct ZoomData {
    documents: Vec<ZoomDocument>,
    operations: Vec<OperationEntry>,
}

struct ZoomDocument {
    api: &'static str,
    root: Value,
}

struct OperationEntry {
    document: usize,
    method: String,
    template: String,
    segments: Vec<TemplateSegment>,
}

enum TemplateSegment {
    Literal(String),
    Parameter(String),
}

/// A request path resolved to one operation of one document.
struct Resolved<'s> {
    entry: &'s OperationEntry,
    document: &'s ZoomDocument,
    operation: &'s Value,
    path_params: BTreeMap<String, String>,
}

impl ZoomData {
    fn load() -> ZoomData {
        let mut documents = Vec::new();
        let mut operations = Vec::new();
        for (index, (api, file)) in API_FILES.iter().enumerate() {
            let root = read_spec_json(file);
            if let Some(paths) = root.get("paths").and_then(Value::as_object) {
                for (template, item) in paths {
                    let Some(item) = item.as_object() else {
                        continue;
                    };
                    for method in item.keys() {
                        if matches!(
                            method.as_str(),
                            "get" | "put" | "post" | "delete" | "patch" | "head" | "options"
                        ) {
                            operations.push(OperationEntry {
                                document: index,
                                method: method.to_ascii_uppercase(),
                                template: template.clone(),
                                segments: parse_template(template),
                            });
                        }
                    }
                }
            }
            documents.push(ZoomDocument { api, root });
        }
        ZoomData {
            documents,
            operations,
        }
    }
}

fn parse_template(template: &str) -> Vec<TemplateSegment> {
    template
        .trim_start_matches('/')
        .split('/')
        .map(|segment| {
            match segment
                .strip_prefix('{')
                .and_then(|rest| rest.strip_suffix('}'))
            {
                Some(name) => TemplateSegment::Parameter(name.to_string()),
                None => TemplateSegment::Literal(segment.to_string()),
            }
        })
        .collect()
}

impl ZoomSpec {
    /// Parses the three API Hub files on first use and returns a handle to them.
    pub fn load() -> ZoomSpec {
        ZoomSpec { data: &ZOOM_DATA }
    }

    /// Every documented operation as `(METHOD, template, api)`, in file order.
    pub fn operations(&self) -> Vec<(String, String, &'static str)> {
        self.data
            .operations
            .iter()
            .map(|entry| {
                (
                    entry.method.clone(),
                    entry.template.clone(),
                    self.data.documents[entry.document].api,
                )
            })
            .collect()
    }

    /// The raw OpenAPI operation object for `METHOD template`, for tests that need to look inside the spec.
    pub fn operation_object(&self, method: &str, template: &str) -> Option<&'static Value> {
        let entry = self.data.operations.iter().find(|entry| {
            entry.method.eq_ignore_ascii_case(method) && entry.template == template
        })?;
        self.data.documents[entry.document].root.pointer(&format!(
            "/paths/{}/{}",
            escape_pointer(template),
            entry.method.to_ascii_lowercase()
        ))
    }

    /// Checks a request zentra sends: operation (path template and method), path and query parameters, and
    /// the JSON body. `path` may carry `/v2`, an origin and an embedded query; `query` is an extra query
    /// string (with or without `?`).
    pub fn validate_request(
        &self,
        method: &str,
        path: &str,
        query: &str,
        body: Option<&Value>,
    ) -> Result<MatchedOperation, Vec<String>> {
        let (path, query) = split_query(strip_origin(path), query);
        let resolved = self.resolve(method, &path)?;
        let validator = SchemaValidator::new(&resolved.document.root);
        let parameters = parameters_of(&validator, &resolved);
        let mut errors = Vec::new();

        for parameter in parameters
            .iter()
            .filter(|parameter| parameter.location == "path")
        {
            match resolved.path_params.get(parameter.name) {
                Some(raw) => check_parameter(&validator, parameter, raw, "path", &mut errors),
                None => errors.push(format!(
                    "path.{}: the spec declares this path parameter but the template {} has no such segment",
                    parameter.name, resolved.entry.template
                )),
            }
        }

        let pairs = parse_query(&query);
        let mut sent: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in &pairs {
            if sent.insert(name.clone(), value.clone()).is_some() {
                errors.push(format!("query.{name}: parameter sent more than once"));
            }
        }
        let query_parameters: Vec<&Parameter> = parameters
            .iter()
            .filter(|parameter| parameter.location == "query")
            .collect();
        for (name, value) in &sent {
            match query_parameters
                .iter()
                .find(|parameter| parameter.name == name)
            {
                Some(parameter) => {
                    check_parameter(&validator, parameter, value, "query", &mut errors)
                }
                None => {
                    let documented: Vec<&str> = query_parameters
                        .iter()
                        .map(|parameter| parameter.name)
                        .collect();
                    errors.push(format!(
                        "query.{name}: unknown query parameter for {} {} ({}); documented: [{}]{}",
                        resolved.entry.method,
                        resolved.entry.template,
                        operation_id(resolved.operation),
                        documented.join(", "),
                        suggestion(name, documented.iter().copied())
                    ));
                }
            }
        }
        for parameter in query_parameters
            .iter()
            .filter(|parameter| parameter.required)
        {
            if !sent.contains_key(parameter.name) {
                errors.push(format!(
                    "query.{}: required query parameter is missing",
                    parameter.name
                ));
            }
        }

        let option = option_context(&query_parameters, &sent);
        let request_body = resolved
            .operation
            .get("requestBody")
            .map(|request_body| validator.resolve(request_body).unwrap_or(request_body));
        let json_schema = request_body
            .and_then(|request_body| request_body.pointer("/content/application~1json/schema"));
        match (json_schema, body) {
            (Some(schema), Some(body)) => {
                validate_body(&validator, schema, &option, body, "body", &mut errors)
            }
            (Some(_), None)
                if matches!(resolved.entry.method.as_str(), "POST" | "PATCH" | "PUT") =>
            {
                errors.push(format!(
                    "body: {} {} ({}) takes a JSON request body, but none was sent",
                    resolved.entry.method,
                    resolved.entry.template,
                    operation_id(resolved.operation)
                ))
            }
            (None, Some(_)) => {
                let content_types: Vec<&String> = request_body
                    .and_then(|request_body| request_body.get("content"))
                    .and_then(Value::as_object)
                    .map(|content| content.keys().collect())
                    .unwrap_or_default();
                if content_types.is_empty() {
                    errors.push(format!(
                        "body: {} {} ({}) takes no request body",
                        resolved.entry.method,
                        resolved.entry.template,
                        operation_id(resolved.operation)
                    ));
                } else {
                    errors.push(format!(
                        "body: {} {} ({}) takes {:?}, not JSON",
                        resolved.entry.method,
                        resolved.entry.template,
                        operation_id(resolved.operation),
                        content_types
                    ));
                }
            }
            _ => {}
        }

        if errors.is_empty() {
            Ok(MatchedOperation {
                api: resolved.document.api,
                operation_id: operation_id(resolved.operation).to_string(),
                method: resolved.entry.method.clone(),
                template: resolved.entry.template.clone(),
                path_params: resolved.path_params,
                query: sent,
            })
        } else {
            Err(errors)
        }
    }

    /// Checks a response the emulator returns for `method path?query`: documented status, body schema for
    /// success, Zoom's error shape and documented codes for errors. `query` only matters for `option`.
    pub fn validate_response(
        &self,
        method: &str,
        path: &str,
        query: &str,
        status: u16,
        body: Option<&Value>,
    ) -> Result<(), Vec<String>> {
        let (path, query) = split_query(strip_origin(path), query);
        let resolved = self.resolve(method, &path)?;
        let validator = SchemaValidator::new(&resolved.document.root);
        let parameters = parameters_of(&validator, &resolved);
        let query_parameters: Vec<&Parameter> = parameters
            .iter()
            .filter(|parameter| parameter.location == "query")
            .collect();
        let sent: BTreeMap<String, String> = parse_query(&query).into_iter().collect();
        let option = option_context(&query_parameters, &sent);
        let described = format!(
            "{} {} ({})",
            resolved.entry.method,
            resolved.entry.template,
            operation_id(resolved.operation)
        );

        let empty = serde_json::Map::new();
        let responses = resolved
            .operation
            .get("responses")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let status_key = status.to_string();
        let generic = status == 401 || status == 429 || (500..600).contains(&status);
        let response_spec: Option<&Value> = match responses
            .get(&status_key)
            .or_else(|| responses.get("default"))
        {
            Some(response) => Some(validator.resolve(response).unwrap_or(response)),
            None if status == 204
                && !responses.contains_key("204")
                && responses.get("200").is_some_and(has_no_content) =>
            {
                responses.get("200")
            }
            None if generic => None,
            None => {
                let mut documented: Vec<&String> = responses.keys().collect();
                documented.sort();
                return Err(vec![format!(
                    "status: {status} is not documented for {described}; documented: {documented:?}, plus the generic 401, 429 and 5xx"
                )]);
            }
        };

        let mut errors = Vec::new();
        if status >= 400 {
            let codes = response_spec
                .map(documented_error_codes)
                .unwrap_or_default();
            match body {
                Some(body) => check_error_body(status, body, &codes, &described, &mut errors),
                None if status >= 500 => {}
                None => errors.push(format!(
                    "body: a {status} error response must carry Zoom's error body {{code, message}}"
                )),
            }
        } else {
            let schema = response_spec
                .and_then(|response| response.pointer("/content/application~1json/schema"));
            match (schema, body) {
                (Some(schema), Some(body)) => {
                    validate_body(&validator, schema, &option, body, "body", &mut errors)
                }
                (Some(_), None) => errors.push(format!(
                    "body: status {status} of {described} documents a JSON body, none was returned"
                )),
                (None, Some(body)) => errors.push(format!(
                    "body: status {status} of {described} documents no body, but {} was returned",
                    describe(body)
                )),
                (None, None) => {}
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Matches `method path` (path without query, `/v2` optional) to exactly one documented operation.
    fn resolve(&self, method: &str, path: &str) -> Result<Resolved<'static>, Vec<String>> {
        let data: &'static ZoomData = self.data;
        let method = method.to_ascii_uppercase();
        let path = match path.strip_prefix("/v2") {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
            _ => path,
        };
        if !path.starts_with('/') {
            return Err(vec![format!("path: `{path}` must start with `/`")]);
        }
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut best: Option<(Vec<bool>, &str)> = None;
        for entry in &data.operations {
            if let Some(score) = match_score(&entry.segments, &segments)
                && best.as_ref().is_none_or(|(top, _)| score > *top)
            {
                best = Some((score, entry.template.as_str()));
            }
        }
        let Some((_, template)) = best else {
            return Err(vec![format!(
                "path: `{path}` matches no documented Zoom operation"
            )]);
        };
        let same_template: Vec<&OperationEntry> = data
            .operations
            .iter()
            .filter(|entry| entry.template == template)
            .collect();
        let Some(entry) = same_template.iter().find(|entry| entry.method == method) else {
            let allowed: Vec<&str> = same_template
                .iter()
                .map(|entry| entry.method.as_str())
                .collect();
            return Err(vec![format!(
                "method: 405 Method Not Allowed: {method} is not documented for {template}; documented methods: [{}]",
                allowed.join(", ")
            )]);
        };
        let document = &data.documents[entry.document];
        let pointer = format!(
            "/paths/{}/{}",
            escape_pointer(&entry.template),
            entry.method.to_ascii_lowercase()
        );
        let operation = document.root.pointer(&pointer).ok_or_else(|| {
            vec![format!(
                "internal: operation {pointer} vanished from the spec"
            )]
        })?;
        let mut path_params = BTreeMap::new();
        for (segment, raw) in entry.segments.iter().zip(&segments) {
            if let TemplateSegment::Parameter(name) = segment {
                path_params.insert(name.clone(), percent_decode(raw));
            }
        }
        Ok(Resolved {
            entry,
            document,
            operation,
            path_params,
        })
    }
}

/// `Some(score)` when `segments` fit the template; a literal segment scores above a parameter, earlier
/// positions first, so `/rooms/account_settings` beats `/rooms/{roomId}`.
fn match_score(template: &[TemplateSegment], segments: &[&str]) -> Option<Vec<bool>> {
    if template.len() != segments.len() {
        return None;
    }
    let mut score = Vec::with_capacity(segments.len());
    for (expected, actual) in template.iter().zip(segments) {
        match expected {
            TemplateSegment::Literal(literal) if literal == actual => score.push(true),
            TemplateSegment::Literal(_) => return None,
            TemplateSegment::Parameter(_) if actual.is_empty() => return None,
            TemplateSegment::Parameter(_) => score.push(false),
        }
    }
    Some(score)
}

fn operation_id(operation: &Value) -> &str {
    operation
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or("no operationId")
}

/// One declared parameter of an operation.
struct Parameter<'a> {
    name: &'a str,
    location: &'a str,
    required: bool,
    schema: Option<&'a Value>,
}

/// The operation's parameters, including those declared on its path item (the operation's own win).
fn parameters_of<'a>(
    validator: &SchemaValidator<'a>,
    resolved: &Resolved<'a>,
) -> Vec<Parameter<'a>> {
    let path_item = resolved.document.root.pointer(&format!(
        "/paths/{}",
        escape_pointer(&resolved.entry.template)
    ));
    let declared = |holder: Option<&'a Value>| -> Vec<Parameter<'a>> {
        holder
            .and_then(|holder| holder.get("parameters"))
            .and_then(Value::as_array)
            .map(|parameters| {
                parameters
                    .iter()
                    .filter_map(|parameter| {
                        let parameter = validator.resolve(parameter).ok()?;
                        Some(Parameter {
                            name: parameter.get("name").and_then(Value::as_str)?,
                            location: parameter.get("in").and_then(Value::as_str)?,
                            required: parameter.get("required").and_then(Value::as_bool)
                                == Some(true),
                            schema: parameter.get("schema"),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut parameters = declared(Some(resolved.operation));
    for inherited in declared(path_item) {
        if !parameters
            .iter()
            .any(|own| own.name == inherited.name && own.location == inherited.location)
        {
            parameters.push(inherited);
        }
    }
    parameters
}

/// Escapes a path template for use as a JSON pointer token.
fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Converts a raw parameter string to the JSON type its schema asks for, then validates it.
fn check_parameter(
    validator: &SchemaValidator<'_>,
    parameter: &Parameter<'_>,
    raw: &str,
    location: &str,
    errors: &mut Vec<String>,
) {
    let Some(schema) = parameter.schema else {
        return;
    };
    let path = format!("{location}.{}", parameter.name);
    let alternatives = match validator.alternatives(schema) {
        Ok(alternatives) => alternatives,
        Err(problem) => {
            errors.push(format!("{path}: invalid schema: {problem}"));
            return;
        }
    };
    let types: Vec<&str> = alternatives.iter().flat_map(Alternative::types).collect();
    let value = if types.contains(&"integer") && raw.parse::<i64>().is_ok() {
        raw.parse::<i64>().map(Value::from).unwrap_or(Value::Null)
    } else if types.contains(&"number") && raw.parse::<f64>().is_ok_and(f64::is_finite) {
        serde_json::Number::from_f64(raw.parse::<f64>().unwrap_or(0.0))
            .map(Value::Number)
            .unwrap_or(Value::Null)
    } else if types.contains(&"boolean") && (raw == "true" || raw == "false") {
        Value::Bool(raw == "true")
    } else {
        Value::String(raw.to_string())
    };
    errors.extend(validator.validate_alternatives(&alternatives, &value, &path));
}

/// What `?option=` means for an operation: whether it declares the parameter, and the value sent.
struct OptionContext {
    declared: bool,
    value: Option<String>,
}

fn option_context(
    query_parameters: &[&Parameter<'_>],
    sent: &BTreeMap<String, String>,
) -> OptionContext {
    OptionContext {
        declared: query_parameters
            .iter()
            .any(|parameter| parameter.name == "option"),
        value: sent.get("option").cloned(),
    }
}

/// Validates a request or response body, narrowing `oneOf` settings shapes by `?option=`.
fn validate_body<'a>(
    validator: &SchemaValidator<'a>,
    schema: &'a Value,
    option: &OptionContext,
    body: &Value,
    path: &str,
    errors: &mut Vec<String>,
) {
    let alternatives = match validator.alternatives(schema) {
        Ok(alternatives) => alternatives,
        Err(problem) => {
            errors.push(format!("{path}: invalid schema: {problem}"));
            return;
        }
    };
    if !option.declared || alternatives.len() < 2 {
        errors.extend(validator.validate_alternatives(&alternatives, body, path));
        return;
    }
    match &option.value {
        Some(value) => {
            let selected: Vec<Alternative<'a>> = alternatives
                .iter()
                .filter(|alternative| alternative.declared_properties().contains(&value.as_str()))
                .cloned()
                .collect();
            if selected.is_empty() {
                errors.extend(validator.validate_alternatives(&alternatives, body, path));
                return;
            }
            errors.extend(validator.validate_alternatives(&selected, body, path));
            let section_is_object = selected.iter().all(|alternative| {
                alternative
                    .property_schemas(value)
                    .iter()
                    .any(|schema| schema.get("type").and_then(Value::as_str) == Some("object"))
            });
            if section_is_object && let Some(object) = body.as_object() {
                for key in object.keys().filter(|key| *key != value) {
                    errors.push(format!(
                        "{}: with option={value} only the `{value}` section may appear",
                        child_path(path, key)
                    ));
                }
            }
        }
        None => {
            let selected: Vec<Alternative<'a>> = alternatives
                .iter()
                .filter(|alternative| {
                    let declared = alternative.declared_properties();
                    !OPTION_ONLY_SECTIONS
                        .iter()
                        .any(|section| declared.contains(section))
                })
                .cloned()
                .collect();
            let chosen = if selected.is_empty() {
                &alternatives
            } else {
                &selected
            };
            let messages = validator.validate_alternatives(chosen, body, path);
            if !messages.is_empty()
                && let Some(object) = body.as_object()
                && let Some(section) = OPTION_ONLY_SECTIONS
                    .iter()
                    .find(|section| object.contains_key(**section))
            {
                errors.push(format!(
                    "{}: this shape is only valid with ?option={section}, and no option was given",
                    child_path(path, section)
                ));
            }
            errors.extend(messages);
        }
    }
}

fn has_no_content(response: &Value) -> bool {
    response
        .get("content")
        .and_then(Value::as_object)
        .is_none_or(serde_json::Map::is_empty)
}

/// Error codes listed in a response description as ``**Error Code:** `2001` ``.
fn documented_error_codes(response: &Value) -> Vec<i64> {
    let description = response
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("");
    let marker = "**Error Code:**";
    let mut codes = Vec::new();
    let mut rest = description;
    while let Some(position) = rest.find(marker) {
        rest = &rest[position + marker.len()..];
        let trimmed = rest.trim_start();
        if let Some(after_tick) = trimmed.strip_prefix('`') {
            let digits: String = after_tick
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(code) = digits.parse::<i64>() {
                codes.push(code);
            }
        }
    }
    codes
}

/// Zoom's error body: `{code: integer, message: string, errors?: [{field, message}]}`.
fn check_error_body(
    status: u16,
    body: &Value,
    documented_codes: &[i64],
    described: &str,
    errors: &mut Vec<String>,
) {
    let Some(object) = body.as_object() else {
        errors.push(format!(
            "body: expected Zoom's error object {{code, message}}, found {}",
            describe(body)
        ));
        return;
    };
    match object.get("code") {
        Some(code) if code.is_i64() || code.is_u64() => {
            let code = code.as_i64().unwrap_or(i64::MAX);
            // Zoom's global codes: 300 (request validation) on 400, 124 (invalid or expired access token) on
            // 401, 429 on 429. Server errors are global too, so 5xx codes are not held to the list.
            let global =
                matches!((status, code), (400, 300) | (401, 124) | (429, 429)) || status >= 500;
            if !documented_codes.is_empty() && !documented_codes.contains(&code) && !global {
                errors.push(format!(
                    "body.code: {code} is not an error code documented for status {status} of {described}; documented: {documented_codes:?}"
                ));
            }
        }
        Some(other) => errors.push(format!(
            "body.code: expected integer, found {}",
            describe(other)
        )),
        None => errors.push("body.code: required property is missing".to_string()),
    }
    match object.get("message") {
        Some(Value::String(_)) => {}
        Some(other) => errors.push(format!(
            "body.message: expected string, found {}",
            describe(other)
        )),
        None => errors.push("body.message: required property is missing".to_string()),
    }
    if let Some(details) = object.get("errors") {
        match details.as_array() {
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    let item_path = format!("body.errors[{index}]");
                    let Some(item_object) = item.as_object() else {
                        errors.push(format!(
                            "{item_path}: expected object {{field, message}}, found {}",
                            describe(item)
                        ));
                        continue;
                    };
                    for key in ["field", "message"] {
                        match item_object.get(key) {
                            Some(Value::String(_)) => {}
                            Some(other) => errors.push(format!(
                                "{item_path}.{key}: expected string, found {}",
                                describe(other)
                            )),
                            None => errors
                                .push(format!("{item_path}.{key}: required property is missing")),
                        }
                    }
                    for key in item_object
                        .keys()
                        .filter(|key| *key != "field" && *key != "message")
                    {
                        errors.push(format!(
                            "{item_path}.{key}: property not part of Zoom's error shape"
                        ));
                    }
                }
            }
            None => errors.push(format!(
                "body.errors: expected array, found {}",
                describe(details)
            )),
        }
    }
    for key in object
        .keys()
        .filter(|key| !matches!(key.as_str(), "code" | "message" | "errors"))
    {
        errors.push(format!(
            "body.{key}: property not part of Zoom's error shape {{code, message, errors}}{}",
            suggestion(key, ["code", "message", "errors"])
        ));
    }
}
