//! Self-tests of the conformance validators ([`zentra_test_support::conformance`]): they accept the vendors'
//! documented examples and instances synthesized from every schema of the specs, and reject crafted
//! violations with a message that names the JSON path.

use serde_json::{Value, json};
use zentra_test_support::conformance;
use zentra_test_support::conformance::oauth;
use zentra_test_support::conformance::{GraphSpec, MatchedOperation, ZoomSpec};

/// Asserts success, printing every error otherwise.
fn assert_accepts<T: std::fmt::Debug>(result: Result<T, Vec<String>>, what: &str) -> T {
    match result {
        Ok(value) => value,
        Err(errors) => panic!("{what} was rejected:\n{}", errors.join("\n")),
    }
}

/// Asserts failure with at least one error containing every one of `needles`.
fn assert_rejects<T: std::fmt::Debug>(
    result: Result<T, Vec<String>>,
    needles: &[&str],
    what: &str,
) {
    match result {
        Ok(value) => {
            panic!("{what} was accepted ({value:?}), expected an error containing {needles:?}")
        }
        Err(errors) => assert!(
            errors
                .iter()
                .any(|error| needles.iter().all(|needle| error.contains(needle))),
            "{what}: no error contains all of {needles:?}; errors:\n{}",
            errors.join("\n")
        ),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Zoom: examples from Zoom's API documentation.

#[test]
fn zoom_matches_operations_with_and_without_the_v2_prefix() {
    let zoom = ZoomSpec::load();
    let body = json!({"schedule_meeting": {"host_video": false}});
    let with_prefix = assert_accepts(
        zoom.validate_request("PATCH", "/v2/accounts/me/settings", "", Some(&body)),
        "v2 path",
    );
    let without_prefix = assert_accepts(
        zoom.validate_request("patch", "/accounts/me/settings", "", Some(&body)),
        "bare path",
    );
    let absolute = assert_accepts(
        zoom.validate_request(
            "PATCH",
            "https://api.zoom.us/v2/accounts/me/settings",
            "",
            Some(&body),
        ),
        "absolute URL",
    );
    assert_eq!(with_prefix, without_prefix);
    assert_eq!(with_prefix, absolute);
    let MatchedOperation {
        api,
        operation_id,
        method,
        template,
        path_params,
        query,
    } = with_prefix;
    assert_eq!(api, "accounts");
    assert_eq!(operation_id, "accountSettingsUpdate");
    assert_eq!(method, "PATCH");
    assert_eq!(template, "/accounts/{accountId}/settings");
    assert_eq!(path_params.get("accountId").map(String::as_str), Some("me"));
    assert!(query.is_empty());

    let embedded = assert_accepts(
        zoom.validate_request("GET", "/v2/accounts/me/settings?option=security", "", None),
        "embedded query",
    );
    assert_eq!(embedded.operation_id, "accountSettings");
    assert_eq!(
        embedded.query.get("option").map(String::as_str),
        Some("security")
    );
}

#[test]
fn zoom_literal_segments_win_over_parameters() {
    let zoom = ZoomSpec::load();
    let matched = assert_accepts(
        zoom.validate_request(
            "GET",
            "/v2/rooms/account_settings",
            "setting_type=meeting",
            None,
        ),
        "rooms account settings",
    );
    assert_eq!(matched.operation_id, "getZRAccountSettings");
    let matched = assert_accepts(
        zoom.validate_request("GET", "/v2/rooms/calendar/services", "", None),
        "calendar services",
    );
    assert_eq!(matched.operation_id, "getCalendarServices");
}

#[test]
fn zoom_accepts_the_documented_settings_requests() {
    let zoom = ZoomSpec::load();
    let cases: [(&str, Value); 5] = [
        (
            "",
            json!({"schedule_meeting": {"host_video": false, "join_before_host": false},
                   "in_meeting": {"breakout_room": true, "chat": true},
                   "integration": {"google_calendar": false},
                   "mail_calendar": {"email_calendar_management": false}}),
        ),
        (
            "option=security",
            json!({"security": {"signin_with_sso": {"enable": true, "require_sso_for_domains": true,
                   "domains": ["example.com"], "sso_bypass_user_ids": ["KDcuGIm1QgePTO8WbOqwIQ"], "operation": "add"}}}),
        ),
        (
            "option=meeting_security",
            json!({"meeting_security": {"waiting_room": true, "embed_password_in_join_link": false}}),
        ),
        (
            "option=meeting_authentication",
            json!({"meeting_authentication": true,
                   "authentication_option": {"action": "add", "name": "Corp only", "type": "enforce_login_with_domains",
                                             "domains": "example.com", "default_option": false}}),
        ),
        (
            "option=security",
            json!({"security": {"password_requirement": {"minimum_password_length": 14, "have_special_character": true},
                                 "sign_in_with_two_factor_auth": "all"}}),
        ),
    ];
    for (query, body) in &cases {
        let matched = assert_accepts(
            zoom.validate_request("PATCH", "/v2/accounts/me/settings", query, Some(body)),
            &format!("PATCH settings ?{query}"),
        );
        assert_eq!(matched.operation_id, "accountSettingsUpdate");
        assert_accepts(
            zoom.validate_response("PATCH", "/v2/accounts/me/settings", query, 204, None),
            &format!("204 for PATCH settings ?{query}"),
        );
    }
}

#[test]
fn zoom_accepts_the_documented_security_settings_response() {
    let zoom = ZoomSpec::load();
    let body = json!({"security": {"admin_change_user_info": true, "user_modifiable_info_by_admin": ["name", "host_key"],
        "signin_with_sso": {"enable": true, "require_sso_for_domains": true, "domains": ["example.com"],
                            "sso_bypass_users": [{"id": "KDcuGIm1QgePTO8WbOqwIQ", "email": "breakglass@example.com"}]},
        "hide_billing_info": false, "import_photos_from_devices": true,
        "password_requirement": {"consecutive_characters_length": 0, "have_special_character": true,
                                 "minimum_password_length": 10, "weak_enhance_detection": true},
        "sign_again_period_for_inactivity_on_client": 60, "sign_again_period_for_inactivity_on_web": 30,
        "sign_in_with_two_factor_auth": "all", "sign_in_with_two_factor_auth_groups": [],
        "sign_in_with_two_factor_auth_roles": []}});
    assert_accepts(
        zoom.validate_request("GET", "/v2/accounts/me/settings", "option=security", None),
        "GET request",
    );
    assert_accepts(
        zoom.validate_response(
            "GET",
            "/v2/accounts/me/settings",
            "option=security",
            200,
            Some(&body),
        ),
        "GET ?option=security response",
    );
}

#[test]
fn zoom_accepts_lock_settings_groups_domains_and_calendar_examples() {
    let zoom = ZoomSpec::load();
    // zoom-api.md §4's example also locks `in_meeting.waiting_room`, which the Feb-2026 account lock-settings
    // schema does not declare (it moved to the `meeting_security` shape); group lock settings still have it.
    let lock = json!({"in_meeting": {"breakout_room": true},
                      "recording": {"cloud_recording": true, "auto_recording": true}});
    assert_accepts(
        zoom.validate_request("PATCH", "/v2/accounts/me/lock_settings", "", Some(&lock)),
        "PATCH lock settings",
    );
    let with_waiting_room = json!({"in_meeting": {"breakout_room": true, "waiting_room": true}});
    assert_rejects(
        zoom.validate_request(
            "PATCH",
            "/v2/accounts/me/lock_settings",
            "",
            Some(&with_waiting_room),
        ),
        &["body.in_meeting.waiting_room: property not declared in schema"],
        "waiting_room in account lock settings",
    );
    assert_accepts(
        zoom.validate_request(
            "PATCH",
            "/v2/groups/G1/lock_settings",
            "",
            Some(&with_waiting_room),
        ),
        "group lock settings",
    );
    assert_accepts(
        zoom.validate_response("PATCH", "/v2/groups/G1/lock_settings", "", 204, None),
        "group lock 204",
    );
    assert_accepts(
        zoom.validate_response("PATCH", "/v2/accounts/me/lock_settings", "", 204, None),
        "lock 204 (tolerated)",
    );
    assert_accepts(
        zoom.validate_response("PATCH", "/v2/accounts/me/lock_settings", "", 200, None),
        "lock 200 (documented)",
    );
    let locked_security = json!({"meeting_security": {"waiting_room": true, "meeting_password": false,
                                                       "end_to_end_encrypted_meetings": false}});
    assert_accepts(
        zoom.validate_response(
            "GET",
            "/v2/accounts/me/lock_settings",
            "option=meeting_security",
            200,
            Some(&locked_security),
        ),
        "GET lock settings meeting_security",
    );
    assert_accepts(
        zoom.validate_request(
            "PATCH",
            "/v2/groups/G1/lock_settings",
            "option=meeting_security",
            Some(&locked_security),
        ),
        "PATCH group lock settings meeting_security",
    );

    let group = json!({"name": "Engineering"});
    assert_accepts(
        zoom.validate_request("POST", "/v2/groups", "", Some(&group)),
        "POST /groups",
    );
    assert_accepts(
        zoom.validate_response(
            "POST",
            "/v2/groups",
            "",
            201,
            Some(&json!({"id": "G1", "name": "Engineering", "total_members": 0})),
        ),
        "201 group",
    );
    assert_accepts(
        zoom.validate_response(
            "POST",
            "/v2/groups",
            "",
            409,
            Some(&json!({"code": 4132, "message": "Group name Engineering is already in use."})),
        ),
        "409 duplicate group",
    );
    let members = json!({"members": [{"id": "u1"}, {"email": "b@example.com"}]});
    assert_accepts(
        zoom.validate_request("POST", "/v2/groups/G1/members", "", Some(&members)),
        "add members",
    );
    assert_accepts(
        zoom.validate_response(
            "POST",
            "/v2/groups/G1/members",
            "",
            201,
            Some(&json!({"ids": "u1,u2", "added_at": "2026-02-07T22:40:00Z"})),
        ),
        "201 members",
    );
    assert_accepts(
        zoom.validate_response("GET", "/v2/accounts/me/managed_domains", "", 200,
            Some(&json!({"domains": [{"domain": "example.com", "status": "verified"}], "total_records": 1}))),
        "managed domains",
    );
    assert_accepts(
        zoom.validate_response(
            "GET",
            "/v2/accounts/me/trusted_domains",
            "",
            200,
            Some(&json!({"trusted_domains": ["example.com"]})),
        ),
        "trusted domains",
    );
    assert_accepts(
        zoom.validate_request(
            "GET",
            "/v2/rooms/calendar/services/S1/resources",
            "page_size=300&next_page_token=abc",
            None,
        ),
        "calendar resources",
    );
    assert_accepts(
        zoom.validate_request(
            "POST",
            "/v2/rooms/calendar/services/S1/resources",
            "",
            Some(&json!({"calendar_resource_email": "room1@example.com"})),
        ),
        "add calendar resource",
    );
    assert_accepts(
        zoom.validate_response("PUT", "/v2/rooms/calendar/services/S1/sync", "", 202, None),
        "sync 202",
    );
}

#[test]
fn zoom_accepts_documented_and_generic_error_responses() {
    let zoom = ZoomSpec::load();
    let not_found = json!({"code": 2001, "message": "Account does not exist: me"});
    assert_accepts(
        zoom.validate_response(
            "PATCH",
            "/v2/accounts/me/settings",
            "",
            404,
            Some(&not_found),
        ),
        "404 2001",
    );
    let validation = json!({"code": 300, "message": "Validation Failed.",
                            "errors": [{"field": "security.password_requirement.minimum_password_length", "message": "Invalid field."}]});
    assert_accepts(
        zoom.validate_response(
            "PATCH",
            "/v2/accounts/me/settings",
            "",
            400,
            Some(&validation),
        ),
        "400 code 300",
    );
    let token = json!({"code": 124, "message": "Invalid access token."});
    assert_accepts(
        zoom.validate_response("GET", "/v2/accounts/me/settings", "", 401, Some(&token)),
        "generic 401",
    );
    let limited = json!({"code": 429, "message": "You have reached the maximum per-second rate limit for this API."});
    assert_accepts(
        zoom.validate_response("GET", "/v2/groups", "", 429, Some(&limited)),
        "429",
    );
    assert_accepts(
        zoom.validate_response("GET", "/v2/groups", "", 503, None),
        "503 without body",
    );
}

// ---------------------------------------------------------------------------------------------------------
// Zoom: crafted violations.

#[test]
fn zoom_rejects_an_undeclared_property_with_its_json_path() {
    let zoom = ZoomSpec::load();
    let typo = json!({"security": {"signin_with_sso": {"enabel": true}}});
    assert_rejects(
        zoom.validate_request(
            "PATCH",
            "/v2/accounts/me/settings",
            "option=security",
            Some(&typo),
        ),
        &[
            "body.security.signin_with_sso.enabel: property not declared in schema",
            "did you mean `enable`",
        ],
        "typo under option=security",
    );
    assert_rejects(
        zoom.validate_request("PATCH", "/v2/accounts/me/settings", "", Some(&typo)),
        &["body.security.signin_with_sso.enabel: property not declared in schema"],
        "typo without option",
    );
    let get_only = json!({"security": {"signin_with_sso": {"sso_bypass_users": [{"id": "x", "email": "a@example.com"}]}}});
    assert_rejects(
        zoom.validate_request(
            "PATCH",
            "/v2/accounts/me/settings",
            "option=security",
            Some(&get_only),
        ),
        &["body.security.signin_with_sso.sso_bypass_users: property not declared"],
        "GET-only field in PATCH",
    );
    let patch_only = json!({"security": {"signin_with_sso": {"sso_bypass_user_ids": ["x"]}}});
    assert_rejects(
        zoom.validate_response(
            "GET",
            "/v2/accounts/me/settings",
            "option=security",
            200,
            Some(&patch_only),
        ),
        &["body.security.signin_with_sso.sso_bypass_user_ids: property not declared"],
        "PATCH-only field in a GET response",
    );
}

#[test]
fn zoom_rejects_wrong_types_enums_and_ranges() {
    let zoom = ZoomSpec::load();
    let check = |body: Value, needles: &[&str], what: &str| {
        assert_rejects(
            zoom.validate_request(
                "PATCH",
                "/v2/accounts/me/settings",
                "option=security",
                Some(&body),
            ),
            needles,
            what,
        );
    };
    check(
        json!({"security": {"hide_billing_info": "yes"}}),
        &["body.security.hide_billing_info: expected boolean"],
        "wrong type",
    );
    check(
        json!({"security": {"sign_in_with_two_factor_auth": "sometimes"}}),
        &[
            "body.security.sign_in_with_two_factor_auth",
            "not one of the allowed values",
            "\"group\"",
        ],
        "enum violation",
    );
    check(
        json!({"security": {"password_requirement": {"minimum_password_length": 20}}}),
        &[
            "body.security.password_requirement.minimum_password_length: expected a number at most 14",
        ],
        "above maximum",
    );
    check(
        json!({"security": {"password_requirement": {"minimum_password_length": 7}}}),
        &["minimum_password_length: expected a number at least 8"],
        "below minimum",
    );
    check(
        json!({"security": {"sign_again_period_for_inactivity_on_web": 1.5}}),
        &["expected integer"],
        "fraction for integer",
    );
    check(
        json!({"security": {"hide_billing_info": null}}),
        &["hide_billing_info: null is not allowed"],
        "null",
    );
    check(
        json!({"security": {"user_modifiable_info_by_admin": ["name", "nickname"]}}),
        &[
            "body.security.user_modifiable_info_by_admin[1]",
            "not one of the allowed values",
        ],
        "array item enum",
    );
    check(
        json!({"security": []}),
        &["body.security: expected object"],
        "array for object",
    );
}

#[test]
fn zoom_rejects_wrong_methods_paths_and_query_parameters() {
    let zoom = ZoomSpec::load();
    assert_rejects(
        zoom.validate_request("PUT", "/v2/accounts/me/settings", "", Some(&json!({}))),
        &["405", "PUT", "GET, PATCH"],
        "wrong method",
    );
    assert_rejects(
        zoom.validate_request("DELETE", "/v2/rooms/account_settings", "", None),
        &["405", "DELETE"],
        "literal template wins, then 405",
    );
    assert_rejects(
        zoom.validate_request("GET", "/v2/accounts/me/setting", "", None),
        &["matches no documented Zoom operation"],
        "unknown path",
    );
    assert_rejects(
        zoom.validate_request("GET", "/v2/accounts/me/settings", "opton=security", None),
        &[
            "query.opton: unknown query parameter",
            "did you mean `option`",
        ],
        "unknown query parameter",
    );
    assert_rejects(
        zoom.validate_request("GET", "/v2/accounts/me/settings", "option=secure", None),
        &["query.option", "not one of the allowed values"],
        "query enum violation",
    );
    assert_rejects(
        zoom.validate_request("GET", "/v2/groups", "page_size=301", None),
        &["query.page_size: expected a number at most 300"],
        "query maximum",
    );
    assert_rejects(
        zoom.validate_request("GET", "/v2/groups", "page_size=ten", None),
        &["query.page_size: expected integer"],
        "query type",
    );
    assert_rejects(
        zoom.validate_request("GET", "/v2/rooms/account_settings", "", None),
        &["query.setting_type: required query parameter is missing"],
        "missing required query parameter",
    );
    assert_rejects(
        zoom.validate_request("GET", "/v2/groups", "page_size=30&page_size=40", None),
        &["query.page_size: parameter sent more than once"],
        "duplicate query parameter",
    );
    // The Feb-2026 spec declares no `option` on PATCH /accounts/{accountId}/lock_settings.
    assert_rejects(
        zoom.validate_request(
            "PATCH",
            "/v2/accounts/me/lock_settings",
            "option=meeting_security",
            Some(&json!({"meeting_security": {"waiting_room": true}})),
        ),
        &["query.option: unknown query parameter"],
        "option on account lock settings",
    );
}

#[test]
fn zoom_enforces_the_option_selected_settings_shape() {
    let zoom = ZoomSpec::load();
    assert_rejects(
        zoom.validate_request(
            "PATCH",
            "/v2/accounts/me/settings",
            "option=meeting_security",
            Some(&json!({"in_meeting": {"waiting_room": true}})),
        ),
        &["body.in_meeting: property not declared in schema"],
        "main-branch body with option=meeting_security",
    );
    assert_rejects(
        zoom.validate_request(
            "PATCH",
            "/v2/accounts/me/settings",
            "",
            Some(&json!({"meeting_security": {"waiting_room": true}})),
        ),
        &["body.meeting_security: this shape is only valid with ?option=meeting_security"],
        "meeting_security body without option",
    );
    assert_rejects(
        zoom.validate_request(
            "PATCH",
            "/v2/accounts/me/settings",
            "option=security",
            Some(&json!({"security": {"hide_billing_info": true}, "in_meeting": {"chat": true}})),
        ),
        &["body.in_meeting: with option=security only the `security` section may appear"],
        "extra section with option=security",
    );
    assert_rejects(
        zoom.validate_request(
            "PATCH",
            "/v2/accounts/me/settings",
            "option=meeting_security",
            Some(&json!({"meeting_security": {"waiting_room": "on"}})),
        ),
        &["body.meeting_security.waiting_room: expected boolean"],
        "wrong type inside the meeting_security branch",
    );
}

#[test]
fn zoom_rejects_missing_and_unexpected_bodies() {
    let zoom = ZoomSpec::load();
    assert_rejects(
        zoom.validate_request("PATCH", "/v2/accounts/me/settings", "", None),
        &["takes a JSON request body"],
        "missing body",
    );
    assert_rejects(
        zoom.validate_request("GET", "/v2/accounts/me/settings", "", Some(&json!({}))),
        &["body: GET /accounts/{accountId}/settings (accountSettings) takes no request body"],
        "body on GET",
    );
    assert_rejects(
        zoom.validate_request("POST", "/v2/groups/G1/members", "", Some(&json!({"members": (0..31).map(|index| json!({"id": format!("u{index}")})).collect::<Vec<_>>()}))),
        &["body.members: expected at most 30 items"],
        "31 group members",
    );
    assert_rejects(
        zoom.validate_request(
            "POST",
            "/v2/rooms/calendar/services/S1/resources",
            "",
            Some(&json!({})),
        ),
        &["body.calendar_resource_email: required property is missing"],
        "missing required property",
    );
}

#[test]
fn zoom_rejects_nonconforming_responses() {
    let zoom = ZoomSpec::load();
    assert_rejects(
        zoom.validate_response("PATCH", "/v2/accounts/me/settings", "", 200, None),
        &["status: 200 is not documented", "204"],
        "undocumented success status",
    );
    assert_rejects(
        zoom.validate_response("GET", "/v2/groups", "", 418, None),
        &["418 is not documented"],
        "418",
    );
    assert_rejects(
        zoom.validate_response(
            "PATCH",
            "/v2/accounts/me/settings",
            "",
            204,
            Some(&json!({"ok": true})),
        ),
        &["documents no body"],
        "body on 204",
    );
    assert_rejects(
        zoom.validate_response("GET", "/v2/accounts/me/managed_domains", "", 200, None),
        &["documents a JSON body, none was returned"],
        "missing success body",
    );
    assert_rejects(
        zoom.validate_response("GET", "/v2/accounts/me/managed_domains", "", 200,
            Some(&json!({"domains": [{"domain": "example.com", "status": "verified", "verified_at": "x"}], "total_records": 1}))),
        &["body.domains[0].verified_at: property not declared in schema"],
        "undeclared response property",
    );
    assert_rejects(
        zoom.validate_response(
            "GET",
            "/v2/accounts/me/managed_domains",
            "",
            200,
            Some(&json!({"total_records": 1.0})),
        ),
        &["body.total_records: expected integer"],
        "float for integer in a response",
    );
    assert_rejects(
        zoom.validate_response(
            "PATCH",
            "/v2/accounts/me/settings",
            "",
            404,
            Some(&json!({"code": 9999, "message": "x"})),
        ),
        &[
            "body.code: 9999 is not an error code documented for status 404",
            "[2001]",
        ],
        "undocumented error code",
    );
    assert_rejects(
        zoom.validate_response(
            "PATCH",
            "/v2/accounts/me/settings",
            "",
            404,
            Some(&json!({"code": "2001", "message": "x"})),
        ),
        &["body.code: expected integer"],
        "string error code",
    );
    assert_rejects(
        zoom.validate_response(
            "PATCH",
            "/v2/accounts/me/settings",
            "",
            404,
            Some(&json!({"code": 2001, "message": "x", "status": 404})),
        ),
        &["body.status: property not part of Zoom's error shape"],
        "extra error key",
    );
    assert_rejects(
        zoom.validate_response(
            "PATCH",
            "/v2/accounts/me/settings",
            "",
            400,
            Some(&json!({"code": 300, "message": "x", "errors": [{"field": "a"}]})),
        ),
        &["body.errors[0].message: required property is missing"],
        "incomplete validation error",
    );
    assert_rejects(
        zoom.validate_response("PATCH", "/v2/accounts/me/settings", "", 404, None),
        &["must carry Zoom's error body"],
        "4xx without body",
    );
}

// ---------------------------------------------------------------------------------------------------------
// Zoom: every documented schema accepts an instance synthesized from it, and rejects it with a stray property.

/// Builds a value that satisfies `schema` (first `oneOf`/`anyOf` branch, merged `allOf` pieces).
fn synthesize_zoom(schema: &Value) -> Value {
    if let Some(first) = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
        .and_then(|branches| branches.first())
    {
        let mut own = schema.clone();
        if let Some(object) = own.as_object_mut() {
            object.remove("oneOf");
            object.remove("anyOf");
        }
        return merge(synthesize_zoom(&own), synthesize_zoom(first));
    }
    if let Some(pieces) = schema.get("allOf").and_then(Value::as_array) {
        let mut own = schema.clone();
        if let Some(object) = own.as_object_mut() {
            object.remove("allOf");
        }
        return pieces.iter().fold(synthesize_zoom(&own), |merged, piece| {
            merge(merged, synthesize_zoom(piece))
        });
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|members| members.first())
    {
        return if schema.get("type").and_then(Value::as_str) == Some("array") {
            json!([first])
        } else {
            first.clone()
        };
    }
    let number = |default: i64| {
        let minimum = schema
            .get("minimum")
            .and_then(Value::as_i64)
            .unwrap_or(default);
        let maximum = schema
            .get("maximum")
            .and_then(Value::as_i64)
            .unwrap_or(i64::MAX);
        minimum.min(maximum)
    };
    match schema.get("type").and_then(Value::as_str) {
        Some("object") | None if schema.get("properties").is_some() => {
            let mut object = serde_json::Map::new();
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    object.insert(name.clone(), synthesize_zoom(property));
                }
            }
            Value::Object(object)
        }
        Some("object") => json!({}),
        Some("array") => {
            let item = schema
                .get("items")
                .map(synthesize_zoom)
                .unwrap_or(json!("x"));
            let count = schema
                .get("minItems")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .max(1);
            Value::Array((0..count).map(|_| item.clone()).collect())
        }
        Some("integer") => json!(number(1)),
        Some("number") => json!(number(1)),
        Some("boolean") => json!(true),
        Some("string") => {
            if schema.get("pattern").and_then(Value::as_str) == Some("yyyy-MM-dd HH:mm:ss") {
                return json!("2026-02-07 22:40:00");
            }
            match schema.get("format").and_then(Value::as_str) {
                Some("date-time" | "datetime") => json!("2026-02-07T22:40:00Z"),
                Some("date") => json!("2026-02-07"),
                Some("email") => json!("someone@example.com"),
                Some("uri") => json!("https://example.com/resource"),
                _ => {
                    let minimum = schema
                        .get("minLength")
                        .and_then(Value::as_u64)
                        .unwrap_or(1)
                        .max(1) as usize;
                    json!("x".repeat(minimum))
                }
            }
        }
        _ => json!("x"),
    }
}

