//! Apply: make live match a plan, wave by wave in dependency order with bounded parallelism,
//! recording each completed resource in state at once (so an interrupted or failed apply loses
//! nothing), then re-reading what changed to report anything that did not converge.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;

use crate::addr::ResourceAddr;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::diff::diff_attributes;
use crate::plan::ownership::{self, NaturalKeys};
use crate::plan::planner::{PlannedRun, ProviderSet, api_error, reference_value};
use crate::plan::{Action, ResourceChange, Warning};
use crate::provider::{ReadRequest, RemoteObject, WriteRequest};
use crate::schema::{Attr, AttrType, ResourceKind, ResourceSchema};
use crate::state::{Origin, PendingCreate, ResourceState, StateFile, StateStore};
use crate::value::Value;
use crate::workspace::Workspace;

/// Receives progress events, for the terminal.
pub trait ApplyObserver: Send + Sync {
    fn started(&self, addr: &ResourceAddr, action: Action);
    fn finished(
        &self,
        addr: &ResourceAddr,
        action: Action,
        elapsed: Duration,
        error: Option<&Diagnostic>,
    );
}

/// An observer that ignores everything.
pub struct Silent;

impl ApplyObserver for Silent {
    fn started(&self, _: &ResourceAddr, _: Action) {}
    fn finished(&self, _: &ResourceAddr, _: Action, _: Duration, _: Option<&Diagnostic>) {}
}

/// Operations in flight at once across all provider instances.
const MAX_IN_FLIGHT: usize = 64;

