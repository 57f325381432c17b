//! Helpers for the Entra ID end-to-end tests: a project directory run with the real `zentra`
//! binary against the emulator (whose traffic is checked against the vendors' specs when the
//! project is dropped), and the sample certificates and keys of `tests/fixtures`.
//!
//! Test files that use it also declare the `conformance` and `traffic` modules of
//! `tests/support`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use base64::Engine as _;
use zentra_sim::{EntraCertificate, JwkSeed, RequestRecord, Seed, SimConfig, SimServer};

pub const GRAPH_APP: &str = "00000003-0000-0000-c000-000000000000";
pub const ZOOM_APP: &str = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29";
pub const ZOOM_ROOMS_APP: &str = "f56e91e5-5a82-452f-b435-d4d78aeaf064";
pub const GRAPH_SP: &str = "5b1e7c3a-9f2d-4e8b-a6c4-0d3f9e2b7a15";
pub const ZENTRA_SP: &str = "9d2e6f1a-3c8b-4a7e-b5d9-2f0c4e8a1b36";
pub const MEGAN: &str = "4e8a1d3c-6b2f-4a7d-9e5c-8f1b3d6a2e94";
pub const ADELE: &str = "7c3b9e2a-1d5f-4e8c-a4b6-2d9f7e1c3a58";

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The sample certificates, keys and metadata the tests use.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A file under [`fixtures_dir`].
pub fn fixture(relative: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(relative)).expect("fixture")
}

/// A file of an example under `examples/`.
pub fn example_file(relative: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(relative)).expect("example file")
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

/// A configuration directory, the emulator, and the environment `zentra` runs with.
pub struct Project {
    pub dir: tempfile::TempDir,
    pub sim: SimServer,
    pub env: Vec<(String, String)>,
}

impl Project {
    pub async fn new(config: &str) -> Project {
        Project::with(config, SimConfig::default()).await
    }

    pub async fn seeded(config: &str, seed: Seed) -> Project {
        Project::with(
            config,
            SimConfig {
                seed,
                ..SimConfig::default()
            },
        )
        .await
    }

    pub async fn with(config: &str, cfg: SimConfig) -> Project {
        let sim = SimServer::start(cfg).await.expect("emulator starts");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("main.zen.hcl"), config).expect("config");
        let env = sim.env_vars();
        Project { dir, sim, env }
    }

    /// A project made of an example directory's files.
    pub async fn example(name: &str) -> Project {
        Project::example_with(name, SimConfig::default()).await
    }

    /// An example against an emulator started with `cfg`.
    pub async fn example_with(name: &str, cfg: SimConfig) -> Project {
        let p = Project::with("", cfg).await;
        std::fs::remove_file(p.path().join("main.zen.hcl")).expect("remove");
        copy_dir(&root().join("examples").join(name), p.path());
        p
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, contents: &str) {
        std::fs::write(self.path().join(name), contents).expect("write");
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_zentra"));
        cmd.args(args).current_dir(self.path()).env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().expect("zentra runs")
    }

    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.to_string(), value.to_string()));
    }

    pub fn unset_env(&mut self, name: &str) {
        self.env.retain(|(k, _)| k != name);
    }

    pub fn var(&self, name: &str) -> String {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

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

    /// Applies and asserts success; returns stdout.
    pub fn apply_ok(&self) -> String {
        let out = self.run(&["apply", "--auto-approve"]);
        assert_eq!(
            code(&out),
            0,
            "apply failed:\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    /// Plans with `--detailed-exitcode`; returns (exit code, stdout, stderr), stdout with runs
    /// of spaces inside lines squeezed to one (plans align their `=`).
    pub fn plan(&self) -> (i32, String, String) {
        let out = self.run(&["plan", "--detailed-exitcode"]);
        (code(&out), squeeze(&stdout(&out)), stderr(&out))
    }

    /// Asserts that a plan finds nothing to do.
    pub fn assert_converged(&self) {
        let (code, out, err) = self.plan();
        assert_eq!(code, 0, "expected no changes:\n{out}\n{err}");
        assert!(out.contains("No changes."), "{out}");
    }
}

impl Drop for Project {
    /// Every request of these tests, and every emulator response, must match the vendors'
    /// specs (Microsoft Graph's metadata, the OAuth token exchanges).
    fn drop(&mut self) {
        if !std::thread::panicking() {
            crate::traffic::assert_conformant(&self.sim.requests());
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("example dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Runs of spaces after a line's indentation squeezed to one.
pub fn squeeze(text: &str) -> String {
    text.lines()
        .map(|line| {
            let body = line.trim_start_matches(' ');
            let indent = &line[..line.len() - body.len()];
            let mut out = indent.to_string();
            let mut last_space = false;
            for c in body.chars() {
                if c == ' ' && last_space {
                    continue;
                }
                last_space = c == ' ';
                out.push(c);
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Lets background work settle (the emulator's replication lag, say).
pub async fn pause(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}
