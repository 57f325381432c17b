//! The emulated Graph's consent workflow policy, app role assignments and domain federation,
//! driven over loopback with plain HTTP (never zentra's own client).

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use zentra_sim::{Seed, SimConfig};
use zentra_test_support::sim::{Sim, read};

const GRAPH_SP: &str = "5b1e7c3a-9f2d-4e8b-a6c4-0d3f9e2b7a15";
const ZENTRA_SP: &str = "9d2e6f1a-3c8b-4a7e-b5d9-2f0c4e8a1b36";
/// Microsoft Graph's Calendars.Read application permission.
const CALENDARS_READ_ROLE: &str = "798ee544-9d2d-430c-a058-570e29e34338";
const MEGAN: &str = "4e8a1d3c-6b2f-4a7d-9e5c-8f1b3d6a2e94";

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

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .sim
            .http
            .request(method, self.sim.graph(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.expect("send")).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }
}

fn certificate(name: &str) -> String {
    let pem_text = zentra_test_support::entra::fixture(&format!("certs/{name}.pem"));
    let der = pem::parse(pem_text).expect("pem").into_contents();
    base64::engine::general_purpose::STANDARD.encode(der)
}

fn federation_body(issuer: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.internalDomainFederation",
        "displayName": "Okta",
        "issuerUri": issuer,
        "passiveSignInUri": "https://contoso.okta.example/app/sso/wsfed/passive",
        "signOutUri": "https://contoso.okta.example/login/signout",
        "preferredAuthenticationProtocol": "wsFed",
        "signingCertificate": certificate("okta-current"),
        "federatedIdpMfaBehavior": "acceptIfMfaDoneByFederatedIdp",
        "promptLoginBehavior": "nativeSupport",
    })
}

