//! `zentra demo`: the quickstart against an in-process emulator — plan, apply, plan again —
//! so a newcomer sees the whole loop with one command and no credentials.

use std::path::Path;

use crate::output::{Printer, Tone};
use zentra_engine::env::Environment;
use zentra_sim::{Seed, SimConfig, SimServer};

use super::apply::ApplyArgs;
use super::plan::PlanArgs;
use super::{LockArgs, Outcome, VarArgs};

/// The quickstart configuration, built in so the demo runs from any directory.
const QUICKSTART: &str = include_str!("../../../../examples/quickstart/main.zen.hcl");

pub async fn demo(env: Environment, printer: &Printer) -> Outcome {
    let sim = match SimServer::start(SimConfig {
        seed: Seed::default_demo(),
        ..SimConfig::default()
    })
    .await
    {
        Ok(s) => s,
        Err(e) => {
            printer.error(&format!("cannot start the emulator: {e}"));
            return Outcome::Failure;
        }
    };
    let dir = match tempfile::Builder::new().prefix("zentra-demo-").tempdir() {
        Ok(d) => d,
        Err(e) => {
            printer.error(&format!("cannot create a working directory: {e}"));
            return Outcome::Failure;
        }
    };
    if let Err(e) = std::fs::write(dir.path().join("main.zen.hcl"), QUICKSTART) {
        printer.error(&format!("cannot write the quickstart configuration: {e}"));
        return Outcome::Failure;
    }
    let mut env = env;
    for (k, v) in sim.env_vars() {
        env.set(k, v);
    }
    printer.status(&format!(
        "Emulator listening on {}; quickstart configuration in {}",
        sim.base_url(),
        dir.path().display()
    ));
    let outcome = run_steps(dir.path(), env, printer).await;
    sim.shutdown().await;
    outcome
}

async fn run_steps(dir: &Path, env: Environment, printer: &Printer) -> Outcome {
    let step = |n: &str, text: &str| {
        printer.data(&format!(
            "\n{}\n\n",
            printer.paint(&format!("== {n}. {text}"), Tone::Bold, false)
        ));
    };
    step("1", "zentra plan");
    let plan_args = || PlanArgs {
        vars: VarArgs::default(),
        out: None,
        detailed_exitcode: true,
        json: false,
        report_md: None,
        lock: LockArgs::default(),
        destroy: false,
    };
    match super::plan::plan(dir, plan_args(), env.clone(), printer).await {
        Outcome::Failure => return Outcome::Failure,
        Outcome::Success => printer.status("(the emulator already matched the quickstart)"),
        Outcome::Changes => {}
    }
    step("2", "zentra apply --auto-approve");
    let apply_args = ApplyArgs {
        plan: None,
        auto_approve: true,
        parallelism: 4,
        vars: VarArgs::default(),
        lock: LockArgs::default(),
    };
    if super::apply::apply(dir, apply_args, env.clone(), printer).await == Outcome::Failure {
        return Outcome::Failure;
    }
    step("3", "zentra plan (again)");
    match super::plan::plan(dir, plan_args(), env, printer).await {
        Outcome::Success => Outcome::Success,
        Outcome::Changes => {
            printer.error("the second plan still shows changes: apply did not converge");
            Outcome::Failure
        }
        Outcome::Failure => Outcome::Failure,
    }
}
