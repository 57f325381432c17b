//! Expanding blocks with `for_each` or `count` into their instances
//! (`zoom_group.pilot["emea"]`, `zoom_group.pilot[0]`), once variables and locals are known, so
//! that the dependency graph, planning, applying and state all work on instances.
//!
//! As in Terraform, the instances must be known when planning: a `for_each` or `count` that
//! depends on a value known only after apply, or on a sensitive value, is refused.

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::addr::{InstanceKey, ResourceAddr};
use crate::config::{Config, Repetition, ResourceBlock};
use crate::diag::{Diagnostic, Diagnostics};
use crate::env::Environment;
use crate::eval::EvalContext;
use crate::value::Value;

/// What `each` or `count` stands for in one instance's body.
#[derive(Clone, Debug)]
pub struct InstanceBinding {
    pub key: InstanceKey,
    /// `each.value` (for `for_each`; `None` for `count`).
    pub each_value: Option<Value>,
}

impl InstanceBinding {
    /// The names this instance adds to its body's scope: `each` (`key`, `value`) or `count`
    /// (`index`).
    pub fn scope(&self) -> IndexMap<String, Value> {
        let mut scope = IndexMap::new();
        match (&self.key, &self.each_value) {
            (InstanceKey::Index(_), _) => {
                let mut count = IndexMap::new();
                count.insert("index".to_string(), self.key.to_value());
                scope.insert("count".to_string(), Value::Object(count));
            }
            (InstanceKey::Name(_), value) => {
                let mut each = IndexMap::new();
                each.insert("key".to_string(), self.key.to_value());
                each.insert("value".to_string(), value.clone().unwrap_or(Value::Null));
                scope.insert("each".to_string(), Value::Object(each));
            }
        }
        scope
    }
}

/// The instances a block with `for_each` or `count` declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expansion {
    /// `for_each`: the keys, in order.
    Keys(Vec<String>),
    /// `count`: instances 0 to n-1.
    Count(u64),
}