fn merge(left: Value, right: Value) -> Value {
    match (left, right) {
        (Value::Object(mut left), Value::Object(right)) => {
            for (key, value) in right {
                let merged = match left.remove(&key) {
                    Some(existing) => merge(existing, value),
                    None => value,
                };
                left.insert(key, merged);
            }
            Value::Object(left)
        }
        (Value::Object(left), Value::Null) => Value::Object(left),
        (_, right) if !right.is_null() => right,
        (left, _) => left,
    }
}

/// Adds a stray property to the first (depth-first) object of `value` that has properties.
fn add_stray_property(value: &mut Value, depth: usize) -> bool {
    match value {
        Value::Object(object) if depth > 0 => {
            for nested in object.values_mut() {
                if add_stray_property(nested, depth - 1) {
                    return true;
                }
            }
            false
        }
        Value::Object(object) if !object.is_empty() => {
            object.insert("zz_stray_property".to_string(), json!(true));
            true
        }
        Value::Array(items) => items
            .first_mut()
            .is_some_and(|first| add_stray_property(first, depth)),
        _ => false,
    }
}

fn concrete_path(zoom: &ZoomSpec, method: &str, template: &str) -> (String, String) {
    let operation = zoom
        .operation_object(method, template)
        .expect("operation exists");
    let parameters = operation
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut path = template.to_string();
    let mut query = Vec::new();
    for parameter in &parameters {
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
        let schema = parameter
            .get("schema")
            .cloned()
            .unwrap_or(json!({"type": "string"}));
        let value = match synthesize_zoom(&schema) {
            Value::String(text) => text,
            other => other.to_string(),
        };
        match parameter.get("in").and_then(Value::as_str) {
            Some("path") => path = path.replace(&format!("{{{name}}}"), &format!("zz{value}")),
            Some("query") if parameter.get("required").and_then(Value::as_bool) == Some(true) => {
                query.push(format!("{name}={value}"));
            }
            _ => {}
        }
    }
    (format!("/v2{path}"), query.join("&"))
}

