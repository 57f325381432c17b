//! The JUnit XML report of a drift check, for CI systems' test views (Azure DevOps'
//! `PublishTestResults`, GitLab's `reports:junit`, Jenkins): one test case per managed object;
//! drift, a missing object, a pending change or a waiting manual step is a failure carrying the
//! diff, an object that could not be read is an error.

use zentra_engine::drift::{AttributeKind, DriftReport, ObjectReport, ReportKind, Status};

use super::value_text;

/// The report as a JUnit XML document.
pub fn report_junit(report: &DriftReport) -> String {
    let suite = match report.kind {
        ReportKind::Drift => "zentra drift",
        ReportKind::Plan => "zentra plan",
    };
    let tests = report.objects.len();
    let errors = report
        .objects
        .iter()
        .filter(|o| o.status == Status::Unknown)
        .count();
    let failures = report
        .objects
        .iter()
        .filter(|o| o.status.is_finding() && o.status != Status::Unknown)
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts = format!(
        "tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\" time=\"0\""
    );
    out.push_str(&format!(
        "<testsuites name=\"{suite}\" {counts}>\n  <testsuite name=\"{suite}\" {counts} timestamp=\"{}\">\n",
        attr(&report.generated_at)
    ));
    for o in &report.objects {
        out.push_str(&testcase(o));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn testcase(o: &ObjectReport) -> String {
    let mut head = format!(
        "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
        attr(&o.name()),
        attr(&o.address.type_name)
    );
    if let Some(at) = &o.location {
        head.push_str(&format!(
            " file=\"{}\" line=\"{}\"",
            attr(&at.file),
            at.line
        ));
    }
    let message = |what: &str| {
        let mut m = format!("{}: {what}", o.status.word());
        if let Some(reason) = &o.reason {
            m.push_str(&format!(" ({reason})"));
        }
        m
    };
    let body = match o.status {
        Status::InSync => {
            let accepted: Vec<String> = o
                .attributes
                .iter()
                .filter_map(|a| {
                    a.suppressed.as_ref().map(|s| {
                        format!("{} changed outside zentra, accepted: {}", a.path, s.reason)
                    })
                })
                .collect();
            if accepted.is_empty() {
                return format!("{head}/>\n");
            }
            format!(
                "      <system-out>{}</system-out>\n",
                text(&accepted.join("\n"))
            )
        }
        Status::Unknown => format!(
            "      <error message=\"{}\" type=\"unknown\"/>\n",
            attr(&format!(
                "could not be read: {}",
                o.reason.as_deref().unwrap_or("")
            ))
        ),
        status => {
            let paths: Vec<&str> = o.findings().map(|a| a.path.as_str()).collect();
            let what = if paths.is_empty() {
                "the object".to_string()
            } else {
                paths.join(", ")
            };
            format!(
                "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                attr(&message(&what)),
                match status {
                    Status::Drifted => "drifted",
                    Status::Missing => "missing",
                    Status::Pending => "pending",
                    _ => "manual_step",
                },
                text(&diff(o))
            )
        }
    };
    format!("{head}>\n{body}    </testcase>\n")
}

/// The attribute diff as plain text: live first, then configured.
fn diff(o: &ObjectReport) -> String {
    let mut out = String::new();
    if let Some(d) = &o.object_drift {
        out.push_str(
            &format!(
                "object: was {}, {:?} outside zentra\n",
                d.previous_id, d.kind
            )
            .to_lowercase(),
        );
    }
    for a in o.findings() {
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
        let kind = match a.kind {
            AttributeKind::Drift => "changed outside zentra",
            AttributeKind::Pending => "configuration not applied",
        };
        out.push_str(&format!(
            "{}: {kind}\n  live:          {live}\n  configuration: {configured}\n",
            a.path
        ));
    }
    out
}

/// Text that is valid XML 1.0 content: markup escaped, characters XML forbids dropped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Text for an XML attribute value (quotes and line breaks escaped too).
fn attr(s: &str) -> String {
    text(s)
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_escapes_markup_and_drops_what_xml_forbids() {
        assert_eq!(text("a<b>&\u{1}c\n"), "a&lt;b&gt;&amp;c\n");
        assert_eq!(attr("say \"hi\"\n"), "say &quot;hi&quot;&#10;");
    }
}
