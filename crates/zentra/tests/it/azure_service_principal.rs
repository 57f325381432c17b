//! Service principals end to end against the emulator: create, adopt, update, drift and
//! delete, visibility through `feature_tags`, and the lookup data source.

use serde_json::json;
use zentra_test_support::entra::ZOOM_APP;
use zentra_test_support::{Project, code, stderr, stdout};

const ZOOM: &str = r#"
provider "azuread" {}

resource "azuread_service_principal" "zoom" {
  app_id                       = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"
  app_role_assignment_required = false

  feature_tags {
    enterprise = true
    hide       = false
  }
}
"#;

fn zoom_sp(p: &Project) -> serde_json::Value {
    p.sim.snapshot()["entra"]["tenants"][0]["servicePrincipals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|sp| sp["appId"] == ZOOM_APP)
        .cloned()
        .unwrap_or(serde_json::Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_updated_drifted_and_deleted() {
    let p = Project::new(ZOOM).await;
    p.apply_ok();
    let sp = zoom_sp(&p);
    assert_eq!(
        sp["tags"],
        json!(["WindowsAzureActiveDirectoryIntegratedApp"])
    );
    p.assert_converged();

    // Hide it from My Apps: only the tags change, the enterprise tag stays.
    p.write(
        "main.zen.hcl",
        &ZOOM.replace("hide       = false", "hide       = true"),
    );
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(plan.contains("~ hide = false -> true"), "{plan}");
    p.sim.clear_requests();
    p.apply_ok();
    assert_eq!(
        p.graph_writes(),
        [format!(
            "PATCH /v1.0/servicePrincipals/{}",
            sp["id"].as_str().unwrap()
        )]
    );
    let patch = p
        .graph_requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap();
    assert_eq!(
        patch.body.unwrap(),
        json!({"tags": ["HideApp", "WindowsAzureActiveDirectoryIntegratedApp"]})
    );
    p.assert_converged();

    // Someone requires assignment in the portal, and adds a tag of their own.
    p.sim
        .patch_state(
            "PATCH",
            &format!("graph/servicePrincipals/{}", sp["id"].as_str().unwrap()),
            json!({"appRoleAssignmentRequired": true,
                   "tags": ["HideApp", "WindowsAzureActiveDirectoryIntegratedApp", "Team:Calendar"]}),
        )
        .unwrap();
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(
        plan.contains("~ app_role_assignment_required = true -> false"),
        "{plan}"
    );
    assert!(plan.contains("changed outside zentra"), "{plan}");
    p.apply_ok();
    assert_eq!(
        zoom_sp(&p)["tags"],
        json!([
            "HideApp",
            "WindowsAzureActiveDirectoryIntegratedApp",
            "Team:Calendar"
        ]),
        "feature tags leave other tags alone"
    );

    // Removed from the configuration: deleted.
    p.write("main.zen.hcl", "provider \"azuread\" {}\n");
    let (_, plan, _) = p.plan();
    assert!(plan.contains("will be deleted"), "{plan}");
    p.apply_ok();
    assert!(zoom_sp(&p).is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_service_principal_is_adopted_not_duplicated() {
    let p = Project::new(ZOOM).await;
    p.sim
        .patch_state(
            "POST",
            "graph/servicePrincipals",
            json!({"appId": ZOOM_APP, "tags": ["HideApp"]}),
        )
        .unwrap();
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(
        plan.contains("it will be adopted, not created again"),
        "{plan}"
    );
    assert!(plan.contains("~ enterprise = false -> true"), "{plan}");
    assert!(plan.contains("~ hide = true -> false"), "{plan}");
    p.apply_ok();
    assert!(
        !p.graph_writes().iter().any(|w| w.starts_with("POST")),
        "{:?}",
        p.graph_writes()
    );
    assert_eq!(
        zoom_sp(&p)["tags"],
        json!(["WindowsAzureActiveDirectoryIntegratedApp"])
    );
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_and_feature_tags_are_not_combined() {
    let p = Project::new(&ZOOM.replace(
        "app_role_assignment_required = false",
        "tags = [\"HideApp\"]",
    ))
    .await;
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("`tags` and `feature_tags` both manage"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lookup_data_source_reads_without_adopting() {
    let p = Project::new(
        r#"
provider "azuread" {}

data "azuread_well_known_applications" "ids" {}

data "azuread_service_principal" "graph" {
  app_id = data.azuread_well_known_applications.ids.microsoft_graph
}

output "graph" {
  value = data.azuread_service_principal.graph.object_id
}

output "calendars_read" {
  value = data.azuread_service_principal.graph.app_role_ids["Calendars.Read"]
}

output "calendars_read_write_scope" {
  value = data.azuread_service_principal.graph.oauth2_permission_scope_ids["Calendars.ReadWrite"]
}
"#,
    )
    .await;
    p.apply_ok();
    let out = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("graph = \"5b1e7c3a-9f2d-4e8b-a6c4-0d3f9e2b7a15\""),
        "{text}"
    );
    assert!(
        text.contains("calendars_read = \"798ee544-9d2d-430c-a058-570e29e34338\""),
        "{text}"
    );
    assert!(
        text.contains("calendars_read_write_scope = \"1ec239c2-d7c9-4623-a91a-a9775856bb36\""),
        "{text}"
    );
    assert!(p.graph_writes().is_empty(), "{:?}", p.graph_writes());
    // Dropping the data source never deletes the service principal.
    p.write("main.zen.hcl", "provider \"azuread\" {}\n");
    p.apply_ok();
    assert!(p.graph_writes().is_empty(), "{:?}", p.graph_writes());

    let missing = Project::new(
        r#"
provider "azuread" {}
data "azuread_service_principal" "nothing" {
  app_id = "11111111-2222-3333-4444-555555555555"
}
"#,
    )
    .await;
    let out = missing.run(&["plan"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("found nothing"), "{}", stderr(&out));
}
