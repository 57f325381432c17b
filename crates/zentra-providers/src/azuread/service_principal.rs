//! `azuread_service_principal`: an app's service principal ("enterprise application") in the
//! tenant, located by `app_id`. An existing one is adopted, never duplicated.
//!
//! Visibility is managed either as raw `tags` or through `feature_tags`, which switches single
//! well-known tags (`HideApp` is the portal's "Visible to users? No") and leaves every other tag
//! as it is; the two cannot be combined.
//!
//! Microsoft's own service principals (Microsoft Graph, Exchange Online: their application is
//! registered in Microsoft's first-party tenant) are never deleted. A service principal zentra
//! creates carries a note saying so (`notes`, which configuration does not manage), so that
//! another state adopting it can tell.

use std::collections::HashMap;

use serde_json::{Map, Value as Json, json};

use super::{AzureAdProvider, Key, ReadPlan, key, odata_literal};
use crate::client::encode_query_value;
use crate::client::encode_segment;
use crate::client::graph::GraphRequest;
use crate::paths::paths_to_write;
use zentra_engine::provider::{
    ErrorKind, InvalidAttribute, Ownership, ProviderError, ProviderResult, ReadRequest,
    RemoteObject, WriteRequest,
};
use zentra_engine::schema::{
    Access, Attr, Permission, PermissionSystem, ResourceKind, ResourceSchema,
};
use zentra_engine::value::Value;

pub(crate) const TYPE_NAME: &str = "azuread_service_principal";

const APP_ID: &str = "app_id";
const TAGS: &str = "tags";
const FEATURE_TAGS: &str = "feature_tags";
/// The managed scalar properties: attribute name and Graph property.
const PROPERTIES: [(&str, &str); 2] = [
    ("account_enabled", "accountEnabled"),
    ("app_role_assignment_required", "appRoleAssignmentRequired"),
];
/// `feature_tags` members and the tag each stands for.
const FEATURES: [(&str, &str); 4] = [
    ("enterprise", "WindowsAzureActiveDirectoryIntegratedApp"),
    (
        "gallery",
        "WindowsAzureActiveDirectoryGalleryApplicationNonPrimaryV1",
    ),
    (
        "custom_single_sign_on",
        "WindowsAzureActiveDirectoryCustomSingleSignOnApplication",
    ),
    ("hide", "HideApp"),
];
/// What every service principal lookup selects: what this resource, grants, app role
/// assignments and the lookup data source need, so that they share one request.
const SELECT: &str = "id,appId,displayName,accountEnabled,appRoleAssignmentRequired,tags,\
                      appOwnerOrganizationId,appRoles,oauth2PermissionScopes,notes";

/// The tenant Microsoft registers its first-party applications in: a service principal whose
/// `appOwnerOrganizationId` is this tenant is Microsoft's own.
pub(crate) const MICROSOFT_FIRST_PARTY_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

/// Microsoft's applications whose service principals every tenant has: app id and name.
const MICROSOFT_APPS: [(&str, &str); 3] = [
    ("00000003-0000-0000-c000-000000000000", "Microsoft Graph"),
    (
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
    ),
    (
        "00000003-0000-0ff1-ce00-000000000000",
        "Office 365 SharePoint Online",
    ),
];

/// What zentra writes in `notes` of a service principal it creates, before the state lineage.
const CREATED_NOTE: &str = "Created by zentra, state ";

/// Why Microsoft owns the service principal of `app_id`, if it is one of its well-known apps.
pub(crate) fn microsoft_app(app_id: &str) -> Option<String> {
    MICROSOFT_APPS
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(app_id.trim()))
        .map(|(_, name)| format!("it is Microsoft's own service principal ({name})"))
}

/// The note a created service principal carries.
fn created_note(lineage: &str) -> String {
    format!("{CREATED_NOTE}{lineage}.")
}

