//! Tests of expression evaluation: references, templates, functions and the two marks.

use std::collections::HashMap;
use std::path::Path;

use indexmap::IndexMap;

use super::*;
use crate::config::Config;
use crate::diag::SourceFile;

fn config(src: &str) -> Config {
    Config::from_files(
        Path::new("."),
        vec![SourceFile {
            display_path: "main.zen.hcl".into(),
            path: "main.zen.hcl".into(),
            text: src.into(),
        }],
    )
    .unwrap()
}

fn eval_local(src: &str, name: &str, vars: IndexMap<String, Value>) -> Result<Value, Diagnostic> {
    let cfg = config(src);
    let env = Environment::from_pairs([("ZT_HOME", "/home/z")]);
    let resources = HashMap::new();
    let ctx = EvalContext::new(&cfg, &env, &vars, &resources);
    ctx.eval(&cfg.locals[name])
}

#[test]
fn templates_functions_and_locals() {
    let mut vars = IndexMap::new();
    vars.insert("domain".to_string(), Value::str("Contoso.com"));
    let src = r#"
locals {
  d = lower(var.domain)
  greeting = "sso for ${local.d}!"
  n = length([1, 2, 3]) * 2 + 1
  j = jsonencode({ a = [true, null] })
  picked = var.domain == "x" ? "no" : "yes"
  f = [for s in ["a", "b"] : upper(s) if s != "b"]
  m = { for k, v in { a = 1, b = 2 } : k => v + 1 }
  home = env("ZT_HOME")
  heredoc = <<-EOT
    line one
      line two
    EOT
}
"#;
    let get = |n: &str| eval_local(src, n, vars.clone()).unwrap();
    assert_eq!(get("greeting"), Value::str("sso for contoso.com!"));
    assert_eq!(get("n"), Value::from(7));
    assert_eq!(get("j"), Value::str(r#"{"a":[true,null]}"#));
    assert_eq!(get("picked"), Value::str("yes"));
    assert_eq!(get("f"), Value::List(vec![Value::str("A")]));
    assert_eq!(get("m").get("b"), Some(&Value::from(3)));
    assert_eq!(get("home"), Value::str("/home/z"));
    assert_eq!(get("heredoc"), Value::str("line one\n  line two\n"));
}

#[test]
fn sensitivity_follows_values_through_expressions() {
    let mut vars = IndexMap::new();
    vars.insert("secret".to_string(), Value::str("s3cr3t").mark_sensitive());
    let src = "locals {\n  t = \"x-${var.secret}\"\n  u = upper(var.secret)\n  plain = \"x\"\n}\n";
    assert!(
        eval_local(src, "t", vars.clone())
            .unwrap()
            .contains_sensitive()
    );
    assert!(
        eval_local(src, "u", vars.clone())
            .unwrap()
            .contains_sensitive()
    );
    assert!(!eval_local(src, "plain", vars).unwrap().contains_sensitive());
}

#[test]
fn references_to_declared_but_unapplied_resources_are_unknown() {
    let src = r#"
resource "azuread_service_principal" "zoom" { app_id = "x" }
locals {
  id = azuread_service_principal.zoom.object_id
  s = "id=${azuread_service_principal.zoom.object_id}"
}
"#;
    assert_eq!(
        eval_local(src, "id", IndexMap::new()).unwrap(),
        Value::Unknown
    );
    assert_eq!(
        eval_local(src, "s", IndexMap::new()).unwrap(),
        Value::Unknown
    );
}

#[test]
fn errors_name_the_location_and_suggest() {
    let src = "resource \"azuread_service_principal\" \"zoom\" { app_id = \"x\" }\nlocals {\n  a = azuread_service_principal.zom.object_id\n  b = lowr(\"x\")\n  c = local.a + 1\n  d = var.nope\n}\n";
    let e = eval_local(src, "a", IndexMap::new()).unwrap_err();
    assert_eq!(
        e.summary,
        "reference to undeclared resource `azuread_service_principal.zom`"
    );
    assert_eq!(e.location.unwrap().to_string(), "main.zen.hcl:3:7");
    assert_eq!(
        e.hint.as_deref(),
        Some("did you mean `azuread_service_principal.zoom`?")
    );
    let e = eval_local(src, "b", IndexMap::new()).unwrap_err();
    assert_eq!(e.hint.as_deref(), Some("did you mean `lower`?"));
    let e = eval_local(src, "d", IndexMap::new()).unwrap_err();
    assert_eq!(e.summary, "no variable named `nope`");
}

#[test]
fn self_referencing_locals_are_an_error_not_a_hang() {
    let src = "locals {\n  a = local.b\n  b = local.a\n}\n";
    let e = eval_local(src, "a", IndexMap::new()).unwrap_err();
    assert!(e.summary.contains("refers to itself"), "{}", e.summary);
}

#[test]
fn for_expressions_keep_the_mark_of_sensitive_keys_and_conditions() {
    let mut vars = IndexMap::new();
    vars.insert("secret".to_string(), Value::str("s3cr3t").mark_sensitive());
    let src = r#"
locals {
  by_key = { for s in [var.secret] : s => 1 }
  filtered = [for s in ["a", "s3cr3t"] : s if s == var.secret]
  plain = { for s in ["a"] : s => 1 }
}
"#;
    let by_key = eval_local(src, "by_key", vars.clone()).unwrap();
    assert!(by_key.contains_sensitive(), "{by_key:?}");
    let filtered = eval_local(src, "filtered", vars.clone()).unwrap();
    assert!(filtered.contains_sensitive(), "{filtered:?}");
    assert!(!eval_local(src, "plain", vars).unwrap().contains_sensitive());
}

#[test]
fn errors_about_sensitive_values_do_not_show_them() {
    let mut vars = IndexMap::new();
    vars.insert("secret".to_string(), Value::str("s3cr3t").mark_sensitive());
    let src = r#"
locals {
  number = tonumber(var.secret)
  key = { a = 1 }[var.secret]
  looked_up = lookup({}, var.secret)
  from_file = file(var.secret)
  from_env = env(var.secret)
  duplicate = { for s in [var.secret, var.secret] : s => 1 }
}
"#;
    for name in [
        "number",
        "key",
        "looked_up",
        "from_file",
        "from_env",
        "duplicate",
    ] {
        let e = eval_local(src, name, vars.clone()).unwrap_err();
        let shown = format!("{} {:?} {:?}", e.summary, e.detail, e.hint);
        assert!(!shown.contains("s3cr3t"), "{name}: {shown}");
        assert!(shown.contains("(sensitive value)"), "{name}: {shown}");
    }
}

#[test]
fn env_marks_credential_variables_sensitive() {
    let cfg = config(
        "locals {\n  secret = env(\"ZOOM_CLIENT_SECRET\")\n  azure = env(\"AZURE_CLIENT_SECRET\")\n  home = env(\"HOME\")\n}\n",
    );
    let env = Environment::from_pairs([
        ("ZOOM_CLIENT_SECRET", "zs"),
        ("AZURE_CLIENT_SECRET", "as"),
        ("HOME", "/home/z"),
    ]);
    let vars = IndexMap::new();
    let resources = HashMap::new();
    let ctx = EvalContext::new(&cfg, &env, &vars, &resources);
    assert!(
        ctx.eval(&cfg.locals["secret"])
            .unwrap()
            .contains_sensitive()
    );
    assert!(ctx.eval(&cfg.locals["azure"]).unwrap().contains_sensitive());
    assert!(!ctx.eval(&cfg.locals["home"]).unwrap().contains_sensitive());
}

#[cfg(unix)]
#[test]
fn file_refuses_devices_instead_of_reading_forever() {
    let src = "locals {\n  zero = file(\"/dev/zero\")\n}\n";
    let e = eval_local(src, "zero", IndexMap::new()).unwrap_err();
    assert!(e.summary.contains("not a regular file"), "{}", e.summary);
}

#[test]
fn file_refuses_files_too_large_for_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    std::fs::write(&big, vec![b'x'; 17 * 1024 * 1024]).unwrap();
    let src = format!(
        "locals {{\n  big = file({:?})\n}}\n",
        big.display().to_string()
    );
    let e = eval_local(&src, "big", IndexMap::new()).unwrap_err();
    assert!(e.summary.contains("larger than"), "{}", e.summary);
}
