//! Drift classification: every managed object of a configuration put in one of six states —
//! in sync, drifted (changed outside zentra), pending (configuration not applied yet), missing
//! (deleted outside zentra), manual step waiting, unknown (could not be read) — with the
//! attribute diff and where the configuration declares it. `zentra drift` builds it from a
//! read-only plan; `zentra plan --report-md` from the plan it shows. Every report (Markdown,
//! JUnit, SARIF, JSON, GitHub annotations) renders from this one type.

pub mod suppress;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::addr::{Mode, ResourceAddr};
use crate::config::DriftIgnore;
use crate::diag::Span;
use crate::plan::planner::Unreadable;
use crate::plan::{Action, AttributeChange, ObjectDrift, ObjectDriftKind, Plan, ResourceChange};
use crate::workspace::Workspace;

/// The format version of the JSON report (`schemas/drift-report.schema.json`).
pub const REPORT_FORMAT_VERSION: u32 = 1;

/// What a report was made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// `zentra drift`: a read-only check of live against configuration and state.
    Drift,
    /// `zentra plan`: the changes a plan proposes.
    Plan,
}

/// The state of one managed object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Live matches the configuration.
    InSync,
    /// Changed outside zentra since the last apply (attributes, or the object replaced).
    Drifted,
    /// The configuration changed and is not applied yet (new, changed or removed blocks).
    Pending,
    /// Deleted outside zentra since the last apply.
    Missing,
    /// A manual step that waits for a person.
    Manual,
    /// Could not be read; `reason` says why.
    Unknown,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::InSync => "in sync",
            Status::Drifted => "drifted",
            Status::Pending => "pending",
            Status::Missing => "missing",
            Status::Manual => "manual step waiting",
            Status::Unknown => "unknown",
        }
    }

    /// Whether the object needs attention (exit 2 or 1).
    pub fn is_finding(self) -> bool {
        self != Status::InSync
    }
}

/// Whether an attribute differs because live changed, or because the configuration did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributeKind {
    Drift,
    Pending,
}

/// A place in the configuration, the path relative to the repository root when the
/// configuration is in a git checkout (else to the configuration directory).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SourceLocation {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// The `drift_ignore` that accepts a drift.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Suppression {
    pub reason: String,
    /// The last day it is accepted (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
}

/// One attribute that differs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttributeReport {
    /// Dotted path (`security.signin_with_sso.enable`).
    pub path: String,
    pub kind: AttributeKind,
    /// The live value (`null` when absent or sensitive).
    pub live: serde_json::Value,
    /// The configured value (`null` when unknown or sensitive).
    pub configured: serde_json::Value,
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    /// The configured value is known only after apply.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unknown: bool,
    /// Where the configuration writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
    /// Accepted drift: not counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

/// One managed object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ObjectReport {
    pub address: ResourceAddr,
    pub status: Status,
    /// What `zentra apply` would do (absent when it could not be read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Why: the plan's reason, or why it could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where the configuration declares it (absent for an object only state still holds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_drift: Option<ObjectDrift>,
    /// The object drift is accepted by a `drift_ignore`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_drift_suppressed: Option<Suppression>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeReport>,
    /// An object its resource replaced under `create_before_destroy` and that is still to be
    /// deleted (its `id`), beside the resource's current object.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deposed: bool,
}

impl ObjectReport {
    /// How reports name it: its address, and for a deposed object its id too.
    pub fn name(&self) -> String {
        match (&self.id, self.deposed) {
            (Some(id), true) => format!("{} (deposed object {id})", self.address),
            _ => self.address.to_string(),
        }
    }

    /// Attributes that count: not suppressed.
    pub fn findings(&self) -> impl Iterator<Item = &AttributeReport> {
        self.attributes.iter().filter(|a| a.suppressed.is_none())
    }
}

/// How many objects are in each state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DriftSummary {
    pub total: usize,
    pub in_sync: usize,
    pub drifted: usize,
    pub pending: usize,
    pub missing: usize,
    pub manual: usize,
    pub unknown: usize,
    /// Drifted attributes and objects accepted by `drift_ignore` blocks.
    pub suppressed: usize,
}

impl DriftSummary {
    pub fn count(&self, status: Status) -> usize {
        match status {
            Status::InSync => self.in_sync,
            Status::Drifted => self.drifted,
            Status::Pending => self.pending,
            Status::Missing => self.missing,
            Status::Manual => self.manual,
            Status::Unknown => self.unknown,
        }
    }
}

/// The classification of every managed object: what every report renders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DriftReport {
    pub format_version: u32,
    pub kind: ReportKind,
    pub zentra_version: String,
    pub generated_at: String,
    pub summary: DriftSummary,
    /// Objects in configuration order, then objects only state holds.
    pub objects: Vec<ObjectReport>,
    /// Expired suppressions and other things a reader should know.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// For a plan: its closing line (`Plan: 1 to add, 2 to change, 0 to destroy.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_summary: Option<String>,
}

