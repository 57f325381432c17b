//! The admin API's Microsoft Graph targets under `/_sim/graph/`: the consent policies,
//! service principals, grants, app role assignments, domains and their federation, changed
//! behind a client's back (drift) the way an administrator in the Entra admin center would,
//! visible at once (no replication lag) and without the vendor's validation. The paths are
//! listed in `admin`.

use serde_json::{Map, Value, json};

use super::admin::{AdminError, object_body};
use super::state::{
    DomainFederation, SimState, Stored, Tenant, deep_merge, random_grant_id, service_principal_json,
};

/// Applies one admin request below `/_sim/graph/` (`rest`) to the tenant `tenant` (the first
/// tenant when `None`).
pub(crate) fn apply(
    state: &mut SimState,
    method: &str,
    rest: &[&str],
    body: Option<Value>,
    tenant: Option<&str>,
) -> Result<Value, AdminError> {
    match rest.first().copied() {
        Some("policies") => policies(state, method, rest, body, tenant),
        Some("servicePrincipals") => service_principals(state, method, rest, body, tenant),
        Some("oauth2PermissionGrants") => grants(state, method, rest, body, tenant),
        Some("domains") => domains(state, method, rest, body, tenant),
        _ => Err(no_endpoint(method, rest)),
    }
}

fn no_endpoint(method: &str, rest: &[&str]) -> AdminError {
    AdminError::NotFound(format!(
        "no admin endpoint {method} /_sim/graph/{}",
        rest.join("/")
    ))
}

fn tenant_of<'a>(
    state: &'a mut SimState,
    tenant: Option<&str>,
) -> Result<&'a mut Tenant, AdminError> {
    let index = match tenant {
        Some(id) => state.tenant_index(id),
        None if state.entra.tenants.is_empty() => None,
        None => Some(0),
    }
    .ok_or_else(|| {
        AdminError::NotFound(format!("no tenant {}", tenant.unwrap_or("in the seed")))
    })?;
    Ok(&mut state.entra.tenants[index])
}

/// The authorization policy and the admin consent request policy.
fn policies(
    state: &mut SimState,
    method: &str,
    rest: &[&str],
    body: Option<Value>,
    tenant: Option<&str>,
) -> Result<Value, AdminError> {
    match (method, rest) {
        ("PATCH", ["policies", "authorizationPolicy"]) => {
            let patch = object_body(body)?;
            let t = tenant_of(state, tenant)?;
            deep_merge(&mut t.authorization_policy, &patch);
            Ok(Value::Null)
        }
        ("PATCH", ["policies", "adminConsentRequestPolicy"]) => {
            let patch = object_body(body)?;
            let t = tenant_of(state, tenant)?;
            deep_merge(&mut t.admin_consent_request_policy, &patch);
            Ok(Value::Null)
        }
        _ => Err(no_endpoint(method, rest)),
    }
}

