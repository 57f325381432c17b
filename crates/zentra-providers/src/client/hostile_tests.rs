//! Tests of the vendor clients against services that misbehave in ways the emulator never
//! does: bodies of the wrong shape, endless paging, throttling that never ends, token endpoints
//! that answer oddly, connections that never answer. The clients must fail with an error that
//! names the request, in bounded time, without showing a secret.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde_json::{Value as Json, json};

use super::entra_auth::Credential;
use super::graph::{GraphClient, GraphClientOptions, GraphCredentials, GraphEndpoints};
use super::zoom::{
    ZoomClient, ZoomClientOptions, ZoomCredentials, ZoomEndpoints, ZoomRateLimits, ZoomRequest,
};
use super::{RetryPolicy, Timeouts};
use zentra_engine::provider::ErrorKind;

const ZOOM_SECRET: &str = "zoom-client-secret-value";
const GRAPH_SECRET: &str = "graph-client-secret-value";
const ACCESS_TOKEN: &str = "access-token-value";

/// One request as the stub saw it.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    query: String,
}

type Script = dyn Fn(&str, &Seen, usize) -> Response + Send + Sync;

/// A service whose every answer comes from `script`, given the service's base URL, the request
/// and how many requests came before it.
struct Hostile {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Hostile {
    async fn start(
        script: impl Fn(&str, &Seen, usize) -> Response + Send + Sync + 'static,
    ) -> Hostile {
        let script: Arc<Script> = Arc::new(script);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let shared_base = base.clone();
        let requests = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (counter, log) = (requests.clone(), seen.clone());
        let app = Router::new().fallback(move |uri: Uri| {
            let (script, counter, log) = (script.clone(), counter.clone(), log.clone());
            let base = shared_base.clone();
            async move {
                let request = Seen {
                    path: uri.path().to_string(),
                    query: uri.query().unwrap_or("").to_string(),
                };
                log.lock().unwrap().push(request.clone());
                let n = counter.fetch_add(1, Ordering::SeqCst);
                script(&base, &request, n)
            }
        });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Hostile { base, seen }
    }

    fn count(&self, path_part: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path.contains(path_part))
            .count()
    }
}

fn is_token_request(seen: &Seen) -> bool {
    seen.path.ends_with("/oauth/token") || seen.path.ends_with("/oauth2/v2.0/token")
}

fn good_token() -> Response {
    axum::Json(json!({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3599}))
        .into_response()
}

fn json_response(status: u16, body: Json) -> Response {
    (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response()
}

fn retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(2),
        ..RetryPolicy::default()
    }
}

fn timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_millis(500),
        request: Duration::from_millis(500),
    }
}

fn zoom(base: &str) -> ZoomClient {
    ZoomClient::new(
        ZoomCredentials {
            account_id: "acct".into(),
            client_id: "cid".into(),
            client_secret: SecretString::from(ZOOM_SECRET),
        },
        ZoomEndpoints {
            api_url: format!("{base}/v2"),
            oauth_url: base.to_string(),
        },
        ZoomClientOptions {
            retry: retry(),
            timeouts: timeouts(),
            rate_limits: ZoomRateLimits {
                light: 10_000.0,
                medium: 10_000.0,
                heavy: 10_000.0,
                daily_light: None,
                daily_medium: None,
                daily_heavy: None,
            },
            ..ZoomClientOptions::default()
        },
    )
    .unwrap()
}

fn graph(base: &str) -> GraphClient {
    GraphClient::new(
        GraphCredentials {
            tenant_id: "tenant-1".into(),
            client_id: "client-1".into(),
            credential: Credential::ClientSecret(SecretString::from(GRAPH_SECRET)),
        },
        GraphEndpoints {
            graph_url: base.to_string(),
            login_url: base.to_string(),
        },
        GraphClientOptions {
            retry: retry(),
            timeouts: timeouts(),
            replication_wait: Duration::from_millis(200),
            replication_backoff: Duration::from_millis(10),
            ..GraphClientOptions::default()
        },
    )
    .unwrap()
}

