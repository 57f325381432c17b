//! Tests of the `zoom` provider: configuration, and reads and writes against a minimal local
//! stand-in for Zoom that counts requests.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::*;
use crate::client::RetryPolicy;
use crate::client::zoom::ZoomRateLimits;

fn block(json: Json) -> Value {
    Value::from_json(&json)
}

fn env(pairs: &[(&str, &str)]) -> Environment {
    Environment::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

#[test]
fn configuration_falls_back_to_the_environment() {
    let provider = ZoomProviderType::default()
        .configure(
            &block(json!({"client_id": "cid"})),
            &env(&[("ZOOM_ACCOUNT_ID", "acct"), ("ZOOM_CLIENT_SECRET", "sec")]),
        )
        .unwrap();
    assert_eq!(provider.name(), "zoom");
}

#[test]
fn a_missing_credential_names_attribute_and_variable() {
    let err = ZoomProviderType::default()
        .configure(
            &block(json!({"account_id": "a", "client_id": "c"})),
            &Environment::default(),
        )
        .err()
        .unwrap();
    assert_eq!(err.kind, ErrorKind::Configuration);
    assert!(err.message.contains("client_secret"));
    assert!(err.message.contains("ZOOM_CLIENT_SECRET"));
}

#[test]
fn endpoints_must_be_https_unless_loopback() {
    let base = json!({"account_id": "a", "client_id": "c", "client_secret": "s"});
    let mut remote_http = base.clone();
    remote_http["api_url"] = json!("http://api.zoom.us/v2");
    let err = ZoomProviderType::default()
        .configure(&block(remote_http), &Environment::default())
        .err()
        .unwrap();
    assert_eq!(err.kind, ErrorKind::Configuration);
    assert!(err.message.contains("api_url"));

    let err = ZoomProviderType::default()
        .configure(
            &block(base.clone()),
            &env(&[("ZOOM_OAUTH_URL", "http://zoom.example.com")]),
        )
        .err()
        .unwrap();
    assert!(err.message.contains("oauth_url"));

    let mut local = base;
    local["api_url"] = json!("http://127.0.0.1:9/v2");
    local["oauth_url"] = json!("http://localhost:9");
    assert!(
        ZoomProviderType::default()
            .configure(&block(local), &Environment::default())
            .is_ok()
    );
}

#[test]
fn schemas_describe_the_provider_block_and_every_resource() {
    let provider = ZoomProviderType::default();
    let config = provider.config_schema();
    assert!(config.property("client_secret").unwrap().sensitive);
    for attr in [
        "account_id",
        "client_id",
        "api_url",
        "oauth_url",
        "cloud",
        "plan_tier",
    ] {
        assert!(config.property(attr).is_some(), "{attr}");
    }
    let schemas = provider.resource_schemas();
    let names: Vec<(String, zentra_engine::schema::ResourceKind)> = schemas
        .iter()
        .map(|s| (s.type_name.clone(), s.kind))
        .collect();
    use zentra_engine::schema::ResourceKind::*;
    let expected = [
        ("zoom_account_settings", Singleton),
        ("zoom_account_lock_settings", Singleton),
        ("zoom_group_settings", Singleton),
        ("zoom_group_lock_settings", Singleton),
        ("zoom_group", Object),
        ("zoom_group_members", Object),
        ("zoom_role", Object),
        ("zoom_rooms_calendar_resource", Object),
        ("zoom_managed_domains", Data),
        ("zoom_trusted_domains", Data),
        ("zoom_rooms_calendar_services", Data),
        ("zoom_group", Data),
    ];
    assert_eq!(
        names,
        expected
            .iter()
            .map(|(n, k)| (n.to_string(), *k))
            .collect::<Vec<_>>()
    );
    for schema in &schemas {
        assert!(
            schema
                .permissions
                .iter()
                .any(|p| p.access == zentra_engine::schema::Access::Read),
            "{} declares what reading it needs",
            schema.type_name
        );
        let writes = schema
            .permissions
            .iter()
            .any(|p| p.access == zentra_engine::schema::Access::Write);
        assert_eq!(
            writes,
            schema.kind != Data,
            "{} declares write scopes exactly when it writes",
            schema.type_name
        );
    }
}

#[test]
fn cloud_and_plan_tier_choose_endpoints_and_budgets() {
    let base = json!({"account_id": "a", "client_id": "c", "client_secret": "s"});
    let gov = |extra: Json| {
        let mut config = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            config[k] = v.clone();
        }
        ZoomProviderType::default().configure(&block(config), &Environment::default())
    };
    assert!(gov(json!({"cloud": "zoomgov"})).is_ok());
    let chosen = |config: Json, env: &[(&str, &str)]| endpoints(&block(config), &self::env(env));
    let gov_endpoints = chosen(json!({"cloud": "zoomgov"}), &[]).unwrap();
    assert_eq!(gov_endpoints.api_url, "https://api.zoomgov.com/v2");
    assert_eq!(gov_endpoints.oauth_url, "https://zoomgov.com");
    let commercial = chosen(json!({}), &[]).unwrap();
    assert_eq!(commercial.api_url, "https://api.zoom.us/v2");
    assert_eq!(commercial.oauth_url, "https://zoom.us");
    let explicit = chosen(
        json!({"cloud": "zoomgov", "api_url": "https://api-eu.zoomgov.com/v2"}),
        &[("ZOOM_OAUTH_URL", "https://login.example.gov")],
    )
    .unwrap();
    assert_eq!(explicit.api_url, "https://api-eu.zoomgov.com/v2");
    assert_eq!(
        explicit.oauth_url, "https://login.example.gov",
        "explicit settings win"
    );
    let err = gov(json!({"cloud": "moon"})).err().unwrap();
    assert_eq!(err.kind, ErrorKind::Configuration);
    assert!(
        err.message.contains("commercial, zoomgov"),
        "{}",
        err.message
    );
    let err = gov(json!({"plan_tier": "platinum"})).err().unwrap();
    assert!(
        err.message.contains("free, pro, business"),
        "{}",
        err.message
    );
    assert!(gov(json!({"plan_tier": "business"})).is_ok());
    assert!(gov(json!({"rate_limit_share": 0.5})).is_ok());
    assert!(gov(json!({"rate_limit_share": 1})).is_ok());
    for bad in [json!(0.05), json!(1.5), json!("half")] {
        let err = gov(json!({ "rate_limit_share": bad })).err().unwrap();
        assert_eq!(err.kind, ErrorKind::Configuration);
        assert!(err.message.contains("rate_limit_share"), "{}", err.message);
    }
}
/// A minimal Zoom: token endpoint, settings and lock settings per account, recording requests.
#[derive(Default)]
pub(crate) struct Stub {
    pub(crate) requests: Mutex<Vec<String>>,
    pub(crate) patches: Mutex<Vec<(String, Json)>>,
    pub(crate) tokens: AtomicUsize,
    /// Whether a plain settings GET includes `security` (Zoom's spec says so; the notes doubt it).
    pub(crate) plain_get_has_security: bool,
    /// Patches applied so far, by `account/endpoint`.
    pub(crate) state: Mutex<HashMap<String, Json>>,
    /// After a PATCH, this many GETs still show the settings from before it.
    pub(crate) stale_reads_after_patch: usize,
    pub(crate) stale: Mutex<Option<(usize, HashMap<String, Json>)>>,
}

