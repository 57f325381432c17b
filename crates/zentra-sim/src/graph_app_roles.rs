//! App role assignments (application permissions granted to a service principal, or app roles
//! given to users): `/servicePrincipals/{resource}/appRoleAssignedTo` (everyone assigned to a
//! resource: list, create, get, delete) and `/servicePrincipals/{principal}/appRoleAssignments`
//! (what a principal holds: list, get, delete). There is no update: a change is a new
//! assignment.

use std::time::Instant;

use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::graph::{
    Auth, Call, GraphError, Outcome, bad_request, collection_query, context, entity,
    method_not_allowed, not_found, page_of, require, select_of, tenant_mut,
};
use super::graph_types::{self, APP_ROLE_ASSIGNMENT, Mode};
use super::state::{SimState, Stored, random_grant_id};

const READ: &[&str] = &[
    "AppRoleAssignment.ReadWrite.All",
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE: &[&str] = &["AppRoleAssignment.ReadWrite.All", "Directory.ReadWrite.All"];
/// Creating an assignment also reads the resource's app roles.
const READ_APPLICATIONS: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// The "default access" role every resource has.
const DEFAULT_ACCESS: &str = "00000000-0000-0000-0000-000000000000";

/// Which side of the assignment a path names.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// `/servicePrincipals/{resource}/appRoleAssignedTo`
    Resource,
    /// `/servicePrincipals/{principal}/appRoleAssignments`
    Principal,
}

impl Side {
    fn field(self) -> &'static str {
        match self {
            Side::Resource => "resourceId",
            Side::Principal => "principalId",
        }
    }
    fn segment(self) -> &'static str {
        match self {
            Side::Resource => "appRoleAssignedTo",
            Side::Principal => "appRoleAssignments",
        }
    }
}

/// `GET|POST /servicePrincipals/{sp}/{segment}`.
pub(super) fn collection(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    sp: &str,
    side: Side,
) -> Result<Outcome, GraphError> {
    let now = Instant::now();
    let sp_index = tenant_mut(state, auth)?.sp_index(sp, Some(now));
    match call.method.as_str() {
        "GET" => {
            require(auth, READ)?;
            let sp_index = sp_index.ok_or_else(|| not_found(sp))?;
            let q = collection_query(call, &APP_ROLE_ASSIGNMENT, &[], 999)?;
            let tenant = tenant_mut(state, auth)?;
            let sp_id = tenant.service_principals[sp_index].id().to_string();
            let objects: Vec<&Map<String, Value>> = tenant
                .app_role_assignments
                .iter()
                .filter(|a| a.visible(now))
                .filter(|a| {
                    a.str_field(side.field())
                        .is_some_and(|id| id.eq_ignore_ascii_case(&sp_id))
                })
                .map(|a| &a.data)
                .collect();
            let set = format!("servicePrincipals('{sp_id}')/{}", side.segment());
            let path = format!("/servicePrincipals/{sp_id}/{}", side.segment());
            Ok(page_of(call, &set, &path, &q, objects))
        }
        "POST" if side == Side::Resource => {
            require(auth, WRITE)?;
            require(auth, READ_APPLICATIONS)?;
            let sp_index = sp_index.ok_or_else(|| not_found(sp))?;
            create(state, auth, call, sp_index)
        }
        _ => Err(method_not_allowed()),
    }
}

