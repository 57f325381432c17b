//! State: what zentra last applied, so it can tell drift (live changed) from pending change
//! (configuration changed), delete what it created, and refuse stale plans.
//!
//! A [`StateStore`] reads and writes [`StateFile`]s under an exclusive lock; writes are atomic
//! and happen after each completed resource during apply, so an interrupted apply loses nothing.

mod azurerm;
pub mod backend;
pub mod encryption;
mod format;
mod integrity;
mod local;
mod lock_info;
mod object;
mod s3;

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use format::{parse_state, state_bytes};
pub use integrity::check_integrity;
pub use local::LocalStateStore;
pub use lock_info::LockInfo;
pub use object::ObjectStateStore;

use crate::addr::{ProviderAddr, ResourceAddr};

/// The state file format version this build reads and writes.
pub const STATE_FORMAT_VERSION: u32 = 1;

/// A state's entries by address (see [`StateFile::index`]).
pub struct StateIndex<'a> {
    resources: HashMap<&'a ResourceAddr, &'a ResourceState>,
    pending_creates: HashMap<&'a ResourceAddr, &'a PendingCreate>,
}

impl<'a> StateIndex<'a> {
    /// What [`StateFile::resource`] finds.
    pub fn resource(&self, addr: &ResourceAddr) -> Option<&'a ResourceState> {
        self.resources.get(addr).copied()
    }

    /// What [`StateFile::pending_create`] finds.
    pub fn pending_create(&self, addr: &ResourceAddr) -> Option<&'a PendingCreate> {
        self.pending_creates.get(addr).copied()
    }
}

/// The whole state of one configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StateFile {
    pub version: u32,
    /// Incremented on every write.
    pub serial: u64,
    /// Fixed when the state is created; two states with different lineages are unrelated.
    pub lineage: String,
    pub zentra_version: String,
    pub resources: Vec<ResourceState>,
    /// Creates sent (or about to be sent) whose answer has not been recorded: written before a
    /// create that is not safe to repeat goes out, so that an object created by a request whose
    /// answer was lost (a reset connection, a killed run) is found again by its natural key and
    /// recorded as created by zentra, even if its block was removed meanwhile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_creates: Vec<PendingCreate>,
    /// Objects replaced under `lifecycle { create_before_destroy = true }` that are still to be
    /// deleted: an old object leaves its resource's entry for this list before its replacement
    /// is created, and leaves the list once it is deleted. The next plan deletes any left here
    /// (a failed delete, a killed run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deposed: Vec<DeposedObject>,
}

impl StateFile {
    /// A new, empty state with a fresh lineage.
    pub fn new() -> Self {
        StateFile {
            version: STATE_FORMAT_VERSION,
            serial: 0,
            lineage: uuid::Uuid::new_v4().to_string(),
            zentra_version: env!("CARGO_PKG_VERSION").to_string(),
            resources: Vec::new(),
            pending_creates: Vec::new(),
            deposed: Vec::new(),
        }
    }

    /// The create in flight for `addr`, if one is recorded.
    pub fn pending_create(&self, addr: &ResourceAddr) -> Option<&PendingCreate> {
        self.pending_creates.iter().find(|p| &p.address == addr)
    }

    /// Records that a create for `entry.address` is about to be sent (replacing an earlier
    /// record for the address).
    pub fn add_pending_create(&mut self, entry: PendingCreate) {
        self.remove_pending_create(&entry.address);
        self.pending_creates.push(entry);
        self.pending_creates
            .sort_by(|a, b| a.address.cmp(&b.address));
    }

    /// Drops the record of a create in flight for `addr`: its answer came, or the object it
    /// would have made does not exist.
    pub fn remove_pending_create(&mut self, addr: &ResourceAddr) -> Option<PendingCreate> {
        let i = self
            .pending_creates
            .iter()
            .position(|p| &p.address == addr)?;
        Some(self.pending_creates.remove(i))
    }

