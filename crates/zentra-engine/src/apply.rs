//! Apply: make live match a plan, each resource as soon as what it depends on is applied (with
//! bounded parallelism per provider instance), recording each completed resource in state as it
//! completes (so an interrupted or failed apply loses nothing; see [`StateSaver`] for how writes
//! keep pace with a large state), then re-reading what changed to report anything that did not
//! converge.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::{FutureExt, StreamExt};

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
    result: Result<Applied, Failure>,
    desired: Value,
    elapsed: Duration,
    /// For a replacement that creates first: the entry of the object it replaces, deposed
    /// before the create went out.
    deposed: Option<ResourceState>,
}

/// Why applying one resource failed.
struct Failure {
    diagnostic: Diagnostic,
    /// The service refused the create of a replacement outright: no new object exists, so the
    /// object deposed for it is current again.
    create_refused: bool,
}

impl From<Diagnostic> for Failure {
    fn from(diagnostic: Diagnostic) -> Self {
        Failure {
            diagnostic,
            create_refused: false,
        }
    }
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
    let PlannedRun {
        plan, live, values, ..
    } = run;
    let mut applier = Applier {
        ws,
        providers,
        options,
        observer,
        changes: plan
            .changes
            .iter()
            .map(|c| (c.address.clone(), c.clone()))
            .collect(),
        // What was sensitive before this run: a live value that did not take may still be it.
        was_sensitive: state
            .resources
            .iter()
            .map(|r| (r.address.clone(), r.sensitive_paths.clone()))
            .collect(),
        saver: StateSaver::new(store),
        report: ApplyReport::default(),
        live,
        values,
        touched: Vec::new(),
        deposed_now: Vec::new(),
    };
    let finished = applier.change(&plan, state).await;
    // Whatever stopped the run, what completed is written before it ends.
    if let Err(d) = applier.saver.flush(state) {
        applier.report.errors.push(d);
        applier.report.state_unsaved = true;
    }
    if finished.is_ok() {
        applier.conclude(plan.destroy).await;
    }
    applier.report
}

/// Why a phase stopped the run early; the report already says what happened.
struct Stopped;

type Step = Result<(), Stopped>;

/// A resource ready to be applied: its dependencies are.
struct Op<'a> {
    addr: ResourceAddr,
    action: Action,
    schema: &'a ResourceSchema,
    desired: Value,
    prior: Option<RemoteObject>,
    entry: Option<ResourceState>,
    decision: Decision,
}

impl Op<'_> {
    /// A create: state records its request before it goes out.
    fn needs_pending_record(&self) -> bool {
        self.schema.kind == ResourceKind::Object
            && (self.prior.is_none() || self.decision.create_before_destroy)
    }
}

/// What a resource whose dependencies are applied comes to.
enum Prepared<'a> {
    /// Nothing to write (no change, a data source, a manual step): what depends on it may start.
    Nothing,
    /// It cannot be applied (the report says why): what depends on it does not start.
    Failed,
    /// An operation to run.
    Op(Box<Op<'a>>),
}

/// Which resources may start: those whose dependencies are all applied, in the order of the
/// dependency waves among those that became ready together.
struct Schedule<'d> {
    /// How many of each resource's dependencies are not applied yet.
    unmet: HashMap<&'d ResourceAddr, usize>,
    dependents: HashMap<&'d ResourceAddr, Vec<&'d ResourceAddr>>,
    ready: std::collections::VecDeque<&'d ResourceAddr>,
    /// Each resource's dependency wave: how long the longest chain leading up to it is.
    levels: HashMap<&'d ResourceAddr, usize>,
}

impl<'d> Schedule<'d> {
    fn new(deps: &'d crate::deps::Dependencies) -> Self {
        let nodes: std::collections::HashSet<&ResourceAddr> = deps.waves.iter().flatten().collect();
        let mut unmet = HashMap::with_capacity(nodes.len());
        let mut dependents: HashMap<&ResourceAddr, Vec<&ResourceAddr>> = HashMap::new();
        let mut ready = std::collections::VecDeque::new();
        for addr in deps.waves.iter().flatten() {
            let mut count = 0;
            for dep in deps.dependencies.get(addr).into_iter().flatten() {
                if let Some(dep) = nodes.get(dep) {
                    dependents.entry(*dep).or_default().push(addr);
                    count += 1;
                }
            }
            if count == 0 {
                ready.push_back(addr);
            } else {
                unmet.insert(addr, count);
            }
        }
        let levels = deps
            .waves
            .iter()
            .enumerate()
            .flat_map(|(level, wave)| wave.iter().map(move |addr| (addr, level)))
            .collect();
        Schedule {
            unmet,
            dependents,
            ready,
            levels,
        }
    }

    fn level(&self, addr: &ResourceAddr) -> usize {
        self.levels.get(addr).copied().unwrap_or_default()
    }

    fn next_ready(&mut self) -> Option<ResourceAddr> {
        self.ready.pop_front().cloned()
    }