/// Service principals and the app roles assigned to them.
fn service_principals(
    state: &mut SimState,
    method: &str,
    rest: &[&str],
    body: Option<Value>,
    tenant: Option<&str>,
) -> Result<Value, AdminError> {
    match (method, rest) {
        ("POST", ["servicePrincipals"]) => {
            let body = object_body(body)?;
            let t = tenant_of(state, tenant)?;
            let app_id = body
                .get("appId")
                .and_then(Value::as_str)
                .ok_or_else(|| AdminError::BadRequest("appId is required".into()))?;
            let app = t.application(app_id).cloned().ok_or_else(|| {
                AdminError::BadRequest(format!("{app_id} is not a known application"))
            })?;
            if t.sp_index_by_app(app_id, None).is_some() {
                return Err(AdminError::BadRequest(format!(
                    "a service principal for {app_id} exists"
                )));
            }
            let id = body
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            let mut data = service_principal_json(&app, &id, &t.id.clone());
            for (k, v) in body {
                data.insert(k, v);
            }
            t.service_principals.push(Stored::replicated(data.clone()));
            Ok(Value::Object(data))
        }
        (verb @ ("PATCH" | "DELETE"), ["servicePrincipals", id]) => {
            let t = tenant_of(state, tenant)?;
            let index = t
                .sp_index(id, None)
                .ok_or_else(|| AdminError::NotFound(format!("no service principal {id}")))?;
            if verb == "DELETE" {
                t.service_principals.remove(index);
                t.grants.retain(|g| {
                    g.str_field("clientId") != Some(id) && g.str_field("resourceId") != Some(id)
                });
                t.app_role_assignments.retain(|a| {
                    a.str_field("principalId") != Some(id) && a.str_field("resourceId") != Some(id)
                });
            } else {
                let patch = object_body(body)?;
                deep_merge(&mut t.service_principals[index].data, &patch);
            }
            Ok(Value::Null)
        }
        ("POST", ["servicePrincipals", resource, "appRoleAssignedTo"]) => {
            let body = object_body(body)?;
            let t = tenant_of(state, tenant)?;
            let index = t
                .sp_index(resource, None)
                .ok_or_else(|| AdminError::NotFound(format!("no service principal {resource}")))?;
            let resource = t.service_principals[index].clone();
            let principal = body
                .get("principalId")
                .and_then(Value::as_str)
                .ok_or_else(|| AdminError::BadRequest("principalId is required".into()))?
                .to_string();
            let role = body
                .get("appRoleId")
                .and_then(Value::as_str)
                .ok_or_else(|| AdminError::BadRequest("appRoleId is required".into()))?
                .to_string();
            let principal_name = t
                .sp_index(&principal, None)
                .map(|i| {
                    t.service_principals[i]
                        .str_field("displayName")
                        .unwrap_or_default()
                        .to_string()
                })
                .ok_or_else(|| {
                    AdminError::BadRequest(format!("{principal} is not a service principal"))
                })?;
            let data = match json!({
                "id": body.get("id").and_then(Value::as_str).map(str::to_string).unwrap_or_else(random_grant_id),
                "deletedDateTime": null,
                "appRoleId": role,
                "createdDateTime": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "principalDisplayName": principal_name,
                "principalId": principal,
                "principalType": "ServicePrincipal",
                "resourceDisplayName": resource.str_field("displayName").unwrap_or_default(),
                "resourceId": resource.id(),
            }) {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            t.app_role_assignments
                .push(Stored::replicated(data.clone()));
            Ok(Value::Object(data))
        }
        ("DELETE", ["servicePrincipals", _, "appRoleAssignedTo", id]) => {
            let t = tenant_of(state, tenant)?;
            let index = t
                .assignment_index(id, None)
                .ok_or_else(|| AdminError::NotFound(format!("no app role assignment {id}")))?;
            t.app_role_assignments.remove(index);
            Ok(Value::Null)
        }
        _ => Err(no_endpoint(method, rest)),
    }
}

/// Delegated permission grants.
fn grants(
    state: &mut SimState,
    method: &str,
    rest: &[&str],
    body: Option<Value>,
    tenant: Option<&str>,
) -> Result<Value, AdminError> {
    match (method, rest) {
        ("POST", ["oauth2PermissionGrants"]) => {
            let body = object_body(body)?;
            let t = tenant_of(state, tenant)?;
            let mut data = Map::new();
            for field in [
                "clientId",
                "consentType",
                "principalId",
                "resourceId",
                "scope",
            ] {
                let default = match field {
                    "consentType" => json!("AllPrincipals"),
                    "scope" => json!(""),
                    _ => Value::Null,
                };
                data.insert(field.into(), body.get(field).cloned().unwrap_or(default));
            }
            for field in ["clientId", "resourceId"] {
                let id = data.get(field).and_then(Value::as_str).unwrap_or_default();
                if t.sp_index(id, None).is_none() {
                    return Err(AdminError::BadRequest(format!(
                        "{field} {id:?} is not a service principal"
                    )));
                }
            }
            let id = body
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(random_grant_id);
            data.insert("id".into(), json!(id));
            t.grants.push(Stored::replicated(data.clone()));
            Ok(Value::Object(data))
        }
        (verb @ ("PATCH" | "DELETE"), ["oauth2PermissionGrants", id]) => {
            let t = tenant_of(state, tenant)?;
            let index = t
                .grant_index(id, None)
                .ok_or_else(|| AdminError::NotFound(format!("no grant {id}")))?;
            if verb == "DELETE" {
                t.grants.remove(index);
            } else {
                let patch = object_body(body)?;
                deep_merge(&mut t.grants[index].data, &patch);
            }
            Ok(Value::Null)
        }
        _ => Err(no_endpoint(method, rest)),
    }
}

/// Domains and their federation configuration.
fn domains(
    state: &mut SimState,
    method: &str,
    rest: &[&str],
    body: Option<Value>,
    tenant: Option<&str>,
) -> Result<Value, AdminError> {
    match (method, rest) {
        ("PATCH", ["domains", name]) => {
            let patch = object_body(body)?;
            let t = tenant_of(state, tenant)?;
            let index = t
                .domain_index(name)
                .ok_or_else(|| AdminError::NotFound(format!("no domain {name}")))?;
            if let Some(domain) = t.domains[index].as_object_mut() {
                deep_merge(domain, &patch);
            }
            Ok(Value::Null)
        }
        ("POST", ["domains", name, "federationConfiguration"]) => {
            let body = object_body(body)?;
            let t = tenant_of(state, tenant)?;
            let index = t
                .domain_index(name)
                .ok_or_else(|| AdminError::NotFound(format!("no domain {name}")))?;
            let domain = t.domains[index]
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if t.federation_index(&domain, None).is_some() {
                return Err(AdminError::BadRequest(format!(
                    "domain {domain} is already federated"
                )));
            }
            let mut data = Map::new();
            data.insert(
                "id".into(),
                json!(
                    body.get("id")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
                ),
            );
            for (k, v) in body {
                data.insert(k, v);
            }
            crate::graph_domains::default_signed_requests(&mut data);
            t.federations.push(DomainFederation {
                domain,
                object: Stored::replicated(data.clone()),
            });
            if let Some(d) = t.domains[index].as_object_mut() {
                d.insert("authenticationType".into(), json!("Federated"));
            }
            Ok(Value::Object(data))
        }
        (verb @ ("PATCH" | "DELETE"), ["domains", name, "federationConfiguration", id]) => {
            let t = tenant_of(state, tenant)?;
            let index = t
                .federation_index(name, None)
                .filter(|&i| t.federations[i].object.id() == *id)
                .ok_or_else(|| {
                    AdminError::NotFound(format!("no federation configuration {id} on {name}"))
                })?;
            if verb == "DELETE" {
                t.federations.remove(index);
                if let Some(d) = t.domain_index(name)
                    && let Some(domain) = t.domains[d].as_object_mut()
                {
                    domain.insert("authenticationType".into(), json!("Managed"));
                }
            } else {
                let patch = object_body(body)?;
                deep_merge(&mut t.federations[index].object.data, &patch);
            }
            Ok(Value::Null)
        }
        _ => Err(no_endpoint(method, rest)),
    }
}
