//! The command line: argument definitions and the mapping of results to exit codes. Each
//! command lives in its own module and drives the library; nothing here talks to an API.
//!
//! Exit codes: 0 success; 1 error (usage errors included); 2 changes present
//! (`plan --detailed-exitcode`, `drift`: drift, pending changes or a waiting manual step, and
//! `fmt --check`: a file not in canonical style).

mod apply;
mod args;
mod confirm;
mod console;
mod demo;
mod drift;
mod export;
mod fmt;
mod force_unlock;
mod import;
mod init;
mod permissions;
mod plan;
mod schema;
mod session;
mod show;
mod sim;
mod state;
mod version;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::output::Printer;

/// Reads a saved plan file as `show` and `apply` do (for the fuzz targets and their tests).
pub use plan::load_plan;
use zentra_engine::env::Environment;

/// Declarative configuration for Zoom SSO, Office 365 calendar integration and Entra ID
/// consent: plan and apply it like infrastructure as code.
#[derive(Debug, Parser)]
#[command(
    name = "zentra",
    version,
    about,
    propagate_version = true,
    after_help = "Exit codes: 0 success, 1 error (a wrong command line too), 2 changes present (with plan --detailed-exitcode; drift: drift or pending changes; fmt --check: files to format).\nTerraform's single-dash spelling of long options (-out=FILE, -detailed-exitcode) is accepted."
)]
pub struct Cli {
    /// Run as if started in DIR (where the *.zen.hcl files are).
    #[arg(long, global = true, value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    /// Never colour output (also: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Show no progress (bars, per-operation lines, waits); errors and warnings still show.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the configuration without calling any API.
    Validate(VarArgs),
    /// Rewrite *.zen.hcl files in the canonical style (--check: only say which ones differ).
    Fmt(fmt::FmtArgs),
    /// Read live settings and show what apply would change.
    Plan(plan::PlanArgs),
    /// Make live settings match the configuration (or a saved plan).
    Apply(apply::ApplyArgs),
    /// Delete what zentra created; forget what it adopted (prevent_destroy is honoured).
    Destroy(apply::DestroyArgs),
    /// Check live against the configuration without changing anything, and write reports.
    Drift(drift::DriftArgs),
    /// Show a saved plan, or the current state.
    Show(show::ShowArgs),
    /// Record that a person carried out a manual step.
    Confirm(confirm::ConfirmArgs),
    /// List the least-privilege permissions the configuration needs, per resource and in total.
    Permissions(permissions::PermissionsArgs),
    /// Show what a resource type, data source or provider block accepts (all types without TYPE).
    Schema(schema::SchemaArgs),
    /// Set up the state backend, and move state to it when it changed (--migrate-state).
    Init(init::InitArgs),
    /// Write configuration for everything the configured providers reach, and adopt it in state.
    Export(export::ExportArgs),
    /// Take one existing object under management by its id, writing nothing to the service.
    Import(import::ImportArgs),
    /// Work with the state itself: list and show what it records, rm, mv, pull and push it.
    State(state::StateArgs),
    /// Remove a state lock left behind by a run that was killed.
    ForceUnlock(force_unlock::ForceUnlockArgs),
    /// Serve the built-in emulator of the Zoom and Microsoft Graph APIs.
    Sim(sim::SimArgs),
    /// Run the quickstart against an in-process emulator: plan, apply, plan again.
    Demo,
    /// Evaluate expressions read on stdin (one a line) against the configuration and state.
    Console(console::ConsoleArgs),
    /// Print zentra's version (and with --json, the state and plan format versions).
    Version(version::VersionArgs),
}

impl Command {
    /// Whether the command was asked for JSON output: its failures are then reported as JSON
    /// on stdout too.
    pub fn json(&self) -> bool {
        match self {
            Command::Plan(a) => a.json,
            Command::Drift(a) => a.json,
            Command::Show(a) => a.json,
            Command::Permissions(a) => a.json,
            Command::Version(a) => a.json,
            Command::Schema(a) => a.json,
            _ => false,
        }
    }
}

/// Variable flags shared by commands that evaluate the configuration.
#[derive(Debug, Clone, Default, Args)]
pub struct VarArgs {
    /// Set a variable: --var name=value (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read variables from a file of NAME = VALUE lines (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Treat warnings (an identity provider certificate that has expired or expires within 30
    /// days, a SHA-1 signature, a plain http:// sign-in URL) as errors: stop before any request.
    #[arg(long)]
    pub strict: bool,
}

/// The state-lock option of every command that takes the lock (plan, apply, confirm, destroy).
#[derive(Debug, Clone, Default, Args)]
pub struct LockArgs {
    /// How long to wait for the state lock another run holds, e.g. 30s or 2m (default 0s:
    /// fail at once, naming the holder).
    #[arg(long = "lock-timeout", value_name = "DURATION", default_value = "0s", value_parser = parse_duration)]
    pub lock_timeout: std::time::Duration,
}