    /// `addr` is applied: what waited only for it becomes ready.
    fn applied(&mut self, addr: &ResourceAddr) {
        for dependent in self.dependents.remove(addr).unwrap_or_default() {
            if let Some(count) = self.unmet.get_mut(dependent) {
                *count -= 1;
                if *count == 0 {
                    self.unmet.remove(dependent);
                    self.ready.push_back(dependent);
                }
            }
        }
    }
}

/// What every running operation shares.
#[derive(Clone, Copy)]
struct OpContext<'r> {
    ws: &'r Workspace,
    providers: &'r ProviderSet,
    options: &'r ApplyOptions,
    observer: &'r dyn ApplyObserver,
    creator: &'r str,
    /// Operations in flight at once across all provider instances.
    slots: &'r Arc<tokio::sync::Semaphore>,
}

/// Operations waiting for their provider instance's lane (at most `parallelism` of each
/// instance's run at once), the deepest in the dependency graph first: an operation that
/// others led up to goes before new chains start, so different kinds of operation (a group's
/// settings, the next group's create) and the vendors' separate budgets for them overlap.
struct Lanes<'a> {
    parallelism: usize,
    lanes: HashMap<&'a crate::addr::ProviderAddr, Lane<'a>>,
    queued: u64,
}

#[derive(Default)]
struct Lane<'a> {
    running: usize,
    waiting: std::collections::BinaryHeap<Queued<'a>>,
}

/// An operation in its lane, ordered by dependency level, then first come first served.
struct Queued<'a> {
    level: usize,
    order: std::cmp::Reverse<u64>,
    op: Box<Op<'a>>,
}

impl PartialEq for Queued<'_> {
    fn eq(&self, other: &Self) -> bool {
        (self.level, self.order) == (other.level, other.order)
    }
}

impl Eq for Queued<'_> {}

impl PartialOrd for Queued<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Queued<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.level, self.order).cmp(&(other.level, other.order))
    }
}

impl<'a> Lanes<'a> {
    fn new(parallelism: usize) -> Self {
        Lanes {
            parallelism: parallelism.max(1),
            lanes: HashMap::new(),
            queued: 0,
        }
    }

    fn queue(&mut self, ws: &'a Workspace, level: usize, op: Op<'a>) {
        self.queued += 1;
        self.lanes
            .entry(&ws.config.resources[&op.addr].provider)
            .or_default()
            .waiting
            .push(Queued {
                level,
                order: std::cmp::Reverse(self.queued),
                op: Box::new(op),
            });
    }

    /// The operations that may start now.
    fn start(&mut self) -> Vec<Op<'a>> {
        let mut starting = Vec::new();
        for lane in self.lanes.values_mut() {
            while lane.running < self.parallelism {
                let Some(next) = lane.waiting.pop() else {
                    break;
                };
                lane.running += 1;
                starting.push(*next.op);
            }
        }
        starting
    }

    /// An operation of `addr`'s provider instance ended (or never started).
    fn finished(&mut self, ws: &Workspace, addr: &ResourceAddr) {
        if let Some(lane) = self.lanes.get_mut(&ws.config.resources[addr].provider) {
            lane.running = lane.running.saturating_sub(1);
        }
    }

    /// What waited in a lane when the run stopped.
    fn never_started(&mut self) -> Vec<NotStarted> {
        self.lanes
            .values_mut()
            .flat_map(|lane| lane.waiting.drain().map(|q| NotStarted::from(*q.op)))
            .collect()
    }
}

/// An operation that the run's interruption kept from starting.
struct NotStarted {
    addr: ResourceAddr,
    /// For a replacement that creates first: the entry deposed for it, current again.
    deposed: Option<ResourceState>,
}

impl From<Op<'_>> for NotStarted {
    fn from(op: Op<'_>) -> Self {
        NotStarted {
            deposed: op.entry.filter(|_| op.decision.create_before_destroy),
            addr: op.addr,
        }
    }
}

/// Runs one operation, within the limit of operations in flight at once; `Err` when the run
/// was interrupted before it started.
async fn run_op<'r>(context: OpContext<'r>, op: Op<'r>) -> Result<Outcome, NotStarted> {
    let _slot = context.slots.clone().acquire_owned().await;
    // Interrupted: what has not started yet does not start.
    if context.options.interrupted.load(Ordering::SeqCst) {
        return Err(NotStarted::from(op));
    }
    let started = Instant::now();
    let result = apply_one(
        context.ws,
        context.providers,
        &op.addr,
        &op.decision,
        op.prior.as_ref(),
        context.creator,
        context.observer,
    )
    .await;
    Ok(Outcome {
        addr: op.addr,
        action: op.action,
        result,
        desired: op.desired,
        elapsed: started.elapsed(),
        deposed: op.entry.filter(|_| op.decision.create_before_destroy),
    })
}