impl Expansion {
    pub fn keys(&self) -> Box<dyn Iterator<Item = InstanceKey> + '_> {
        match self {
            Expansion::Keys(keys) => Box::new(keys.iter().cloned().map(InstanceKey::Name)),
            Expansion::Count(n) => Box::new((0..*n).map(InstanceKey::Index)),
        }
    }

    /// The value a reference to the whole block evaluates to: an object by key (`for_each`)
    /// or a list (`count`) of the instances' values.
    pub fn collect(&self, addr: &ResourceAddr, value_of: impl Fn(&ResourceAddr) -> Value) -> Value {
        match self {
            Expansion::Keys(keys) => Value::Object(
                keys.iter()
                    .map(|k| {
                        let v = value_of(&addr.with_key(InstanceKey::Name(k.clone())));
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Expansion::Count(n) => Value::List(
                (0..*n)
                    .map(|i| value_of(&addr.with_key(InstanceKey::Index(i))))
                    .collect(),
            ),
        }
    }
}

/// Replaces every block with `for_each` or `count` in `config.resources` by its instances (in
/// the block's place), and records each block's [`Expansion`]. A `for_each` may go over
/// another expanded block (`for_each = zoom_group.pilot`): its keys are known when planning even
/// where its attributes are not, so blocks are expanded in as many rounds as that takes.
pub fn expand(
    config: &mut Config,
    env: &Environment,
    vars: &IndexMap<String, Value>,
) -> Result<(), Diagnostics> {
    let mut pending: Vec<ResourceAddr> = config
        .resources
        .values()
        .filter(|r| r.repetition.is_some())
        .map(|r| r.addr.clone())
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    let mut instances: HashMap<ResourceAddr, Vec<InstanceBinding>> = HashMap::new();
    let mut diags = Diagnostics::default();
    loop {
        let mut found: Vec<(ResourceAddr, Vec<InstanceBinding>)> = Vec::new();
        let mut waiting: Vec<(ResourceAddr, Diagnostic)> = Vec::new();
        {
            let no_resources = HashMap::new();
            let ctx = EvalContext::new(config, env, vars, &no_resources);
            for addr in &pending {
                let repetition = config.resources[addr]
                    .repetition
                    .as_ref()
                    .expect("pending blocks repeat");
                ctx.set_module(&addr.module);
                match bindings(&ctx, repetition) {
                    Ok(list) => found.push((addr.clone(), list)),
                    Err((d, Retry::Later)) => waiting.push((addr.clone(), d)),
                    Err((d, Retry::Never)) => diags.push(d),
                }
            }
        }
        let progress = !found.is_empty();
        for (addr, list) in found {
            config
                .expansions
                .insert(addr.clone(), expansion_of(&config.resources[&addr], &list));
            instances.insert(addr, list);
        }
        pending = waiting.iter().map(|(a, _)| a.clone()).collect();
        if pending.is_empty() || !progress {
            for (_, d) in waiting {
                diags.push(d);
            }
            break;
        }
    }
    diags.into_result()?;
    let blocks = std::mem::take(&mut config.resources);
    for (addr, block) in blocks {
        let Some(list) = instances.remove(&addr) else {
            config.resources.insert(addr, block);
            continue;
        };
        for binding in list {
            let instance_addr = addr.with_key(binding.key.clone());
            config.resources.insert(
                instance_addr.clone(),
                ResourceBlock {
                    addr: instance_addr,
                    instance: Some(binding),
                    ..block.clone()
                },
            );
        }
    }
    Ok(())
}

fn expansion_of(block: &ResourceBlock, list: &[InstanceBinding]) -> Expansion {
    match &block.repetition {
        Some(Repetition::Count(_)) => Expansion::Count(list.len() as u64),
        _ => Expansion::Keys(
            list.iter()
                .map(|b| match &b.key {
                    InstanceKey::Name(k) => k.clone(),
                    InstanceKey::Index(i) => i.to_string(),
                })
                .collect(),
        ),
    }
}

/// The names an instance's body sees (`each`, `count`), with `each.value` as known now: a
/// value that was unknown when the block was expanded (an attribute of another resource) is
/// evaluated again against the resources known so far.
pub fn instance_scope(
    ctx: &EvalContext<'_>,
    block: &ResourceBlock,
) -> Option<IndexMap<String, Value>> {
    let binding = block.instance.as_ref()?;
    if let (Some(value), Some(Repetition::ForEach(expr)), InstanceKey::Name(key)) =
        (&binding.each_value, &block.repetition, &binding.key)
        && value.contains_unknown()
        && let Ok(all) = ctx.eval(expr)
        && let Some(now) = all.unmark().0.get(key)
    {
        let now = if all.unmark().1 {
            now.clone().mark_sensitive()
        } else {
            now.clone()
        };
        return Some(
            InstanceBinding {
                key: binding.key.clone(),
                each_value: Some(now),
            }
            .scope(),
        );
    }
    Some(binding.scope())
}

/// Whether a refused `for_each` or `count` may be accepted once other blocks are expanded.
pub(crate) enum Retry {
    Later,
    Never,
}

/// Evaluates a `for_each` or `count` into the instances' bindings, refusing what Terraform
/// refuses, with its words.
pub(crate) fn bindings(
    ctx: &EvalContext<'_>,
    repetition: &Repetition,
) -> Result<Vec<InstanceBinding>, (Diagnostic, Retry)> {
    let expr = repetition.expr();
    let value = ctx.eval(expr).map_err(|d| (d, Retry::Never))?;
    let retry = if value.contains_unknown() && !matches!(value.unmark().0, Value::Object(_)) {
        Retry::Later
    } else {
        Retry::Never
    };
    let at = |summary: &str, detail: String| -> Diagnostic {
        Diagnostic::error(summary)
            .at_span(ctx.sources(), expr.span().as_ref())
            .with_detail(detail)
    };
    match repetition {
        Repetition::ForEach(_) => for_each_bindings(&value, &at),
        Repetition::Count(_) => count_bindings(&value, &at),
    }
    .map_err(|d| (d, retry))
}

fn for_each_bindings(
    value: &Value,
    at: &dyn Fn(&str, String) -> Diagnostic,
) -> Result<Vec<InstanceBinding>, Diagnostic> {
    const SUMMARY: &str = "Invalid for_each argument";
    if value.contains_sensitive() && !matches!(value, Value::Object(_)) || is_sensitive(value) {
        return Err(at(
            SUMMARY,
            "Sensitive values, or values derived from sensitive values, cannot be used as \
             for_each arguments. If used, the sensitive value could be exposed as a resource \
             instance key."
                .into(),
        )
        .with_hint("make the keys of the map non-sensitive, and keep the secrets in its values"));
    }
    if value.contains_unknown() && !matches!(value, Value::Object(_)) || value.is_unknown() {
        return Err(unknown_for_each(at));
    }
    match value {
        Value::Null => Err(at(
            SUMMARY,
            "The given \"for_each\" argument value is unsuitable: the given \"for_each\" \
             argument value is null. A map, or set of strings is allowed."
                .into(),
        )),
        Value::Object(map) => Ok(map
            .iter()
            .map(|(k, v)| InstanceBinding {
                key: InstanceKey::Name(k.clone()),
                each_value: Some(v.clone()),
            })
            .collect()),
        Value::List(items) => {
            let mut keys: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => {
                        if !keys.contains(s) {
                            keys.push(s.clone());
                        }
                    }
                    Value::Null => {
                        return Err(at(
                            SUMMARY,
                            "The given \"for_each\" argument value is unsuitable: \"for_each\" \
                             sets must not contain null values."
                                .into(),
                        ));
                    }
                    other => {
                        return Err(at(
                            SUMMARY,
                            format!(
                                "The given \"for_each\" argument value is unsuitable: \
                                 \"for_each\" supports maps and sets of strings, but you have \
                                 provided a set containing type {}.",
                                other.type_name()
                            ),
                        )
                        .with_hint("convert the elements with tostring(), or use a map"));
                    }
                }
            }
            Ok(keys
                .into_iter()
                .map(|k| InstanceBinding {
                    each_value: Some(Value::String(k.clone())),
                    key: InstanceKey::Name(k),
                })
                .collect())
        }
        other => Err(at(
            SUMMARY,
            format!(
                "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument \
                 must be a map, or set of strings, and you have provided a value of type {}.",
                other.type_name()
            ),
        )),
    }
}

