//! The objects a plan is about, whole rather than as changes: what each one looks like now and
//! after apply, and what its configuration refers to. Renderings that show objects (Terraform's
//! JSON plan format: `planned_values`, `prior_state`, `configuration`) read these, so that
//! `zentra show --json PLANFILE` can render a saved plan without the configuration or the
//! services at hand.

use hcl::edit::expr::{Expression, ObjectKey, Traversal, TraversalOperator};
use hcl::edit::structure::{Body, Structure};
use hcl::edit::visit::{Visit, visit_traversal};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::addr::ResourceAddr;
use crate::plan::Action;
use crate::provider::RemoteObject;
use crate::schema::{Attr, AttrType, ResourceSchema};
use crate::value::Value;

/// One resource or data source of a plan, as a whole object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlannedObject {
    pub address: ResourceAddr,
    /// What it looks like now: the live values of the attributes the configuration writes,
    /// what the provider exports (`id`, `object_id`, …), `null` when it does not exist.
    /// Sensitive values are `null` (and listed in `before_sensitive_paths`).
    pub before: serde_json::Value,
    /// What it will look like after apply (`null` when it will be deleted or forgotten);
    /// unknown and sensitive values are `null`.
    pub after: serde_json::Value,
    /// Dotted paths of `before` whose values are withheld.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub before_sensitive_paths: Vec<String>,
    /// Dotted paths of `after` whose values are withheld.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_sensitive_paths: Vec<String>,
    /// Dotted paths of `after` known only after apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_unknown_paths: Vec<String>,
    /// The configuration's expressions by attribute, in Terraform's representation: a literal
    /// as `{"constant_value": …}`, anything that refers to variables, locals or other resources
    /// as `{"references": […]}`, nested blocks as lists of such objects. Sensitive literals
    /// are left out.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub expressions: serde_json::Value,
}

/// The object as the plan sees it, from the evaluated configuration (`want`, with its unknown
/// and sensitive marks), what refresh found, and the planned action.
pub fn planned_object(
    addr: &ResourceAddr,
    schema: &ResourceSchema,
    want: &Value,
    found: Option<&RemoteObject>,
    action: Action,
    body: Option<&Body>,
    was_sensitive: &[String],
) -> PlannedObject {
    let data = matches!(action, Action::Read);
    let before = found.map(|obj| {
        if data {
            redact_by_schema(&schema.body, &obj.attributes)
        } else {
            managed_view(&schema.body, want, &obj.attributes, &obj.id)
        }
    });
    let after = match action {
        Action::Delete | Action::Forget => None,
        Action::Read => before.clone(),
        Action::Create | Action::Replace => Some(created_view(&schema.body, want)),
        Action::Update | Action::NoOp | Action::Manual => Some(match &before {
            Some(b) => overlay(b, want),
            None => want.clone(),
        }),
    };
    // What was sensitive when last applied stays withheld on both sides: the live value is
    // still the secret it was set to.
    let before = before.map(|v| mark_sensitive_paths(v, "", was_sensitive));
    let after = after.map(|v| mark_sensitive_paths(v, "", was_sensitive));
    let split = |v: Option<&Value>| match v {
        Some(v) => (
            v.to_redacted_json(),
            paths_where(v, &Value::is_sensitive_leaf),
            paths_where(v, &Value::is_unknown_leaf),
        ),
        None => (serde_json::Value::Null, Vec::new(), Vec::new()),
    };
    let (before_json, before_sensitive_paths, _) = split(before.as_ref());
    let (after_json, after_sensitive_paths, after_unknown_paths) = split(after.as_ref());
    PlannedObject {
        address: addr.clone(),
        before: before_json,
        after: after_json,
        before_sensitive_paths,
        after_sensitive_paths,
        after_unknown_paths,
        expressions: body.map_or(serde_json::Value::Null, |b| {
            serde_json::Value::Object(body_expressions(b, &schema.body))
        }),
    }
}

