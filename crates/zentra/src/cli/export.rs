//! `zentra export`: writes configuration for what the configured providers reach (account
//! settings and locks, groups, roles, the tenant's policies, service principals, grants, ...),
//! then records every exported object in the new directory's state as adopted, so that a plan
//! there finds nothing to do.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use indexmap::IndexMap;

use crate::output::Printer;
use crate::render;
use zentra_engine::addr::ProviderAddr;
use zentra_engine::apply::{ApplyOptions, Silent};
use zentra_engine::diag::Diagnostic;
use zentra_engine::env::Environment;
use zentra_engine::export;
use zentra_engine::plan::Action;
use zentra_engine::plan::planner::{PlanOptions, plan_with};
use zentra_engine::provider::Provider;
use zentra_engine::schema::{ResourceKind, ResourceSchema};

use super::session::{load_workspace, providers, read_state, report, state_error, state_store};
use super::{LockArgs, Outcome, VarArgs};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The directory to write to; created when missing, and refused when it already holds
    /// `*.zen.hcl` files or a state.
    #[arg(long, value_name = "DIR", default_value = "export")]
    pub out: PathBuf,
    /// Export only this: a provider (`zoom`, `azuread`), one of its aliases (`zoom.emea`) or a
    /// resource type (`zoom_group`). Repeatable; without it, everything.
    #[arg(long = "provider", value_name = "PROVIDER|TYPE")]
    pub only: Vec<String>,
    #[command(flatten)]
    pub vars: VarArgs,
}

/// What the `--provider` filters select.
struct Selection {
    providers: Vec<ProviderAddr>,
    types: Vec<String>,
}

impl Selection {
    /// The resource types of `addr` to export, of those it has.
    fn types_of(&self, addr: &ProviderAddr, all: &[String]) -> Vec<String> {
        let nothing_chosen = self.providers.is_empty() && self.types.is_empty();
        let whole = nothing_chosen
            || self.providers.iter().any(|p| {
                p.type_name == addr.type_name && (p.alias.is_none() || p.alias == addr.alias)
            });
        all.iter()
            .filter(|t| whole || self.types.contains(t))
            .cloned()
            .collect()
    }
}