#[tokio::test]
async fn the_admin_consent_policy_is_replaced_whole_and_versioned() {
    let graph = Graph::start().await;
    let (status, policy) = graph.get("/policies/adminConsentRequestPolicy").await;
    assert_eq!(status, 200);
    assert_eq!(policy["isEnabled"], false);
    assert_eq!(policy["version"], 0);
    let wanted = json!({
        "isEnabled": true, "notifyReviewers": true, "remindersEnabled": false,
        "requestDurationInDays": 14,
        "reviewers": [{"query": format!("/users/{MEGAN}"), "queryType": "MicrosoftGraph", "queryRoot": null}],
    });
    let (status, body) = graph
        .call(
            reqwest::Method::PUT,
            "/policies/adminConsentRequestPolicy",
            Some(wanted.clone()),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, policy) = graph.get("/policies/adminConsentRequestPolicy").await;
    assert_eq!(policy["isEnabled"], true);
    assert_eq!(policy["requestDurationInDays"], 14);
    assert_eq!(policy["version"], 1);
    // The same policy again is no change.
    graph
        .call(
            reqwest::Method::PUT,
            "/policies/adminConsentRequestPolicy",
            Some(wanted),
        )
        .await;
    assert_eq!(
        graph.get("/policies/adminConsentRequestPolicy").await.1["version"],
        1
    );

    // PUT is a replacement: a partial body is refused, and PATCH is not served.
    let (status, body) = graph
        .call(
            reqwest::Method::PUT,
            "/policies/adminConsentRequestPolicy",
            Some(json!({"isEnabled": false})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("notifyReviewers")
    );
    let (status, _) = graph
        .call(
            reqwest::Method::PATCH,
            "/policies/adminConsentRequestPolicy",
            Some(json!({"isEnabled": false})),
        )
        .await;
    assert_eq!(status, 405);
    // Types come from the metadata.
    let (status, body) = graph
        .call(
            reqwest::Method::PUT,
            "/policies/adminConsentRequestPolicy",
            Some(
                json!({"isEnabled": "yes", "notifyReviewers": true, "remindersEnabled": true,
                "requestDurationInDays": 5, "reviewers": []}),
            ),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = graph
        .call(
            reqwest::Method::PUT,
            "/policies/adminConsentRequestPolicy",
            Some(json!({"isEnabled": true, "notifyReviewers": true, "remindersEnabled": true,
                "requestDurationInDays": 5, "reviewers": [{"query": "/users/x", "queryType": "Other"}]})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn writing_the_consent_policy_needs_its_permission() {
    let mut seed = Seed::default_demo();
    seed.entra.tenants[0].client_apps[0]
        .app_roles
        .retain(|r| r != "Policy.ReadWrite.ConsentRequest");
    let graph = Graph::with(Sim::start_seeded(seed).await).await;
    assert_eq!(
        graph.get("/policies/adminConsentRequestPolicy").await.0,
        200
    );
    let (status, body) = graph
        .call(
            reqwest::Method::PUT,
            "/policies/adminConsentRequestPolicy",
            Some(
                json!({"isEnabled": false, "notifyReviewers": false, "remindersEnabled": false,
                "requestDurationInDays": 0, "reviewers": []}),
            ),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "Authorization_RequestDenied");
}

#[tokio::test]
async fn app_roles_are_assigned_listed_from_both_sides_and_removed() {
    let graph = Graph::start().await;
    let path = format!("/servicePrincipals/{GRAPH_SP}/appRoleAssignedTo");
    let body =
        json!({"principalId": ZENTRA_SP, "resourceId": GRAPH_SP, "appRoleId": CALENDARS_READ_ROLE});
    let (status, created) = graph
        .call(reqwest::Method::POST, &path, Some(body.clone()))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["principalType"], "ServicePrincipal");
    assert_eq!(created["resourceDisplayName"], "Microsoft Graph");
    let id = created["id"].as_str().unwrap().to_string();

    let (_, held) = graph
        .get(&format!(
            "/servicePrincipals/{ZENTRA_SP}/appRoleAssignments"
        ))
        .await;
    assert_eq!(held["value"][0]["id"], id.as_str());
    let (_, assigned) = graph.get(&path).await;
    assert_eq!(assigned["value"].as_array().unwrap().len(), 1);

    // The same assignment again, an unknown role, a mismatched resource: refused.
    let (status, dup) = graph
        .call(reqwest::Method::POST, &path, Some(body.clone()))
        .await;
    assert_eq!(
        (status, dup["error"]["code"].as_str()),
        (400, Some("Request_BadRequest"))
    );
    let mut unknown = body.clone();
    unknown["appRoleId"] = json!("11111111-1111-1111-1111-111111111111");
    assert_eq!(
        graph
            .call(reqwest::Method::POST, &path, Some(unknown))
            .await
            .0,
        400
    );
    let mut other = body.clone();
    other["resourceId"] = json!(ZENTRA_SP);
    assert_eq!(
        graph
            .call(reqwest::Method::POST, &path, Some(other))
            .await
            .0,
        400
    );
    // No update.
    assert_eq!(
        graph
            .call(
                reqwest::Method::PATCH,
                &format!("{path}/{id}"),
                Some(json!({}))
            )
            .await
            .0,
        405
    );

    let (status, _) = graph
        .call(reqwest::Method::DELETE, &format!("{path}/{id}"), None)
        .await;
    assert_eq!(status, 204);
    let (status, gone) = graph.get(&format!("{path}/{id}")).await;
    assert_eq!(
        (status, gone["error"]["code"].as_str()),
        (404, Some("Request_ResourceNotFound"))
    );
}

#[tokio::test]
async fn a_new_principal_is_no_valid_reference_until_it_replicates() {
    let sim = Sim::start_with(SimConfig {
        graph_replication_lag: Duration::from_millis(600),
        ..SimConfig::default()
    })
    .await;
    let graph = Graph::with(sim).await;
    let (status, sp) = graph
        .call(
            reqwest::Method::POST,
            "/servicePrincipals",
            Some(json!({"appId": "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"})),
        )
        .await;
    assert_eq!(status, 201);
    let path = format!("/servicePrincipals/{GRAPH_SP}/appRoleAssignedTo");
    let body =
        json!({"principalId": sp["id"], "resourceId": GRAPH_SP, "appRoleId": CALENDARS_READ_ROLE});
    let (status, lag) = graph
        .call(reqwest::Method::POST, &path, Some(body.clone()))
        .await;
    assert_eq!(status, 400);
    assert_eq!(lag["error"]["code"], "Request_BadRequest");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        graph.call(reqwest::Method::POST, &path, Some(body)).await.0,
        201
    );
}

#[tokio::test]
async fn federating_a_domain_converts_it_and_deleting_needs_a_second_step() {
    let graph = Graph::start().await;
    let issuer = "http://www.okta.com/exk1sample";
    // A domain without a federation configuration: the list answers 404, as Graph documents.
    let (status, body) = graph
        .get("/domains/contoso.com/federationConfiguration")
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("Request_ResourceNotFound")),
        "{body}"
    );
    let (status, created) = graph
        .call(
            reqwest::Method::POST,
            "/domains/contoso.com/federationConfiguration",
            Some(federation_body(issuer)),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["@odata.type"],
        "#microsoft.graph.internalDomainFederation"
    );
    assert_eq!(
        created["signingCertificateUpdateStatus"]["certificateUpdateResult"],
        "Success"
    );
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(
        graph.get("/domains/contoso.com").await.1["authenticationType"],
        "Federated"
    );
    let (_, list) = graph
        .get("/domains/contoso.com/federationConfiguration")
        .await;
    assert_eq!(list["value"][0]["id"], id.as_str());

    // One configuration per domain.
    let (status, _) = graph
        .call(
            reqwest::Method::POST,
            "/domains/contoso.com/federationConfiguration",
            Some(federation_body("http://other.example")),
        )
        .await;
    assert_eq!(status, 409);

    // PATCH answers with the whole object.
    let item = format!("/domains/contoso.com/federationConfiguration/{id}");
    let (status, patched) = graph
        .call(
            reqwest::Method::PATCH,
            &item,
            Some(json!({"nextSigningCertificate": certificate("okta-next")})),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["issuerUri"], issuer);
    assert_eq!(
        patched["nextSigningCertificate"],
        certificate("okta-next").as_str()
    );
    let (status, _) = graph
        .call(
            reqwest::Method::PATCH,
            &item,
            Some(json!({"signingCertificate": "bm90IGEgY2VydGlmaWNhdGU="})),
        )
        .await;
    assert_eq!(status, 400, "only certificates are accepted");

    // A domain with a configuration cannot be made Managed; after DELETE it can.
    let (status, _) = graph
        .call(
            reqwest::Method::PATCH,
            "/domains/contoso.com",
            Some(json!({"authenticationType": "Managed"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        graph.call(reqwest::Method::DELETE, &item, None).await.0,
        204
    );
    assert_eq!(
        graph.get("/domains/contoso.com").await.1["authenticationType"],
        "Federated"
    );
    let (status, body) = graph
        .call(
            reqwest::Method::PATCH,
            "/domains/contoso.com",
            Some(json!({"authenticationType": "Managed"})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        graph.get("/domains/contoso.com").await.1["authenticationType"],
        "Managed"
    );
}

#[tokio::test]
async fn initial_default_and_unverified_domains_cannot_be_federated() {
    let mut seed = Seed::default_demo();
    seed.entra.tenants[0]
        .domains
        .push(zentra_sim::EntraDomainSeed {
            id: "fabrikam.com".into(),
            is_default: false,
            is_initial: false,
            is_verified: false,
            authentication_type: "Managed".into(),
            supported_services: vec![],
        });
    let graph = Graph::with(Sim::start_seeded(seed).await).await;
    for (domain, words) in [
        ("contoso.onmicrosoft.com", "initial domain"),
        ("fabrikam.com", "not verified"),
    ] {
        let (status, body) = graph
            .call(
                reqwest::Method::POST,
                &format!("/domains/{domain}/federationConfiguration"),
                Some(federation_body("http://issuer.example")),
            )
            .await;
        assert_eq!(status, 400, "{domain}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(words),
            "{body}"
        );
    }
    graph
        .sim
        .server
        .patch_state(
            "PATCH",
            "graph/domains/contoso.com",
            json!({"isDefault": true}),
        )
        .unwrap();
    let (status, body) = graph
        .call(
            reqwest::Method::POST,
            "/domains/contoso.com/federationConfiguration",
            Some(federation_body("http://issuer.example")),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("default domain")
    );
    // Unknown properties and missing required ones.
    graph
        .sim
        .server
        .patch_state(
            "PATCH",
            "graph/domains/contoso.com",
            json!({"isDefault": false}),
        )
        .unwrap();
    let mut typo = federation_body("http://issuer.example");
    typo["issuerUrl"] = json!("x");
    assert_eq!(
        graph
            .call(
                reqwest::Method::POST,
                "/domains/contoso.com/federationConfiguration",
                Some(typo)
            )
            .await
            .0,
        400
    );
    let mut incomplete = federation_body("http://issuer.example");
    incomplete
        .as_object_mut()
        .unwrap()
        .remove("signingCertificate");
    assert_eq!(
        graph
            .call(
                reqwest::Method::POST,
                "/domains/contoso.com/federationConfiguration",
                Some(incomplete)
            )
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn the_new_reads_work_inside_a_batch() {
    let graph = Graph::start().await;
    let (status, body) = graph
        .call(
            reqwest::Method::POST,
            "/$batch",
            Some(json!({"requests": [
                {"id": "1", "method": "GET", "url": "/policies/adminConsentRequestPolicy"},
                {"id": "2", "method": "GET", "url": "/domains/contoso.com/federationConfiguration"},
                {"id": "3", "method": "GET", "url": format!("/servicePrincipals/{ZENTRA_SP}/appRoleAssignments")},
            ]})),
        )
        .await;
    assert_eq!(status, 200);
    let responses = body["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 3);
    let status_of = |id: &str| {
        responses
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["status"].clone())
            .unwrap()
    };
    assert_eq!(status_of("1"), 200, "{body}");
    assert_eq!(
        status_of("2"),
        404,
        "no federation configuration yet: {body}"
    );
    assert_eq!(status_of("3"), 200, "{body}");
}

#[tokio::test]
async fn the_admin_api_hands_out_tokens_with_chosen_permissions() {
    let sim = Sim::start().await;
    let (status, body) = read(
        sim.http
            .post(format!("{}/_sim/tokens/graph", sim.base))
            .json(&json!({"roles": ["Domain.Read.All"]}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 200);
    let graph = Graph {
        token: body["access_token"].as_str().unwrap().to_string(),
        sim,
    };
    assert_eq!(graph.get("/domains").await.0, 200);
    let (status, body) = graph.get("/policies/adminConsentRequestPolicy").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("Authorization_RequestDenied"))
    );
}
