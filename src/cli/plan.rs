//! `zentra validate` and `zentra plan`.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::env::Environment;
use crate::output::Printer;
use crate::plan::Plan;
use crate::render;
use crate::state::StateStore;

use super::session::{load_workspace, providers, read_state, report, state_error, state_store};
use super::{LockArgs, Outcome, VarArgs};

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
    #[command(flatten)]
    pub lock: LockArgs,
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
    let Some(ws) = load_workspace(dir, &args.vars, env, printer) else {
        return Outcome::Failure;
    };
    let store = state_store(&ws, &args.lock);
    // Held while planning, so the state read is not one an apply is in the middle of changing.
    let _lock = match store.lock("zentra plan") {
        Ok(l) => l,
        Err(e) => {
            state_error(printer, &e);
            return Outcome::Failure;
        }
    };
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
    let text = crate::files::read_text(path, crate::files::FileKind::Plan)
        .map_err(|e| format!("cannot read plan file `{}`: {e}", path.display()))?;
    let not_a_plan =
        |e: serde_json::Error| format!("`{}` is not a zentra plan file: {e}", path.display());
    // The version first: a plan of another format would not read as this one.
    #[derive(serde::Deserialize)]
    struct Versioned {
        format_version: u32,
    }
    let version = serde_json::from_str::<Versioned>(&text)
        .map_err(not_a_plan)?
        .format_version;
    if version != crate::plan::PLAN_FORMAT_VERSION {
        return Err(format!(
            "`{}` has plan format version {version}, this zentra reads version {}; run `zentra plan --out FILE` again",
            path.display(),
            crate::plan::PLAN_FORMAT_VERSION
        ));
    }
    serde_json::from_str(&text).map_err(not_a_plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_of_another_format_version_says_so_before_anything_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.zplan");
        std::fs::write(
            &path,
            r#"{"format_version": 1, "live_fingerprint": "abc", "changes": []}"#,
        )
        .unwrap();
        let err = load_plan(&path).unwrap_err();
        assert!(
            err.contains("has plan format version 1, this zentra reads version 2"),
            "{err}"
        );
        std::fs::write(&path, "{}").unwrap();
        let err = load_plan(&path).unwrap_err();
        assert!(err.contains("is not a zentra plan file"), "{err}");
    }
}
