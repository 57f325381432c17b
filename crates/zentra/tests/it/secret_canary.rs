//! Distinct canary strings planted as every kind of secret a run handles — the Zoom and Azure
//! client secrets, a certificate's private key, the state passphrase, a sensitive variable and
//! values computed from it, and wrong credentials — never appear on stdout, stderr, `--json`,
//! in `show`, state, its backup, saved plans or any report, whatever the command.

use std::path::Path;
use std::process::Output;

use serde_json::json;
use zentra_sim::Seed;
use zentra_test_support::entra::{fixture, fixtures_dir, registered_certificate};
use zentra_test_support::{Project, code, stderr, stdout};

const ZOOM_SECRET: &str = "CanaryZoomSecret71c3e";
const AZURE_SECRET: &str = "CanaryAzureSecret0e29a";
const PASSPHRASE: &str = "CanaryPassphrase5b8d0f";
const NOTE: &str = "CanaryNote3a9e44";
const WRONG_ZOOM: &str = "CanaryWrongZoom6d21";
const WRONG_AZURE: &str = "CanaryWrongAzure8f47";

const CONFIG: &str = r#"
zentra {
  encryption {
    iterations = 100000
  }
}

provider "zoom" {}
provider "azuread" {}
provider "azuread" {
  alias                   = "cert"
  auth                    = "certificate"
  client_certificate_path = "CERT_PATH"
}

variable "note" {
  type      = string
  sensitive = true
}

locals {
  shouted = upper(var.note)
}

resource "zoom_role" "auditors" {
  name        = "Auditors"
  description = "Reviews audit logs: ${var.note}"
}

resource "zoom_group" "pilot" {
  name = "SSO pilot"
}

resource "azuread_service_principal" "zoom" {
  app_id = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"
}

resource "azuread_user_consent_policy" "consent" {
  provider     = azuread.cert
  user_consent = "disabled"
}

output "shouted" {
  value     = local.shouted
  sensitive = true
}
"#;

/// Every canary, with what it stands for; computed values (`upper`) included.
fn canaries() -> Vec<(&'static str, String)> {
    let mut all = vec![
        ("the Zoom client secret", ZOOM_SECRET.to_string()),
        ("the Azure client secret", AZURE_SECRET.to_string()),
        ("the state passphrase", PASSPHRASE.to_string()),
        ("a sensitive variable", NOTE.to_string()),
        ("a value computed from it", NOTE.to_uppercase()),
        ("a wrong Zoom secret", WRONG_ZOOM.to_string()),
        ("a wrong Azure secret", WRONG_AZURE.to_string()),
    ];
    // The private key, by each of its base64 lines.
    let pem = fixture("certs/client.pem");
    let key = pem
        .split("-----BEGIN PRIVATE KEY-----")
        .nth(1)
        .expect("the fixture holds a private key")
        .split("-----END")
        .next()
        .unwrap();
    for line in key.lines().map(str::trim).filter(|l| l.len() >= 40) {
        all.push(("the certificate's private key", line.to_string()));
    }
    all
}

fn seed() -> Seed {
    let mut seed = Seed::default_demo();
    seed.zoom.accounts[0].apps[0].client_secret = ZOOM_SECRET.into();
    let client = &mut seed.entra.tenants[0].client_apps[0];
    client.secrets = vec![AZURE_SECRET.into()];
    client.certificates = vec![registered_certificate(&fixture("certs/client.pem"))];
    seed
}

/// Fails the test if `text` holds any canary (case-insensitively).
fn assert_clean(what: &str, text: &str) {
    let lower = text.to_lowercase();
    for (kind, canary) in canaries() {
        assert!(
            !lower.contains(&canary.to_lowercase()),
            "{kind} leaked into {what}:\n{text}"
        );
    }
}

/// Every file under `dir`, its path relative to it and its bytes as text.
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            found.extend(files(&path));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            found.push((
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    found
}

struct Run<'a> {
    p: &'a Project,
    commands: usize,
}

