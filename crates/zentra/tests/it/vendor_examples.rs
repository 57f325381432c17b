//! zentra against the vendors' own documented responses, not the emulator's: a small loopback
//! server replays Microsoft Graph's documentation examples (quoted in
//! `crates/zentra-test-support/fixtures/vendor-examples/graph/`, each with its source page) and Zoom's OpenAPI
//! examples (built from the `example` values of the response schemas in
//! `schemas/vendor/zoom/`) for the requests zentra's clients make, so that the clients also meet
//! bodies the emulator's authors did not write. Every request zentra sends is checked against
//! the vendors' specs too.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use zentra_test_support::conformance::{GraphSpec, ZoomSpec};
use zentra_test_support::entra::fixtures_dir;

/// One documented Graph response.
#[derive(Clone, Debug)]
struct GraphExample {
    method: String,
    /// The path it answers, parameters as `{id}`.
    path: String,
    status: u16,
    body: Option<Value>,
}

fn graph_example(file: &str) -> GraphExample {
    let path = fixtures_dir().join("vendor-examples/graph").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let fixture: Value = serde_json::from_str(&text).unwrap();
    assert!(
        fixture["source"]
            .as_str()
            .is_some_and(|s| s.contains("microsoft-graph-docs-contrib")),
        "{file} names its source"
    );
    GraphExample {
        method: fixture["method"].as_str().unwrap().to_string(),
        path: fixture["path"].as_str().unwrap().to_string(),
        status: fixture["status"].as_u64().unwrap() as u16,
        body: Some(fixture["body"].clone()).filter(|b| !b.is_null()),
    }
}

/// Writes whose documented answer is a status without a body.
const GRAPH_NO_CONTENT: [(&str, &str); 3] = [
    // "If successful, this method returns a 204 No Content response code"
    // (authorizationpolicy-update.md, adminconsentrequestpolicy-update.md,
    // serviceprincipal-update.md).
    ("PATCH", "/policies/authorizationPolicy"),
    ("PUT", "/policies/adminConsentRequestPolicy"),
    ("PATCH", "/servicePrincipals/{id}"),
];

fn segments_match(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}')) || t == p)
}

/// A request the replay served.
#[derive(Clone, Debug)]
struct Served {
    service: &'static str,
    method: String,
    path: String,
    query: String,
    body: Option<Value>,
    status: u16,
}

#[derive(Default)]
struct ReplayState {
    graph: Vec<GraphExample>,
    served: Vec<Served>,
}

/// The example body of a Zoom response schema: each property's `example` (else `default`,
/// else its first `enum` value), objects and arrays built from their members; a property with
/// none of these is left out. `option` picks the `oneOf` alternative that has that property.
fn zoom_example(schema: &Value, option: Option<&str>) -> Option<Value> {
    if let Some(alternatives) = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        let chosen = option
            .and_then(|o| {
                alternatives
                    .iter()
                    .find(|a| a.pointer(&format!("/properties/{o}")).is_some())
            })
            .or_else(|| alternatives.first())?;
        return zoom_example(chosen, None);
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut out = Map::new();
        for part in parts {
            if let Some(Value::Object(m)) = zoom_example(part, None) {
                out.extend(m);
            }
        }
        return Some(Value::Object(out));
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let mut out = Map::new();
        for (name, property) in properties {
            if let Some(value) = zoom_example(property, None) {
                out.insert(name.clone(), value);
            }
        }
        return Some(Value::Object(out));
    }
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        if let Some(example) = schema.get("example").filter(|e| e.is_array()) {
            return Some(example.clone());
        }
        let item = schema.get("items").and_then(|i| zoom_example(i, None));
        return Some(Value::Array(item.into_iter().collect()));
    }
    schema
        .get("example")
        .or_else(|| schema.get("default"))
        .cloned()
        .or_else(|| {
            schema
                .get("enum")
                .and_then(Value::as_array)
                .and_then(|e| e.first().cloned())
        })
}

