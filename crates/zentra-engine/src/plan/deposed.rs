//! Deposed objects: an object replaced under `lifecycle { create_before_destroy = true }`
//! leaves its resource's entry before its replacement is created, and waits in state to be
//! deleted. One still there when planning (its delete failed, or the run was killed) is read by
//! its id and planned for deletion, whatever the configuration says now.

use std::collections::BTreeMap;

use crate::addr::{Mode, ProviderAddr};
use crate::diag::Diagnostics;
use crate::plan::fingerprint::{self, LiveFingerprints};
use crate::plan::ownership;
use crate::plan::planner::{ProviderSet, api_error};
use crate::plan::{Action, DeposedChange};
use crate::provider::ReadRequest;
use crate::state::{DeposedObject, StateFile};
use crate::value::Value;
use crate::workspace::Workspace;

/// The key under which a deposed object's identity is fingerprinted.
pub fn fingerprint_key(deposed: &DeposedObject) -> String {
    format!("{} (deposed object {})", deposed.address, deposed.id)
}

/// Plans what happens to every deposed object in state (one batched read per provider
/// instance): found, it is deleted, unless its vendor owns it; gone, it only leaves the state.
pub(crate) async fn plan(
    ws: &Workspace,
    state: &StateFile,
    providers: &ProviderSet,
    live_fingerprints: &mut LiveFingerprints,
) -> Result<Vec<DeposedChange>, Diagnostics> {
    let mut batches: BTreeMap<ProviderAddr, Vec<&DeposedObject>> = BTreeMap::new();
    for d in &state.deposed {
        batches.entry(d.provider.clone()).or_default().push(d);
    }
    let reads = batches.iter().filter_map(|(paddr, batch)| {
        let provider = providers.get(paddr)?;
        let reqs: Vec<ReadRequest> = batch
            .iter()
            .map(|d| {
                ReadRequest::whole(
                    d.address.type_name.clone(),
                    Mode::Managed,
                    Some(d.id.clone()),
                    Value::from_json(&d.attributes),
                )
            })
            .collect();
        Some(async move { (batch, provider.read(&reqs).await) })
    });
    let mut changes = Vec::new();
    let mut errors = Diagnostics::default();
    for (batch, results) in futures::future::join_all(reads).await {
        for (deposed, result) in batch.iter().zip(results) {
            let found = match result {
                Ok(found) => found.filter(|f| f.id.eq_ignore_ascii_case(&deposed.id)),
                Err(e) => {
                    errors.push(api_error(ws, &deposed.address, "read", &e));
                    continue;
                }
            };
            live_fingerprints.insert(
                fingerprint_key(deposed),
                fingerprint::identity(found.as_ref()),
            );
            let vendor = ownership::vendor_owned(
                ws,
                &deposed.provider,
                &deposed.address.type_name,
                &Value::from_json(&deposed.attributes),
                found.as_ref(),
            );
            let (action, reason) = match (&found, vendor) {
                (None, _) => (
                    Action::Forget,
                    "replaced under `create_before_destroy` and already deleted: it only leaves \
                     the state"
                        .to_string(),
                ),
                (Some(_), Some(why)) => (Action::Forget, ownership::never_deleted(&why)),
                (Some(_), None) => (
                    Action::Delete,
                    format!(
                        "replaced under `create_before_destroy` at {}; its delete did not \
                         complete, so it is deleted now",
                        deposed.deposed_at
                    ),
                ),
            };
            changes.push(DeposedChange {
                address: deposed.address.clone(),
                provider: deposed.provider.clone(),
                id: deposed.id.clone(),
                action,
                reason,
            });
        }
    }
    errors.into_result()?;
    Ok(changes)
}
