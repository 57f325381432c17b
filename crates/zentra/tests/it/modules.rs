//! End to end against the emulator: local modules — a module block with `for_each`, its
//! resources at `module.NAME["key"].TYPE.NAME` in plans, JSON and state, its outputs read by
//! the calling configuration, providers passed in, removing one key, and the errors of a
//! module block at their locations.

use zentra_test_support::{Project, code, stderr, stdout};

const MODULE: &str = r#"
variable "tenant" {
  type = string
}

variable "waves" {
  type    = number
  default = 1
}

locals {
  prefix = "${upper(var.tenant)} SSO"
}

resource "zoom_group" "pilot" {
  name = "${local.prefix} pilot"
}

resource "zoom_group" "wave" {
  count = var.waves
  name  = "${local.prefix} wave ${count.index + 1}"
}

resource "zoom_group_settings" "pilot" {
  group_id = zoom_group.pilot.id
  in_meeting {
    chat = false
  }
}

output "pilot_group_id" {
  value = zoom_group.pilot.id
}

output "pilot_group_name" {
  value = zoom_group.pilot.name
}
"#;

const ROOT: &str = r#"
provider "zoom" {}

provider "zoom" {
  alias = "msp"
}

variable "tenants" {
  type = map(number)
  default = {
    contoso  = 2
    fabrikam = 1
  }
}

module "tenant" {
  source   = "./modules/tenant"
  for_each = var.tenants
  tenant   = each.key
  waves    = each.value

  providers = {
    zoom = zoom.msp
  }
}

resource "zoom_group" "all_pilots" {
  name = "Pilots: ${join(" + ", [for k, t in module.tenant : t.pilot_group_name])}"
}

output "contoso_pilot" {
  value = module.tenant["contoso"].pilot_group_id
}
"#;

