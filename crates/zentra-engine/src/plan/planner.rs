//! Planning: refresh live state wave by wave (each provider gets a whole wave at once, so it can
//! batch its reads), evaluate each resource with what earlier waves made known, and diff.

use std::collections::{BTreeMap, HashMap, HashSet};

use indexmap::IndexMap;
use sha2::{Digest, Sha256};

use crate::addr::{Mode, ProviderAddr, ResourceAddr};
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::diff::{diff_attributes, values_match};
use crate::plan::fingerprint::{self, LiveFingerprints};
use crate::plan::objects::{self, PlannedObject};
use crate::plan::ownership::{self, NaturalKeys};
use crate::plan::{
    Action, Adoption, AttributeChange, ObjectDrift, ObjectDriftKind, OutputValue,
    PLAN_FORMAT_VERSION, Plan, ResourceChange, StateRef, Warning,
};
use crate::plan::{lost_creates, once_sensitive};
use crate::provider::{ErrorKind, Provider, ProviderError, ReadRequest, RemoteObject};
use crate::schema::{AttrType, ResourceKind, ResourceSchema};
use crate::state::StateFile;
use crate::value::Value;
use crate::workspace::Workspace;

/// Configured provider instances, by address.
#[derive(Default)]
pub struct ProviderSet {
    instances: HashMap<ProviderAddr, Box<dyn Provider>>,
}

impl ProviderSet {
    /// Configures every provider instance the workspace uses (or that state still needs).
    pub fn configure(
        ws: &Workspace,
        state: Option<&StateFile>,
    ) -> Result<ProviderSet, Diagnostics> {
        let mut addrs = ws.providers_in_use();
        let mut diags = Diagnostics::default();
        if let Some(state) = state {
            for r in &state.resources {
                // An aliased provider (another account or tenant) that lost its block must not
                // fall back to the default credentials: deleting with them could hit the wrong
                // account.
                if r.provider.alias.is_some() && ws.config.provider(&r.provider).is_none() {
                    diags.push(
                        Diagnostic::error(format!(
                            "state holds `{}`, which belongs to provider `{}`, but that provider is no longer configured",
                            r.address, r.provider
                        ))
                        .with_hint(format!(
                            "keep the `provider \"{}\"` block with `alias = \"{}\"` until its resources are deleted",
                            r.provider.type_name,
                            r.provider.alias.as_deref().unwrap_or_default()
                        )),
                    );
                }
                addrs.push(r.provider.clone());
            }
            addrs.extend(state.pending_creates.iter().map(|p| p.provider.clone()));
            addrs.extend(state.deposed.iter().map(|d| d.provider.clone()));
        }
        addrs.sort();
        addrs.dedup();
        let mut set = ProviderSet::default();
        for addr in addrs {
            if addr.alias.is_some() && ws.config.provider(&addr).is_none() {
                continue;
            }
            match ws.configure_provider(&addr) {
                Ok(p) => {
                    set.instances.insert(addr, p);
                }
                Err(d) => diags.extend(d),
            }
        }
        diags.into_result()?;
        Ok(set)
    }

    pub fn insert(&mut self, addr: ProviderAddr, provider: Box<dyn Provider>) {
        self.instances.insert(addr, provider);
    }

    pub fn get(&self, addr: &ProviderAddr) -> Option<&dyn Provider> {
        self.instances.get(addr).map(AsRef::as_ref)
    }
}

/// A plan together with what was learned computing it, which apply reuses.
pub struct PlannedRun {
    pub plan: Plan,
    /// Live objects read during refresh.
    pub live: HashMap<ResourceAddr, RemoteObject>,
    /// Evaluated configuration per resource (may hold unknowns).
    pub desired: HashMap<ResourceAddr, Value>,
    /// Values of resources for references, after refresh: of those that an expression of the
    /// configuration names ([`crate::deps::Dependencies::may_be_referred_to`]).
    pub values: HashMap<ResourceAddr, Value>,
}

/// An error that stops planning: configuration problems or API failures.
pub type PlanError = Diagnostics;

/// What kind of plan to make.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// Plan `zentra destroy`: every object in state leaves management, deleted where zentra
    /// created it and forgotten otherwise; the configuration only contributes its `removed`
    /// blocks and `prevent_destroy` settings.
    pub destroy: bool,
}

/// Reads live state and computes the plan.
pub async fn plan(
    ws: &Workspace,
    state: Option<&StateFile>,
    providers: &ProviderSet,
) -> Result<PlannedRun, PlanError> {
    plan_with(ws, state, providers, &PlanOptions::default()).await
}

/// Why each resource that could not be read was left out of a plan, by address.
pub type Unreadable = BTreeMap<ResourceAddr, String>;

/// Reads live state and computes the plan of everything that could be read: a resource whose
/// read failed (and every resource that depends on it) is left out of the plan and named in
/// [`Unreadable`] with the reason, instead of stopping the run. What `zentra drift` reports.
pub async fn plan_reporting_unreadable(
    ws: &Workspace,
    state: Option<&StateFile>,
    providers: &ProviderSet,
) -> Result<(PlannedRun, Unreadable), PlanError> {
    plan_inner(ws, state, providers, &PlanOptions::default(), true).await
}

/// Reads live state and computes the plan of the given kind.
pub async fn plan_with(
    ws: &Workspace,
    state: Option<&StateFile>,
    providers: &ProviderSet,
    options: &PlanOptions,
) -> Result<PlannedRun, PlanError> {
    plan_inner(ws, state, providers, options, false)
        .await
        .map(|(run, _)| run)
}

