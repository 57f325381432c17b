//! `azuread_app_role_assignment`: admin consent to one application permission (an app role of
//! a resource app such as Microsoft Graph, named by its value, e.g. `Calendars.Read`) for a
//! client service principal — what "Grant admin consent" does for application permissions.
//!
//! The role's id is looked up in the resource's published `appRoles` while planning, so a typo
//! fails the plan. Graph cannot change an assignment, so every attribute forces replacement.
//! An existing identical assignment is adopted rather than duplicated. The id zentra records
//! is `{resource service principal id}/{assignment id}`, the path Graph addresses it by.

use std::collections::HashMap;

use serde_json::{Value as Json, json};

use super::{AzureAdProvider, Key, ReadPlan, closest, key, known, service_principal};
use crate::client::encode_segment;
use crate::client::graph::GraphRequest;
use zentra_engine::provider::{
    ErrorKind, ProviderError, ProviderResult, ReadRequest, RemoteObject, WriteRequest,
};
use zentra_engine::schema::{
    Access, Attr, Permission, PermissionSystem, ResourceKind, ResourceSchema,
};
use zentra_engine::value::Value;

pub(crate) const TYPE_NAME: &str = "azuread_app_role_assignment";

const PRINCIPAL: &str = "principal_object_id";
const RESOURCE_APP: &str = "resource_app_id";
const ROLE: &str = "app_role";

pub(crate) fn resource_schema() -> ResourceSchema {
    ResourceSchema::new(
        TYPE_NAME,
        ResourceKind::Object,
        "Admin consent to an application permission (an app role) of a resource app such as \
         Microsoft Graph, granted to a client service principal.",
        Attr::object([
            (
                PRINCIPAL,
                Attr::string()
                    .describe("Object id of the client service principal that gets the permission.")
                    .case_insensitive()
                    .required()
                    .force_new(),
            ),
            (
                RESOURCE_APP,
                Attr::string()
                    .describe(
                        "App id of the resource whose permission is granted, e.g. \
                         00000003-0000-0000-c000-000000000000 for Microsoft Graph.",
                    )
                    .case_insensitive()
                    .required()
                    .force_new(),
            ),
            (
                ROLE,
                Attr::string()
                    .describe(
                        "The application permission by its value, e.g. `Calendars.Read` or \
                         `Place.Read.All`.",
                    )
                    .required()
                    .force_new(),
            ),
            (
                "app_role_id",
                Attr::string()
                    .describe("The app role's id in the resource app.")
                    .computed(),
            ),
            (
                "resource_object_id",
                Attr::string()
                    .describe("Object id of the resource app's service principal in this tenant.")
                    .computed(),
            ),
        ]),
    )
    .with_permissions(vec![
        Permission::new(
            PermissionSystem::GraphApplication,
            "Application.Read.All",
            Access::Read,
            "GET /servicePrincipals/{id}/appRoleAssignments and the resource app's published \
             app roles",
        ),
        Permission::new(
            PermissionSystem::GraphApplication,
            "AppRoleAssignment.ReadWrite.All",
            Access::Write,
            "POST and DELETE /servicePrincipals/{resource}/appRoleAssignedTo",
        ),
        Permission::new(
            PermissionSystem::EntraRole,
            "Privileged Role Administrator",
            Access::Write,
            "signed in as a person: grant Microsoft Graph application permissions",
        ),
    ])
}

/// The id zentra records for an assignment.
fn record_id(resource_id: &str, assignment_id: &str) -> String {
    format!("{resource_id}/{assignment_id}")
}

/// (resource service principal id, assignment id) of a recorded id.
fn split_id(id: &str) -> Option<(&str, &str)> {
    id.split_once('/')
        .filter(|(r, a)| !r.is_empty() && !a.is_empty() && !a.contains('/'))
}

/// `/servicePrincipals/{resource}/appRoleAssignedTo/{id}`.
fn item_url(resource_id: &str, assignment_id: &str) -> String {
    format!(
        "/servicePrincipals/{}/appRoleAssignedTo/{}",
        encode_segment(resource_id),
        encode_segment(assignment_id)
    )
}

