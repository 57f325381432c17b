//! State in a local JSON file: `zentra.state.json`, written atomically (temp file, fsync,
//! rename) with the previous version kept as `.backup`, under an exclusive lock file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::encryption::StateEncryption;
use super::{StateError, StateFile, StateLock, StateStore, parse_state};
use crate::files::FileKind;
use crate::progress::{Event, Progress};

/// Between a state file's name and the random part of its temporary files' names.
const TEMP_INFIX: &str = ".tmp-";
/// How earlier versions named temporary state files.
const LEGACY_TEMP_PREFIX: &str = ".zentra-state-";
/// How old such a file must be to be surely left over.
const LEGACY_TEMP_AGE: Duration = Duration::from_secs(3600);

/// State kept in a file on the local disk.
pub struct LocalStateStore {
    path: PathBuf,
    lock_timeout: Duration,
    /// Told when `lock` starts waiting for another run.
    progress: Progress,
    encryption: Option<Arc<StateEncryption>>,
}

impl LocalStateStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        LocalStateStore {
            path: path.into(),
            lock_timeout: Duration::from_secs(0),
            progress: Progress::default(),
            encryption: None,
        }
    }

    /// Seals what is written, and opens what is read, with these keys.
    pub fn with_encryption(mut self, encryption: Option<Arc<StateEncryption>>) -> Self {
        self.encryption = encryption;
        self
    }

    /// Where `lock` says that it waits for another run's lock.
    pub fn with_progress(mut self, progress: Progress) -> Self {
        self.progress = progress;
        self
    }

    /// How long `lock` waits for another process to release the lock.
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    fn lock_path(&self) -> PathBuf {
        sibling(&self.path, ".lock")
    }

    /// The directory the state file is in.
    fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// The name prefix of this state's temporary files (`.zentra.state.json.tmp-…`): one per
    /// state file, so that cleaning up after a killed run touches no other state's files.
    fn temp_prefix(&self) -> String {
        format!(
            ".{}{TEMP_INFIX}",
            self.path.file_name().unwrap_or_default().to_string_lossy()
        )
    }

    fn temp_file(&self, dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
        tempfile::Builder::new()
            .prefix(&self.temp_prefix())
            .tempfile_in(dir)
    }

    /// Replaces `.backup` with `previous` atomically (a temporary file renamed over it), so a
    /// run killed meanwhile leaves the old backup or the new one, never half of one.
    fn write_backup(&self, dir: &Path, previous: &[u8]) -> std::io::Result<()> {
        let mut tmp = self.temp_file(dir)?;
        tmp.write_all(previous)?;
        tmp.as_file().sync_all()?;
        tmp.persist(sibling(&self.path, ".backup"))
            .map_err(|e| e.error)?;
        Ok(())
    }

    /// Removes the temporary files a run killed in the middle of a write left behind. Called
    /// with the lock held: no other run is writing this state.
    fn remove_stale_temporaries(&self) {
        let Ok(entries) = std::fs::read_dir(self.dir()) else {
            return;
        };
        let prefix = self.temp_prefix();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let ours = name.starts_with(&prefix);
            // Earlier versions named them `.zentra-state-…` for every state: only old ones
            // can be told to be left over.
            let legacy = name.starts_with(LEGACY_TEMP_PREFIX)
                && entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > LEGACY_TEMP_AGE));
            if (ours || legacy) && entry.file_type().is_ok_and(|t| t.is_file()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    fn io(&self, action: &'static str, path: &Path, source: std::io::Error) -> StateError {
        StateError::Io {
            action,
            path: path.display().to_string(),
            source,
        }
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

struct LocalLock {
    file: File,
    path: PathBuf,
}

impl StateLock for LocalLock {}

impl Drop for LocalLock {
    fn drop(&mut self) {
        // Clear the holder description, then release; the file itself stays so that the lock
        // is always taken on the same inode.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
        let _ = &self.path;
    }
}

/// How often a lock's holder description is read while it is still empty (20 ms apart).
const HOLDER_READ_ATTEMPTS: usize = 10;

impl StateStore for LocalStateStore {
    fn lock(&self, operation: &str) -> Result<Box<dyn StateLock>, StateError> {
        let path = self.lock_path();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| self.io("create the directory of", &path, e))?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| self.io("open the lock of", &path, e))?;
        // A pipe or a device in its place would block or never end when its holder is read.
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            return Err(self.io(
                "lock",
                &path,
                std::io::Error::other("the lock file is not a regular file"),
            ));
        }
        let started = Instant::now();
        let mut told = false;
        // The holder writes who it is right after taking the lock: give it a moment to, so
        // that a run started at the same time as another names it.
        let holder = || {
            for _ in 0..HOLDER_READ_ATTEMPTS {
                let text = crate::files::read_text(&path, FileKind::Credential).unwrap_or_default();
                if !text.trim().is_empty() {
                    return text.trim().to_string();
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            "another zentra process".to_string()
        };
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    if started.elapsed() >= self.lock_timeout {
                        return Err(StateError::Locked {
                            holder: format!("`{}` is held by {}", path.display(), holder()),
                        });
                    }
                    if !told {
                        told = true;
                        self.progress.emit(Event::WaitingForLock {
                            holder: holder(),
                            timeout: self.lock_timeout,
                        });
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(self.io("lock", &path, e)),
            }
        }
        let who = format!(
            "{} (pid {}, since {})",
            operation,
            std::process::id(),
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        let _ = file.set_len(0);
        let _ = file.write_all(who.as_bytes());
        let _ = file.sync_all();
        self.remove_stale_temporaries();
        Ok(Box::new(LocalLock { file, path }))
    }

    fn read(&self) -> Result<Option<StateFile>, StateError> {
        let bytes = match crate::files::read_bytes(&self.path, FileKind::State) {
            Ok(t) => t,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(self.io("read", &self.path, e.into_io())),
        };
        let display = self.path.display().to_string();
        parse_state(bytes, &display, self.encryption.as_deref()).map(Some)
    }

    fn write(&self, state: &mut StateFile) -> Result<(), StateError> {
        self.write_checked(state, true)
    }

    fn force_write(&self, state: &mut StateFile) -> Result<(), StateError> {
        self.write_checked(state, false)
    }

    fn read_stored(&self) -> Result<Option<Vec<u8>>, StateError> {
        match crate::files::read_bytes(&self.path, FileKind::State) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(self.io("read", &self.path, e.into_io())),
        }
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}

impl LocalStateStore {
    fn write_checked(&self, state: &mut StateFile, check_lineage: bool) -> Result<(), StateError> {
        if let Some(current) = self.read()? {
            if check_lineage && current.lineage != state.lineage {
                return Err(StateError::Lineage {
                    path: self.path.display().to_string(),
                    found: current.lineage,
                    expected: state.lineage.clone(),
                });
            }
            if current.serial > state.serial {
                return Err(StateError::Serial {
                    path: self.path.display().to_string(),
                    found: current.serial,
                    expected: state.serial,
                });
            }
        }
        let display = self.path.display().to_string();
        let mut next = state.clone();
        next.serial = state.serial.checked_add(1).ok_or(StateError::Unwritable {
            path: display.clone(),
            message: "its serial cannot grow any further".into(),
        })?;
        next.zentra_version = env!("CARGO_PKG_VERSION").to_string();
        let json = super::state_bytes(&next, &display, self.encryption.as_deref())?;
        // What is written must read back: otherwise every later run would fail on it.
        parse_state(json.clone(), &display, self.encryption.as_deref()).map_err(|e| {
            StateError::Unwritable {
                path: display.clone(),
                message: format!("it would not read back ({e})"),
            }
        })?;
        let dir = self.dir();
        std::fs::create_dir_all(&dir)
            .map_err(|e| self.io("create the directory of", &self.path, e))?;
        let mut tmp = self
            .temp_file(&dir)
            .map_err(|e| self.io("create a temporary file for", &self.path, e))?;
        tmp.write_all(&json)
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| self.io("write", &self.path, e))?;
        match crate::files::read_bytes(&self.path, FileKind::State) {
            Ok(previous) => self
                .write_backup(&dir, &previous)
                .map_err(|e| self.io("back up", &self.path, e))?,
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(self.io("back up", &self.path, e.into_io())),
        }
        tmp.persist(&self.path)
            .map_err(|e| self.io("replace", &self.path, e.error))?;
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        *state = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::{ProviderAddr, ResourceAddr};
    use crate::state::ResourceState;

    fn entry(name: &str) -> ResourceState {
        ResourceState {
            address: ResourceAddr::managed("zoom_group", name),
            provider: ProviderAddr::default_for("zoom"),
            id: format!("id-{name}"),
            attributes: serde_json::json!({"name": name}),
            computed: serde_json::Value::Null,
            sensitive_paths: vec![],
            dependencies: vec![],
            confirmation: None,
            origin: None,
            prevent_destroy: false,
        }
    }

    #[test]
    fn writes_are_atomic_versioned_and_backed_up() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStateStore::new(dir.path().join("zentra.state.json"));
        assert!(store.read().unwrap().is_none());
        let mut state = StateFile::new();
        state.upsert(entry("b"));
        state.upsert(entry("a"));
        store.write(&mut state).unwrap();
        assert_eq!(state.serial, 1);
        store.write(&mut state).unwrap();
        let read = store.read().unwrap().unwrap();
        assert_eq!(read.serial, 2);
        assert_eq!(read.resources[0].address.name, "a");
        assert!(dir.path().join("zentra.state.json.backup").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(TEMP_INFIX))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn a_state_its_reader_would_refuse_is_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let store = LocalStateStore::new(&path);
        let mut state = StateFile::new();
        state.upsert(entry("a"));
        store.write(&mut state).unwrap();
        let before = std::fs::read(&path).unwrap();
        let mut broken = state.clone();
        broken.upsert(entry("sales.emea"));
        let err = store.write(&mut broken).unwrap_err();
        assert!(matches!(err, StateError::Unwritable { .. }), "{err}");
        assert!(err.to_string().contains("sales.emea"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "nothing was written");
        assert_eq!(broken.serial, state.serial, "the serial did not move");
    }

    #[test]
    fn refuses_to_clobber_a_newer_or_foreign_state() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStateStore::new(dir.path().join("s.json"));
        let mut a = StateFile::new();
        store.write(&mut a).unwrap();
        let mut stale = a.clone();
        store.write(&mut a).unwrap();
        assert!(matches!(
            store.write(&mut stale),
            Err(StateError::Serial { .. })
        ));
        let mut foreign = StateFile::new();
        foreign.serial = 99;
        assert!(matches!(
            store.write(&mut foreign),
            Err(StateError::Lineage { .. })
        ));
    }

    #[test]
    fn a_second_lock_is_refused_with_the_holder_named() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStateStore::new(dir.path().join("s.json"));
        let held = store.lock("apply").unwrap();
        let err = match store.lock("plan") {
            Err(e) => e.to_string(),
            Ok(_) => panic!("second lock granted"),
        };
        assert!(err.contains("apply (pid"), "{err}");
        drop(held);
        assert!(store.lock("plan").is_ok());
    }

    #[test]
    fn corrupt_and_future_states_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(&path, "{not json").unwrap();
        let store = LocalStateStore::new(&path);
        assert!(matches!(store.read(), Err(StateError::Corrupt { .. })));
        std::fs::write(&path, r#"{"version": 9}"#).unwrap();
        assert!(matches!(
            store.read(),
            Err(StateError::Version { found: 9, .. })
        ));
    }

    #[test]
    fn unreadable_states_come_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let store = LocalStateStore::new(&path);
        std::fs::write(&path, "").unwrap();
        let empty = store.read().unwrap_err();
        assert!(empty.hint().unwrap().contains("s.json.backup"), "{empty}");
        // JSON that is no zentra state at all is not a state of format version 0.
        std::fs::write(&path, "{}").unwrap();
        let foreign = store.read().unwrap_err();
        assert!(matches!(foreign, StateError::Corrupt { .. }), "{foreign}");
        assert!(
            foreign.to_string().contains("not a zentra state"),
            "{foreign}"
        );
        std::fs::write(&path, r#"{"version": 9}"#).unwrap();
        let future = store.read().unwrap_err();
        assert!(future.hint().unwrap().contains("newer zentra"), "{future}");
        let _held = store.lock("zentra apply").unwrap();
        let locked = match store.lock("zentra plan") {
            Err(e) => e,
            Ok(_) => panic!("second lock granted"),
        };
        assert!(locked.hint().unwrap().contains("wait"), "{locked}");
    }

    #[test]
    fn a_lock_wait_is_told_once_and_ends_when_the_holder_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let recorded = std::sync::Arc::new(crate::progress::RecordedEvents::default());
        let store = LocalStateStore::new(dir.path().join("s.json"))
            .with_lock_timeout(Duration::from_secs(5))
            .with_progress(Progress::new(recorded.clone()));
        let held = LocalStateStore::new(dir.path().join("s.json"))
            .lock("zentra apply")
            .unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(400));
            drop(held);
        });
        let started = Instant::now();
        let lock = store.lock("zentra plan");
        release.join().unwrap();
        assert!(lock.is_ok(), "the lock is granted once released");
        assert!(started.elapsed() >= Duration::from_millis(300));
        let events = recorded.events();
        assert_eq!(events.len(), 1, "{events:?}");
        match &events[0] {
            Event::WaitingForLock { holder, timeout } => {
                assert!(holder.starts_with("zentra apply (pid "), "{holder}");
                assert_eq!(*timeout, Duration::from_secs(5));
            }
            other => panic!("{other:?}"),
        }
        // Without a timeout nothing is waited for, and nothing is told.
        drop(lock);
        let _held = store.lock("zentra apply").unwrap();
        let quick = LocalStateStore::new(dir.path().join("s.json"))
            .with_progress(Progress::new(recorded.clone()));
        assert!(quick.lock("zentra plan").is_err());
        assert_eq!(recorded.events().len(), 1);
    }
}
