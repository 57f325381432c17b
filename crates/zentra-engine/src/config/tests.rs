//! Tests of configuration loading: block structure and the diagnostics for malformed files.

use super::*;

fn load(src: &str) -> Result<Config, Diagnostics> {
    Config::from_files(
        Path::new("."),
        vec![SourceFile {
            display_path: "main.zen.hcl".into(),
            path: "main.zen.hcl".into(),
            text: src.into(),
        }],
    )
}

#[test]
fn loads_all_block_kinds() {
    let config = load(
        r#"
zentra { state_path = "s.json" }
provider "zoom" {}
provider "zoom" { alias = "emea" }
variable "domain" {
  type = string
  default = "contoso.com"
}
locals { upper = upper(var.domain) }
resource "zoom_account_settings" "main" {
  provider = zoom.emea
  security {
    signin_with_sso { enable = true }
  }
}
resource "azuread_service_principal" "zoom" {
  app_id = "x"
  depends_on = [zoom_account_settings.main]
}
output "sp" { value = azuread_service_principal.zoom.object_id }
"#,
    )
    .unwrap();
    assert_eq!(config.settings.state_path.as_deref(), Some("s.json"));
    assert_eq!(config.providers.len(), 2);
    let main = &config.resources[&ResourceAddr::managed("zoom_account_settings", "main")];
    assert_eq!(main.provider.to_string(), "zoom.emea");
    assert!(main.body.body.get_attribute("provider").is_none());
    let sp = &config.resources[&ResourceAddr::managed("azuread_service_principal", "zoom")];
    assert_eq!(sp.depends_on[0].0.to_string(), "zoom_account_settings.main");
    assert!(config.outputs.contains_key("sp"));
    assert_eq!(config.variables["domain"].ty, TypeConstraint::String);
}

#[test]
fn unknown_block_is_reported_with_location_and_suggestion() {
    let err = load("\nresorce \"zoom_group\" \"a\" {}\n").unwrap_err();
    let d = &err.0[0];
    assert_eq!(d.summary, "unknown block type `resorce`");
    assert_eq!(d.location.as_ref().unwrap().to_string(), "main.zen.hcl:2:1");
    assert_eq!(d.hint.as_deref(), Some("did you mean `resource`?"));
}

#[test]
fn syntax_errors_name_the_position() {
    let err = load("resource \"a_b\" \"c\" {\n  x = \n}\n").unwrap_err();
    let d = &err.0[0];
    assert!(d.summary.starts_with("syntax error"), "{}", d.summary);
    let loc = d.location.as_ref().unwrap();
    assert_eq!(loc.file, "main.zen.hcl");
    assert!(loc.line >= 2, "{loc}");
}

#[test]
fn duplicate_resources_and_wrong_labels_are_errors() {
    let err =
        load("resource \"zoom_group\" \"a\" {}\nresource \"zoom_group\" \"a\" {}\nvariable {}\n")
            .unwrap_err();
    let summaries: Vec<_> = err.0.iter().map(|d| d.summary.as_str()).collect();
    assert!(
        summaries.contains(&"`zoom_group.a` is declared twice"),
        "{summaries:?}"
    );
    assert!(
        summaries
            .iter()
            .any(|s| s.starts_with("`variable` block needs one label")),
        "{summaries:?}"
    );
}

#[test]
fn files_saved_with_a_byte_order_mark_load() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.zen.hcl"),
        "\u{feff}locals {\n  a = \"x\"\n}\n",
    )
    .unwrap();
    let config = Config::load_dir(dir.path()).unwrap();
    assert!(config.locals.contains_key("a"));
}

#[test]
fn files_not_in_utf8_are_reported_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.zen.hcl"),
        b"locals {\n  a = \"\xe9\"\n}\n",
    )
    .unwrap();
    let err = Config::load_dir(dir.path()).unwrap_err();
    let d = err.errors().next().unwrap();
    assert!(
        d.hint.as_deref().unwrap_or_default().contains("UTF-8"),
        "{d:?}"
    );
}
