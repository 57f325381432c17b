//! The emulator's own admin API under `/_sim/` (not part of any vendor API): inspect the live
//! state and the request log, inject faults, and change state behind a client's back (drift),
//! without validation, the way an administrator clicking in a portal would.
//!
//! | method and path | effect |
//! |---|---|
//! | `GET /_sim/state` | the whole live state (secrets redacted) |
//! | `GET /_sim/requests`, `DELETE /_sim/requests` | the request log; forget it |
//! | `GET /_sim/faults`, `PUT /_sim/faults` | the injected faults ([`super::Faults`] as JSON) |
//! | `POST /_sim/tokens/expire` | every issued access token expires now |
//! | `POST /_sim/reset` | back to the seed (the request log is kept) |
//! | `PATCH /_sim/zoom/accounts/{id}/settings` | deep-merge into the settings (`me` = first account) |
//! | `PATCH /_sim/zoom/accounts/{id}/lock_settings` | deep-merge into the lock settings |
//! | `PATCH /_sim/graph/policies/authorizationPolicy` | deep-merge into the policy |
//! | `POST /_sim/graph/servicePrincipals` | create (`appId` of a known application), visible at once |
//! | `PATCH`, `DELETE /_sim/graph/servicePrincipals/{id}` | change or remove |
//! | `POST /_sim/graph/oauth2PermissionGrants` | create a grant, visible at once |
//! | `PATCH`, `DELETE /_sim/graph/oauth2PermissionGrants/{id}` | change or remove |
//! | `PATCH /_sim/graph/policies/adminConsentRequestPolicy` | deep-merge into the policy |
//! | `POST /_sim/graph/servicePrincipals/{resource}/appRoleAssignedTo` | assign (`principalId`, `appRoleId`), visible at once |
//! | `DELETE /_sim/graph/servicePrincipals/{resource}/appRoleAssignedTo/{id}` | remove an assignment |
//! | `PATCH /_sim/graph/domains/{name}` | deep-merge into the domain |
//! | `POST /_sim/graph/domains/{name}/federationConfiguration` | federate the domain, visible at once |
//! | `PATCH`, `DELETE /_sim/graph/domains/{name}/federationConfiguration/{id}` | change, or remove (the domain becomes `Managed`) |
//! | `POST /_sim/tokens/graph` | a Graph access token (`{"roles": [...]}`), as a signed-in admin's tool would hold |
//!
//! Graph targets act on the first tenant unless `?tenant={id}` is given. The Zoom targets for
//! groups, roles and calendar services are listed in `zoom_admin`.

use http::StatusCode;
use serde_json::{Map, Value, json};

use super::Shared;
use super::faults::Faults;
use super::http::{SimRequest, SimResponse};
use super::state::deep_merge;

/// Why an admin request failed.
pub(crate) enum AdminError {
    NotFound(String),
    BadRequest(String),
}

impl From<AdminError> for String {
    fn from(e: AdminError) -> String {
        match e {
            AdminError::NotFound(m) | AdminError::BadRequest(m) => m,
        }
    }
}

pub(crate) fn handle(shared: &Shared, req: &SimRequest) -> SimResponse {
    let target = req.path.trim_start_matches("/_sim").trim_matches('/');
    let body = if req.body.is_empty() {
        None
    } else {
        match serde_json::from_slice::<Value>(&req.body) {
            Ok(v) => Some(v),
            Err(e) => {
                return SimResponse::json(
                    StatusCode::BAD_REQUEST,
                    json!({"error": format!("the body is not JSON: {e}")}),
                );
            }
        }
    };
    let tenant = req
        .query
        .iter()
        .find(|(k, _)| k == "tenant")
        .map(|(_, v)| v.as_str());
    match run(shared, req.method.as_str(), target, body, tenant) {
        Ok(Value::Null) => SimResponse::empty(StatusCode::NO_CONTENT),
        Ok(value) => SimResponse::json(StatusCode::OK, value),
        Err(AdminError::NotFound(m)) => {
            SimResponse::json(StatusCode::NOT_FOUND, json!({"error": m}))
        }
        Err(AdminError::BadRequest(m)) => {
            SimResponse::json(StatusCode::BAD_REQUEST, json!({"error": m}))
        }
    }
}

