//! Choosing the state store a configuration asks for — the local file, an Azure blob or an S3
//! object — and remembering, in `.zentra/backend.json`, which one `zentra init` set up last, so
//! that a changed backend is noticed (and its state migrated) instead of silently starting
//! from an empty state.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::encryption::StateEncryption;
use super::{LocalStateStore, ObjectStateStore, StateError, StateStore};
use crate::config::{Backend, Config, DEFAULT_STATE_FILE};
use crate::env::Environment;
use crate::progress::Progress;

/// The directory of zentra's working files beside the configuration.
pub const WORK_DIR: &str = ".zentra";
/// The record of the backend `zentra init` set up, inside [`WORK_DIR`].
pub const BACKEND_RECORD: &str = "backend.json";

/// How a store waits for locks, says so, and seals state.
#[derive(Clone, Default)]
pub struct StoreOptions {
    pub lock_timeout: Duration,
    pub progress: Progress,
    pub encryption: Option<Arc<StateEncryption>>,
}

/// The backend a configuration asks for: its `backend` block, else the local file
/// (`state_path`, default `zentra.state.json`).
pub fn configured(config: &Config) -> Backend {
    match &config.settings.backend {
        Some(b) => b.clone(),
        None => Backend::Local {
            path: config.settings.state_path.clone(),
        },
    }
}

/// Requests to storage are retried a few times, for a bounded time.
pub(super) fn retry_config() -> object_store::RetryConfig {
    object_store::RetryConfig {
        max_retries: 3,
        retry_timeout: Duration::from_secs(30),
        ..object_store::RetryConfig::default()
    }
}

/// Whether `endpoint` needs plain HTTP allowed; refused unless it is a loopback address.
pub(super) fn loopback_http(endpoint: &str) -> Result<bool, String> {
    let url = url::Url::parse(endpoint).map_err(|e| format!("`{endpoint}` is not a URL: {e}"))?;
    match url.scheme() {
        "https" => Ok(false),
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d == "localhost",
                None => false,
            };
            if loopback {
                Ok(true)
            } else {
                Err(format!(
                    "`{endpoint}` is plain http: state travels only over https, except to a loopback address"
                ))
            }
        }
        other => Err(format!("`{endpoint}` has the scheme `{other}`; use https")),
    }
}

/// Opens the store of `backend`, for the configuration in `dir`.
pub fn open(
    backend: &Backend,
    dir: &Path,
    env: &Environment,
    options: &StoreOptions,
) -> Result<Box<dyn StateStore>, StateError> {
    let (store, key, hint) = match backend {
        Backend::Local { path } => {
            let path = dir.join(path.as_deref().unwrap_or(DEFAULT_STATE_FILE));
            return Ok(Box::new(
                LocalStateStore::new(path)
                    .with_lock_timeout(options.lock_timeout)
                    .with_progress(options.progress.clone())
                    .with_encryption(options.encryption.clone()),
            ));
        }
        Backend::Azurerm(a) => {
            let (store, hint) = super::azurerm::store(a, env)?;
            (store, a.key.as_str(), hint)
        }
        Backend::S3(s) => {
            let (store, hint) = super::s3::store(s, env)?;
            (store, s.key.as_str(), hint)
        }
    };
    Ok(Box::new(
        ObjectStateStore::new(store, key, backend.describe(), hint)?
            .with_lock_timeout(options.lock_timeout)
            .with_progress(options.progress.clone())
            .with_encryption(options.encryption.clone()),
    ))
}

/// Opens an object store and checks that its container or bucket answers (for `init`).
pub fn check_access(backend: &Backend, env: &Environment) -> Result<(), StateError> {
    let (store, key, hint) = match backend {
        Backend::Local { .. } => return Ok(()),
        Backend::Azurerm(a) => {
            let (store, hint) = super::azurerm::store(a, env)?;
            (store, a.key.as_str(), hint)
        }
        Backend::S3(s) => {
            let (store, hint) = super::s3::store(s, env)?;
            (store, s.key.as_str(), hint)
        }
    };
    ObjectStateStore::new(store, key, backend.describe(), hint)?.check_access()
}

#[derive(Serialize, Deserialize)]
struct Record {
    version: u32,
    backend: Backend,
}

fn record_path(dir: &Path) -> PathBuf {
    dir.join(WORK_DIR).join(BACKEND_RECORD)
}

