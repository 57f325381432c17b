//! Microsoft Graph v1.0 (`/v1.0/...`) for the objects zentra manages: the authorization policy,
//! service principals, delegated permission grants and domains, plus JSON batching. The admin
//! consent request policy, app role assignments and domain federation are served by
//! `graph_policies`, `graph_app_roles` and `graph_domains` through this module's routing.
//!
//! Requests need a bearer token from the emulated Entra ID token endpoint; the token's tenant is
//! the directory served and its app roles decide what the caller may do (403
//! `Authorization_RequestDenied` otherwise). Objects created through the API stay invisible to
//! reads and reference checks for the configured replication lag. Every response carries
//! `request-id` and `client-request-id`; errors have Graph's `{"error": {"code", "message",
//! "innerError"}}` shape.

use std::collections::HashMap;
use std::time::Instant;

use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::Shared;
use super::faults::Faults;
use super::graph_odata::{
    Filter, decode_skiptoken, encode_query_value, encode_skiptoken, parse_filter, parse_select,
    project,
};
use super::graph_throttle;
use super::graph_types::{
    self, AUTHORIZATION_POLICY, DOMAIN, Mode, OAUTH2_PERMISSION_GRANT, SERVICE_PRINCIPAL, TypeDef,
};
use super::http::{ResponseBody, SimRequest, SimResponse};
use super::log::percent_decode_str;
use super::state::{
    GUEST_ROLE_IDS, SimState, Stored, Tenant, random_grant_id, service_principal_json,
};

const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
/// Requests a `$batch` may hold.
const BATCH_LIMIT: usize = 20;
/// Largest page `GET /servicePrincipals` returns (since September 2025).
const SP_PAGE_MAX: usize = 100;
/// Default and largest page of other directory collections.
const DEFAULT_PAGE: usize = 100;
const MAX_TOP: usize = 999;

/// A Graph error before request ids are attached.
#[derive(Debug)]
pub(crate) struct GraphError {
    status: StatusCode,
    code: String,
    message: String,
    headers: Vec<(String, String)>,
    pub(super) details: Option<Value>,
}

pub(super) fn gerr(status: StatusCode, code: &str, message: impl Into<String>) -> GraphError {
    GraphError {
        status,
        code: code.to_string(),
        message: message.into(),
        headers: Vec::new(),
        details: None,
    }
}

pub(super) fn bad_request(code: &str, message: impl Into<String>) -> GraphError {
    gerr(StatusCode::BAD_REQUEST, code, message)
}

pub(super) fn not_found(id: &str) -> GraphError {
    gerr(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are \
             not present."
        ),
    )
}

pub(super) fn segment_not_found(segment: &str) -> GraphError {
    bad_request(
        "BadRequest",
        format!("Resource not found for the segment '{segment}'."),
    )
}

pub(super) fn method_not_allowed() -> GraphError {
    gerr(
        StatusCode::METHOD_NOT_ALLOWED,
        "Request_BadRequest",
        "Specified HTTP method is not allowed for the request target.",
    )
}

/// The ids every Graph response carries.
#[derive(Clone, Debug)]
pub(crate) struct RequestIds {
    request_id: String,
    client_request_id: String,
}

impl RequestIds {
    fn new(client_request_id: Option<&str>) -> RequestIds {
        let request_id = uuid::Uuid::new_v4().to_string();
        RequestIds {
            client_request_id: client_request_id
                .filter(|v| !v.is_empty() && v.len() <= 200)
                .map(str::to_string)
                .unwrap_or_else(|| request_id.clone()),
            request_id,
        }
    }
}

/// A Graph response, before it becomes HTTP or a `$batch` entry.
#[derive(Debug)]
pub(crate) struct Outcome {
    status: StatusCode,
    pub(super) headers: Vec<(String, String)>,
    body: Option<Value>,
}

impl Outcome {
    pub(super) fn json(status: StatusCode, body: Value) -> Outcome {
        Outcome {
            status,
            headers: vec![("Content-Type".into(), ODATA_JSON.into())],
            body: Some(body),
        }
    }

    pub(super) fn no_content() -> Outcome {
        Outcome {
            status: StatusCode::NO_CONTENT,
            headers: Vec::new(),
            body: None,
        }
    }

    fn from_error(error: GraphError, ids: &RequestIds) -> Outcome {
        let mut detail = json!({"code": error.code, "message": error.message});
        if let Some(details) = error.details {
            detail["details"] = details;
        }
        detail["innerError"] = json!({
            "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            "request-id": ids.request_id,
            "client-request-id": ids.client_request_id,
        });
        let mut headers = vec![("Content-Type".to_string(), ODATA_JSON.to_string())];
        headers.extend(error.headers);
        Outcome {
            status: error.status,
            headers,
            body: Some(json!({ "error": detail })),
        }
    }
}

/// Who is calling: the token's tenant and application permissions.
pub(super) struct Auth {
    pub(super) tenant_id: String,
    app_id: String,
    roles: Vec<String>,
}

/// One Graph request (top-level or inside a `$batch`).
pub(super) struct Call<'a> {
    pub(super) method: Method,
    /// Decoded path after `/v1.0`.
    path: String,
    query: Vec<(String, String)>,
    /// Header names lower-cased.
    headers: Vec<(String, String)>,
    body: &'a [u8],
    base: &'a str,
}

impl Call<'_> {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn query_one(&self, name: &str) -> Result<Option<&str>, GraphError> {
        let values: Vec<&str> = self
            .query
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        match values.len() {
            0 => Ok(None),
            1 => Ok(Some(values[0])),
            _ => Err(bad_request(
                "BadRequest",
                format!(
                    "Query option '{name}' was specified more than once, but it must be \
                     specified at most once."
                ),
            )),
        }
    }

    pub(super) fn root(&self) -> String {
        format!("{}/v1.0", self.base)
    }

    /// The JSON object body of a write.
    pub(super) fn json_body(&self) -> Result<Map<String, Value>, GraphError> {
        let Some(content_type) = self.header("content-type") else {
            return Err(bad_request(
                "BadRequest",
                "Write requests (excluding DELETE) must contain the Content-Type header \
                 declaration.",
            ));
        };
        let media = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if media != "application/json" {
            return Err(gerr(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "BadRequest",
                format!("The content type '{content_type}' is not supported."),
            ));
        }
        match serde_json::from_slice::<Value>(self.body) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(bad_request(
                "BadRequest",
                "Unable to read JSON request payload. Please ensure Content-Type header is set \
                 and payload is of valid JSON format.",
            )),
        }
    }
}

