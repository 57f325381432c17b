//! The one place that writes to the terminal: stdout for data (plans, JSON), stderr for progress
//! and diagnostics. Colour only on a terminal and never with `NO_COLOR`; every message reads the
//! same without colour. Long operations show a progress bar per provider instance on a
//! terminal, plain lines otherwise, and nothing with `--quiet`.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use owo_colors::OwoColorize;

use zentra_engine::diag::{Diagnostic, Diagnostics, Severity};
use zentra_engine::env::{Environment, vars};
use zentra_engine::progress::{Event, Progress, ProgressSink};
use zentra_engine::redact::Secrets;

/// A colour role; the printer decides whether it shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Add,
    Change,
    Remove,
    Warn,
    Error,
    Dim,
    Bold,
}

/// Writes to stdout and stderr with or without colour.
pub struct Printer {
    out: Mutex<Box<dyn Write + Send>>,
    /// Shared with the progress sink, so its lines and the printer's never interleave.
    err: Arc<Mutex<Box<dyn Write + Send>>>,
    color_out: bool,
    color_err: bool,
    /// Whether stderr is a terminal that can redraw progress bars.
    bars_allowed: bool,
    quiet: bool,
    /// The progress bars being drawn, if any: other stderr lines are written around them.
    bars: Bars,
    /// Every diagnostic shown, for commands that also report them as JSON.
    shown: Mutex<Vec<Diagnostic>>,
    /// Whether anything was written to stdout.
    wrote_data: AtomicBool,
    /// What no diagnostic, status or progress line may show.
    secrets: Secrets,
}

impl Printer {
    /// A printer for the real terminal, honouring `NO_COLOR` and `--no-color`.
    pub fn terminal(env: &Environment, no_color: bool) -> Printer {
        let allowed =
            !no_color && env.get(vars::NO_COLOR).is_none() && env.get("TERM") != Some("dumb");
        // Credentials in the environment never show; a value too short to be a credential
        // (`1`, `true`) is a setting, and clearing it would blank out words of every message.
        let secrets = env.secrets().clone();
        for value in env.secret_values().filter(|v| v.chars().count() >= 6) {
            secrets.add(value);
        }
        Printer {
            color_out: allowed && std::io::stdout().is_terminal(),
            color_err: allowed && std::io::stderr().is_terminal(),
            bars_allowed: std::io::stderr().is_terminal() && env.get("TERM") != Some("dumb"),
            out: Mutex::new(Box::new(std::io::stdout())),
            err: Arc::new(Mutex::new(Box::new(std::io::stderr()))),
            quiet: false,
            bars: Bars::default(),
            shown: Mutex::default(),
            wrote_data: AtomicBool::new(false),
            secrets,
        }
    }

    /// A printer writing to the given sinks without colour (for tests and embedding).
    pub fn plain(out: Box<dyn Write + Send>, err: Box<dyn Write + Send>) -> Printer {
        Printer {
            out: Mutex::new(out),
            err: Arc::new(Mutex::new(err)),
            color_out: false,
            color_err: false,
            bars_allowed: false,
            quiet: false,
            bars: Bars::default(),
            shown: Mutex::default(),
            wrote_data: AtomicBool::new(false),
            secrets: Secrets::default(),
        }
    }

    /// The secrets this printer clears messages of; evaluation adds to them (see
    /// [`Environment::with_secrets`]).
    pub fn secrets(&self) -> Secrets {
        self.secrets.clone()
    }

    /// Suppresses progress messages on stderr (diagnostics still show).
    pub fn set_quiet(&mut self, quiet: bool) {
        self.quiet = quiet;
    }

    pub fn stdout_is_colored(&self) -> bool {
        self.color_out
    }

    /// Paints `text` in `tone` for stdout (`for_err = false`) or stderr.
    pub fn paint(&self, text: &str, tone: Tone, for_err: bool) -> String {
        let color = if for_err {
            self.color_err
        } else {
            self.color_out
        };
        if !color {
            return text.to_string();
        }
        match tone {
            Tone::Plain => text.to_string(),
            Tone::Add => text.green().to_string(),
            Tone::Change => text.yellow().to_string(),
            Tone::Remove => text.red().to_string(),
            Tone::Warn => text.yellow().bold().to_string(),
            Tone::Error => text.red().bold().to_string(),
            Tone::Dim => text.dimmed().to_string(),
            Tone::Bold => text.bold().to_string(),
        }
    }