async fn project(root: &str) -> Project {
    let p = Project::new(root).await;
    std::fs::create_dir_all(p.path().join("modules/tenant")).unwrap();
    p.write("modules/tenant/main.zen.hcl", MODULE);
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_module_with_for_each_creates_each_instances_objects_and_converges() {
    let p = project(ROOT).await;
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    for addr in [
        r#"module.tenant["contoso"].zoom_group.pilot will be created"#,
        r#"module.tenant["contoso"].zoom_group.wave[1] will be created"#,
        r#"module.tenant["fabrikam"].zoom_group_settings.pilot will be created"#,
        "zoom_group.all_pilots will be created",
    ] {
        assert!(text.contains(addr), "{addr} in\n{text}");
    }
    assert!(
        text.contains("Plan: 8 to add, 0 to change, 0 to destroy."),
        "{text}"
    );
    assert!(
        text.contains(r#""Pilots: CONTOSO SSO pilot + FABRIKAM SSO pilot""#),
        "the root reads the module's outputs:\n{text}"
    );

    let json = p.plan_json();
    let change = json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == r#"module.tenant["contoso"].zoom_group.wave[1]"#)
        .expect("the module's instance is in the JSON plan");
    assert_eq!(change["module_address"], r#"module.tenant["contoso"]"#);
    assert_eq!(change["type"], "zoom_group");
    assert_eq!(change["name"], "wave");
    assert_eq!(change["index"], 1);

    let applied = p.apply_ok();
    for name in [
        "CONTOSO SSO pilot",
        "CONTOSO SSO wave 1",
        "CONTOSO SSO wave 2",
        "FABRIKAM SSO pilot",
        "FABRIKAM SSO wave 1",
        "Pilots: CONTOSO SSO pilot + FABRIKAM SSO pilot",
    ] {
        assert!(p.group(name).is_some(), "{name}");
    }
    let contoso = p.group("CONTOSO SSO pilot").unwrap();
    assert_eq!(
        p.state_id(r#"module.tenant["contoso"].zoom_group.pilot"#),
        contoso["id"].as_str().unwrap()
    );
    assert!(
        applied.contains(contoso["id"].as_str().unwrap()),
        "the root's output reads the module's: {applied}"
    );
    p.assert_converged();

    // Dropping a key destroys what that instance created, and nothing else.
    p.write_config(&ROOT.replace("    fabrikam = 1\n", ""));
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(
        text.contains(r#"module.tenant["fabrikam"].zoom_group.pilot will be deleted"#),
        "{text}"
    );
    assert!(
        text.contains(r#"module.tenant["fabrikam"].zoom_group.wave[0] will be deleted"#),
        "{text}"
    );
    assert!(!text.contains(r#"module.tenant["contoso"]"#), "{text}");
    p.apply_ok();
    assert!(p.group("FABRIKAM SSO pilot").is_none());
    assert!(p.group("FABRIKAM SSO wave 1").is_none());
    assert!(p.group("CONTOSO SSO pilot").is_some());
    assert!(p.group("Pilots: CONTOSO SSO pilot").is_some());
    p.assert_converged();
}

/// `validate`'s error output for `root` (with the tenant module beside it).
async fn error_of(p: &Project, root: &str) -> String {
    p.write_config(root);
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    stderr(&out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn module_block_errors_are_reported_where_they_are_written() {
    let p = project("").await;
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "a registry source",
            "module \"t\" {\n  source = \"hashicorp/consul/aws\"\n  tenant = \"a\"\n}\n",
            &[
                "module `t`: `hashicorp/consul/aws` is not a local path: only local modules are supported",
                "main.zen.hcl:2:12",
                "starting with ./ or ../",
            ],
        ),
        (
            "a missing directory",
            "module \"t\" {\n  source = \"./modules/nowhere\"\n}\n",
            &[
                "module `t`: there is no directory `./modules/nowhere`",
                "main.zen.hcl:2:12",
            ],
        ),
        (
            "no source",
            "module \"t\" {\n  tenant = \"a\"\n}\n",
            &["module `t` has no `source`", "main.zen.hcl:1:1"],
        ),
        (
            "a misspelt input",
            "module \"t\" {\n  source = \"./modules/tenant\"\n  tenat  = \"a\"\n}\n",
            &[
                "module `t` has no input `tenat`",
                "main.zen.hcl:3:3",
                "did you mean `tenant`?",
            ],
        ),
        (
            "a missing required input",
            "module \"t\" {\n  source = \"./modules/tenant\"\n}\n",
            &[
                "module `t` needs a value for its input `tenant`",
                "main.zen.hcl:1:1",
                "modules/tenant/main.zen.hcl:2",
            ],
        ),
        (
            "a provider that is not configured",
            "provider \"zoom\" {\n  alias = \"contoso\"\n}\n\nmodule \"t\" {\n  source    = \"./modules/tenant\"\n  tenant    = \"a\"\n  providers = { zoom = zoom.contosso }\n}\n",
            &[
                "module `t`: `providers` names `zoom.contosso`, which is not configured",
                "main.zen.hcl:8:24",
                "did you mean `zoom.contoso`?",
            ],
        ),
        (
            "an unknown provider",
            "module \"t\" {\n  source    = \"./modules/tenant\"\n  tenant    = \"a\"\n  providers = { zoom = zoon.x }\n}\n",
            &[
                "provider `zoom` cannot be given `zoon.x`",
                "main.zen.hcl:4:24",
            ],
        ),
        (
            "a provider the module needs but is not passed",
            "provider \"azuread\" {}\n\nmodule \"t\" {\n  source    = \"./modules/tenant\"\n  tenant    = \"a\"\n  providers = { azuread = azuread }\n}\n",
            &[
                "provider `zoom` is not passed to `module.t`, whose `providers` names only `azuread`",
                "modules/tenant/main.zen.hcl:",
            ],
        ),
        (
            "a for_each known only after apply",
            "resource \"zoom_group\" \"x\" {\n  name = \"x\"\n}\n\nmodule \"t\" {\n  source   = \"./modules/tenant\"\n  for_each = toset([zoom_group.x.id])\n  tenant   = each.key\n}\n",
            &["Invalid for_each argument", "main.zen.hcl:7:14"],
        ),
        (
            "an output that is not there",
            "module \"t\" {\n  source = \"./modules/tenant\"\n  tenant = \"a\"\n}\n\nresource \"zoom_group\" \"x\" {\n  name = module.t.pilot_group\n}\n",
            &[
                "no attribute `pilot_group`",
                "main.zen.hcl:7:10",
                "did you mean `pilot_group_id`?",
            ],
        ),
    ];
    for (what, root, expected) in cases {
        let err = error_of(&p, root).await;
        for e in *expected {
            assert!(err.contains(e), "{what}: `{e}` in\n{err}");
        }
        assert!(!err.contains("panicked"), "{what}: {err}");
    }

    // A module that calls itself, through another.
    std::fs::create_dir_all(p.path().join("modules/loop")).unwrap();
    p.write(
        "modules/loop/main.zen.hcl",
        "module \"again\" {\n  source = \"../loop\"\n}\n",
    );
    let err = error_of(&p, "module \"l\" {\n  source = \"./modules/loop\"\n}\n").await;
    assert!(
        err.contains("module `again` calls `../loop`, a module already being loaded"),
        "{err}"
    );
    assert!(err.contains("modules/loop/main.zen.hcl:2:12"), "{err}");
    assert!(p.writes().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_block_takes_a_resource_into_a_module_without_touching_it() {
    let p = project("provider \"zoom\" {}\n\nresource \"zoom_group\" \"pilot\" {\n  name = \"CONTOSO SSO pilot\"\n}\n").await;
    p.apply_ok();
    let id = p.group("CONTOSO SSO pilot").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    p.write_config(
        r#"
provider "zoom" {}

module "tenant" {
  source = "./modules/tenant"
  tenant = "contoso"
}

moved {
  from = zoom_group.pilot
  to   = module.tenant.zoom_group.pilot
}
"#,
    );
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(
        text.contains("zoom_group.pilot has moved to module.tenant.zoom_group.pilot"),
        "{text}"
    );
    assert!(
        !text.contains("module.tenant.zoom_group.pilot will be created"),
        "{text}"
    );
    p.apply_ok();
    assert_eq!(p.state_id("module.tenant.zoom_group.pilot"), id);
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_msp_example_plans_applies_and_converges() {
    let mut p = Project::example_with(
        "msp-multi-tenant",
        zentra_sim::SimConfig {
            seed: three_customers_seed(),
            ..zentra_sim::SimConfig::default()
        },
    )
    .await;
    let mut vars = String::from("customers = {\n");
    for (i, (key, name, sites)) in CUSTOMERS.iter().enumerate() {
        vars.push_str(&format!(
            "  {key} = {{\n    display_name = \"{name}\"\n    entra_tenant_id = \"{}\"\n    \
             zoom_account_id = \"{}\"\n    sites = {sites}\n  }}\n",
            customer_tenant(i),
            customer_account(i)
        ));
        p.set_env(
            &format!("ZOOM_CLIENT_ID_{}", key.to_uppercase()),
            &customer_zoom_client(
                &zentra_sim::Seed::default_demo().zoom.accounts[0].apps[0].client_id,
                i,
            ),
        );
    }
    vars.push_str("}\n");
    p.write("zentra.vars.hcl", &vars);
    let validate = p.run(&["validate"]);
    assert_eq!(code(&validate), 0, "{}", stderr(&validate));
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    for addr in [
        "module.contoso.azuread_user_consent_policy.tenant",
        "module.fabrikam.azuread_service_principal.zoom",
        r#"module.contoso.module.site["emea"].zoom_group.pilot will be created"#,
        r#"module.northwind.module.site["apac"].zoom_group_settings.pilot will be created"#,
    ] {
        assert!(text.contains(addr), "{addr} in\n{text}");
    }
    let json = p.plan_json();
    let change = json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == r#"module.fabrikam.module.site["amer"].zoom_group.pilot"#)
        .expect("in the JSON plan");
    assert_eq!(
        change["module_address"],
        r#"module.fabrikam.module.site["amer"]"#
    );
    assert_eq!(change["provider_name"], "zentra/zoom");
    p.apply_ok();
    // Each customer's objects are in its own account and tenant, once.
    let live = p.sim.snapshot();
    for (i, (_, name, sites)) in CUSTOMERS.iter().enumerate() {
        let account = &live["zoom"]["accounts"][i];
        assert_eq!(account["id"], customer_account(i));
        let pilots: Vec<&serde_json::Value> = account["groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["name"].as_str().is_some_and(|n| n.contains("SSO pilot")))
            .collect();
        for group in &pilots {
            assert_eq!(
                group["settings"]["meeting_security"]["waiting_room"], true,
                "{}",
                group["name"]
            );
        }
        let mut groups: Vec<String> = pilots
            .iter()
            .filter_map(|g| g["name"].as_str())
            .map(str::to_string)
            .collect();
        groups.sort();
        let mut expected: Vec<String> = sites
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| s.chars().all(|c| c.is_ascii_uppercase()))
            .map(|site| format!("{name} SSO pilot {site}"))
            .collect();
        expected.sort();
        assert_eq!(groups, expected, "account {i}");
        let tenant = &live["entra"]["tenants"][i];
        assert_eq!(tenant["id"], customer_tenant(i));
        let zoom_principals = tenant["servicePrincipals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|sp| sp["displayName"] == "Zoom")
            .count();
        assert_eq!(zoom_principals, 1, "tenant {i}");
    }
    p.assert_converged();
}

/// The example's customers: key, display name and sites, as in its `customers` default.
const CUSTOMERS: [(&str, &str, &str); 3] = [
    ("contoso", "Contoso", r#"{ emea = "EMEA", amer = "AMER" }"#),
    ("fabrikam", "Fabrikam", r#"{ amer = "AMER" }"#),
    (
        "northwind",
        "Northwind",
        r#"{ apac = "APAC", emea = "EMEA" }"#,
    ),
];

fn customer_tenant(i: usize) -> String {
    format!("00000000-0000-4000-8000-00000000000{}", i + 1)
}

fn customer_account(i: usize) -> String {
    format!("zCustomerAccount{i:06}")
}

fn customer_zoom_client(demo_client: &str, i: usize) -> String {
    format!("{demo_client}c{i}")
}

/// The demo seed's tenant and Zoom account, three times: one per customer. The tenants share
/// the demo's client app (one multi-tenant app registration, as an MSP has); each account has
/// its own Server-to-Server OAuth app.
fn three_customers_seed() -> zentra_sim::Seed {
    let demo = zentra_sim::Seed::default_demo();
    let mut seed = demo.clone();
    seed.entra.tenants.clear();
    seed.zoom.accounts.clear();
    for i in 0..CUSTOMERS.len() {
        let mut tenant = demo.entra.tenants[0].clone();
        tenant.id = customer_tenant(i);
        seed.entra.tenants.push(tenant);
        let mut account = demo.zoom.accounts[0].clone();
        account.id = customer_account(i);
        for app in &mut account.apps {
            app.client_id = customer_zoom_client(&app.client_id, i);
        }
        seed.zoom.accounts.push(account);
    }
    seed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moved_and_check_blocks_written_in_a_module_apply_to_each_of_its_instances() {
    let p = project(ROOT).await;
    p.apply_ok();
    let before = p.state_id(r#"module.tenant["contoso"].zoom_group.pilot"#);

    // The module renames its block and checks its own groups: every instance follows.
    let renamed = MODULE
        .replace(
            "resource \"zoom_group\" \"pilot\" {",
            "resource \"zoom_group\" \"first\" {",
        )
        .replace("zoom_group.pilot.", "zoom_group.first.")
        + r#"
moved {
  from = zoom_group.pilot
  to   = zoom_group.first
}

check "pilot_named_for_tenant" {
  assert {
    condition     = contains(split(" ", zoom_group.first.name), "CONTOSO")
    error_message = "the pilot group of ${var.tenant} is not named for CONTOSO"
  }
}
"#;
    p.write("modules/tenant/main.zen.hcl", &renamed);
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2, "{text}");
    for tenant in ["contoso", "fabrikam"] {
        let moved = format!(
            r#"# module.tenant["{tenant}"].zoom_group.pilot has moved to module.tenant["{tenant}"].zoom_group.first"#
        );
        assert!(text.contains(&moved), "{moved} in\n{text}");
    }
    assert!(
        text.contains("Plan: 0 to add, 0 to change, 0 to destroy."),
        "{text}"
    );
    assert!(
        text.contains(
            r#"module.tenant["fabrikam"].check.pilot_named_for_tenant failed: the pilot group of fabrikam is not named for CONTOSO"#
        ),
        "{text}"
    );
    assert!(
        !text.contains(r#"module.tenant["contoso"].check.pilot_named_for_tenant failed"#),
        "{text}"
    );
    let json = p.plan_json();
    let check = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["address"]["to_display"]
                == r#"module.tenant["fabrikam"].check.pilot_named_for_tenant"#
        })
        .unwrap_or_else(|| panic!("the module's check in {}", json["checks"]));
    assert_eq!(check["address"]["module"], "module.tenant");
    assert_eq!(check["status"], "fail");
    assert_eq!(
        check["instances"][0]["address"]["module"],
        r#"module.tenant["fabrikam"]"#
    );

    p.sim.clear_requests();
    p.apply_ok();
    assert_eq!(
        p.state_id(r#"module.tenant["contoso"].zoom_group.first"#),
        before,
        "the same group, now at its new address"
    );
    assert!(
        p.sim
            .requests()
            .iter()
            .all(|r| r.method == "GET" || r.service != "zoom"),
        "a move writes nothing"
    );
    p.assert_converged();
}
