//! X.509 certificates as people and Entra ID see them: certificates written as base64 DER or
//! PEM are reduced to one canonical form (base64 DER without whitespace, what Graph stores), and
//! described by subject, thumbprint and expiry so that a plan shows a certificate rollover as
//! `(certificate CN=…, thumbprint 3A9B0C5D…, expires 2027-01-01)` rather than a wall of base64.

use std::fmt;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Why a text is not a usable certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateError(pub String);

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CertificateError {}

fn error(message: impl Into<String>) -> CertificateError {
    CertificateError(message.into())
}

/// What identifies a certificate to a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateSummary {
    /// The subject, most specific part first (`CN=Okta, O=Contoso`).
    pub subject: String,
    /// The issuer, in the same form.
    pub issuer: String,
    /// SHA-1 of the DER, upper-case hex: the thumbprint Entra ID and Windows show.
    pub thumbprint_sha1: String,
    /// SHA-256 of the DER, upper-case hex.
    pub thumbprint_sha256: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    /// The hash of the certificate's own signature when it is one that can be forged
    /// (`SHA-1`, `MD5`), else `None`.
    pub weak_signature_hash: Option<&'static str>,
}

/// Signature algorithms whose hash can be forged: OID and the hash's name.
const WEAK_SIGNATURES: [(&str, &str); 6] = [
    ("1.2.840.113549.1.1.5", "SHA-1"), // sha1WithRSAEncryption
    ("1.3.14.3.2.29", "SHA-1"),        // sha1WithRSASignature (OIW)
    ("1.2.840.10045.4.1", "SHA-1"),    // ecdsa-with-SHA1
    ("1.2.840.10040.4.3", "SHA-1"),    // dsa-with-sha1
    ("1.2.840.113549.1.1.4", "MD5"),   // md5WithRSAEncryption
    ("1.2.840.113549.1.1.2", "MD2"),   // md2WithRSAEncryption
];

impl CertificateSummary {
    /// `CN=…, thumbprint 3A9B0C5D…, expires 2027-01-01` (`expired` once past), without the
    /// parentheses [`describe`] adds.
    pub fn short_text(&self, now: DateTime<Utc>) -> String {
        let verb = if self.not_after < now {
            "expired"
        } else {
            "expires"
        };
        let short: String = self.thumbprint_sha1.chars().take(8).collect();
        format!(
            "{}, thumbprint {short}…, {verb} {}",
            self.subject,
            self.not_after.format("%Y-%m-%d")
        )
    }

    /// The summary as JSON attributes (`subject`, `issuer`, `thumbprint_sha1`,
    /// `thumbprint_sha256`, `not_before`, `not_after` in RFC 3339).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "subject": self.subject,
            "issuer": self.issuer,
            "thumbprint_sha1": self.thumbprint_sha1,
            "thumbprint_sha256": self.thumbprint_sha256,
            "not_before": self.not_before.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "not_after": self.not_after.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
    }
}

/// The DER bytes of a certificate written as base64 (whitespace and line breaks allowed, as in
/// SAML metadata) or as one PEM `CERTIFICATE` block.
pub fn decode(text: &str) -> Result<Vec<u8>, CertificateError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(error("the certificate is empty"));
    }
    let der = if trimmed.starts_with("-----BEGIN") {
        let blocks = pem::parse_many(trimmed)
            .map_err(|e| error(format!("the PEM text cannot be read: {e}")))?;
        let mut certificates = blocks.into_iter().filter(|b| b.tag() == "CERTIFICATE");
        let first = certificates
            .next()
            .ok_or_else(|| error("the PEM text holds no CERTIFICATE block"))?;
        if certificates.next().is_some() {
            return Err(error(
                "the PEM text holds more than one CERTIFICATE block; give one certificate",
            ));
        }
        first.into_contents()
    } else {
        let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map_err(|e| error(format!("the certificate is not base64 or PEM: {e}")))?
    };
    summarize(&der)?;
    Ok(der)
}

/// The form Graph stores (`signingCertificate`): base64 of the DER, no line breaks.
pub fn canonical(text: &str) -> Result<String, CertificateError> {
    Ok(base64::engine::general_purpose::STANDARD.encode(decode(text)?))
}

/// Reads subject, issuer, validity and thumbprints from a DER certificate.
pub fn summarize(der: &[u8]) -> Result<CertificateSummary, CertificateError> {
    use x509_parser::prelude::FromDer as _;
    let (rest, certificate) = x509_parser::certificate::X509Certificate::from_der(der)
        .map_err(|e| error(format!("the bytes are not an X.509 certificate: {e}")))?;
    if !rest.is_empty() {
        return Err(error(
            "the certificate is followed by extra bytes; give exactly one DER certificate",
        ));
    }
    let validity = certificate.validity();
    let at = |t: &x509_parser::time::ASN1Time| {
        DateTime::<Utc>::from_timestamp(t.timestamp(), 0)
            .ok_or_else(|| error("the certificate's validity is out of range"))
    };
    let algorithm = certificate.signature_algorithm.algorithm.to_id_string();
    let weak_signature_hash = WEAK_SIGNATURES
        .iter()
        .find(|(oid, _)| *oid == algorithm)
        .map(|(_, hash)| *hash);
    Ok(CertificateSummary {
        weak_signature_hash,
        subject: name_text(certificate.subject()),
        issuer: name_text(certificate.issuer()),
        thumbprint_sha1: hex::encode_upper(Sha1::digest(der)),
        thumbprint_sha256: hex::encode_upper(Sha256::digest(der)),
        not_before: at(&validity.not_before)?,
        not_after: at(&validity.not_after)?,
    })
}

