//! End to end against the emulator: data sources read while applying — when something they
//! depend on changes in the run, or their arguments are known only then — and `depends_on` on
//! data sources and outputs.

use zentra_test_support::{Project, code, stderr, stdout};

const READ_AFTER_CREATE: &str = r#"
provider "zoom" {}

resource "zoom_group" "pilot" {
  name = "SSO pilot"
}

# Looked up by name: the group exists only once `zoom_group.pilot` is applied.
data "zoom_group" "pilot" {
  name       = "SSO pilot"
  depends_on = [zoom_group.pilot]
}

resource "zoom_group_settings" "pilot" {
  group_id = data.zoom_group.pilot.id
  meeting_security {
    waiting_room = true
  }
}

output "pilot_id" {
  value      = data.zoom_group.pilot.id
  depends_on = [zoom_group_settings.pilot]
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_source_that_depends_on_a_change_is_read_during_apply() {
    let p = Project::new(READ_AFTER_CREATE).await;
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2, "{text}");
    assert!(
        text.contains("# data.zoom_group.pilot will be read during apply"),
        "{text}"
    );
    assert!(
        text.contains("(it depends on `zoom_group.pilot`, which changes in this run)"),
        "{text}"
    );
    assert!(text.contains("<= read (data sources)"), "{text}");
    let json = p.plan_json();
    let read = json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "data.zoom_group.pilot")
        .expect("the data source in the JSON plan");
    assert_eq!(read["change"]["actions"], serde_json::json!(["read"]));
    assert_eq!(read["action_reason"], "read_because_dependency_pending");

    let applied = p.apply_ok();
    let group = p.group("SSO pilot").expect("created");
    assert_eq!(group["settings"]["meeting_security"]["waiting_room"], true);
    assert!(
        applied.contains(&format!("pilot_id = \"{}\"", group["id"].as_str().unwrap())),
        "{applied}"
    );
    // Nothing changes any more: the data source is read while planning again.
    p.assert_converged();
    let (_, text) = p.plan_ok();
    assert!(!text.contains("read during apply"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_source_that_finds_nothing_during_apply_stops_what_comes_after_it() {
    let p = Project::new(&READ_AFTER_CREATE.replace(
        "  name       = \"SSO pilot\"\n  depends_on",
        "  name       = \"No such group\"\n  depends_on",
    ))
    .await;
    let out = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("data source `data.zoom_group.pilot` found nothing"),
        "{err}"
    );
    assert!(err.contains("main.zen.hcl:9:1"), "{err}");
    // The group before it was created; the settings after it were not written.
    assert!(p.group("SSO pilot").is_some());
    assert!(
        !p.zoom_writes().iter().any(|w| w.contains("/settings")),
        "{:?}",
        p.zoom_writes()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn depends_on_naming_nothing_declared_is_an_error_at_its_place() {
    let p = Project::new(
        r#"
provider "zoom" {}

resource "zoom_group" "pilot" {
  name = "SSO pilot"
}

output "id" {
  value      = zoom_group.pilot.id
  depends_on = [zoom_group.pilto]
}
"#,
    )
    .await;
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("reference to undeclared resource `zoom_group.pilto`"),
        "{err}"
    );
    assert!(err.contains("main.zen.hcl:10:17"), "{err}");
    assert!(err.contains("did you mean `zoom_group.pilot`?"), "{err}");
}
