//! End to end: `check` blocks, assertions about live data evaluated after plan and apply, are
//! warnings with their own line in the plan, in Terraform's JSON `checks`, and after apply; a
//! failed check never fails the run.

use zentra_test_support::{Project, code, stderr, stdout};

const CONFIG: &str = r#"
provider "zoom" {}

resource "zoom_group" "pilot" {
  name = "SSO pilot"
}

check "pilot_has_members" {
  assert {
    condition     = zoom_group.pilot.total_members > 0
    error_message = "the group ${zoom_group.pilot.name} has no members yet"
  }
}
"#;

const SCOPED_DATA: &str = r#"
check "pilot_is_found_by_name" {
  data "zoom_group" "seen" {
    name = "SSO pilot"
  }
  assert {
    condition     = data.zoom_group.seen.id == zoom_group.pilot.id
    error_message = "another group answers to the pilot's name"
  }
}
"#;

fn check<'a>(json: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"]["to_display"] == format!("check.{name}"))
        .unwrap_or_else(|| panic!("check.{name} in {}", json["checks"]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_are_unknown_before_apply_and_warn_after_without_failing_anything() {
    let p = Project::new(CONFIG).await;
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(
        text.contains("check.pilot_has_members is decided after apply"),
        "{text}"
    );
    let json = p.plan_json();
    assert_eq!(check(&json, "pilot_has_members")["status"], "unknown");

    let out = p.run(&["apply", "--auto-approve"]);
    assert_eq!(
        code(&out),
        0,
        "a failed check is a warning: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(
            "check.pilot_has_members failed after apply: the group SSO pilot has no members yet"
        ),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );

    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 0, "a failed check is no change: {text}");
    assert!(
        text.contains(
            "Warning: check.pilot_has_members failed: the group SSO pilot has no members yet"
        ),
        "{text}"
    );
    let json = p.plan_json();
    let c = check(&json, "pilot_has_members");
    assert_eq!(c["status"], "fail");
    assert_eq!(c["address"]["kind"], "check");
    assert_eq!(
        c["instances"][0]["problems"][0]["message"],
        "the group SSO pilot has no members yet"
    );

    // A check's own data source is read like any other.
    p.write_config(&format!("{CONFIG}{SCOPED_DATA}"));
    let json = p.plan_json();
    assert_eq!(check(&json, "pilot_is_found_by_name")["status"], "pass");
    assert_eq!(check(&json, "pilot_has_members")["status"], "fail");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_without_assert_or_with_a_wrong_reference_is_an_error_at_its_location() {
    let p = Project::new(
        r#"
provider "zoom" {}

check "empty" {
}

check "typo" {
  assert {
    condition     = zoom_group.nothere.total_members > 0
    error_message = "x"
  }
}
"#,
    )
    .await;
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("check `empty` has no `assert` block"), "{err}");
    assert!(err.contains("main.zen.hcl:4:1"), "{err}");
}
