//! `azuread_admin_consent_request_policy`: the admin consent workflow, in which users who may
//! not consent to an app ask for it and reviewers decide (`GET | PUT
//! /policies/adminConsentRequestPolicy`).
//!
//! Graph replaces the policy whole (`PUT`), so zentra reads it afresh and sends every
//! property: configured values where the configuration has them, live ones elsewhere.
//! Reviewers are Graph queries; zentra writes and recognises the three the portal uses —
//! `/users/{id}`, `/groups/{id}/transitiveMembers/microsoft.graph.user` and role assignments by
//! `roleDefinitionId` — and keeps any other reviewer query as it is.

use serde_json::{Map, Value as Json, json};

use super::{AzureAdProvider, closest};
use crate::client::graph::GraphRequest;
use zentra_engine::provider::{
    ErrorKind, InvalidAttribute, ProviderError, ProviderResult, RemoteObject, WriteRequest,
};
use zentra_engine::schema::{
    Access, Attr, Permission, PermissionSystem, ResourceKind, ResourceSchema,
};
use zentra_engine::value::Value;

pub(crate) const TYPE_NAME: &str = "azuread_admin_consent_request_policy";
pub(crate) const POLICY_PATH: &str = "/policies/adminConsentRequestPolicy";

const ENABLED: &str = "enabled";
const NOTIFY: &str = "notify_reviewers";
const REMINDERS: &str = "reminders_enabled";
const DURATION: &str = "request_duration_days";
const USERS: &str = "reviewer_user_ids";
const GROUPS: &str = "reviewer_group_ids";
const ROLES: &str = "reviewer_roles";

/// Built-in Entra ID roles that may review consent requests, by name, with their template ids
/// (the same in every tenant).
pub(crate) const ROLE_TEMPLATES: [(&str, &str); 9] = [
    (
        "Global Administrator",
        "62e90394-69f5-4237-9190-012177145e10",
    ),
    (
        "Privileged Role Administrator",
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
    ),
    (
        "Cloud Application Administrator",
        "158c047a-c907-4556-b7ef-446551a6b5f7",
    ),
    (
        "Application Administrator",
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    ),
    (
        "Security Administrator",
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
    ),
    ("Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451"),
    (
        "Hybrid Identity Administrator",
        "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
    ),
    (
        "Domain Name Administrator",
        "8329153b-31d0-4727-b945-745eb3bc5f31",
    ),
    (
        "External Identity Provider Administrator",
        "be2f45a1-457d-42af-a067-6ec1fa63bc45",
    ),
];

pub(crate) fn resource_schema() -> ResourceSchema {
    let id_set = |text: &str| {
        let mut a = Attr::string_set().describe(text);
        a.items = Some(Box::new(Attr::string().case_insensitive()));
        a
    };
    let mut duration = Attr::int().describe(
        "Days a request stays open before it expires (1 to 30; the portal's \"Consent request \
         expires after\").",
    );
    duration.minimum = Some(1.0);
    duration.maximum = Some(30.0);
    ResourceSchema::new(
        TYPE_NAME,
        ResourceKind::Singleton,
        "The admin consent workflow: users who may not consent to an app can ask for it, and \
         the reviewers named here approve or deny.",
        Attr::object([
            (
                ENABLED,
                Attr::bool()
                    .describe("Whether users can request admin consent (the workflow is on).")
                    .required(),
            ),
            (
                NOTIFY,
                Attr::bool().describe("Whether reviewers get an email for each new request."),
            ),
            (
                REMINDERS,
                Attr::bool().describe("Whether reviewers get reminders before a request expires."),
            ),
            (DURATION, duration),
            (USERS, id_set("Object ids of users who review requests.")),
            (
                GROUPS,
                id_set("Object ids of groups whose members (transitively) review requests."),
            ),
            (
                ROLES,
                id_set(
                    "Directory roles whose holders review requests: role template ids or \
                     built-in role names such as \"Cloud Application Administrator\".",
                ),
            ),
            (
                "version",
                Attr::int()
                    .describe("The policy's version, which Graph raises on every change.")
                    .computed(),
            ),
            (
                "other_reviewer_queries",
                Attr::list(Attr::string())
                    .describe("Reviewer queries of other shapes, which zentra keeps as they are.")
                    .computed(),
            ),
        ]),
    )
    .with_permissions(vec![
        Permission::new(
            PermissionSystem::GraphApplication,
            "Policy.Read.All",
            Access::Read,
            "GET /policies/adminConsentRequestPolicy",
        ),
        Permission::new(
            PermissionSystem::GraphApplication,
            "Policy.ReadWrite.ConsentRequest",
            Access::Write,
            "PUT /policies/adminConsentRequestPolicy",
        ),
        Permission::new(
            PermissionSystem::EntraRole,
            "Cloud Application Administrator",
            Access::Write,
            "signed in as a person: configure the admin consent workflow",
        ),
    ])
}

