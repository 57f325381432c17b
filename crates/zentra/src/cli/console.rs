//! `zentra console`: reads expressions on stdin, one a line, and prints each one's value against
//! the configuration and the current state, as `terraform console` does. It calls no service
//! API, takes no lock and writes nothing.

use std::io::BufRead as _;
use std::path::Path;

use clap::Args;

use crate::output::Printer;
use zentra_engine::console::Console;
use zentra_engine::env::Environment;
use zentra_engine::state::backend::{self, StoreOptions};

use super::session::{encryption, load_workspace, read_state, state_error};
use super::{Outcome, VarArgs};

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    #[command(flatten)]
    pub vars: VarArgs,
}

pub fn console(dir: &Path, args: ConsoleArgs, env: Environment, printer: &Printer) -> Outcome {
    let Some(ws) = load_workspace(dir, &args.vars, env, printer) else {
        return Outcome::Failure;
    };
    let Some(encryption) = encryption(&ws.config, &ws.env, printer) else {
        return Outcome::Failure;
    };
    // The backend is opened as it is, without recording it: the console writes nothing.
    let options = StoreOptions {
        lock_timeout: std::time::Duration::ZERO,
        progress: ws.env.progress().clone(),
        encryption,
    };
    let store = backend::check_unchanged(&ws.config.dir, &ws.config).and_then(|()| {
        backend::open(
            &backend::configured(&ws.config),
            &ws.config.dir,
            &ws.env,
            &options,
        )
    });
    let store = match store {
        Ok(store) => store,
        Err(e) => {
            state_error(printer, &e);
            return Outcome::Failure;
        }
    };
    let Ok(state) = read_state(store.as_ref(), printer) else {
        return Outcome::Failure;
    };
    let mut console = Console::new(ws, state.as_ref());
    let mut failed = false;
    for line in std::io::stdin().lock().lines() {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                printer.error(&format!("cannot read stdin: {e}"));
                return Outcome::Failure;
            }
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line == "exit" {
            break;
        }
        match console.eval_line(line) {
            Ok(text) => printer.data(&format!("{text}\n")),
            Err(d) => {
                printer.diagnostic(&d);
                failed = true;
            }
        }
    }
    if failed {
        Outcome::Failure
    } else {
        Outcome::Success
    }
}
