//! The request log: what each vendor request asked for and what it got, so tests can assert
//! request counts and bodies. Secrets (client secrets, assertions, tokens) never enter it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One served vendor request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// `zoom`, `zoom-oauth`, `graph` or `entra-login`.
    pub service: String,
    pub method: String,
    /// The path as sent (percent-encoded), e.g. `/v2/accounts/me/settings`.
    pub path: String,
    /// The raw query string without `?`, empty when absent; secret parameters redacted.
    pub query: String,
    /// The body as JSON: parsed JSON bodies, form bodies as an object of strings, other text as a
    /// string; `None` when empty. Secret members are replaced with `"[REDACTED]"`.
    pub body: Option<Value>,
    pub status: u16,
    /// The response body as JSON, `None` when empty; secret members (tokens) redacted.
    pub response: Option<Value>,
}

pub(crate) const REDACTED: &str = "[REDACTED]";

/// Names of members and parameters whose values are secret.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "client_secret" | "client_assertion" | "access_token" | "refresh_token" | "password"
    ) || lower.ends_with("secret")
        || lower.ends_with("_token")
}

/// Replaces secret members anywhere in a JSON value.
pub(crate) fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, member) in map.iter_mut() {
                if is_secret_name(key) {
                    *member = Value::String(REDACTED.into());
                } else {
                    redact_json(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// A raw query string with secret parameters' values replaced.
pub(crate) fn redact_query(raw: &str) -> String {
    raw.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_name(&percent_decode_str(name)) => {
                format!("{name}={REDACTED}")
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Decodes `%XX` escapes (and leaves malformed ones as they are).
pub(crate) fn percent_decode_str(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The body of a request as the log records it.
pub(crate) fn body_for_log(content_type: Option<&str>, body: &[u8]) -> Option<Value> {
    if body.is_empty() {
        return None;
    }
    let is_form = content_type
        .map(|ct| {
            ct.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
        .unwrap_or(false);
    let mut value = if is_form {
        let mut map = Map::new();
        for (name, value) in url::form_urlencoded::parse(body) {
            map.insert(name.into_owned(), Value::String(value.into_owned()));
        }
        Value::Object(map)
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => v,
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                let mut short: String = text.chars().take(2000).collect();
                if text.chars().count() > 2000 {
                    short.push('…');
                }
                // Unparsed text may still carry a form-encoded secret.
                if text.contains('=') {
                    short = redact_query(&short);
                }
                Value::String(short)
            }
        }
    };
    redact_json(&mut value);
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_bodies_are_logged_without_secrets() {
        let body = b"grant_type=client_credentials&client_id=abc&client_secret=s3cr3t&scope=x";
        let logged = body_for_log(Some("application/x-www-form-urlencoded"), body).expect("body");
        assert_eq!(logged["client_id"], json!("abc"));
        assert_eq!(logged["client_secret"], json!(REDACTED));
        assert!(!logged.to_string().contains("s3cr3t"));
    }

    #[test]
    fn json_bodies_are_redacted_recursively() {
        let body = br#"{"a":{"client_secret":"x1"},"list":[{"access_token":"t"}],"keep":"y"}"#;
        let logged = body_for_log(Some("application/json"), body).expect("body");
        assert_eq!(logged["a"]["client_secret"], json!(REDACTED));
        assert_eq!(logged["list"][0]["access_token"], json!(REDACTED));
        assert_eq!(logged["keep"], json!("y"));
    }

    #[test]
    fn unparsable_text_with_a_secret_is_redacted() {
        let logged = body_for_log(Some("text/plain"), b"client_secret=abc&x=1").expect("body");
        assert!(!logged.to_string().contains("abc"));
    }

    #[test]
    fn query_secrets_are_redacted() {
        assert_eq!(
            redact_query("grant_type=x&client_secret=abc"),
            format!("grant_type=x&client_secret={REDACTED}")
        );
    }

    #[test]
    fn percent_decoding_handles_edges() {
        assert_eq!(percent_decode_str("a%20b"), "a b");
        assert_eq!(percent_decode_str("%27x%27"), "'x'");
        assert_eq!(percent_decode_str("bad%2"), "bad%2");
        assert_eq!(percent_decode_str("%"), "%");
        assert_eq!(percent_decode_str("%zz"), "%zz");
    }
}