#[test]
fn zoom_every_documented_schema_accepts_a_synthesized_instance_and_rejects_a_stray_property() {
    let zoom = ZoomSpec::load();
    let mut checked_bodies = 0;
    let mut checked_responses = 0;
    for (method, template, _) in zoom.operations() {
        let operation = zoom
            .operation_object(&method, &template)
            .expect("operation exists");
        let (path, query) = concrete_path(&zoom, &method, &template);
        if let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") {
            let mut body = synthesize_zoom(schema);
            let matched = assert_accepts(
                zoom.validate_request(&method, &path, &query, Some(&body)),
                &format!("{method} {template} request"),
            );
            assert_eq!(
                matched.template, template,
                "{path} resolved to another template"
            );
            for depth in [0, 1] {
                let mut stray = body.clone();
                if add_stray_property(&mut stray, depth) {
                    assert_rejects(
                        zoom.validate_request(&method, &path, &query, Some(&stray)),
                        &["zz_stray_property: property not declared in schema"],
                        &format!(
                            "{method} {template} request with a stray property at depth {depth}"
                        ),
                    );
                }
            }
            if add_stray_property(&mut body, 0) {
                checked_bodies += 1;
            }
        } else if operation.get("requestBody").is_none() {
            assert_accepts(
                zoom.validate_request(&method, &path, &query, None),
                &format!("{method} {template} request"),
            );
        }
        let responses = operation
            .get("responses")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (status, response) in responses {
            let Ok(status) = status.parse::<u16>() else {
                continue;
            };
            if !(200..300).contains(&status) {
                continue;
            }
            match response.pointer("/content/application~1json/schema") {
                Some(schema) => {
                    let body = synthesize_zoom(schema);
                    assert_accepts(
                        zoom.validate_response(&method, &path, &query, status, Some(&body)),
                        &format!("{method} {template} {status} response"),
                    );
                    let mut stray = body.clone();
                    if add_stray_property(&mut stray, 0) {
                        assert_rejects(
                            zoom.validate_response(&method, &path, &query, status, Some(&stray)),
                            &["zz_stray_property"],
                            &format!("{method} {template} {status} response with a stray property"),
                        );
                        checked_responses += 1;
                    }
                }
                None => {
                    assert_accepts(
                        zoom.validate_response(&method, &path, &query, status, None),
                        &format!("{method} {template} {status}"),
                    );
                }
            }
        }
    }
    assert!(
        checked_bodies > 60,
        "only {checked_bodies} request bodies were checked"
    );
    assert!(
        checked_responses > 120,
        "only {checked_responses} response bodies were checked"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Microsoft Graph: examples from the Microsoft Graph documentation.

const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
const ZOOM_APP_ID: &str = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29";

#[test]
fn graph_resolves_paths_to_entity_types() {
    let graph = GraphSpec::load();
    let cases = [
        (
            "/v1.0/servicePrincipals",
            "microsoft.graph.servicePrincipal",
        ),
        (
            "/v1.0/servicePrincipals/1b5c9a7e-0000-0000-0000-000000000001",
            "microsoft.graph.servicePrincipal",
        ),
        (
            "/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')",
            "microsoft.graph.servicePrincipal",
        ),
        (
            "/v1.0/servicePrincipals/sp1/appRoleAssignedTo",
            "microsoft.graph.appRoleAssignment",
        ),
        (
            "/v1.0/policies/authorizationPolicy",
            "microsoft.graph.authorizationPolicy",
        ),
        (
            "/v1.0/policies/adminConsentRequestPolicy",
            "microsoft.graph.adminConsentRequestPolicy",
        ),
        (
            "/v1.0/policies/permissionGrantPolicies/my-policy/includes",
            "microsoft.graph.permissionGrantConditionSet",
        ),
        (
            "/v1.0/domains/contoso.com/federationConfiguration",
            "microsoft.graph.internalDomainFederation",
        ),
        (
            "https://graph.microsoft.com/v1.0/oauth2PermissionGrants?$filter=clientId eq 'x'",
            "microsoft.graph.oAuth2PermissionGrant",
        ),
        (
            "/v1.0/servicePrincipals/sp1/appRoles",
            "Collection(microsoft.graph.appRole)",
        ),
    ];
    for (path, expected) in cases {
        assert_eq!(
            assert_accepts(graph.resolve_type(path), path),
            expected,
            "{path}"
        );
    }
}

#[test]
fn graph_accepts_the_documented_consent_policy_requests() {
    let graph = GraphSpec::load();
    for body in [
        json!({"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": []}}),
        json!({"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": ["managePermissionGrantsForSelf.microsoft-user-default-low"]}}),
        json!({"allowUserConsentForRiskyApps": false}),
        json!({"allowInvitesFrom": "adminsAndGuestInviters", "guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3"}),
    ] {
        assert_accepts(
            graph.validate_request("PATCH", "/v1.0/policies/authorizationPolicy", Some(&body)),
            &body.to_string(),
        );
    }
    assert_accepts(
        graph.validate_response("PATCH", "/v1.0/policies/authorizationPolicy", 204, None),
        "204",
    );
    let admin_consent = json!({"isEnabled": true, "notifyReviewers": true, "remindersEnabled": true, "requestDurationInDays": 5,
        "reviewers": [{"query": "/users/b6879be8-fb87-4482-a72e-18445d2b5c54", "queryType": "MicrosoftGraph"},
                      {"query": "/groups/g1/transitiveMembers/microsoft.graph.user", "queryType": "MicrosoftGraph"}]});
    assert_accepts(
        graph.validate_request(
            "PUT",
            "/v1.0/policies/adminConsentRequestPolicy",
            Some(&admin_consent),
        ),
        "PUT admin consent",
    );
    assert_accepts(
        graph.validate_request("POST", "/v1.0/policies/permissionGrantPolicies",
            Some(&json!({"id": "my-custom-policy", "displayName": "Custom", "description": "Low-risk apps"}))),
        "POST permission grant policy",
    );
    assert_accepts(
        graph.validate_request("POST", "/v1.0/policies/permissionGrantPolicies/my-custom-policy/includes",
            Some(&json!({"permissionType": "delegated", "permissionClassification": "low", "clientApplicationsFromVerifiedPublisherOnly": true}))),
        "POST includes",
    );
    assert_accepts(
        graph.validate_request(
            "GET",
            "/v1.0/policies/permissionGrantPolicies?$select=id,displayName,description",
            None,
        ),
        "GET with $select",
    );
    assert_accepts(
        graph.validate_request(
            "DELETE",
            "/v1.0/policies/permissionGrantPolicies/my-custom-policy",
            None,
        ),
        "DELETE policy",
    );
}

