//! `import` blocks and `zentra import ADDRESS ID` against the emulator: an existing object
//! named by its id is planned as "will be imported", taken over with no write, and an id that
//! names nothing is refused where the block is written.

use zentra_test_support::{Project, code, stderr, stdout};

fn group_config(id: &str) -> String {
    format!(
        r#"provider "zoom" {{}}

resource "zoom_group" "sales" {{
  name = "Sales"
}}

import {{
  to = zoom_group.sales
  id = "{id}"
}}
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_block_takes_an_existing_group_over_without_a_write() {
    let p = Project::new("").await;
    let id = p.group("Sales").expect("the demo account has Sales")["id"]
        .as_str()
        .unwrap()
        .to_string();
    p.write_config(&group_config(&id));
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2, "an import is a change to record: {text}");
    assert!(
        text.contains(&format!(
            "# zoom_group.sales will be imported (id {id}), no write"
        )),
        "{text}"
    );
    assert!(text.contains("1 to adopt"), "{text}");
    p.apply_ok();
    assert!(p.writes().is_empty(), "{:?}", p.writes());
    let state = std::fs::read_to_string(p.path().join("zentra.state.json")).unwrap();
    assert!(state.contains("\"origin\": \"adopted\""), "{state}");
    assert_eq!(p.state_id("zoom_group.sales"), id);
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 0, "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_of_an_id_that_names_nothing_is_refused_at_its_block() {
    let p = Project::new(&group_config("no-such-group")).await;
    let (exit, out, err) = p.plan();
    assert_eq!(exit, 1, "{out}");
    assert!(
        err.contains("there is no zoom_group with id \"no-such-group\""),
        "{err}"
    );
    assert!(err.contains("main.zen.hcl:7:1"), "{err}");
    assert!(p.writes().is_empty());

    p.write_config("provider \"zoom\" {}\nimport {\n  to = zoom_group.other\n  id = \"x\"\n}\n");
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("`import` names `zoom_group.other`, which is not declared"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_command_records_one_object_and_refuses_an_unknown_id() {
    let p = Project::new(
        "provider \"zoom\" {}\n\nresource \"zoom_group\" \"sales\" {\n  name = \"Sales\"\n}\n",
    )
    .await;
    let id = p.group("Sales").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let out = p.run(&["import", "zoom_group.sales", "nope"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("there is no zoom_group with id \"nope\""),
        "{}",
        stderr(&out)
    );
    assert!(!p.path().join("zentra.state.json").exists());

    let out = p.run(&["import", "zoom_group.sales", &id]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("Imported `zoom_group.sales`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.state_id("zoom_group.sales"), id);
    assert!(p.writes().is_empty(), "{:?}", p.writes());
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 0, "{text}");
}

/// An import block can name one instance of a `for_each` resource; the other instances are
/// created as usual.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_block_takes_over_one_instance_of_a_for_each_resource() {
    let p = Project::new("").await;
    let id = p.group("Sales").expect("the demo account has Sales")["id"]
        .as_str()
        .unwrap()
        .to_string();
    p.write_config(&format!(
        r#"provider "zoom" {{}}

resource "zoom_group" "team" {{
  for_each = {{ sales = "Sales", pilots = "Pilots" }}
  name     = each.value
}}

import {{
  to = zoom_group.team["sales"]
  id = "{id}"
}}
"#
    ));
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2, "{text}");
    assert!(
        text.contains(&format!(
            "# zoom_group.team[\"sales\"] will be imported (id {id}), no write"
        )),
        "{text}"
    );
    assert!(
        text.contains("# zoom_group.team[\"pilots\"] will be created"),
        "{text}"
    );
    p.apply_ok();
    assert_eq!(p.state_id("zoom_group.team[\"sales\"]"), id);
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 0, "{text}");

    p.write_config(
        "provider \"zoom\" {}\nresource \"zoom_group\" \"team\" {\n  for_each = toset([\"a\"])\n  name = each.key\n}\nimport {\n  to = zoom_group.team[\"b\"]\n  id = \"x\"\n}\n",
    );
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("zoom_group.team[\"b\"]"),
        "{}",
        stderr(&out)
    );
}
