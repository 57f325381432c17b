//! The plan: the one serde type that `zentra plan` produces, a saved plan file contains, and
//! both the JSON and the human renderer read. It records what it was computed from, so that
//! `zentra apply PLANFILE` can refuse a stale plan.

pub mod checks;
pub(crate) mod deposed;
pub mod diff;
pub mod fingerprint;
pub(crate) mod lost_creates;
pub mod moves;
pub mod objects;
pub(crate) mod once_sensitive;
pub mod ownership;
pub mod planner;
pub mod terraform_json;

use std::collections::BTreeMap;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::addr::{ProviderAddr, ResourceAddr};

/// The plan file format version (2: live values fingerprinted one by one).
pub const PLAN_FORMAT_VERSION: u32 = 2;

/// What will happen to one resource. The serialized names are stable for pipelines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Live already matches.
    NoOp,
    /// A new object will be created.
    Create,
    /// An existing object (or singleton) will be changed in place.
    Update,
    /// The object must be deleted and created again.
    Replace,
    /// The object will be deleted.
    Delete,
    /// The resource leaves zentra's management; the remote object is left as it is.
    Forget,
    /// A data source will be read.
    Read,
    /// A step outside any API waits for a person.
    Manual,
}

impl Action {
    /// The marker shown in front of the resource in human output.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => " ",
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
            Action::Forget => ".",
            Action::Read => "<=",
            Action::Manual => "!",
        }
    }

    /// Whether applying this action changes anything remotely or in state.
    pub fn is_change(self) -> bool {
        !matches!(self, Action::NoOp | Action::Read)
    }
}

/// The change of one attribute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttributeChange {
    /// Dotted path inside the resource (`security.signin_with_sso.enable`).
    pub path: String,
    /// The live value (`null` when absent or sensitive).
    pub before: serde_json::Value,
    /// The desired value (`null` when unknown or sensitive).
    pub after: serde_json::Value,
    /// The desired value is known only after apply.
    #[serde(default, skip_serializing_if = "is_false")]
    pub after_unknown: bool,
    /// Before and after are withheld.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    /// The configuration did not change: the live value drifted from what zentra applied.
    #[serde(default, skip_serializing_if = "is_false")]
    pub drift: bool,
    /// Changing this attribute replaces the object.
    #[serde(default, skip_serializing_if = "is_false")]
    pub forces_replacement: bool,
    /// Before and after are sets: the order of their elements carries no meaning.
    #[serde(default, skip_serializing_if = "is_false")]
    pub set: bool,
    /// Strings, and the string elements of a list, compare without regard to case.
    #[serde(default, skip_serializing_if = "is_false")]
    pub case_insensitive: bool,
    /// What the provider calls the values shown (a directory role's name for its template id,
    /// a calendar service's name for its id), by value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

