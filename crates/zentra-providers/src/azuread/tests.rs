//! Tests of the `azuread` provider: configuration, and reads and writes against a minimal
//! local stand-in for Graph that records every request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;

use super::*;
use crate::client::RetryPolicy;

const GRAPH_APP: &str = "00000003-0000-0000-c000-000000000000";
const ZOOM_APP: &str = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29";
const TEAM: &str =
    "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team";

fn env(pairs: &[(&str, &str)]) -> Environment {
    Environment::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

fn block(json: Json) -> Value {
    Value::from_json(&json)
}

#[test]
fn configuration_falls_back_to_the_environment_and_checks_endpoints() {
    let all_env = env(&[
        ("AZURE_TENANT_ID", "contoso.onmicrosoft.com"),
        ("AZURE_CLIENT_ID", "cid"),
        ("AZURE_CLIENT_SECRET", "sec"),
    ]);
    let provider = AzureAdProviderType::default()
        .configure(&Value::object(), &all_env)
        .unwrap();
    assert_eq!(provider.name(), "azuread");

    let err = AzureAdProviderType::default()
        .configure(
            &block(json!({"tenant_id": "t", "client_id": "c"})),
            &Environment::default(),
        )
        .err()
        .unwrap();
    assert_eq!(err.kind, ErrorKind::Configuration);
    assert!(err.message.contains("client_secret") && err.message.contains("AZURE_CLIENT_SECRET"));

    let err = AzureAdProviderType::default()
        .configure(&block(json!({"tenant_id": "../evil"})), &all_env)
        .err()
        .unwrap();
    assert!(err.message.contains("tenant_id"));

    let err = AzureAdProviderType::default()
        .configure(&Value::object(), &{
            let mut e = all_env.clone();
            e.set("AZURE_GRAPH_URL", "http://graph.example.com");
            e
        })
        .err()
        .unwrap();
    assert!(err.message.contains("graph_url"));

    let configured =
        |extra: Json| AzureAdProviderType::default().configure(&block(extra), &all_env);
    assert!(configured(json!({"tenant_size": "large", "rate_limit_share": 0.5})).is_ok());
    let err = configured(json!({"tenant_size": "huge"})).err().unwrap();
    assert!(
        err.message.contains("small, medium, large"),
        "{}",
        err.message
    );
    let err = configured(json!({"rate_limit_share": 0})).err().unwrap();
    assert!(err.message.contains("rate_limit_share"), "{}", err.message);
}

#[test]
fn schemas_name_every_attribute() {
    let provider = AzureAdProviderType::default();
    assert!(
        provider
            .config_schema()
            .property("client_secret")
            .unwrap()
            .sensitive
    );
    let schemas = provider.resource_schemas();
    let names: Vec<&str> = schemas.iter().map(|s| s.type_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "azuread_user_consent_policy",
            "azuread_service_principal",
            "azuread_delegated_permission_grant",
            "azuread_admin_consent_request_policy",
            "azuread_app_role_assignment",
            "azuread_domain_federation",
            "azuread_domain",
            "azuread_service_principal",
            "azuread_well_known_applications",
        ]
    );
    let attrs = |i: usize| -> Vec<&str> {
        schemas[i]
            .body
            .properties
            .keys()
            .map(String::as_str)
            .collect()
    };
    assert_eq!(
        attrs(0),
        ["user_consent", "allow_user_consent_for_risky_apps"]
    );
    assert_eq!(
        attrs(1),
        [
            "app_id",
            "account_enabled",
            "app_role_assignment_required",
            "tags",
            "feature_tags",
            "object_id",
            "display_name"
        ]
    );
    assert_eq!(
        attrs(2),
        [
            "service_principal_object_id",
            "resource_app_id",
            "scopes",
            "user_object_id",
            "resource_object_id"
        ]
    );
    assert!(schemas[1].body.property("app_id").unwrap().force_new);
    assert!(schemas[2].body.property("scopes").unwrap().set);
    // An app role assignment cannot change: every written attribute replaces it.
    let assignment = &schemas[4].body;
    assert!(
        assignment
            .properties
            .values()
            .filter(|a| !a.computed)
            .all(|a| a.force_new)
    );
}

#[test]
fn every_type_declares_least_privilege_permissions() {
    use zentra_engine::schema::{Access, PermissionSystem};
    for schema in AzureAdProviderType::default().resource_schemas() {
        let graph = |access: Access| {
            schema
                .permissions
                .iter()
                .filter(|p| p.system == PermissionSystem::GraphApplication && p.access == access)
                .count()
        };
        if schema.type_name == "azuread_well_known_applications" {
            assert!(schema.permissions.is_empty(), "makes no request");
            continue;
        }
        assert!(graph(Access::Read) > 0, "{} reads", schema.type_name);
        let writable = schema.kind != zentra_engine::schema::ResourceKind::Data;
        assert_eq!(graph(Access::Write) > 0, writable, "{}", schema.type_name);
        for p in &schema.permissions {
            assert!(!p.reason.is_empty(), "{}: {}", schema.type_name, p.name);
            // Never the tenant-wide catch-all permissions.
            assert!(!p.name.starts_with("Directory."), "{}", p.name);
        }
    }
}