fn is_sensitive(value: &Value) -> bool {
    matches!(value, Value::Sensitive(_))
}

fn unknown_for_each(at: &dyn Fn(&str, String) -> Diagnostic) -> Diagnostic {
    at(
        "Invalid for_each argument",
        "The \"for_each\" value depends on resource attributes that cannot be determined until \
         apply, so zentra cannot predict how many instances will be created."
            .into(),
    )
    .with_hint(
        "When working with unknown values in for_each, it's better to define the map keys \
         statically in your configuration and place apply-time results only in the map values.",
    )
}

fn count_bindings(
    value: &Value,
    at: &dyn Fn(&str, String) -> Diagnostic,
) -> Result<Vec<InstanceBinding>, Diagnostic> {
    const SUMMARY: &str = "Invalid count argument";
    let (inner, sensitive) = value.unmark();
    if sensitive {
        return Err(at(
            SUMMARY,
            "Sensitive values, or values derived from sensitive values, cannot be used as count \
             arguments."
                .into(),
        ));
    }
    match inner {
        Value::Unknown => Err(at(
            SUMMARY,
            "The \"count\" value depends on resource attributes that cannot be determined until \
             apply, so zentra cannot predict how many instances will be created."
                .into(),
        )
        .with_hint("compute count from variables and locals, which are known when planning")),
        Value::Number(n) => match n.as_u64() {
            Some(n) => Ok((0..n)
                .map(|i| InstanceBinding {
                    key: InstanceKey::Index(i),
                    each_value: None,
                })
                .collect()),
            None if n.as_i64().is_some_and(|i| i < 0) => Err(at(
                SUMMARY,
                "The given \"count\" argument value is unsuitable: must be greater than or \
                 equal to zero."
                    .into(),
            )),
            None => Err(at(
                SUMMARY,
                format!(
                    "The given \"count\" argument value is unsuitable: {n} is not a whole number."
                ),
            )
            .with_hint("write a whole number")),
        },
        Value::Null => Err(at(
            SUMMARY,
            "The given \"count\" argument value is null. An integer is required.".into(),
        )),
        other => Err(at(
            SUMMARY,
            format!(
                "The given \"count\" argument value is unsuitable: a number is required, found a \
                 {}.",
                other.type_name()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::diag::SourceFile;

    fn expanded(src: &str, vars: IndexMap<String, Value>) -> Result<Config, Diagnostics> {
        let mut config = Config::from_files(
            Path::new("."),
            vec![SourceFile {
                display_path: "main.zen.hcl".into(),
                path: "main.zen.hcl".into(),
                text: src.into(),
            }],
        )?;
        expand(&mut config, &Environment::default(), &vars)?;
        Ok(config)
    }

    fn addresses(config: &Config) -> Vec<String> {
        config.resources.keys().map(ToString::to_string).collect()
    }

    #[test]
    fn maps_sets_and_counts_expand_in_place_and_in_order() {
        let config = expanded(
            r#"
resource "zoom_group" "first" { name = "first" }
resource "zoom_group" "pilot" {
  for_each = { emea = "EMEA", amer = "AMER" }
  name     = each.value
}
resource "zoom_group" "wave" {
  count = 2
  name  = "wave ${count.index}"
}
resource "zoom_group_settings" "pilot" {
  for_each = zoom_group.pilot
  group_id = each.value.id
}
resource "zoom_group" "set" {
  for_each = toset(["b", "a", "b"])
  name     = each.key
}
resource "zoom_group" "none" {
  count = 0
  name  = "none"
}
"#,
            IndexMap::new(),
        )
        .unwrap();
        assert_eq!(
            addresses(&config),
            [
                "zoom_group.first",
                r#"zoom_group.pilot["emea"]"#,
                r#"zoom_group.pilot["amer"]"#,
                "zoom_group.wave[0]",
                "zoom_group.wave[1]",
                r#"zoom_group_settings.pilot["emea"]"#,
                r#"zoom_group_settings.pilot["amer"]"#,
                r#"zoom_group.set["b"]"#,
                r#"zoom_group.set["a"]"#,
            ]
        );
        let none = ResourceAddr::managed("zoom_group", "none");
        assert_eq!(config.expansions[&none], Expansion::Count(0));
        assert_eq!(config.instances_of(&none), Some(vec![]));
        let emea: ResourceAddr = r#"zoom_group.pilot["emea"]"#.parse().unwrap();
        let scope = config.resources[&emea].instance.as_ref().unwrap().scope();
        assert_eq!(scope["each"].get("key"), Some(&Value::str("emea")));
        assert_eq!(scope["each"].get("value"), Some(&Value::str("EMEA")));
        let wave: ResourceAddr = "zoom_group.wave[1]".parse().unwrap();
        let scope = config.resources[&wave].instance.as_ref().unwrap().scope();
        assert_eq!(scope["count"].get("index"), Some(&Value::from(1i64)));
    }

    #[test]
    fn unknown_sensitive_and_unsuitable_values_are_refused_with_terraforms_words() {
        let e = expanded(
            r#"
resource "zoom_group" "base" { name = "base" }
resource "zoom_group" "copy" {
  for_each = toset([zoom_group.base.id])
  name     = each.key
}
"#,
            IndexMap::new(),
        )
        .unwrap_err();
        assert_eq!(e.0[0].summary, "Invalid for_each argument");
        assert_eq!(
            e.0[0].location.as_ref().unwrap().to_string(),
            "main.zen.hcl:4:14"
        );
        assert!(e.0[0].hint.as_deref().unwrap().contains("statically"));

        let mut vars = IndexMap::new();
        vars.insert(
            "names".to_string(),
            Value::List(vec![Value::str("a")]).mark_sensitive(),
        );
        let e = expanded(
            "variable \"names\" {}\nresource \"zoom_group\" \"g\" {\n  for_each = var.names\n  name = each.key\n}\n",
            vars,
        )
        .unwrap_err();
        assert!(
            e.0[0]
                .detail
                .as_deref()
                .unwrap()
                .contains("Sensitive values")
        );

        for (expr, words) in [
            ("count = -1", "greater than or equal to zero"),
            ("count = 1.5", "not a whole number"),
            ("count = \"two\"", "a number is required"),
            ("for_each = 3", "must be a map, or set of strings"),
            ("for_each = [1, 2]", "set containing type number"),
            ("for_each = null", "is null"),
        ] {
            let e = expanded(
                &format!("resource \"zoom_group\" \"g\" {{\n  {expr}\n  name = \"x\"\n}}\n"),
                IndexMap::new(),
            )
            .unwrap_err();
            assert!(
                e.0[0].detail.as_deref().unwrap().contains(words),
                "{expr}: {:?}",
                e.0[0]
            );
        }
    }

    #[test]
    fn count_and_for_each_together_are_refused() {
        let e = expanded(
            "resource \"zoom_group\" \"g\" {\n  for_each = toset([\"a\"])\n  count = 1\n  name = \"x\"\n}\n",
            IndexMap::new(),
        )
        .unwrap_err();
        assert!(
            e.0[0].summary.contains("both `count` and `for_each`"),
            "{:?}",
            e.0[0]
        );
    }
}
