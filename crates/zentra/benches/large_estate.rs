//! What zentra's own process costs as an estate grows to 10,000 resources: CPU time and peak
//! memory of `validate`, `plan`, `apply` and the plan after it, at 1k, 3k and 10k resources,
//! measured side by side in one run against a zero-latency emulator.
//!
//! The real `zentra` binary runs as a child process; its CPU time (user + system) and peak
//! resident memory come from `wait4`, which reports that child alone. The emulator runs in this
//! process, so its own work is measured apart (this process's CPU time over the same run).
//!
//! Each Zoom account (Business plan, its own provider alias and credentials) gets 34 groups,
//! each with its settings and its members: 102 resources per account, so 10, 30 and 100
//! accounts make about 1k, 3k and 10k resources.
//!
//! Linux carries a process's peak resident size over `fork` and `exec` into the program it
//! starts, so a `zentra` started by this process (the emulator and its request log in it, grown
//! to hundreds of MB at 10k) would report that peak as its own. A small launcher process,
//! started before the emulator, starts each run instead and reports what `wait4` says of it.
//!
//! Run with `cargo bench --bench large_estate` (a few minutes); `-- --quick` runs 1k only.
//! Results are recorded in `docs/benchmarks.md`.
//!
//! `-- --keep DIR --accounts N` is for profiling: it writes the configuration of N accounts
//! into DIR, runs validate, plan and apply there, then leaves the emulator serving and writes
//! the environment a `zentra` run against it needs to `DIR/env.sh`; deleting that file stops
//! it. A plan after apply can then be run and profiled on its own.

// A benchmark prints its results table, and a broken measurement should stop it loudly.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use zentra_sim::{Seed, SimConfig, SimServer, ZoomPlan, ZoomUserSeed};

const GROUPS_PER_ACCOUNT: usize = 34;
const USERS_PER_ACCOUNT: usize = 4;

fn seed(accounts: usize) -> Seed {
    let demo = Seed::default_demo();
    let mut seed = demo.clone();
    seed.zoom.accounts.clear();
    seed.entra.tenants.truncate(1);
    for i in 0..accounts {
        let mut a = demo.zoom.accounts[0].clone();
        a.id = format!("zEstate{i:015}");
        a.plan = ZoomPlan::Business;
        a.groups.clear();
        a.users = (0..USERS_PER_ACCOUNT)
            .map(|u| ZoomUserSeed {
                id: format!("u{u}a{i}"),
                email: format!("user{u}.a{i}@contoso.com"),
                first_name: "User".into(),
                last_name: format!("{u}"),
                user_type: 2,
                role_name: if u == 0 { "Owner" } else { "Member" }.into(),
                status: "active".into(),
            })
            .collect();
        for app in &mut a.apps {
            app.client_id = format!("{}{i}", app.client_id);
        }
        seed.zoom.accounts.push(a);
    }
    seed
}

fn config(seed: &Seed) -> String {
    let mut c = String::new();
    for (i, a) in seed.zoom.accounts.iter().enumerate() {
        let app = &a.apps[0];
        let _ = write!(
            c,
            "provider \"zoom\" {{\n  alias         = \"a{i}\"\n  account_id    = \"{}\"\n  \
             client_id     = \"{}\"\n  client_secret = \"{}\"\n  plan_tier     = \"business\"\n}}\n",
            a.id, app.client_id, app.client_secret
        );
        for g in 0..GROUPS_PER_ACCOUNT {
            let _ = write!(
                c,
                r#"
resource "zoom_group" "a{i}_g{g}" {{
  provider = zoom.a{i}
  name     = "Team {g}"
}}
resource "zoom_group_settings" "a{i}_g{g}" {{
  provider = zoom.a{i}
  group_id = zoom_group.a{i}_g{g}.id
  in_meeting {{
    chat = {chat}
  }}
}}
resource "zoom_group_members" "a{i}_g{g}" {{
  provider = zoom.a{i}
  group_id = zoom_group.a{i}_g{g}.id
  emails   = ["user{u1}.a{i}@contoso.com", "user{u2}.a{i}@contoso.com"]
}}
"#,
                chat = g % 2 == 0,
                u1 = g % USERS_PER_ACCOUNT,
                u2 = (g + 1) % USERS_PER_ACCOUNT,
            );
        }
    }
    c
}