impl DriftReport {
    /// The exit code of `zentra drift`: 1 when something could not be read, 2 when anything
    /// drifted, waits or is pending, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.summary.unknown > 0 {
            1
        } else if self.objects.iter().any(|o| o.status.is_finding()) {
            2
        } else {
            0
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Where configuration files are, for locations that CI systems resolve from the repository
/// root.
pub struct Locator<'a> {
    ws: &'a Workspace,
    root: Option<PathBuf>,
    attribute_spans: HashMap<ResourceAddr, HashMap<String, Span>>,
}

impl<'a> Locator<'a> {
    pub fn new(ws: &'a Workspace) -> Locator<'a> {
        let dir = std::fs::canonicalize(&ws.config.dir).unwrap_or_else(|_| ws.config.dir.clone());
        let root = dir
            .ancestors()
            .find(|d| d.join(".git").exists())
            .map(Path::to_path_buf);
        Locator {
            ws,
            root,
            attribute_spans: HashMap::new(),
        }
    }

    /// A span as a location, its file relative to the repository root.
    pub fn locate(&self, span: &Span) -> SourceLocation {
        let at = self.ws.config.sources.locate(span);
        let path = &self.ws.config.sources.file(span.file).path;
        let file = self
            .root
            .as_ref()
            .and_then(|root| {
                let full = std::fs::canonicalize(path).ok()?;
                let relative = full.strip_prefix(root).ok()?;
                Some(
                    relative
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/"),
                )
            })
            .unwrap_or(at.file);
        SourceLocation {
            file,
            line: at.line,
            column: at.column,
        }
    }

    /// Where a resource block is declared.
    pub fn resource(&self, addr: &ResourceAddr) -> Option<SourceLocation> {
        let block = self.ws.config.resources.get(addr)?;
        block.span.as_ref().map(|s| self.locate(s))
    }

    /// Where a resource's configuration writes `path` (or the closest enclosing block).
    pub fn attribute(&mut self, addr: &ResourceAddr, path: &str) -> Option<SourceLocation> {
        if !self.attribute_spans.contains_key(addr) {
            let spans = self
                .ws
                .eval_resource(addr, &HashMap::new())
                .map(|b| b.spans)
                .unwrap_or_default();
            self.attribute_spans.insert(addr.clone(), spans);
        }
        let spans = &self.attribute_spans[addr];
        let mut candidate = path;
        loop {
            if let Some(span) = spans.get(candidate) {
                return Some(self.locate(span));
            }
            match candidate.rsplit_once('.') {
                Some((parent, _)) => candidate = parent,
                None => return self.resource(addr),
            }
        }
    }

    fn suppression(&self, s: &DriftIgnore) -> Suppression {
        Suppression {
            reason: s.reason.clone(),
            expires: s.expires.map(|d| d.format("%Y-%m-%d").to_string()),
            location: s.span.as_ref().map(|span| self.locate(span)),
        }
    }
}

/// Classifies every managed object of `plan` (and those that could not be read), applying the
/// workspace's `drift_ignore` blocks as of `today`.
pub fn classify(
    kind: ReportKind,
    plan: &Plan,
    unreadable: &Unreadable,
    ws: &Workspace,
    today: chrono::NaiveDate,
) -> DriftReport {
    let mut locator = Locator::new(ws);
    let mut warnings = Vec::new();
    let active: Vec<&DriftIgnore> = ws
        .config
        .drift_ignores
        .iter()
        .filter(|s| {
            if s.expired(today) {
                let at = s
                    .span
                    .as_ref()
                    .map(|span| format!(" ({})", locator.locate(span)))
                    .unwrap_or_default();
                warnings.push(format!(
                    "the drift_ignore of {}{at} expired on {}: its drift counts again",
                    s.address,
                    s.expires.map(|d| d.to_string()).unwrap_or_default()
                ));
                false
            } else {
                true
            }
        })
        .collect();
    let mut objects = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Configuration order first.
    for addr in ws.config.resources.keys() {
        if addr.mode == Mode::Data {
            continue;
        }
        if let Some(reason) = unreadable.get(addr) {
            seen.insert(addr.clone());
            objects.push(ObjectReport {
                address: addr.clone(),
                status: Status::Unknown,
                action: None,
                id: None,
                reason: Some(reason.clone()),
                location: locator.resource(addr),
                object_drift: None,
                object_drift_suppressed: None,
                attributes: Vec::new(),
                deposed: false,
            });
            continue;
        }
        if let Some(change) = plan.change(addr)
            && seen.insert(addr.clone())
        {
            objects.push(object_report(change, &active, &mut locator));
        }
    }
    for change in &plan.changes {
        if change.address.mode == Mode::Data
            || change.action == Action::Read
            || seen.contains(&change.address)
        {
            continue;
        }
        seen.insert(change.address.clone());
        objects.push(object_report(change, &active, &mut locator));
    }
    // Objects replaced under `create_before_destroy` that a failed or interrupted apply left:
    // the next apply deletes them.
    for d in &plan.deposed {
        objects.push(ObjectReport {
            address: d.address.clone(),
            status: Status::Pending,
            action: Some(d.action),
            id: Some(d.id.clone()),
            reason: Some(d.reason.clone()),
            location: None,
            object_drift: None,
            object_drift_suppressed: None,
            attributes: Vec::new(),
            deposed: true,
        });
    }
    for (addr, reason) in unreadable {
        if addr.mode == Mode::Managed && seen.insert(addr.clone()) {
            objects.push(ObjectReport {
                address: addr.clone(),
                status: Status::Unknown,
                action: None,
                id: None,
                reason: Some(reason.clone()),
                location: None,
                object_drift: None,
                object_drift_suppressed: None,
                attributes: Vec::new(),
                deposed: false,
            });
        }
    }
    let mut summary = DriftSummary {
        total: objects.len(),
        ..DriftSummary::default()
    };
    for o in &objects {
        match o.status {
            Status::InSync => summary.in_sync += 1,
            Status::Drifted => summary.drifted += 1,
            Status::Pending => summary.pending += 1,
            Status::Missing => summary.missing += 1,
            Status::Manual => summary.manual += 1,
            Status::Unknown => summary.unknown += 1,
        }
        summary.suppressed += o
            .attributes
            .iter()
            .filter(|a| a.suppressed.is_some())
            .count()
            + usize::from(o.object_drift_suppressed.is_some());
    }
    DriftReport {
        format_version: REPORT_FORMAT_VERSION,
        kind,
        zentra_version: env!("CARGO_PKG_VERSION").to_string(),
        generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        summary,
        objects,
        warnings,
        plan_summary: (kind == ReportKind::Plan).then(|| plan.summary.line()),
    }
}

fn object_report(
    change: &ResourceChange,
    suppressions: &[&DriftIgnore],
    locator: &mut Locator<'_>,
) -> ObjectReport {
    let addr = &change.address;
    let covering = |path: Option<&str>| {
        suppressions.iter().copied().find(|s| {
            &s.address == addr
                && match path {
                    Some(p) => s.covers(p),
                    None => s.paths.is_empty(),
                }
        })
    };
    let object_drift_suppressed = change
        .object_drift
        .as_ref()
        .and_then(|_| covering(None))
        .map(|s| locator.suppression(s));
    let deleted_outside = matches!(
        change.object_drift.as_ref().map(|d| d.kind),
        Some(ObjectDriftKind::Deleted)
    );
    let attributes: Vec<AttributeReport> = change
        .attributes
        .iter()
        // A create lists what it sets; for an object deleted outside zentra that is no finding
        // of its own.
        .filter(|_| !deleted_outside)
        .filter(|a| !(a.after_unknown && a.before.is_null() && change.action == Action::Create))
        .map(|a| {
            let suppressed = covering(Some(&a.path)).map(|s| locator.suppression(s));
            attribute_report(addr, a, suppressed, locator)
        })
        .collect();
    let counted_drift = attributes
        .iter()
        .any(|a| a.kind == AttributeKind::Drift && a.suppressed.is_none());
    let object_drift_counts = change.object_drift.is_some() && object_drift_suppressed.is_none();
    let status = if change.action == Action::Manual {
        Status::Manual
    } else if deleted_outside {
        if object_drift_counts {
            Status::Missing
        } else {
            Status::InSync
        }
    } else if counted_drift || object_drift_counts {
        Status::Drifted
    } else if attributes.iter().any(|a| a.kind == AttributeKind::Pending)
        || matches!(
            change.action,
            Action::Create | Action::Replace | Action::Delete | Action::Forget
        )
    {
        Status::Pending
    } else {
        Status::InSync
    };
    ObjectReport {
        address: addr.clone(),
        status,
        action: Some(change.action),
        id: change.id.clone(),
        reason: change.reason.clone(),
        location: locator.resource(addr),
        object_drift: change.object_drift.clone(),
        object_drift_suppressed,
        attributes,
        deposed: false,
    }
}

fn attribute_report(
    addr: &ResourceAddr,
    a: &AttributeChange,
    suppressed: Option<Suppression>,
    locator: &mut Locator<'_>,
) -> AttributeReport {
    let kind = if a.drift {
        AttributeKind::Drift
    } else {
        AttributeKind::Pending
    };
    AttributeReport {
        path: a.path.clone(),
        kind,
        live: a.before.clone(),
        configured: a.after.clone(),
        sensitive: a.sensitive,
        unknown: a.after_unknown,
        location: locator.attribute(addr, &a.path),
        suppressed: suppressed.filter(|_| kind == AttributeKind::Drift),
    }
}
