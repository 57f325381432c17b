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
use std::sync::{Arc, Mutex};
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
    /// The state as this run last read or wrote it: the next write replaces exactly that
    /// version (`If-Match`) without reading it again.
    last: Mutex<Option<Known>>,
}

/// A stored state this run knows, with the bytes stored and their version.
#[derive(Clone)]
struct Known {
    fetched: Fetched,
    serial: u64,
    lineage: String,
}

/// A stored object and the version it was read at.
#[derive(Clone)]
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
            last: Mutex::new(None),
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
            message: format!("cannot {action}: {}", concise(&e.to_string())),
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

    /// `put`, returning the version written.
    fn put_versioned(
        &self,
        path: ObjectPath,
        bytes: Vec<u8>,
        mode: PutMode,
    ) -> Result<Result<UpdateVersion, object_store::Error>, StateError> {
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
                    .map(|written| UpdateVersion {
                        e_tag: written.e_tag,
                        version: None,
                    })
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

/// A storage client's error in one line: the service's status, error code and request id
/// when it answered (its XML body and the request URL, which may carry a SAS token, left out),
/// else the client's own message.
fn concise(error: &str) -> String {
    let between = |start: &str, end: &str| {
        let from = error.find(start)? + start.len();
        let to = error[from..].find(end)? + from;
        Some(error[from..to].trim().to_string())
    };
    let Some(status) = between("status code: ", ":").or_else(|| between("status code: ", "\n"))
    else {
        let first = error.lines().next().unwrap_or_default();
        // Any URL in the message may carry a SAS token: keep only what precedes its query.
        return first
            .split_whitespace()
            .map(|w| match w.split_once('?') {
                Some((url, _)) if w.contains("://") => url,
                _ => w,
            })
            .collect::<Vec<_>>()
            .join(" ");
    };
    let code = between("<Code>", "</Code>");
    let request_id = between("<RequestId>", "</RequestId>").or_else(|| between("RequestId:", "\n"));
    let details: Vec<String> = [code, request_id.map(|id| format!("request id {id}"))]
        .into_iter()
        .flatten()
        .collect();
    if details.is_empty() {
        format!("the service answered {status}")
    } else {
        format!("the service answered {status} ({})", details.join(", "))
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
        let Some(found) = self.get(self.state_path(), "read the state")? else {
            self.remember(None);
            return Ok(None);
        };
        let state = super::parse_state(
            found.bytes.clone(),
            &self.display,
            self.encryption.as_deref(),
        )?;
        self.remember(Some(Known {
            fetched: found,
            serial: state.serial,
            lineage: state.lineage.clone(),
        }));
        Ok(Some(state))
    }

    fn write(&self, state: &mut StateFile) -> Result<(), StateError> {
        self.write_checked(state, true)
    }

    fn force_write(&self, state: &mut StateFile) -> Result<(), StateError> {
        self.write_checked(state, false)
    }

    fn read_stored(&self) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self
            .get(self.state_path(), "read the state")?
            .map(|found| found.bytes))
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
    fn remember(&self, known: Option<Known>) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = known;
    }

    /// The stored state: as this run last saw it, else read now.
    fn current(&self) -> Result<Option<Known>, StateError> {
        if let Some(known) = self.last.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Ok(Some(known));
        }
        self.fetch_current()
    }

    fn fetch_current(&self) -> Result<Option<Known>, StateError> {
        let Some(found) = self.get(self.state_path(), "read the state")? else {
            return Ok(None);
        };
        let stored = super::parse_state(
            found.bytes.clone(),
            &self.display,
            self.encryption.as_deref(),
        )?;
        Ok(Some(Known {
            fetched: found,
            serial: stored.serial,
            lineage: stored.lineage,
        }))
    }

    /// Why `state` may not replace `stored`, if it may not.
    fn refusal(
        &self,
        stored: &Known,
        state: &StateFile,
        check_lineage: bool,
    ) -> Option<StateError> {
        if check_lineage && stored.lineage != state.lineage {
            return Some(StateError::Lineage {
                path: self.display.clone(),
                found: stored.lineage.clone(),
                expected: state.lineage.clone(),
            });
        }
        (stored.serial > state.serial).then(|| StateError::Serial {
            path: self.display.clone(),
            found: stored.serial,
            expected: state.serial,
        })
    }

    fn write_checked(&self, state: &mut StateFile, check_lineage: bool) -> Result<(), StateError> {
        let current = self.current()?;
        let mode = match &current {
            Some(stored) => {
                if let Some(refused) = self.refusal(stored, state, check_lineage) {
                    return Err(refused);
                }
                // The version about to be overwritten is kept, as stored (still sealed).
                self.put(
                    self.history_path(stored.serial, &stored.lineage),
                    stored.fetched.bytes.clone(),
                    PutMode::Overwrite,
                )?
                .map_err(|e| self.storage_error("keep the previous version", e))?;
                PutMode::Update(stored.fetched.version.clone())
            }
            None => PutMode::Create,
        };
        let mut next = state.clone();
        next.serial += 1;
        next.zentra_version = env!("CARGO_PKG_VERSION").to_string();
        let bytes = super::state_bytes(&next, &self.display, self.encryption.as_deref())?;
        match self.put_versioned(self.state_path(), bytes.clone(), mode)? {
            Ok(version) => {
                // Without an ETag, the next write reads the state again for one.
                self.remember(version.e_tag.is_some().then(|| Known {
                    fetched: Fetched { bytes, version },
                    serial: next.serial,
                    lineage: next.lineage.clone(),
                }));
                *state = next;
                Ok(())
            }
            Err(
                object_store::Error::Precondition { .. }
                | object_store::Error::AlreadyExists { .. },
            ) => {
                // Someone else wrote since: say what is there now.
                self.remember(None);
                let now = self.fetch_current()?;
                Err(now
                    .as_ref()
                    .and_then(|stored| self.refusal(stored, state, check_lineage))
                    .unwrap_or_else(|| StateError::Storage {
                        path: self.display.clone(),
                        message: "another run wrote the state between this run's read and write; nothing was overwritten".into(),
                        hint: Some("run `zentra plan` again to see the current state; nothing was written".into()),
                    }))
            }
            Err(e) => Err(self.storage_error("write the state", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use object_store::memory::InMemory;

    use super::*;
    use crate::env::Environment;
    use crate::state::encryption::vars;

    fn store(shared: &Arc<InMemory>) -> ObjectStateStore {
        ObjectStateStore::new(
            shared.clone(),
            "team/zentra.state.json",
            "s3: team/zentra.state.json".into(),
            "check the memory".into(),
        )
        .unwrap()
    }

    fn names(shared: &Arc<InMemory>) -> Vec<String> {
        let shared = shared.clone();
        let bridge = Bridge::new().unwrap();
        let mut names = bridge
            .run(async move {
                use futures::TryStreamExt as _;
                shared
                    .list(None)
                    .map_ok(|m| m.location.to_string())
                    .try_collect::<Vec<String>>()
                    .await
                    .unwrap()
            })
            .unwrap();
        names.sort();
        names
    }

    #[test]
    fn a_second_lock_is_refused_naming_its_holder_until_released_or_forced() {
        let shared = Arc::new(InMemory::new());
        let (a, b) = (store(&shared), store(&shared));
        let held = a.lock("zentra apply").unwrap();
        let Err(StateError::Locked { holder }) = b.lock("zentra plan") else {
            panic!("second lock granted")
        };
        assert!(holder.contains("is held by zentra apply by "), "{holder}");
        let id = a.lock_info().unwrap().unwrap().id;
        assert!(holder.contains(&format!("(lock id {id})")), "{holder}");
        drop(held);
        assert_eq!(a.lock_info().unwrap(), None, "released when dropped");

        // A lock whose run is gone: removed by its id only.
        let left_behind = b.lock("zentra apply").unwrap();
        std::mem::forget(left_behind);
        let id = b.lock_info().unwrap().unwrap().id;
        let wrong = a.force_unlock("another-id").unwrap_err();
        assert!(
            wrong
                .to_string()
                .contains("the lock id is not `another-id`"),
            "{wrong}"
        );
        assert_eq!(a.force_unlock(&id).unwrap().operation, "zentra apply");
        assert!(
            a.force_unlock(&id)
                .unwrap_err()
                .to_string()
                .contains("not locked")
        );
        // A force-unlocked run's guard does not remove the next run's lock.
        let next = a.lock("zentra apply").unwrap();
        let stale = ObjectLock {
            store: shared.clone(),
            bridge: a.bridge.clone(),
            path: a.lock_path(),
            id,
        };
        drop(stale);
        assert!(a.lock_info().unwrap().is_some());
        drop(next);
    }

    #[test]
    fn storage_errors_are_one_line_with_status_code_and_request_id() {
        let azure = "Generic MicrosoftAzure error: Error performing list request: Error performing GET http://127.0.0.1:1/devstoreaccount1/c?restype=container&comp=list&sig=SECRET in 7ms - Server returned non-2xx status code: 403 Forbidden: <?xml version=\"1.0\"?>\n<Error>\n  <Code>AuthorizationFailure</Code>\n  <Message>Server failed.\nRequestId:4f2b9a3f-32ce\nTime:2026</Message>\n</Error>";
        assert_eq!(
            concise(azure),
            "the service answered 403 Forbidden (AuthorizationFailure, request id 4f2b9a3f-32ce)"
        );
        let s3 = "Generic S3 error: Error performing PUT http://127.0.0.1:1/b/k in 3ms - Server returned non-2xx status code: 404 Not Found: <Error><Code>NoSuchBucket</Code><RequestId>abc</RequestId></Error>";
        assert_eq!(
            concise(s3),
            "the service answered 404 Not Found (NoSuchBucket, request id abc)"
        );
        let unreachable = "Generic S3 error: Error after 3 retries in 1s, max_retries:3, retry_timeout:30s, source:error sending request for url (http://127.0.0.1:1/b/k?x-id=PutObject&X-Amz-Signature=SECRET)";
        assert!(
            !concise(unreachable).contains("SECRET"),
            "{}",
            concise(unreachable)
        );
    }

    #[test]
    fn a_lock_wait_ends_when_the_holder_lets_go() {
        let shared = Arc::new(InMemory::new());
        let recorded = Arc::new(crate::progress::RecordedEvents::default());
        let waiting = store(&shared)
            .with_lock_timeout(Duration::from_secs(10))
            .with_progress(Progress::new(recorded.clone()));
        let held = store(&shared).lock("zentra apply").unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(700));
            drop(held);
        });
        assert!(waiting.lock("zentra plan").is_ok());
        release.join().unwrap();
        let events = recorded.events();
        assert_eq!(events.len(), 1, "{events:?}");
    }

    #[test]
    fn every_write_keeps_the_version_it_replaces_and_checks_what_is_stored() {
        let shared = Arc::new(InMemory::new());
        let a = store(&shared);
        assert_eq!(a.read().unwrap(), None);
        let mut state = StateFile::new();
        a.write(&mut state).unwrap();
        a.write(&mut state).unwrap();
        a.write(&mut state).unwrap();
        assert_eq!(state.serial, 3);
        let lineage = state.lineage.clone();
        assert_eq!(
            names(&shared),
            vec![
                "team/zentra.state.json".to_string(),
                format!("team/zentra.state.json.history/000000000001-{lineage}"),
                format!("team/zentra.state.json.history/000000000002-{lineage}"),
            ]
        );
        // Another run that read before the last write cannot overwrite it.
        let b = store(&shared);
        let mut stale = b.read().unwrap().unwrap();
        a.write(&mut state).unwrap();
        assert!(matches!(
            b.write(&mut stale),
            Err(StateError::Serial {
                found: 4,
                expected: 3,
                ..
            })
        ));
        let mut foreign = StateFile::new();
        foreign.serial = 10;
        assert!(matches!(
            store(&shared).write(&mut foreign),
            Err(StateError::Lineage { .. })
        ));
        store(&shared).force_write(&mut foreign).unwrap();
        assert_eq!(
            store(&shared).read().unwrap().unwrap().lineage,
            foreign.lineage
        );
        // The run that wrote before learns of the change from the stored version, not by luck.
        let err = a.write(&mut state).unwrap_err();
        assert!(matches!(err, StateError::Lineage { .. }), "{err}");
    }

    #[test]
    fn a_damaged_state_points_to_its_history() {
        let shared = Arc::new(InMemory::new());
        let a = store(&shared);
        a.put(a.state_path(), b"{not json".to_vec(), PutMode::Overwrite)
            .unwrap()
            .unwrap();
        let err = a.read().unwrap_err();
        assert!(matches!(err, StateError::Corrupt { .. }), "{err}");
        assert!(
            err.hint()
                .unwrap()
                .contains("kept under `s3: team/zentra.state.json.history/`"),
            "{:?}",
            err.hint()
        );
    }

    #[test]
    fn encrypted_state_is_stored_sealed() {
        let shared = Arc::new(InMemory::new());
        let env =
            Environment::from_pairs([(vars::KEY, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")]);
        let settings = crate::config::EncryptionSettings::default();
        let keys = StateEncryption::from_settings(Some(&settings), std::path::Path::new("."), &env)
            .unwrap()
            .map(Arc::new);
        let sealed = store(&shared).with_encryption(keys);
        let mut state = StateFile::new();
        sealed.write(&mut state).unwrap();
        assert_eq!(sealed.read().unwrap().unwrap(), state);
        let err = store(&shared).read().unwrap_err();
        assert!(err.to_string().contains("no `encryption` block"), "{err}");
    }
}