/// Everything an error shows, checked for secrets.
fn assert_no_secret(shown: &str) {
    for secret in [ZOOM_SECRET, GRAPH_SECRET, ACCESS_TOKEN] {
        assert!(!shown.contains(secret), "a secret is shown: {shown}");
    }
}

#[tokio::test]
async fn throttling_forever_is_bounded_and_says_so() {
    let service = Hostile::start(|_, seen, _| {
        if is_token_request(seen) {
            return good_token();
        }
        let mut r = json_response(429, json!({"error": {"code": "TooManyRequests", "message": "slow"}, "code": 429, "message": "slow"}));
        r.headers_mut().insert("retry-after", "0".parse().unwrap());
        r.headers_mut().insert("request-id", "rid-429".parse().unwrap());
        r.headers_mut().insert("x-zm-trackingid", "trk-429".parse().unwrap());
        r
    })
    .await;
    let err = graph(&service.base).get("/organization").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Throttled);
    assert!(err.message.contains("gave up after 3 attempts"), "{err}");
    assert_eq!(err.request_id.as_deref(), Some("rid-429"));
    assert_eq!(service.count("/v1.0/organization"), 3);
    let err = zoom(&service.base)
        .get_json(&ZoomRequest::get("/users/me"))
        .await
        .unwrap_err();
    assert!(err.message.contains("gave up after 3 attempts"), "{err}");
    assert_eq!(err.request_id.as_deref(), Some("trk-429"));
    assert_eq!(service.count("/v2/users/me"), 3);
}

#[tokio::test]
async fn odd_retry_after_values_do_not_hang() {
    for value in [
        "-5",
        "soon",
        "99999999999999999999",
        "1e400",
        "NaN",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        let shown = value.to_string();
        let service = Hostile::start(move |_, seen, _| {
            if is_token_request(seen) {
                return good_token();
            }
            let mut r = json_response(503, json!({"error": {"code": "x", "message": "busy"}}));
            r.headers_mut()
                .insert("retry-after", shown.parse().unwrap());
            r
        })
        .await;
        let started = Instant::now();
        let err = graph(&service.base).get("/organization").await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(3), "{value}");
        assert_eq!(err.request.as_deref(), Some("GET /organization"));
        let err = zoom(&service.base)
            .get_json(&ZoomRequest::get("/users/me"))
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(6), "{value}");
        assert_eq!(err.request.as_deref(), Some("GET /users/me"));
    }
}

#[tokio::test]
async fn odd_token_answers_fail_cleanly() {
    let answers: Vec<Json> = vec![
        json!({"token_type": "bearer", "expires_in": 3600}),
        json!({"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": -1}),
        json!({"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": "3600"}),
        json!({"access_token": null}),
        json!([ACCESS_TOKEN]),
        json!({"access_token": 12, "token_type": "bearer"}),
        json!({"access_token": ACCESS_TOKEN, "token_type": "mac", "expires_in": 3600}),
        json!(null),
    ];
    for answer in answers {
        let body = answer.clone();
        let service = Hostile::start(move |_, seen, _| {
            if is_token_request(seen) {
                return json_response(200, body.clone());
            }
            json_response(200, json!({"ok": true}))
        })
        .await;
        for result in [
            zoom(&service.base)
                .get_json(&ZoomRequest::get("/users/me"))
                .await,
            graph(&service.base).get("/organization").await,
        ] {
            match result {
                Ok(_) => {}
                Err(err) => {
                    assert!(err.request.is_some(), "{answer}: {err}");
                    assert_no_secret(&format!("{err} {err:?}"));
                }
            }
        }
    }
}

#[tokio::test]
async fn entra_errors_without_a_description_and_html_pages_are_reported() {
    let service = Hostile::start(|_, seen, _| {
        if seen.path.contains("tenant-1") {
            return json_response(
                400,
                json!({"error": "invalid_request", "correlation_id": "corr-9"}),
            );
        }
        json_response(200, json!({}))
    })
    .await;
    let err = graph(&service.base).get("/organization").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Authentication);
    assert_eq!(err.vendor_code.as_deref(), Some("invalid_request"));
    assert_eq!(err.request_id.as_deref(), Some("corr-9"));
    let html = Hostile::start(|_, _, _| {
        (
            StatusCode::FORBIDDEN,
            [("content-type", "text/html")],
            "<html>Access denied by proxy</html>",
        )
            .into_response()
    })
    .await;
    let err = graph(&html.base).get("/organization").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Authentication);
    assert_eq!(err.status, Some(403));
    assert!(err.request.is_some(), "{err}");
    let err = zoom(&html.base)
        .get_json(&ZoomRequest::get("/users/me"))
        .await
        .unwrap_err();
    assert_eq!(err.status, Some(403));
    assert!(err.message.contains("Access denied by proxy"), "{err}");
}