/// What one run of the binary cost its own process.
struct Cost {
    cpu: Duration,
    peak_rss_mb: f64,
    wall: Duration,
    exit: i32,
    requests: usize,
    emulator_cpu: Duration,
}

fn cpu_of(usage: &libc::rusage) -> Duration {
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn own_cpu() -> Duration {
    // SAFETY: getrusage fills the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    cpu_of(&usage)
}

/// One run of the binary, as the launcher is asked for it and answers.
#[derive(serde::Serialize, serde::Deserialize)]
struct Run {
    dir: std::path::PathBuf,
    env: Vec<(String, String)>,
    args: Vec<String>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Ran {
    cpu_us: u64,
    peak_rss_kb: u64,
    exit: i32,
    stderr: String,
}

/// Runs `zentra` as `run` says and measures that child alone (`wait4`).
fn run_child(run: &Run) -> Ran {
    // Reaped by `wait4` below, which reports the child's own resource usage.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_zentra"))
        .args(&run.args)
        .current_dir(&run.dir)
        .env_clear()
        .envs(run.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zentra runs");
    let pid = child.id() as libc::pid_t;
    let stderr = child.stderr.expect("stderr");
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let mut status = 0;
    // SAFETY: wait4 on the child this function started, with a zeroed rusage to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    Ran {
        cpu_us: cpu_of(&usage).as_micros() as u64,
        // Linux reports kilobytes.
        peak_rss_kb: usage.ru_maxrss as u64,
        exit: if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        },
        stderr: reader.join().unwrap(),
    }
}

/// The launcher's side: runs what each line of standard input asks for and answers with a
/// line on standard output, until standard input ends.
fn serve_as_launcher() {
    use std::io::{BufRead, Write};
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let run: Run = serde_json::from_str(&line.unwrap()).unwrap();
        let ran = serde_json::to_string(&run_child(&run)).unwrap();
        writeln!(out, "{ran}").unwrap();
        out.flush().unwrap();
    }
}

/// The launcher process, started while this process is still small.
struct Launcher {
    process: std::process::Child,
    input: std::process::ChildStdin,
    output: std::io::BufReader<std::process::ChildStdout>,
}

impl Launcher {
    fn start() -> Self {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg("--launcher")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the launcher starts");
        Launcher {
            input: child.stdin.take().unwrap(),
            output: std::io::BufReader::new(child.stdout.take().unwrap()),
            process: child,
        }
    }

    /// Ends the launcher: its standard input closes, and it exits.
    fn stop(self) {
        let Launcher {
            mut process, input, ..
        } = self;
        drop(input);
        process.wait().expect("the launcher exits");
    }

    fn run(&mut self, run: &Run) -> Ran {
        use std::io::{BufRead, Write};
        writeln!(self.input, "{}", serde_json::to_string(run).unwrap()).unwrap();
        self.input.flush().unwrap();
        let mut line = String::new();
        self.output.read_line(&mut line).unwrap();
        serde_json::from_str(&line).expect("the launcher answers")
    }
}

static LAUNCHER: std::sync::Mutex<Option<Launcher>> = std::sync::Mutex::new(None);

/// Runs `zentra args` in `dir` through the launcher and measures that child alone.
fn measure(
    dir: &std::path::Path,
    env: &[(String, String)],
    args: &[&str],
    sim: &SimServer,
) -> Cost {
    sim.clear_requests();
    let emulator_before = own_cpu();
    let started = Instant::now();
    let ran = LAUNCHER
        .lock()
        .unwrap()
        .as_mut()
        .expect("the launcher was started")
        .run(&Run {
            dir: dir.to_path_buf(),
            env: env.to_vec(),
            args: args.iter().map(|a| (*a).to_string()).collect(),
        });
    let wall = started.elapsed();
    assert!(
        ran.exit == 0 || ran.exit == 2,
        "zentra {args:?} failed ({}):\n{}",
        ran.exit,
        ran.stderr
    );
    let requests = sim
        .requests()
        .iter()
        .filter(|r| r.service == "zoom" || r.service == "graph")
        .count();
    Cost {
        cpu: Duration::from_micros(ran.cpu_us),
        peak_rss_mb: ran.peak_rss_kb as f64 / 1024.0,
        wall,
        exit: ran.exit,
        requests,
        emulator_cpu: own_cpu() - emulator_before,
    }
}