pub(crate) fn handle(shared: &Shared, req: &SimRequest) -> SimResponse {
    let ids = RequestIds::new(req.header("client-request-id"));
    let outcome = match authenticate(shared, req) {
        Err(error) => Outcome::from_error(error, &ids),
        Ok(auth) => {
            let call = Call {
                method: req.method.clone(),
                path: req.path.strip_prefix("/v1.0").unwrap_or("").to_string(),
                query: req.query.clone(),
                headers: req
                    .headers
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.into())))
                    .collect(),
                body: &req.body,
                base: &req.base,
            };
            execute(shared, &auth, &call, &ids, true)
        }
    };
    let mut response = SimResponse {
        status: outcome.status,
        headers: outcome.headers,
        body: match outcome.body {
            Some(v) => ResponseBody::Json(v),
            None => ResponseBody::Empty,
        },
    };
    response = response
        .with_header("request-id", ids.request_id.clone())
        .with_header("client-request-id", ids.client_request_id.clone())
        .with_header("cache-control", "no-cache")
        .with_header("odata-version", "4.0")
        .with_header(
            "x-ms-ags-diagnostic",
            r#"{"ServerInfo":{"DataCenter":"Emulated","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"zentra-sim"}}"#,
        );
    response
}

fn authenticate(shared: &Shared, req: &SimRequest) -> Result<Auth, GraphError> {
    let unauthorized = |message: &str| {
        let mut e = gerr(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        );
        e.headers.push((
            "WWW-Authenticate".into(),
            format!(
                "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/authorize\", \
                 client_id=\"00000003-0000-0000-c000-000000000000\"",
                req.base
            ),
        ));
        e
    };
    let Some(token) = req.bearer() else {
        return Err(unauthorized("Access token is empty."));
    };
    let state = shared.lock();
    let Some(found) = state.entra.tokens.get(token) else {
        return Err(unauthorized(
            "Access token validation failure. Invalid audience.",
        ));
    };
    if found.expires <= Instant::now() {
        return Err(unauthorized(
            "Lifetime validation failed, the token is expired.",
        ));
    }
    Ok(Auth {
        tenant_id: found.tenant_id.clone(),
        app_id: found.app_id.clone(),
        roles: found.roles.clone(),
    })
}

/// Requires one of the application permissions.
pub(super) fn require(auth: &Auth, any_of: &[&str]) -> Result<(), GraphError> {
    if auth.roles.iter().any(|r| any_of.contains(&r.as_str())) {
        Ok(())
    } else {
        Err(gerr(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ))
    }
}

const READ_APPS: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Application.ReadWrite.OwnedBy",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE_APPS: &[&str] = &["Application.ReadWrite.All", "Directory.ReadWrite.All"];
const READ_POLICY: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.Authorization"];
const WRITE_POLICY: &[&str] = &["Policy.ReadWrite.Authorization"];
const READ_GRANTS: &[&str] = &[
    "DelegatedPermissionGrant.Read.All",
    "DelegatedPermissionGrant.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE_GRANTS: &[&str] = &[
    "DelegatedPermissionGrant.ReadWrite.All",
    "Directory.ReadWrite.All",
];
const READ_DOMAINS: &[&str] = &[
    "Domain.Read.All",
    "Domain.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

fn execute(
    shared: &Shared,
    auth: &Auth,
    call: &Call,
    ids: &RequestIds,
    top_level: bool,
) -> Outcome {
    let segments: Vec<&str> = call.path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.first() == Some(&"$batch") && segments.len() == 1 {
        if !top_level {
            return Outcome::from_error(
                bad_request("BadRequest", "Nested batch requests are not supported."),
                ids,
            );
        }
        if call.method != Method::POST {
            return Outcome::from_error(method_not_allowed(), ids);
        }
        return batch(shared, auth, call, ids);
    }
    let mut state = shared.lock();
    let rate = state.faults.throttle_rate;
    if Faults::take(&mut state.faults.graph_throttle_next) || state.draw(rate) {
        let seconds = state
            .faults
            .graph_retry_after_seconds
            .max(state.faults.retry_after_seconds)
            .max(1);
        let mut e = gerr(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests from the application or user. Retry after the time in the \
             Retry-After header.",
        );
        e.headers.push(("Retry-After".into(), seconds.to_string()));
        e.headers.push((
            "x-ms-throttle-scope".into(),
            format!("Tenant_Application/ReadWrite/{}", auth.tenant_id),
        ));
        return Outcome::from_error(e, ids);
    }
    let cost = graph_throttle::cost(&call.method, &call.path, &call.query);
    if let Err(throttled) = spend_budget(&mut state, auth, cost) {
        let mut e = gerr(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests from the application or user. Retry after the time in the \
             Retry-After header.",
        );
        e.headers
            .push(("Retry-After".into(), throttled.retry_after.to_string()));
        e.headers.push((
            "x-ms-throttle-scope".into(),
            format!(
                "Tenant_Application/{}/{}/{}",
                throttled.limit, auth.app_id, auth.tenant_id
            ),
        ));
        e.headers.push((
            "x-ms-throttle-information".into(),
            throttled.information.into(),
        ));
        return Outcome::from_error(e, ids);
    }
    let rate = state.faults.server_error_rate;
    if Faults::take(&mut state.faults.graph_server_error_next) || state.draw(rate) {
        let mut e = gerr(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The service is temporarily unavailable. Retry after the time in the Retry-After \
             header.",
        );
        e.headers.push(("Retry-After".into(), "1".into()));
        return Outcome::from_error(e, ids);
    }
    let line = format!("{} /{}", call.method, call.path.trim_start_matches('/'));
    if state.faults.graph_refuse_next > 0 && line.starts_with(&state.faults.graph_refuse_of) {
        state.faults.graph_refuse_next -= 1;
        return Outcome::from_error(
            gerr(
                StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ),
            ids,
        );
    }
    match route(&mut state, auth, call, &segments) {
        Ok(mut outcome) => {
            outcome
                .headers
                .push(("x-ms-resource-unit".into(), cost.resource_units.to_string()));
            let listing = outcome
                .body
                .as_ref()
                .is_some_and(|b| b.get("value").is_some_and(Value::is_array));
            if listing
                && let Some(link) = state.faults.graph_next_link.take()
                && let Some(Value::Object(body)) = &mut outcome.body
            {
                body.insert(
                    "@odata.nextLink".into(),
                    Value::String(format!("{}{link}", call.root())),
                );
            }
            outcome
        }
        Err(error) => Outcome::from_error(error, ids),
    }
}

/// Charges a request to its application and tenant pair's budget (Microsoft's figures, or
/// the faults' overrides).
fn spend_budget(
    state: &mut SimState,
    auth: &Auth,
    cost: graph_throttle::Cost,
) -> Result<(), graph_throttle::Throttled> {
    let users = state
        .tenant_index(&auth.tenant_id)
        .map_or(0, |i| state.entra.tenants[i].users.len());
    let units = state
        .faults
        .graph_resource_unit_limit
        .unwrap_or_else(|| graph_throttle::resource_units_per_10s(users));
    let writes = state
        .faults
        .graph_write_limit
        .unwrap_or(graph_throttle::WRITES_PER_150S);
    let now = Instant::now();
    state
        .entra
        .budgets
        .entry((
            auth.tenant_id.to_ascii_lowercase(),
            auth.app_id.to_ascii_lowercase(),
        ))
        .or_insert_with(|| graph_throttle::Budget::new(units, writes, now))
        .spend(cost, units, writes, now)
}

pub(super) fn tenant_mut<'a>(
    state: &'a mut SimState,
    auth: &Auth,
) -> Result<&'a mut Tenant, GraphError> {
    let index = state
        .tenant_index(&auth.tenant_id)
        .ok_or_else(|| not_found(&auth.tenant_id))?;
    Ok(&mut state.entra.tenants[index])
}

