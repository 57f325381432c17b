//! What every command that reads or changes live state sets up: the workspace, the state store
//! and the configured providers.

use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};
use crate::env::Environment;
use crate::output::Printer;
use crate::plan::planner::ProviderSet;
use crate::state::{LocalStateStore, StateError, StateFile, StateStore};
use crate::workspace::{LoadOptions, Workspace};

use super::{LockArgs, VarArgs};

/// Loads and validates the workspace in `dir`, printing diagnostics on failure.
pub fn load_workspace(
    dir: &Path,
    vars: &VarArgs,
    env: Environment,
    printer: &Printer,
) -> Option<Workspace> {
    let opts = LoadOptions {
        dir: dir.to_path_buf(),
        vars: vars.vars.clone(),
        var_files: vars.var_files.clone(),
        env,
    };
    match Workspace::load(&opts, crate::provider::provider_types()) {
        Ok(ws) => {
            let warnings = ws.warnings();
            printer.diagnostics(&warnings);
            if vars.strict && !warnings.is_empty() {
                printer.diagnostic(
                    &Diagnostic::error(format!(
                        "--strict: the configuration has {} warning(s); nothing was done",
                        warnings.0.len()
                    ))
                    .with_hint("fix what the warnings say, or run without --strict"),
                );
                return None;
            }
            Some(ws)
        }
        Err(diags) => {
            report(printer, &diags);
            None
        }
    }
}

/// Prints diagnostics and a closing count.
pub fn report(printer: &Printer, diags: &Diagnostics) {
    printer.diagnostics(diags);
    let n = diags.errors().count();
    if n > 1 {
        printer.status(&format!("{n} errors; nothing was changed"));
    }
}

/// The state store of a workspace, waiting for another run's lock as `lock` says.
pub fn state_store(ws: &Workspace, lock: &LockArgs) -> LocalStateStore {
    LocalStateStore::new(ws.config.state_path())
        .with_lock_timeout(lock.lock_timeout)
        .with_progress(ws.env.progress().clone())
}

pub fn state_error(printer: &Printer, e: &StateError) {
    let d = Diagnostic::error(e.to_string());
    printer.diagnostic(&match e.hint() {
        Some(h) => d.with_hint(h),
        None => d,
    });
}

/// Reads state, reporting problems.
pub fn read_state(store: &dyn StateStore, printer: &Printer) -> Result<Option<StateFile>, ()> {
    store.read().map_err(|e| state_error(printer, &e))
}

/// Configures the providers a run needs.
pub fn providers(
    ws: &Workspace,
    state: Option<&StateFile>,
    printer: &Printer,
) -> Option<ProviderSet> {
    match ProviderSet::configure(ws, state) {
        Ok(p) => Some(p),
        Err(d) => {
            report(printer, &d);
            None
        }
    }
}