async fn plan_inner(
    ws: &Workspace,
    state: Option<&StateFile>,
    providers: &ProviderSet,
    options: &PlanOptions,
    tolerate_read_failures: bool,
) -> Result<(PlannedRun, Unreadable), PlanError> {
    // `moved` blocks: the plan is made against state as it will be once they are applied.
    let moved_state;
    let mut moved = Vec::new();
    let state = match state {
        Some(s) if !ws.config.moved.is_empty() => {
            let mut s = s.clone();
            moved = super::moves::apply(&ws.config, &mut s)?;
            moved_state = s;
            Some(&moved_state)
        }
        other => other,
    };
    let mut planning = Planning {
        ws,
        state,
        index: state.map(StateFile::index),
        providers,
        options,
        tolerate_read_failures,
        unreadable: Unreadable::new(),
        values: HashMap::new(),
        live: HashMap::new(),
        desired: HashMap::new(),
        changes: Vec::new(),
        warnings: Vec::new(),
        config_hasher: Sha256::new(),
        live_fingerprints: LiveFingerprints::new(),
        keys: NaturalKeys::default(),
        objects: Vec::new(),
        pending: HashSet::new(),
        read_later: HashMap::new(),
    };
    hash_ownership_settings(&mut planning.config_hasher, ws, options);
    if !options.destroy {
        for wave in &ws.deps.waves {
            planning.wave(wave).await?;
        }
    }
    let deposed = planning.leaving().await?;
    planning.finish(moved, deposed)
}

/// One plan being made: what it works from, and what it has found and decided so far.
struct Planning<'a> {
    ws: &'a Workspace,
    state: Option<&'a StateFile>,
    index: Option<crate::state::StateIndex<'a>>,
    providers: &'a ProviderSet,
    options: &'a PlanOptions,
    tolerate_read_failures: bool,
    unreadable: Unreadable,
    /// What references to each resource evaluate to (of those something may refer to).
    values: HashMap<ResourceAddr, Value>,
    live: HashMap<ResourceAddr, RemoteObject>,
    desired: HashMap<ResourceAddr, Value>,
    changes: Vec<ResourceChange>,
    warnings: Vec<Warning>,
    config_hasher: Sha256,
    live_fingerprints: LiveFingerprints,
    keys: NaturalKeys,
    objects: Vec<PlannedObject>,
    /// What this run changes (or reads while applying): data sources that depend on any of it
    /// are read while applying too.
    pending: HashSet<ResourceAddr>,
    read_later: HashMap<ResourceAddr, String>,
}