/// How to apply.
#[derive(Clone)]
pub struct ApplyOptions {
    /// How many resources each provider instance (one Zoom account, one tenant) changes at
    /// once; different instances work side by side.
    pub parallelism: usize,
    /// Set (by Ctrl-C) to stop starting new operations; in-flight ones finish and are recorded.
    pub interrupted: Arc<AtomicBool>,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            parallelism: 4,
            interrupted: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// What apply did.
#[derive(Debug, Default)]
pub struct ApplyReport {
    pub completed: Vec<(ResourceAddr, Action)>,
    pub errors: Diagnostics,
    pub warnings: Vec<Warning>,
    pub interrupted: bool,
    /// Manual steps that still wait for a person.
    pub manual_pending: Vec<ResourceAddr>,
    pub outputs: indexmap::IndexMap<String, crate::plan::OutputValue>,
    /// Writing state failed: what the last change did remotely may be missing from it.
    pub state_unsaved: bool,
    /// `check` blocks that failed against what was applied: warnings that do not fail the run.
    pub failed_checks: Vec<String>,
}

struct Outcome {
    addr: ResourceAddr,
    action: Action,
    result: Result<Applied, Diagnostic>,
    desired: Value,
    elapsed: Duration,
}

/// What applying one resource did.
#[derive(Default)]
struct Applied {
    /// The object as written (`None` when nothing was written).
    object: Option<RemoteObject>,
    /// A new object was created (not found existing and taken over).
    created: bool,
}

/// Applies `run` and records the results in `state` through `store`.
pub async fn apply(
    ws: &Workspace,
    run: PlannedRun,
    state: &mut StateFile,
    store: &dyn StateStore,
    providers: &ProviderSet,
    options: &ApplyOptions,
    observer: &dyn ApplyObserver,
) -> ApplyReport {
    let mut report = ApplyReport::default();
    let PlannedRun {
        plan,
        mut live,
        values: planned_values,
        ..
    } = run;
    let changes: HashMap<ResourceAddr, ResourceChange> = plan
        .changes
        .iter()
        .map(|c| (c.address.clone(), c.clone()))
        .collect();
    // What was sensitive before this run: a live value that did not take may still be it.
    let was_sensitive: HashMap<ResourceAddr, Vec<String>> = state
        .resources
        .iter()
        .map(|r| (r.address.clone(), r.sensitive_paths.clone()))
        .collect();

    // 0. `moved` blocks: entries take their new addresses before anything else.
    if !plan.moved.is_empty() {
        crate::plan::moves::rename(state, &plan.moved);
        if let Err(d) = persist(store, state) {
            report.errors.push(d);
            report.state_unsaved = true;
            return report;
        }
    }

    // 1. Deletes, dependents first; and resources that leave management.
    for addr in delete_order(&plan.changes, state) {
        if options.interrupted.load(Ordering::SeqCst) {
            report.interrupted = true;
            return report;
        }
        let change = &changes[&addr];
        // An object whose create was sent but whose answer was lost is known by the create's
        // record and the id the plan found it under.
        let entry = match (
            state.resource(&addr),
            state.pending_create(&addr),
            &change.id,
        ) {
            (Some(entry), _, _) => entry.clone(),
            (None, Some(pending), Some(id)) => pending.created_entry(id),
            _ => continue,
        };
        // The plan never deletes what its vendor owns; this holds even if it were asked to.
        if let Some(why) = ownership::vendor_owned(
            ws,
            &entry.provider,
            &addr.type_name,
            &Value::from_json(&entry.attributes),
            live.get(&addr),
        ) {
            report.errors.push(
                Diagnostic::error(format!("{addr}: refusing to delete it: {why}"))
                    .with_hint("nothing was deleted; run `zentra plan` to see the current plan"),
            );
            return report;
        }
        let started = Instant::now();
        observer.started(&addr, Action::Delete);
        let result = match providers.get(&entry.provider) {
            Some(p) => p
                .delete(&WriteRequest {
                    type_name: addr.type_name.clone(),
                    id: Some(entry.id.clone()),
                    config: Value::from_json(&entry.attributes),
                    prior: None,
                    changed_paths: Vec::new(),
                    creator: None,
                })
                .await
                .map_err(|e| api_error(ws, &addr, "delete", &e)),
            None => Err(Diagnostic::error(format!(
                "{addr}: provider `{}` is not configured",
                entry.provider
            ))),
        };
        observer.finished(
            &addr,
            Action::Delete,
            started.elapsed(),
            result.as_ref().err(),
        );
        match result {
            Ok(()) => {
                state.remove(&addr);
                state.remove_pending_create(&addr);
                if let Err(d) = persist(store, state) {
                    report.errors.push(d);
                    report.state_unsaved = true;
                    return report;
                }
                report.completed.push((addr.clone(), change.action));
            }
            Err(d) => {
                report.errors.push(d);
                return report;
            }
        }
    }
    let forgets: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Forget)
        .collect();
    if !forgets.is_empty() {
        for c in &forgets {
            state.remove(&c.address);
            state.remove_pending_create(&c.address);
            report.completed.push((c.address.clone(), Action::Forget));
        }
        if let Err(d) = persist(store, state) {
            report.errors.push(d);
            report.state_unsaved = true;
            return report;
        }
    }

