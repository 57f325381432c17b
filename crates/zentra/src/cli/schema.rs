//! `zentra schema [TYPE] [--json]`: what each resource type, data source and provider block
//! accepts, read from the same provider schemas that drive validation and `docs/reference.md`,
//! so the answer is at hand where the configuration is written.

use std::fmt::Write as _;

use clap::Args;
use serde_json::json;

use crate::output::{Printer, Tone};
use zentra_engine::diag::{Diagnostic, did_you_mean};
use zentra_engine::provider::{ProviderType, terraform_names};
use zentra_engine::schema::{Attr, AttrType, ResourceKind, ResourceSchema};
use zentra_providers::provider_types;

use super::Outcome;

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// A resource type (`zoom_group`), a data source (`data.azuread_domain`), a provider block
    /// (`provider.zoom`), optionally followed by a nested block (`zoom_account_settings.security`).
    /// Without it, every type is listed.
    #[arg(value_name = "TYPE")]
    pub type_name: Option<String>,
    /// Print the schema as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// What a TYPE argument names.
struct Found {
    /// `resource "zoom_group"`, `data "azuread_domain"`, `provider "zoom"`.
    heading: String,
    provider: &'static str,
    /// Set for resources and data sources.
    schema: Option<ResourceSchema>,
    /// The attributes shown: the whole body, or the nested block asked for.
    body: Attr,
    /// The nested block path, if one was asked for.
    path: Vec<String>,
    /// The same name in the other mode (`zoom_group` is a resource and a data source).
    also: Option<String>,
}

pub fn schema(args: &SchemaArgs, printer: &Printer) -> Outcome {
    let providers = provider_types();
    let Some(wanted) = &args.type_name else {
        if args.json {
            printer.data(&everything_json(&providers));
        } else {
            printer.data(&listing(&providers, printer));
        }
        return Outcome::Success;
    };
    let found = match find(&providers, wanted) {
        Ok(found) => found,
        Err(d) => {
            printer.diagnostic(&d);
            return Outcome::Failure;
        }
    };
    if args.json {
        let value = match (&found.schema, found.path.is_empty()) {
            (Some(schema), true) => {
                let mut value = serde_json::to_value(schema).unwrap_or_default();
                if let Some(map) = value.as_object_mut() {
                    map.insert("provider".into(), json!(found.provider));
                }
                value
            }
            _ => serde_json::to_value(&found.body).unwrap_or_default(),
        };
        printer.data(&format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        ));
    } else {
        printer.data(&describe(&found, printer));
    }
    Outcome::Success
}