/// Who owns a service principal as Graph describes it: Microsoft, when its application is
/// registered in Microsoft's first-party tenant; and the state that created it, from its note.
fn ownership(sp: &Json) -> Ownership {
    let app_id = sp.get("appId").and_then(Json::as_str).unwrap_or_default();
    let owner = sp
        .get("appOwnerOrganizationId")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let vendor_owned = microsoft_app(app_id).or_else(|| {
        owner
            .eq_ignore_ascii_case(MICROSOFT_FIRST_PARTY_TENANT)
            .then(|| {
                format!(
                    "it is Microsoft's own service principal (its application is registered in \
                     Microsoft's first-party tenant, appOwnerOrganizationId {owner})"
                )
            })
    });
    let created_by = sp
        .get("notes")
        .and_then(Json::as_str)
        .and_then(|notes| notes.split_once(CREATED_NOTE))
        .map(|(_, rest)| {
            rest.chars()
                .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
                .collect::<String>()
        })
        .filter(|lineage| !lineage.is_empty());
    Ownership {
        vendor_owned,
        created_by,
        found_existing: false,
    }
}

pub(crate) fn resource_schema() -> ResourceSchema {
    let feature = |text: &str| Attr::bool().describe(text);
    ResourceSchema::new(
        TYPE_NAME,
        ResourceKind::Object,
        "The service principal of an application in this tenant (what adding an enterprise \
         application creates). Located by `app_id`: an existing one is adopted.",
        Attr::object([
            (
                APP_ID,
                Attr::string()
                    .describe("The application (client) id.")
                    .case_insensitive()
                    .required()
                    .force_new(),
            ),
            (
                "account_enabled",
                Attr::bool().describe("Whether users can sign in to the app."),
            ),
            (
                "app_role_assignment_required",
                Attr::bool().describe(
                    "Whether users and groups must be assigned to the app before they can sign \
                     in (it also stops users from consenting to it themselves).",
                ),
            ),
            (
                TAGS,
                Attr::string_set().describe(
                    "Every tag, e.g. `WindowsAzureActiveDirectoryIntegratedApp` to list the app \
                     under Enterprise applications, `HideApp` to hide it from My Apps. \
                     Conflicts with `feature_tags`.",
                ),
            ),
            (
                FEATURE_TAGS,
                Attr::object([
                    (
                        "enterprise",
                        feature(
                            "Listed under Enterprise applications \
                                 (WindowsAzureActiveDirectoryIntegratedApp).",
                        ),
                    ),
                    (
                        "gallery",
                        feature(
                            "A gallery application \
                                 (WindowsAzureActiveDirectoryGalleryApplicationNonPrimaryV1).",
                        ),
                    ),
                    (
                        "custom_single_sign_on",
                        feature(
                            "Custom SAML single sign-on \
                                 (WindowsAzureActiveDirectoryCustomSingleSignOnApplication).",
                        ),
                    ),
                    (
                        "hide",
                        feature(
                            "Hidden from users' My Apps and the Microsoft 365 launcher: the \
                                 portal's \"Visible to users? No\" (HideApp).",
                        ),
                    ),
                ])
                .describe(
                    "Single well-known tags, switched on or off while the service principal's \
                     other tags are kept. Conflicts with `tags`.",
                ),
            ),
            (
                "object_id",
                Attr::string()
                    .describe("The service principal's object id.")
                    .computed(),
            ),
            (
                "display_name",
                Attr::string()
                    .describe("The service principal's display name.")
                    .computed(),
            ),
        ]),
    )
    .with_permissions(vec![
        Permission::new(
            PermissionSystem::GraphApplication,
            "Application.Read.All",
            Access::Read,
            "GET /servicePrincipals?$filter=appId eq '…' (find the service principal)",
        ),
        Permission::new(
            PermissionSystem::GraphApplication,
            "Application.ReadWrite.All",
            Access::Write,
            "POST, PATCH and DELETE /servicePrincipals (Application.ReadWrite.OwnedBy is not \
             enough for another publisher's app)",
        ),
        Permission::new(
            PermissionSystem::EntraRole,
            "Cloud Application Administrator",
            Access::Write,
            "signed in as a person: add and configure enterprise applications",
        ),
    ])
}

/// Refuses `tags` together with `feature_tags`.
pub(crate) fn complete(desired: Value) -> Result<Value, Vec<InvalidAttribute>> {
    if desired.get(TAGS).is_some() && desired.get(FEATURE_TAGS).is_some() {
        return Err(vec![InvalidAttribute {
            path: FEATURE_TAGS.into(),
            message: "`tags` and `feature_tags` both manage the service principal's tags".into(),
            hint: Some(
                "keep `tags` to manage every tag, or `feature_tags` to switch single well-known \
                 tags and leave the others alone"
                    .into(),
            ),
        }]);
    }
    Ok(desired)
}

