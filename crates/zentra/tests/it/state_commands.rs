//! `zentra state list|show|rm|mv` against the emulator: reading what state records, forgetting
//! a resource (the object stays and the next plan adopts it again), and renaming an address.

use zentra_test_support::{Project, code, stderr, stdout};

const CONFIG: &str = r#"
provider "zoom" {}

resource "zoom_group" "pilot" {
  name = "SSO pilot"
}

resource "zoom_group_settings" "pilot" {
  group_id = zoom_group.pilot.id
  in_meeting {
    chat = false
  }
}
"#;

fn serial(p: &Project) -> u64 {
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path().join("zentra.state.json")).unwrap())
            .unwrap();
    state["serial"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_lists_shows_forgets_and_moves_resources() {
    let p = Project::new(CONFIG).await;
    p.apply_ok();
    let id = p.state_id("zoom_group.pilot");

    let out = p.run(&["state", "list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "zoom_group.pilot\nzoom_group_settings.pilot\n"
    );
    let out = p.run(&["state", "list", "zoom_group_settings"]);
    assert_eq!(stdout(&out), "zoom_group_settings.pilot\n");

    let out = p.run(&["state", "show", "zoom_group.pilot"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "# zoom_group.pilot (id {id}, provider zoom; created by zentra"
        )),
        "{text}"
    );
    assert!(text.contains("  name          = \"SSO pilot\"\n"), "{text}");
    let out = p.run(&["state", "show", "zoom_group.pilots"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("did you mean `zoom_group.pilot`?"),
        "{}",
        stderr(&out)
    );

    // A move keeps the type, follows references, and the renamed block plans nothing.
    let out = p.run(&["state", "mv", "zoom_group.pilot", "zoom_role.pilot"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("keeps the resource's type"),
        "{}",
        stderr(&out)
    );
    let before = serial(&p);
    let out = p.run(&["state", "mv", "zoom_group.pilot", "zoom_group.sso_pilot"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(serial(&p), before + 1);
    assert!(p.path().join("zentra.state.json.backup").exists());
    p.write_config(
        &CONFIG
            .replace("pilot\" {\n  name", "sso_pilot\" {\n  name")
            .replace("zoom_group.pilot.id", "zoom_group.sso_pilot.id"),
    );
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 0, "{text}");

    // Forgetting leaves the object; the block still there adopts it again.
    let out = p.run(&[
        "state",
        "rm",
        "zoom_group.sso_pilot",
        "zoom_group_settings.pilot",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(p.group("SSO pilot").is_some(), "the group is left as it is");
    let out = p.run(&["state", "list"]);
    assert_eq!(stdout(&out), "");
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2, "{text}");
    assert!(
        text.contains("# zoom_group.sso_pilot will be adopted"),
        "{text}"
    );
    let out = p.run(&["state", "rm", "zoom_group.nothing"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("has no `zoom_group.nothing`"),
        "{}",
        stderr(&out)
    );
    assert!(
        p.writes().iter().all(|w| !w.starts_with("DELETE")),
        "{:?}",
        p.writes()
    );
}
