//! Helpers for the Entra ID end-to-end tests: the well-known ids of the emulator's demo
//! tenant, the sample certificates and keys of `fixtures/`, tokens signed as an external
//! issuer would, and the Graph requests of a [`Project`].

use std::path::PathBuf;

use base64::Engine as _;
use zentra_sim::{EntraCertificate, JwkSeed, RequestRecord};

use crate::Project;

pub const GRAPH_APP: &str = "00000003-0000-0000-c000-000000000000";
pub const ZOOM_APP: &str = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29";
pub const ZOOM_ROOMS_APP: &str = "f56e91e5-5a82-452f-b435-d4d78aeaf064";
pub const GRAPH_SP: &str = "5b1e7c3a-9f2d-4e8b-a6c4-0d3f9e2b7a15";
pub const ZENTRA_SP: &str = "9d2e6f1a-3c8b-4a7e-b5d9-2f0c4e8a1b36";
pub const MEGAN: &str = "4e8a1d3c-6b2f-4a7d-9e5c-8f1b3d6a2e94";
pub const ADELE: &str = "7c3b9e2a-1d5f-4e8c-a4b6-2d9f7e1c3a58";

/// The sample certificates, keys and metadata the tests use.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A file under [`fixtures_dir`].
pub fn fixture(relative: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(relative)).expect("fixture")
}

/// The DER of the (first) certificate in a PEM text.
pub fn cert_der(pem_text: &str) -> Vec<u8> {
    pem::parse_many(pem_text)
        .expect("pem")
        .into_iter()
        .find(|b| b.tag() == "CERTIFICATE")
        .expect("a certificate")
        .into_contents()
}

/// Base64 of a certificate's DER, as Graph stores it.
pub fn cert_base64(pem_text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(cert_der(pem_text))
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The RSA public key of a PEM certificate as (modulus, exponent), base64url.
pub fn rsa_components(pem_text: &str) -> (String, String) {
    let der = cert_der(pem_text);
    let (_, cert) = x509_parser::parse_x509_certificate(&der).expect("certificate");
    match cert.public_key().parsed().expect("key") {
        x509_parser::public_key::PublicKey::RSA(rsa) => {
            let trim = |b: &[u8]| -> Vec<u8> {
                let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
                b[start..].to_vec()
            };
            (b64url(&trim(rsa.modulus)), b64url(&trim(rsa.exponent)))
        }
        _ => panic!("not an RSA key"),
    }
}

/// A certificate registered on the seed's client app, as the emulator takes it.
pub fn registered_certificate(pem_text: &str) -> EntraCertificate {
    use sha2::Digest as _;
    let der = cert_der(pem_text);
    let (n, e) = rsa_components(pem_text);
    EntraCertificate {
        x5t_s256: Some(b64url(&sha2::Sha256::digest(&der))),
        x5t: None,
        rsa_modulus: n,
        rsa_exponent: e,
    }
}

/// An issuer's key in JWK form.
pub fn jwk(pem_text: &str, kid: &str) -> JwkSeed {
    let (n, e) = rsa_components(pem_text);
    JwkSeed {
        kid: kid.to_string(),
        n,
        e,
    }
}

/// Signs claims as an external OIDC issuer would (RS256, `kid` header).
pub fn sign_token(key_pem: &str, kid: &str, claims: &serde_json::Value) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(kid.to_string());
    jsonwebtoken::encode(&header, claims, &private_key(key_pem)).expect("sign")
}

/// The RSA private key in a PEM text that may also hold certificates.
pub fn private_key(pem_text: &str) -> jsonwebtoken::EncodingKey {
    let block = pem::parse_many(pem_text)
        .expect("pem")
        .into_iter()
        .find(|b| b.tag().ends_with("PRIVATE KEY"))
        .expect("a private key");
    jsonwebtoken::EncodingKey::from_rsa_pem(pem::encode(&block).as_bytes()).expect("key")
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Project {
    /// Graph requests (not the token endpoint).
    pub fn graph_requests(&self) -> Vec<RequestRecord> {
        self.sim
            .requests()
            .into_iter()
            .filter(|r| r.service == "graph")
            .collect()
    }

    /// `METHOD /path` of every write to Graph (batched reads left out).
    pub fn graph_writes(&self) -> Vec<String> {
        self.graph_requests()
            .into_iter()
            .filter(|r| r.method != "GET" && !r.path.ends_with("/$batch"))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }
}