fn strings(value: Option<&Value>) -> Option<Vec<String>> {
    let list = value?.as_list()?;
    Some(
        list.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    )
}

/// A role name or template id as its (lower-case) template id.
fn role_id(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if uuid::Uuid::parse_str(trimmed).is_ok() {
        return Some(trimmed.to_ascii_lowercase());
    }
    ROLE_TEMPLATES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(trimmed))
        .map(|(_, id)| id.to_string())
}

/// The built-in role whose template id is `id`, by name.
pub(crate) fn role_name(id: &str) -> Option<&'static str> {
    ROLE_TEMPLATES
        .iter()
        .find(|(_, template)| template.eq_ignore_ascii_case(id.trim()))
        .map(|(name, _)| *name)
}

/// Role names become template ids; enabling the workflow with no reviewer at all is refused.
pub(crate) fn complete(desired: Value) -> Result<Value, Vec<InvalidAttribute>> {
    let Value::Object(mut map) = desired else {
        return Ok(desired);
    };
    let mut invalid = Vec::new();
    if let Some(Value::List(items)) = map.get(ROLES).map(|v| v.unmark().0.clone()) {
        let mut ids = Vec::new();
        for item in items {
            match item.unmark().0 {
                Value::String(text) => match role_id(text) {
                    Some(id) => ids.push(Value::String(id)),
                    None => invalid.push(InvalidAttribute {
                        path: ROLES.into(),
                        message: format!(
                            "\"{text}\" is neither a role template id nor a built-in role zentra \
                             knows by name"
                        ),
                        hint: Some(
                            match closest(text, ROLE_TEMPLATES.iter().map(|(n, _)| *n)) {
                                Some(near) => format!("did you mean \"{near}\"?"),
                                None => "give the role's template id (a GUID)".to_string(),
                            },
                        ),
                    }),
                },
                _ => ids.push(item.clone()),
            }
        }
        map.insert(ROLES.into(), Value::List(ids));
    }
    let enabled = matches!(
        map.get(ENABLED).map(|v| v.unmark().0),
        Some(Value::Bool(true))
    );
    let all_lists_empty = [USERS, GROUPS, ROLES].iter().all(
        |name| matches!(map.get(*name).map(|v| v.unmark().0), Some(Value::List(l)) if l.is_empty()),
    );
    if enabled && all_lists_empty {
        invalid.push(InvalidAttribute {
            path: ENABLED.into(),
            message: "the workflow is enabled but has no reviewer: nobody could approve a request"
                .into(),
            hint: Some(format!("name reviewers in {USERS}, {GROUPS} or {ROLES}")),
        });
    }
    if invalid.is_empty() {
        Ok(Value::Object(map))
    } else {
        Err(invalid)
    }
}

/// One reviewer query, recognised.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Reviewer {
    User(String),
    Group(String),
    Role(String),
    Other(Json),
}