/// One apply run: what it works from, and what it has done so far.
struct Applier<'a> {
    ws: &'a Workspace,
    providers: &'a ProviderSet,
    options: &'a ApplyOptions,
    observer: &'a dyn ApplyObserver,
    changes: HashMap<ResourceAddr, ResourceChange>,
    was_sensitive: HashMap<ResourceAddr, Vec<String>>,
    saver: StateSaver<'a>,
    report: ApplyReport,
    /// What live holds, as read while planning and as written since.
    live: HashMap<ResourceAddr, RemoteObject>,
    /// Every resource's value for references, known as its dependencies are applied.
    values: HashMap<ResourceAddr, Value>,
    /// What changed, for the read back at the end.
    touched: Vec<ResourceAddr>,
    /// Objects this run deposed (address and id), in the order their replacements were
    /// created: deleted once everything else is applied.
    deposed_now: Vec<(ResourceAddr, String)>,
}

impl<'a> Applier<'a> {
    /// The phases that write: moves, then deletes and forgets, then creates and updates.
    async fn change(&mut self, plan: &crate::plan::Plan, state: &mut StateFile) -> Step {
        self.move_entries(plan, state)?;
        self.delete_all(plan, state).await?;
        self.forget_all(plan, state)?;
        self.create_and_update(state).await
    }

    /// Writes state now; a failure stops the run.
    fn save(&mut self, state: &mut StateFile) -> Step {
        self.saver.save(state).map_err(|d| self.unsaved(d))
    }

    /// Records that one operation completed (written now or with the next write).
    fn completed(&mut self, state: &mut StateFile) -> Step {
        self.saver.completed(state).map_err(|d| self.unsaved(d))
    }

    fn unsaved(&mut self, d: Diagnostic) -> Stopped {
        self.report.errors.push(d);
        self.report.state_unsaved = true;
        Stopped
    }

    fn interrupted(&mut self) -> bool {
        if self.options.interrupted.load(Ordering::SeqCst) {
            self.report.interrupted = true;
        }
        self.report.interrupted
    }

    /// `moved` blocks: entries take their new addresses before anything else.
    fn move_entries(&mut self, plan: &crate::plan::Plan, state: &mut StateFile) -> Step {
        if plan.moved.is_empty() {
            return Ok(());
        }
        crate::plan::moves::rename(state, &plan.moved);
        self.save(state)
    }

    /// Deletes, dependents first.
    async fn delete_all(&mut self, plan: &crate::plan::Plan, state: &mut StateFile) -> Step {
        // Objects replaced earlier under `create_before_destroy` go first: nothing refers to
        // them any more.
        for d in &plan.deposed {
            if self.interrupted() {
                return Err(Stopped);
            }
            if d.action == Action::Delete {
                self.delete_deposed(&d.address, &d.id, state).await?;
            } else if state.remove_deposed(&d.address, &d.id).is_some() {
                self.completed(state)?;
                self.report
                    .completed
                    .push((d.address.clone(), Action::Forget));
            }
        }
        for round in delete_rounds(&plan.changes, state) {
            if self.interrupted() {
                return Err(Stopped);
            }
            self.delete_round(&round, state).await?;
        }
        Ok(())
    }