/// An object that left the configuration but is still in state: it exists as state last
/// recorded it (and as refresh found it, for its id), and is gone after apply.
pub fn removed_object(
    state: &crate::state::ResourceState,
    found: Option<&RemoteObject>,
) -> PlannedObject {
    let mut before = state.attributes.clone();
    if let (Some(map), Some(computed)) = (before.as_object_mut(), state.computed.as_object()) {
        for (k, v) in computed {
            map.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    if let Some(map) = before.as_object_mut() {
        let id = found.map_or(state.id.clone(), |f| f.id.clone());
        map.insert("id".into(), serde_json::Value::String(id));
    }
    PlannedObject {
        address: state.address.clone(),
        before,
        after: serde_json::Value::Null,
        before_sensitive_paths: state.sensitive_paths.clone(),
        after_sensitive_paths: Vec::new(),
        after_unknown_paths: Vec::new(),
        expressions: serde_json::Value::Null,
    }
}

impl Value {
    fn is_sensitive_leaf(&self) -> bool {
        matches!(self, Value::Sensitive(_))
    }

    fn is_unknown_leaf(&self) -> bool {
        matches!(self, Value::Unknown)
    }
}

/// The live attributes the configuration writes (nested blocks member by member), the
/// attributes the provider computes, and the id; sensitive ones marked as such.
fn managed_view(schema: &Attr, want: &Value, live: &Value, id: &str) -> Value {
    let mut out = match restrict(schema, want, live) {
        Value::Object(map) => map,
        _ => IndexMap::new(),
    };
    if let Some(live) = live.as_object() {
        for (name, attr) in &schema.properties {
            if attr.computed
                && !out.contains_key(name)
                && let Some(v) = live.get(name)
            {
                out.insert(name.clone(), mark_if(attr.sensitive, v.clone()));
            }
        }
    }
    out.insert("id".into(), Value::str(id));
    Value::Object(out)
}

fn restrict(schema: &Attr, want: &Value, live: &Value) -> Value {
    let Some(map) = want.as_object() else {
        return live.clone();
    };
    let mut out = IndexMap::new();
    for (key, wanted) in map {
        let attr = schema.properties.get(key);
        let sensitive = attr.is_some_and(|a| a.sensitive) || wanted.contains_sensitive();
        let Some(have) = live.get(key) else {
            out.insert(key.clone(), Value::Null);
            continue;
        };
        let value = match attr {
            Some(a) if a.ty == AttrType::Object && wanted.as_object().is_some() => {
                restrict(a, wanted, have)
            }
            _ => have.clone(),
        };
        out.insert(key.clone(), mark_if(sensitive, value));
    }
    Value::Object(out)
}

/// A data source's values as read, sensitive attributes marked.
fn redact_by_schema(schema: &Attr, live: &Value) -> Value {
    match live.as_object() {
        Some(map) => Value::Object(
            map.iter()
                .map(|(k, v)| match schema.properties.get(k) {
                    Some(a) if a.sensitive => (k.clone(), v.clone().mark_sensitive()),
                    Some(a) if a.ty == AttrType::Object => (k.clone(), redact_by_schema(a, v)),
                    _ => (k.clone(), v.clone()),
                })
                .collect(),
        ),
        None => live.clone(),
    }
}

/// A new object: what the configuration sets, and the computed attributes and id unknown.
fn created_view(schema: &Attr, want: &Value) -> Value {
    let mut out = want.as_object().cloned().unwrap_or_default();
    for (name, attr) in &schema.properties {
        if attr.computed && !out.contains_key(name) {
            out.insert(name.clone(), Value::Unknown);
        }
    }
    out.insert("id".into(), Value::Unknown);
    Value::Object(out)
}

/// `base` with the configured values written over it, nested blocks member by member.
fn overlay(base: &Value, want: &Value) -> Value {
    match (base.unmark().0, want.unmark().0, want.is_sensitive_leaf()) {
        (Value::Object(b), Value::Object(w), false) => {
            let mut out = b.clone();
            for (k, v) in w {
                let merged = match out.get(k) {
                    Some(existing) => overlay(existing, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        _ => want.clone(),
    }
}

fn mark_if(sensitive: bool, v: Value) -> Value {
    if sensitive { v.mark_sensitive() } else { v }
}

/// Dotted paths of the leaves (through objects only) where `test` holds.
/// Marks sensitive every value of `v` at one of `paths` (dotted, as state records them).
fn mark_sensitive_paths(v: Value, prefix: &str, paths: &[String]) -> Value {
    if paths.is_empty() {
        return v;
    }
    if !prefix.is_empty() && paths.iter().any(|p| p == prefix) {
        return v.mark_sensitive();
    }
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    let v = mark_sensitive_paths(v, &path, paths);
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

fn paths_where(v: &Value, test: &dyn Fn(&Value) -> bool) -> Vec<String> {
    fn walk(v: &Value, prefix: &str, test: &dyn Fn(&Value) -> bool, out: &mut Vec<String>) {
        if test(v) {
            out.push(prefix.to_string());
            return;
        }
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(v, &path, test, out);
                }
            }
            Value::List(items) if items.iter().any(|i| any_leaf(i, test)) => {
                out.push(prefix.to_string());
            }
            Value::Sensitive(inner) => walk(inner, prefix, test, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, "", test, &mut out);
    out.retain(|p| !p.is_empty());
    out
}

fn any_leaf(v: &Value, test: &dyn Fn(&Value) -> bool) -> bool {
    test(v)
        || match v {
            Value::Object(map) => map.values().any(|v| any_leaf(v, test)),
            Value::List(items) => items.iter().any(|v| any_leaf(v, test)),
            Value::Sensitive(inner) => any_leaf(inner, test),
            _ => false,
        }
}

/// Terraform's representation of a body's expressions: attribute by attribute, blocks as lists.
fn body_expressions(body: &Body, schema: &Attr) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(a) => {
                let key = a.key.as_str();
                let sensitive = schema.properties.get(key).is_some_and(|p| p.sensitive);
                out.insert(key.to_string(), expression(&a.value, sensitive));
            }
            Structure::Block(b) => {
                let key = b.ident.as_str();
                let empty = Attr::new(AttrType::Object);
                let sub = schema.properties.get(key).unwrap_or(&empty);
                let entry = out
                    .entry(key.to_string())
                    .or_insert_with(|| serde_json::Value::Array(Vec::new()));
                if let serde_json::Value::Array(items) = entry {
                    items.push(serde_json::Value::Object(body_expressions(&b.body, sub)));
                }
            }
        }
    }
    out
}

/// `{"references": […]}` for an expression that refers to anything, `{"constant_value": …}`
/// for a literal (unless it is sensitive), `{}` otherwise (a function of literals).
pub fn expression(expr: &Expression, sensitive: bool) -> serde_json::Value {
    let mut refs = References::default();
    refs.visit_expr(expr);
    if !refs.0.is_empty() {
        return serde_json::json!({ "references": refs.0 });
    }
    match literal(expr) {
        Some(value) if !sensitive => serde_json::json!({ "constant_value": value }),
        _ => serde_json::json!({}),
    }
}

/// The value of a literal expression; `None` when it calls functions or has templates.
fn literal(expr: &Expression) -> Option<serde_json::Value> {
    Some(match expr {
        Expression::Null(_) => serde_json::Value::Null,
        Expression::Bool(b) => serde_json::Value::Bool(*b.value()),
        Expression::Number(n) => serde_json::to_value(n.value()).ok()?,
        Expression::String(s) => serde_json::Value::String(s.value().clone()),
        Expression::StringTemplate(_) => {
            serde_json::Value::String(crate::config::literal_string(expr)?)
        }
        Expression::Array(items) => {
            serde_json::Value::Array(items.iter().map(literal).collect::<Option<_>>()?)
        }
        Expression::Object(object) => serde_json::Value::Object(
            object
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(id) => id.as_str().to_string(),
                        ObjectKey::Expression(e) => literal(e)?.as_str()?.to_string(),
                    };
                    Some((key, literal(v.expr())?))
                })
                .collect::<Option<_>>()?,
        ),
        Expression::Parenthesis(p) => literal(p.inner())?,
        _ => return None,
    })
}

