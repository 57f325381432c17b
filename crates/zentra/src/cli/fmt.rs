//! `zentra fmt`: rewrites configuration files in Terraform's canonical style, or with
//! `--check` says which ones are not, for a pipeline to fail on. The layout rules are the
//! engine's ([`zentra_engine::format`]); this module finds the files, prints and writes.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::output::{Printer, Tone};
use zentra_engine::config::{CONFIG_SUFFIX, read_source};
use zentra_engine::files::FileKind;
use zentra_engine::format::format_source;

use super::Outcome;

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Write nothing; exit 2 when a file is not in canonical style (and list it)
    #[arg(long)]
    pub check: bool,
    /// Print the changes as a unified diff
    #[arg(long)]
    pub diff: bool,
    /// Format the *.zen.hcl files of subdirectories too (.zentra, .git and target are skipped)
    #[arg(long)]
    pub recursive: bool,
    /// Files or directories to format (default: the working directory's *.zen.hcl files)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

pub fn fmt(dir: &Path, args: FmtArgs, printer: &Printer) -> Outcome {
    let roots = if args.paths.is_empty() {
        vec![dir.to_path_buf()]
    } else {
        args.paths.clone()
    };
    let mut failed = false;
    let mut files = Vec::new();
    for root in &roots {
        let path = if root.is_absolute() {
            root.clone()
        } else {
            dir.join(root)
        };
        if path.is_dir() {
            if let Err(e) = collect(&path, args.recursive, &mut files) {
                printer.error(&format!("cannot list `{}`: {e}", display(&path)));
                failed = true;
            }
        } else if path.exists() {
            files.push(path);
        } else {
            printer.diagnostic(
                &zentra_engine::diag::Diagnostic::error(format!(
                    "`{}` does not exist",
                    display(&path)
                ))
                .with_hint("name *.zen.hcl files or directories holding them"),
            );
            failed = true;
        }
    }
    let mut changed = false;
    for path in &files {
        match format_file(path, &args, printer) {
            Ok(true) => changed = true,
            Ok(false) => {}
            Err(()) => failed = true,
        }
    }
    if failed {
        Outcome::Failure
    } else if changed && args.check {
        Outcome::Changes
    } else {
        Outcome::Success
    }
}

/// Formats one file: `Ok(true)` when it was (or, with `--check`, would be) rewritten.
fn format_file(path: &Path, args: &FmtArgs, printer: &Printer) -> Result<bool, ()> {
    let name = display(path);
    let text = read_source(path, FileKind::Configuration).map_err(|e| {
        printer.error(&format!("cannot read `{name}`: {e}"));
    })?;
    let formatted = format_source(&name, &text).map_err(|d| printer.diagnostic(&d))?;
    if formatted == text {
        return Ok(false);
    }
    printer.data(&format!("{name}\n"));
    if args.diff {
        printer.data(&unified_diff(&name, &text, &formatted, printer));
    }
    if !args.check {
        write(path, &formatted).map_err(|e| {
            printer.error(&format!("cannot write `{name}`: {e}"));
        })?;
    }
    Ok(true)
}

/// The `*.zen.hcl` files of `dir` (sorted), and with `recursive` those of its subdirectories,
/// leaving out hidden entries (`.zentra/`, `.git/`) and `target/`.
fn collect(dir: &Path, recursive: bool, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|e| e.path())
        .collect();
    entries.sort();
    let mut subdirs = Vec::new();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            if recursive && name != "target" {
                subdirs.push(path);
            }
        } else if name.ends_with(CONFIG_SUFFIX) {
            files.push(path);
        }
    }
    for sub in subdirs {
        collect(&sub, recursive, files)?;
    }
    Ok(())
}

/// A path as the user reads it: relative to the working directory, without a leading `./`.
fn display(path: &Path) -> String {
    let relative = path.strip_prefix(".").unwrap_or(path);
    if relative.as_os_str().is_empty() {
        ".".to_string()
    } else {
        relative.display().to_string()
    }
}

/// The changes from `old` to `new` as a unified diff, `-` and `+` lines coloured on a terminal.
fn unified_diff(name: &str, old: &str, new: &str, printer: &Printer) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .header(&format!("old/{name}"), &format!("new/{name}"))
        .to_string();
    text.lines()
        .map(|line| {
            let tone = if line.starts_with("+++") || line.starts_with("---") {
                Tone::Plain
            } else if line.starts_with('+') {
                Tone::Add
            } else if line.starts_with('-') {
                Tone::Remove
            } else {
                Tone::Plain
            };
            format!("{}\n", printer.paint(line, tone, false))
        })
        .collect()
}

/// Replaces `path`'s content with `text` atomically: a file beside it, then a rename, keeping
/// its permissions (through a symbolic link, the file it points to).
fn write(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let path = &std::fs::canonicalize(path)?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let permissions = std::fs::metadata(path)?.permissions();
    let mut file = tempfile::Builder::new()
        .prefix(".zentra-fmt-")
        .tempfile_in(parent)?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    file.as_file().set_permissions(permissions)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}
