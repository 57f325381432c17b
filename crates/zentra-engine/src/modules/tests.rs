//! Module blocks loaded from directories, expanded into instances, their resources laid out
//! with their paths and providers, and the dependencies and values that cross module borders.

use super::*;
use crate::deps::Dependencies;

/// A configuration directory made of `files` (path → text).
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

fn expanded(files: &[(&str, &str)]) -> Result<Config, Diagnostics> {
    let dir = dir_with(files);
    let mut config = Config::load_dir(dir.path())?;
    expand(
        &mut config,
        &Environment::default(),
        &IndexMap::new(),
        &["zoom", "azuread"],
    )?;
    crate::expand::expand(&mut config, &Environment::default(), &IndexMap::new())?;
    Ok(config)
}

const TENANT: &str = r#"
variable "name" { type = string }
variable "waves" {
  type    = number
  default = 1
}
resource "zoom_group" "pilot" {
  name = "${var.name} pilot"
}
resource "zoom_group" "wave" {
  count = var.waves
  name  = "${var.name} wave ${count.index}"
}
resource "azuread_service_principal" "zoom" {
  app_id     = "x"
  depends_on = [zoom_group.pilot]
}
output "pilot" { value = zoom_group.pilot.name }
output "waves" { value = var.waves }
"#;

fn addresses(config: &Config) -> Vec<String> {
    config.resources.keys().map(ToString::to_string).collect()
}