/// The in-process form of the admin API ([`super::SimServer::patch_state`]).
pub(crate) fn apply(
    shared: &Shared,
    method: &str,
    target: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    run(
        shared,
        &method.to_ascii_uppercase(),
        target.trim_start_matches("/_sim").trim_matches('/'),
        body,
        None,
    )
    .map_err(String::from)
}

pub(crate) fn object_body(body: Option<Value>) -> Result<Map<String, Value>, AdminError> {
    match body {
        Some(Value::Object(map)) => Ok(map),
        _ => Err(AdminError::BadRequest(
            "the body must be a JSON object".into(),
        )),
    }
}

fn run(
    shared: &Shared,
    method: &str,
    target: &str,
    body: Option<Value>,
    tenant: Option<&str>,
) -> Result<Value, AdminError> {
    let segments: Vec<&str> = target.split('/').filter(|s| !s.is_empty()).collect();
    let mut state = shared.lock();
    match (method, segments.as_slice()) {
        ("GET", ["state"]) => Ok(state.snapshot()),
        ("GET", ["requests"]) => Ok(serde_json::to_value(&state.requests).unwrap_or(Value::Null)),
        ("DELETE", ["requests"]) => {
            state.requests.clear();
            Ok(Value::Null)
        }
        ("GET", ["faults"]) => Ok(serde_json::to_value(&state.faults).unwrap_or(Value::Null)),
        ("PUT", ["faults"]) => {
            let faults: Faults = serde_json::from_value(body.unwrap_or(json!({})))
                .map_err(|e| AdminError::BadRequest(format!("invalid faults: {e}")))?;
            faults
                .check()
                .map_err(|e| AdminError::BadRequest(format!("invalid faults: {e}")))?;
            state.set_faults(faults);
            Ok(Value::Null)
        }
        ("POST", ["tokens", "expire"]) => {
            state.expire_tokens();
            Ok(Value::Null)
        }
        ("POST", ["reset"]) => {
            state
                .reset()
                .map_err(|e| AdminError::BadRequest(format!("{e:#}")))?;
            Ok(Value::Null)
        }
        (
            "PATCH",
            [
                "zoom",
                "accounts",
                id,
                which @ ("settings" | "lock_settings"),
            ],
        ) => {
            let mut patch = object_body(body)?;
            let first = state.zoom.accounts.first().map(|a| a.id.clone());
            let index = state
                .zoom_account_index(id, first.as_deref())
                .ok_or_else(|| AdminError::NotFound(format!("no zoom account {id}")))?;
            let account = &mut state.zoom.accounts[index];
            if *which == "settings" {
                fill_bypass_emails(&mut patch, &account.users);
                deep_merge(&mut account.settings, &patch);
            } else {
                deep_merge(&mut account.lock_settings, &patch);
            }
            Ok(Value::Null)
        }
        (_, ["graph", rest @ ..]) => {
            super::graph_admin::apply(&mut state, method, rest, body, tenant)
        }
        ("POST", ["tokens", "graph"]) => {
            let body = body.unwrap_or(json!({}));
            let roles: Vec<String> = body
                .get("roles")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let index = match tenant {
                Some(id) => state.tenant_index(id),
                None if state.entra.tenants.is_empty() => None,
                None => Some(0),
            }
            .ok_or_else(|| AdminError::NotFound("no such tenant".into()))?;
            let token = state.issue_graph_token(index, roles);
            Ok(json!({ "access_token": token }))
        }
        (_, ["zoom", "accounts", id, rest @ ..]) => {
            super::zoom_admin::apply(&mut state, method, id, rest, body)
        }
        _ => Err(AdminError::NotFound(format!(
            "no admin endpoint {method} /_sim/{target}"
        ))),
    }
}

/// Bypass users given by id get their email, as the stored GET shape has both.
fn fill_bypass_emails(patch: &mut Map<String, Value>, users: &[super::seed::ZoomUserSeed]) {
    if let Some(Value::Array(list)) = patch
        .get_mut("security")
        .and_then(|s| s.get_mut("signin_with_sso"))
        .and_then(|s| s.get_mut("sso_bypass_users"))
    {
        for entry in list.iter_mut() {
            if let Some(id) = entry.get("id").and_then(Value::as_str).map(str::to_string)
                && let Some(user) = users.iter().find(|u| u.id == id)
            {
                *entry = json!({"id": id, "email": user.email});
            }
        }
    }
}