/// `servicePrincipals(appId='...')` → the appId.
fn alternate_key(segment: &str) -> Option<Result<String, GraphError>> {
    let inner = segment
        .strip_prefix("servicePrincipals(")?
        .strip_suffix(')')?;
    let parsed = inner
        .split_once('=')
        .filter(|(k, _)| k.trim() == "appId")
        .and_then(|(_, v)| {
            v.trim()
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
        })
        .map(|v| v.replace("''", "'"));
    Some(parsed.ok_or_else(|| {
        bad_request(
            "BadRequest",
            format!("Bad Request - Error in query syntax: '{segment}' is not a valid key segment."),
        )
    }))
}

/// Routes a Graph request by its first path segment to the collection that serves it.
fn route(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    segments: &[&str],
) -> Result<Outcome, GraphError> {
    let Some((&first, rest)) = segments.split_first() else {
        return service_root(call);
    };
    match first {
        "policies" => route_policies(state, auth, call, rest),
        "servicePrincipals" => route_service_principals(state, auth, call, rest),
        segment if segment.starts_with("servicePrincipals(") && rest.is_empty() => {
            route_service_principal_by_app_id(state, auth, call, segment)
        }
        "oauth2PermissionGrants" => route_grants(state, auth, call, rest),
        "domains" => route_domains(state, auth, call, rest),
        first => Err(segment_not_found(first)),
    }
}

/// `GET /v1.0/`: the service document.
fn service_root(call: &Call) -> Result<Outcome, GraphError> {
    let m = &call.method;
    if *m != Method::GET {
        return Err(method_not_allowed());
    }
    Ok(Outcome::json(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{}/$metadata", call.root()),
            "value": service_document(),
        }),
    ))
}

/// `/policies/...`.
fn route_policies(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    segments: &[&str],
) -> Result<Outcome, GraphError> {
    let m = &call.method;
    match segments {
        ["authorizationPolicy"] => match m.as_str() {
            "GET" => {
                require(auth, READ_POLICY)?;
                get_policy(state, auth, call)
            }
            "PATCH" => {
                require(auth, WRITE_POLICY)?;
                patch_policy(state, auth, call)
            }
            _ => Err(method_not_allowed()),
        },
        [] => match m.as_str() {
            "GET" => {
                require(auth, READ_POLICY)?;
                Ok(Outcome::json(
                    StatusCode::OK,
                    json!({
                        "@odata.context": format!("{}/$metadata#policies", call.root()),
                        "id": "policies"
                    }),
                ))
            }
            _ => Err(method_not_allowed()),
        },
        ["adminConsentRequestPolicy"] => match m.as_str() {
            "GET" => super::graph_policies::get(state, auth, call),
            "PUT" => super::graph_policies::put(state, auth, call),
            _ => Err(method_not_allowed()),
        },
        [other, ..] => Err(segment_not_found(other)),
    }
}

/// `/servicePrincipals(appId='...')`: one service principal by its application's id.
fn route_service_principal_by_app_id(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    segment: &str,
) -> Result<Outcome, GraphError> {
    let m = &call.method;
    let app_id = alternate_key(segment).unwrap_or_else(|| Err(segment_not_found(segment)))?;
    let now = Instant::now();
    let index = tenant_mut(state, auth)?.sp_index_by_app(&app_id, Some(now));
    match (m.as_str(), index) {
        ("GET", Some(i)) => {
            require(auth, READ_APPS)?;
            get_service_principal(state, auth, call, i)
        }
        ("PATCH", Some(i)) => {
            require(auth, WRITE_APPS)?;
            patch_service_principal(state, auth, call, i)
        }
        ("DELETE", Some(i)) => {
            require(auth, WRITE_APPS)?;
            delete_service_principal(state, auth, i)
        }
        ("PATCH", None)
            if call
                .header("prefer")
                .is_some_and(|p| p.to_ascii_lowercase().contains("create-if-missing")) =>
        {
            require(auth, WRITE_APPS)?;
            create_service_principal(state, auth, call, Some(&app_id))
        }
        ("GET" | "PATCH" | "DELETE", None) => {
            require(auth, READ_APPS)?;
            Err(not_found(&format!("servicePrincipals(appId='{app_id}')")))
        }
        _ => Err(method_not_allowed()),
    }
}