/// A small Graph: service principals, grants and the authorization policy in memory.
pub(crate) struct Stub {
    pub(crate) sps: Vec<Json>,
    pub(crate) grants: Vec<Json>,
    pub(crate) policy: Json,
    /// `METHOD path?query` of every request, `$batch` inner requests prefixed with `batch:`.
    pub(crate) log: Vec<String>,
    pub(crate) patches: Vec<(String, Json)>,
    /// Grant creates referencing these client ids fail with 400 Request_BadRequest this many times.
    pub(crate) lagging_clients: HashMap<String, usize>,
    /// Lookups of these app ids find nothing this many times (a new object not replicated yet).
    pub(crate) hidden_lookups: HashMap<String, usize>,
    pub(crate) next_id: usize,
}

impl Stub {
    pub(crate) fn new() -> Self {
        Stub {
            sps: vec![
                json!({"id": "graph-sp", "appId": GRAPH_APP, "displayName": "Microsoft Graph",
                "accountEnabled": true, "appRoleAssignmentRequired": false, "tags": []}),
            ],
            grants: vec![],
            policy: json!({"id": "authorizationPolicy", "allowUserConsentForRiskyApps": false,
                "defaultUserRolePermissions": {"allowedToCreateApps": true, "permissionGrantPoliciesAssigned":
                    [TEAM, "ManagePermissionGrantsForSelf.microsoft-user-default-legacy"]}}),
            log: vec![],
            patches: vec![],
            lagging_clients: HashMap::new(),
            hidden_lookups: HashMap::new(),
            next_id: 0,
        }
    }
}

fn error(status: u16, code: &str) -> (u16, Json) {
    (
        status,
        json!({"error": {"code": code, "message": "stub", "innerError": {"request-id": format!("rid-{code}")}}}),
    )
}

fn filter_value(filter: &str, field: &str) -> Option<String> {
    let start = filter.find(&format!("{field} eq '"))? + field.len() + 5;
    let rest = &filter[start..];
    Some(rest[..rest.find('\'')?].to_string())
}

fn handle(stub: &mut Stub, method: &Method, path_and_query: &str, body: Json) -> (u16, Json) {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let query: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let filter = query.get("$filter").cloned().unwrap_or_default();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["policies", "authorizationPolicy"]) => (200, stub.policy.clone()),
        ("PATCH", ["policies", "authorizationPolicy"]) => {
            stub.patches.push((path.to_string(), body.clone()));
            crate::paths::deep_merge(&mut stub.policy, &body);
            (204, Json::Null)
        }
        ("GET", ["servicePrincipals"]) => {
            let app = filter_value(&filter, "appId").unwrap_or_default();
            if let Some(left) = stub.hidden_lookups.get_mut(&app)
                && *left > 0
            {
                *left -= 1;
                return (200, json!({"value": []}));
            }
            let value: Vec<Json> = stub
                .sps
                .iter()
                .filter(|s| s["appId"] == app.as_str())
                .cloned()
                .collect();
            (200, json!({"value": value}))
        }
        ("GET", ["servicePrincipals", id]) => match stub.sps.iter().find(|s| s["id"] == *id) {
            Some(sp) => (200, sp.clone()),
            None => error(404, "Request_ResourceNotFound"),
        },
        ("POST", ["servicePrincipals"]) => {
            if stub.sps.iter().any(|s| s["appId"] == body["appId"]) {
                return error(409, "Request_MultipleObjectsWithSameKeyValue");
            }
            stub.next_id += 1;
            let mut sp = json!({"id": format!("sp-{}", stub.next_id), "displayName": "New app",
                "accountEnabled": true, "appRoleAssignmentRequired": false, "tags": []});
            crate::paths::deep_merge(&mut sp, &body);
            stub.sps.push(sp.clone());
            (201, sp)
        }
        ("PATCH", ["servicePrincipals", id]) => {
            stub.patches.push((path.to_string(), body.clone()));
            match stub.sps.iter_mut().find(|s| s["id"] == *id) {
                Some(sp) => {
                    crate::paths::deep_merge(sp, &body);
                    (204, Json::Null)
                }
                None => error(404, "Request_ResourceNotFound"),
            }
        }
        ("DELETE", ["servicePrincipals", id]) => {
            let before = stub.sps.len();
            stub.sps.retain(|s| s["id"] != *id);
            if stub.sps.len() < before {
                (204, Json::Null)
            } else {
                error(404, "Request_ResourceNotFound")
            }
        }
        ("GET", ["oauth2PermissionGrants"]) => {
            let client = filter_value(&filter, "clientId").unwrap_or_default();
            let consent = filter_value(&filter, "consentType").unwrap_or_default();
            let value: Vec<Json> = stub
                .grants
                .iter()
                .filter(|g| {
                    g["clientId"] == client.as_str() && g["consentType"] == consent.as_str()
                })
                .cloned()
                .collect();
            (200, json!({"value": value}))
        }
        ("GET", ["oauth2PermissionGrants", id]) => {
            match stub.grants.iter().find(|g| g["id"] == *id) {
                Some(g) => (200, g.clone()),
                None => error(404, "Request_ResourceNotFound"),
            }
        }
        ("POST", ["oauth2PermissionGrants"]) => {
            let client = body["clientId"].as_str().unwrap_or("").to_string();
            if let Some(left) = stub.lagging_clients.get_mut(&client)
                && *left > 0
            {
                *left -= 1;
                return error(400, "Request_BadRequest");
            }
            if stub
                .grants
                .iter()
                .any(|g| g["clientId"] == body["clientId"] && g["resourceId"] == body["resourceId"])
            {
                return error(409, "Request_MultipleObjectsWithSameKeyValue");
            }
            stub.next_id += 1;
            let mut grant = body.clone();
            grant["id"] = json!(format!("grant-{}", stub.next_id));
            grant["principalId"] = Json::Null;
            stub.grants.push(grant.clone());
            (201, grant)
        }
        ("PATCH", ["oauth2PermissionGrants", id]) => {
            stub.patches.push((path.to_string(), body.clone()));
            match stub.grants.iter_mut().find(|g| g["id"] == *id) {
                Some(g) => {
                    g["scope"] = body["scope"].clone();
                    (204, Json::Null)
                }
                None => error(404, "Request_ResourceNotFound"),
            }
        }
        ("DELETE", ["oauth2PermissionGrants", id]) => {
            let before = stub.grants.len();
            stub.grants.retain(|g| g["id"] != *id);
            if stub.grants.len() < before {
                (204, Json::Null)
            } else {
                error(404, "Request_ResourceNotFound")
            }
        }
        _ => error(400, "BadRequest"),
    }
}

