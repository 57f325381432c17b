//! The emulated Zoom OAuth endpoint and Zoom API, driven over loopback with plain HTTP.

use serde_json::{Value, json};
use zentra_sim::{Faults, Seed, ZoomPlan};
use zentra_test_support::sim::{Sim, read};

const BYPASS_ID: &str = "KDcuGIm1QgePTO8WbOqwIQ";
const OWNER_ID: &str = "Rk3vQp8sTq2xWm5yZb7nLa";

#[tokio::test]
async fn token_success_has_zoom_shape_and_works_from_a_form_body_too() {
    let sim = Sim::start().await;
    let response = sim
        .http
        .post(format!("{}/oauth/token", sim.base))
        .basic_auth(
            sim.var("ZOOM_CLIENT_ID"),
            Some(sim.var("ZOOM_CLIENT_SECRET")),
        )
        .query(&[
            ("grant_type", "account_credentials"),
            ("account_id", sim.var("ZOOM_ACCOUNT_ID")),
        ])
        .send()
        .await
        .expect("send");
    assert!(response.headers().contains_key("x-zm-trackingid"));
    let (status, body) = read(response).await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["api_url"], json!(sim.base));
    assert!(
        body["scope"]
            .as_str()
            .expect("scope")
            .contains("account:read:admin")
    );
    let token = body["access_token"].as_str().expect("token");
    assert!(token.len() >= 32);

    let (status, body) = read(
        sim.http
            .post(format!("{}/oauth/token", sim.base))
            .basic_auth(
                sim.var("ZOOM_CLIENT_ID"),
                Some(sim.var("ZOOM_CLIENT_SECRET")),
            )
            .form(&[
                ("grant_type", "account_credentials"),
                ("account_id", sim.var("ZOOM_ACCOUNT_ID")),
            ])
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_ne!(
        body["access_token"].as_str(),
        Some(token),
        "tokens are fresh"
    );
}

#[tokio::test]
async fn token_rejections_use_zoom_oauth_errors() {
    let sim = Sim::start().await;
    let id = sim.var("ZOOM_CLIENT_ID").to_string();
    let secret = sim.var("ZOOM_CLIENT_SECRET").to_string();
    let account = sim.var("ZOOM_ACCOUNT_ID").to_string();
    let url = format!("{}/oauth/token", sim.base);
    let good_query = [
        ("grant_type", "account_credentials"),
        ("account_id", account.as_str()),
    ];

    let cases: Vec<(reqwest::RequestBuilder, u16, &str, &str)> = vec![
        (
            sim.http
                .post(&url)
                .basic_auth(&id, Some("wrong"))
                .query(&good_query),
            400,
            "invalid_client",
            "Invalid client_id or client_secret",
        ),
        (
            sim.http
                .post(&url)
                .basic_auth("nobody", Some(&secret))
                .query(&good_query),
            400,
            "invalid_client",
            "Invalid client_id or client_secret",
        ),
        (
            sim.http.post(&url).query(&good_query),
            401,
            "invalid_client",
            "Client ID or client secret is missing",
        ),
        (
            sim.http.post(&url).basic_auth(&id, Some(&secret)).query(&[
                ("grant_type", "account_credentials"),
                ("account_id", "someoneElse"),
            ]),
            400,
            "invalid_request",
            "Invalid account_id",
        ),
        (
            sim.http.post(&url).basic_auth(&id, Some(&secret)).query(&[
                ("grant_type", "client_credentials"),
                ("account_id", &account),
            ]),
            400,
            "unsupported_grant_type",
            "Unsupported grant type",
        ),
        (
            sim.http
                .post(&url)
                .basic_auth(&id, Some(&secret))
                .query(&[("account_id", &account)]),
            400,
            "invalid_request",
            "Missing grant type",
        ),
        (
            sim.http
                .post(&url)
                .basic_auth(&id, Some(&secret))
                .query(&[("grant_type", "account_credentials")]),
            400,
            "invalid_request",
            "Missing account_id",
        ),
        // The same parameter in the query and in the body: ambiguous, refused.
        (
            sim.http
                .post(&url)
                .basic_auth(&id, Some(&secret))
                .query(&good_query)
                .form(&[("grant_type", "client_credentials")]),
            400,
            "invalid_request",
            "Invalid request : duplicate parameter 'grant_type'",
        ),
        (
            sim.http
                .post(&url)
                .basic_auth(&id, Some(&secret))
                .query(&good_query)
                .json(&json!({})),
            400,
            "invalid_request",
            "Invalid request : the body must be application/x-www-form-urlencoded",
        ),
        (
            sim.http.get(&url).basic_auth(&id, Some(&secret)),
            405,
            "invalid_request",
            "Method Not Allowed",
        ),
    ];
    for (request, status, error, reason) in cases {
        let (got, body) = read(request.send().await.expect("send")).await;
        assert_eq!(got, status, "{body}");
        assert_eq!(body, json!({"reason": reason, "error": error}));
    }
    // Nothing secret reached the request log.
    let log = serde_json::to_string(&sim.server.requests()).expect("log");
    assert!(!log.contains(&secret));
    assert!(
        sim.server
            .requests()
            .iter()
            .all(|r| r.service == "zoom-oauth")
    );
}

