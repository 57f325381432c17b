//! Conformance validators: check HTTP traffic against the vendors' original API descriptions.
//!
//! Integration tests validate with it each request zentra's clients send and each response the
//! emulator returns (all of a test's traffic at once through [`crate::traffic`]):
//!
//! * [`ZoomSpec`] checks Zoom REST API v2 traffic against Zoom's OpenAPI 3.0 files
//!   (`schemas/vendor/zoom/api-hub-2026-02/{accounts,users,rooms}/endpoints.json`).
//! * [`GraphSpec`] checks Microsoft Graph v1.0 traffic (including `$batch`) against the CSDL extract
//!   (`schemas/vendor/msgraph/v1.0-subset-types.json`).
//! * [`oauth`] checks the token requests and responses of Zoom Server-to-Server OAuth and of the Entra ID
//!   client-credentials flow.
//!
//! ```
//! use serde_json::json;
//! use zentra_test_support::conformance;
//!
//! let zoom = conformance::ZoomSpec::load();
//! let body = json!({"security": {"signin_with_sso": {"enable": true}}});
//! zoom.validate_request("PATCH", "/v2/accounts/me/settings", "option=security", Some(&body))
//!     .expect("a documented request");
//! zoom.validate_response("PATCH", "/v2/accounts/me/settings", "option=security", 204, None)
//!     .expect("a documented response");
//! let misspelt = json!({"security": {"signin_with_sso": {"enabel": true}}});
//! assert!(zoom.validate_request("PATCH", "/v2/accounts/me/settings", "option=security", Some(&misspelt)).is_err());
//! ```
//!
//! The spec files are read at test time from the repository's copy in `schemas/vendor/` (its `SOURCE.md`
//! files say where each came from), parsed once per test binary. Every error names the JSON path of the
//! offending value (`body.security.signin_with_sso.enabel: property not declared in schema`) and what was
//! expected. Values are described by type and length only, never echoed, except enum mismatches, so
//! secrets in bodies never reach test output.

mod graph;
pub mod json_schema;
pub mod oauth;
mod zoom;

pub use graph::GraphSpec;
pub use zoom::{MatchedOperation, ZoomSpec};

use std::path::PathBuf;

/// The directory that holds the vendors' spec files: `schemas/vendor` in the repository.
pub fn specs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas/vendor")
}

/// Reads and parses one JSON spec file below [`specs_dir`]; a missing or malformed file is a broken test
/// environment, so this panics with the file name.
fn read_spec_json(relative: &str) -> serde_json::Value {
    let path = specs_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read vendor spec {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("vendor spec {} is not valid JSON: {error}", path.display()))
}

/// Appends an object key to a JSON path used in error messages.
fn child_path(path: &str, key: &str) -> String {
    format!("{path}.{key}")
}

/// Appends an array index to a JSON path used in error messages.
fn index_path(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// Describes a JSON value by kind without echoing strings (which may be secrets).
fn describe(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(flag) => format!("boolean {flag}"),
        Value::Number(number) => format!("number {number}"),
        Value::String(text) => match text.chars().count() {
            1 => "a string of 1 character".to_string(),
            count => format!("a string of {count} characters"),
        },
        Value::Array(items) => match items.len() {
            1 => "an array of 1 item".to_string(),
            count => format!("an array of {count} items"),
        },
        Value::Object(map) => format!("an object with {} properties", map.len()),
    }
}

/// Shows a value that is expected to be a short identifier (enum members, option values), truncated.
fn show_short(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let head: String = text.chars().take(57).collect();
        format!("{head}...")
    } else {
        text
    }
}

/// `" (did you mean `x`?)"` when one of `candidates` is close to `name`, else an empty string.
fn suggestion<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score =
            strsim::jaro_winkler(&name.to_ascii_lowercase(), &candidate.to_ascii_lowercase());
        if score >= 0.85 && best.is_none_or(|(top, _)| score > top) {
            best = Some((score, candidate));
        }
    }
    match best {
        Some((_, candidate)) => format!(" (did you mean `{candidate}`?)"),
        None => String::new(),
    }
}

/// Splits `path?query` and joins the embedded query with an explicitly passed one.
fn split_query(path: &str, extra_query: &str) -> (String, String) {
    let (path, embedded) = match path.split_once('?') {
        Some((path, query)) => (path, query),
        None => (path, ""),
    };
    let query = match (
        embedded.is_empty(),
        extra_query.trim_start_matches('?').is_empty(),
    ) {
        (true, _) => extra_query.trim_start_matches('?').to_string(),
        (false, true) => embedded.to_string(),
        (false, false) => format!("{embedded}&{}", extra_query.trim_start_matches('?')),
    };
    (path.to_string(), query)
}

/// Removes `scheme://host` from an absolute URL, leaving the path (and query). Only the part before `?` is
/// searched for a scheme, so URLs inside query values (`$filter=… eq 'api://x'`) are left alone.
fn strip_origin(url: &str) -> &str {
    let before_query = url.split('?').next().unwrap_or(url);
    match before_query.find("://") {
        Some(scheme_end) => {
            let rest = &url[scheme_end + 3..];
            match rest.find(['/', '?']) {
                Some(path_start) => &rest[path_start..],
                None => "/",
            }
        }
        None => url,
    }
}

/// Decodes `%XX` escapes in a path segment; malformed escapes are kept literally.
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' && index + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).unwrap_or("");
            if hex.len() == 2
                && hex.chars().all(|c| c.is_ascii_hexdigit())
                && let Ok(byte) = u8::from_str_radix(hex, 16)
            {
                decoded.push(byte);
                index += 3;
                continue;
            }
        }
        decoded.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// Parses a query string into `(name, value)` pairs, decoding `+` and `%XX`.
fn parse_query(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// True for the hyphenated 8-4-4-4-12 hexadecimal GUID form.
fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| {
            group.len() == length && group.chars().all(|c| c.is_ascii_hexdigit())
        })
}

/// True for an RFC 3339 date-time with an explicit offset or `Z`.
fn is_rfc3339(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

/// True for a calendar date `YYYY-MM-DD`.
fn is_full_date(text: &str) -> bool {
    text.len() == 10 && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}