#[tokio::test]
async fn bodies_that_are_not_json_or_too_deep_are_errors_naming_the_request() {
    for body in [
        "<html>hello</html>".to_string(),
        "{\"value\": [".to_string(),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    ] {
        let shown = body.clone();
        let service = Hostile::start(move |_, seen, _| {
            if is_token_request(seen) {
                return good_token();
            }
            let mut r = (StatusCode::OK, shown.clone()).into_response();
            r.headers_mut()
                .insert("request-id", "rid-body".parse().unwrap());
            r.headers_mut()
                .insert("x-zm-trackingid", "trk-body".parse().unwrap());
            r
        })
        .await;
        let err = graph(&service.base).get("/organization").await.unwrap_err();
        assert_eq!(err.request.as_deref(), Some("GET /organization"));
        assert_eq!(err.request_id.as_deref(), Some("rid-body"));
        let err = zoom(&service.base)
            .get_json(&ZoomRequest::get("/users/me"))
            .await
            .unwrap_err();
        assert_eq!(err.request.as_deref(), Some("GET /users/me"));
        assert_eq!(err.request_id.as_deref(), Some("trk-body"));
    }
}

#[tokio::test]
async fn a_service_that_never_answers_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let started = Instant::now();
    let err = zoom(&base)
        .get_json(&ZoomRequest::get("/users/me"))
        .await
        .unwrap_err();
    assert!(err.message.contains("timed out"), "{err}");
    assert_eq!(err.request.as_deref(), Some("POST /oauth/token"));
    let err = graph(&base).get("/organization").await.unwrap_err();
    assert!(err.message.contains("timed out"), "{err}");
    assert!(err.request.is_some());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_api_that_never_answers_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let tokens = Hostile::start(|_, _, _| good_token()).await;
    let client = ZoomClient::new(
        ZoomCredentials {
            account_id: "acct".into(),
            client_id: "cid".into(),
            client_secret: SecretString::from(ZOOM_SECRET),
        },
        ZoomEndpoints {
            api_url: format!("{silent}/v2"),
            oauth_url: tokens.base.clone(),
        },
        ZoomClientOptions {
            retry: retry(),
            timeouts: timeouts(),
            ..ZoomClientOptions::default()
        },
    )
    .unwrap();
    let started = Instant::now();
    let err = client
        .get_json(&ZoomRequest::get("/users/me"))
        .await
        .unwrap_err();
    assert!(err.message.contains("timed out"), "{err}");
    assert_eq!(err.request.as_deref(), Some("GET /users/me"));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn zoom_pages_whose_token_never_changes_stop_early() {
    let service = Hostile::start(|_, seen, _| {
        if is_token_request(seen) {
            return good_token();
        }
        json_response(
            200,
            json!({"users": [{"id": "u"}], "next_page_token": "same"}),
        )
    })
    .await;
    let client = zoom(&service.base);
    let started = Instant::now();
    let err = client
        .get_all_pages(&ZoomRequest::get("/users"), "users")
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        service.count("/v2/users") <= 3,
        "{}",
        service.count("/v2/users")
    );
    assert_eq!(err.request.as_deref(), Some("GET /users"), "{err}");
    assert!(err.message.contains("next_page_token"), "{err}");
}

#[tokio::test]
async fn zoom_pages_that_come_back_stop_early() {
    let service = Hostile::start(|_, seen, _| {
        if is_token_request(seen) {
            return good_token();
        }
        // a -> b -> a -> b ...
        let next = if seen.query.contains("next_page_token=a") {
            "b"
        } else {
            "a"
        };
        json_response(200, json!({"users": [], "next_page_token": next}))
    })
    .await;
    let client = zoom(&service.base);
    let err = client
        .get_all_pages(&ZoomRequest::get("/users"), "users")
        .await
        .unwrap_err();
    assert!(
        service.count("/v2/users") <= 4,
        "{}",
        service.count("/v2/users")
    );
    assert_eq!(err.request.as_deref(), Some("GET /users"), "{err}");
}