pub(crate) type Shared = Arc<Mutex<Stub>>;

async fn graph(State(stub): State<Shared>, method: Method, uri: Uri, body: Bytes) -> Response {
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let Some(relative) = path_and_query.strip_prefix("/v1.0") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let body: Json = serde_json::from_slice(&body).unwrap_or(Json::Null);
    let mut stub = stub.lock().unwrap();
    if relative == "/$batch" && method == Method::POST {
        stub.log.push("POST /$batch".into());
        let mut responses = Vec::new();
        for r in body["requests"].as_array().cloned().unwrap_or_default() {
            let url = r["url"].as_str().unwrap_or("").to_string();
            stub.log.push(format!("batch:GET {url}"));
            let (status, body) = handle(&mut stub, &Method::GET, &url, Json::Null);
            responses.push(json!({"id": r["id"], "status": status, "body": body}));
        }
        return axum::Json(json!({"responses": responses})).into_response();
    }
    stub.log.push(format!("{method} {relative}"));
    let (status, answer) = handle(&mut stub, &method, relative, body);
    let status = StatusCode::from_u16(status).unwrap();
    if answer.is_null() {
        status.into_response()
    } else {
        (status, axum::Json(answer)).into_response()
    }
}

pub(crate) async fn start(stub: Shared) -> String {
    async fn token() -> Response {
        axum::Json(json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "tok"}))
            .into_response()
    }
    let app = Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .fallback(graph)
        .with_state(stub);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

fn options() -> GraphClientOptions {
    GraphClientOptions {
        retry: RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(1),
            ..RetryPolicy::default()
        },
        replication_wait: Duration::from_millis(400),
        replication_backoff: Duration::from_millis(10),
        ..GraphClientOptions::default()
    }
}

async fn setup() -> (Shared, AzureAdProvider) {
    let stub = Arc::new(Mutex::new(Stub::new()));
    let base = start(stub.clone()).await;
    let graph = GraphClient::new(
        GraphCredentials {
            tenant_id: "tenant".into(),
            client_id: "cid".into(),
            credential: crate::client::entra_auth::Credential::ClientSecret(
                "graph-secret-value".into(),
            ),
        },
        GraphEndpoints {
            graph_url: base.clone(),
            login_url: base,
        },
        options(),
    )
    .unwrap();
    (stub, AzureAdProvider::new(graph, options()))
}

fn read(type_name: &str, config: Value, id: Option<&str>) -> ReadRequest {
    ReadRequest::whole(
        type_name,
        crate::mode_of(type_name),
        id.map(str::to_string),
        config,
    )
}

fn write(type_name: &str, config: Json, id: Option<&str>, prior: Option<Value>) -> WriteRequest {
    WriteRequest {
        type_name: type_name.into(),
        id: id.map(str::to_string),
        config: block(config),
        prior,
        changed_paths: vec![],
        creator: None,
    }
}

fn log(stub: &Shared) -> Vec<String> {
    std::mem::take(&mut stub.lock().unwrap().log)
}

#[tokio::test]
async fn debug_output_never_shows_the_secret() {
    let (_stub, provider) = setup().await;
    let shown = format!("{provider:?}");
    assert!(shown.contains("cid"));
    assert!(!shown.contains("graph-secret-value"), "{shown}");
}

