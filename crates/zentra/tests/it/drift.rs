//! End to end against the emulator: `zentra drift` classifies every managed object without
//! changing anything (no lock, no state write, no API write), exits 0, 2 or 1, and writes its
//! reports, each checked by a real reader: SARIF against OASIS's schema (jsonschema), JUnit
//! with junitparser, the JSON report against `schemas/drift-report.schema.json`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use zentra_test_support::{Project, code, stderr, stdout};

const QUICKSTART: &str = include_str!("../../../../examples/quickstart/main.zen.hcl");

const GROUP: &str = "\nresource \"zoom_group\" \"pilot\" {\n  name = \"SSO pilot\"\n}\n";

const MANUAL_STEP: &str = "\nresource \"manual_step\" \"o365_prompt\" {\n  title        = \"Ask users to integrate Office 365 calendar\"\n  instructions = \"Zoom web portal > Account Settings > Meeting > Calendar and Contacts\"\n}\n";

const REPORTS: [&str; 8] = [
    "drift",
    "--report-md",
    "drift.md",
    "--report-junit",
    "drift.xml",
    "--report-sarif",
    "drift.sarif",
    "--report-json",
];

fn root() -> PathBuf {
    zentra_test_support::root()
}

/// What these tests run on a [`Project`].
trait DriftRuns {
    fn drift_reports(&self) -> (i32, String, Reports);
    fn state_text(&self) -> String;
}

impl DriftRuns for Project {
    /// `zentra drift` with every report, in `dir` (relative to the project).
    fn drift_reports(&self) -> (i32, String, Reports) {
        let mut args: Vec<&str> = REPORTS.to_vec();
        args.push("drift.json");
        let out = self.run(&args);
        let read = |name: &str| std::fs::read_to_string(self.path().join(name)).unwrap_or_default();
        let reports = Reports {
            markdown: read("drift.md"),
            junit: self.path().join("drift.xml"),
            sarif: serde_json::from_str(&read("drift.sarif")).unwrap_or(Value::Null),
            json: serde_json::from_str(&read("drift.json")).unwrap_or(Value::Null),
        };
        (code(&out), stdout(&out) + &stderr(&out), reports)
    }

    fn state_text(&self) -> String {
        std::fs::read_to_string(self.path().join("zentra.state.json")).unwrap()
    }
}

struct Reports {
    markdown: String,
    junit: PathBuf,
    sarif: Value,
    json: Value,
}

impl Reports {
    fn status(&self, address: &str) -> &str {
        self.object(address)["status"].as_str().unwrap()
    }

    fn object(&self, address: &str) -> &Value {
        self.json["objects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["address"] == address)
            .unwrap_or_else(|| panic!("{address} in {}", self.json))
    }
}

/// Validates `instance` against the JSON Schema at `schema` with the `jsonschema` package.
fn assert_valid(schema: &Path, instance: &Value) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), instance.to_string()).unwrap();
    let script = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
instance = json.load(open(sys.argv[2]))
cls = jsonschema.validators.validator_for(schema)
errors = sorted(cls(schema).iter_errors(instance), key=lambda e: list(e.path))
for e in errors:
    print(list(e.absolute_path), e.message)
sys.exit(1 if errors else 0)
"#;
    let out = Command::new(zentra_test_support::test_tools::python_tool(
        "readers", "python",
    ))
    .arg("-c")
    .arg(script)
    .arg(schema)
    .arg(file.path())
    .output()
    .expect("python runs");
    assert!(
        out.status.success(),
        "not valid against {}:\n{}{}",
        schema.display(),
        stdout(&out),
        stderr(&out)
    );
}

