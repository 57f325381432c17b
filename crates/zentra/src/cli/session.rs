//! What every command that reads or changes live state sets up: the workspace, the state store
//! and the configured providers.

use std::path::Path;
use std::sync::Arc;

use crate::output::Printer;
use zentra_engine::config::Config;
use zentra_engine::diag::{Diagnostic, Diagnostics};
use zentra_engine::env::Environment;
use zentra_engine::plan::planner::ProviderSet;
use zentra_engine::state::backend::{self, StoreOptions};
use zentra_engine::state::encryption::StateEncryption;
use zentra_engine::state::{StateError, StateFile, StateStore};
use zentra_engine::workspace::{LoadOptions, Workspace};

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
    match Workspace::load(&opts, zentra_providers::provider_types()) {
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
pub fn state_store(
    ws: &Workspace,
    lock: &LockArgs,
    printer: &Printer,
) -> Option<Box<dyn StateStore>> {
    let encryption = encryption(&ws.config, &ws.env, printer)?;
    backend_store(&ws.config, &ws.env, lock, encryption, printer)
}

/// The keys of the configuration's `encryption` block (`Some(None)` without one); `None`
/// after reporting why they cannot be read.
pub fn encryption(
    config: &Config,
    env: &Environment,
    printer: &Printer,
) -> Option<Option<Arc<StateEncryption>>> {
    match StateEncryption::from_settings(config.settings.encryption.as_ref(), &config.dir, env) {
        Ok(e) => Some(e.map(Arc::new)),
        Err(e) => {
            let span = config
                .settings
                .encryption
                .as_ref()
                .and_then(|s| s.span.clone());
            let d = Diagnostic::error(format!("state encryption: {}", e.message))
                .at_span(&config.sources, span.as_ref());
            printer.diagnostic(&match e.hint {
                Some(h) => d.with_hint(h),
                None => d,
            });
            None
        }
    }
}

/// The keys for saved plans, for commands that read a plan before loading the workspace: a
/// configuration that does not load has none (its errors are reported when it is loaded).
pub fn plan_encryption(
    dir: &Path,
    env: &Environment,
    printer: &Printer,
) -> Option<Option<Arc<StateEncryption>>> {
    match Config::load_dir(dir) {
        Ok(config) => encryption(&config, env, printer),
        Err(_) => Some(None),
    }
}

/// The store of the configuration's backend, refusing one that changed since state was last
/// kept (see `zentra init`). A remote backend used for the first time is recorded as set up.
pub fn backend_store(
    config: &Config,
    env: &Environment,
    lock: &LockArgs,
    encryption: Option<Arc<StateEncryption>>,
    printer: &Printer,
) -> Option<Box<dyn StateStore>> {
    let dir = &config.dir;
    let configured = backend::configured(config);
    let opened = backend::check_unchanged(dir, config)
        .and_then(|()| match backend::recorded(dir)? {
            None if !matches!(configured, zentra_engine::config::Backend::Local { .. }) => {
                backend::record(dir, &configured)
            }
            _ => Ok(()),
        })
        .and_then(|()| {
            let options = StoreOptions {
                lock_timeout: lock.lock_timeout,
                progress: env.progress().clone(),
                encryption,
            };
            backend::open(&configured, dir, env, &options)
        });
    match opened {
        Ok(store) => Some(store),
        Err(e) => {
            let e = match (&e, config.settings.backend_span.as_ref()) {
                (StateError::Storage { .. }, Some(span)) => {
                    let d = Diagnostic::error(e.to_string()).at_span(&config.sources, Some(span));
                    printer.diagnostic(&match e.hint() {
                        Some(h) => d.with_hint(h),
                        None => d,
                    });
                    return None;
                }
                _ => e,
            };
            state_error(printer, &e);
            None
        }
    }
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

/// Loads the configuration files only (no variables, no providers): what the state commands
/// need to find the backend and its keys.
pub fn load_config(dir: &Path, printer: &Printer) -> Option<Config> {
    match Config::load_dir(dir) {
        Ok(config) => Some(config),
        Err(diags) => {
            report(printer, &diags);
            None
        }
    }
}
