//! `zentra show`: a saved plan (human or JSON), or the current state.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::output::Printer;
use crate::render;
use zentra_engine::config::{Config, DEFAULT_STATE_FILE};
use zentra_engine::env::Environment;
use zentra_engine::state::{LocalStateStore, StateStore};

use super::{LockArgs, Outcome};

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A plan file saved with `zentra plan --out FILE`; without it, the current state.
    pub plan: Option<PathBuf>,
    /// Print JSON on stdout (a plan in Terraform's JSON plan format).
    #[arg(long)]
    pub json: bool,
}

pub fn show(dir: &Path, args: ShowArgs, env: Environment, printer: &Printer) -> Outcome {
    let config = Config::load_dir(dir).ok();
    let encryption = match &config {
        Some(config) => match super::session::encryption(config, &env, printer) {
            Some(e) => e,
            None => return Outcome::Failure,
        },
        None => None,
    };
    if let Some(path) = &args.plan {
        let path = if path.is_absolute() {
            path.clone()
        } else {
            dir.join(path)
        };
        return match super::plan::load_plan(&path, encryption.as_deref()) {
            Ok(plan) => {
                if args.json {
                    printer.data(&zentra_engine::plan::terraform_json::terraform_plan_json(
                        &plan,
                    ));
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
    let store: Box<dyn StateStore> = match &config {
        Some(config) => {
            match super::session::backend_store(
                config,
                &env,
                &LockArgs::default(),
                encryption,
                printer,
            ) {
                Some(store) => store,
                None => return Outcome::Failure,
            }
        }
        None => Box::new(LocalStateStore::new(dir.join(DEFAULT_STATE_FILE))),
    };
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
                for d in &state.deposed {
                    printer.data(&format!(
                        "  {} (deposed object {}, replaced at {}: the next `zentra apply` deletes it)\n",
                        d.address, d.id, d.deposed_at
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