    /// Deletes what one round holds (nothing in it depends on another of it): each provider
    /// instance `parallelism` at a time, instances side by side. The first failure stops new
    /// deletes from starting; those in flight finish and are recorded.
    async fn delete_round(&mut self, round: &[ResourceAddr], state: &mut StateFile) -> Step {
        let mut by_provider: HashMap<
            crate::addr::ProviderAddr,
            Vec<(ResourceAddr, ResourceState)>,
        > = HashMap::new();
        for addr in round {
            let change = &self.changes[addr];
            // An object whose create was sent but whose answer was lost is known by the
            // create's record and the id the plan found it under.
            let entry = match (state.resource(addr), state.pending_create(addr), &change.id) {
                (Some(entry), _, _) => entry.clone(),
                (None, Some(pending), Some(id)) => pending.created_entry(id),
                _ => continue,
            };
            // The plan never deletes what its vendor owns; this holds even if it were asked to.
            if let Some(why) = ownership::vendor_owned(
                self.ws,
                &entry.provider,
                &addr.type_name,
                &Value::from_json(&entry.attributes),
                self.live.get(addr),
            ) {
                self.report.errors.push(
                    Diagnostic::error(format!("{addr}: refusing to delete it: {why}")).with_hint(
                        "nothing was deleted; run `zentra plan` to see the current plan",
                    ),
                );
                return Err(Stopped);
            }
            by_provider
                .entry(entry.provider.clone())
                .or_default()
                .push((addr.clone(), entry));
        }
        let (ws, providers, observer) = (self.ws, self.providers, self.observer);
        let interrupted = &self.options.interrupted;
        let stop = AtomicBool::new(false);
        let parallelism = self.options.parallelism.max(1);
        let delete = |(addr, entry): (ResourceAddr, ResourceState)| {
            let stop = &stop;
            async move {
                if stop.load(Ordering::SeqCst) || interrupted.load(Ordering::SeqCst) {
                    return None;
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
                if result.is_err() {
                    stop.store(true, Ordering::SeqCst);
                }
                Some((addr, result))
            }
        };
        let mut outcomes = futures::stream::iter(by_provider.into_values())
            .map(|batch| {
                futures::stream::iter(batch)
                    .map(delete)
                    .buffer_unordered(parallelism)
            })
            .flatten_unordered((MAX_IN_FLIGHT / parallelism).max(1));
        let mut unsaved = None;
        while let Some(outcome) = outcomes.next().await {
            let Some((addr, result)) = outcome else {
                continue;
            };
            if let Err(d) = result {
                self.report.errors.push(d);
                continue;
            }
            state.remove(&addr);
            state.remove_pending_create(&addr);
            let action = self.changes[&addr].action;
            self.report.completed.push((addr, action));
            if let Err(d) = self.saver.completed(state) {
                stop.store(true, Ordering::SeqCst);
                unsaved.get_or_insert(d);
            }
        }
        drop(outcomes);
        if let Some(d) = unsaved {
            return Err(self.unsaved(d));
        }
        if stop.load(Ordering::SeqCst) || self.interrupted() {
            return Err(Stopped);
        }
        Ok(())
    }

    /// Deletes the object `id` that a replacement of `addr` under `create_before_destroy`
    /// deposed; a failure leaves it in state, for the next apply to delete.
    async fn delete_deposed(
        &mut self,
        addr: &ResourceAddr,
        id: &str,
        state: &mut StateFile,
    ) -> Step {
        let Some(deposed) = state
            .deposed
            .iter()
            .find(|d| &d.address == addr && d.id == id)
            .cloned()
        else {
            return Ok(());
        };
        let attributes = Value::from_json(&deposed.attributes);
        if let Some(why) = ownership::vendor_owned(
            self.ws,
            &deposed.provider,
            &addr.type_name,
            &attributes,
            None,
        ) {
            self.report.errors.push(
                Diagnostic::error(format!(
                    "{addr}: refusing to delete its deposed object {id}: {why}"
                ))
                .with_hint("nothing was deleted; run `zentra plan` to see the current plan"),
            );
            return Err(Stopped);
        }
        let started = Instant::now();
        self.observer.started(addr, Action::Delete);
        let operation = format!("delete of the object it replaced ({id})");
        let result = match self.providers.get(&deposed.provider) {
            Some(p) => p
                .delete(&WriteRequest {
                    type_name: addr.type_name.clone(),
                    id: Some(id.to_string()),
                    config: attributes,
                    prior: None,
                    changed_paths: Vec::new(),
                    creator: None,
                })
                .await
                .map_err(|e| api_error(self.ws, addr, &operation, &e)),
            None => Err(Diagnostic::error(format!(
                "{addr}: provider `{}` is not configured",
                deposed.provider
            ))),
        };
        self.observer.finished(
            addr,
            Action::Delete,
            started.elapsed(),
            result.as_ref().err(),
        );
        if let Err(d) = result {
            self.report.errors.push(d.with_detail(format!(
                "state records {id} as a deposed object of `{addr}`: the next `zentra plan` \
                 shows its delete, and `zentra apply` carries it out"
            )));
            return Err(Stopped);
        }
        state.remove_deposed(addr, id);
        self.completed(state)?;
        self.report.completed.push((addr.clone(), Action::Delete));
        Ok(())
    }

    /// Deletes the objects this run deposed, once their replacements and everything that
    /// refers to them are applied: the last created first.
    async fn delete_deposed_now(&mut self, state: &mut StateFile) -> Step {
        let deposed = std::mem::take(&mut self.deposed_now);
        for (addr, id) in deposed.iter().rev() {
            if self.interrupted() {
                return Err(Stopped);
            }
            // A failed delete is reported and leaves its object deposed; the others go on.
            if self.delete_deposed(addr, id, state).await.is_err() && self.report.state_unsaved {
                return Err(Stopped);
            }
        }
        Ok(())
    }

    /// Resources that leave management without their objects being touched.
    fn forget_all(&mut self, plan: &crate::plan::Plan, state: &mut StateFile) -> Step {
        let forgets: Vec<&ResourceChange> = plan
            .changes
            .iter()
            .filter(|c| c.action == Action::Forget)
            .collect();
        if forgets.is_empty() {
            return Ok(());
        }
        for c in &forgets {
            state.remove(&c.address);
            state.remove_pending_create(&c.address);
            self.report
                .completed
                .push((c.address.clone(), Action::Forget));
        }
        self.save(state)
    }

    /// Creates and updates, each as soon as everything it depends on is applied: a resource
    /// never waits for unrelated ones, so different kinds of operation (and the vendors'
    /// separate budgets for them) overlap. A resource that fails holds back only what depends
    /// on it.
    async fn create_and_update(&mut self, state: &mut StateFile) -> Step {
        // Keys unknown when planning are known now: a second resource that turns out to manage
        // the object of a first is refused before it writes anything.
        let mut keys = NaturalKeys::default();
        let creator = state.lineage.clone();
        let ws = self.ws;
        let mut schedule = Schedule::new(&ws.deps);
        let slots = Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT));
        let mut lanes = Lanes::new(self.options.parallelism);
        let context = OpContext {
            ws,
            providers: self.providers,
            options: self.options,
            observer: self.observer,
            creator: &creator,
            slots: &slots,
        };
        let mut in_flight = futures::stream::FuturesUnordered::new();
        // Creates wait here for the record of their request, written for several at once.
        let mut held: Vec<Op<'a>> = Vec::new();
        let mut not_started = Vec::new();
        loop {
            if !self.interrupted() {
                let mut ready = Vec::new();
                while let Some(addr) = schedule.next_ready() {
                    match self.prepare(&addr, state, &mut keys).await {
                        Prepared::Nothing => schedule.applied(&addr),
                        Prepared::Failed => {}
                        Prepared::Op(op) => ready.push(*op),
                    }
                }
                // Of two resources found to manage one object, neither is written (unless the
                // first was already, before the second's key was known).
                for op in ready.into_iter().filter(|op| !keys.clashed(&op.addr)) {
                    if op.needs_pending_record() {
                        held.push(op);
                    } else {
                        lanes.queue(ws, schedule.level(&op.addr), op);
                    }
                }
                held.retain(|op| !keys.clashed(&op.addr));
                if !held.is_empty() && (in_flight.is_empty() || self.saver.write_due()) {
                    self.record_pending_creates(&held, state)?;
                    for op in held.drain(..) {
                        lanes.queue(ws, schedule.level(&op.addr), op);
                    }
                }
                for op in lanes.start() {
                    in_flight.push(run_op(context, op));
                }
            }
            // Wait for an operation to finish, or, with creates held, for their record to be
            // due: they must not wait for an unrelated slow operation.
            let first = if held.is_empty() || self.report.interrupted {
                in_flight.next().await
            } else {
                tokio::select! {
                    outcome = in_flight.next() => outcome,
                    () = tokio::time::sleep(self.saver.until_write_due()) => continue,
                }
            };
            let Some(first) = first else {
                break;
            };
            // Everything else that has finished meanwhile is recorded with it.
            let mut outcomes = vec![first];
            while let Some(Some(outcome)) = in_flight.next().now_or_never() {
                outcomes.push(outcome);
            }
            for outcome in outcomes {
                lanes.finished(ws, outcome.as_ref().map_or_else(|n| &n.addr, |o| &o.addr));
                match outcome {
                    Ok(outcome) => {
                        let addr = outcome.addr.clone();
                        let succeeded = outcome.result.is_ok();
                        self.record_outcome(outcome, state)?;
                        if succeeded {
                            schedule.applied(&addr);
                        }
                    }
                    Err(never) => not_started.push(never),
                }
            }
        }
        drop(in_flight);
        not_started.extend(lanes.never_started());
        if !not_started.is_empty() {
            // A create that never went out leaves no record to resolve, and the object it was
            // to replace is current again.
            self.report.interrupted = true;
            for never in not_started {
                state.remove_pending_create(&never.addr);
                if let Some(entry) = never.deposed {
                    state.remove_deposed(&never.addr, &entry.id);
                    self.deposed_now
                        .retain(|(a, id)| !(a == &never.addr && id == &entry.id));
                    state.upsert(entry);
                }
            }
            self.save(state)?;
        }
        // A run that failed or was interrupted leaves what it deposed in state: the next plan
        // deletes it.
        if self.report.errors.is_empty() && !self.interrupted() {
            self.delete_deposed_now(state).await?;
        }
        Ok(())
    }

    /// One resource whose dependencies are applied: what it comes to, now that every value it
    /// refers to is known. A data source left to be read while applying is read here.
    async fn prepare(
        &mut self,
        addr: &ResourceAddr,
        state: &StateFile,
        keys: &mut NaturalKeys,
    ) -> Prepared<'a> {
        let ws = self.ws;
        let Some(change) = self.changes.get(addr) else {
            return Prepared::Nothing;
        };
        if change.read_during_apply {
            return self.read_deferred_data(addr).await;
        }
        // Data sources were read while planning; they have no state of their own. What
        // leaves management (`zentra destroy`) was dealt with before.
        if addr.mode == crate::addr::Mode::Data
            || matches!(change.action, Action::Delete | Action::Forget)
        {
            return Prepared::Nothing;
        }
        let action = change.action;
        let schema = ws.schema_for(addr).expect("validated");
        if schema.kind == ResourceKind::Manual {
            // A person does these; only `zentra confirm` records them.
            if action == Action::Manual {
                self.report.manual_pending.push(addr.clone());
            }
            return Prepared::Nothing;
        }
        let desired = match ws.eval_resource(addr, &self.values) {
            Ok(b) => b.value,
            Err(d) => {
                self.report.errors.extend(d);
                return Prepared::Failed;
            }
        };
        if desired.contains_unknown() {
            self.report.errors.push(Diagnostic::error(format!(
                "{addr}: a value it depends on is still unknown after its dependencies were applied"
            )));
            return Prepared::Failed;
        }
        if let Err(d) = keys.check(ws, addr, &desired) {
            self.report.errors.push(d);
            return Prepared::Failed;
        }
        let prior = self.live.get(addr).cloned();
        let entry = state.resource(addr).cloned();
        match decide(
            ws,
            addr,
            action,
            schema,
            &desired,
            prior.as_ref(),
            entry.as_ref(),
        ) {
            Ok(decision) => Prepared::Op(Box::new(Op {
                addr: addr.clone(),
                action,
                schema,
                desired,
                prior,
                entry,
                decision,
            })),
            Err(d) => {
                self.report.errors.push(d);
                Prepared::Failed
            }
        }
    }

    /// A data source the plan left to be read while applying, read now that what it depends
    /// on is applied; resources after it see what it found.
    async fn read_deferred_data(&mut self, addr: &ResourceAddr) -> Prepared<'a> {
        let ws = self.ws;
        let schema = ws.schema_for(addr).expect("validated");
        let arguments = match ws.eval_resource(addr, &self.values) {
            Ok(b) => b.value,
            Err(d) => {
                self.report.errors.extend(d);
                return Prepared::Failed;
            }
        };
        let block = &ws.config.resources[addr];
        if arguments.contains_unknown() {
            self.report.errors.push(Diagnostic::error(format!(
                "{addr}: a value it depends on is still unknown after its dependencies were applied"
            )));
            return Prepared::Failed;
        }
        let Some(provider) = self.providers.get(&block.provider) else {
            self.report.errors.push(Diagnostic::error(format!(
                "{addr}: provider `{}` is not configured",
                block.provider
            )));
            return Prepared::Failed;
        };
        let request =
            ReadRequest::whole(addr.type_name.clone(), addr.mode, None, arguments.clone());
        match provider.read(std::slice::from_ref(&request)).await.pop() {
            Some(Ok(Some(found))) => {
                self.values.insert(
                    addr.clone(),
                    reference_value(schema, &arguments, Some(&found), Action::Read),
                );
                return Prepared::Nothing;
            }
            Some(Err(e)) => self.report.errors.push(api_error(ws, addr, "read", &e)),
            Some(Ok(None)) | None => self.report.errors.push(
                Diagnostic::error(format!("data source `{addr}` found nothing"))
                    .at_span(&ws.config.sources, block.span.as_ref())
                    .with_hint("check the data source's arguments; nothing that depends on it was applied in this run"),
            ),
        }
        Prepared::Failed
    }

    /// Before any create goes out, state records that it is about to: if its answer is lost
    /// (a reset connection, a killed run), the next plan finds the object by its natural key
    /// and knows zentra created it, even if its block was removed meanwhile. A replacement
    /// that creates first deposes the object it replaces in the same write, so that state
    /// knows both objects whatever happens next.
    fn record_pending_creates(&mut self, ops: &[Op<'a>], state: &mut StateFile) -> Step {
        let ws = self.ws;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        for op in ops.iter().filter(|op| op.decision.create_before_destroy) {
            if let Some(deposed) = state.depose(&op.addr, now.clone()) {
                self.deposed_now.push((op.addr.clone(), deposed.id));
            }
        }
        for op in ops.iter().filter(|op| op.needs_pending_record()) {
            state.add_pending_create(PendingCreate {
                address: op.addr.clone(),
                provider: ws.config.resources[&op.addr].provider.clone(),
                attributes: op.desired.to_redacted_json(),
                dependencies: ws
                    .deps
                    .dependencies
                    .get(&op.addr)
                    .map(|d| d.iter().cloned().collect())
                    .unwrap_or_default(),
                requested_at: now.clone(),
            });
        }
        self.save(state)
    }

    /// Records one completed operation in state (and in the values its dependents refer to).
    fn record_outcome(&mut self, outcome: Outcome, state: &mut StateFile) -> Step {
        let ws = self.ws;
        if outcome.action.is_change() {
            self.observer.finished(
                &outcome.addr,
                outcome.action,
                outcome.elapsed,
                outcome.result.as_ref().err().map(|f| &f.diagnostic),
            );
        }
        let applied = match outcome.result {
            Ok(applied) => applied,
            Err(failure) => {
                self.report.errors.push(failure.diagnostic);
                // No replacement was created: the deposed object is current again. When the
                // create's outcome is unknown, both stay recorded (deposed, and the create in
                // flight), for the next plan to resolve.
                if let Some(entry) = outcome.deposed.filter(|_| failure.create_refused) {
                    state.remove_deposed(&outcome.addr, &entry.id);
                    state.remove_pending_create(&outcome.addr);
                    self.deposed_now
                        .retain(|(a, id)| !(a == &outcome.addr && id == &entry.id));
                    state.upsert(entry);
                    self.completed(state)?;
                }
                return Ok(());
            }
        };
        let schema = ws.schema_for(&outcome.addr).expect("validated");
        let obj = applied
            .object
            .or_else(|| self.live.get(&outcome.addr).cloned());
        if let Some(obj) = obj {
            let deps = ws
                .deps
                .dependencies
                .get(&outcome.addr)
                .cloned()
                .unwrap_or_default();
            // Found where an earlier apply's create, whose answer was lost, put it: zentra
            // created it.
            let recovered = self
                .changes
                .get(&outcome.addr)
                .and_then(|c| c.adopt.as_ref())
                .is_some_and(|a| a.created_by_zentra && a.id == obj.id);
            let origin = match schema.kind {
                ResourceKind::Object if applied.created || recovered => Some(Origin::Created),
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
            let changed_state = answered || state.resource(&outcome.addr) != Some(&entry);
            self.values.insert(
                outcome.addr.clone(),
                reference_value(schema, &outcome.desired, Some(&obj), Action::NoOp),
            );
            self.live.insert(outcome.addr.clone(), obj);
            if changed_state {
                state.upsert(entry);
                self.completed(state)?;
            }
        }
        if outcome.action.is_change() {
            self.touched.push(outcome.addr.clone());
            self.report.completed.push((outcome.addr, outcome.action));
        }
        Ok(())
    }

    /// After every write: read back what changed, then `check` blocks and outputs.
    async fn conclude(&mut self, destroy: bool) {
        let report = &mut self.report;
        if report.errors.is_empty() && !report.interrupted {
            report.warnings = verify(
                self.ws,
                self.providers,
                &self.touched,
                &self.values,
                &self.was_sensitive,
            )
            .await;
        }
        if destroy {
            return;
        }
        // `check` blocks against what was applied: a failure is a warning.
        if report.errors.is_empty() && !report.interrupted {
            for check in crate::plan::checks::evaluate(self.ws, &self.values) {
                if check.status == crate::plan::checks::CheckStatus::Fail {
                    for problem in &check.problems {
                        report
                            .failed_checks
                            .push(format!("{} failed after apply: {problem}", check.address()));
                    }
                }
            }
        }
        let ctx = self.ws.eval_context(&self.values);
        for (name, output) in &self.ws.config.outputs {
            if let Ok(v) = ctx.eval(&output.value) {
                report.outputs.insert(
                    name.clone(),
                    crate::plan::OutputValue::of(&v, output.sensitive),
                );
            }
        }
    }
}

/// Writes state as operations complete. While a write is cheap (a small state), every
/// completed operation is written at once; as the state grows and each write costs more,
/// completions are written together, so that no more than about a fifth of the run goes to
/// writing and a large apply stays linear. A run killed between writes loses only the records
/// of the last few operations: a create among them is still known from the record written
/// before it went out (its pending create), and an update or delete is read again by the next
/// plan.
struct StateSaver<'a> {
    store: &'a dyn StateStore,
    /// Operations completed since the last write.
    unsaved: bool,
    last_write_end: Instant,
    last_write_cost: Duration,
}