    /// Moves the object recorded at `addr` to the deposed objects, to be deleted once its
    /// replacement exists; returns it.
    pub fn depose(&mut self, addr: &ResourceAddr, deposed_at: String) -> Option<DeposedObject> {
        let entry = self.remove(addr)?;
        let deposed = DeposedObject {
            address: entry.address,
            provider: entry.provider,
            id: entry.id,
            attributes: entry.attributes,
            dependencies: entry.dependencies,
            deposed_at,
        };
        self.deposed
            .retain(|d| !(d.address == *addr && d.id == deposed.id));
        self.deposed.push(deposed.clone());
        self.deposed
            .sort_by(|a, b| (&a.address, &a.id).cmp(&(&b.address, &b.id)));
        Some(deposed)
    }

    /// Drops the deposed object `id` of `addr`: it was deleted, or it is current again.
    pub fn remove_deposed(&mut self, addr: &ResourceAddr, id: &str) -> Option<DeposedObject> {
        let i = self
            .deposed
            .iter()
            .position(|d| &d.address == addr && d.id == id)?;
        Some(self.deposed.remove(i))
    }

    pub fn resource(&self, addr: &ResourceAddr) -> Option<&ResourceState> {
        self.resources.iter().find(|r| &r.address == addr)
    }

    /// The entries and pending creates by address, for looking many of them up: each lookup
    /// then costs the same whatever the size of the state. The first entry of an address wins,
    /// as with [`StateFile::resource`].
    pub fn index(&self) -> StateIndex<'_> {
        let mut resources = HashMap::with_capacity(self.resources.len());
        for r in &self.resources {
            resources.entry(&r.address).or_insert(r);
        }
        let mut pending_creates = HashMap::with_capacity(self.pending_creates.len());
        for p in &self.pending_creates {
            pending_creates.entry(&p.address).or_insert(p);
        }
        StateIndex {
            resources,
            pending_creates,
        }
    }

    /// Inserts or replaces the entry for `entry.address`, keeping entries sorted.
    pub fn upsert(&mut self, entry: ResourceState) {
        match self
            .resources
            .iter_mut()
            .find(|r| r.address == entry.address)
        {
            Some(existing) => *existing = entry,
            None => {
                self.resources.push(entry);
                self.resources.sort_by(|a, b| a.address.cmp(&b.address));
            }
        }
    }

    pub fn remove(&mut self, addr: &ResourceAddr) -> Option<ResourceState> {
        let i = self.resources.iter().position(|r| &r.address == addr)?;
        Some(self.resources.remove(i))
    }
}

impl Default for StateFile {
    fn default() -> Self {
        StateFile::new()
    }
}

/// What zentra knows of one resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResourceState {
    pub address: ResourceAddr,
    pub provider: ProviderAddr,
    /// The remote id.
    pub id: String,
    /// The attributes zentra manages, as last applied (sensitive values are `null` and listed
    /// in `sensitive_paths`; they are never written to state).
    pub attributes: serde_json::Value,
    /// Attributes the service set (ids, display names), as last read, for references.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub computed: serde_json::Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive_paths: Vec<String>,
    /// Resources this one referred to when it was last applied; deletes run in reverse order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<ResourceAddr>,
    /// For manual steps: who confirmed it, when, and for which configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<Confirmation>,
    /// Whether zentra created the remote object or adopted one that already existed. Absent in
    /// entries written by earlier versions, which did not record it: such an object is treated
    /// as adopted, since nothing proves zentra created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// The configuration said `lifecycle { prevent_destroy = true }` when it was last applied:
    /// remembered so that removing the block does not silently lift the protection.
    #[serde(default, skip_serializing_if = "is_false")]
    pub prevent_destroy: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl ResourceState {
    /// Whether zentra provably created the remote object (and so may delete it).
    pub fn created_by_zentra(&self) -> bool {
        self.origin == Some(Origin::Created)
    }
}

