//! The Zoom REST API v2 (`/v2/...`) for what zentra manages: account settings and lock
//! settings (with the `option` shapes and `custom_query_fields`), managed and trusted domains,
//! and the user list and user lookup needed to name SSO bypass users.
//!
//! Every request needs a bearer token from the emulated Zoom OAuth endpoint, whose scopes must
//! include one of the operation's scopes (from the generated `schemas/zoom-api.json`). Rate
//! limits follow the operation's label and the account's plan; every response carries an
//! `x-zm-trackingid`, and successful ones the `x-ratelimit-*` headers. Errors have Zoom's
//! `{"code", "message"}` shape.

#[cfg(test)]
use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Instant;

use base64::Engine as _;
use chrono::Datelike as _;
use http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::Shared;
use super::faults::Faults;
use super::http::{SimRequest, SimResponse};
use super::seed::ZoomPlan;
use super::state::{SimState, ZoomAccount};
use super::zoom_schema::{
    Document, filter_fields, main_schema, meeting_security_schema, merge_readable, validate_patch,
};

/// `x-zm-trackingid` value: a fresh id in the shape Zoom uses.
pub(crate) fn tracking_id() -> String {
    format!("v=2.0;clid=us06;rid=WEB_{}", uuid::Uuid::new_v4().simple())
}

fn zoom_error(status: StatusCode, code: u32, message: impl Into<String>) -> SimResponse {
    SimResponse::json(status, json!({"code": code, "message": message.into()}))
}

fn validation_failed(fields: Vec<(String, String)>) -> SimResponse {
    let errors: Vec<Value> = fields
        .into_iter()
        .map(|(field, message)| json!({"field": field, "message": message}))
        .collect();
    SimResponse::json(
        StatusCode::BAD_REQUEST,
        json!({"code": 300, "message": "Validation Failed.", "errors": errors}),
    )
}

fn invalid_body() -> SimResponse {
    zoom_error(
        StatusCode::BAD_REQUEST,
        300,
        "Request Body should be a valid JSON object.",
    )
}

/// An operation's scopes and rate-limit label, from the generated operation index.
#[derive(Deserialize, Clone, Debug)]
struct Operation {
    method: String,
    path: String,
    #[serde(default)]
    scopes: Scopes,
    #[serde(default)]
    rate_limit_label: Option<String>,
}

#[derive(Deserialize, Clone, Debug, Default)]
struct Scopes {
    #[serde(default, rename = "macro")]
    macro_scopes: Vec<String>,
    #[serde(default)]
    granular: Vec<String>,
}

#[derive(Deserialize, Default)]
struct OperationIndex {
    #[serde(default)]
    operations: Vec<Operation>,
}

static OPERATIONS: LazyLock<Vec<Operation>> = LazyLock::new(|| {
    serde_json::from_str::<OperationIndex>(include_str!("../../schemas/zoom-api.json"))
        .map(|i| i.operations)
        .unwrap_or_default()
});

fn operation(method: &Method, path: &str) -> Option<&'static Operation> {
    OPERATIONS
        .iter()
        .find(|o| o.method.eq_ignore_ascii_case(method.as_str()) && o.path == path)
}

/// The rate-limit category of a label, and its per-second limit on a plan.
fn category(label: Option<&str>) -> &'static str {
    match label.map(str::to_ascii_uppercase).as_deref() {
        Some("LIGHT") => "Light",
        Some("HEAVY") => "Heavy",
        Some("RESOURCE-INTENSIVE") | Some("RESOURCE_INTENSIVE") => "Resource-intensive",
        _ => "Medium",
    }
}

fn plan_limit(plan: ZoomPlan, category: &str) -> u32 {
    match (plan, category) {
        (ZoomPlan::Basic, "Light") => 4,
        (ZoomPlan::Basic, "Heavy") => 1,
        (ZoomPlan::Basic, _) => 2,
        (ZoomPlan::Pro, "Light") => 30,
        (ZoomPlan::Pro, "Heavy") => 10,
        (ZoomPlan::Pro, _) => 20,
        (_, "Light") => 80,
        (_, "Heavy") => 40,
        (_, _) => 60,
    }
}

/// The routes served: (spec path template, methods).
const ROUTES: &[(&str, &[Method])] = &[
    (
        "/accounts/{accountId}/settings",
        &[Method::GET, Method::PATCH],
    ),
    (
        "/accounts/{accountId}/lock_settings",
        &[Method::GET, Method::PATCH],
    ),
    ("/accounts/{accountId}/managed_domains", &[Method::GET]),
    ("/accounts/{accountId}/trusted_domains", &[Method::GET]),
    ("/users", &[Method::GET]),
    ("/users/{userId}", &[Method::GET]),
];

