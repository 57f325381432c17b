//! State in object storage (an Azure blob, an S3 object), so that runs on fresh machines share
//! it: the state object `KEY`, every overwritten version kept under `KEY.history/`, and a lock
//! object `KEY.lock` created only if absent (`If-None-Match: *`), holding who took it, where,
//! when and for what. Writes are conditional on the version read (`If-Match`), on top of the
//! serial and lineage checks, so two runs can never overwrite each other's state.
//!
//! [`StateStore`] is synchronous while the storage client is async: each store owns a small
//! runtime of its own and waits for its requests there, so it can be called from async code
//! of any runtime (and from `Drop`, which releases the lock) without nesting runtimes.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion};

use super::encryption::StateEncryption;
use super::{LockInfo, StateError, StateFile, StateLock, StateStore};
use crate::progress::{Event, Progress};

/// How often a run waiting for the lock looks again.
const LOCK_POLL: Duration = Duration::from_millis(500);

/// Runs the storage client's futures on a runtime of its own.
struct Bridge {
    runtime: Option<tokio::runtime::Runtime>,
}

impl Bridge {
    fn new() -> std::io::Result<Bridge> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("zentra-state")
            .enable_all()
            .build()?;
        Ok(Bridge {
            runtime: Some(runtime),
        })
    }

    fn run<F, T>(&self, future: F) -> Result<T, String>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let runtime = self
            .runtime
            .as_ref()
            .ok_or("the storage client has stopped")?;
        let handle = runtime.spawn(future);
        futures::executor::block_on(handle).map_err(|e| format!("the storage request failed: {e}"))
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        // Never blocks, so a store may be dropped inside async code.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// State kept as an object in a bucket or container.
pub struct ObjectStateStore {
    store: Arc<dyn ObjectStore>,
    bridge: Arc<Bridge>,
    key: String,
    /// `azurerm: account/container/key`.
    display: String,
    /// What to check when storage refuses a request (credentials, names).
    hint: String,
    lock_timeout: Duration,
    progress: Progress,
    encryption: Option<Arc<StateEncryption>>,
}

/// A stored object and the version it was read at.
struct Fetched {
    bytes: Vec<u8>,
    version: UpdateVersion,
}

impl ObjectStateStore {
    /// A store of the state object `key` in `store`.
    pub fn new(
        store: Arc<dyn ObjectStore>,
        key: &str,
        display: String,
        hint: String,
    ) -> Result<Self, StateError> {
        let bridge = Bridge::new().map_err(|e| StateError::Storage {
            path: display.clone(),
            message: format!("cannot start the storage client: {e}"),
            hint: None,
        })?;
        Ok(ObjectStateStore {
            store,
            bridge: Arc::new(bridge),
            key: key.trim_start_matches('/').to_string(),
            display,
            hint,
            lock_timeout: Duration::ZERO,
            progress: Progress::default(),
            encryption: None,
        })
    }

    /// How long `lock` waits for another run to release the lock.
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// Where `lock` says that it waits for another run's lock.
    pub fn with_progress(mut self, progress: Progress) -> Self {
        self.progress = progress;
        self
    }

    /// Seals what is written, and opens what is read, with these keys.
    pub fn with_encryption(mut self, encryption: Option<Arc<StateEncryption>>) -> Self {
        self.encryption = encryption;
        self
    }

    fn state_path(&self) -> ObjectPath {
        ObjectPath::from(self.key.as_str())
    }

    fn lock_path(&self) -> ObjectPath {
        ObjectPath::from(format!("{}.lock", self.key))
    }

    /// Where the version overwritten by the write of `serial + 1` is kept.
    fn history_path(&self, serial: u64, lineage: &str) -> ObjectPath {
        ObjectPath::from(format!("{}.history/{serial:012}-{lineage}", self.key))
    }

    fn storage_error(&self, action: &str, e: impl std::fmt::Display) -> StateError {
        StateError::Storage {
            path: self.display.clone(),
            message: format!("cannot {action}: {e}"),
            hint: Some(self.hint.clone()),
        }
    }

