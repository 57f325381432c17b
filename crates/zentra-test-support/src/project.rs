//! A configuration directory, an emulator started on 127.0.0.1:0, and the environment the real
//! `zentra` binary runs with against it. Every request a test sends, and every response it
//! gets, is checked against the vendors' own specs when the project is dropped.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;
use zentra_sim::{RequestRecord, Seed, SimConfig, SimServer};

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file of an example under `examples/`.
pub fn example_file(relative: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(relative)).expect("example file")
}

/// The `zentra` binary cargo built for the running test: `CARGO_BIN_EXE_zentra` when cargo sets
/// it at run time, else `zentra` in the directory above the test executable's `deps/`.
pub fn zentra_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("CARGO_BIN_EXE_zentra") {
        return PathBuf::from(path);
    }
    let mut dir = std::env::current_exe().expect("the test executable's path");
    dir.pop();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir.join(format!("zentra{}", std::env::consts::EXE_SUFFIX))
}

/// A configuration directory, the emulator, and the environment `zentra` runs with.
pub struct Project {
    pub dir: tempfile::TempDir,
    pub sim: SimServer,
    pub env: Vec<(String, String)>,
}

impl Project {
    /// `config` as `main.zen.hcl`, against the emulator's demo seed.
    pub async fn new(config: &str) -> Project {
        Project::with(config, SimConfig::default()).await
    }

    pub async fn seeded(config: &str, seed: Seed) -> Project {
        Project::with(
            config,
            SimConfig {
                seed,
                ..SimConfig::default()
            },
        )
        .await
    }

    pub async fn with(config: &str, cfg: SimConfig) -> Project {
        let sim = SimServer::start(cfg).await.expect("emulator starts");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("main.zen.hcl"), config).expect("config");
        let env = sim.env_vars();
        Project { dir, sim, env }
    }

    /// A project made of an example directory's files.
    pub async fn example(name: &str) -> Project {
        Project::example_with(name, SimConfig::default()).await
    }

    /// An example against an emulator started with `cfg`.
    pub async fn example_with(name: &str, cfg: SimConfig) -> Project {
        let p = Project::with("", cfg).await;
        std::fs::remove_file(p.path().join("main.zen.hcl")).expect("remove");
        copy_dir(&root().join("examples").join(name), p.path());
        p
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file of the project.
    pub fn write(&self, name: &str, contents: &str) {
        std::fs::write(self.path().join(name), contents).expect("write");
    }

    /// Replaces the configuration, `main.zen.hcl`.
    pub fn write_config(&self, config: &str) {
        self.write("main.zen.hcl", config);
    }

    /// `zentra` with `args`, to run in the project directory with the project's environment
    /// only.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(zentra_binary());
        cmd.args(args).current_dir(self.path()).env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs `zentra` in the project directory with the project's environment only.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("zentra runs")
    }

    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.to_string(), value.to_string()));
    }

    pub fn unset_env(&mut self, name: &str) {
        self.env.retain(|(k, _)| k != name);
    }

    pub fn var(&self, name: &str) -> String {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Requests to the vendor APIs (not the token endpoints).
    pub fn api_requests(&self) -> Vec<RequestRecord> {
        self.sim
            .requests()
            .into_iter()
            .filter(|r| r.service == "zoom" || r.service == "graph")
            .collect()
    }

    /// `METHOD /path` of every write to a vendor API (batched reads left out).
    pub fn writes(&self) -> Vec<String> {
        self.api_requests()
            .into_iter()
            .filter(|r| r.method != "GET" && !(r.method == "POST" && r.path.ends_with("/$batch")))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    /// Applies and asserts success; returns stdout.
    pub fn apply_ok(&self) -> String {
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

    /// Plans with `--detailed-exitcode`; returns (exit code, stdout, stderr), stdout with runs
    /// of spaces inside lines squeezed to one (plans align their `=`).
    pub fn plan(&self) -> (i32, String, String) {
        let out = self.run(&["plan", "--detailed-exitcode"]);
        (code(&out), squeeze(&stdout(&out)), stderr(&out))
    }

    /// Runs `plan --detailed-exitcode`, failing the test unless it succeeds (exit 0 or 2), and
    /// returns (exit code, stdout with runs of spaces before `=` squeezed to one, so assertions
    /// need not follow the renderer's column alignment; other spacing is kept).
    pub fn plan_ok(&self) -> (i32, String) {
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

    /// `plan --json`, parsed.
    pub fn plan_json(&self) -> Value {
        let out = self.run(&["plan", "--json"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).expect("plan --json prints JSON")
    }

    /// The id state records for `address`.
    pub fn state_id(&self, address: &str) -> String {
        let state: Value = serde_json::from_str(
            &std::fs::read_to_string(self.path().join("zentra.state.json")).unwrap(),
        )
        .unwrap();
        state["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"] == address)
            .and_then(|r| r["id"].as_str())
            .unwrap_or_else(|| panic!("{address} in state: {state}"))
            .to_string()
    }

    /// Asserts that a plan finds nothing to do.
    pub fn assert_converged(&self) {
        let (code, out, err) = self.plan();
        assert_eq!(code, 0, "expected no changes:\n{out}\n{err}");
        assert!(out.contains("No changes."), "{out}");
    }
}

impl Drop for Project {
    /// Every request of these tests, and every emulator response, must match the vendors'
    /// specs.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            crate::traffic::assert_conformant(&self.sim.requests());
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("example dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Runs of spaces after a line's indentation squeezed to one.
pub fn squeeze(text: &str) -> String {
    text.lines()
        .map(|line| {
            let body = line.trim_start_matches(' ');
            let indent = &line[..line.len() - body.len()];
            let mut out = indent.to_string();
            let mut last_space = false;
            for c in body.chars() {
                if c == ' ' && last_space {
                    continue;
                }
                last_space = c == ' ';
                out.push(c);
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
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

/// Lets background work settle (the emulator's replication lag, say).
pub async fn pause(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}