#[tokio::test]
async fn the_api_needs_a_valid_live_token() {
    let sim = Sim::start().await;
    let url = sim.zoom("/accounts/me/settings");
    let (status, body) = read(sim.http.get(&url).send().await.expect("send")).await;
    assert_eq!(
        (status, body),
        (
            401,
            json!({"code": 124, "message": "Invalid access token."})
        )
    );
    let (status, body) = read(
        sim.http
            .get(&url)
            .bearer_auth("forged")
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!((status, body["code"].clone()), (401, json!(124)));

    let token = sim.zoom_token().await;
    let response = sim
        .http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    sim.server.expire_tokens();
    let (status, body) = read(
        sim.http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            401,
            json!({"code": 124, "message": "Access token is expired."})
        )
    );
}

#[tokio::test]
async fn settings_get_shapes_follow_the_option_parameter() {
    let sim = Sim::start().await;
    let token = sim.zoom_token().await;
    let get = |query: &'static str| {
        sim.http
            .get(format!("{}{}", sim.zoom("/accounts/me/settings"), query))
            .bearer_auth(&token)
            .send()
    };
    let (status, main) = read(get("").await.expect("send")).await;
    assert_eq!(status, 200);
    for section in [
        "security",
        "schedule_meeting",
        "in_meeting",
        "recording",
        "zoom_rooms",
    ] {
        assert!(main.get(section).is_some(), "{section} in main shape");
    }
    assert!(main.get("meeting_security").is_none());
    assert_eq!(main["security"]["signin_with_sso"]["enable"], json!(false));
    assert_eq!(
        main["security"]["signin_with_sso"]["sso_bypass_users"],
        json!([])
    );
    assert!(
        main["security"]["signin_with_sso"]
            .get("sso_bypass_user_ids")
            .is_none()
    );

    let (_, security) = read(get("?option=security").await.expect("send")).await;
    assert_eq!(security.as_object().map(|o| o.len()), Some(1));
    assert_eq!(security["security"], main["security"]);

    let (_, meeting) = read(get("?option=meeting_security").await.expect("send")).await;
    assert_eq!(meeting["meeting_security"]["waiting_room"], json!(true));
    assert_eq!(meeting.as_object().map(|o| o.len()), Some(1));

    let (_, custom) = read(
        get("?custom_query_fields=host_video,participant_video")
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(
        custom,
        json!({"schedule_meeting": {"host_video": false, "participant_video": false}})
    );

    let (status, body) = read(get("?option=everything").await.expect("send")).await;
    assert_eq!((status, body["code"].clone()), (400, json!(300)));

    let (_, auth) = read(get("?option=meeting_authentication").await.expect("send")).await;
    assert!(auth["authentication_options"].is_array());
    assert!(auth["meeting_authentication"].is_boolean());
}