#[test]
fn graph_accepts_the_documented_authorization_policy_response() {
    let graph = GraphSpec::load();
    let body = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/authorizationPolicy/$entity",
        "id": "authorizationPolicy", "allowInvitesFrom": "adminsAndGuestInviters",
        "allowedToSignUpEmailBasedSubscriptions": true, "allowedToUseSSPR": true,
        "allowEmailVerifiedUsersToJoinOrganization": true, "allowUserConsentForRiskyApps": false, "blockMsolPowerShell": false,
        "defaultUserRolePermissions": {"allowedToCreateApps": true, "allowedToCreateSecurityGroups": true,
            "allowedToCreateTenants": false, "allowedToReadBitlockerKeysForOwnedDevice": true, "allowedToReadOtherUsers": true,
            "permissionGrantPoliciesAssigned": [
                "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-chat",
                "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"]},
        "description": "Used to manage authorization related settings across the company.",
        "displayName": "Authorization Policy", "guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3"});
    assert_accepts(
        graph.validate_response(
            "GET",
            "/v1.0/policies/authorizationPolicy",
            200,
            Some(&body),
        ),
        "authorizationPolicy",
    );
}

#[test]
fn graph_accepts_the_documented_service_principal_and_grant_traffic() {
    let graph = GraphSpec::load();
    let lookup = format!(
        "/v1.0/servicePrincipals?$filter=appId eq '{GRAPH_APP_ID}'&$select=id,appId,displayName,appRoles,oauth2PermissionScopes"
    );
    assert_accepts(
        graph.validate_request("GET", &lookup, None),
        "lookup by appId filter",
    );
    let listing = json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals(id,appId,displayName,appRoles,oauth2PermissionScopes)",
        "value": [{"id": "5e0e4c1e-7c1b-4a0b-9b1a-0c0d0e0f1a2b", "appId": GRAPH_APP_ID, "displayName": "Microsoft Graph",
            "appRoles": [{"allowedMemberTypes": ["Application"], "description": "Read and write calendars", "displayName": "Read and write calendars in all mailboxes",
                          "id": "ef54d2bf-783f-4e0f-bca1-3210c0444d99", "isEnabled": true, "origin": "Application", "value": "Calendars.ReadWrite"}],
            "oauth2PermissionScopes": [{"adminConsentDescription": "d", "adminConsentDisplayName": "n", "id": "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
                                        "isEnabled": true, "type": "User", "userConsentDescription": "d", "userConsentDisplayName": "n", "value": "User.Read"}]}]});
    assert_accepts(
        graph.validate_response("GET", &lookup, 200, Some(&listing)),
        "listing with $select",
    );
    let by_key = format!("/v1.0/servicePrincipals(appId='{GRAPH_APP_ID}')");
    assert_accepts(
        graph.validate_request("GET", &by_key, None),
        "alternate key",
    );
    assert_accepts(
        graph.validate_request(
            "POST",
            "/v1.0/servicePrincipals",
            Some(&json!({"appId": ZOOM_APP_ID})),
        ),
        "create SP",
    );
    let created = json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
        "id": "sp-zoom", "appId": ZOOM_APP_ID, "accountEnabled": true, "appRoleAssignmentRequired": false, "tags": [],
        "keyCredentials": [{"customKeyIdentifier": "q83vEjRWeJA=", "endDateTime": "2027-01-01T00:00:00Z",
                            "keyId": "f9c3a1d2-0000-4000-8000-000000000001", "startDateTime": "2026-01-01T00:00:00Z",
                            "type": "AsymmetricX509Cert", "usage": "Verify", "key": null}]});
    assert_accepts(
        graph.validate_response("POST", "/v1.0/servicePrincipals", 201, Some(&created)),
        "201 SP",
    );
    let upsert = format!("/v1.0/servicePrincipals(appId='{ZOOM_APP_ID}')");
    assert_accepts(
        graph.validate_request(
            "PATCH",
            &upsert,
            Some(&json!({"displayName": "Zoom", "tags": ["HideApp"]})),
        ),
        "upsert",
    );
    assert_accepts(
        graph.validate_response("PATCH", &upsert, 201, Some(&created)),
        "upsert 201",
    );
    assert_accepts(
        graph.validate_response("PATCH", &upsert, 204, None),
        "upsert 204",
    );

    let grant = json!({"clientId": "sp-zoom", "consentType": "AllPrincipals", "resourceId": "sp-graph",
                       "scope": "openid profile email offline_access User.Read Calendars.ReadWrite Contacts.Read"});
    assert_accepts(
        graph.validate_request("POST", "/v1.0/oauth2PermissionGrants", Some(&grant)),
        "POST grant",
    );
    let mut granted = grant.clone();
    granted["id"] = json!("47nZsM8O_UuNq5Jz3QValETpqX7OcT1EgRxx6AR7VXo");
    granted["principalId"] = Value::Null;
    assert_accepts(
        graph.validate_response("POST", "/v1.0/oauth2PermissionGrants", 201, Some(&granted)),
        "201 grant",
    );
    assert_accepts(
        graph.validate_request("GET", "/v1.0/oauth2PermissionGrants?$filter=clientId eq 'sp-zoom' and consentType eq 'AllPrincipals'", None),
        "grant filter",
    );
    assert_accepts(
        graph.validate_request(
            "PATCH",
            "/v1.0/oauth2PermissionGrants/47nZsM8O",
            Some(&json!({"scope": "User.Read Calendars.ReadWrite"})),
        ),
        "PATCH grant",
    );
    assert_accepts(
        graph.validate_request("DELETE", "/v1.0/oauth2PermissionGrants/47nZsM8O", None),
        "DELETE grant",
    );
    assert_accepts(
        graph.validate_response("DELETE", "/v1.0/oauth2PermissionGrants/47nZsM8O", 204, None),
        "204 DELETE",
    );

    let assignment = json!({"principalId": "9028d19c-5a46-4a0a-8c3b-6e4a9b1c2d3e", "resourceId": "5e0e4c1e-7c1b-4a0b-9b1a-0c0d0e0f1a2b",
                            "appRoleId": "ef54d2bf-783f-4e0f-bca1-3210c0444d99"});
    assert_accepts(
        graph.validate_request(
            "POST",
            "/v1.0/servicePrincipals/sp-graph/appRoleAssignedTo",
            Some(&assignment),
        ),
        "assign role",
    );
    let mut assigned = assignment.clone();
    assigned["id"] = json!("47nZsM8O_UuNq5Jz3QValCxBBiqJea9Drc9CMK4Ru_M");
    assigned["principalType"] = json!("ServicePrincipal");
    assigned["createdDateTime"] = json!("2026-02-07T22:40:00.1234567Z");
    assert_accepts(
        graph.validate_response(
            "POST",
            "/v1.0/servicePrincipals/sp-graph/appRoleAssignedTo",
            201,
            Some(&assigned),
        ),
        "201 assignment",
    );
    assert_accepts(
        graph.validate_request(
            "DELETE",
            "/v1.0/servicePrincipals/sp-graph/appRoleAssignedTo/47nZsM8O",
            None,
        ),
        "delete assignment",
    );
}

#[test]
fn graph_accepts_the_documented_federation_traffic() {
    let graph = GraphSpec::load();
    let federation = json!({"@odata.type": "#microsoft.graph.internalDomainFederation", "displayName": "Contoso",
        "issuerUri": "http://contoso.com/adfs/services/trust", "metadataExchangeUri": "https://sts.contoso.com/adfs/services/trust/mex",
        "signingCertificate": "MIIE3jCCAsagAwIBAgIQQcyDaZz3MI", "passiveSignInUri": "https://sts.contoso.com/adfs/ls",
        "preferredAuthenticationProtocol": "wsFed", "activeSignInUri": "https://sts.contoso.com/adfs/services/trust/2005/usernamemixed",
        "signOutUri": "https://sts.contoso.com/adfs/ls", "promptLoginBehavior": "nativeSupport", "isSignedAuthenticationRequestRequired": true,
        "nextSigningCertificate": "MIIE3jCCAsagAwIBAgIQQcyDaZz3MI", "federatedIdpMfaBehavior": "rejectMfaByFederatedIdp"});
    assert_accepts(
        graph.validate_request(
            "POST",
            "/v1.0/domains/contoso.com/federationConfiguration",
            Some(&federation),
        ),
        "POST federation",
    );
    let mut created = federation.clone();
    created["id"] = json!("6601d14b-d113-8f64-fda2-9b5ddda18ecc");
    created["signingCertificateUpdateStatus"] =
        json!({"certificateUpdateResult": "success", "lastRunDateTime": "2026-02-07T22:40:00Z"});
    assert_accepts(
        graph.validate_response(
            "POST",
            "/v1.0/domains/contoso.com/federationConfiguration",
            201,
            Some(&created),
        ),
        "201 federation",
    );
    let item =
        "/v1.0/domains/contoso.com/federationConfiguration/6601d14b-d113-8f64-fda2-9b5ddda18ecc";
    assert_accepts(
        graph.validate_request(
            "PATCH",
            item,
            Some(&json!({"federatedIdpMfaBehavior": "acceptIfMfaDoneByFederatedIdp"})),
        ),
        "PATCH",
    );
    assert_accepts(
        graph.validate_response("PATCH", item, 200, Some(&created)),
        "200 PATCH with object",
    );
    assert_accepts(
        graph.validate_response(
            "GET",
            "/v1.0/domains/contoso.com/federationConfiguration",
            200,
            Some(&json!({"value": [created]})),
        ),
        "list federation",
    );
    let domain = json!({"id": "contoso.com", "authenticationType": "Federated", "isAdminManaged": true, "isDefault": false,
        "isInitial": false, "isRoot": true, "isVerified": true, "supportedServices": ["Email", "OfficeCommunicationsOnline"],
        "passwordValidityPeriodInDays": 2147483647, "state": null});
    assert_accepts(
        graph.validate_response("GET", "/v1.0/domains/contoso.com", 200, Some(&domain)),
        "domain",
    );
    assert_accepts(
        graph.validate_request(
            "PATCH",
            "/v1.0/domains/contoso.com",
            Some(&json!({"authenticationType": "Managed"})),
        ),
        "PATCH domain",
    );
    assert_accepts(
        graph.validate_request("POST", "/v1.0/domains/contoso.com/verify", None),
        "verify action",
    );
    assert_accepts(
        graph.validate_response(
            "POST",
            "/v1.0/domains/contoso.com/verify",
            200,
            Some(&domain),
        ),
        "verify 200",
    );
}

#[test]
fn graph_accepts_documented_error_bodies() {
    let graph = GraphSpec::load();
    let error = json!({"error": {"code": "Request_ResourceNotFound", "message": "Resource 'x' does not exist.",
        "innerError": {"date": "2026-02-07T22:40:00", "request-id": "b2f1a9c4-0000-4000-8000-000000000001",
                       "client-request-id": "b2f1a9c4-0000-4000-8000-000000000001"}}});
    assert_accepts(
        graph.validate_response("GET", "/v1.0/servicePrincipals/missing", 404, Some(&error)),
        "404",
    );
    let conflict = json!({"error": {"code": "Request_MultipleObjectsWithSameKeyValue", "message": "Permission entry already exists.",
        "details": [{"code": "ObjectConflict", "message": "Another object with the same value already exists.", "target": "scope"}],
        "innerError": {"date": "2026-02-07T22:40:00", "request-id": "r", "client-request-id": "c", "innerError": {"code": "nested"}}}});
    assert_accepts(
        graph.validate_response("POST", "/v1.0/oauth2PermissionGrants", 409, Some(&conflict)),
        "409",
    );
    assert_accepts(
        graph.validate_response("GET", "/v1.0/servicePrincipals", 503, None),
        "503 without body",
    );
}

