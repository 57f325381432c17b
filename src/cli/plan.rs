//! `zentra validate` and `zentra plan`.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::env::Environment;
use crate::output::Printer;
use crate::plan::Plan;
use crate::render;

use super::session::{load_workspace, providers, read_state, report, state_store};
use super::{Outcome, VarArgs};

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub vars: VarArgs,
    /// Save the plan to FILE, for `zentra apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 2 when there are changes (0: none, 1: error).
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Print the plan as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Plan `zentra destroy`: delete what zentra created, forget what it adopted.
    #[arg(long)]
    pub destroy: bool,
}

pub fn validate(dir: &Path, vars: VarArgs, env: Environment, printer: &Printer) -> Outcome {
    match load_workspace(dir, &vars, env, printer) {
        Some(ws) => {
            printer.status(&format!(
                "The configuration is valid: {} resource(s) in {} file(s).",
                ws.config.resources.len(),
                ws.config.sources.files().count()
            ));
            Outcome::Success
        }
        None => Outcome::Failure,
    }
}

pub async fn plan(dir: &Path, args: PlanArgs, env: Environment, printer: &Printer) -> Outcome {
    let json = args.json;
    let outcome = plan_inner(dir, args, env, printer).await;
    if json && outcome == Outcome::Failure {
        // Pipelines reading `--json` get the errors on stdout too (the text stays on stderr).
        let report = serde_json::json!({
            "format_version": crate::plan::PLAN_FORMAT_VERSION,
            "errors": printer.shown_diagnostics(),
        });
        printer.data(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ));
    }
    outcome
}

async fn plan_inner(dir: &Path, args: PlanArgs, env: Environment, printer: &Printer) -> Outcome {
    let Some(ws) = load_workspace(dir, &args.vars, env, printer) else {
        return Outcome::Failure;
    };
    let store = state_store(&ws);
    let Ok(state) = read_state(&store, printer) else {
        return Outcome::Failure;
    };
    let Some(providers) = providers(&ws, state.as_ref(), printer) else {
        return Outcome::Failure;
    };
    let options = crate::plan::planner::PlanOptions {
        destroy: args.destroy,
    };
    let run = match crate::plan::planner::plan_with(&ws, state.as_ref(), &providers, &options).await
    {
        Ok(run) => run,
        Err(d) => {
            report(printer, &d);
            return Outcome::Failure;
        }
    };
    let plan = run.plan;
    if args.json {
        printer.data(&plan_json(&plan));
    } else {
        printer.data(&render::plan_text(&plan, printer));
    }
    if let Some(out) = &args.out {
        if let Err(e) = save_plan(&plan, out) {
            printer.error(&format!("cannot save the plan to `{}`: {e}", out.display()));
            return Outcome::Failure;
        }
        if !args.json {
            printer.status(&format!(
                "Saved the plan to {}; apply it with: zentra apply {}",
                out.display(),
                out.display()
            ));
        }
    }
    if args.detailed_exitcode && plan.has_changes() {
        Outcome::Changes
    } else {
        Outcome::Success
    }
}

pub fn plan_json(plan: &Plan) -> String {
    let mut s =
        serde_json::to_string_pretty(plan).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

fn save_plan(plan: &Plan, path: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    tmp.write_all(plan_json(plan).as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Reads a saved plan file.
pub fn load_plan(path: &Path) -> Result<Plan, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read plan file `{}`: {e}", path.display()))?;
    let plan: Plan = serde_json::from_str(&text)
        .map_err(|e| format!("`{}` is not a zentra plan file: {e}", path.display()))?;
    if plan.format_version != crate::plan::PLAN_FORMAT_VERSION {
        return Err(format!(
            "`{}` has plan format version {}, this zentra reads version {}",
            path.display(),
            plan.format_version,
            crate::plan::PLAN_FORMAT_VERSION
        ));
    }
    Ok(plan)
}
