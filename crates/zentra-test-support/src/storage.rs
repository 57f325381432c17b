//! Real storage servers for the remote state tests: Azurite (Azure Blob Storage, from npm) and
//! moto's server mode (S3, from PyPI), each started by a test on a free 127.0.0.1 port with a
//! data directory of its own, and stopped when its guard is dropped (a panicking test too).
//! The tests read what zentra stored through `object_store`, the same client zentra uses, but
//! create the container or bucket with plain requests of their own. The servers are the
//! programs `cargo xtask test-tools` installs ([`crate::test_tools`]).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use object_store::ObjectStore;
use object_store::path::Path as ObjectPath;
use sha2::{Digest, Sha256};

use crate::test_tools::{node_tool, python_tool};

/// Azurite's well-known development account and key.
pub const AZURITE_ACCOUNT: &str = "devstoreaccount1";
pub const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/// Any credentials do for moto.
pub const MOTO_KEY_ID: &str = "AKIAZENTRATEST000000";
pub const MOTO_SECRET: &str = "zentra-test-secret-for-moto";
/// The container or bucket every test uses.
pub const CONTAINER: &str = "zentra-state";
pub const REGION: &str = "eu-west-1";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Azurite,
    Moto,
}

/// A running storage server; killed when dropped.
pub struct StorageServer {
    pub kind: Kind,
    pub port: u16,
    child: Child,
    _data: tempfile::TempDir,
}

impl Drop for StorageServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl StorageServer {
    /// Starts a server of `kind` with `CONTAINER` created in it.
    pub async fn start(kind: Kind) -> StorageServer {
        let data = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut command = match kind {
            Kind::Azurite => {
                let mut c = Command::new(node_tool("azurite-blob"));
                c.args(["--blobHost", "127.0.0.1", "--blobPort"])
                    .arg(port.to_string())
                    .arg("--location")
                    .arg(data.path())
                    .args(["--skipApiVersionCheck", "--loose", "--disableTelemetry"]);
                c
            }
            Kind::Moto => {
                let mut c = Command::new(python_tool("storage", "moto_server"));
                c.args(["-H", "127.0.0.1", "-p"]).arg(port.to_string());
                c.current_dir(data.path());
                c
            }
        };
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the storage server starts");
        let server = StorageServer {
            kind,
            port,
            child,
            _data: data,
        };
        server.wait_until_up().await;
        server.create_container().await;
        server
    }