impl AttributeChange {
    /// A change of `path` from `before` to `after`, with every flag off.
    pub fn new(
        path: impl Into<String>,
        before: serde_json::Value,
        after: serde_json::Value,
    ) -> Self {
        AttributeChange {
            path: path.into(),
            before,
            after,
            after_unknown: false,
            sensitive: false,
            drift: false,
            forces_replacement: false,
            set: false,
            case_insensitive: false,
            labels: BTreeMap::new(),
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The planned change of one resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResourceChange {
    pub address: ResourceAddr,
    pub provider: ProviderAddr,
    pub action: Action,
    /// The remote id, when the object exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Why, when the action needs explaining (adoption, forgetting, replacement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The attributes that change (for creates: every configured attribute that is set, and
    /// the computed ones).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeChange>,
    /// The object recorded in state was deleted, or deleted and created again, outside zentra.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_drift: Option<ObjectDrift>,
    /// The object already exists and is not in state: applying records it as adopted (like
    /// Terraform's `importing`), next to `action` `no_op` (nothing is written) or `update`.
    /// Removing an adopted object's block later only forgets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopt: Option<Adoption>,
    /// For `replace`: the existing object is left as it is (zentra adopted it rather than
    /// created it, or its vendor owns it) and only forgotten; the new one is created.
    #[serde(default, skip_serializing_if = "is_false")]
    pub keep_existing: bool,
    /// For a data source (`read`): it is read while applying, once what it depends on has
    /// changed or its arguments are known; `reason` says why. Until then its values are
    /// unknown.
    #[serde(default, skip_serializing_if = "is_false")]
    pub read_during_apply: bool,
    /// For `replace` (`lifecycle { create_before_destroy = true }`): the new object is created
    /// first, and the old one is deleted after it (Terraform's `["create", "delete"]`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub create_before_destroy: bool,
}

impl ResourceChange {
    /// Whether anything about this resource changed outside zentra since the last apply.
    pub fn has_drift(&self) -> bool {
        self.object_drift.is_some() || self.attributes.iter().any(|a| a.drift)
    }

    /// Whether applying this change writes anything remotely or in state.
    pub fn is_change(&self) -> bool {
        self.action.is_change() || self.adopt.is_some()
    }

    /// The marker shown in front of the resource in human output: a replacement that creates
    /// the new object first is `+/-`, as Terraform shows it.
    pub fn symbol(&self) -> &'static str {
        if self.action == Action::Replace && self.create_before_destroy {
            "+/-"
        } else {
            self.action.symbol()
        }
    }
}

/// What happens to an object that a replacement under `create_before_destroy` left to be
/// deleted (a deposed object in state).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeposedChange {
    /// The resource it belonged to.
    pub address: ResourceAddr,
    pub provider: ProviderAddr,
    /// The deposed object's remote id.
    pub id: String,
    /// `delete`; `forget` when it is already gone or its vendor owns it.
    pub action: Action,
    pub reason: String,
}

/// What happened outside zentra to the object that state records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ObjectDrift {
    pub kind: ObjectDriftKind,
    /// The id state records; the change's `id` is the object found now, if any.
    pub previous_id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectDriftKind {
    /// It no longer exists: it will be created again.
    Deleted,
    /// It no longer exists, and another object with the same natural key (a group's name, a
    /// service principal's app id) took its place: zentra manages that one from now on.
    Replaced,
}

/// An existing object that applying takes under management.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Adoption {
    /// Its remote id.
    pub id: String,
    /// zentra created it: an earlier apply sent its create, and the answer was lost (a reset
    /// connection, a killed run). It is recorded as created (removing its block deletes it),
    /// not as adopted.
    #[serde(default, skip_serializing_if = "is_false")]
    pub created_by_zentra: bool,
    /// Named by an `import` block (by its id) rather than found by its natural key.
    #[serde(default, skip_serializing_if = "is_false")]
    pub imported: bool,
}

/// An output value as the plan expects it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OutputValue {
    pub value: serde_json::Value,
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unknown: bool,
}

impl OutputValue {
    /// An output's value as plans and apply reports show it: withheld when the output is
    /// declared sensitive or computed from a sensitive value.
    pub fn of(value: &crate::value::Value, declared_sensitive: bool) -> Self {
        let sensitive = declared_sensitive || value.contains_sensitive();
        OutputValue {
            value: if sensitive {
                serde_json::Value::Null
            } else {
                value.to_redacted_json()
            },
            sensitive,
            unknown: value.contains_unknown(),
        }
    }
}

/// Counts for the closing line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Existing objects taken under management (also counted in `change` when updated).
    #[serde(default)]
    pub adopt: usize,
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    pub forget: usize,
    pub manual: usize,
    /// Resources changed outside zentra since the last apply: attributes that drifted, and
    /// objects deleted or replaced outside zentra.
    #[serde(default)]
    pub drift: usize,
}