fn cell(c: &Cost) -> String {
    format!(
        "{:.2} s, {:.0} MB ({:.1} s wall, {} req; emulator {:.2} s)",
        c.cpu.as_secs_f64(),
        c.peak_rss_mb,
        c.wall.as_secs_f64(),
        c.requests,
        c.emulator_cpu.as_secs_f64()
    )
}

async fn run(accounts: usize, keep: Option<std::path::PathBuf>) -> (usize, [Cost; 4]) {
    let seed = seed(accounts);
    let sim = SimServer::start(SimConfig {
        seed: seed.clone(),
        ..SimConfig::default()
    })
    .await
    .expect("the emulator starts");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = keep.clone().unwrap_or_else(|| dir.path().to_path_buf());
    std::fs::create_dir_all(&path).expect("the directory");
    std::fs::write(path.join("main.zen.hcl"), config(&seed)).expect("config written");
    let resources = accounts * GROUPS_PER_ACCOUNT * 3;
    let env: Vec<(String, String)> = sim
        .env_vars()
        .into_iter()
        .filter(|(k, _)| k.ends_with("_URL") || k.ends_with("AUTHORITY_HOST"))
        .chain([(
            "PATH".to_string(),
            std::env::var("PATH").unwrap_or_default(),
        )])
        .collect();
    let costs = tokio::task::spawn_blocking(move || {
        let validate = measure(&path, &env, &["validate"], &sim);
        let plan = measure(&path, &env, &["plan", "--detailed-exitcode"], &sim);
        assert_eq!(plan.exit, 2, "the first plan has changes");
        let apply = measure(&path, &env, &["apply", "--auto-approve"], &sim);
        let replan = measure(&path, &env, &["plan", "--detailed-exitcode"], &sim);
        assert_eq!(replan.exit, 0, "the plan after apply is empty");
        if keep.is_some() {
            serve_until_stopped(&path, &env);
        }
        (sim, [validate, plan, apply, replan])
    })
    .await
    .expect("the runs");
    costs.0.shutdown().await;
    drop(dir);
    (resources, costs.1)
}

/// Writes `dir/env.sh` and waits until it is deleted, while the emulator keeps serving.
fn serve_until_stopped(dir: &std::path::Path, env: &[(String, String)]) {
    let file = dir.join("env.sh");
    let mut script = String::new();
    for (k, v) in env {
        let _ = writeln!(script, "export {k}='{v}'");
    }
    std::fs::write(&file, script).expect("env.sh written");
    println!(
        "emulator serving; source {} to run zentra against it, delete it to stop",
        file.display()
    );
    while file.exists() {
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn option(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    if std::env::args().any(|a| a == "--launcher") {
        serve_as_launcher();
        return;
    }
    *LAUNCHER.lock().unwrap() = Some(Launcher::start());
    let quick = std::env::args().any(|a| a == "--quick");
    let keep = option("--keep").map(std::path::PathBuf::from);
    let chosen: Vec<usize> = option("--accounts")
        .map(|n| vec![n.parse().expect("--accounts takes a number")])
        .unwrap_or_default();
    let sizes: &[usize] = if !chosen.is_empty() {
        &chosen
    } else if quick {
        &[10]
    } else {
        &[10, 30, 100]
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    println!("| resources | accounts | validate | plan | apply | plan again |");
    println!("|---|---|---|---|---|---|");
    let mut per_resource = Vec::new();
    for &accounts in sizes {
        let (resources, [validate, plan, apply, replan]) = rt.block_on(run(accounts, keep.clone()));
        println!(
            "| {resources} | {accounts} | {} | {} | {} | {} |",
            cell(&validate),
            cell(&plan),
            cell(&apply),
            cell(&replan)
        );
        per_resource.push((
            resources,
            plan.cpu.as_secs_f64() / resources as f64 * 1000.0,
            replan.cpu.as_secs_f64() / resources as f64 * 1000.0,
            plan.requests as f64 / resources as f64,
            replan.requests as f64 / resources as f64,
        ));
    }
    println!();
    println!(
        "| resources | plan CPU per resource | plan again CPU per resource | plan requests per resource | plan again requests per resource |"
    );
    println!("|---|---|---|---|---|");
    for (n, plan, replan, req, rereq) in per_resource {
        println!("| {n} | {plan:.3} ms | {replan:.3} ms | {req:.3} | {rereq:.3} |");
    }
    if let Some(launcher) = LAUNCHER.lock().unwrap().take() {
        launcher.stop();
    }
}