impl Run<'_> {
    /// Runs `zentra args`, checks its stdout and stderr, and returns its output.
    fn run(&mut self, args: &[&str], expect: &[i32]) -> Output {
        let out = self.p.run(args);
        assert!(
            expect.contains(&code(&out)),
            "zentra {args:?} exited {}:\n{}\n{}",
            code(&out),
            stdout(&out),
            stderr(&out)
        );
        assert_clean(&format!("stdout of zentra {args:?}"), &stdout(&out));
        assert_clean(&format!("stderr of zentra {args:?}"), &stderr(&out));
        self.commands += 1;
        out
    }

    /// Checks every file of the project.
    fn files(&self) {
        for (path, text) in files(self.p.path()) {
            assert_clean(&path, &text);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planted_secrets_never_appear_in_any_output_or_file() {
    let cert = fixtures_dir().join("certs/client.pem");
    let mut p = Project::seeded(&CONFIG.replace("CERT_PATH", cert.to_str().unwrap()), seed()).await;
    assert_eq!(p.var("ZOOM_CLIENT_SECRET"), ZOOM_SECRET);
    assert_eq!(p.var("AZURE_CLIENT_SECRET"), AZURE_SECRET);
    p.set_env("ZENTRA_STATE_PASSPHRASE", PASSPHRASE);
    p.set_env("ZENTRA_VAR_note", NOTE);
    p.set_env(
        "GITHUB_STEP_SUMMARY",
        p.path().join("step-summary.md").to_str().unwrap(),
    );
    let mut r = Run { p: &p, commands: 0 };

    r.run(&["validate"], &[0]);
    r.run(&["permissions"], &[0]);
    r.run(&["permissions", "--json"], &[0]);
    r.run(&["schema"], &[0]);
    r.run(&["schema", "zoom_role", "--json"], &[0]);
    r.run(&["schema", "provider.azuread"], &[0]);
    r.run(&["init"], &[0]);
    r.run(&["plan", "--detailed-exitcode"], &[2]);
    let json = r.run(&["plan", "--json"], &[0]);
    assert!(stdout(&json).contains("resource_changes"));
    r.run(
        &[
            "plan",
            "--out",
            "saved.zplan",
            "--report-md",
            "plan.md",
            "--detailed-exitcode",
        ],
        &[2],
    );
    r.run(&["show", "saved.zplan"], &[0]);
    r.run(&["show", "--json", "saved.zplan"], &[0]);
    r.files();
    let applied = r.run(&["apply", "saved.zplan"], &[0]);
    assert!(stdout(&applied).contains("shouted"), "{}", stdout(&applied));
    // The role really carries the secret: it is what must not show.
    let role = p.account()["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Auditors")
        .cloned()
        .unwrap();
    assert!(role.to_string().contains(NOTE), "{role}");
    r.run(&["plan", "--detailed-exitcode"], &[0]);
    r.run(&["show"], &[0]);
    r.run(&["show", "--json"], &[0]);
    let pulled = r.run(&["state", "pull"], &[0]);
    assert!(stdout(&pulled).contains("zoom_role.auditors"));
    r.files();

    // Drift on the secret-bearing role, in every report.
    let id = role["id"].as_str().unwrap().to_string();
    p.sim
        .patch_state(
            "PATCH",
            &format!("zoom/accounts/me/roles/{id}"),
            json!({"description": format!("Changed by hand, was {NOTE}")}),
        )
        .unwrap();
    r.run(
        &[
            "drift",
            "--report-md",
            "drift.md",
            "--report-junit",
            "drift.xml",
            "--report-sarif",
            "drift.sarif",
            "--report-json",
            "drift.json",
            "--github-annotations",
        ],
        &[2],
    );
    r.run(&["drift", "--json"], &[2]);
    assert!(p.path().join("drift.sarif").exists());
    r.run(&["plan", "--detailed-exitcode"], &[2]);
    r.run(&["apply", "--auto-approve"], &[0]);
    r.run(&["zentra-no-such-command"], &[1]);
    r.files();
    let commands = r.commands;

    // Wrong credentials: refused by the services, without repeating them.
    p.set_env("ZOOM_CLIENT_SECRET", WRONG_ZOOM);
    p.set_env("AZURE_CLIENT_SECRET", WRONG_AZURE);
    let mut r = Run { p: &p, commands };
    let refused = r.run(&["plan"], &[1]);
    assert!(!stderr(&refused).is_empty());
    r.run(&["plan", "--json"], &[1]);
    r.run(&["drift", "--report-json", "refused.json"], &[1]);
    r.run(&["apply", "--auto-approve"], &[1]);
    r.files();
    let commands = r.commands;
    // A wrong passphrase: the state cannot be read, and says so without the passphrase.
    p.set_env("ZENTRA_STATE_PASSPHRASE", "CanaryWrongPassphrase19");
    let wrong_key = p.run(&["state", "pull"]);
    assert_eq!(code(&wrong_key), 1, "{}", stderr(&wrong_key));
    assert!(
        !stderr(&wrong_key).contains("CanaryWrongPassphrase19"),
        "{}",
        stderr(&wrong_key)
    );
    assert!(commands >= 25, "{commands} commands ran");
}
