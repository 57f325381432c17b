//! Warnings about an identity provider a domain is federated with, found in the configuration
//! before any request: a signing certificate that has expired, expires within 30 days or is
//! signed with a forgeable hash (SHA-1, MD5), a sign-in or sign-out URL over plain `http://`,
//! and a certificate of the metadata that cannot be read and was left out. Federating with such
//! an identity provider works (Entra ID accepts it), which is why these warn rather than refuse;
//! `--strict` makes them refuse.

use chrono::{DateTime, Duration, Utc};

use super::federation_metadata;
use zentra_engine::provider::InvalidAttribute;
use zentra_engine::value::Value;

/// How long before a signing certificate expires that it is worth a warning: Entra ID's own
/// rollover looks for a new certificate in the metadata 30 days before expiry.
pub(crate) const EXPIRY_WARNING_DAYS: i64 = 30;

const CERTIFICATES: [(&str, &str); 2] = [
    ("signing_certificate", "signing certificate"),
    ("next_signing_certificate", "next signing certificate"),
];

/// The URLs browsers and clients are sent to, where plain `http://` would expose credentials or
/// tokens. (The issuer is a name, not a place anyone goes: Okta's is `http://www.okta.com/…`.)
const URLS: [(&str, &str); 5] = [
    ("passive_sign_in_uri", "sign-in URL"),
    ("active_sign_in_uri", "active sign-in URL"),
    ("sign_out_uri", "sign-out URL"),
    ("metadata_exchange_uri", "metadata exchange URL"),
    ("password_reset_uri", "password reset URL"),
];

const METADATA: &str = "metadata_xml";

fn known_text(value: Option<&Value>) -> Option<&str> {
    match value.map(|v| v.unmark().0) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// Where a setting came from: the attribute itself when the configuration writes it, else the
/// metadata document that gave it.
fn source(written: &Value, attribute: &str) -> (String, &'static str) {
    if written.get(attribute).is_some() || written.get(METADATA).is_none() {
        (attribute.to_string(), "")
    } else {
        (METADATA.to_string(), "the metadata's ")
    }
}

fn warning(path: String, message: String, hint: &str) -> InvalidAttribute {
    InvalidAttribute {
        path,
        message,
        hint: Some(hint.to_string()),
    }
}

/// The warnings for a federation, `written` as configured and `completed` with what its
/// metadata gives; `now` decides what has expired.
pub(crate) fn warnings(
    written: &Value,
    completed: &Value,
    now: DateTime<Utc>,
) -> Vec<InvalidAttribute> {
    let mut out = Vec::new();
    for (attribute, what) in CERTIFICATES {
        let Some(text) = known_text(completed.get(attribute)) else {
            continue;
        };
        let Ok(summary) = crate::cert::decode(text).and_then(|der| crate::cert::summarize(&der))
        else {
            continue;
        };
        let (path, from) = source(written, attribute);
        let name = format!(
            "{from}{what} ({}, thumbprint {})",
            summary.subject, summary.thumbprint_sha1
        );
        let day = summary.not_after.format("%Y-%m-%d");
        if summary.not_after <= now {
            out.push(warning(
                path.clone(),
                format!("{name} expired on {day}"),
                "Entra ID rejects tokens signed with an expired certificate: get the identity \
                 provider's current metadata (or certificate) and plan again",
            ));
        } else if summary.not_after - now <= Duration::days(EXPIRY_WARNING_DAYS) {
            let days = (summary.not_after - now).num_days();
            out.push(warning(
                path.clone(),
                format!("{name} expires on {day}, in {days} day(s)"),
                "have the identity provider publish its next certificate and add it (metadata \
                 with both, or `next_signing_certificate`) before then",
            ));
        }
        if let Some(hash) = summary.weak_signature_hash {
            out.push(warning(
                path,
                format!("{name} is signed with {hash}, which can be forged"),
                "issue the identity provider a certificate signed with SHA-256",
            ));
        }
    }
    for (attribute, what) in URLS {
        let Some(url) = known_text(completed.get(attribute)) else {
            continue;
        };
        if url
            .trim()
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
        {
            let (path, from) = source(written, attribute);
            out.push(warning(
                path,
                format!("{from}{what} `{}` is plain http://", url.trim()),
                "credentials and tokens would cross the network unencrypted: use the identity \
                 provider's https:// endpoint",
            ));
        }
    }
    if let Some(xml) = known_text(written.get(METADATA)) {
        let entity = known_text(written.get("metadata_entity_id"));
        let protocol = known_text(completed.get("preferred_authentication_protocol"));
        if let Ok(settings) =
            federation_metadata::parse(xml, entity).and_then(|m| m.settings(protocol))
        {
            for why in settings.unreadable_certificates {
                out.push(warning(
                    METADATA.to_string(),
                    format!("{why}; it is left out"),
                    "check the metadata document: a certificate of it is damaged or not base64",
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const EXPIRED: &str =
        include_str!("../../../zentra-test-support/fixtures/certs/idp-expired.pem");
    const SHA1: &str = include_str!("../../../zentra-test-support/fixtures/certs/idp-sha1.pem");
    const CURRENT: &str =
        include_str!("../../../zentra-test-support/fixtures/certs/okta-current.pem");

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn v(json: serde_json::Value) -> Value {
        Value::from_json(&json)
    }

    #[test]
    fn expired_expiring_and_sha1_certificates_and_http_urls_warn() {
        let written = v(
            json!({"signing_certificate": EXPIRED, "next_signing_certificate": SHA1,
            "passive_sign_in_uri": "HTTP://idp.example/sso", "issuer_uri": "http://www.okta.com/x"}),
        );
        let found = warnings(&written, &written, at("2027-01-01T00:00:00Z"));
        let messages: Vec<&str> = found.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(found.len(), 3, "{messages:#?}");
        assert!(
            messages[0].contains("signing certificate (CN=legacy-idp"),
            "{messages:#?}"
        );
        assert!(
            messages[0].ends_with("expired on 2021-01-01"),
            "{messages:#?}"
        );
        assert!(messages[1].starts_with("next signing certificate (CN=sha1-idp"));
        assert!(messages[1].ends_with("is signed with SHA-1, which can be forged"));
        assert_eq!(found[2].path, "passive_sign_in_uri");
        assert!(messages[2].contains("is plain http://"), "{messages:#?}");

        let current = v(json!({"signing_certificate": CURRENT}));
        assert!(warnings(&current, &current, at("2027-01-01T00:00:00Z")).is_empty());
        let soon = warnings(&current, &current, at("2027-06-10T00:00:00Z"));
        assert_eq!(soon.len(), 1);
        assert!(
            soon[0]
                .message
                .ends_with("expires on 2027-06-30, in 20 day(s)"),
            "{}",
            soon[0].message
        );
    }

    #[test]
    fn what_the_metadata_gave_points_at_the_metadata() {
        let written = v(json!({"metadata_xml": "<not read here/>"}));
        let completed = v(json!({"signing_certificate": EXPIRED}));
        let found = warnings(&written, &completed, at("2027-01-01T00:00:00Z"));
        assert_eq!(found[0].path, "metadata_xml");
        assert!(
            found[0]
                .message
                .starts_with("the metadata's signing certificate")
        );
    }
}
