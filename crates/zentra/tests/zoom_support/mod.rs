//! Helpers shared by the end-to-end tests of the Zoom resources: a project directory with a
//! configuration, the `zentra` binary run against an emulator started on 127.0.0.1:0, and
//! views of the emulator's state and request log. Every request a test sends, and every
//! response it gets, is checked against Zoom's own spec when the project is dropped.
//!
//! A test file includes it with
//!
//! ```ignore
//! #[path = "support/conformance/mod.rs"]
//! mod conformance;
//! #[path = "support/traffic.rs"]
//! mod traffic;
//! mod zoom_support;
//! ```

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use zentra_sim::{Seed, SimConfig, SimServer, ZoomUserSeed};

pub struct Project {
    pub dir: tempfile::TempDir,
    pub sim: SimServer,
    pub env: Vec<(String, String)>,
}

impl Project {
    pub async fn new(config: &str) -> Project {
        Project::seeded(config, Seed::default_demo()).await
    }

    pub async fn seeded(config: &str, seed: Seed) -> Project {
        let sim = SimServer::start(SimConfig {
            seed,
            ..SimConfig::default()
        })
        .await
        .expect("emulator starts");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("main.zen.hcl"), config).expect("write config");
        let env = sim.env_vars();
        Project { dir, sim, env }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Replaces the configuration.
    pub fn write(&self, config: &str) {
        std::fs::write(self.path().join("main.zen.hcl"), config).expect("write config");
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_zentra"));
        cmd.args(args).current_dir(self.path()).env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().expect("zentra runs")
    }

    /// Runs `apply --auto-approve`, failing the test unless it succeeds.
    pub fn apply(&self) -> String {
        let out = self.run(&["apply", "--auto-approve"]);
        assert_eq!(
            code(&out),
            0,
            "apply failed:\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    /// Runs `plan --detailed-exitcode` and returns (exit code, stdout with runs of spaces
    /// squeezed to one, so assertions need not follow the renderer's column alignment).
    pub fn plan(&self) -> (i32, String) {
        let out = self.run(&["plan", "--detailed-exitcode"]);
        assert!(
            code(&out) == 0 || code(&out) == 2,
            "plan failed:\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
        let mut text = stdout(&out);
        while text.contains("  =") {
            text = text.replace("  =", " =");
        }
        (code(&out), text)
    }

    /// Asserts that a plan now shows nothing to do.
    pub fn assert_converged(&self) {
        let (code, text) = self.plan();
        assert_eq!(code, 0, "expected no changes:\n{text}");
        assert!(text.contains("No changes."), "{text}");
    }

    /// Zoom API requests (not the token endpoint) as `METHOD /path?query`.
    pub fn zoom_requests(&self) -> Vec<String> {
        self.sim
            .requests()
            .into_iter()
            .filter(|r| r.service == "zoom")
            .map(|r| {
                let path = r.path.trim_start_matches("/v2").to_string();
                if r.query.is_empty() {
                    format!("{} {path}", r.method)
                } else {
                    format!("{} {path}?{}", r.method, r.query)
                }
            })
            .collect()
    }

    /// Zoom API requests that change something.
    pub fn zoom_writes(&self) -> Vec<String> {
        self.zoom_requests()
            .into_iter()
            .filter(|r| !r.starts_with("GET "))
            .collect()
    }

    /// The first account's live state, as the emulator's admin API shows it.
    pub fn account(&self) -> Value {
        self.sim.snapshot()["zoom"]["accounts"][0].clone()
    }

    /// A live group by name.
    pub fn group(&self, name: &str) -> Option<Value> {
        self.account()["groups"]
            .as_array()?
            .iter()
            .find(|g| g["name"] == name)
            .cloned()
    }

    /// The emails of a live group's members.
    pub fn member_emails(&self, group: &str) -> Vec<String> {
        let account = self.account();
        let Some(group) = self.group(group) else {
            return Vec::new();
        };
        let mut emails: Vec<String> = group["members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|id| {
                account["users"]
                    .as_array()?
                    .iter()
                    .find(|u| &u["id"] == id)?["email"]
                    .as_str()
                    .map(str::to_string)
            })
            .collect();
        emails.sort();
        emails
    }

    /// The emails of the users holding a role.
    pub fn role_members(&self, role: &str) -> Vec<String> {
        let mut emails: Vec<String> = self.account()["users"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|u| u["role_name"] == role)
            .filter_map(|u| u["email"].as_str().map(str::to_string))
            .collect();
        emails.sort();
        emails
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            crate::traffic::assert_conformant(&self.sim.requests());
        }
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// The demo seed with `n` more users, `user00@contoso.com`, ...
pub fn seed_with_users(n: usize) -> Seed {
    let mut seed = Seed::default_demo();
    for i in 0..n {
        seed.zoom.accounts[0].users.push(ZoomUserSeed {
            id: format!("user{i:02}"),
            email: format!("user{i:02}@contoso.com"),
            first_name: "User".into(),
            last_name: format!("{i:02}"),
            user_type: 1,
            role_name: "Member".into(),
            status: "active".into(),
        });
    }
    seed
}
