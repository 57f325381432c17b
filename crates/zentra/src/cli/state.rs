//! `zentra state ...`: working with the state itself. `pull` prints it (decrypted) and `push`
//! replaces it from a file, with the serial and lineage checks every write has; `list` and
//! `show` read it; `rm` forgets resources and `mv` renames one, under the lock, each write a
//! new serial with the previous state kept as the backup.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::output::Printer;
use crate::render;
use zentra_engine::addr::ResourceAddr;
use zentra_engine::diag::{Diagnostic, did_you_mean};
use zentra_engine::env::Environment;
use zentra_engine::state::{StateFile, StateStore};

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
    /// List the addresses state records (those matching ADDRESS..., a resource or a type).
    List(ListArgs),
    /// Show what state records for one resource: id, origin, attributes (sensitive ones hidden).
    Show(ShowArgs),
    /// Forget resources: state no longer records them; their remote objects stay as they are.
    Rm(RmArgs),
    /// Record a resource under another address (after renaming its block); same type only.
    Mv(MvArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only these: a resource address (zoom_group.sales) or a type (zoom_group).
    pub addresses: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The resource, e.g. zoom_group.sales.
    pub address: String,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// The resources to forget.
    #[arg(required = true)]
    pub addresses: Vec<String>,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Debug, Args)]
pub struct MvArgs {
    /// The address state records now.
    pub from: String,
    /// The new address (the same type).
    pub to: String,
    #[command(flatten)]
    pub lock: LockArgs,
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
        StateCommand::List(a) => list(dir, a, env, printer),
        StateCommand::Show(a) => show(dir, a, env, printer),
        StateCommand::Rm(a) => rm(dir, a, env, printer),
        StateCommand::Mv(a) => mv(dir, a, env, printer),
    }
}

/// The configured store, reporting why when it cannot be opened.
fn open_store(
    dir: &Path,
    lock: &LockArgs,
    env: &Environment,
    printer: &Printer,
) -> Option<Box<dyn StateStore>> {
    let config = load_config(dir, printer)?;
    let encryption = encryption(&config, env, printer)?;
    backend_store(&config, env, lock, encryption, printer)
}

/// Reads the state, or reports that there is none.
fn current_state(store: &dyn StateStore, printer: &Printer) -> Option<StateFile> {
    match store.read() {
        Ok(Some(state)) => Some(state),
        Ok(None) => {
            printer.error(&format!("there is no state yet in {}", store.describe()));
            None
        }
        Err(e) => {
            state_error(printer, &e);
            None
        }
    }
}

fn parse_address(text: &str, printer: &Printer) -> Option<ResourceAddr> {
    match text.parse::<ResourceAddr>() {
        Ok(a) => Some(a),
        Err(_) => {
            printer.diagnostic(
                &Diagnostic::error(format!("`{text}` is not a resource address"))
                    .with_hint("write it as TYPE.NAME, e.g. zoom_group.sales"),
            );
            None
        }
    }
}

/// Whether `addr` is what `filter` names: the address itself, or every resource of a type.
fn matches(addr: &ResourceAddr, filter: &str) -> bool {
    let text = addr.to_string();
    text == filter || text.starts_with(&format!("{filter}."))
}

fn missing(addr: &ResourceAddr, state: &StateFile, store: &dyn StateStore) -> Diagnostic {
    let known: Vec<String> = state
        .resources
        .iter()
        .map(|r| r.address.to_string())
        .collect();
    let d = Diagnostic::error(format!("state in {} has no `{addr}`", store.describe()));
    match did_you_mean(&addr.to_string(), known.iter().map(String::as_str)) {
        Some(s) => d.with_hint(format!(
            "did you mean `{s}`? (`zentra state list` lists them)"
        )),
        None => d.with_hint("`zentra state list` lists what state records"),
    }
}

fn list(dir: &Path, args: ListArgs, env: Environment, printer: &Printer) -> Outcome {
    let Some(store) = open_store(dir, &LockArgs::default(), &env, printer) else {
        return Outcome::Failure;
    };
    let state = match store.read() {
        Ok(Some(s)) => s,
        Ok(None) => return Outcome::Success,
        Err(e) => {
            state_error(printer, &e);
            return Outcome::Failure;
        }
    };
    let mut text = String::new();
    for r in &state.resources {
        if args.addresses.is_empty() || args.addresses.iter().any(|f| matches(&r.address, f)) {
            text.push_str(&format!("{}\n", r.address));
        }
    }
    printer.data(&text);
    Outcome::Success
}

