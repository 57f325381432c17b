//! How long `zentra export` takes to adopt an existing account and tenant, and how many API
//! requests it makes per vendor and per kind of request, against the emulator's default seed
//! (the demo account and tenant, as `zentra demo` and `zentra sim` serve them) with 0 ms and
//! 50 ms of latency per request, injected as `zentra sim --faults` does. The target: under 10
//! seconds at 50 ms, with one read per object kind per account or tenant.
//!
//! The real `zentra` binary runs as a child process, as a user runs it; the figures cover the
//! whole command: reading, writing the files, and the plan that records them as adopted.
//!
//! Run with `cargo bench --bench export`; results are recorded in `docs/benchmarks.md`.

// A benchmark prints its results table, and a broken measurement should stop it loudly.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use zentra_sim::{Faults, RequestRecord, SimConfig, SimServer};

/// How often each latency is measured; the table shows the median run.
const RUNS: usize = 3;

/// What one export cost.
struct Run {
    wall: Duration,
    /// Requests per service (`zoom`, `graph`, `zoom-oauth`, `entra-login`).
    by_service: BTreeMap<String, usize>,
    /// Requests inside Graph `$batch`es.
    batched: usize,
    /// Requests per kind: `SERVICE METHOD /path`, ids replaced with `{id}`.
    by_kind: BTreeMap<String, usize>,
    objects: String,
}

/// Whether a path segment is an object's id rather than a fixed name.
fn is_id(segment: &str) -> bool {
    let digits = segment.chars().filter(char::is_ascii_digit).count();
    segment.contains('@')
        || segment.contains('%')
        || (segment.len() >= 12 && digits >= 3)
        || (!segment.is_empty() && digits == segment.len())
}

fn kind(service: &str, method: &str, path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let shape: Vec<&str> = path
        .split('/')
        .map(|s| if is_id(s) { "{id}" } else { s })
        .collect();
    format!("{service} {method} {}", shape.join("/"))
}

fn tally(requests: &[RequestRecord]) -> (BTreeMap<String, usize>, usize, BTreeMap<String, usize>) {
    let mut by_service = BTreeMap::new();
    let mut by_kind = BTreeMap::new();
    let mut batched = 0;
    for r in requests {
        *by_service.entry(r.service.clone()).or_default() += 1;
        if r.service != "zoom" && r.service != "graph" {
            continue;
        }
        *by_kind
            .entry(kind(&r.service, &r.method, &r.path))
            .or_default() += 1;
        if r.path.ends_with("/$batch") {
            let inner = r
                .body
                .as_ref()
                .and_then(|b| b.get("requests"))
                .and_then(|r| r.as_array())
                .cloned()
                .unwrap_or_default();
            batched += inner.len();
            for request in inner {
                let method = request["method"].as_str().unwrap_or("GET");
                let url = request["url"].as_str().unwrap_or_default();
                *by_kind
                    .entry(kind("graph $batch:", method, url))
                    .or_default() += 1;
            }
        }
    }
    (by_service, batched, by_kind)
}

/// `plan_tier` of the zoom provider block: its pacing (half of the tier's limits per
/// category), `None` for the default (Pro).
async fn export(latency_ms: u64, plan_tier: Option<&str>) -> Run {
    let sim = SimServer::start(SimConfig {
        faults: Faults {
            latency_ms,
            ..Faults::default()
        },
        ..SimConfig::default()
    })
    .await
    .expect("the emulator starts");
    let dir = tempfile::tempdir().expect("a temporary directory");
    // The providers come from the environment, as `zentra demo` and `zentra sim` set it.
    let zoom = match plan_tier {
        Some(tier) => format!("provider \"zoom\" {{\n  plan_tier = \"{tier}\"\n}}\n"),
        None => "provider \"zoom\" {}\n".to_string(),
    };
    std::fs::write(
        dir.path().join("main.zen.hcl"),
        format!("{zoom}provider \"azuread\" {{}}\n"),
    )
    .expect("config written");
    let env = sim.env_vars();
    let path = dir.path().to_path_buf();
    let (wall, output) = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_zentra"))
            .args(["export", "--out", "adopted"])
            .current_dir(&path)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env)
            .output()
            .expect("zentra runs");
        (started.elapsed(), output)
    })
    .await
    .unwrap();
    let err = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(output.status.success(), "zentra export failed:\n{err}");
    let objects = err
        .lines()
        .find_map(|l| l.trim().strip_prefix("Exported "))
        .and_then(|l| l.split(" object(s)").next())
        .unwrap_or("?")
        .to_string();
    let (by_service, batched, by_kind) = tally(&sim.requests());
    sim.shutdown().await;
    drop(dir);
    Run {
        wall,
        by_service,
        batched,
        by_kind,
        objects,
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = if quick { 1 } else { RUNS };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let mut medians = Vec::new();
    // The demo account is on a Business plan; without `plan_tier` zentra paces for Pro.
    for (latency, tier) in [
        (0, None),
        (50, None),
        (0, Some("business")),
        (50, Some("business")),
    ] {
        let mut all: Vec<Run> = (0..runs)
            .map(|_| rt.block_on(export(latency, tier)))
            .collect();
        all.sort_by_key(|r| r.wall);
        medians.push((latency, tier, all.swap_remove(runs / 2)));
    }
    println!(
        "| latency | zoom `plan_tier` | objects | wall time (median of {runs}) | Zoom requests | Graph requests (inside `$batch`) | token requests |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (latency, tier, r) in &medians {
        let n = |s: &str| r.by_service.get(s).copied().unwrap_or(0);
        println!(
            "| {latency} ms | {} | {} | {:.2} s | {} | {} ({}) | {} |",
            tier.unwrap_or("(default: pro)"),
            r.objects,
            r.wall.as_secs_f64(),
            n("zoom"),
            n("graph"),
            r.batched,
            n("zoom-oauth") + n("entra-login"),
        );
    }
    let (_, _, last) = &medians[1];
    println!();
    println!("| requests of one export, by kind | count |");
    println!("|---|---|");
    for (kind, count) in &last.by_kind {
        println!("| `{kind}` | {count} |");
    }
}