#[tokio::test]
async fn a_refresh_wave_goes_out_as_one_batch() {
    let (stub, provider) = setup().await;
    stub.lock()
        .unwrap()
        .grants
        .push(json!({"id": "g-1", "clientId": "zoom-sp",
        "consentType": "AllPrincipals", "resourceId": "graph-sp", "principalId": null,
        "scope": " User.Read openid User.Read"}));
    stub.lock().unwrap().sps.push(json!({"id": "zoom-sp", "appId": ZOOM_APP, "displayName": "Zoom",
        "accountEnabled": true, "appRoleAssignmentRequired": false, "tags": ["WindowsAzureActiveDirectoryIntegratedApp"]}));
    let unknown_client = Value::Object(
        [
            ("service_principal_object_id".to_string(), Value::Unknown),
            ("resource_app_id".to_string(), Value::str(GRAPH_APP)),
            (
                "scopes".to_string(),
                Value::List(vec![Value::str("User.Read")]),
            ),
        ]
        .into_iter()
        .collect(),
    );
    let batch = vec![
        read(
            "azuread_user_consent_policy",
            block(json!({"user_consent": "disabled"})),
            None,
        ),
        read(
            "azuread_service_principal",
            block(json!({"app_id": ZOOM_APP})),
            None,
        ),
        read(
            "azuread_service_principal",
            block(json!({"app_id": "not-in-tenant"})),
            None,
        ),
        read(
            "azuread_delegated_permission_grant",
            block(
                json!({"service_principal_object_id": "zoom-sp", "resource_app_id": GRAPH_APP,
                "scopes": ["openid", "User.Read"]}),
            ),
            None,
        ),
        read("azuread_delegated_permission_grant", unknown_client, None),
        read(
            "azuread_service_principal",
            block(json!({"app_id": GRAPH_APP})),
            None,
        ),
    ];
    let results = provider.read(&batch).await;
    let requests = log(&stub);
    assert_eq!(
        requests.iter().filter(|r| !r.starts_with("batch:")).count(),
        1,
        "{requests:?}"
    );
    assert_eq!(requests[0], "POST /$batch");
    // The Graph SP lookup serves both the SP resource and the grant's resource resolution.
    assert_eq!(requests.len(), 1 + 5, "{requests:?}");

    let policy = results[0].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(policy.id, "authorizationPolicy");
    assert_eq!(
        policy
            .attributes
            .get("user_consent")
            .and_then(Value::as_str),
        Some("all_apps")
    );
    let zoom = results[1].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(zoom.id, "zoom-sp", "adopted though state has no id");
    assert_eq!(
        zoom.attributes.get("display_name").and_then(Value::as_str),
        Some("Zoom")
    );
    assert_eq!(results[2], Ok(None));
    let grant = results[3].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(grant.id, "g-1");
    assert_eq!(
        grant.attributes.get("scopes").and_then(Value::to_json),
        Some(json!(["User.Read", "openid"]))
    );
    assert_eq!(
        grant
            .attributes
            .get("resource_object_id")
            .and_then(Value::as_str),
        Some("graph-sp")
    );
    assert_eq!(
        results[4],
        Ok(None),
        "an unknown lookup key means no request and no object"
    );
    assert_eq!(
        results[5].as_ref().unwrap().as_ref().unwrap().id,
        "graph-sp"
    );
}

#[tokio::test]
async fn reads_by_id_find_objects_whose_key_is_unknown_and_report_gone_ones() {
    let (stub, provider) = setup().await;
    stub.lock().unwrap().grants.push(
        json!({"id": "g-9", "clientId": "c", "consentType": "AllPrincipals",
        "resourceId": "graph-sp", "scope": "x"}),
    );
    let unknown_client = Value::Object(
        [("service_principal_object_id".to_string(), Value::Unknown)]
            .into_iter()
            .collect(),
    );
    let results = provider
        .read(&[
            read(
                "azuread_delegated_permission_grant",
                unknown_client.clone(),
                Some("g-9"),
            ),
            read(
                "azuread_delegated_permission_grant",
                unknown_client,
                Some("g-gone"),
            ),
        ])
        .await;
    assert_eq!(results[0].as_ref().unwrap().as_ref().unwrap().id, "g-9");
    assert_eq!(results[1], Ok(None));
}

#[tokio::test]
async fn an_existing_service_principal_is_adopted_not_duplicated() {
    let (stub, provider) = setup().await;
    stub.lock().unwrap().sps.push(
        json!({"id": "zoom-sp", "appId": ZOOM_APP, "displayName": "Zoom",
        "accountEnabled": true, "appRoleAssignmentRequired": false, "tags": []}),
    );
    let created = provider
        .create(&write(
            "azuread_service_principal",
            json!({"app_id": ZOOM_APP, "account_enabled": true, "tags": ["HideApp"]}),
            None,
            None,
        ))
        .await
        .unwrap();
    assert_eq!(created.id, "zoom-sp");
    let requests = log(&stub);
    assert!(
        !requests
            .iter()
            .any(|r| r.starts_with("POST /servicePrincipals")),
        "{requests:?}"
    );
    assert_eq!(
        stub.lock().unwrap().patches,
        [(
            "/servicePrincipals/zoom-sp".to_string(),
            json!({"tags": ["HideApp"]})
        )]
    );
    assert_eq!(
        created.attributes.get("tags").and_then(Value::to_json),
        Some(json!(["HideApp"]))
    );
}

