//! The Markdown report of a drift check or a plan, for a pull-request comment or a CI job
//! summary: a summary table first, then each object that needs attention in a collapsible
//! section with its diff. It stays under GitHub's comment limit by leaving out details (never
//! the summary), and shows sensitive values only as `(sensitive value)`.

use zentra_engine::drift::{AttributeKind, DriftReport, ObjectReport, ReportKind, Status};
use zentra_engine::plan::ObjectDriftKind;

use super::value_text;

/// The most characters GitHub accepts in an issue or pull-request comment.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// The first line of every report of `kind`: how a CI job finds its earlier comment to update.
pub fn marker(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Drift => "<!-- zentra:drift -->",
        ReportKind::Plan => "<!-- zentra:plan -->",
    }
}

const STATUSES: [Status; 6] = [
    Status::Drifted,
    Status::Missing,
    Status::Pending,
    Status::Manual,
    Status::Unknown,
    Status::InSync,
];

/// The report as Markdown of at most `limit` characters (the summary is always whole).
pub fn report_markdown(report: &DriftReport, limit: usize) -> String {
    let mut summary = String::new();
    summary.push_str(marker(report.kind));
    summary.push('\n');
    let findings: Vec<&ObjectReport> = report
        .objects
        .iter()
        .filter(|o| o.status.is_finding())
        .collect();
    match report.kind {
        ReportKind::Drift => summary.push_str(&format!(
            "## zentra drift: {}\n\n",
            if findings.is_empty() {
                "everything in sync".to_string()
            } else {
                counts_line(report)
            }
        )),
        ReportKind::Plan => summary.push_str(&format!(
            "## zentra plan: {}\n\n",
            report
                .plan_summary
                .as_deref()
                .filter(|_| !findings.is_empty())
                .unwrap_or("no changes")
        )),
    }
    summary.push_str("| status | objects |\n|---|---:|\n");
    for status in STATUSES {
        summary.push_str(&format!(
            "| {} | {} |\n",
            status.word(),
            report.summary.count(status)
        ));
    }
    if report.summary.suppressed > 0 {
        summary.push_str(&format!(
            "| drift accepted by `drift_ignore` | {} |\n",
            report.summary.suppressed
        ));
    }
    summary.push('\n');
    for w in &report.warnings {
        summary.push_str(&format!("> **Warning:** {}\n\n", inline(w)));
    }
    let mut rows = String::new();
    if !findings.is_empty() {
        rows.push_str("| object | status | what |\n|---|---|---|\n");
    }
    let mut rows_left_out = 0;
    for o in &findings {
        let row = format!(
            "| `{}` | {} | {} |\n",
            o.name(),
            o.status.word(),
            cell(&what(o))
        );
        // Even the rows give way before the counts do.
        if summary.len() + rows.len() + row.len() + 200 > limit {
            rows_left_out += 1;
        } else {
            rows.push_str(&row);
        }
    }
    if rows_left_out > 0 {
        rows.push_str(&format!(
            "\n{rows_left_out} more objects left out to stay under the comment limit; the JSON report lists every one.\n"
        ));
    }
    let mut out = summary;
    out.push_str(&rows);
    if findings.is_empty() {
        return out;
    }
    out.push('\n');
    let mut left_out = 0;
    for (i, o) in findings.iter().enumerate() {
        let section = details(o);
        let note_room = 200;
        if left_out > 0 || out.len() + section.len() + note_room > limit {
            left_out = findings.len() - i;
            break;
        }
        out.push_str(&section);
    }
    if left_out > 0 {
        out.push_str(&format!(
            "\n_The details of {left_out} more object(s) are left out to stay under the comment limit; the JSON report (`--report-json`) has them all._\n"
        ));
    }
    out
}