/// `/servicePrincipals/...`.
fn route_service_principals(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    segments: &[&str],
) -> Result<Outcome, GraphError> {
    let m = &call.method;
    match segments {
        [] => match m.as_str() {
            "GET" => {
                require(auth, READ_APPS)?;
                list_service_principals(state, auth, call)
            }
            "POST" => {
                require(auth, WRITE_APPS)?;
                create_service_principal(state, auth, call, None)
            }
            _ => Err(method_not_allowed()),
        },
        [id] => {
            let now = Instant::now();
            let index = tenant_mut(state, auth)?.sp_index(id, Some(now));
            match m.as_str() {
                "GET" => {
                    require(auth, READ_APPS)?;
                    let i = index.ok_or_else(|| not_found(id))?;
                    get_service_principal(state, auth, call, i)
                }
                "PATCH" => {
                    require(auth, WRITE_APPS)?;
                    let i = index.ok_or_else(|| not_found(id))?;
                    patch_service_principal(state, auth, call, i)
                }
                "DELETE" => {
                    require(auth, WRITE_APPS)?;
                    let i = index.ok_or_else(|| not_found(id))?;
                    delete_service_principal(state, auth, i)
                }
                _ => Err(method_not_allowed()),
            }
        }
        [id, "oauth2PermissionGrants"] => {
            if *m != Method::GET {
                return Err(method_not_allowed());
            }
            require(auth, READ_GRANTS)?;
            let now = Instant::now();
            let tenant = tenant_mut(state, auth)?;
            tenant
                .sp_index(id, Some(now))
                .ok_or_else(|| not_found(id))?;
            list_grants(state, auth, call, Some(id))
        }
        [id, collection] if super::graph_app_roles::side_of(collection).is_some() => {
            let side = super::graph_app_roles::side_of(collection)
                .ok_or_else(|| segment_not_found(collection))?;
            super::graph_app_roles::collection(state, auth, call, id, side)
        }
        [id, collection, assignment] if super::graph_app_roles::side_of(collection).is_some() => {
            let side = super::graph_app_roles::side_of(collection)
                .ok_or_else(|| segment_not_found(collection))?;
            super::graph_app_roles::item(state, auth, call, id, side, assignment)
        }
        [_, other, ..] => Err(segment_not_found(other)),
    }
}

/// `/oauth2PermissionGrants/...`.
fn route_grants(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    segments: &[&str],
) -> Result<Outcome, GraphError> {
    let m = &call.method;
    match segments {
        [] => match m.as_str() {
            "GET" => {
                require(auth, READ_GRANTS)?;
                list_grants(state, auth, call, None)
            }
            "POST" => {
                require(auth, WRITE_GRANTS)?;
                create_grant(state, auth, call)
            }
            _ => Err(method_not_allowed()),
        },
        [id] => {
            let now = Instant::now();
            let index = tenant_mut(state, auth)?.grant_index(id, Some(now));
            match m.as_str() {
                "GET" => {
                    require(auth, READ_GRANTS)?;
                    let i = index.ok_or_else(|| not_found(id))?;
                    let tenant = tenant_mut(state, auth)?;
                    let select = select_of(call, &OAUTH2_PERMISSION_GRANT)?;
                    Ok(entity(
                        call,
                        "oauth2PermissionGrants",
                        &select,
                        &tenant.grants[i].data,
                    ))
                }
                "PATCH" => {
                    require(auth, WRITE_GRANTS)?;
                    let i = index.ok_or_else(|| not_found(id))?;
                    let body = call.json_body()?;
                    graph_types::validate_body(&OAUTH2_PERMISSION_GRANT, &body, Mode::Update)
                        .map_err(|(code, message)| bad_request(code, message))?;
                    let tenant = tenant_mut(state, auth)?;
                    for (key, value) in body {
                        if !key.starts_with("@odata.") {
                            let value = if value.is_null() { json!("") } else { value };
                            tenant.grants[i].data.insert(key, value);
                        }
                    }
                    Ok(Outcome::no_content())
                }
                "DELETE" => {
                    require(auth, WRITE_GRANTS)?;
                    let i = index.ok_or_else(|| not_found(id))?;
                    tenant_mut(state, auth)?.grants.remove(i);
                    Ok(Outcome::no_content())
                }
                _ => Err(method_not_allowed()),
            }
        }
        [_, other, ..] => Err(segment_not_found(other)),
    }
}

/// `/domains/...`.
fn route_domains(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    segments: &[&str],
) -> Result<Outcome, GraphError> {
    let m = &call.method;
    match segments {
        [] => {
            if *m != Method::GET {
                return Err(method_not_allowed());
            }
            require(auth, READ_DOMAINS)?;
            let select = select_of(call, &DOMAIN)?;
            reject_unsupported_options(call)?;
            let tenant = tenant_mut(state, auth)?;
            let value: Vec<Value> = tenant
                .domains
                .iter()
                .filter_map(Value::as_object)
                .map(|d| Value::Object(project(d, &select)))
                .collect();
            Ok(Outcome::json(
                StatusCode::OK,
                json!({
                    "@odata.context": context(call, "domains", &select, false),
                    "value": value,
                }),
            ))
        }
        [id] if *m == Method::PATCH => super::graph_domains::patch_domain(state, auth, call, id),
        [id, "federationConfiguration"] => super::graph_domains::collection(state, auth, call, id),
        [id, "federationConfiguration", federation] => {
            super::graph_domains::item(state, auth, call, id, federation)
        }
        [id] => {
            if *m != Method::GET {
                return Err(method_not_allowed());
            }
            require(auth, READ_DOMAINS)?;
            let select = select_of(call, &DOMAIN)?;
            let tenant = tenant_mut(state, auth)?;
            let domain = tenant
                .domains
                .iter()
                .filter_map(Value::as_object)
                .find(|d| {
                    d.get("id")
                        .and_then(Value::as_str)
                        .is_some_and(|d| d.eq_ignore_ascii_case(id))
                })
                .ok_or_else(|| not_found(id))?;
            Ok(entity(call, "domains", &select, domain))
        }
        [_, other, ..] => Err(segment_not_found(other)),
    }
}