/// The backend `zentra init` last set up in `dir`, if it ever ran there.
pub fn recorded(dir: &Path) -> Result<Option<Backend>, StateError> {
    let path = record_path(dir);
    let text = match crate::files::read_text(&path, crate::files::FileKind::Configuration) {
        Ok(t) => t,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => {
            return Err(StateError::Io {
                action: "read",
                path: path.display().to_string(),
                source: e.into_io(),
            });
        }
    };
    serde_json::from_str::<Record>(&text)
        .map(|r| Some(r.backend))
        .map_err(|e| StateError::Corrupt {
            path: path.display().to_string(),
            message: format!("{e}; run `zentra init` again"),
        })
}

/// Records `backend` as the one set up in `dir`. The record is replaced atomically: two runs
/// starting at once in one directory never read a half-written one.
pub fn record(dir: &Path, backend: &Backend) -> Result<(), StateError> {
    let path = record_path(dir);
    let io = |action: &'static str, source: std::io::Error| StateError::Io {
        action,
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir.join(WORK_DIR)).map_err(|e| io("create the directory of", e))?;
    let mut text = serde_json::to_string_pretty(&Record {
        version: 1,
        backend: backend.clone(),
    })
    .unwrap_or_default();
    text.push('\n');
    let mut tmp = tempfile::Builder::new()
        .prefix(".backend-record")
        .suffix(".tmp")
        .tempfile_in(dir.join(WORK_DIR))
        .map_err(|e| io("write", e))?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(|e| io("write", e))?;
    tmp.persist(&path).map_err(|e| io("write", e.error))?;
    Ok(())
}

/// The backend state was last kept in: the recorded one, else the local file when it exists.
pub fn previous(dir: &Path, config: &Config) -> Result<Option<Backend>, StateError> {
    if let Some(b) = recorded(dir)? {
        return Ok(Some(b));
    }
    let local = Backend::Local {
        path: config.settings.state_path.clone(),
    };
    Ok(config.state_path().exists().then_some(local))
}

/// Refuses to run against a backend other than the one state was last kept in: its state
/// would look empty, and apply would create everything again.
pub fn check_unchanged(dir: &Path, config: &Config) -> Result<(), StateError> {
    let now = configured(config);
    match previous(dir, config)? {
        Some(before) if !same(&before, &now) => Err(StateError::Storage {
            path: now.describe(),
            message: format!(
                "the backend changed: state was kept in `{}`, the configuration now says `{}`",
                before.describe(),
                now.describe()
            ),
            hint: Some(
                "run `zentra init --migrate-state` to copy the state over, or `zentra init --reconfigure` to start using the new backend as it is"
                    .into(),
            ),
        }),
        _ => Ok(()),
    }
}

/// Whether two backends are the same place (the local default path written or not).
pub fn same(a: &Backend, b: &Backend) -> bool {
    match (a, b) {
        (Backend::Local { path: p }, Backend::Local { path: q }) => {
            p.as_deref().unwrap_or(DEFAULT_STATE_FILE) == q.as_deref().unwrap_or(DEFAULT_STATE_FILE)
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_loopback() {
        assert_eq!(
            loopback_http("https://acct.blob.core.windows.net"),
            Ok(false)
        );
        assert_eq!(
            loopback_http("http://127.0.0.1:10000/devstoreaccount1"),
            Ok(true)
        );
        assert_eq!(loopback_http("http://localhost:9000"), Ok(true));
        assert!(loopback_http("http://10.0.0.5:9000").is_err());
        assert!(loopback_http("ftp://example.com").is_err());
    }

    #[test]
    fn the_backend_set_up_last_is_recorded_and_a_change_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        assert!(check_unchanged(dir.path(), &config).is_ok());
        let s3 = Backend::S3(crate::config::S3Backend {
            bucket: "b".into(),
            key: "k".into(),
            region: None,
            endpoint: None,
            use_path_style: true,
        });
        record(dir.path(), &s3).unwrap();
        assert_eq!(recorded(dir.path()).unwrap(), Some(s3));
        let err = check_unchanged(dir.path(), &config).unwrap_err();
        assert!(
            err.to_string().contains("state was kept in `s3: b/k`"),
            "{err}"
        );
        assert!(err.hint().unwrap().contains("--migrate-state"));
        record(dir.path(), &Backend::Local { path: None }).unwrap();
        assert!(check_unchanged(dir.path(), &config).is_ok());
    }
}