impl Planning<'_> {
    /// Evaluates, reads and plans one wave of resources, with the values of earlier waves.
    async fn wave(&mut self, wave: &[ResourceAddr]) -> Result<(), PlanError> {
        let requests = self.evaluate(wave)?;
        self.refuse_clashes(wave)?;
        self.refresh(&requests).await?;
        self.plan_wave(wave).await
    }

    /// Evaluates every resource of the wave; returns the reads to make, per provider instance.
    fn evaluate(
        &mut self,
        wave: &[ResourceAddr],
    ) -> Result<BTreeMap<ProviderAddr, Vec<(ResourceAddr, ReadRequest)>>, PlanError> {
        let mut diags = Diagnostics::default();
        let mut requests: BTreeMap<ProviderAddr, Vec<(ResourceAddr, ReadRequest)>> =
            BTreeMap::new();
        for addr in wave {
            // Walking the dependencies is only worth it once something could not be read.
            if !self.unreadable.is_empty()
                && let Some(failed) = self
                    .ws
                    .deps
                    .transitive_dependencies(addr)
                    .into_iter()
                    .find(|d| self.unreadable.contains_key(d))
            {
                self.unreadable.insert(
                    addr.clone(),
                    format!("it depends on `{failed}`, which could not be read"),
                );
                continue;
            }
            let body = match self.ws.eval_resource(addr, &self.values) {
                Ok(b) => b.value,
                Err(d) => {
                    diags.extend(d);
                    continue;
                }
            };
            let block = &self.ws.config.resources[addr];
            if self.ws.kind(&addr.type_name) == ResourceKind::Manual {
                self.desired.insert(addr.clone(), body);
                continue;
            }
            if (addr.mode == Mode::Data || self.ws.kind(&addr.type_name) == ResourceKind::Data)
                && let Some(reason) = read_during_apply(self.ws, addr, &body, &self.pending)
            {
                self.read_later.insert(addr.clone(), reason);
                self.desired.insert(addr.clone(), body);
                continue;
            }
            // Data sources are looked up by their arguments every time, never by a past id.
            // An `import` block names the object of a resource self.state does not hold yet.
            let id = self
                .index
                .as_ref()
                .filter(|_| addr.mode == Mode::Managed)
                .and_then(|s| s.resource(addr))
                .map(|r| r.id.clone())
                .or_else(|| {
                    (addr.mode == Mode::Managed)
                        .then(|| self.ws.config.import_for(addr).map(|i| i.id.clone()))
                        .flatten()
                });
            // What no expression refers to is compared, recorded and shown only by what the
            // configuration sets (and what the service computes): the rest need not be kept.
            let only_configured = addr.mode == Mode::Managed
                && self.ws.kind(&addr.type_name) != ResourceKind::Data
                && !self.ws.deps.may_be_referred_to(addr);
            requests.entry(block.provider.clone()).or_default().push((
                addr.clone(),
                ReadRequest {
                    only_configured,
                    ..ReadRequest::whole(addr.type_name.clone(), addr.mode, id, body.clone())
                },
            ));
            self.desired.insert(addr.clone(), body);
        }
        diags.into_result()?;
        Ok(requests)
    }

    /// Two resources that would manage one remote object are refused before any read.
    fn refuse_clashes(&mut self, wave: &[ResourceAddr]) -> Result<(), PlanError> {
        let mut clashes = Diagnostics::default();
        for addr in wave {
            if let Some(want) = self.desired.get(addr)
                && let Err(d) = self.keys.check(self.ws, addr, want)
            {
                clashes.push(d);
            }
        }
        clashes.into_result()?;
        Ok(())
    }

    /// Refresh: each provider instance reads its share of the wave in one call.
    async fn refresh(
        &mut self,
        requests: &BTreeMap<ProviderAddr, Vec<(ResourceAddr, ReadRequest)>>,
    ) -> Result<(), PlanError> {
        let providers = self.providers;
        let reads = requests.iter().map(|(paddr, batch)| async move {
            let provider = providers
                .get(paddr)
                .expect("every provider in use is configured");
            let reqs: Vec<ReadRequest> = batch.iter().map(|(_, r)| r.clone()).collect();
            (paddr, provider.read(&reqs).await)
        });
        let results = futures::future::join_all(reads).await;
        let mut errors = Diagnostics::default();
        for (paddr, result) in results {
            let batch = &requests[paddr];
            // A provider-wide failure (credentials, endpoint) is reported once, not per resource.
            let mut provider_wide: Vec<(ProviderError, Vec<String>)> = Vec::new();
            for ((addr, _), outcome) in batch.iter().zip(result) {
                match outcome {
                    Ok(Some(obj)) => {
                        self.live.insert(addr.clone(), obj);
                    }
                    Ok(None) => {}
                    Err(e) if self.tolerate_read_failures => {
                        let reason = match e.kind {
                            ErrorKind::Authentication | ErrorKind::Configuration => {
                                format!("provider `{paddr}`: {e}")
                            }
                            _ => format!("read failed: {e}"),
                        };
                        self.unreadable.insert(addr.clone(), reason);
                    }
                    Err(e)
                        if matches!(
                            e.kind,
                            ErrorKind::Authentication | ErrorKind::Configuration
                        ) =>
                    {
                        match provider_wide
                            .iter_mut()
                            .find(|(seen, _)| seen.message == e.message)
                        {
                            Some((_, addrs)) => addrs.push(addr.to_string()),
                            None => provider_wide.push((e, vec![addr.to_string()])),
                        }
                    }
                    Err(e) => errors.push(api_error(self.ws, addr, "read", &e)),
                }
            }
            for (e, addrs) in provider_wide {
                let span = self
                    .ws
                    .config
                    .provider(paddr)
                    .and_then(|p| p.body.span.clone());
                let mut d = Diagnostic::error(format!("provider `{paddr}`: {e}"))
                    .at_span(&self.ws.config.sources, span.as_ref())
                    .with_detail(format!("could not read: {}", addrs.join(", ")));
                if let Some(h) = &e.hint {
                    d = d.with_hint(h.clone());
                }
                errors.push(d);
            }
        }
        errors.into_result()?;
        Ok(())
    }

    /// Plans each resource of the wave against what was read.
    async fn plan_wave(&mut self, wave: &[ResourceAddr]) -> Result<(), PlanError> {
        for addr in wave {
            if self.unreadable.contains_key(addr) {
                continue;
            }
            let schema = self.ws.schema_for(addr).expect("validated");
            let want = &self.desired[addr];
            let found = self.live.get(addr);
            let prior = self.index.as_ref().and_then(|s| s.resource(addr));
            hash_value(&mut self.config_hasher, &addr.to_string(), want);
            let lineage = self.state.map(|s| s.lineage.as_str());
            let planned = match self.read_later.get(addr) {
                Some(reason) => Ok(deferred_read(self.ws, addr, reason)),
                None => plan_resource(
                    self.ws,
                    addr,
                    schema,
                    want,
                    found,
                    prior,
                    lineage,
                    &mut self.warnings,
                ),
            };
            let mut change = match planned {
                Ok(change) => change,
                Err(d) if self.tolerate_read_failures => {
                    let reason = d
                        .0
                        .first()
                        .map_or_else(|| "it could not be read".to_string(), |d| d.summary.clone());
                    self.unreadable.insert(addr.clone(), reason);
                    continue;
                }
                Err(d) => return Err(d),
            };
            if prior.is_none()
                && addr.mode == Mode::Managed
                && let Some(import) = self.ws.config.import_for(addr)
            {
                let provider = self.providers.get(&change.provider);
                imported(self.ws, addr, import, found, provider, &mut change).await?;
            }
            if let Some(lost) = self.index.as_ref().and_then(|s| s.pending_create(addr)) {
                lost_creates::recover(&mut change, lost);
            }
            let was_sensitive = prior.map_or(&[][..], |p| p.sensitive_paths.as_slice());
            once_sensitive::withhold(&mut change.attributes, was_sensitive);
            if let Some(provider) = self.providers.get(&change.provider) {
                label_values(provider, &addr.type_name, &mut change.attributes);
            }
            if addr.mode == Mode::Data || schema.kind == ResourceKind::Data {
                self.live_fingerprints
                    .insert(addr.to_string(), fingerprint::read(&schema.body, found));
            } else if schema.kind != ResourceKind::Manual {
                let mut prints = fingerprint::managed(&schema.body, want, found);
                prints.retain(|path, _| !once_sensitive::under_any(path, was_sensitive));
                self.live_fingerprints.insert(addr.to_string(), prints);
            }
            if schema.kind != ResourceKind::Manual {
                let body = &self.ws.config.resources[addr].body.body;
                self.objects.push(objects::planned_object(
                    addr,
                    schema,
                    want,
                    found,
                    change.action,
                    Some(body),
                    prior.map_or(&[][..], |p| p.sensitive_paths.as_slice()),
                ));
            }
            // Only what something may refer to: a resource's value is a copy of its live
            // attributes (a Zoom group's settings are some 290 values).
            if self.ws.deps.may_be_referred_to(addr) {
                self.values.insert(
                    addr.clone(),
                    reference_value(schema, want, found, change.action),
                );
            }
            if change.action.is_change() || change.read_during_apply {
                self.pending.insert(addr.clone());
            }
            self.changes.push(change);
        }
        Ok(())
    }

    /// Resources in state but no longer in configuration (all of them, for `zentra destroy`),
    /// creates whose answer was lost, and deposed objects; returns the deposed objects' changes.
    async fn leaving(&mut self) -> Result<Vec<super::DeposedChange>, PlanError> {
        let Some(state) = self.state else {
            return Ok(Vec::new());
        };
        {
            let mut removed: Vec<&crate::state::ResourceState> = state
                .resources
                .iter()
                .filter(|r| {
                    self.options.destroy || !self.ws.config.resources.contains_key(&r.address)
                })
                .collect();
            removed.sort_by(|a, b| a.address.cmp(&b.address));
            let (gone, failed) =
                removed_objects_gone(self.ws, &removed, self.providers, &mut self.live).await;
            if !self.tolerate_read_failures {
                Diagnostics(failed.iter().map(|(_, d)| d.clone()).collect()).into_result()?;
            }
            for (addr, d) in failed {
                self.unreadable.insert(addr, d.summary);
            }
            let mut refused = Diagnostics::default();
            for r in removed {
                if self.unreadable.contains_key(&r.address) {
                    continue;
                }
                // A data source is never deleted, even when a resource type shares its name.
                let kind = if r.address.mode == Mode::Data {
                    ResourceKind::Data
                } else {
                    self.ws.kind(&r.address.type_name)
                };
                let (action, reason) = match kind {
                ResourceKind::Object if gone.contains(&r.address) => (
                    Action::Forget,
                    "removed from configuration, and already deleted outside zentra: it only leaves the state".to_string(),
                ),
                ResourceKind::Object => {
                    ownership::leaving(self.ws, r, self.live.get(&r.address), self.options.destroy)
                }
                ResourceKind::Data => (
                    Action::Forget,
                    "removed from configuration: zentra stops reading it".to_string(),
                ),
                _ if self.options.destroy => (
                    Action::Forget,
                    "zentra stops managing it and leaves its current settings as they are".to_string(),
                ),
                _ => (
                    Action::Forget,
                    "removed from configuration: zentra stops managing it and leaves its current settings as they are".to_string(),
                ),
            };
                self.objects
                    .push(objects::removed_object(r, self.live.get(&r.address)));
                if kind == ResourceKind::Object {
                    self.live_fingerprints.insert(
                        r.address.to_string(),
                        fingerprint::identity(self.live.get(&r.address)),
                    );
                }
                if let Err(d) =
                    ownership::check_prevent_destroy(self.ws, &r.address, Some(r), action)
                {
                    refused.push(d);
                }
                self.changes.push(ResourceChange {
                    address: r.address.clone(),
                    provider: r.provider.clone(),
                    action,
                    id: Some(r.id.clone()),
                    reason: Some(reason),
                    attributes: Vec::new(),
                    object_drift: None,
                    adopt: None,
                    keep_existing: false,
                    read_during_apply: false,
                    create_before_destroy: false,
                });
            }
            refused.into_result()?;
            self.changes.extend(
                lost_creates::leaving(
                    self.ws,
                    state,
                    self.providers,
                    self.options,
                    &mut self.live_fingerprints,
                )
                .await?,
            );
        }
        super::deposed::plan(self.ws, state, self.providers, &mut self.live_fingerprints).await
    }

    /// The plan, once everything was planned: outputs, checks, the summary.
    fn finish(
        mut self,
        moved: Vec<super::moves::Move>,
        deposed: Vec<super::DeposedChange>,
    ) -> Result<(PlannedRun, Unreadable), PlanError> {
        let outputs = if self.options.destroy {
            IndexMap::new()
        } else {
            match evaluate_outputs(self.ws, &self.values) {
                Ok(outputs) => outputs,
                // Outputs may refer to what could not be read.
                Err(_) if !self.unreadable.is_empty() => IndexMap::new(),
                Err(d) => return Err(d),
            }
        };
        for (k, v) in &outputs {
            self.config_hasher.update(k.as_bytes());
            self.config_hasher.update(v.value.to_string().as_bytes());
        }
        let checks = if self.options.destroy {
            Vec::new()
        } else {
            super::checks::evaluate(self.ws, &self.values)
        };
        let summary = Plan::summarize(&self.changes);
        let mut plan = Plan {
            format_version: PLAN_FORMAT_VERSION,
            zentra_version: env!("CARGO_PKG_VERSION").to_string(),
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            prior_state: StateRef {
                lineage: self.state.map(|s| s.lineage.clone()),
                serial: self.state.map_or(0, |s| s.serial),
            },
            config_fingerprint: hex::encode(self.config_hasher.finalize()),
            live_fingerprints: self.live_fingerprints,
            changes: self.changes,
            outputs,
            warnings: self.warnings,
            summary,
            destroy: self.options.destroy,
            objects: self.objects,
            moved,
            checks,
            deposed,
        };
        plan.recount();
        Ok((
            PlannedRun {
                plan,
                live: self.live,
                desired: self.desired,
                values: self.values,
            },
            self.unreadable,
        ))
    }
}