#[tokio::test]
async fn a_new_service_principal_and_its_grant_wait_out_replication_lag() {
    let (stub, provider) = setup().await;
    let sp = provider
        .create(&write(
            "azuread_service_principal",
            json!({"app_id": ZOOM_APP, "app_role_assignment_required": true}),
            None,
            None,
        ))
        .await
        .unwrap();
    assert_eq!(sp.id, "sp-1");
    assert_eq!(
        sp.attributes.get("app_role_assignment_required"),
        Some(&Value::Bool(true))
    );
    // The directory has not caught up with the new SP yet: the first two creates fail.
    stub.lock()
        .unwrap()
        .lagging_clients
        .insert("sp-1".into(), 2);
    log(&stub);
    let grant = provider
        .create(&write(
            "azuread_delegated_permission_grant",
            json!({"service_principal_object_id": "sp-1", "resource_app_id": GRAPH_APP,
                   "scopes": ["User.Read", "Calendars.ReadWrite", "User.Read"]}),
            None,
            None,
        ))
        .await
        .unwrap();
    let requests = log(&stub);
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.as_str() == "POST /oauth2PermissionGrants")
            .count(),
        3
    );
    let stored = stub.lock().unwrap().grants[0].clone();
    assert_eq!(stored["scope"], "Calendars.ReadWrite User.Read");
    assert_eq!(stored["consentType"], "AllPrincipals");
    assert_eq!(stored["resourceId"], "graph-sp");
    assert_eq!(grant.id, stored["id"].as_str().unwrap());
    assert_eq!(
        grant
            .attributes
            .get("resource_object_id")
            .and_then(Value::as_str),
        Some("graph-sp")
    );

    // A client zentra did not just create gets no such patience.
    stub.lock()
        .unwrap()
        .lagging_clients
        .insert("old-sp".into(), 1);
    let err = provider
        .create(&write("azuread_delegated_permission_grant",
            json!({"service_principal_object_id": "old-sp", "resource_app_id": GRAPH_APP, "scopes": ["openid"]}), None, None))
        .await
        .unwrap_err();
    assert_eq!(err.vendor_code.as_deref(), Some("Request_BadRequest"));
}

#[tokio::test]
async fn an_existing_grant_is_adopted_and_only_its_scopes_are_patched() {
    let (stub, provider) = setup().await;
    stub.lock().unwrap().grants.push(
        json!({"id": "g-1", "clientId": "zoom-sp", "consentType": "AllPrincipals",
        "resourceId": "graph-sp", "scope": "openid"}),
    );
    let grant = provider
        .create(&write(
            "azuread_delegated_permission_grant",
            json!({"service_principal_object_id": "zoom-sp", "resource_app_id": GRAPH_APP,
                   "scopes": ["User.Read", "openid"]}),
            None,
            None,
        ))
        .await
        .unwrap();
    assert_eq!(grant.id, "g-1");
    let requests = log(&stub);
    assert!(
        !requests.contains(&"POST /oauth2PermissionGrants".to_string()),
        "{requests:?}"
    );
    assert_eq!(
        stub.lock().unwrap().patches,
        [(
            "/oauth2PermissionGrants/g-1".to_string(),
            json!({"scope": "User.Read openid"})
        )]
    );

    // Same scopes in another order and with duplicates: nothing to write.
    provider
        .create(&write(
            "azuread_delegated_permission_grant",
            json!({"service_principal_object_id": "zoom-sp", "resource_app_id": GRAPH_APP,
                   "scopes": ["openid", "User.Read", "openid"]}),
            None,
            None,
        ))
        .await
        .unwrap();
    assert_eq!(stub.lock().unwrap().patches.len(), 1);
}

