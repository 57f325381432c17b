//! Creates sent without their answer recorded (`pending_creates` in state): a create whose
//! answer was lost (a reset connection, a killed run) may have been carried out. The plan looks
//! each up by its natural key, so an object zentra created is recorded as created, or deleted
//! when its block is gone, rather than adopted as if someone else had made it.

use std::collections::BTreeMap;

use crate::addr::{Mode, ProviderAddr};
use crate::diag::Diagnostics;
use crate::plan::fingerprint::{self, LiveFingerprints};
use crate::plan::ownership;
use crate::plan::planner::{PlanOptions, ProviderSet, api_error};
use crate::plan::{Action, ResourceChange};
use crate::provider::ReadRequest;
use crate::state::{PendingCreate, StateFile};
use crate::value::Value;
use crate::workspace::Workspace;

/// A create an earlier apply sent without recording its answer, for a resource still
/// configured: when the object is found by its natural key, it is the one that create made, so
/// it is recorded as created by zentra (not adopted). Not found, the create is planned again.
pub(crate) fn recover(change: &mut ResourceChange, pending: &PendingCreate) {
    let Some(adopt) = &mut change.adopt else {
        return;
    };
    adopt.created_by_zentra = true;
    change.reason = Some(format!(
        "an earlier apply asked to create it at {} and its answer was lost; it was created, so \
         it is recorded as created by zentra (removing its block later deletes it)",
        pending.requested_at
    ));
}

/// Creates recorded as sent whose resource is no longer configured (or all of them, for
/// `zentra destroy`): each is looked up by its natural key (one batched read per provider
/// instance). Found, it is what zentra created, so it is deleted, unless its vendor owns it;
/// not found, the record only leaves the state.
pub(crate) async fn leaving(
    ws: &Workspace,
    state: &StateFile,
    providers: &ProviderSet,
    options: &PlanOptions,
    live_fingerprints: &mut LiveFingerprints,
) -> Result<Vec<ResourceChange>, Diagnostics> {
    let leaving: Vec<&PendingCreate> = state
        .pending_creates
        .iter()
        .filter(|p| options.destroy || !ws.config.resources.contains_key(&p.address))
        .filter(|p| state.resource(&p.address).is_none())
        .collect();
    let mut batches: BTreeMap<ProviderAddr, Vec<&PendingCreate>> = BTreeMap::new();
    for p in &leaving {
        batches.entry(p.provider.clone()).or_default().push(p);
    }
    let reads = batches.iter().filter_map(|(paddr, batch)| {
        let provider = providers.get(paddr)?;
        let reqs: Vec<ReadRequest> = batch
            .iter()
            .map(|p| {
                ReadRequest::whole(
                    p.address.type_name.clone(),
                    Mode::Managed,
                    None,
                    Value::from_json(&p.attributes),
                )
            })
            .collect();
        Some(async move { (batch, provider.read(&reqs).await) })
    });
    let mut changes = Vec::new();
    let mut errors = Diagnostics::default();
    for (batch, results) in futures::future::join_all(reads).await {
        for (pending, result) in batch.iter().zip(results) {
            let found = match result {
                Ok(found) => found,
                Err(e) => {
                    errors.push(api_error(ws, &pending.address, "read", &e));
                    continue;
                }
            };
            live_fingerprints.insert(
                pending.address.to_string(),
                fingerprint::identity(found.as_ref()),
            );
            let attributes = Value::from_json(&pending.attributes);
            let vendor = ownership::vendor_owned(
                ws,
                &pending.provider,
                &pending.address.type_name,
                &attributes,
                found.as_ref(),
            );
            let (action, reason) = match (&found, vendor) {
                (None, _) => (
                    Action::Forget,
                    "an earlier apply asked to create it and its answer was lost; it was not \
                     created, so the record only leaves the state"
                        .to_string(),
                ),
                (Some(_), Some(why)) => (Action::Forget, ownership::never_deleted(&why)),
                (Some(_), None) => (
                    Action::Delete,
                    "removed from configuration; an earlier apply created it (its answer was \
                     lost), so zentra deletes it"
                        .to_string(),
                ),
            };
            changes.push(ResourceChange {
                address: pending.address.clone(),
                provider: pending.provider.clone(),
                action,
                id: found.map(|f| f.id),
                reason: Some(reason),
                attributes: Vec::new(),
                object_drift: None,
                adopt: None,
                keep_existing: false,
                read_during_apply: false,
                create_before_destroy: false,
            });
        }
    }
    errors.into_result()?;
    changes.sort_by(|a, b| a.address.cmp(&b.address));
    Ok(changes)
}