/// Matches a path against the templates: (template, path parameters).
fn match_route(path: &str) -> Option<(&'static str, &'static [Method], Vec<String>)> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for (template, methods) in ROUTES {
        let parts: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
        if parts.len() != segments.len() {
            continue;
        }
        let mut params = Vec::new();
        let matched = parts.iter().zip(&segments).all(|(p, s)| {
            if p.starts_with('{') {
                params.push(s.to_string());
                !s.is_empty()
            } else {
                p == s
            }
        });
        if matched {
            return Some((template, methods, params));
        }
    }
    None
}

pub(crate) fn handle(shared: &Shared, req: &SimRequest) -> SimResponse {
    respond(shared, req).with_header("x-zm-trackingid", tracking_id())
}

fn respond(shared: &Shared, req: &SimRequest) -> SimResponse {
    let path = req.path.strip_prefix("/v2").unwrap_or("");
    let mut state = shared.lock();

    // Authentication comes first, as at Zoom's gateway.
    let Some(token) = req.bearer() else {
        return zoom_error(StatusCode::UNAUTHORIZED, 124, "Invalid access token.");
    };
    let Some(found) = state.zoom.tokens.get(token) else {
        return zoom_error(StatusCode::UNAUTHORIZED, 124, "Invalid access token.");
    };
    if found.expires <= Instant::now() {
        return zoom_error(StatusCode::UNAUTHORIZED, 124, "Access token is expired.");
    }
    let token_account = found.account_id.clone();
    let token_scopes = found.scopes.clone();

    let Some((template, methods, params)) = match_route(path) else {
        return zoom_error(
            StatusCode::NOT_FOUND,
            2300,
            "This API endpoint is not recognized.",
        );
    };
    if !methods.contains(&req.method) {
        let allow = methods
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        return zoom_error(
            StatusCode::METHOD_NOT_ALLOWED,
            2300,
            format!(
                "This API endpoint is not recognized: {} {} accepts {allow}.",
                req.method, req.raw_path
            ),
        )
        .with_header("allow", allow);
    }

    let op = operation(&req.method, template);
    if let Some(op) = op {
        let wanted: Vec<&String> = op
            .scopes
            .macro_scopes
            .iter()
            .chain(&op.scopes.granular)
            .collect();
        if !wanted.is_empty() && !wanted.iter().any(|w| token_scopes.contains(w)) {
            return zoom_error(
                StatusCode::BAD_REQUEST,
                4711,
                format!(
                    "Invalid access token, does not contain scopes:[{}].",
                    wanted
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }

    let Some(own_index) = state.zoom_account_index(&token_account, None) else {
        return zoom_error(
            StatusCode::NOT_FOUND,
            2001,
            format!("Account does not exist: {token_account}."),
        );
    };

    // Throttling and injected failures.
    let category = category(op.and_then(|o| o.rate_limit_label.as_deref()));
    let plan = state.zoom.accounts[own_index].plan;
    let headers = match rate_limit(&mut state, &token_account, plan, category) {
        Ok(headers) => headers,
        Err(throttled) => return throttled,
    };
    if Faults::take(&mut state.faults.zoom_server_error_next) {
        return zoom_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            500,
            "Internal server error, please try again later.",
        );
    }

    let response = match template {
        "/users" => list_users(&state.zoom.accounts[own_index], req),
        "/users/{userId}" => get_user(&state.zoom.accounts[own_index], &params[0]),
        _ => {
            let account_param = &params[0];
            let Some(index) = state
                .zoom_account_index(account_param, Some(&token_account))
                .filter(|i| *i == own_index)
            else {
                return zoom_error(
                    StatusCode::NOT_FOUND,
                    2001,
                    format!("Account does not exist: {account_param}."),
                );
            };
            let account = &mut state.zoom.accounts[index];
            if account.plan == ZoomPlan::Basic {
                return zoom_error(
                    StatusCode::BAD_REQUEST,
                    200,
                    format!("Only available for paid accounts: {}.", account.id),
                );
            }
            match (template, &req.method) {
                ("/accounts/{accountId}/settings", &Method::GET) => {
                    get_document(account, Document::Settings, req)
                }
                ("/accounts/{accountId}/settings", _) => {
                    patch_document(account, Document::Settings, req)
                }
                ("/accounts/{accountId}/lock_settings", &Method::GET) => {
                    get_document(account, Document::LockSettings, req)
                }
                ("/accounts/{accountId}/lock_settings", _) => {
                    patch_document(account, Document::LockSettings, req)
                }
                ("/accounts/{accountId}/managed_domains", _) => SimResponse::json(
                    StatusCode::OK,
                    json!({
                        "domains": account.managed_domains,
                        "total_records": account.managed_domains.len(),
                    }),
                ),
                _ => SimResponse::json(
                    StatusCode::OK,
                    json!({ "trusted_domains": account.trusted_domains }),
                ),
            }
        }
    };
    if response.status.is_success() {
        headers
            .into_iter()
            .fold(response, |r, (name, value)| r.with_header(name, value))
    } else {
        response
    }
}

/// Counts the request against the account's limits: the `x-ratelimit-*` headers for a success,
/// or the 429 response.
fn rate_limit(
    state: &mut SimState,
    account: &str,
    plan: ZoomPlan,
    category: &'static str,
) -> Result<Vec<(&'static str, String)>, SimResponse> {
    let limit = state
        .faults
        .zoom_qps_limit
        .unwrap_or_else(|| plan_limit(plan, category));
    let qps_429 = |limit: u32| {
        zoom_error(
            StatusCode::TOO_MANY_REQUESTS,
            429,
            "You have reached the maximum per-second rate limit for this API. Try again later.",
        )
        .with_header("X-RateLimit-Category", category)
        .with_header("X-RateLimit-Type", "QPS")
        .with_header("X-RateLimit-Limit", limit.to_string())
        .with_header("X-RateLimit-Remaining", "0")
    };
    if Faults::take(&mut state.faults.zoom_throttle_next) {
        return Err(qps_429(limit));
    }
    let today = chrono::Utc::now().date_naive();
    let day_number = i64::from(today.num_days_from_ce());
    if let Some(daily_limit) = state.faults.zoom_daily_limit {
        let entry = state
            .zoom
            .daily
            .entry(account.to_string())
            .or_insert((day_number, 0));
        if entry.0 != day_number {
            *entry = (day_number, 0);
        }
        if entry.1 >= daily_limit {
            let tomorrow = today
                .succ_opt()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| {
                    t.and_utc()
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                })
                .unwrap_or_default();
            return Err(zoom_error(
                StatusCode::TOO_MANY_REQUESTS,
                429,
                "You have reached the maximum daily rate limit for this API. Refer to the \
                 response header for details on when you can make another request.",
            )
            .with_header("X-RateLimit-Category", category)
            .with_header("X-RateLimit-Type", "Daily-limit")
            .with_header("X-RateLimit-Limit", daily_limit.to_string())
            .with_header("X-RateLimit-Remaining", "0")
            .with_header("Retry-After", tomorrow));
        }
        entry.1 += 1;
    }
    let started = *state.zoom.started.get_or_insert_with(Instant::now);
    let second = started.elapsed().as_secs();
    let entry = state
        .zoom
        .qps
        .entry((account.to_string(), category))
        .or_insert((second, 0));
    if entry.0 != second {
        *entry = (second, 0);
    }
    if entry.1 >= limit {
        return Err(qps_429(limit));
    }
    entry.1 += 1;
    let remaining = limit - entry.1;
    Ok(vec![
        ("x-ratelimit-category", category.to_string()),
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
    ])
}

/// The one value of a query parameter; a repeated parameter is invalid.
fn single_query<'a>(req: &'a SimRequest, name: &str) -> Result<Option<&'a str>, SimResponse> {
    let values = req.query_all(name);
    match values.len() {
        0 => Ok(None),
        1 => Ok(Some(values[0])),
        _ => Err(zoom_error(
            StatusCode::BAD_REQUEST,
            300,
            format!("Invalid parameter: {name}."),
        )),
    }
}

