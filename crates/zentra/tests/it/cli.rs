//! End-to-end tests of the `zentra` binary against the built-in emulator on 127.0.0.1:0:
//! plan, apply, re-plan, drift, saved plans, bad configuration and bad credentials.

use std::process::Command;

use zentra_sim::{SimConfig, SimServer};
use zentra_test_support::{Project, code, stderr, stdout};

const QUICKSTART: &str = include_str!("../../../../examples/quickstart/main.zen.hcl");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_apply_and_plan_again_converges() {
    let p = Project::new(QUICKSTART).await;
    let validate = p.run(&["validate"]);
    assert_eq!(code(&validate), 0, "{}", stderr(&validate));
    assert!(p.sim.requests().is_empty(), "validate makes no requests");

    let plan = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 2, "{}", stderr(&plan));
    let text = stdout(&plan);
    assert!(
        text.contains("~ enable                  = false -> true"),
        "{text}"
    );
    assert!(
        text.contains("+ resource \"azuread_service_principal\" \"zoom\""),
        "{text}"
    );
    assert!(text.contains("object_id = (known after apply)"), "{text}");
    assert!(
        text.contains("Plan: 2 to add, 3 to change, 0 to destroy."),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour without a terminal");

    let apply = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}\n{}", stdout(&apply), stderr(&apply));
    assert!(stdout(&apply).contains("Apply complete! Resources: 2 added, 3 changed, 0 destroyed."));
    let settings = p.sim.zoom_account_settings("me");
    assert_eq!(settings["security"]["signin_with_sso"]["enable"], true);
    assert_eq!(
        settings["security"]["signin_with_sso"]["domains"],
        serde_json::json!(["contoso.com"])
    );

    let again = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&again), 0, "{}\n{}", stdout(&again), stderr(&again));
    assert!(stdout(&again).contains("No changes."));

    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path().join("zentra.state.json")).unwrap())
            .unwrap();
    assert_eq!(state["resources"].as_array().unwrap().len(), 5);
    let text = state.to_string();
    for (k, v) in &p.env {
        if k.ends_with("SECRET") {
            assert!(!text.contains(v.as_str()), "state holds no secrets");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_reads_each_resource_at_most_once() {
    let p = Project::new(QUICKSTART).await;
    let plan = p.run(&["plan"]);
    assert_eq!(code(&plan), 0, "{}", stderr(&plan));
    let reads = p.api_requests();
    assert!(
        reads
            .iter()
            .all(|r| r.method == "GET" || r.path.ends_with("/$batch")),
        "{reads:?}"
    );
    assert!(
        reads.len() <= 5,
        "{} read requests for 5 resources: {reads:#?}",
        reads.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_behind_zentras_back_shows_in_the_next_plan() {
    let p = Project::new(QUICKSTART).await;
    assert_eq!(code(&p.run(&["apply", "--auto-approve"])), 0);
    p.sim
        .patch_state(
            "PATCH",
            "zoom/accounts/me/settings",
            serde_json::json!({"security": {"signin_with_sso": {"enable": false}}}),
        )
        .unwrap();
    let plan = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 2);
    let text = stdout(&plan);
    assert!(text.contains("changed outside zentra"), "{text}");
    assert!(text.contains("~ enable = false -> true"), "{text}");
    assert!(
        text.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_plans_apply_exactly_or_refuse_when_stale() {
    let p = Project::new(QUICKSTART).await;
    let plan = p.run(&["plan", "--out", "plan.zplan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 2, "{}", stderr(&plan));

    let show = p.run(&["show", "plan.zplan"]);
    assert_eq!(code(&show), 0);
    assert_eq!(
        stdout(&show),
        stdout(&plan),
        "show renders the saved plan as plan did"
    );
    let json = p.run(&["show", "--json", "plan.zplan"]);
    let parsed: serde_json::Value =
        serde_json::from_slice(&json.stdout).expect("show --json prints JSON");
    assert_eq!(parsed["zentra"]["summary"]["add"], 2);
    assert!(
        parsed["resource_changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["change"]["actions"] == serde_json::json!(["create"]))
    );

    // Drift of what the plan manages makes it stale: apply refuses, says what changed, and
    // writes nothing.
    p.sim
        .patch_state(
            "PATCH",
            "zoom/accounts/me/lock_settings",
            serde_json::json!({"schedule_meeting": {"host_video": true}}),
        )
        .unwrap();
    p.sim
        .patch_state(
            "PATCH",
            "zoom/accounts/me/settings",
            serde_json::json!({"schedule_meeting": {"enforce_login": true}}),
        )
        .unwrap();
    p.sim.clear_requests();
    let stale = p.run(&["apply", "plan.zplan"]);
    assert_eq!(code(&stale), 1);
    assert!(
        stderr(&stale).contains("the saved plan is stale: live values it depends on changed since this plan was made: zoom_account_settings.sso: schedule_meeting.enforce_login"),
        "{}",
        stderr(&stale)
    );
    assert!(
        p.writes().is_empty(),
        "a stale plan changes nothing: {:?}",
        p.writes()
    );

    // A fresh saved plan applies.
    assert_eq!(code(&p.run(&["plan", "--out", "plan.zplan"])), 0);
    let apply = p.run(&["apply", "plan.zplan"]);
    assert_eq!(code(&apply), 0, "{}", stderr(&apply));
    // Applying the same plan twice: the state moved on.
    let twice = p.run(&["apply", "plan.zplan"]);
    assert_eq!(code(&twice), 1);
    assert!(
        stderr(&twice).contains("the state changed since this plan was made"),
        "{}",
        stderr(&twice)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edited_configuration_makes_a_saved_plan_stale() {
    let p = Project::new(QUICKSTART).await;
    assert_eq!(code(&p.run(&["plan", "--out", "plan.zplan"])), 0);
    std::fs::write(
        p.path().join("main.zen.hcl"),
        QUICKSTART.replace("\"Contacts.Read\"", "\"Contacts.ReadWrite\""),
    )
    .unwrap();
    let stale = p.run(&["apply", "plan.zplan"]);
    assert_eq!(code(&stale), 1);
    assert!(
        stderr(&stale).contains("the configuration or its variables changed"),
        "{}",
        stderr(&stale)
    );
    assert!(p.writes().is_empty());
}

/// Each bad configuration: exit 1, an error at file:line:column, and not a single API request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_configuration_is_reported_with_its_location_and_nothing_is_called() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "resorce \"zoom_account_settings\" \"x\" {}\n",
            "main.zen.hcl:1:1",
            "unknown block type `resorce`",
        ),
        (
            "resource \"zoom_account_settings\" \"x\" {\n  security {\n    signin_with_sso {\n      enabel = true\n    }\n  }\n}\n",
            "main.zen.hcl:4:7",
            "did you mean `enable`?",
        ),
        (
            "resource \"zoom_account_settings\" \"x\" {\n  schedule_meeting {\n    host_video = \"sometimes\"\n  }\n}\n",
            "main.zen.hcl:3:18",
            "must be a bool",
        ),
        (
            "resource \"azuread_delegated_permission_grant\" \"g\" {\n  service_principal_object_id = azuread_service_principal.zoom.object_id\n  resource_app_id = \"00000003-0000-0000-c000-000000000000\"\n  scopes = [\"User.Read\"]\n}\n",
            "main.zen.hcl:2:33",
            "reference to undeclared resource `azuread_service_principal.zoom`",
        ),
        (
            "resource \"zoom_account_settings\" \"x\" {\n  security {\n}\n",
            "main.zen.hcl:1:38",
            "unclosed block",
        ),
        (
            "resource \"zoom_acount_settings\" \"x\" {}\n",
            "main.zen.hcl:1:1",
            "did you mean `zoom_account_settings`?",
        ),
    ];
    for (config, location, message) in cases {
        let p = Project::new(config).await;
        for args in [&["plan"][..], &["apply", "--auto-approve"], &["validate"]] {
            let out = p.run(args);
            let err = stderr(&out);
            assert_eq!(code(&out), 1, "{args:?} on {config}: {err}");
            assert!(
                err.contains(location),
                "{args:?}: expected {location} in:\n{err}"
            );
            assert!(
                err.contains(message),
                "{args:?}: expected `{message}` in:\n{err}"
            );
            assert!(!err.contains("panicked"), "{err}");
        }
        assert!(
            p.sim.requests().is_empty(),
            "no request for a bad configuration: {:?}",
            p.sim.requests()
        );
        assert!(
            !p.path().join("zentra.state.json").exists(),
            "nothing written"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_fail_clearly_without_printing_the_secret() {
    let mut p = Project::new(QUICKSTART).await;
    let wrong = "not-the-secret-x9Q";
    p.set_env("ZOOM_CLIENT_SECRET", wrong);
    p.set_env("AZURE_CLIENT_SECRET", wrong);
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("provider `zoom`: Zoom did not issue an access token"),
        "{err}"
    );
    assert!(
        err.contains("ZOOM_CLIENT_SECRET"),
        "the hint names the variable to fix: {err}"
    );
    assert!(
        err.contains("provider `azuread`: Entra ID did not issue an access token"),
        "{err}"
    );
    assert_eq!(
        err.matches("did not issue an access token").count(),
        2,
        "reported once per provider: {err}"
    );
    assert!(
        !err.contains(wrong) && !stdout(&out).contains(wrong),
        "the secret is never printed:\n{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_without_a_terminal_or_auto_approve_refuses() {
    let p = Project::new(QUICKSTART).await;
    let out = p.run(&["apply"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("--auto-approve"), "{}", stderr(&out));
    assert!(p.sim.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn variables_come_from_flags_files_and_the_environment() {
    let config = format!(
        "{QUICKSTART}\nvariable \"label\" {{\n  type = string\n}}\noutput \"label\" {{\n  value = upper(var.label)\n}}\n"
    );
    let mut p = Project::new(&config).await;
    let missing = p.run(&["validate"]);
    assert_eq!(code(&missing), 1);
    assert!(
        stderr(&missing).contains("variable `label` has no value"),
        "{}",
        stderr(&missing)
    );
    p.set_env("ZENTRA_VAR_label", "from-env");
    let plan = p.run(&["plan"]);
    assert!(
        stdout(&plan).contains("label = \"FROM-ENV\""),
        "{}",
        stdout(&plan)
    );
    std::fs::write(p.path().join("zentra.vars.hcl"), "label = \"from-file\"\n").unwrap();
    assert!(stdout(&p.run(&["plan"])).contains("label = \"FROM-FILE\""));
    assert!(
        stdout(&p.run(&["plan", "--var", "label=from-flag"])).contains("label = \"FROM-FLAG\"")
    );
    let bad = p.run(&["plan", "--var", "nope=1"]);
    assert_eq!(code(&bad), 1);
    assert!(
        stderr(&bad).contains("no variable `nope` is declared"),
        "{}",
        stderr(&bad)
    );
}

const MANUAL_STEP: &str = r#"
resource "manual_step" "o365_prompt" {
  title        = "Ask users to integrate Office 365 calendar when they sign in with SSO"
  instructions = <<-EOT
    Zoom web portal > Account Management > Account Settings > Meeting > Calendar and Contacts:
    turn on "Ask users to integrate Office 365 calendar when signing in with SSO" and lock it.
  EOT
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_steps_wait_for_confirmation_and_come_back_when_changed() {
    let mut p = Project::new(&format!("{QUICKSTART}{MANUAL_STEP}")).await;
    p.set_env("USER", "alice");
    let plan = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&plan), 2);
    let text = stdout(&plan);
    assert!(
        text.contains("! Ask users to integrate Office 365 calendar when they sign in with SSO"),
        "{text}"
    );
    assert!(
        text.contains("Zoom web portal > Account Management"),
        "{text}"
    );
    assert!(
        text.contains("When it is done: zentra confirm manual_step.o365_prompt"),
        "{text}"
    );
    assert!(text.contains(", 1 manual."), "{text}");

    let apply = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", stderr(&apply));
    assert!(
        stderr(&apply)
            .contains("1 manual step(s) still wait for a person: manual_step.o365_prompt"),
        "{}",
        stderr(&apply)
    );
    let still = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&still), 2, "an unconfirmed step keeps the plan open");
    assert!(
        stdout(&still).contains("Plan: 0 to add, 0 to change, 0 to destroy, 1 manual."),
        "{}",
        stdout(&still)
    );

    let wrong = p.run(&["confirm", "manual_step.o365_promt"]);
    assert_eq!(code(&wrong), 1);
    assert!(
        stderr(&wrong).contains("did you mean `manual_step.o365_prompt`?"),
        "{}",
        stderr(&wrong)
    );

    let confirm = p.run(&["confirm", "manual_step.o365_prompt"]);
    assert_eq!(code(&confirm), 0, "{}", stderr(&confirm));
    assert!(
        stderr(&confirm).contains("confirmed by alice"),
        "{}",
        stderr(&confirm)
    );
    let done = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&done), 0, "{}", stdout(&done));
    assert!(
        stdout(&done).contains("manual_step.o365_prompt confirmed by alice at "),
        "{}",
        stdout(&done)
    );

    // Changing what the step asks for asks again.
    let changed = format!(
        "{QUICKSTART}{}",
        MANUAL_STEP.replace("and lock it.", "and lock it for every group.")
    );
    std::fs::write(p.path().join("main.zen.hcl"), &changed).unwrap();
    let again = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&again), 2);
    assert!(
        stdout(&again).contains("the step changed since alice confirmed it"),
        "{}",
        stdout(&again)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manual_steps_check_overrides_confirmation_with_api_evidence() {
    let with_check = |check: &str| {
        format!(
            "{QUICKSTART}{}",
            MANUAL_STEP.replace("  title", &format!("  check        = {check}\n  title"))
        )
    };
    let mut p = Project::new(&with_check(
        "azuread_service_principal.zoom.object_id != \"\"",
    ))
    .await;
    p.set_env("USER", "bob");
    // Before the service principal exists, the evidence is unknown: still manual.
    let plan = p.run(&["plan", "--detailed-exitcode"]);
    assert!(
        stdout(&plan).contains("its `check` is known only after apply"),
        "{}",
        stdout(&plan)
    );
    assert_eq!(code(&p.run(&["apply", "--auto-approve"])), 0);
    let after = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&after), 0, "{}", stdout(&after));
    assert!(
        stdout(&after).contains("verified: the API evidence"),
        "{}",
        stdout(&after)
    );

    std::fs::write(p.path().join("main.zen.hcl"), with_check("false")).unwrap();
    assert_eq!(code(&p.run(&["confirm", "manual_step.o365_prompt"])), 0);
    let contradicted = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&contradicted), 2);
    assert!(
        stdout(&contradicted).contains("confirmed by bob at")
            && stdout(&contradicted).contains("shows it not done"),
        "{}",
        stdout(&contradicted)
    );
}

#[test]
fn the_traffic_check_rejects_what_the_specs_do_not_allow() {
    let record = |service: &str, method: &str, path: &str, body: serde_json::Value, status: u16| {
        zentra_sim::RequestRecord {
            service: service.into(),
            method: method.into(),
            path: path.into(),
            query: String::new(),
            body: Some(body),
            status,
            response: None,
        }
    };
    let bad = [
        record(
            "zoom",
            "PATCH",
            "/v2/accounts/me/settings",
            serde_json::json!({"security": {"signin_with_sso": {"enabel": true}}}),
            204,
        ),
        record(
            "graph",
            "PATCH",
            "/v1.0/policies/authorizationPolicy",
            serde_json::json!({"allowUserConsentForRiskyApps": "no"}),
            204,
        ),
    ];
    let v = zentra_test_support::traffic::violations(&bad);
    assert!(v.iter().any(|e| e.contains("enabel")), "{v:?}");
    assert!(
        v.iter().any(|e| e.contains("allowUserConsentForRiskyApps")),
        "{v:?}"
    );
    let good = [record(
        "zoom",
        "PATCH",
        "/v2/accounts/me/settings",
        serde_json::json!({"security": {"signin_with_sso": {"enable": true}}}),
        204,
    )];
    assert!(
        zentra_test_support::traffic::violations(&good).is_empty(),
        "{:?}",
        zentra_test_support::traffic::violations(&good)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sensitive_values_stay_out_of_plans_saved_plans_and_state() {
    let secret = "corp-secret-domain.example";
    // One block per account's settings: the sensitive setting joins the quickstart's.
    let quickstart = QUICKSTART.replacen(
        "    enforce_login = true\n",
        "    enforce_login = true\n    enforce_login_domains = \"${var.login_domains}\"\n",
        1,
    );
    let config = format!(
        "{quickstart}\nvariable \"login_domains\" {{\n  type      = string\n  sensitive = true\n}}\noutput \"domains\" {{\n  value     = var.login_domains\n  sensitive = true\n}}\n"
    );
    let mut p = Project::new(&config).await;
    p.set_env("ZENTRA_VAR_login_domains", secret);
    let plan = p.run(&["plan", "--out", "plan.zplan"]);
    assert_eq!(code(&plan), 0, "{}", stderr(&plan));
    assert!(
        stdout(&plan).contains("enforce_login_domains = (sensitive value)"),
        "{}",
        stdout(&plan)
    );
    assert!(
        stdout(&plan).contains("domains = (sensitive value)"),
        "{}",
        stdout(&plan)
    );
    let json = p.run(&["plan", "--json"]);
    let saved = std::fs::read_to_string(p.path().join("plan.zplan")).unwrap();
    let apply = p.run(&["apply", "plan.zplan"]);
    assert_eq!(code(&apply), 0, "{}", stderr(&apply));
    assert_eq!(
        p.sim.zoom_account_settings("me")["schedule_meeting"]["enforce_login_domains"],
        secret,
        "the value was applied"
    );
    let state = std::fs::read_to_string(p.path().join("zentra.state.json")).unwrap();
    for (what, text) in [
        ("plan", stdout(&plan) + &stderr(&plan)),
        ("plan --json", stdout(&json)),
        ("saved plan", saved),
        ("apply", stdout(&apply) + &stderr(&apply)),
        ("state", state),
    ] {
        assert!(
            !text.contains(secret),
            "the secret leaked into {what}:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chdir_makes_every_path_relative_to_the_configuration() {
    let p = Project::new(QUICKSTART).await;
    let outside = tempfile::tempdir().unwrap();
    let config_dir = p.path().to_str().unwrap().to_string();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zentra"));
    cmd.args(["--chdir", &config_dir, "plan", "--out", "saved.zplan"])
        .current_dir(outside.path())
        .env_clear()
        .envs(p.env.iter().cloned());
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(p.path().join("saved.zplan").exists());
    let missing = p.run(&["--chdir", "no/such/dir", "validate"]);
    assert_eq!(code(&missing), 1);
    assert!(
        stderr(&missing).contains("--chdir: cannot change to `no/such/dir`"),
        "{}",
        stderr(&missing)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resources_of_a_removed_aliased_provider_are_not_touched_with_default_credentials() {
    let aliased = "provider \"zoom\" {\n  alias = \"second\"\n}\nresource \"zoom_account_lock_settings\" \"second\" {\n  provider = zoom.second\n  recording {\n    cloud_recording = true\n  }\n}\n";
    let p = Project::new(&format!("{QUICKSTART}{aliased}")).await;
    let apply = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", stderr(&apply));
    std::fs::write(p.path().join("main.zen.hcl"), QUICKSTART).unwrap();
    p.sim.clear_requests();
    let plan = p.run(&["plan"]);
    assert_eq!(code(&plan), 1);
    assert!(
        stderr(&plan).contains("state holds `zoom_account_lock_settings.second`, which belongs to provider `zoom.second`, but that provider is no longer configured"),
        "{}",
        stderr(&plan)
    );
    assert!(p.sim.requests().is_empty());
}

/// Ctrl-C in the middle of an apply: what completed is in state, the state file is whole, and
/// the next plan shows exactly what is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_apply_keeps_a_whole_state() {
    let sim = SimServer::start(SimConfig {
        latency: std::time::Duration::from_millis(400),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.zen.hcl"), QUICKSTART).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zentra"))
        .args(["apply", "--auto-approve"])
        .current_dir(dir.path())
        .env_clear()
        .envs(sim.env_vars())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt as soon as the first change starts.
    let mut err = String::new();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stderr.take().unwrap()));
    for line in lines.by_ref() {
        let line = line.unwrap();
        err.push_str(&line);
        err.push('\n');
        if line.ends_with("Modifying...") || line.ends_with("Creating...") {
            let _ = std::process::Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            break;
        }
    }
    for line in lines {
        err.push_str(&line.unwrap());
        err.push('\n');
    }
    let status = child.wait().unwrap();
    let state_path = dir.path().join("zentra.state.json");
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("Interrupt received"), "{err}");
    assert!(err.contains("apply was interrupted"), "{err}");
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap())
            .expect("the state file is whole");
    let recorded = state["resources"].as_array().unwrap().len();
    let plan = std::process::Command::new(env!("CARGO_BIN_EXE_zentra"))
        .args(["plan", "--detailed-exitcode", "--json"])
        .current_dir(dir.path())
        .env_clear()
        .envs(sim.env_vars())
        .output()
        .unwrap();
    let plan_json: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let pending = plan_json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"]["actions"] != serde_json::json!(["no-op"]))
        .count();
    assert!(
        pending > 0,
        "the interrupt stopped the apply before the end: {plan_json}"
    );
    assert_eq!(
        recorded + pending,
        5,
        "every resource is either recorded or still planned: {plan_json}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permissions_lists_zoom_scopes_and_graph_permissions_without_calling_anything() {
    let p = Project::new(&format!("{QUICKSTART}{MANUAL_STEP}")).await;
    let out = p.run(&["permissions", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let plan = &report["total"]["plan"];
    let apply = &report["total"]["apply"];
    let has = |v: &serde_json::Value, system: &str, name: &str| {
        v[system]
            .as_array()
            .is_some_and(|a| a.iter().any(|n| n == name))
    };
    assert!(
        has(plan, "zoom_scope", "account:read:settings:admin"),
        "{report}"
    );
    assert!(
        !has(plan, "zoom_scope", "account:update:settings:admin"),
        "planning needs no write scope: {report}"
    );
    assert!(
        has(apply, "zoom_scope", "account:update:settings:admin"),
        "{report}"
    );
    assert!(
        has(plan, "graph_application", "Policy.Read.All"),
        "{report}"
    );
    assert!(
        has(apply, "graph_application", "Policy.ReadWrite.Authorization"),
        "{report}"
    );
    assert!(
        has(apply, "entra_role", "Privileged Role Administrator"),
        "{report}"
    );
    let manual = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "manual_step.o365_prompt")
        .unwrap();
    assert_eq!(manual["permissions"], serde_json::json!([]));
    let text = p.run(&["permissions"]);
    assert!(
        stdout(&text).contains(
            "manual_step.o365_prompt (provider manual)\n  none: a person carries out this step"
        ),
        "{}",
        stdout(&text)
    );
    assert!(
        p.sim.requests().is_empty(),
        "permissions reads only the configuration"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_json_reports_errors_as_json_on_stdout() {
    let p = Project::new("resource \"zoom_account_settings\" \"x\" {\n  schedule_meeting {\n    host_vidoe = true\n  }\n}\n").await;
    let out = p.run(&["plan", "--json"]);
    assert_eq!(code(&out), 1);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let error = &report["errors"][0];
    assert_eq!(error["severity"], "error");
    assert_eq!(error["location"]["file"], "main.zen.hcl");
    assert_eq!(error["location"]["line"], 3);
    assert_eq!(error["location"]["column"], 5);
    assert_eq!(error["hint"], "did you mean `host_video`?");
    assert!(
        stderr(&out).contains("main.zen.hcl:3:5"),
        "the text stays on stderr"
    );
}

/// A drift job reads exit 2 as "changes present": a wrong command line must never look like
/// that, and Terraform's single-dash spelling of long options must work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_1_and_terraform_single_dash_options_work() {
    let p = Project::new(QUICKSTART).await;
    let plan = p.run(&["plan", "-detailed-exitcode", "-out=plan.zplan", "-no-color"]);
    assert_eq!(code(&plan), 2, "{}", stderr(&plan));
    assert!(
        stdout(&plan).contains("Plan: 2 to add, 3 to change, 0 to destroy."),
        "{}",
        stdout(&plan)
    );
    assert!(!stderr(&plan).contains("error"), "{}", stderr(&plan));
    assert!(p.path().join("plan.zplan").exists());
    let json = p.run(&["plan", "-json", "-var-file", "none.hcl"]);
    assert_eq!(code(&json), 1, "{}", stderr(&json));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON errors");
    assert!(
        report["errors"][0]["summary"]
            .as_str()
            .unwrap()
            .contains("cannot read variables file `./none.hcl`"),
        "{report}"
    );

    for (args, message, hint) in [
        (
            &["plan", "--detailed-exitcodes"][..],
            "unexpected argument '--detailed-exitcodes' found",
            "--detailed-exitcode",
        ),
        (
            &["plan", "-detailed-exitcodes"],
            "unknown option `-detailed-exitcodes` for `zentra plan`",
            "did you mean `--detailed-exitcode`?",
        ),
        (
            &["validate", "-out=plan.zplan"],
            "unknown option `-out=plan.zplan` for `zentra validate`",
            "`--out` is an option of `zentra plan`",
        ),
        (&["plna"], "unrecognized subcommand 'plna'", "plan"),
        (
            &["apply", "--parallelism", "many"],
            "invalid value 'many'",
            "zentra apply --help",
        ),
    ] {
        let out = p.run(args);
        assert_eq!(code(&out), 1, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(hint), "{args:?}: {}", stderr(&out));
    }
    let missing = p.run(&[]);
    assert_eq!(code(&missing), 1, "no command is an error");

    // With --json, usage errors are JSON on stdout too.
    let out = p.run(&["plan", "-json", "--bogus"]);
    assert_eq!(code(&out), 1);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["errors"][0]["severity"], "error");
    assert_eq!(
        report["errors"][0]["summary"],
        "unexpected argument '--bogus' found"
    );
    let out = p.run(&["show", "--json", "missing.zplan"]);
    assert_eq!(code(&out), 1);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert!(
        report["errors"][0]["summary"]
            .as_str()
            .unwrap()
            .contains("cannot read plan file"),
        "{report}"
    );

    for args in [
        &["--help"][..],
        &["plan", "-help"],
        &["--version"],
        &["-version"],
    ] {
        let out = p.run(args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    }
    let version = p.run(&["version"]);
    assert_eq!(stdout(&version), stdout(&p.run(&["--version"])));
    let version = p.run(&["version", "-json"]);
    let report: serde_json::Value = serde_json::from_slice(&version.stdout).unwrap();
    assert_eq!(report["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        report["state_format_version"],
        zentra_engine::state::STATE_FORMAT_VERSION
    );
    assert_eq!(
        report["plan_format_version"],
        zentra_engine::plan::PLAN_FORMAT_VERSION
    );

    let apply = p.run(&["-chdir=.", "apply", "-auto-approve", "-parallelism=2"]);
    assert_eq!(code(&apply), 0, "{}", stderr(&apply));
    let again = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_shows_what_each_type_accepts_and_the_hints_point_to_it() {
    let p = Project::new(
        "resource \"zoom_account_settings\" \"x\" {\n  security {\n    signin_with_sso {\n      enabled = true\n      nope = 1\n    }\n  }\n}\n",
    )
    .await;
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains(
            "see `zentra schema zoom_account_settings.security.signin_with_sso` for what `signin_with_sso` accepts"
        ),
        "{}",
        stderr(&out)
    );
    let block = p.run(&["schema", "zoom_account_settings.security.signin_with_sso"]);
    assert_eq!(code(&block), 0, "{}", stderr(&block));
    let text = stdout(&block);
    assert!(text.contains("enable = bool (optional)"), "{text}");
    assert!(
        text.contains("domains = set of string (optional, set: order ignored, case-insensitive)"),
        "{text}"
    );

    let list = p.run(&["schema"]);
    assert_eq!(code(&list), 0);
    for line in [
        "  azuread_delegated_permission_grant    Admin consent to delegated permissions",
        "  data.azuread_domain                   A domain of the tenant",
        "  manual_step                           A step no API can perform.",
    ] {
        assert!(stdout(&list).contains(line), "{line} in {}", stdout(&list));
    }
    let grant = p.run(&["schema", "azuread_delegated_permission_grant"]);
    assert!(
        stdout(&grant).contains("scopes = set of string (required, set: order ignored)"),
        "{}",
        stdout(&grant)
    );
    let json = p.run(&["schema", "data.azuread_domain", "--json"]);
    let schema: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(schema["type_name"], "azuread_domain");
    assert_eq!(schema["kind"], "data");
    assert_eq!(schema["body"]["properties"]["name"]["required"], true);
    let all: serde_json::Value =
        serde_json::from_slice(&p.run(&["schema", "-json"]).stdout).unwrap();
    assert!(all["providers"]["zoom"]["resources"]["zoom_account_settings"].is_object());
    assert!(all["providers"]["azuread"]["data_sources"]["azuread_domain"].is_object());

    let typo = p.run(&["schema", "zoom_gruop"]);
    assert_eq!(code(&typo), 1);
    assert!(
        stderr(&typo).contains("did you mean `zoom_group`?"),
        "{}",
        stderr(&typo)
    );
    let terraform = p.run(&[
        "schema",
        "azuread_service_principal_delegated_permission_grant",
        "--json",
    ]);
    assert_eq!(code(&terraform), 1);
    let report: serde_json::Value = serde_json::from_slice(&terraform.stdout).unwrap();
    assert!(
        report["errors"][0]["hint"]
            .as_str()
            .unwrap()
            .starts_with("zentra calls this `azuread_delegated_permission_grant`"),
        "{report}"
    );
    assert!(p.sim.requests().is_empty());
}

/// Configuration written for Terraform's azuread provider is told zentra's names, and every
/// undeclared reference is reported, none with its own block as the suggestion.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terraform_names_and_every_undeclared_reference_get_a_useful_hint() {
    let p = Project::new(
        "resource \"azuread_service_principal_delegated_permission_grant\" \"g\" {\n  claim_values = [\"User.Read\"]\n}\ndata \"azuread_application_published_app_ids\" \"ids\" {}\n",
    )
    .await;
    let err = stderr(&p.run(&["validate"]));
    assert!(
        err.contains("hint: zentra calls this `azuread_delegated_permission_grant` (write `resource \"azuread_delegated_permission_grant\"`); `claim_values` is `scopes` here"),
        "{err}"
    );
    assert!(
        err.contains("zentra calls this `azuread_well_known_applications`"),
        "{err}"
    );

    std::fs::write(
        p.path().join("main.zen.hcl"),
        "resource \"azuread_app_role_assignment\" \"calendars\" {\n  principal_object_id = azuread_app_role_assignment.calendar.principal_object_id\n  resource_app_id = azuread_service_principal.graph.app_id\n  app_role_id = \"Calendars.Read\"\n}\noutput \"o\" {\n  value = zoom_group.gone.id\n}\n",
    )
    .unwrap();
    let err = stderr(&p.run(&["validate"]));
    assert!(
        err.contains("reference to undeclared resource `azuread_app_role_assignment.calendar`\n --> main.zen.hcl:2:25"),
        "{err}"
    );
    assert!(
        !err.contains("did you mean `azuread_app_role_assignment.calendars`"),
        "a block is never offered as what it meant itself: {err}"
    );
    assert!(
        err.contains("reference to undeclared resource `azuread_service_principal.graph`\n --> main.zen.hcl:3:21"),
        "{err}"
    );
    assert!(
        err.contains("reference to undeclared resource `zoom_group.gone`\n --> main.zen.hcl:7:11"),
        "{err}"
    );
    assert!(err.contains("3 errors"), "{err}");
    assert!(p.sim.requests().is_empty());
}

/// A list or map variable given a bare word is told how to write the literal, with its name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collection_variables_given_a_bare_word_are_told_how_to_write_one() {
    let config = format!(
        "{QUICKSTART}\nvariable \"tags\" {{\n  type    = map(string)\n  default = {{}}\n}}\n"
    );
    let mut p = Project::new(&config).await;
    let out = p.run(&[
        "validate",
        "--var",
        "sso_domains=contoso.com",
        "--var",
        "tags=team=it",
    ]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("error: --var sso_domains: `contoso.com` is not a list(string) literal"),
        "{err}"
    );
    assert!(
        err.contains("hint: `sso_domains` takes a list(string): write it as --var 'sso_domains=[\"contoso.com\"]'"),
        "{err}"
    );
    assert!(
        err.contains("write it as --var 'tags={team=\"it\"}'"),
        "{err}"
    );
    p.set_env("ZENTRA_VAR_sso_domains", "contoso.com,fabrikam.com");
    let err = stderr(&p.run(&["validate"]));
    assert!(
        err.contains("write it as ZENTRA_VAR_sso_domains='[\"contoso.com\", \"fabrikam.com\"]'"),
        "{err}"
    );
    p.set_env(
        "ZENTRA_VAR_sso_domains",
        "[\"contoso.com\", \"fabrikam.com\"]",
    );
    let ok = p.run(&["validate", "--var", "tags={team=\"it\"}"]);
    assert_eq!(
        code(&ok),
        0,
        "the suggested literals are accepted: {}",
        stderr(&ok)
    );
}

/// CI jobs and containers often have no $USER: confirm falls back to git's user, then to the
/// operating system's user id, and says which it used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirm_without_user_falls_back_to_git_then_the_user_id() {
    use std::os::unix::fs::MetadataExt;

    let mut p = Project::new(&format!("{QUICKSTART}{MANUAL_STEP}")).await;
    let home = tempfile::tempdir().unwrap();
    let gitconfig = home.path().join("gitconfig");
    std::fs::write(
        &gitconfig,
        "[user]\n\tname = Pat Doe\n\temail = pat@example.com\n",
    )
    .unwrap();
    p.set_env("HOME", home.path().to_str().unwrap());
    p.set_env("GIT_CONFIG_GLOBAL", gitconfig.to_str().unwrap());
    p.set_env("GIT_CONFIG_NOSYSTEM", "1");
    let state_path = p.path().join("zentra.state.json");
    let state = || std::fs::read_to_string(&state_path).unwrap();

    let out = p.run(&["confirm", "manual_step.o365_prompt"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Confirming as Pat Doe (from git config user.name"),
        "{}",
        stderr(&out)
    );
    assert!(state().contains("\"by\": \"Pat Doe\""), "{}", state());

    // No git on the PATH: the user id.
    let no_git = tempfile::tempdir().unwrap();
    p.set_env("PATH", no_git.path().to_str().unwrap());
    let uid = std::fs::metadata(&gitconfig).unwrap().uid();
    let out = p.run(&["confirm", "manual_step.o365_prompt"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "Confirming as uid {uid} (the operating system's user id"
        )),
        "{}",
        stderr(&out)
    );
    assert!(
        state().contains(&format!("\"by\": \"uid {uid}\"")),
        "{}",
        state()
    );

    // --by still wins, and needs no explanation.
    let out = p.run(&["confirm", "manual_step.o365_prompt", "--by", "Ann"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("Confirming as"), "{}", stderr(&out));
    assert!(state().contains("\"by\": \"Ann\""), "{}", state());
}

/// Waits are said on stderr: what is waited for, and how long.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_on_rate_limits_and_the_state_lock_is_said_on_stderr() {
    let p = Project::new(QUICKSTART).await;
    p.sim.set_faults(zentra_sim::Faults {
        zoom_throttle_next: 1,
        graph_throttle_next: 1,
        graph_retry_after_seconds: 1,
        ..Default::default()
    });
    let plan = p.run(&["plan"]);
    assert_eq!(code(&plan), 0, "{}", stderr(&plan));
    let err = stderr(&plan);
    assert!(
        err.contains("Waiting 1s: Microsoft Graph rate limit for tenant "),
        "{err}"
    );
    assert!(
        err.contains(": Zoom rate limit (") && err.contains(") for account "),
        "{err}"
    );
    assert!(
        !stdout(&plan).contains("Waiting"),
        "progress stays off stdout"
    );

    // Another run holds the state lock.
    let lock_path = p.path().join("zentra.state.json.lock");
    let mut held = std::fs::File::create(&lock_path).unwrap();
    held.lock().unwrap();
    std::io::Write::write_all(&mut held, b"a drift job (pid 1)").unwrap();
    let at_once = p.run(&["plan"]);
    assert_eq!(code(&at_once), 1);
    assert!(
        stderr(&at_once).contains("is held by a drift job (pid 1)"),
        "{}",
        stderr(&at_once)
    );
    assert!(
        !stderr(&at_once).contains("Waiting"),
        "{}",
        stderr(&at_once)
    );
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        held.set_len(0).unwrap();
        drop(held);
    });
    let waited = p.run(&["apply", "-auto-approve", "-lock-timeout=1m"]);
    release.join().unwrap();
    assert_eq!(code(&waited), 0, "{}", stderr(&waited));
    assert!(
        stderr(&waited)
            .contains("Waiting for the state lock held by a drift job (pid 1) (up to 1m)"),
        "{}",
        stderr(&waited)
    );
    let bad = p.run(&["plan", "--lock-timeout", "soon"]);
    assert_eq!(code(&bad), 1);
    assert!(
        stderr(&bad).contains("`soon` is not a duration: write it as 30s, 2m or 1m30s"),
        "{}",
        stderr(&bad)
    );
}