/// junitparser's reading of a JUnit file: per test case its name, result kind and message.
fn junit_cases(path: &Path) -> Vec<(String, String, String)> {
    let script = r#"
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
out = []
for suite in xml:
    for case in suite:
        kind, message = "pass", ""
        for r in case.result:
            kind = type(r).__name__.lower()
            message = r.message or ""
        out.append([case.name, kind, message])
print(json.dumps(out))
"#;
    let out = Command::new(zentra_test_support::test_tools::python_tool(
        "readers", "python",
    ))
    .arg("-c")
    .arg(script)
    .arg(path)
    .output()
    .expect("python runs");
    assert!(out.status.success(), "junitparser: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_classifies_every_object_and_writes_every_report_without_changing_anything() {
    let p = Project::new(&format!("{QUICKSTART}{GROUP}{MANUAL_STEP}")).await;
    p.apply_ok();
    let (exit, out, r) = p.drift_reports();
    assert_eq!(exit, 2, "the manual step waits:\n{out}");
    assert_eq!(r.status("manual_step.o365_prompt"), "manual");
    assert_eq!(r.json["summary"]["in_sync"], 6, "{}", r.json);

    // Drift, a deleted object and a configuration change.
    p.sim
        .patch_state(
            "PATCH",
            "zoom/accounts/me/settings",
            json!({"security": {"signin_with_sso": {"enable": false}}}),
        )
        .unwrap();
    let group = p.group("SSO pilot").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    p.sim
        .patch_state(
            "DELETE",
            &format!("zoom/accounts/me/groups/{group}"),
            json!({}),
        )
        .unwrap();
    p.write_config(
        &format!("{QUICKSTART}{GROUP}{MANUAL_STEP}")
            .replace("user_consent = \"disabled\"", "user_consent = \"low_risk\""),
    );
    let state_before = p.state_text();
    p.sim.clear_requests();
    let (exit, out, r) = p.drift_reports();
    assert_eq!(exit, 2, "{out}");
    assert_eq!(r.status("zoom_account_settings.sso"), "drifted");
    assert_eq!(r.status("zoom_group.pilot"), "missing");
    assert_eq!(r.status("azuread_user_consent_policy.tenant"), "pending");
    assert_eq!(r.status("manual_step.o365_prompt"), "manual");
    assert_eq!(r.status("zoom_account_lock_settings.sso"), "in_sync");
    assert_eq!(r.status("azuread_service_principal.zoom"), "in_sync");
    assert_eq!(
        r.json["summary"],
        json!({"total": 7, "in_sync": 3, "drifted": 1, "pending": 1, "missing": 1, "manual": 1, "unknown": 0, "suppressed": 0})
    );
    let enable = &r.object("zoom_account_settings.sso")["attributes"][0];
    assert_eq!(enable["path"], "security.signin_with_sso.enable");
    assert_eq!(enable["kind"], "drift");
    assert_eq!(
        (enable["live"].clone(), enable["configured"].clone()),
        (json!(false), json!(true))
    );
    let line = QUICKSTART
        .lines()
        .position(|l| l.trim_start().starts_with("enable "))
        .unwrap()
        + 1;
    assert_eq!(enable["location"]["file"], "main.zen.hcl");
    assert_eq!(enable["location"]["line"], line);
    assert!(
        out.contains(
            "security.signin_with_sso.enable is false outside zentra (configuration says true)"
        ),
        "{out}"
    );

    // Read-only: nothing written anywhere.
    assert_eq!(p.state_text(), state_before, "drift never writes state");
    assert!(p.zoom_writes().is_empty(), "{:?}", p.zoom_writes());
    assert!(
        p.sim.requests().iter().all(|r| r.method == "GET"
            || r.path.ends_with("/$batch")
            || r.service != "zoom" && r.service != "graph"),
        "only reads"
    );

    // The JSON report matches its schema.
    assert_valid(&root().join("schemas/drift-report.schema.json"), &r.json);

    // SARIF: valid against OASIS's schema, one result per drifted attribute or object.
    assert_valid(
        &root().join("schemas/vendor/sarif/sarif-schema-2.1.0.json"),
        &r.sarif,
    );
    let results = r.sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{results:#?}");
    let attribute = results
        .iter()
        .find(|r| r["ruleId"] == "drifted-attribute")
        .unwrap();
    let region = &attribute["locations"][0]["physicalLocation"];
    assert_eq!(region["artifactLocation"]["uri"], "main.zen.hcl");
    assert_eq!(region["region"]["startLine"], line);
    assert!(results.iter().any(
        |r| r["ruleId"] == "missing-object" && r["properties"]["address"] == "zoom_group.pilot"
    ));

    // JUnit: one test case per object, a failure per finding, read by junitparser.
    let cases = junit_cases(&r.junit);
    assert_eq!(cases.len(), 7, "{cases:?}");
    let case = |name: &str| cases.iter().find(|c| c.0 == name).unwrap().clone();
    assert_eq!(case("zoom_account_lock_settings.sso").1, "pass");
    let settings = case("zoom_account_settings.sso");
    assert_eq!(settings.1, "failure");
    assert!(
        settings.2.contains("security.signin_with_sso.enable"),
        "{settings:?}"
    );
    assert_eq!(case("zoom_group.pilot").1, "failure");
    assert_eq!(case("azuread_user_consent_policy.tenant").1, "failure");

    // Markdown: the summary table first, then collapsible details.
    let md = &r.markdown;
    assert!(md.starts_with("<!-- zentra:drift -->\n## zentra drift: 1 drifted, 1 missing, 1 pending, 1 manual step waiting, 3 in sync\n"), "{md}");
    let table = md.find("| drifted | 1 |").expect(md);
    let details = md.find("<details>").expect(md);
    assert!(table < details, "{md}");
    assert!(
        md.contains("<details><summary><code>zoom_account_settings.sso</code>: drifted</summary>"),
        "{md}"
    );
    assert!(
        md.contains(
            "- security.signin_with_sso.enable = false\n+ security.signin_with_sso.enable = true\n"
        ),
        "{md}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_that_cannot_be_read_are_unknown_and_the_rest_still_reported() {
    let mut p = Project::new(QUICKSTART).await;
    p.apply_ok();
    p.sim
        .patch_state(
            "PATCH",
            "zoom/accounts/me/settings",
            json!({"security": {"signin_with_sso": {"enable": false}}}),
        )
        .unwrap();
    p.env.retain(|(k, _)| k != "AZURE_CLIENT_SECRET");
    p.env
        .push(("AZURE_CLIENT_SECRET".into(), "not-the-secret".into()));
    let (exit, out, r) = p.drift_reports();
    assert_eq!(exit, 1, "{out}");
    assert!(!out.contains("not-the-secret"), "{out}");
    assert_eq!(
        r.status("zoom_account_settings.sso"),
        "drifted",
        "Zoom is still checked"
    );
    assert_eq!(r.status("zoom_account_lock_settings.sso"), "in_sync");
    for azure in [
        "azuread_user_consent_policy.tenant",
        "azuread_service_principal.zoom",
        "azuread_delegated_permission_grant.zoom_calendar",
    ] {
        assert_eq!(r.status(azure), "unknown", "{}", r.json);
        assert!(r.object(azure)["reason"].as_str().unwrap().len() > 10);
    }
    assert_eq!(r.json["summary"]["unknown"], 3);
    assert!(r.markdown.contains("| unknown | 3 |"), "{}", r.markdown);
    assert_valid(
        &root().join("schemas/vendor/sarif/sarif-schema-2.1.0.json"),
        &r.sarif,
    );
    assert_eq!(
        r.sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    let cases = junit_cases(&r.junit);
    assert_eq!(
        cases.iter().filter(|c| c.1 == "error").count(),
        3,
        "{cases:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_ignore_accepts_known_drift_until_it_expires() {
    let ignore = |expires: &str| {
        format!(
            "{QUICKSTART}\ndrift_ignore {{\n  address = \"zoom_account_settings.sso\"\n  paths   = [\"security.signin_with_sso.enable\"]\n  reason  = \"turned off for the migration (CHG-42)\"\n  expires = \"{expires}\"\n}}\n"
        )
    };
    let p = Project::new(&ignore("2999-12-31")).await;
    p.apply_ok();
    p.sim
        .patch_state(
            "PATCH",
            "zoom/accounts/me/settings",
            json!({"security": {"signin_with_sso": {"enable": false}}}),
        )
        .unwrap();
    let (exit, out, r) = p.drift_reports();
    assert_eq!(exit, 0, "accepted drift is no finding:\n{out}");
    assert_eq!(r.status("zoom_account_settings.sso"), "in_sync");
    assert_eq!(r.json["summary"]["suppressed"], 1);
    let accepted = &r.object("zoom_account_settings.sso")["attributes"][0]["suppressed"];
    assert_eq!(accepted["reason"], "turned off for the migration (CHG-42)");
    assert_eq!(accepted["expires"], "2999-12-31");
    let results = r.sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results[0]["suppressions"][0]["kind"], "inSource",
        "{results:?}"
    );
    assert_valid(
        &root().join("schemas/vendor/sarif/sarif-schema-2.1.0.json"),
        &r.sarif,
    );

    p.write_config(&ignore("2020-01-31"));
    let (exit, out, r) = p.drift_reports();
    assert_eq!(exit, 2, "{out}");
    assert_eq!(r.status("zoom_account_settings.sso"), "drifted");
    assert!(
        out.contains("the drift_ignore of zoom_account_settings.sso (main.zen.hcl:"),
        "{out}"
    );
    assert!(
        out.contains("expired on 2020-01-31: its drift counts again"),
        "{out}"
    );
    assert!(
        r.markdown.contains("> **Warning:** the drift_ignore of"),
        "{}",
        r.markdown
    );

    // A path the type does not have is a configuration error, at its place.
    p.write_config(&ignore("2999-12-31").replace(
        "security.signin_with_sso.enable",
        "security.signin_with_sso.enabled",
    ));
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("drift_ignore: `zoom_account_settings` has no attribute `security.signin_with_sso.enabled`"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did you mean `enable`?"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_annotates_the_repository_file_and_line_and_fills_the_job_summary() {
    let p = Project::new(QUICKSTART).await;
    // A repository with the configuration in envs/prod.
    let config_dir = p.path().join("envs/prod");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::create_dir(p.path().join(".git")).unwrap();
    std::fs::rename(
        p.path().join("main.zen.hcl"),
        config_dir.join("main.zen.hcl"),
    )
    .unwrap();
    let out = p.run(&["--chdir", "envs/prod", "apply", "--auto-approve"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    p.sim
        .patch_state(
            "PATCH",
            "zoom/accounts/me/settings",
            json!({"security": {"signin_with_sso": {"enable": false}}}),
        )
        .unwrap();
    let summary = p.path().join("summary.md");
    let mut cmd = Command::new(zentra_test_support::zentra_binary());
    cmd.args(["--chdir", "envs/prod", "drift", "--github-annotations"])
        .current_dir(p.path())
        .env_clear()
        .envs(p.env.iter().cloned())
        .env("GITHUB_STEP_SUMMARY", &summary);
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let line = QUICKSTART
        .lines()
        .position(|l| l.trim_start().starts_with("enable "))
        .unwrap()
        + 1;
    assert!(
        stdout(&out).contains(&format!(
            "::warning file=envs/prod/main.zen.hcl,line={line},col=7,title=zentra%3A drift::zoom_account_settings.sso: security.signin_with_sso.enable is false outside zentra (configuration says true)\n"
        )),
        "{}",
        stdout(&out)
    );
    let written = std::fs::read_to_string(&summary).expect("the job summary is written");
    assert!(
        written.starts_with("<!-- zentra:drift -->\n## zentra drift: 1 drifted, 4 in sync\n"),
        "{written}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_takes_no_lock_and_plan_writes_the_same_markdown_for_a_pull_request() {
    let p = Project::new(QUICKSTART).await;
    let lock = zentra_engine::state::LocalStateStore::new(p.path().join("zentra.state.json"));
    let held = zentra_engine::state::StateStore::lock(&lock, "a test holding the lock").unwrap();
    let out = p.run(&["drift"]);
    assert_eq!(
        code(&out),
        2,
        "drift reads with the lock held elsewhere:\n{}",
        stderr(&out)
    );
    let planned = p.run(&["plan"]);
    assert_eq!(code(&planned), 1, "plan does take it");
    drop(held);

    let out = p.run(&["plan", "--report-md", "plan.md", "--out", "plan.zplan"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let md = std::fs::read_to_string(p.path().join("plan.md")).unwrap();
    assert!(
        md.starts_with(
            "<!-- zentra:plan -->\n## zentra plan: Plan: 2 to add, 3 to change, 0 to destroy.\n"
        ),
        "{md}"
    );
    assert!(
        md.contains(
            "<details><summary><code>azuread_service_principal.zoom</code>: pending</summary>"
        ),
        "{md}"
    );
    assert!(
        md.contains("+ app_id = \"a651cfda-cbdd-4a39-bd03-fa829c3c1b29\"\n"),
        "{md}"
    );
    assert!(md.len() <= 65_536);
}