/// `GET /servicePrincipals?$filter=appId eq '…'`, the lookup shared with grants, app role
/// assignments and the lookup data source resolving their resource.
pub(crate) fn lookup_url(app_id: &str) -> String {
    format!(
        "/servicePrincipals?$filter={}&$select={SELECT}",
        encode_query_value(&format!("appId eq {}", odata_literal(app_id)))
    )
}

fn by_id_url(object_id: &str) -> String {
    format!(
        "/servicePrincipals/{}?$select={SELECT}",
        encode_segment(object_id)
    )
}

/// `GET /servicePrincipals` of the whole tenant, with what every lookup selects, in Graph's
/// largest pages: what `zentra export` starts from.
pub(crate) fn list_url() -> String {
    format!("/servicePrincipals?$select={SELECT}&$top=999")
}

/// Whether Microsoft owns the service principal Graph answered with.
pub(crate) fn is_microsofts(sp: &Json) -> bool {
    ownership(sp).vendor_owned.is_some()
}

/// The one service principal in a lookup answer.
pub(crate) fn single_match<'a>(answer: &'a Json, app_id: &str) -> ProviderResult<Option<&'a Json>> {
    let found = answer
        .get("value")
        .and_then(Json::as_array)
        .map_or(&[][..], Vec::as_slice);
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.first()),
        n => Err(ProviderError::new(
            ErrorKind::Conflict,
            format!("{n} service principals have appId {app_id}; expected at most one"),
        )),
    }
}

fn tag_list(sp: &Json) -> Vec<String> {
    let mut tags: Vec<String> = sp
        .get("tags")
        .and_then(Json::as_array)
        .map(|t| {
            t.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    tags.sort();
    tags.dedup();
    tags
}

fn feature_flags(tags: &[String]) -> Json {
    let mut flags = Map::new();
    for (feature, tag) in FEATURES {
        flags.insert(
            feature.to_string(),
            json!(tags.iter().any(|t| t.eq_ignore_ascii_case(tag))),
        );
    }
    Json::Object(flags)
}

/// A service principal as attributes.
pub(crate) fn attributes(sp: &Json) -> Value {
    let tags = tag_list(sp);
    let field = |name: &str| sp.get(name).cloned().unwrap_or(Json::Null);
    Value::from_json(&json!({
        "app_id": field("appId"),
        "account_enabled": field("accountEnabled"),
        "app_role_assignment_required": field("appRoleAssignmentRequired"),
        "tags": tags,
        "feature_tags": feature_flags(&tags),
        "object_id": field("id"),
        "display_name": field("displayName"),
    }))
}

fn remote_object(sp: &Json) -> ProviderResult<RemoteObject> {
    let id = sp.get("id").and_then(Json::as_str).ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Transport,
            "Graph returned a service principal without an id",
        )
    })?;
    Ok(RemoteObject {
        id: id.to_string(),
        attributes: attributes(sp),
        ownership: ownership(sp),
    })
}

pub(crate) fn plan_read(req: &ReadRequest) -> ReadPlan {
    match key(&req.config, APP_ID) {
        Key::Known(app_id) => ReadPlan::Fetch(vec![lookup_url(&app_id)]),
        _ => match &req.id {
            Some(id) => ReadPlan::Fetch(vec![by_id_url(id)]),
            None => ReadPlan::Done(Ok(None)),
        },
    }
}

