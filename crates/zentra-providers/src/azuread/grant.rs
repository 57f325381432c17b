//! `azuread_delegated_permission_grant`: admin consent to delegated scopes of one resource app
//! (Microsoft Graph, say), for one client service principal — for all users (`AllPrincipals`,
//! the portal's "Grant admin consent") or, with `user_object_id`, for one user.
//!
//! Graph allows one grant per (client, resource, consent type, user), so an existing grant is
//! adopted rather than duplicated, and scope changes are a `PATCH`. Scopes are a set: Graph's
//! space-separated `scope` is split, deduplicated and sorted, so order and duplicates never
//! show up as a change. Each scope must be one the resource app publishes
//! (`oauth2PermissionScopes`), checked when planning.

use std::collections::HashMap;

use serde_json::{Value as Json, json};

use super::{AzureAdProvider, Key, ReadPlan, closest, key, odata_literal, service_principal};
use crate::client::graph::GraphRequest;
use crate::client::{encode_query_value, encode_segment};
use zentra_engine::provider::{
    ErrorKind, ProviderError, ProviderResult, ReadRequest, RemoteObject, WriteRequest,
};
use zentra_engine::schema::{
    Access, Attr, Permission, PermissionSystem, ResourceKind, ResourceSchema,
};
use zentra_engine::value::Value;

pub(crate) const TYPE_NAME: &str = "azuread_delegated_permission_grant";

const CLIENT: &str = "service_principal_object_id";
const RESOURCE_APP: &str = "resource_app_id";
const SCOPES: &str = "scopes";
const USER: &str = "user_object_id";
const ALL_PRINCIPALS: &str = "AllPrincipals";
const PRINCIPAL: &str = "Principal";