    // 2. Creates and updates, wave by wave.
    let mut values = planned_values;
    let mut touched: Vec<ResourceAddr> = Vec::new();
    // Keys unknown when planning are known now: two resources that turn out to manage one
    // object are refused before their wave writes anything.
    let mut keys = NaturalKeys::default();
    let creator = state.lineage.clone();
    for wave in &ws.deps.waves {
        if options.interrupted.load(Ordering::SeqCst) {
            report.interrupted = true;
            break;
        }
        let mut ops = Vec::new();
        for addr in wave {
            let Some(change) = changes.get(addr) else {
                continue;
            };
            // Data sources were read while planning; they have no state of their own. What
            // leaves management (`zentra destroy`) was dealt with above.
            if addr.mode == crate::addr::Mode::Data
                || matches!(change.action, Action::Delete | Action::Forget)
            {
                continue;
            }
            let schema = ws.schema_for(addr).expect("validated");
            if schema.kind == crate::schema::ResourceKind::Manual {
                // A person does these; only `zentra confirm` records them.
                if change.action == Action::Manual {
                    report.manual_pending.push(addr.clone());
                }
                continue;
            }
            let desired = match ws.eval_resource(addr, &values) {
                Ok(b) => b.value,
                Err(d) => {
                    report.errors.extend(d);
                    continue;
                }
            };
            if desired.contains_unknown() {
                report.errors.push(Diagnostic::error(format!(
                    "{addr}: a value it depends on is still unknown after its dependencies were applied"
                )));
                continue;
            }
            if let Err(d) = keys.check(ws, addr, &desired) {
                report.errors.push(d);
                continue;
            }
            let prior = live.get(addr).cloned();
            let entry = state.resource(addr).cloned();
            ops.push((addr.clone(), change.action, schema, desired, prior, entry));
        }
        if !report.errors.is_empty() {
            break;
        }
        // Before any create goes out, state records that it is about to: if its answer is lost
        // (a reset connection, a killed run), the next plan finds the object by its natural key
        // and knows zentra created it, even if its block was removed meanwhile.
        let creates: Vec<PendingCreate> = ops
            .iter()
            .filter(|(_, _, schema, _, prior, _)| {
                schema.kind == ResourceKind::Object && prior.is_none()
            })
            .map(|(addr, _, _, desired, _, _)| PendingCreate {
                address: addr.clone(),
                provider: ws.config.resources[addr].provider.clone(),
                attributes: desired.to_redacted_json(),
                dependencies: ws
                    .deps
                    .dependencies
                    .get(addr)
                    .map(|d| d.iter().cloned().collect())
                    .unwrap_or_default(),
                requested_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            })
            .collect();
        if !creates.is_empty() {
            for pending in creates {
                state.add_pending_create(pending);
            }
            if let Err(d) = persist(store, state) {
                report.errors.push(d);
                report.state_unsaved = true;
                return report;
            }
        }
        let limits: HashMap<crate::addr::ProviderAddr, Arc<tokio::sync::Semaphore>> = ops
            .iter()
            .map(|(addr, ..)| {
                (
                    ws.config.resources[addr].provider.clone(),
                    Arc::new(tokio::sync::Semaphore::new(options.parallelism.max(1))),
                )
            })
            .collect();
        let limits = &limits;
        let creator = &creator;
        let mut stream = futures::stream::iter(ops.into_iter().map(
            |(addr, action, schema, desired, prior, entry)| async move {
                let limit = limits[&ws.config.resources[&addr].provider].clone();
                let _permit = limit.acquire_owned().await;
                // Interrupted: what has not started yet does not start.
                if options.interrupted.load(Ordering::SeqCst) {
                    return Err(addr);
                }
                let started = Instant::now();
                let result = apply_one(
                    ws,
                    providers,
                    &addr,
                    action,
                    schema,
                    &desired,
                    prior.as_ref(),
                    entry.as_ref(),
                    creator,
                    observer,
                )
                .await;
                Ok(Outcome {
                    addr,
                    action,
                    result,
                    desired,
                    elapsed: started.elapsed(),
                })
            },
        ))
        .buffer_unordered(MAX_IN_FLIGHT);
        let mut not_started = Vec::new();
        while let Some(outcome) = stream.next().await {
            let outcome = match outcome {
                Ok(outcome) => outcome,
                Err(addr) => {
                    not_started.push(addr);
                    continue;
                }
            };
            if outcome.action.is_change() {
                observer.finished(
                    &outcome.addr,
                    outcome.action,
                    outcome.elapsed,
                    outcome.result.as_ref().err(),
                );
            }
            match outcome.result {
                Ok(applied) => {
                    let schema = ws.schema_for(&outcome.addr).expect("validated");
                    let obj = applied.object.or_else(|| live.get(&outcome.addr).cloned());
                    if let Some(obj) = obj {
                        let deps = ws
                            .deps
                            .dependencies
                            .get(&outcome.addr)
                            .cloned()
                            .unwrap_or_default();
                        // Found where an earlier apply's create, whose answer was lost,
                        // put it: zentra created it.
                        let recovered = changes
                            .get(&outcome.addr)
                            .and_then(|c| c.adopt.as_ref())
                            .is_some_and(|a| a.created_by_zentra && a.id == obj.id);
                        let origin = match schema.kind {
                            ResourceKind::Object if applied.created || recovered => {
                                Some(Origin::Created)
                            }
                            ResourceKind::Object => match state.resource(&outcome.addr) {
                                // Still the object state knows: what it knew of it stands.
                                Some(known) if known.id == obj.id => known.origin,
                                _ => Some(Origin::Adopted),
                            },
                            // Settings and policies existed before zentra and always will.
                            ResourceKind::Singleton => Some(Origin::Adopted),
                            _ => None,
                        };
                        let entry = state_entry(
                            ws,
                            &outcome.addr,
                            schema,
                            &outcome.desired,
                            &obj,
                            deps,
                            origin,
                        );
                        let answered = state.remove_pending_create(&outcome.addr).is_some();
                        let changed_state =
                            answered || state.resource(&outcome.addr) != Some(&entry);
                        values.insert(
                            outcome.addr.clone(),
                            reference_value(schema, &outcome.desired, Some(&obj), Action::NoOp),
                        );
                        live.insert(outcome.addr.clone(), obj);
                        if changed_state {
                            state.upsert(entry);
                            if let Err(d) = persist(store, state) {
                                report.errors.push(d);
                                report.state_unsaved = true;
                                return report;
                            }
                        }
                    }
                    if outcome.action.is_change() {
                        touched.push(outcome.addr.clone());
                        report.completed.push((outcome.addr, outcome.action));
                    }
                }
                Err(d) => report.errors.push(d),
            }
        }
        if !not_started.is_empty() {
            // A create that never went out leaves no record to resolve.
            report.interrupted = true;
            for addr in &not_started {
                state.remove_pending_create(addr);
            }
            if let Err(d) = persist(store, state) {
                report.errors.push(d);
                report.state_unsaved = true;
                return report;
            }
        }
        if !report.errors.is_empty() || report.interrupted {
            break;
        }
    }