#[test]
fn graph_accepts_a_documented_batch_exchange() {
    let graph = GraphSpec::load();
    let request = json!({"requests": [
        {"id": "1", "method": "GET", "url": format!("/servicePrincipals?$filter=appId eq '{GRAPH_APP_ID}'&$select=id,appId")},
        {"id": "2", "method": "PATCH", "url": "/policies/authorizationPolicy", "headers": {"Content-Type": "application/json"},
         "body": {"allowUserConsentForRiskyApps": false}},
        {"id": "3", "method": "POST", "url": "oauth2PermissionGrants", "dependsOn": ["1"], "headers": {"Content-Type": "application/json"},
         "body": {"clientId": "sp-zoom", "consentType": "AllPrincipals", "resourceId": "sp-graph", "scope": "User.Read"}}]});
    assert_accepts(
        graph.validate_request("POST", "/v1.0/$batch", Some(&request)),
        "batch request",
    );
    let response = json!({"responses": [
        {"id": "2", "status": 204, "headers": {"Cache-Control": "no-cache"}},
        {"id": "1", "status": 200, "headers": {"Content-Type": "application/json"},
         "body": {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals(id,appId)",
                  "value": [{"id": "sp-graph", "appId": GRAPH_APP_ID}]}},
        {"id": "3", "status": 429, "headers": {"Retry-After": "10"},
         "body": {"error": {"code": "TooManyRequests", "message": "Too many requests.", "innerError": {"date": "2026-02-07T22:40:00"}}}}]});
    assert_accepts(
        graph.validate_response("POST", "/v1.0/$batch", 200, Some(&response)),
        "batch response envelope",
    );
    assert_accepts(
        graph.validate_batch(&request, 200, Some(&response)),
        "batch exchange",
    );
}

// ---------------------------------------------------------------------------------------------------------
// Microsoft Graph: crafted violations.

#[test]
fn graph_rejects_undeclared_properties_wrong_types_and_enum_violations() {
    let graph = GraphSpec::load();
    assert_rejects(
        graph.validate_request(
            "PATCH",
            "/v1.0/servicePrincipals/sp1",
            Some(&json!({"accountEnable": false})),
        ),
        &[
            "body.accountEnable: property not declared on microsoft.graph.servicePrincipal",
            "did you mean `accountEnabled`",
        ],
        "typo on an open type",
    );
    assert_accepts(
        graph.validate_request(
            "PATCH",
            "/v1.0/servicePrincipals/sp1",
            Some(&json!({"extension_0123456789abcdef0123456789abcdef_costCenter": "A1"})),
        ),
        "directory extension on an open type",
    );
    assert_rejects(
        graph.validate_request(
            "PATCH",
            "/v1.0/servicePrincipals/sp1",
            Some(&json!({"appRoleAssignmentRequired": "true"})),
        ),
        &["body.appRoleAssignmentRequired: expected a boolean (Edm.Boolean)"],
        "string for boolean",
    );
    assert_rejects(
        graph.validate_request(
            "PATCH",
            "/v1.0/policies/authorizationPolicy",
            Some(&json!({"allowInvitesFrom": "everybody"})),
        ),
        &[
            "body.allowInvitesFrom",
            "not a member of microsoft.graph.allowInvitesFrom",
        ],
        "enum violation",
    );
    assert_rejects(
        graph.validate_request(
            "PATCH",
            "/v1.0/policies/authorizationPolicy",
            Some(&json!({"defaultUserRolePermissions": {"allowedToCreateApps": null}})),
        ),
        &[
            "body.defaultUserRolePermissions.allowedToCreateApps: null is not allowed",
            "Nullable=false",
        ],
        "non-nullable null",
    );
    assert_rejects(
        graph.validate_request(
            "PATCH",
            "/v1.0/servicePrincipals/sp1",
            Some(&json!({"tags": ["a", null]})),
        ),
        &["body.tags[1]: null is not allowed"],
        "null item in a non-nullable collection",
    );
    assert_rejects(
        graph.validate_request(
            "PATCH",
            "/v1.0/servicePrincipals/sp1",
            Some(&json!({"tags": "HideApp"})),
        ),
        &["body.tags: expected an array (Collection(Edm.String))"],
        "scalar for a collection",
    );
    assert_rejects(
        graph.validate_request(
            "PATCH",
            "/v1.0/policies/authorizationPolicy",
            Some(&json!({"guestUserRoleId": "10dae51f-b6af-4016-8d66"})),
        ),
        &["body.guestUserRoleId: expected a GUID"],
        "bad GUID",
    );
    assert_rejects(
        graph.validate_request("POST", "/v1.0/servicePrincipals/sp1/appRoleAssignedTo",
            Some(&json!({"principalId": "9028d19c-5a46-4a0a-8c3b-6e4a9b1c2d3e", "resourceId": "5e0e4c1e-7c1b-4a0b-9b1a-0c0d0e0f1a2b",
                         "appRoleId": "Calendars.ReadWrite"}))),
        &["body.appRoleId: expected a GUID"],
        "role name instead of role id",
    );
    assert_rejects(
        graph.validate_request(
            "PATCH",
            "/v1.0/servicePrincipals/sp1",
            Some(&json!({"keyCredentials": [{"key": "not base64!", "endDateTime": "tomorrow"}]})),
        ),
        &["body.keyCredentials[0].key: expected base64"],
        "bad base64",
    );
    assert_rejects(
        graph.validate_request(
            "PATCH",
            "/v1.0/servicePrincipals/sp1",
            Some(&json!({"keyCredentials": [{"endDateTime": "2027-01-01 00:00"}]})),
        ),
        &["body.keyCredentials[0].endDateTime: expected an RFC 3339 date-time"],
        "bad date-time",
    );
    assert_rejects(
        graph.validate_request("PUT", "/v1.0/policies/adminConsentRequestPolicy",
            Some(&json!({"isEnabled": true, "notifyReviewers": true, "remindersEnabled": true, "requestDurationInDays": 3_000_000_000u64}))),
        &["body.requestDurationInDays: 3000000000 is out of range for Edm.Int32"],
        "Int32 overflow",
    );
    assert_rejects(
        graph.validate_request(
            "POST",
            "/v1.0/domains/contoso.com/federationConfiguration",
            Some(&json!({"@odata.type": "#microsoft.graph.domain", "displayName": "x"})),
        ),
        &[
            "body.@odata.type: #microsoft.graph.domain is not microsoft.graph.internalDomainFederation or derived from it",
        ],
        "unrelated @odata.type",
    );
    assert_rejects(
        graph.validate_request(
            "POST",
            "/v1.0/oauth2PermissionGrants",
            Some(&json!({"clientId": "a", "resourceId": "b", "@odata.etag": "x"})),
        ),
        &["body.@odata.etag: annotation not allowed"],
        "response-only annotation in a request",
    );
    assert_rejects(
        graph.validate_request(
            "POST",
            "/v1.0/oauth2PermissionGrants",
            Some(&json!([{"clientId": "a"}])),
        ),
        &["body: expected an object (microsoft.graph.oAuth2PermissionGrant)"],
        "array body",
    );
}

#[test]
fn graph_rejects_wrong_methods_paths_keys_and_query_options() {
    let graph = GraphSpec::load();
    assert_rejects(
        graph.validate_request("DELETE", "/v1.0/policies/authorizationPolicy", None),
        &[
            "405",
            "DELETE is not allowed on policies/authorizationPolicy",
            "GET, PATCH, PUT",
        ],
        "DELETE a singleton policy",
    );
    assert_rejects(
        graph.validate_request(
            "POST",
            "/v1.0/policies/authorizationPolicy",
            Some(&json!({})),
        ),
        &["405", "POST"],
        "POST a singleton policy",
    );
    assert_rejects(
        graph.validate_request(
            "POST",
            "/v1.0/servicePrincipals/sp1/owners",
            Some(&json!({})),
        ),
        &["405", "allowed: [GET]"],
        "POST to a non-contained navigation property",
    );
    assert_rejects(
        graph.validate_request("GET", "/v1.0/servicePrincipalz", None),
        &[
            "`servicePrincipalz` is not an entity set",
            "did you mean `servicePrincipals`",
        ],
        "unknown set",
    );
    assert_rejects(
        graph.validate_request("GET", "/beta/servicePrincipals", None),
        &["not a Microsoft Graph v1.0 path"],
        "beta",
    );
    assert_rejects(
        graph.validate_request("GET", "/v1.0/servicePrincipals(displayName='Zoom')", None),
        &[
            "`displayName` is not a key or alternate key of microsoft.graph.servicePrincipal",
            "appId",
        ],
        "non-key in key syntax",
    );
    assert_rejects(
        graph.validate_request(
            "GET",
            "/v1.0/servicePrincipals(appId=00000003-0000-0000-c000-000000000000)",
            None,
        ),
        &["must be quoted"],
        "unquoted string key",
    );
    assert_rejects(
        graph.validate_request(
            "GET",
            "/v1.0/servicePrincipals/sp1/appRoleAssignedToo",
            None,
        ),
        &[
            "`appRoleAssignedToo` is not a property, navigation property or bound operation",
            "did you mean `appRoleAssignedTo`",
        ],
        "unknown navigation property",
    );
    assert_rejects(
        graph.validate_request("GET", "/v1.0/servicePrincipals?$select=id,displayNme", None),
        &[
            "query.$select: `displayNme` is not a property",
            "did you mean `displayName`",
        ],
        "unknown $select member",
    );
    assert_rejects(
        graph.validate_request("GET", "/v1.0/servicePrincipals?$filter=appid eq 'x'", None),
        &[
            "query.$filter: `appid` is not a property",
            "did you mean `appId`",
        ],
        "unknown $filter property",
    );
    assert_rejects(
        graph.validate_request(
            "GET",
            "/v1.0/servicePrincipals?$filter=accountEnabled eq 'true'",
            None,
        ),
        &[
            "query.$filter: `accountEnabled eq …`: Edm.Boolean properties compare with true or false",
        ],
        "quoted boolean literal",
    );
    assert_rejects(
        graph.validate_request("GET", "/v1.0/servicePrincipals?filter=appId eq 'x'", None),
        &[
            "query.filter: not an OData system query option",
            "`$filter`",
        ],
        "option without $",
    );
    assert_rejects(
        graph.validate_request("GET", "/v1.0/policies/authorizationPolicy?$top=5", None),
        &["query.$top: applies to collections"],
        "$top on a singleton",
    );
    assert_rejects(
        graph.validate_request("GET", "/v1.0/servicePrincipals?$top=ten", None),
        &["query.$top: expected a non-negative integer"],
        "bad $top",
    );
    assert_rejects(
        graph.validate_request("GET", "/v1.0/servicePrincipals", Some(&json!({}))),
        &["body: GET servicePrincipals takes no body"],
        "GET with a body",
    );
    assert_rejects(
        graph.validate_request("POST", "/v1.0/servicePrincipals", None),
        &["needs a JSON body"],
        "POST without a body",
    );
}

