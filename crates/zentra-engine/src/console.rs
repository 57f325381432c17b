//! `zentra console`: evaluating expressions typed by a person against the configuration, as
//! `terraform console` does, to try a function or see what a reference holds before a plan.
//!
//! Resources take the attributes state records; those state does not record, and every data
//! source (nothing is read from a service here), evaluate as known after apply.

use std::collections::HashMap;
use std::path::PathBuf;

use indexmap::IndexMap;

use crate::addr::ResourceAddr;
use crate::config::Expr;
use crate::diag::{Diagnostic, SourceFile};
use crate::eval::EvalContext;
use crate::export::hcl_text::quoted_string;
use crate::state::StateFile;
use crate::value::Value;
use crate::workspace::Workspace;

/// What diagnostics name as the file of an expression typed in the console.
pub const CONSOLE_INPUT: &str = "<console-input>";

/// A loaded configuration and the resource values state gives it.
pub struct Console {
    ws: Workspace,
    resources: HashMap<ResourceAddr, Value>,
}

impl Console {
    pub fn new(ws: Workspace, state: Option<&StateFile>) -> Console {
        Console {
            ws,
            resources: state.map(state_values).unwrap_or_default(),
        }
    }

    /// The value of the expression `line`, in HCL syntax (several lines for a list or an
    /// object), or the diagnostic of what is wrong with it.
    pub fn eval_line(&mut self, line: &str) -> Result<String, Diagnostic> {
        let expr = hcl::edit::parser::parse_expr(line)
            .map_err(|e| crate::config::syntax::syntax_error(CONSOLE_INPUT, line, &e))?;
        let file = self.ws.config.sources.add(SourceFile {
            display_path: CONSOLE_INPUT.to_string(),
            path: PathBuf::from(CONSOLE_INPUT),
            text: line.to_string(),
        });
        let ctx = EvalContext::new(
            &self.ws.config,
            &self.ws.env,
            &self.ws.vars,
            &self.resources,
        );
        let value = ctx.eval(&Expr { file, expr })?;
        Ok(value_text(&value, 0))
    }
}

/// Each resource's attributes as state records them (what it manages, what the service set,
/// and its `id`); those never written to state because they are sensitive stay sensitive.
pub fn state_values(state: &StateFile) -> HashMap<ResourceAddr, Value> {
    state
        .resources
        .iter()
        .map(|entry| {
            let mut attributes = match Value::from_json(&entry.attributes) {
                Value::Object(map) => map,
                _ => IndexMap::new(),
            };
            if let Value::Object(computed) = Value::from_json(&entry.computed) {
                for (k, v) in computed {
                    attributes.entry(k).or_insert(v);
                }
            }
            attributes.insert("id".to_string(), Value::str(entry.id.clone()));
            let mut value = Value::Object(attributes);
            for path in &entry.sensitive_paths {
                let parts: Vec<&str> = path.split('.').collect();
                mark_sensitive_at(&mut value, &parts);
            }
            (entry.address.clone(), value)
        })
        .collect()
}

fn mark_sensitive_at(value: &mut Value, path: &[&str]) {
    match (value, path) {
        (v, []) => *v = std::mem::replace(v, Value::Null).mark_sensitive(),
        (Value::Object(map), [first, rest @ ..]) => {
            if let Some(inner) = map.get_mut(*first) {
                mark_sensitive_at(inner, rest);
            }
        }
        (Value::List(items), [_, ..]) => {
            for item in items {
                mark_sensitive_at(item, path);
            }
        }
        _ => {}
    }
}

/// `value` as `terraform console` shows it: HCL literals, one element or member a line in
/// lists and objects, `(sensitive value)` and `(known after apply)` for what cannot be shown.
pub fn value_text(value: &Value, depth: usize) -> String {
    let indent = "  ".repeat(depth + 1);
    let close = "  ".repeat(depth);
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quoted_string(s),
        Value::Unknown => "(known after apply)".to_string(),
        Value::Sensitive(_) => "(sensitive value)".to_string(),
        Value::List(items) if items.is_empty() => "[]".to_string(),
        Value::List(items) => {
            let mut out = String::from("[\n");
            for item in items {
                out.push_str(&format!("{indent}{},\n", value_text(item, depth + 1)));
            }
            out.push_str(&format!("{close}]"));
            out
        }
        Value::Object(map) if map.is_empty() => "{}".to_string(),
        Value::Object(map) => {
            let mut out = String::from("{\n");
            for (key, item) in map {
                out.push_str(&format!(
                    "{indent}{} = {}\n",
                    quoted_string(key),
                    value_text(item, depth + 1)
                ));
            }
            out.push_str(&format!("{close}}}"));
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::value_text;
    use crate::value::Value;

    #[test]
    fn values_read_as_hcl() {
        let value = Value::from_json(&serde_json::json!({
            "name": "Pilot ${x}",
            "ids": [1, true, null],
            "empty": [],
            "nested": {"a": {}},
        }));
        assert_eq!(
            value_text(&value, 0),
            "{\n  \"name\" = \"Pilot $${x}\"\n  \"ids\" = [\n    1,\n    true,\n    null,\n  ]\n  \"empty\" = []\n  \"nested\" = {\n    \"a\" = {}\n  }\n}"
        );
        assert_eq!(
            value_text(&Value::str("secret").mark_sensitive(), 0),
            "(sensitive value)"
        );
        assert_eq!(value_text(&Value::Unknown, 0), "(known after apply)");
    }
}
