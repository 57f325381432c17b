//! Reading the command line before clap does: Terraform's single-dash long flags
//! (`-out=FILE`, `-detailed-exitcode`, `-var 'a=b'`) are accepted as zentra's double-dash ones,
//! and every usage error becomes a diagnostic that exits 1, never 2, the code that means
//! "changes present" to a pipeline.
//!
//! The long names come from clap's own definition of the command line, so a flag added to any
//! command is understood in both spellings, and a value after an option that takes one is never
//! rewritten, whatever it starts with.

use std::ffi::OsString;

use clap::{Arg, Command};

use zentra_engine::diag::{Diagnostic, did_you_mean};

/// Where a command line stopped making sense.
#[derive(Debug)]
pub struct UsageError {
    pub diagnostic: Diagnostic,
    /// Whether `--json` (or `-json`) was asked for: the error goes to stdout as JSON too.
    pub json: bool,
}

/// The long option names a command accepts, with whether each takes a value.
struct LongNames {
    names: Vec<(String, bool)>,
}

impl LongNames {
    fn of(command: &Command, globals: &[&Arg]) -> LongNames {
        let mut names: Vec<(String, bool)> = Vec::new();
        for arg in command.get_arguments().chain(globals.iter().copied()) {
            let takes_value = arg.get_action().takes_values();
            for long in arg.get_long().into_iter().chain(
                arg.get_all_aliases()
                    .into_iter()
                    .flatten()
                    .filter(|_| arg.get_long().is_some()),
            ) {
                if !names.iter().any(|(n, _)| n == long) {
                    names.push((long.to_string(), takes_value));
                }
            }
        }
        LongNames { names }
    }

    /// `Some(takes_value)` when `name` is a long option here.
    fn get(&self, name: &str) -> Option<bool> {
        self.names
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, takes_value)| *takes_value)
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|(n, _)| n.as_str())
    }
}

/// The short flags a command accepts (`-h`, `-V`).
fn short_flags(command: &Command, globals: &[&Arg]) -> Vec<char> {
    command
        .get_arguments()
        .chain(globals.iter().copied())
        .filter_map(Arg::get_short)
        .collect()
}

/// Rewrites single-dash long options (`-out=plan.zplan`, `-detailed-exitcode`) to their
/// double-dash form, using `command`'s definition to know which long names each subcommand
/// has. Values of options, everything after `--`, short flags and positional arguments are
/// left as they are. A single-dash word that is no option of the command is an error, with the
/// double-dash spelling it was probably meant as.
pub fn normalize(args: Vec<OsString>, command: &Command) -> Result<Vec<OsString>, UsageError> {
    let mut command = command.clone();
    command.build();
    let globals: Vec<&Arg> = command
        .get_arguments()
        .filter(|a| a.is_global_set())
        .collect();
    let mut current: &Command = &command;
    let mut path = vec![command.get_name().to_string()];
    let mut longs = LongNames::of(current, &globals);
    let mut shorts = short_flags(current, &globals);
    let mut out = Vec::with_capacity(args.len());
    let mut iter = args.into_iter();
    if let Some(program) = iter.next() {
        out.push(program);
    }
    let mut value_expected = false;
    let mut json = false;
    while let Some(arg) = iter.next() {
        if value_expected {
            value_expected = false;
            out.push(arg);
            continue;
        }
        let Some(text) = arg.to_str().map(str::to_string) else {
            out.push(arg);
            continue;
        };
        if text == "--" {
            out.push(arg);
            out.extend(iter.by_ref());
            break;
        }
        if let Some(body) = text.strip_prefix("--") {
            let (name, inline) = split_value(body);
            value_expected = longs.get(name) == Some(true) && !inline;
            json |= name == "json";
            out.push(arg);
            continue;
        }
        if let Some(body) = text.strip_prefix('-')
            && !body.is_empty()
        {
            let (name, inline) = split_value(body);
            if let Some(takes_value) = longs.get(name) {
                value_expected = takes_value && !inline;
                json |= name == "json";
                out.push(OsString::from(format!("-{text}")));
                continue;
            }
            let is_short_cluster = body.chars().all(|c| shorts.contains(&c));
            if name.chars().count() == 1 || is_short_cluster {
                out.push(arg);
                continue;
            }
            return Err(UsageError {
                diagnostic: unknown_single_dash(&text, name, &path, &longs, &command),
                json: json || remaining_ask_for_json(iter),
            });
        }
        // A positional argument: the first one that names a subcommand selects it.
        if let Some(sub) = current.find_subcommand(&text) {
            current = sub;
            path.push(sub.get_name().to_string());
            longs = LongNames::of(current, &globals);
            shorts = short_flags(current, &globals);
        }
        out.push(arg);
    }
    Ok(out)
}

/// `name=value` split at the first `=`; whether a value was given inline.
fn split_value(body: &str) -> (&str, bool) {
    match body.split_once('=') {
        Some((name, _)) => (name, true),
        None => (body, false),
    }
}

