//! Evaluating a block body (a resource's or a provider's) against its schema: every attribute
//! evaluated and type-checked, nested blocks turned into nested objects, and every problem
//! reported at its file:line:column with a suggestion.

use std::collections::{HashMap, HashSet};

use hcl::edit::Span as _;
use hcl::edit::structure::{Body, Structure};
use indexmap::IndexMap;

use super::EvalContext;
use crate::addr::{Mode, ResourceAddr};
use crate::config::SourceBody;
use crate::diag::{Diagnostic, Diagnostics, FileId, Span, did_you_mean};
use crate::schema::{Attr, AttrType};
use crate::value::Value;

/// The result of evaluating a block body.
#[derive(Clone, Debug)]
pub struct EvaluatedBody {
    /// An object with one member per attribute or block written in configuration.
    pub value: Value,
    /// Where each written attribute is, by dotted path, for later diagnostics.
    pub spans: HashMap<String, Span>,
}

/// Evaluates `body` against the object schema `schema`.
pub fn eval_block_body(
    ctx: &EvalContext<'_>,
    body: &SourceBody,
    schema: &Attr,
    block_name: &str,
) -> Result<EvaluatedBody, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut spans = HashMap::new();
    // A resource's or data source's type, for hints that point to `zentra schema TYPE`.
    let of_type = block_name.parse::<ResourceAddr>().ok();
    let value = eval_body(
        ctx,
        body.file,
        &body.body,
        schema,
        "",
        block_name,
        of_type.as_ref(),
        body.span.as_ref(),
        &mut spans,
        &mut diags,
    );
    diags.into_result()?;
    Ok(EvaluatedBody { value, spans })
}

#[allow(clippy::too_many_arguments)]
fn eval_body(
    ctx: &EvalContext<'_>,
    file: FileId,
    body: &Body,
    schema: &Attr,
    prefix: &str,
    block_name: &str,
    of_type: Option<&ResourceAddr>,
    block_span: Option<&Span>,
    spans: &mut HashMap<String, Span>,
    diags: &mut Diagnostics,
) -> Value {
    let sources = ctx.sources();
    let mut out = IndexMap::new();
    // Attributes written, even those whose value failed (and are already reported).
    let mut written: HashSet<&str> = HashSet::new();
    let names = || schema.properties.keys().map(String::as_str);
    for structure in body.iter() {
        let (key, key_span, is_block) = match structure {
            Structure::Attribute(a) => (a.key.as_str(), a.key.span(), false),
            Structure::Block(b) => (b.ident.as_str(), b.ident.span(), true),
        };
        let key_span = Span::new(file, key_span);
        let path = if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        };
        let Some(attr) = schema.properties.get(key) else {
            let what = if is_block { "block" } else { "attribute" };
            let d = Diagnostic::error(format!("unknown {what} `{key}` in `{block_name}`"))
                .at_span(sources, key_span.as_ref());
            let renamed = renamed_attribute(of_type, prefix, key);
            let hint = match (renamed, did_you_mean(key, names())) {
                (Some(renamed), _) => renamed,
                (None, Some(s)) => format!("did you mean `{s}`?"),
                (None, None) if schema.properties.is_empty() => {
                    format!("`{block_name}` takes no attributes")
                }
                (None, None) => match of_type {
                    Some(addr) => format!(
                        "see `zentra schema {}` for what `{block_name}` accepts",
                        schema_path(addr, prefix)
                    ),
                    None => {
                        let mut accepted: Vec<&str> = names().collect();
                        accepted.sort_unstable();
                        format!("`{block_name}` accepts {}", accepted.join(", "))
                    }
                },
            };
            diags.push(d.with_hint(hint));
            continue;
        };
        if attr.computed || attr.read_only {
            let hint = renamed_attribute(of_type, prefix, key)
                .unwrap_or_else(|| format!("remove `{key}`; read it from the resource instead"));
            diags.push(
                Diagnostic::error(format!(
                    "`{path}` is set by the service and cannot be configured"
                ))
                .at_span(sources, key_span.as_ref())
                .with_hint(hint),
            );
            continue;
        }
        if !written.insert(key) {
            diags.push(
                Diagnostic::error(format!("`{path}` is set twice"))
                    .at_span(sources, key_span.as_ref())
                    .with_hint("keep one of them"),
            );
            continue;
        }
        if let Some(span) = key_span.clone() {
            spans.insert(path.clone(), span);
        }
        match structure {
            Structure::Block(b) => {
                if attr.ty != AttrType::Object {
                    diags.push(
                        Diagnostic::error(format!("`{path}` is an attribute, not a block"))
                            .at_span(sources, key_span.as_ref())
                            .with_hint(format!("write it as `{key} = <{}>`", attr.ty.describe())),
                    );
                    continue;
                }
                if !b.labels.is_empty() {
                    diags.push(
                        Diagnostic::error(format!("block `{path}` takes no labels"))
                            .at_span(sources, key_span.as_ref()),
                    );
                    continue;
                }
                let block_span = Span::new(file, b.span());
                let v = eval_body(
                    ctx,
                    file,
                    &b.body,
                    attr,
                    &path,
                    key,
                    of_type,
                    block_span.as_ref(),
                    spans,
                    diags,
                );
                out.insert(key.to_string(), v);
            }
            Structure::Attribute(a) => {
                let value_span = Span::new(file, a.value.span());
                let value = match ctx.eval_expr(file, &a.value) {
                    Ok(v) => v,
                    Err(d) => {
                        // An error in this attribute's own expression: say what the attribute
                        // is for, as a missing attribute would.
                        let inside = value_span.as_ref().is_some_and(|span| {
                            let start = sources.locate(span);
                            let end = sources.locate(&Span {
                                file: span.file,
                                range: span.range.end..span.range.end,
                            });
                            d.location.as_deref().is_some_and(|at| {
                                at.file == start.file
                                    && (start.line, start.column) <= (at.line, at.column)
                                    && (at.line, at.column) <= (end.line, end.column)
                            })
                        });
                        diags.push(
                            if inside && d.hint.is_none() && !attr.description.is_empty() {
                                d.with_hint(format!("`{path}`: {}", attr.description))
                            } else {
                                d
                            },
                        );
                        continue;
                    }
                };
                match check_value(attr, value, &path) {
                    Ok(v) => {
                        out.insert(key.to_string(), v);
                    }
                    Err((msg, hint)) => {
                        let d = Diagnostic::error(msg)
                            .at_span(sources, value_span.as_ref().or(key_span.as_ref()));
                        diags.push(match hint {
                            Some(h) => d.with_hint(h),
                            None => d,
                        });
                    }
                }
            }
        }
    }
    for (name, attr) in &schema.properties {
        if attr.required && !written.contains(name.as_str()) {
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            diags.push(
                Diagnostic::error(format!(
                    "`{block_name}` is missing the required attribute `{path}`"
                ))
                .at_span(sources, block_span)
                .with_hint(format!("add `{name} = ...`{}", describe_expected(attr))),
            );
        }
    }
    Value::Object(out)
}