/// Between two grouped writes, at least this many times the last write's cost goes by.
const WRITE_SPACING: u32 = 4;

impl<'a> StateSaver<'a> {
    fn new(store: &'a dyn StateStore) -> Self {
        StateSaver {
            store,
            unsaved: false,
            last_write_end: Instant::now(),
            last_write_cost: Duration::ZERO,
        }
    }

    /// Writes now.
    fn save(&mut self, state: &mut StateFile) -> Result<(), Diagnostic> {
        let started = Instant::now();
        persist(self.store, state)?;
        self.unsaved = false;
        self.last_write_end = Instant::now();
        self.last_write_cost = self.last_write_end - started;
        Ok(())
    }

    /// One operation completed: written now, or with the next write when writes are costly.
    fn completed(&mut self, state: &mut StateFile) -> Result<(), Diagnostic> {
        if self.write_due() {
            self.save(state)
        } else {
            self.unsaved = true;
            Ok(())
        }
    }

    /// Whether enough time has gone by since the last write for another.
    fn write_due(&self) -> bool {
        self.until_write_due().is_zero()
    }

    /// How long until another write is due.
    fn until_write_due(&self) -> Duration {
        (self.last_write_cost * WRITE_SPACING).saturating_sub(self.last_write_end.elapsed())
    }