    /// Writes data to stdout.
    pub fn data(&self, text: &str) {
        self.wrote_data.store(true, Ordering::Relaxed);
        self.bars.around(|| {
            let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        });
    }

    /// Writes a progress or status line to stderr.
    pub fn status(&self, line: &str) {
        if self.quiet {
            return;
        }
        self.stderr_line(line);
    }

    fn stderr_line(&self, line: &str) {
        let line = self.secrets.redact(line);
        self.bars.around(|| {
            let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(err, "{line}");
            let _ = err.flush();
        });
    }

    /// Progress of work over several provider instances, `totals` giving how many operations
    /// each has: a bar per instance on a terminal, a line per operation otherwise (with the
    /// instance's count when one finishes), nothing when quiet. Never on stdout.
    pub fn work_progress(&self, totals: &[(String, usize)]) -> WorkProgress<'_> {
        let bars = (self.bars_allowed && !self.quiet && !totals.is_empty()).then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let style =
                ProgressStyle::with_template("{prefix:>16} [{bar:24}] {pos}/{len} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
            let bars: HashMap<String, ProgressBar> = totals
                .iter()
                .map(|(instance, total)| {
                    let bar = multi.add(ProgressBar::new(*total as u64));
                    bar.set_style(style.clone());
                    bar.set_prefix(instance.clone());
                    (instance.clone(), bar)
                })
                .collect();
            *self.bars.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(multi);
            bars
        });
        WorkProgress {
            printer: self,
            bars,
            counts: Mutex::new(totals.iter().map(|(i, t)| (i.clone(), (0, *t))).collect()),
        }
    }

    /// A progress handle for clients and the state store: what they wait for (a rate limit,
    /// another run's lock) shows on stderr, unless the printer is quiet.
    pub fn progress(&self) -> Progress {
        Progress::new(Arc::new(StderrProgress {
            err: self.err.clone(),
            quiet: self.quiet,
            secrets: self.secrets.clone(),
            bars: self.bars.clone(),
        }))
    }

    /// Writes one diagnostic to stderr, with its location and source line, cleared of the
    /// run's secrets (as is the copy kept for `--json`).
    pub fn diagnostic(&self, d: &Diagnostic) {
        let d = self.secrets.redact_diagnostic(d);
        self.stderr_line(&self.format_diagnostic(&d));
        self.shown.lock().unwrap_or_else(|e| e.into_inner()).push(d);
    }

    /// The diagnostics shown so far (for `--json` output of failures).
    pub fn shown_diagnostics(&self) -> Vec<Diagnostic> {
        self.shown.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Whether anything was written to stdout so far.
    pub fn wrote_data(&self) -> bool {
        self.wrote_data.load(Ordering::Relaxed)
    }

    /// The diagnostics shown so far as the JSON error document of `--json` failures:
    /// `{"errors": [{"severity", "summary", "location", "hint"}]}`.
    pub fn errors_json(&self) -> String {
        let report = serde_json::json!({ "errors": self.shown_diagnostics() });
        let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn diagnostics(&self, diags: &Diagnostics) {
        for d in &diags.0 {
            self.diagnostic(d);
        }
    }

    /// An error that is not a configuration diagnostic.
    pub fn error(&self, message: &str) {
        self.diagnostic(&Diagnostic::error(message));
    }

    pub fn warning(&self, message: &str) {
        self.diagnostic(&Diagnostic::warning(message));
    }

    /// The text of a diagnostic as shown on stderr.
    pub fn format_diagnostic(&self, d: &Diagnostic) -> String {
        let (label, tone) = match d.severity {
            Severity::Error => ("error", Tone::Error),
            Severity::Warning => ("warning", Tone::Warn),
        };
        let mut s = format!(
            "{}: {}",
            self.paint(label, tone, true),
            self.paint(&d.summary, Tone::Bold, true)
        );
        if let Some(loc) = &d.location {
            let line_no = loc.line.to_string();
            let pad = " ".repeat(line_no.len());
            s.push_str(&format!("\n{pad}--> {loc}"));
            if !loc.line_text.is_empty() {
                let caret_pad: String = loc
                    .line_text
                    .chars()
                    .take(loc.column.saturating_sub(1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let carets = "^".repeat(
                    loc.width.min(
                        loc.line_text
                            .chars()
                            .count()
                            .saturating_sub(loc.column - 1)
                            .max(1),
                    ),
                );
                s.push_str(&format!(
                    "\n{pad} |\n{line_no} | {}\n{pad} | {caret_pad}{}",
                    loc.line_text,
                    self.paint(&carets, tone, true)
                ));
            }
        }
        if let Some(detail) = &d.detail {
            s.push_str(&format!("\n  {detail}"));
        }
        if let Some(hint) = &d.hint {
            s.push_str(&format!(
                "\n  {} {hint}",
                self.paint("hint:", Tone::Bold, true)
            ));
        }
        s
    }
}

/// Shows progress events as lines on stderr.
struct StderrProgress {
    err: Arc<Mutex<Box<dyn Write + Send>>>,
    quiet: bool,
    secrets: Secrets,
    bars: Bars,
}

impl ProgressSink for StderrProgress {
    fn event(&self, event: &Event) {
        if self.quiet {
            return;
        }
        let line = self.secrets.redact(&event.to_string());
        self.bars.around(|| {
            let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(err, "{line}");
            let _ = err.flush();
        });
    }
}

/// The progress bars on screen, shared by everything that writes to stderr.
#[derive(Clone, Default)]
struct Bars(Arc<Mutex<Option<MultiProgress>>>);

impl Bars {
    /// Runs `write` with the bars lifted off the screen (drawn again after it), if any.
    fn around(&self, write: impl FnOnce()) {
        let multi = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match multi {
            Some(multi) => multi.suspend(write),
            None => write(),
        }
    }
}

/// Progress of one long operation over several provider instances; see
/// [`Printer::work_progress`]. The bars go when it is dropped.
pub struct WorkProgress<'a> {
    printer: &'a Printer,
    bars: Option<HashMap<String, ProgressBar>>,
    /// Per instance: (finished, total).
    counts: Mutex<HashMap<String, (usize, usize)>>,
}

impl WorkProgress<'_> {
    /// An operation of `instance` started: `line` says which.
    pub fn started(&self, instance: &str, line: &str) {
        match self.bars.as_ref().and_then(|b| b.get(instance)) {
            Some(bar) => bar.set_message(self.printer.secrets.redact(line)),
            None => self.printer.status(line),
        }
    }

    /// An operation of `instance` finished: `line` says how.
    pub fn finished(&self, instance: &str, line: &str) {
        let (done, total) = {
            let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
            let entry = counts.entry(instance.to_string()).or_insert((0, 0));
            entry.0 += 1;
            *entry
        };
        match self.bars.as_ref().and_then(|b| b.get(instance)) {
            Some(bar) => {
                bar.inc(1);
                bar.set_message(self.printer.secrets.redact(line));
            }
            None => self
                .printer
                .status(&format!("{line} ({done} of {total} for {instance})")),
        }
    }
}

impl Drop for WorkProgress<'_> {
    fn drop(&mut self) {
        if let Some(bars) = self.bars.take() {
            for bar in bars.values() {
                bar.finish_and_clear();
            }
            let multi = self
                .printer
                .bars
                .0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            if let Some(multi) = multi {
                let _ = multi.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zentra_engine::diag::locate_in;

    #[test]
    fn diagnostics_show_location_snippet_and_hint_without_colour() {
        let p = Printer::plain(Box::new(std::io::sink()), Box::new(std::io::sink()));
        let text = "resource \"x\" \"y\" {\n  enabel = true\n}\n";
        let d = Diagnostic::error("unknown attribute `enabel`")
            .at(locate_in("main.zen.hcl", text, 21..27))
            .with_hint("did you mean `enable`?");
        let out = p.format_diagnostic(&d);
        assert_eq!(
            out,
            "error: unknown attribute `enabel`\n --> main.zen.hcl:2:3\n  |\n2 |   enabel = true\n  |   ^^^^^^\n  hint: did you mean `enable`?"
        );
    }
}