fn service_document() -> Vec<Value> {
    [
        "domains",
        "oauth2PermissionGrants",
        "policies",
        "servicePrincipals",
    ]
    .iter()
    .map(|n| json!({"name": n, "kind": "EntitySet", "url": n}))
    .collect()
}

/// `{root}/$metadata#set` with `(a,b)` for a selection and `/$entity` for one object.
pub(super) fn context(call: &Call, set: &str, select: &[String], single: bool) -> String {
    let mut out = format!("{}/$metadata#{set}", call.root());
    if !select.is_empty() {
        out.push('(');
        out.push_str(&select.join(","));
        out.push(')');
    }
    if single {
        out.push_str("/$entity");
    }
    out
}

pub(super) fn entity(
    call: &Call,
    set: &str,
    select: &[String],
    data: &Map<String, Value>,
) -> Outcome {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        Value::String(context(call, set, select, true)),
    );
    body.extend(project(data, select));
    Outcome::json(StatusCode::OK, Value::Object(body))
}

pub(super) fn select_of(call: &Call, ty: &TypeDef) -> Result<Vec<String>, GraphError> {
    match call.query_one("$select")? {
        None => Ok(Vec::new()),
        Some(text) => parse_select(text, ty).map_err(|name| {
            bad_request(
                "Request_BadRequest",
                format!(
                    "Parsing OData Select and Expand failed: Could not find a property named \
                     '{name}' on type 'microsoft.graph.{}'.",
                    ty.name
                ),
            )
        }),
    }
}

pub(super) fn reject_unsupported_options(call: &Call) -> Result<(), GraphError> {
    for (name, _) in &call.query {
        let lower = name.to_ascii_lowercase();
        if ["$orderby", "$search", "$expand", "$skip"].contains(&lower.as_str()) {
            return Err(bad_request(
                "Request_UnsupportedQuery",
                format!("The query option '{name}' is not supported on this collection."),
            ));
        }
    }
    Ok(())
}

/// The query options of a collection read.
pub(super) struct CollectionQuery {
    filter: Option<Filter>,
    select: Vec<String>,
    page: usize,
    skip: usize,
    count: bool,
}

pub(super) fn collection_query(
    call: &Call,
    ty: &TypeDef,
    filterable: &[(&str, &[&str])],
    max_page: usize,
) -> Result<CollectionQuery, GraphError> {
    reject_unsupported_options(call)?;
    let eventual = call
        .header("consistencylevel")
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"));
    let filter = match call.query_one("$filter")? {
        None => None,
        Some(text) => {
            let filter = parse_filter(text).map_err(|why| {
                bad_request("BadRequest", format!("Invalid filter clause: {why}"))
            })?;
            for (prop, op) in filter.properties() {
                if ty.prop(prop).is_none() {
                    return Err(bad_request(
                        "Request_BadRequest",
                        format!(
                            "Property '{prop}' does not exist as a declared property or \
                             extension property."
                        ),
                    ));
                }
                let allowed = filterable
                    .iter()
                    .find(|(p, _)| *p == prop)
                    .is_some_and(|(_, ops)| ops.contains(&op));
                if !allowed {
                    return Err(bad_request(
                        "Request_UnsupportedQuery",
                        format!(
                            "Unsupported or invalid query filter clause specified for property \
                             '{prop}' of resource '{}'.",
                            ty.resource
                        ),
                    ));
                }
            }
            if filter.uses_not() && !eventual {
                return Err(bad_request(
                    "Request_UnsupportedQuery",
                    "Operator 'not' is an advanced query: send the ConsistencyLevel: eventual \
                     header and $count=true.",
                ));
            }
            Some(filter)
        }
    };
    let select = select_of(call, ty)?;
    let page = match call.query_one("$top")? {
        None => DEFAULT_PAGE,
        Some(text) => match text.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_TOP).contains(&n) => n,
            _ => {
                return Err(bad_request(
                    "Request_BadRequest",
                    format!(
                        "Invalid page size specified: '{text}'. Must be between 1 and {MAX_TOP} \
                         inclusive."
                    ),
                ));
            }
        },
    }
    .min(max_page);
    let skip = match call.query_one("$skiptoken")? {
        None => 0,
        Some(token) => decode_skiptoken(token).ok_or_else(|| {
            bad_request(
                "Directory_ExpiredPageToken",
                "The specified page token value has expired and can no longer be included in \
                 your request.",
            )
        })?,
    };
    let count = match call.query_one("$count")? {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => {
            if !eventual {
                return Err(bad_request(
                    "Request_BadRequest",
                    "$count is only supported with the ConsistencyLevel: eventual header.",
                ));
            }
            true
        }
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            return Err(bad_request(
                "BadRequest",
                format!("Invalid value '{v}' for the $count query option."),
            ));
        }
    };
    Ok(CollectionQuery {
        filter,
        select,
        page,
        skip,
        count,
    })
}

/// A page of `objects` (already visible and filtered) with `@odata.nextLink` when more remain.
pub(super) fn page_of(
    call: &Call,
    set: &str,
    path: &str,
    q: &CollectionQuery,
    objects: Vec<&Map<String, Value>>,
) -> Outcome {
    let total = objects.len();
    let end = (q.skip + q.page).min(total);
    let value: Vec<Value> = objects
        .iter()
        .skip(q.skip)
        .take(end.saturating_sub(q.skip))
        .map(|o| Value::Object(project(o, &q.select)))
        .collect();
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        Value::String(context(call, set, &q.select, false)),
    );
    if q.count {
        body.insert("@odata.count".into(), json!(total));
    }
    if end < total {
        let mut params: Vec<String> = Vec::new();
        for (name, value) in &call.query {
            if !name.eq_ignore_ascii_case("$skiptoken") {
                params.push(format!("{}={}", name, encode_query_value(value)));
            }
        }
        params.push(format!("$skiptoken={}", encode_skiptoken(end)));
        body.insert(
            "@odata.nextLink".into(),
            Value::String(format!("{}{}?{}", call.root(), path, params.join("&"))),
        );
    }
    body.insert("value".into(), Value::Array(value));
    Outcome::json(StatusCode::OK, Value::Object(body))
}