fn document(account: &mut ZoomAccount, doc: Document) -> &mut Map<String, Value> {
    match doc {
        Document::Settings => &mut account.settings,
        Document::LockSettings => &mut account.lock_settings,
    }
}

/// The `option` values a document accepts.
fn options(doc: Document) -> &'static [&'static str] {
    match doc {
        Document::Settings => &[
            "meeting_authentication",
            "recording_authentication",
            "security",
            "meeting_security",
        ],
        Document::LockSettings => &["meeting_security"],
    }
}

fn get_document(account: &mut ZoomAccount, doc: Document, req: &SimRequest) -> SimResponse {
    let option = match single_query(req, "option") {
        Ok(o) => o.filter(|o| !o.is_empty()),
        Err(e) => return e,
    };
    if let Some(o) = option
        && !options(doc).contains(&o)
    {
        return zoom_error(StatusCode::BAD_REQUEST, 300, "Invalid parameter: option.");
    }
    let custom = match single_query(req, "custom_query_fields") {
        Ok(c) => c.map(str::to_string),
        Err(e) => return e,
    };
    let stored = document(account, doc).clone();
    let mut body: Map<String, Value> = match option {
        None => stored
            .iter()
            .filter(|(k, _)| main_schema(doc).properties.contains_key(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        Some("security") => stored
            .get("security")
            .map(|s| [("security".to_string(), s.clone())].into_iter().collect())
            .unwrap_or_default(),
        Some("meeting_security") => stored
            .get("meeting_security")
            .map(|s| {
                [("meeting_security".to_string(), s.clone())]
                    .into_iter()
                    .collect()
            })
            .unwrap_or_default(),
        Some(kind) => authentication_settings(&stored, kind),
    };
    if let Some(custom) = custom {
        let names: Vec<&str> = custom
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if !names.is_empty() {
            body = filter_fields(&body, &names);
        }
    }
    SimResponse::json(StatusCode::OK, Value::Object(body))
}

/// The `meeting_authentication` / `recording_authentication` shapes: the switch from the main
/// settings and the account's authentication profiles.
fn authentication_settings(stored: &Map<String, Value>, kind: &str) -> Map<String, Value> {
    let (section, flag) = if kind == "meeting_authentication" {
        ("schedule_meeting", "meeting_authentication")
    } else {
        ("recording", "recording_authentication")
    };
    let enabled = stored
        .get(section)
        .and_then(|s| s.get(flag))
        .cloned()
        .unwrap_or(Value::Bool(false));
    let mut out = Map::new();
    if kind == "meeting_authentication" {
        out.insert("allow_authentication_exception".into(), Value::Bool(false));
    }
    out.insert(
        "authentication_options".into(),
        json!([{
            "default_option": true,
            "domains": "",
            "id": "signin_zoom",
            "name": "Sign in to Zoom",
            "type": "enforce_login",
            "visible": true
        }]),
    );
    out.insert(flag.into(), enabled);
    out
}

fn patch_document(account: &mut ZoomAccount, doc: Document, req: &SimRequest) -> SimResponse {
    let option = match single_query(req, "option") {
        Ok(o) => o.filter(|o| !o.is_empty()),
        Err(e) => return e,
    };
    if doc == Document::Settings
        && let Some(o) = option
        && !options(doc).contains(&o)
    {
        return zoom_error(StatusCode::BAD_REQUEST, 300, "Invalid parameter: option.");
    }
    if req.body.is_empty() {
        return invalid_body();
    }
    if req.media_type().as_deref() != Some("application/json") {
        return zoom_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            300,
            "Unsupported Content Type",
        );
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&req.body) else {
        return invalid_body();
    };

    // Which sections the body may hold, by option.
    let mut errors: Vec<String> = Vec::new();
    match (doc, option) {
        (Document::Settings, Some("meeting_authentication" | "recording_authentication")) => {
            return patch_authentication(account, option.unwrap_or_default(), &body);
        }
        (_, Some("meeting_security")) | (Document::LockSettings, None)
            if body.contains_key("meeting_security") =>
        {
            for (key, value) in &body {
                if key == "meeting_security" {
                    validate_patch(meeting_security_schema(doc), value, key, &mut errors);
                } else if option.is_some() {
                    errors.push(key.clone());
                } else {
                    validate_patch(
                        main_schema(doc),
                        &Value::Object([(key.clone(), value.clone())].into_iter().collect()),
                        "",
                        &mut errors,
                    );
                }
            }
        }
        (_, Some("meeting_security")) => errors.extend(body.keys().cloned()),
        (Document::Settings, Some("security")) => {
            for (key, value) in &body {
                if key == "security" {
                    validate_patch(
                        main_schema(doc),
                        &Value::Object([(key.clone(), value.clone())].into_iter().collect()),
                        "",
                        &mut errors,
                    );
                } else {
                    errors.push(key.clone());
                }
            }
        }
        _ => validate_patch(
            main_schema(doc),
            &Value::Object(body.clone()),
            "",
            &mut errors,
        ),
    }
    let mut field_errors: Vec<(String, String)> = errors
        .into_iter()
        .map(|f| (f, "Invalid field.".to_string()))
        .collect();

    // SSO bypass users: ids of users of this account, with an optional add/remove operation.
    let sso = body
        .get("security")
        .and_then(|s| s.get("signin_with_sso"))
        .and_then(Value::as_object);
    let mut bypass: Option<(Vec<String>, Option<String>)> = None;
    if field_errors.is_empty()
        && let Some(sso) = sso
    {
        let ids = sso.get("sso_bypass_user_ids").and_then(Value::as_array);
        let operation = sso
            .get("operation")
            .and_then(Value::as_str)
            .map(str::to_string);
        match ids {
            None if operation.is_some() => field_errors.push((
                "security.signin_with_sso.operation".into(),
                "Invalid field.".into(),
            )),
            None => {}
            Some(ids) => {
                let ids: Vec<String> = ids
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
                for id in &ids {
                    if !account.users.iter().any(|u| &u.id == id) {
                        field_errors.push((
                            "security.signin_with_sso.sso_bypass_user_ids".into(),
                            format!("User does not exist: {id}."),
                        ));
                    }
                }
                bypass = Some((ids, operation));
            }
        }
    }
    if !field_errors.is_empty() {
        return validation_failed(field_errors);
    }

    let users = account.users.clone();
    let stored = document(account, doc);
    for (key, value) in &body {
        let Value::Object(patch) = value else {
            continue;
        };
        let schema = if key == "meeting_security" {
            meeting_security_schema(doc)
        } else {
            match main_schema(doc).properties.get(key) {
                Some(s) => s,
                None => continue,
            }
        };
        let target = stored
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(target) = target {
            merge_readable(schema, target, patch);
        }
    }
    if let Some((ids, operation)) = bypass
        && let Some(Value::Object(sso)) = stored
            .get_mut("security")
            .and_then(|s| s.get_mut("signin_with_sso"))
    {
        let mut current: Vec<String> = sso
            .get("sso_bypass_users")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|u| u.get("id").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        match operation.as_deref() {
            Some("add") => {
                for id in ids {
                    if !current.contains(&id) {
                        current.push(id);
                    }
                }
            }
            Some("remove") => current.retain(|id| !ids.contains(id)),
            _ => {
                current.clear();
                for id in ids {
                    if !current.contains(&id) {
                        current.push(id);
                    }
                }
            }
        }
        let listed: Vec<Value> = current
            .iter()
            .map(|id| {
                let email = users
                    .iter()
                    .find(|u| &u.id == id)
                    .map(|u| u.email.clone())
                    .unwrap_or_default();
                json!({"id": id, "email": email})
            })
            .collect();
        sso.insert("sso_bypass_users".into(), Value::Array(listed));
    }
    SimResponse::empty(StatusCode::NO_CONTENT)
}

/// `PATCH ?option=meeting_authentication|recording_authentication`: the on/off switch (stored
/// in the main settings); authentication profiles are listed but not editable here.
fn patch_authentication(
    account: &mut ZoomAccount,
    kind: &str,
    body: &Map<String, Value>,
) -> SimResponse {
    let (section, flag) = if kind == "meeting_authentication" {
        ("schedule_meeting", "meeting_authentication")
    } else {
        ("recording", "recording_authentication")
    };
    let mut errors = Vec::new();
    for (key, value) in body {
        let known = key == flag
            || (kind == "meeting_authentication" && key == "allow_authentication_exception");
        if !known || !value.is_boolean() {
            errors.push((key.clone(), "Invalid field.".to_string()));
        }
    }
    if !errors.is_empty() {
        return validation_failed(errors);
    }
    if let Some(value) = body.get(flag)
        && let Some(Value::Object(target)) = account.settings.get_mut(section)
    {
        target.insert(flag.into(), value.clone());
    }
    SimResponse::empty(StatusCode::NO_CONTENT)
}

fn user_json(account: &ZoomAccount, user: &super::seed::ZoomUserSeed) -> Value {
    json!({
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": format!("{} {}", user.first_name, user.last_name).trim().to_string(),
        "email": user.email,
        "type": user.user_type,
        "role_name": user.role_name,
        "status": user.status,
        "account_id": account.id,
        "timezone": "America/Los_Angeles",
        "verified": 1,
        "language": "en-US",
        "created_at": "2024-03-04T17:12:09Z",
    })
}

fn list_users(account: &ZoomAccount, req: &SimRequest) -> SimResponse {
    let status = match single_query(req, "status") {
        Ok(s) => s.unwrap_or("active").to_string(),
        Err(e) => return e,
    };
    if !["active", "inactive", "pending"].contains(&status.as_str()) {
        return zoom_error(StatusCode::BAD_REQUEST, 300, "Invalid parameter: status.");
    }
    let page_size = match single_query(req, "page_size") {
        Ok(None) => 30,
        Ok(Some(text)) => match text.parse::<usize>() {
            Ok(n) if (1..=2000).contains(&n) => n,
            _ => {
                return zoom_error(
                    StatusCode::BAD_REQUEST,
                    300,
                    "Invalid parameter: page_size.",
                );
            }
        },
        Err(e) => return e,
    };
    let offset = match single_query(req, "next_page_token") {
        Ok(None) | Ok(Some("")) => 0,
        Ok(Some(token)) => match base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("zsim-users:")?.parse::<usize>().ok())
        {
            Some(offset) => offset,
            None => {
                return zoom_error(
                    StatusCode::BAD_REQUEST,
                    300,
                    "The next page token is invalid or expired.",
                );
            }
        },
        Err(e) => return e,
    };
    let users: Vec<&super::seed::ZoomUserSeed> = account
        .users
        .iter()
        .filter(|u| u.status == status)
        .collect();
    let total = users.len();
    let page: Vec<Value> = users
        .iter()
        .skip(offset)
        .take(page_size)
        .map(|u| user_json(account, u))
        .collect();
    let next = if offset + page_size < total {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("zsim-users:{}", offset + page_size))
    } else {
        String::new()
    };
    SimResponse::json(
        StatusCode::OK,
        json!({
            "next_page_token": next,
            "page_count": total.div_ceil(page_size),
            "page_number": offset / page_size + 1,
            "page_size": page_size,
            "total_records": total,
            "users": page,
        }),
    )
}