fn query_value<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Zoom's documented answer to a request: the operation's first success response, its body
/// built from the spec's examples.
fn zoom_answer(
    method: &str,
    path: &str,
    query: &str,
    body: Option<&Value>,
) -> (u16, Option<Value>) {
    let spec = ZoomSpec::load();
    let matched = match spec.validate_request(method, path, query, body) {
        Ok(matched) => matched,
        Err(errors) => {
            return (
                400,
                Some(json!({"code": 300, "message": errors.join("; ")})),
            );
        }
    };
    let operation = spec
        .operation_object(&matched.method, &matched.template)
        .expect("a matched operation");
    let responses = operation["responses"].as_object().unwrap();
    let (status, response) = responses
        .iter()
        .find(|(code, _)| code.starts_with('2'))
        .expect("a documented success");
    let status: u16 = status.parse().unwrap();
    let option = query_value(query, "option");
    let mut example = response
        .pointer("/content/application~1json/schema")
        .and_then(|schema| zoom_example(schema, option));
    // A page fetched with a token is the last one: Zoom documents an empty token as the end.
    if query_value(query, "next_page_token").is_some()
        && let Some(Value::Object(page)) = example.as_mut()
        && page.contains_key("next_page_token")
    {
        page.insert("next_page_token".into(), json!(""));
    }
    (status, example)
}

fn graph_answer(state: &ReplayState, method: &str, path: &str) -> (u16, Option<Value>) {
    if let Some(example) = state
        .graph
        .iter()
        .find(|e| e.method == method && segments_match(&e.path, path))
    {
        return (example.status, example.body.clone());
    }
    if GRAPH_NO_CONTENT
        .iter()
        .any(|(m, t)| *m == method && segments_match(t, path))
    {
        return (204, None);
    }
    (
        501,
        Some(
            json!({"error": {"code": "NotReplayed", "message": format!("no documented example for {method} {path}")}}),
        ),
    )
}

fn json_response(status: u16, body: Option<Value>) -> Response {
    let status = StatusCode::from_u16(status).unwrap();
    match body {
        Some(body) => (
            status,
            [("content-type", "application/json")],
            body.to_string(),
        )
            .into_response(),
        None => status.into_response(),
    }
}

async fn serve(
    state: axum::extract::State<Arc<Mutex<ReplayState>>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let query = uri.query().unwrap_or_default().to_string();
    let json_body: Option<Value> = serde_json::from_slice(&body).ok();
    let mut state = state.lock().unwrap();
    let mut record = |service: &'static str,
                      method: &str,
                      path: &str,
                      query: &str,
                      body: Option<Value>,
                      status: u16| {
        state.served.push(Served {
            service,
            method: method.to_string(),
            path: path.to_string(),
            query: query.to_string(),
            body,
            status,
        });
    };
    // The token endpoints answer as their documentation shows (Zoom's Server-to-Server OAuth,
    // Entra ID's client credentials).
    if path == "/oauth/token" {
        record("zoom-oauth", method.as_str(), &path, "", None, 200);
        return json_response(
            200,
            Some(
                json!({"access_token": "replayed-zoom-token", "token_type": "bearer",
                        "expires_in": 3600, "scope": "account:read:admin"}),
            ),
        );
    }
    if path.ends_with("/oauth2/v2.0/token") {
        record("entra", method.as_str(), &path, "", None, 200);
        return json_response(
            200,
            Some(
                json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "replayed-graph-token"}),
            ),
        );
    }
    if let Some(rest) = path.strip_prefix("/v2") {
        let (status, answer) = zoom_answer(method.as_str(), rest, &query, json_body.as_ref());
        record("zoom", method.as_str(), rest, &query, json_body, status);
        return json_response(status, answer);
    }
    let Some(rest) = path.strip_prefix("/v1.0") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if rest == "/$batch" {
        let requests = json_body
            .as_ref()
            .and_then(|b| b["requests"].as_array().cloned())
            .unwrap_or_default();
        let mut responses = Vec::new();
        for request in requests {
            let url = request["url"].as_str().unwrap_or_default();
            let (inner_path, inner_query) = url.split_once('?').unwrap_or((url, ""));
            let inner_method = request["method"].as_str().unwrap_or("GET");
            let (status, body) = graph_answer(&state, inner_method, inner_path);
            state.served.push(Served {
                service: "graph",
                method: inner_method.to_string(),
                path: inner_path.to_string(),
                query: inner_query.to_string(),
                body: request.get("body").cloned(),
                status,
            });
            let mut response = json!({"id": request["id"], "status": status});
            if let Some(body) = body {
                response["headers"] = json!({"Content-Type": "application/json"});
                response["body"] = body;
            }
            responses.push(response);
        }
        return json_response(200, Some(json!({ "responses": responses })));
    }
    let (status, answer) = graph_answer(&state, method.as_str(), rest);
    state.served.push(Served {
        service: "graph",
        method: method.to_string(),
        path: rest.to_string(),
        query,
        body: json_body,
        status,
    });
    json_response(status, answer)
}