pub(crate) fn finish_read(
    req: &ReadRequest,
    answers: &HashMap<String, ProviderResult<Json>>,
) -> ProviderResult<Option<RemoteObject>> {
    match key(&req.config, APP_ID) {
        Key::Known(app_id) => {
            let answer = super::answer(answers, &lookup_url(&app_id))?;
            single_match(answer, &app_id)?
                .map(remote_object)
                .transpose()
        }
        _ => {
            let Some(id) = &req.id else { return Ok(None) };
            match super::answer(answers, &by_id_url(id)) {
                Ok(sp) => remote_object(sp).map(Some),
                Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        }
    }
}

/// The service principal of `app_id`, if the tenant has one. A just-created one may take a
/// moment to show up, so the lookup is repeated for a while when zentra created it.
pub(crate) async fn find(provider: &AzureAdProvider, app_id: &str) -> ProviderResult<Option<Json>> {
    let url = lookup_url(app_id);
    let mut waited = std::time::Duration::ZERO;
    let mut pause = provider.options.replication_backoff;
    loop {
        let found = single_match(&provider.graph.get(&url).await?, app_id)?.cloned();
        if found.is_some()
            || !provider.fresh.contains(app_id)
            || waited + pause > provider.options.replication_wait
        {
            return Ok(found);
        }
        tokio::time::sleep(pause).await;
        waited += pause;
        pause = (pause * 2).min(std::time::Duration::from_secs(10));
    }
}

fn unknown_at_apply(attribute: &str) -> ProviderError {
    ProviderError::new(
        ErrorKind::Invalid,
        format!("`{attribute}` is still unknown at apply time"),
    )
}

/// The Graph properties to write: those among `paths` that the configuration sets.
/// `live_tags` are the service principal's tags now (none when creating it).
fn graph_properties(
    config: &Value,
    paths: &[String],
    live_tags: &[String],
) -> ProviderResult<Map<String, Json>> {
    let mut out = Map::new();
    for (attribute, property) in PROPERTIES {
        if !paths.iter().any(|p| p == attribute) {
            continue;
        }
        if let Some(value) = config.get(attribute) {
            let json = value.to_json().ok_or_else(|| unknown_at_apply(attribute))?;
            if !json.is_null() {
                out.insert(property.to_string(), json);
            }
        }
    }
    if paths.iter().any(|p| p == TAGS)
        && let Some(value) = config.get(TAGS)
    {
        let json = value.to_json().ok_or_else(|| unknown_at_apply(TAGS))?;
        if !json.is_null() {
            out.insert("tags".into(), json);
        }
    }
    let feature_paths = paths
        .iter()
        .any(|p| p == FEATURE_TAGS || p.starts_with("feature_tags."));
    if feature_paths && let Some(features) = config.get(FEATURE_TAGS) {
        let mut tags: Vec<String> = live_tags.to_vec();
        for (feature, tag) in FEATURES {
            match features.get(feature).map(|v| v.unmark().0) {
                Some(Value::Bool(true)) if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) => {
                    tags.push(tag.to_string());
                }
                Some(Value::Bool(false)) => tags.retain(|t| !t.eq_ignore_ascii_case(tag)),
                Some(Value::Unknown) => return Err(unknown_at_apply("feature_tags")),
                _ => {}
            }
        }
        tags.sort();
        tags.dedup();
        out.insert("tags".into(), json!(tags));
    }
    Ok(out)
}

fn configured_app_id(config: &Value) -> ProviderResult<String> {
    super::known(config, APP_ID, "the service principal is created")
}