    fn get(&self, path: ObjectPath, action: &str) -> Result<Option<Fetched>, StateError> {
        let store = self.store.clone();
        let got = self
            .bridge
            .run(async move {
                match store.get(&path).await {
                    Ok(result) => {
                        let version = UpdateVersion {
                            e_tag: result.meta.e_tag.clone(),
                            version: None,
                        };
                        result.bytes().await.map(|bytes| {
                            Some(Fetched {
                                bytes: bytes.to_vec(),
                                version,
                            })
                        })
                    }
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .map_err(|e| self.storage_error(action, e))?;
        got.map_err(|e| self.storage_error(action, e))
    }

    fn put(
        &self,
        path: ObjectPath,
        bytes: Vec<u8>,
        mode: PutMode,
    ) -> Result<Result<(), object_store::Error>, StateError> {
        let store = self.store.clone();
        self.bridge
            .run(async move {
                let options = PutOptions {
                    mode,
                    ..PutOptions::default()
                };
                store
                    .put_opts(&path, PutPayload::from(bytes), options)
                    .await
                    .map(|_| ())
            })
            .map_err(|e| self.storage_error("write", e))
    }

    fn delete(&self, path: ObjectPath) -> Result<(), StateError> {
        let store = self.store.clone();
        self.bridge
            .run(async move { store.delete(&path).await })
            .map_err(|e| self.storage_error("remove the lock", e))?
            .map_err(|e| self.storage_error("remove the lock", e))
    }

    /// The lock object, if there is one.
    pub fn lock_info(&self) -> Result<Option<LockInfo>, StateError> {
        let Some(found) = self.get(self.lock_path(), "read the lock")? else {
            return Ok(None);
        };
        serde_json::from_slice(&found.bytes)
            .map(Some)
            .map_err(|e| StateError::Corrupt {
                path: format!("{}.lock", self.display),
                message: format!("the lock object is not a zentra lock: {e}"),
            })
    }

    /// Checks that the container or bucket can be reached with the credentials given.
    pub fn check_access(&self) -> Result<(), StateError> {
        let store = self.store.clone();
        let prefix = ObjectPath::from(self.key.as_str());
        let listed = self
            .bridge
            .run(async move {
                use futures::StreamExt as _;
                let mut list = store.list(Some(&prefix));
                match list.next().await {
                    Some(Err(e)) => Err(e),
                    _ => Ok(()),
                }
            })
            .map_err(|e| self.storage_error("list the container", e))?;
        listed.map_err(|e| self.storage_error("list the container", e))
    }
}

/// The lock object of a run; removed when dropped, if it is still this run's.
struct ObjectLock {
    store: Arc<dyn ObjectStore>,
    bridge: Arc<Bridge>,
    path: ObjectPath,
    id: String,
}

impl StateLock for ObjectLock {}

impl Drop for ObjectLock {
    fn drop(&mut self) {
        let (store, path, id) = (self.store.clone(), self.path.clone(), self.id.clone());
        // Only this run's own lock is removed: after a force-unlock, another run may hold it.
        let _ = self.bridge.run(async move {
            let Ok(found) = store.get(&path).await else {
                return;
            };
            let Ok(bytes) = found.bytes().await else {
                return;
            };
            if serde_json::from_slice::<LockInfo>(&bytes).is_ok_and(|info| info.id == id) {
                let _ = store.delete(&path).await;
            }
        });
    }
}

impl StateStore for ObjectStateStore {
    fn lock(&self, operation: &str) -> Result<Box<dyn StateLock>, StateError> {
        let started = Instant::now();
        let mut told = false;
        loop {
            let info = LockInfo::new(operation);
            let body = serde_json::to_vec_pretty(&info).unwrap_or_default();
            match self.put(self.lock_path(), body, PutMode::Create)? {
                Ok(()) => {
                    return Ok(Box::new(ObjectLock {
                        store: self.store.clone(),
                        bridge: self.bridge.clone(),
                        path: self.lock_path(),
                        id: info.id,
                    }));
                }
                Err(
                    object_store::Error::AlreadyExists { .. }
                    | object_store::Error::Precondition { .. },
                ) => {}
                Err(e) => return Err(self.storage_error("take the lock", e)),
            }
            // Held by another run; it may have let go meanwhile, then try again at once.
            let Some(holder) = self.lock_info()? else {
                continue;
            };
            if started.elapsed() >= self.lock_timeout {
                return Err(StateError::Locked {
                    holder: format!("`{}` is held by {}", self.display, holder.holder_text()),
                });
            }
            if !told {
                told = true;
                self.progress.emit(Event::WaitingForLock {
                    holder: holder.holder_text(),
                    timeout: self.lock_timeout,
                });
            }
            std::thread::sleep(LOCK_POLL.min(self.lock_timeout.saturating_sub(started.elapsed())));
        }
    }

    fn read(&self) -> Result<Option<StateFile>, StateError> {
        match self.get(self.state_path(), "read the state")? {
            Some(found) => super::parse_state(
                found.bytes.clone(),
                &self.display,
                self.encryption.as_deref(),
            )
            .map(Some),
            None => Ok(None),
        }
    }

    fn write(&self, state: &mut StateFile) -> Result<(), StateError> {
        self.write_checked(state, true)
    }

    fn force_write(&self, state: &mut StateFile) -> Result<(), StateError> {
        self.write_checked(state, false)
    }

    fn describe(&self) -> String {
        self.display.clone()
    }

    fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError> {
        let unlock_error = |message: String, hint: Option<String>| StateError::Unlock {
            path: self.display.clone(),
            message,
            hint,
        };
        let Some(info) = self.lock_info()? else {
            return Err(unlock_error("it is not locked".into(), None));
        };
        if info.id != id {
            return Err(unlock_error(
                format!(
                    "the lock id is not `{id}`: the lock is held by {}",
                    info.holder_text()
                ),
                Some("pass the lock id the error of the locked run named".into()),
            ));
        }
        self.delete(self.lock_path())?;
        Ok(info)
    }
}

impl ObjectStateStore {
    fn write_checked(&self, state: &mut StateFile, check_lineage: bool) -> Result<(), StateError> {
        let current = self.get(self.state_path(), "read the state")?;
        let mode = match &current {
            Some(found) => {
                let stored = super::parse_state(
                    found.bytes.clone(),
                    &self.display,
                    self.encryption.as_deref(),
                )?;
                if check_lineage && stored.lineage != state.lineage {
                    return Err(StateError::Lineage {
                        path: self.display.clone(),
                        found: stored.lineage,
                        expected: state.lineage.clone(),
                    });
                }
                if stored.serial > state.serial {
                    return Err(StateError::Serial {
                        path: self.display.clone(),
                        found: stored.serial,
                        expected: state.serial,
                    });
                }
                // The version about to be overwritten is kept, as stored (still sealed).
                self.put(
                    self.history_path(stored.serial, &stored.lineage),
                    found.bytes.clone(),
                    PutMode::Overwrite,
                )?
                .map_err(|e| self.storage_error("keep the previous version", e))?;
                PutMode::Update(found.version.clone())
            }
            None => PutMode::Create,
        };
        let mut next = state.clone();
        next.serial += 1;
        next.zentra_version = env!("CARGO_PKG_VERSION").to_string();
        let bytes = super::state_bytes(&next, &self.display, self.encryption.as_deref())?;
        match self.put(self.state_path(), bytes, mode)? {
            Ok(()) => {
                *state = next;
                Ok(())
            }
            Err(
                object_store::Error::Precondition { .. } | object_store::Error::AlreadyExists { .. },
            ) => Err(StateError::Storage {
                path: self.display.clone(),
                message: "another run wrote the state between this run's read and write; nothing was overwritten".into(),
                hint: Some("run `zentra plan` again to see the current state; nothing was written".into()),
            }),
            Err(e) => Err(self.storage_error("write the state", e)),
        }
    }
}