pub(crate) fn resource_schema() -> ResourceSchema {
    ResourceSchema::new(
        TYPE_NAME,
        ResourceKind::Object,
        "Admin consent to delegated permissions (scopes) of a resource app such as Microsoft \
         Graph, granted to a client service principal for all users or for one user.",
        Attr::object([
            (
                CLIENT,
                Attr::string()
                    .describe("Object id of the client service principal (the app being granted).")
                    .case_insensitive()
                    .required()
                    .force_new(),
            ),
            (
                RESOURCE_APP,
                Attr::string()
                    .describe(
                        "App id of the resource whose scopes are granted, e.g. \
                         00000003-0000-0000-c000-000000000000 for Microsoft Graph.",
                    )
                    .case_insensitive()
                    .required()
                    .force_new(),
            ),
            (
                SCOPES,
                Attr::string_set()
                    .describe(
                        "The delegated scopes granted, e.g. `User.Read`, `Calendars.ReadWrite`.",
                    )
                    .required(),
            ),
            (
                USER,
                Attr::string()
                    .describe(
                        "Object id of the one user the consent is for (consent type \
                         `Principal`); omitted, the consent is for all users (`AllPrincipals`).",
                    )
                    .case_insensitive()
                    .force_new(),
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
            "DelegatedPermissionGrant.Read.All",
            Access::Read,
            "GET /oauth2PermissionGrants?$filter=clientId eq '…' (find the grant)",
        ),
        Permission::new(
            PermissionSystem::GraphApplication,
            "Application.Read.All",
            Access::Read,
            "GET /servicePrincipals?$filter=appId eq '…' (the resource app and the scopes it \
             publishes)",
        ),
        Permission::new(
            PermissionSystem::GraphApplication,
            "DelegatedPermissionGrant.ReadWrite.All",
            Access::Write,
            "POST, PATCH and DELETE /oauth2PermissionGrants",
        ),
        Permission::new(
            PermissionSystem::EntraRole,
            "Cloud Application Administrator",
            Access::Write,
            "signed in as a person: grant tenant-wide admin consent to delegated permissions",
        ),
    ])
}

/// The published delegated scope names of a resource service principal.
fn published_scopes(resource: &Json) -> Vec<&str> {
    resource
        .get("oauth2PermissionScopes")
        .and_then(Json::as_array)
        .map(|scopes| {
            scopes
                .iter()
                .filter(|s| s.get("isEnabled").and_then(Json::as_bool) != Some(false))
                .filter_map(|s| s.get("value").and_then(Json::as_str))
                .collect()
        })
        .unwrap_or_default()
}

/// Refuses scopes the resource app does not publish, suggesting the closest one.
pub(crate) fn check_scopes(resource: &Json, app: &str, scopes: &[String]) -> ProviderResult<()> {
    // Nothing to check against when Graph did not return the published scopes.
    if !resource
        .get("oauth2PermissionScopes")
        .is_some_and(Json::is_array)
    {
        return Ok(());
    }
    let published = published_scopes(resource);
    let name = resource
        .get("displayName")
        .and_then(Json::as_str)
        .unwrap_or(app);
    let unknown: Vec<&String> = scopes
        .iter()
        .filter(|s| !published.contains(&s.as_str()))
        .collect();
    let Some(first) = unknown.first() else {
        return Ok(());
    };
    let listed: Vec<String> = unknown.iter().map(|s| format!("`{s}`")).collect();
    let mut e = ProviderError::new(
        ErrorKind::Invalid,
        format!(
            "`scopes`: {} {} not among the delegated permissions {name} publishes",
            listed.join(", "),
            if unknown.len() == 1 { "is" } else { "are" }
        ),
    );
    e.hint = Some(match closest(first, published.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!(
            "{name} publishes {} delegated permissions; see its API permissions in the portal",
            published.len()
        ),
    });
    Err(e)
}

/// Writes down "all users" (no `user_object_id`) as a null user, so that switching between
/// consent for all users and for one user shows as a change (which replaces the grant).
pub(crate) fn complete(
    desired: Value,
) -> Result<Value, Vec<zentra_engine::provider::InvalidAttribute>> {
    match desired {
        Value::Object(mut map) => {
            if !map.contains_key(USER) {
                map.insert(USER.to_string(), Value::Null);
            }
            Ok(Value::Object(map))
        }
        other => Ok(other),
    }
}

/// Splits space-separated scope strings, drops duplicates and sorts.
pub fn normalize_scopes<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut scopes: Vec<String> = items
        .into_iter()
        .flat_map(str::split_whitespace)
        .map(str::to_string)
        .collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

fn configured_scopes(config: &Value) -> ProviderResult<Vec<String>> {
    let list = config.get(SCOPES).and_then(Value::as_list).ok_or_else(|| {
        ProviderError::new(ErrorKind::Invalid, "`scopes` must be a set of strings")
    })?;
    let mut items = Vec::new();
    for item in list {
        match item.unmark().0 {
            Value::String(s) => items.push(s.as_str()),
            Value::Unknown => {
                return Err(ProviderError::new(
                    ErrorKind::Invalid,
                    "`scopes` is still unknown at apply time",
                ));
            }
            other => {
                return Err(ProviderError::new(
                    ErrorKind::Invalid,
                    format!("`scopes` must hold strings, not {}", other.type_name()),
                ));
            }
        }
    }
    Ok(normalize_scopes(items))
}

/// `GET /oauth2PermissionGrants?$filter=clientId eq '…' and consentType eq 'AllPrincipals'`
/// (or `… eq 'Principal' and principalId eq '…'` for one user): the client's grants of that
/// kind (one per resource at most), filtered by resource here so that the lookup can go in the
/// same `$batch` as the resource's service principal lookup.
fn grants_of_client_url(client: &str, user: Option<&str>) -> String {
    let filter = match user {
        None => format!(
            "clientId eq {} and consentType eq '{ALL_PRINCIPALS}'",
            odata_literal(client)
        ),
        Some(user) => format!(
            "clientId eq {} and consentType eq '{PRINCIPAL}' and principalId eq {}",
            odata_literal(client),
            odata_literal(user)
        ),
    };
    format!(
        "/oauth2PermissionGrants?$filter={}",
        encode_query_value(&filter)
    )
}

/// The user of a configuration: `None` for all users; an error while it is unknown.
fn configured_user(config: &Value) -> Option<Key> {
    match key(config, USER) {
        Key::Absent => None,
        other => Some(other),
    }
}

fn by_id_url(id: &str) -> String {
    format!("/oauth2PermissionGrants/{}", encode_segment(id))
}

/// The grant for `resource` (and `user`) among a client's grants; the one with
/// `preferred_id` first.
fn grant_for_resource(
    grants: &Json,
    resource: &str,
    user: Option<&str>,
    preferred_id: Option<&str>,
) -> Option<Json> {
    let consent_type = if user.is_some() {
        PRINCIPAL
    } else {
        ALL_PRINCIPALS
    };
    let matching: Vec<&Json> = grants
        .get("value")
        .and_then(Json::as_array)?
        .iter()
        .filter(|g| {
            g.get("resourceId")
                .and_then(Json::as_str)
                .is_some_and(|r| r.eq_ignore_ascii_case(resource))
                && g.get("consentType")
                    .and_then(Json::as_str)
                    .is_some_and(|c| c.eq_ignore_ascii_case(consent_type))
                && match user {
                    None => true,
                    Some(u) => g
                        .get("principalId")
                        .and_then(Json::as_str)
                        .is_some_and(|p| p.eq_ignore_ascii_case(u)),
                }
        })
        .collect();
    matching
        .iter()
        .find(|g| g.get("id").and_then(Json::as_str) == preferred_id && preferred_id.is_some())
        .or(matching.first())
        .map(|g| (*g).clone())
}

/// A grant as attributes; `resource_app_id` comes from configuration (Graph records only the
/// resource's object id).
pub(crate) fn remote_object(
    grant: &Json,
    resource_app_id: Option<&str>,
) -> ProviderResult<RemoteObject> {
    let id = grant.get("id").and_then(Json::as_str).ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Transport,
            "Graph returned a permission grant without an id",
        )
    })?;
    let scope = grant.get("scope").and_then(Json::as_str).unwrap_or("");
    let mut attributes = json!({
        CLIENT: grant.get("clientId").cloned().unwrap_or(Json::Null),
        SCOPES: normalize_scopes([scope]),
        "resource_object_id": grant.get("resourceId").cloned().unwrap_or(Json::Null),
    });
    // No user means consent for all users; a change between the two replaces the grant.
    attributes[USER] = grant.get("principalId").cloned().unwrap_or(Json::Null);
    if let Some(app) = resource_app_id {
        attributes[RESOURCE_APP] = json!(app);
    }
    Ok(RemoteObject {
        id: id.to_string(),
        attributes: Value::from_json(&attributes),
        ownership: Default::default(),
    })
}

