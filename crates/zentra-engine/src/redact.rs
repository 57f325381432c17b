//! Redaction: the one way a message is cleared of what must never be shown. A run collects its
//! secrets as it learns them — credentials in the environment, sensitive variables, every value
//! computed from them, attributes a schema calls sensitive — into [`Secrets`], which the
//! printer applies to every diagnostic, warning and progress line before it is shown or
//! reported as JSON: zentra's own checks and vendors' error messages that quote a request
//! alike. URLs in messages lose their user information and query values on the way
//! ([`urls::redact_urls_in`]).

pub mod urls;

use std::sync::{Arc, Mutex};

use crate::diag::Diagnostic;
use crate::schema::{Attr, AttrType};
use crate::value::Value;

/// What a message shows in place of a sensitive value.
pub const SHOWN: &str = "(sensitive value)";

/// Secrets shorter than this are replaced only where they stand as a word of their own, so
/// that a sensitive `7` does not blank out every digit 7 of a message.
const SHORT: usize = 4;

/// The secrets of a run, shared by everything that evaluates configuration and the printer.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    texts: Arc<Mutex<Vec<String>>>,
}

impl Secrets {
    /// Remembers `text` (and the escaped forms messages quote it in) as a secret.
    pub fn add(&self, text: &str) {
        let mut texts = self.texts.lock().unwrap_or_else(|e| e.into_inner());
        for form in forms_of(text) {
            if !texts.contains(&form) {
                texts.push(form);
            }
        }
    }

    /// Remembers every string and number inside a sensitive mark of `value`.
    pub fn add_value(&self, value: &Value) {
        for text in sensitive_texts(value) {
            self.add(&text);
        }
    }

    /// Remembers the values of `value` that `schema` calls sensitive (a provider's
    /// `client_secret`), and everything inside a sensitive mark.
    pub fn add_by_schema(&self, schema: &Attr, value: &Value) {
        self.add_value(value);
        let mut out = Vec::new();
        schema_sensitive_texts(schema, value, &mut out);
        for text in out {
            self.add(&text);
        }
    }

    /// `text` with every secret replaced, and every URL's credentials and query values hidden.
    pub fn redact(&self, text: &str) -> String {
        let texts = self.texts.lock().unwrap_or_else(|e| e.into_inner());
        let cleared = replace_secrets(text, &texts);
        urls::redact_urls_in(&cleared)
    }

    /// `d` with its summary, detail, hint and quoted source line redacted.
    pub fn redact_diagnostic(&self, d: &Diagnostic) -> Diagnostic {
        let mut d = d.clone();
        d.summary = self.redact(&d.summary);
        d.detail = d.detail.map(|t| self.redact(&t));
        d.hint = d.hint.map(|t| self.redact(&t));
        if let Some(location) = &mut d.location {
            location.line_text = self.redact(&location.line_text);
        }
        d
    }
}

/// The texts of the strings and numbers inside sensitive marks of `value`.
pub fn sensitive_texts(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect(value, false, &mut out);
    out
}

/// The texts of every string and number in `value`, which is sensitive as a whole.
pub fn all_texts(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect(value, true, &mut out);
    out
}

fn collect(value: &Value, inside: bool, out: &mut Vec<String>) {
    match value {
        Value::Sensitive(inner) => collect(inner, true, out),
        Value::List(items) => items.iter().for_each(|i| collect(i, inside, out)),
        Value::Object(map) => map.values().for_each(|i| collect(i, inside, out)),
        Value::String(s) if inside && !s.is_empty() => out.push(s.clone()),
        Value::Number(n) if inside => out.push(n.to_string()),
        _ => {}
    }
}

fn schema_sensitive_texts(schema: &Attr, value: &Value, out: &mut Vec<String>) {
    let Some(map) = value.as_object() else { return };
    for (key, v) in map {
        match schema.properties.get(key) {
            Some(attr) if attr.sensitive => out.extend(all_texts(v)),
            Some(attr) if attr.ty == AttrType::Object => schema_sensitive_texts(attr, v, out),
            _ => {}
        }
    }
}

