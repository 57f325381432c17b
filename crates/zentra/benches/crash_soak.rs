//! The crash-safety soak: fifty applies killed with SIGKILL at random points (seeded), each
//! followed by checks that the state loads, that nothing exists twice, and that the next apply
//! converges with state recording exactly what lives. The test suite runs ten of the same
//! rounds (`crash_safety` in `tests/it`); this runs the full fifty against the release binary.
//!
//! Run with `cargo bench --bench crash_soak`; results are recorded in `docs/benchmarks.md`.

// A benchmark prints its results, and the shared test module stops loudly on a broken check.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

#[path = "../tests/it/crash_safety.rs"]
#[allow(dead_code)]
mod crash_safety;

fn main() {
    let rounds = if std::env::args().any(|a| a == "--quick") {
        5
    } else {
        50
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let report = rt.block_on(async {
        let p = crash_safety::kill_project().await;
        crash_safety::kill_rounds(&p, rounds, 0x50a4_2026)
    });
    println!(
        "| kill points | killed mid-apply | requests per apply | converged without duplicates | time |"
    );
    println!("|---|---|---|---|---|");
    println!(
        "| {} | {} | {} | {} of {} | {:.1} s |",
        report.rounds,
        report.killed,
        report.requests_per_apply,
        report.rounds,
        report.rounds,
        report.elapsed.as_secs_f64()
    );
}
