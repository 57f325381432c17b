//! `zentra state ...`: working with the state itself. `pull` prints it (decrypted) and `push`
//! replaces it from a file, with the serial and lineage checks every write has.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::output::Printer;
use zentra_engine::diag::Diagnostic;
use zentra_engine::env::Environment;

use super::session::{backend_store, encryption, load_config, state_error};
use super::{LockArgs, Outcome};

#[derive(Debug, Args)]
pub struct StateArgs {
    #[command(subcommand)]
    pub command: StateCommand,
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// Print the current state as JSON on stdout (decrypted when encryption is configured).
    Pull,
    /// Replace the current state with FILE (JSON, or encrypted with the configured keys).
    Push(PushArgs),
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The state file to push.
    pub file: PathBuf,
    /// Push a state of another lineage over the current one (its serial must still not be
    /// older).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub lock: LockArgs,
}

pub fn state(dir: &Path, args: StateArgs, env: Environment, printer: &Printer) -> Outcome {
    match args.command {
        StateCommand::Pull => pull(dir, env, printer),
        StateCommand::Push(push_args) => push(dir, push_args, env, printer),
    }
}

fn pull(dir: &Path, env: Environment, printer: &Printer) -> Outcome {
    let Some(config) = load_config(dir, printer) else {
        return Outcome::Failure;
    };
    let Some(encryption) = encryption(&config, &env, printer) else {
        return Outcome::Failure;
    };
    let Some(store) = backend_store(&config, &env, &LockArgs::default(), encryption, printer)
    else {
        return Outcome::Failure;
    };
    match store.read() {
        Ok(Some(state)) => {
            let mut json = serde_json::to_string_pretty(&state).unwrap_or_default();
            json.push('\n');
            printer.data(&json);
            Outcome::Success
        }
        Ok(None) => {
            printer.status(&format!("No state yet in {}.", store.describe()));
            Outcome::Success
        }
        Err(e) => {
            state_error(printer, &e);
            Outcome::Failure
        }
    }
}

fn push(dir: &Path, args: PushArgs, env: Environment, printer: &Printer) -> Outcome {
    let Some(config) = load_config(dir, printer) else {
        return Outcome::Failure;
    };
    let Some(encryption) = encryption(&config, &env, printer) else {
        return Outcome::Failure;
    };
    let file = if args.file.is_absolute() {
        args.file.clone()
    } else {
        dir.join(&args.file)
    };
    let bytes = match zentra_engine::files::read_bytes(&file, zentra_engine::files::FileKind::State)
    {
        Ok(b) => b,
        Err(e) => {
            printer.error(&format!("cannot read `{}`: {e}", args.file.display()));
            return Outcome::Failure;
        }
    };
    // What `state pull` printed is plaintext: pushing it back is fine even where encryption
    // is enforced, since the store seals what it writes.
    let keys = if zentra_engine::state::encryption::is_sealed(&bytes) {
        encryption.as_deref()
    } else {
        None
    };
    let mut pushed =
        match zentra_engine::state::parse_state(bytes, &args.file.display().to_string(), keys) {
            Ok(s) => s,
            Err(e) => {
                state_error(printer, &e);
                return Outcome::Failure;
            }
        };
    let Some(store) = backend_store(&config, &env, &args.lock, encryption, printer) else {
        return Outcome::Failure;
    };
    let _lock = match store.lock("zentra state push") {
        Ok(l) => l,
        Err(e) => {
            state_error(printer, &e);
            return Outcome::Failure;
        }
    };
    let current = match store.read() {
        Ok(c) => c,
        Err(e) => {
            state_error(printer, &e);
            return Outcome::Failure;
        }
    };
    let mut foreign = false;
    if let Some(current) = &current {
        if current.lineage != pushed.lineage {
            if !args.force {
                printer.diagnostic(
                    &Diagnostic::error(format!(
                        "refusing to push: `{}` has lineage {}, the state in {} has lineage {} (another configuration's state?)",
                        args.file.display(),
                        pushed.lineage,
                        store.describe(),
                        current.lineage
                    ))
                    .with_hint("nothing was written; if it really is to replace the current state, push it with --force"),
                );
                return Outcome::Failure;
            }
            foreign = true;
        }
        if current.serial > pushed.serial {
            printer.diagnostic(
                &Diagnostic::error(format!(
                    "refusing to push: `{}` is at serial {}, older than the current state's serial {}",
                    args.file.display(),
                    pushed.serial,
                    current.serial
                ))
                .with_hint("nothing was written; pull the current state, make the change there, and push that"),
            );
            return Outcome::Failure;
        }
        if !foreign && current.serial == pushed.serial && current.resources != pushed.resources {
            printer.diagnostic(
                &Diagnostic::error(format!(
                    "refusing to push: `{}` has the current serial {} but different content",
                    args.file.display(),
                    pushed.serial
                ))
                .with_hint("nothing was written; after editing a pulled state, increase its `serial` by one so that it is newer"),
            );
            return Outcome::Failure;
        }
    }
    let written = if foreign {
        printer.warning(&format!(
            "replacing the state of lineage {} in {} with `{}` (lineage {}): saved plans of the old state no longer apply",
            current.as_ref().map(|c| c.lineage.as_str()).unwrap_or_default(),
            store.describe(),
            args.file.display(),
            pushed.lineage
        ));
        store.force_write(&mut pushed)
    } else {
        store.write(&mut pushed)
    };
    match written {
        Ok(()) => {
            printer.status(&format!(
                "Pushed `{}` to {}: serial {}, {} resource(s).",
                args.file.display(),
                store.describe(),
                pushed.serial,
                pushed.resources.len()
            ));
            Outcome::Success
        }
        Err(e) => {
            state_error(printer, &e);
            Outcome::Failure
        }
    }
}
