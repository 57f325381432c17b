//! `zentra apply [PLANFILE]`: confirm, apply, report.

use std::collections::HashMap;
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;

use crate::output::{Printer, Tone};
use crate::render;
use zentra_engine::addr::ResourceAddr;
use zentra_engine::apply::{ApplyObserver, ApplyOptions, ApplyReport};
use zentra_engine::diag::Diagnostic;
use zentra_engine::env::Environment;
use zentra_engine::plan::{Action, Plan, Summary};
use zentra_engine::state::StateFile;
use zentra_engine::workspace::Workspace;

use super::session::{load_workspace, providers, read_state, report, state_error, state_store};
use super::{LockArgs, Outcome, VarArgs};

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved with `zentra plan --out FILE`: apply exactly that, or refuse if it is stale.
    pub plan: Option<PathBuf>,
    /// Apply without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// How many resources to change at once per provider instance (Zoom account, tenant).
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub parallelism: usize,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub lock: LockArgs,
}

/// `zentra destroy`: the arguments of `apply` without a plan file.
#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// Destroy without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// How many resources to delete at once per provider instance (Zoom account, tenant).
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub parallelism: usize,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub lock: LockArgs,
}

/// Deletes what zentra created and forgets the rest: `apply` of a destroy plan.
pub async fn destroy(
    dir: &Path,
    args: DestroyArgs,
    env: Environment,
    printer: &Printer,
) -> Outcome {
    let args = ApplyArgs {
        plan: None,
        auto_approve: args.auto_approve,
        parallelism: args.parallelism,
        vars: args.vars,
        lock: args.lock,
    };
    apply_plan(dir, args, true, env, printer).await
}

/// Apply's progress: per provider instance, how many of its operations finished.
struct Progress<'a> {
    work: crate::output::WorkProgress<'a>,
    /// The provider instance of each address that changes.
    instances: HashMap<ResourceAddr, String>,
}

impl<'a> Progress<'a> {
    /// One bar per provider instance, as long as the number of operations `plan` runs on it.
    fn for_plan(plan: &Plan, ws: &Workspace, state: &StateFile, printer: &'a Printer) -> Self {
        let instances: HashMap<ResourceAddr, String> = plan
            .changes
            .iter()
            .filter(|c| c.is_change() && c.action != Action::Manual)
            .filter_map(|c| {
                let provider = ws
                    .config
                    .resources
                    .get(&c.address)
                    .map(|r| r.provider.to_string())
                    .or_else(|| state.resource(&c.address).map(|e| e.provider.to_string()))?;
                Some((c.address.clone(), provider))
            })
            .collect();
        let mut totals: Vec<(String, usize)> = Vec::new();
        for instance in instances.values() {
            match totals.iter_mut().find(|(i, _)| i == instance) {
                Some((_, n)) => *n += 1,
                None => totals.push((instance.clone(), 1)),
            }
        }
        totals.sort();
        Progress {
            work: printer.work_progress(&totals),
            instances,
        }
    }

    fn instance(&self, addr: &ResourceAddr) -> &str {
        self.instances.get(addr).map_or("", String::as_str)
    }
}

fn verb(action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Create => ("Creating", "Creation"),
        Action::Update => ("Modifying", "Modifications"),
        Action::Replace => ("Replacing", "Replacement"),
        Action::Delete => ("Deleting", "Deletion"),
        _ => ("Working on", "Work"),
    }
}

impl ApplyObserver for Progress<'_> {
    fn started(&self, addr: &ResourceAddr, action: Action) {
        self.work.started(
            self.instance(addr),
            &format!("{addr}: {}...", verb(action).0),
        );
    }

    fn finished(
        &self,
        addr: &ResourceAddr,
        action: Action,
        elapsed: Duration,
        error: Option<&Diagnostic>,
    ) {
        let line = match error {
            None => format!(
                "{addr}: {} complete after {}s",
                verb(action).1,
                elapsed.as_secs()
            ),
            Some(_) => format!("{addr}: {} failed", verb(action).1),
        };
        self.work.finished(self.instance(addr), &line);
    }
}

/// Why a saved plan no longer applies, if it does not.
fn staleness(saved: &Plan, fresh: &Plan) -> Option<String> {
    if let Some(planned) = &saved.prior_state.lineage
        && fresh.prior_state.lineage.as_ref() != Some(planned)
    {
        return Some(format!(
            "it was made against another state (lineage {planned}): was it planned in another \
             directory, or was the state file replaced?"
        ));
    }
    if saved.prior_state != fresh.prior_state {
        return Some(format!(
            "the state changed since this plan was made (serial {} then, {} now)",
            saved.prior_state.serial, fresh.prior_state.serial
        ));
    }
    // Before the configuration: a changed live value it reads also changes what the
    // configuration evaluates to, and the live value is what to name.
    let changed = zentra_engine::plan::fingerprint::changed(
        &saved.live_fingerprints,
        &fresh.live_fingerprints,
    );
    if !changed.is_empty() {
        return Some(live_changes_text(&changed));
    }
    if saved.config_fingerprint != fresh.config_fingerprint {
        return Some("the configuration or its variables changed since this plan was made".into());
    }
    if saved.changes != fresh.changes || saved.deposed != fresh.deposed {
        return Some("the planned changes no longer match".into());
    }
    None
}

