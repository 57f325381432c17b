//! Module instances laid out as resources: every module block is expanded into its instances
//! (`module.tenant["contoso"]`, by `for_each` or `count`, evaluated in the calling module), and
//! each instance's resources join the configuration's with the instance's path in their address
//! and the provider the calling modules passed in, so that expansion, dependencies, planning,
//! applying and state work on them as on any other resource.

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::addr::{InstanceKey, ModuleStep, ProviderAddr, ResourceAddr};
use crate::config::{Config, ModuleInstance, Repetition, ResourceBlock};
use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::env::Environment;
use crate::eval::{EvalContext, module_display};
use crate::expand::{Expansion, InstanceBinding, Retry, bindings};
use crate::value::Value;

/// Expands every module block into its instances and adds their resources to
/// `config.resources`. `provider_types` are the names of the providers zentra has.
pub fn expand(
    config: &mut Config,
    env: &Environment,
    vars: &IndexMap<String, Value>,
    provider_types: &[&str],
) -> Result<(), Diagnostics> {
    if config.module_calls.is_empty() {
        return Ok(());
    }
    let mut diags = Diagnostics::default();
    let mut pending: Vec<(Vec<ModuleStep>, String)> = config
        .module_calls
        .keys()
        .map(|name| (Vec::new(), name.clone()))
        .collect();
    loop {
        type Found = ((Vec<ModuleStep>, String), Option<Vec<InstanceBinding>>);
        let mut found: Vec<Found> = Vec::new();
        let mut waiting: Vec<((Vec<ModuleStep>, String), Diagnostic)> = Vec::new();
        {
            let no_resources = HashMap::new();
            let ctx = EvalContext::new(config, env, vars, &no_resources);
            for (parent, name) in &pending {
                let Some(call) = config
                    .module_scope(parent)
                    .and_then(|s| s.module_calls.get(name))
                else {
                    continue;
                };
                let Some(repetition) = &call.repetition else {
                    found.push(((parent.clone(), name.clone()), None));
                    continue;
                };
                ctx.set_module(parent);
                match bindings(&ctx, repetition) {
                    Ok(list) => found.push(((parent.clone(), name.clone()), Some(list))),
                    Err((d, Retry::Later)) => waiting.push(((parent.clone(), name.clone()), d)),
                    Err((d, Retry::Never)) => diags.push(d),
                }
            }
        }
        let progress = !found.is_empty();
        let mut next: Vec<(Vec<ModuleStep>, String)> = Vec::new();
        for ((parent, name), list) in found {
            let Some(call) = config
                .module_scope(&parent)
                .and_then(|s| s.module_calls.get(&name))
            else {
                continue;
            };
            let children: Vec<String> = call.config.module_calls.keys().cloned().collect();
            let instances: Vec<Option<InstanceBinding>> = match list {
                None => vec![None],
                Some(list) => {
                    let expansion = match call.repetition {
                        Some(Repetition::Count(_)) => Expansion::Count(list.len() as u64),
                        _ => Expansion::Keys(
                            list.iter()
                                .map(|b| match &b.key {
                                    InstanceKey::Name(k) => k.clone(),
                                    InstanceKey::Index(i) => i.to_string(),
                                })
                                .collect(),
                        ),
                    };
                    config
                        .module_expansions
                        .insert((parent.clone(), name.clone()), expansion);
                    list.into_iter().map(Some).collect()
                }
            };
            for binding in instances {
                let mut path = parent.clone();
                path.push(ModuleStep {
                    name: name.clone(),
                    key: binding.as_ref().map(|b| b.key.clone()),
                });
                for child in &children {
                    next.push((path.clone(), child.clone()));
                }
                config
                    .module_instances
                    .insert(path, ModuleInstance { binding });
            }
        }
        pending = waiting.iter().map(|(k, _)| k.clone()).collect();
        pending.extend(next);
        if pending.is_empty() {
            break;
        }
        if !progress {
            for (_, d) in waiting {
                diags.push(d);
            }
            break;
        }
    }
    let mut diags = diags.into_result()?;
    check_provider_passes(config, provider_types, &mut diags);
    let mut added: Vec<ResourceBlock> = Vec::new();
    let mut blocks = AddressBlocks::default();
    for path in config.module_instances.keys() {
        let Some(scope) = config.module_scope(path) else {
            continue;
        };
        blocks.add(scope, path);
        // `depends_on` of the module blocks around this instance: every resource waits.
        let mut around: Vec<(ResourceAddr, Option<crate::diag::Span>)> = Vec::new();
        for depth in 1..=path.len() {
            if let Some(call) = config.module_call(&path[..depth]) {
                for (target, span) in &call.depends_on {
                    around.push((within(target, &path[..depth - 1]), span.clone()));
                }
            }
        }
        for (addr, block) in &scope.resources {
            let provider = match resolve_provider(config, path, &block.provider) {
                Ok(p) => p,
                Err((summary, hint)) => {
                    diags.push(
                        Diagnostic::error(summary)
                            .at_span(&config.sources, block.span.as_ref())
                            .with_hint(hint),
                    );
                    continue;
                }
            };
            let mut block = block.clone();
            block.addr = within(addr, path);
            block.provider = provider;
            block.depends_on = block
                .depends_on
                .iter()
                .map(|(target, span)| (within(target, path), span.clone()))
                .chain(around.iter().cloned())
                .collect();
            added.push(block);
        }
    }
    diags.into_result()?;
    for block in added {
        config.resources.insert(block.addr.clone(), block);
    }
    config.moved.extend(blocks.moved);
    config.removed.extend(blocks.removed);
    config.drift_ignores.extend(blocks.drift_ignores);
    config.checks.extend(blocks.checks);
    Ok(())
}

