//! The command line: argument definitions and the mapping of results to exit codes. Each
//! command lives in its own module and drives the library; nothing here talks to an API.
//!
//! Exit codes: 0 success; 1 error; 2 changes present (`plan --detailed-exitcode`).

mod apply;
mod confirm;
mod demo;
mod permissions;
mod plan;
mod session;
mod show;
mod sim;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::env::Environment;
use crate::output::Printer;

/// Declarative configuration for Zoom SSO, Office 365 calendar integration and Entra ID
/// consent: plan and apply it like infrastructure as code.
#[derive(Debug, Parser)]
#[command(
    name = "zentra",
    version,
    about,
    propagate_version = true,
    after_help = "Exit codes: 0 success, 1 error, 2 changes present (with plan --detailed-exitcode)."
)]
pub struct Cli {
    /// Run as if started in DIR (where the *.zen.hcl files are).
    #[arg(long, global = true, value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    /// Never colour output (also: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the configuration without calling any API.
    Validate(VarArgs),
    /// Read live settings and show what apply would change.
    Plan(plan::PlanArgs),
    /// Make live settings match the configuration (or a saved plan).
    Apply(apply::ApplyArgs),
    /// Delete what zentra created; forget what it adopted (prevent_destroy is honoured).
    Destroy(apply::DestroyArgs),
    /// Show a saved plan, or the current state.
    Show(show::ShowArgs),
    /// Record that a person carried out a manual step.
    Confirm(confirm::ConfirmArgs),
    /// List the least-privilege permissions the configuration needs, per resource and in total.
    Permissions(permissions::PermissionsArgs),
    /// Serve the built-in emulator of the Zoom and Microsoft Graph APIs.
    Sim(sim::SimArgs),
    /// Run the quickstart against an in-process emulator: plan, apply, plan again.
    Demo,
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
    let cli = Cli::parse();
    let env = Environment::from_process();
    let printer = Printer::terminal(&env, cli.no_color);
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

/// Runs one parsed command line.
pub async fn run(cli: Cli, env: Environment, printer: &Printer) -> Outcome {
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
        Command::Plan(args) => plan::plan(&dir, args, env, printer).await,
        Command::Apply(args) => apply::apply(&dir, args, env, printer).await,
        Command::Destroy(args) => apply::destroy(&dir, args, env, printer).await,
        Command::Show(args) => show::show(&dir, args, printer),
        Command::Confirm(args) => confirm::confirm(&dir, args, env, printer),
        Command::Permissions(args) => permissions::permissions(&dir, args, env, printer),
        Command::Sim(args) => sim::sim(args, printer).await,
        Command::Demo => demo::demo(env, printer).await,
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
