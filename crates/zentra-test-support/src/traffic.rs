//! Checks every request a test sent to the emulator, and every response it got, against the
//! vendors' own specs ([`crate::conformance`]). End-to-end tests call [`assert_conformant`] on
//! the emulator's request log, so the whole suite's traffic is validated.

use serde_json::Value;
use zentra_sim::RequestRecord;

use crate::conformance::{GraphSpec, ZoomSpec, oauth};

/// Every problem found in `records`, one line each; empty when all conform.
pub fn violations(records: &[RequestRecord]) -> Vec<String> {
    let zoom = ZoomSpec::load();
    let graph = GraphSpec::load();
    let mut out = Vec::new();
    for r in records {
        let what = format!(
            "{} {}{}{} -> {}",
            r.method,
            r.path,
            if r.query.is_empty() { "" } else { "?" },
            r.query,
            r.status
        );
        let mut errors: Vec<String> = Vec::new();
        match r.service.as_str() {
            "zoom" => {
                if let Err(e) = zoom.validate_request(&r.method, &r.path, &r.query, r.body.as_ref())
                {
                    errors.extend(e.into_iter().map(|e| format!("request: {e}")));
                }
                if let Err(e) = zoom.validate_response(
                    &r.method,
                    &r.path,
                    &r.query,
                    r.status,
                    r.response.as_ref(),
                ) {
                    errors.extend(e.into_iter().map(|e| format!("response: {e}")));
                }
            }
            "graph" => {
                let path = if r.query.is_empty() {
                    r.path.clone()
                } else {
                    format!("{}?{}", r.path, r.query)
                };
                if r.path.ends_with("/$batch") {
                    let empty = Value::Null;
                    if let Err(e) = graph.validate_batch(
                        r.body.as_ref().unwrap_or(&empty),
                        r.status,
                        r.response.as_ref(),
                    ) {
                        errors.extend(e.into_iter().map(|e| format!("batch: {e}")));
                    }
                } else {
                    if let Err(e) = graph.validate_request(&r.method, &path, r.body.as_ref()) {
                        errors.extend(e.into_iter().map(|e| format!("request: {e}")));
                    }
                    if let Err(e) =
                        graph.validate_response(&r.method, &path, r.status, r.response.as_ref())
                    {
                        errors.extend(e.into_iter().map(|e| format!("response: {e}")));
                    }
                }
            }
            "zoom-oauth" => {
                if let Err(e) = oauth::validate_zoom_token_response(r.status, r.response.as_ref()) {
                    errors.extend(e.into_iter().map(|e| format!("token response: {e}")));
                }
            }
            "entra-login" => {
                if let Err(e) = oauth::validate_entra_token_response(r.status, r.response.as_ref())
                {
                    errors.extend(e.into_iter().map(|e| format!("token response: {e}")));
                }
            }
            other => errors.push(format!("unknown service `{other}`")),
        }
        out.extend(errors.into_iter().map(|e| format!("{what}: {e}")));
    }
    out
}

/// Panics with every violation in `records`.
pub fn assert_conformant(records: &[RequestRecord]) {
    let v = violations(records);
    assert!(
        v.is_empty(),
        "traffic that does not match the vendors' specs:\n{}",
        v.join("\n")
    );
}
