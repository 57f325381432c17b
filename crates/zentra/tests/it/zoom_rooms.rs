//! End to end against the emulator: `zoom_rooms_calendar_resource` and the
//! `zoom_rooms_calendar_services` data source — create with a sync, adopt, drift, delete, and a
//! missing calendar service.

use serde_json::json;
use zentra_test_support::{Project, code, stderr};

const SERVICE: &str = "cS4nQ8wE2rT6yU0iO3pA7d";

const ROOMS: &str = r#"
provider "zoom" {}

data "zoom_rooms_calendar_services" "o365" {
  email = "rooms.admin@contoso.com"
}

resource "zoom_rooms_calendar_resource" "board" {
  service_id = data.zoom_rooms_calendar_services.o365.ids[0]
  email      = "Board.Room@contoso.com"
}

resource "zoom_rooms_calendar_resource" "huddle" {
  service_id = data.zoom_rooms_calendar_services.o365.ids[0]
  email      = "huddle.one@contoso.com"
}

output "services" {
  value = data.zoom_rooms_calendar_services.o365.emails
}
"#;

fn resources(p: &Project) -> Vec<String> {
    let mut emails: Vec<String> = p.account()["calendar_services"][0]["calendar_resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["calendar_resource_email"].as_str().unwrap().to_string())
        .collect();
    emails.sort();
    emails
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_resources_are_adopted_added_synced_and_removed() {
    let p = Project::new(ROOMS).await;
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(
        text.contains("will be adopted (id cR1aZ5xC9vB3nM7qW2eR6t), no write"),
        "the board room is adopted: {text}"
    );
    assert!(
        text.contains("+ resource \"zoom_rooms_calendar_resource\" \"huddle\""),
        "{text}"
    );
    assert!(
        text.contains("Plan: 1 to adopt, 1 to add, 0 to change"),
        "{text}"
    );
    let out = p.apply_ok();
    assert!(
        out.contains("services = [\"rooms.admin@contoso.com\"]"),
        "{out}"
    );
    assert_eq!(
        p.zoom_writes(),
        [
            format!("POST /rooms/calendar/services/{SERVICE}/resources"),
            format!("PUT /rooms/calendar/services/{SERVICE}/sync"),
        ],
        "one resource added, then the service synced"
    );
    assert_eq!(
        resources(&p),
        ["board.room@contoso.com", "huddle.one@contoso.com"]
    );
    p.assert_converged();

    // One listing of services and one of the service's resources serve the whole plan.
    p.sim.clear_requests();
    p.assert_converged();
    assert_eq!(
        p.zoom_requests(),
        [
            "GET /rooms/calendar/services".to_string(),
            format!("GET /rooms/calendar/services/{SERVICE}/resources?page_size=300"),
        ]
    );

    // Removed in the portal: planned again.
    let huddle =
        p.account()["calendar_services"][0]["calendar_resources"][1]["calendar_resource_id"]
            .as_str()
            .unwrap()
            .to_string();
    p.sim
        .patch_state(
            "DELETE",
            &format!("zoom/accounts/me/calendar_services/{SERVICE}/resources/{huddle}"),
            json!({}),
        )
        .unwrap();
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(text.contains("no longer exists"), "{text}");
    p.apply_ok();
    p.assert_converged();

    // Removing a resource from the configuration deletes it and syncs.
    p.write_config(&ROOMS.replace(
        "resource \"zoom_rooms_calendar_resource\" \"huddle\" {\n  service_id = data.zoom_rooms_calendar_services.o365.ids[0]\n  email      = \"huddle.one@contoso.com\"\n}\n",
        "",
    ));
    p.sim.clear_requests();
    p.apply_ok();
    let writes = p.zoom_writes();
    assert_eq!(writes.len(), 2, "{writes:#?}");
    assert!(writes[0].starts_with(&format!(
        "DELETE /rooms/calendar/services/{SERVICE}/resources/"
    )));
    assert_eq!(
        writes[1],
        format!("PUT /rooms/calendar/services/{SERVICE}/sync")
    );
    assert_eq!(resources(&p), ["board.room@contoso.com"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_calendar_service_the_plan_says_so() {
    let p =
        Project::new(&ROOMS.replace("rooms.admin@contoso.com", "someone.else@contoso.com")).await;
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("main.zen.hcl:9:16"), "{err}");
    assert!(
        err.contains("index 0 is out of range for a list of 0 elements"),
        "{err}"
    );
    assert!(err.contains("no API can add one"), "{err}");
    assert!(p.zoom_writes().is_empty());
}

/// Zoom names a calendar service by the email of the account it was added with: a lookup by
/// the kind of calendar finds nothing, and the empty `service_id` it gives is refused when
/// planning, at the attribute, before any write. By email or by id, the service is found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_are_found_by_account_email_or_id_and_an_empty_service_id_is_refused() {
    let by_id = r#"
provider "zoom" {}

data "zoom_rooms_calendar_services" "o365" {
  NEEDLE
}

resource "zoom_rooms_calendar_resource" "huddle" {
  service_id = data.zoom_rooms_calendar_services.o365.id
  email      = "huddle.one@contoso.com"
}
"#;
    let p = Project::new(&by_id.replace("NEEDLE", "email = \"Office 365\"")).await;
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1, "{}", zentra_test_support::stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("zoom_rooms_calendar_resource.huddle: `service_id`: is empty"),
        "{err}"
    );
    assert!(err.contains("main.zen.hcl:9:3"), "{err}");
    assert!(
        err.contains("look it up by the email of the account it is added with"),
        "{err}"
    );
    assert!(p.zoom_writes().is_empty());

    for needle in [
        format!("service_id = \"{SERVICE}\""),
        "email = \"ROOMS.ADMIN@contoso.com\"".to_string(),
    ] {
        p.write_config(&by_id.replace("NEEDLE", &needle));
        let (exit, text) = p.plan_ok();
        assert_eq!(exit, 2, "{needle}: {text}");
        assert!(
            text.contains(&format!(
                "+ service_id = \"{SERVICE}\"  # rooms.admin@contoso.com"
            )),
            "{needle}: {text}"
        );
    }
}
