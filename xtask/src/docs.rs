//! Builds the reference pages in `docs/`: one Markdown page per resource type
//! (`docs/resources/<type>.md`) and per data source (`docs/data-sources/<type>.md`) of every
//! provider zentra ships, rendered from zentra's own schemas, and an index (`docs/reference.md`).
//! Nested blocks get a headed table each, so settings with hundreds of fields stay readable.

use std::fmt::Write as _;

use serde_json::Value;
use zentra_providers::provider_types;
use zentra_schema::{Access, Attr, AttrType, PermissionSystem, ResourceKind, ResourceSchema};

use crate::output::GeneratedFile;

/// The index page.
pub const INDEX: &str = "docs/reference.md";

/// Where a schema's page goes.
pub fn page_path(schema: &ResourceSchema) -> String {
    let folder = if schema.kind == ResourceKind::Data {
        "data-sources"
    } else {
        "resources"
    };
    format!("docs/{folder}/{}.md", schema.type_name)
}

/// Every page, and the index, for every provider type's schemas.
pub fn generate_docs() -> Vec<GeneratedFile> {
    let mut files = Vec::new();
    let mut index = String::from(
        "# zentra reference\n\n\
         Generated from zentra's schemas by `cargo xtask docs`; do not edit by hand.\n",
    );
    for provider in provider_types() {
        let _ = write!(index, "\n## Provider `{}`\n\n", provider.name());
        index.push_str("| type | kind | what it is |\n|---|---|---|\n");
        for schema in provider.resource_schemas() {
            let path = page_path(&schema);
            let link = path.trim_start_matches("docs/");
            let _ = writeln!(
                index,
                "| [`{}`]({link}) | {} | {} |",
                schema.type_name,
                kind_name(schema.kind),
                cell(first_sentence(&schema.description))
            );
            files.push(GeneratedFile {
                path,
                contents: page(provider.name(), &schema),
            });
        }
    }
    files.push(GeneratedFile {
        path: INDEX.to_string(),
        contents: index,
    });
    files
}

fn kind_name(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Singleton => "singleton",
        ResourceKind::Object => "object",
        ResourceKind::Data => "data source",
        ResourceKind::Manual => "manual step",
    }
}

fn kind_explained(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Singleton => {
            "A singleton: it always exists. zentra adopts and updates it; removing it from the \
             configuration only stops managing it."
        }
        ResourceKind::Object => {
            "An object: zentra creates, updates and deletes it, and adopts an existing one it \
             finds by its identifying attributes instead of creating a duplicate."
        }
        ResourceKind::Data => "A data source: read on every plan, never written.",
        ResourceKind::Manual => {
            "A manual step: a person performs it and confirms it with `zentra confirm ADDRESS`."
        }
    }
}

/// The text up to its first full stop (not the one of an abbreviation such as `e.g.`).
fn first_sentence(text: &str) -> &str {
    let ends = text.match_indices(". ").map(|(at, _)| at);
    for end in ends {
        let before = &text[..end];
        if !(before.ends_with("e.g") || before.ends_with("i.e")) {
            return &text[..=end];
        }
    }
    text
}

/// Text made safe for one table cell.
fn cell(text: &str) -> String {
    text.replace('\n', " ")
        .replace('|', "\\|")
        .trim()
        .to_string()
}

