//! End to end: `moved` blocks take state entries to new addresses (a renamed block, a block
//! given `for_each`) without any API call, and are checked as Terraform checks them.

use zentra_test_support::{Project, code, stderr, stdout};

const BEFORE: &str = r#"
provider "zoom" {}

resource "zoom_group" "pilot" {
  name = "SSO pilot"
}
"#;

const AFTER: &str = r#"
provider "zoom" {}

resource "zoom_group" "pilots" {
  for_each = toset(["SSO pilot"])
  name     = each.key
}

moved {
  from = zoom_group.pilot
  to   = zoom_group.pilots["SSO pilot"]
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_block_renames_the_state_entry_and_touches_nothing() {
    let p = Project::new(BEFORE).await;
    p.apply_ok();
    let id = p.state_id("zoom_group.pilot");

    p.write_config(AFTER);
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2, "a move is a change to state: {text}");
    assert!(
        text.contains(r#"# zoom_group.pilot has moved to zoom_group.pilots["SSO pilot"]"#),
        "{text}"
    );
    assert!(!text.contains("will be deleted"), "{text}");
    assert!(!text.contains("will be created"), "{text}");
    let json = p.plan_json();
    let change = json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == r#"zoom_group.pilots["SSO pilot"]"#)
        .expect("the moved instance");
    assert_eq!(change["previous_address"], "zoom_group.pilot");
    assert_eq!(change["change"]["actions"], serde_json::json!(["no-op"]));

    let before = p.writes().len();
    p.apply_ok();
    assert_eq!(p.writes().len(), before, "no API write: {:?}", p.writes());
    assert_eq!(p.state_id(r#"zoom_group.pilots["SSO pilot"]"#), id);
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_between_types_twice_or_from_a_declared_block_are_refused() {
    let p = Project::new(
        r#"
provider "zoom" {}

resource "zoom_group" "a" {
  name = "A"
}

resource "zoom_role" "b" {
  name = "B"
}

moved {
  from = zoom_group.old
  to   = zoom_role.b
}

moved {
  from = zoom_group.a
  to   = zoom_group.c
}

moved {
  from = zoom_group.x
  to   = zoom_group.a
}

moved {
  from = zoom_group.x
  to   = zoom_group.y
}
"#,
    )
    .await;
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("Resource type mismatch"), "{err}");
    assert!(err.contains("main.zen.hcl:12:1"), "{err}");
    assert!(err.contains("Moved object still exists"), "{err}");
    assert!(err.contains("Ambiguous move statements"), "{err}");
}
