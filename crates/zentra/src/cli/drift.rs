//! `zentra drift`: a read-only check of every managed object against the configuration and
//! the last apply. It takes no lock and writes no state; objects that cannot be read are
//! reported as unknown while the rest are still classified. Exit codes: 0 in sync, 2 drift,
//! pending changes or a waiting manual step, 1 error (the reports are still written).

use std::path::{Path, PathBuf};

use clap::Args;

use crate::output::Printer;
use crate::render;
use zentra_engine::drift::{DriftReport, ReportKind};
use zentra_engine::env::Environment;

use super::session::{load_workspace, providers, read_state, report, state_store};
use super::{LockArgs, Outcome, VarArgs};

#[derive(Debug, Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub reports: ReportArgs,
    /// Print GitHub Actions annotations (`::warning file=…,line=…::…`) for each finding.
    #[arg(long)]
    pub github_annotations: bool,
    /// Print the report as JSON on stdout (as --report-json writes it).
    #[arg(long)]
    pub json: bool,
}

/// Where to write reports; any combination in one run.
#[derive(Debug, Clone, Default, Args)]
pub struct ReportArgs {
    /// Write a Markdown report (a pull-request comment or a job summary: under 65,536
    /// characters) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report_md: Option<PathBuf>,
    /// Write a JUnit XML report (one test case per object) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report_junit: Option<PathBuf>,
    /// Write a SARIF 2.1.0 report (one result per drifted attribute) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report_sarif: Option<PathBuf>,
    /// Write the report as JSON (`schemas/drift-report.schema.json`) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
}

pub async fn drift(dir: &Path, args: DriftArgs, env: Environment, printer: &Printer) -> Outcome {
    let Some(ws) = load_workspace(dir, &args.vars, env, printer) else {
        return Outcome::Failure;
    };
    // Read-only: no lock, no state write.
    let Some(store) = state_store(&ws, &LockArgs::default(), printer) else {
        return Outcome::Failure;
    };
    let Ok(state) = read_state(store.as_ref(), printer) else {
        return Outcome::Failure;
    };
    let Some(providers) = providers(&ws, state.as_ref(), printer) else {
        return Outcome::Failure;
    };
    let (run, unreadable) = match zentra_engine::plan::planner::plan_reporting_unreadable(
        &ws,
        state.as_ref(),
        &providers,
    )
    .await
    {
        Ok(r) => r,
        Err(d) => {
            report(printer, &d);
            return Outcome::Failure;
        }
    };
    let today = chrono::Local::now().date_naive();
    let drift =
        zentra_engine::drift::classify(ReportKind::Drift, &run.plan, &unreadable, &ws, today);
    for w in &drift.warnings {
        printer.warning(w);
    }
    if args.json {
        printer.data(&report_json(&drift));
    } else {
        printer.data(&render::drift_text::drift_text(&drift, printer));
    }
    if args.github_annotations {
        printer.data(&render::drift_text::github_annotations(&drift));
    }
    if !write_reports(
        &drift,
        &args.reports,
        ws.env.get("GITHUB_STEP_SUMMARY"),
        true,
        printer,
    ) {
        return Outcome::Failure;
    }
    match drift.exit_code() {
        0 => Outcome::Success,
        2 => Outcome::Changes,
        _ => {
            for o in drift
                .objects
                .iter()
                .filter(|o| o.status == zentra_engine::drift::Status::Unknown)
            {
                printer.error(&format!(
                    "{} could not be read: {}",
                    o.address,
                    o.reason.as_deref().unwrap_or("")
                ));
            }
            Outcome::Failure
        }
    }
}

pub fn report_json(report: &DriftReport) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes the reports asked for; the Markdown also goes to `step_summary` (GitHub's
/// `GITHUB_STEP_SUMMARY` file, appended to) when `summary_always` or a Markdown report was
/// asked for. False when one could not be written (said on stderr).
pub fn write_reports(
    report: &DriftReport,
    args: &ReportArgs,
    step_summary: Option<&str>,
    summary_always: bool,
    printer: &Printer,
) -> bool {
    let markdown =
        || render::markdown::report_markdown(report, render::markdown::GITHUB_COMMENT_LIMIT);
    let mut files: Vec<(&Path, String)> = Vec::new();
    if let Some(path) = &args.report_md {
        files.push((path, markdown()));
    }
    if let Some(path) = &args.report_junit {
        files.push((path, render::junit::report_junit(report)));
    }
    if let Some(path) = &args.report_sarif {
        let mut text =
            serde_json::to_string_pretty(&render::sarif::report_sarif(report)).unwrap_or_default();
        text.push('\n');
        files.push((path, text));
    }
    if let Some(path) = &args.report_json {
        files.push((path, report_json(report)));
    }
    let mut ok = true;
    for (path, text) in files {
        if let Err(e) = write_file(path, &text) {
            printer.error(&format!(
                "cannot write the report `{}`: {e}",
                path.display()
            ));
            ok = false;
        }
    }
    if let Some(summary) = step_summary.filter(|s| !s.is_empty())
        && (summary_always || args.report_md.is_some())
    {
        use std::io::Write;
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(summary)
            .and_then(|mut f| f.write_all(format!("{}\n", markdown()).as_bytes()));
        if let Err(e) = appended {
            printer.error(&format!(
                "cannot append to the job summary `{summary}` (GITHUB_STEP_SUMMARY): {e}"
            ));
            ok = false;
        }
    }
    ok
}

fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