/// Resolves `resource_type[.block...]`, `data.TYPE[.block...]` or `provider.NAME`.
fn find(providers: &[Box<dyn ProviderType>], wanted: &str) -> Result<Found, Diagnostic> {
    let mut parts: Vec<&str> = wanted.split('.').collect();
    let data = parts.first() == Some(&"data") && parts.len() > 1;
    let provider_block = parts.first() == Some(&"provider") && parts.len() > 1;
    if data || provider_block {
        parts.remove(0);
    }
    let type_name = parts[0];
    let path: Vec<String> = parts[1..].iter().map(|p| p.to_string()).collect();
    if provider_block {
        let Some(p) = providers.iter().find(|p| p.name() == type_name) else {
            let names: Vec<&str> = providers.iter().map(|p| p.name()).collect();
            return Err(
                Diagnostic::error(format!("unknown provider `{type_name}`")).with_hint(
                    match did_you_mean(type_name, names.iter().copied()) {
                        Some(s) => format!("did you mean `provider.{s}`?"),
                        None => format!("providers: {}", names.join(", ")),
                    },
                ),
            );
        };
        let body = nested(&p.config_schema(), &path, wanted)?;
        return Ok(Found {
            heading: format!("provider \"{}\"", p.name()),
            provider: p.name(),
            schema: None,
            body,
            path,
            also: None,
        });
    }
    let all: Vec<(&'static str, ResourceSchema)> = providers
        .iter()
        .flat_map(|p| p.resource_schemas().into_iter().map(move |s| (p.name(), s)))
        .collect();
    let is_data = |s: &ResourceSchema| s.kind == ResourceKind::Data;
    let managed = all
        .iter()
        .find(|(_, s)| !is_data(s) && s.type_name == type_name);
    let data_source = all
        .iter()
        .find(|(_, s)| is_data(s) && s.type_name == type_name);
    let (chosen, also) = match (data, managed, data_source) {
        (false, Some(m), d) => (m, d.map(|_| format!("data.{type_name}"))),
        (false, None, Some(d)) => (d, None),
        (true, m, Some(d)) => (d, m.map(|_| type_name.to_string())),
        _ => return Err(unknown_type(&all, type_name, data)),
    };
    let (provider, schema) = chosen;
    let block = if is_data(schema) { "data" } else { "resource" };
    let body = nested(&schema.body, &path, wanted)?;
    Ok(Found {
        heading: format!("{block} \"{type_name}\""),
        provider,
        schema: Some(schema.clone()),
        body,
        path,
        also,
    })
}

fn unknown_type(all: &[(&str, ResourceSchema)], type_name: &str, data: bool) -> Diagnostic {
    let shown = if data {
        format!("data.{type_name}")
    } else {
        type_name.to_string()
    };
    let d = Diagnostic::error(format!("unknown resource type or data source `{shown}`"));
    if let Some(renamed) = terraform_names::renamed_type_any_mode(type_name) {
        return d.with_hint(renamed.hint());
    }
    let names: Vec<String> = all
        .iter()
        .map(|(_, s)| {
            if s.kind == ResourceKind::Data {
                format!("data.{}", s.type_name)
            } else {
                s.type_name.clone()
            }
        })
        .collect();
    match did_you_mean(&shown, names.iter().map(String::as_str))
        .or_else(|| did_you_mean(type_name, names.iter().map(String::as_str)))
    {
        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
        None => d.with_hint("`zentra schema` lists every type"),
    }
}

/// The nested block at `path` of `body`.
fn nested(body: &Attr, path: &[String], wanted: &str) -> Result<Attr, Diagnostic> {
    let mut current = body;
    for (i, part) in path.iter().enumerate() {
        let members = match current.ty {
            AttrType::Array => current.items.as_deref().unwrap_or(current),
            _ => current,
        };
        match members.properties.get(part) {
            Some(next) => current = next,
            None => {
                let parent = if i == 0 {
                    wanted
                        .rsplit_once('.')
                        .map_or(wanted, |(p, _)| p)
                        .to_string()
                } else {
                    path[..i].join(".")
                };
                let d = Diagnostic::error(format!("`{parent}` has no block or attribute `{part}`"));
                return Err(
                    match did_you_mean(part, members.properties.keys().map(String::as_str)) {
                        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                        None => d.with_hint(format!(
                            "it has {}",
                            members
                                .properties
                                .keys()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    },
                );
            }
        }
    }
    Ok(current.clone())
}

/// Every type with its one-line description, grouped by provider.
fn listing(providers: &[Box<dyn ProviderType>], printer: &Printer) -> String {
    let mut out = String::new();
    let rows: Vec<(&str, Vec<(String, String)>)> = providers
        .iter()
        .map(|p| {
            let rows = p
                .resource_schemas()
                .iter()
                .map(|s| {
                    let name = if s.kind == ResourceKind::Data {
                        format!("data.{}", s.type_name)
                    } else {
                        s.type_name.clone()
                    };
                    (name, first_sentence(&s.description).to_string())
                })
                .collect();
            (p.name(), rows)
        })
        .collect();
    let width = rows
        .iter()
        .flat_map(|(_, r)| r.iter().map(|(n, _)| n.len()))
        .max()
        .unwrap_or(0);
    for (provider, rows) in rows {
        let _ = writeln!(
            out,
            "{}",
            printer.paint(&format!("Provider `{provider}`:"), Tone::Bold, false)
        );
        for (name, summary) in rows {
            let _ = writeln!(out, "  {name:<width$}  {summary}");
        }
        out.push('\n');
    }
    out.push_str(
        "Show one with `zentra schema TYPE` (a nested block: `zentra schema TYPE.BLOCK`, \
         a provider block: `zentra schema provider.NAME`).\n",
    );
    out
}

fn everything_json(providers: &[Box<dyn ProviderType>]) -> String {
    let mut out = serde_json::Map::new();
    for p in providers {
        let schemas = p.resource_schemas();
        let by_kind = |data: bool| -> serde_json::Map<String, serde_json::Value> {
            schemas
                .iter()
                .filter(|s| (s.kind == ResourceKind::Data) == data)
                .map(|s| {
                    (
                        s.type_name.clone(),
                        serde_json::to_value(s).unwrap_or_default(),
                    )
                })
                .collect()
        };
        out.insert(
            p.name().to_string(),
            json!({
                "provider": serde_json::to_value(p.config_schema()).unwrap_or_default(),
                "resources": by_kind(false),
                "data_sources": by_kind(true),
            }),
        );
    }
    let mut text = serde_json::to_string_pretty(&json!({ "providers": out })).unwrap_or_default();
    text.push('\n');
    text
}

/// A type's (or block's) attributes as a tree shaped like the configuration that sets them.
fn describe(found: &Found, printer: &Printer) -> String {
    let mut out = String::new();
    let title = if found.path.is_empty() {
        found.heading.clone()
    } else {
        format!("{} > {}", found.heading, found.path.join(" > "))
    };
    let _ = writeln!(out, "{}", printer.paint(&title, Tone::Bold, false));
    let kind = found
        .schema
        .as_ref()
        .map_or("provider block", |s| match s.kind {
            ResourceKind::Singleton => "singleton: always exists; removing it stops managing it",
            ResourceKind::Object => "object: created, updated and deleted by zentra",
            ResourceKind::Data => "data source: read on every plan, never written",
            ResourceKind::Manual => {
                "manual step: carried out by a person, recorded with `zentra confirm`"
            }
        });
    let _ = writeln!(out, "provider `{}` · {kind}", found.provider);
    let description = if found.path.is_empty() {
        found.schema.as_ref().map_or("", |s| s.description.as_str())
    } else {
        found.body.description.as_str()
    };
    if !description.trim().is_empty() {
        let _ = writeln!(out, "{}", description.trim());
    }
    if let Some(also) = &found.also {
        let _ = writeln!(
            out,
            "(also a data source or resource of this name: `zentra schema {also}`)"
        );
    }
    out.push('\n');
    let members = match found.body.ty {
        AttrType::Array => found.body.items.as_deref().unwrap_or(&found.body),
        _ => &found.body,
    };
    if members.properties.is_empty() {
        out.push_str("(no attributes)\n");
    }
    tree(&mut out, members, 0, printer);
    out.push_str(
        "\nrequired: must be written; computed: set by the service, readable in references.\n",
    );
    out
}

fn tree(out: &mut String, object: &Attr, depth: usize, printer: &Printer) {
    let pad = "  ".repeat(depth);
    for (name, attr) in &object.properties {
        let nested_object = match attr.ty {
            AttrType::Object if !attr.properties.is_empty() => Some((attr, false)),
            AttrType::Array => attr
                .items
                .as_deref()
                .filter(|i| i.ty == AttrType::Object && !i.properties.is_empty())
                .map(|i| (i, true)),
            _ => None,
        };
        let description = attr.description.trim();
        match nested_object {
            Some((members, is_list)) => {
                // A block is as optional as its attributes; only the other marks are shown.
                let marks: Vec<&str> = marks(attr)
                    .into_iter()
                    .filter(|m| *m != "optional")
                    .collect();
                let opening = if is_list {
                    format!("{name} = [{{")
                } else {
                    format!("{name} {{")
                };
                let _ = writeln!(
                    out,
                    "{pad}{}{}",
                    printer.paint(&opening, Tone::Bold, false),
                    if is_list {
                        format!("  list of blocks{}", bracketed(&marks))
                    } else {
                        bracketed(&marks)
                    }
                );
                if !description.is_empty() {
                    let _ = writeln!(
                        out,
                        "{pad}    {}",
                        printer.paint(description, Tone::Dim, false)
                    );
                }
                tree(out, members, depth + 1, printer);
                let _ = writeln!(out, "{pad}{}", if is_list { "}]" } else { "}" });
            }
            None => {
                let mut line = format!("{pad}{name} = {}", type_text(attr));
                let marks = marks(attr);
                line.push_str(&bracketed(&marks));
                let allowed = allowed_text(attr);
                if !allowed.is_empty() {
                    let _ = write!(line, "  {allowed}");
                }
                let _ = writeln!(out, "{line}");
                if !description.is_empty() {
                    let _ = writeln!(
                        out,
                        "{pad}    {}",
                        printer.paint(description, Tone::Dim, false)
                    );
                }
            }
        }
    }
}

fn bracketed(marks: &[&str]) -> String {
    if marks.is_empty() {
        String::new()
    } else {
        format!(" ({})", marks.join(", "))
    }
}

fn type_text(attr: &Attr) -> String {
    match attr.ty {
        AttrType::Array => {
            let item = attr.items.as_deref().map_or("string", |i| i.ty.describe());
            if attr.set {
                format!("set of {item}")
            } else {
                format!("list of {item}")
            }
        }
        AttrType::Object => "object".to_string(),
        other => other.describe().to_string(),
    }
}

/// required / optional / computed, then the marks that change how a value is compared or
/// applied.
fn marks(attr: &Attr) -> Vec<&'static str> {
    let mut marks = Vec::new();
    if attr.computed || attr.read_only {
        marks.push("computed");
    } else if attr.required {
        marks.push("required");
    } else {
        marks.push("optional");
    }
    if attr.set {
        marks.push("set: order ignored");
    }
    if attr.case_insensitive || attr.items.as_deref().is_some_and(|i| i.case_insensitive) {
        marks.push("case-insensitive");
    }
    if attr.force_new {
        marks.push("force-new: a change replaces it");
    }
    if attr.sensitive {
        marks.push("sensitive");
    }
    if attr.write_only {
        marks.push("write-only: not read back");
    }
    if attr.deprecated {
        marks.push("deprecated");
    }
    marks
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Allowed values, ranges, lengths and counts.
fn allowed_text(attr: &Attr) -> String {
    let mut parts = Vec::new();
    let enums = if attr.enum_values.is_empty() {
        attr.items
            .as_deref()
            .map(|i| i.enum_values.as_slice())
            .unwrap_or_default()
    } else {
        attr.enum_values.as_slice()
    };
    if !enums.is_empty() {
        let values: Vec<String> = enums.iter().map(ToString::to_string).collect();
        parts.push(format!("one of {}", values.join(", ")));
    }
    match (attr.minimum, attr.maximum) {
        (Some(a), Some(b)) => parts.push(format!("{} to {}", number_text(a), number_text(b))),
        (Some(a), None) => parts.push(format!("at least {}", number_text(a))),
        (None, Some(b)) => parts.push(format!("at most {}", number_text(b))),
        (None, None) => {}
    }
    let lengths = |a: &Attr| match (a.min_length, a.max_length) {
        (Some(x), Some(y)) => Some(format!("{x} to {y} characters")),
        (Some(x), None) => Some(format!("at least {x} characters")),
        (None, Some(y)) => Some(format!("at most {y} characters")),
        (None, None) => None,
    };
    if let Some(text) = lengths(attr) {
        parts.push(text);
    }
    if let Some(text) = attr.items.as_deref().and_then(lengths) {
        parts.push(format!("each {text}"));
    }
    if let Some(max) = attr.max_items {
        parts.push(format!("at most {max} items"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("[{}]", parts.join("; "))
    }
}

/// The text up to its first full stop (not the one of an abbreviation such as `e.g.`).
fn first_sentence(text: &str) -> &str {
    for (end, _) in text.match_indices(". ") {
        let before = &text[..end];
        if !(before.ends_with("e.g") || before.ends_with("i.e")) {
            return &text[..=end];
        }
    }
    text.trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(wanted: &str) -> String {
        let printer = Printer::plain(Box::new(std::io::sink()), Box::new(std::io::sink()));
        let found = find(&provider_types(), wanted).unwrap_or_else(|d| panic!("{d}"));
        describe(&found, &printer)
    }

    #[test]
    fn a_type_shows_its_attributes_with_marks_enums_and_ranges() {
        let grant = text("azuread_delegated_permission_grant");
        assert!(
            grant.contains(
                "scopes = set of string (required, set: order ignored)\n    The delegated scopes granted"
            ),
            "{grant}"
        );
        assert!(
            grant.contains("resource_app_id = string (required, case-insensitive, force-new: a change replaces it)"),
            "{grant}"
        );
        let consent = text("azuread_user_consent_policy");
        assert!(
            consent.contains(
                "user_consent = string (required)  [one of \"disabled\", \"low_risk\", \"all_apps\", \"microsoft_managed\"]"
            ),
            "{consent}"
        );
        let sso = text("zoom_account_settings.security.signin_with_sso");
        assert!(
            sso.starts_with("resource \"zoom_account_settings\" > security > signin_with_sso"),
            "{sso}"
        );
        assert!(sso.contains("enable = bool (optional)"), "{sso}");
        let settings = text("zoom_account_settings");
        assert!(
            settings.contains("security {\n"),
            "nested blocks open: {settings}"
        );
        assert!(settings.contains("  signin_with_sso {\n"), "{settings}");
    }

    #[test]
    fn data_sources_providers_and_shared_names_are_found() {
        let domain = text("data.azuread_domain");
        assert!(domain.starts_with("data \"azuread_domain\""), "{domain}");
        assert!(domain.contains("is_verified = bool (computed)"), "{domain}");
        // A data source is found without the prefix when no resource has its name.
        assert!(text("azuread_domain").starts_with("data \"azuread_domain\""));
        let group = text("zoom_group");
        assert!(group.starts_with("resource \"zoom_group\""), "{group}");
        assert!(group.contains("`zentra schema data.zoom_group`"), "{group}");
        assert!(text("provider.zoom").contains("plan_tier = string"));
    }

    #[test]
    fn unknown_names_get_a_suggestion_or_zentras_name() {
        let providers = provider_types();
        let hint = |wanted: &str| {
            find(&providers, wanted)
                .err()
                .and_then(|d| d.hint)
                .unwrap_or_default()
        };
        assert_eq!(hint("zoom_gruop"), "did you mean `zoom_group`?");
        assert!(
            hint("azuread_service_principal_delegated_permission_grant")
                .starts_with("zentra calls this `azuread_delegated_permission_grant`"),
        );
        assert_eq!(
            hint("zoom_account_settings.securty"),
            "did you mean `security`?"
        );
    }
}
