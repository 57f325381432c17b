//! Ownership: what zentra may destroy. zentra deletes only the remote objects it provably
//! created; an object it adopted is only forgotten when its block goes (unless a `removed`
//! block says `destroy = true`), an object its vendor owns is never deleted whatever the
//! configuration or the state say, and `lifecycle { prevent_destroy = true }` fails any plan
//! that would delete or replace its object. Two resources that would manage one remote object
//! are refused, since removing either would pull the object from under the other.
//!
//! The engine knows no vendor: providers say what a resource's natural key is and which objects
//! their vendor owns ([`crate::provider::ProviderType::natural_key`],
//! [`crate::provider::ProviderType::vendor_owned`], [`crate::provider::Ownership`]).

use std::collections::HashMap;

use crate::addr::{ProviderAddr, ResourceAddr};
use crate::diag::{Diagnostic, Span};
use crate::plan::Action;
use crate::provider::RemoteObject;
use crate::schema::ResourceKind;
use crate::state::{Origin, ResourceState};
use crate::value::Value;
use crate::workspace::Workspace;

/// Why the vendor owns the object a resource stands for, if it does: from what the provider
/// read, else from the attributes alone.
pub fn vendor_owned(
    ws: &Workspace,
    provider: &ProviderAddr,
    type_name: &str,
    attributes: &Value,
    live: Option<&RemoteObject>,
) -> Option<String> {
    live.and_then(|o| o.ownership.vendor_owned.clone())
        .or_else(|| {
            ws.provider_type(&provider.type_name)?
                .vendor_owned(type_name, attributes)
        })
}

/// The words a plan uses for a vendor-owned object.
pub fn never_deleted(why: &str) -> String {
    format!("{why}: zentra never deletes it, it only forgets it")
}

/// What happens to the object of a state entry whose resource leaves management (its block is
/// gone, or `zentra destroy`), and why: `Delete` only when zentra created it (or a `removed`
/// block says `destroy = true`) and its vendor does not own it.
pub fn leaving(
    ws: &Workspace,
    entry: &ResourceState,
    live: Option<&RemoteObject>,
    destroying: bool,
) -> (Action, String) {
    let attributes = Value::from_json(&entry.attributes);
    if let Some(why) = vendor_owned(
        ws,
        &entry.provider,
        &entry.address.type_name,
        &attributes,
        live,
    ) {
        return (Action::Forget, never_deleted(&why));
    }
    let removed = ws
        .config
        .removed
        .iter()
        .find(|r| r.from == entry.address || r.from == entry.address.block());
    // What brings the object to leave management, when the plan says.
    let gone = if destroying {
        ""
    } else {
        "removed from configuration: "
    };
    match removed.map(|r| r.destroy) {
        Some(false) => (
            Action::Forget,
            "a `removed` block says `destroy = false`: it is forgotten and left as it is".into(),
        ),
        Some(true) => (
            Action::Delete,
            "a `removed` block says `destroy = true`: it will be deleted".into(),
        ),
        None if entry.created_by_zentra() => (
            Action::Delete,
            format!("{gone}zentra created it, so it will be deleted"),
        ),
        None => {
            let how = match entry.origin {
                Some(Origin::Adopted) => "zentra adopted it (it existed before)",
                _ => {
                    "it was recorded by an earlier zentra, which did not note whether it created it"
                }
            };
            (
                Action::Forget,
                format!(
                    "{gone}{how}, so it is forgotten, not deleted; to delete it, add \
                     `removed {{ from = {}  lifecycle {{ destroy = true }} }}`",
                    entry.address
                ),
            )
        }
    }
}

/// Refuses deleting (or replacing) a resource protected by `prevent_destroy`: the protection
/// of its block when it has one, else the one state remembers from the last apply.
pub fn check_prevent_destroy(
    ws: &Workspace,
    addr: &ResourceAddr,
    entry: Option<&ResourceState>,
    action: Action,
) -> Result<(), Diagnostic> {
    let verb = match action {
        Action::Delete => "delete",
        Action::Replace => "replace (delete and create again)",
        _ => return Ok(()),
    };
    match ws.config.resources.get(addr) {
        Some(block) if block.lifecycle.prevent_destroy => Err(Diagnostic::error(format!(
            "`{addr}` has `lifecycle {{ prevent_destroy = true }}`, and this plan would {verb} it"
        ))
        .at_span(&ws.config.sources, block.lifecycle.span.as_ref())
        .with_hint(if action == Action::Replace {
            "change the configuration back so that the object can be updated in place, or, if \
             it really should be replaced, set `prevent_destroy = false` first; nothing was \
             changed"
        } else {
            "if it really should be deleted, set `prevent_destroy = false` and apply first; \
             nothing was changed"
        })),
        Some(_) => Ok(()),
        None if entry.is_some_and(|e| e.prevent_destroy) => {
            let removed = ws
                .config
                .removed
                .iter()
                .find(|r| &r.from == addr || r.from == addr.block());
            Err(Diagnostic::error(format!(
                "`{addr}` was last applied with `lifecycle {{ prevent_destroy = true }}`: its block \
                 is gone, and this plan would {verb} it"
            ))
            .at_span(&ws.config.sources, removed.and_then(|r| r.span.as_ref()))
            .with_hint(format!(
                "to keep the object and stop managing it, add `removed {{ from = {addr}  \
                 lifecycle {{ destroy = false }} }}`; to delete it, put its block back with \
                 `prevent_destroy = false`, apply, then remove the block; nothing was changed"
            )))
        }
        None => Ok(()),
    }
}

