//! The emulated Zoom groups, members, group settings, roles and Zoom Rooms calendar services,
//! driven over loopback with plain HTTP.

use serde_json::{Value, json};
use zentra_sim::{Seed, ZoomAccountSeed};
use zentra_test_support::sim::{Sim, read};

const SALES: &str = "gR7kT2mWq9XbN4vLc1sPzA";
const O365: &str = "cS4nQ8wE2rT6yU0iO3pA7d";

struct Api<'a> {
    sim: &'a Sim,
    token: String,
}

impl Api<'_> {
    async fn new(sim: &Sim) -> Api<'_> {
        let token = sim.zoom_token().await;
        Api { sim, token }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .sim
            .http
            .request(method, self.sim.zoom(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.expect("send")).await
    }
}

#[tokio::test]
async fn groups_are_created_listed_renamed_and_deleted() {
    let sim = Sim::start().await;
    let api = Api::new(&sim).await;
    let (status, created) = api
        .call("POST", "/groups", Some(json!({"name": "SSO pilot"})))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["name"], "SSO pilot");
    assert_eq!(created["total_members"], 0);
    let id = created["id"].as_str().expect("id").to_string();

    let (status, dup) = api
        .call("POST", "/groups", Some(json!({"name": "sso PILOT"})))
        .await;
    assert_eq!((status, dup["code"].clone()), (409, json!(4132)), "{dup}");
    assert!(dup["message"].as_str().unwrap().contains("sso PILOT"));

    let (status, body) = api
        .call(
            "POST",
            "/groups",
            Some(json!({"name": "x", "colour": "red"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], 300);
    assert_eq!(body["errors"][0]["field"], "colour");

    // Paged listing.
    let (status, page) = api.call("GET", "/groups?page_size=1", None).await;
    assert_eq!(status, 200);
    assert_eq!(page["total_records"], 2);
    assert_eq!(page["groups"].as_array().unwrap().len(), 1);
    let token = page["next_page_token"].as_str().unwrap().to_string();
    assert!(!token.is_empty());
    let (_, next) = api
        .call(
            "GET",
            &format!("/groups?page_size=1&next_page_token={token}"),
            None,
        )
        .await;
    assert_eq!(next["groups"][0]["id"], json!(id));
    assert_eq!(next["next_page_token"], "");
    let (status, _) = api.call("GET", "/groups?page_size=301", None).await;
    assert_eq!(status, 400);

    let (status, _) = api
        .call(
            "PATCH",
            &format!("/groups/{id}"),
            Some(json!({"name": "Sales"})),
        )
        .await;
    assert_eq!(status, 409, "renaming onto another group's name");
    let (status, _) = api
        .call(
            "PATCH",
            &format!("/groups/{id}"),
            Some(json!({"name": "SSO rollout"})),
        )
        .await;
    assert_eq!(status, 204);
    let (_, got) = api.call("GET", &format!("/groups/{id}"), None).await;
    assert_eq!(got["name"], "SSO rollout");

    let (status, _) = api.call("DELETE", &format!("/groups/{id}"), None).await;
    assert_eq!(status, 204);
    let (status, gone) = api.call("GET", &format!("/groups/{id}"), None).await;
    assert_eq!((status, gone["code"].clone()), (404, json!(4130)));
}

#[tokio::test]
async fn members_are_added_at_most_thirty_at_a_time_and_listed_by_page() {
    let mut seed = Seed::default_demo();
    let account: &mut ZoomAccountSeed = &mut seed.zoom.accounts[0];
    for i in 0..40 {
        account.users.push(zentra_sim::ZoomUserSeed {
            id: format!("user{i:02}"),
            email: format!("user{i:02}@contoso.com"),
            first_name: "U".into(),
            last_name: format!("{i}"),
            user_type: 1,
            role_name: "Member".into(),
            status: "active".into(),
        });
    }
    let sim = Sim::start_seeded(seed).await;
    let api = Api::new(&sim).await;
    let path = format!("/groups/{SALES}/members");
    let batch = |range: std::ops::Range<usize>| -> Value {
        json!({"members": range.map(|i| json!({"email": format!("USER{i:02}@contoso.com")})).collect::<Vec<_>>()})
    };
    let (status, body) = api.call("POST", &path, Some(batch(0..31))).await;
    assert_eq!(status, 400, "31 members in one call");
    assert_eq!(body["code"], 300);
    assert_eq!(body["message"], "Validation Failed.");
    let (status, body) = api.call("POST", &path, Some(batch(0..30))).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["ids"].as_str().unwrap().split(',').count(), 30);
    let (status, _) = api.call("POST", &path, Some(batch(30..40))).await;
    assert_eq!(status, 201);
    let (status, body) = api
        .call(
            "POST",
            &path,
            Some(json!({"members": [{"email": "nobody@contoso.com"}]})),
        )
        .await;
    assert_eq!((status, body["code"].clone()), (404, json!(1001)));

    // 2 seeded + 40 added, read in pages of 20.
    let mut seen = Vec::new();
    let mut next = String::new();
    loop {
        let (status, page) = api
            .call(
                "GET",
                &format!("{path}?page_size=20&next_page_token={next}"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(page["total_records"], 42);
        for m in page["members"].as_array().unwrap() {
            seen.push(m["email"].as_str().unwrap().to_string());
        }
        next = page["next_page_token"].as_str().unwrap().to_string();
        if next.is_empty() {
            break;
        }
    }
    assert_eq!(seen.len(), 42);
    let (status, _) = api
        .call("DELETE", &format!("{path}/user05@contoso.com"), None)
        .await;
    assert_eq!(status, 204);
    let (status, body) = api.call("DELETE", &format!("{path}/user05"), None).await;
    assert_eq!((status, body["code"].clone()), (404, json!(4131)));
    let (_, group) = api.call("GET", &format!("/groups/{SALES}"), None).await;
    assert_eq!(group["total_members"], 41);
}

#[tokio::test]
async fn group_settings_inherit_the_account_and_validate_like_it() {
    let sim = Sim::start().await;
    let api = Api::new(&sim).await;
    let (status, created) = api
        .call("POST", "/groups", Some(json!({"name": "Pilot"})))
        .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap().to_string();
    let (status, settings) = api
        .call("GET", &format!("/groups/{id}/settings"), None)
        .await;
    assert_eq!(status, 200);
    // The demo account allows chat and requires passcodes; a new group inherits that.
    assert_eq!(settings["in_meeting"]["chat"], true);
    assert!(
        settings.get("security").is_none(),
        "groups have no security section"
    );
    let (status, body) = api
        .call(
            "PATCH",
            &format!("/groups/{id}/settings"),
            Some(json!({"in_meeting": {"chat": false, "chatt": true}})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "in_meeting.chatt");
    let (status, _) = api
        .call(
            "PATCH",
            &format!("/groups/{id}/settings"),
            Some(json!({"in_meeting": {"chat": false}})),
        )
        .await;
    assert_eq!(status, 204);
    let (_, settings) = api
        .call("GET", &format!("/groups/{id}/settings"), None)
        .await;
    assert_eq!(settings["in_meeting"]["chat"], false);

    // meeting_security goes through the option, in settings and lock settings alike.
    for endpoint in ["settings", "lock_settings"] {
        let url = format!("/groups/{id}/{endpoint}?option=meeting_security");
        let (status, body) = api
            .call(
                "PATCH",
                &url,
                Some(json!({"meeting_security": {"waiting_room": true}})),
            )
            .await;
        assert_eq!(status, 204, "{endpoint}: {body}");
        let (_, got) = api.call("GET", &url, None).await;
        assert_eq!(got["meeting_security"]["waiting_room"], true, "{endpoint}");
    }
    let (status, _) = api
        .call(
            "GET",
            &format!("/groups/{id}/settings?option=security"),
            None,
        )
        .await;
    assert_eq!(status, 400, "groups have no security option");
    let (status, locks) = api
        .call("GET", &format!("/groups/{id}/lock_settings"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        locks["recording"]["cloud_recording"], true,
        "inherited lock"
    );
    let (status, body) = api.call("GET", "/groups/nope/lock_settings", None).await;
    assert_eq!((status, body["code"].clone()), (404, json!(4130)));
}

#[tokio::test]
async fn roles_hold_privileges_and_move_users_between_them() {
    let sim = Sim::start().await;
    let api = Api::new(&sim).await;
    let (status, roles) = api.call("GET", "/roles", None).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = roles["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Owner", "Admin", "Member"]);

    let (status, role) = api
        .call(
            "POST",
            "/roles",
            Some(
                json!({"name": "Calendar admins", "description": "Room calendars",
                        "privileges": ["ZoomRooms:Read", "CalendarIntegration:Edit"]}),
            ),
        )
        .await;
    assert_eq!((status, role), (200, json!({})), "the spec's empty answer");
    let (_, roles) = api.call("GET", "/roles", None).await;
    let id = roles["roles"][3]["id"].as_str().unwrap().to_string();
    assert_eq!(roles["roles"][3]["name"], "Calendar admins");
    let (status, dup) = api
        .call("POST", "/roles", Some(json!({"name": "calendar ADMINS"})))
        .await;
    assert_eq!((status, dup["code"].clone()), (400, json!(1224)));
    let (status, bad) = api
        .call(
            "POST",
            "/roles",
            Some(json!({"name": "Bad", "privileges": ["everything"]})),
        )
        .await;
    assert_eq!((status, bad["code"].clone()), (400, json!(300)));

    let (status, _) = api
        .call(
            "POST",
            &format!("/roles/{id}/members"),
            Some(json!({"members": [{"email": "adele.vance@contoso.com"}, {"id": "KDcuGIm1QgePTO8WbOqwIQ"}]})),
        )
        .await;
    assert_eq!(status, 201);
    let (_, members) = api.call("GET", &format!("/roles/{id}/members"), None).await;
    assert_eq!(members["total_records"], 2);
    let (_, admin_members) = api.call("GET", "/roles/1/members", None).await;
    assert_eq!(
        admin_members["total_records"], 0,
        "the break-glass admin moved to the new role"
    );
    let (status, body) = api
        .call(
            "POST",
            "/roles/1/members",
            Some(json!({"members": [{"email": "megan.bowen@contoso.com"}]})),
        )
        .await;
    assert_eq!(status, 400, "the owner keeps the Owner role: {body}");

    let (status, _) = api
        .call(
            "PATCH",
            &format!("/roles/{id}"),
            Some(json!({"privileges": ["ZoomRooms:Edit"], "name": "Room admins"})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, got) = api.call("GET", &format!("/roles/{id}"), None).await;
    assert_eq!(got["name"], "Room admins");
    assert_eq!(got["privileges"], json!(["ZoomRooms:Edit"]));
    assert_eq!(got["total_members"], 2, "members follow the rename");

    let (status, _) = api
        .call(
            "DELETE",
            &format!("/roles/{id}/members/adele.vance@contoso.com"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (_, user) = api
        .call("GET", "/users/adele.vance@contoso.com", None)
        .await;
    assert_eq!(user["role_name"], "Member");
    let (status, _) = api.call("DELETE", "/roles/2", None).await;
    assert_eq!(status, 400, "built-in roles stay");
    let (status, _) = api.call("DELETE", &format!("/roles/{id}"), None).await;
    assert_eq!(status, 204);
    let (status, body) = api.call("GET", &format!("/roles/{id}"), None).await;
    assert_eq!((status, body["code"].clone()), (400, json!(1034)));
}

#[tokio::test]
async fn calendar_resources_are_added_synced_and_removed() {
    let sim = Sim::start().await;
    let api = Api::new(&sim).await;
    let (status, services) = api.call("GET", "/rooms/calendar/services", None).await;
    assert_eq!(status, 200);
    // Zoom lists a service by the email of the account it was added with.
    assert_eq!(
        services["calendar_services"][0]["calendar_service_name"],
        "rooms.admin@contoso.com"
    );
    let resources = format!("/rooms/calendar/services/{O365}/resources");
    let (status, added) = api
        .call(
            "POST",
            &resources,
            Some(json!({"calendar_resource_email": "huddle.one@contoso.com"})),
        )
        .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["calendar_resource_name"], "Huddle One");
    let rid = added["calendar_resource_id"].as_str().unwrap().to_string();
    let (status, _) = api
        .call(
            "POST",
            &resources,
            Some(json!({"calendar_resource_email": "HUDDLE.ONE@contoso.com"})),
        )
        .await;
    assert_eq!(status, 400, "the service has that mailbox already");
    let (status, _) = api
        .call("POST", &resources, Some(json!({"email": "x@contoso.com"})))
        .await;
    assert_eq!(status, 400, "the body names calendar_resource_email");

    let (status, listed) = api
        .call("GET", &format!("{resources}?page_size=1"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed["calendar_resources"].as_array().unwrap().len(), 1);
    assert!(!listed["next_page_token"].as_str().unwrap().is_empty());

    let (status, _) = api
        .call(
            "PUT",
            &format!("/rooms/calendar/services/{O365}/sync"),
            None,
        )
        .await;
    assert_eq!(status, 202);
    let (status, got) = api.call("GET", &format!("{resources}/{rid}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(got["sync_status"], "Success");
    let (status, _) = api
        .call("DELETE", &format!("{resources}/{rid}"), None)
        .await;
    assert_eq!(status, 204);
    let (status, body) = api.call("GET", &format!("{resources}/{rid}"), None).await;
    assert_eq!((status, body["code"].clone()), (404, json!(4060)));

    // The seeded board room is assigned to a Zoom Room, which keeps its service in place.
    let (status, body) = api
        .call("DELETE", &format!("/rooms/calendar/services/{O365}"), None)
        .await;
    assert_eq!((status, body["code"].clone()), (400, json!(4005)));
    let (status, body) = api
        .call("PUT", "/rooms/calendar/services/nope/sync", None)
        .await;
    assert_eq!((status, body["code"].clone()), (404, json!(4061)));
}

#[tokio::test]
async fn calendar_services_need_a_zoom_rooms_subscription() {
    let mut seed = Seed::default_demo();
    seed.zoom.accounts[0].zoom_rooms_subscription = false;
    let sim = Sim::start_seeded(seed).await;
    let api = Api::new(&sim).await;
    let (status, body) = api.call("GET", "/rooms/calendar/services", None).await;
    assert_eq!((status, body["code"].clone()), (400, json!(200)));
}

#[tokio::test]
async fn a_master_account_reaches_its_sub_accounts_settings_only() {
    let mut seed = Seed::default_demo();
    let master = seed.zoom.accounts[0].id.clone();
    let mut sub = seed.zoom.accounts[0].clone();
    sub.id = "subAcct0000000000000001".into();
    sub.apps.clear();
    sub.master_account = Some(master.clone());
    let mut other = sub.clone();
    other.id = "otherAcct000000000000001".into();
    other.master_account = None;
    seed.zoom.accounts.push(sub);
    seed.zoom.accounts.push(other);
    let sim = Sim::start_seeded(seed).await;
    let api = Api::new(&sim).await;
    let (status, _) = api
        .call(
            "PATCH",
            "/accounts/subAcct0000000000000001/settings",
            Some(json!({"in_meeting": {"chat": false}})),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        sim.server.zoom_account_settings("subAcct0000000000000001")["in_meeting"]["chat"],
        false
    );
    assert_eq!(
        sim.server.zoom_account_settings("me")["in_meeting"]["chat"],
        true
    );
    let (status, body) = api
        .call("GET", "/accounts/otherAcct000000000000001/settings", None)
        .await;
    assert_eq!((status, body["code"].clone()), (404, json!(2001)));
}

#[tokio::test]
async fn admin_drift_targets_change_groups_roles_and_calendar_services() {
    let sim = Sim::start().await;
    let made = sim
        .server
        .patch_state(
            "POST",
            "zoom/accounts/me/groups",
            json!({"name": "Drifted", "id": "g-drift"}),
        )
        .expect("create group");
    assert_eq!(made["id"], "g-drift");
    sim.server
        .patch_state(
            "PATCH",
            "zoom/accounts/me/groups/g-drift/settings",
            json!({"in_meeting": {"chat": false}}),
        )
        .expect("drift settings");
    sim.server
        .patch_state(
            "POST",
            "zoom/accounts/me/groups/g-drift/members",
            json!({"user": "lee.gu@contoso.com"}),
        )
        .expect("add member");
    sim.server
        .patch_state(
            "POST",
            "zoom/accounts/me/calendar_services",
            json!({"email": "exchange.admin@contoso.com", "type": "exchange", "id": "svc-ex"}),
        )
        .expect("add service");
    sim.server
        .patch_state(
            "PATCH",
            "zoom/accounts/me/users/adele.vance@contoso.com",
            json!({"role_name": "Admin"}),
        )
        .expect("move user");
    let api = Api::new(&sim).await;
    let (_, settings) = api.call("GET", "/groups/g-drift/settings", None).await;
    assert_eq!(settings["in_meeting"]["chat"], false);
    let (_, members) = api.call("GET", "/groups/g-drift/members", None).await;
    assert_eq!(members["members"][0]["email"], "lee.gu@contoso.com");
    let (_, services) = api.call("GET", "/rooms/calendar/services", None).await;
    assert_eq!(services["calendar_services"].as_array().unwrap().len(), 2);
    let (_, admins) = api.call("GET", "/roles/1/members", None).await;
    assert_eq!(admins["total_records"], 2);
    assert!(
        sim.server
            .patch_state("DELETE", "zoom/accounts/me/groups/nope", json!({}))
            .is_err()
    );
    let snapshot = sim.server.snapshot();
    assert_eq!(
        snapshot["zoom"]["accounts"][0]["groups"][1]["name"],
        "Drifted"
    );
}
