//! The consent settings end to end against the emulator: the user consent policy (switching
//! from "all apps" to "Zoom app only" plans the minimal change and keeps Teams'
//! resource-specific consent), the admin consent workflow (PUT semantics, reviewers, drift),
//! and missing permissions pointing at `zentra permissions`.

use serde_json::json;
use zentra_sim::{Seed, SimConfig};
use zentra_test_support::{Project, code, root, stderr, stdout};

const TEAM: &str =
    "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team";

fn recommended_consent_seed() -> Seed {
    let mut seed = Seed::default_demo();
    seed.entra.tenants[0].authorization_policy = serde_json::from_value(json!({
        "defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": [
            "ManagePermissionGrantsForSelf.microsoft-user-default-recommended", TEAM]}
    }))
    .unwrap();
    seed
}

fn example_config(name: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(name).join("main.zen.hcl")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_from_all_apps_to_zoom_only_plans_the_minimal_change() {
    let p = Project::example_with(
        "azure-consent-all-apps",
        SimConfig {
            seed: recommended_consent_seed(),
            ..SimConfig::default()
        },
    )
    .await;
    p.apply_ok();
    p.assert_converged();
    p.sim.clear_requests();

    p.write("main.zen.hcl", &example_config("azure-consent-zoom-only"));
    let (status, plan, err) = p.plan();
    assert_eq!(status, 2, "{plan}\n{err}");
    // The consent policy changes in exactly one attribute; the rest is new.
    let policy_block = plan
        .split("# azuread_user_consent_policy.tenant will be updated in place")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_default();
    assert_eq!(
        policy_block.lines().filter(|l| l.contains(" = ")).count(),
        1,
        "{plan}"
    );
    assert!(
        policy_block.contains("~ user_consent = \"all_apps\" -> \"disabled\""),
        "{plan}"
    );
    assert!(
        plan.contains("+ resource \"azuread_service_principal\" \"zoom\""),
        "{plan}"
    );
    assert!(
        plan.contains(
            "+ resource \"azuread_delegated_permission_grant\" \"zoom_calendar_contacts\""
        ),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 2 to add, 2 to change, 0 to destroy."),
        "{plan}"
    );
    assert!(p.graph_writes().is_empty(), "planning writes nothing");

    p.apply_ok();
    let mut writes = p.graph_writes();
    writes.sort();
    assert_eq!(
        writes,
        [
            "PATCH /v1.0/policies/authorizationPolicy",
            "POST /v1.0/oauth2PermissionGrants",
            "POST /v1.0/servicePrincipals",
            "PUT /v1.0/policies/adminConsentRequestPolicy",
        ]
    );
    // The PATCH replaced only the user consent entry: Teams' entry is kept.
    let patch = p
        .graph_requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap();
    assert_eq!(
        patch.body.unwrap(),
        json!({"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": [TEAM]}})
    );
    p.assert_converged();
}

const WORKFLOW: &str = r#"
provider "azuread" {}