impl Summary {
    /// The plan's closing line: `Plan: 1 to add, 0 to change, 0 to destroy.`, with what was
    /// adopted, forgotten or left to a person when there is any.
    pub fn line(&self) -> String {
        let mut line = String::from("Plan: ");
        if self.adopt > 0 {
            line.push_str(&format!("{} to adopt, ", self.adopt));
        }
        line.push_str(&format!(
            "{} to add, {} to change, {} to destroy",
            self.add, self.change, self.destroy
        ));
        if self.forget > 0 {
            line.push_str(&format!(", {} to stop managing", self.forget));
        }
        if self.manual > 0 {
            line.push_str(&format!(", {} manual", self.manual));
        }
        line.push('.');
        line
    }
}

/// The state a plan was computed against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StateRef {
    /// `None` when there was no state yet.
    pub lineage: Option<String>,
    pub serial: u64,
}

/// A live attribute that does not match configuration even though nothing is planned for it,
/// or a resource that did not converge after apply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Warning {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<ResourceAddr>,
    pub message: String,
}

/// The result of `zentra plan`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    pub format_version: u32,
    pub zentra_version: String,
    pub created_at: String,
    pub prior_state: StateRef,
    /// SHA-256 over the evaluated configuration and variables (sensitive values included, so
    /// an edited secret makes the plan stale; the hash reveals nothing).
    pub config_fingerprint: String,
    /// SHA-256 of each live value the plan was computed from, by resource address and then
    /// attribute path (`id` for the object itself): the attributes the configuration writes,
    /// and what data sources read. Sensitive values are left out.
    pub live_fingerprints: fingerprint::LiveFingerprints,
    pub changes: Vec<ResourceChange>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub outputs: IndexMap<String, OutputValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    pub summary: Summary,
    /// A plan of `zentra destroy` (`zentra plan --destroy`): everything in state is deleted
    /// or forgotten.
    #[serde(default, skip_serializing_if = "is_false")]
    pub destroy: bool,
    /// Every resource and data source as a whole object, before and after, with what its
    /// configuration refers to: what Terraform's JSON plan format shows. Not compared when a
    /// saved plan is applied (the live values are fingerprinted instead).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<objects::PlannedObject>,
    /// The results of `check` blocks against the values this plan knows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<checks::CheckResult>,
    /// State entries that `moved` blocks take to a new address (no API call).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moved: Vec<moves::Move>,
    /// Objects replaced under `create_before_destroy` that are still to be deleted (deposed
    /// objects in state): deleted before anything else is written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deposed: Vec<DeposedChange>,
}

impl Plan {
    /// True when applying would change anything.
    pub fn has_changes(&self) -> bool {
        !self.moved.is_empty()
            || !self.deposed.is_empty()
            || self.changes.iter().any(ResourceChange::is_change)
    }

    /// Recounts the summary from the changes and the deposed objects.
    pub fn recount(&mut self) {
        self.summary = Plan::summarize(&self.changes);
        for d in &self.deposed {
            match d.action {
                Action::Delete => self.summary.destroy += 1,
                _ => self.summary.forget += 1,
            }
        }
    }

    /// Recounts the summary from the changes.
    pub fn summarize(changes: &[ResourceChange]) -> Summary {
        let mut s = Summary::default();
        for c in changes {
            if c.has_drift() {
                s.drift += 1;
            }
            if c.adopt.is_some() {
                s.adopt += 1;
            }
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Replace => {
                    s.add += 1;
                    if c.keep_existing {
                        s.forget += 1;
                    } else {
                        s.destroy += 1;
                    }
                }
                Action::Delete => s.destroy += 1,
                Action::Forget => s.forget += 1,
                Action::Manual => s.manual += 1,
                Action::NoOp | Action::Read => {}
            }
        }
        s
    }

    pub fn change(&self, addr: &ResourceAddr) -> Option<&ResourceChange> {
        self.changes.iter().find(|c| &c.address == addr)
    }
}