fn get_user(account: &ZoomAccount, user_id: &str) -> SimResponse {
    match account
        .users
        .iter()
        .find(|u| u.id == user_id || u.email.eq_ignore_ascii_case(user_id))
    {
        Some(user) => SimResponse::json(StatusCode::OK, user_json(account, user)),
        None => zoom_error(
            StatusCode::NOT_FOUND,
            1001,
            format!("User does not exist: {user_id}."),
        ),
    }
}

/// Labels of the served operations (for tests).
#[cfg(test)]
fn labels() -> HashMap<String, String> {
    ROUTES
        .iter()
        .flat_map(|(t, methods)| methods.iter().map(move |m| (t, m)))
        .map(|(t, m)| {
            (
                format!("{m} {t}"),
                category(operation(m, t).and_then(|o| o.rate_limit_label.as_deref())).to_string(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_served_route_is_in_the_operation_index() {
        for (template, methods) in ROUTES {
            for m in methods.iter() {
                let op = operation(m, template).unwrap_or_else(|| panic!("{m} {template}"));
                assert!(
                    !op.scopes.macro_scopes.is_empty() || !op.scopes.granular.is_empty(),
                    "{m} {template} has scopes"
                );
            }
        }
        let labels = labels();
        assert_eq!(labels["GET /accounts/{accountId}/settings"], "Medium");
        assert_eq!(labels["GET /accounts/{accountId}/managed_domains"], "Light");
    }

    #[test]
    fn routes_match_templates_and_capture_parameters() {
        let (t, _, p) = match_route("/accounts/me/settings").expect("route");
        assert_eq!(t, "/accounts/{accountId}/settings");
        assert_eq!(p, vec!["me".to_string()]);
        assert!(match_route("/accounts/me/settingz").is_none());
        assert!(match_route("/accounts//settings").is_none());
        assert!(match_route("/accounts/me/settings/extra").is_none());
        let (t, _, p) = match_route("/users/a@b.c").expect("route");
        assert_eq!((t, p), ("/users/{userId}", vec!["a@b.c".to_string()]));
    }

    #[test]
    fn plans_set_the_documented_limits() {
        assert_eq!(plan_limit(ZoomPlan::Business, "Medium"), 60);
        assert_eq!(plan_limit(ZoomPlan::Pro, "Light"), 30);
        assert_eq!(plan_limit(ZoomPlan::Enterprise, "Heavy"), 40);
    }
}
