//! End to end against the emulator: blocks with `for_each` and `count` — instances by key,
//! references between instances, removing one key, and the instances' addresses in plans, JSON
//! and state.

use zentra_test_support::{Project, code, stderr, stdout};

const GROUPS: &str = r#"
provider "zoom" {}

variable "regions" {
  type = map(string)
  default = {
    emea = "SSO pilot EMEA"
    amer = "SSO pilot AMER"
  }
}

resource "zoom_group" "pilot" {
  for_each = var.regions
  name     = each.value
}

resource "zoom_group_settings" "pilot" {
  for_each = zoom_group.pilot
  group_id = each.value.id
  in_meeting {
    chat = each.key == "emea"
  }
}

resource "zoom_group" "wave" {
  count = 2
  name  = "Rollout wave ${count.index + 1}"
}

output "emea_group" {
  value = zoom_group.pilot["emea"].id
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn for_each_and_count_create_one_object_per_instance_and_converge() {
    let p = Project::new(GROUPS).await;
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    for addr in [
        r#"zoom_group.pilot["emea"] will be created"#,
        r#"zoom_group.pilot["amer"] will be created"#,
        r#"zoom_group_settings.pilot["emea"] will be created"#,
        "zoom_group.wave[0] will be created",
        "zoom_group.wave[1] will be created",
    ] {
        assert!(text.contains(addr), "{addr} in\n{text}");
    }
    assert!(
        text.contains("Plan: 6 to add, 0 to change, 0 to destroy."),
        "{text}"
    );

    let json = p.plan_json();
    let change = json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == r#"zoom_group.pilot["emea"]"#)
        .expect("the instance is in the JSON plan");
    assert_eq!(change["name"], "pilot");
    assert_eq!(change["type"], "zoom_group");
    assert_eq!(change["index"], "emea");
    let wave = json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "zoom_group.wave[1]")
        .unwrap();
    assert_eq!(wave["index"], 1);

    p.apply_ok();
    assert!(p.group("SSO pilot EMEA").is_some());
    assert!(p.group("SSO pilot AMER").is_some());
    assert!(p.group("Rollout wave 1").is_some());
    assert!(p.group("Rollout wave 2").is_some());
    let emea = p.group("SSO pilot EMEA").unwrap();
    assert_eq!(emea["settings"]["in_meeting"]["chat"], true);
    let amer = p.group("SSO pilot AMER").unwrap();
    assert_eq!(amer["settings"]["in_meeting"]["chat"], false);
    assert_eq!(
        p.state_id(r#"zoom_group.pilot["emea"]"#),
        emea["id"].as_str().unwrap()
    );
    p.assert_converged();

    // Dropping a key deletes only that instance (zentra created it); its settings, a
    // singleton, are forgotten.
    p.write_config(&GROUPS.replace("    amer = \"SSO pilot AMER\"\n", ""));
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(
        text.contains(r#"zoom_group.pilot["amer"] will be deleted"#),
        "{text}"
    );
    assert!(
        text.contains("Plan: 0 to add, 0 to change, 1 to destroy, 1 to stop managing."),
        "{text}"
    );
    p.apply_ok();
    assert!(p.group("SSO pilot AMER").is_none());
    assert!(p.group("SSO pilot EMEA").is_some());
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn for_each_over_values_known_only_after_apply_is_refused_where_it_is_written() {
    let p = Project::new(
        r#"
provider "zoom" {}

resource "zoom_group" "base" {
  name = "Base"
}

resource "zoom_group" "copies" {
  for_each = toset([zoom_group.base.id])
  name     = each.key
}
"#,
    )
    .await;
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("Invalid for_each argument"), "{err}");
    assert!(err.contains("main.zen.hcl:9:14"), "{err}");
    assert!(
        err.contains("define the map keys statically"),
        "the hint says what to do: {err}"
    );
    assert!(p.writes().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_outside_a_block_with_for_each_is_an_error_at_its_location() {
    let p = Project::new(
        r#"
provider "zoom" {}

resource "zoom_group" "pilot" {
  for_each = toset(["emea"])
  name     = each.key
}

resource "zoom_group" "other" {
  name = "${each.key} ${zoom_group.pilot["apac"].id}"
}
"#,
    )
    .await;
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("`each` is only available in a block with `for_each`"),
        "{err}"
    );
    assert!(err.contains("main.zen.hcl:10:"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignore_changes_sets_an_attribute_on_create_and_never_compares_it_again() {
    let config = r#"
provider "zoom" {}

resource "zoom_group_settings" "pilot" {
  group_id = zoom_group.pilot.id
  in_meeting {
    chat = CHAT
  }
  lifecycle {
    ignore_changes = [in_meeting.chat]
  }
}

resource "zoom_group" "pilot" {
  name = "SSO pilot"
}
"#;
    let p = Project::new(&config.replace("CHAT", "false")).await;
    p.apply_ok();
    let group = p.group("SSO pilot").unwrap();
    assert_eq!(
        group["settings"]["in_meeting"]["chat"], false,
        "used on create"
    );
    p.assert_converged();

    // Changed in the configuration: not compared, not written.
    p.write_config(&config.replace("CHAT", "true"));
    p.assert_converged();
    p.apply_ok();
    let group = p.group("SSO pilot").unwrap();
    assert_eq!(group["settings"]["in_meeting"]["chat"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_regional_pilots_example_converges_and_its_check_warns() {
    let p = Project::example("regional-pilots").await;
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(
        text.contains("Plan: 11 to add, 0 to change, 0 to destroy."),
        "{text}"
    );
    let out = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("check.pilots_have_members failed after apply"),
        "{}",
        stderr(&out)
    );
    for name in ["SSO pilot EMEA", "SSO pilot AMER", "SSO pilot APAC"] {
        let group = p.group(name).expect(name);
        assert_eq!(
            group["lock_settings"]["meeting_security"]["waiting_room"],
            true
        );
    }
    assert!(p.group("SSO rollout wave 2").is_some());
    p.assert_converged();
}
