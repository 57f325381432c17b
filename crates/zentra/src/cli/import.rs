//! `zentra import ADDRESS ID`: takes one existing object under management at once, as an
//! `import` block would on the next apply, writing nothing to the service.

use std::path::Path;

use clap::Args;

use crate::output::Printer;
use crate::render;
use zentra_engine::addr::ResourceAddr;
use zentra_engine::apply::{ApplyOptions, Silent};
use zentra_engine::config::ImportBlock;
use zentra_engine::diag::Diagnostic;
use zentra_engine::env::Environment;
use zentra_engine::plan::Action;
use zentra_engine::plan::planner::{PlanOptions, plan_with};

use super::session::{load_workspace, providers, read_state, report, state_error, state_store};
use super::{LockArgs, Outcome, VarArgs};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The resource to import into, e.g. zoom_group.sales (its block must be declared).
    pub address: String,
    /// The object's id, as state records it (`zentra schema TYPE` says which id each type takes).
    pub id: String,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub lock: LockArgs,
}

pub async fn import(dir: &Path, args: ImportArgs, env: Environment, printer: &Printer) -> Outcome {
    let addr: ResourceAddr = match args.address.parse() {
        Ok(a) => a,
        Err(_) => {
            printer.diagnostic(
                &Diagnostic::error(format!("`{}` is not a resource address", args.address))
                    .with_hint("write it as TYPE.NAME, e.g. zoom_group.sales"),
            );
            return Outcome::Failure;
        }
    };
    let Some(mut ws) = load_workspace(dir, &args.vars, env, printer) else {
        return Outcome::Failure;
    };
    if !ws.config.resources.contains_key(&addr) {
        printer.diagnostic(
            &Diagnostic::error(format!("`{addr}` is not declared in the configuration")).with_hint(
                format!(
                    "add a `resource \"{}\" \"{}\"` block for the object first",
                    addr.type_name, addr.name
                ),
            ),
        );
        return Outcome::Failure;
    }
    ws.config.imports.retain(|i| i.to != addr);
    ws.config.imports.push(ImportBlock {
        to: addr.clone(),
        id: args.id.clone(),
        span: None,
    });
    let Some(store) = state_store(&ws, &args.lock, printer) else {
        return Outcome::Failure;
    };
    let _lock = match store.lock("zentra import") {
        Ok(l) => l,
        Err(e) => {
            state_error(printer, &e);
            return Outcome::Failure;
        }
    };
    let Ok(state) = read_state(store.as_ref(), printer) else {
        return Outcome::Failure;
    };
    if let Some(existing) = state.as_ref().and_then(|s| s.resource(&addr)) {
        printer.diagnostic(
            &Diagnostic::error(format!("`{addr}` is already managed (id {})", existing.id))
                .with_hint(
                    "nothing was changed; `zentra state rm` it first to import another object",
                ),
        );
        return Outcome::Failure;
    }
    let Some(providers) = providers(&ws, state.as_ref(), printer) else {
        return Outcome::Failure;
    };
    let mut run = match plan_with(&ws, state.as_ref(), &providers, &PlanOptions::default()).await {
        Ok(run) => run,
        Err(d) => {
            report(printer, &d);
            return Outcome::Failure;
        }
    };
    run.plan.changes.retain(|c| c.address == addr);
    // Importing one object writes nothing else, deposed objects included.
    run.plan.deposed.clear();
    let Some(change) = run.plan.changes.first() else {
        printer.error(&format!("`{addr}` has nothing to import"));
        return Outcome::Failure;
    };
    if change.action != Action::NoOp {
        printer.data(&render::plan_text(&run.plan, printer));
        printer.diagnostic(
            &Diagnostic::error(format!(
                "`{addr}`'s configuration differs from the object with id {}: importing would change it",
                args.id
            ))
            .with_hint("nothing was changed; make the block match the object (see the plan above), or write an `import` block and review the change with `zentra plan`"),
        );
        return Outcome::Failure;
    }
    run.plan.recount();
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
        "Imported `{addr}` (id {}): zentra manages it from now on; removing its block later only forgets it.",
        args.id
    ));
    Outcome::Success
}
