//! `zentra init`: sets up the configuration's backend — checks that its storage answers and
//! that its state reads with the keys given — and records it in `.zentra/backend.json`. When
//! the backend changed since, `--migrate-state` copies the state from the previous one (the
//! local file included) and `--reconfigure` starts using the new one as it is.

use std::path::Path;

use clap::Args;

use crate::output::Printer;
use zentra_engine::config::Backend;
use zentra_engine::diag::Diagnostic;
use zentra_engine::env::Environment;
use zentra_engine::state::backend::{self, StoreOptions};
use zentra_engine::state::{StateError, StateStore};

use super::session::{encryption, load_config, state_error};
use super::{LockArgs, Outcome};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Copy the state from the backend used before to the configured one.
    #[arg(long, conflicts_with = "reconfigure")]
    pub migrate_state: bool,
    /// Use the configured backend as it is, leaving the previous one's state where it is.
    #[arg(long)]
    pub reconfigure: bool,
    #[command(flatten)]
    pub lock: LockArgs,
}

pub fn init(dir: &Path, args: InitArgs, env: Environment, printer: &Printer) -> Outcome {
    let Some(config) = load_config(dir, printer) else {
        return Outcome::Failure;
    };
    let Some(encryption) = encryption(&config, &env, printer) else {
        return Outcome::Failure;
    };
    let fail = |e: StateError| {
        state_error(printer, &e);
        Outcome::Failure
    };
    let configured = backend::configured(&config);
    if let Err(e) = backend::check_access(&configured, &env) {
        return fail(e);
    }
    let previous = match backend::previous(dir, &config) {
        Ok(p) => p,
        Err(e @ StateError::Corrupt { .. }) => {
            // `init` is what rewrites the record.
            printer.warning(&format!("{e}; it is written anew"));
            None
        }
        Err(e) => return fail(e),
    };
    let options = StoreOptions {
        lock_timeout: args.lock.lock_timeout,
        progress: env.progress().clone(),
        encryption,
    };
    let open = |b: &Backend| backend::open(b, dir, &env, &options);
    let target = match open(&configured) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    match previous {
        Some(before) if !backend::same(&before, &configured) => {
            if args.migrate_state {
                let source = match open(&before) {
                    Ok(s) => s,
                    Err(e) => return fail(e),
                };
                if let Err(e) = migrate(source.as_ref(), target.as_ref(), printer) {
                    return fail(e);
                }
            } else if args.reconfigure {
                printer.warning(&format!(
                    "using {} as it is; the state in {} is left where it is",
                    configured.describe(),
                    before.describe()
                ));
            } else {
                printer.diagnostic(
                    &Diagnostic::error(format!(
                        "the backend changed: state was kept in `{}`, the configuration now says `{}`",
                        before.describe(),
                        configured.describe()
                    ))
                    .with_hint("run `zentra init --migrate-state` to copy the state over, or `zentra init --reconfigure` to use the new backend as it is"),
                );
                return Outcome::Failure;
            }
        }
        _ => {}
    }
    let mut state = match target.read() {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    // With encryption configured, an unencrypted state is written back sealed.
    if options.encryption.is_some()
        && let Some(state) = state.as_mut()
    {
        let stored = match target.read_stored() {
            Ok(bytes) => bytes,
            Err(e) => return fail(e),
        };
        if stored.is_some_and(|bytes| !zentra_engine::state::encryption::is_sealed(&bytes)) {
            let _lock = match target.lock("zentra init") {
                Ok(l) => l,
                Err(e) => return fail(e),
            };
            if let Err(e) = target.write(state) {
                return fail(e);
            }
            printer.status(&format!(
                "Encrypted the state in {} (now serial {}).",
                target.describe(),
                state.serial
            ));
            printer.warning(&format!(
                "the versions written before are still unencrypted: {}; delete them once you no longer need them",
                match &configured {
                    Backend::Local { .. } => format!("`{}.backup`", target.describe()),
                    _ => format!("`{}.history/` up to serial {}", target.describe(), state.serial - 1),
                }
            ));
        }
    }
    if let Err(e) = backend::record(dir, &configured) {
        return fail(e);
    }
    printer.status(&format!(
        "Initialised: state is kept in {}{}.",
        target.describe(),
        match &state {
            Some(s) => format!(
                " (serial {}, {} resource(s), lineage {})",
                s.serial,
                s.resources.len(),
                s.lineage
            ),
            None => ", which has no state yet".to_string(),
        }
    ));
    Outcome::Success
}

/// Copies the state of `source` into `target`, both locked meanwhile. A target that already
/// holds this state (same lineage, at least as new) is left as it is; one that holds another
/// configuration's state is refused.
fn migrate(
    source: &dyn StateStore,
    target: &dyn StateStore,
    printer: &Printer,
) -> Result<(), StateError> {
    let _source_lock = source.lock("zentra init --migrate-state")?;
    let _target_lock = target.lock("zentra init --migrate-state")?;
    let Some(mut state) = source.read()? else {
        printer.status(&format!(
            "{} has no state: nothing to copy.",
            source.describe()
        ));
        return Ok(());
    };
    if let Some(existing) = target.read()? {
        if existing.lineage != state.lineage {
            return Err(StateError::Lineage {
                path: target.describe(),
                found: existing.lineage,
                expected: state.lineage,
            });
        }
        if existing.serial >= state.serial {
            printer.status(&format!(
                "{} already holds this state (serial {}): nothing to copy.",
                target.describe(),
                existing.serial
            ));
            return Ok(());
        }
    }
    let from_serial = state.serial;
    target.write(&mut state)?;
    printer.status(&format!(
        "Copied the state (serial {from_serial}, {} resource(s), lineage {}) from {} to {}; the copy in {} is left as it was.",
        state.resources.len(),
        state.lineage,
        source.describe(),
        target.describe(),
        source.describe()
    ));
    Ok(())
}
