//! The emulated Microsoft Graph, driven over loopback with plain HTTP.

use std::time::Duration;

use serde_json::{Map, Value, json};
use zentra_sim::{Faults, KnownApplication, Seed, SimConfig};
use zentra_test_support::sim::{Sim, read};

const GRAPH_APP: &str = "00000003-0000-0000-c000-000000000000";
const ZOOM_APP: &str = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29";
const GRAPH_SP: &str = "5b1e7c3a-9f2d-4e8b-a6c4-0d3f9e2b7a15";
const ZENTRA_SP: &str = "9d2e6f1a-3c8b-4a7e-b5d9-2f0c4e8a1b36";

struct Graph {
    sim: Sim,
    token: String,
}

impl Graph {
    async fn start() -> Graph {
        Graph::with(Sim::start().await).await
    }

    async fn with(sim: Sim) -> Graph {
        let token = sim.graph_token().await;
        Graph { sim, token }
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        read(
            self.sim
                .http
                .get(self.sim.graph(path))
                .bearer_auth(&self.token)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    async fn get_url(&self, url: &str) -> (u16, Value) {
        read(
            self.sim
                .http
                .get(url)
                .bearer_auth(&self.token)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        read(
            self.sim
                .http
                .request(method, self.sim.graph(path))
                .bearer_auth(&self.token)
                .json(&body)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        read(
            self.sim
                .http
                .delete(self.sim.graph(path))
                .bearer_auth(&self.token)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    async fn create_zoom_sp(&self) -> String {
        let (status, sp) = self
            .send(
                reqwest::Method::POST,
                "/servicePrincipals",
                json!({"appId": ZOOM_APP}),
            )
            .await;
        assert_eq!(status, 201, "{sp}");
        sp["id"].as_str().expect("id").to_string()
    }
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

fn error_message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn requests_need_a_token_and_carry_request_ids() {
    let sim = Sim::start().await;
    let response = sim
        .http
        .get(sim.graph("/servicePrincipals"))
        .header("client-request-id", "my-correlation-1")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 401);
    let request_id = response
        .headers()
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .expect("request-id")
        .to_string();
    assert_eq!(
        response
            .headers()
            .get("client-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("my-correlation-1")
    );
    let (_, body) = read(response).await;
    assert_eq!(error_code(&body), "InvalidAuthenticationToken");
    assert_eq!(body["error"]["innerError"]["request-id"], json!(request_id));
    assert_eq!(
        body["error"]["innerError"]["client-request-id"],
        json!("my-correlation-1")
    );
    assert!(body["error"]["innerError"]["date"].is_string());

    let graph = Graph::with(sim).await;
    let response = graph
        .sim
        .http
        .get(graph.sim.graph("/servicePrincipals?$top=1"))
        .bearer_auth(&graph.token)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("request-id"));
    assert!(response.headers().contains_key("client-request-id"));

    graph.sim.server.expire_tokens();
    let (status, body) = graph.get("/domains").await;
    assert_eq!(status, 401);
    assert_eq!(
        error_message(&body),
        "Lifetime validation failed, the token is expired."
    );
}

#[tokio::test]
async fn authorization_policy_round_trip_and_validation() {
    let graph = Graph::start().await;
    let (status, policy) = graph.get("/policies/authorizationPolicy").await;
    assert_eq!(status, 200);
    assert_eq!(
        policy["@odata.context"],
        json!(format!(
            "{}/v1.0/$metadata#policies/authorizationPolicy/$entity",
            graph.sim.base
        ))
    );
    assert_eq!(policy["id"], json!("authorizationPolicy"));
    let assigned = &policy["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"];
    assert_eq!(
        assigned[0],
        json!("ManagePermissionGrantsForSelf.microsoft-user-default-legacy")
    );

    // Member-wise on defaultUserRolePermissions; the docs' lower-case prefix is canonicalized.
    let (status, _) = graph
        .send(
            reqwest::Method::PATCH,
            "/policies/authorizationPolicy",
            json!({
                "allowUserConsentForRiskyApps": false,
                "defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": [
                    "managePermissionGrantsForSelf.microsoft-user-default-low",
                    "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"
                ]}
            }),
        )
        .await;
    assert_eq!(status, 204);
    let (_, after) = graph.get("/policies/authorizationPolicy").await;
    assert_eq!(
        after["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"],
        json!([
            "ManagePermissionGrantsForSelf.microsoft-user-default-low",
            "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"
        ])
    );
    assert_eq!(
        after["defaultUserRolePermissions"]["allowedToCreateApps"],
        json!(true)
    );
    assert_eq!(
        graph.sim.server.graph_authorization_policy()["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"]
            [0],
        json!("ManagePermissionGrantsForSelf.microsoft-user-default-low")
    );

    for (body, code, message) in [
        (
            json!({"allowUserConsentForRiskyAps": true}),
            "Request_BadRequest",
            "Invalid property 'allowUserConsentForRiskyAps'.",
        ),
        (
            json!({"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": [
                "ManagePermissionGrantsForSelf.no-such-policy"]}}),
            "Request_BadRequest",
            "Invalid value specified for property 'permissionGrantPoliciesAssigned' of resource 'DefaultUserRolePermissions'.",
        ),
        (
            json!({"blockMsolPowerShell": "yes"}),
            "BadRequest",
            "Cannot convert the literal 'yes' to the expected type 'Edm.Boolean'.",
        ),
        (
            json!({"id": "other"}),
            "Request_BadRequest",
            "Property 'id' is read-only and cannot be set.",
        ),
    ] {
        let (status, error) = graph
            .send(
                reqwest::Method::PATCH,
                "/policies/authorizationPolicy",
                body.clone(),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_code(&error), code, "{error}");
        assert_eq!(error_message(&error), message);
    }

    // A write without a JSON content type, and a body that is not JSON.
    let (status, error) = read(
        graph
            .sim
            .http
            .patch(graph.sim.graph("/policies/authorizationPolicy"))
            .bearer_auth(&graph.token)
            .body("{}")
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(error_message(&error).contains("Content-Type"));
    let (status, error) = read(
        graph
            .sim
            .http
            .patch(graph.sim.graph("/policies/authorizationPolicy"))
            .bearer_auth(&graph.token)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(error_message(&error).starts_with("Unable to read JSON request payload"));
}

#[tokio::test]
async fn service_principals_filter_select_and_alternate_key() {
    let graph = Graph::start().await;
    let (status, page) = graph
        .get(&format!(
            "/servicePrincipals?$filter=appId eq '{GRAPH_APP}'&$select=id,appId,displayName"
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["@odata.context"],
        json!(format!(
            "{}/v1.0/$metadata#servicePrincipals(id,appId,displayName)",
            graph.sim.base
        ))
    );
    assert_eq!(
        page["value"],
        json!([{"id": GRAPH_SP, "appId": GRAPH_APP, "displayName": "Microsoft Graph"}])
    );

    let (_, by_name) = graph
        .get("/servicePrincipals?$filter=displayName eq 'zentra'&$select=id")
        .await;
    assert_eq!(by_name["value"], json!([{"id": ZENTRA_SP}]));

    let (status, sp) = graph
        .get(&format!(
            "/servicePrincipals(appId='{GRAPH_APP}')?$select=appRoles,oauth2PermissionScopes"
        ))
        .await;
    assert_eq!(status, 200);
    let scope = sp["oauth2PermissionScopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .find(|s| s["value"] == "Calendars.ReadWrite")
        .cloned()
        .expect("Calendars.ReadWrite");
    assert_eq!(scope["id"], json!("1ec239c2-d7c9-4623-a91a-a9775856bb36"));
    assert!(sp["appRoles"].as_array().is_some_and(|r| r.len() > 100));

    let (status, error) = graph
        .get(&format!("/servicePrincipals(appId='{ZOOM_APP}')"))
        .await;
    assert_eq!(
        (status, error_code(&error)),
        (404, "Request_ResourceNotFound")
    );

    for (query, code) in [
        ("$filter=appId eq", "BadRequest"),
        ("$filter=homepage eq 'x'", "Request_UnsupportedQuery"),
        ("$filter=nonsense eq 'x'", "Request_BadRequest"),
        ("$select=nonsense", "Request_BadRequest"),
        ("$top=0", "Request_BadRequest"),
        ("$skiptoken=forged", "Directory_ExpiredPageToken"),
    ] {
        let (status, error) = graph.get(&format!("/servicePrincipals?{query}")).await;
        assert_eq!(
            (status, error_code(&error)),
            (400, code),
            "{query}: {error}"
        );
    }
}

#[tokio::test]
async fn service_principal_lists_page_with_next_links() {
    let mut seed = Seed::default_demo();
    let tenant = &mut seed.entra.tenants[0];
    for i in 0..246 {
        let app_id = format!("00000000-0000-4000-8000-{i:012}");
        tenant.applications.push(KnownApplication {
            app_id: app_id.clone(),
            display_name: format!("App {i:03}"),
            sign_in_audience: "AzureADMultipleOrgs".into(),
            publisher_tenant_id: None,
            verified_publisher: None,
            oauth2_permission_scopes: vec![],
            app_roles: vec![],
        });
        let mut sp = Map::new();
        sp.insert("appId".into(), json!(app_id));
        tenant.service_principals.push(sp);
    }
    let total = 246 + 4;
    let graph = Graph::with(Sim::start_seeded(seed).await).await;

    // Default page size is the servicePrincipals maximum of 100; $top above it is capped.
    for first_query in [
        "/servicePrincipals?$select=id",
        "/servicePrincipals?$select=id&$top=500",
    ] {
        let (status, mut page) = graph.get(first_query).await;
        assert_eq!(status, 200);
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            pages += 1;
            let items = page["value"].as_array().expect("value").clone();
            assert!(items.len() <= 100);
            seen.extend(items.into_iter().map(|v| v["id"].clone()));
            let Some(next) = page["@odata.nextLink"].as_str().map(str::to_string) else {
                break;
            };
            assert!(next.starts_with(&format!("{}/v1.0/servicePrincipals?", graph.sim.base)));
            assert!(next.contains("$skiptoken="));
            assert!(next.contains("$select=id"));
            let (status, next_page) = graph.get_url(&next).await;
            assert_eq!(status, 200, "{next_page}");
            page = next_page;
        }
        assert_eq!(pages, 3);
        assert_eq!(seen.len(), total);
        let mut unique = seen.clone();
        unique.sort_by_key(|v| v.to_string());
        unique.dedup();
        assert_eq!(unique.len(), total);
    }

    // A smaller $top and a filter are carried over to the next link.
    let (_, page) = graph
        .get("/servicePrincipals?$filter=startswith(displayName,'App 1')&$top=30&$select=displayName")
        .await;
    assert_eq!(page["value"].as_array().map(Vec::len), Some(30));
    let next = page["@odata.nextLink"].as_str().expect("next").to_string();
    let (_, second) = graph.get_url(&next).await;
    let names: Vec<&str> = second["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|v| v["displayName"].as_str())
        .collect();
    assert!(!names.is_empty());
    assert!(names.iter().all(|n| n.starts_with("App 1")), "{names:?}");
}

#[tokio::test]
async fn service_principal_create_conflict_unknown_app_update_delete() {
    let graph = Graph::start().await;
    let response = graph
        .sim
        .http
        .post(graph.sim.graph("/servicePrincipals"))
        .bearer_auth(&graph.token)
        .json(&json!({"appId": ZOOM_APP, "tags": ["WindowsAzureActiveDirectoryIntegratedApp"]}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 201);
    assert!(response.headers().contains_key("location"));
    let (_, sp) = read(response).await;
    let id = sp["id"].as_str().expect("id").to_string();
    assert_eq!(sp["appId"], json!(ZOOM_APP));
    assert_eq!(sp["displayName"], json!("Zoom"));
    assert_eq!(
        sp["tags"],
        json!(["WindowsAzureActiveDirectoryIntegratedApp"])
    );
    assert_eq!(
        sp["verifiedPublisher"]["displayName"],
        json!("Zoom Video Communications, Inc.")
    );

    let (status, error) = graph
        .send(
            reqwest::Method::POST,
            "/servicePrincipals",
            json!({"appId": ZOOM_APP}),
        )
        .await;
    assert_eq!(
        (status, error_code(&error)),
        (409, "Request_MultipleObjectsWithSameKeyValue")
    );

    let unknown = "12345678-1234-4234-8234-123456789012";
    let (status, error) = graph
        .send(
            reqwest::Method::POST,
            "/servicePrincipals",
            json!({"appId": unknown}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&error), "Request_BadRequest");
    assert_eq!(
        error_message(&error),
        format!(
            "The appId '{unknown}' of the service principal does not reference a valid application object."
        )
    );

    let (status, _) = graph
        .send(
            reqwest::Method::PATCH,
            &format!("/servicePrincipals/{id}"),
            json!({"appRoleAssignmentRequired": true, "notes": "managed by zentra"}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, after) = graph
        .get(&format!(
            "/servicePrincipals/{id}?$select=appRoleAssignmentRequired,notes"
        ))
        .await;
    assert_eq!(after["appRoleAssignmentRequired"], json!(true));
    assert_eq!(after["notes"], json!("managed by zentra"));
    assert!(
        after["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("/$entity"))
    );

    let (status, error) = graph
        .send(
            reqwest::Method::PATCH,
            &format!("/servicePrincipals/{id}"),
            json!({"appId": GRAPH_APP}),
        )
        .await;
    assert_eq!((status, error_code(&error)), (400, "Request_BadRequest"));

    let (status, _) = graph.delete(&format!("/servicePrincipals/{id}")).await;
    assert_eq!(status, 204);
    let (status, error) = graph.get(&format!("/servicePrincipals/{id}")).await;
    assert_eq!(status, 404);
    assert_eq!(
        error_message(&error),
        format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        )
    );
}

#[tokio::test]
async fn grants_create_filter_duplicate_update_delete() {
    let graph = Graph::start().await;
    let zoom_sp = graph.create_zoom_sp().await;
    let grant = json!({
        "clientId": zoom_sp,
        "consentType": "AllPrincipals",
        "resourceId": GRAPH_SP,
        "scope": "openid profile email offline_access User.Read Calendars.ReadWrite Contacts.Read"
    });
    let (status, created) = graph
        .send(
            reqwest::Method::POST,
            "/oauth2PermissionGrants",
            grant.clone(),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_string();
    assert_eq!(id.len(), 43);
    assert_eq!(created["principalId"], Value::Null);
    assert_eq!(created["scope"], grant["scope"]);

    let (status, error) = graph
        .send(
            reqwest::Method::POST,
            "/oauth2PermissionGrants",
            grant.clone(),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(
        error_code(&error),
        "Request_MultipleObjectsWithSameKeyValue"
    );
    assert_eq!(error_message(&error), "Permission entry already exists.");

    let (status, list) = graph
        .get(&format!(
            "/oauth2PermissionGrants?$filter=clientId eq '{zoom_sp}' and consentType eq 'AllPrincipals'"
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["value"][0]["id"], json!(id));
    let (_, none) = graph
        .get(&format!(
            "/oauth2PermissionGrants?$filter=clientId eq '{zoom_sp}' and consentType eq 'Principal'"
        ))
        .await;
    assert_eq!(none["value"], json!([]));
    let (_, by_sp) = graph
        .get(&format!(
            "/servicePrincipals/{zoom_sp}/oauth2PermissionGrants"
        ))
        .await;
    assert_eq!(by_sp["value"].as_array().map(Vec::len), Some(1));

    let (status, _) = graph
        .send(
            reqwest::Method::PATCH,
            &format!("/oauth2PermissionGrants/{id}"),
            json!({"scope": "User.Read Calendars.Read"}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, one) = graph.get(&format!("/oauth2PermissionGrants/{id}")).await;
    assert_eq!(one["scope"], json!("User.Read Calendars.Read"));

    let (status, error) = graph
        .send(
            reqwest::Method::PATCH,
            &format!("/oauth2PermissionGrants/{id}"),
            json!({"principalId": "4e8a1d3c-6b2f-4a7d-9e5c-8f1b3d6a2e94"}),
        )
        .await;
    assert_eq!((status, error_code(&error)), (400, "Request_BadRequest"));

    // References must exist; a per-user grant needs a user; the consent type is checked.
    let missing = "0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a";
    for (body, fragment) in [
        (
            json!({"clientId": missing, "consentType": "AllPrincipals", "resourceId": GRAPH_SP, "scope": "User.Read"}),
            "does not exist or one of its queried reference-property objects are not present.",
        ),
        (
            json!({"clientId": zoom_sp, "consentType": "Principal", "resourceId": GRAPH_SP, "scope": "User.Read"}),
            "principalId",
        ),
        (
            json!({"clientId": zoom_sp, "consentType": "Everyone", "resourceId": GRAPH_SP}),
            "consentType",
        ),
        (
            json!({"clientId": zoom_sp, "consentType": "AllPrincipals", "resourceId": GRAPH_SP, "startTime": "x"}),
            "Invalid property 'startTime'.",
        ),
    ] {
        let (status, error) = graph
            .send(
                reqwest::Method::POST,
                "/oauth2PermissionGrants",
                body.clone(),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(error_message(&error).contains(fragment), "{error}");
    }
    let (status, _) = graph
        .send(
            reqwest::Method::POST,
            "/oauth2PermissionGrants",
            json!({"clientId": zoom_sp, "consentType": "Principal",
                   "principalId": "4e8a1d3c-6b2f-4a7d-9e5c-8f1b3d6a2e94",
                   "resourceId": GRAPH_SP, "scope": "User.Read"}),
        )
        .await;
    assert_eq!(status, 201);

    let (status, _) = graph.delete(&format!("/oauth2PermissionGrants/{id}")).await;
    assert_eq!(status, 204);
    let (status, _) = graph.get(&format!("/oauth2PermissionGrants/{id}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn batches_run_in_order_with_dependencies_and_limits() {
    let graph = Graph::start().await;
    let (status, reply) = graph
        .send(
            reqwest::Method::POST,
            "/$batch",
            json!({"requests": [
                {"id": "1", "method": "GET", "url": "/policies/authorizationPolicy?$select=id"},
                {"id": "2", "method": "POST", "url": "servicePrincipals",
                 "headers": {"Content-Type": "application/json"}, "body": {"appId": ZOOM_APP}},
                {"id": "3", "method": "GET", "url": "/servicePrincipals/does-not-exist"},
                {"id": "4", "method": "GET", "url": "/domains", "dependsOn": ["3"]},
                {"id": "5", "method": "GET", "url": "/domains", "dependsOn": ["1", "2"]}
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let responses = reply["responses"].as_array().expect("responses");
    let by_id = |id: &str| {
        responses
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(by_id("1")["status"], json!(200));
    assert_eq!(by_id("1")["body"]["id"], json!("authorizationPolicy"));
    assert_eq!(by_id("2")["status"], json!(201));
    assert!(by_id("2")["headers"]["Location"].is_string());
    assert_eq!(by_id("3")["status"], json!(404));
    assert_eq!(
        by_id("3")["body"]["error"]["code"],
        json!("Request_ResourceNotFound")
    );
    assert_eq!(by_id("4")["status"], json!(424));
    assert_eq!(by_id("5")["status"], json!(200));
    assert_eq!(
        by_id("5")["body"]["value"].as_array().map(Vec::len),
        Some(2)
    );
    // The outer request is logged once.
    let log = graph.sim.server.requests();
    assert_eq!(log.iter().filter(|r| r.path == "/v1.0/$batch").count(), 1);

    let too_many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/domains"}))
        .collect();
    let (status, error) = graph
        .send(
            reqwest::Method::POST,
            "/$batch",
            json!({"requests": too_many}),
        )
        .await;
    assert_eq!((status, error_code(&error)), (400, "BadRequest"));
    assert!(error_message(&error).contains("20"));

    for bad in [
        json!({"requests": [{"id": "1", "method": "PATCH", "url": "/policies/authorizationPolicy",
                              "body": {"blockMsolPowerShell": true}}]}),
        json!({"requests": [{"id": "1", "method": "GET", "url": "/domains", "dependsOn": ["9"]}]}),
        json!({"requests": [{"id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/domains"}]}),
        json!({"requests": [{"id": "1", "method": "GET", "url": "/domains"},
                            {"id": "1", "method": "GET", "url": "/domains"}]}),
        json!({"requests": []}),
        json!({"calls": []}),
    ] {
        let (status, error) = graph
            .send(reqwest::Method::POST, "/$batch", bad.clone())
            .await;
        assert_eq!(status, 400, "{bad}: {error}");
    }
}

#[tokio::test]
async fn new_objects_are_invisible_until_replicated() {
    let sim = Sim::start_with(SimConfig {
        graph_replication_lag: Duration::from_millis(80),
        ..SimConfig::default()
    })
    .await;
    let graph = Graph::with(sim).await;
    let id = graph.create_zoom_sp().await;

    let (status, _) = graph.get(&format!("/servicePrincipals/{id}")).await;
    assert_eq!(status, 404);
    let (_, list) = graph
        .get(&format!("/servicePrincipals?$filter=appId eq '{ZOOM_APP}'"))
        .await;
    assert_eq!(list["value"], json!([]));
    let (status, error) = graph
        .send(
            reqwest::Method::POST,
            "/oauth2PermissionGrants",
            json!({"clientId": id, "consentType": "AllPrincipals", "resourceId": GRAPH_SP, "scope": "User.Read"}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        error_message(&error)
            .contains("does not exist or one of its queried reference-property objects")
    );
    // The write still happened: creating it again conflicts.
    let (status, _) = graph
        .send(
            reqwest::Method::POST,
            "/servicePrincipals",
            json!({"appId": ZOOM_APP}),
        )
        .await;
    assert_eq!(status, 409);

    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, sp) = graph.get(&format!("/servicePrincipals/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(sp["appId"], json!(ZOOM_APP));
    let (status, _) = graph
        .send(
            reqwest::Method::POST,
            "/oauth2PermissionGrants",
            json!({"clientId": id, "consentType": "AllPrincipals", "resourceId": GRAPH_SP, "scope": "User.Read"}),
        )
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn throttling_answers_429_with_retry_after_also_inside_batches() {
    let graph = Graph::start().await;
    graph.sim.server.set_faults(Faults {
        graph_throttle_next: 1,
        graph_retry_after_seconds: 7,
        ..Faults::default()
    });
    let response = graph
        .sim
        .http
        .get(graph.sim.graph("/domains"))
        .bearer_auth(&graph.token)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 429);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("7")
    );
    let (_, body) = read(response).await;
    assert_eq!(error_code(&body), "TooManyRequests");

    graph.sim.server.set_faults(Faults {
        graph_throttle_next: 1,
        ..Faults::default()
    });
    let (status, reply) = graph
        .send(
            reqwest::Method::POST,
            "/$batch",
            json!({"requests": [
                {"id": "a", "method": "GET", "url": "/domains"},
                {"id": "b", "method": "GET", "url": "/domains"}
            ]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(reply["responses"][0]["status"], json!(429));
    assert_eq!(reply["responses"][0]["headers"]["Retry-After"], json!("1"));
    assert_eq!(reply["responses"][1]["status"], json!(200));

    graph.sim.server.set_faults(Faults {
        graph_server_error_next: 1,
        ..Faults::default()
    });
    let (status, body) = graph.get("/domains").await;
    assert_eq!((status, error_code(&body)), (503, "ServiceUnavailable"));
}

#[tokio::test]
async fn the_tenant_and_app_budget_answers_429_with_retry_after_also_inside_batches() {
    let graph = Graph::start().await;
    // 4 ResourceUnits per 10 seconds: one unit comes back every 2.5 s.
    graph.sim.server.set_faults(Faults {
        graph_resource_unit_limit: Some(4),
        ..Faults::default()
    });
    let response = graph
        .sim
        .http
        .get(graph.sim.graph("/domains"))
        .bearer_auth(&graph.token)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("x-ms-resource-unit")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    // Grants cost 2: 1 + 2 = 3 of 4 spent; the next grants listing cannot be paid for.
    let (status, _) = graph.get("/oauth2PermissionGrants").await;
    assert_eq!(status, 200);
    let response = graph
        .sim
        .http
        .get(graph.sim.graph("/oauth2PermissionGrants"))
        .bearer_auth(&graph.token)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 429);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    assert_eq!(
        header("retry-after").as_deref(),
        Some("3"),
        "1 unit short: 2.5 s"
    );
    let scope = header("x-ms-throttle-scope").unwrap();
    assert!(
        scope.starts_with("Tenant_Application/ReadWrite/"),
        "{scope}"
    );
    assert_eq!(
        header("x-ms-throttle-information").as_deref(),
        Some("ResourceUnitLimitExceeded")
    );
    let (_, body) = read(response).await;
    assert_eq!(error_code(&body), "TooManyRequests");
    assert!(body["error"]["innerError"]["request-id"].is_string());

    // Inside a `$batch`, each request is counted on its own: the one unit left pays for the
    // first; the second gets its own 429 with its own Retry-After.
    let (status, reply) = graph
        .send(
            reqwest::Method::POST,
            "/$batch",
            json!({"requests": [
                {"id": "a", "method": "GET", "url": "/domains"},
                {"id": "b", "method": "GET", "url": "/domains"}
            ]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(reply["responses"][0]["status"], json!(200));
    let second = &reply["responses"][1];
    assert_eq!(second["status"], json!(429));
    assert_eq!(second["headers"]["Retry-After"], json!("3"));
    assert_eq!(second["body"]["error"]["code"], json!("TooManyRequests"));

    // The write quota is counted apart: two writes per 150 s, the third waits 75 s.
    graph.sim.server.set_faults(Faults {
        graph_resource_unit_limit: Some(10_000),
        graph_write_limit: Some(2),
        ..Faults::default()
    });
    // 1,000 units a second come back.
    tokio::time::sleep(Duration::from_millis(100)).await;
    for expected in [204, 204, 429] {
        let (status, body) = graph
            .send(
                reqwest::Method::PATCH,
                "/policies/authorizationPolicy",
                json!({"blockMsolPowerShell": true}),
            )
            .await;
        assert_eq!(status, expected, "{body}");
    }
}

#[tokio::test]
async fn app_permissions_decide_what_a_client_may_do() {
    let mut seed = Seed::default_demo();
    seed.entra.tenants[0].client_apps[0].app_roles = vec!["Policy.Read.All".into()];
    let graph = Graph::with(Sim::start_seeded(seed).await).await;
    let (status, _) = graph.get("/policies/authorizationPolicy").await;
    assert_eq!(status, 200);
    let (status, error) = graph
        .send(
            reqwest::Method::PATCH,
            "/policies/authorizationPolicy",
            json!({"blockMsolPowerShell": true}),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(error_code(&error), "Authorization_RequestDenied");
    assert_eq!(
        error_message(&error),
        "Insufficient privileges to complete the operation."
    );
    let (status, _) = graph.get("/servicePrincipals").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn domains_are_listed_and_fetched() {
    let graph = Graph::start().await;
    let (status, list) = graph.get("/domains?$select=id,isDefault,isInitial").await;
    assert_eq!(status, 200);
    assert_eq!(
        list["value"],
        json!([
            {"id": "contoso.onmicrosoft.com", "isDefault": true, "isInitial": true},
            {"id": "contoso.com", "isDefault": false, "isInitial": false}
        ])
    );
    let (status, domain) = graph.get("/domains/Contoso.com").await;
    assert_eq!(status, 200);
    assert_eq!(domain["authenticationType"], json!("Managed"));
    assert_eq!(domain["isVerified"], json!(true));
    let (status, _) = graph.get("/domains/fabrikam.com").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn unknown_segments_and_wrong_methods_get_graph_errors() {
    let graph = Graph::start().await;
    let (status, error) = graph.get("/users").await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&error), "BadRequest");
    assert_eq!(
        error_message(&error),
        "Resource not found for the segment 'users'."
    );
    let (status, error) = graph
        .send(
            reqwest::Method::PUT,
            "/policies/authorizationPolicy",
            json!({}),
        )
        .await;
    assert_eq!(status, 405);
    assert_eq!(error_code(&error), "Request_BadRequest");
    let (status, _) = graph.delete("/domains").await;
    assert_eq!(status, 405);
}

#[tokio::test]
async fn upsert_by_app_id_creates_when_asked() {
    let graph = Graph::start().await;
    let url = graph
        .sim
        .graph(&format!("/servicePrincipals(appId='{ZOOM_APP}')"));
    let (status, _) = read(
        graph
            .sim
            .http
            .patch(&url)
            .bearer_auth(&graph.token)
            .json(&json!({"notes": "x"}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 404);
    let (status, created) = read(
        graph
            .sim
            .http
            .patch(&url)
            .bearer_auth(&graph.token)
            .header("Prefer", "create-if-missing")
            .json(&json!({"notes": "x"}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(created["appId"], json!(ZOOM_APP));
    assert_eq!(created["notes"], json!("x"));
}