/// A secret as messages may quote it: as is, escaped as Rust's `{:?}` and as JSON do.
fn forms_of(text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    let mut forms = vec![text.to_string()];
    let debug = format!("{text:?}");
    let json = serde_json::to_string(text).unwrap_or_default();
    for quoted in [debug, json] {
        let inner = quoted
            .strip_prefix('"')
            .and_then(|q| q.strip_suffix('"'))
            .unwrap_or(&quoted);
        if inner != text && !forms.iter().any(|f| f == inner) {
            forms.push(inner.to_string());
        }
    }
    forms
}

/// `message` with every occurrence of a secret replaced by [`SHOWN`], longest secrets first,
/// without regard to ASCII case (services and keys lower-case what they quote); short ones
/// only where they stand alone.
pub fn replace_secrets(message: &str, secrets: &[String]) -> String {
    let mut ordered: Vec<&String> = secrets.iter().filter(|s| !s.is_empty()).collect();
    ordered.sort_by_key(|s| std::cmp::Reverse(s.len()));
    ordered.into_iter().fold(message.to_string(), |m, secret| {
        replace_all(&m, secret, secret.chars().count() < SHORT)
    })
}

/// Replaces each occurrence of `secret` in `text` (ASCII case ignored); with `words_only`, only
/// where neither neighbour is a letter or digit.
fn replace_all(text: &str, secret: &str, words_only: bool) -> String {
    // ASCII lower-casing keeps every byte where it was, so offsets carry over.
    let haystack = text.to_ascii_lowercase();
    let needle = secret.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = haystack[from..].find(&needle).map(|i| from + i) {
        let end = found + needle.len();
        let alone = !words_only
            || (!text[..found]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
                && !text[end..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric));
        if alone {
            out.push_str(&text[copied..found]);
            out.push_str(SHOWN);
            copied = end;
        }
        from = end;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_any_quoted_form_and_urls_are_cleared() {
        let secrets = Secrets::default();
        secrets.add_value(&Value::Object(
            [
                ("a".to_string(), Value::str("hunter2\"x").mark_sensitive()),
                ("b".to_string(), Value::str("public")),
            ]
            .into_iter()
            .collect(),
        ));
        assert_eq!(
            secrets.redact("got \"hunter2\\\"x\" and hunter2\"x, public"),
            "got \"(sensitive value)\" and (sensitive value), public"
        );
        assert_eq!(
            secrets.redact("see https://u:pw@example.com/x?sig=abc"),
            "see https://***@example.com/x?sig=***"
        );
    }

    #[test]
    fn secrets_are_found_whatever_their_case() {
        let secrets = Secrets::default();
        secrets.add("CanaryName");
        assert_eq!(
            secrets.redact("group name canaryname and CANARYNAME"),
            "group name (sensitive value) and (sensitive value)"
        );
    }

    #[test]
    fn short_secrets_are_replaced_only_as_words() {
        let secrets = Secrets::default();
        secrets.add_value(&Value::from(45).mark_sensitive());
        assert_eq!(
            secrets.redact("`days` must be at most 30, not 45 (line 145)"),
            "`days` must be at most 30, not (sensitive value) (line 145)"
        );
    }

    #[test]
    fn schema_sensitive_attributes_count_without_a_mark() {
        let schema = Attr::object([("client_secret", Attr::string().sensitive())]);
        let secrets = Secrets::default();
        secrets.add_by_schema(
            &schema,
            &Value::Object(
                [("client_secret".to_string(), Value::str("s3cr3t-value"))]
                    .into_iter()
                    .collect(),
            ),
        );
        assert_eq!(secrets.redact("bad s3cr3t-value"), "bad (sensitive value)");
        let d = Diagnostic::error("x s3cr3t-value").with_hint("not s3cr3t-value");
        let d = secrets.redact_diagnostic(&d);
        assert_eq!(
            (d.summary.as_str(), d.hint.as_deref()),
            ("x (sensitive value)", Some("not (sensitive value)"))
        );
    }
}
