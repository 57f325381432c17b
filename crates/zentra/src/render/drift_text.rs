//! The drift report for people at a terminal, and as GitHub Actions workflow commands
//! (`::warning file=…,line=…::…`) that annotate the configuration in a pull request or a run.

use crate::output::{Printer, Tone};
use zentra_engine::drift::{AttributeKind, DriftReport, ObjectReport, SourceLocation, Status};
use zentra_engine::plan::ObjectDriftKind;

use super::value_text;

/// One line per object that needs attention, then the counts.
pub fn drift_text(report: &DriftReport, p: &Printer) -> String {
    let mut out = String::new();
    for o in report.objects.iter().filter(|o| o.status.is_finding()) {
        let (mark, tone) = match o.status {
            Status::Unknown => ("?", Tone::Remove),
            Status::Drifted | Status::Missing => ("!", Tone::Warn),
            _ => ("~", Tone::Change),
        };
        out.push_str(&format!(
            "  {} {}: {}\n",
            p.paint(mark, tone, false),
            o.name(),
            o.status.word()
        ));
        for line in detail_lines(o) {
            out.push_str(&format!("      {line}\n"));
        }
    }
    for w in &report.warnings {
        out.push_str(&format!("Warning: {w}\n"));
    }
    let s = &report.summary;
    out.push_str(&p.paint(
        &format!(
            "Drift: {} object(s): {} in sync, {} drifted, {} missing, {} pending, {} manual step(s) waiting, {} unknown{}.",
            s.total,
            s.in_sync,
            s.drifted,
            s.missing,
            s.pending,
            s.manual,
            s.unknown,
            if s.suppressed > 0 {
                format!("; {} accepted drift(s)", s.suppressed)
            } else {
                String::new()
            }
        ),
        Tone::Bold,
        false,
    ));
    out.push('\n');
    out
}

fn detail_lines(o: &ObjectReport) -> Vec<String> {
    let mut lines = Vec::new();
    if o.status == Status::Unknown {
        lines.push(format!(
            "could not be read: {}",
            o.reason.as_deref().unwrap_or("")
        ));
        return lines;
    }
    if let Some(d) = &o.object_drift {
        lines.push(match d.kind {
            ObjectDriftKind::Deleted => {
                format!("deleted outside zentra (it was {})", d.previous_id)
            }
            ObjectDriftKind::Replaced => format!(
                "replaced outside zentra ({} is gone, {} took its place)",
                d.previous_id,
                o.id.as_deref().unwrap_or("another object")
            ),
        });
    }
    for a in &o.attributes {
        let (live, configured) = if a.sensitive {
            (
                "(sensitive value)".to_string(),
                "(sensitive value)".to_string(),
            )
        } else {
            (
                value_text(&a.live, false, false),
                value_text(&a.configured, false, a.unknown),
            )
        };
        let accepted = a
            .suppressed
            .as_ref()
            .map(|s| format!(" [accepted: {}]", s.reason))
            .unwrap_or_default();
        lines.push(match a.kind {
            AttributeKind::Drift => {
                format!(
                    "{} is {live} outside zentra (configuration says {configured}){accepted}",
                    a.path
                )
            }
            AttributeKind::Pending => {
                format!("{}: {live} -> {configured} (not applied yet)", a.path)
            }
        });
    }
    if lines.is_empty()
        && let Some(reason) = &o.reason
    {
        lines.push(reason.clone());
    }
    lines
}

/// GitHub Actions workflow commands, one per finding: warnings for drift, errors for objects
/// that could not be read, notices for pending changes and waiting manual steps.
pub fn github_annotations(report: &DriftReport) -> String {
    let mut out = String::new();
    for o in &report.objects {
        let (level, title) = match o.status {
            Status::InSync => continue,
            Status::Unknown => ("error", "zentra: could not read"),
            Status::Drifted => ("warning", "zentra: drift"),
            Status::Missing => ("warning", "zentra: deleted outside zentra"),
            Status::Pending => ("notice", "zentra: not applied yet"),
            Status::Manual => ("notice", "zentra: manual step waiting"),
        };
        let drifted: Vec<_> = o
            .findings()
            .filter(|a| a.kind == AttributeKind::Drift)
            .collect();
        if o.status == Status::Drifted && !drifted.is_empty() {
            for a in drifted {
                let message = if a.sensitive {
                    format!(
                        "{}: {} changed outside zentra (sensitive value)",
                        o.address, a.path
                    )
                } else {
                    format!(
                        "{}: {} is {} outside zentra (configuration says {})",
                        o.address,
                        a.path,
                        value_text(&a.live, false, false),
                        value_text(&a.configured, false, a.unknown)
                    )
                };
                out.push_str(&command(
                    level,
                    a.location.as_ref().or(o.location.as_ref()),
                    title,
                    &message,
                ));
            }
            continue;
        }
        let mut message = format!("{}: {}", o.name(), o.status.word());
        if let Some(line) = detail_lines(o).first() {
            message.push_str(&format!(": {line}"));
        }
        out.push_str(&command(level, o.location.as_ref(), title, &message));
    }
    out
}

fn command(level: &str, at: Option<&SourceLocation>, title: &str, message: &str) -> String {
    let mut props = Vec::new();
    if let Some(at) = at {
        props.push(format!("file={}", property(&at.file)));
        props.push(format!("line={}", at.line));
        props.push(format!("col={}", at.column));
    }
    props.push(format!("title={}", property(title)));
    format!("::{level} {}::{}\n", props.join(","), data(message))
}

/// A workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_their_separators() {
        let at = SourceLocation {
            file: "envs/a,b.zen.hcl".into(),
            line: 3,
            column: 5,
        };
        assert_eq!(
            command("warning", Some(&at), "zentra: drift", "50% done\nnext"),
            "::warning file=envs/a%2Cb.zen.hcl,line=3,col=5,title=zentra%3A drift::50%25 done%0Anext\n"
        );
    }
}