fn page(provider: &str, schema: &ResourceSchema) -> String {
    let mut out = String::new();
    let (word, block) = if schema.kind == ResourceKind::Data {
        ("data source", "data")
    } else {
        ("resource", "resource")
    };
    let _ = writeln!(out, "# `{}` ({word})\n", schema.type_name);
    let _ = writeln!(
        out,
        "Provider `{provider}` · {}\n",
        kind_explained(schema.kind)
    );
    let _ = writeln!(out, "{}\n", schema.description.trim());
    let _ = writeln!(
        out,
        "Generated from zentra's schema by `cargo xtask docs`; do not edit by hand.\n"
    );

    out.push_str("## Example\n\n```hcl\n");
    let _ = writeln!(out, "{block} \"{}\" \"example\" {{", schema.type_name);
    let required: Vec<(&String, &Attr)> = schema
        .body
        .properties
        .iter()
        .filter(|(_, a)| a.required)
        .collect();
    for (name, attr) in &required {
        let _ = writeln!(out, "  {name} = {}", placeholder(attr));
    }
    if required.is_empty() {
        let optional = schema
            .body
            .properties
            .iter()
            .find(|(_, a)| !a.computed && !a.read_only && a.ty != AttrType::Object);
        let nested = schema
            .body
            .properties
            .iter()
            .find(|(_, a)| a.ty == AttrType::Object && !a.properties.is_empty());
        if let Some((name, attr)) = nested {
            if let Some((leaf, leaf_attr)) = attr
                .properties
                .iter()
                .find(|(_, a)| a.ty != AttrType::Object && !a.read_only)
            {
                let _ = writeln!(
                    out,
                    "  {name} {{\n    {leaf} = {}\n  }}",
                    placeholder(leaf_attr)
                );
            }
        } else if let Some((name, attr)) = optional {
            let _ = writeln!(out, "  {name} = {}", placeholder(attr));
        }
    }
    out.push_str("}\n```\n\n");

    if !schema.permissions.is_empty() {
        out.push_str("## Permissions\n\n");
        out.push_str(
            "What the credentials need (`zentra permissions` lists them for a whole \
             configuration).\n\n| system | permission | needed to | why |\n|---|---|---|---|\n",
        );
        for p in &schema.permissions {
            let system = match p.system {
                PermissionSystem::GraphApplication => "Microsoft Graph application permission",
                PermissionSystem::EntraRole => "Entra ID role",
                PermissionSystem::ZoomScope => "Zoom OAuth scope",
            };
            let access = match p.access {
                Access::Read => "plan",
                Access::Write => "apply",
            };
            let _ = writeln!(
                out,
                "| {system} | `{}` | {access} | {} |",
                p.name,
                cell(&p.reason)
            );
        }
        out.push('\n');
    }

    out.push_str("## Attributes\n\n");
    section(&mut out, &schema.body, "", 3);
    out
}

fn placeholder(attr: &Attr) -> String {
    if let Some(first) = attr.enum_values.first() {
        return first.to_string();
    }
    match attr.ty {
        AttrType::Boolean => "true".into(),
        AttrType::Integer | AttrType::Number => {
            attr.minimum.map_or("1".into(), |m| (m as i64).to_string())
        }
        AttrType::String => "\"...\"".into(),
        AttrType::Array => "[]".into(),
        AttrType::Object => "{}".into(),
    }
}

/// One table for the object's own members, then a headed section per nested block and per
/// list of objects.
fn section(out: &mut String, object: &Attr, path: &str, level: usize) {
    let leaves: Vec<(&String, &Attr)> = object
        .properties
        .iter()
        .filter(|(_, a)| !is_nested(a))
        .collect();
    let nested: Vec<(&String, &Attr)> = object
        .properties
        .iter()
        .filter(|(_, a)| is_nested(a))
        .collect();
    if !leaves.is_empty() {
        out.push_str("| attribute | type | allowed | description |\n|---|---|---|---|\n");
        for (name, attr) in &leaves {
            let _ = writeln!(
                out,
                "| `{name}` | {} | {} | {} |",
                type_text(attr),
                allowed_text(attr),
                cell(&description_text(attr))
            );
        }
        out.push('\n');
    }
    if !nested.is_empty() && !leaves.is_empty() {
        let names: Vec<String> = nested.iter().map(|(n, _)| format!("`{n}`")).collect();
        let _ = writeln!(out, "Blocks: {}.\n", names.join(", "));
    }
    for (name, attr) in nested {
        let here = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        let heading = "#".repeat(level.min(6));
        let (shown, body) = if attr.ty == AttrType::Array {
            (format!("{here}[]"), attr.items.as_deref())
        } else {
            (here.clone(), Some(attr))
        };
        let kind = if attr.ty == AttrType::Array {
            "list of objects"
        } else {
            "block"
        };
        let _ = writeln!(out, "{heading} `{shown}`\n");
        let text = description_text(attr);
        if text.is_empty() {
            let _ = writeln!(out, "A {kind}.\n");
        } else {
            let _ = writeln!(out, "A {kind}. {}\n", text.trim());
        }
        if let Some(body) = body {
            section(out, body, &shown, level + 1);
        }
    }
}

