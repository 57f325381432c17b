//! `lifecycle { create_before_destroy = true }` end to end against the emulator: a delegated
//! permission grant moved to another client is created anew before the old grant is deleted,
//! an old grant whose delete fails stays in state as deposed until the next apply deletes it,
//! a refused create leaves the old grant in place, and `prevent_destroy` still refuses.

use serde_json::Value;
use zentra_sim::Faults;
use zentra_test_support::{Project, code, stderr, stdout};

const GRANT: &str = r#"
provider "azuread" {}

data "azuread_well_known_applications" "ids" {}

resource "azuread_service_principal" "zoom" {
  app_id = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"
}

resource "azuread_service_principal" "rooms" {
  app_id = "f56e91e5-5a82-452f-b435-d4d78aeaf064"
}

resource "azuread_delegated_permission_grant" "calendar" {
  service_principal_object_id = azuread_service_principal.zoom.object_id
  resource_app_id             = data.azuread_well_known_applications.ids.microsoft_graph
  scopes                      = ["openid", "offline_access", "Calendars.ReadWrite"]
  lifecycle {
    create_before_destroy = true
  }
}
"#;

const ADDRESS: &str = "azuread_delegated_permission_grant.calendar";

/// The configuration with the grant given to the Zoom Rooms app instead.
fn moved_to_rooms() -> String {
    GRANT.replace(
        "azuread_service_principal.zoom.object_id",
        "azuread_service_principal.rooms.object_id",
    )
}

fn grants(p: &Project) -> Vec<Value> {
    p.sim.snapshot()["entra"]["tenants"][0]["oauth2PermissionGrants"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn state(p: &Project) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p.path().join("zentra.state.json")).unwrap())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replacement_creates_the_new_grant_before_deleting_the_old_one() {
    let p = Project::new(GRANT).await;
    p.apply_ok();
    let old = p.state_id(ADDRESS);

    p.write("main.zen.hcl", &moved_to_rooms());
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(
        plan.contains(&format!(
            "# {ADDRESS} must be replaced (the new object is created before the old one is deleted)"
        )),
        "{plan}"
    );
    assert!(
        plan.contains("+/- resource \"azuread_delegated_permission_grant\" \"calendar\""),
        "{plan}"
    );
    assert!(
        plan.contains("+/- create replacement and then delete"),
        "{plan}"
    );
    let json = p.plan_json();
    let change = json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == ADDRESS)
        .unwrap()
        .clone();
    assert_eq!(
        change["change"]["actions"],
        serde_json::json!(["create", "delete"])
    );

    p.sim.clear_requests();
    p.apply_ok();
    let new = p.state_id(ADDRESS);
    assert_ne!(new, old);
    assert_eq!(
        p.graph_writes(),
        [
            "POST /v1.0/oauth2PermissionGrants".to_string(),
            format!("DELETE /v1.0/oauth2PermissionGrants/{old}"),
        ]
    );
    let held = grants(&p);
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["id"], new.as_str());
    assert!(state(&p).get("deposed").is_none());
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_grant_whose_delete_fails_is_deleted_by_the_next_apply() {
    let p = Project::new(GRANT).await;
    p.apply_ok();
    let old = p.state_id(ADDRESS);

    p.write("main.zen.hcl", &moved_to_rooms());
    p.sim.set_faults(Faults {
        graph_refuse_next: 1,
        graph_refuse_of: "DELETE /oauth2PermissionGrants/".into(),
        ..Faults::default()
    });
    let out = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{ADDRESS}: delete of the object it replaced ({old}) failed"
        )),
        "{err}"
    );
    assert!(
        err.contains("the next `zentra plan` shows its delete"),
        "{err}"
    );
    // State knows both: the new grant at the address, the old one as deposed.
    let new = p.state_id(ADDRESS);
    assert_ne!(new, old);
    let recorded = state(&p);
    assert_eq!(recorded["deposed"][0]["address"], ADDRESS);
    assert_eq!(recorded["deposed"][0]["id"], old.as_str());
    assert_eq!(grants(&p).len(), 2);

    let (status, plan, _) = p.plan();
    assert_eq!(status, 2, "{plan}");
    assert!(
        plan.contains(&format!(
            "# {ADDRESS} (deposed object {old}) will be deleted"
        )),
        "{plan}"
    );
    assert!(
        plan.contains("0 to add, 0 to change, 1 to destroy"),
        "{plan}"
    );
    let json = p.plan_json();
    let deposed = json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["deposed"] == old.as_str())
        .unwrap_or_else(|| panic!("no deposed change: {json}"))
        .clone();
    assert_eq!(deposed["change"]["actions"], serde_json::json!(["delete"]));

    // A drift job sees it as pending, in every report, beside the current grant.
    let out = p.run(&[
        "drift",
        "--report-md",
        "drift.md",
        "--report-junit",
        "drift.xml",
        "--report-json",
        "drift.json",
    ]);
    assert_eq!(code(&out), 2, "{}\n{}", stdout(&out), stderr(&out));
    let name = format!("{ADDRESS} (deposed object {old})");
    assert!(
        stdout(&out).contains(&format!("{name}: pending")),
        "{}",
        stdout(&out)
    );
    let read = |file: &str| std::fs::read_to_string(p.path().join(file)).unwrap();
    assert!(read("drift.md").contains(&name), "{}", read("drift.md"));
    assert!(
        read("drift.xml").contains(&format!("testcase name=\"{name}\"")),
        "{}",
        read("drift.xml")
    );
    let report: Value = serde_json::from_str(&read("drift.json")).unwrap();
    let listed: Vec<&Value> = report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["address"] == ADDRESS)
        .collect();
    assert_eq!(listed.len(), 2, "{report}");
    let old_one = listed.iter().find(|o| o["deposed"] == true).unwrap();
    assert_eq!(old_one["id"], old.as_str());
    assert_eq!(old_one["status"], "pending");
    assert_eq!(old_one["action"], "delete");

    p.sim.clear_requests();
    p.apply_ok();
    assert_eq!(
        p.graph_writes(),
        [format!("DELETE /v1.0/oauth2PermissionGrants/{old}")]
    );
    let held = grants(&p);
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["id"], new.as_str());
    assert!(state(&p).get("deposed").is_none());
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_create_leaves_the_old_grant_in_place() {
    let p = Project::new(GRANT).await;
    p.apply_ok();
    let old = p.state_id(ADDRESS);

    p.write("main.zen.hcl", &moved_to_rooms());
    p.sim.set_faults(Faults {
        graph_refuse_next: 1,
        graph_refuse_of: "POST /oauth2PermissionGrants".into(),
        ..Faults::default()
    });
    let out = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(p.state_id(ADDRESS), old);
    let recorded = state(&p);
    assert!(recorded.get("deposed").is_none(), "{recorded}");
    assert!(recorded.get("pending_creates").is_none(), "{recorded}");
    assert_eq!(grants(&p).len(), 1);

    p.apply_ok();
    assert_ne!(p.state_id(ADDRESS), old);
    assert_eq!(grants(&p).len(), 1);
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prevent_destroy_still_refuses_a_replacement_that_creates_first() {
    let p = Project::new(GRANT).await;
    p.apply_ok();
    p.write(
        "main.zen.hcl",
        &moved_to_rooms().replace(
            "create_before_destroy = true",
            "create_before_destroy = true\n    prevent_destroy       = true",
        ),
    );
    let (status, _, err) = p.plan();
    assert_eq!(status, 1);
    assert!(
        err.contains("has `lifecycle { prevent_destroy = true }`, and this plan would replace"),
        "{err}"
    );
}