fn get_policy(state: &mut SimState, auth: &Auth, call: &Call) -> Result<Outcome, GraphError> {
    let select = select_of(call, &AUTHORIZATION_POLICY)?;
    let tenant = tenant_mut(state, auth)?;
    Ok(entity(
        call,
        "policies/authorizationPolicy",
        &select,
        &tenant.authorization_policy,
    ))
}

/// `managePermissionGrantsForSelf.x` in any case → the service's canonical spelling, if the
/// policy exists.
fn canonical_grant_policy(value: &str, tenant: &Tenant) -> Option<String> {
    let (prefix, policy) = value.split_once('.')?;
    let prefix = [
        "ManagePermissionGrantsForSelf",
        "ManagePermissionGrantsForOwnedResource",
    ]
    .into_iter()
    .find(|p| p.eq_ignore_ascii_case(prefix))?;
    let policy = tenant
        .permission_grant_policies
        .iter()
        .find(|p| p.eq_ignore_ascii_case(policy))?;
    Some(format!("{prefix}.{policy}"))
}

fn patch_policy(state: &mut SimState, auth: &Auth, call: &Call) -> Result<Outcome, GraphError> {
    let body = call.json_body()?;
    graph_types::validate_body(&AUTHORIZATION_POLICY, &body, Mode::Update)
        .map_err(|(code, message)| bad_request(code, message))?;
    let tenant = tenant_mut(state, auth)?;
    if let Some(role) = body.get("guestUserRoleId").and_then(Value::as_str)
        && !GUEST_ROLE_IDS.iter().any(|g| g.eq_ignore_ascii_case(role))
    {
        return Err(bad_request(
            "Request_BadRequest",
            "Invalid value specified for property 'guestUserRoleId' of resource \
             'AuthorizationPolicy'.",
        ));
    }
    let mut body = body;
    if let Some(Value::Object(durp)) = body.get_mut("defaultUserRolePermissions")
        && let Some(Value::Array(policies)) = durp.get_mut("permissionGrantPoliciesAssigned")
    {
        for entry in policies.iter_mut() {
            let text = entry.as_str().unwrap_or_default();
            let Some(canonical) = canonical_grant_policy(text, tenant) else {
                return Err(bad_request(
                    "Request_BadRequest",
                    "Invalid value specified for property 'permissionGrantPoliciesAssigned' of \
                     resource 'DefaultUserRolePermissions'.",
                ));
            };
            *entry = Value::String(canonical);
        }
    }
    for (key, value) in body {
        if key.starts_with("@odata.") {
            continue;
        }
        match (tenant.authorization_policy.get_mut(&key), value) {
            (Some(Value::Object(existing)), Value::Object(members)) => {
                for (member, member_value) in members {
                    if !member.starts_with("@odata.") {
                        existing.insert(member, member_value);
                    }
                }
            }
            (_, value) => {
                tenant.authorization_policy.insert(key, value);
            }
        }
    }
    Ok(Outcome::no_content())
}

const SP_FILTERABLE: &[(&str, &[&str])] = &[
    ("id", &["eq", "in"]),
    ("appId", &["eq", "in"]),
    ("displayName", &["eq", "in", "startswith"]),
    ("servicePrincipalType", &["eq"]),
    ("accountEnabled", &["eq"]),
    ("appOwnerOrganizationId", &["eq"]),
    ("preferredSingleSignOnMode", &["eq"]),
];

fn list_service_principals(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
) -> Result<Outcome, GraphError> {
    let q = collection_query(call, &SERVICE_PRINCIPAL, SP_FILTERABLE, SP_PAGE_MAX)?;
    let now = Instant::now();
    let tenant = tenant_mut(state, auth)?;
    let objects: Vec<&Map<String, Value>> = tenant
        .service_principals
        .iter()
        .filter(|sp| sp.visible(now))
        .map(|sp| &sp.data)
        .filter(|d| q.filter.as_ref().is_none_or(|f| f.matches(d)))
        .collect();
    Ok(page_of(
        call,
        "servicePrincipals",
        "/servicePrincipals",
        &q,
        objects,
    ))
}

fn get_service_principal(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    index: usize,
) -> Result<Outcome, GraphError> {
    let select = select_of(call, &SERVICE_PRINCIPAL)?;
    let tenant = tenant_mut(state, auth)?;
    Ok(entity(
        call,
        "servicePrincipals",
        &select,
        &tenant.service_principals[index].data,
    ))
}

fn create_service_principal(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    key_app_id: Option<&str>,
) -> Result<Outcome, GraphError> {
    let body = call.json_body()?;
    graph_types::validate_body(&SERVICE_PRINCIPAL, &body, Mode::Create)
        .map_err(|(code, message)| bad_request(code, message))?;
    let body_app_id = body.get("appId").and_then(Value::as_str);
    let app_id = match (key_app_id, body_app_id) {
        (Some(key), Some(given)) if !key.eq_ignore_ascii_case(given) => {
            return Err(bad_request(
                "Request_BadRequest",
                "The appId in the request body does not match the appId in the URL.",
            ));
        }
        (Some(key), _) => key.to_string(),
        (None, Some(given)) if !given.is_empty() => given.to_string(),
        _ => {
            return Err(bad_request(
                "Request_BadRequest",
                "One or more properties contains invalid values.",
            ));
        }
    };
    let lag = state.lag;
    let tenant_id = auth.tenant_id.clone();
    let tenant = tenant_mut(state, auth)?;
    let Some(app) = tenant.application(&app_id).cloned() else {
        let mut e = bad_request(
            "Request_BadRequest",
            format!(
                "The appId '{app_id}' of the service principal does not reference a valid \
                 application object."
            ),
        );
        e.details = Some(json!([{
            "code": "NoBackingApplicationObject",
            "message": format!("The appId '{app_id}' of the service principal does not reference a valid application object."),
            "target": "appId",
        }]));
        return Err(e);
    };
    if tenant.sp_index_by_app(&app_id, None).is_some() {
        let mut e = gerr(
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
            "Another object with the same value for property servicePrincipalNames already \
             exists.",
        );
        e.details = Some(json!([{
            "code": "ObjectConflict",
            "message": "Another object with the same value for property servicePrincipalNames already exists.",
            "target": "servicePrincipalNames",
        }]));
        return Err(e);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let mut data = service_principal_json(&app, &id, &tenant_id);
    for (key, value) in body {
        if !key.starts_with("@odata.") && key != "appId" {
            data.insert(key, value);
        }
    }
    tenant.service_principals.push(Stored {
        visible_at: Stored::visible_after(Instant::now(), lag),
        data: data.clone(),
    });
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        Value::String(context(call, "servicePrincipals", &[], true)),
    );
    out.extend(data);
    let mut outcome = Outcome::json(StatusCode::CREATED, Value::Object(out));
    outcome.headers.push((
        "Location".into(),
        format!("{}/servicePrincipals/{id}", call.root()),
    ));
    Ok(outcome)
}

