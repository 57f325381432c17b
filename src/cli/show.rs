//! `zentra show`: a saved plan (human or JSON), or the current state.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::config::{Config, DEFAULT_STATE_FILE};
use crate::output::Printer;
use crate::render;
use crate::state::{LocalStateStore, StateStore};

use super::Outcome;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A plan file saved with `zentra plan --out FILE`; without it, the current state.
    pub plan: Option<PathBuf>,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn show(dir: &Path, args: ShowArgs, printer: &Printer) -> Outcome {
    if let Some(path) = &args.plan {
        let path = if path.is_absolute() {
            path.clone()
        } else {
            dir.join(path)
        };
        return match super::plan::load_plan(&path) {
            Ok(plan) => {
                if args.json {
                    printer.data(&super::plan::plan_json(&plan));
                } else {
                    printer.data(&render::plan_text(&plan, printer));
                }
                Outcome::Success
            }
            Err(e) => {
                printer.error(&e);
                Outcome::Failure
            }
        };
    }
    let state_path =
        Config::load_dir(dir).map_or_else(|_| dir.join(DEFAULT_STATE_FILE), |c| c.state_path());
    let store = LocalStateStore::new(state_path);
    match store.read() {
        Ok(Some(state)) => {
            if args.json {
                printer.data(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&state).unwrap_or_default()
                ));
            } else {
                printer.data(&format!(
                    "State serial {} (lineage {}):\n",
                    state.serial, state.lineage
                ));
                for r in &state.resources {
                    printer.data(&format!("  {} (id {})\n", r.address, r.id));
                }
                for p in &state.pending_creates {
                    printer.data(&format!(
                        "  {} (create sent at {}, its answer not recorded: `zentra plan` looks for it)\n",
                        p.address, p.requested_at
                    ));
                }
            }
            Outcome::Success
        }
        Ok(None) => {
            printer.status(&format!("No state yet at {}.", store.describe()));
            Outcome::Success
        }
        Err(e) => {
            super::session::state_error(printer, &e);
            Outcome::Failure
        }
    }
}
