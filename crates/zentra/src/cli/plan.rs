//! `zentra validate` and `zentra plan`.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::output::Printer;
use crate::render;
use zentra_engine::env::Environment;
use zentra_engine::plan::Plan;

use super::session::{
    backend_store, encryption, load_workspace, providers, read_state, report, state_error,
};
use super::{LockArgs, Outcome, VarArgs};
use zentra_engine::state::encryption::{Content, StateEncryption};

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
    /// Print the plan as JSON on stdout, in Terraform's JSON plan format.
    #[arg(long)]
    pub json: bool,
    /// Also write the plan as a Markdown report (for a pull-request comment; also appended to
    /// GITHUB_STEP_SUMMARY when set) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report_md: Option<PathBuf>,
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
    let Some(encryption) = encryption(&ws.config, &ws.env, printer) else {
        return Outcome::Failure;
    };
    let Some(store) = backend_store(&ws.config, &ws.env, &args.lock, encryption.clone(), printer)
    else {
        return Outcome::Failure;
    };
    // Held while planning, so the state read is not one an apply is in the middle of changing.
    let _lock = match store.lock("zentra plan") {
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
    let options = zentra_engine::plan::planner::PlanOptions {
        destroy: args.destroy,
    };
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
    let mut plan = run.plan;
    // The configuration's warnings travel with the plan, for `--json` readers.
    plan.warnings.extend(
        ws.warnings()
            .0
            .into_iter()
            .map(|d| zentra_engine::plan::Warning {
                address: None,
                message: match &d.location {
                    Some(at) => format!("{at}: {}", d.summary),
                    None => d.summary,
                },
            }),
    );
    if args.json {
        printer.data(&zentra_engine::plan::terraform_json::terraform_plan_json(
            &plan,
        ));
    } else {
        printer.data(&render::plan_text(&plan, printer));
    }
    if args.report_md.is_some() {
        let report = zentra_engine::drift::classify(
            zentra_engine::drift::ReportKind::Plan,
            &plan,
            &Default::default(),
            &ws,
            chrono::Local::now().date_naive(),
        );
        let reports = super::drift::ReportArgs {
            report_md: args.report_md.clone(),
            ..Default::default()
        };
        if !super::drift::write_reports(
            &report,
            &reports,
            ws.env.get("GITHUB_STEP_SUMMARY"),
            false,
            printer,
        ) {
            return Outcome::Failure;
        }
    }
    if let Some(out) = &args.out {
        if let Err(e) = save_plan(&plan, out, encryption.as_deref()) {
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

fn save_plan(
    plan: &Plan,
    path: &Path,
    encryption: Option<&StateEncryption>,
) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Sealed like state when encryption is configured: a plan holds setting values too.
    let bytes = zentra_engine::state::encryption::encode(
        plan_json(plan).into_bytes(),
        encryption,
        Content::Plan,
    )
    .map_err(|e| std::io::Error::other(e.message))?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    tmp.write_all(&bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Reads a saved plan file (a bounded regular file), decrypting it when it is sealed.
pub fn load_plan(path: &Path, encryption: Option<&StateEncryption>) -> Result<Plan, String> {
    let bytes = zentra_engine::files::read_bytes(path, zentra_engine::files::FileKind::Plan)
        .map_err(|e| format!("cannot read plan file `{}`: {e}", path.display()))?;
    let bytes = zentra_engine::state::encryption::decode(bytes, encryption, Content::Plan)
        .map_err(|e| {
            let hint = e.hint.map(|h| format!("; {h}")).unwrap_or_default();
            format!(
                "cannot read plan file `{}`: {}{hint}",
                path.display(),
                e.message
            )
        })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("`{}` is not a zentra plan file: not UTF-8", path.display()))?;
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
    if version != zentra_engine::plan::PLAN_FORMAT_VERSION {
        return Err(format!(
            "`{}` has plan format version {version}, this zentra reads version {}; run `zentra plan --out FILE` again",
            path.display(),
            zentra_engine::plan::PLAN_FORMAT_VERSION
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
        let err = load_plan(&path, None).unwrap_err();
        assert!(
            err.contains("has plan format version 1, this zentra reads version 2"),
            "{err}"
        );
        std::fs::write(&path, "{}").unwrap();
        let err = load_plan(&path, None).unwrap_err();
        assert!(err.contains("is not a zentra plan file"), "{err}");
    }
}