fn parse_reviewer(entry: &Json) -> Reviewer {
    let query = entry.get("query").and_then(Json::as_str).unwrap_or("");
    let query_type = entry.get("queryType").and_then(Json::as_str).unwrap_or("");
    if query_type != "MicrosoftGraph" {
        return Reviewer::Other(entry.clone());
    }
    let path = query
        .strip_prefix("/v1.0")
        .or_else(|| query.strip_prefix("/beta"))
        .unwrap_or(query);
    let guid = |s: &str| uuid::Uuid::parse_str(s).ok().map(|u| u.to_string());
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["users", id] => guid(id).map(Reviewer::User),
        ["groups", id] | ["groups", id, "transitiveMembers"] => guid(id).map(Reviewer::Group),
        ["groups", id, "transitiveMembers", "microsoft.graph.user"] => {
            guid(id).map(Reviewer::Group)
        }
        ["roleManagement", "directory", rest] => rest
            .strip_prefix("roleAssignments?$filter=roleDefinitionId eq '")
            .and_then(|r| r.strip_suffix('\''))
            .and_then(guid)
            .map(Reviewer::Role),
        _ => None,
    }
    .unwrap_or_else(|| Reviewer::Other(entry.clone()))
}

fn reviewer_json(reviewer: &Reviewer) -> Json {
    let query = match reviewer {
        Reviewer::User(id) => format!("/users/{id}"),
        Reviewer::Group(id) => format!("/groups/{id}/transitiveMembers/microsoft.graph.user"),
        Reviewer::Role(id) => format!(
            "/beta/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '{id}'"
        ),
        Reviewer::Other(json) => return json.clone(),
    };
    json!({"query": query, "queryType": "MicrosoftGraph", "queryRoot": null})
}

fn reviewers(policy: &Json) -> Vec<Reviewer> {
    policy
        .get("reviewers")
        .and_then(Json::as_array)
        .map(|list| list.iter().map(parse_reviewer).collect())
        .unwrap_or_default()
}

fn ids_of(reviewers: &[Reviewer], pick: fn(&Reviewer) -> Option<&String>) -> Vec<String> {
    let mut ids: Vec<String> = reviewers.iter().filter_map(pick).cloned().collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The policy as attributes.
pub(crate) fn remote_object(policy: &Json) -> RemoteObject {
    let all = reviewers(policy);
    let other: Vec<Json> = all
        .iter()
        .filter_map(|r| match r {
            Reviewer::Other(json) => Some(json!(
                json.get("query").and_then(Json::as_str).unwrap_or_default()
            )),
            _ => None,
        })
        .collect();
    let field = |name: &str| policy.get(name).cloned().unwrap_or(Json::Null);
    RemoteObject {
        id: "adminConsentRequestPolicy".into(),
        attributes: Value::from_json(&json!({
            ENABLED: field("isEnabled"),
            NOTIFY: field("notifyReviewers"),
            REMINDERS: field("remindersEnabled"),
            DURATION: field("requestDurationInDays"),
            USERS: ids_of(&all, |r| match r { Reviewer::User(id) => Some(id), _ => None }),
            GROUPS: ids_of(&all, |r| match r { Reviewer::Group(id) => Some(id), _ => None }),
            ROLES: ids_of(&all, |r| match r { Reviewer::Role(id) => Some(id), _ => None }),
            "version": field("version"),
            "other_reviewer_queries": other,
        })),
        ownership: Default::default(),
    }
}

fn invalid(message: impl Into<String>) -> ProviderError {
    ProviderError::new(ErrorKind::Invalid, message)
}

/// A configured bool, or the live one.
fn bool_or_live(
    config: &Value,
    attribute: &str,
    live: &Json,
    property: &str,
) -> ProviderResult<Json> {
    match config.get(attribute).map(|v| v.unmark().0) {
        Some(Value::Bool(b)) => Ok(json!(b)),
        Some(Value::Unknown) => Err(invalid(format!(
            "`{attribute}` is still unknown at apply time"
        ))),
        _ => Ok(live.get(property).cloned().unwrap_or(json!(false))),
    }
}

/// The whole policy to `PUT`: configured values over live ones.
fn desired_policy(config: &Value, live: &Json) -> ProviderResult<Map<String, Json>> {
    let mut body = Map::new();
    body.insert(
        "isEnabled".into(),
        bool_or_live(config, ENABLED, live, "isEnabled")?,
    );
    body.insert(
        "notifyReviewers".into(),
        bool_or_live(config, NOTIFY, live, "notifyReviewers")?,
    );
    body.insert(
        "remindersEnabled".into(),
        bool_or_live(config, REMINDERS, live, "remindersEnabled")?,
    );
    let duration = match config.get(DURATION).map(|v| v.unmark().0) {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::Unknown) => {
            return Err(invalid(format!(
                "`{DURATION}` is still unknown at apply time"
            )));
        }
        _ => live
            .get("requestDurationInDays")
            .and_then(Json::as_i64)
            .unwrap_or(0),
    };
    body.insert("requestDurationInDays".into(), json!(duration));
    let live_reviewers = reviewers(live);
    let mut wanted: Vec<Reviewer> = Vec::new();
    for (attribute, make) in [
        (USERS, Reviewer::User as fn(String) -> Reviewer),
        (GROUPS, Reviewer::Group),
        (ROLES, Reviewer::Role),
    ] {
        match strings(config.get(attribute)) {
            Some(ids) => {
                let mut ids: Vec<String> = ids.iter().map(|i| i.to_ascii_lowercase()).collect();
                ids.sort();
                ids.dedup();
                wanted.extend(ids.into_iter().map(make));
            }
            None => wanted.extend(
                live_reviewers
                    .iter()
                    .filter(|r| {
                        std::mem::discriminant(*r) == std::mem::discriminant(&make(String::new()))
                    })
                    .cloned(),
            ),
        }
    }
    wanted.extend(
        live_reviewers
            .iter()
            .filter(|r| matches!(r, Reviewer::Other(_)))
            .cloned(),
    );
    let enabled = body.get("isEnabled") == Some(&json!(true));
    if enabled && wanted.is_empty() {
        return Err(
            invalid("the admin consent workflow cannot be enabled without a reviewer")
                .with_hint(format!("name reviewers in {USERS}, {GROUPS} or {ROLES}")),
        );
    }
    if enabled && !(1..=30).contains(&duration) {
        return Err(invalid(format!(
            "`{DURATION}` must be set (1 to 30 days) to enable the admin consent workflow"
        )));
    }
    body.insert(
        "reviewers".into(),
        Json::Array(wanted.iter().map(reviewer_json).collect()),
    );
    Ok(body)
}

