//! The emulator as a whole: environment variables and file, the admin API and in-process drift
//! helpers, latency, and starting and stopping.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use zentra_sim::{Seed, SimConfig, SimServer, run_foreground};
use zentra_test_support::sim::{Sim, read};

#[tokio::test]
async fn env_vars_point_at_the_emulator_with_seed_credentials() {
    let sim = Sim::start().await;
    let seed = Seed::default_demo();
    let base = sim.server.base_url();
    assert!(base.starts_with("http://127.0.0.1:"));
    let expected: HashMap<&str, String> = [
        ("ZOOM_API_URL", format!("{base}/v2")),
        ("ZOOM_OAUTH_URL", base.clone()),
        ("AZURE_GRAPH_URL", base.clone()),
        ("AZURE_AUTHORITY_HOST", base.clone()),
        ("ZOOM_ACCOUNT_ID", seed.zoom.accounts[0].id.clone()),
        (
            "ZOOM_CLIENT_ID",
            seed.zoom.accounts[0].apps[0].client_id.clone(),
        ),
        (
            "ZOOM_CLIENT_SECRET",
            seed.zoom.accounts[0].apps[0].client_secret.clone(),
        ),
        ("AZURE_TENANT_ID", seed.entra.tenants[0].id.clone()),
        (
            "AZURE_CLIENT_ID",
            seed.entra.tenants[0].client_apps[0].client_id.clone(),
        ),
        (
            "AZURE_CLIENT_SECRET",
            seed.entra.tenants[0].client_apps[0].secrets[0].clone(),
        ),
    ]
    .into_iter()
    .collect();
    let vars = sim.server.env_vars();
    assert_eq!(vars.len(), 10);
    for (name, value) in &vars {
        assert_eq!(expected.get(name.as_str()), Some(value), "{name}");
    }
    let file = sim.server.env_file_contents();
    for (name, value) in &vars {
        assert!(
            file.contains(&format!("export {name}='{value}'\n")),
            "{name}"
        );
    }
    // The credentials work.
    sim.zoom_token().await;
    sim.graph_token().await;
}

#[tokio::test]
async fn run_foreground_writes_the_env_file_once_listening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sim.env");
    let task = tokio::spawn(run_foreground(
        SimConfig::default(),
        Some(path.clone()),
        |_| {},
    ));
    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        if let Ok(text) = std::fs::read_to_string(&path) {
            break text;
        }
        assert!(Instant::now() < deadline, "env file not written");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(text.lines().count(), 10);
    let oauth = text
        .lines()
        .find_map(|l| l.strip_prefix("export ZOOM_OAUTH_URL='"))
        .and_then(|v| v.strip_suffix('\''))
        .expect("ZOOM_OAUTH_URL")
        .to_string();
    // The file is written only once the socket listens: a request succeeds at once.
    let response = reqwest::get(format!("{oauth}/_sim/state"))
        .await
        .expect("listening");
    assert_eq!(response.status(), 200);
    task.abort();
}