/// Reads a duration as Terraform's `-lock-timeout` does: whole or decimal numbers with the units
/// `ms`, `s`, `m` and `h`, one after another (`30s`, `2m`, `1m30s`, `1.5h`); `0` alone is zero.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    let wrong = || format!("`{text}` is not a duration: write it as 30s, 2m or 1m30s");
    let mut total = 0f64;
    let mut rest = text;
    if rest.is_empty() {
        return Err(wrong());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(wrong)?;
        let number: f64 = rest[..digits].parse().map_err(|_| wrong())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(wrong()),
        };
        total += number * seconds;
        rest = &rest[unit_len..];
    }
    std::time::Duration::try_from_secs_f64(total).map_err(|_| wrong())
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Succeeded, and there are changes to apply (with `--detailed-exitcode`).
    Changes,
    Failure,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Failure => ExitCode::from(1),
            Outcome::Changes => ExitCode::from(2),
        }
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let env = Environment::from_process();
    let cli = match parse_command_line(std::env::args_os().collect(), &env) {
        Ok(cli) => cli,
        Err(outcome) => return outcome.into(),
    };
    let mut printer = Printer::terminal(&env, cli.no_color);
    printer.set_quiet(cli.quiet);
    // Clients and the state store tell the printer what they wait for; evaluation tells it
    // which values no message may show.
    let env = env
        .with_progress(printer.progress())
        .with_secrets(printer.secrets());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            printer.error(&format!("cannot start the async runtime: {e}"));
            return ExitCode::from(1);
        }
    };
    runtime.block_on(run(cli, env, &printer)).into()
}

/// Parses the command line, accepting Terraform's single-dash long options. Help and version
/// requests are printed here (`Err(Success)`); a usage error is reported as a diagnostic, and
/// as JSON on stdout when `--json` was asked for (`Err(Failure)`: exit 1, never 2).
pub fn parse_command_line(args: Vec<OsString>, env: &Environment) -> Result<Cli, Outcome> {
    let no_color = args.iter().any(|a| a == "--no-color" || a == "-no-color");
    let usage_error = |diagnostic: &zentra_engine::diag::Diagnostic, json: bool| {
        let printer = Printer::terminal(env, no_color);
        printer.diagnostic(diagnostic);
        if json {
            printer.data(&printer.errors_json());
        }
        Outcome::Failure
    };
    let args = match args::normalize(args, &Cli::command()) {
        Ok(args) => args,
        Err(e) => return Err(usage_error(&e.diagnostic, e.json)),
    };
    let json = args::asks_for_json(&args);
    let parsed = Cli::command()
        .try_get_matches_from(&args)
        .and_then(|mut matches| Cli::from_arg_matches_mut(&mut matches));
    match parsed {
        Ok(cli) => Ok(cli),
        Err(e) => match e.kind() {
            clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                let _ = e.print();
                Err(Outcome::Success)
            }
            clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                let _ = e.print();
                Err(Outcome::Failure)
            }
            _ => {
                let command = Cli::command();
                let sub = args
                    .iter()
                    .skip(1)
                    .filter_map(|a| a.to_str())
                    .find_map(|a| command.find_subcommand(a))
                    .map(|s| format!(" {}", s.get_name()))
                    .unwrap_or_default();
                let d = args::clap_error_diagnostic(&e, &format!("zentra{sub}"));
                Err(usage_error(&d, json))
            }
        },
    }
}

/// Runs one parsed command line; with `--json`, a failure also prints its errors as JSON on
/// stdout (unless the command already printed its JSON there).
pub async fn run(cli: Cli, env: Environment, printer: &Printer) -> Outcome {
    let json = cli.command.json();
    let outcome = run_command(cli, env, printer).await;
    if json && outcome == Outcome::Failure && !printer.wrote_data() {
        printer.data(&printer.errors_json());
    }
    outcome
}

async fn run_command(cli: Cli, env: Environment, printer: &Printer) -> Outcome {
    // Like `tofu -chdir`: every relative path (plan files, variable files) is then relative to
    // the configuration directory.
    if let Some(chdir) = &cli.chdir
        && let Err(e) = std::env::set_current_dir(chdir)
    {
        printer.error(&format!(
            "--chdir: cannot change to `{}`: {e}",
            chdir.display()
        ));
        return Outcome::Failure;
    }
    let dir = PathBuf::from(".");
    match cli.command {
        Command::Validate(vars) => plan::validate(&dir, vars, env, printer),
        Command::Fmt(args) => fmt::fmt(&dir, args, printer),
        Command::Plan(args) => plan::plan(&dir, args, env, printer).await,
        Command::Apply(args) => apply::apply(&dir, args, env, printer).await,
        Command::Destroy(args) => apply::destroy(&dir, args, env, printer).await,
        Command::Drift(args) => drift::drift(&dir, args, env, printer).await,
        Command::Show(args) => show::show(&dir, args, env, printer),
        Command::Confirm(args) => confirm::confirm(&dir, args, env, printer),
        Command::Permissions(args) => permissions::permissions(&dir, args, env, printer),
        Command::Init(args) => init::init(&dir, args, env, printer),
        Command::Export(args) => export::export(&dir, args, env, printer).await,
        Command::Import(args) => import::import(&dir, args, env, printer).await,
        Command::State(args) => state::state(&dir, args, env, printer),
        Command::ForceUnlock(args) => force_unlock::force_unlock(&dir, args, env, printer),
        Command::Sim(args) => sim::sim(args, printer).await,
        Command::Demo => demo::demo(env, printer).await,
        Command::Console(args) => console::console(&dir, args, env, printer),
        Command::Version(args) => version::version(&args, printer),
        Command::Schema(args) => schema::schema(&args, printer),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn durations_read_like_terraforms() {
        use std::time::Duration;
        let parse = super::parse_duration;
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("0"), Ok(Duration::ZERO));
        for bad in ["", "30", "s", "3 s", "1d", "-1s", "1m30"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