/// A create zentra sent without recording its answer (yet).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PendingCreate {
    pub address: ResourceAddr,
    pub provider: ProviderAddr,
    /// The configuration the object was to be created from (sensitive values `null`): what its
    /// provider finds it by (a group's name, a service principal's app id).
    pub attributes: serde_json::Value,
    /// Resources it referred to; deletes run in reverse order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<ResourceAddr>,
    /// When the create was sent (RFC 3339).
    pub requested_at: String,
}

impl PendingCreate {
    /// The state entry of the object this create made, found as `id`: created by zentra.
    pub fn created_entry(&self, id: &str) -> ResourceState {
        ResourceState {
            address: self.address.clone(),
            provider: self.provider.clone(),
            id: id.to_string(),
            attributes: self.attributes.clone(),
            computed: serde_json::Value::Null,
            sensitive_paths: Vec::new(),
            dependencies: self.dependencies.clone(),
            confirmation: None,
            origin: Some(Origin::Created),
            prevent_destroy: false,
        }
    }
}

/// An object that zentra created and then replaced under `lifecycle { create_before_destroy =
/// true }`: its replacement is recorded at its address, and it waits to be deleted (as
/// Terraform's deposed objects).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeposedObject {
    /// The resource it belonged to.
    pub address: ResourceAddr,
    pub provider: ProviderAddr,
    /// Its remote id.
    pub id: String,
    /// Its attributes as last applied (sensitive values `null`).
    pub attributes: serde_json::Value,
    /// Resources it referred to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<ResourceAddr>,
    /// When its replacement was about to be created (RFC 3339).
    pub deposed_at: String,
}

/// How a remote object came under zentra's management.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// zentra created it: removing its block deletes it.
    Created,
    /// It existed before (found by its natural key, or a singleton such as account settings):
    /// removing its block only forgets it, unless a `removed` block says to destroy it.
    Adopted,
}

/// A person's confirmation that a manual step was carried out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Confirmation {
    pub by: String,
    pub at: String,
    /// SHA-256 of the step's configuration when it was confirmed.
    pub config_hash: String,
}

/// A failure reading, writing or locking state.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state is locked: {holder}")]
    Locked { holder: String },
    #[error("state `{path}`: {message}")]
    Encryption {
        path: String,
        message: String,
        hint: Option<String>,
    },
    /// The storage service failed or refused a request.
    #[error("state `{path}`: {message}")]
    Storage {
        path: String,
        message: String,
        hint: Option<String>,
    },
    #[error("cannot unlock state `{path}`: {message}")]
    Unlock {
        path: String,
        message: String,
        hint: Option<String>,
    },
    #[error("cannot {action} state file `{path}`: {source}")]
    Io {
        action: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("state file `{path}` is not valid: {message}")]
    Corrupt { path: String, message: String },
    /// The file reads, but contradicts itself (two entries for one address, one object under
    /// two addresses, a serial that cannot grow).
    #[error("state file `{path}` is inconsistent: {message}")]
    Inconsistent { path: String, message: String },
    /// The state about to be written would not read back: nothing was written.
    #[error("refusing to write state `{path}`: {message}")]
    Unwritable { path: String, message: String },
    #[error(
        "state file `{path}` has format version {found}, but this zentra reads version {STATE_FORMAT_VERSION}"
    )]
    Version { path: String, found: u32 },
    #[error(
        "refusing to overwrite state `{path}`: it has lineage {found}, expected {expected} (a different configuration's state?)"
    )]
    Lineage {
        path: String,
        found: String,
        expected: String,
    },
    #[error(
        "refusing to overwrite state `{path}`: it is at serial {found}, newer than this run's {expected} (someone else applied meanwhile)"
    )]
    Serial {
        path: String,
        found: u64,
        expected: u64,
    },
}

