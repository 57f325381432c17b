//! `check` blocks: assertions about live data ("SSO sign-in is locked for every group"),
//! evaluated once a plan (or an apply) knows the values, as Terraform does. A failed check is
//! a warning with its own line, never an error: it reports, it does not block.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::addr::ResourceAddr;
use crate::value::Value;
use crate::workspace::Workspace;

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Fail,
    /// A value it needs is known only after apply (or could not be evaluated).
    Unknown,
}

/// The result of one `check` block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CheckResult {
    pub name: String,
    /// The module instance it is written in (`module.tenant["contoso"]`); absent for the root.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub module: String,
    pub status: CheckStatus,
    /// The `error_message` of each failed assertion (or why it could not be evaluated).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

impl CheckResult {
    /// `check.NAME`, or `module.tenant["contoso"].check.NAME` in a module.
    pub fn address(&self) -> String {
        if self.module.is_empty() {
            format!("check.{}", self.name)
        } else {
            format!("{}.check.{}", self.module, self.name)
        }
    }
}

/// What a sensitive error message shows instead.
const SENSITIVE_MESSAGE: &str =
    "The error message included a sensitive value, so it will not be displayed.";

/// Evaluates every `check` block against `values` (resources and data sources as planned or
/// applied).
pub fn evaluate(ws: &Workspace, values: &HashMap<ResourceAddr, Value>) -> Vec<CheckResult> {
    let ctx = ws.eval_context(values);
    let mut out = Vec::new();
    for check in &ws.config.checks {
        // A check in a module sees that module instance's variables, locals and resources.
        ctx.set_module(&check.module);
        let mut status = CheckStatus::Pass;
        let mut problems = Vec::new();
        for assertion in &check.asserts {
            match ctx.eval(&assertion.condition) {
                Ok(v) => match v.unmark().0 {
                    Value::Bool(true) => {}
                    Value::Bool(false) => {
                        status = CheckStatus::Fail;
                        problems.push(match ctx.eval(&assertion.error_message) {
                            Ok(m) if m.contains_sensitive() => SENSITIVE_MESSAGE.to_string(),
                            Ok(m) => match m.unmark().0 {
                                Value::String(s) => s.clone(),
                                Value::Unknown => "(error message known after apply)".into(),
                                other => other.to_redacted_json().to_string(),
                            },
                            Err(d) => d.summary,
                        });
                    }
                    Value::Unknown => {
                        if status == CheckStatus::Pass {
                            status = CheckStatus::Unknown;
                        }
                    }
                    other => {
                        status = CheckStatus::Fail;
                        problems.push(format!(
                            "the condition must be true or false, found a {}",
                            other.type_name()
                        ));
                    }
                },
                Err(d) => {
                    if status == CheckStatus::Pass {
                        status = CheckStatus::Unknown;
                    }
                    problems.push(d.summary);
                }
            }
        }
        out.push(CheckResult {
            name: check.name.clone(),
            module: crate::eval::module_display(&check.module),
            status,
            problems,
        });
    }
    out
}