/// What an expression refers to, as Terraform lists it: `var.NAME`, `local.NAME`, and for a
/// resource both the attribute and the resource (`TYPE.NAME.ATTR`, `TYPE.NAME`).
#[derive(Default)]
struct References(Vec<String>);

impl References {
    fn push(&mut self, reference: String) {
        if !self.0.contains(&reference) {
            self.0.push(reference);
        }
    }
}

impl Visit for References {
    fn visit_traversal(&mut self, node: &Traversal) {
        if let Expression::Variable(root) = &node.expr {
            let names: Vec<&str> = node
                .operators
                .iter()
                .map_while(|op| match op.value() {
                    TraversalOperator::GetAttr(id) => Some(id.as_str()),
                    _ => None,
                })
                .collect();
            let root = root.as_str();
            match (root, names.as_slice()) {
                ("var" | "local", [name, ..]) => self.push(format!("{root}.{name}")),
                ("data", [t, n, rest @ ..]) => {
                    if let Some(attr) = rest.first() {
                        self.push(format!("data.{t}.{n}.{attr}"));
                    }
                    self.push(format!("data.{t}.{n}"));
                }
                ("self" | "each" | "count" | "path" | "data" | "var" | "local", _) => {}
                (t, [n, rest @ ..]) => {
                    if let Some(attr) = rest.first() {
                        self.push(format!("{t}.{n}.{attr}"));
                    }
                    self.push(format!("{t}.{n}"));
                }
                _ => {}
            }
        }
        visit_traversal(self, node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expr(src: &str) -> Expression {
        src.parse().unwrap()
    }

    #[test]
    fn expressions_are_literals_or_references_as_terraform_writes_them() {
        assert_eq!(
            expression(&expr("[\"a\", true, 3]"), false),
            json!({"constant_value": ["a", true, 3]})
        );
        assert_eq!(
            expression(&expr("azuread_service_principal.zoom.object_id"), false),
            json!({"references": ["azuread_service_principal.zoom.object_id", "azuread_service_principal.zoom"]})
        );
        assert_eq!(
            expression(&expr("\"${var.a}-${local.b}\""), false),
            json!({"references": ["var.a", "local.b"]})
        );
        assert_eq!(
            expression(&expr("lower(\"X\")"), false),
            json!({}),
            "a function of literals is neither"
        );
        assert_eq!(
            expression(&expr("\"hunter2\""), true),
            json!({}),
            "a sensitive literal is left out"
        );
    }

    #[test]
    fn paths_name_the_sensitive_and_unknown_leaves() {
        let mut security = IndexMap::new();
        security.insert("secret".to_string(), Value::str("x").mark_sensitive());
        security.insert("id".to_string(), Value::Unknown);
        let mut top = IndexMap::new();
        top.insert("security".to_string(), Value::Object(security));
        top.insert("list".to_string(), Value::List(vec![Value::Unknown]));
        let v = Value::Object(top);
        assert_eq!(
            paths_where(&v, &Value::is_sensitive_leaf),
            ["security.secret"]
        );
        assert_eq!(
            paths_where(&v, &Value::is_unknown_leaf),
            ["security.id", "list"]
        );
    }
}
