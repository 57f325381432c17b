//! A run killed at any moment (SIGKILL: no handler runs) leaves a local state that loads and a
//! next apply that converges without duplicating or losing an object; Ctrl-C stops after the
//! operations in flight and records them; two runs on one state never both proceed.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use zentra_test_support::{Project, code, stderr, stdout};

/// Groups a round's configuration can declare: each round declares three in four of them,
/// renamed from the round before, so every apply creates, renames and deletes.
const GROUPS: usize = 32;

fn round_config(round: usize) -> String {
    let mut c = String::from("provider \"zoom\" {}\n");
    for i in declared(round) {
        c.push_str(&format!(
            "resource \"zoom_group\" \"g{i}\" {{\n  name = \"Crash {i} round {}\"\n}}\n",
            round % 3
        ));
    }
    c
}

fn declared(round: usize) -> impl Iterator<Item = usize> {
    (0..GROUPS).filter(move |i| !(i + round).is_multiple_of(4))
}

/// The live groups this test manages, by the index in their name: each index's ids.
fn live_groups(p: &Project) -> BTreeMap<usize, Vec<String>> {
    let mut by_index: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for g in p.account()["groups"].as_array().into_iter().flatten() {
        let name = g["name"].as_str().unwrap_or_default();
        if let Some(rest) = name.strip_prefix("Crash ") {
            let index: usize = rest.split(' ').next().unwrap().parse().unwrap();
            by_index
                .entry(index)
                .or_default()
                .push(g["id"].as_str().unwrap().to_string());
        }
    }
    by_index
}

fn state(p: &Project) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p.path().join("zentra.state.json")).unwrap())
        .unwrap()
}

/// Starts `apply --auto-approve` and kills it with SIGKILL once the emulator has seen
/// `after` vendor requests of it (or when it ends by itself first). True if it was killed.
fn apply_killed_after(p: &Project, after: usize) -> bool {
    p.sim.clear_requests();
    let mut child: Child = p
        .command(&["apply", "--auto-approve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("zentra runs");
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if p.api_requests().len() >= after {
            child.kill().unwrap();
            child.wait().unwrap();
            return true;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "apply did not end"
        );
        std::thread::sleep(Duration::from_micros(500));
    }
}

/// What [`kill_rounds`] saw.
pub struct KillReport {
    pub rounds: usize,
    /// Runs killed before they finished by themselves.
    pub killed: usize,
    /// Vendor requests of one whole apply, which the kill points are drawn from.
    pub requests_per_apply: usize,
    pub elapsed: Duration,
}

/// `rounds` times: change the configuration, start an apply and SIGKILL it once the emulator has
/// seen a random number of its requests (from a seeded RNG), then check that the state loads,
/// that no object exists twice, and that the next apply converges with state recording
/// exactly what lives.
pub fn kill_rounds(p: &Project, rounds: usize, seed: u64) -> KillReport {
    let started = Instant::now();
    // One whole apply of a round, to know how many requests one makes.
    p.write_config(&round_config(1));
    p.sim.clear_requests();
    p.apply_ok();
    let requests_per_apply = p.api_requests().len();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut killed = 0;
    for round in 2..rounds + 2 {
        p.write_config(&round_config(round));
        let after = rng.random_range(0..requests_per_apply);
        killed += usize::from(apply_killed_after(p, after));

        // The state loads as the next run reads it (integrity checks included).
        let show = p.run(&["show"]);
        assert_eq!(code(&show), 0, "round {round}: {}", stderr(&show));
        // No index has two groups: nothing was created twice.
        for (index, ids) in live_groups(p) {
            assert_eq!(ids.len(), 1, "round {round}: group {index} twice: {ids:?}");
        }

        // The next apply converges, and state holds exactly what lives.
        let out = p.run(&["apply", "--auto-approve"]);
        assert_eq!(
            code(&out),
            0,
            "round {round}, killed after {after} requests:\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
        let live = live_groups(p);
        assert_eq!(
            live.keys().copied().collect::<BTreeSet<_>>(),
            declared(round).collect::<BTreeSet<_>>(),
            "round {round}: what lives is what is declared"
        );
        let state = state(p);
        let recorded: BTreeSet<String> = state["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        let living: BTreeSet<String> = live.values().flatten().cloned().collect();
        assert_eq!(recorded, living, "round {round}: state records what lives");
        assert!(
            state["pending_creates"]
                .as_array()
                .is_none_or(|a| a.is_empty())
        );
        p.assert_converged();
    }
    KillReport {
        rounds,
        killed,
        requests_per_apply,
        elapsed: started.elapsed(),
    }
}

/// The emulator for [`kill_rounds`]: a little latency, so a kill lands between requests.
pub async fn kill_project() -> Project {
    Project::with(
        &round_config(0),
        zentra_sim::SimConfig {
            latency: Duration::from_millis(2),
            ..Default::default()
        },
    )
    .await
}

/// Ten kill points here; `cargo bench --bench crash_soak` runs fifty (docs/benchmarks.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_killed_at_random_points_always_converges_without_duplicates() {
    let p = kill_project().await;
    let report = kill_rounds(&p, 10, 0x5eed_2026);
    assert!(
        report.killed >= 8,
        "only {} of {} runs were killed mid-apply ({} requests per apply, {:?})",
        report.killed,
        report.rounds,
        report.requests_per_apply,
        report.elapsed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_lets_operations_in_flight_finish_and_records_them() {
    let p = Project::with(
        &round_config(0),
        zentra_sim::SimConfig {
            latency: Duration::from_millis(40),
            ..Default::default()
        },
    )
    .await;
    let child = p
        .command(&["apply", "--auto-approve", "--parallelism", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zentra runs");
    let started = Instant::now();
    while !p.writes().iter().any(|w| w.starts_with("POST ")) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no create went out"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    // SAFETY: a plain signal to a child this test started and still owns.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("apply was interrupted; state records everything that completed"),
        "{}",
        stderr(&out)
    );
    // Stopped early, with each create that went out recorded.
    let live = live_groups(&p);
    assert!(
        live.len() < declared(0).count(),
        "Ctrl-C stopped the run: {} of {} created",
        live.len(),
        declared(0).count()
    );
    let recorded = state(&p)["resources"].as_array().unwrap().len();
    assert_eq!(recorded, live.len(), "every group created is recorded");
    p.apply_ok();
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_runs_on_one_state_exactly_one_proceeds_and_the_other_names_it() {
    let p = Project::with(
        &round_config(0),
        zentra_sim::SimConfig {
            latency: Duration::from_millis(20),
            ..Default::default()
        },
    )
    .await;
    let spawn = || {
        p.command(&["apply", "--auto-approve"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("zentra runs")
    };
    let (first, second) = (spawn(), spawn());
    let pids = [first.id(), second.id()];
    let outs = [
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    ];
    let succeeded: Vec<usize> = (0..2).filter(|&i| code(&outs[i]) == 0).collect();
    assert_eq!(
        succeeded.len(),
        1,
        "{}\n---\n{}",
        stderr(&outs[0]),
        stderr(&outs[1])
    );
    let (winner, loser) = (succeeded[0], 1 - succeeded[0]);
    let refused = stderr(&outs[loser]);
    assert_eq!(code(&outs[loser]), 1, "{refused}");
    assert!(refused.contains("state is locked"), "{refused}");
    assert!(
        refused.contains(&format!(
            "is held by zentra apply (pid {}, since ",
            pids[winner]
        )),
        "the holder, {:?} of {pids:?}, is named: {refused}",
        pids[winner]
    );
    assert_eq!(live_groups(&p).len(), declared(0).count());
    p.assert_converged();
}
