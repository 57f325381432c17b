//! End to end: variable `validation` blocks and `nullable`, and outputs computed from
//! sensitive values, which must say `sensitive = true`.

use zentra_test_support::{Project, code, stderr, stdout};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_validation_is_an_error_at_its_condition_with_its_message_and_writes_nothing() {
    let p = Project::new(
        r#"
provider "zoom" {}

variable "group_name" {
  type = string
  validation {
    condition     = length(var.group_name) <= 127
    error_message = "Zoom group names are at most 127 characters."
  }
  validation {
    condition     = lower(var.group_name) == var.group_name
    error_message = "Use lower case group names, as the naming policy says."
  }
}

resource "zoom_group" "pilot" {
  name = var.group_name
}
"#,
    )
    .await;
    let out = p.run(&["plan", "--var", "group_name=SSO Pilot"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "Invalid value for variable `group_name`: Use lower case group names, as the naming policy says."
        ),
        "{err}"
    );
    assert!(err.contains("main.zen.hcl:11:21"), "{err}");
    assert!(
        !err.contains("at most 127"),
        "only the failed rule is reported: {err}"
    );
    assert!(p.writes().is_empty());

    let ok = p.run(&["plan", "--var", "group_name=sso pilot"]);
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_null_for_a_variable_that_is_not_nullable_takes_its_default_or_is_refused() {
    let config = r#"
provider "zoom" {}

variable "with_default" {
  type     = string
  nullable = false
  default  = "SSO pilot"
}

variable "without_default" {
  type     = string
  nullable = false
}

resource "zoom_group" "pilot" {
  name = "${var.with_default} ${var.without_default}"
}
"#;
    let p = Project::new(config).await;
    p.write(
        "zentra.vars.hcl",
        "with_default = null\nwithout_default = null\n",
    );
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains(
            "variable `without_default` (from zentra.vars.hcl) is null, but it is not nullable"
        ),
        "{err}"
    );
    assert!(!err.contains("with_default`"), "{err}");
    p.write(
        "zentra.vars.hcl",
        "with_default = null\nwithout_default = \"EMEA\"\n",
    );
    let (_, text) = p.plan_ok();
    assert!(text.contains("name = \"SSO pilot EMEA\""), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_output_of_a_sensitive_value_must_be_marked_sensitive() {
    let config = r#"
provider "zoom" {}

variable "domain" {
  type      = string
  sensitive = true
}

output "domain" {
  value = "sso.${var.domain}"
}
"#;
    let mut p = Project::new(config).await;
    p.set_env("ZENTRA_VAR_domain", "hidden-corp.example");
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("Output refers to sensitive values"), "{err}");
    assert!(err.contains("main.zen.hcl:10:11"), "{err}");
    assert!(err.contains("sensitive = true"), "{err}");
    assert!(!err.contains("hidden-corp"), "{err}");

    p.write_config(&config.replace(
        "  value = \"sso.${var.domain}\"\n",
        "  value     = \"sso.${var.domain}\"\n  sensitive = true\n",
    ));
    let (_, text) = p.plan_ok();
    assert!(text.contains("domain = (sensitive value)"), "{text}");
    assert!(!text.contains("hidden-corp"), "{text}");
}
