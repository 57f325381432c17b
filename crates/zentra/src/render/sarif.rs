//! The SARIF 2.1.0 report of a drift check, for code-scanning views (GitHub code scanning and
//! other SARIF readers): one result per attribute changed outside zentra, and one per object
//! deleted or replaced outside zentra, each located at the configuration that declares it and
//! carrying a fingerprint that stays the same from run to run, so repeated scheduled runs
//! update one alert rather than opening new ones. Accepted drift (`drift_ignore`) is reported
//! as suppressed; objects that could not be read are tool notifications, and make the run
//! unsuccessful.

use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use zentra_engine::drift::{
    AttributeKind, DriftReport, ObjectReport, SourceLocation, Status, Suppression,
};
use zentra_engine::plan::ObjectDriftKind;

use super::value_text;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The rules results refer to, by index.
const RULES: [(&str, &str, &str); 3] = [
    (
        "drifted-attribute",
        "Attribute changed outside zentra",
        "A managed attribute's live value no longer matches what zentra applied: someone changed it outside zentra. Apply the configuration to put it back, or change the configuration to accept it.",
    ),
    (
        "missing-object",
        "Object deleted outside zentra",
        "An object zentra manages was deleted outside zentra. Apply the configuration to create it again, or remove its block.",
    ),
    (
        "replaced-object",
        "Object replaced outside zentra",
        "An object zentra manages was deleted and another of the same name created outside zentra; zentra takes the new one over on the next apply.",
    ),
];

/// The report as a SARIF 2.1.0 log.
pub fn report_sarif(report: &DriftReport) -> Json {
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for o in &report.objects {
        if o.status == Status::Unknown {
            notifications.push(json!({
                "level": "error",
                "message": {"text": format!("{} could not be read: {}", o.address, o.reason.as_deref().unwrap_or(""))},
                "locations": o.location.iter().map(|l| location(l, &o.address.to_string())).collect::<Vec<_>>(),
            }));
            continue;
        }
        if let Some(d) = &o.object_drift {
            let (rule, text) = match d.kind {
                ObjectDriftKind::Deleted => (
                    1,
                    format!(
                        "{} was deleted outside zentra (it was {})",
                        o.address, d.previous_id
                    ),
                ),
                ObjectDriftKind::Replaced => (
                    2,
                    format!(
                        "{} was replaced outside zentra ({} is gone, {} took its place)",
                        o.address,
                        d.previous_id,
                        o.id.as_deref().unwrap_or("another object")
                    ),
                ),
            };
            results.push(result(
                rule,
                &text,
                o,
                o.location.as_ref(),
                "",
                o.object_drift_suppressed.as_ref(),
            ));
        }
        for a in o
            .attributes
            .iter()
            .filter(|a| a.kind == AttributeKind::Drift)
        {
            let text = if a.sensitive {
                format!(
                    "{}: {} changed outside zentra (sensitive value)",
                    o.address, a.path
                )
            } else {
                format!(
                    "{}: {} is {} outside zentra; the configuration says {}",
                    o.address,
                    a.path,
                    value_text(&a.live, false, false),
                    value_text(&a.configured, false, a.unknown)
                )
            };
            results.push(result(
                0,
                &text,
                o,
                a.location.as_ref().or(o.location.as_ref()),
                &a.path,
                a.suppressed.as_ref(),
            ));
        }
    }
    let rules: Vec<Json> = RULES
        .iter()
        .map(|(id, short, full)| {
            json!({
                "id": id,
                "name": id,
                "shortDescription": {"text": short},
                "fullDescription": {"text": full},
                "defaultConfiguration": {"level": "warning"},
                "help": {"text": full},
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "zentra",
                "version": report.zentra_version,
                "semanticVersion": report.zentra_version,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
                "endTimeUtc": report.generated_at,
            }],
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    })
}

fn result(
    rule: usize,
    text: &str,
    o: &ObjectReport,
    at: Option<&SourceLocation>,
    path: &str,
    suppressed: Option<&Suppression>,
) -> Json {
    let (rule_id, _, _) = RULES[rule];
    let mut r = json!({
        "ruleId": rule_id,
        "ruleIndex": rule,
        "level": "warning",
        "message": {"text": text},
        "locations": at.iter().map(|l| location(l, &o.address.to_string())).collect::<Vec<_>>(),
        "partialFingerprints": {"zentraDrift/v1": fingerprint(rule_id, &o.address.to_string(), path)},
        "properties": {"address": o.address.to_string(), "attribute": path},
    });
    if let Some(s) = suppressed {
        r["suppressions"] = json!([{
            "kind": "inSource",
            "status": "accepted",
            "justification": match &s.expires {
                Some(until) => format!("{} (accepted until {until})", s.reason),
                None => s.reason.clone(),
            },
        }]);
    }
    r
}

fn location(l: &SourceLocation, address: &str) -> Json {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(&l.file)},
            "region": {"startLine": l.line, "startColumn": l.column},
        },
        "logicalLocations": [{"fullyQualifiedName": address, "kind": "resource"}],
    })
}

/// A relative path as a URI reference.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The same finding gets the same fingerprint in every run: it depends on what drifted, never
/// on the values.
fn fingerprint(rule: &str, address: &str, path: &str) -> String {
    let mut h = Sha256::new();
    for part in [rule, address, path] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_name_the_finding_not_its_values() {
        let a = fingerprint("drifted-attribute", "zoom_account_settings.sso", "x.y");
        assert_eq!(
            a,
            fingerprint("drifted-attribute", "zoom_account_settings.sso", "x.y")
        );
        assert_ne!(
            a,
            fingerprint("drifted-attribute", "zoom_account_settings.sso", "x.z")
        );
        assert_eq!(uri("envs/prod main.zen.hcl"), "envs/prod%20main.zen.hcl");
    }
}