/// Refuses a replacement under `lifecycle { create_before_destroy = true }` whose new object
/// would have the natural key of the object it replaces (a group's name, a grant's client,
/// resource and user): the service keeps one object per key, so the new one cannot be created
/// while the old one exists. A key not known yet is checked again when applying.
pub fn check_create_before_destroy(
    ws: &Workspace,
    addr: &ResourceAddr,
    desired: &Value,
    old: &RemoteObject,
) -> Result<(), Diagnostic> {
    let Some(block) = ws.config.resources.get(addr) else {
        return Ok(());
    };
    let Some(provider) = ws.provider_type(&block.provider.type_name) else {
        return Ok(());
    };
    let (Some(new_key), Some(old_key)) = (
        provider.natural_key(&addr.type_name, desired),
        provider.natural_key(&addr.type_name, &old.attributes),
    ) else {
        return Ok(());
    };
    if new_key != old_key {
        return Ok(());
    }
    let span = block
        .lifecycle
        .create_before_destroy_span
        .as_ref()
        .or(block.lifecycle.span.as_ref());
    Err(Diagnostic::error(format!(
        "`create_before_destroy` cannot create `{addr}` while the object it replaces ({}) \
         exists: they share its natural key ({} {new_key})",
        old.id, addr.type_name
    ))
    .at_span(&ws.config.sources, span)
    .with_hint(
        "set `create_before_destroy = false` to delete the old object before the new one is \
         created; nothing was changed",
    ))
}

/// The natural keys seen so far in one run, per provider instance and resource type, to
/// refuse two resources that would manage one remote object.
#[derive(Default)]
pub struct NaturalKeys {
    seen: HashMap<(ProviderAddr, String, String), ResourceAddr>,
    /// Both resources of every clash found.
    clashed: std::collections::HashSet<ResourceAddr>,
}

impl NaturalKeys {
    /// Whether `addr` was found to manage the same object as another resource.
    pub fn clashed(&self, addr: &ResourceAddr) -> bool {
        self.clashed.contains(addr)
    }

    /// Records `addr`'s key, when it is known; refuses a key another resource already has.
    pub fn check(
        &mut self,
        ws: &Workspace,
        addr: &ResourceAddr,
        desired: &Value,
    ) -> Result<(), Diagnostic> {
        let Some(block) = ws.config.resources.get(addr) else {
            return Ok(());
        };
        let kind = ws.schema_for(addr).map(|s| s.kind);
        if !matches!(kind, Some(ResourceKind::Object | ResourceKind::Singleton)) {
            return Ok(());
        }
        let Some(key) = ws
            .provider_type(&block.provider.type_name)
            .and_then(|p| p.natural_key(&addr.type_name, desired))
        else {
            return Ok(());
        };
        let slot = (block.provider.clone(), addr.type_name.clone(), key.clone());
        let Some(other) = self.seen.get(&slot) else {
            self.seen.insert(slot, addr.clone());
            return Ok(());
        };
        if other == addr {
            return Ok(());
        }
        self.clashed.insert(other.clone());
        self.clashed.insert(addr.clone());
        let other = &self.seen[&slot];
        let (first, second) =
            if ws.config.resources.get_index_of(other) < ws.config.resources.get_index_of(addr) {
                (other, addr)
            } else {
                (addr, other)
            };
        let at = |a: &ResourceAddr| -> String {
            ws.config.resources[a]
                .span
                .as_ref()
                .map(|s: &Span| {
                    let l = ws.config.sources.locate(s);
                    format!("{}:{}:{}", l.file, l.line, l.column)
                })
                .unwrap_or_else(|| "an unknown place".into())
        };
        let hint = if kind == Some(ResourceKind::Singleton) {
            "merge the two blocks into one: they manage the same settings, and two blocks would \
             overwrite each other's changes"
        } else {
            "keep one block for the object: remove the other, or point it at another object"
        };
        let provider = if block.provider.alias.is_some() {
            format!(" of provider `{}`", block.provider)
        } else {
            String::new()
        };
        Err(Diagnostic::error(format!(
            "`{first}` and `{second}` manage the same remote object ({} {key}{provider})",
            addr.type_name
        ))
        .at_span(
            &ws.config.sources,
            ws.config.resources[second].span.as_ref(),
        )
        .with_detail(format!(
            "`{first}` is declared at {}, `{second}` at {}",
            at(first),
            at(second)
        ))
        .with_hint(hint))
    }
}