#[allow(clippy::too_many_arguments)]
fn plan_resource(
    ws: &Workspace,
    addr: &ResourceAddr,
    schema: &ResourceSchema,
    want: &Value,
    found: Option<&RemoteObject>,
    prior: Option<&crate::state::ResourceState>,
    lineage: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> Result<ResourceChange, Diagnostics> {
    let provider = ws.config.resources[addr].provider.clone();
    let last_applied = prior.map(|p| &p.attributes);
    let mut change = ResourceChange {
        address: addr.clone(),
        provider,
        action: Action::NoOp,
        id: found.map(|f| f.id.clone()),
        reason: None,
        attributes: Vec::new(),
        object_drift: None,
        adopt: None,
        keep_existing: false,
        read_during_apply: false,
        create_before_destroy: false,
    };
    if schema.kind == ResourceKind::Manual {
        return Ok(plan_manual_step(change, want, prior));
    }
    if addr.mode == Mode::Data || schema.kind == ResourceKind::Data {
        if found.is_none() && !want.contains_unknown() {
            let span = ws.config.resources[addr].span.clone();
            return Err(
                Diagnostic::error(format!("data source `{addr}` found nothing"))
                    .at_span(&ws.config.sources, span.as_ref())
                    .with_hint("check the data source's arguments")
                    .into(),
            );
        }
        change.action = Action::Read;
        return Ok(change);
    }
    match found {
        None => {
            // A singleton whose key is known only after apply (the settings of a group created
            // in this run) is planned like a create; otherwise it must have been read.
            let pending_key = schema.kind == ResourceKind::Singleton && want.contains_unknown();
            if schema.kind == ResourceKind::Singleton && !pending_key {
                let span = ws.config.resources[addr].span.clone();
                return Err(Diagnostic::error(format!("`{addr}` could not be read"))
                    .at_span(&ws.config.sources, span.as_ref())
                    .into());
            }
            if pending_key {
                change.reason = Some(
                    "what it belongs to is created in this run: it is configured right after"
                        .into(),
                );
            }
            change.action = Action::Create;
            // A create lists what it sets: an optional attribute left null sets nothing.
            change.attributes = diff_attributes(&schema.body, want, None, None)
                .into_iter()
                .filter(|a| !(a.after.is_null() && !a.after_unknown && !a.sensitive))
                .collect();
            for (name, attr) in &schema.body.properties {
                if attr.computed && want.get(name).is_none() {
                    change.attributes.push(AttributeChange {
                        after_unknown: true,
                        ..AttributeChange::new(
                            name.clone(),
                            serde_json::Value::Null,
                            serde_json::Value::Null,
                        )
                    });
                }
            }
            match prior {
                Some(p) if !pending_key && located_as_before(schema, want, p) => {
                    change.object_drift = Some(ObjectDrift {
                        kind: ObjectDriftKind::Deleted,
                        previous_id: p.id.clone(),
                    });
                    change.reason = Some(format!(
                        "deleted outside zentra: the object recorded in state ({}) no longer exists; it will be created again",
                        p.id
                    ));
                }
                Some(_) if !pending_key => {
                    change.reason = Some(
                        "the object recorded in state no longer exists: it will be created again"
                            .into(),
                    );
                }
                _ => {}
            }
        }
        Some(obj) => {
            // `lifecycle { ignore_changes }`: set on create, never compared afterwards.
            let ignored = &ws.config.resources[addr].lifecycle.ignore_changes;
            change.attributes =
                diff_attributes(&schema.body, want, Some(&obj.attributes), last_applied)
                    .into_iter()
                    .filter(|a| !ignored.ignores(&a.path))
                    .collect();
            let replace = change.attributes.iter().any(|a| a.forces_replacement);
            // Another object of the same natural key in place of the one state records: it was
            // deleted and created again outside zentra. State takes the new id (an update of
            // the state at least); its attributes are compared as usual.
            let replaced_outside = match prior {
                Some(p)
                    if schema.kind == ResourceKind::Object
                        && p.id != obj.id
                        && located_as_before(schema, want, p) =>
                {
                    Some(p.id.clone())
                }
                _ => None,
            };
            change.action = if replace {
                Action::Replace
            } else if change.attributes.is_empty() {
                // Nothing to write; a replacement outside zentra is still a change, as an
                // adoption of the object that took the old one's place.
                Action::NoOp
            } else {
                Action::Update
            };
            if let Some(previous_id) = &replaced_outside {
                change.object_drift = Some(ObjectDrift {
                    kind: ObjectDriftKind::Replaced,
                    previous_id: previous_id.clone(),
                });
            }
            // Found by its natural key, and not (or not as this object) in state: it existed
            // before, so it is adopted rather than created.
            let adopting =
                schema.kind == ResourceKind::Object && prior.is_none_or(|p| p.id != obj.id);
            let vendor = (schema.kind == ResourceKind::Object)
                .then(|| {
                    ownership::vendor_owned(ws, &change.provider, &addr.type_name, want, Some(obj))
                })
                .flatten();
            if adopting
                && let Some(creator) = &obj.ownership.created_by
                && Some(creator.as_str()) != lineage
            {
                warnings.push(Warning {
                    address: Some(addr.clone()),
                    message: format!(
                        "zentra created this object from another state (lineage {creator}): \
                         another working directory may manage it, and would delete it when its \
                         block is removed there; manage each object from one configuration"
                    ),
                });
            }
            if replace {
                let paths: Vec<&str> = change
                    .attributes
                    .iter()
                    .filter(|a| a.forces_replacement)
                    .map(|a| a.path.as_str())
                    .collect();
                let paths = paths.join(", ");
                change.keep_existing =
                    adopting || prior.is_some_and(|p| !p.created_by_zentra()) || vendor.is_some();
                change.reason = Some(if change.keep_existing {
                    let why = match &vendor {
                        Some(why) => why.clone(),
                        None => "zentra did not create the existing object".to_string(),
                    };
                    format!(
                        "{paths} cannot be changed in place; {why}, so it is left as it is \
                         (forgotten, not deleted) and a new one is created"
                    )
                } else {
                    format!("{paths} cannot be changed in place")
                });
                if !change.keep_existing {
                    ownership::check_prevent_destroy(ws, addr, prior, Action::Replace)?;
                    if ws.config.resources[addr].lifecycle.create_before_destroy {
                        change.create_before_destroy = true;
                        ownership::check_create_before_destroy(ws, addr, want, obj)?;
                    }
                }
            } else if adopting {
                change.adopt = Some(Adoption {
                    id: obj.id.clone(),
                    created_by_zentra: false,
                    imported: false,
                });
                let found = match (prior, &replaced_outside) {
                    (Some(_), Some(previous_id)) => format!(
                        "replaced outside zentra: {previous_id} is gone and {} took its place; \
                         it will be adopted and zentra manages it from now on",
                        obj.id
                    ),
                    (Some(p), None) => format!(
                        "the configuration now finds another object than the one in state (id \
                         {}, which is left as it is): it will be adopted",
                        p.id
                    ),
                    (None, _) => "it already exists: it will be adopted, not created again".into(),
                };
                let later = match &vendor {
                    Some(why) => ownership::never_deleted(why),
                    None => "removing its block later only forgets it".into(),
                };
                change.reason = Some(format!("{found}; {later}"));
            } else if change.attributes.iter().all(|a| a.drift) && !change.attributes.is_empty() {
                change.reason = Some("changed outside zentra since the last apply".into());
            }
        }
    }
    Ok(change)
}

/// Checks what an `import` block named: the object must exist and be the one the resource's
/// configuration locates; its adoption is then an import.
async fn imported(
    ws: &Workspace,
    addr: &ResourceAddr,
    import: &crate::config::ImportBlock,
    found: Option<&RemoteObject>,
    provider: Option<&dyn Provider>,
    change: &mut ResourceChange,
) -> Result<(), Diagnostics> {
    let located = |d: Diagnostic| d.at_span(&ws.config.sources, import.span.as_ref());
    // The configuration's natural key may find another object than the id: read by the id
    // alone to tell a wrong id from a block that names another object.
    let by_id = match (found, provider) {
        (Some(found), Some(provider)) if !found.id.eq_ignore_ascii_case(&import.id) => {
            let request = ReadRequest::whole(
                addr.type_name.clone(),
                Mode::Managed,
                Some(import.id.clone()),
                Value::object(),
            );
            match provider.read(&[request]).await.pop() {
                Some(Ok(Some(object))) if object.id.eq_ignore_ascii_case(&import.id) => {
                    Some(object)
                }
                // A type that cannot be read by id alone says so as invalid input: the id is
                // then only known not to be the object the configuration names.
                Some(Err(e))
                    if matches!(
                        e.kind,
                        ErrorKind::Authentication
                            | ErrorKind::Permission
                            | ErrorKind::Throttled
                            | ErrorKind::Transport
                    ) =>
                {
                    return Err(api_error(ws, addr, "read", &e).into());
                }
                _ => None,
            }
        }
        _ => found.cloned(),
    };
    let Some(found) = found.filter(|_| by_id.is_some()) else {
        return Err(located(Diagnostic::error(format!(
            "`import` into `{addr}`: there is no {} with id \"{}\"",
            addr.type_name, import.id
        )))
        .with_hint(format!(
            "check the id (`zentra schema {}` says which id it takes); nothing was changed",
            addr.type_name
        ))
        .into());
    };
    if !found.id.eq_ignore_ascii_case(&import.id) {
        return Err(located(Diagnostic::error(format!(
            "`import` into `{addr}`: its configuration names the object with id \"{}\", not \"{}\"",
            found.id, import.id
        )))
        .with_hint(
            "make the id and the resource's attributes name the same object; nothing was changed",
        )
        .into());
    }
    if let Some(adoption) = &mut change.adopt {
        adoption.imported = true;
        change.reason = Some(format!(
            "its `import` block names it (id {}): it will be imported, not created; removing \
             its block later only forgets it",
            import.id
        ));
    }
    Ok(())
}

/// Whether the configuration still locates the object the way it did when it was last
/// applied: no attribute that picks out a different object (one that forces replacement, such
/// as a service principal's `app_id` or a grant's resource) changed since. Only then does a
/// missing or different object mean something happened outside zentra.
fn located_as_before(
    schema: &ResourceSchema,
    want: &Value,
    prior: &crate::state::ResourceState,
) -> bool {
    schema
        .body
        .properties
        .iter()
        .filter(|(_, attr)| attr.force_new)
        .all(
            |(name, attr)| match (want.get(name), prior.attributes.get(name)) {
                (None, None) => true,
                (Some(now), Some(then)) => values_match(attr, now, &Value::from_json(then)),
                _ => false,
            },
        )
}

/// Asks the provider for a name for every string value a change shows, and keeps those it
/// knows (on the change, so the JSON carries what the human view shows).
fn label_values(provider: &dyn Provider, type_name: &str, attributes: &mut [AttributeChange]) {
    for change in attributes.iter_mut().filter(|a| !a.sensitive) {
        let mut shown: Vec<&str> = Vec::new();
        for value in [&change.before, &change.after] {
            match value {
                serde_json::Value::String(s) => shown.push(s),
                serde_json::Value::Array(items) => {
                    shown.extend(items.iter().filter_map(serde_json::Value::as_str));
                }
                _ => {}
            }
        }
        let mut labels = std::collections::BTreeMap::new();
        for value in shown {
            if let Some(label) = provider.value_label(type_name, &change.path, value) {
                labels.insert(value.to_string(), label);
            }
        }
        change.labels = labels;
    }
}

/// Re-reads the objects that left the configuration (one batched read per provider instance),
/// so one already deleted outside zentra plans as leaving state rather than as a delete.
async fn removed_objects_gone(
    ws: &Workspace,
    removed: &[&crate::state::ResourceState],
    providers: &ProviderSet,
    live: &mut HashMap<ResourceAddr, RemoteObject>,
) -> (
    std::collections::HashSet<ResourceAddr>,
    Vec<(ResourceAddr, Diagnostic)>,
) {
    let mut batches: BTreeMap<ProviderAddr, Vec<(ResourceAddr, ReadRequest)>> = BTreeMap::new();
    for r in removed {
        if r.address.mode == Mode::Data || ws.kind(&r.address.type_name) != ResourceKind::Object {
            continue;
        }
        // What its vendor owns is only forgotten, whether it still exists or not.
        let attributes = Value::from_json(&r.attributes);
        if ownership::vendor_owned(ws, &r.provider, &r.address.type_name, &attributes, None)
            .is_some()
        {
            continue;
        }
        batches.entry(r.provider.clone()).or_default().push((
            r.address.clone(),
            ReadRequest::whole(
                r.address.type_name.clone(),
                r.address.mode,
                Some(r.id.clone()),
                Value::from_json(&r.attributes),
            ),
        ));
    }
    let reads = batches.iter().filter_map(|(paddr, batch)| {
        let provider = providers.get(paddr)?;
        let reqs: Vec<ReadRequest> = batch.iter().map(|(_, r)| r.clone()).collect();
        Some(async move { (batch, provider.read(&reqs).await) })
    });
    let mut gone = std::collections::HashSet::new();
    let mut errors = Vec::new();
    for (batch, results) in futures::future::join_all(reads).await {
        for ((addr, _), result) in batch.iter().zip(results) {
            match result {
                Ok(Some(obj)) => {
                    live.insert(addr.clone(), obj);
                }
                Ok(None) => {
                    gone.insert(addr.clone());
                }
                Err(e) => errors.push((addr.clone(), api_error(ws, addr, "read", &e))),
            }
        }
    }
    (gone, errors)
}

/// A manual step is done when API evidence (`check`) says so, or, without a check, when a
/// person confirmed exactly this step.
fn plan_manual_step(
    mut change: ResourceChange,
    want: &Value,
    prior: Option<&crate::state::ResourceState>,
) -> ResourceChange {
    let confirmation = prior.and_then(|p| p.confirmation.as_ref());
    let hash = crate::provider::manual::step_hash(want);
    let (done, reason) = match want.get("check").map(|c| c.unmark().0) {
        Some(Value::Bool(true)) => (
            true,
            "verified: the API evidence in `check` shows it done".to_string(),
        ),
        Some(Value::Bool(false)) => (
            false,
            match confirmation {
                Some(c) => format!(
                    "confirmed by {} at {}, but the API evidence in `check` shows it not done",
                    c.by, c.at
                ),
                None => "manual action required: the API evidence in `check` shows it not done"
                    .to_string(),
            },
        ),
        Some(_) => (
            false,
            "manual action required: its `check` is known only after apply".to_string(),
        ),
        None => match confirmation {
            Some(c) if c.config_hash == hash => {
                (true, format!("confirmed by {} at {}", c.by, c.at))
            }
            Some(c) => (
                false,
                format!(
                    "the step changed since {} confirmed it at {}: manual action required again",
                    c.by, c.at
                ),
            ),
            None => (false, "manual action required".to_string()),
        },
    };
    change.id = None;
    change.reason = Some(reason);
    if done {
        change.action = Action::NoOp;
        return change;
    }
    change.action = Action::Manual;
    for name in crate::provider::manual::CONFIRMED_ATTRIBUTES {
        if let Some(v) = want.get(name) {
            change.attributes.push(AttributeChange {
                after_unknown: v.contains_unknown(),
                sensitive: v.contains_sensitive(),
                ..AttributeChange::new(*name, serde_json::Value::Null, v.to_redacted_json())
            });
        }
    }
    change
}

/// Why a data source is read while applying rather than now, if it is: its arguments are not
/// known yet, or something it depends on changes in this run (as Terraform defers it).
fn read_during_apply(
    ws: &Workspace,
    addr: &ResourceAddr,
    arguments: &Value,
    pending: &HashSet<ResourceAddr>,
) -> Option<String> {
    if arguments.contains_unknown() {
        return Some("its arguments are known only after apply".into());
    }
    let changing = ws
        .deps
        .dependencies
        .get(addr)?
        .iter()
        .find(|d| pending.contains(*d))?;
    Some(format!(
        "it depends on `{changing}`, which changes in this run"
    ))
}

/// The plan of a data source read while applying: nothing is read now.
fn deferred_read(ws: &Workspace, addr: &ResourceAddr, reason: &str) -> ResourceChange {
    ResourceChange {
        address: addr.clone(),
        provider: ws.config.resources[addr].provider.clone(),
        action: Action::Read,
        id: None,
        reason: Some(reason.to_string()),
        attributes: Vec::new(),
        object_drift: None,
        adopt: None,
        keep_existing: false,
        read_during_apply: true,
        create_before_destroy: false,
    }
}

/// The value other resources see when they refer to a resource: live attributes overlaid with
/// the configuration, and computed attributes unknown when the object is yet to be created.
pub fn reference_value(
    schema: &ResourceSchema,
    want: &Value,
    found: Option<&RemoteObject>,
    action: Action,
) -> Value {
    let mut map: IndexMap<String, Value> = IndexMap::new();
    let will_be_new = matches!(action, Action::Create | Action::Replace);
    if let (Some(obj), false) = (found, will_be_new) {
        if let Some(m) = obj.attributes.as_object() {
            map.extend(m.clone());
        }
        map.insert("id".into(), Value::str(obj.id.clone()));
    } else {
        for (name, attr) in &schema.body.properties {
            if attr.computed {
                map.insert(name.clone(), Value::Unknown);
            }
        }
        map.insert("id".into(), Value::Unknown);
    }
    if let Some(m) = want.as_object() {
        for (k, v) in m {
            let is_block = schema
                .body
                .properties
                .get(k)
                .is_some_and(|a| a.ty == AttrType::Object);
            match (map.get_mut(k), v.as_object(), is_block) {
                (Some(Value::Object(existing)), Some(configured), true) => {
                    for (ck, cv) in configured {
                        existing.insert(ck.clone(), cv.clone());
                    }
                }
                _ => {
                    map.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Value::Object(map)
}

fn evaluate_outputs(
    ws: &Workspace,
    values: &HashMap<ResourceAddr, Value>,
) -> Result<IndexMap<String, OutputValue>, Diagnostics> {
    let ctx = ws.eval_context(values);
    let mut out = IndexMap::new();
    let mut diags = Diagnostics::default();
    for (name, output) in &ws.config.outputs {
        match ctx.eval(&output.value) {
            Ok(v) => {
                if let Some(d) = crate::workspace::sensitive_output_unmarked(&ws.config, output, &v)
                {
                    diags.push(d);
                    continue;
                }
                out.insert(name.clone(), OutputValue::of(&v, output.sensitive));
            }
            Err(d) => diags.push(d),
        }
    }
    diags.into_result()?;
    Ok(out)
}

/// Hashes what the configuration says about destroying: `lifecycle` and `removed` blocks (and
/// whether this is a destroy plan), so that a saved plan goes stale when they change.
fn hash_ownership_settings(hasher: &mut Sha256, ws: &Workspace, options: &PlanOptions) {
    if options.destroy {
        hasher.update(b"destroy\0");
    }
    for (addr, block) in &ws.config.resources {
        if block.lifecycle.prevent_destroy {
            hasher.update(format!("prevent_destroy {addr}\0").as_bytes());
        }
        if block.lifecycle.create_before_destroy {
            hasher.update(format!("create_before_destroy {addr}\0").as_bytes());
        }
    }
    for removed in &ws.config.removed {
        hasher.update(format!("removed {} {}\0", removed.from, removed.destroy).as_bytes());
    }
}

fn hash_value(hasher: &mut Sha256, key: &str, value: &Value) {
    hasher.update(key.as_bytes());
    hasher.update([0]);
    hash_inner(hasher, value);
}

fn hash_inner(hasher: &mut Sha256, value: &Value) {
    match value {
        Value::Null => hasher.update(b"n"),
        Value::Bool(b) => hasher.update(if *b { b"t" } else { b"f" }),
        Value::Number(n) => {
            hasher.update(b"#");
            hasher.update(n.to_string().as_bytes());
        }
        Value::String(s) => {
            hasher.update(b"s");
            hasher.update((s.len() as u64).to_le_bytes());
            hasher.update(s.as_bytes());
        }
        Value::List(items) => {
            hasher.update(b"[");
            for i in items {
                hash_inner(hasher, i);
            }
            hasher.update(b"]");
        }
        Value::Object(map) => {
            hasher.update(b"{");
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for k in keys {
                hasher.update((k.len() as u64).to_le_bytes());
                hasher.update(k.as_bytes());
                hash_inner(hasher, &map[k]);
            }
            hasher.update(b"}");
        }
        Value::Unknown => hasher.update(b"?"),
        Value::Sensitive(inner) => {
            hasher.update(b"!");
            hash_inner(hasher, inner);
        }
    }
}

/// A provider failure as a diagnostic naming the resource.
pub fn api_error(
    ws: &Workspace,
    addr: &ResourceAddr,
    operation: &str,
    e: &crate::provider::ProviderError,
) -> Diagnostic {
    let span = ws.config.resources.get(addr).and_then(|r| r.span.clone());
    let mut d = Diagnostic::error(format!("{addr}: {operation} failed: {e}"))
        .at_span(&ws.config.sources, span.as_ref());
    if let Some(h) = &e.hint {
        d = d.with_hint(h.clone());
    }
    d
}