/// A distinguished name most specific part first, as Windows and Entra ID print it.
fn name_text(name: &x509_parser::x509::X509Name<'_>) -> String {
    let registry = x509_parser::objects::oid_registry();
    let mut parts: Vec<String> = Vec::new();
    for rdn in name.iter_rdn() {
        let members: Vec<String> = rdn
            .iter()
            .map(|atv| {
                let key = x509_parser::objects::oid2abbrev(atv.attr_type(), registry)
                    .map(str::to_string)
                    .unwrap_or_else(|_| atv.attr_type().to_id_string());
                let value = atv.as_str().map(str::to_string).unwrap_or_else(|_| {
                    format!("#{}", hex::encode::<&[u8]>(atv.attr_value().data))
                });
                format!("{key}={value}")
            })
            .collect();
        parts.push(members.join("+"));
    }
    parts.reverse();
    if parts.is_empty() {
        "(empty subject)".to_string()
    } else {
        parts.join(", ")
    }
}

/// The x5t#S256 of a DER certificate: base64url (no padding) of its SHA-256.
pub fn x5t_s256(der: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(der))
}

/// The x5t of a DER certificate: base64url (no padding) of its SHA-1.
pub fn x5t(der: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha1::digest(der))
}

/// For showing values: `(certificate CN=…, thumbprint …, expires …)` when `text` is a whole
/// certificate in base64 (as Graph stores it) or PEM, `None` for any other string.
pub fn describe(text: &str) -> Option<String> {
    // DER certificates are hundreds of bytes; short strings are never worth decoding.
    let trimmed = text.trim();
    if trimmed.len() < 200 {
        return None;
    }
    let plausible = trimmed.starts_with("-----BEGIN CERTIFICATE-----")
        || trimmed.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=') || b.is_ascii_whitespace()
        });
    if !plausible {
        return None;
    }
    let der = decode(trimmed).ok()?;
    let summary = summarize(&der).ok()?;
    Some(format!("(certificate {})", summary.short_text(Utc::now())))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A self-signed test certificate (CN=zentra test IdP, O=Contoso Sample, valid
    /// 2026-01-01 to 2036-01-01), generated for zentra's tests only.
    pub(crate) const TEST_CERT_PEM: &str =
        include_str!("../../zentra-test-support/fixtures/certs/idp-2026.pem");

    fn body_of(pem_text: &str) -> String {
        pem_text
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn base64_with_line_breaks_and_pem_decode_to_the_same_der() {
        let from_pem = decode(TEST_CERT_PEM).unwrap();
        let from_b64 = decode(&body_of(TEST_CERT_PEM)).unwrap();
        assert_eq!(from_pem, from_b64);
        let canon = canonical(TEST_CERT_PEM).unwrap();
        assert!(!canon.contains('\n') && !canon.contains(' '));
        assert_eq!(decode(&canon).unwrap(), from_pem);
    }

    #[test]
    fn summaries_name_subject_thumbprint_and_expiry() {
        let der = decode(TEST_CERT_PEM).unwrap();
        let s = summarize(&der).unwrap();
        assert_eq!(s.subject, "CN=zentra test IdP, O=Contoso Sample");
        assert_eq!(s.issuer, s.subject, "self-signed");
        assert_eq!(s.thumbprint_sha1.len(), 40);
        assert_eq!(s.thumbprint_sha256.len(), 64);
        assert_eq!(s.not_after.format("%Y-%m-%d").to_string(), "2036-01-01");
        let now = DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let text = s.short_text(now);
        assert!(
            text.starts_with("CN=zentra test IdP, O=Contoso Sample, thumbprint "),
            "{text}"
        );
        assert!(text.ends_with("…, expires 2036-01-01"), "{text}");
        let later = DateTime::parse_from_rfc3339("2040-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert!(s.short_text(later).ends_with("expired 2036-01-01"));
    }

    #[test]
    fn sha1_signatures_are_told_apart_from_sha256_ones() {
        let sha256 = summarize(&decode(TEST_CERT_PEM).unwrap()).unwrap();
        assert_eq!(sha256.weak_signature_hash, None);
        let sha1 = include_str!("../../zentra-test-support/fixtures/certs/idp-sha1.pem");
        let sha1 = summarize(&decode(sha1).unwrap()).unwrap();
        assert_eq!(sha1.weak_signature_hash, Some("SHA-1"));
    }

    #[test]
    fn thumbprint_headers_are_base64url_digests() {
        let der = decode(TEST_CERT_PEM).unwrap();
        let s = summarize(&der).unwrap();
        let sha256 = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(x5t_s256(&der))
            .unwrap();
        assert_eq!(hex::encode_upper(sha256), s.thumbprint_sha256);
        assert_eq!(x5t(&der).len(), 27);
    }

    #[test]
    fn only_whole_certificates_are_described() {
        let canon = canonical(TEST_CERT_PEM).unwrap();
        let described = describe(&canon).unwrap();
        assert!(
            described.starts_with("(certificate CN=zentra test IdP"),
            "{described}"
        );
        assert!(describe(TEST_CERT_PEM).is_some());
        assert_eq!(describe("short"), None);
        assert_eq!(
            describe(&"QUJD".repeat(100)),
            None,
            "base64 that is no certificate"
        );
        let truncated = &canon[..canon.len() - 40];
        assert_eq!(describe(truncated), None);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for bad in [
            "",
            "not base64 !",
            "QUJD",
            "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----",
        ] {
            assert!(decode(bad).is_err(), "{bad}");
        }
        let two = format!("{TEST_CERT_PEM}\n{TEST_CERT_PEM}");
        assert!(decode(&two).unwrap_err().0.contains("more than one"));
        let mut der = decode(TEST_CERT_PEM).unwrap();
        der.push(0);
        assert!(summarize(&der).unwrap_err().0.contains("extra bytes"));
    }
}