/// Adopts the existing service principal of `app_id`, or creates it.
pub(crate) async fn create(
    provider: &AzureAdProvider,
    req: &WriteRequest,
) -> ProviderResult<RemoteObject> {
    let app_id = configured_app_id(&req.config)?;
    let schema = resource_schema().body;
    if let Some(existing) = find(provider, &app_id).await? {
        return adopt(provider, &schema, req, existing).await;
    }
    let all: Vec<String> = [
        "account_enabled",
        "app_role_assignment_required",
        TAGS,
        FEATURE_TAGS,
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    let mut body = graph_properties(&req.config, &all, &[])?;
    body.insert("appId".into(), json!(app_id));
    if let Some(lineage) = &req.creator {
        body.insert("notes".into(), json!(created_note(lineage)));
    }
    // A create whose answer was lost is looked up by app id before it is sent again.
    let created = provider
        .graph
        .create(
            &GraphRequest::post("/servicePrincipals", Json::Object(body)),
            || find(provider, &app_id),
        )
        .await;
    match created {
        Ok(Some(sp)) => {
            let object = remote_object(&sp)?;
            provider.fresh.mark(&object.id);
            provider.fresh.mark(&app_id);
            Ok(object)
        }
        Ok(None) => Err(ProviderError::new(
            ErrorKind::Transport,
            "Graph created the service principal but returned no body",
        )),
        // Someone created it meanwhile: adopt it.
        Err(e) if e.kind == ErrorKind::Conflict => match find(provider, &app_id).await? {
            Some(existing) => adopt(provider, &schema, req, existing).await,
            None => Err(e),
        },
        Err(e) => Err(e),
    }
}

async fn adopt(
    provider: &AzureAdProvider,
    schema: &Attr,
    req: &WriteRequest,
    existing: Json,
) -> ProviderResult<RemoteObject> {
    let object = remote_object(&existing)?;
    let paths = paths_to_write(schema, &req.config, Some(&object.attributes), &[]);
    let body = graph_properties(&req.config, &paths, &tag_list(&existing))?;
    let mut object = patch(provider, body, object).await?;
    object.ownership.found_existing = true;
    Ok(object)
}

async fn patch(
    provider: &AzureAdProvider,
    body: Map<String, Json>,
    mut object: RemoteObject,
) -> ProviderResult<RemoteObject> {
    if body.is_empty() {
        return Ok(object);
    }
    let path = format!("/servicePrincipals/{}", encode_segment(&object.id));
    let request = GraphRequest::patch(path, Json::Object(body.clone()))
        .idempotent()
        .wait_for_replication(provider.fresh.contains(&object.id));
    provider.graph.send(&request).await?;
    // The object as Graph now holds it: what was read, with what was written.
    let mut sp = json!({
        "id": object.id,
        "appId": object.attributes.get(APP_ID).and_then(Value::to_json).unwrap_or(Json::Null),
        "displayName": object.attributes.get("display_name").and_then(Value::to_json).unwrap_or(Json::Null),
        "tags": object.attributes.get(TAGS).and_then(Value::to_json).unwrap_or(json!([])),
    });
    for (attribute, property) in PROPERTIES {
        sp[property] = object
            .attributes
            .get(attribute)
            .and_then(Value::to_json)
            .unwrap_or(Json::Null);
    }
    for (property, value) in body {
        sp[property.as_str()] = value;
    }
    object.attributes = attributes(&sp);
    Ok(object)
}

pub(crate) async fn update(
    provider: &AzureAdProvider,
    req: &WriteRequest,
) -> ProviderResult<RemoteObject> {
    let id = req.id.clone().ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Invalid,
            "updating a service principal needs its id",
        )
    })?;
    let schema = resource_schema().body;
    let paths = paths_to_write(&schema, &req.config, req.prior.as_ref(), &req.changed_paths);
    let prior = req.prior.clone().unwrap_or_else(|| req.config.clone());
    let live_tags: Vec<String> = prior
        .get(TAGS)
        .and_then(Value::as_list)
        .map(|l| {
            l.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let body = graph_properties(&req.config, &paths, &live_tags)?;
    let prior = RemoteObject {
        id: id.clone(),
        attributes: prior,
        ownership: Default::default(),
    };
    patch(provider, body, prior).await
}

pub(crate) async fn delete(provider: &AzureAdProvider, req: &WriteRequest) -> ProviderResult<()> {
    let Some(id) = &req.id else { return Ok(()) };
    let request = GraphRequest::delete(format!("/servicePrincipals/{}", encode_segment(id)));
    match provider.graph.send(&request).await {
        Ok(_) => Ok(()),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_filter_by_app_id_with_quotes_escaped() {
        assert_eq!(
            lookup_url("00000003-0000-0000-c000-000000000000"),
            "/servicePrincipals?$filter=appId%20eq%20'00000003-0000-0000-c000-000000000000'\
             &$select=id,appId,displayName,accountEnabled,appRoleAssignmentRequired,tags,\
             appOwnerOrganizationId,appRoles,oauth2PermissionScopes,notes"
        );
        assert!(lookup_url("a'b").contains("'a''b'"));
    }

    #[test]
    fn service_principals_read_as_attributes() {
        let sp = json!({"id": "obj-1", "appId": "app-1", "displayName": "Zoom",
            "accountEnabled": true, "appRoleAssignmentRequired": false,
            "tags": ["b", "HideApp", "b"]});
        let object = remote_object(&sp).unwrap();
        assert_eq!(object.id, "obj-1");
        assert_eq!(
            object.attributes.to_json().unwrap(),
            json!({"app_id": "app-1", "account_enabled": true, "app_role_assignment_required": false,
                   "tags": ["HideApp", "b"],
                   "feature_tags": {"enterprise": false, "gallery": false,
                                    "custom_single_sign_on": false, "hide": true},
                   "object_id": "obj-1", "display_name": "Zoom"})
        );
    }

    #[test]
    fn ownership_is_read_from_the_app_owner_tenant_and_zentras_note() {
        let graph = json!({"id": "1", "appId": "00000003-0000-0000-C000-000000000000",
            "appOwnerOrganizationId": MICROSOFT_FIRST_PARTY_TENANT});
        assert!(
            ownership(&graph)
                .vendor_owned
                .unwrap()
                .contains("(Microsoft Graph)")
        );
        let first_party = json!({"id": "2", "appId": "11111111-2222-3333-4444-555555555555",
            "appOwnerOrganizationId": MICROSOFT_FIRST_PARTY_TENANT.to_uppercase()});
        assert!(
            ownership(&first_party)
                .vendor_owned
                .unwrap()
                .contains("registered in Microsoft's first-party tenant")
        );
        let lineage = "3f2b9c4e-8d1a-4e7b-9a6c-5b0d2e1f7a83";
        let created = json!({"id": "3", "appId": "a651cfda-cbdd-4a39-bd03-fa829c3c1b29",
            "appOwnerOrganizationId": "6b2c0f4e-93a1-4d87-b5e2-1c9f8a7d3e60",
            "notes": format!("Owned by the collaboration team.\n{}", created_note(lineage))});
        let found = ownership(&created);
        assert_eq!(found.vendor_owned, None);
        assert_eq!(found.created_by.as_deref(), Some(lineage));
        assert_eq!(
            ownership(&json!({"notes": "Created by zentra, state ."})).created_by,
            None
        );
        assert_eq!(ownership(&json!({"notes": null})).created_by, None);
    }

    #[test]
    fn several_matches_are_a_conflict() {
        let answer = json!({"value": [{"id": "1"}, {"id": "2"}]});
        assert_eq!(
            single_match(&answer, "x").unwrap_err().kind,
            ErrorKind::Conflict
        );
        assert_eq!(single_match(&json!({"value": []}), "x").unwrap(), None);
    }

    #[test]
    fn only_configured_changed_properties_are_written() {
        let config =
            Value::from_json(&json!({"app_id": "a", "account_enabled": false, "tags": ["x"]}));
        let body = graph_properties(
            &config,
            &[
                "account_enabled".into(),
                "app_role_assignment_required".into(),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(Json::Object(body), json!({"accountEnabled": false}));
    }

    #[test]
    fn feature_tags_switch_their_tag_and_keep_the_others() {
        let live = vec![
            "WindowsAzureActiveDirectoryIntegratedApp".to_string(),
            "custom".to_string(),
        ];
        let config = Value::from_json(&json!({"app_id": "a",
            "feature_tags": {"hide": true, "enterprise": false}}));
        let body = graph_properties(&config, &["feature_tags.hide".into()], &live).unwrap();
        assert_eq!(Json::Object(body), json!({"tags": ["HideApp", "custom"]}));
        let shown = Value::from_json(&json!({"feature_tags": {"hide": false}}));
        let live = vec!["HideApp".to_string(), "custom".to_string()];
        let body = graph_properties(&shown, &["feature_tags.hide".into()], &live).unwrap();
        assert_eq!(Json::Object(body), json!({"tags": ["custom"]}));
    }

    #[test]
    fn tags_and_feature_tags_cannot_be_combined() {
        let both =
            Value::from_json(&json!({"app_id": "a", "tags": [], "feature_tags": {"hide": true}}));
        let err = complete(both).unwrap_err();
        assert_eq!(err[0].path, "feature_tags");
        let one = Value::from_json(&json!({"app_id": "a", "feature_tags": {"hide": true}}));
        assert!(complete(one).is_ok());
    }
}
