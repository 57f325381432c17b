//! End to end against the emulator: `zoom_group`, `zoom_group_members`, `zoom_group_settings`,
//! `zoom_group_lock_settings` and the `zoom_group` data source — create, converge, adopt,
//! rename, drift and delete.

use serde_json::json;
use zentra_test_support::zoom::seed_with_users;
use zentra_test_support::{Project, code, stderr, stdout};

const PILOT: &str = r#"
provider "zoom" {}

resource "zoom_group" "pilot" {
  name = "SSO pilot"
}

resource "zoom_group_members" "pilot" {
  group_id = zoom_group.pilot.id
  emails   = MEMBERS
}

resource "zoom_group_settings" "pilot" {
  group_id = zoom_group.pilot.id
  in_meeting {
    chat = false
  }
  meeting_security {
    waiting_room = true
  }
}

resource "zoom_group_lock_settings" "pilot" {
  group_id = zoom_group.pilot.id
  in_meeting {
    chat = true
  }
  meeting_security {
    waiting_room = true
  }
}
"#;

fn pilot(members: &[String]) -> String {
    PILOT.replace("MEMBERS", &format!("{members:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_group_with_35_members_settings_and_locks_converges() {
    let members: Vec<String> = (0..35).map(|i| format!("User{i:02}@contoso.com")).collect();
    let p = Project::seeded(&pilot(&members), seed_with_users(40)).await;
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(
        text.contains("Plan: 4 to add, 0 to change, 0 to destroy."),
        "{text}"
    );
    assert!(text.contains("group_id = (known after apply)"), "{text}");

    p.apply_ok();
    let group = p.group("SSO pilot").expect("the group exists");
    assert_eq!(p.member_emails("SSO pilot").len(), 35);
    assert_eq!(group["settings"]["in_meeting"]["chat"], false);
    assert_eq!(group["settings"]["meeting_security"]["waiting_room"], true);
    assert_eq!(group["lock_settings"]["in_meeting"]["chat"], true);
    assert_eq!(
        group["lock_settings"]["meeting_security"]["waiting_room"],
        true
    );
    let id = group["id"].as_str().unwrap();
    let writes = p.zoom_writes();
    let adds: Vec<&String> = writes
        .iter()
        .filter(|w| *w == &format!("POST /groups/{id}/members"))
        .collect();
    assert_eq!(adds.len(), 2, "35 members in batches of 30: {writes:#?}");
    assert!(writes.contains(&format!(
        "PATCH /groups/{id}/settings?option=meeting_security"
    )));
    assert!(writes.contains(&format!(
        "PATCH /groups/{id}/lock_settings?option=meeting_security"
    )));
    p.assert_converged();

    // One plan reads each group endpoint once: settings, their meeting_security shape, locks,
    // members (one page of up to 2000) and one listing of groups.
    p.sim.clear_requests();
    p.assert_converged();
    let reads = p.zoom_requests();
    for expected in [
        "GET /groups?page_size=300".to_string(),
        format!("GET /groups/{id}/settings"),
        format!("GET /groups/{id}/settings?option=meeting_security"),
        format!("GET /groups/{id}/lock_settings"),
        format!("GET /groups/{id}/lock_settings?option=meeting_security"),
        format!("GET /groups/{id}/members?page_size=2000"),
    ] {
        assert_eq!(
            reads.iter().filter(|r| **r == expected).count(),
            1,
            "{expected} in {reads:#?}"
        );
    }
    assert_eq!(reads.len(), 6, "{reads:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_group_is_adopted_then_renamed_and_deleted() {
    let config =
        "provider \"zoom\" {}\nresource \"zoom_group\" \"sales\" {\n  name = \"sales\"\n}\n";
    let p = Project::new(config).await;
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2, "the case differs: a rename is planned\n{text}");
    assert!(
        text.contains("it will be adopted, not created again"),
        "{text}"
    );
    assert!(text.contains("~ name = \"Sales\" -> \"sales\""), "{text}");
    p.apply_ok();
    assert_eq!(
        p.zoom_writes(),
        ["PATCH /groups/gR7kT2mWq9XbN4vLc1sPzA"],
        "adopted, not created"
    );
    p.assert_converged();

    p.write_config(&config.replace("\"sales\"\n", "\"Sales EMEA\"\n"));
    p.apply_ok();
    assert!(p.group("Sales EMEA").is_some());
    p.assert_converged();

    // Renamed behind zentra's back: drift, put back.
    p.sim
        .patch_state(
            "PATCH",
            "zoom/accounts/me/groups/gR7kT2mWq9XbN4vLc1sPzA",
            json!({"name": "Renamed in the portal"}),
        )
        .unwrap();
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(text.contains("changed outside zentra"), "{text}");
    p.apply_ok();

    // zentra adopted it: removing its block forgets it; a `removed` block can delete it.
    p.write_config("provider \"zoom\" {}\n");
    let (_, text) = p.plan_ok();
    assert!(
        text.contains("zoom_group.sales will be forgotten, not deleted"),
        "{text}"
    );
    p.write_config(
        "provider \"zoom\" {}\nremoved {\n  from = zoom_group.sales\n  lifecycle {\n    destroy = true\n  }\n}\n",
    );
    let (_, text) = p.plan_ok();
    assert!(
        text.contains("Plan: 0 to add, 0 to change, 1 to destroy."),
        "{text}"
    );
    p.apply_ok();
    assert!(p.group("Sales EMEA").is_none());
    assert_eq!(p.account()["groups"].as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_group_names_are_reported_clearly() {
    let twice = "provider \"zoom\" {}\nresource \"zoom_group\" \"a\" {\n  name = \"Pilot\"\n}\nresource \"zoom_group\" \"b\" {\n  name = \"pilot\"\n}\n";
    let p = Project::new(twice).await;
    // Two blocks for one group (Zoom ignores case) are refused before anything is written.
    let out = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("`zoom_group.a` and `zoom_group.b` manage the same remote object"),
        "{err}"
    );
    assert_eq!(p.account()["groups"].as_array().unwrap().len(), 1);

    // Renaming a group to the name of another one: Zoom refuses, and says so.
    let single = "provider \"zoom\" {}\nresource \"zoom_group\" \"a\" {\n  name = \"Pilot\"\n}\n";
    p.write_config(single);
    p.apply_ok();
    p.write_config(&single.replace("Pilot", "Sales"));
    let out = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("a Zoom group named \"Sales\" already exists"),
        "{err}"
    );
    assert!(err.contains("4132"), "Zoom's code is kept: {err}");
    assert!(err.contains("choose another name"), "{err}");
    assert_eq!(p.account()["groups"].as_array().unwrap().len(), 2);

    // A group of that name appearing between plan and apply: the saved plan is stale.
    p.sim.patch_state("POST", "reset", json!({})).unwrap();
    std::fs::remove_file(p.path().join("zentra.state.json")).unwrap();
    let single = "provider \"zoom\" {}\nresource \"zoom_group\" \"a\" {\n  name = \"Pilot\"\n}\n";
    p.write_config(single);
    assert_eq!(code(&p.run(&["plan", "--out", "p.zplan"])), 0);
    p.sim
        .patch_state("POST", "zoom/accounts/me/groups", json!({"name": "Pilot"}))
        .unwrap();
    let out = p.run(&["apply", "p.zplan"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("the saved plan is stale"),
        "{}",
        stderr(&out)
    );
    // The next plan adopts it.
    let (_, text) = p.plan_ok();
    assert!(text.contains("adopted"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn additive_members_leave_others_and_authoritative_ones_remove_them() {
    let additive = r#"
provider "zoom" {}
data "zoom_group" "sales" {
  name = "Sales"
}
resource "zoom_group_members" "sales" {
  group_id = data.zoom_group.sales.id
  emails   = ["adele.vance@contoso.com", "ALEX.WILBER@contoso.com"]
}
"#;
    let p = Project::new(additive).await;
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(
        text.contains("will be adopted (id gR7kT2mWq9XbN4vLc1sPzA) and updated in place"),
        "the group's membership is adopted: {text}"
    );
    p.apply_ok();
    assert_eq!(
        p.member_emails("Sales"),
        [
            "adele.vance@contoso.com",
            "alex.wilber@contoso.com",
            "lee.gu@contoso.com"
        ],
        "Lee is left alone"
    );
    assert_eq!(
        p.zoom_writes(),
        ["POST /groups/gR7kT2mWq9XbN4vLc1sPzA/members"],
        "only the missing member is added"
    );
    p.assert_converged();

    // Someone adds a member in the portal: additive does not care.
    p.sim
        .patch_state(
            "POST",
            "zoom/accounts/me/groups/gR7kT2mWq9XbN4vLc1sPzA/members",
            json!({"user": "megan.bowen@contoso.com"}),
        )
        .unwrap();
    p.assert_converged();
    // Someone removes a listed member: drift.
    p.sim
        .patch_state(
            "DELETE",
            "zoom/accounts/me/groups/gR7kT2mWq9XbN4vLc1sPzA/members/adele.vance@contoso.com",
            json!({}),
        )
        .unwrap();
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(text.contains("changed outside zentra"), "{text}");
    p.apply_ok();

    // Authoritative: exactly the listed members.
    let exact = additive.replace("  emails   =", "  authoritative = true\n  emails   =");
    p.write_config(&exact);
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(text.contains("lee.gu@contoso.com"), "{text}");
    p.apply_ok();
    assert_eq!(
        p.member_emails("Sales"),
        ["adele.vance@contoso.com", "alex.wilber@contoso.com"]
    );
    p.assert_converged();

    // The membership was adopted: removing the resource leaves every member; a `removed`
    // block that says destroy removes the listed members only.
    p.sim
        .patch_state(
            "POST",
            "zoom/accounts/me/groups/gR7kT2mWq9XbN4vLc1sPzA/members",
            json!({"user": "lee.gu@contoso.com"}),
        )
        .unwrap();
    p.write_config("provider \"zoom\" {}\n");
    let (_, text) = p.plan_ok();
    assert!(
        text.contains("zoom_group_members.sales will be forgotten, not deleted"),
        "{text}"
    );
    p.write_config(
        "provider \"zoom\" {}\nremoved {\n  from = zoom_group_members.sales\n  lifecycle {\n    destroy = true\n  }\n}\n",
    );
    let (_, text) = p.plan_ok();
    assert!(
        text.contains("0 to add, 0 to change, 1 to destroy"),
        "{text}"
    );
    assert!(
        !text.contains("data.zoom_group.sales"),
        "a data source has no state, so removing it plans nothing: {text}"
    );
    p.apply_ok();
    assert_eq!(p.member_emails("Sales"), ["lee.gu@contoso.com"]);
    assert!(p.group("Sales").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_settings_drift_and_unknown_fields_are_caught() {
    let config = r#"
provider "zoom" {}
data "zoom_group" "sales" {
  name = "Sales"
}
resource "zoom_group_settings" "sales" {
  group_id = data.zoom_group.sales.id
  recording {
    cloud_recording = false
  }
}
"#;
    let p = Project::new(config).await;
    p.apply_ok();
    p.assert_converged();
    p.sim
        .patch_state(
            "PATCH",
            "zoom/accounts/me/groups/gR7kT2mWq9XbN4vLc1sPzA/settings",
            json!({"recording": {"cloud_recording": true}}),
        )
        .unwrap();
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(text.contains("~ cloud_recording = true -> false"), "{text}");
    assert!(text.contains("changed outside zentra"), "{text}");

    // Group settings are validated against the group schema before any call.
    p.sim.clear_requests();
    p.write_config(&config.replace("cloud_recording", "cloud_recordng"));
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("main.zen.hcl:9:5"), "{err}");
    assert!(err.contains("did you mean `cloud_recording`?"), "{err}");
    p.write_config(&config.replace("recording {", "security {"));
    let err = stderr(&p.run(&["plan"]));
    assert!(
        err.contains("unknown block `security`"),
        "groups have no security section: {err}"
    );
    assert!(p.zoom_requests().is_empty());

    // A data source that finds nothing stops the plan.
    p.write_config(&config.replace("name = \"Sales\"", "name = \"Nope\""));
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("data source `data.zoom_group.sales` found nothing"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_listings_are_followed_page_by_page() {
    let mut seed = zentra_sim::Seed::default_demo();
    for i in 0..305 {
        seed.zoom.accounts[0]
            .groups
            .push(zentra_sim::ZoomGroupSeed {
                id: Some(format!("g{i:03}")),
                name: format!("Team {i:03}"),
                members: vec![],
                settings: Default::default(),
                lock_settings: Default::default(),
            });
    }
    let config =
        "provider \"zoom\" {}\nresource \"zoom_group\" \"last\" {\n  name = \"Team 304\"\n}\n";
    let p = Project::seeded(config, seed).await;
    let (exit, text) = p.plan_ok();
    assert_eq!(
        exit, 2,
        "the last group, on the second page, is to be adopted: {text}"
    );
    assert!(
        text.contains("will be adopted (id g304), no write"),
        "{text}"
    );
    let reads = p.zoom_requests();
    assert_eq!(reads.len(), 2, "{reads:#?}");
    assert_eq!(reads[0], "GET /groups?page_size=300");
    assert!(
        reads[1].starts_with("GET /groups?page_size=300&next_page_token="),
        "{reads:#?}"
    );
}