/// What `zentra schema` shows the block at `prefix` of `addr`'s type under:
/// `zoom_account_settings.security`, `data.zoom_group`.
fn schema_path(addr: &ResourceAddr, prefix: &str) -> String {
    let type_ref = match addr.mode {
        Mode::Data => format!("data.{}", addr.type_name),
        Mode::Managed => addr.type_name.clone(),
    };
    if prefix.is_empty() {
        type_ref
    } else {
        format!("{type_ref}.{prefix}")
    }
}

/// The hint for a top-level attribute that Terraform's provider spells `key`.
fn renamed_attribute(of_type: Option<&ResourceAddr>, prefix: &str, key: &str) -> Option<String> {
    let addr = of_type.filter(|a| a.mode == Mode::Managed && prefix.is_empty())?;
    crate::provider::terraform_names::renamed_attribute(&addr.type_name, key).map(|r| r.hint())
}

fn describe_expected(attr: &Attr) -> String {
    if attr.description.is_empty() {
        String::new()
    } else {
        format!(" ({})", attr.description)
    }
}

type CheckError = (String, Option<String>);

/// Type-checks (and converts, as HCL does) one value against its attribute schema.
pub fn check_value(attr: &Attr, value: Value, path: &str) -> Result<Value, CheckError> {
    if let Value::Sensitive(inner) = value {
        // What is wrong is said without the value: it is sensitive.
        let clear = |text: String| super::redact_value(&text, &inner);
        return match check_value(attr, (*inner).clone(), path) {
            Ok(v) => Ok(v.mark_sensitive()),
            Err((message, hint)) => Err((clear(message), hint.map(clear))),
        };
    }
    if matches!(value, Value::Unknown) {
        return Ok(value);
    }
    if matches!(value, Value::Null) {
        return Err((
            format!("`{path}` must not be null"),
            Some("remove the attribute to leave the setting unmanaged".into()),
        ));
    }
    let mismatch = |v: &Value| -> CheckError {
        (
            format!(
                "`{path}` must be a {}, not a {}",
                attr.ty.describe(),
                v.type_name()
            ),
            (!attr.enum_values.is_empty()).then(|| format!("allowed values: {}", enum_list(attr))),
        )
    };
    let converted = match attr.ty {
        AttrType::Boolean => match value {
            Value::Bool(_) => value,
            Value::String(ref s) if s == "true" || s == "false" => Value::Bool(s == "true"),
            ref other => return Err(mismatch(other)),
        },
        AttrType::Integer | AttrType::Number => {
            let n = match value {
                Value::Number(ref n) => n.clone(),
                Value::String(ref s) => {
                    crate::config::types_parse_number(s).ok_or_else(|| mismatch(&value))?
                }
                ref other => return Err(mismatch(other)),
            };
            if attr.ty == AttrType::Integer && n.as_i64().is_none() && n.as_u64().is_none() {
                return Err((format!("`{path}` must be a whole number, not {n}"), None));
            }
            let f = n.as_f64().unwrap_or(f64::NAN);
            if let Some(min) = attr.minimum.filter(|m| f < *m) {
                return Err((
                    format!("`{path}` must be at least {min}, not {n}"),
                    range_hint(attr),
                ));
            }
            if let Some(max) = attr.maximum.filter(|m| f > *m) {
                return Err((
                    format!("`{path}` must be at most {max}, not {n}"),
                    range_hint(attr),
                ));
            }
            Value::Number(n)
        }
        AttrType::String => {
            let text = match value {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                ref other => return Err(mismatch(other)),
            };
            let length = text.chars().count() as u64;
            let too_short = attr.min_length.is_some_and(|min| length < min);
            let too_long = attr.max_length.is_some_and(|max| length > max);
            if too_short || too_long {
                let allowed = match (attr.min_length, attr.max_length) {
                    (Some(a), Some(b)) => format!("{a} to {b} characters"),
                    (Some(a), None) => format!("at least {a} characters"),
                    (None, Some(b)) => format!("at most {b} characters"),
                    (None, None) => String::new(),
                };
                return Err((
                    format!("`{path}` must be {allowed} long, not {length}"),
                    None,
                ));
            }
            Value::String(text)
        }
        AttrType::Array => match value {
            Value::List(items) => {
                let item_schema = attr.items.as_deref();
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    let item_path = format!("{path}[{i}]");
                    out.push(match item_schema {
                        Some(s) => check_value(s, item, &item_path)?,
                        None => item,
                    });
                }
                if let Some(max) = attr.max_items.filter(|max| out.len() as u64 > *max) {
                    return Err((
                        format!("`{path}` may hold at most {max} items, not {}", out.len()),
                        None,
                    ));
                }
                if attr.set {
                    let mut unique: Vec<Value> = Vec::with_capacity(out.len());
                    for v in out {
                        if !unique.iter().any(|u| super::values_equal(u, &v)) {
                            unique.push(v);
                        }
                    }
                    out = unique;
                }
                Value::List(out)
            }
            ref other => return Err(mismatch(other)),
        },
        AttrType::Object => match value {
            Value::Object(map) => {
                let mut out = IndexMap::new();
                for (k, v) in map {
                    let sub_path = format!("{path}.{k}");
                    let Some(sub) = attr.properties.get(&k) else {
                        let hint = did_you_mean(&k, attr.properties.keys().map(String::as_str))
                            .map(|s| format!("did you mean `{s}`?"));
                        return Err((format!("unknown attribute `{sub_path}`"), hint));
                    };
                    out.insert(k, check_value(sub, v, &sub_path)?);
                }
                Value::Object(out)
            }
            ref other => return Err(mismatch(other)),
        },
    };
    if !attr.enum_values.is_empty() {
        let json = converted.to_json();
        let ok = json.as_ref().is_some_and(|j| {
            attr.enum_values.iter().any(|e| match (e, j) {
                (serde_json::Value::String(a), serde_json::Value::String(b))
                    if attr.case_insensitive =>
                {
                    a.eq_ignore_ascii_case(b)
                }
                (serde_json::Value::Number(a), serde_json::Value::Number(b)) => {
                    a.as_f64() == b.as_f64()
                }
                _ => e == j,
            })
        });
        if !ok {
            let shown = json.map(|j| j.to_string()).unwrap_or_default();
            let hint = match (
                &converted,
                did_you_mean(
                    converted.as_str().unwrap_or(""),
                    attr.enum_values.iter().filter_map(|v| v.as_str()),
                ),
            ) {
                (Value::String(_), Some(s)) => {
                    format!("did you mean \"{s}\"? allowed values: {}", enum_list(attr))
                }
                _ => format!("allowed values: {}", enum_list(attr)),
            };
            return Err((format!("`{path}` cannot be {shown}"), Some(hint)));
        }
    }
    Ok(converted)
}

fn enum_list(attr: &Attr) -> String {
    attr.enum_values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn range_hint(attr: &Attr) -> Option<String> {
    match (attr.minimum, attr.maximum) {
        (Some(a), Some(b)) => Some(format!("allowed range: {a} to {b}")),
        (Some(a), None) => Some(format!("minimum: {a}")),
        (None, Some(b)) => Some(format!("maximum: {b}")),
        _ => None,
    }
}
