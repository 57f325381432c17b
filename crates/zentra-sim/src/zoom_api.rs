//! The Zoom REST API v2 (`/v2/...`) for what zentra manages: account settings and lock
//! settings (with the `option` shapes and `custom_query_fields`), managed and trusted domains,
//! groups with their members, settings and lock settings, roles and their members, Zoom Rooms
//! calendar services and resources, and the user list and user lookup.
//!
//! Every request needs a bearer token from the emulated Zoom OAuth endpoint, whose scopes must
//! include one of the operation's scopes (from the generated `schemas/zoom-api.json`). Request
//! bodies are checked against the same index's body schemas. Rate limits follow the operation's
//! label and the account's plan; every response carries an `x-zm-trackingid`, and successful
//! ones the `x-ratelimit-*` headers. Errors have Zoom's `{"code", "message"}` shape.

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
use super::zoom_schema::Document;
use super::{zoom_groups, zoom_roles, zoom_rooms, zoom_settings};

/// `x-zm-trackingid` value: a fresh id in the shape Zoom uses.
pub(crate) fn tracking_id() -> String {
    format!("v=2.0;clid=us06;rid=WEB_{}", uuid::Uuid::new_v4().simple())
}

/// Zoom's error body: `{"code": ..., "message": ...}`.
pub(crate) fn zoom_error(status: StatusCode, code: u32, message: impl Into<String>) -> SimResponse {
    SimResponse::json(status, json!({"code": code, "message": message.into()}))
}

/// Zoom's validation failure: code 300 with the rejected fields.
pub(crate) fn validation_failed(fields: Vec<(String, String)>) -> SimResponse {
    let errors: Vec<Value> = fields
        .into_iter()
        .map(|(field, message)| json!({"field": field, "message": message}))
        .collect();
    SimResponse::json(
        StatusCode::BAD_REQUEST,
        json!({"code": 300, "message": "Validation Failed.", "errors": errors}),
    )
}

pub(crate) fn invalid_body() -> SimResponse {
    zoom_error(
        StatusCode::BAD_REQUEST,
        300,
        "Request Body should be a valid JSON object.",
    )
}

