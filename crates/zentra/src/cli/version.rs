//! `zentra version`: the version of this build, and with `--json` the format versions of the
//! state and plan files it reads and writes, for pipelines that pin or check them.

use clap::Args;

use crate::output::Printer;

use super::Outcome;

#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Print a JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn version(args: &VersionArgs, printer: &Printer) -> Outcome {
    let version = env!("CARGO_PKG_VERSION");
    if args.json {
        let report = serde_json::json!({
            "version": version,
            "state_format_version": zentra_engine::state::STATE_FORMAT_VERSION,
            "plan_format_version": zentra_engine::plan::PLAN_FORMAT_VERSION,
        });
        printer.data(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ));
    } else {
        printer.data(&format!("zentra {version}\n"));
    }
    Outcome::Success
}
