//! Admin consent end to end against the emulator: delegated permission grants (all users or
//! one user, scope changes by PATCH, adoption, drift, deletion, scopes checked against what
//! the resource publishes) and application permissions (app role assignments by role value,
//! replacement on change, adoption, drift, deletion), with replication lag and throttling.

use std::time::Duration;

use serde_json::json;
use zentra_sim::{Faults, SimConfig};
use zentra_test_support::entra::{MEGAN, ZOOM_ROOMS_APP};
use zentra_test_support::{Project, code, stderr};

const GRANT: &str = r#"
provider "azuread" {}

data "azuread_well_known_applications" "ids" {}

resource "azuread_service_principal" "zoom" {
  app_id = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"
}

resource "azuread_delegated_permission_grant" "zoom" {
  service_principal_object_id = azuread_service_principal.zoom.object_id
  resource_app_id             = data.azuread_well_known_applications.ids.microsoft_graph
  scopes                      = ["openid", "offline_access", "Calendars.ReadWrite"]
}
"#;

fn grants(p: &Project) -> Vec<serde_json::Value> {
    p.sim.snapshot()["entra"]["tenants"][0]["oauth2PermissionGrants"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grants_are_created_patched_drift_checked_and_deleted() {
    let p = Project::new(GRANT).await;
    p.apply_ok();
    let created = grants(&p);
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0]["scope"],
        "Calendars.ReadWrite offline_access openid"
    );
    p.assert_converged();

    // Adding a scope is one PATCH of the same grant.
    p.write(
        "main.zen.hcl",
        &GRANT.replace(
            "\"Calendars.ReadWrite\"]",
            "\"Calendars.ReadWrite\", \"Contacts.Read\"]",
        ),
    );
    p.sim.clear_requests();
    p.apply_ok();
    assert_eq!(
        p.graph_writes(),
        [format!(
            "PATCH /v1.0/oauth2PermissionGrants/{}",
            created[0]["id"].as_str().unwrap()
        )]
    );
    assert_eq!(
        grants(&p)[0]["scope"],
        "Calendars.ReadWrite Contacts.Read offline_access openid"
    );
    p.assert_converged();

    // A scope revoked in the portal shows as drift and comes back.
    p.sim
        .patch_state(
            "PATCH",
            &format!(
                "graph/oauth2PermissionGrants/{}",
                created[0]["id"].as_str().unwrap()
            ),
            json!({"scope": "openid offline_access"}),
        )
        .unwrap();
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(plan.contains("changed outside zentra"), "{plan}");
    p.apply_ok();
    p.assert_converged();

    // Removing the grant deletes it (the service principal stays).
    let without: String = GRANT
        .split("resource \"azuread_delegated_permission_grant\"")
        .next()
        .unwrap()
        .to_string();
    p.write("main.zen.hcl", &without);
    p.sim.clear_requests();
    p.apply_ok();
    assert_eq!(p.graph_writes().len(), 1, "{:?}", p.graph_writes());
    assert!(p.graph_writes()[0].starts_with("DELETE /v1.0/oauth2PermissionGrants/"));
    assert!(grants(&p).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_grant_is_adopted_and_a_user_grant_is_its_own_object() {
    let p = Project::new(GRANT).await;
    let sp = p
        .sim
        .patch_state(
            "POST",
            "graph/servicePrincipals",
            json!({"appId": zentra_test_support::entra::ZOOM_APP}),
        )
        .unwrap();
    p.sim
        .patch_state(
            "POST",
            "graph/oauth2PermissionGrants",
            json!({"clientId": sp["id"], "resourceId": zentra_test_support::entra::GRAPH_SP,
                   "consentType": "AllPrincipals", "scope": "openid User.Read"}),
        )
        .unwrap();
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(
        plan.contains("it will be adopted, not created again"),
        "{plan}"
    );
    p.apply_ok();
    assert_eq!(grants(&p).len(), 1, "adopted, not duplicated");
    assert!(
        p.graph_writes().iter().all(|w| !w.starts_with("POST")),
        "{:?}",
        p.graph_writes()
    );

    // Consent for one user sits next to the tenant-wide grant.
    let user_grant = format!(
        "{GRANT}\nresource \"azuread_delegated_permission_grant\" \"megan\" {{\n  \
         service_principal_object_id = azuread_service_principal.zoom.object_id\n  \
         resource_app_id = data.azuread_well_known_applications.ids.microsoft_graph\n  \
         user_object_id = \"{MEGAN}\"\n  scopes = [\"Contacts.ReadWrite\"]\n}}\n"
    );
    p.write("main.zen.hcl", &user_grant);
    p.apply_ok();
    let all = grants(&p);
    assert_eq!(all.len(), 2);
    let megan = all
        .iter()
        .find(|g| g["consentType"] == "Principal")
        .unwrap();
    assert_eq!(megan["principalId"], MEGAN);
    p.assert_converged();

    // Another user is another grant: the old one is replaced, not left behind.
    p.write(
        "main.zen.hcl",
        &user_grant.replace(MEGAN, zentra_test_support::entra::ADELE),
    );
    let (_, plan, _) = p.plan();
    assert!(
        plan.contains("azuread_delegated_permission_grant.megan must be replaced"),
        "{plan}"
    );
    p.apply_ok();
    let all = grants(&p);
    assert_eq!(all.len(), 2);
    assert!(
        all.iter()
            .any(|g| g["principalId"] == zentra_test_support::entra::ADELE)
    );
    assert!(!all.iter().any(|g| g["principalId"] == MEGAN));
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_the_resource_does_not_publish_fail_the_plan() {
    let p = Project::new(&GRANT.replace("\"Calendars.ReadWrite\"", "\"Calendars.ReadWite\"")).await;
    let (status, _, err) = p.plan();
    assert_eq!(status, 1);
    assert!(
        err.contains(
            "`Calendars.ReadWite` is not among the delegated permissions Microsoft Graph publishes"
        ),
        "{err}"
    );
    assert!(err.contains("did you mean `Calendars.ReadWrite`?"), "{err}");
    assert!(p.graph_writes().is_empty());
}

const APP_ROLES: &str = r#"
provider "azuread" {}

resource "azuread_service_principal" "zoom_rooms" {
  app_id = "f56e91e5-5a82-452f-b435-d4d78aeaf064"
}

resource "azuread_app_role_assignment" "calendars" {
  principal_object_id = azuread_service_principal.zoom_rooms.object_id
  resource_app_id     = "00000003-0000-0000-c000-000000000000"
  app_role            = "Calendars.Read"
}
"#;

fn assignments(p: &Project) -> Vec<serde_json::Value> {
    p.sim.snapshot()["entra"]["tenants"][0]["appRoleAssignments"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn application_permissions_are_assigned_replaced_and_removed() {
    // A realistic directory: new objects take a moment to replicate, and Graph throttles.
    let p = Project::with(
        APP_ROLES,
        SimConfig {
            graph_replication_lag: Duration::from_millis(1500),
            ..SimConfig::default()
        },
    )
    .await;
    p.sim.set_faults(Faults {
        graph_throttle_next: 2,
        graph_retry_after_seconds: 1,
        ..Faults::default()
    });
    p.apply_ok();
    let held = assignments(&p);
    assert_eq!(held.len(), 1);
    assert_eq!(held[0]["appRoleId"], "798ee544-9d2d-430c-a058-570e29e34338");
    assert_eq!(held[0]["principalType"], "ServicePrincipal");
    tokio::time::sleep(Duration::from_millis(1600)).await;
    p.assert_converged();

    // Another role: Graph cannot change an assignment, so it is replaced.
    p.write(
        "main.zen.hcl",
        &APP_ROLES.replace("Calendars.Read\"", "Place.Read.All\""),
    );
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(plan.contains("must be replaced"), "{plan}");
    assert!(
        plan.contains("app_role cannot be changed in place"),
        "{plan}"
    );
    p.sim.clear_requests();
    p.apply_ok();
    let writes = p.graph_writes();
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert!(writes[0].starts_with(&format!(
        "DELETE /v1.0/servicePrincipals/{}/appRoleAssignedTo/",
        zentra_test_support::entra::GRAPH_SP
    )));
    assert_eq!(
        writes[1],
        format!(
            "POST /v1.0/servicePrincipals/{}/appRoleAssignedTo",
            zentra_test_support::entra::GRAPH_SP
        )
    );
    assert_eq!(
        assignments(&p)[0]["appRoleId"],
        "913b9306-0ce1-42b8-9137-6a7df690a760"
    );
    tokio::time::sleep(Duration::from_millis(1600)).await;

    // Revoked in the portal: planned again.
    let id = assignments(&p)[0]["id"].as_str().unwrap().to_string();
    p.sim
        .patch_state(
            "DELETE",
            &format!(
                "graph/servicePrincipals/{}/appRoleAssignedTo/{id}",
                zentra_test_support::entra::GRAPH_SP
            ),
            json!({}),
        )
        .unwrap();
    let (_, plan, _) = p.plan();
    assert!(
        plan.contains("+ resource \"azuread_app_role_assignment\""),
        "{plan}"
    );
    p.apply_ok();
    tokio::time::sleep(Duration::from_millis(1600)).await;

    // Removed from the configuration: the assignment goes, the service principal stays.
    p.write(
        "main.zen.hcl",
        APP_ROLES
            .split("resource \"azuread_app_role_assignment\"")
            .next()
            .unwrap(),
    );
    p.apply_ok();
    assert!(assignments(&p).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_assignment_is_adopted_and_unknown_roles_fail_the_plan() {
    let p = Project::new(APP_ROLES).await;
    let sp = p
        .sim
        .patch_state(
            "POST",
            "graph/servicePrincipals",
            json!({"appId": ZOOM_ROOMS_APP}),
        )
        .unwrap();
    p.sim
        .patch_state(
            "POST",
            &format!(
                "graph/servicePrincipals/{}/appRoleAssignedTo",
                zentra_test_support::entra::GRAPH_SP
            ),
            json!({"principalId": sp["id"], "appRoleId": "798ee544-9d2d-430c-a058-570e29e34338"}),
        )
        .unwrap();
    let (status, plan, _) = p.plan();
    assert_eq!(
        status, 2,
        "both already are as configured, to be adopted: {plan}"
    );
    assert!(
        plan.contains("# azuread_app_role_assignment.calendars will be adopted (id "),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 2 to adopt, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    p.apply_ok();
    assert!(p.graph_writes().is_empty(), "{:?}", p.graph_writes());
    assert_eq!(assignments(&p).len(), 1);
    p.assert_converged();

    let typo = Project::new(&APP_ROLES.replace("Calendars.Read\"", "Calendars.Raed\"")).await;
    typo.sim
        .patch_state(
            "POST",
            "graph/servicePrincipals",
            json!({"appId": ZOOM_ROOMS_APP}),
        )
        .unwrap();
    let out = typo.run(&["plan"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("`Calendars.Raed` is not an application permission Microsoft Graph publishes"),
        "{err}"
    );
    assert!(err.contains("did you mean `Calendars.Read`?"), "{err}");
}