fn counts_line(report: &DriftReport) -> String {
    STATUSES
        .iter()
        .filter(|s| report.summary.count(**s) > 0)
        .map(|s| format!("{} {}", report.summary.count(*s), s.word()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What needs attention about an object, in a few words.
fn what(o: &ObjectReport) -> String {
    if o.status == Status::Unknown {
        return o.reason.clone().unwrap_or_default();
    }
    if let Some(d) = &o.object_drift
        && o.object_drift_suppressed.is_none()
    {
        return match d.kind {
            ObjectDriftKind::Deleted => "deleted outside zentra".to_string(),
            ObjectDriftKind::Replaced => "replaced outside zentra".to_string(),
        };
    }
    let paths: Vec<&str> = o.findings().map(|a| a.path.as_str()).collect();
    if paths.is_empty() {
        o.reason.clone().unwrap_or_default()
    } else {
        paths.join(", ")
    }
}

fn details(o: &ObjectReport) -> String {
    let mut s = format!(
        "<details><summary><code>{}</code>: {}</summary>\n\n",
        html(&o.name()),
        o.status.word()
    );
    if let Some(at) = &o.location {
        s.push_str(&format!("Declared at `{at}`.\n"));
    }
    if let Some(reason) = &o.reason {
        s.push_str(&format!("{}\n", inline(reason)));
    }
    let mut diff = String::new();
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
        let note = match (a.kind, &a.suppressed) {
            (_, Some(sup)) => format!(
                "changed outside zentra, accepted until {}: {}",
                sup.expires.as_deref().unwrap_or("further notice"),
                sup.reason
            ),
            (AttributeKind::Drift, None) => "changed outside zentra".to_string(),
            (AttributeKind::Pending, None) => "configuration not applied yet".to_string(),
        };
        diff.push_str(&format!("# {}: {note}\n", a.path));
        if !a.live.is_null() || a.sensitive || a.kind == AttributeKind::Drift {
            diff.push_str(&format!("- {} = {live}\n", a.path));
        }
        diff.push_str(&format!("+ {} = {configured}\n", a.path));
    }
    if !diff.is_empty() {
        let fence = fence_for(&diff);
        s.push_str(&format!("\n{fence}diff\n{diff}{fence}\n"));
    }
    s.push_str("\n</details>\n\n");
    s
}

/// A code fence longer than any run of backticks in `text`.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Text for a line of Markdown: no line breaks, no raw HTML.
fn inline(text: &str) -> String {
    html(&text.replace(['\r', '\n'], " "))
}

/// Text for a table cell.
fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use zentra_engine::drift::{AttributeReport, DriftSummary};

    fn report(n: usize) -> DriftReport {
        let objects: Vec<ObjectReport> = (0..n)
            .map(|i| ObjectReport {
                address: format!("zoom_group.g{i}").parse().unwrap(),
                status: Status::Drifted,
                action: Some(zentra_engine::plan::Action::Update),
                id: None,
                reason: Some("changed outside zentra | since the last apply".into()),
                location: None,
                object_drift: None,
                object_drift_suppressed: None,
                attributes: vec![AttributeReport {
                    path: "name".into(),
                    kind: AttributeKind::Drift,
                    live: serde_json::json!("x".repeat(500)),
                    configured: serde_json::json!("```"),
                    sensitive: false,
                    unknown: false,
                    location: None,
                    suppressed: None,
                }],
                deposed: false,
            })
            .collect();
        DriftReport {
            format_version: 1,
            kind: ReportKind::Drift,
            zentra_version: "0".into(),
            generated_at: "now".into(),
            summary: DriftSummary {
                total: n,
                drifted: n,
                ..DriftSummary::default()
            },
            objects,
            warnings: vec![],
            plan_summary: None,
        }
    }

    #[test]
    fn the_summary_stays_whole_and_details_give_way_under_the_limit() {
        let big = report(400);
        let text = report_markdown(&big, GITHUB_COMMENT_LIMIT);
        assert!(text.len() <= GITHUB_COMMENT_LIMIT, "{}", text.len());
        assert!(text.starts_with("<!-- zentra:drift -->\n## zentra drift: 400 drifted\n"));
        assert!(text.contains("| drifted | 400 |"), "the counts are whole");
        assert!(text.contains("more object(s) are left out"), "{text}");
        let small = report_markdown(&report(2), GITHUB_COMMENT_LIMIT);
        assert!(!small.contains("left out"));
        assert!(small.contains("<details><summary><code>zoom_group.g1</code>: drifted</summary>"));
        assert!(
            small.contains("````diff\n"),
            "a fence longer than the value's backticks:\n{small}"
        );
    }
}