fn show(dir: &Path, args: ShowArgs, env: Environment, printer: &Printer) -> Outcome {
    let Some(addr) = parse_address(&args.address, printer) else {
        return Outcome::Failure;
    };
    let Some(store) = open_store(dir, &LockArgs::default(), &env, printer) else {
        return Outcome::Failure;
    };
    let Some(state) = current_state(store.as_ref(), printer) else {
        return Outcome::Failure;
    };
    let Some(entry) = state.resource(&addr) else {
        printer.diagnostic(&missing(&addr, &state, store.as_ref()));
        return Outcome::Failure;
    };
    printer.data(&render::state_entry_text(entry));
    Outcome::Success
}

fn rm(dir: &Path, args: RmArgs, env: Environment, printer: &Printer) -> Outcome {
    let mut addrs = Vec::new();
    for text in &args.addresses {
        let Some(addr) = parse_address(text, printer) else {
            return Outcome::Failure;
        };
        addrs.push(addr);
    }
    let Some(store) = open_store(dir, &args.lock, &env, printer) else {
        return Outcome::Failure;
    };
    let _lock = match store.lock("zentra state rm") {
        Ok(l) => l,
        Err(e) => {
            state_error(printer, &e);
            return Outcome::Failure;
        }
    };
    let Some(mut state) = current_state(store.as_ref(), printer) else {
        return Outcome::Failure;
    };
    for addr in &addrs {
        if state.resource(addr).is_none() {
            printer.diagnostic(&missing(addr, &state, store.as_ref()));
            printer.status("Nothing was removed.");
            return Outcome::Failure;
        }
    }
    for addr in &addrs {
        state.remove(addr);
        state.remove_pending_create(addr);
    }
    if let Err(e) = store.write(&mut state) {
        state_error(printer, &e);
        return Outcome::Failure;
    }
    for addr in &addrs {
        printer.status(&format!(
            "Removed `{addr}` from state; its remote object is left as it is."
        ));
    }
    printer.status(&format!(
        "State in {} is at serial {}. With its block still in the configuration, the next plan \
         adopts the object again.",
        store.describe(),
        state.serial
    ));
    Outcome::Success
}

fn mv(dir: &Path, args: MvArgs, env: Environment, printer: &Printer) -> Outcome {
    let (Some(from), Some(to)) = (
        parse_address(&args.from, printer),
        parse_address(&args.to, printer),
    ) else {
        return Outcome::Failure;
    };
    if from.type_name != to.type_name || from.mode != to.mode {
        printer.diagnostic(
            &Diagnostic::error(format!(
                "cannot move `{from}` to `{to}`: a move keeps the resource's type"
            ))
            .with_hint("nothing was changed; an object of one type cannot be managed as another"),
        );
        return Outcome::Failure;
    }
    let Some(store) = open_store(dir, &args.lock, &env, printer) else {
        return Outcome::Failure;
    };
    let _lock = match store.lock("zentra state mv") {
        Ok(l) => l,
        Err(e) => {
            state_error(printer, &e);
            return Outcome::Failure;
        }
    };
    let Some(mut state) = current_state(store.as_ref(), printer) else {
        return Outcome::Failure;
    };
    if state.resource(&to).is_some() {
        printer.diagnostic(
            &Diagnostic::error(format!("state already records `{to}`")).with_hint(
                "nothing was changed; remove it first with `zentra state rm` if it is to go",
            ),
        );
        return Outcome::Failure;
    }
    let Some(mut entry) = state.remove(&from) else {
        printer.diagnostic(&missing(&from, &state, store.as_ref()));
        return Outcome::Failure;
    };
    entry.address = to.clone();
    state.upsert(entry);
    for r in &mut state.resources {
        for d in &mut r.dependencies {
            if *d == from {
                *d = to.clone();
            }
        }
    }
    if let Some(mut pending) = state.remove_pending_create(&from) {
        pending.address = to.clone();
        state.add_pending_create(pending);
    }
    if let Err(e) = store.write(&mut state) {
        state_error(printer, &e);
        return Outcome::Failure;
    }
    printer.status(&format!(
        "Moved `{from}` to `{to}` in {} (serial {}).",
        store.describe(),
        state.serial
    ));
    Outcome::Success
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