/// Whether `live` already is the policy `body` describes (reviewers compared as sets).
fn same_policy(body: &Map<String, Json>, live: &Json) -> bool {
    let scalar_same = [
        "isEnabled",
        "notifyReviewers",
        "remindersEnabled",
        "requestDurationInDays",
    ]
    .iter()
    .all(|k| body.get(*k) == live.get(*k));
    let mut want = reviewers(&Json::Object(body.clone()));
    let mut have = reviewers(live);
    let key = |r: &Reviewer| format!("{r:?}");
    want.sort_by_key(key);
    have.sort_by_key(key);
    scalar_same && want == have
}

/// Makes the policy match with one `PUT` of the whole policy, when anything differs.
pub(crate) async fn write(
    provider: &AzureAdProvider,
    req: &WriteRequest,
) -> ProviderResult<RemoteObject> {
    let live = provider.graph.get(POLICY_PATH).await?;
    let body = desired_policy(&req.config, &live)?;
    if same_policy(&body, &live) {
        return Ok(remote_object(&live));
    }
    provider
        .graph
        .send(&GraphRequest::put(POLICY_PATH, Json::Object(body.clone())))
        .await?;
    let mut written = body;
    written.insert(
        "version".into(),
        live.get("version").cloned().unwrap_or(Json::Null),
    );
    Ok(remote_object(&Json::Object(written)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &str = "b6879be8-fb87-4482-a72e-18445d2b5c54";
    const GROUP: &str = "3a4c8e83-5ad8-4ae7-8ac7-ba8e8d2e2f04";
    const CLOUD_APP_ADMIN: &str = "158c047a-c907-4556-b7ef-446551a6b5f7";

    fn v(json: Json) -> Value {
        Value::from_json(&json)
    }

    #[test]
    fn reviewer_queries_of_every_known_shape_are_recognised() {
        let policy = json!({"reviewers": [
            {"query": format!("/users/{USER}"), "queryType": "MicrosoftGraph"},
            {"query": format!("/v1.0/groups/{GROUP}/transitiveMembers/microsoft.graph.user"), "queryType": "MicrosoftGraph"},
            {"query": format!("/beta/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '{CLOUD_APP_ADMIN}'"), "queryType": "MicrosoftGraph"},
            {"query": "/directoryRoles/x", "queryType": "MicrosoftGraph"},
        ], "isEnabled": true, "version": 3});
        let object = remote_object(&policy);
        let attrs = object.attributes.to_json().unwrap();
        assert_eq!(attrs[USERS], json!([USER]));
        assert_eq!(attrs[GROUPS], json!([GROUP]));
        assert_eq!(attrs[ROLES], json!([CLOUD_APP_ADMIN]));
        assert_eq!(
            attrs["other_reviewer_queries"],
            json!(["/directoryRoles/x"])
        );
        assert_eq!(attrs["version"], 3);
    }

    #[test]
    fn the_put_body_takes_configured_values_over_live_ones_and_keeps_unknown_reviewers() {
        let live = json!({"isEnabled": false, "notifyReviewers": true, "remindersEnabled": true,
            "requestDurationInDays": 7, "version": 1, "reviewers": [
                {"query": format!("/users/{USER}"), "queryType": "MicrosoftGraph"},
                {"query": "/directoryRoles/x", "queryType": "MicrosoftGraph"}]});
        let config = v(json!({"enabled": true, "reviewer_roles": [CLOUD_APP_ADMIN]}));
        let body = desired_policy(&config, &live).unwrap();
        assert_eq!(body["isEnabled"], true);
        assert_eq!(body["notifyReviewers"], true, "kept from live");
        assert_eq!(body["requestDurationInDays"], 7);
        let queries: Vec<&str> = body["reviewers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["query"].as_str().unwrap())
            .collect();
        assert!(
            queries.contains(&format!("/users/{USER}").as_str()),
            "users kept: {queries:?}"
        );
        assert!(
            queries
                .iter()
                .any(|q| q.ends_with(&format!("'{CLOUD_APP_ADMIN}'")))
        );
        assert!(queries.contains(&"/directoryRoles/x"));
        assert!(!same_policy(&body, &live));
        let mut applied = body.clone();
        applied.insert("version".into(), json!(2));
        assert!(same_policy(&body, &Json::Object(applied)));
    }

    #[test]
    fn enabling_needs_reviewers_and_a_duration() {
        let live = json!({"isEnabled": false, "requestDurationInDays": 0, "reviewers": []});
        let err = desired_policy(&v(json!({"enabled": true})), &live).unwrap_err();
        assert!(
            err.message.contains("without a reviewer"),
            "{}",
            err.message
        );
        let err = desired_policy(
            &v(json!({"enabled": true, "reviewer_user_ids": [USER]})),
            &live,
        )
        .unwrap_err();
        assert!(
            err.message.contains("request_duration_days"),
            "{}",
            err.message
        );
        assert!(desired_policy(&v(json!({"enabled": false})), &live).is_ok());
    }

    #[test]
    fn role_names_become_template_ids_and_typos_are_refused() {
        let done = complete(v(json!({"enabled": true,
            "reviewer_roles": ["cloud application administrator", "62E90394-69F5-4237-9190-012177145E10"]})))
        .unwrap();
        assert_eq!(
            done.get(ROLES).unwrap().to_json().unwrap(),
            json!([CLOUD_APP_ADMIN, "62e90394-69f5-4237-9190-012177145e10"])
        );
        let err = complete(v(
            json!({"enabled": true, "reviewer_roles": ["Cloud App Administrator"]}),
        ))
        .unwrap_err();
        assert_eq!(err[0].path, ROLES);
        let err = complete(v(json!({"enabled": true, "reviewer_user_ids": [],
            "reviewer_group_ids": [], "reviewer_roles": []})))
        .unwrap_err();
        assert_eq!(err[0].path, ENABLED);
    }

    #[test]
    fn template_ids_are_named_after_their_roles() {
        assert_eq!(
            role_name("62E90394-69F5-4237-9190-012177145E10"),
            Some("Global Administrator")
        );
        assert_eq!(
            role_name(CLOUD_APP_ADMIN),
            Some("Cloud Application Administrator")
        );
        assert_eq!(role_name(USER), None);
    }
}