#[tokio::test]
async fn grant_updates_and_deletes() {
    let (stub, provider) = setup().await;
    stub.lock().unwrap().grants.push(
        json!({"id": "g-1", "clientId": "zoom-sp", "consentType": "AllPrincipals",
        "resourceId": "graph-sp", "scope": "openid"}),
    );
    let prior = block(
        json!({"service_principal_object_id": "zoom-sp", "resource_app_id": GRAPH_APP,
        "scopes": ["openid"], "resource_object_id": "graph-sp"}),
    );
    let updated = provider
        .update(&write(
            "azuread_delegated_permission_grant",
            json!({"service_principal_object_id": "zoom-sp", "resource_app_id": GRAPH_APP,
                   "scopes": ["profile", "openid"]}),
            Some("g-1"),
            Some(prior),
        ))
        .await
        .unwrap();
    assert_eq!(stub.lock().unwrap().grants[0]["scope"], "openid profile");
    assert_eq!(
        updated.attributes.get("scopes").and_then(Value::to_json),
        Some(json!(["openid", "profile"]))
    );
    assert_eq!(
        updated
            .attributes
            .get("resource_object_id")
            .and_then(Value::as_str),
        Some("graph-sp")
    );

    let delete = write(
        "azuread_delegated_permission_grant",
        json!({}),
        Some("g-1"),
        None,
    );
    provider.delete(&delete).await.unwrap();
    assert!(stub.lock().unwrap().grants.is_empty());
    // Already gone is fine.
    provider.delete(&delete).await.unwrap();
    provider
        .delete(&write(
            "azuread_service_principal",
            json!({}),
            Some("nope"),
            None,
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_consent_policy_is_patched_only_where_it_differs_and_keeps_rsc_entries() {
    let (stub, provider) = setup().await;
    let written = provider
        .update(&write(
            "azuread_user_consent_policy",
            json!({"user_consent": "low_risk", "allow_user_consent_for_risky_apps": false}),
            Some("authorizationPolicy"),
            None,
        ))
        .await
        .unwrap();
    assert_eq!(
        stub.lock().unwrap().patches,
        [(
            "/policies/authorizationPolicy".to_string(),
            json!({"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned":
                [TEAM, "ManagePermissionGrantsForSelf.microsoft-user-default-low"]}})
        )]
    );
    assert_eq!(written.id, "authorizationPolicy");
    assert_eq!(
        written.attributes.to_json().unwrap(),
        json!({"user_consent": "low_risk", "allow_user_consent_for_risky_apps": false})
    );
    // The PATCH touched nothing else in defaultUserRolePermissions.
    assert_eq!(
        stub.lock().unwrap().policy["defaultUserRolePermissions"]["allowedToCreateApps"],
        true
    );

    // Already matching: read, no write.
    provider
        .create(&write(
            "azuread_user_consent_policy",
            json!({"user_consent": "low_risk"}),
            None,
            None,
        ))
        .await
        .unwrap();
    assert_eq!(stub.lock().unwrap().patches.len(), 1);

    provider
        .update(&write(
            "azuread_user_consent_policy",
            json!({"user_consent": "low_risk", "allow_user_consent_for_risky_apps": true}),
            None,
            None,
        ))
        .await
        .unwrap();
    assert_eq!(
        stub.lock().unwrap().patches[1].1,
        json!({"allowUserConsentForRiskyApps": true})
    );
}

#[tokio::test]
async fn a_custom_live_policy_reads_as_custom() {
    let (stub, provider) = setup().await;
    stub.lock().unwrap().policy["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"] =
        json!(["ManagePermissionGrantsForSelf.contoso-policy"]);
    let results = provider
        .read(&[read(
            "azuread_user_consent_policy",
            block(json!({"user_consent": "disabled"})),
            None,
        )])
        .await;
    let policy = results[0].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(
        policy
            .attributes
            .get("user_consent")
            .and_then(Value::as_str),
        Some("custom")
    );
    // A single read goes out as a plain GET.
    assert_eq!(log(&stub), ["GET /policies/authorizationPolicy"]);
}

#[tokio::test]
async fn reading_a_just_created_object_waits_for_it_to_appear() {
    let (stub, provider) = setup().await;
    let sp = provider
        .create(&write(
            "azuread_service_principal",
            json!({"app_id": ZOOM_APP}),
            None,
            None,
        ))
        .await
        .unwrap();
    stub.lock()
        .unwrap()
        .hidden_lookups
        .insert(ZOOM_APP.into(), 2);
    log(&stub);
    let results = provider
        .read(&[read(
            "azuread_service_principal",
            block(json!({"app_id": ZOOM_APP})),
            Some(&sp.id),
        )])
        .await;
    assert_eq!(results[0].as_ref().unwrap().as_ref().unwrap().id, sp.id);
    assert_eq!(log(&stub).len(), 3, "two misses, then found");

    // An object zentra did not create is reported missing at once.
    stub.lock()
        .unwrap()
        .hidden_lookups
        .insert(GRAPH_APP.into(), 1);
    let results = provider
        .read(&[read(
            "azuread_service_principal",
            block(json!({"app_id": GRAPH_APP})),
            None,
        )])
        .await;
    assert_eq!(results[0], Ok(None));
    assert_eq!(log(&stub).len(), 1);
}

fn cert_path() -> String {
    format!(
        "{}/../zentra-test-support/fixtures/certs/client.pem",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn national_clouds_set_both_endpoints_and_overrides_win() {
    let base = env(&[
        ("AZURE_TENANT_ID", "t"),
        ("AZURE_CLIENT_ID", "c"),
        ("AZURE_CLIENT_SECRET", "s"),
    ]);
    let endpoints = |config: Json, env: &Environment| resolve(&block(config), env).unwrap().1;
    let public = endpoints(json!({}), &base);
    assert_eq!(public.graph_url, "https://graph.microsoft.com");
    assert_eq!(public.login_url, "https://login.microsoftonline.com");
    let gov = endpoints(json!({"environment": "usgovernment"}), &base);
    assert_eq!(gov.graph_url, "https://graph.microsoft.us");
    assert_eq!(gov.login_url, "https://login.microsoftonline.us");
    let mut china_env = base.clone();
    china_env.set("AZURE_ENVIRONMENT", "china");
    let china = endpoints(json!({}), &china_env);
    assert_eq!(china.graph_url, "https://microsoftgraph.chinacloudapi.cn");
    assert_eq!(china.login_url, "https://login.chinacloudapi.cn");
    let emulated = endpoints(
        json!({"environment": "china", "graph_url": "http://127.0.0.1:9"}),
        &base,
    );
    assert_eq!(emulated.graph_url, "http://127.0.0.1:9");
    assert_eq!(emulated.login_url, "https://login.chinacloudapi.cn");
    // Federated tokens are asked for with the cloud's own exchange audience.
    let mut github = env(&[
        ("AZURE_TENANT_ID", "t"),
        ("AZURE_CLIENT_ID", "c"),
        (
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "https://gh.example/token?api-version=2.0",
        ),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "rt"),
    ]);
    github.set("AZURE_ENVIRONMENT", "usgovernment");
    match resolve(&Value::object(), &github).unwrap().0.credential {
        crate::client::entra_auth::Credential::GithubActions {
            audience,
            request_url,
            ..
        } => {
            assert_eq!(audience, "api://AzureADTokenExchangeUSGov");
            assert_eq!(request_url, "https://gh.example/token?api-version=2.0");
        }
        other => panic!("{other:?}"),
    }
    let err = resolve(&block(json!({"environment": "mars"})), &base).unwrap_err();
    assert!(
        err.message.contains("public, usgovernment, china"),
        "{}",
        err.message
    );
}

#[test]
fn the_sign_in_method_follows_what_is_set_in_a_documented_order() {
    let cert = cert_path();
    let secret = ("AZURE_CLIENT_SECRET", "s");
    let certificate = ("AZURE_CLIENT_CERTIFICATE_PATH", cert.as_str());
    let token_file = ("AZURE_FEDERATED_TOKEN_FILE", "token.jwt");
    let github = [
        (
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "https://gh.example/token?api-version=2.0",
        ),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "rt"),
    ];
    let method = |extra: &[(&str, &str)], config: Json| {
        let mut pairs = vec![("AZURE_TENANT_ID", "t"), ("AZURE_CLIENT_ID", "c")];
        pairs.extend_from_slice(extra);
        resolve(&block(config), &env(&pairs))
            .map(|(c, _)| c.credential.method())
            .map_err(|e| e.message)
    };
    let all = [secret, certificate, token_file, github[0], github[1]];
    assert_eq!(method(&all, json!({})), Ok("client_secret"));
    assert_eq!(method(&all[1..], json!({})), Ok("certificate"));
    assert_eq!(method(&all[2..], json!({})), Ok("workload_identity"));
    assert_eq!(method(&all[3..], json!({})), Ok("github_oidc"));
    let err = method(&[], json!({})).unwrap_err();
    assert!(
        err.contains("client_secret") && err.contains("AZURE_FEDERATED_TOKEN_FILE"),
        "{err}"
    );
    // Without an app registration: the Azure CLI of a signed-in administrator.
    let cli = resolve(&Value::object(), &env(&[("AZURE_TENANT_ID", "t")])).unwrap();
    assert_eq!(cli.0.credential.method(), "azure_cli");
    // An explicit choice wins over what is set, and says what it misses.
    assert_eq!(
        method(&all, json!({"auth": "certificate"})),
        Ok("certificate")
    );
    let err = method(&[secret], json!({"auth": "certificate"})).unwrap_err();
    assert!(err.contains("AZURE_CLIENT_CERTIFICATE_PATH"), "{err}");
    let err = method(&[secret], json!({"auth": "github_oidc"})).unwrap_err();
    assert!(err.contains("id-token: write"), "{err}");
    let err = method(
        &[
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "http://gh.example/token"),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "rt"),
        ],
        json!({}),
    )
    .unwrap_err();
    assert!(err.contains("https"), "plain http only on loopback: {err}");
}