/// How many changed live values a stale plan's error names before it says how many more.
const NAMED_LIVE_CHANGES: usize = 10;

/// `live values it depends on changed since this plan was made: ADDRESS: PATH; ...`.
fn live_changes_text(changed: &[(String, String)]) -> String {
    let mut named: Vec<String> = changed
        .iter()
        .take(NAMED_LIVE_CHANGES)
        .map(|(address, path)| {
            if path == zentra_engine::plan::fingerprint::OBJECT {
                format!("{address}: the object itself (deleted, created or replaced)")
            } else {
                format!("{address}: {path}")
            }
        })
        .collect();
    if changed.len() > NAMED_LIVE_CHANGES {
        named.push(format!("and {} more", changed.len() - NAMED_LIVE_CHANGES));
    }
    format!(
        "live values it depends on changed since this plan was made: {}",
        named.join("; ")
    )
}

pub async fn apply(dir: &Path, args: ApplyArgs, env: Environment, printer: &Printer) -> Outcome {
    apply_plan(dir, args, false, env, printer).await
}

/// Applies a saved plan, or plans (a destroy plan when `destroy`) and asks for `yes`.
async fn apply_plan(
    dir: &Path,
    args: ApplyArgs,
    destroy: bool,
    env: Environment,
    printer: &Printer,
) -> Outcome {
    let saved = match &args.plan {
        Some(path) => match load_saved_plan(dir, path, &env, printer) {
            Some(plan) => Some(plan),
            None => return Outcome::Failure,
        },
        None => None,
    };
    // A saved plan says itself whether it destroys.
    let destroy = saved.as_ref().map_or(destroy, |p| p.destroy);
    if saved.is_none() && !args.auto_approve && !std::io::stdin().is_terminal() {
        printer.diagnostic(&no_terminal_to_confirm(destroy));
        return Outcome::Failure;
    }
    let Some(ws) = load_workspace(dir, &args.vars, env, printer) else {
        return Outcome::Failure;
    };
    let Some(store) = state_store(&ws, &args.lock, printer) else {
        return Outcome::Failure;
    };
    let operation = if destroy {
        "zentra destroy"
    } else {
        "zentra apply"
    };
    let _lock = match store.lock(operation) {
        Ok(l) => l,
        Err(e) => {
            state_error(printer, &e);
            return Outcome::Failure;
        }
    };
    let Ok(state) = read_state(store.as_ref(), printer) else {
        return Outcome::Failure;
    };
    let Some(providers) = providers(&ws, state.as_ref(), printer) else {
        return Outcome::Failure;
    };
    let options = zentra_engine::plan::planner::PlanOptions { destroy };
    let run =
        match zentra_engine::plan::planner::plan_with(&ws, state.as_ref(), &providers, &options)
            .await
        {
            Ok(run) => run,
            Err(d) => {
                report(printer, &d);
                return Outcome::Failure;
            }
        };
    if !approved(saved.as_ref(), &run.plan, &args, destroy, printer) {
        return Outcome::Failure;
    }
    let had_changes = run.plan.has_changes();
    let summary = run.plan.summary.clone();
    let options = ApplyOptions {
        parallelism: args.parallelism.max(1),
        ..ApplyOptions::default()
    };
    let mut state = state.unwrap_or_default();
    let progress = Progress::for_plan(&run.plan, &ws, &state, printer);
    let interrupted = options.interrupted.clone();
    let apply = zentra_engine::apply::apply(
        &ws, run, &mut state, &*store, &providers, &options, &progress,
    );
    let result = until_done_or_interrupted(apply, &interrupted, printer).await;
    drop(progress);
    if !report_failure(&result, printer) {
        return Outcome::Failure;
    }
    if had_changes {
        printer.data(&completion_line(&summary, destroy, printer));
    }
    report_pending(&result, printer);
    if result.warnings.is_empty() {
        Outcome::Success
    } else {
        Outcome::Failure
    }
}

/// Reads `zentra apply FILE`'s plan, decrypting it when the state is encrypted.
fn load_saved_plan(dir: &Path, path: &Path, env: &Environment, printer: &Printer) -> Option<Plan> {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        dir.join(path)
    };
    let encryption = super::session::plan_encryption(dir, env, printer)?;
    match super::plan::load_plan(&path, encryption.as_deref()) {
        Ok(p) => Some(p),
        Err(e) => {
            printer.error(&e);
            None
        }
    }
}