    /// Writes what completed since the last write, if anything did.
    fn flush(&mut self, state: &mut StateFile) -> Result<(), Diagnostic> {
        if self.unsaved {
            self.save(state)
        } else {
            Ok(())
        }
    }
}

/// What applying one resource comes to, decided once every value it depends on is known.
struct Decision {
    /// `NoOp` when nothing is written.
    action: Action,
    /// What is written: the configuration without what `ignore_changes` names, once the
    /// object exists.
    desired: Value,
    changed_paths: Vec<String>,
    /// For a replacement: the existing object is left as it is, not deleted.
    keep_existing: bool,
    /// For a replacement: the new object is created first, the old one deposed and deleted
    /// after everything is applied.
    create_before_destroy: bool,
}

/// Recomputes a resource's change now that every reference is known, and refuses what the
/// configuration forbids (`prevent_destroy`, a `create_before_destroy` that cannot work).
fn decide(
    ws: &Workspace,
    addr: &ResourceAddr,
    planned: Action,
    schema: &ResourceSchema,
    desired: &Value,
    prior: Option<&RemoteObject>,
    entry: Option<&ResourceState>,
) -> Result<Decision, Diagnostic> {
    let block = &ws.config.resources[addr];
    let provider_addr = &block.provider;
    // What `ignore_changes` names is neither compared nor written once the object exists.
    let ignored = &block.lifecycle.ignore_changes;
    let desired = if prior.is_some() {
        ignored.strip(desired)
    } else {
        desired.clone()
    };
    let attrs: Vec<_> = diff_attributes(
        &schema.body,
        &desired,
        prior.map(|p| &p.attributes),
        entry.map(|e| &e.attributes),
    )
    .into_iter()
    .filter(|a| prior.is_none() || !ignored.ignores(&a.path))
    .collect();
    let action = match (planned, prior) {
        (Action::Read, _) => Action::NoOp,
        (_, None) => Action::Create,
        (_, Some(_)) if attrs.iter().any(|a| a.forces_replacement) => Action::Replace,
        (_, Some(_)) if attrs.is_empty() => Action::NoOp,
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
            prior.map_or(&desired, |p| &p.attributes),
            prior,
        )
        .is_some());
    let mut create_before_destroy = false;
    if action == Action::Replace && !keep_existing {
        ownership::check_prevent_destroy(ws, addr, entry, Action::Replace)?;
        if let (true, Some(old)) = (block.lifecycle.create_before_destroy, prior) {
            ownership::check_create_before_destroy(ws, addr, &desired, old)?;
            create_before_destroy = true;
        }
    }
    Ok(Decision {
        action,
        desired,
        changed_paths: attrs.into_iter().map(|a| a.path).collect(),
        keep_existing,
        create_before_destroy,
    })
}