#[tokio::test]
async fn graph_next_links_that_loop_stop_early_and_name_the_request() {
    let service = Hostile::start(|base, seen, _| {
        if is_token_request(seen) {
            return good_token();
        }
        json_response(
            200,
            json!({"value": [{"id": "x"}],
                "@odata.nextLink": format!("{base}/v1.0/servicePrincipals?$skiptoken=same")}),
        )
    })
    .await;
    let client = graph(&service.base);
    let started = Instant::now();
    let err = client
        .get_collection("/servicePrincipals")
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        service.count("/v1.0/servicePrincipals") <= 3,
        "{}",
        service.count("/v1.0/servicePrincipals")
    );
    assert_eq!(
        err.request.as_deref(),
        Some("GET /servicePrincipals"),
        "{err}"
    );
    assert!(err.message.contains("nextLink"), "{err}");
}

#[tokio::test]
async fn graph_next_links_to_another_host_are_refused_and_name_the_request() {
    let service = Hostile::start(|_, seen, _| {
        if is_token_request(seen) {
            return good_token();
        }
        json_response(
            200,
            json!({"value": [], "@odata.nextLink": "https://evil.example.com/v1.0/servicePrincipals"}),
        )
    })
    .await;
    let client = graph(&service.base);
    let err = client
        .get_collection("/servicePrincipals")
        .await
        .unwrap_err();
    assert!(err.message.contains("not following"), "{err}");
    assert_eq!(
        err.request.as_deref(),
        Some("GET /servicePrincipals"),
        "{err}"
    );
    // A look-alike host that merely starts with the configured one is refused too.
    let base = service.base.clone();
    let lookalike = Hostile::start(move |_, seen, _| {
        if is_token_request(seen) {
            return good_token();
        }
        json_response(
            200,
            json!({"value": [], "@odata.nextLink": format!("{base}.evil.example.com/v1.0/x")}),
        )
    })
    .await;
    let err = graph(&lookalike.base)
        .get_collection("/servicePrincipals")
        .await
        .unwrap_err();
    assert!(err.message.contains("not following"), "{err}");
}

#[tokio::test]
async fn paths_and_next_links_with_dot_segments_never_leave_the_api_root() {
    let service = Hostile::start(|base, seen, _| {
        if is_token_request(seen) {
            return good_token();
        }
        json_response(
            200,
            json!({"value": [], "@odata.nextLink": format!("{base}/v1.0/../_sim/state?$skiptoken=s3cret")}),
        )
    })
    .await;
    let err = graph(&service.base)
        .get_collection("/servicePrincipals")
        .await
        .unwrap_err();
    assert!(err.message.contains("not following"), "{err}");
    assert!(!err.message.contains("s3cret"), "{err}");
    assert_eq!(service.count("/_sim/state"), 0);
    // A Zoom path built from an id in an answer cannot climb out of /v2 either.
    let err = zoom(&service.base)
        .get_json(&ZoomRequest::get("/groups/../../_sim/state"))
        .await
        .unwrap_err();
    assert!(err.message.contains("is not under"), "{err}");
    assert_eq!(service.count("/_sim/state"), 0);
}

