//! `zentra force-unlock LOCK_ID`: removes a state lock that a run left behind (killed, or its
//! machine gone), by the id its holder's error named.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use clap::Args;

use crate::output::Printer;
use zentra_engine::diag::Diagnostic;
use zentra_engine::env::Environment;

use super::session::{backend_store, encryption, load_config, state_error};
use super::{LockArgs, Outcome};

#[derive(Debug, Args)]
pub struct ForceUnlockArgs {
    /// The lock id, as the error of a locked run names it.
    pub lock_id: String,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub force: bool,
}

pub fn force_unlock(
    dir: &Path,
    args: ForceUnlockArgs,
    env: Environment,
    printer: &Printer,
) -> Outcome {
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
    if !args.force {
        if !std::io::stdin().is_terminal() {
            printer.diagnostic(
                &Diagnostic::error(
                    "force-unlock needs confirmation, and there is no terminal to ask on",
                )
                .with_hint("make sure no run still holds the lock, then pass --force"),
            );
            return Outcome::Failure;
        }
        printer.status(&format!(
            "Remove lock {} of {}? A run that still holds it would then write alongside another one. Only 'yes' will be accepted.\n  Enter a value: ",
            args.lock_id,
            store.describe()
        ));
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line).is_err() || line.trim() != "yes" {
            printer.status("Nothing was unlocked.");
            return Outcome::Failure;
        }
    }
    match store.force_unlock(&args.lock_id) {
        Ok(info) => {
            printer.status(&format!(
                "Removed the lock of {}: it was held by {}.",
                store.describe(),
                info.holder_text()
            ));
            Outcome::Success
        }
        Err(e) => {
            state_error(printer, &e);
            Outcome::Failure
        }
    }
}
