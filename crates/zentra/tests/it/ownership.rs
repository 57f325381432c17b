//! Ownership end to end against the emulator: zentra deletes only what it created. Adopting an
//! existing object is a visible change recorded in state; removing an adopted object's block
//! forgets it; `removed` blocks say otherwise; vendor-owned objects (Microsoft's service
//! principals, Zoom's built-in roles) are never deleted; `prevent_destroy` stops plans that
//! would delete; two blocks for one object are refused; an object another state created is
//! flagged when adopted; and `zentra destroy` deletes what zentra created, forgetting the rest.

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};
use zentra_test_support::entra::{GRAPH_APP, GRAPH_SP, MEGAN, ZOOM_APP};
use zentra_test_support::{Project, code, squeeze, stderr, stdout};

const GRAPH: &str = r#"
provider "azuread" {}

resource "azuread_service_principal" "graph" {
  app_id = "00000003-0000-0000-c000-000000000000"
}
"#;

const ZOOM_SP: &str = r#"
provider "azuread" {}

resource "azuread_service_principal" "zoom" {
  app_id = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"
}
"#;

const NOTHING: &str = "provider \"azuread\" {}\n";

fn service_principal(p: &Project, app_id: &str) -> Value {
    p.sim.snapshot()["entra"]["tenants"][0]["servicePrincipals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|sp| sp["appId"] == app_id)
        .cloned()
        .unwrap_or(Value::Null)
}

fn grants(p: &Project) -> Vec<Value> {
    p.sim.snapshot()["entra"]["tenants"][0]["oauth2PermissionGrants"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn state(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("zentra.state.json")).unwrap()).unwrap()
}

fn state_entry(dir: &Path, address: &str) -> Value {
    state(dir)["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == address)
        .cloned()
        .unwrap_or(Value::Null)
}

/// Rewrites the state file, as an earlier zentra (or a person) might have left it.
fn edit_state(dir: &Path, edit: impl FnOnce(&mut Value)) {
    let mut s = state(dir);
    edit(&mut s);
    std::fs::write(
        dir.join("zentra.state.json"),
        serde_json::to_string_pretty(&s).unwrap(),
    )
    .unwrap();
}

/// Every write request to Graph or Zoom, `METHOD /path` (batched reads left out).
fn writes(p: &Project) -> Vec<String> {
    p.sim
        .requests()
        .into_iter()
        .filter(|r| r.service == "graph" || r.service == "zoom")
        .filter(|r| r.method != "GET" && !r.path.ends_with("/$batch"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn api_requests(p: &Project) -> usize {
    p.sim
        .requests()
        .iter()
        .filter(|r| r.service == "graph" || r.service == "zoom")
        .count()
}

/// Runs `zentra` in another working directory against the same emulator.
fn run_in(p: &Project, dir: &Path, args: &[&str]) -> Output {
    p.command(args)
        .current_dir(dir)
        .output()
        .expect("zentra runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adopting_microsoft_graph_is_a_change_and_removing_its_block_never_deletes_it() {
    let p = Project::new(GRAPH).await;
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2, "a pending adoption is a change:\n{plan}");
    assert!(
        plan.contains(&format!(
            "# azuread_service_principal.graph will be adopted (id {GRAPH_SP}), no write"
        )),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 1 to adopt, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    assert!(
        plan.contains("Microsoft's own service principal (Microsoft Graph)"),
        "{plan}"
    );
    let json: Value = serde_json::from_str(&stdout(&p.run(&["plan", "--json"]))).unwrap();
    // Terraform's representation of an adoption: an import with nothing to write.
    let change = &json["resource_changes"][0];
    assert_eq!(change["change"]["actions"], json!(["no-op"]));
    assert_eq!(change["change"]["importing"], json!({"id": GRAPH_SP}));
    assert_eq!(change["zentra"]["adopt"], json!({"id": GRAPH_SP}));
    assert_eq!(json["zentra"]["summary"]["adopt"], 1);

    p.sim.clear_requests();
    let applied = p.apply_ok();
    assert!(
        applied.contains("Apply complete! Resources: 1 adopted, 0 added, 0 changed, 0 destroyed."),
        "{applied}"
    );
    assert!(
        writes(&p).is_empty(),
        "adopting writes nothing: {:?}",
        writes(&p)
    );
    let entry = state_entry(p.path(), "azuread_service_principal.graph");
    assert_eq!(entry["origin"], "adopted", "{entry}");
    assert_eq!(entry["id"], GRAPH_SP);
    p.assert_converged();

    // The block goes: Microsoft Graph's service principal is forgotten, never deleted.
    p.write("main.zen.hcl", NOTHING);
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2, "{plan}");
    assert!(
        plan.contains("# azuread_service_principal.graph will be forgotten, not deleted"),
        "{plan}"
    );
    assert!(plan.contains("zentra never deletes it"), "{plan}");
    assert!(plan.contains("0 to destroy, 1 to stop managing"), "{plan}");
    p.sim.clear_requests();
    p.apply_ok();
    assert!(writes(&p).is_empty(), "{:?}", writes(&p));
    assert_eq!(service_principal(&p, GRAPH_APP)["id"], GRAPH_SP);
    assert!(
        state(p.path())["resources"].as_array().unwrap().is_empty(),
        "it left the state"
    );
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adopted_zoom_service_principal_keeps_its_consents_unless_a_removed_block_destroys_it() {
    let p = Project::new(ZOOM_SP).await;
    // Users consented to Zoom before zentra was around.
    let sp = p
        .sim
        .patch_state(
            "POST",
            "graph/servicePrincipals",
            json!({"appId": ZOOM_APP}),
        )
        .unwrap();
    let sp_id = sp["id"].as_str().unwrap().to_string();
    p.sim
        .patch_state(
            "POST",
            "graph/oauth2PermissionGrants",
            json!({"clientId": sp_id, "resourceId": GRAPH_SP, "consentType": "Principal",
                   "principalId": MEGAN, "scope": "Calendars.ReadWrite"}),
        )
        .unwrap();
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(
        plan.contains(&format!("will be adopted (id {sp_id}), no write")),
        "{plan}"
    );
    p.apply_ok();

    p.write("main.zen.hcl", NOTHING);
    let (_, plan, _) = p.plan();
    assert!(
        plan.contains("# azuread_service_principal.zoom will be forgotten, not deleted"),
        "{plan}"
    );
    assert!(
        plan.contains("zentra adopted it (it existed before)"),
        "{plan}"
    );
    assert!(
        plan.contains(
            "removed { from = azuread_service_principal.zoom lifecycle { destroy = true } }"
        ),
        "the plan says how to delete it instead:\n{plan}"
    );
    p.sim.clear_requests();
    p.apply_ok();
    assert!(writes(&p).is_empty(), "{:?}", writes(&p));
    assert_eq!(service_principal(&p, ZOOM_APP)["id"], sp_id.as_str());
    assert_eq!(grants(&p).len(), 1, "the users' consent is still there");

    // Adopted again, then removed with `destroy = true`: now it is deleted.
    p.write("main.zen.hcl", ZOOM_SP);
    p.apply_ok();
    p.write(
        "main.zen.hcl",
        &format!(
            "{NOTHING}\nremoved {{\n  from = azuread_service_principal.zoom\n  lifecycle {{\n    destroy = true\n  }}\n}}\n"
        ),
    );
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(
        plan.contains("a `removed` block says `destroy = true`: it will be deleted"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 0 to add, 0 to change, 1 to destroy."),
        "{plan}"
    );
    p.sim.clear_requests();
    p.apply_ok();
    assert_eq!(
        writes(&p),
        [format!("DELETE /v1.0/servicePrincipals/{sp_id}")]
    );
    assert!(service_principal(&p, ZOOM_APP).is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_records_created_or_adopted_and_entries_without_it_are_not_deleted() {
    let p = Project::new(&format!(
        "{ZOOM_SP}\nresource \"azuread_service_principal\" \"graph\" {{\n  app_id = \"{GRAPH_APP}\"\n}}\n"
    ))
    .await;
    p.apply_ok();
    assert_eq!(
        state_entry(p.path(), "azuread_service_principal.zoom")["origin"],
        "created"
    );
    assert_eq!(
        state_entry(p.path(), "azuread_service_principal.graph")["origin"],
        "adopted"
    );

    // A state written before origins were recorded: nothing proves zentra created it.
    edit_state(p.path(), |s| {
        for r in s["resources"].as_array_mut().unwrap() {
            r.as_object_mut().unwrap().remove("origin");
        }
    });
    p.write("main.zen.hcl", NOTHING);
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(
        plan.contains("# azuread_service_principal.zoom will be forgotten, not deleted"),
        "{plan}"
    );
    assert!(
        plan.contains("recorded by an earlier zentra, which did not note whether it created it"),
        "{plan}"
    );
    assert!(plan.contains("0 to destroy, 2 to stop managing"), "{plan}");
    p.sim.clear_requests();
    p.apply_ok();
    assert!(writes(&p).is_empty(), "{:?}", writes(&p));
    assert!(!service_principal(&p, ZOOM_APP).is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_owned_objects_are_never_deleted_whatever_the_configuration_and_state_say() {
    let p = Project::new(&format!(
        "{GRAPH}\nprovider \"zoom\" {{}}\n\nresource \"zoom_role\" \"admin\" {{\n  name = \"Admin\"\n}}\n"
    ))
    .await;
    p.apply_ok();
    // Even a state that claims zentra created them, and a configuration that says destroy.
    edit_state(p.path(), |s| {
        for r in s["resources"].as_array_mut().unwrap() {
            r["origin"] = json!("created");
        }
    });
    p.write(
        "main.zen.hcl",
        "provider \"azuread\" {}\nprovider \"zoom\" {}\n\
         removed {\n  from = azuread_service_principal.graph\n  lifecycle {\n    destroy = true\n  }\n}\n\
         removed {\n  from = zoom_role.admin\n  lifecycle {\n    destroy = true\n  }\n}\n",
    );
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(
        plan.contains("# azuread_service_principal.graph will be forgotten, not deleted"),
        "{plan}"
    );
    assert!(
        plan.contains(
            "it is Microsoft's own service principal (Microsoft Graph): zentra never deletes it"
        ),
        "{plan}"
    );
    assert!(
        plan.contains("# zoom_role.admin will be forgotten, not deleted"),
        "{plan}"
    );
    assert!(
        plan.contains(
            "it is Zoom's built-in Admin role, which every account has: zentra never deletes it"
        ),
        "{plan}"
    );
    assert!(plan.contains("0 to destroy, 2 to stop managing"), "{plan}");
    p.sim.clear_requests();
    p.apply_ok();
    assert!(writes(&p).is_empty(), "{:?}", writes(&p));
    assert_eq!(service_principal(&p, GRAPH_APP)["id"], GRAPH_SP);

    // A Microsoft service principal is told by the tenant its app is registered in, too.
    let sp = service_principal(&p, GRAPH_APP);
    assert_eq!(
        sp["appOwnerOrganizationId"],
        "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
    );
    p.write(
        "main.zen.hcl",
        "provider \"azuread\" {}\nresource \"azuread_service_principal\" \"exchange\" {\n  app_id = \"00000002-0000-0ff1-ce00-000000000000\"\n}\n",
    );
    let (_, plan, _) = p.plan();
    assert!(plan.contains("Microsoft's own service principal"), "{plan}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prevent_destroy_fails_plans_that_would_delete_or_replace() {
    let protected = ZOOM_SP.replace(
        "app_id = \"a651cfda-cbdd-4a39-bd03-fa829c3c1b29\"\n",
        "app_id = \"a651cfda-cbdd-4a39-bd03-fa829c3c1b29\"\n\n  lifecycle {\n    prevent_destroy = true\n  }\n",
    );
    let p = Project::new(&protected).await;
    p.apply_ok();
    assert_eq!(
        state_entry(p.path(), "azuread_service_principal.zoom")["prevent_destroy"],
        true
    );

    // `zentra destroy` with the block in place: refused, naming the lifecycle block.
    p.sim.clear_requests();
    let out = p.run(&["destroy", "--auto-approve"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("`azuread_service_principal.zoom` has `lifecycle { prevent_destroy = true }`, and this plan would delete it"),
        "{err}"
    );
    assert!(err.contains("main.zen.hcl:7:3"), "{err}");
    assert!(err.contains("set `prevent_destroy = false`"), "{err}");
    assert!(writes(&p).is_empty(), "{:?}", writes(&p));

    // The block goes: state remembers the protection.
    p.write("main.zen.hcl", NOTHING);
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("`azuread_service_principal.zoom` was last applied with `lifecycle { prevent_destroy = true }`"),
        "{err}"
    );
    assert!(
        err.contains(
            "removed { from = azuread_service_principal.zoom  lifecycle { destroy = false } }"
        ),
        "{err}"
    );
    let out = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 1);
    assert!(writes(&p).is_empty(), "{:?}", writes(&p));
    assert!(!service_principal(&p, ZOOM_APP).is_null());

    // Forgetting it is allowed.
    p.write(
        "main.zen.hcl",
        &format!(
            "{NOTHING}removed {{\n  from = azuread_service_principal.zoom\n  lifecycle {{\n    destroy = false\n  }}\n}}\n"
        ),
    );
    p.apply_ok();
    assert!(writes(&p).is_empty(), "{:?}", writes(&p));
    assert!(!service_principal(&p, ZOOM_APP).is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prevent_destroy_fails_a_replacement() {
    let assignment = |role: &str| {
        format!(
            r#"
provider "azuread" {{}}

resource "azuread_service_principal" "zoom_rooms" {{
  app_id = "f56e91e5-5a82-452f-b435-d4d78aeaf064"
}}

resource "azuread_app_role_assignment" "calendars" {{
  principal_object_id = azuread_service_principal.zoom_rooms.object_id
  resource_app_id     = "00000003-0000-0000-c000-000000000000"
  app_role            = "{role}"

  lifecycle {{
    prevent_destroy = true
  }}
}}
"#
        )
    };
    let p = Project::new(&assignment("Calendars.Read")).await;
    p.apply_ok();
    p.write("main.zen.hcl", &assignment("Calendars.ReadWrite"));
    p.sim.clear_requests();
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("`azuread_app_role_assignment.calendars` has `lifecycle { prevent_destroy = true }`, and this plan would replace"),
        "{err}"
    );
    assert!(err.contains("main.zen.hcl:13:3"), "{err}");
    assert!(writes(&p).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_blocks_for_one_remote_object_are_refused_at_plan() {
    let p = Project::new(&format!(
        "{GRAPH}\nresource \"azuread_service_principal\" \"msgraph\" {{\n  app_id = \"00000003-0000-0000-C000-000000000000\"\n}}\n"
    ))
    .await;
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for command in [&["plan"][..], &["apply", "--auto-approve"]] {
        let out = p.run(command);
        assert_eq!(code(&out), 1, "{}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("`azuread_service_principal.graph` and `azuread_service_principal.msgraph` manage the same remote object (azuread_service_principal app_id 00000003-0000-0000-c000-000000000000)"),
            "{err}"
        );
        assert!(
            err.contains("`azuread_service_principal.graph` is declared at main.zen.hcl:4:1, `azuread_service_principal.msgraph` at main.zen.hcl:8:1"),
            "{err}"
        );
    }
    assert_eq!(api_requests(&p), 0, "refused before any read");

    // Settings of one account: merge the blocks.
    p.write(
        "main.zen.hcl",
        "provider \"zoom\" {}\n\
         resource \"zoom_account_settings\" \"sso\" {\n  security {\n    admin_change_name_pic = true\n  }\n}\n\
         resource \"zoom_account_settings\" \"meetings\" {\n  account_id = \"me\"\n  in_meeting {\n    chat = true\n  }\n}\n",
    );
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("`zoom_account_settings.sso` and `zoom_account_settings.meetings` manage the same remote object (zoom_account_settings account me)"),
        "{err}"
    );
    assert!(err.contains("merge the two blocks into one"), "{err}");

    // Groups and roles by name, without regard to case.
    p.write(
        "main.zen.hcl",
        "provider \"zoom\" {}\n\
         resource \"zoom_group\" \"a\" {\n  name = \"Pilot\"\n}\n\
         resource \"zoom_group\" \"b\" {\n  name = \"pilot\"\n}\n",
    );
    let err = stderr(&p.run(&["plan"]));
    assert!(
        err.contains("`zoom_group.a` and `zoom_group.b` manage the same remote object (zoom_group name pilot)"),
        "{err}"
    );
    assert!(
        err.contains("main.zen.hcl:2:1") && err.contains("main.zen.hcl:5:1"),
        "{err}"
    );

    // A key known only after apply is compared then, before anything of its wave is written.
    p.write(
        "main.zen.hcl",
        r#"
provider "azuread" {}

resource "azuread_service_principal" "zoom" {
  app_id = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"
}

resource "azuread_delegated_permission_grant" "one" {
  service_principal_object_id = azuread_service_principal.zoom.object_id
  resource_app_id             = "00000003-0000-0000-c000-000000000000"
  scopes                      = ["User.Read"]
}

resource "azuread_delegated_permission_grant" "two" {
  service_principal_object_id = azuread_service_principal.zoom.object_id
  resource_app_id             = "00000003-0000-0000-C000-000000000000"
  scopes                      = ["Calendars.Read"]
}
"#,
    );
    let (status, _, _) = p.plan();
    assert_eq!(status, 2, "the client is not known when planning");
    p.sim.clear_requests();
    let out = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("`azuread_delegated_permission_grant.one` and `azuread_delegated_permission_grant.two` manage the same remote object"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        writes(&p).len(),
        1,
        "only the service principal was created: {:?}",
        writes(&p)
    );
    assert!(grants(&p).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adopting_an_object_another_state_created_warns() {
    let p = Project::new(ZOOM_SP).await;
    p.apply_ok();
    let lineage = state(p.path())["lineage"].as_str().unwrap().to_string();
    let sp = service_principal(&p, ZOOM_APP);
    assert_eq!(
        sp["notes"],
        format!("Created by zentra, state {lineage}."),
        "the created service principal carries zentra's note"
    );
    p.assert_converged();

    // Another working directory, with its own state, describes the same service principal.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("main.zen.hcl"), ZOOM_SP).unwrap();
    let out = run_in(&p, other.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let text = squeeze(&stdout(&out));
    assert!(text.contains("will be adopted"), "{text}");
    assert!(
        text.contains(&format!(
            "Warning: azuread_service_principal.zoom: zentra created this object from another state (lineage {lineage})"
        )),
        "{text}"
    );
    // Microsoft Graph was never created by zentra: adopting it raises no such warning.
    std::fs::write(other.path().join("main.zen.hcl"), GRAPH).unwrap();
    let out = run_in(&p, other.path(), &["plan"]);
    assert!(!stdout(&out).contains("Warning:"), "{}", stdout(&out));
}

const EVERYTHING: &str = r#"
provider "azuread" {}
provider "zoom" {}

resource "zoom_account_settings" "sso" {
  security {
    admin_change_name_pic = true
  }
}

resource "azuread_service_principal" "graph" {
  app_id = "00000003-0000-0000-c000-000000000000"
}

resource "azuread_service_principal" "zoom" {
  app_id = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"
}

resource "azuread_delegated_permission_grant" "zoom" {
  service_principal_object_id = azuread_service_principal.zoom.object_id
  resource_app_id             = azuread_service_principal.graph.app_id
  scopes                      = ["User.Read"]
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_deletes_what_zentra_created_and_forgets_the_rest() {
    let p = Project::new(EVERYTHING).await;
    p.apply_ok();
    let zoom_sp = service_principal(&p, ZOOM_APP)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let grant = grants(&p)[0]["id"].as_str().unwrap().to_string();

    let out = p.run(&["plan", "--destroy", "--detailed-exitcode"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let plan = squeeze(&stdout(&out));
    for (address, what) in [
        ("azuread_delegated_permission_grant.zoom", "will be deleted"),
        ("azuread_service_principal.zoom", "will be deleted"),
        (
            "azuread_service_principal.graph",
            "will be forgotten, not deleted",
        ),
        (
            "zoom_account_settings.sso",
            "will be forgotten, not deleted",
        ),
    ] {
        assert!(
            plan.contains(&format!("# {address} {what}")),
            "{address}:\n{plan}"
        );
    }
    assert!(
        plan.contains("Plan: 0 to add, 0 to change, 2 to destroy, 2 to stop managing."),
        "{plan}"
    );

    // No terminal, no --auto-approve: refused, nothing changed.
    p.sim.clear_requests();
    let out = p.run(&["destroy"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("destroy needs confirmation, and there is no terminal to ask on"),
        "{}",
        stderr(&out)
    );
    assert_eq!(api_requests(&p), 0);
    assert_eq!(state(p.path())["resources"].as_array().unwrap().len(), 4);

    let out = p.run(&["destroy", "--auto-approve"]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("Destroy complete! Resources: 2 destroyed, 2 no longer managed."),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        writes(&p),
        [
            format!("DELETE /v1.0/oauth2PermissionGrants/{grant}"),
            format!("DELETE /v1.0/servicePrincipals/{zoom_sp}"),
        ],
        "the grant first, then what it depended on; nothing else"
    );
    assert_eq!(service_principal(&p, GRAPH_APP)["id"], GRAPH_SP);
    assert_eq!(
        p.sim.zoom_account_settings("me")["security"]["admin_change_name_pic"],
        true,
        "settings are left as they are"
    );
    assert!(state(p.path())["resources"].as_array().unwrap().is_empty());
    let out = p.run(&["plan", "--destroy", "--detailed-exitcode"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_destroy_plan_applies_as_a_destroy() {
    let p = Project::new(ZOOM_SP).await;
    p.apply_ok();
    let out = p.run(&["plan", "--destroy", "--out", "destroy.zplan"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(p.path().join("destroy.zplan")).unwrap())
            .unwrap();
    assert_eq!(saved["destroy"], true);
    let out = p.run(&["apply", "destroy.zplan"]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("Destroy complete! Resources: 1 destroyed."),
        "{}",
        stdout(&out)
    );
    assert!(service_principal(&p, ZOOM_APP).is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_and_removed_blocks_of_the_wrong_shape_are_clear_errors() {
    let cases: &[(&str, &[&str])] = &[
        (
            "resource \"azuread_service_principal\" \"zoom\" {\n  app_id = \"a\"\n  lifecycle {\n    replace_triggered_by = [app_id]\n  }\n}\n",
            &[
                "main.zen.hcl:5:5",
                "`lifecycle` argument `replace_triggered_by` is not supported",
            ],
        ),
        (
            "resource \"azuread_service_principal\" \"zoom\" {\n  app_id = \"a\"\n  lifecycle {\n    create_before_destroy = \"yes\"\n  }\n}\n",
            &[
                "main.zen.hcl:5:29",
                "`create_before_destroy` must be `true` or `false`",
            ],
        ),
        (
            "resource \"azuread_service_principal\" \"zoom\" {\n  app_id = \"a\"\n  lifecycle {\n    ignore_changes = 3\n  }\n}\n",
            &[
                "main.zen.hcl:5:22",
                "`ignore_changes` must be a list of attributes or `all`",
            ],
        ),
        (
            "resource \"azuread_service_principal\" \"zoom\" {\n  app_id = \"a\"\n  lifecycle {\n    ignore_changes = [tagz]\n  }\n}\n",
            &[
                "main.zen.hcl:4:3",
                "`ignore_changes` of `azuread_service_principal.zoom` names `tagz`",
                "did you mean `tags`?",
            ],
        ),
        (
            "resource \"azuread_service_principal\" \"zoom\" {\n  app_id = \"a\"\n  lifecycle {\n    prevent_destroy = \"yes\"\n  }\n}\n",
            &[
                "main.zen.hcl:5:23",
                "`prevent_destroy` must be `true` or `false`",
            ],
        ),
        (
            "resource \"azuread_service_principal\" \"zoom\" {\n  app_id = \"a\"\n  lifecycle {\n    prevent_destroi = true\n  }\n}\n",
            &["main.zen.hcl:5:5", "did you mean `prevent_destroy`?"],
        ),
        (
            "resource \"azuread_service_principal\" \"zoom\" {\n  app_id = \"a\"\n}\nremoved {\n  from = azuread_service_principal.zoom\n  lifecycle {\n    destroy = false\n  }\n}\n",
            &[
                "main.zen.hcl:5:1",
                "`removed` names `azuread_service_principal.zoom`, which is still declared as a resource",
                "`azuread_service_principal.zoom` is declared at main.zen.hcl:2:1",
            ],
        ),
        (
            "removed {\n  from = azuread_service_principal.zoom\n}\n",
            &[
                "main.zen.hcl:2:1",
                "`removed` does not say whether to delete the object",
                "lifecycle { destroy = false }",
            ],
        ),
        (
            "removed {\n  from = \"azuread_service_principal.zoom\"\n  lifecycle {\n    destroy = true\n  }\n}\n",
            &["main.zen.hcl:3:10", "`from` must be a resource address"],
        ),
        (
            "removed {\n  from = azuread_servic_principal.zoom\n  lifecycle {\n    destroy = true\n  }\n}\n",
            &[
                "`removed` names `azuread_servic_principal.zoom`, of an unknown resource type",
                "did you mean `azuread_service_principal`?",
            ],
        ),
    ];
    let p = Project::new(NOTHING).await;
    for (config, expected) in cases {
        p.write("main.zen.hcl", &format!("{NOTHING}{config}"));
        let out = p.run(&["validate"]);
        assert_eq!(code(&out), 1, "{config}");
        let err = stderr(&out);
        for e in *expected {
            assert!(err.contains(e), "{config}\nexpected {e}:\n{err}");
        }
    }
    assert_eq!(api_requests(&p), 0);
}