#[test]
fn graph_rejects_nonconforming_responses() {
    let graph = GraphSpec::load();
    let path = "/v1.0/servicePrincipals?$select=id,appId";
    assert_rejects(
        graph.validate_response(
            "GET",
            path,
            200,
            Some(&json!({"value": [{"id": "a", "appId": "b", "displayName": "c"}]})),
        ),
        &["body.value[0].displayName: not requested by $select=id,appId"],
        "property outside $select",
    );
    assert_rejects(
        graph.validate_response(
            "GET",
            "/v1.0/servicePrincipals",
            200,
            Some(&json!([{"id": "a"}])),
        ),
        &["body: expected a collection object"],
        "bare array",
    );
    assert_rejects(
        graph.validate_response(
            "GET",
            "/v1.0/servicePrincipals",
            200,
            Some(&json!({"items": []})),
        ),
        &["body.value: required property is missing"],
        "collection without value",
    );
    assert_rejects(
        graph.validate_response(
            "GET",
            "/v1.0/servicePrincipals",
            200,
            Some(&json!({"value": [], "@odata.nextPage": "x"})),
        ),
        &[
            "body.@odata.nextPage: not allowed beside a collection's value",
            "did you mean `@odata.nextLink`",
        ],
        "misspelled nextLink",
    );
    assert_rejects(
        graph.validate_response(
            "GET",
            "/v1.0/servicePrincipals/sp1",
            200,
            Some(&json!({"id": "sp1", "appRoleAssignmentRequired": null})),
        ),
        &["body.appRoleAssignmentRequired: null is not allowed"],
        "non-nullable null in a response",
    );
    assert_rejects(
        graph.validate_response("PATCH", "/v1.0/policies/authorizationPolicy", 201, None),
        &["status: 201 is not a success status", "[204, 200]"],
        "201 for a plain PATCH",
    );
    assert_rejects(
        graph.validate_response(
            "PATCH",
            "/v1.0/policies/authorizationPolicy",
            204,
            Some(&json!({})),
        ),
        &["carries no body"],
        "204 with a body",
    );
    assert_rejects(
        graph.validate_response(
            "POST",
            "/v1.0/servicePrincipals",
            200,
            Some(&json!({"id": "x"})),
        ),
        &["status: 200 is not a success status", "201"],
        "200 for a create",
    );
    assert_rejects(
        graph.validate_response(
            "GET",
            "/v1.0/servicePrincipals/x",
            404,
            Some(&json!({"error": {"code": "Request_ResourceNotFound", "message": "x"}})),
        ),
        &["body.error.innerError: required object is missing"],
        "error without innerError",
    );
    assert_rejects(
        graph.validate_response(
            "GET",
            "/v1.0/servicePrincipals/x",
            404,
            Some(&json!({"error": {"code": 404, "message": "x", "innerError": {}}})),
        ),
        &["body.error.code: expected string"],
        "numeric error code",
    );
    let zoom_shaped = graph.validate_response(
        "GET",
        "/v1.0/servicePrincipals/x",
        404,
        Some(&json!({"code": "x", "message": "y"})),
    );
    assert_rejects(
        zoom_shaped.clone(),
        &["body.code: only `error` may appear"],
        "Zoom-shaped error from Graph",
    );
    assert_rejects(
        zoom_shaped,
        &["body.error: required object is missing"],
        "Zoom-shaped error from Graph",
    );
    assert_rejects(
        graph.validate_response(
            "GET",
            "/v1.0/servicePrincipals/x",
            400,
            Some(
                &json!({"error": {"code": "x", "message": "y", "innerError": {"requestId": "z"}}}),
            ),
        ),
        &[
            "body.error.innerError.requestId: not part of Graph's innerError",
            "did you mean `request-id`",
        ],
        "misspelled innerError key",
    );
}

#[test]
fn graph_rejects_invalid_batches() {
    let graph = GraphSpec::load();
    let many: Vec<Value> = (1..=21)
        .map(|index| json!({"id": index.to_string(), "method": "GET", "url": "/domains"}))
        .collect();
    assert_rejects(
        graph.validate_request("POST", "/v1.0/$batch", Some(&json!({"requests": many}))),
        &["body.requests: at most 20 requests per batch, found 21"],
        "21 requests",
    );
    assert_rejects(
        graph.validate_request("POST", "/v1.0/$batch", Some(&json!({"requests": []}))),
        &["at least one request"],
        "empty batch",
    );
    assert_rejects(
        graph.validate_request("GET", "/v1.0/$batch", None),
        &["405"],
        "GET $batch",
    );
    let inner_typo = json!({"requests": [{"id": "7", "method": "PATCH", "url": "/servicePrincipals/sp1",
        "headers": {"Content-Type": "application/json"}, "body": {"accountEnable": true}}]});
    assert_rejects(
        graph.validate_request("POST", "/v1.0/$batch", Some(&inner_typo)),
        &["body.requests[0] (id \"7\"): body.accountEnable: property not declared"],
        "invalid inner body",
    );
    let cases = [
        (
            json!({"id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/domains"}),
            "must be relative",
        ),
        (
            json!({"id": "1", "method": "GET", "url": "/v1.0/domains"}),
            "without the /v1.0 prefix",
        ),
        (
            json!({"id": "1", "method": "get", "url": "/domains"}),
            "upper case",
        ),
        (
            json!({"id": "1", "method": "PATCH", "url": "/domains/contoso.com", "body": {"isDefault": true}}),
            "needs a Content-Type header",
        ),
        (
            json!({"id": "1", "method": "GET", "url": "/domains", "dependsOn": ["9"]}),
            "\"9\" names no request of this batch",
        ),
        (
            json!({"id": "1", "method": "GET", "url": "/domains", "retry": true}),
            "body.requests[0].retry: not part of a batch request",
        ),
        (
            json!({"method": "GET", "url": "/domains"}),
            "body.requests[0].id: required property is missing",
        ),
        (
            json!({"id": "1", "method": "DELETE", "url": "/policies/authorizationPolicy"}),
            "405",
        ),
    ];
    for (request, needle) in cases {
        assert_rejects(
            graph.validate_request(
                "POST",
                "/v1.0/$batch",
                Some(&json!({"requests": [request]})),
            ),
            &[needle],
            needle,
        );
    }
    let duplicate = json!({"requests": [{"id": "1", "method": "GET", "url": "/domains"}, {"id": "1", "method": "GET", "url": "/domains"}]});
    assert_rejects(
        graph.validate_request("POST", "/v1.0/$batch", Some(&duplicate)),
        &["\"1\" is used by an earlier request"],
        "duplicate id",
    );

    let request = json!({"requests": [{"id": "1", "method": "GET", "url": "/domains/contoso.com"},
                                      {"id": "2", "method": "DELETE", "url": "/oauth2PermissionGrants/g1"}]});
    let wrong_inner = json!({"responses": [{"id": "1", "status": 200, "body": {"id": "contoso.com", "isVerified": "yes"}},
                                           {"id": "2", "status": 424, "body": {"error": {"code": "FailedDependency", "message": "x", "innerError": {}}}}]});
    assert_rejects(
        graph.validate_batch(&request, 200, Some(&wrong_inner)),
        &["response body.responses[0] (id \"1\"): body.isVerified: expected a boolean"],
        "inner response body",
    );
    assert_rejects(
        graph.validate_batch(&request, 200, Some(&wrong_inner)),
        &["424 Failed Dependency for a request without dependsOn"],
        "424 without dependsOn",
    );
    let missing = json!({"responses": [{"id": "1", "status": 200, "body": {"id": "contoso.com"}}, {"id": "3", "status": 204}]});
    assert_rejects(
        graph.validate_batch(&request, 200, Some(&missing)),
        &["(id \"2\"): no response with this id"],
        "missing inner response",
    );
    assert_rejects(
        graph.validate_batch(&request, 200, Some(&missing)),
        &["\"3\" names no request of the batch"],
        "unknown response id",
    );
    assert_rejects(
        graph.validate_response(
            "POST",
            "/v1.0/$batch",
            200,
            Some(&json!({"responses": [{"id": "1", "status": 500, "body": {"message": "x"}}]})),
        ),
        &["body.responses[0].body.error: required object is missing"],
        "inner error without Graph's shape",
    );
}

// ---------------------------------------------------------------------------------------------------------
// Microsoft Graph: every entity set accepts an entity synthesized from the metadata.

fn graph_types() -> Value {
    let path = conformance::specs_dir().join("msgraph/v1.0-subset-types.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("types file")).expect("types JSON")
}

fn graph_short(name: &str) -> &str {
    name.strip_prefix("microsoft.graph.")
        .or_else(|| name.strip_prefix("graph."))
        .unwrap_or(name)
}

/// Builds a value of EDM or metadata type `type_name` with every declared property set.
fn synthesize_graph(types: &Value, type_name: &str, depth: usize) -> Value {
    if let Some(inner) = type_name
        .strip_prefix("Collection(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        return json!([synthesize_graph(types, inner, depth)]);
    }
    match type_name {
        "Edm.String" => return json!("text"),
        "Edm.Boolean" => return json!(true),
        "Edm.Int32" | "Edm.Int64" | "Edm.Int16" => return json!(7),
        "Edm.Double" => return json!(1.5),
        "Edm.Guid" => return json!("6601d14b-d113-8f64-fda2-9b5ddda18ecc"),
        "Edm.DateTimeOffset" => return json!("2026-02-07T22:40:00Z"),
        "Edm.Binary" => return json!("q83vEjRWeJA="),
        _ => {}
    }
    let name = graph_short(type_name);
    if let Some(members) = types
        .pointer(&format!("/enumTypes/{name}"))
        .and_then(Value::as_array)
    {
        return members.first().cloned().unwrap_or(Value::Null);
    }
    let mut object = serde_json::Map::new();
    let mut current = Some(name.to_string());
    while let Some(type_name) = current {
        let definition = types
            .pointer(&format!("/entityTypes/{type_name}"))
            .or_else(|| types.pointer(&format!("/complexTypes/{type_name}")));
        let Some(definition) = definition else { break };
        for property in definition
            .get("properties")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let property_name = property.get("name").and_then(Value::as_str).unwrap_or("");
            let property_type = property.get("type").and_then(Value::as_str).unwrap_or("");
            if property_type == "Edm.Stream" || depth > 4 {
                continue;
            }
            object.insert(
                property_name.to_string(),
                synthesize_graph(types, property_type, depth + 1),
            );
        }
        current = definition
            .get("baseType")
            .and_then(Value::as_str)
            .map(|base| graph_short(base).to_string());
    }
    Value::Object(object)
}

