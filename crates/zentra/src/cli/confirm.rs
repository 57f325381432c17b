//! `zentra confirm ADDRESS`: record in state that a person carried out a manual step — who,
//! when, and a hash of the step, so the step comes back when it changes.

use std::path::Path;

use clap::Args;

use crate::output::Printer;
use zentra_engine::addr::{ProviderAddr, ResourceAddr};
use zentra_engine::diag::{Diagnostic, did_you_mean};
use zentra_engine::env::Environment;
use zentra_engine::provider::manual::{MANUAL_STEP, step_hash};
use zentra_engine::schema::ResourceKind;
use zentra_engine::state::{Confirmation, ResourceState};

use super::session::{load_workspace, read_state, report, state_error, state_store};
use super::{LockArgs, Outcome, VarArgs};

#[derive(Debug, Args)]
pub struct ConfirmArgs {
    /// The manual step, e.g. `manual_step.o365_calendar_prompt`.
    pub address: String,
    /// Who carried it out (default: $USER, else git's user.name or user.email, else the
    /// operating system's user id).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub lock: LockArgs,
}

pub fn confirm(dir: &Path, args: ConfirmArgs, env: Environment, printer: &Printer) -> Outcome {
    let by = match &args.by {
        Some(by) => by.clone(),
        None => match who_confirms(&env) {
            Some((by, source)) => {
                printer.status(&format!(
                    "Confirming as {by} ({source}; --by NAME to name someone else)."
                ));
                by
            }
            None => {
                printer.diagnostic(
                    &Diagnostic::error("cannot tell who confirms this step")
                        .with_hint("pass --by NAME"),
                );
                return Outcome::Failure;
            }
        },
    };
    let Some(ws) = load_workspace(dir, &args.vars, env, printer) else {
        return Outcome::Failure;
    };
    let steps: Vec<String> = ws
        .config
        .resources
        .keys()
        .filter(|a| ws.kind(&a.type_name) == ResourceKind::Manual)
        .map(ToString::to_string)
        .collect();
    let addr = match args.address.parse::<ResourceAddr>() {
        Ok(a)
            if ws.config.resources.contains_key(&a)
                && ws.kind(&a.type_name) == ResourceKind::Manual =>
        {
            a
        }
        other => {
            let what = match other {
                Ok(a) if ws.config.resources.contains_key(&a) => {
                    format!("`{a}` is not a manual step")
                }
                _ => format!("no manual step `{}` in the configuration", args.address),
            };
            let d = Diagnostic::error(what);
            let d = match did_you_mean(&args.address, steps.iter().map(String::as_str)) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None if steps.is_empty() => d.with_hint(format!(
                    "declare one with `resource \"{MANUAL_STEP}\" \"NAME\" {{ ... }}`"
                )),
                None => d.with_hint(format!("manual steps here: {}", steps.join(", "))),
            };
            printer.diagnostic(&d);
            return Outcome::Failure;
        }
    };
    let body = match ws.eval_resource(&addr, &Default::default()) {
        Ok(b) => b.value,
        Err(d) => {
            report(printer, &d);
            return Outcome::Failure;
        }
    };
    if zentra_engine::provider::manual::CONFIRMED_ATTRIBUTES
        .iter()
        .any(|n| body.get(n).is_some_and(|v| v.contains_unknown()))
    {
        printer.error(&format!(
            "cannot confirm `{addr}` yet: its title, instructions or url depend on values known only after apply"
        ));
        return Outcome::Failure;
    }
    let Some(store) = state_store(&ws, &args.lock, printer) else {
        return Outcome::Failure;
    };
    let _lock = match store.lock("zentra confirm") {
        Ok(l) => l,
        Err(e) => {
            state_error(printer, &e);
            return Outcome::Failure;
        }
    };
    let Ok(state) = read_state(store.as_ref(), printer) else {
        return Outcome::Failure;
    };
    let mut state = state.unwrap_or_default();
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut attributes = body.to_redacted_json();
    if let Some(map) = attributes.as_object_mut() {
        map.remove("check");
    }
    state.upsert(ResourceState {
        address: addr.clone(),
        provider: ProviderAddr::default_for("manual"),
        id: addr.to_string(),
        attributes,
        computed: serde_json::Value::Null,
        sensitive_paths: Vec::new(),
        dependencies: Vec::new(),
        confirmation: Some(Confirmation {
            by: by.clone(),
            at: at.clone(),
            config_hash: step_hash(&body),
        }),
        origin: None,
        prevent_destroy: false,
    });
    if let Err(e) = store.write(&mut state) {
        state_error(printer, &e);
        return Outcome::Failure;
    }
    printer.status(&format!(
        "Recorded: {addr} confirmed by {by} at {at}. It shows as done until its title, instructions or url change{}.",
        if body.get("check").is_some() { ", and while its check holds" } else { "" }
    ));
    Outcome::Success
}

/// Who runs `zentra confirm` when `--by` is not given, and where that came from: the login
/// name (`USER`, `USERNAME`), else git's `user.name` or `user.email` (CI jobs and containers
/// often have no login name but a configured git), else the operating system's user id.
fn who_confirms(env: &Environment) -> Option<(String, &'static str)> {
    if let Some(user) = env.get("USER") {
        return Some((user.to_string(), "from $USER"));
    }
    if let Some(user) = env.get("USERNAME") {
        return Some((user.to_string(), "from $USERNAME"));
    }
    for (key, source) in [
        ("user.name", "from git config user.name"),
        ("user.email", "from git config user.email"),
    ] {
        if let Some(value) = git_config(key) {
            return Some((value, source));
        }
    }
    os_user_id().map(|uid| (format!("uid {uid}"), "the operating system's user id"))
}

/// A value of git's configuration; `None` when git is missing or the key is not set.
fn git_config(key: &str) -> Option<String> {
    let output = std::process::Command::new("git")
        .args(["config", "--get", key])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let value = String::from_utf8(output.stdout).ok()?;
    let value = value.trim();
    (output.status.success() && !value.is_empty()).then(|| value.to_string())
}

#[cfg(unix)]
fn os_user_id() -> Option<u32> {
    // SAFETY: getuid takes no arguments, touches no memory of ours and cannot fail.
    Some(unsafe { libc::getuid() })
}

#[cfg(not(unix))]
fn os_user_id() -> Option<u32> {
    None
}