/// A federated token for the emulator's trusted test issuer.
fn federated_token(subject: &str) -> String {
    let pem_text = include_str!("../../../zentra-test-support/fixtures/certs/oidc-issuer.pem");
    let key_block = pem::parse_many(pem_text)
        .unwrap()
        .into_iter()
        .find(|b| b.tag() == "PRIVATE KEY")
        .unwrap();
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem::encode(&key_block).as_bytes()).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("k1".into());
    let now = chrono::Utc::now().timestamp();
    jsonwebtoken::encode(
        &header,
        &json!({"iss": "https://cluster.example/oidc", "sub": subject,
                "aud": "api://AzureADTokenExchange", "iat": now, "exp": now + 600}),
        &key,
    )
    .unwrap()
}

#[tokio::test]
async fn the_federated_token_file_is_read_again_for_every_token() {
    use zentra_sim::{
        FederatedCredentialSeed, JwkSeed, OidcIssuerSeed, Seed, SimConfig, SimServer,
    };
    let cert = include_str!("../../../zentra-test-support/fixtures/certs/oidc-issuer.pem");
    let der = pem::parse_many(cert)
        .unwrap()
        .into_iter()
        .find(|b| b.tag() == "CERTIFICATE")
        .unwrap()
        .into_contents();
    let (_, parsed) = x509_parser::parse_x509_certificate(&der).unwrap();
    let (n, e) = match parsed.public_key().parsed().unwrap() {
        x509_parser::public_key::PublicKey::RSA(rsa) => {
            use base64::Engine as _;
            let trim = |b: &[u8]| b[b.iter().position(|&x| x != 0).unwrap_or(0)..].to_vec();
            let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            (
                enc.encode(trim(rsa.modulus)),
                enc.encode(trim(rsa.exponent)),
            )
        }
        _ => unreachable!(),
    };
    let mut seed = Seed::default_demo();
    seed.entra.oidc_issuers = vec![OidcIssuerSeed {
        issuer: "https://cluster.example/oidc".into(),
        keys: vec![JwkSeed {
            kid: "k1".into(),
            n,
            e,
        }],
    }];
    seed.entra.tenants[0].client_apps[0].federated_credentials = vec![FederatedCredentialSeed {
        name: "cluster".into(),
        issuer: "https://cluster.example/oidc".into(),
        subject: "system:serviceaccount:iac:zentra".into(),
        audiences: vec!["api://AzureADTokenExchange".into()],
    }];
    let sim = SimServer::start(SimConfig {
        seed,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, federated_token("system:serviceaccount:iac:zentra")).unwrap();
    let mut pairs: Vec<(String, String)> = sim
        .env_vars()
        .into_iter()
        .filter(|(k, _)| k != "AZURE_CLIENT_SECRET")
        .collect();
    pairs.push((
        "AZURE_FEDERATED_TOKEN_FILE".into(),
        file.display().to_string(),
    ));
    let (credentials, endpoints) =
        resolve(&Value::object(), &Environment::from_pairs(pairs)).unwrap();
    let graph = GraphClient::new(credentials, endpoints, options()).unwrap();
    graph.get("/domains").await.unwrap();
    // The projected token rotates: the next token request presents the file's new content.
    std::fs::write(
        &file,
        federated_token("system:serviceaccount:other:intruder"),
    )
    .unwrap();
    sim.expire_tokens();
    let err = graph.get("/domains").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Authentication);
    assert!(
        err.vendor_code
            .as_deref()
            .unwrap_or_default()
            .contains("700213"),
        "{err:?}"
    );
    assert!(err.hint.unwrap().contains("federated identity credential"));
}