    // 3. Verify that what changed converged.
    if report.errors.is_empty() && !report.interrupted {
        report.warnings = verify(ws, providers, &touched, &values, &was_sensitive).await;
    }
    if plan.destroy {
        return report;
    }
    // `check` blocks against what was applied: a failure is a warning.
    if report.errors.is_empty() && !report.interrupted {
        for check in crate::plan::checks::evaluate(ws, &values) {
            if check.status == crate::plan::checks::CheckStatus::Fail {
                for problem in &check.problems {
                    report
                        .failed_checks
                        .push(format!("{} failed after apply: {problem}", check.address()));
                }
            }
        }
    }
    let ctx = ws.eval_context(&values);
    for (name, output) in &ws.config.outputs {
        if let Ok(v) = ctx.eval(&output.value) {
            let sensitive = output.sensitive || v.contains_sensitive();
            report.outputs.insert(
                name.clone(),
                crate::plan::OutputValue {
                    value: if sensitive {
                        serde_json::Value::Null
                    } else {
                        v.to_redacted_json()
                    },
                    sensitive,
                    unknown: v.contains_unknown(),
                },
            );
        }
    }
    report
}

#[allow(clippy::too_many_arguments)]
async fn apply_one(
    ws: &Workspace,
    providers: &ProviderSet,
    addr: &ResourceAddr,
    planned: Action,
    schema: &ResourceSchema,
    desired: &Value,
    prior: Option<&RemoteObject>,
    entry: Option<&ResourceState>,
    creator: &str,
    observer: &dyn ApplyObserver,
) -> Result<Applied, Diagnostic> {
    let provider_addr = &ws.config.resources[addr].provider;
    let provider = providers.get(provider_addr).ok_or_else(|| {
        Diagnostic::error(format!(
            "{addr}: provider `{provider_addr}` is not configured"
        ))
    })?;
    // Recompute the change now that every reference is known; what `ignore_changes` names is
    // neither compared nor written once the object exists.
    let ignored = &ws.config.resources[addr].lifecycle.ignore_changes;
    let stripped;
    let desired = if prior.is_some() {
        stripped = ignored.strip(desired);
        &stripped
    } else {
        desired
    };
    let attrs: Vec<_> = diff_attributes(
        &schema.body,
        desired,
        prior.map(|p| &p.attributes),
        entry.map(|e| &e.attributes),
    )
    .into_iter()
    .filter(|a| prior.is_none() || !ignored.ignores(&a.path))
    .collect();
    let action = match (planned, prior) {
        (Action::Read, _) => return Ok(Applied::default()),
        (_, None) => Action::Create,
        (_, Some(_)) if attrs.iter().any(|a| a.forces_replacement) => Action::Replace,
        (_, Some(_)) if attrs.is_empty() => return Ok(Applied::default()),
        (_, Some(_)) => Action::Update,
    };
    // A replacement deletes the existing object only when zentra created it and its vendor
    // does not own it; otherwise that object is left as it is.
    let keep_existing = action == Action::Replace
        && (entry.is_none_or(|e| {
            !e.created_by_zentra() || Some(e.id.as_str()) != prior.map(|p| p.id.as_str())
        }) || ownership::vendor_owned(
            ws,
            provider_addr,
            &addr.type_name,
            prior.map_or(desired, |p| &p.attributes),
            prior,
        )
        .is_some());
    if action == Action::Replace && !keep_existing {
        ownership::check_prevent_destroy(ws, addr, entry, Action::Replace)?;
    }
    observer.started(addr, action);
    let req = WriteRequest {
        type_name: addr.type_name.clone(),
        id: prior.map(|p| p.id.clone()),
        config: desired.clone(),
        prior: prior.map(|p| p.attributes.clone()),
        changed_paths: attrs.iter().map(|a| a.path.clone()).collect(),
        creator: Some(creator.to_string()),
    };
    let result = match action {
        Action::Create => provider
            .create(&req)
            .await
            .map_err(|e| api_error(ws, addr, "create", &e)),
        Action::Update => provider
            .update(&req)
            .await
            .map_err(|e| api_error(ws, addr, "update", &e)),
        Action::Replace => {
            if !keep_existing {
                provider
                    .delete(&req)
                    .await
                    .map_err(|e| api_error(ws, addr, "delete (for replacement)", &e))?;
            }
            let create = WriteRequest {
                id: None,
                prior: None,
                ..req
            };
            provider
                .create(&create)
                .await
                .map_err(|e| api_error(ws, addr, "create (for replacement)", &e))
        }
        _ => return Ok(Applied::default()),
    };
    let object = result?;
    Ok(Applied {
        created: matches!(action, Action::Create | Action::Replace)
            && !object.ownership.found_existing,
        object: Some(object),
    })
}