async fn apply_one(
    ws: &Workspace,
    providers: &ProviderSet,
    addr: &ResourceAddr,
    decision: &Decision,
    prior: Option<&RemoteObject>,
    creator: &str,
    observer: &dyn ApplyObserver,
) -> Result<Applied, Failure> {
    let action = decision.action;
    if !matches!(action, Action::Create | Action::Update | Action::Replace) {
        return Ok(Applied::default());
    }
    let provider_addr = &ws.config.resources[addr].provider;
    let provider = providers.get(provider_addr).ok_or_else(|| {
        Diagnostic::error(format!(
            "{addr}: provider `{provider_addr}` is not configured"
        ))
    })?;
    observer.started(addr, action);
    let req = WriteRequest {
        type_name: addr.type_name.clone(),
        id: prior.map(|p| p.id.clone()),
        config: decision.desired.clone(),
        prior: prior.map(|p| p.attributes.clone()),
        changed_paths: decision.changed_paths.clone(),
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
        _ if decision.create_before_destroy => {
            // The old object is deposed in state already; it is deleted once everything
            // that may refer to it is applied.
            let create = WriteRequest {
                id: None,
                prior: None,
                ..req
            };
            return match provider.create(&create).await {
                Ok(object) => Ok(Applied {
                    created: !object.ownership.found_existing,
                    object: Some(object),
                }),
                Err(e) => Err(Failure {
                    diagnostic: api_error(ws, addr, "create (for replacement)", &e),
                    // A transport failure may hide a create that was carried out.
                    create_refused: e.kind != crate::provider::ErrorKind::Transport,
                }),
            };
        }
        _ => {
            if !decision.keep_existing {
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
    };
    let object = result?;
    Ok(Applied {
        created: matches!(action, Action::Create | Action::Replace)
            && !object.ownership.found_existing,
        object: Some(object),
    })
}

/// The rounds in which planned deletes run: a resource in a round before anything it depended
/// on, each round in address order.
fn delete_rounds(changes: &[ResourceChange], state: &StateFile) -> Vec<Vec<ResourceAddr>> {
    let mut pending: BTreeSet<&ResourceAddr> = changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| &c.address)
        .collect();
    // For each resource to delete, how many others to delete depend on it (as state recorded
    // when they were applied), and what it depends on among them.
    let index = state.index();
    let mut dependents: HashMap<&ResourceAddr, usize> = HashMap::new();
    let mut depends_on: HashMap<&ResourceAddr, Vec<&ResourceAddr>> = HashMap::new();
    for &addr in &pending {
        let Some(entry) = index.resource(addr) else {
            continue;
        };
        for dep in &entry.dependencies {
            if let Some(&dep) = pending.get(dep)
                && dep != addr
            {
                *dependents.entry(dep).or_default() += 1;
                depends_on.entry(addr).or_default().push(dep);
            }
        }
    }
    let mut rounds = Vec::new();
    while !pending.is_empty() {
        // Those nothing left depends on, in address order; when a cycle leaves none, the first.
        let mut ready: Vec<&ResourceAddr> = pending
            .iter()
            .copied()
            .filter(|a| dependents.get(a).is_none_or(|n| *n == 0))
            .collect();
        if ready.is_empty() {
            ready.extend(pending.first().copied());
        }
        for &a in &ready {
            pending.remove(a);
        }
        for a in &ready {
            for dep in depends_on.remove(a).unwrap_or_default() {
                if let Some(n) = dependents.get_mut(dep) {
                    *n = n.saturating_sub(1);
                }
            }
        }
        rounds.push(ready.into_iter().cloned().collect());
    }
    rounds
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
        // Only what the configuration sets is compared.
        let request = ReadRequest {
            only_configured: true,
            ..ReadRequest::whole(addr.type_name.clone(), addr.mode, id, body.value.clone())
        };
        by_provider
            .entry(provider)
            .or_default()
            .push((addr, request, body.value));
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