/// The refusal of an unconfirmed apply where nobody can type `yes`.
fn no_terminal_to_confirm(destroy: bool) -> Diagnostic {
    if destroy {
        Diagnostic::error("destroy needs confirmation, and there is no terminal to ask on")
            .with_hint("review the plan with `zentra plan --destroy --out FILE` then apply it with `zentra apply FILE`, or pass --auto-approve; nothing was changed")
    } else {
        Diagnostic::error("apply needs confirmation, and there is no terminal to ask on")
            .with_hint("review a plan and apply it with `zentra plan --out FILE` then `zentra apply FILE`, or pass --auto-approve")
    }
}

/// Whether the fresh plan may be applied: a saved plan must still be what would be done now;
/// without one, the plan is shown and, when it changes anything, a person says `yes`.
fn approved(
    saved: Option<&Plan>,
    fresh: &Plan,
    args: &ApplyArgs,
    destroy: bool,
    printer: &Printer,
) -> bool {
    if let Some(saved) = saved {
        if let Some(why) = staleness(saved, fresh) {
            printer.diagnostic(
                &Diagnostic::error(format!("the saved plan is stale: {why}"))
                    .with_hint("nothing was changed; run `zentra plan --out FILE` again and review the new plan"),
            );
            return false;
        }
        return true;
    }
    printer.data(&render::plan_text(fresh, printer));
    // Manual steps are done by a person: there is nothing to approve for them.
    let approvable = fresh
        .changes
        .iter()
        .any(|c| c.is_change() && c.action != Action::Manual);
    if approvable && !args.auto_approve && !confirm(printer, destroy) {
        printer.status("Apply cancelled; nothing was changed.");
        return false;
    }
    true
}

/// Runs `apply` to its end. Ctrl-C stops new operations: what is in flight finishes and is
/// recorded in state. A second Ctrl-C stops at once.
async fn until_done_or_interrupted(
    apply: impl std::future::Future<Output = ApplyReport>,
    interrupted: &AtomicBool,
    printer: &Printer,
) -> ApplyReport {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_ok() {
            interrupted.store(true, Ordering::SeqCst);
            printer.status("Interrupt received: finishing what is in flight and saving state (interrupt again to stop at once)...");
            if tokio::signal::ctrl_c().await.is_ok() {
                printer.error("stopped at once: a change that was in flight may be missing from state; run `zentra plan` to see where things stand");
                std::process::exit(130);
            }
        }
        std::future::pending::<()>().await;
    };
    // `biased`: the watcher is polled first, so the handler is in place before any change starts.
    tokio::select! {
        biased;
        () = interrupt => unreachable!("the interrupt watcher never finishes"),
        result = apply => result,
    }
}

/// Prints the run's warnings, failed checks and errors; false when it failed or was
/// interrupted.
fn report_failure(result: &ApplyReport, printer: &Printer) -> bool {
    // A failed `check` is a warning that never fails the run.
    for check in &result.failed_checks {
        printer.warning(check);
    }
    for w in &result.warnings {
        let who = w
            .address
            .as_ref()
            .map(|a| format!("{a}: "))
            .unwrap_or_default();
        printer.warning(&format!("{who}{}", w.message));
    }
    if !result.errors.is_empty() {
        report(printer, &result.errors);
        if result.state_unsaved {
            printer.status(&format!(
                "Apply failed after {} of the planned changes, and state could not be saved: \
                 the last change made may be missing from it. Run `zentra plan` to see where \
                 things stand.",
                result.completed.len()
            ));
        } else {
            printer.status(&format!(
                "Apply failed after {} of the planned changes; state records everything that completed.",
                result.completed.len()
            ));
        }
        return false;
    }
    if result.interrupted {
        printer.error("apply was interrupted; state records everything that completed. Run `zentra plan` to see what is left.");
        return false;
    }
    true
}

/// `Apply complete! Resources: ...` (or `Destroy complete!`).
fn completion_line(summary: &Summary, destroy: bool, printer: &Printer) -> String {
    let forgotten = if summary.forget > 0 {
        format!(", {} no longer managed", summary.forget)
    } else {
        String::new()
    };
    if destroy {
        return format!(
            "\n{} Resources: {} destroyed{forgotten}.\n",
            printer.paint("Destroy complete!", Tone::Bold, false),
            summary.destroy,
        );
    }
    let adopted = if summary.adopt > 0 {
        format!("{} adopted, ", summary.adopt)
    } else {
        String::new()
    };
    format!(
        "\n{} Resources: {adopted}{} added, {} changed, {} destroyed{forgotten}.\n",
        printer.paint("Apply complete!", Tone::Bold, false),
        summary.add,
        summary.change,
        summary.destroy,
    )
}