/// The value of the application permission `id` of a resource service principal.
fn role_value(resource: &Json, id: &str) -> Option<String> {
    resource
        .get("appRoles")?
        .as_array()?
        .iter()
        .find(|r| {
            r.get("id")
                .and_then(Json::as_str)
                .is_some_and(|r| r.eq_ignore_ascii_case(id))
        })?
        .get("value")?
        .as_str()
        .map(str::to_string)
}

/// `GET /servicePrincipals/{principal}/appRoleAssignments`: what the client holds.
fn held_url(principal: &str) -> String {
    format!(
        "/servicePrincipals/{}/appRoleAssignments",
        encode_segment(principal)
    )
}

/// The id of the application permission `value` of a resource service principal.
pub(crate) fn role_id(resource: &Json, app: &str, value: &str) -> ProviderResult<String> {
    let roles: Vec<&Json> = resource
        .get("appRoles")
        .and_then(Json::as_array)
        .map(|r| {
            r.iter()
                .filter(|role| role.get("isEnabled").and_then(Json::as_bool) != Some(false))
                .filter(|role| {
                    role.get("allowedMemberTypes")
                        .and_then(Json::as_array)
                        .is_some_and(|t| t.iter().any(|m| m.as_str() == Some("Application")))
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(id) = roles
        .iter()
        .find(|r| r.get("value").and_then(Json::as_str) == Some(value))
        .and_then(|r| r.get("id").and_then(Json::as_str))
    {
        return Ok(id.to_string());
    }
    let name = resource
        .get("displayName")
        .and_then(Json::as_str)
        .unwrap_or(app);
    let values = roles
        .iter()
        .filter_map(|r| r.get("value").and_then(Json::as_str));
    let mut e = ProviderError::new(
        ErrorKind::Invalid,
        format!("`{ROLE}`: `{value}` is not an application permission {name} publishes"),
    );
    e.hint = Some(match closest(value, values) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("{name} publishes {} application permissions", roles.len()),
    });
    Err(e)
}

/// The assignment of `role` on `resource` among what a principal holds.
fn assignment_in(held: &Json, resource: &str, role: &str) -> Option<Json> {
    held.get("value")
        .and_then(Json::as_array)?
        .iter()
        .find(|a| {
            a.get("resourceId")
                .and_then(Json::as_str)
                .is_some_and(|r| r.eq_ignore_ascii_case(resource))
                && a.get("appRoleId")
                    .and_then(Json::as_str)
                    .is_some_and(|r| r.eq_ignore_ascii_case(role))
        })
        .cloned()
}

/// An assignment as attributes. `app` and `role` are what configuration calls its resource
/// and role, when they are known to be this assignment's (null otherwise, which plans a
/// replacement).
fn remote_object(
    assignment: &Json,
    app: Option<&str>,
    role: Option<&str>,
) -> ProviderResult<RemoteObject> {
    let field = |name: &str| assignment.get(name).cloned().unwrap_or(Json::Null);
    let (Some(id), Some(resource_id)) = (
        assignment.get("id").and_then(Json::as_str),
        assignment.get("resourceId").and_then(Json::as_str),
    ) else {
        return Err(ProviderError::new(
            ErrorKind::Transport,
            "Graph returned an app role assignment without an id or resource",
        ));
    };
    Ok(RemoteObject {
        id: record_id(resource_id, id),
        attributes: Value::from_json(&json!({
            PRINCIPAL: field("principalId"),
            RESOURCE_APP: app,
            ROLE: role,
            "app_role_id": field("appRoleId"),
            "resource_object_id": resource_id,
        })),
        ownership: Default::default(),
    })
}

pub(crate) fn plan_read(req: &ReadRequest) -> ReadPlan {
    let mut urls = Vec::new();
    // The recorded assignment, wherever it is: a changed principal, resource or role
    // replaces it.
    if let Some((resource, assignment)) = req.id.as_deref().and_then(split_id) {
        urls.push(item_url(resource, assignment));
    }
    if let Key::Known(app) = key(&req.config, RESOURCE_APP) {
        urls.push(service_principal::lookup_url(&app));
        if let (Key::Known(principal), Key::Known(_)) =
            (key(&req.config, PRINCIPAL), key(&req.config, ROLE))
        {
            urls.push(held_url(&principal));
        }
    }
    if urls.is_empty() {
        ReadPlan::Done(Ok(None))
    } else {
        ReadPlan::Fetch(urls)
    }
}

pub(crate) fn finish_read(
    req: &ReadRequest,
    answers: &HashMap<String, ProviderResult<Json>>,
) -> ProviderResult<Option<RemoteObject>> {
    let app = match key(&req.config, RESOURCE_APP) {
        Key::Known(app) => Some(app),
        _ => None,
    };
    let mut resource = None;
    if let Some(app) = &app {
        let lookup = super::answer(answers, &service_principal::lookup_url(app))?;
        resource = Some(
            service_principal::single_match(lookup, app)?.ok_or_else(|| {
                ProviderError::new(
                    ErrorKind::NotFound,
                    format!("the tenant has no service principal for the resource app {app}"),
                )
            })?,
        );
    }
    // The role is checked while planning, even while the principal is yet to be created.
    let role = match key(&req.config, ROLE) {
        Key::Known(role) => Some(role),
        _ => None,
    };
    let role_id = match (&resource, &app, &role) {
        (Some(resource), Some(app), Some(role)) => Some(role_id(resource, app, role)?),
        _ => None,
    };
    let resource_id = resource
        .as_ref()
        .and_then(|r| r.get("id").and_then(Json::as_str))
        .map(str::to_string);
    if let Some((recorded_resource, assignment)) = req.id.as_deref().and_then(split_id) {
        match super::answer(answers, &item_url(recorded_resource, assignment)) {
            Ok(found) => {
                let same_resource = resource_id
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case(recorded_resource));
                let (app_attr, role_attr) = match (&resource, same_resource) {
                    (Some(resource), true) => (
                        app.as_deref(),
                        found
                            .get("appRoleId")
                            .and_then(Json::as_str)
                            .and_then(|id| role_value(resource, id)),
                    ),
                    _ => (None, None),
                };
                return remote_object(found, app_attr, role_attr.as_deref()).map(Some);
            }
            Err(e) if e.kind == ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    let (Key::Known(principal), Some(app), Some(role), Some(role_id), Some(resource_id)) = (
        key(&req.config, PRINCIPAL),
        &app,
        &role,
        &role_id,
        &resource_id,
    ) else {
        return Ok(None);
    };
    let held = match super::answer(answers, &held_url(&principal)) {
        Ok(held) => held,
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    assignment_in(held, resource_id, role_id)
        .map(|a| remote_object(&a, Some(app), Some(role)))
        .transpose()
}

async fn find_existing(
    provider: &AzureAdProvider,
    principal: &str,
    resource_id: &str,
    role_id: &str,
) -> ProviderResult<Option<Json>> {
    let held = provider.graph.get_collection(&held_url(principal)).await?;
    Ok(assignment_in(
        &json!({ "value": held }),
        resource_id,
        role_id,
    ))
}

/// Grants the application permission, adopting an identical existing assignment.
pub(crate) async fn create(
    provider: &AzureAdProvider,
    req: &WriteRequest,
) -> ProviderResult<RemoteObject> {
    let what = "the app role is assigned";
    let principal = known(&req.config, PRINCIPAL, what)?;
    let app = known(&req.config, RESOURCE_APP, what)?;
    let role = known(&req.config, ROLE, what)?;
    let resource = service_principal::find(provider, &app)
        .await?
        .ok_or_else(|| {
            ProviderError::new(
                ErrorKind::NotFound,
                format!("the tenant has no service principal for the resource app {app}"),
            )
        })?;
    let role_id = role_id(&resource, &app, &role)?;
    let resource_id = resource
        .get("id")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string();
    let fresh = provider.fresh.contains(&principal);
    // A principal created moments ago may not be readable yet: then there is nothing to adopt.
    let existing = match find_existing(provider, &principal, &resource_id, &role_id).await {
        Ok(found) => found,
        Err(e) if fresh && e.kind == ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(existing) = existing {
        return adopted(remote_object(&existing, Some(&app), Some(&role)));
    }
    let request = GraphRequest::post(
        format!(
            "/servicePrincipals/{}/appRoleAssignedTo",
            encode_segment(&resource_id)
        ),
        json!({"principalId": principal, "resourceId": resource_id, "appRoleId": role_id}),
    )
    .wait_for_replication(fresh);
    // A create whose answer was lost is looked up by principal, resource and role first.
    let lookup = || async {
        match find_existing(provider, &principal, &resource_id, &role_id).await {
            Err(e) if fresh && e.kind == ErrorKind::NotFound => Ok(None),
            found => found,
        }
    };
    match provider.graph.create(&request, lookup).await {
        Ok(Some(created)) => {
            let object = remote_object(&created, Some(&app), Some(&role))?;
            provider.fresh.mark(&object.id);
            Ok(object)
        }
        Ok(None) => Err(ProviderError::new(
            ErrorKind::Transport,
            "Graph created the app role assignment but returned no body",
        )),
        // Refused, perhaps because the same assignment was made meanwhile: adopt it if so.
        Err(e) if matches!(e.kind, ErrorKind::Invalid | ErrorKind::Conflict) => {
            match find_existing(provider, &principal, &resource_id, &role_id).await? {
                Some(existing) => adopted(remote_object(&existing, Some(&app), Some(&role))),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// An assignment that already existed, taken over rather than created.
fn adopted(object: ProviderResult<RemoteObject>) -> ProviderResult<RemoteObject> {
    object.map(|mut o| {
        o.ownership.found_existing = true;
        o
    })
}

/// Removes the assignment, from the resource's side.
pub(crate) async fn delete(provider: &AzureAdProvider, req: &WriteRequest) -> ProviderResult<()> {
    let Some((resource_id, assignment)) = req.id.as_deref().and_then(split_id) else {
        return Ok(());
    };
    let request = GraphRequest::delete(item_url(resource_id, assignment));
    match provider.graph.send(&request).await {
        Ok(_) => Ok(()),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph_sp() -> Json {
        json!({"id": "graph-sp", "displayName": "Microsoft Graph", "appRoles": [
            {"id": "role-cal", "value": "Calendars.Read", "allowedMemberTypes": ["Application"], "isEnabled": true},
            {"id": "role-user", "value": "Only.Users", "allowedMemberTypes": ["User"], "isEnabled": true}]})
    }

    #[test]
    fn roles_are_resolved_by_value_among_application_permissions() {
        assert_eq!(
            role_id(&graph_sp(), "g", "Calendars.Read").unwrap(),
            "role-cal"
        );
        let err = role_id(&graph_sp(), "g", "Calendars.Raed").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Invalid);
        assert_eq!(err.hint.as_deref(), Some("did you mean `Calendars.Read`?"));
        assert!(
            role_id(&graph_sp(), "g", "Only.Users").is_err(),
            "not an application permission"
        );
    }

    #[test]
    fn the_assignment_is_found_among_what_the_principal_holds() {
        let held = json!({"value": [
            {"id": "a1", "principalId": "p", "resourceId": "other", "appRoleId": "role-cal"},
            {"id": "a2", "principalId": "p", "resourceId": "GRAPH-SP", "appRoleId": "role-cal"}]});
        let found = assignment_in(&held, "graph-sp", "role-cal").unwrap();
        assert_eq!(found["id"], "a2");
        let object = remote_object(&found, Some("app"), Some("Calendars.Read")).unwrap();
        assert_eq!(object.id, "GRAPH-SP/a2");
        assert_eq!(split_id(&object.id), Some(("GRAPH-SP", "a2")));
        assert_eq!(split_id("no-resource"), None);
        assert_eq!(
            object.attributes.to_json().unwrap(),
            json!({"principal_object_id": "p", "resource_app_id": "app", "app_role": "Calendars.Read",
                   "app_role_id": "role-cal", "resource_object_id": "GRAPH-SP"})
        );
        assert!(assignment_in(&held, "graph-sp", "role-x").is_none());
        assert_eq!(
            role_value(&graph_sp(), "ROLE-CAL").as_deref(),
            Some("Calendars.Read")
        );
    }
}
