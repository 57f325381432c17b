//! End to end against the emulator: plans as a reviewer and a drift job read them — lists
//! element by element, drift with the live value, ids with their names, objects deleted or
//! replaced outside zentra counted as drift, and saved plans that go stale only when something
//! they depend on changed.

use serde_json::{Value, json};
use zentra_test_support::{Project, code, stderr, stdout};

const QUICKSTART: &str = include_str!("../../../../examples/quickstart/main.zen.hcl");

const GROUP: &str =
    "provider \"zoom\" {}\nresource \"zoom_group\" \"pilot\" {\n  name = \"SSO pilot\"\n}\n";

/// zentra's view of the change of `address` (under `zentra` in Terraform's `resource_changes`).
fn change<'a>(plan: &'a Value, address: &str) -> &'a Value {
    &terraform_change(plan, address)["zentra"]
}

/// The Terraform-format change of `address`.
fn terraform_change<'a>(plan: &'a Value, address: &str) -> &'a Value {
    plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == address)
        .unwrap_or_else(|| panic!("{address} in {plan}"))
}

/// The plan's summary (under `zentra`).
fn summary(plan: &Value) -> &Value {
    &plan["zentra"]["summary"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_set_shows_the_elements_added_and_removed_and_hides_the_rest() {
    let p = Project::new(QUICKSTART).await;
    let (_, first) = p.plan_ok();
    assert!(
        first.contains(
            "+ scopes = [\n          + \"openid\",\n          + \"profile\",\n          + \"email\",\n          + \"offline_access\",\n          + \"User.Read\",\n          + \"Calendars.ReadWrite\",\n          + \"Contacts.Read\",\n        ]\n"
        ),
        "a create lists every element:\n{first}"
    );
    p.apply_ok();
    p.write_config(&QUICKSTART.replace("\"Contacts.Read\"", "\"Mail.Read\""));
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2, "{text}");
    assert!(
        text.contains(
            "  ~ resource \"azuread_delegated_permission_grant\" \"zoom_calendar\" {\n      ~ scopes = [\n          + \"Mail.Read\",\n          - \"Contacts.Read\",\n            # (6 unchanged elements hidden)\n        ]\n    }\n"
        ),
        "{text}"
    );
    let plan = p.plan_json();
    let scopes =
        &change(&plan, "azuread_delegated_permission_grant.zoom_calendar")["attributes"][0];
    assert_eq!(scopes["path"], "scopes");
    assert_eq!(scopes["set"], true, "the JSON says how elements compare");
    assert!(
        scopes["before"]
            .as_array()
            .unwrap()
            .contains(&json!("Contacts.Read"))
    );
    assert!(
        scopes["after"]
            .as_array()
            .unwrap()
            .contains(&json!("Mail.Read"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_lists_only_what_it_sets() {
    let p = Project::new(QUICKSTART).await;
    let (_, text) = p.plan_ok();
    let grant = text
        .split("# azuread_delegated_permission_grant.zoom_calendar will be created")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        !grant.contains("user_object_id"),
        "an optional attribute left null is not shown:\n{text}"
    );
    assert!(
        grant.contains("+ resource_object_id = (known after apply)"),
        "computed values still are:\n{text}"
    );
    assert!(
        grant.contains(
            "+ resource_app_id = \"00000003-0000-0000-c000-000000000000\"  # Microsoft Graph\n"
        ),
        "the resource app is named after its service principal:\n{text}"
    );
    let plan = p.plan_json();
    let attributes =
        change(&plan, "azuread_delegated_permission_grant.zoom_calendar")["attributes"]
            .as_array()
            .unwrap();
    assert!(
        attributes.iter().all(|a| a["path"] != "user_object_id"),
        "{attributes:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_shows_the_live_value_and_is_counted_in_the_json_summary() {
    let p = Project::new(QUICKSTART).await;
    p.apply_ok();
    assert_eq!(summary(&p.plan_json())["drift"], 0);
    p.sim
        .patch_state(
            "PATCH",
            "zoom/accounts/me/settings",
            json!({"security": {"signin_with_sso": {"enable": false}}}),
        )
        .unwrap();
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(
        text.contains("! zoom_account_settings.sso: security.signin_with_sso.enable is false outside zentra (configuration says true)"),
        "{text}"
    );
    let plan = p.plan_json();
    assert_eq!(summary(&plan)["drift"], 1, "{}", summary(&plan));
    assert_eq!(summary(&plan)["change"], 1);
    // Terraform's `resource_drift`: as last applied, against as found.
    let drift = &plan["resource_drift"][0];
    assert_eq!(drift["address"], "zoom_account_settings.sso");
    assert_eq!(drift["change"]["actions"], json!(["update"]));
    assert_eq!(
        drift["change"]["before"]["security"][0]["signin_with_sso"][0]["enable"],
        true
    );
    assert_eq!(
        drift["change"]["after"]["security"][0]["signin_with_sso"][0]["enable"],
        false
    );
    assert_eq!(
        plan["relevant_attributes"][0]["attribute"],
        json!(["security", 0, "signin_with_sso", 0, "enable"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_resolved_from_names_show_with_their_names() {
    let config = r#"
provider "zoom" {}
provider "azuread" {}

resource "azuread_admin_consent_request_policy" "workflow" {
  enabled               = true
  request_duration_days = 7
  reviewer_roles        = ["Global Administrator", "Cloud Application Administrator"]
}

data "zoom_rooms_calendar_services" "o365" {
  email = "rooms.admin@contoso.com"
}

resource "zoom_rooms_calendar_resource" "huddle" {
  service_id = data.zoom_rooms_calendar_services.o365.ids[0]
  email      = "huddle.one@contoso.com"
}
"#;
    let p = Project::new(config).await;
    let (_, text) = p.plan_ok();
    assert!(
        text.contains("+ \"62e90394-69f5-4237-9190-012177145e10\", # Global Administrator\n")
            && text.contains(
                "+ \"158c047a-c907-4556-b7ef-446551a6b5f7\", # Cloud Application Administrator\n"
            ),
        "{text}"
    );
    assert!(
        text.contains("+ service_id = \"cS4nQ8wE2rT6yU0iO3pA7d\"  # rooms.admin@contoso.com\n"),
        "{text}"
    );
    let plan = p.plan_json();
    let roles = &change(&plan, "azuread_admin_consent_request_policy.workflow")["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == "reviewer_roles")
        .cloned()
        .unwrap();
    assert_eq!(
        roles["labels"]["62e90394-69f5-4237-9190-012177145e10"], "Global Administrator",
        "{roles}"
    );
    let service_id = change(&plan, "zoom_rooms_calendar_resource.huddle")["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == "service_id")
        .cloned()
        .unwrap();
    assert_eq!(
        service_id["labels"]["cS4nQ8wE2rT6yU0iO3pA7d"],
        "rooms.admin@contoso.com"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_deleted_outside_zentra_is_drift_and_created_again() {
    let p = Project::new(GROUP).await;
    p.apply_ok();
    let id = p.state_id("zoom_group.pilot");
    p.sim
        .patch_state(
            "DELETE",
            &format!("zoom/accounts/me/groups/{id}"),
            json!({}),
        )
        .unwrap();
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(
        text.contains(&format!(
            "! zoom_group.pilot: deleted outside zentra (it was {id})"
        )),
        "{text}"
    );
    assert!(
        text.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{text}"
    );
    let plan = p.plan_json();
    let pilot = change(&plan, "zoom_group.pilot");
    assert_eq!(pilot["action"], "create");
    assert_eq!(pilot["object_drift"]["kind"], "deleted");
    assert_eq!(pilot["object_drift"]["previous_id"], id.as_str());
    assert_eq!(summary(&plan)["drift"], 1);
    // In Terraform's terms: a create, and a deletion in `resource_drift`.
    assert_eq!(
        terraform_change(&plan, "zoom_group.pilot")["change"]["actions"],
        json!(["create"])
    );
    let drift = &plan["resource_drift"][0];
    assert_eq!(drift["address"], "zoom_group.pilot");
    assert_eq!(drift["change"]["actions"], json!(["delete"]));
    assert_eq!(drift["change"]["before"]["id"], id.as_str());
    assert_eq!(drift["change"]["after"], Value::Null);
    p.apply_ok();
    assert_ne!(p.state_id("zoom_group.pilot"), id);
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_deleted_and_created_again_in_the_portal_is_replaced_outside_zentra() {
    let p = Project::new(GROUP).await;
    p.apply_ok();
    let old = p.state_id("zoom_group.pilot");
    p.sim
        .patch_state(
            "DELETE",
            &format!("zoom/accounts/me/groups/{old}"),
            json!({}),
        )
        .unwrap();
    p.sim
        .patch_state(
            "POST",
            "zoom/accounts/me/groups",
            json!({"name": "SSO pilot"}),
        )
        .unwrap();
    let new = p.group("SSO pilot").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(old, new);
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2, "not a no-op:\n{text}");
    assert!(
        text.contains(&format!(
            "! zoom_group.pilot: replaced outside zentra ({old} is gone, {new} took its place)"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "~ id = \"{old}\" -> \"{new}\"  # replaced outside zentra"
        )),
        "{text}"
    );
    let plan = p.plan_json();
    let pilot = change(&plan, "zoom_group.pilot");
    // Nothing to write: the group that took the old one's place is adopted.
    assert_eq!(pilot["action"], "no_op");
    assert_eq!(pilot["adopt"]["id"], new.as_str());
    assert_eq!(pilot["id"], new.as_str());
    assert_eq!(pilot["object_drift"]["kind"], "replaced");
    assert_eq!(pilot["object_drift"]["previous_id"], old.as_str());
    assert_eq!(summary(&plan)["drift"], 1);
    let drift = &plan["resource_drift"][0];
    assert_eq!(drift["change"]["actions"], json!(["delete", "create"]));
    assert_eq!(drift["change"]["before"]["id"], old.as_str());
    assert_eq!(drift["change"]["after"]["id"], new.as_str());

    p.sim.clear_requests();
    p.apply_ok();
    assert!(
        p.zoom_writes().is_empty(),
        "nothing to change remotely: {:?}",
        p.zoom_writes()
    );
    assert_eq!(
        p.state_id("zoom_group.pilot"),
        new,
        "state takes the new id"
    );
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_principal_created_again_outside_zentra_is_replaced_outside_zentra() {
    let p = Project::new(QUICKSTART).await;
    p.apply_ok();
    let old = p.state_id("azuread_service_principal.zoom");
    p.sim
        .patch_state(
            "DELETE",
            &format!("graph/servicePrincipals/{old}"),
            json!({}),
        )
        .unwrap();
    let created = p
        .sim
        .patch_state(
            "POST",
            "graph/servicePrincipals",
            json!({"appId": "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"}),
        )
        .unwrap();
    let new = created["id"].as_str().unwrap().to_string();
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2, "{text}");
    assert!(
        text.contains(&format!(
            "! azuread_service_principal.zoom: replaced outside zentra ({old} is gone, {new} took its place)"
        )),
        "{text}"
    );
    p.apply_ok();
    assert_eq!(p.state_id("azuread_service_principal.zoom"), new);
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_survives_unrelated_changes_and_names_what_made_it_stale() {
    let p = Project::new(QUICKSTART).await;
    assert_eq!(code(&p.run(&["plan", "--out", "plan.zplan"])), 0);
    // A setting of the same account that the configuration does not manage.
    p.sim
        .patch_state(
            "PATCH",
            "zoom/accounts/me/settings",
            json!({"schedule_meeting": {"host_video": true}}),
        )
        .unwrap();
    let apply = p.run(&["apply", "plan.zplan"]);
    assert_eq!(
        code(&apply),
        0,
        "an unrelated setting leaves the plan valid:\n{}",
        stderr(&apply)
    );

    p.write_config(&QUICKSTART.replace("\"Contacts.Read\"", "\"Mail.Read\""));
    assert_eq!(code(&p.run(&["plan", "--out", "plan.zplan"])), 0);
    // What the plan changes, changed by someone else in the meantime.
    p.sim
        .patch_state(
            "PATCH",
            "zoom/accounts/me/settings",
            json!({"schedule_meeting": {"enforce_login": false}}),
        )
        .unwrap();
    p.sim.clear_requests();
    let stale = p.run(&["apply", "plan.zplan"]);
    assert_eq!(code(&stale), 1, "{}", stdout(&stale));
    assert!(
        stderr(&stale).contains(
            "the saved plan is stale: live values it depends on changed since this plan was made: zoom_account_settings.sso: schedule_meeting.enforce_login"
        ),
        "{}",
        stderr(&stale)
    );
    assert!(p.zoom_writes().is_empty(), "{:?}", p.zoom_writes());

    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(p.path().join("plan.zplan")).unwrap())
            .unwrap();
    let prints = &saved["live_fingerprints"]["zoom_account_settings.sso"];
    assert!(
        prints.get("schedule_meeting.enforce_login").is_some()
            && prints.get("schedule_meeting.host_video").is_none(),
        "only what the configuration manages is fingerprinted: {prints}"
    );
}