pub(crate) async fn start(stub: Arc<Stub>) -> String {
    async fn token(State(stub): State<Arc<Stub>>) -> Response {
        stub.tokens.fetch_add(1, Ordering::SeqCst);
        axum::Json(json!({"access_token": "t", "token_type": "bearer", "expires_in": 3600}))
            .into_response()
    }
    async fn settings(
        State(stub): State<Arc<Stub>>,
        Path((account, endpoint)): Path<(String, String)>,
        Query(q): Query<HashMap<String, String>>,
    ) -> Response {
        let option = q.get("option").cloned().unwrap_or_default();
        stub.requests
            .lock()
            .unwrap()
            .push(format!("GET {account}/{endpoint}?{option}"));
        if account == "missing" {
            return (
                StatusCode::NOT_FOUND,
                [("x-zm-trackingid", "trk-404")],
                r#"{"code":2001,"message":"Account does not exist."}"#,
            )
                .into_response();
        }
        let security = json!({"signin_with_sso": {"enable": true, "require_sso_for_domains": false,
            "domains": ["example.com"], "sso_bypass_users": [{"id": "u1", "email": "a@example.com"}]}});
        let body = match (endpoint.as_str(), option.as_str()) {
            ("settings", "security") => json!({"security": security}),
            ("settings", _) => {
                let mut b = json!({"in_meeting": {"chat": true, "breakout_room": false},
                    "schedule_meeting": {"host_video": true}});
                if stub.plain_get_has_security {
                    b["security"] = security;
                }
                b
            }
            _ => json!({"in_meeting": {"chat": false, "breakout_room": true}}),
        };
        let view = {
            let mut stale = stub.stale.lock().unwrap();
            match stale.as_mut() {
                Some((left, snapshot)) if *left > 0 => {
                    *left -= 1;
                    snapshot.clone()
                }
                _ => stub.state.lock().unwrap().clone(),
            }
        };
        let mut body = body;
        if let Some(applied) = view.get(&format!("{account}/{endpoint}")) {
            let mut applied = applied.clone();
            // Security changes show where security is shown.
            if body.get("security").is_none()
                && let Some(map) = applied.as_object_mut()
            {
                map.shift_remove("security");
            }
            crate::paths::deep_merge(&mut body, &applied);
        }
        axum::Json(body).into_response()
    }
    async fn patch(
        State(stub): State<Arc<Stub>>,
        Path((account, endpoint)): Path<(String, String)>,
        axum::Json(body): axum::Json<Json>,
    ) -> StatusCode {
        let key = format!("{account}/{endpoint}");
        let mut state = stub.state.lock().unwrap();
        if stub.stale_reads_after_patch > 0 {
            *stub.stale.lock().unwrap() = Some((stub.stale_reads_after_patch, state.clone()));
        }
        crate::paths::deep_merge(state.entry(key.clone()).or_insert_with(|| json!({})), &body);
        stub.patches.lock().unwrap().push((key, body));
        StatusCode::NO_CONTENT
    }
    let app = Router::new()
        .route("/oauth/token", post(token))
        .route(
            "/v2/accounts/{account}/{endpoint}",
            get(settings).patch(patch),
        )
        .with_state(stub);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

fn provider(base: &str) -> ZoomProvider {
    let options = ZoomClientOptions {
        retry: RetryPolicy {
            max_attempts: 2,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(10),
            max_retry_after: Duration::from_secs(1),
            ..RetryPolicy::default()
        },
        rate_limits: ZoomRateLimits {
            light: 500.0,
            medium: 500.0,
            heavy: 500.0,
            ..ZoomRateLimits::default()
        },
        settle_wait: Duration::from_millis(1500),
        ..ZoomClientOptions::default()
    };
    let client = ZoomClient::new(
        ZoomCredentials {
            account_id: "acct-1".into(),
            client_id: "cid".into(),
            client_secret: "zoom-secret-value".into(),
        },
        ZoomEndpoints {
            api_url: format!("{base}/v2"),
            oauth_url: base.to_string(),
        },
        options,
    )
    .unwrap();
    ZoomProvider::new(client)
}

fn read(type_name: &str, config: Json) -> ReadRequest {
    ReadRequest::whole(type_name, crate::mode_of(type_name), None, block(config))
}

#[test]
fn debug_output_never_shows_the_secret() {
    let p = provider("http://127.0.0.1:9");
    let shown = format!("{p:?}");
    assert!(shown.contains("cid"));
    assert!(!shown.contains("zoom-secret-value"), "{shown}");
}

#[tokio::test]
async fn one_get_per_account_and_endpoint_serves_the_whole_batch() {
    let stub = Arc::new(Stub::default());
    let base = start(stub.clone()).await;
    let zoom = provider(&base);
    let batch = vec![
        read(
            "zoom_account_settings",
            json!({"in_meeting": {"chat": true}}),
        ),
        read(
            "zoom_account_lock_settings",
            json!({"in_meeting": {"chat": true}}),
        ),
        read(
            "zoom_account_settings",
            json!({"account_id": "me", "schedule_meeting": {"host_video": false}}),
        ),
        read("zoom_account_settings", json!({"account_id": "sub-1"})),
    ];
    let results = zoom.read(&batch).await;
    let mut requests = stub.requests.lock().unwrap().clone();
    requests.sort();
    assert_eq!(
        requests,
        [
            "GET me/lock_settings?",
            "GET me/settings?",
            "GET sub-1/settings?"
        ]
    );
    let first = results[0].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(
        first.id, "acct-1",
        "`me` resolves to the credentials' account"
    );
    assert_eq!(
        first.attributes.get_path(&["in_meeting", "chat"]),
        Some(&Value::Bool(true))
    );
    assert_eq!(
        first.attributes.get("account_id").and_then(Value::as_str),
        Some("me")
    );
    let lock = results[1].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(
        lock.attributes.get_path(&["in_meeting", "breakout_room"]),
        Some(&Value::Bool(true))
    );
    let sub = results[3].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(sub.id, "sub-1");
}

#[tokio::test]
async fn security_is_fetched_separately_only_when_configured_and_missing() {
    let stub = Arc::new(Stub::default());
    let base = start(stub.clone()).await;
    let zoom = provider(&base);
    let results = zoom
        .read(&[read(
            "zoom_account_settings",
            json!({"security": {"signin_with_sso": {"sso_bypass_user_ids": ["u1"]}}}),
        )])
        .await;
    assert_eq!(
        *stub.requests.lock().unwrap(),
        ["GET me/settings?", "GET me/settings?security"]
    );
    let object = results[0].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(
        object
            .attributes
            .get_path(&["security", "signin_with_sso", "sso_bypass_user_ids"])
            .and_then(Value::to_json),
        Some(json!(["u1"]))
    );

    // When the plain GET carries `security`, one request is enough.
    let stub = Arc::new(Stub {
        plain_get_has_security: true,
        ..Stub::default()
    });
    let base = start(stub.clone()).await;
    let zoom = provider(&base);
    zoom.read(&[read(
        "zoom_account_settings",
        json!({"security": {"signin_with_sso": {"enable": true}}}),
    )])
    .await;
    assert_eq!(*stub.requests.lock().unwrap(), ["GET me/settings?"]);
}

#[tokio::test]
async fn unknown_accounts_are_not_read_and_errors_keep_the_tracking_id() {
    let stub = Arc::new(Stub::default());
    let base = start(stub.clone()).await;
    let zoom = provider(&base);
    let mut pending = read("zoom_account_settings", json!({}));
    pending.config = Value::Object(
        [("account_id".to_string(), Value::Unknown)]
            .into_iter()
            .collect(),
    );
    let results = zoom
        .read(&[
            pending,
            read("zoom_account_settings", json!({"account_id": "missing"})),
            read("zoom_nothing", json!({})),
        ])
        .await;
    assert_eq!(results[0], Ok(None));
    let err = results[1].as_ref().unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(err.request_id.as_deref(), Some("trk-404"));
    assert_eq!(err.vendor_code.as_deref(), Some("2001"));
    assert_eq!(
        results[2].as_ref().unwrap_err().kind,
        ErrorKind::Configuration
    );
    assert_eq!(*stub.requests.lock().unwrap(), ["GET missing/settings?"]);
}

#[tokio::test]
async fn updates_patch_only_the_changed_settings() {
    let stub = Arc::new(Stub::default());
    let base = start(stub.clone()).await;
    let zoom = provider(&base);
    let live = zoom
        .read(&[read("zoom_account_settings", json!({}))])
        .await
        .remove(0)
        .unwrap()
        .unwrap();
    let desired = block(
        json!({"in_meeting": {"chat": false, "breakout_room": false},
        "schedule_meeting": {"host_video": true}}),
    );
    let written = zoom
        .update(&WriteRequest {
            type_name: "zoom_account_settings".into(),
            id: Some(live.id.clone()),
            config: desired,
            prior: Some(live.attributes.clone()),
            changed_paths: vec![],
            creator: None,
        })
        .await
        .unwrap();
    assert_eq!(
        *stub.patches.lock().unwrap(),
        [(
            "me/settings".to_string(),
            json!({"in_meeting": {"chat": false}})
        )]
    );
    assert_eq!(written.id, "acct-1");
    assert_eq!(
        written.attributes.get_path(&["in_meeting", "chat"]),
        Some(&Value::Bool(false))
    );
    assert_eq!(
        written
            .attributes
            .get_path(&["schedule_meeting", "host_video"]),
        Some(&Value::Bool(true))
    );

    // Nothing differs: no request at all.
    zoom.update(&WriteRequest {
        type_name: "zoom_account_settings".into(),
        id: Some("acct-1".into()),
        config: block(json!({"in_meeting": {"chat": true}})),
        prior: Some(live.attributes.clone()),
        changed_paths: vec![],
        creator: None,
    })
    .await
    .unwrap();
    assert_eq!(stub.patches.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn creating_a_singleton_writes_sso_bypass_ids_as_an_overwrite() {
    let stub = Arc::new(Stub::default());
    let base = start(stub.clone()).await;
    let zoom = provider(&base);
    let desired = block(
        json!({"account_id": "sub-2", "security": {"signin_with_sso":
        {"enable": true, "sso_bypass_user_ids": ["u9", "u1"]}}}),
    );
    let written = zoom
        .create(&WriteRequest {
            type_name: "zoom_account_settings".into(),
            id: None,
            config: desired,
            prior: None,
            changed_paths: vec![],
            creator: None,
        })
        .await
        .unwrap();
    let patches = stub.patches.lock().unwrap().clone();
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0].0, "sub-2/settings");
    assert_eq!(
        patches[0].1,
        json!({"security": {"signin_with_sso": {"enable": true, "sso_bypass_user_ids": ["u9", "u1"]}}})
    );
    assert_eq!(written.id, "sub-2");
    assert_eq!(
        written.attributes.get("account_id").and_then(Value::as_str),
        Some("sub-2")
    );
}

#[tokio::test]
async fn a_read_right_after_a_write_waits_for_zoom_to_show_it() {
    let stub = Arc::new(Stub {
        stale_reads_after_patch: 2,
        ..Stub::default()
    });
    let base = start(stub.clone()).await;
    let zoom = provider(&base);
    let desired = json!({"in_meeting": {"chat": false}});
    let before = zoom
        .read(&[read("zoom_account_settings", desired.clone())])
        .await;
    assert_eq!(
        stub.requests.lock().unwrap().len(),
        1,
        "nothing written yet: no waiting"
    );
    let live = before[0].as_ref().unwrap().as_ref().unwrap();
    zoom.update(&WriteRequest {
        type_name: "zoom_account_settings".into(),
        id: Some(live.id.clone()),
        config: block(desired.clone()),
        prior: Some(live.attributes.clone()),
        changed_paths: vec!["in_meeting.chat".into()],
        creator: None,
    })
    .await
    .unwrap();
    stub.requests.lock().unwrap().clear();
    let after = zoom.read(&[read("zoom_account_settings", desired)]).await;
    let object = after[0].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(
        object.attributes.get_path(&["in_meeting", "chat"]),
        Some(&Value::Bool(false))
    );
    assert_eq!(
        stub.requests.lock().unwrap().len(),
        3,
        "two stale reads, then the new value"
    );

    // Another account, never written: a mismatch is reported at once.
    stub.requests.lock().unwrap().clear();
    zoom.read(&[read(
        "zoom_account_settings",
        json!({"account_id": "sub-9", "in_meeting": {"chat": false}}),
    )])
    .await;
    assert_eq!(stub.requests.lock().unwrap().len(), 1);
}

/// Every declared scope is one Zoom's spec lists for the operation the reason names, so the
/// permission tables cannot drift from the operation index.
#[test]
fn declared_scopes_match_the_operation_index() {
    let index: Json = serde_json::from_str(zentra_engine::schema::data::ZOOM_API_INDEX).unwrap();
    let operations = index["operations"].as_array().unwrap();
    for schema in ZoomProviderType::default().resource_schemas() {
        for permission in &schema.permissions {
            let mut words = permission.reason.split_whitespace();
            let method = words.next().unwrap();
            let path = words.next().unwrap().trim_end_matches(',');
            let operation = operations
                .iter()
                .find(|o| o["method"] == method && o["path"] == path)
                .unwrap_or_else(|| {
                    panic!(
                        "{}: `{}` names no indexed operation",
                        schema.type_name, permission.reason
                    )
                });
            let scopes: Vec<&str> = operation["scopes"]["granular"]
                .as_array()
                .unwrap()
                .iter()
                .chain(operation["scopes"]["macro"].as_array().unwrap())
                .filter_map(Json::as_str)
                .collect();
            assert!(
                scopes.contains(&permission.name.as_str()),
                "{}: {} is not a scope of {method} {path}: {scopes:?}",
                schema.type_name,
                permission.name
            );
        }
    }
}