fn is_nested(attr: &Attr) -> bool {
    match attr.ty {
        AttrType::Object => !attr.properties.is_empty(),
        AttrType::Array => attr
            .items
            .as_deref()
            .is_some_and(|i| i.ty == AttrType::Object && !i.properties.is_empty()),
        _ => false,
    }
}

fn type_text(attr: &Attr) -> String {
    let base = match attr.ty {
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
    };
    let mut flags = Vec::new();
    if attr.required {
        flags.push("required");
    }
    if attr.computed {
        flags.push("computed");
    }
    if attr.force_new {
        flags.push("replaces on change");
    }
    if attr.sensitive {
        flags.push("sensitive");
    }
    if attr.write_only {
        flags.push("write-only");
    }
    if attr.case_insensitive
        || attr
            .items
            .as_deref()
            .is_some_and(|items| items.case_insensitive)
    {
        flags.push("any case");
    }
    if attr.deprecated {
        flags.push("deprecated");
    }
    if flags.is_empty() {
        base
    } else {
        format!("{base} ({})", flags.join(", "))
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

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
        parts.push(enums.iter().map(value_text).collect::<Vec<_>>().join(", "));
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
    parts.join("; ")
}

fn description_text(attr: &Attr) -> String {
    attr.description.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use zentra_schema::Attr;

    #[test]
    fn nested_blocks_get_headed_tables_with_types_and_allowed_values() {
        let mut domains = Attr::string_set().describe("Domains | pipes escaped.");
        domains.max_items = Some(20);
        if let Some(items) = domains.items.as_deref_mut() {
            items.min_length = Some(5);
            items.max_length = Some(30);
        }
        let schema = ResourceSchema::new(
            "x_settings",
            ResourceKind::Singleton,
            "Settings. More text.",
            Attr::object([
                ("account_id", Attr::string().force_new()),
                (
                    "security",
                    Attr::object([
                        ("mode", Attr::string().one_of(&["all", "none"])),
                        ("length", {
                            let mut a = Attr::int();
                            a.minimum = Some(8.0);
                            a.maximum = Some(14.0);
                            a
                        }),
                        ("domains", domains),
                    ]),
                ),
            ]),
        );
        let text = page("x", &schema);
        assert!(text.starts_with("# `x_settings` (resource)"), "{text}");
        assert!(text.contains("| `account_id` | string (replaces on change) |"));
        assert!(text.contains("### `security`"), "{text}");
        assert!(
            text.contains("| `mode` | string | `all`, `none` |"),
            "{text}"
        );
        assert!(
            text.contains("| `length` | whole number | 8 to 14 |"),
            "{text}"
        );
        assert!(
            text.contains("each 5 to 30 characters; at most 20 items"),
            "{text}"
        );
        assert!(text.contains("Domains \\| pipes escaped."), "{text}");
        assert!(
            text.contains("security {\n    mode = \"all\"\n  }"),
            "{text}"
        );
    }

    #[test]
    fn summaries_end_at_the_first_real_full_stop() {
        assert_eq!(
            first_sentence("Finds it, e.g. by name. More."),
            "Finds it, e.g. by name."
        );
        assert_eq!(first_sentence("No stop"), "No stop");
    }

    #[test]
    fn every_shipped_type_has_a_page_and_an_index_entry() {
        let files = generate_docs();
        let index = files.iter().find(|f| f.path == INDEX).expect("index");
        for provider in provider_types() {
            for schema in provider.resource_schemas() {
                let path = page_path(&schema);
                assert!(files.iter().any(|f| f.path == path), "{path}");
                assert!(
                    index.contents.contains(path.trim_start_matches("docs/")),
                    "{path} is linked"
                );
            }
        }
        assert!(
            files
                .iter()
                .any(|f| f.path == "docs/data-sources/zoom_group.md")
        );
        assert!(
            files
                .iter()
                .any(|f| f.path == "docs/resources/zoom_group.md")
        );
    }
}