fn create(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    resource_index: usize,
) -> Result<Outcome, GraphError> {
    let body = call.json_body()?;
    graph_types::validate_body(&APP_ROLE_ASSIGNMENT, &body, Mode::Create)
        .map_err(|(code, message)| bad_request(code, message))?;
    let text = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| {
                bad_request(
                    "Request_BadRequest",
                    format!(
                        "Invalid value specified for property '{name}' of resource \
                         'AppRoleAssignment'."
                    ),
                )
            })
    };
    let principal_id = text("principalId")?;
    let resource_id = text("resourceId")?;
    let app_role_id = text("appRoleId")?;
    let lag = state.lag;
    let now = Instant::now();
    let tenant = tenant_mut(state, auth)?;
    let resource = tenant.service_principals[resource_index].clone();
    if !resource.id().eq_ignore_ascii_case(&resource_id) {
        return Err(bad_request(
            "Request_BadRequest",
            "The resourceId in the request body does not match the service principal in the URL.",
        ));
    }
    // The principal: a service principal (application permissions) or a user.
    let (principal_type, principal_name, member_type) =
        if let Some(i) = tenant.sp_index(&principal_id, Some(now)) {
            let sp = &tenant.service_principals[i];
            (
                "ServicePrincipal",
                sp.str_field("displayName").unwrap_or_default().to_string(),
                "Application",
            )
        } else if let Some(user) = tenant
            .users
            .iter()
            .find(|u| u.id.eq_ignore_ascii_case(&principal_id))
        {
            ("User", user.display_name.clone(), "User")
        } else {
            // Also what a principal created moments ago gets until it replicates.
            return Err(bad_request(
                "Request_BadRequest",
                "Not a valid reference update.",
            ));
        };
    let role_known = app_role_id == DEFAULT_ACCESS
        || resource
            .data
            .get("appRoles")
            .and_then(Value::as_array)
            .is_some_and(|roles| {
                roles.iter().any(|r| {
                    r.get("id")
                        .and_then(Value::as_str)
                        .is_some_and(|id| id.eq_ignore_ascii_case(&app_role_id))
                        && r.get("allowedMemberTypes")
                            .and_then(Value::as_array)
                            .is_some_and(|t| t.iter().any(|m| m.as_str() == Some(member_type)))
                })
            });
    if !role_known {
        return Err(bad_request(
            "Request_BadRequest",
            format!(
                "Permission being assigned was not found on application '{}'.",
                resource.str_field("appId").unwrap_or_default()
            ),
        ));
    }
    let duplicate = tenant.app_role_assignments.iter().any(|a| {
        a.str_field("principalId")
            .is_some_and(|p| p.eq_ignore_ascii_case(&principal_id))
            && a.str_field("resourceId")
                .is_some_and(|r| r.eq_ignore_ascii_case(&resource_id))
            && a.str_field("appRoleId")
                .is_some_and(|r| r.eq_ignore_ascii_case(&app_role_id))
    });
    if duplicate {
        return Err(bad_request(
            "Request_BadRequest",
            "Permission being assigned already exists on the object",
        ));
    }
    let id = random_grant_id();
    let data = match json!({
        "id": id,
        "deletedDateTime": null,
        "appRoleId": app_role_id,
        "createdDateTime": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "principalDisplayName": principal_name,
        "principalId": principal_id,
        "principalType": principal_type,
        "resourceDisplayName": resource.str_field("displayName").unwrap_or_default(),
        "resourceId": resource.id(),
    }) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    tenant.app_role_assignments.push(Stored {
        visible_at: Stored::visible_after(now, lag),
        data: data.clone(),
    });
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        Value::String(context(
            call,
            &format!("servicePrincipals('{}')/appRoleAssignedTo", resource.id()),
            &[],
            true,
        )),
    );
    out.extend(data);
    let mut outcome = Outcome::json(StatusCode::CREATED, Value::Object(out));
    outcome.headers.push((
        "Location".into(),
        format!(
            "{}/servicePrincipals/{}/appRoleAssignedTo/{id}",
            call.root(),
            resource.id()
        ),
    ));
    Ok(outcome)
}

/// `GET|DELETE /servicePrincipals/{sp}/{segment}/{id}`.
pub(super) fn item(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    sp: &str,
    side: Side,
    id: &str,
) -> Result<Outcome, GraphError> {
    let now = Instant::now();
    let tenant = tenant_mut(state, auth)?;
    let sp_index = tenant.sp_index(sp, Some(now));
    match call.method {
        Method::GET => require(auth, READ)?,
        Method::DELETE => require(auth, WRITE)?,
        _ => return Err(method_not_allowed()),
    }
    let tenant = tenant_mut(state, auth)?;
    let sp_index = sp_index.ok_or_else(|| not_found(sp))?;
    let sp_id = tenant.service_principals[sp_index].id().to_string();
    let index = tenant
        .assignment_index(id, Some(now))
        .filter(|&i| {
            tenant.app_role_assignments[i]
                .str_field(side.field())
                .is_some_and(|v| v.eq_ignore_ascii_case(&sp_id))
        })
        .ok_or_else(|| not_found(id))?;
    if call.method == Method::DELETE {
        tenant.app_role_assignments.remove(index);
        return Ok(Outcome::no_content());
    }
    let select = select_of(call, &APP_ROLE_ASSIGNMENT)?;
    let data = tenant.app_role_assignments[index].data.clone();
    Ok(entity(
        call,
        &format!("servicePrincipals('{sp_id}')/{}", side.segment()),
        &select,
        &data,
    ))
}

/// Whether `segment` names an assignment collection of a service principal.
pub(super) fn side_of(segment: &str) -> Option<Side> {
    match segment {
        "appRoleAssignedTo" => Some(Side::Resource),
        "appRoleAssignments" => Some(Side::Principal),
        _ => None,
    }
}