/// The `moved`, `removed`, `drift_ignore` and `check` blocks of every module instance, with
/// the addresses they name (relative to their module) made whole: a `moved` block in a module
/// called with `count = 3` moves the resource in each of the three instances.
#[derive(Default)]
struct AddressBlocks {
    moved: Vec<crate::config::MovedBlock>,
    removed: Vec<crate::config::RemovedBlock>,
    drift_ignores: Vec<crate::config::DriftIgnore>,
    checks: Vec<crate::config::CheckBlock>,
}

impl AddressBlocks {
    fn add(&mut self, scope: &Config, path: &[ModuleStep]) {
        self.moved
            .extend(scope.moved.iter().map(|m| crate::config::MovedBlock {
                from: nested(&m.from, path),
                to: nested(&m.to, path),
                span: m.span.clone(),
            }));
        self.removed
            .extend(scope.removed.iter().map(|r| crate::config::RemovedBlock {
                from: nested(&r.from, path),
                ..r.clone()
            }));
        self.drift_ignores.extend(
            scope
                .drift_ignores
                .iter()
                .map(|d| crate::config::DriftIgnore {
                    address: nested(&d.address, path),
                    ..d.clone()
                }),
        );
        self.checks
            .extend(scope.checks.iter().map(|c| crate::config::CheckBlock {
                module: path.to_vec(),
                ..c.clone()
            }));
    }
}

/// `addr`, written in the module instance at `path` (possibly naming a resource of a module it
/// calls), as an address of the whole configuration.
fn nested(addr: &ResourceAddr, path: &[ModuleStep]) -> ResourceAddr {
    ResourceAddr {
        module: path.iter().chain(&addr.module).cloned().collect(),
        ..addr.clone()
    }
}

/// `addr`, written in the module instance at `path`, as an address of the whole configuration.
fn within(addr: &ResourceAddr, path: &[ModuleStep]) -> ResourceAddr {
    ResourceAddr {
        module: path.to_vec(),
        ..addr.clone()
    }
}

/// The provider of the root configuration that the provider `local`, as named in the module
/// instance at `path`, stands for: passed in by `providers = { ... }`, or, for an unaliased one
/// when the module block passes none, the calling module's own. `Err` holds what is wrong and
/// what to do.
pub fn resolve_provider(
    config: &Config,
    path: &[ModuleStep],
    local: &ProviderAddr,
) -> Result<ProviderAddr, (String, String)> {
    let mut addr = local.clone();
    let mut path = path;
    while let Some((_, parent)) = path.split_last() {
        let Some(call) = config.module_call(path) else {
            break;
        };
        if let Some(pass) = call.providers.iter().find(|p| p.child == addr) {
            addr = pass.parent.clone();
        } else if !call.providers.is_empty() || addr.alias.is_some() {
            let passed: Vec<String> = call.providers.iter().map(|p| p.child.to_string()).collect();
            // Said once for every instance of the block.
            let block: Vec<ModuleStep> = path
                .iter()
                .map(|s| ModuleStep {
                    name: s.name.clone(),
                    key: None,
                })
                .collect();
            let summary = if passed.is_empty() {
                format!(
                    "provider `{addr}` is not passed to `{}`",
                    module_display(&block)
                )
            } else {
                format!(
                    "provider `{addr}` is not passed to `{}`, whose `providers` names only {}",
                    module_display(&block),
                    passed
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err((
                summary,
                format!(
                    "add `{addr} = {}.ALIAS` to `providers` of the module block `{}`",
                    addr.type_name, call.name
                ),
            ));
        }
        path = parent;
    }
    Ok(addr)
}

/// Every provider named in `providers = { ... }` must exist where the module block is written.
fn check_provider_passes(config: &Config, provider_types: &[&str], diags: &mut Diagnostics) {
    for path in config.module_instances.keys() {
        let Some(call) = config.module_call(path) else {
            continue;
        };
        let parent = &path[..path.len() - 1];
        for pass in &call.providers {
            let at = |summary: String| {
                Diagnostic::error(summary).at_span(&config.sources, pass.span.as_ref())
            };
            if !provider_types.contains(&pass.parent.type_name.as_str()) {
                let d = at(format!(
                    "module `{}`: `providers` names `{}`, an unknown provider",
                    call.name, pass.parent
                ));
                diags.push(
                    match did_you_mean(&pass.parent.type_name, provider_types.iter().copied()) {
                        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                        None => d.with_hint(format!(
                            "providers available: {}",
                            provider_types.join(", ")
                        )),
                    },
                );
                continue;
            }
            let resolved = match resolve_provider(config, parent, &pass.parent) {
                Ok(r) => r,
                Err((summary, hint)) => {
                    diags.push(at(summary).with_hint(hint));
                    continue;
                }
            };
            if resolved.alias.is_none() || config.provider(&resolved).is_some() {
                continue;
            }
            let configured: Vec<String> = config
                .providers
                .iter()
                .filter(|p| p.addr.type_name == resolved.type_name)
                .map(|p| p.addr.to_string())
                .collect();
            let d = at(format!(
                "module `{}`: `providers` names `{}`, which is not configured",
                call.name, pass.parent
            ));
            diags.push(
                match did_you_mean(&resolved.to_string(), configured.iter().map(String::as_str)) {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None => d.with_hint(format!(
                        "add `provider \"{}\" {{ alias = \"{}\" }}` to the root configuration",
                        resolved.type_name,
                        resolved.alias.as_deref().unwrap_or_default()
                    )),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests;