/// The order in which planned deletes run: a resource before anything it depended on.
fn delete_order(changes: &[ResourceChange], state: &StateFile) -> Vec<ResourceAddr> {
    let mut pending: BTreeSet<ResourceAddr> = changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| c.address.clone())
        .collect();
    let mut order = Vec::new();
    while !pending.is_empty() {
        let ready: Vec<ResourceAddr> = pending
            .iter()
            .filter(|a| {
                !pending.iter().any(|other| {
                    other != *a
                        && state
                            .resource(other)
                            .is_some_and(|r| r.dependencies.contains(a))
                })
            })
            .cloned()
            .collect();
        let ready = if ready.is_empty() {
            vec![pending.iter().next().cloned().expect("non-empty")]
        } else {
            ready
        };
        for a in ready {
            pending.remove(&a);
            order.push(a);
        }
    }
    order
}

/// The state entry for a resource just applied (or found matching).
fn state_entry(
    ws: &Workspace,
    addr: &ResourceAddr,
    schema: &ResourceSchema,
    desired: &Value,
    obj: &RemoteObject,
    deps: BTreeSet<ResourceAddr>,
    origin: Option<Origin>,
) -> ResourceState {
    let mut sensitive_paths = Vec::new();
    collect_sensitive(&schema.body, desired, "", &mut sensitive_paths);
    let computed: serde_json::Map<String, serde_json::Value> = schema
        .body
        .properties
        .iter()
        .filter(|(_, a)| a.computed && !a.sensitive)
        .filter_map(|(k, _)| Some((k.clone(), obj.attributes.get(k)?.to_redacted_json())))
        .collect();
    ResourceState {
        address: addr.clone(),
        provider: ws.config.resources[addr].provider.clone(),
        id: obj.id.clone(),
        attributes: desired.to_redacted_json(),
        computed: if computed.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::Value::Object(computed)
        },
        sensitive_paths,
        dependencies: deps.into_iter().collect(),
        confirmation: None,
        origin,
        prevent_destroy: ws.config.resources[addr].lifecycle.prevent_destroy,
    }
}