/// What is left after a successful apply: manual steps waiting for a person, and the outputs.
fn report_pending(result: &ApplyReport, printer: &Printer) {
    if !result.manual_pending.is_empty() {
        let list: Vec<String> = result
            .manual_pending
            .iter()
            .map(ToString::to_string)
            .collect();
        printer.warning(&format!(
            "{} manual step(s) still wait for a person: {}; when done, record each with `zentra confirm ADDRESS`",
            list.len(),
            list.join(", ")
        ));
    }
    if !result.outputs.is_empty() {
        printer.data("\nOutputs:\n");
        for (name, o) in &result.outputs {
            printer.data(&format!(
                "  {name} = {}\n",
                render::value_text(&o.value, o.sensitive, o.unknown)
            ));
        }
    }
}

fn confirm(printer: &Printer, destroy: bool) -> bool {
    if destroy {
        printer.status(
            "\nDo you really want to destroy? zentra deletes what it created, as shown above, and \
             forgets the rest. There is no undo. Only 'yes' will be accepted.",
        );
    } else {
        printer.status("\nDo you want to perform these actions? Only 'yes' will be accepted.");
    }
    printer.status("  Enter a value: ");
    let mut line = String::new();
    let stdin = std::io::stdin();
    if stdin.lock().read_line(&mut line).is_err() {
        return false;
    }
    line.trim() == "yes"
}

#[cfg(test)]
mod tests {
    use super::*;
    use zentra_engine::plan::{StateRef, Summary};

    fn plan_against(lineage: Option<&str>, serial: u64) -> Plan {
        Plan {
            format_version: zentra_engine::plan::PLAN_FORMAT_VERSION,
            zentra_version: String::new(),
            created_at: String::new(),
            prior_state: StateRef {
                lineage: lineage.map(str::to_string),
                serial,
            },
            config_fingerprint: String::new(),
            live_fingerprints: Default::default(),
            changes: Vec::new(),
            outputs: Default::default(),
            warnings: Vec::new(),
            summary: Summary::default(),
            destroy: false,
            objects: Vec::new(),
            moved: Vec::new(),
            deposed: Vec::new(),
            checks: Vec::new(),
        }
    }

    #[test]
    fn a_plan_of_another_state_says_so() {
        let why = staleness(&plan_against(Some("a"), 7), &plan_against(Some("b"), 0)).unwrap();
        assert!(why.contains("another state"), "{why}");
        let why = staleness(&plan_against(Some("a"), 7), &plan_against(None, 0)).unwrap();
        assert!(why.contains("another state"), "{why}");
        let why = staleness(&plan_against(Some("a"), 7), &plan_against(Some("a"), 8)).unwrap();
        assert!(why.contains("serial 7 then, 8 now"), "{why}");
        assert!(staleness(&plan_against(None, 0), &plan_against(None, 0)).is_none());
    }

    #[test]
    fn a_stale_plan_names_the_live_values_that_changed() {
        let prints = |pairs: &[(&str, &str, &str)]| {
            let mut out = zentra_engine::plan::fingerprint::LiveFingerprints::new();
            for (address, path, digest) in pairs {
                out.entry(address.to_string())
                    .or_default()
                    .insert(path.to_string(), digest.to_string());
            }
            out
        };
        let mut saved = plan_against(Some("a"), 1);
        saved.live_fingerprints = prints(&[
            ("zoom_group.pilot", "id", "1"),
            ("zoom_account_settings.sso", "security.enable", "2"),
        ]);
        let mut fresh = plan_against(Some("a"), 1);
        fresh.live_fingerprints = prints(&[
            ("zoom_group.pilot", "id", "9"),
            ("zoom_account_settings.sso", "security.enable", "9"),
        ]);
        // The configuration changed too: the live values are what to name.
        fresh.config_fingerprint = "edited".into();
        let why = staleness(&saved, &fresh).unwrap();
        assert_eq!(
            why,
            "live values it depends on changed since this plan was made: \
             zoom_account_settings.sso: security.enable; \
             zoom_group.pilot: the object itself (deleted, created or replaced)"
        );
        fresh.live_fingerprints = saved.live_fingerprints.clone();
        let why = staleness(&saved, &fresh).unwrap();
        assert!(why.contains("the configuration"), "{why}");

        let many: Vec<(String, String)> = (0..12)
            .map(|i| ("zoom_account_settings.sso".to_string(), format!("a.b{i}")))
            .collect();
        let text = live_changes_text(&many);
        assert!(text.ends_with("a.b9; and 2 more"), "{text}");
    }
}