/// An operation's scopes, rate-limit label and body schema, from the generated operation index.
#[derive(Deserialize, Clone, Debug)]
struct Operation {
    method: String,
    path: String,
    #[serde(default)]
    scopes: Scopes,
    #[serde(default)]
    rate_limit_label: Option<String>,
    #[serde(default)]
    request_body: Option<Value>,
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
    serde_json::from_str::<OperationIndex>(zentra_schema::data::ZOOM_API_INDEX)
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
    ("/groups", &[Method::GET, Method::POST]),
    (
        "/groups/{groupId}",
        &[Method::GET, Method::PATCH, Method::DELETE],
    ),
    ("/groups/{groupId}/members", &[Method::GET, Method::POST]),
    ("/groups/{groupId}/members/{memberId}", &[Method::DELETE]),
    ("/groups/{groupId}/settings", &[Method::GET, Method::PATCH]),
    (
        "/groups/{groupId}/lock_settings",
        &[Method::GET, Method::PATCH],
    ),
    ("/roles", &[Method::GET, Method::POST]),
    (
        "/roles/{roleId}",
        &[Method::GET, Method::PATCH, Method::DELETE],
    ),
    ("/roles/{roleId}/members", &[Method::GET, Method::POST]),
    ("/roles/{roleId}/members/{memberId}", &[Method::DELETE]),
    ("/rooms/calendar/services", &[Method::GET]),
    ("/rooms/calendar/services/{serviceId}", &[Method::DELETE]),
    ("/rooms/calendar/services/{serviceId}/sync", &[Method::PUT]),
    (
        "/rooms/calendar/services/{serviceId}/resources",
        &[Method::GET, Method::POST],
    ),
    (
        "/rooms/calendar/services/{serviceId}/resources/{resourceId}",
        &[Method::GET, Method::DELETE],
    ),
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
    let rate = state.faults.server_error_rate;
    if Faults::take(&mut state.faults.zoom_server_error_next) || state.draw(rate) {
        return zoom_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            500,
            "Internal server error, please try again later.",
        );
    }

    let response = if template.starts_with("/accounts/") {
        // The token's own account, or one of its sub accounts when it is a master account.
        let account_param = &params[0];
        let index = state
            .zoom_account_index(account_param, Some(&token_account))
            .filter(|&i| {
                i == own_index
                    || state.zoom.accounts[i].master_account.as_deref()
                        == Some(token_account.as_str())
            });
        match index {
            None => zoom_error(
                StatusCode::NOT_FOUND,
                2001,
                format!("Account does not exist: {account_param}."),
            ),
            Some(index) => account_endpoint(&mut state.zoom.accounts[index], template, req),
        }
    } else {
        let account = &mut state.zoom.accounts[own_index];
        match template {
            "/users" => list_users(account, req),
            "/users/{userId}" => get_user(account, &params[0]),
            t if t.starts_with("/groups") => zoom_groups::handle(account, t, &params, req),
            t if t.starts_with("/roles") => zoom_roles::handle(account, t, &params, req),
            t => zoom_rooms::handle(account, t, &params, req),
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

/// The endpoints under `/accounts/{accountId}`, for an account the token may address.
fn account_endpoint(account: &mut ZoomAccount, template: &str, req: &SimRequest) -> SimResponse {
    if account.plan == ZoomPlan::Basic {
        return zoom_error(
            StatusCode::BAD_REQUEST,
            200,
            format!("Only available for paid accounts: {}.", account.id),
        );
    }
    match template {
        "/accounts/{accountId}/settings" => zoom_settings::handle(
            &mut account.settings,
            Document::Settings,
            &account.users,
            req,
        ),
        "/accounts/{accountId}/lock_settings" => zoom_settings::handle(
            &mut account.lock_settings,
            Document::LockSettings,
            &account.users,
            req,
        ),
        "/accounts/{accountId}/managed_domains" => SimResponse::json(
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

/// The one value of a query parameter; a repeated parameter is invalid.
pub(crate) fn single_query<'a>(
    req: &'a SimRequest,
    name: &str,
) -> Result<Option<&'a str>, SimResponse> {
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

/// `page_size` (within `1..=max`, `default` when absent) and the offset a `next_page_token`
/// of this listing (`kind`) stands for.
pub(crate) fn page_window(
    req: &SimRequest,
    kind: &str,
    default: usize,
    max: usize,
) -> Result<(usize, usize), SimResponse> {
    let size = match single_query(req, "page_size")? {
        None => default,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                return Err(zoom_error(
                    StatusCode::BAD_REQUEST,
                    300,
                    "Invalid parameter: page_size.",
                ));
            }
        },
    };
    let offset = match single_query(req, "next_page_token")? {
        None | Some("") => 0,
        Some(token) => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| {
                s.strip_prefix(&format!("zsim-{kind}:"))?
                    .parse::<usize>()
                    .ok()
            })
            .ok_or_else(|| {
                zoom_error(
                    StatusCode::BAD_REQUEST,
                    300,
                    "The next page token is invalid or expired.",
                )
            })?,
    };
    Ok((offset, size))
}

/// The token for the page after `offset..offset+size` of `total` items; empty on the last page.
pub(crate) fn next_page_token(kind: &str, offset: usize, size: usize, total: usize) -> String {
    if offset + size < total {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("zsim-{kind}:{}", offset + size))
    } else {
        String::new()
    }
}