#[tokio::test]
async fn settings_patch_merges_and_round_trips() {
    let sim = Sim::start().await;
    let token = sim.zoom_token().await;
    let url = sim.zoom("/accounts/me/settings");
    let response = sim
        .http
        .patch(&url)
        .bearer_auth(&token)
        .json(&json!({
            "schedule_meeting": {"host_video": true},
            "in_meeting": {"allow_users_to_delete_messages_in_meeting_chat": true}
        }))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 204);
    assert!(response.headers().contains_key("x-zm-trackingid"));
    assert_eq!(response.text().await.expect("body"), "");

    let (_, after) = read(
        sim.http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(after["schedule_meeting"]["host_video"], json!(true));
    // Untouched members of the same section keep their values.
    assert_eq!(after["schedule_meeting"]["participant_video"], json!(false));
    // A PATCH-only field is accepted but never returned.
    assert!(
        after["in_meeting"]
            .get("allow_users_to_delete_messages_in_meeting_chat")
            .is_none()
    );

    // The in-process inspection helper sees the same state, by id or `me`.
    let account = sim.var("ZOOM_ACCOUNT_ID").to_string();
    assert_eq!(
        sim.server.zoom_account_settings(&account)["schedule_meeting"]["host_video"],
        json!(true)
    );
    assert_eq!(sim.server.zoom_account_settings("unknown"), Value::Null);

    // meeting_security is patched through its option.
    let response = sim
        .http
        .patch(format!("{url}?option=meeting_security"))
        .bearer_auth(&token)
        .json(&json!({"meeting_security": {"waiting_room": false}}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 204);
    assert_eq!(
        sim.server.zoom_account_settings("me")["meeting_security"]["waiting_room"],
        json!(false)
    );
}

#[tokio::test]
async fn sso_bypass_users_map_between_patch_ids_and_get_users() {
    let sim = Sim::start().await;
    let token = sim.zoom_token().await;
    let url = sim.zoom("/accounts/me/settings?option=security");
    let patch = |body: Value| sim.http.patch(&url).bearer_auth(&token).json(&body).send();
    let bypass = || async {
        let (_, body) = read(
            sim.http
                .get(&url)
                .bearer_auth(&token)
                .send()
                .await
                .expect("send"),
        )
        .await;
        body["security"]["signin_with_sso"].clone()
    };

    let response = patch(json!({"security": {"signin_with_sso": {
        "enable": true, "require_sso_for_domains": true, "domains": ["contoso.com"],
        "sso_bypass_user_ids": [BYPASS_ID]
    }}}))
    .await
    .expect("send");
    assert_eq!(response.status(), 204);
    let sso = bypass().await;
    assert_eq!(sso["enable"], json!(true));
    assert_eq!(sso["domains"], json!(["contoso.com"]));
    assert_eq!(
        sso["sso_bypass_users"],
        json!([{"id": BYPASS_ID, "email": "breakglass@contoso.com"}])
    );
    assert!(sso.get("sso_bypass_user_ids").is_none());
    assert!(sso.get("operation").is_none());

    patch(json!({"security": {"signin_with_sso": {"sso_bypass_user_ids": [OWNER_ID], "operation": "add"}}}))
        .await
        .expect("send");
    let ids: Vec<Value> = bypass().await["sso_bypass_users"]
        .as_array()
        .expect("list")
        .iter()
        .map(|u| u["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(BYPASS_ID), json!(OWNER_ID)]);

    patch(json!({"security": {"signin_with_sso": {"sso_bypass_user_ids": [BYPASS_ID], "operation": "remove"}}}))
        .await
        .expect("send");
    assert_eq!(
        bypass().await["sso_bypass_users"],
        json!([{"id": OWNER_ID, "email": "megan.bowen@contoso.com"}])
    );

    // Without an operation the list is overwritten.
    patch(json!({"security": {"signin_with_sso": {"sso_bypass_user_ids": [BYPASS_ID]}}}))
        .await
        .expect("send");
    assert_eq!(
        bypass().await["sso_bypass_users"],
        json!([{"id": BYPASS_ID, "email": "breakglass@contoso.com"}])
    );

    // Ids must be users of the account; `operation` needs ids; the GET shape is not writable.
    for (body, field) in [
        (
            json!({"security": {"signin_with_sso": {"sso_bypass_user_ids": ["nobody"]}}}),
            "security.signin_with_sso.sso_bypass_user_ids",
        ),
        (
            json!({"security": {"signin_with_sso": {"operation": "add"}}}),
            "security.signin_with_sso.operation",
        ),
        (
            json!({"security": {"signin_with_sso": {"sso_bypass_users": [{"id": BYPASS_ID}]}}}),
            "security.signin_with_sso.sso_bypass_users",
        ),
    ] {
        let (status, error) = read(patch(body).await.expect("send")).await;
        assert_eq!(status, 400);
        assert_eq!(error["code"], json!(300));
        assert_eq!(error["message"], json!("Validation Failed."));
        assert_eq!(error["errors"][0]["field"], json!(field), "{error}");
    }
    // A refused PATCH changes nothing.
    assert_eq!(
        bypass().await["sso_bypass_users"],
        json!([{"id": BYPASS_ID, "email": "breakglass@contoso.com"}])
    );
}

#[tokio::test]
async fn patch_validation_errors_name_every_bad_field() {
    let sim = Sim::start().await;
    let token = sim.zoom_token().await;
    let url = sim.zoom("/accounts/me/settings");
    let (status, body) = read(
        sim.http
            .patch(&url)
            .bearer_auth(&token)
            .json(&json!({
                "security": {"signin_with_sso": {"enabel": true}},
                "schedule_meeting": {"host_video": "yes"},
                "in_meeting": {"who_can_share_screen": "everyone"}
            }))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"code": 300, "message": "Validation Failed.", "errors": [
            {"field": "security.signin_with_sso.enabel", "message": "Invalid field."},
            {"field": "schedule_meeting.host_video", "message": "Invalid field."},
            {"field": "in_meeting.who_can_share_screen", "message": "Invalid field."}
        ]})
    );

    for bad in ["[1,2]", "not json", "\"text\""] {
        let (status, body) = read(
            sim.http
                .patch(&url)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(bad)
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(
            (status, body),
            (
                400,
                json!({"code": 300, "message": "Request Body should be a valid JSON object."})
            ),
            "{bad}"
        );
    }
    let (status, _) = read(
        sim.http
            .patch(&url)
            .bearer_auth(&token)
            .header("content-type", "text/plain")
            .body("{}")
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 415);
    // meeting_security belongs to its option, not the main shape.
    let (status, body) = read(
        sim.http
            .patch(&url)
            .bearer_auth(&token)
            .json(&json!({"meeting_security": {"waiting_room": true}}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], json!("meeting_security"));
}

#[tokio::test]
async fn lock_settings_round_trip_including_meeting_security() {
    let sim = Sim::start().await;
    let token = sim.zoom_token().await;
    let url = sim.zoom("/accounts/me/lock_settings");
    let (status, before) = read(
        sim.http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(before["in_meeting"]["breakout_room"], json!(false));
    assert_eq!(before["recording"]["cloud_recording"], json!(true));
    assert!(before.get("meeting_security").is_none());

    let response = sim
        .http
        .patch(&url)
        .bearer_auth(&token)
        .json(&json!({"in_meeting": {"breakout_room": true}, "meeting_security": {"waiting_room": true}}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 204);
    let (_, after) = read(
        sim.http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(after["in_meeting"]["breakout_room"], json!(true));
    let (_, ms) = read(
        sim.http
            .get(format!("{url}?option=meeting_security"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(ms["meeting_security"]["waiting_room"], json!(true));
    assert_eq!(ms["meeting_security"]["meeting_password"], json!(true));

    let (status, body) = read(
        sim.http
            .patch(&url)
            .bearer_auth(&token)
            .json(&json!({"security": {"signin_with_sso": true}}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], json!("security"));
}

#[tokio::test]
async fn accounts_are_resolved_by_me_or_id_and_unknown_ones_are_404() {
    let sim = Sim::start().await;
    let token = sim.zoom_token().await;
    let id = sim.var("ZOOM_ACCOUNT_ID").to_string();
    let ok = sim
        .http
        .get(sim.zoom(&format!("/accounts/{id}/settings")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), 200);
    let (status, body) = read(
        sim.http
            .get(sim.zoom("/accounts/zzNotMine000/settings"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"code": 2001, "message": "Account does not exist: zzNotMine000."})
        )
    );
}

#[tokio::test]
async fn managed_and_trusted_domains_are_listed() {
    let sim = Sim::start().await;
    let token = sim.zoom_token().await;
    let (status, managed) = read(
        sim.http
            .get(sim.zoom("/accounts/me/managed_domains"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        managed,
        json!({"domains": [{"domain": "contoso.com", "status": "verified"}], "total_records": 1})
    );
    let (_, trusted) = read(
        sim.http
            .get(sim.zoom("/accounts/me/trusted_domains"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(trusted, json!({"trusted_domains": ["contoso.com"]}));
}

#[tokio::test]
async fn users_can_be_listed_and_looked_up_by_id_or_email() {
    let sim = Sim::start().await;
    let token = sim.zoom_token().await;
    let (status, page) = read(
        sim.http
            .get(sim.zoom("/users?page_size=2"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(page["users"].as_array().map(Vec::len), Some(2));
    assert_eq!(page["total_records"], json!(5));
    let next = page["next_page_token"].as_str().expect("token").to_string();
    assert!(!next.is_empty());
    let (_, second) = read(
        sim.http
            .get(sim.zoom("/users"))
            .query(&[("page_size", "2"), ("next_page_token", next.as_str())])
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_ne!(second["users"][0]["id"], page["users"][0]["id"]);

    let (status, user) = read(
        sim.http
            .get(sim.zoom("/users/breakglass@contoso.com"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(user["id"], json!(BYPASS_ID));
    let (status, body) = read(
        sim.http
            .get(sim.zoom("/users/ghost@contoso.com"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!((status, body["code"].clone()), (404, json!(1001)));
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_get_zoom_errors() {
    let sim = Sim::start().await;
    let token = sim.zoom_token().await;
    let (status, body) = read(
        sim.http
            .get(sim.zoom("/accounts/me/settingz"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"code": 2300, "message": "This API endpoint is not recognized."})
        )
    );
    let response = sim
        .http
        .put(sim.zoom("/accounts/me/settings"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 405);
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("GET, PATCH")
    );
    assert!(response.headers().contains_key("x-zm-trackingid"));
    let (_, body) = read(response).await;
    assert_eq!(body["code"], json!(2300));
}

#[tokio::test]
async fn successful_calls_carry_rate_limit_headers() {
    let sim = Sim::start().await;
    let token = sim.zoom_token().await;
    let response = sim
        .http
        .get(sim.zoom("/accounts/me/settings"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    assert_eq!(header("x-ratelimit-category").as_deref(), Some("Medium"));
    assert_eq!(header("x-ratelimit-limit").as_deref(), Some("60"));
    let remaining: u32 = header("x-ratelimit-remaining")
        .and_then(|v| v.parse().ok())
        .expect("remaining");
    assert!(remaining < 60);
    assert!(header("x-zm-trackingid").is_some_and(|v| v.starts_with("v=2.0;")));

    let light = sim
        .http
        .get(sim.zoom("/accounts/me/trusted_domains"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(
        light
            .headers()
            .get("x-ratelimit-category")
            .and_then(|v| v.to_str().ok()),
        Some("Light")
    );
}

#[tokio::test]
async fn throttling_faults_produce_zoom_429s() {
    let sim = Sim::start().await;
    let token = sim.zoom_token().await;
    let url = sim.zoom("/accounts/me/settings");

    sim.server.set_faults(Faults {
        zoom_throttle_next: 1,
        ..Faults::default()
    });
    let response = sim
        .http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 429);
    let headers = response.headers().clone();
    assert_eq!(
        headers
            .get("x-ratelimit-type")
            .and_then(|v| v.to_str().ok()),
        Some("QPS")
    );
    assert_eq!(
        headers
            .get("x-ratelimit-category")
            .and_then(|v| v.to_str().ok()),
        Some("Medium")
    );
    assert!(headers.get("retry-after").is_none());
    let (_, body) = read(response).await;
    assert_eq!(
        body,
        json!({"code": 429, "message": "You have reached the maximum per-second rate limit for this API. Try again later."})
    );
    // The countdown is consumed: the next call passes.
    let response = sim
        .http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);

    // A per-second limit of one: of three quick calls at least one is refused.
    sim.server.set_faults(Faults {
        zoom_qps_limit: Some(1),
        ..Faults::default()
    });
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = sim
            .http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("send");
        statuses.push(r.status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");

    // A daily cap answers with a Retry-After date-time.
    sim.server.set_faults(Faults {
        zoom_daily_limit: Some(1),
        ..Faults::default()
    });
    let first = sim
        .http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(first.status(), 200);
    let second = sim
        .http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(second.status(), 429);
    assert_eq!(
        second
            .headers()
            .get("x-ratelimit-type")
            .and_then(|v| v.to_str().ok()),
        Some("Daily-limit")
    );
    let retry = second
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .expect("retry-after")
        .to_string();
    let when = chrono::DateTime::parse_from_rfc3339(&retry).expect("RFC 3339");
    assert!(when > chrono::Utc::now());

    sim.server.set_faults(Faults {
        zoom_server_error_next: 1,
        ..Faults::default()
    });
    let failed = sim
        .http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(failed.status(), 500);
}

#[tokio::test]
async fn tokens_without_the_operation_scope_are_refused() {
    let mut seed = Seed::default_demo();
    seed.zoom.accounts[0].apps[0].scopes = vec!["user:read:admin".into()];
    let sim = Sim::start_seeded(seed).await;
    let token = sim.zoom_token().await;
    let (status, body) = read(
        sim.http
            .get(sim.zoom("/accounts/me/settings"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], json!(4711));
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("account:read:admin")),
        "{body}"
    );
    let users = sim
        .http
        .get(sim.zoom("/users"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(users.status(), 200);
}

#[tokio::test]
async fn free_accounts_cannot_use_settings() {
    let mut seed = Seed::default_demo();
    seed.zoom.accounts[0].plan = ZoomPlan::Basic;
    let sim = Sim::start_seeded(seed).await;
    let token = sim.zoom_token().await;
    let (status, body) = read(
        sim.http
            .get(sim.zoom("/accounts/me/settings"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], json!(200));
}

#[tokio::test]
async fn the_request_log_records_zoom_calls() {
    let sim = Sim::start().await;
    let token = sim.zoom_token().await;
    sim.http
        .patch(sim.zoom("/accounts/me/settings"))
        .bearer_auth(&token)
        .json(&json!({"schedule_meeting": {"host_video": true}}))
        .send()
        .await
        .expect("send");
    let log = sim.server.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].service, "zoom-oauth");
    assert_eq!(log[0].method, "POST");
    assert_eq!(log[0].path, "/oauth/token");
    assert!(log[0].query.contains("grant_type=account_credentials"));
    assert_eq!(log[0].status, 200);
    assert_eq!(log[1].service, "zoom");
    assert_eq!(log[1].path, "/v2/accounts/me/settings");
    assert_eq!(
        log[1].body,
        Some(json!({"schedule_meeting": {"host_video": true}}))
    );
    assert_eq!(log[1].status, 204);
    sim.server.clear_requests();
    assert!(sim.server.requests().is_empty());
}