fn collect_sensitive(schema: &Attr, value: &Value, prefix: &str, out: &mut Vec<String>) {
    let Some(map) = value.as_object() else { return };
    let value_sensitive = matches!(value, Value::Sensitive(_));
    for (k, v) in map {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let attr = schema.properties.get(k);
        if value_sensitive || matches!(v, Value::Sensitive(_)) || attr.is_some_and(|a| a.sensitive)
        {
            out.push(path);
        } else if let Some(a) = attr.filter(|a| a.ty == AttrType::Object) {
            collect_sensitive(a, v, &path, out);
        } else if v.contains_sensitive() {
            out.push(path);
        }
    }
}

fn persist(store: &dyn StateStore, state: &mut StateFile) -> Result<(), Diagnostic> {
    store.write(state).map_err(|e| {
        Diagnostic::error(format!("could not save state: {e}"))
            .with_hint("the change was made remotely; fix the state location and run `zentra plan` to re-check")
    })
}

/// Re-reads what was changed and reports attributes that did not take.
async fn verify(
    ws: &Workspace,
    providers: &ProviderSet,
    touched: &[ResourceAddr],
    values: &HashMap<ResourceAddr, Value>,
    was_sensitive: &HashMap<ResourceAddr, Vec<String>>,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let mut by_provider: HashMap<
        &crate::addr::ProviderAddr,
        Vec<(&ResourceAddr, ReadRequest, Value)>,
    > = HashMap::new();
    for addr in touched {
        let Ok(body) = ws.eval_resource(addr, values) else {
            continue;
        };
        let id = values
            .get(addr)
            .and_then(|v| v.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let provider = &ws.config.resources[addr].provider;
        by_provider.entry(provider).or_default().push((
            addr,
            ReadRequest {
                type_name: addr.type_name.clone(),
                mode: addr.mode,
                id,
                config: body.value.clone(),
            },
            body.value,
        ));
    }
    // Every provider instance re-reads its share at the same time.
    let reads = by_provider.iter().filter_map(|(paddr, batch)| {
        let provider = providers.get(paddr)?;
        let reqs: Vec<ReadRequest> = batch.iter().map(|(_, r, _)| r.clone()).collect();
        Some(async move { (batch, provider.read(&reqs).await) })
    });
    for (batch, results) in futures::future::join_all(reads).await {
        for ((addr, _, desired), result) in batch.iter().zip(results) {
            let schema = ws.schema_for(addr).expect("validated");
            match result {
                Ok(Some(obj)) => {
                    let ignored = &ws.config.resources[*addr].lifecycle.ignore_changes;
                    for change in
                        diff_attributes(&schema.body, desired, Some(&obj.attributes), None)
                            .into_iter()
                            .filter(|a| !ignored.ignores(&a.path))
                    {
                        let secret = change.sensitive
                            || was_sensitive.get(*addr).is_some_and(|paths| {
                                crate::plan::once_sensitive::under_any(&change.path, paths)
                            });
                        let shown = |v: &serde_json::Value| {
                            if secret {
                                "(sensitive)".to_string()
                            } else {
                                v.to_string()
                            }
                        };
                        warnings.push(Warning {
                            address: Some((*addr).clone()),
                            message: format!(
                                "`{}` did not converge: wanted {}, the service reports {}",
                                change.path,
                                shown(&change.after),
                                shown(&change.before)
                            ),
                        });
                    }
                }
                Ok(None) => warnings.push(Warning {
                    address: Some((*addr).clone()),
                    message: "could not be read back after apply (it may take a moment to appear)"
                        .into(),
                }),
                Err(e) => warnings.push(Warning {
                    address: Some((*addr).clone()),
                    message: format!("could not be read back after apply: {e}"),
                }),
            }
        }
    }
    warnings
}
