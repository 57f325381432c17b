//! The provider's data sources, read on every plan and never written:
//!
//! * `azuread_domain`: a domain of the tenant and how its users sign in;
//! * `azuread_service_principal` (data source): an existing service principal by app id, with the
//!   permissions its app publishes (named `…_lookup` because `azuread_service_principal` is
//!   the resource, and a data source cannot share a resource type's name);
//! * `azuread_well_known_applications`: application ids that are the same in every tenant
//!   (Microsoft Graph, Exchange Online, SharePoint Online, the Zoom apps).

use std::collections::HashMap;

use serde_json::{Map, Value as Json, json};

use super::{Key, ReadPlan, key, service_principal};
use crate::client::encode_segment;
use zentra_engine::provider::{ErrorKind, ProviderResult, ReadRequest, RemoteObject};
use zentra_engine::schema::{
    Access, Attr, Permission, PermissionSystem, ResourceKind, ResourceSchema,
};
use zentra_engine::value::Value;

pub(crate) const DOMAIN: &str = "azuread_domain";
pub(crate) const SERVICE_PRINCIPAL: &str = "azuread_service_principal";
pub(crate) const WELL_KNOWN: &str = "azuread_well_known_applications";

/// Application ids that are the same in every tenant: attribute, app id, what it is.
pub(crate) const WELL_KNOWN_APPS: [(&str, &str, &str); 5] = [
    (
        "microsoft_graph",
        "00000003-0000-0000-c000-000000000000",
        "Microsoft Graph: the resource of calendar, contacts and directory permissions.",
    ),
    (
        "office365_exchange_online",
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online (EWS).",
    ),
    (
        "office365_sharepoint_online",
        "00000003-0000-0ff1-ce00-000000000000",
        "Office 365 SharePoint Online.",
    ),
    (
        "zoom_rooms_full_delegate_access",
        "a651cfda-cbdd-4a39-bd03-fa829c3c1b29",
        "Zoom's app for conference rooms, \"Full Delegate Access\" method (delegated \
         permissions).",
    ),
    (
        "zoom_rooms_application_permissions",
        "f56e91e5-5a82-452f-b435-d4d78aeaf064",
        "Zoom's app for conference rooms, \"MS Graph API Application Permissions\" method.",
    ),
];

pub(crate) fn domain_schema() -> ResourceSchema {
    ResourceSchema::new(
        DOMAIN,
        ResourceKind::Data,
        "A domain of the tenant: whether it is verified, the default or the initial one, and \
         whether its users sign in with Entra ID (`Managed`) or an identity provider \
         (`Federated`).",
        Attr::object([
            (
                "name",
                Attr::string()
                    .describe("The domain name, e.g. `contoso.com`.")
                    .case_insensitive()
                    .required(),
            ),
            (
                "authentication_type",
                Attr::string()
                    .describe("`Managed` or `Federated`.")
                    .computed(),
            ),
            (
                "is_default",
                Attr::bool()
                    .describe("The default domain of new users.")
                    .computed(),
            ),
            (
                "is_initial",
                Attr::bool()
                    .describe("The tenant's initial *.onmicrosoft.com domain.")
                    .computed(),
            ),
            (
                "is_verified",
                Attr::bool()
                    .describe("Whether ownership is verified.")
                    .computed(),
            ),
            (
                "is_root",
                Attr::bool()
                    .describe("Not a subdomain of another domain of the tenant.")
                    .computed(),
            ),
            (
                "supported_services",
                Attr::list(Attr::string())
                    .describe("Services the domain is used for, e.g. `Email`.")
                    .computed(),
            ),
        ]),
    )
    .with_permissions(vec![Permission::new(
        PermissionSystem::GraphApplication,
        "Domain.Read.All",
        Access::Read,
        "GET /domains/{domain}",
    )])
}

pub(crate) fn service_principal_schema() -> ResourceSchema {
    ResourceSchema::new(
        SERVICE_PRINCIPAL,
        ResourceKind::Data,
        "An existing service principal, found by app id, with the delegated and application \
         permissions its app publishes. Reading it never changes or adopts it.",
        Attr::object([
            (
                "app_id",
                Attr::string()
                    .describe("The application (client) id.")
                    .case_insensitive()
                    .required(),
            ),
            (
                "object_id",
                Attr::string()
                    .describe("Object id in this tenant.")
                    .computed(),
            ),
            ("display_name", Attr::string().computed()),
            ("account_enabled", Attr::bool().computed()),
            ("app_role_assignment_required", Attr::bool().computed()),
            ("tags", Attr::list(Attr::string()).computed()),
            (
                "app_owner_organization_id",
                Attr::string()
                    .describe("The publisher's tenant id.")
                    .computed(),
            ),
            (
                "app_role_ids",
                Attr::new(zentra_engine::schema::AttrType::Object)
                    .describe("Application permissions the app publishes: value to id.")
                    .computed(),
            ),
            (
                "oauth2_permission_scope_ids",
                Attr::new(zentra_engine::schema::AttrType::Object)
                    .describe("Delegated permissions (scopes) the app publishes: value to id.")
                    .computed(),
            ),
        ]),
    )
    .with_permissions(vec![Permission::new(
        PermissionSystem::GraphApplication,
        "Application.Read.All",
        Access::Read,
        "GET /servicePrincipals?$filter=appId eq '…'",
    )])
}