pub async fn export(dir: &Path, args: ExportArgs, env: Environment, printer: &Printer) -> Outcome {
    let started = Instant::now();
    let Some(ws) = load_workspace(dir, &args.vars, env.clone(), printer) else {
        return Outcome::Failure;
    };
    let mut schemas: HashMap<String, ResourceSchema> = HashMap::new();
    let mut types_by_provider: HashMap<&'static str, Vec<String>> = HashMap::new();
    // Data sources too: a provider may find an object no API creates (a Zoom Rooms calendar
    // service), written as a `data` block its resources refer to.
    let mut data_schemas: Vec<ResourceSchema> = Vec::new();
    for ptype in &ws.provider_types {
        for schema in ptype.resource_schemas() {
            match schema.kind {
                ResourceKind::Singleton | ResourceKind::Object => {
                    types_by_provider
                        .entry(ptype.name())
                        .or_default()
                        .push(schema.type_name.clone());
                    schemas.insert(schema.type_name.clone(), schema);
                }
                ResourceKind::Data => data_schemas.push(schema),
                _ => {}
            }
        }
    }
    let resource_types: Vec<String> = schemas.keys().cloned().collect();
    for schema in data_schemas {
        schemas.entry(schema.type_name.clone()).or_insert(schema);
    }
    let mut selection = Selection {
        providers: Vec::new(),
        types: Vec::new(),
    };
    for only in &args.only {
        if resource_types.contains(only) {
            selection.types.push(only.clone());
            continue;
        }
        match only.parse::<ProviderAddr>() {
            Ok(addr) if ws.provider_type(&addr.type_name).is_some() => {
                selection.providers.push(addr)
            }
            _ => {
                let mut accepted: Vec<String> = ws
                    .provider_types
                    .iter()
                    .map(|p| p.name().to_string())
                    .collect();
                accepted.sort();
                printer.diagnostic(
                    &Diagnostic::error(format!(
                        "--provider `{only}` is neither a provider nor a resource type"
                    ))
                    .with_hint(format!(
                        "name a provider ({}), an aliased one (`zoom.emea`) or a resource type (see `zentra schema`)",
                        accepted.join(", ")
                    )),
                );
                return Outcome::Failure;
            }
        }
    }
    let mut addrs: Vec<ProviderAddr> = ws.config.providers.iter().map(|p| p.addr.clone()).collect();
    if addrs.is_empty() {
        addrs = ws
            .provider_types
            .iter()
            .map(|p| ProviderAddr {
                type_name: p.name().to_string(),
                alias: None,
            })
            .collect();
    }
    let mut instances: Vec<(ProviderAddr, Box<dyn Provider>, Vec<String>)> = Vec::new();
    let mut provider_blocks: IndexMap<ProviderAddr, Vec<(String, serde_json::Value)>> =
        IndexMap::new();
    for addr in addrs {
        let all = types_by_provider
            .get(addr.type_name.as_str())
            .cloned()
            .unwrap_or_default();
        let types = selection.types_of(&addr, &all);
        if types.is_empty() {
            continue;
        }
        let provider = match ws.configure_provider(&addr) {
            Ok(p) => p,
            Err(d) => {
                report(printer, &d);
                return Outcome::Failure;
            }
        };
        provider_blocks.insert(addr.clone(), provider_attributes(&ws, &addr));
        instances.push((addr, provider, types));
    }
    let out = if args.out.is_absolute() {
        args.out.clone()
    } else {
        dir.join(&args.out)
    };
    if let Err(d) = check_out_dir(&out, &args.out) {
        printer.diagnostic(&d);
        return Outcome::Failure;
    }
    printer.status(&format!(
        "Reading {}...",
        instances
            .iter()
            .map(|(a, _, _)| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(" and ")
    ));
    let found = futures::future::join_all(
        instances
            .iter()
            .map(|(_, provider, types)| provider.discover(types)),
    )
    .await;
    let mut discovered = Vec::new();
    let mut failed = false;
    for ((addr, _, _), result) in instances.iter().zip(found) {
        match result {
            Ok(objects) => discovered.extend(objects.into_iter().map(|o| (addr.clone(), o))),
            Err(e) => {
                failed = true;
                let d = Diagnostic::error(format!("provider `{addr}`: {e}"));
                printer.diagnostic(&match &e.hint {
                    Some(h) => d.with_hint(h.clone()),
                    None => d,
                });
            }
        }
    }
    if failed {
        printer.status("Nothing was written.");
        return Outcome::Failure;
    }
    let resources = export::resources(discovered, &schemas);
    let files = export::files(&resources, &schemas, &provider_blocks);
    if let Err(e) = std::fs::create_dir_all(&out) {
        printer.error(&format!("cannot create `{}`: {e}", args.out.display()));
        return Outcome::Failure;
    }
    for file in &files {
        if let Err(e) = std::fs::write(out.join(&file.name), &file.text) {
            printer.error(&format!(
                "cannot write `{}`: {e}",
                args.out.join(&file.name).display()
            ));
            return Outcome::Failure;
        }
    }
    printer.status(&format!(
        "Exported {} object(s) to {} in {:.1}s: {}.",
        resources.len(),
        args.out.display(),
        started.elapsed().as_secs_f64(),
        files
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    adopt(&out, &args.out, env, printer).await
}

/// The attributes of a provider block worth writing in the exported one: those configured,
/// sensitive ones (credentials) and the alias left out.
fn provider_attributes(
    ws: &zentra_engine::workspace::Workspace,
    addr: &ProviderAddr,
) -> Vec<(String, serde_json::Value)> {
    let (Some(ptype), Ok(config)) = (ws.provider_type(&addr.type_name), ws.eval_provider(addr))
    else {
        return Vec::new();
    };
    if config.contains_unknown() {
        return Vec::new();
    }
    let json = config.to_json().unwrap_or_default();
    match export::configurable(&ptype.config_schema(), &json) {
        Some(serde_json::Value::Object(map)) => map
            .into_iter()
            .filter(|(name, _)| name != "alias")
            .collect(),
        _ => Vec::new(),
    }
}

/// Refuses an output directory that already holds configuration or state: exported blocks
/// beside others could manage one object twice.
fn check_out_dir(out: &Path, shown: &Path) -> Result<(), Diagnostic> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.ends_with(".zen.hcl") || name == "zentra.state.json" {
            return Err(
                Diagnostic::error(format!("`{}` already holds `{name}`", shown.display()))
                    .with_hint(
                        "nothing was read or written; export into a new directory with --out DIR",
                    ),
            );
        }
    }
    Ok(())
}

/// Plans the exported directory and, when every change is an adoption that writes nothing,
/// records the objects in its state as adopted.
async fn adopt(out: &Path, shown: &Path, env: Environment, printer: &Printer) -> Outcome {
    let Some(ws) = load_workspace(out, &VarArgs::default(), env, printer) else {
        return Outcome::Failure;
    };
    let Some(store) = state_store(&ws, &LockArgs::default(), printer) else {
        return Outcome::Failure;
    };
    let _lock = match store.lock("zentra export") {
        Ok(l) => l,
        Err(e) => {
            state_error(printer, &e);
            return Outcome::Failure;
        }
    };
    let Ok(state) = read_state(store.as_ref(), printer) else {
        return Outcome::Failure;
    };
    let Some(providers) = providers(&ws, state.as_ref(), printer) else {
        return Outcome::Failure;
    };
    let run = match plan_with(&ws, state.as_ref(), &providers, &PlanOptions::default()).await {
        Ok(run) => run,
        Err(d) => {
            report(printer, &d);
            return Outcome::Failure;
        }
    };
    let writes = run
        .plan
        .changes
        .iter()
        .any(|c| !matches!(c.action, Action::NoOp | Action::Read));
    if writes {
        printer.data(&render::plan_text(&run.plan, printer));
        printer.diagnostic(
            &Diagnostic::error(format!(
                "the configuration exported to `{}` does not match live exactly: the plan above would change something",
                shown.display()
            ))
            .with_hint("the files were written, but nothing was recorded in state; review the plan's changes and fix the files before applying"),
        );
        return Outcome::Failure;
    }
    let adopted = run.plan.summary.adopt;
    let mut state = state.unwrap_or_default();
    let result = zentra_engine::apply::apply(
        &ws,
        run,
        &mut state,
        &*store,
        &providers,
        &ApplyOptions::default(),
        &Silent,
    )
    .await;
    if !result.errors.is_empty() {
        report(printer, &result.errors);
        return Outcome::Failure;
    }
    printer.status(&format!(
        "Recorded {adopted} object(s) as adopted in {}: `zentra plan` there finds no changes.",
        store.describe()
    ));
    Outcome::Success
}