    async fn wait_until_up(&self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if client
                .get(format!("http://127.0.0.1:{}/", self.port))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{:?} did not answer on port {} within 60s",
                self.kind,
                self.port
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Creates `CONTAINER`: a signed Create Container request for Azurite, a Create Bucket
    /// request for moto (which does not check signatures).
    async fn create_container(&self) {
        let client = reqwest::Client::new();
        let response = match self.kind {
            Kind::Azurite => {
                let date = chrono::Utc::now()
                    .format("%a, %d %b %Y %H:%M:%S GMT")
                    .to_string();
                let version = "2021-08-06";
                let to_sign = format!(
                    "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{version}\n/{AZURITE_ACCOUNT}/{AZURITE_ACCOUNT}/{CONTAINER}\nrestype:container"
                );
                let key = BASE64.decode(AZURITE_KEY).unwrap();
                let signature = BASE64.encode(hmac_sha256(&key, to_sign.as_bytes()));
                client
                    .put(format!(
                        "http://127.0.0.1:{}/{AZURITE_ACCOUNT}/{CONTAINER}?restype=container",
                        self.port
                    ))
                    .header("x-ms-date", date)
                    .header("x-ms-version", version)
                    .header(
                        "Authorization",
                        format!("SharedKey {AZURITE_ACCOUNT}:{signature}"),
                    )
                    .header("Content-Length", "0")
                    .send()
                    .await
            }
            Kind::Moto => {
                client
                    .put(format!("http://127.0.0.1:{}/{CONTAINER}", self.port))
                    .body(format!(
                        "<CreateBucketConfiguration><LocationConstraint>{REGION}</LocationConstraint></CreateBucketConfiguration>"
                    ))
                    .send()
                    .await
            }
        }
        .expect("the storage server answers");
        assert!(
            response.status().is_success(),
            "creating the container: {}",
            response.status()
        );
    }

    /// The blob service URL, for `endpoint` (or the S3 endpoint).
    pub fn endpoint(&self) -> String {
        match self.kind {
            Kind::Azurite => format!("http://127.0.0.1:{}/{AZURITE_ACCOUNT}", self.port),
            Kind::Moto => format!("http://127.0.0.1:{}", self.port),
        }
    }

    /// A `zentra { backend ... }` block storing state under `key`, with `extra` inside
    /// `zentra` (an `encryption` block, say).
    pub fn zentra_block(&self, key: &str, extra: &str) -> String {
        let backend = match self.kind {
            Kind::Azurite => format!(
                "  backend \"azurerm\" {{\n    storage_account_name = \"{AZURITE_ACCOUNT}\"\n    container_name       = \"{CONTAINER}\"\n    key                  = \"{key}\"\n    endpoint             = \"{}\"\n  }}\n",
                self.endpoint()
            ),
            Kind::Moto => format!(
                "  backend \"s3\" {{\n    bucket         = \"{CONTAINER}\"\n    key            = \"{key}\"\n    region         = \"{REGION}\"\n    endpoint       = \"{}\"\n    use_path_style = true\n  }}\n",
                self.endpoint()
            ),
        };
        format!("zentra {{\n{backend}{extra}}}\n")
    }

    /// The credentials zentra reads from the environment for this server.
    pub fn env(&self) -> Vec<(String, String)> {
        let pairs: &[(&str, &str)] = match self.kind {
            Kind::Azurite => &[("ARM_ACCESS_KEY", AZURITE_KEY)],
            Kind::Moto => &[
                ("AWS_ACCESS_KEY_ID", MOTO_KEY_ID),
                ("AWS_SECRET_ACCESS_KEY", MOTO_SECRET),
            ],
        };
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A client of the container, to look at what zentra stored.
    pub fn client(&self) -> Arc<dyn ObjectStore> {
        match self.kind {
            Kind::Azurite => Arc::new(
                object_store::azure::MicrosoftAzureBuilder::new()
                    .with_account(AZURITE_ACCOUNT)
                    .with_access_key(AZURITE_KEY)
                    .with_container_name(CONTAINER)
                    .with_endpoint(self.endpoint())
                    .with_allow_http(true)
                    .build()
                    .unwrap(),
            ),
            Kind::Moto => Arc::new(
                object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(CONTAINER)
                    .with_region(REGION)
                    .with_endpoint(self.endpoint())
                    .with_allow_http(true)
                    .with_access_key_id(MOTO_KEY_ID)
                    .with_secret_access_key(MOTO_SECRET)
                    .build()
                    .unwrap(),
            ),
        }
    }

    /// Every object name in the container.
    pub async fn names(&self) -> Vec<String> {
        use futures::TryStreamExt as _;
        let mut names: Vec<String> = self
            .client()
            .list(None)
            .map_ok(|m| m.location.to_string())
            .try_collect()
            .await
            .unwrap();
        names.sort();
        names
    }

    /// An object's bytes, if it exists.
    pub async fn object(&self, name: &str) -> Option<Vec<u8>> {
        use object_store::ObjectStoreExt as _;
        match self.client().get(&ObjectPath::from(name)).await {
            Ok(got) => Some(got.bytes().await.unwrap().to_vec()),
            Err(object_store::Error::NotFound { .. }) => None,
            Err(e) => panic!("reading {name}: {e}"),
        }
    }

    /// Writes an object as another tool would.
    pub async fn put(&self, name: &str, bytes: Vec<u8>) {
        use object_store::ObjectStoreExt as _;
        self.client()
            .put(&ObjectPath::from(name), bytes.into())
            .await
            .unwrap();
    }
}

/// HMAC-SHA256 (RFC 2104), for Azure's Shared Key signature.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}