pub(crate) fn well_known_schema() -> ResourceSchema {
    ResourceSchema::new(
        WELL_KNOWN,
        ResourceKind::Data,
        "Application ids that are the same in every tenant. Reading it makes no request.",
        Attr::object(
            WELL_KNOWN_APPS
                .iter()
                .map(|(name, _, what)| (*name, Attr::string().describe(what).computed())),
        ),
    )
}

fn domain_url(name: &str) -> String {
    format!("/domains/{}", encode_segment(name))
}

pub(crate) fn plan_domain(req: &ReadRequest) -> ReadPlan {
    match key(&req.config, "name") {
        Key::Known(name) => ReadPlan::Fetch(vec![domain_url(&name)]),
        _ => ReadPlan::Done(Ok(None)),
    }
}

pub(crate) fn finish_domain(
    req: &ReadRequest,
    answers: &HashMap<String, ProviderResult<Json>>,
) -> ProviderResult<Option<RemoteObject>> {
    let Key::Known(name) = key(&req.config, "name") else {
        return Ok(None);
    };
    let domain = match super::answer(answers, &domain_url(&name)) {
        Ok(domain) => domain,
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let field = |n: &str| domain.get(n).cloned().unwrap_or(Json::Null);
    Ok(Some(RemoteObject {
        id: domain
            .get("id")
            .and_then(Json::as_str)
            .unwrap_or(&name)
            .to_string(),
        attributes: Value::from_json(&json!({
            "name": field("id"),
            "authentication_type": field("authenticationType"),
            "is_default": field("isDefault"),
            "is_initial": field("isInitial"),
            "is_verified": field("isVerified"),
            "is_root": field("isRoot"),
            "supported_services": domain.get("supportedServices").cloned().unwrap_or(json!([])),
        })),
        ownership: Default::default(),
    }))
}

pub(crate) fn plan_service_principal(req: &ReadRequest) -> ReadPlan {
    match key(&req.config, "app_id") {
        Key::Known(app) => ReadPlan::Fetch(vec![service_principal::lookup_url(&app)]),
        _ => ReadPlan::Done(Ok(None)),
    }
}

/// `value → id` of a list of published permissions.
fn ids_by_value(list: Option<&Json>) -> Json {
    let mut out = Map::new();
    for entry in list.and_then(Json::as_array).into_iter().flatten() {
        if let (Some(value), Some(id)) = (
            entry.get("value").and_then(Json::as_str),
            entry.get("id").and_then(Json::as_str),
        ) {
            out.insert(value.to_string(), json!(id));
        }
    }
    Json::Object(out)
}

pub(crate) fn finish_service_principal(
    req: &ReadRequest,
    answers: &HashMap<String, ProviderResult<Json>>,
) -> ProviderResult<Option<RemoteObject>> {
    let Key::Known(app) = key(&req.config, "app_id") else {
        return Ok(None);
    };
    let lookup = super::answer(answers, &service_principal::lookup_url(&app))?;
    let Some(sp) = service_principal::single_match(lookup, &app)? else {
        return Ok(None);
    };
    let field = |n: &str| sp.get(n).cloned().unwrap_or(Json::Null);
    Ok(Some(RemoteObject {
        id: sp
            .get("id")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
        attributes: Value::from_json(&json!({
            "app_id": field("appId"),
            "object_id": field("id"),
            "display_name": field("displayName"),
            "account_enabled": field("accountEnabled"),
            "app_role_assignment_required": field("appRoleAssignmentRequired"),
            "tags": sp.get("tags").cloned().unwrap_or(json!([])),
            "app_owner_organization_id": field("appOwnerOrganizationId"),
            "app_role_ids": ids_by_value(sp.get("appRoles")),
            "oauth2_permission_scope_ids": ids_by_value(sp.get("oauth2PermissionScopes")),
        })),
        ownership: Default::default(),
    }))
}

/// The well-known ids, without a request.
pub(crate) fn well_known() -> RemoteObject {
    let mut attributes = Map::new();
    for (name, id, _) in WELL_KNOWN_APPS {
        attributes.insert(name.to_string(), json!(id));
    }
    RemoteObject {
        id: "well-known-applications".into(),
        attributes: Value::from_json(&Json::Object(attributes)),
        ownership: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_permissions_are_mapped_by_value() {
        let roles = json!([{"id": "1", "value": "Calendars.Read"}, {"id": "2"}]);
        assert_eq!(ids_by_value(Some(&roles)), json!({"Calendars.Read": "1"}));
        assert_eq!(ids_by_value(None), json!({}));
    }

    #[test]
    fn well_known_ids_need_no_request() {
        let object = well_known();
        assert_eq!(
            object
                .attributes
                .get("microsoft_graph")
                .and_then(Value::as_str),
            Some("00000003-0000-0000-c000-000000000000")
        );
        let schema = well_known_schema();
        assert!(schema.body.properties.values().all(|a| a.computed));
        assert!(schema.permissions.is_empty());
    }
}