fn patch_service_principal(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    index: usize,
) -> Result<Outcome, GraphError> {
    let body = call.json_body()?;
    graph_types::validate_body(&SERVICE_PRINCIPAL, &body, Mode::Update)
        .map_err(|(code, message)| bad_request(code, message))?;
    let tenant = tenant_mut(state, auth)?;
    for (key, value) in body {
        if !key.starts_with("@odata.") {
            tenant.service_principals[index].data.insert(key, value);
        }
    }
    Ok(Outcome::no_content())
}

fn delete_service_principal(
    state: &mut SimState,
    auth: &Auth,
    index: usize,
) -> Result<Outcome, GraphError> {
    let tenant = tenant_mut(state, auth)?;
    let removed = tenant.service_principals.remove(index);
    let id = removed.id().to_string();
    tenant.grants.retain(|g| {
        g.str_field("clientId") != Some(id.as_str())
            && g.str_field("resourceId") != Some(id.as_str())
    });
    tenant.app_role_assignments.retain(|a| {
        a.str_field("principalId") != Some(id.as_str())
            && a.str_field("resourceId") != Some(id.as_str())
    });
    Ok(Outcome::no_content())
}

const GRANT_FILTERABLE: &[(&str, &[&str])] = &[
    ("clientId", &["eq", "in"]),
    ("consentType", &["eq"]),
    ("principalId", &["eq"]),
    ("resourceId", &["eq", "in"]),
    ("id", &["eq"]),
];

fn list_grants(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    client: Option<&str>,
) -> Result<Outcome, GraphError> {
    let q = collection_query(call, &OAUTH2_PERMISSION_GRANT, GRANT_FILTERABLE, MAX_TOP)?;
    let now = Instant::now();
    let tenant = tenant_mut(state, auth)?;
    let objects: Vec<&Map<String, Value>> = tenant
        .grants
        .iter()
        .filter(|g| g.visible(now))
        .filter(|g| client.is_none_or(|c| g.str_field("clientId") == Some(c)))
        .map(|g| &g.data)
        .filter(|d| q.filter.as_ref().is_none_or(|f| f.matches(d)))
        .collect();
    let path = match client {
        Some(c) => format!("/servicePrincipals/{c}/oauth2PermissionGrants"),
        None => "/oauth2PermissionGrants".to_string(),
    };
    Ok(page_of(call, "oauth2PermissionGrants", &path, &q, objects))
}

fn create_grant(state: &mut SimState, auth: &Auth, call: &Call) -> Result<Outcome, GraphError> {
    let body = call.json_body()?;
    graph_types::validate_body(&OAUTH2_PERMISSION_GRANT, &body, Mode::Create)
        .map_err(|(code, message)| bad_request(code, message))?;
    let invalid = |prop: &str| {
        bad_request(
            "Request_BadRequest",
            format!(
                "Invalid value specified for property '{prop}' of resource 'OAuth2PermissionGrant'."
            ),
        )
    };
    let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_string);
    let client_id = text("clientId")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid("clientId"))?;
    let resource_id = text("resourceId")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid("resourceId"))?;
    let consent_type = text("consentType").ok_or_else(|| invalid("consentType"))?;
    let principal_id = text("principalId");
    match (consent_type.as_str(), &principal_id) {
        ("AllPrincipals", None) => {}
        ("AllPrincipals", Some(_)) => return Err(invalid("principalId")),
        ("Principal", Some(_)) => {}
        ("Principal", None) => return Err(invalid("principalId")),
        _ => return Err(invalid("consentType")),
    }
    let scope = text("scope").unwrap_or_default();
    let lag = state.lag;
    let now = Instant::now();
    let tenant = tenant_mut(state, auth)?;
    for id in [&client_id, &resource_id] {
        if tenant.sp_index(id, Some(now)).is_none() {
            return Err(bad_request(
                "Request_BadRequest",
                format!(
                    "Resource '{id}' does not exist or one of its queried reference-property \
                     objects are not present."
                ),
            ));
        }
    }
    if let Some(principal) = &principal_id
        && !tenant
            .users
            .iter()
            .any(|u| u.id.eq_ignore_ascii_case(principal))
    {
        return Err(bad_request(
            "Request_BadRequest",
            format!(
                "Resource '{principal}' does not exist or one of its queried reference-property \
                 objects are not present."
            ),
        ));
    }
    let duplicate = tenant.grants.iter().any(|g| {
        g.str_field("clientId")
            .is_some_and(|c| c.eq_ignore_ascii_case(&client_id))
            && g.str_field("resourceId")
                .is_some_and(|r| r.eq_ignore_ascii_case(&resource_id))
            && g.str_field("consentType") == Some(consent_type.as_str())
            && g.str_field("principalId").map(str::to_ascii_lowercase)
                == principal_id.as_deref().map(str::to_ascii_lowercase)
    });
    if duplicate {
        return Err(gerr(
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
            "Permission entry already exists.",
        ));
    }
    let id = random_grant_id();
    let data = match json!({
        "clientId": client_id,
        "consentType": consent_type,
        "id": id,
        "principalId": principal_id,
        "resourceId": resource_id,
        "scope": scope,
    }) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    tenant.grants.push(Stored {
        visible_at: Stored::visible_after(now, lag),
        data: data.clone(),
    });
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        Value::String(context(call, "oauth2PermissionGrants", &[], true)),
    );
    out.extend(data);
    let mut outcome = Outcome::json(StatusCode::CREATED, Value::Object(out));
    outcome.headers.push((
        "Location".into(),
        format!("{}/oauth2PermissionGrants/{id}", call.root()),
    ));
    Ok(outcome)
}

