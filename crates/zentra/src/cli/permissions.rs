//! `zentra permissions`: the least-privilege permissions the current configuration needs —
//! Microsoft Graph application permissions, Entra ID roles and Zoom scopes — per resource and
//! in total, split into what planning needs and what applying adds, so admins can create the
//! automation identities correctly. Derived from the resource schemas; no API calls.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::output::{Printer, Tone};
use zentra_engine::env::Environment;
use zentra_engine::schema::{Access, Permission, PermissionSystem};

use super::session::load_workspace;
use super::{Outcome, VarArgs};

#[derive(Debug, clap::Args)]
pub struct PermissionsArgs {
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub vars: VarArgs,
}

#[derive(Serialize)]
struct ResourcePermissions {
    address: String,
    provider: String,
    permissions: Vec<Permission>,
}

#[derive(Serialize, Default)]
struct Totals {
    /// Needed to run `zentra plan` (read-only pipelines).
    plan: BTreeMap<PermissionSystem, Vec<String>>,
    /// Needed to run `zentra apply` (includes what planning needs).
    apply: BTreeMap<PermissionSystem, Vec<String>>,
}

#[derive(Serialize)]
struct Report {
    resources: Vec<ResourcePermissions>,
    total: Totals,
}

fn system_title(system: PermissionSystem) -> &'static str {
    match system {
        PermissionSystem::GraphApplication => {
            "Microsoft Graph application permissions (granted with admin consent to the automation app)"
        }
        PermissionSystem::EntraRole => {
            "Entra ID roles (for an administrator running zentra with delegated rights)"
        }
        PermissionSystem::ZoomScope => "Zoom scopes (of the Server-to-Server OAuth app)",
    }
}

fn system_short(system: PermissionSystem) -> &'static str {
    match system {
        PermissionSystem::GraphApplication => "Graph",
        PermissionSystem::EntraRole => "Entra role",
        PermissionSystem::ZoomScope => "Zoom scope",
    }
}

pub fn permissions(
    dir: &Path,
    args: PermissionsArgs,
    env: Environment,
    printer: &Printer,
) -> Outcome {
    let Some(ws) = load_workspace(dir, &args.vars, env, printer) else {
        return Outcome::Failure;
    };
    let mut resources = Vec::new();
    let mut total = Totals::default();
    for (addr, block) in &ws.config.resources {
        let Some(schema) = ws.schema_for(addr) else {
            continue;
        };
        for p in &schema.permissions {
            let names = total.apply.entry(p.system).or_default();
            if !names.contains(&p.name) {
                names.push(p.name.clone());
            }
            if p.access == Access::Read {
                let names = total.plan.entry(p.system).or_default();
                if !names.contains(&p.name) {
                    names.push(p.name.clone());
                }
            }
        }
        resources.push(ResourcePermissions {
            address: addr.to_string(),
            provider: block.provider.to_string(),
            permissions: schema.permissions.clone(),
        });
    }
    for names in total.plan.values_mut().chain(total.apply.values_mut()) {
        names.sort();
    }
    let report = Report { resources, total };
    if args.json {
        printer.data(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ));
        return Outcome::Success;
    }
    let mut out = String::new();
    out.push_str(&printer.paint(
        "Permissions this configuration needs (least privilege)\n",
        Tone::Bold,
        false,
    ));
    for r in &report.resources {
        out.push_str(&format!("\n{} (provider {})\n", r.address, r.provider));
        if r.permissions.is_empty() {
            out.push_str(if r.provider == "manual" {
                "  none: a person carries out this step\n"
            } else {
                "  none declared\n"
            });
        }
        for p in &r.permissions {
            let access = match p.access {
                Access::Read => "plan ",
                Access::Write => "apply",
            };
            out.push_str(&format!(
                "  {access}  {:<11} {:<44} {}\n",
                system_short(p.system),
                p.name,
                p.reason
            ));
        }
    }
    for (title, totals) in [
        ("To plan (read only)", &report.total.plan),
        ("To plan and apply", &report.total.apply),
    ] {
        out.push_str(&format!(
            "\n{}\n",
            printer.paint(&format!("{title}:"), Tone::Bold, false)
        ));
        if totals.is_empty() {
            out.push_str("  nothing\n");
        }
        for (system, names) in totals {
            out.push_str(&format!("  {}:\n", system_title(*system)));
            for n in names {
                out.push_str(&format!("    {n}\n"));
            }
        }
    }
    printer.data(&out);
    Outcome::Success
}