#[test]
fn instances_lay_out_their_resources_with_their_path_and_provider() {
    let config = expanded(&[
        (
            "main.zen.hcl",
            r#"
provider "zoom" { alias = "msp" }
module "tenant" {
  source    = "./modules/tenant"
  for_each  = { contoso = 2, fabrikam = 1 }
  name      = each.key
  waves     = each.value
  providers = { zoom = zoom.msp, azuread = azuread }
}
module "solo" {
  source = "./modules/tenant"
  name   = "solo"
}
"#,
        ),
        ("modules/tenant/main.zen.hcl", TENANT),
    ])
    .unwrap();
    let addrs = addresses(&config);
    for a in [
        r#"module.tenant["contoso"].zoom_group.pilot"#,
        r#"module.tenant["contoso"].zoom_group.wave[1]"#,
        r#"module.tenant["fabrikam"].zoom_group.wave[0]"#,
        "module.solo.zoom_group.wave[0]",
    ] {
        assert!(addrs.contains(&a.to_string()), "{a} in {addrs:?}");
    }
    assert!(!addrs.contains(&r#"module.tenant["fabrikam"].zoom_group.wave[1]"#.to_string()));
    let pilot: ResourceAddr = r#"module.tenant["contoso"].zoom_group.pilot"#.parse().unwrap();
    assert_eq!(config.resources[&pilot].provider.to_string(), "zoom.msp");
    // Not named in `providers`: the default is inherited.
    let solo: ResourceAddr = "module.solo.azuread_service_principal.zoom"
        .parse()
        .unwrap();
    assert_eq!(config.resources[&solo].provider.to_string(), "azuread");
    assert_eq!(
        config.resources[&solo].depends_on[0].0.to_string(),
        "module.solo.zoom_group.pilot"
    );
}

#[test]
fn a_provider_not_passed_is_an_error_at_the_resource() {
    let err = expanded(&[
        (
            "main.zen.hcl",
            r#"
provider "zoom" { alias = "msp" }
module "tenant" {
  source    = "./modules/tenant"
  name      = "a"
  providers = { zoom = zoom.msp }
}
"#,
        ),
        ("modules/tenant/main.zen.hcl", TENANT),
    ])
    .unwrap_err();
    let d = &err.0[0];
    assert_eq!(
        d.summary,
        "provider `azuread` is not passed to `module.tenant`, whose `providers` names only `zoom`"
    );
    assert_eq!(
        d.location.as_ref().unwrap().to_string(),
        "modules/tenant/main.zen.hcl:14:1"
    );
}

#[test]
fn values_and_dependencies_cross_module_borders() {
    let config = expanded(&[
        (
            "main.zen.hcl",
            r#"
resource "zoom_group" "base" { name = "base" }
module "a" {
  source = "./modules/a"
  label  = zoom_group.base.name
}
resource "zoom_group" "after" {
  name = module.a.inner_name
}
locals {
  waves = module.a.nested.waves
}
"#,
        ),
        (
            "modules/a/main.zen.hcl",
            r#"
variable "label" { type = string }
resource "zoom_group" "inner" { name = "${var.label} inner" }
module "nested" {
  source = "../tenant"
  name   = "n"
  waves  = "3"
}
output "inner_name" { value = zoom_group.inner.name }
output "nested" { value = module.nested }
"#,
        ),
        ("modules/tenant/main.zen.hcl", TENANT),
    ])
    .unwrap();
    assert!(addresses(&config).contains(&"module.a.module.nested.zoom_group.wave[2]".to_string()));
    let deps = Dependencies::build(&config).unwrap();
    let inner: ResourceAddr = "module.a.zoom_group.inner".parse().unwrap();
    let after = ResourceAddr::managed("zoom_group", "after");
    assert!(deps.dependencies[&inner].contains(&ResourceAddr::managed("zoom_group", "base")));
    assert!(deps.dependencies[&after].contains(&inner));

    let mut resources = std::collections::HashMap::new();
    let mut base = IndexMap::new();
    base.insert("name".to_string(), Value::str("Base"));
    resources.insert(
        ResourceAddr::managed("zoom_group", "base"),
        Value::Object(base),
    );
    let env = Environment::default();
    let vars = IndexMap::new();
    let ctx = EvalContext::new(&config, &env, &vars, &resources);
    // A number given as a string is converted to the variable's type, as in the root.
    assert_eq!(ctx.eval_local("waves").unwrap(), Value::from(3));
    ctx.set_module(&inner.module);
    let label = config.module_scope(&inner.module).unwrap().resources
        [&ResourceAddr::managed("zoom_group", "inner")]
        .body
        .body
        .get_attribute("name")
        .unwrap()
        .value
        .clone();
    let name = ctx
        .eval(&crate::config::Expr {
            file: crate::diag::FileId(1),
            expr: label,
        })
        .unwrap();
    assert_eq!(name, Value::str("Base inner"));
}

#[test]
fn module_references_that_loop_are_errors_not_hangs() {
    let config = expanded(&[
        (
            "main.zen.hcl",
            r#"
module "a" {
  source = "./modules/echo"
  value  = module.a.echo
}
locals { x = module.a.echo }
"#,
        ),
        (
            "modules/echo/main.zen.hcl",
            "variable \"value\" {}\noutput \"echo\" { value = var.value }\n",
        ),
    ])
    .unwrap();
    let env = Environment::default();
    let vars = IndexMap::new();
    let resources = std::collections::HashMap::new();
    let ctx = EvalContext::new(&config, &env, &vars, &resources);
    let err = ctx.eval_local("x").unwrap_err();
    assert!(err.summary.contains("refers to itself"), "{}", err.summary);
}

#[test]
fn blocks_of_the_root_only_are_refused_in_a_module() {
    let err = expanded(&[
        (
            "main.zen.hcl",
            "module \"a\" {\n  source = \"./modules/a\"\n}\n",
        ),
        (
            "modules/a/main.zen.hcl",
            "provider \"zoom\" {}\nimport {\n  to = zoom_group.a\n  id = \"g1\"\n}\n",
        ),
    ])
    .unwrap_err();
    let summaries: Vec<&str> = err.0.iter().map(|d| d.summary.as_str()).collect();
    assert!(
        summaries.contains(&"module `a`: provider blocks are not supported inside a module"),
        "{summaries:?}"
    );
    assert!(
        summaries.contains(&"module `a`: `import` blocks belong in the root configuration"),
        "{summaries:?}"
    );
}

#[test]
fn moved_removed_check_and_drift_ignore_blocks_of_a_module_apply_to_each_instance() {
    let mut config = expanded(&[
        (
            "main.zen.hcl",
            "module \"a\" {\n  source = \"./modules/a\"\n  count  = 2\n}\n",
        ),
        (
            "modules/a/main.zen.hcl",
            r#"
resource "zoom_group" "b" {
  name = "B"
}
moved {
  from = zoom_group.a
  to   = zoom_group.b
}
removed {
  from = zoom_group.old
  lifecycle {
    destroy = false
  }
}
check "named" {
  assert {
    condition     = zoom_group.b.name == "B"
    error_message = "wrong name"
  }
}
drift_ignore {
  address = "zoom_group.b"
  paths   = ["description"]
  reason  = "edited by the help desk"
}
"#,
        ),
    ])
    .unwrap();
    let moved: Vec<(String, String)> = config
        .moved
        .iter()
        .map(|m| (m.from.to_string(), m.to.to_string()))
        .collect();
    assert_eq!(
        moved,
        [
            (
                "module.a[0].zoom_group.a".into(),
                "module.a[0].zoom_group.b".into()
            ),
            (
                "module.a[1].zoom_group.a".into(),
                "module.a[1].zoom_group.b".into()
            ),
        ]
    );
    let removed: Vec<String> = config.removed.iter().map(|r| r.from.to_string()).collect();
    assert_eq!(
        removed,
        ["module.a[0].zoom_group.old", "module.a[1].zoom_group.old"]
    );
    let ignored: Vec<String> = config
        .drift_ignores
        .iter()
        .map(|d| d.address.to_string())
        .collect();
    assert_eq!(
        ignored,
        ["module.a[0].zoom_group.b", "module.a[1].zoom_group.b"]
    );
    let checks: Vec<String> = std::mem::take(&mut config.checks)
        .iter()
        .map(|c| {
            format!(
                "{}.check.{}",
                crate::eval::module_display(&c.module),
                c.name
            )
        })
        .collect();
    assert_eq!(
        checks,
        ["module.a[0].check.named", "module.a[1].check.named"]
    );
}

#[test]
fn path_module_is_the_module_directory_and_file_reads_through_it() {
    let dir = dir_with(&[
        (
            "main.zen.hcl",
            r#"
module "a" {
  source = "./modules/a"
}
locals {
  root_path = path.module
  text      = module.a.text
  where     = module.a.where
}
"#,
        ),
        (
            "modules/a/main.zen.hcl",
            "output \"text\" { value = file(\"${path.module}/../a/note.txt\") }\noutput \"where\" { value = path.module }\n",
        ),
        ("modules/a/note.txt", "beside the module"),
    ]);
    let mut config = Config::load_dir(dir.path()).unwrap();
    expand(
        &mut config,
        &Environment::default(),
        &IndexMap::new(),
        &["zoom", "azuread"],
    )
    .unwrap();
    let env = Environment::default();
    let vars = IndexMap::new();
    let resources = std::collections::HashMap::new();
    let ctx = EvalContext::new(&config, &env, &vars, &resources);
    assert_eq!(ctx.eval_local("root_path").unwrap(), Value::str("."));
    assert_eq!(ctx.eval_local("where").unwrap(), Value::str("modules/a"));
    assert_eq!(
        ctx.eval_local("text").unwrap(),
        Value::str("beside the module")
    );
}