fn batch_error(message: impl Into<String>) -> GraphError {
    bad_request("BadRequest", message)
}

/// One parsed request of a `$batch`.
struct BatchItem {
    id: String,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    depends_on: Vec<String>,
}

fn parse_batch(body: &Map<String, Value>) -> Result<Vec<BatchItem>, GraphError> {
    let Some(Value::Array(requests)) = body.get("requests") else {
        return Err(batch_error("Invalid batch payload format."));
    };
    if requests.is_empty() {
        return Err(batch_error("Invalid batch payload format."));
    }
    if requests.len() > BATCH_LIMIT {
        return Err(batch_error(format!(
            "Number of requests in a batch ({}) exceeds the limit of {BATCH_LIMIT}.",
            requests.len()
        )));
    }
    let mut items: Vec<BatchItem> = Vec::new();
    for request in requests {
        let Value::Object(r) = request else {
            return Err(batch_error("Invalid batch payload format."));
        };
        for key in r.keys() {
            if !["id", "method", "url", "headers", "body", "dependsOn"].contains(&key.as_str()) {
                return Err(batch_error(format!(
                    "Invalid batch payload format: unknown property '{key}'."
                )));
            }
        }
        let Some(id) = r
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        else {
            return Err(batch_error(
                "Invalid batch payload format: every request needs an id.",
            ));
        };
        if items.iter().any(|i| i.id == id) {
            return Err(batch_error(format!(
                "Batch request ids must be unique: '{id}' is repeated."
            )));
        }
        let method = r
            .get("method")
            .and_then(Value::as_str)
            .and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
            .filter(|m| {
                [
                    Method::GET,
                    Method::POST,
                    Method::PATCH,
                    Method::PUT,
                    Method::DELETE,
                ]
                .contains(m)
            })
            .ok_or_else(|| batch_error(format!("Request id '{id}' has an invalid method.")))?;
        let Some(url) = r
            .get("url")
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty())
        else {
            return Err(batch_error(format!("Request id '{id}' has no url.")));
        };
        if url.contains("://") {
            return Err(batch_error(format!(
                "Invalid URL format for request id '{id}': batch urls are relative to the \
                 version, like '/servicePrincipals'."
            )));
        }
        let relative = if url.starts_with('/') {
            url.to_string()
        } else {
            format!("/{url}")
        };
        let (raw_path, raw_query) = relative.split_once('?').unwrap_or((&relative, ""));
        let mut headers = Vec::new();
        match r.get("headers") {
            None | Some(Value::Null) => {}
            Some(Value::Object(h)) => {
                for (k, v) in h {
                    let Some(v) = v.as_str() else {
                        return Err(batch_error(format!(
                            "Header '{k}' of request id '{id}' must be a string."
                        )));
                    };
                    headers.push((k.to_ascii_lowercase(), v.to_string()));
                }
            }
            Some(_) => return Err(batch_error("Invalid batch payload format.")),
        }
        let body = match r.get("body") {
            None | Some(Value::Null) => Vec::new(),
            Some(b) => {
                if !headers.iter().any(|(k, _)| k == "content-type") {
                    return Err(batch_error(format!(
                        "Write request id : {id} does not contain Content-Type header or body."
                    )));
                }
                match b {
                    Value::String(s) => s.clone().into_bytes(),
                    other => other.to_string().into_bytes(),
                }
            }
        };
        let depends_on = match r.get("dependsOn") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => {
                let mut out = Vec::new();
                for d in list {
                    let Some(d) = d.as_str() else {
                        return Err(batch_error("Invalid batch payload format."));
                    };
                    if !items.iter().any(|i| i.id == d) {
                        return Err(batch_error(format!(
                            "Request id '{id}' depends on '{d}', which is not an earlier request \
                             of the batch."
                        )));
                    }
                    out.push(d.to_string());
                }
                out
            }
            Some(_) => return Err(batch_error("Invalid batch payload format.")),
        };
        items.push(BatchItem {
            id: id.to_string(),
            method,
            path: percent_decode_str(raw_path),
            query: url::form_urlencoded::parse(raw_query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            headers,
            body,
            depends_on,
        });
    }
    Ok(items)
}

fn batch(shared: &Shared, auth: &Auth, call: &Call, ids: &RequestIds) -> Outcome {
    let items = match call.json_body().and_then(|body| parse_batch(&body)) {
        Ok(items) => items,
        Err(error) => return Outcome::from_error(error, ids),
    };
    let mut statuses: HashMap<String, StatusCode> = HashMap::new();
    let mut responses = Vec::new();
    for item in &items {
        let inner_ids = RequestIds::new(Some(&ids.client_request_id));
        let failed_dependency = item
            .depends_on
            .iter()
            .any(|d| statuses.get(d).is_none_or(|s| !s.is_success()));
        let outcome = if failed_dependency {
            Outcome::from_error(
                gerr(
                    StatusCode::FAILED_DEPENDENCY,
                    "FailedDependency",
                    "The request could not be processed because of a failed dependency.",
                ),
                &inner_ids,
            )
        } else {
            let inner = Call {
                method: item.method.clone(),
                path: item.path.clone(),
                query: item.query.clone(),
                headers: item.headers.clone(),
                body: &item.body,
                base: call.base,
            };
            execute(shared, auth, &inner, &inner_ids, false)
        };
        statuses.insert(item.id.clone(), outcome.status);
        let headers: Map<String, Value> = outcome
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let mut entry = json!({
            "id": item.id,
            "status": outcome.status.as_u16(),
            "headers": headers,
        });
        if let Some(body) = outcome.body {
            entry["body"] = body;
        }
        responses.push(entry);
    }
    Outcome::json(StatusCode::OK, json!({ "responses": responses }))
}