pub(crate) fn plan_read(req: &ReadRequest) -> ReadPlan {
    let mut urls = Vec::new();
    // The grant recorded in state, wherever it is: a changed user or resource replaces it.
    if let Some(id) = &req.id {
        urls.push(by_id_url(id));
    }
    if let Key::Known(app) = key(&req.config, RESOURCE_APP) {
        urls.push(service_principal::lookup_url(&app));
        let user = match configured_user(&req.config) {
            None => Some(None),
            Some(Key::Known(user)) => Some(Some(user)),
            Some(_) => None,
        };
        if let (Key::Known(client), Some(user)) = (key(&req.config, CLIENT), user) {
            urls.push(grants_of_client_url(&client, user.as_deref()));
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
    let resource_app = match key(&req.config, RESOURCE_APP) {
        Key::Known(app) => Some(app),
        _ => None,
    };
    // The resource app, and the scopes checked against what it publishes, even while the
    // client is yet to be created.
    let mut resource = None;
    if let Some(app) = &resource_app {
        let lookup = super::answer(answers, &service_principal::lookup_url(app))?;
        resource = service_principal::single_match(lookup, app)?;
        if let (Some(found), Ok(scopes)) = (&resource, configured_scopes(&req.config)) {
            check_scopes(found, app, &scopes)?;
        }
    }
    let resource_id = resource
        .as_ref()
        .and_then(|r| r.get("id").and_then(Json::as_str))
        .map(str::to_string);
    if let Some(id) = &req.id {
        match super::answer(answers, &by_id_url(id)) {
            Ok(grant) => {
                // Graph records the resource's object id only: the configured app id holds
                // when that is the resource found for it.
                let same_resource = resource_id.as_deref().is_some_and(|r| {
                    grant
                        .get("resourceId")
                        .and_then(Json::as_str)
                        .is_some_and(|g| g.eq_ignore_ascii_case(r))
                });
                let app = resource_app.as_deref().filter(|_| same_resource);
                return remote_object(grant, app).map(Some);
            }
            Err(e) if e.kind == ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    let user = match configured_user(&req.config) {
        Some(Key::Known(user)) => Some(user),
        None => None,
        Some(_) => return Ok(None),
    };
    let (Key::Known(client), Some(app), Some(resource_id)) =
        (key(&req.config, CLIENT), &resource_app, &resource_id)
    else {
        return Ok(None);
    };
    let grants = super::answer(answers, &grants_of_client_url(&client, user.as_deref()))?;
    grant_for_resource(grants, resource_id, user.as_deref(), None)
        .map(|g| remote_object(&g, Some(app)))
        .transpose()
}

fn known(config: &Value, attribute: &str) -> ProviderResult<String> {
    match key(config, attribute) {
        Key::Known(value) => Ok(value),
        _ => Err(ProviderError::new(
            ErrorKind::Invalid,
            format!("`{attribute}` must be known when the grant is created"),
        )),
    }
}

/// Grants the scopes, adopting an existing grant for the same client, resource and user.
pub(crate) async fn create(
    provider: &AzureAdProvider,
    req: &WriteRequest,
) -> ProviderResult<RemoteObject> {
    let client = known(&req.config, CLIENT)?;
    let resource_app = known(&req.config, RESOURCE_APP)?;
    let user = match configured_user(&req.config) {
        None => None,
        Some(_) => Some(known(&req.config, USER)?),
    };
    let scopes = configured_scopes(&req.config)?;
    let resource = service_principal::find(provider, &resource_app)
        .await?
        .ok_or_else(|| {
            ProviderError::new(
                ErrorKind::NotFound,
                format!("the tenant has no service principal for the resource app {resource_app}"),
            )
            .with_hint(format!(
                "add an azuread_service_principal with app_id = \"{resource_app}\""
            ))
        })?;
    check_scopes(&resource, &resource_app, &scopes)?;
    let resource_id = resource
        .get("id")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string();
    if let Some(existing) = find_existing(provider, &client, &resource_id, user.as_deref()).await? {
        return adopt(provider, existing, &resource_app, &scopes).await;
    }
    let body = json!({
        "clientId": client,
        "consentType": if user.is_some() { PRINCIPAL } else { ALL_PRINCIPALS },
        "principalId": user,
        "resourceId": resource_id,
        "scope": scopes.join(" "),
    });
    let references_fresh =
        provider.fresh.contains(&client) || provider.fresh.contains(&resource_id);
    let request =
        GraphRequest::post("/oauth2PermissionGrants", body).wait_for_replication(references_fresh);
    // A create whose answer was lost is looked up by client, resource and user first.
    let lookup = || find_existing(provider, &client, &resource_id, user.as_deref());
    match provider.graph.create(&request, lookup).await {
        Ok(Some(grant)) => {
            let object = remote_object(&grant, Some(&resource_app))?;
            provider.fresh.mark(&object.id);
            Ok(object)
        }
        Ok(None) => Err(ProviderError::new(
            ErrorKind::Transport,
            "Graph created the permission grant but returned no body",
        )),
        // "Permission entry already exists": adopt it.
        Err(e) if e.kind == ErrorKind::Conflict => {
            match find_existing(provider, &client, &resource_id, user.as_deref()).await? {
                Some(existing) => adopt(provider, existing, &resource_app, &scopes).await,
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

async fn find_existing(
    provider: &AzureAdProvider,
    client: &str,
    resource_id: &str,
    user: Option<&str>,
) -> ProviderResult<Option<Json>> {
    let grants = provider
        .graph
        .get_collection(&grants_of_client_url(client, user))
        .await?;
    Ok(grant_for_resource(
        &json!({ "value": grants }),
        resource_id,
        user,
        None,
    ))
}

async fn adopt(
    provider: &AzureAdProvider,
    existing: Json,
    resource_app: &str,
    scopes: &[String],
) -> ProviderResult<RemoteObject> {
    let mut object = remote_object(&existing, Some(resource_app))?;
    object.ownership.found_existing = true;
    let live_scopes =
        normalize_scopes([existing.get("scope").and_then(Json::as_str).unwrap_or("")]);
    if live_scopes == scopes {
        return Ok(object);
    }
    set_scopes(provider, object, scopes).await
}

async fn set_scopes(
    provider: &AzureAdProvider,
    mut object: RemoteObject,
    scopes: &[String],
) -> ProviderResult<RemoteObject> {
    let request = GraphRequest::patch(by_id_url(&object.id), json!({ "scope": scopes.join(" ") }))
        .idempotent()
        .wait_for_replication(provider.fresh.contains(&object.id));
    provider.graph.send(&request).await?;
    let mut attributes = match object.attributes.to_json() {
        Some(Json::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    attributes.insert(SCOPES.to_string(), json!(scopes));
    object.attributes = Value::from_json(&Json::Object(attributes));
    Ok(object)
}

/// Changes the scopes (the only thing Graph lets change in place).
pub(crate) async fn update(
    provider: &AzureAdProvider,
    req: &WriteRequest,
) -> ProviderResult<RemoteObject> {
    let id = req.id.clone().ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Invalid,
            "updating a permission grant needs its id",
        )
    })?;
    let scopes = configured_scopes(&req.config)?;
    if let Key::Known(app) = key(&req.config, RESOURCE_APP)
        && let Some(resource) = service_principal::find(provider, &app).await?
    {
        check_scopes(&resource, &app, &scopes)?;
    }
    let mut prior = req.prior.clone().unwrap_or_else(|| req.config.clone());
    if let (Value::Object(map), Key::Known(app)) = (&mut prior, key(&req.config, RESOURCE_APP)) {
        map.insert(RESOURCE_APP.into(), Value::String(app));
    }
    set_scopes(
        provider,
        RemoteObject {
            id,
            attributes: prior,
            ownership: Default::default(),
        },
        &scopes,
    )
    .await
}

pub(crate) async fn delete(provider: &AzureAdProvider, req: &WriteRequest) -> ProviderResult<()> {
    let Some(id) = &req.id else { return Ok(()) };
    match provider
        .graph
        .send(&GraphRequest::delete(by_id_url(id)))
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_split_deduplicated_and_sorted() {
        assert_eq!(
            normalize_scopes([" User.Read  openid", "Calendars.ReadWrite openid", ""]),
            ["Calendars.ReadWrite", "User.Read", "openid"]
        );
        assert!(normalize_scopes(["   "]).is_empty());
    }

    #[test]
    fn configured_scopes_ignore_order_and_duplicates() {
        let a = Value::from_json(&json!({"scopes": ["User.Read", "openid", "User.Read"]}));
        let b = Value::from_json(&json!({"scopes": ["openid User.Read"]}));
        assert_eq!(
            configured_scopes(&a).unwrap(),
            configured_scopes(&b).unwrap()
        );
        let unknown = Value::Object(
            [("scopes".to_string(), Value::List(vec![Value::Unknown]))]
                .into_iter()
                .collect(),
        );
        assert!(configured_scopes(&unknown).is_err());
    }

    #[test]
    fn the_grant_for_a_resource_is_picked_from_the_clients_grants() {
        let grants = json!({"value": [
            {"id": "g1", "clientId": "c", "consentType": "AllPrincipals", "resourceId": "other", "scope": "x"},
            {"id": "g2", "clientId": "c", "consentType": "Principal", "resourceId": "RES", "scope": "x"},
            {"id": "g3", "clientId": "c", "consentType": "AllPrincipals", "resourceId": "RES", "scope": " b a"},
        ]});
        let found = grant_for_resource(&grants, "res", None, None).unwrap();
        assert_eq!(found["id"], "g3");
        let object = remote_object(&found, Some("app")).unwrap();
        assert_eq!(
            object.attributes.to_json().unwrap(),
            json!({"service_principal_object_id": "c", "scopes": ["a", "b"],
                   "resource_object_id": "RES", "user_object_id": null, "resource_app_id": "app"})
        );
        assert!(grant_for_resource(&grants, "none", None, None).is_none());
        let user = grant_for_resource(&grants, "RES", Some("u-1"), None);
        assert!(user.is_none(), "a Principal grant needs the same user");
    }

    #[test]
    fn client_grant_lookup_uses_the_natural_key_filter() {
        assert_eq!(
            grants_of_client_url("sp-1", None),
            "/oauth2PermissionGrants?$filter=clientId%20eq%20'sp-1'%20and%20consentType%20eq%20'AllPrincipals'"
        );
        assert_eq!(
            grants_of_client_url("sp-1", Some("u-1")),
            "/oauth2PermissionGrants?$filter=clientId%20eq%20'sp-1'%20and%20consentType%20eq%20'Principal'%20and%20principalId%20eq%20'u-1'"
        );
    }

    #[test]
    fn scopes_must_be_published_by_the_resource() {
        let graph = json!({"displayName": "Microsoft Graph", "oauth2PermissionScopes": [
            {"value": "User.Read", "isEnabled": true},
            {"value": "Calendars.ReadWrite", "isEnabled": true},
            {"value": "Retired.Scope", "isEnabled": false}]});
        assert!(check_scopes(&graph, "g", &["User.Read".into()]).is_ok());
        let err = check_scopes(&graph, "g", &["Calendars.ReadWite".into()]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Invalid);
        assert!(
            err.message.contains("`Calendars.ReadWite` is not among"),
            "{}",
            err.message
        );
        assert_eq!(
            err.hint.as_deref(),
            Some("did you mean `Calendars.ReadWrite`?")
        );
        assert!(check_scopes(&graph, "g", &["Retired.Scope".into()]).is_err());
    }
}