fn remaining_ask_for_json(rest: impl Iterator<Item = OsString>) -> bool {
    rest.take_while(|a| a != "--")
        .any(|a| a == "--json" || a == "-json")
}

fn unknown_single_dash(
    text: &str,
    name: &str,
    path: &[String],
    longs: &LongNames,
    root: &Command,
) -> Diagnostic {
    let command = path.join(" ");
    let d = Diagnostic::error(format!("unknown option `{text}` for `{command}`"));
    if let Some(close) = did_you_mean(name, longs.iter()) {
        return d.with_hint(format!("did you mean `--{close}`?"));
    }
    // An option of another command, such as `-out` given to `validate`.
    let owners: Vec<String> = root
        .get_subcommands()
        .filter(|sub| {
            sub.get_arguments()
                .any(|a| a.get_long() == Some(name) && !a.is_global_set())
        })
        .map(|sub| format!("`{} {}`", path[0], sub.get_name()))
        .collect();
    if !owners.is_empty() {
        return d.with_hint(format!(
            "`--{name}` is an option of {}",
            owners.join(" and ")
        ));
    }
    d.with_hint(format!("see `{command} --help` for its options"))
}

/// The diagnostic for an error clap reported: its first line as the summary, its tips as the
/// hint (else where to find help on `command`), and the usage line as the detail.
pub fn clap_error_diagnostic(error: &clap::Error, command: &str) -> Diagnostic {
    let text = error.render().to_string();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let summary = lines
        .next()
        .map(|l| l.strip_prefix("error: ").unwrap_or(l).to_string())
        .unwrap_or_else(|| "the command line is not valid".to_string());
    let mut tips = Vec::new();
    let mut usage = None;
    for line in lines {
        if let Some(tip) = line.strip_prefix("tip: ") {
            tips.push(tip.to_string());
        } else if line.starts_with("Usage: ") {
            usage = Some(line.to_string());
        }
    }
    let mut d = Diagnostic::error(summary);
    if let Some(usage) = usage {
        d = d.with_detail(usage);
    }
    if tips.is_empty() {
        d.with_hint(format!("see `{command} --help`"))
    } else {
        d.with_hint(tips.join("; "))
    }
}

/// Whether a command line (already normalized) asks for JSON output.
pub fn asks_for_json(args: &[OsString]) -> bool {
    args.iter().skip(1).take_while(|a| *a != "--").any(|a| {
        a.to_str()
            .is_some_and(|s| s == "--json" || s.starts_with("--json="))
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn normalized(args: &[&str]) -> Result<Vec<String>, UsageError> {
        let args = std::iter::once("zentra")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        normalize(args, &super::super::Cli::command()).map(|v| {
            v.into_iter()
                .skip(1)
                .map(|a| a.into_string().unwrap())
                .collect()
        })
    }

    #[test]
    fn single_dash_long_options_become_double_dash() {
        assert_eq!(
            normalized(&[
                "-chdir=cfg",
                "plan",
                "-out=p.zplan",
                "-detailed-exitcode",
                "-var",
                "a=b",
                "-var-file=x.hcl",
                "-no-color",
                "-json",
            ])
            .unwrap(),
            [
                "--chdir=cfg",
                "plan",
                "--out=p.zplan",
                "--detailed-exitcode",
                "--var",
                "a=b",
                "--var-file=x.hcl",
                "--no-color",
                "--json"
            ]
        );
        assert_eq!(
            normalized(&["apply", "-auto-approve", "-parallelism", "3", "p.zplan"]).unwrap(),
            ["apply", "--auto-approve", "--parallelism", "3", "p.zplan"]
        );
    }

    #[test]
    fn values_shorts_and_everything_after_a_double_dash_are_left_alone() {
        // A value that looks like a flag, after an option that takes one.
        assert_eq!(
            normalized(&["plan", "-out", "-json", "--var", "-detailed-exitcode"]).unwrap(),
            ["plan", "--out", "-json", "--var", "-detailed-exitcode"]
        );
        assert_eq!(normalized(&["plan", "-h"]).unwrap(), ["plan", "-h"]);
        assert_eq!(
            normalized(&["confirm", "--", "-json"]).unwrap(),
            ["confirm", "--", "-json"]
        );
        // `-help` is the long help flag.
        assert_eq!(normalized(&["plan", "-help"]).unwrap(), ["plan", "--help"]);
    }

    #[test]
    fn unknown_single_dash_words_name_the_double_dash_form() {
        let e = normalized(&["plan", "-detailed-exitcodes", "-json"]).unwrap_err();
        assert_eq!(
            e.diagnostic.summary,
            "unknown option `-detailed-exitcodes` for `zentra plan`"
        );
        assert_eq!(
            e.diagnostic.hint.as_deref(),
            Some("did you mean `--detailed-exitcode`?")
        );
        assert!(e.json, "a later -json still asks for JSON errors");
        let e = normalized(&["validate", "-out=x"]).unwrap_err();
        assert_eq!(
            e.diagnostic.hint.as_deref(),
            Some("`--out` is an option of `zentra plan` and `zentra export`")
        );
    }
}