#[tokio::test]
async fn token_endpoints_failing_forever_are_bounded_and_say_so() {
    let service = Hostile::start(|_, _, _| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [("content-type", "text/html")],
            "<html><body>Service Unavailable</body></html>",
        )
            .into_response()
    })
    .await;
    let err = zoom(&service.base)
        .get_json(&ZoomRequest::get("/users/me"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Authentication);
    assert_eq!(err.request.as_deref(), Some("POST /oauth/token"));
    assert!(err.message.contains("gave up after 3 attempts"), "{err}");
    assert_eq!(service.count("/oauth/token"), 3);
    let err = graph(&service.base).get("/organization").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Authentication);
    assert!(
        err.request
            .as_deref()
            .unwrap_or("")
            .contains("/oauth2/v2.0/token"),
        "{err}"
    );
    assert!(err.message.contains("gave up after 3 attempts"), "{err}");
    assert_eq!(service.count("/oauth2/v2.0/token"), 3);
    assert_no_secret(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn enormous_bodies_are_refused() {
    let service = Hostile::start(|_, seen, _| {
        if is_token_request(seen) {
            return good_token();
        }
        // 200 MiB of spaces inside a JSON string, streamed.
        let chunk = Bytes::from(vec![b' '; 1 << 20]);
        let stream = futures::stream::iter(
            std::iter::once(Ok::<_, std::io::Error>(Bytes::from_static(
                b"{\"value\": \"",
            )))
            .chain(std::iter::repeat_n(chunk, 200).map(Ok)),
        );
        (StatusCode::OK, axum::body::Body::from_stream(stream)).into_response()
    })
    .await;
    let err = graph(&service.base).get("/organization").await.unwrap_err();
    assert_eq!(err.request.as_deref(), Some("GET /organization"));
    assert!(err.message.contains("over 32 MiB"), "{err}");
    let err = zoom(&service.base)
        .get_json(&ZoomRequest::get("/users/me"))
        .await
        .unwrap_err();
    assert_eq!(err.request.as_deref(), Some("GET /users/me"));
    assert!(err.message.contains("over 32 MiB"), "{err}");
}

#[tokio::test]
async fn odd_batch_answers_give_one_result_per_request_naming_it() {
    let service = Hostile::start(|_, seen, n| {
        if is_token_request(seen) {
            return good_token();
        }
        // Each batch answer is odd in another way: ids left out, repeated, unknown, without
        // status or body, with a status that is not a number.
        match n % 3 {
            0 => json_response(
                200,
                json!({"responses": [
                    {"id": "0", "status": 200, "body": {"value": [{"id": "first"}]}},
                    {"id": "0", "status": 200, "body": {"value": [{"id": "again"}]}},
                    {"id": "99", "status": 200, "body": {}},
                    {"id": "1", "status": 404},
                    {"id": "2", "status": "200", "body": null},
                    {"id": "3", "body": {"value": []}}
                ]}),
            ),
            1 => json_response(200, json!({"responses": {"id": "0"}})),
            _ => json_response(200, json!([1, 2, 3])),
        }
    })
    .await;
    let client = graph(&service.base);
    let urls: Vec<String> = (0..5).map(|i| format!("/applications/{i}")).collect();
    let results = client.batch_get(urls).await;
    assert_eq!(results.len(), 5);
    assert_eq!(results[0].as_ref().unwrap()["value"][0]["id"], "first");
    for (i, result) in results.iter().enumerate().skip(1) {
        let err = result.as_ref().unwrap_err();
        assert_eq!(
            err.request.as_deref(),
            Some(format!("GET /applications/{i}").as_str()),
            "{err}"
        );
    }
    // Left-out answers are asked again a bounded number of times.
    assert!(service.count("$batch") <= 3, "{}", service.count("$batch"));
}

#[tokio::test]
async fn one_client_has_at_most_max_in_flight_requests_out() {
    // A slow service that counts the requests it is answering at once.
    let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (counting, highest) = (now.clone(), most.clone());
    let app = Router::new().fallback(move |uri: Uri| {
        let (now, most) = (counting.clone(), highest.clone());
        async move {
            if uri.path().ends_with("/oauth/token") {
                return good_token();
            }
            let at_once = now.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(at_once, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(30)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            json_response(200, json!({"ok": true}))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let client = zoom(&base);
    let requests: Vec<ZoomRequest> = (0..super::http_core::MAX_IN_FLIGHT * 3)
        .map(|i| ZoomRequest::get(format!("/groups/g{i}/settings")))
        .collect();
    let answers = futures::future::join_all(requests.iter().map(|r| client.get_json(r))).await;
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    let most = most.load(Ordering::SeqCst);
    assert!(
        (2..=super::http_core::MAX_IN_FLIGHT).contains(&most),
        "{most} requests at once"
    );
}