/// The JSON object body of a write, checked against the operation's body schema in the
/// operation index: unknown fields, wrong types, values outside an enum and lists longer than
/// allowed are refused with Zoom's validation error.
pub(crate) fn json_body(
    req: &SimRequest,
    template: &str,
) -> Result<Map<String, Value>, SimResponse> {
    if req.body.is_empty() {
        return Err(invalid_body());
    }
    if req.media_type().as_deref() != Some("application/json") {
        return Err(zoom_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            300,
            "Unsupported Content Type",
        ));
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&req.body) else {
        return Err(invalid_body());
    };
    if let Some(schema) = operation(&req.method, template).and_then(|o| o.request_body.as_ref()) {
        let mut errors = Vec::new();
        check_body(schema, &Value::Object(body.clone()), "", &mut errors);
        if !errors.is_empty() {
            return Err(validation_failed(errors));
        }
    }
    Ok(body)
}

/// A small JSON Schema check covering what the operation index's body schemas use.
fn check_body(schema: &Value, value: &Value, path: &str, errors: &mut Vec<(String, String)>) {
    let field = |name: &str| {
        if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        let fits = branches.iter().any(|branch| {
            let mut inner = Vec::new();
            check_body(branch, value, path, &mut inner);
            inner.is_empty()
        });
        if !fits {
            errors.push((path.to_string(), "Invalid field.".into()));
        }
        return;
    }
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("");
    match (kind, value) {
        ("object", Value::Object(map)) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            for (name, member) in map {
                match properties.and_then(|p| p.get(name)) {
                    Some(member_schema) => check_body(member_schema, member, &field(name), errors),
                    None => errors.push((field(name), "Invalid field.".into())),
                }
            }
            for required in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !map.contains_key(required) {
                    errors.push((field(required), "This field is required.".into()));
                }
            }
        }
        ("array", Value::Array(items)) => {
            let limit = schema
                .get("maxItems")
                .or_else(|| schema.get("maximum"))
                .and_then(Value::as_u64);
            if let Some(limit) = limit
                && items.len() as u64 > limit
            {
                errors.push((
                    path.to_string(),
                    format!("Must contain at most {limit} items."),
                ));
            }
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    check_body(item_schema, item, path, errors);
                }
            }
        }
        ("string", Value::String(text)) => {
            let allowed = schema.get("enum").and_then(Value::as_array);
            if allowed.is_some_and(|a| !a.iter().any(|e| e.as_str() == Some(text))) {
                errors.push((path.to_string(), "Invalid field.".into()));
            }
        }
        ("integer", Value::Number(n)) if n.is_i64() || n.is_u64() => {}
        ("number", Value::Number(_)) | ("boolean", Value::Bool(_)) | ("", _) => {}
        _ => errors.push((path.to_string(), "Invalid field.".into())),
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
    let rate = state.faults.throttle_rate;
    if state.draw(rate) {
        // A burst: Zoom says when the next request may go, as a date-time.
        let wait = state.faults.retry_after_seconds.max(1);
        let at = chrono::Utc::now() + chrono::Duration::seconds(wait as i64);
        return Err(qps_429(limit).with_header(
            "Retry-After",
            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ));
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

pub(crate) fn user_json(account: &ZoomAccount, user: &super::seed::ZoomUserSeed) -> Value {
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
    let (offset, page_size) = match page_window(req, "users", 30, 2000) {
        Ok(window) => window,
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
    SimResponse::json(
        StatusCode::OK,
        json!({
            "next_page_token": next_page_token("users", offset, page_size, total),
            "page_count": total.div_ceil(page_size),
            "page_number": offset / page_size + 1,
            "page_size": page_size,
            "total_records": total,
            "users": page,
        }),
    )
}

/// The user with this id or email (case-insensitive).
pub(crate) fn find_user<'a>(
    account: &'a ZoomAccount,
    id_or_email: &str,
) -> Option<&'a super::seed::ZoomUserSeed> {
    account
        .users
        .iter()
        .find(|u| u.id == id_or_email || u.email.eq_ignore_ascii_case(id_or_email))
}

fn get_user(account: &ZoomAccount, user_id: &str) -> SimResponse {
    match find_user(account, user_id) {
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
