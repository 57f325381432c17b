//! Terraform's machine-readable plan format (the JSON of `terraform show -json PLANFILE`),
//! rendered from zentra's [`Plan`], so that policy tools and plan readers written for
//! Terraform (checkov, OPA/Rego policies, summarisers) read zentra's plans as they are.
//!
//! It is an output format, not a storage format: saved plans stay zentra's own `Plan`. What
//! Terraform's format has no place for goes under `zentra` keys: per change, zentra's action,
//! reason and attribute changes (drift, sets, labels); at the top, the plan's fingerprints,
//! summary and manual steps. Nested blocks are lists of objects, as Terraform writes them.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value as Json, json};

use crate::addr::{Mode, ResourceAddr};
use crate::plan::objects::PlannedObject;
use crate::plan::{
    Action, AttributeChange, ObjectDrift, ObjectDriftKind, OutputValue, Plan, ResourceChange,
    StateRef, Summary, Warning, fingerprint::LiveFingerprints,
};

/// The version of Terraform's JSON plan format this rendering follows.
pub const FORMAT_VERSION: &str = "1.2";

/// A plan in Terraform's JSON plan format.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TerraformPlan {
    pub format_version: String,
    /// The version of the program that made the plan (zentra's), where Terraform writes its own.
    pub terraform_version: String,
    pub planned_values: PlannedValues,
    /// Changes made outside zentra since the last apply, found by refreshing.
    pub resource_drift: Vec<TerraformResourceChange>,
    pub resource_changes: Vec<TerraformResourceChange>,
    pub output_changes: IndexMap<String, Change>,
    pub prior_state: PriorState,
    pub configuration: Configuration,
    /// The drifted attributes that matter to the plan, as `{resource, attribute}` paths.
    pub relevant_attributes: Vec<RelevantAttribute>,
    /// The results of `check` blocks, as Terraform writes them: `address`, `status` (`pass`,
    /// `fail`, `unknown`), `instances` with their `problems`.
    pub checks: Vec<Json>,
    pub timestamp: String,
    pub errored: bool,
    /// What Terraform's format has no place for.
    pub zentra: PlanExtras,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PlannedValues {
    pub outputs: IndexMap<String, OutputRepresentation>,
    pub root_module: Module,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OutputRepresentation {
    pub sensitive: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Json>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Module {
    pub resources: Vec<ResourceRepresentation>,
}

/// One resource's values.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ResourceRepresentation {
    pub address: String,
    /// The module instance it lies in (`module.tenant["contoso"]`), outside the root module.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_address: Option<String>,
    /// `managed` or `data`.
    pub mode: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    /// The instance key of a block with `for_each` (a string) or `count` (a number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<Json>,
    /// `zentra/zoom`, `zentra/azuread`.
    pub provider_name: String,
    pub schema_version: u32,
    /// The attributes (nested blocks as lists of objects); unknown and sensitive values left
    /// out or `null`.
    pub values: Json,
    /// `true` at every sensitive value.
    pub sensitive_values: Json,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TerraformResourceChange {
    pub address: String,
    /// The module instance it lies in (`module.tenant["contoso"]`), outside the root module.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_address: Option<String>,
    pub mode: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    /// The instance key of a block with `for_each` (a string) or `count` (a number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<Json>,
    pub provider_name: String,
    /// The address state recorded it under before a `moved` block took it to this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_address: Option<String>,
    pub change: Change,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_reason: Option<String>,
    /// For a deposed object (one replaced under `create_before_destroy`, still to be
    /// deleted): its id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
    /// zentra's view of the same change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zentra: Option<ChangeExtras>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Change {
    /// `["no-op"]`, `["create"]`, `["read"]`, `["update"]`, `["delete", "create"]`,
    /// `["create", "delete"]` (`create_before_destroy`), `["delete"]` or `["forget"]`.
    pub actions: Vec<String>,
    pub before: Json,
    pub after: Json,
    /// `true` at every value known only after apply.
    pub after_unknown: Json,
    /// `true` at every sensitive value.
    pub before_sensitive: Json,
    pub after_sensitive: Json,
    /// Attributes that force the replacement, as paths.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replace_paths: Vec<Vec<Json>>,
    /// An existing object this run takes under management.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importing: Option<Importing>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Importing {
    pub id: String,
}

/// zentra's own account of one change.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChangeExtras {
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_drift: Option<ObjectDrift>,
    /// The existing object this run takes under management (also `change.importing`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adopt: Option<crate::plan::Adoption>,
    /// For a replacement: the existing object is forgotten, not deleted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub keep_existing: bool,
    /// For a replacement: the new object is created before the old one is deleted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub create_before_destroy: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PriorState {
    pub format_version: String,
    pub terraform_version: String,
    pub values: PlannedValues,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Configuration {
    pub provider_config: IndexMap<String, ProviderConfig>,
    pub root_module: ConfigModule,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProviderConfig {
    pub name: String,
    pub full_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ConfigModule {
    pub resources: Vec<ConfigResource>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ConfigResource {
    pub address: String,
    pub mode: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    /// `zoom`, or `zoom.emea` for an aliased provider.
    pub provider_config_key: String,
    /// Per attribute `{"constant_value": …}` or `{"references": […]}`; nested blocks as lists.
    pub expressions: Json,
    pub schema_version: u32,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RelevantAttribute {
    pub resource: String,
    pub attribute: Vec<Json>,
}

/// What a zentra plan adds to Terraform's format.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PlanExtras {
    /// The saved plan format version (`zentra version --json`).
    pub plan_format_version: u32,
    pub zentra_version: String,
    pub prior_state: StateRef,
    pub config_fingerprint: String,
    pub live_fingerprints: LiveFingerprints,
    pub summary: Summary,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// Steps outside any API: waiting for a person, or done.
    pub manual_steps: Vec<ManualStep>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ManualStep {
    pub address: String,
    /// Whether it still waits for a person (`zentra confirm ADDRESS`).
    pub waiting: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeChange>,
}

/// Renders `plan` in Terraform's JSON plan format.
pub fn terraform_plan(plan: &Plan) -> TerraformPlan {
    let object = |addr: &ResourceAddr| plan.objects.iter().find(|o| &o.address == addr);
    let mut planned = Vec::new();
    let mut prior = Vec::new();
    let mut resource_changes = Vec::new();
    let mut resource_drift = Vec::new();
    let mut relevant_attributes = Vec::new();
    let mut manual_steps = Vec::new();
    for change in &plan.changes {
        if change.action == Action::Manual || is_manual_step(change) {
            manual_steps.push(ManualStep {
                address: change.address.to_string(),
                waiting: change.action == Action::Manual,
                reason: change.reason.clone(),
                attributes: change.attributes.clone(),
            });
            continue;
        }
        let obj = object(&change.address);
        let (before, before_sensitive) = match obj {
            Some(o) => (
                blocks_as_lists(&o.before),
                mask(&o.before, &o.before_sensitive_paths),
            ),
            None => (Json::Null, json!(false)),
        };
        let (after, after_sensitive, after_unknown) = match obj {
            Some(o) => (
                blocks_as_lists(&without_unknown(&o.after, &o.after_unknown_paths)),
                mask(&o.after, &o.after_sensitive_paths),
                mask(&o.after, &o.after_unknown_paths),
            ),
            None => (Json::Null, json!(false), json!(false)),
        };
        if !before.is_null() {
            prior.push(representation(
                &change.address,
                &change.provider.type_name,
                before.clone(),
                before_sensitive.clone(),
            ));
        }
        if !after.is_null() {
            planned.push(representation(
                &change.address,
                &change.provider.type_name,
                after.clone(),
                after_sensitive.clone(),
            ));
        }
        if change.has_drift() {
            resource_drift.push(drift_change(change, obj));
            for a in change.attributes.iter().filter(|a| a.drift) {
                relevant_attributes.push(RelevantAttribute {
                    resource: change.address.to_string(),
                    attribute: json_path(&a.path),
                });
            }
        }
        resource_changes.push(TerraformResourceChange {
            address: change.address.to_string(),
            mode: mode(&change.address).into(),
            type_name: change.address.type_name.clone(),
            name: change.address.name.clone(),
            module_address: change.address.module_path(),
            index: index_json(&change.address),
            provider_name: provider_name(&change.provider.type_name),
            previous_address: plan
                .moved
                .iter()
                .find(|m| m.to == change.address)
                .map(|m| m.from.to_string()),
            change: Change {
                actions: change_actions(change),
                before,
                after,
                after_unknown,
                before_sensitive,
                after_sensitive,
                replace_paths: change
                    .attributes
                    .iter()
                    .filter(|a| a.forces_replacement && change.action == Action::Replace)
                    .map(|a| json_path(&a.path))
                    .collect(),
                importing: importing(change),
            },
            action_reason: action_reason(change),
            zentra: Some(ChangeExtras {
                action: change.action,
                id: change.id.clone(),
                reason: change.reason.clone(),
                attributes: change.attributes.clone(),
                object_drift: change.object_drift.clone(),
                adopt: change.adopt.clone(),
                keep_existing: change.keep_existing,
                create_before_destroy: change.create_before_destroy,
            }),
            deposed: None,
        });
    }
    // Objects replaced under `create_before_destroy` and still to be deleted, as Terraform
    // lists deposed objects: by their resource's address and their id.
    for d in &plan.deposed {
        let before = json!({ "id": d.id });
        resource_changes.push(TerraformResourceChange {
            address: d.address.to_string(),
            mode: mode(&d.address).into(),
            type_name: d.address.type_name.clone(),
            name: d.address.name.clone(),
            module_address: d.address.module_path(),
            index: index_json(&d.address),
            provider_name: provider_name(&d.provider.type_name),
            previous_address: None,
            change: Change {
                actions: actions(d.action),
                before,
                after: Json::Null,
                after_unknown: json!(false),
                before_sensitive: json!({}),
                after_sensitive: json!(false),
                replace_paths: Vec::new(),
                importing: None,
            },
            action_reason: None,
            zentra: Some(ChangeExtras {
                action: d.action,
                id: Some(d.id.clone()),
                reason: Some(d.reason.clone()),
                attributes: Vec::new(),
                object_drift: None,
                adopt: None,
                keep_existing: false,
                create_before_destroy: false,
            }),
            deposed: Some(d.id.clone()),
        });
    }
    let outputs: IndexMap<String, OutputRepresentation> = plan
        .outputs
        .iter()
        .map(|(name, o)| (name.clone(), output_representation(o)))
        .collect();
    let output_changes = plan
        .outputs
        .iter()
        .map(|(name, o)| (name.clone(), output_change(o)))
        .collect();
    let version = plan.zentra_version.clone();
    TerraformPlan {
        format_version: FORMAT_VERSION.into(),
        terraform_version: version.clone(),
        planned_values: PlannedValues {
            outputs,
            root_module: Module { resources: planned },
        },
        resource_drift,
        resource_changes,
        output_changes,
        prior_state: PriorState {
            format_version: "1.0".into(),
            terraform_version: version.clone(),
            values: PlannedValues {
                outputs: IndexMap::new(),
                root_module: Module { resources: prior },
            },
        },
        configuration: configuration(plan),
        relevant_attributes,
        checks: plan
            .checks
            .iter()
            .map(|c| {
                let mut address = json!({
                    "kind": "check",
                    "name": c.name,
                    "to_display": c.address(),
                });
                if !c.module.is_empty() {
                    // Terraform names the module block here, its instance below.
                    address["module"] = json!(module_block(&c.module));
                }
                let mut instance = json!({ "to_display": c.address() });
                if !c.module.is_empty() {
                    instance["module"] = json!(c.module);
                }
                let problems: Vec<Json> =
                    c.problems.iter().map(|m| json!({ "message": m })).collect();
                json!({
                    "address": address,
                    "status": c.status,
                    "instances": [{
                        "address": instance,
                        "status": c.status,
                        "problems": problems,
                    }],
                })
            })
            .collect(),
        timestamp: plan.created_at.clone(),
        errored: false,
        zentra: PlanExtras {
            plan_format_version: plan.format_version,
            zentra_version: version,
            prior_state: plan.prior_state.clone(),
            config_fingerprint: plan.config_fingerprint.clone(),
            live_fingerprints: plan.live_fingerprints.clone(),
            summary: plan.summary.clone(),
            warnings: plan.warnings.clone(),
            manual_steps,
        },
    }
}

/// The rendering as pretty-printed JSON, with a closing newline.
pub fn terraform_plan_json(plan: &Plan) -> String {
    let mut s = serde_json::to_string_pretty(&terraform_plan(plan))
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

fn is_manual_step(change: &ResourceChange) -> bool {
    change.address.type_name == "manual_step"
}

/// Terraform's actions for a change: a replacement that keeps the existing object (zentra did
/// not create it) creates the new one and forgets the old, as Terraform writes a replacement
/// under `removed { lifecycle { destroy = false } }`.
pub fn change_actions(change: &ResourceChange) -> Vec<String> {
    if change.action == Action::Replace && change.keep_existing {
        return vec!["create".into(), "forget".into()];
    }
    // `lifecycle { create_before_destroy = true }`: the new object first, as Terraform writes it.
    if change.action == Action::Replace && change.create_before_destroy {
        return vec!["create".into(), "delete".into()];
    }
    actions(change.action)
}

/// Terraform's actions for a zentra action.
pub fn actions(action: Action) -> Vec<String> {
    let words: &[&str] = match action {
        Action::NoOp | Action::Manual => &["no-op"],
        Action::Create => &["create"],
        Action::Update => &["update"],
        Action::Replace => &["delete", "create"],
        Action::Delete => &["delete"],
        Action::Forget => &["forget"],
        Action::Read => &["read"],
    };
    words.iter().map(|w| w.to_string()).collect()
}

fn action_reason(change: &ResourceChange) -> Option<String> {
    match change.action {
        Action::Replace => Some("replace_because_cannot_update".into()),
        Action::Delete => Some("delete_because_no_resource_config".into()),
        Action::Read if change.read_during_apply => Some(
            if change
                .reason
                .as_deref()
                .is_some_and(|r| r.starts_with("its arguments"))
            {
                "read_because_config_unknown"
            } else {
                "read_because_dependency_pending"
            }
            .into(),
        ),
        _ => None,
    }
}

/// Terraform's `importing` for a change: the existing object an adoption takes under
/// management ([`ResourceChange::adopt`]).
pub fn importing(change: &ResourceChange) -> Option<Importing> {
    change
        .adopt
        .as_ref()
        .map(|a| Importing { id: a.id.clone() })
}

/// What changed outside zentra, as Terraform's `resource_drift` shows it: the object as zentra
/// last applied it (`before`) against the object found (`after`).
fn drift_change(change: &ResourceChange, obj: Option<&PlannedObject>) -> TerraformResourceChange {
    let live = obj.map_or(Json::Null, |o| o.before.clone());
    let sensitive_paths: &[String] = obj.map_or(&[], |o| &o.before_sensitive_paths);
    let (actions, before, after) = match change.object_drift.as_ref().map(|d| d.kind) {
        Some(ObjectDriftKind::Deleted) => {
            // What it was: what the configuration sets, which is what was last applied.
            let mut was = serde_json::Map::new();
            for a in change.attributes.iter().filter(|a| !a.after_unknown) {
                set_path(&mut was, &a.path, a.after.clone());
            }
            if let Some(d) = &change.object_drift {
                was.insert("id".into(), Json::String(d.previous_id.clone()));
            }
            (vec!["delete".to_string()], Json::Object(was), Json::Null)
        }
        Some(ObjectDriftKind::Replaced) => {
            let mut was = live.clone();
            if let (Some(map), Some(d)) = (was.as_object_mut(), &change.object_drift) {
                map.insert("id".into(), Json::String(d.previous_id.clone()));
            }
            (
                vec!["delete".to_string(), "create".to_string()],
                was,
                live.clone(),
            )
        }
        None => {
            let mut was = live.clone();
            if let Some(map) = was.as_object_mut() {
                for a in change.attributes.iter().filter(|a| a.drift && !a.sensitive) {
                    set_path(map, &a.path, a.after.clone());
                }
            }
            (vec!["update".to_string()], was, live.clone())
        }
    };
    let before_sensitive = mask(&before, sensitive_paths);
    let after_sensitive = mask(&after, sensitive_paths);
    TerraformResourceChange {
        address: change.address.to_string(),
        mode: mode(&change.address).into(),
        type_name: change.address.type_name.clone(),
        name: change.address.name.clone(),
        module_address: change.address.module_path(),
        index: index_json(&change.address),
        provider_name: provider_name(&change.provider.type_name),
        previous_address: None,
        change: Change {
            actions,
            before: blocks_as_lists(&before),
            after: blocks_as_lists(&after),
            after_unknown: json!({}),
            before_sensitive,
            after_sensitive,
            replace_paths: Vec::new(),
            importing: None,
        },
        action_reason: None,
        deposed: None,
        zentra: None,
    }
}

fn configuration(plan: &Plan) -> Configuration {
    let mut provider_config = IndexMap::new();
    let mut resources = Vec::new();
    for change in &plan.changes {
        let key = change.provider.to_string();
        provider_config
            .entry(key.clone())
            .or_insert_with(|| ProviderConfig {
                name: change.provider.type_name.clone(),
                full_name: provider_name(&change.provider.type_name),
                alias: change.provider.alias.clone(),
            });
        let Some(obj) = plan.objects.iter().find(|o| o.address == change.address) else {
            continue;
        };
        if obj.expressions.is_null() {
            continue;
        }
        // The configuration lists blocks: one entry for all the instances of a block.
        let block = change.address.block();
        if resources
            .iter()
            .any(|r: &ConfigResource| r.address == block.to_string())
        {
            continue;
        }
        resources.push(ConfigResource {
            address: block.to_string(),
            mode: mode(&change.address).into(),
            type_name: change.address.type_name.clone(),
            name: change.address.name.clone(),
            provider_config_key: key,
            expressions: obj.expressions.clone(),
            schema_version: 0,
        });
    }
    Configuration {
        provider_config,
        root_module: ConfigModule { resources },
    }
}

/// An instance key as Terraform's `index`: a string for `for_each`, a number for `count`.
fn index_json(addr: &ResourceAddr) -> Option<Json> {
    addr.key().map(|k| match k {
        crate::addr::InstanceKey::Index(i) => json!(i),
        crate::addr::InstanceKey::Name(s) => json!(s),
    })
}

fn representation(
    addr: &ResourceAddr,
    provider: &str,
    values: Json,
    sensitive_values: Json,
) -> ResourceRepresentation {
    ResourceRepresentation {
        address: addr.to_string(),
        mode: mode(addr).into(),
        type_name: addr.type_name.clone(),
        name: addr.name.clone(),
        module_address: addr.module_path(),
        index: index_json(addr),
        provider_name: provider_name(provider),
        schema_version: 0,
        values,
        sensitive_values: if sensitive_values.is_boolean() {
            json!({})
        } else {
            sensitive_values
        },
    }
}

fn output_representation(o: &OutputValue) -> OutputRepresentation {
    OutputRepresentation {
        sensitive: o.sensitive,
        value: (!o.sensitive && !o.unknown).then(|| o.value.clone()),
    }
}

/// zentra keeps no outputs in state: every output is shown as set by this plan.
fn output_change(o: &OutputValue) -> Change {
    Change {
        actions: vec!["create".into()],
        before: Json::Null,
        after: if o.sensitive || o.unknown {
            Json::Null
        } else {
            o.value.clone()
        },
        after_unknown: json!(o.unknown),
        before_sensitive: json!(false),
        after_sensitive: json!(o.sensitive),
        replace_paths: Vec::new(),
        importing: None,
    }
}

fn mode(addr: &ResourceAddr) -> &'static str {
    match addr.mode {
        Mode::Managed => "managed",
        Mode::Data => "data",
    }
}

/// The provider's source address: zentra's providers are built in.
pub fn provider_name(provider_type: &str) -> String {
    format!("zentra/{provider_type}")
}

/// Nested objects (blocks) as lists of one object, as Terraform writes nested blocks; objects
/// inside lists stay objects (their own nested objects become lists).
pub fn blocks_as_lists(value: &Json) -> Json {
    fn inner(value: &Json) -> Json {
        match value {
            Json::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Json::Object(_) => Json::Array(vec![inner(v)]),
                            other => inner(other),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Json::Array(items) => Json::Array(items.iter().map(inner).collect()),
            other => other.clone(),
        }
    }
    inner(value)
}

/// `value` with the members at `paths` removed (unknown values are left out of `after`).
fn without_unknown(value: &Json, paths: &[String]) -> Json {
    let mut out = value.clone();
    for path in paths {
        let parts: Vec<&str> = path.split('.').collect();
        let mut cur = &mut out;
        for (i, part) in parts.iter().enumerate() {
            let Some(map) = cur.as_object_mut() else {
                break;
            };
            if i + 1 == parts.len() {
                map.remove(*part);
                break;
            }
            match map.get_mut(*part) {
                Some(next) => cur = next,
                None => break,
            }
        }
    }
    out
}

/// A mask in the shape of `value` (blocks as lists) with `true` at each of `paths`: Terraform's
/// `after_unknown` and `*_sensitive`. `false` for a value that is not an object.
pub fn mask(value: &Json, paths: &[String]) -> Json {
    if !value.is_object() {
        return json!(false);
    }
    let mut out = serde_json::Map::new();
    for path in paths {
        set_path(&mut out, path, Json::Bool(true));
    }
    blocks_as_lists(&Json::Object(out))
}

/// Sets the member at a dotted path, creating the objects on the way.
fn set_path(map: &mut serde_json::Map<String, Json>, path: &str, value: Json) {
    match path.split_once('.') {
        None => {
            map.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let entry = map
                .entry(head.to_string())
                .or_insert_with(|| Json::Object(Default::default()));
            if !entry.is_object() {
                *entry = Json::Object(Default::default());
            }
            if let Json::Object(sub) = entry {
                set_path(sub, rest, value);
            }
        }
    }
}

/// A dotted path as Terraform's path steps, with the index 0 of each nested block.
fn json_path(path: &str) -> Vec<Json> {
    let parts: Vec<&str> = path.split('.').collect();
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        out.push(Json::String(part.to_string()));
        if i + 1 < parts.len() {
            out.push(json!(0));
        }
    }
    out
}

/// A module instance's address without its instance keys: `module.tenant["a]"].module.x` is
/// `module.tenant.module.x`, the module block's address.
fn module_block(instance: &str) -> String {
    let mut out = String::with_capacity(instance.len());
    let mut chars = instance.chars();
    while let Some(c) = chars.next() {
        if c != '[' {
            out.push(c);
            continue;
        }
        // Skip the key, a number or a quoted string that may hold `]`.
        let mut quoted = false;
        while let Some(k) = chars.next() {
            match k {
                '\\' if quoted => {
                    chars.next();
                }
                '"' => quoted = !quoted,
                ']' if !quoted => break,
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_block_address_drops_every_instance_key() {
        assert_eq!(
            module_block(r#"module.tenant["a]\"b"].module.site[3]"#),
            "module.tenant.module.site"
        );
        assert_eq!(module_block("module.tenant"), "module.tenant");
    }

    #[test]
    fn nested_blocks_become_lists_of_objects_and_masks_follow_them() {
        let v = json!({"security": {"signin_with_sso": {"enable": true, "domains": ["a.com"]}}, "tags": [{"k": {"x": 1}}]});
        assert_eq!(
            blocks_as_lists(&v),
            json!({"security": [{"signin_with_sso": [{"enable": true, "domains": ["a.com"]}]}], "tags": [{"k": [{"x": 1}]}]})
        );
        assert_eq!(
            mask(&v, &["security.signin_with_sso.enable".to_string()]),
            json!({"security": [{"signin_with_sso": [{"enable": true}]}]})
        );
        assert_eq!(mask(&Json::Null, &[]), json!(false));
        assert_eq!(
            json_path("security.signin_with_sso.enable"),
            vec![
                json!("security"),
                json!(0),
                json!("signin_with_sso"),
                json!(0),
                json!("enable")
            ]
        );
    }

    #[test]
    fn every_zentra_action_has_a_terraform_action() {
        assert_eq!(actions(Action::Replace), ["delete", "create"]);
        assert_eq!(actions(Action::NoOp), ["no-op"]);
        assert_eq!(actions(Action::Read), ["read"]);
        assert_eq!(actions(Action::Forget), ["forget"]);
    }
}
