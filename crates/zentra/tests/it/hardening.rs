//! What a hostile user or a hostile network may try, end to end against the emulator: labels
//! that are not names, files that are not files (pipes, devices, broken links, directories),
//! states that contradict themselves or were left half-written by a killed run, sensitive values
//! that could leak into plans and error messages, URLs that carry credentials, paging links
//! that lead out of the API, names no vendor takes, and creates whose answer was lost.

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use zentra_test_support::{Project, code, stderr, stdout};

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
    let mut cmd = p.command(args);
    cmd.stdin(Stdio::null())
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
    // The lock file too.
    let lock_path = p.path().join("zentra.state.json.lock");
    let _ = std::fs::remove_file(&lock_path);
    std::os::unix::fs::symlink("/dev/zero", &lock_path).unwrap();
    let out = run_bounded(&p, &["plan"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("the lock file is not a regular file"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(&lock_path).unwrap();

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
            assert!(err.contains("`zentra state rm`"), "{err}");
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
    let p = Project::new(
        "provider \"azuread\" {}\nresource \"azuread_user_consent_policy\" \"c\" {\n  user_consent = \"disabled\"\n}\n",
    )
    .await;
    p.apply_ok();
    // One policy, one write: there is no earlier state to go back to.
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

/// Every output a run has: stdout and stderr.
fn everything(out: &Output) -> String {
    format!("{}\n{}", stdout(out), stderr(out))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_that_was_sensitive_stays_hidden_after_it_stops_being_sensitive() {
    const SECRET: &str = "Canary-note-8d1f27";
    let role = |description: &str| {
        format!(
            "provider \"zoom\" {{}}\n\nvariable \"note\" {{\n  type      = string\n  sensitive = true\n  default   = \"unused\"\n}}\n\nresource \"zoom_role\" \"auditors\" {{\n  name        = \"Auditors\"\n  description = {description}\n}}\n"
        )
    };
    let mut p = Project::new(&role("var.note")).await;
    p.set_env("ZENTRA_VAR_note", SECRET);
    p.apply_ok();
    let entry = &state(p.path())["resources"][0];
    assert_eq!(entry["sensitive_paths"], serde_json::json!(["description"]));

    // The description is now written out; live still holds the secret it was set to.
    p.write("main.zen.hcl", &role("\"Reviews audit logs\""));
    let text = p.run(&["plan", "--out", "saved.zplan", "--detailed-exitcode"]);
    assert_eq!(code(&text), 2, "{}", stderr(&text));
    assert!(
        zentra_test_support::squeeze(&stdout(&text))
            .contains("~ description = (sensitive value) -> (sensitive value)"),
        "{}",
        stdout(&text)
    );
    let json = p.run(&["plan", "--json"]);
    let parsed: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let change = &parsed["resource_changes"][0]["zentra"]["attributes"][0];
    assert_eq!(change["path"], "description");
    assert_eq!(change["sensitive"], true);
    assert_eq!(change["before"], Value::Null);
    let saved = std::fs::read_to_string(p.path().join("saved.zplan")).unwrap();
    let show = p.run(&["show", "saved.zplan"]);
    let show_json = p.run(&["show", "--json", "saved.zplan"]);
    for (what, seen) in [
        ("plan", everything(&text)),
        ("plan --json", everything(&json)),
        ("saved plan", saved),
        ("show", everything(&show)),
        ("show --json", everything(&show_json)),
    ] {
        assert!(
            !seen.contains(SECRET),
            "the old secret leaked into {what}:\n{seen}"
        );
    }
    let apply = p.run(&["apply", "saved.zplan"]);
    assert_eq!(code(&apply), 0, "{}", stderr(&apply));
    assert!(!everything(&apply).contains(SECRET));
    // Applied: the description is no secret any more, and shows as such from now on.
    let entry = &state(p.path())["resources"][0];
    assert_eq!(entry["attributes"]["description"], "Reviews audit logs");
    assert!(entry.get("sensitive_paths").is_none(), "{entry}");
    assert!(
        !std::fs::read_to_string(p.path().join("zentra.state.json"))
            .unwrap()
            .contains(SECRET)
    );
    p.assert_converged();
}

/// A configuration whose sensitive value zentra itself, or a vendor, finds wrong: every
/// diagnostic says what is wrong without repeating it, on stderr and in `--json` errors.
struct Canary {
    what: &'static str,
    config: String,
    /// The command that reports it.
    args: &'static [&'static str],
    /// What the error says (so the test knows it is the error it means).
    says: &'static str,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sensitive_values_never_appear_in_error_messages() {
    const SECRET: &str = "Canary7Secret";
    let sensitive =
        |ty: &str| format!("variable \"secret\" {{\n  type      = {ty}\n  sensitive = true\n}}\n");
    let cases = vec![
        Canary {
            what: "a value outside an enum",
            config: format!(
                "{}provider \"azuread\" {{}}\nresource \"azuread_user_consent_policy\" \"c\" {{\n  user_consent = var.secret\n}}\n",
                sensitive("string")
            ),
            args: &["validate"],
            says: "`user_consent` cannot be \"(sensitive value)\"",
        },
        Canary {
            what: "a number outside its range",
            config: format!(
                "{}provider \"azuread\" {{}}\nresource \"azuread_admin_consent_request_policy\" \"c\" {{\n  enabled               = true\n  reviewer_user_ids     = [\"4e8a1d3c-6b2f-4a7d-9e5c-8f1b3d6a2e94\"]\n  request_duration_days = var.secret\n}}\n",
                sensitive("number")
            ),
            args: &["validate"],
            says: "must be at most 30, not (sensitive value)",
        },
        Canary {
            what: "a Zoom setting outside its schema",
            config: format!(
                "{}provider \"zoom\" {{}}\nresource \"zoom_account_settings\" \"c\" {{\n  schedule_meeting {{\n    jbh_time = var.secret\n  }}\n}}\n",
                sensitive("number")
            ),
            args: &["validate"],
            says: "cannot be (sensitive value)",
        },
        Canary {
            what: "a value a provider refuses before any call",
            config: format!(
                "{}provider \"azuread\" {{}}\nresource \"azuread_admin_consent_request_policy\" \"c\" {{\n  enabled        = true\n  reviewer_roles = [var.secret]\n}}\n",
                sensitive("string")
            ),
            args: &["validate"],
            says: "(sensitive value)\" is neither a role template id",
        },
        Canary {
            what: "a provider setting",
            config: format!(
                "{}provider \"azuread\" {{\n  tenant_id = \"${{var.secret}}!\"\n}}\nresource \"azuread_user_consent_policy\" \"c\" {{\n  user_consent = \"disabled\"\n}}\n",
                sensitive("string")
            ),
            args: &["plan"],
            says: "is neither a tenant id",
        },
        Canary {
            what: "two blocks with one name",
            config: format!(
                "{}provider \"zoom\" {{}}\nresource \"zoom_group\" \"a\" {{\n  name = var.secret\n}}\nresource \"zoom_group\" \"b\" {{\n  name = upper(var.secret)\n}}\n",
                sensitive("string")
            ),
            args: &["plan"],
            says: "manage the same remote object",
        },
        Canary {
            what: "a scope the resource does not publish",
            config: format!(
                "{}provider \"azuread\" {{}}\nresource \"azuread_delegated_permission_grant\" \"c\" {{\n  service_principal_object_id = \"9d2e6f1a-3c8b-4a7e-b5d9-2f0c4e8a1b36\"\n  resource_app_id             = \"00000003-0000-0000-c000-000000000000\"\n  scopes                      = [\"User.Read\", var.secret]\n}}\n",
                sensitive("string")
            ),
            args: &["apply", "--auto-approve"],
            says: "not among the delegated permissions",
        },
        Canary {
            what: "a vendor error that quotes the request",
            config: format!(
                "{}provider \"zoom\" {{}}\nresource \"zoom_role\" \"c\" {{\n  name       = \"Canary role\"\n  privileges = [var.secret]\n}}\n",
                sensitive("string")
            ),
            args: &["apply", "--auto-approve"],
            says: "Invalid privilege",
        },
    ];
    let secret_of = |what: &str| -> &'static str {
        if what.contains("number") || what.contains("Zoom setting") {
            "4242"
        } else {
            SECRET
        }
    };
    let mut p = Project::new("").await;
    for case in &cases {
        let secret = secret_of(case.what);
        p.set_env("ZENTRA_VAR_secret", secret);
        p.write("main.zen.hcl", &case.config);
        let out = p.run(case.args);
        assert_eq!(code(&out), 1, "{}: {}", case.what, everything(&out));
        let shown = everything(&out);
        assert!(
            shown.contains(case.says),
            "{}: the error is not the expected one:\n{shown}",
            case.what
        );
        assert!(
            !shown.to_lowercase().contains(&secret.to_lowercase()),
            "{}: the secret leaked:\n{shown}",
            case.what
        );
        // The same errors as JSON.
        if case.args[0] == "plan" || case.args[0] == "validate" {
            let json = p.run(&["plan", "--json"]);
            assert!(
                !everything(&json)
                    .to_lowercase()
                    .contains(&secret.to_lowercase()),
                "{}: the secret leaked into --json:\n{}",
                case.what,
                everything(&json)
            );
        }
        let _ = std::fs::remove_file(p.path().join("zentra.state.json"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urls_with_credentials_or_tokens_are_refused_without_being_repeated() {
    const SECRET: &str = "Canary-url-5c0e";
    let config = "provider \"zoom\" {}\nprovider \"azuread\" {}\nresource \"zoom_group\" \"g\" {\n  name = \"Field sales\"\n}\nresource \"azuread_user_consent_policy\" \"c\" {\n  user_consent = \"disabled\"\n}\n";
    let mut p = Project::new(config).await;
    let base = p.sim.base_url();
    let forms = [
        (
            "ZOOM_API_URL",
            format!("http://admin:{SECRET}@127.0.0.1:1/v2"),
        ),
        ("ZOOM_API_URL", format!("{base}/v2?sig={SECRET}")),
        ("ZOOM_OAUTH_URL", format!("https://admin:{SECRET}@zoom us")),
        ("AZURE_GRAPH_URL", format!("{base}/#{SECRET}")),
        (
            "AZURE_AUTHORITY_HOST",
            format!("http://10.0.0.1/?token={SECRET}"),
        ),
        (
            "AZURE_AUTHORITY_HOST",
            format!("ftp://u:{SECRET}@127.0.0.1"),
        ),
    ];
    for (name, value) in &forms {
        let original = p.var(name);
        p.set_env(name, value);
        for args in [&["plan"][..], &["plan", "--json"][..]] {
            let out = p.run(args);
            assert_eq!(code(&out), 1, "{name}={value}: {}", everything(&out));
            let shown = everything(&out);
            assert!(
                shown.contains("is not a usable endpoint")
                    || shown.contains("must not contain credentials"),
                "{name}: {shown}"
            );
            assert!(!shown.contains(SECRET), "{name}={value} leaked:\n{shown}");
        }
        p.set_env(name, &original);
    }
    // GitHub's token request URL keeps its query, but credentials in it are refused too.
    p.unset_env("AZURE_CLIENT_SECRET");
    p.set_env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "job-token");
    p.set_env(
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        &format!("https://u:{SECRET}@token.actions.example/x?api-version=2.0"),
    );
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1);
    assert!(!everything(&out).contains(SECRET), "{}", everything(&out));
    assert!(api_calls(&p).is_empty(), "{:?}", api_calls(&p));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paging_link_that_climbs_out_of_the_api_is_not_followed() {
    let p = Project::new(
        "provider \"azuread\" {}\nresource \"azuread_delegated_permission_grant\" \"g\" {\n  service_principal_object_id = \"9d2e6f1a-3c8b-4a7e-b5d9-2f0c4e8a1b36\"\n  resource_app_id             = \"00000003-0000-0000-c000-000000000000\"\n  scopes                      = [\"User.Read\"]\n}\n",
    )
    .await;
    for link in [
        "/../v2/users/me?$skiptoken=Canary-token-1",
        "/%2e%2e/v2/users/me?$skiptoken=Canary-token-1",
        "/./../v2/users/me?$skiptoken=Canary-token-1",
    ] {
        p.sim.set_faults(zentra_sim::Faults {
            graph_next_link: Some(link.to_string()),
            ..Default::default()
        });
        p.sim.clear_requests();
        let out = p.run(&["plan"]);
        assert_eq!(code(&out), 1, "{link}: {}", everything(&out));
        let err = stderr(&out);
        assert!(err.contains("not following it"), "{link}: {err}");
        assert!(!err.contains("Canary-token-1"), "{link}: {err}");
        let outside: Vec<String> = p
            .sim
            .requests()
            .into_iter()
            .filter(|r| !r.path.starts_with("/v1.0/") && r.service != "entra-login")
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert!(
            outside.is_empty(),
            "the token went outside /v1.0: {outside:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_are_checked_against_the_vendors_limits_before_any_call() {
    let p = Project::new("").await;
    let long = "n".repeat(128);
    let cases = [
        (
            format!("provider \"zoom\" {{}}\nresource \"zoom_group\" \"g\" {{\n  name = \"{long}\"\n}}\n"),
            "`name` must be at most 127 characters long, not 128",
            "main.zen.hcl:3:10",
        ),
        (
            "provider \"zoom\" {}\nresource \"zoom_group\" \"g\" {\n  name = \"Sales\\tEMEA\"\n}\n".to_string(),
            "zoom_group.g: `name`: holds a tab (U+0009, character 6), which a name cannot",
            "main.zen.hcl:3:3",
        ),
        (
            "provider \"zoom\" {}\nresource \"zoom_role\" \"r\" {\n  name = \"\u{202e}srotiduA\"\n}\n".to_string(),
            "zoom_role.r: `name`: holds a text direction mark (U+202E, character 1)",
            "main.zen.hcl:3:3",
        ),
        (
            "provider \"azuread\" {}\nresource \"azuread_domain_federation\" \"f\" {\n  domain_id    = \"contoso.com\"\n  display_name = \"Okta\\nSSO\"\n  issuer_uri   = \"http://www.okta.com/exk1\"\n}\n".to_string(),
            "`display_name`: holds a line break (U+000A, character 5)",
            "main.zen.hcl:4:3",
        ),
    ];
    for (config, says, at) in &cases {
        p.write("main.zen.hcl", config);
        for args in [&["validate"][..], &["plan"][..]] {
            let out = p.run(args);
            assert_eq!(code(&out), 1, "{says}: {}", everything(&out));
            let err = stderr(&out);
            assert!(err.contains(says), "{err}");
            assert!(err.contains(&format!("--> {at}")), "{err}");
        }
    }
    assert!(api_calls(&p).is_empty(), "{:?}", api_calls(&p));
    // The longest name Zoom takes is fine.
    p.write(
        "main.zen.hcl",
        &format!(
            "provider \"zoom\" {{}}\nresource \"zoom_group\" \"g\" {{\n  name = \"{}\"\n}}\n",
            "n".repeat(127)
        ),
    );
    let (exit, plan, err) = p.plan();
    assert_eq!(exit, 2, "{plan}\n{err}");
}

/// Makes the emulator carry out the next request starting with `what` (`POST /v2/groups`) and
/// then lose its answer.
fn lose_answer_of(p: &Project, what: &str) {
    p.sim.set_faults(zentra_sim::Faults {
        lose_answer_next: 1,
        lose_answer_of: what.to_string(),
        ..Default::default()
    });
}

/// A project whose emulator answers slowly enough for a run to be killed between two requests.
async fn slow_project(config: &str) -> Project {
    Project::with(
        config,
        zentra_sim::SimConfig {
            latency: Duration::from_millis(300),
            ..Default::default()
        },
    )
    .await
}

/// Runs `apply`, loses the answer to the request starting with `what` (the create is carried
/// out), and kills the run (SIGKILL) while it looks the object up: nothing recorded the
/// create but its pending record.
fn apply_killed_after_lost_answer(p: &Project, what: &str) {
    lose_answer_of(p, what);
    p.sim.clear_requests();
    let mut child = p
        .command(&["apply", "--auto-approve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("zentra runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !api_calls(p).iter().any(|c| c.starts_with(what)) {
        assert!(child.try_wait().unwrap().is_none(), "apply ended first");
        assert!(Instant::now() < deadline, "{what} never came");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

fn pending_creates(dir: &Path) -> Vec<String> {
    state(dir)["pending_creates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["address"].as_str().map(str::to_string))
        .collect()
}

const LOST_GROUP: &str = r#"
provider "zoom" {}

resource "zoom_group" "lost" {
  name = "Lost answers"
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_answer_was_lost_is_recorded_as_created_by_the_next_apply() {
    let p = slow_project(LOST_GROUP).await;
    apply_killed_after_lost_answer(&p, "POST /v2/groups");
    let group = group_named(&p, "Lost answers").expect("the create was carried out");
    assert_eq!(pending_creates(p.path()), ["zoom_group.lost"]);
    let shown = stdout(&p.run(&["show"]));
    assert!(shown.contains("zoom_group.lost (create sent at"), "{shown}");

    // The next plan finds it by name: a change, said as such, not a silent adoption.
    let (exit, plan, err) = p.plan();
    assert_eq!(exit, 2, "{plan}\n{err}");
    assert!(
        plan.contains(&format!(
            "# zoom_group.lost will be recorded as created by zentra (id {}), no write",
            group["id"].as_str().unwrap()
        )),
        "{plan}"
    );
    assert!(plan.contains("its answer was lost"), "{plan}");
    assert!(plan.contains("Plan: 1 to adopt, 0 to add"), "{plan}");
    let json: Value = serde_json::from_str(&stdout(&p.run(&["plan", "--json"]))).unwrap();
    assert_eq!(
        json["resource_changes"][0]["zentra"]["adopt"]["created_by_zentra"],
        true
    );
    assert_eq!(json["zentra"]["summary"]["adopt"], 1);

    p.sim.clear_requests();
    p.apply_ok();
    let writes: Vec<String> = api_calls(&p)
        .into_iter()
        .filter(|c| !c.starts_with("GET "))
        .collect();
    assert!(writes.is_empty(), "recording it writes nothing: {writes:?}");
    let entry = &state(p.path())["resources"][0];
    assert_eq!(entry["origin"], "created", "{entry}");
    assert_eq!(entry["id"], group["id"]);
    assert!(pending_creates(p.path()).is_empty());
    p.assert_converged();

    // zentra created it, so removing its block deletes it.
    p.write("main.zen.hcl", "provider \"zoom\" {}\n");
    let (exit, plan, _) = p.plan();
    assert_eq!(exit, 2);
    assert!(plan.contains("# zoom_group.lost will be deleted"), "{plan}");
    p.apply_ok();
    assert!(group_named(&p, "Lost answers").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_answer_was_lost_is_looked_up_not_sent_twice() {
    let p = Project::new(LOST_GROUP).await;
    lose_answer_of(&p, "POST /v2/groups");
    p.apply_ok();
    let creates: Vec<String> = api_calls(&p)
        .into_iter()
        .filter(|c| c == "POST /v2/groups")
        .collect();
    assert_eq!(creates.len(), 1, "never sent again blindly");
    let group = group_named(&p, "Lost answers").expect("the create was carried out");
    let entry = &state(p.path())["resources"][0];
    assert_eq!(entry["origin"], "created", "{entry}");
    assert_eq!(entry["id"], group["id"]);
    assert!(pending_creates(p.path()).is_empty());
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_consent_is_revoked_when_its_block_goes_before_the_next_plan() {
    const GRANT: &str = "provider \"azuread\" {}\nresource \"azuread_delegated_permission_grant\" \"zoom\" {\n  service_principal_object_id = \"9d2e6f1a-3c8b-4a7e-b5d9-2f0c4e8a1b36\"\n  resource_app_id             = \"00000003-0000-0000-c000-000000000000\"\n  scopes                      = [\"User.Read\", \"Calendars.Read\"]\n}\n";
    let p = slow_project(GRANT).await;
    let grants_for_client = |p: &Project| -> Vec<Value> {
        p.sim.snapshot()["entra"]["tenants"][0]["oauth2PermissionGrants"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|g| g["clientId"] == "9d2e6f1a-3c8b-4a7e-b5d9-2f0c4e8a1b36")
            .collect()
    };
    assert!(grants_for_client(&p).is_empty());
    apply_killed_after_lost_answer(&p, "POST /v1.0/oauth2PermissionGrants");
    assert_eq!(grants_for_client(&p).len(), 1, "admin consent was granted");
    assert_eq!(
        pending_creates(p.path()),
        ["azuread_delegated_permission_grant.zoom"]
    );

    // The block goes before anything recorded the grant: zentra created it, so it is revoked.
    p.write("main.zen.hcl", "provider \"azuread\" {}\n");
    let (exit, plan, err) = p.plan();
    assert_eq!(exit, 2, "{plan}\n{err}");
    assert!(
        plan.contains("# azuread_delegated_permission_grant.zoom will be deleted"),
        "{plan}"
    );
    assert!(plan.contains("an earlier apply created it"), "{plan}");
    p.apply_ok();
    assert!(grants_for_client(&p).is_empty(), "the consent is revoked");
    assert!(pending_creates(p.path()).is_empty());
    assert!(state(p.path())["resources"].as_array().unwrap().is_empty());
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_that_did_not_happen_is_planned_again_or_forgotten() {
    let p = slow_project(LOST_GROUP).await;
    apply_killed_after_lost_answer(&p, "POST /v2/groups");
    // As if the request had never been carried out.
    let id = group_named(&p, "Lost answers").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    p.sim
        .patch_state(
            "DELETE",
            &format!("zoom/accounts/me/groups/{id}"),
            serde_json::json!({}),
        )
        .unwrap();
    let (exit, plan, _) = p.plan();
    assert_eq!(exit, 2);
    assert!(plan.contains("# zoom_group.lost will be created"), "{plan}");
    p.apply_ok();
    assert_eq!(state(p.path())["resources"][0]["origin"], "created");
    assert!(pending_creates(p.path()).is_empty());

    // It goes; then a create is lost again, never happened after all, and the block goes
    // before the next plan: the record only leaves the state.
    p.write("main.zen.hcl", "provider \"zoom\" {}\n");
    p.apply_ok();
    assert!(group_named(&p, "Lost answers").is_none());
    p.write("main.zen.hcl", LOST_GROUP);
    apply_killed_after_lost_answer(&p, "POST /v2/groups");
    let id = group_named(&p, "Lost answers").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    p.sim
        .patch_state(
            "DELETE",
            &format!("zoom/accounts/me/groups/{id}"),
            serde_json::json!({}),
        )
        .unwrap();
    p.write("main.zen.hcl", "provider \"zoom\" {}\n");
    let (exit, plan, _) = p.plan();
    assert_eq!(exit, 2);
    assert!(
        plan.contains("# zoom_group.lost will be forgotten, not deleted"),
        "{plan}"
    );
    assert!(plan.contains("it was not created"), "{plan}");
    p.sim.clear_requests();
    p.apply_ok();
    assert!(
        api_calls(&p).iter().all(|c| c.starts_with("GET ")),
        "{:?}",
        api_calls(&p)
    );
    assert!(pending_creates(p.path()).is_empty());
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_while_creating_leaves_a_record_the_next_run_resolves() {
    let p = Project::with(
        LOST_GROUP,
        zentra_sim::SimConfig {
            latency: Duration::from_millis(500),
            ..Default::default()
        },
    )
    .await;
    let mut child = p
        .command(&["apply", "--auto-approve"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zentra runs");
    let lines = std::io::BufRead::lines(std::io::BufReader::new(child.stderr.take().unwrap()));
    for line in lines {
        if line.unwrap().ends_with("Creating...") {
            break;
        }
    }
    // SIGKILL: no handler runs, nothing is finished or saved.
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(pending_creates(p.path()), ["zoom_group.lost"]);
    // Whether the request got through before the kill or not, the next plan knows.
    zentra_test_support::pause(1500).await;
    let created = group_named(&p, "Lost answers");
    let (exit, plan, err) = p.plan();
    assert_eq!(exit, 2, "{plan}\n{err}");
    match &created {
        Some(group) => assert!(
            plan.contains(&format!(
                "# zoom_group.lost will be recorded as created by zentra (id {})",
                group["id"].as_str().unwrap()
            )),
            "{plan}"
        ),
        None => assert!(plan.contains("# zoom_group.lost will be created"), "{plan}"),
    }
    p.apply_ok();
    assert_eq!(state(p.path())["resources"][0]["origin"], "created");
    assert!(pending_creates(p.path()).is_empty());
    assert_eq!(
        zoom_groups(&p)
            .iter()
            .filter(|g| g["name"] == "Lost answers")
            .count(),
        1,
        "one group, whichever way it went"
    );
    p.assert_converged();
}