#[test]
fn natural_keys_ignore_case_where_entra_id_does_and_wait_for_unknowns() {
    let t = AzureAdProviderType::default();
    let key = |type_name: &str, config: Json| t.natural_key(type_name, &block(config));
    assert_eq!(
        key(
            "azuread_service_principal",
            json!({"app_id": "00000003-0000-0000-C000-000000000000"})
        ),
        Some(format!("app_id {GRAPH_APP}"))
    );
    assert_eq!(
        key(
            "azuread_delegated_permission_grant",
            json!({"service_principal_object_id": "SP-1", "resource_app_id": GRAPH_APP})
        ),
        Some(format!("client sp-1, resource app {GRAPH_APP}, all users"))
    );
    assert_eq!(
        key(
            "azuread_domain_federation",
            json!({"domain_id": "Contoso.COM."})
        ),
        Some("domain contoso.com".into())
    );
    assert_eq!(
        key("azuread_user_consent_policy", json!({})),
        key(
            "azuread_user_consent_policy",
            json!({"user_consent": "disabled"})
        ),
    );
    let mut unknown = indexmap::IndexMap::new();
    unknown.insert("service_principal_object_id".to_string(), Value::Unknown);
    unknown.insert("resource_app_id".to_string(), Value::str(GRAPH_APP));
    assert_eq!(
        t.natural_key(
            "azuread_delegated_permission_grant",
            &Value::Object(unknown)
        ),
        None,
        "compared once it is known"
    );
}

#[test]
fn microsofts_service_principals_and_onmicrosoft_domains_are_vendor_owned() {
    let t = AzureAdProviderType::default();
    let owned = |type_name: &str, config: Json| t.vendor_owned(type_name, &block(config));
    assert!(
        owned("azuread_service_principal", json!({"app_id": GRAPH_APP}))
            .unwrap()
            .contains("Microsoft Graph")
    );
    assert!(
        owned(
            "azuread_service_principal",
            json!({"app_id": "00000002-0000-0ff1-CE00-000000000000"})
        )
        .unwrap()
        .contains("Exchange Online")
    );
    assert_eq!(
        owned("azuread_service_principal", json!({"app_id": ZOOM_APP})),
        None
    );
    assert!(
        owned(
            "azuread_domain_federation",
            json!({"domain_id": "contoso.onmicrosoft.com"})
        )
        .is_some()
    );
    assert_eq!(
        owned(
            "azuread_domain_federation",
            json!({"domain_id": "contoso.com"})
        ),
        None
    );
}
