//! What a hostile user or a hostile network may try, end to end against the emulator: labels
//! that are not names, files that are not files (pipes, devices, broken links, directories),
//! states that contradict themselves or were left half-written by a killed run, sensitive values
//! that could leak into plans and error messages, URLs that carry credentials, paging links
//! that lead out of the API, names no vendor takes, and creates whose answer was lost.

mod azure_support;
#[path = "support/conformance/mod.rs"]
mod conformance;
#[path = "support/traffic.rs"]
mod traffic;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use azure_support::{Project, code, stderr};
use serde_json::Value;

const GROUP: &str = r#"
provider "zoom" {}

resource "zoom_group" "sales" {
  name = "Field sales"
}
"#;

/// Every request to the vendor APIs, as `METHOD /path`.
fn api_calls(p: &Project) -> Vec<String> {
    p.sim
        .requests()
        .into_iter()
        .filter(|r| r.service == "zoom" || r.service == "graph")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn zoom_groups(p: &Project) -> Vec<Value> {
    p.sim.snapshot()["zoom"]["accounts"][0]["groups"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn group_named(p: &Project, name: &str) -> Option<Value> {
    zoom_groups(p).into_iter().find(|g| g["name"] == name)
}

fn state(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("zentra.state.json")).unwrap()).unwrap()
}

fn write_state(dir: &Path, state: &Value) {
    std::fs::write(
        dir.join("zentra.state.json"),
        serde_json::to_string_pretty(state).unwrap(),
    )
    .unwrap();
}

/// Runs `zentra` and fails the test if it has not finished within a minute (it must never
/// block on what it reads).
fn run_bounded(p: &Project, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zentra"));
    cmd.args(args)
        .current_dir(p.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(p.env.iter().cloned())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("zentra runs");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("zentra {args:?} still runs after a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

/// A way to make a file unreadable, and what zentra says about it.
type Spoiler<'a> = (&'static str, Box<dyn Fn() + 'a>);
/// A way to damage a state, and what zentra says about it.
type Damage = (&'static str, Box<dyn Fn(&mut Value)>);

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file system entry.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_label_that_is_not_a_name_is_refused_at_load_and_nothing_is_written() {
    let p = Project::new(GROUP).await;
    for (label, shown) in [
        ("sales.emea", "\"sales.emea\""),
        ("a b", "\"a b\""),
        ("", "\"\""),
        ("line\\nbreak", "\"line\\nbreak\""),
        ("\u{202e}selas", "\"\\u{202e}selas\""),
        ("9lives", "\"9lives\""),
    ] {
        p.write(
            "main.zen.hcl",
            &format!(
                "provider \"zoom\" {{}}\n\nresource \"zoom_group\" \"{label}\" {{\n  name = \"Field sales\"\n}}\n"
            ),
        );
        for args in [
            &["validate"][..],
            &["plan"][..],
            &["apply", "--auto-approve"][..],
        ] {
            let out = p.run(args);
            assert_eq!(code(&out), 1, "{args:?} {label:?}: {}", stderr(&out));
            let err = stderr(&out);
            assert!(
                err.contains(&format!("resource name {shown} is not a valid name")),
                "{label:?}: {err}"
            );
            assert!(err.contains("--> main.zen.hcl:3:23"), "{label:?}: {err}");
        }
    }
    assert!(api_calls(&p).is_empty(), "{:?}", api_calls(&p));
    assert!(!p.path().join("zentra.state.json").exists());
    assert!(group_named(&p, "Field sales").is_none());
    // The hint offers a name that works.
    p.write(
        "main.zen.hcl",
        "provider \"zoom\" {}\nresource \"zoom_group\" \"sales.emea\" {\n  name = \"Field sales\"\n}\n",
    );
    let hint = stderr(&p.run(&["validate"]));
    assert!(
        hint.contains("hint: rename it, e.g. \"sales_emea\""),
        "{hint}"
    );
    p.write(
        "main.zen.hcl",
        "provider \"zoom\" {}\nresource \"zoom_group\" \"sales_emea\" {\n  name = \"Field sales\"\n}\n",
    );
    p.apply_ok();
    assert_eq!(
        state(p.path())["resources"][0]["address"],
        "zoom_group.sales_emea"
    );
    p.assert_converged();
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_file_that_cannot_be_read_stops_the_run_instead_of_deleting_what_it_declared()
 {
    let p = Project::new("provider \"zoom\" {}\n").await;
    p.write(
        "groups.zen.hcl",
        "resource \"zoom_group\" \"sales\" {\n  name = \"Field sales\"\n}\n",
    );
    p.apply_ok();
    let group = group_named(&p, "Field sales").expect("created");
    let groups = p.path().join("groups.zen.hcl");
    let elsewhere = p.path().join("elsewhere");
    let spoilers: Vec<Spoiler> = vec![
        (
            "it is a symbolic link to a file that does not exist",
            Box::new(|| std::os::unix::fs::symlink(p.path().join("gone.hcl"), &groups).unwrap()),
        ),
        (
            "it is a loop of symbolic links",
            Box::new(|| {
                std::os::unix::fs::symlink(&elsewhere, &groups).unwrap();
                std::os::unix::fs::symlink(&groups, &elsewhere).unwrap();
            }),
        ),
        (
            "it is a named pipe, not a regular file",
            Box::new(|| mkfifo(&groups)),
        ),
        (
            "it is a directory, not a regular file",
            Box::new(|| std::fs::create_dir(&groups).unwrap()),
        ),
    ];
    for (why, spoil) in spoilers {
        let _ = std::fs::remove_file(&groups);
        let _ = std::fs::remove_dir(&groups);
        let _ = std::fs::remove_file(&elsewhere);
        spoil();
        p.sim.clear_requests();
        for args in [
            &["validate"][..],
            &["plan"][..],
            &["apply", "--auto-approve"][..],
        ] {
            let out = run_bounded(&p, args);
            assert_eq!(code(&out), 1, "{why}: {args:?}: {}", stderr(&out));
            assert!(
                stderr(&out).contains(&format!("cannot read `groups.zen.hcl`: {why}")),
                "{}",
                stderr(&out)
            );
        }
        assert!(api_calls(&p).is_empty(), "{why}: {:?}", api_calls(&p));
        assert_eq!(group_named(&p, "Field sales").unwrap()["id"], group["id"]);
    }
    // A hidden file (an editor's lock file, say) is no configuration, whatever it is.
    let _ = std::fs::remove_dir(&groups);
    std::fs::write(
        &groups,
        "resource \"zoom_group\" \"sales\" {\n  name = \"Field sales\"\n}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("user@host.1234", p.path().join(".#groups.zen.hcl")).unwrap();
    p.assert_converged();
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_var_files_and_saved_plans_are_read_only_as_bounded_regular_files() {
    let p = Project::new(GROUP).await;
    p.write(
        "vars.zen.hcl",
        "variable \"note\" {\n  type    = string\n  default = \"x\"\n}\n",
    );
    let state_path = p.path().join("zentra.state.json");
    // The state: a device would be read until memory runs out, a pipe would block forever.
    std::os::unix::fs::symlink("/dev/zero", &state_path).unwrap();
    for args in [
        &["plan"][..],
        &["apply", "--auto-approve"][..],
        &["show"][..],
    ] {
        let out = run_bounded(&p, args);
        assert_eq!(code(&out), 1, "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(
                "cannot read state file `./zentra.state.json`: it is a device, not a regular file"
            ),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    std::fs::remove_file(&state_path).unwrap();
    mkfifo(&state_path);
    let out = run_bounded(&p, &["plan"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("it is a named pipe, not a regular file"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(&state_path).unwrap();

    // Variables files.
    let out = run_bounded(&p, &["validate", "--var-file", "/dev/zero"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out)
            .contains("cannot read variables file `/dev/zero`: it is a device, not a regular file"),
        "{}",
        stderr(&out)
    );
    let huge = p.path().join("huge.vars.hcl");
    let line = "note = \"0123456789012345678901234567890123456789\"\n";
    std::fs::write(&huge, line.repeat(17 * 1024 * 1024 / line.len())).unwrap();
    let out = run_bounded(&p, &["validate", "--var-file", "huge.vars.hcl"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("cannot read variables file")
            && stderr(&out).contains("it is larger than 16 MiB"),
        "{}",
        stderr(&out)
    );
    mkfifo(&p.path().join("zentra.vars.hcl"));
    let out = run_bounded(&p, &["validate"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("zentra.vars.hcl`: it is a named pipe"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(p.path().join("zentra.vars.hcl")).unwrap();

    // Saved plans.
    mkfifo(&p.path().join("pipe.zplan"));
    for args in [&["show", "pipe.zplan"][..], &["apply", "pipe.zplan"][..]] {
        let out = run_bounded(&p, args);
        assert_eq!(code(&out), 1, "{args:?}");
        assert!(
            stderr(&out).contains("cannot read plan file")
                && stderr(&out).contains("it is a named pipe, not a regular file"),
            "{}",
            stderr(&out)
        );
    }
    assert!(api_calls(&p).is_empty(), "{:?}", api_calls(&p));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_that_contradicts_itself_is_refused_with_a_way_out() {
    let p = Project::new(&format!(
        "{GROUP}\nresource \"zoom_group\" \"support\" {{\n  name = \"Support\"\n}}\n"
    ))
    .await;
    p.apply_ok();
    let good = state(p.path());
    let sales = good["resources"][0].clone();
    assert_eq!(sales["address"], "zoom_group.sales");
    let cases: Vec<Damage> = vec![
        (
            "it records `zoom_group.sales` twice",
            Box::new(move |s: &mut Value| {
                s["resources"].as_array_mut().unwrap().push(sales.clone());
            }),
        ),
        (
            "its serial is 18446744073709551615, the largest there is",
            Box::new(|s: &mut Value| s["serial"] = Value::from(u64::MAX)),
        ),
        (
            "`zoom_group.sales` and `zoom_group.support` record the same zoom_group object",
            Box::new(|s: &mut Value| {
                let id = s["resources"][0]["id"].clone();
                s["resources"][1]["id"] = id;
            }),
        ),
    ];
    for (why, damage) in cases {
        let mut bad = good.clone();
        damage(&mut bad);
        write_state(p.path(), &bad);
        p.sim.clear_requests();
        for args in [
            &["plan"][..],
            &["apply", "--auto-approve"][..],
            &["show"][..],
        ] {
            let out = p.run(args);
            assert_eq!(code(&out), 1, "{why}: {args:?}");
            let err = stderr(&out);
            assert!(
                err.contains("state file `./zentra.state.json` is inconsistent")
                    && err.contains(why),
                "{why}: {err}"
            );
            assert!(
                err.contains("copy it over") && err.contains("zentra.state.json.backup"),
                "{err}"
            );
            assert!(err.contains("`state rm`"), "{err}");
        }
        assert!(api_calls(&p).is_empty(), "{why}: {:?}", api_calls(&p));
        assert_eq!(state(p.path()), bad, "nothing was written over it");
    }
    // The way out works: the backup is an intact earlier state.
    std::fs::copy(
        p.path().join("zentra.state.json.backup"),
        p.path().join("zentra.state.json"),
    )
    .unwrap();
    let (exit, _, err) = p.plan();
    assert!(exit == 0 || exit == 2, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backup_is_named_only_when_there_is_one() {
    let p = Project::new(GROUP).await;
    p.apply_ok();
    // One resource, one write: there is no earlier state to go back to.
    assert!(!p.path().join("zentra.state.json.backup").exists());
    std::fs::write(p.path().join("zentra.state.json"), "{\"version\": 1,").unwrap();
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("is not valid"), "{err}");
    assert!(
        err.contains("there is no earlier version to go back to (`./zentra.state.json.backup` does not exist)"),
        "{err}"
    );
    assert!(!err.contains("is kept in"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leftovers_of_a_killed_run_are_cleaned_up_and_the_backup_is_whole() {
    let p = Project::new(GROUP).await;
    p.apply_ok();
    let first = std::fs::read(p.path().join("zentra.state.json")).unwrap();
    // What a run killed while writing leaves: this state's temporary file, and one of the
    // naming earlier versions used, from long ago.
    std::fs::write(p.path().join(".zentra.state.json.tmp-Ab12Cd"), "{\"ver").unwrap();
    let legacy = p.path().join(".zentra-state-Xy34Zw");
    std::fs::write(&legacy, "{\"ver").unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(2 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&legacy)
        .unwrap()
        .set_modified(old)
        .unwrap();
    // Another state's temporary file in the same directory is not this run's to remove.
    std::fs::write(p.path().join(".other.json.tmp-Qq"), "x").unwrap();
    p.write(
        "main.zen.hcl",
        &GROUP.replace("Field sales", "Field sales EMEA"),
    );
    p.apply_ok();
    let names: Vec<String> = std::fs::read_dir(p.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.contains(".tmp-") && n.starts_with(".zentra.state.json")),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with(".zentra-state-")),
        "{names:?}"
    );
    assert!(
        names.contains(&".other.json.tmp-Qq".to_string()),
        "{names:?}"
    );
    assert_eq!(
        std::fs::read(p.path().join("zentra.state.json.backup")).unwrap(),
        first,
        "the backup is the whole previous state"
    );
}