#[test]
fn graph_every_entity_set_accepts_a_synthesized_entity_and_rejects_a_stray_property() {
    let graph = GraphSpec::load();
    let types = graph_types();
    let sets = types
        .get("entitySetsAndSingletons")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut checked = 0;
    for (name, entry) in sets {
        let type_name = graph_short(entry.get("type").and_then(Value::as_str).unwrap_or(""));
        if types
            .pointer(&format!("/entityTypes/{type_name}"))
            .is_none()
        {
            assert_rejects(
                graph
                    .validate_request("GET", &format!("/v1.0/{name}"), None)
                    .and_then(|()| {
                        graph.validate_response(
                            "GET",
                            &format!("/v1.0/{name}"),
                            200,
                            Some(&json!({"value": [{"id": "x"}]})),
                        )
                    }),
                &["outside the spec subset"],
                &format!("{name}: type outside the subset"),
            );
            continue;
        }
        let entity = synthesize_graph(&types, type_name, 0);
        let singleton = entry.get("kind").and_then(Value::as_str) == Some("Singleton");
        let (write_method, path) = if singleton {
            ("PATCH", format!("/v1.0/{name}"))
        } else {
            ("POST", format!("/v1.0/{name}"))
        };
        assert_accepts(
            graph.validate_request(write_method, &path, Some(&entity)),
            &format!("{write_method} {path}"),
        );
        let mut stray = entity.clone();
        stray["zzStrayProperty"] = json!(1);
        assert_rejects(
            graph.validate_request(write_method, &path, Some(&stray)),
            &["body.zzStrayProperty: property not declared"],
            &path,
        );
        let response = if singleton {
            entity.clone()
        } else {
            json!({"value": [entity.clone()], "@odata.nextLink": "https://graph.microsoft.com/v1.0/x?$skiptoken=1"})
        };
        assert_accepts(
            graph.validate_response("GET", &path, 200, Some(&response)),
            &format!("GET {path}"),
        );
        checked += 1;
    }
    for type_name in [
        "internalDomainFederation",
        "appRoleAssignment",
        "permissionGrantConditionSet",
        "adminConsentRequestPolicy",
        "authorizationPolicy",
    ] {
        let entity = synthesize_graph(&types, type_name, 0);
        let path = match type_name {
            "internalDomainFederation" => "/v1.0/domains/contoso.com/federationConfiguration",
            "appRoleAssignment" => "/v1.0/servicePrincipals/sp1/appRoleAssignedTo",
            "permissionGrantConditionSet" => "/v1.0/policies/permissionGrantPolicies/p1/excludes",
            "adminConsentRequestPolicy" => "/v1.0/policies/adminConsentRequestPolicy",
            _ => "/v1.0/policies/authorizationPolicy",
        };
        let method = if path.starts_with("/v1.0/policies/a") {
            "PUT"
        } else {
            "POST"
        };
        assert_accepts(
            graph.validate_request(method, path, Some(&entity)),
            &format!("{method} {path}"),
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} entity shapes were checked");
}

// ---------------------------------------------------------------------------------------------------------
// OAuth token endpoints.

const BASIC_CREDENTIALS: &str = "Basic Y2xpZW50LWlkOnMzY3JldC12YWx1ZQ=="; // client-id:s3cret-value

#[test]
fn oauth_accepts_zoom_server_to_server_token_traffic() {
    let headers = [("Authorization", BASIC_CREDENTIALS)];
    assert_accepts(
        oauth::validate_zoom_token_request(
            "POST",
            "https://zoom.us/oauth/token?grant_type=account_credentials&account_id=AbC123",
            &headers,
            "",
        ),
        "query form",
    );
    let form_headers = [
        ("authorization", BASIC_CREDENTIALS),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    assert_accepts(
        oauth::validate_zoom_token_request(
            "POST",
            "/oauth/token",
            &form_headers,
            "grant_type=account_credentials&account_id=AbC123",
        ),
        "form body",
    );
    let token = json!({"access_token": "eyJhbGciOiJIUzUxMiJ9.e30.sig", "token_type": "bearer", "expires_in": 3600,
                       "scope": "account:read:admin account:write:admin", "api_url": "https://api.zoom.us"});
    assert_accepts(
        oauth::validate_zoom_token_response(200, Some(&token)),
        "token",
    );
    assert_accepts(
        oauth::validate_zoom_token_response(
            400,
            Some(
                &json!({"reason": "Invalid client_id or client_secret", "error": "invalid_client"}),
            ),
        ),
        "OAuth error",
    );
}

#[test]
fn oauth_rejects_bad_zoom_token_requests_without_leaking_secrets() {
    let headers = [("Authorization", BASIC_CREDENTIALS)];
    let url = "https://zoom.us/oauth/token?grant_type=client_credentials&account_id=AbC123";
    assert_rejects(
        oauth::validate_zoom_token_request("POST", url, &headers, ""),
        &["grant_type: expected account_credentials"],
        "grant type",
    );
    assert_rejects(
        oauth::validate_zoom_token_request(
            "POST",
            "/oauth/token?grant_type=account_credentials",
            &headers,
            "",
        ),
        &["account_id: required parameter is missing"],
        "missing account id",
    );
    assert_rejects(
        oauth::validate_zoom_token_request(
            "POST",
            "/oauth/token?grant_type=account_credentials&account_id=A",
            &[],
            "",
        ),
        &["headers.authorization: Basic"],
        "missing Basic auth",
    );
    let secret_in_body = [
        ("Authorization", BASIC_CREDENTIALS),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    let result = oauth::validate_zoom_token_request(
        "POST",
        "/oauth/token?grant_type=account_credentials&account_id=A",
        &secret_in_body,
        "client_secret=s3cret-value",
    );
    assert_rejects(
        result.clone(),
        &[
            "form.client_secret: Zoom takes the client credentials in the Basic Authorization header only",
        ],
        "secret in body",
    );
    let bad_basic = [("Authorization", "Basic czNjcmV0LXZhbHVl")]; // "s3cret-value", no colon
    let result_basic = oauth::validate_zoom_token_request(
        "POST",
        "/oauth/token?grant_type=account_credentials&account_id=A",
        &bad_basic,
        "",
    );
    assert_rejects(
        result_basic.clone(),
        &["client_id:client_secret"],
        "Basic without colon",
    );
    for errors in [result.unwrap_err(), result_basic.unwrap_err()] {
        for error in errors {
            assert!(
                !error.contains("s3cret-value") && !error.contains("czNjcmV0"),
                "secret leaked: {error}"
            );
        }
    }
    assert_rejects(
        oauth::validate_zoom_token_response(
            200,
            Some(
                &json!({"access_token": "t", "token_type": "bearer", "expires_in": 3600, "scope": "", "refresh_token": "r"}),
            ),
        ),
        &["body.refresh_token: property not part of the token endpoint's reply"],
        "refresh token in a server-to-server reply",
    );
}

#[test]
fn oauth_checks_entra_client_credentials_traffic() {
    let form = [(
        "Content-Type",
        "application/x-www-form-urlencoded; charset=utf-8",
    )];
    let url =
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token";
    let body = "client_id=535fb089-9ff3-47b6-9bfb-4f1264799865&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&client_secret=qWgdYAmab0YSkuL1qKv5bPX&grant_type=client_credentials";
    assert_accepts(
        oauth::validate_entra_token_request("POST", url, &form, body),
        "secret",
    );
    let assertion = "client_id=535fb089-9ff3-47b6-9bfb-4f1264799865&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJhbGciOiJQUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln";
    assert_accepts(
        oauth::validate_entra_token_request(
            "POST",
            "/contoso.onmicrosoft.com/oauth2/v2.0/token",
            &form,
            assertion,
        ),
        "assertion",
    );
    assert_accepts(
        oauth::validate_entra_token_response(
            200,
            Some(
                &json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": "eyJ0eXAi"}),
            ),
        ),
        "token",
    );
    assert_accepts(
        oauth::validate_entra_token_response(
            400,
            Some(
                &json!({"error": "invalid_scope", "error_description": "AADSTS70011: x",
            "error_codes": [70011], "timestamp": "2026-02-07 22:40:00Z", "trace_id": "t", "correlation_id": "c"}),
            ),
        ),
        "error",
    );

    assert_rejects(
        oauth::validate_entra_token_request("POST", "/common/oauth2/v2.0/token", &form, body),
        &["needs a tenant id or domain, not `common`"],
        "common tenant",
    );
    let two_scopes = body.replace(
        "scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
        "scope=User.Read%20Calendars.Read",
    );
    assert_rejects(
        oauth::validate_entra_token_request("POST", url, &form, &two_scopes),
        &["form.scope: the client-credentials flow takes exactly one"],
        "delegated scopes",
    );
    let both = format!(
        "{body}&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c"
    );
    assert_rejects(
        oauth::validate_entra_token_request("POST", url, &form, &both),
        &["more than one client credential"],
        "two credentials",
    );
    let bad_client = body.replace("535fb089-9ff3-47b6-9bfb-4f1264799865", "zoom-app");
    assert_rejects(
        oauth::validate_entra_token_request("POST", url, &form, &bad_client),
        &["form.client_id: expected the application (client) id GUID"],
        "client id",
    );
    let result = oauth::validate_entra_token_request(
        "POST",
        url,
        &[],
        &body.replace("grant_type=client_credentials", "grant_type=password"),
    );
    assert_rejects(result.clone(), &["headers.content-type"], "no content type");
    assert_rejects(
        result.clone(),
        &["form.grant_type: expected client_credentials"],
        "grant type",
    );
    for error in result.unwrap_err() {
        assert!(
            !error.contains("qWgdYAmab0YSkuL1qKv5bPX"),
            "secret leaked: {error}"
        );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Less common addressing: references, bound operations, casts, encoded URLs.

#[test]
fn graph_handles_references_operations_casts_and_encoded_urls() {
    let graph = GraphSpec::load();
    let reference = json!({"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/9028d19c-5a46-4a0a-8c3b-6e4a9b1c2d3e"});
    assert_accepts(
        graph.validate_request(
            "POST",
            "/v1.0/servicePrincipals/sp1/owners/$ref",
            Some(&reference),
        ),
        "add owner",
    );
    assert_accepts(
        graph.validate_response("POST", "/v1.0/servicePrincipals/sp1/owners/$ref", 204, None),
        "add owner 204",
    );
    assert_accepts(
        graph.validate_request("DELETE", "/v1.0/servicePrincipals/sp1/owners/u1/$ref", None),
        "remove owner",
    );
    assert_rejects(
        graph.validate_request(
            "POST",
            "/v1.0/servicePrincipals/sp1/owners/$ref",
            Some(&json!({"id": "u1"})),
        ),
        &["body.@odata.id: required string is missing"],
        "reference body without @odata.id",
    );
    assert_rejects(
        graph.validate_request(
            "POST",
            "/v1.0/servicePrincipals/sp1/appRoleAssignedTo/$ref",
            Some(&reference),
        ),
        &["$ref applies to non-contained navigation properties"],
        "$ref on a contained collection",
    );

    let owners = json!({"value": [
        {"@odata.type": "#microsoft.graph.servicePrincipal", "id": "sp9", "appId": ZOOM_APP_ID, "deletedDateTime": null},
        {"id": "obj1", "deletedDateTime": "2026-01-01T00:00:00Z"}]});
    assert_accepts(
        graph.validate_response(
            "GET",
            "/v1.0/servicePrincipals/sp1/owners",
            200,
            Some(&owners),
        ),
        "derived owners",
    );
    assert_rejects(
        graph.validate_response(
            "GET",
            "/v1.0/servicePrincipals/sp1/owners",
            200,
            Some(&json!({"value": [{"id": "sp9", "appId": ZOOM_APP_ID}]})),
        ),
        &["body.value[0].appId: property not declared on microsoft.graph.directoryObject"],
        "derived property without @odata.type",
    );
    assert_accepts(
        graph.validate_request(
            "GET",
            "/v1.0/servicePrincipals/sp1/owners/microsoft.graph.servicePrincipal",
            None,
        ),
        "cast",
    );
    assert_rejects(
        graph.validate_request(
            "GET",
            "/v1.0/servicePrincipals/sp1/appRoleAssignedTo/microsoft.graph.domain",
            None,
        ),
        &["cannot cast microsoft.graph.appRoleAssignment to microsoft.graph.domain"],
        "unrelated cast",
    );

    let password =
        json!({"passwordCredential": {"displayName": "ci", "endDateTime": "2027-01-01T00:00:00Z"}});
    assert_accepts(
        graph.validate_request(
            "POST",
            "/v1.0/servicePrincipals/sp1/addPassword",
            Some(&password),
        ),
        "addPassword",
    );
    assert_accepts(
        graph.validate_response("POST", "/v1.0/servicePrincipals/sp1/addPassword", 200,
            Some(&json!({"displayName": "ci", "hint": "abc", "keyId": "6601d14b-d113-8f64-fda2-9b5ddda18ecc", "secretText": "generated"}))),
        "addPassword result",
    );
    assert_rejects(
        graph.validate_request(
            "POST",
            "/v1.0/servicePrincipals/sp1/addPassword",
            Some(&json!({"credential": {}})),
        ),
        &["body.credential: not a parameter of addPassword"],
        "unknown action parameter",
    );
    assert_rejects(
        graph.validate_request("GET", "/v1.0/domains/contoso.com/verify", None),
        &["405", "allowed: [POST]"],
        "GET an action",
    );
    assert_accepts(
        graph.validate_request("POST", "/v1.0/domains/contoso.com/promote", None),
        "promote",
    );
    assert_accepts(
        graph.validate_response(
            "POST",
            "/v1.0/domains/contoso.com/promote",
            200,
            Some(&json!({"value": true})),
        ),
        "promote result",
    );
    assert_accepts(
        graph.validate_request("GET", "/v1.0/servicePrincipals/delta()", None),
        "delta function",
    );
    assert_accepts(
        graph.validate_response("GET", "/v1.0/servicePrincipals/delta()", 200,
            Some(&json!({"value": [], "@odata.deltaLink": "https://graph.microsoft.com/v1.0/servicePrincipals/delta()?$deltatoken=x"}))),
        "delta result",
    );
    assert_accepts(
        graph.validate_request("GET", "/v1.0/servicePrincipals/$count", None),
        "$count",
    );
    assert_accepts(
        graph.validate_response(
            "GET",
            "/v1.0/servicePrincipals/$count",
            200,
            Some(&json!(42)),
        ),
        "$count result",
    );
    assert_accepts(
        graph.validate_response("GET", "/v1.0/servicePrincipals/sp1/appRoles", 200,
            Some(&json!({"@odata.context": "x", "value": [{"allowedMemberTypes": ["User"], "id": "6601d14b-d113-8f64-fda2-9b5ddda18ecc", "isEnabled": true}]}))),
        "structural property",
    );

    assert_accepts(
        graph.validate_request("POST", "/v1.0/servicePrincipals",
            Some(&json!({"appId": ZOOM_APP_ID, "owners@odata.bind": ["https://graph.microsoft.com/v1.0/directoryObjects/u1"]}))),
        "@odata.bind",
    );
    assert_rejects(
        graph.validate_request(
            "POST",
            "/v1.0/servicePrincipals",
            Some(&json!({"appId": ZOOM_APP_ID, "owners@odata.bind": "u1"})),
        ),
        &["body.owners@odata.bind: expected an array of URL strings"],
        "single bind for a collection",
    );
    assert_rejects(
        graph.validate_request(
            "POST",
            "/v1.0/servicePrincipals",
            Some(&json!({"appId": ZOOM_APP_ID, "owner@odata.bind": ["u1"]})),
        ),
        &[
            "`owner` is not a navigation property",
            "did you mean `owners`",
        ],
        "bind to an unknown navigation property",
    );
    assert_accepts(
        graph.validate_request("PATCH", "/v1.0/applications/a1",
            Some(&json!({"requestSignatureVerification": {"allowedWeakAlgorithms": "rsaSha1,unknownFutureValue", "isSignedRequestRequired": true}}))),
        "flags enum",
    );
    assert_rejects(
        graph.validate_request(
            "PATCH",
            "/v1.0/domains/contoso.com/federationConfiguration/f1",
            Some(&json!({"preferredAuthenticationProtocol": "wsFed,saml"})),
        ),
        &["\"wsFed,saml\" is not a member of microsoft.graph.authenticationProtocol"],
        "combined members of a non-flags enum",
    );

    assert_accepts(
        graph.validate_request("GET", "/v1.0/servicePrincipals(appId=%27x%27)", None),
        "percent-encoded key",
    );
    assert_rejects(
        graph.validate_request(
            "GET",
            "/v1.0/servicePrincipals(appId=%27x%27)?$select=appId,nam",
            None,
        ),
        &["query.$select: `nam` is not a property"],
        "query options after a percent-encoded key",
    );
    assert_accepts(
        graph.validate_request("GET", "/v1.0/servicePrincipals?%24filter=servicePrincipalNames%2Fany(n%3An%20eq%20%27api%3A%2F%2Fzoom%27)", None),
        "percent-encoded lambda filter",
    );
    assert_accepts(
        graph.validate_request("GET", "/v1.0/servicePrincipals?$filter=servicePrincipalNames/any(n:n eq 'api://zoom')&$count=true", None),
        "lambda filter with a URL literal",
    );
}

#[test]
fn zoom_decodes_path_parameters_and_coerces_their_types() {
    let zoom = ZoomSpec::load();
    let matched = assert_accepts(
        zoom.validate_request("GET", "/v2/groups/a%20b/members", "page_size=10", None),
        "encoded group id",
    );
    assert_eq!(
        matched.path_params.get("groupId").map(String::as_str),
        Some("a b")
    );
    assert_eq!(
        matched.query.get("page_size").map(String::as_str),
        Some("10")
    );
    // `meetingId` is `oneOf: [integer, string]`; both spellings are fine.
    for meeting in ["85746065432", "uuid%2Fwith%2Fslashes"] {
        assert_accepts(
            zoom.validate_request(
                "GET",
                &format!("/v2/metrics/meetings/{meeting}/participants/satisfaction"),
                "type=past",
                None,
            ),
            meeting,
        );
    }
    assert_rejects(
        zoom.validate_request("GET", "/v2/users/u1", "login_type=2", None),
        &["query.login_type: 2 is not one of the allowed values"],
        "integer query enum",
    );
    assert_accepts(
        zoom.validate_request(
            "GET",
            "/v2/users/u1",
            "login_type=101&encrypted_email=false",
            None,
        ),
        "integer and boolean query",
    );
    assert_rejects(
        zoom.validate_request("GET", "/v2/users/u1", "encrypted_email=yes", None),
        &["query.encrypted_email: expected boolean"],
        "boolean query",
    );
}

// ---------------------------------------------------------------------------------------------------------
// The schema engine on keywords Zoom's files do not use ($ref, nullable, anyOf, additionalProperties, ...).

#[test]
fn schema_engine_handles_refs_nullable_combinators_and_additional_properties() {
    use conformance::json_schema::SchemaValidator;
    let document = json!({"components": {"schemas": {
        "Name": {"type": "string", "minLength": 2, "maxLength": 5},
        "Alias": {"$ref": "#/components/schemas/Name"},
        "Loop": {"$ref": "#/components/schemas/Loop"},
        "Person": {"type": "object", "required": ["name"], "properties": {
            "name": {"$ref": "#/components/schemas/Alias"},
            "nickname": {"type": "string", "nullable": true},
            "age": {"type": "integer", "minimum": 0, "exclusiveMinimum": true, "format": "int32"},
            "score": {"type": "number", "multipleOf": 0.5, "maximum": 10, "exclusiveMaximum": true},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": true},
            "born": {"type": "string", "format": "date"},
            "email": {"type": "string", "format": "email"},
            "site": {"type": "string", "format": "uri"},
            "code": {"type": "string", "pattern": "^[A-Z]+$"}}},
        "Open": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": true},
        "Closed": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false},
        "Typed": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "integer"}},
        "Free": {"type": "object"},
        "Either": {"anyOf": [{"type": "integer"}, {"type": "string", "enum": ["auto"]}]},
        "Merged": {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}},
                             {"type": "object", "properties": {"b": {"type": "boolean"}}, "required": ["b"]}]},
        "Overlapping": {"oneOf": [{"type": "object", "properties": {"a": {"type": "string"}}},
                                  {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}]}}}});
    let validator = SchemaValidator::new(&document);
    let schema = |name: &str| {
        document
            .pointer(&format!("/components/schemas/{name}"))
            .expect("schema")
    };
    let check = |name: &str, value: Value| validator.validate(schema(name), &value, "body");
    let rejects = |name: &str, value: Value, needle: &str| {
        let errors = check(name, value.clone());
        assert!(
            errors.iter().any(|error| error.contains(needle)),
            "{name} {value}: expected `{needle}` in {errors:#?}"
        );
    };

    assert!(
        check(
            "Person",
            json!({"name": "Ann", "nickname": null, "age": 3, "score": 9.5, "tags": ["a", "b"],
        "born": "2020-02-29", "email": "ann@example.com", "site": "https://example.com"})
        )
        .is_empty()
    );
    rejects(
        "Person",
        json!({"name": "A"}),
        "body.name: expected at least 2 characters",
    );
    rejects(
        "Person",
        json!({"name": "Annabel"}),
        "body.name: expected at most 5 characters",
    );
    rejects(
        "Person",
        json!({}),
        "body.name: required property is missing",
    );
    rejects(
        "Person",
        json!({"name": "Ann", "age": null}),
        "body.age: null is not allowed",
    );
    rejects(
        "Person",
        json!({"name": "Ann", "age": 0}),
        "body.age: expected a number greater than 0",
    );
    rejects(
        "Person",
        json!({"name": "Ann", "age": 3_000_000_000u64}),
        "does not fit format int32",
    );
    rejects(
        "Person",
        json!({"name": "Ann", "score": 10}),
        "body.score: expected a number less than 10",
    );
    rejects(
        "Person",
        json!({"name": "Ann", "score": 0.3}),
        "body.score: expected a multiple of 0.5",
    );
    rejects(
        "Person",
        json!({"name": "Ann", "tags": []}),
        "body.tags: expected at least 1 items",
    );
    rejects(
        "Person",
        json!({"name": "Ann", "tags": ["a", "a"]}),
        "body.tags[1]: duplicate item",
    );
    rejects(
        "Person",
        json!({"name": "Ann", "born": "2021-02-29"}),
        "body.born: expected format date",
    );
    rejects(
        "Person",
        json!({"name": "Ann", "email": "ann.example.com"}),
        "body.email: expected format email",
    );
    rejects(
        "Person",
        json!({"name": "Ann", "site": "example"}),
        "body.site: expected format uri",
    );
    rejects(
        "Person",
        json!({"name": "Ann", "code": "ABC"}),
        "is a regular expression, which this validator does not check",
    );
    rejects(
        "Person",
        json!({"name": "Ann", "nick": "x"}),
        "body.nick: property not declared in schema (did you mean `nickname`?)",
    );
    rejects("Loop", json!(1), "longer than 32 links");
    assert!(check("Open", json!({"a": "x", "anything": [1]})).is_empty());
    rejects(
        "Closed",
        json!({"a": "x", "b": 1}),
        "body.b: property not declared in schema (additionalProperties is false)",
    );
    assert!(check("Typed", json!({"a": "x", "b": 1})).is_empty());
    rejects("Typed", json!({"b": "one"}), "body.b: expected integer");
    assert!(check("Free", json!({"whatever": true})).is_empty());
    assert!(check("Either", json!(5)).is_empty());
    assert!(check("Either", json!("auto")).is_empty());
    rejects(
        "Either",
        json!("manual"),
        "matches none of the 2 schema alternatives",
    );
    assert!(check("Merged", json!({"a": "x", "b": true})).is_empty());
    rejects(
        "Merged",
        json!({"a": "x"}),
        "body.b: required property is missing",
    );
    rejects(
        "Merged",
        json!({"a": "x", "b": true, "c": 1}),
        "body.c: property not declared",
    );
    assert!(
        check("Overlapping", json!({"a": "x"})).is_empty(),
        "a value matching two oneOf branches is accepted"
    );
    let dangling = json!({"$ref": "#/components/schemas/Missing"});
    assert!(
        validator
            .validate(&dangling, &json!(1), "body")
            .iter()
            .any(|error| error.contains("unresolvable $ref"))
    );
}