/// The replay server and a configuration directory pointed at it.
struct Replay {
    base: String,
    state: Arc<Mutex<ReplayState>>,
    dir: tempfile::TempDir,
}

impl Replay {
    async fn start(graph_examples: &[&str]) -> Replay {
        let state = Arc::new(Mutex::new(ReplayState {
            graph: graph_examples.iter().map(|f| graph_example(f)).collect(),
            served: Vec::new(),
        }));
        let app = axum::Router::new()
            .fallback(serve)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Replay {
            base,
            state,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, config: &str) {
        std::fs::write(self.path().join("main.zen.hcl"), config).unwrap();
    }

    fn run(&self, args: &[&str]) -> Output {
        let env = [
            ("ZOOM_API_URL", format!("{}/v2", self.base)),
            ("ZOOM_OAUTH_URL", self.base.clone()),
            ("ZOOM_ACCOUNT_ID", "replay-account".to_string()),
            ("ZOOM_CLIENT_ID", "replay-client".to_string()),
            ("ZOOM_CLIENT_SECRET", "replay-secret".to_string()),
            ("AZURE_GRAPH_URL", self.base.clone()),
            ("AZURE_AUTHORITY_HOST", self.base.clone()),
            (
                "AZURE_TENANT_ID",
                "84841066-274d-4ec0-a5c1-276be684bdd3".to_string(),
            ),
            (
                "AZURE_CLIENT_ID",
                "263a5b01-03e5-408e-8557-bab681df104c".to_string(),
            ),
            ("AZURE_CLIENT_SECRET", "replay-secret".to_string()),
        ];
        let mut cmd = Command::new(zentra_test_support::zentra_binary());
        cmd.args(args).current_dir(self.path()).env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn served(&self) -> Vec<Served> {
        self.state.lock().unwrap().served.clone()
    }

    /// Every Zoom and Graph request zentra sent matched the vendors' specs.
    fn assert_requests_conform(&self) {
        let zoom = ZoomSpec::load();
        let graph = GraphSpec::load();
        let mut problems = Vec::new();
        for s in self.served() {
            let result = match s.service {
                "zoom" => zoom
                    .validate_request(&s.method, &s.path, &s.query, s.body.as_ref())
                    .map(|_| ()),
                "graph" => {
                    let path = if s.query.is_empty() {
                        format!("/v1.0{}", s.path)
                    } else {
                        format!("/v1.0{}?{}", s.path, s.query)
                    };
                    graph
                        .validate_request(&s.method, &path, s.body.as_ref())
                        .map(|_| ())
                }
                _ => Ok(()),
            };
            if let Err(errors) = result {
                problems.push(format!(
                    "{} {} (answered {}): {errors:?}",
                    s.method, s.path, s.status
                ));
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every Zoom operation zentra calls, as `METHOD template`: the replay builds each one's
/// documented answer from the spec, which must have one.
const ZOOM_OPERATIONS: [(&str, &str); 29] = [
    ("GET", "/accounts/{accountId}/settings"),
    ("PATCH", "/accounts/{accountId}/settings"),
    ("GET", "/accounts/{accountId}/lock_settings"),
    ("PATCH", "/accounts/{accountId}/lock_settings"),
    ("GET", "/accounts/{accountId}/managed_domains"),
    ("GET", "/accounts/{accountId}/trusted_domains"),
    ("GET", "/groups"),
    ("POST", "/groups"),
    ("PATCH", "/groups/{groupId}"),
    ("DELETE", "/groups/{groupId}"),
    ("GET", "/groups/{groupId}/members"),
    ("POST", "/groups/{groupId}/members"),
    ("DELETE", "/groups/{groupId}/members/{memberId}"),
    ("GET", "/groups/{groupId}/settings"),
    ("PATCH", "/groups/{groupId}/settings"),
    ("GET", "/groups/{groupId}/lock_settings"),
    ("PATCH", "/groups/{groupId}/lock_settings"),
    ("GET", "/roles"),
    ("POST", "/roles"),
    ("PATCH", "/roles/{roleId}"),
    ("DELETE", "/roles/{roleId}"),
    ("GET", "/roles/{roleId}/members"),
    ("POST", "/roles/{roleId}/members"),
    ("DELETE", "/roles/{roleId}/members/{memberId}"),
    ("GET", "/rooms/calendar/services"),
    ("GET", "/rooms/calendar/services/{serviceId}/resources"),
    ("POST", "/rooms/calendar/services/{serviceId}/resources"),
    (
        "DELETE",
        "/rooms/calendar/services/{serviceId}/resources/{resourceId}",
    ),
    ("PUT", "/rooms/calendar/services/{serviceId}/sync"),
];

#[test]
fn every_zoom_operation_zentra_calls_has_a_documented_answer() {
    let spec = ZoomSpec::load();
    for (method, template) in ZOOM_OPERATIONS {
        let operation = spec
            .operation_object(method, template)
            .unwrap_or_else(|| panic!("{method} {template} is not in Zoom's spec"));
        let (status, response) = operation["responses"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(code, _)| code.starts_with('2'))
            .unwrap_or_else(|| panic!("{method} {template}: no success documented"));
        // What zentra reads must have a documented example; a write's answer may be bare.
        if let Some(schema) = response
            .pointer("/content/application~1json/schema")
            .filter(|_| method == "GET")
        {
            let example = zoom_example(schema, None);
            assert!(
                example.as_ref().is_some_and(|e| e != &json!({})),
                "{method} {template} -> {status}: no example to replay"
            );
        }
    }
    // The documented calendar service list names a service by its account's email.
    let (_, services) = zoom_answer("GET", "/rooms/calendar/services", "", None);
    assert_eq!(
        services.unwrap()["calendar_services"][0]["calendar_service_name"],
        "zroom1@example.com"
    );
}

/// Zoom's documented examples: the calendar service is found by the email Zoom lists it
/// under, the account's settings, locks, domains, groups and roles read without error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_documented_examples_plan_without_error() {
    let replay = Replay::start(&[]).await;
    let (_, groups) = zoom_answer("GET", "/groups", "page_size=300", None);
    let group_name = groups.unwrap()["groups"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    replay.write(&format!(
        r#"
provider "zoom" {{}}

data "zoom_rooms_calendar_services" "o365" {{
  email = "ZROOM1@example.com"
}}

data "zoom_managed_domains" "company" {{}}

data "zoom_group" "documented" {{
  name = "{group_name}"
}}

resource "zoom_account_settings" "sso" {{
  schedule_meeting {{
    host_video = true
  }}
}}

resource "zoom_account_lock_settings" "sso" {{
  schedule_meeting {{
    host_video = true
  }}
}}

resource "zoom_rooms_calendar_resource" "board" {{
  service_id = data.zoom_rooms_calendar_services.o365.id
  email      = "board.room@example.com"
}}

output "service_id" {{
  value = data.zoom_rooms_calendar_services.o365.id
}}

output "group_id" {{
  value = data.zoom_group.documented.id
}}
"#
    ));
    let out = replay.run(&["plan", "--json"]);
    assert!(
        out.status.code() == Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let plan: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        plan["planned_values"]["outputs"]["service_id"]["value"], "rNQUpdDXySFGhVycz7aR-SR",
        "the documented service, by the documented email"
    );
    assert!(
        plan["planned_values"]["outputs"]["group_id"]["value"].is_string(),
        "{plan}"
    );
    let served: Vec<String> = replay
        .served()
        .iter()
        .filter(|s| s.service == "zoom")
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    for call in [
        "GET /rooms/calendar/services",
        "GET /rooms/calendar/services/rNQUpdDXySFGhVycz7aR-SR/resources",
        "GET /accounts/me/managed_domains",
        "GET /groups",
        "GET /accounts/me/lock_settings",
    ] {
        assert!(served.iter().any(|s| s == call), "{call}: {served:#?}");
    }
    replay.assert_requests_conform();
}

/// Graph's documented examples: "just-user-read" reads as a custom consent setting (and the
/// plan says which entries), the admin consent workflow and a service principal read as
/// documented; applying writes what the configuration asks for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_documented_examples_plan_and_apply() {
    let replay = Replay::start(&[
        "get-authorization-policy.json",
        "get-admin-consent-request-policy.json",
        "list-service-principals.json",
        "get-domain.json",
    ])
    .await;
    replay.write(
        r#"
provider "azuread" {}

resource "azuread_user_consent_policy" "tenant" {
  user_consent                      = "disabled"
  allow_user_consent_for_risky_apps = false
}

resource "azuread_admin_consent_request_policy" "workflow" {
  enabled           = true
  reviewer_user_ids = ["906e0ee5-6372-4cc8-8248-fdf2846b48ed", "daddef1a-acb0-4f62-96d0-49df2495d657"]
}

resource "azuread_service_principal" "documented" {
  app_id = "65415bb1-9267-4313-bbf5-ae259732ee12"
}

data "azuread_domain" "documented" {
  name = "M365x214355.onmicrosoft.com"
}

output "sp" {
  value = azuread_service_principal.documented.object_id
}

output "initial" {
  value = data.azuread_domain.documented.is_initial
}
"#,
    );
    let out = replay.run(&["plan", "--no-color"]);
    assert!(
        matches!(out.status.code(), Some(0)),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(
        text.contains("~ user_consent = \"custom\" -> \"disabled\"")
            && text.contains("# was policies: just-user-read"),
        "{text}"
    );
    let out = replay.run(&["plan", "--json"]);
    let plan: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        plan["planned_values"]["outputs"]["sp"]["value"],
        "59e617e5-e447-4adc-8b88-00af644d7c92"
    );
    assert_eq!(plan["planned_values"]["outputs"]["initial"]["value"], true);
    let workflow = &plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "azuread_admin_consent_request_policy.workflow")
        .unwrap()["zentra"];
    assert_eq!(
        workflow["action"], "no_op",
        "read as documented: {workflow}"
    );

    // The replay answers the documented policy again after the write, so apply reports that it
    // did not converge: the write itself is what matters here.
    let out = replay.run(&["apply", "--auto-approve"]);
    assert!(
        stdout(&out).contains("Apply complete! Resources: 1 adopted, 0 added, 1 changed"),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("the service reports \"custom\""),
        "{}",
        stderr(&out)
    );
    let patch = replay
        .served()
        .into_iter()
        .find(|s| s.method == "PATCH" && s.path == "/policies/authorizationPolicy")
        .expect("the consent policy is written");
    assert_eq!(
        patch.body.unwrap()["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"],
        json!([]),
        "the unknown entry is replaced"
    );
    replay.assert_requests_conform();
}

/// Graph's documented federation answers: a domain without one answers 404 and a create is
/// planned; one with the documented configuration (whose certificates are truncated in the
/// documentation) reads without error; the documented domain is the tenant's initial one, which
/// zentra refuses to federate before writing anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_documented_federation_answers_read_sensibly() {
    let config = r#"
provider "azuread" {}

resource "azuread_domain_federation" "documented" {
  domain_id                         = "contoso.com"
  issuer_uri                        = "http://contoso.com/adfs/services/trust"
  passive_sign_in_uri               = "https://sts.contoso.com/adfs/ls"
  preferred_authentication_protocol = "wsFed"
  signing_certificate               = file("idp.pem")
}
"#;
    for list in [
        "list-federation-configurations-none.json",
        "list-federation-configurations.json",
    ] {
        let replay = Replay::start(&["get-domain.json", list]).await;
        replay.write(config);
        std::fs::copy(
            fixtures_dir().join("certs/idp-2026.pem"),
            replay.path().join("idp.pem"),
        )
        .unwrap();
        let out = replay.run(&["apply", "--auto-approve"]);
        assert_eq!(out.status.code(), Some(1), "{list}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("is the tenant's initial domain, which cannot be federated"),
            "{list}: {err}"
        );
        assert!(
            replay
                .served()
                .iter()
                .all(|s| s.method == "GET" || s.path.ends_with("/$batch") || s.service != "graph"),
            "{list}: nothing is written"
        );
        assert!(
            replay
                .served()
                .iter()
                .any(|s| s.path == "/domains/contoso.com/federationConfiguration"),
            "{list}: the configuration list was read"
        );
        replay.assert_requests_conform();
    }
}
