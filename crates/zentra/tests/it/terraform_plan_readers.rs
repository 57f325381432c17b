//! `zentra plan --json` is Terraform's JSON plan format: real readers of that format, from the
//! package registries, read zentra's plans as they are. checkov applies the custom YAML policy
//! in `examples/ci/policies/checkov` (`--framework terraform_plan`), and a Rego interpreter
//! (regopy) the policies in `examples/ci/policies/rego`: each fails a plan that violates them
//! and passes one that does not.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use zentra_test_support::{Project, code, stderr, stdout};

const QUICKSTART: &str = include_str!("../../../../examples/quickstart/main.zen.hcl");

fn policies() -> PathBuf {
    zentra_test_support::root().join("examples/ci/policies")
}

/// What these tests run on a [`Project`].
trait PlanFile {
    fn terraform_plan_file(&self) -> PathBuf;
}

impl PlanFile for Project {
    /// Saves `plan --json` as `plan.json` in the project and returns its path.
    fn terraform_plan_file(&self) -> PathBuf {
        let out = self.run(&["plan", "--json"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let path = self.path().join("plan.json");
        std::fs::write(&path, &out.stdout).unwrap();
        path
    }
}

/// checkov's verdict on a plan file: its exit code and its JSON report.
fn checkov(plan: &Path) -> (i32, Value) {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(zentra_test_support::test_tools::python_tool(
        "policy", "checkov",
    ))
    .args(["--skip-download", "--framework", "terraform_plan", "-f"])
    .arg(plan)
    .arg("--external-checks-dir")
    .arg(policies().join("checkov"))
    .args(["--check", "CKV2_ZENTRA_1", "-o", "json"])
    .env("HOME", home.path())
    .output()
    .expect("checkov runs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov printed no JSON ({e}):\n{}\n{}",
            stdout(&out),
            stderr(&out)
        )
    });
    (code(&out), report)
}

/// The `deny` set of `examples/ci/policies/rego/zentra.rego` over a plan file.
fn rego_denials(plan: &Path) -> Vec<String> {
    let script = r#"
import json, sys
from regopy import Interpreter
rego = Interpreter()
rego.add_module("zentra", open(sys.argv[1]).read())
rego.set_input_term(open(sys.argv[2]).read())
print(rego.query("x = data.zentra.plan.deny"))
"#;
    let out = Command::new(zentra_test_support::test_tools::python_tool(
        "policy", "python",
    ))
    .arg("-c")
    .arg(script)
    .arg(policies().join("rego/zentra.rego"))
    .arg(plan)
    .output()
    .expect("python runs");
    assert!(out.status.success(), "regopy failed:\n{}", stderr(&out));
    let result: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("regopy's answer is JSON ({e}): {}", stdout(&out)));
    result["bindings"]["x"]
        .as_array()
        .unwrap_or_else(|| panic!("a set of denials: {result}"))
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkov_passes_a_plan_that_keeps_sso_on_and_fails_one_that_turns_it_off() {
    let p = Project::new(QUICKSTART).await;
    let (exit, report) = checkov(&p.terraform_plan_file());
    assert_eq!(exit, 0, "{report}");
    assert_eq!(report["summary"]["passed"], 1, "{report}");
    assert_eq!(report["summary"]["parsing_errors"], 0, "{report}");
    assert_eq!(
        report["results"]["passed_checks"][0]["resource"],
        "zoom_account_settings.sso"
    );

    p.write_config(&QUICKSTART.replacen(
        "enable                  = true",
        "enable                  = false",
        1,
    ));
    let (exit, report) = checkov(&p.terraform_plan_file());
    assert_eq!(exit, 1, "{report}");
    let failed = &report["results"]["failed_checks"][0];
    assert_eq!(failed["check_id"], "CKV2_ZENTRA_1", "{report}");
    assert_eq!(failed["resource"], "zoom_account_settings.sso");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rego_policies_read_the_plan_and_deny_what_they_forbid() {
    let p = Project::new(QUICKSTART).await;
    assert_eq!(rego_denials(&p.terraform_plan_file()), Vec::<String>::new());

    let risky = QUICKSTART
        .replacen(
            "enable                  = true",
            "enable                  = false",
            1,
        )
        .replace("user_consent = \"disabled\"", "user_consent = \"all_apps\"");
    assert_ne!(risky, QUICKSTART);
    p.write_config(&risky);
    let mut denials = rego_denials(&p.terraform_plan_file());
    denials.sort();
    assert_eq!(
        denials,
        [
            "azuread_user_consent_policy.tenant: users may not consent to all apps",
            "zoom_account_settings.sso: sign-in with SSO must stay enabled",
        ]
    );

    // Removing the service principal's block plans its deletion.
    let with_sp = "provider \"azuread\" {}\nresource \"azuread_user_consent_policy\" \"tenant\" {\n  user_consent = \"disabled\"\n}\n";
    let sp = "resource \"azuread_service_principal\" \"zoom\" {\n  app_id = \"a651cfda-cbdd-4a39-bd03-fa829c3c1b29\"\n}\n";
    p.write_config(&format!("{with_sp}{sp}"));
    p.apply_ok();
    p.write_config(with_sp);
    let plan = p.terraform_plan_file();
    let parsed: Value = serde_json::from_slice(&std::fs::read(&plan).unwrap()).unwrap();
    let deleted = parsed["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "azuread_service_principal.zoom")
        .unwrap();
    assert_eq!(
        deleted["change"]["actions"],
        serde_json::json!(["delete"]),
        "{deleted}"
    );
    assert_eq!(
        deleted["action_reason"],
        "delete_because_no_resource_config"
    );
    assert_eq!(
        rego_denials(&plan),
        ["azuread_service_principal.zoom: a plan must not delete a service principal"]
    );
}