impl StateError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            StateError::Locked { holder } if holder.contains("(lock id ") => Some(
                "wait for that run to finish, then try again (--lock-timeout 5m waits for it); if it was killed, its lock stays: remove it with `zentra force-unlock LOCK_ID`"
                    .into(),
            ),
            StateError::Locked { .. } => Some(
                "wait for that run to finish, then try again (the lock is released when the process holding it exits)"
                    .into(),
            ),
            StateError::Io { .. } => None,
            StateError::Encryption { hint, .. }
            | StateError::Storage { hint, .. }
            | StateError::Unlock { hint, .. } => hint.clone(),
            StateError::Corrupt { path, .. } | StateError::Inconsistent { path, .. }
                if path.starts_with("azurerm: ") || path.starts_with("s3: ") =>
            {
                Some(format!(
                    "the versions it replaced are kept under `{path}.history/`: copy the newest intact one over it \
                     (zentra plan then shows anything changed since)"
                ))
            }
            StateError::Corrupt { path, .. } => Some(restore_backup_hint(path)),
            StateError::Inconsistent { path, .. } => Some(format!(
                "{}; or edit `{path}` and delete the entry that is wrong (`zentra state rm` \
                 reads only a state it can trust): zentra plan then finds the object again by \
                 its key",
                restore_backup_hint(path)
            )),
            StateError::Unwritable { .. } => Some(
                "the state file was left as it was; fix the configuration (see above) and run \
                 `zentra plan` to see where things stand"
                    .into(),
            ),
            StateError::Version { found, .. } if *found > STATE_FORMAT_VERSION => Some(
                "it was written by a newer zentra: run that version (or a later one)".into(),
            ),
            StateError::Version { .. } => Some(
                "it was written by an older zentra: run that version".into(),
            ),
            StateError::Lineage { .. } => Some(
                "check that zentra runs in the right directory; nothing was written".into(),
            ),
            StateError::Serial { .. } => {
                Some("run `zentra plan` again to see the current state; nothing was written".into())
            }
        }
    }
}

/// What to do with a state file that cannot be used: restore the backup, when there is one.
fn restore_backup_hint(path: &str) -> String {
    let backup = format!("{path}.backup");
    if std::path::Path::new(&backup).is_file() {
        format!(
            "the previous version is kept in `{backup}`: if it is intact, copy it over `{path}` \
             (zentra plan then shows anything changed since)"
        )
    } else {
        format!(
            "there is no earlier version to go back to (`{backup}` does not exist): move `{path}` \
             aside and run `zentra plan`, which then finds existing objects again and plans to \
             adopt them"
        )
    }
}

/// Exclusive access to a state, released when dropped.
pub trait StateLock: Send {}

/// Where state lives (a local file now; object storage later).
pub trait StateStore: Send + Sync {
    /// Takes the exclusive lock, waiting up to the store's timeout.
    fn lock(&self, operation: &str) -> Result<Box<dyn StateLock>, StateError>;
    /// Reads the state; `None` when there is none yet.
    fn read(&self) -> Result<Option<StateFile>, StateError>;
    /// Writes `state` atomically, incrementing its serial. Refuses when the stored state has
    /// another lineage or a newer serial than `state` was read at.
    fn write(&self, state: &mut StateFile) -> Result<(), StateError>;
    /// Where the state is, for messages.
    fn describe(&self) -> String;
    /// The stored bytes as they are (sealed or not), without checking them.
    fn read_stored(&self) -> Result<Option<Vec<u8>>, StateError> {
        Ok(None)
    }
    /// Writes `state` over a stored state of another lineage too (`zentra state push --force`);
    /// a stored serial newer than `state`'s is still refused.
    fn force_write(&self, state: &mut StateFile) -> Result<(), StateError> {
        self.write(state)
    }
    /// Removes the lock `id` a run left behind (killed, or its machine gone).
    fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError> {
        let _ = id;
        Err(StateError::Unlock {
            path: self.describe(),
            message: "this state store has no lock that outlives its process".into(),
            hint: Some(
                "the lock of a local state file ends with the process that holds it: stop that process"
                    .into(),
            ),
        })
    }
}