#[tokio::test]
async fn admin_api_inspects_and_changes_state_behind_clients_backs() {
    let sim = Sim::start().await;
    let zoom_token = sim.zoom_token().await;
    let admin = |path: &str| format!("{}/_sim/{path}", sim.base);

    let (status, state) = read(sim.http.get(admin("state")).send().await.expect("send")).await;
    assert_eq!(status, 200);
    assert_eq!(
        state["zoom"]["accounts"][0]["id"],
        json!(sim.var("ZOOM_ACCOUNT_ID"))
    );
    assert!(!state.to_string().contains(sim.var("ZOOM_CLIENT_SECRET")));
    assert!(!state.to_string().contains(sim.var("AZURE_CLIENT_SECRET")));

    // Drift in Zoom: an administrator turns on host video in the portal.
    let response = sim
        .http
        .patch(admin("zoom/accounts/me/settings"))
        .json(&json!({"schedule_meeting": {"host_video": true}}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 204);
    let (_, settings) = read(
        sim.http
            .get(sim.zoom("/accounts/me/settings?custom_query_fields=host_video"))
            .bearer_auth(&zoom_token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(settings, json!({"schedule_meeting": {"host_video": true}}));

    // Admin requests are not vendor requests: the log holds only the token and the GET.
    let log: Value = read(sim.http.get(admin("requests")).send().await.expect("send"))
        .await
        .1;
    assert_eq!(log.as_array().map(Vec::len), Some(2));
    let response = sim
        .http
        .delete(admin("requests"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 204);
    assert!(sim.server.requests().is_empty());

    // Faults over HTTP, strictly parsed.
    let response = sim
        .http
        .put(admin("faults"))
        .json(&json!({"graph_throttle_next": 2}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 204);
    let (_, faults) = read(sim.http.get(admin("faults")).send().await.expect("send")).await;
    assert_eq!(faults["graph_throttle_next"], json!(2));
    let response = sim
        .http
        .put(admin("faults"))
        .json(&json!({"graph_throttle_nxt": 2}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 400);

    let (status, _) = read(sim.http.get(admin("nothing")).send().await.expect("send")).await;
    assert_eq!(status, 404);

    // Reset brings the seed back.
    let response = sim.http.post(admin("reset")).send().await.expect("send");
    assert_eq!(response.status(), 204);
    assert_eq!(
        sim.server.zoom_account_settings("me")["schedule_meeting"]["host_video"],
        json!(false)
    );
}

#[tokio::test]
async fn in_process_drift_helpers_change_graph_state() {
    let sim = Sim::start().await;
    let token = sim.graph_token().await;
    let created = sim
        .server
        .patch_state(
            "POST",
            "graph/servicePrincipals",
            json!({"appId": "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"}),
        )
        .expect("create behind the back");
    let zoom_sp = created["id"].as_str().expect("id").to_string();
    let (status, _) = read(
        sim.http
            .get(sim.graph(&format!("/servicePrincipals/{zoom_sp}")))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 200);

    let grant = sim
        .server
        .patch_state(
            "POST",
            "graph/oauth2PermissionGrants",
            json!({"clientId": zoom_sp, "resourceId": "5b1e7c3a-9f2d-4e8b-a6c4-0d3f9e2b7a15",
                   "scope": "User.Read"}),
        )
        .expect("grant");
    let grant_id = grant["id"].as_str().expect("id").to_string();
    sim.server
        .patch_state(
            "PATCH",
            &format!("graph/oauth2PermissionGrants/{grant_id}"),
            json!({"scope": "User.Read Calendars.Read"}),
        )
        .expect("drift the grant");
    let (_, read_back) = read(
        sim.http
            .get(sim.graph(&format!("/oauth2PermissionGrants/{grant_id}")))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(read_back["scope"], json!("User.Read Calendars.Read"));

    sim.server
        .patch_state(
            "PATCH",
            "graph/policies/authorizationPolicy",
            json!({"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": []}}),
        )
        .expect("drift the policy");
    assert_eq!(
        sim.server.graph_authorization_policy()["defaultUserRolePermissions"],
        json!({
            "allowedToCreateApps": true,
            "allowedToCreateSecurityGroups": true,
            "allowedToCreateTenants": true,
            "allowedToReadBitlockerKeysForOwnedDevice": true,
            "allowedToReadOtherUsers": true,
            "permissionGrantPoliciesAssigned": []
        })
    );

    // Deleting the service principal behind the back takes its grants with it.
    sim.server
        .patch_state(
            "DELETE",
            &format!("graph/servicePrincipals/{zoom_sp}"),
            json!(null),
        )
        .expect("delete");
    let (status, _) = read(
        sim.http
            .get(sim.graph(&format!("/oauth2PermissionGrants/{grant_id}")))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 404);

    let err = sim
        .server
        .patch_state("DELETE", "graph/servicePrincipals/nope", json!(null))
        .expect_err("unknown");
    assert!(err.to_string().contains("nope"));

    // Zoom drift with a bypass user given by id gets the email filled in.
    sim.server
        .patch_state(
            "PATCH",
            "zoom/accounts/me/settings",
            json!({"security": {"signin_with_sso": {"sso_bypass_users": [{"id": "KDcuGIm1QgePTO8WbOqwIQ"}]}}}),
        )
        .expect("zoom drift");
    assert_eq!(
        sim.server.zoom_account_settings("me")["security"]["signin_with_sso"]["sso_bypass_users"],
        json!([{"id": "KDcuGIm1QgePTO8WbOqwIQ", "email": "breakglass@contoso.com"}])
    );
    assert!(sim.server.snapshot()["entra"]["tenants"][0]["servicePrincipals"].is_array());
}

#[tokio::test]
async fn latency_delays_vendor_requests_but_not_admin_ones() {
    let sim = Sim::start_with(SimConfig {
        latency: Duration::from_millis(60),
        ..SimConfig::default()
    })
    .await;
    let started = Instant::now();
    sim.zoom_token().await;
    assert!(started.elapsed() >= Duration::from_millis(60));
    // Admin requests skip the delay: the quickest of a few answers well within it.
    let mut quickest = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let response = sim
            .http
            .get(format!("{}/_sim/faults", sim.base))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200);
        quickest = quickest.min(started.elapsed());
    }
    assert!(quickest < Duration::from_millis(60), "{quickest:?}");
}

#[tokio::test]
async fn unknown_top_level_paths_are_404_and_not_logged() {
    let sim = Sim::start().await;
    let (status, body) = read(
        sim.http
            .get(format!("{}/beta/users", sim.base))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 404);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("/beta/users"))
    );
    assert!(sim.server.requests().is_empty());
}

#[tokio::test]
async fn shutdown_stops_listening_and_bad_seeds_do_not_start() {
    let server = SimServer::start(SimConfig::default()).await.expect("start");
    let url = format!("{}/_sim/state", server.base_url());
    assert!(reqwest::get(&url).await.is_ok());
    server.shutdown().await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    assert!(client.get(&url).send().await.is_err());

    let mut seed = Seed::default_demo();
    seed.entra.tenants[0].id = "not-a-guid".into();
    let err = SimServer::start(SimConfig {
        seed,
        ..SimConfig::default()
    })
    .await
    .expect_err("invalid seed");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}