resource "azuread_admin_consent_request_policy" "workflow" {
  enabled               = true
  notify_reviewers      = true
  reminders_enabled     = false
  request_duration_days = 7
  reviewer_user_ids     = ["4e8a1d3c-6b2f-4a7d-9e5c-8f1b3d6a2e94"]
  reviewer_roles        = ["Cloud Application Administrator"]
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_consent_workflow_is_put_whole_and_drift_is_corrected() {
    let p = Project::new(WORKFLOW).await;
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(plan.contains("~ enabled = false -> true"), "{plan}");
    p.apply_ok();
    let snapshot = p.sim.snapshot();
    let policy = &snapshot["entra"]["tenants"][0]["adminConsentRequestPolicy"];
    assert_eq!(policy["isEnabled"], true);
    assert_eq!(policy["requestDurationInDays"], 7);
    let queries: Vec<&str> = policy["reviewers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["query"].as_str().unwrap())
        .collect();
    assert_eq!(
        queries,
        [
            "/users/4e8a1d3c-6b2f-4a7d-9e5c-8f1b3d6a2e94",
            "/beta/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '158c047a-c907-4556-b7ef-446551a6b5f7'"
        ]
    );
    p.assert_converged();

    // An administrator adds a group reviewer and shortens the expiry in the portal.
    p.sim
        .patch_state(
            "PATCH",
            "graph/policies/adminConsentRequestPolicy",
            json!({"requestDurationInDays": 3, "reviewers": [
                {"query": "/users/4e8a1d3c-6b2f-4a7d-9e5c-8f1b3d6a2e94", "queryType": "MicrosoftGraph"},
                {"query": "/beta/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '158c047a-c907-4556-b7ef-446551a6b5f7'", "queryType": "MicrosoftGraph"},
                {"query": "/groups/0d8a3b52-1c4e-4f6a-9b7d-2e5f8c1a3d60/transitiveMembers/microsoft.graph.user", "queryType": "MicrosoftGraph"},
                {"query": "/directoryRoles/ab12cd34", "queryType": "MicrosoftGraph"}]}),
        )
        .unwrap();
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(plan.contains("changed outside zentra"), "{plan}");
    assert!(plan.contains("~ request_duration_days = 3 -> 7"), "{plan}");
    // Group reviewers are not managed by this configuration, so they are no change.
    assert!(!plan.contains("reviewer_group_ids"), "{plan}");
    p.sim.clear_requests();
    p.apply_ok();
    let put = p
        .graph_requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap()
        .body
        .unwrap();
    assert_eq!(put["requestDurationInDays"], 7);
    let kept: Vec<&str> = put["reviewers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["query"].as_str().unwrap())
        .collect();
    assert!(
        kept.iter().any(|q| q.starts_with("/groups/0d8a3b52")),
        "{kept:?}"
    );
    assert!(
        kept.contains(&"/directoryRoles/ab12cd34"),
        "unknown shapes kept: {kept:?}"
    );
    p.assert_converged();

    // Removing it from the configuration leaves the workflow as it is.
    p.write("main.zen.hcl", "provider \"azuread\" {}\n");
    let (_, plan, _) = p.plan();
    assert!(plan.contains("stop managing"), "{plan}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workflow_mistakes_are_reported_before_any_request() {
    let p =
        Project::new(&WORKFLOW.replace("request_duration_days = 7", "request_duration_days = 45"))
            .await;
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("at most 30"), "{}", stderr(&out));

    let p = Project::new(&WORKFLOW.replace(
        "\"Cloud Application Administrator\"",
        "\"Cloud Application Admin\"",
    ))
    .await;
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("main.zen.hcl:10:3"),
        "points at the attribute: {err}"
    );
    assert!(
        err.contains("\"Cloud Application Admin\" is neither"),
        "{err}"
    );
    assert!(
        err.contains("did you mean \"Cloud Application Administrator\""),
        "{err}"
    );
    assert!(p.sim.requests().is_empty());

    let p = Project::new(
        r#"
provider "azuread" {}
resource "azuread_admin_consent_request_policy" "workflow" {
  enabled           = true
  reviewer_user_ids = []
  reviewer_group_ids = []
  reviewer_roles    = []
}
"#,
    )
    .await;
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("nobody could approve"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_graph_permission_names_it_and_points_at_zentra_permissions() {
    let mut seed = Seed::default_demo();
    seed.entra.tenants[0].client_apps[0]
        .app_roles
        .retain(|r| r != "Policy.ReadWrite.ConsentRequest");
    let p = Project::seeded(WORKFLOW, seed).await;
    let (status, _, _) = p.plan();
    assert_eq!(status, 2, "reading needs only Policy.Read.All");
    let out = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("Authorization_RequestDenied"), "{err}");
    assert!(err.contains("request id"), "{err}");
    assert!(err.contains("`Policy.ReadWrite.ConsentRequest`"), "{err}");
    assert!(err.contains("`zentra permissions`"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_consent_changed_in_the_portal_is_drift_and_is_put_back() {
    let p = Project::new(
        r#"
provider "azuread" {}
resource "azuread_user_consent_policy" "tenant" {
  user_consent                      = "low_risk"
  allow_user_consent_for_risky_apps = false
}
"#,
    )
    .await;
    p.apply_ok();
    p.assert_converged();
    // An administrator lets Microsoft manage consent and allows risky apps, in the portal.
    p.sim
        .patch_state(
            "PATCH",
            "graph/policies/authorizationPolicy",
            json!({"allowUserConsentForRiskyApps": true, "defaultUserRolePermissions": {
                "permissionGrantPoliciesAssigned": [
                    "ManagePermissionGrantsForSelf.microsoft-user-default-recommended",
                    "ManagePermissionGrantsForSelf.microsoft-user-default-allow-consent-apps",
                    TEAM]}}),
        )
        .unwrap();
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(plan.contains("changed outside zentra"), "{plan}");
    assert!(
        plan.contains("~ user_consent = \"microsoft_managed\" -> \"low_risk\""),
        "{plan}"
    );
    assert!(
        plan.contains("~ allow_user_consent_for_risky_apps = true -> false"),
        "{plan}"
    );
    p.apply_ok();
    assert_eq!(
        p.sim.graph_authorization_policy()["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"],
        json!([
            TEAM,
            "ManagePermissionGrantsForSelf.microsoft-user-default-low"
        ])
    );
    p.assert_converged();
}

/// A policy entry of no kind zentra knows (Graph's "Get authorizationPolicy" example lists
/// `"just-user-read"`) reads as `custom`, named in the plan, never as "disabled": a
/// configuration asking for `disabled` is a change, and applying it replaces the entry while
/// keeping Teams' resource-specific consent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_consent_entries_read_as_custom_and_are_replaced_only_when_configured() {
    let mut seed = Seed::default_demo();
    seed.entra.tenants[0].authorization_policy = serde_json::from_value(json!({
        "allowUserConsentForRiskyApps": true,
        "defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": ["just-user-read", TEAM]}
    }))
    .unwrap();
    let config = r#"
provider "azuread" {}

resource "azuread_user_consent_policy" "tenant" {
  user_consent                      = "CONSENT"
  allow_user_consent_for_risky_apps = false
}
"#;
    let p = Project::seeded(&config.replace("CONSENT", "disabled"), seed).await;
    let (status, plan, err) = p.plan();
    assert_eq!(status, 2, "{plan}\n{err}");
    assert!(
        plan.contains("~ user_consent = \"custom\" -> \"disabled\" # was policies: just-user-read"),
        "{plan}"
    );
    let json_plan = stdout(&p.run(&["plan", "--json"]));
    let plan_value: serde_json::Value = serde_json::from_str(&json_plan).unwrap();
    let tenant = plan_value["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "azuread_user_consent_policy.tenant")
        .unwrap();
    let consent = tenant["zentra"]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == "user_consent")
        .cloned()
        .unwrap();
    assert_eq!(consent["before"], "custom");
    assert_eq!(consent["labels"]["custom"], "policies: just-user-read");

    p.apply_ok();
    let policy = p.sim.graph_authorization_policy();
    assert_eq!(
        policy["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"],
        json!([TEAM]),
        "the unknown entry is replaced, Teams' entry kept"
    );
    p.assert_converged();

    // Put back outside zentra: drift, shown as custom again.
    p.sim
        .patch_state(
            "PATCH",
            "graph/policies/authorizationPolicy",
            json!({"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": ["just-user-read", TEAM]}}),
        )
        .unwrap();
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(plan.contains("# was policies: just-user-read"), "{plan}");
}
