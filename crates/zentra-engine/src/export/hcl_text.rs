//! Writing HCL text in Terraform's canonical style: two-space indents, `=` aligned within a run
//! of consecutive attribute lines, attributes before nested blocks, strings escaped so that
//! what is read back is exactly the value written (`${` and `%{` included).

use serde_json::Value as Json;

use crate::schema::{Attr, AttrType};

/// A line (or a nested block) of a body.
#[derive(Clone, Debug, PartialEq)]
pub enum Line {
    /// `name = expression`, the expression already HCL text on one line.
    Attribute(String, String),
    /// A `# ...` comment line.
    Comment(String),
    Blank,
    /// `name { ... }`.
    Block(String, Vec<Line>),
}

impl Line {
    pub fn attribute(name: &str, expression: String) -> Self {
        Line::Attribute(name.to_string(), expression)
    }
}

/// Writes `lines` at `depth` two-space indents, aligning the `=` of consecutive attributes.
pub fn write_lines(out: &mut String, depth: usize, lines: &[Line]) {
    let indent = "  ".repeat(depth);
    let mut i = 0;
    while i < lines.len() {
        match &lines[i] {
            Line::Attribute(..) => {
                let run_end = lines[i..]
                    .iter()
                    .position(|l| !matches!(l, Line::Attribute(..)))
                    .map_or(lines.len(), |p| i + p);
                let width = lines[i..run_end]
                    .iter()
                    .map(|l| match l {
                        Line::Attribute(name, _) => name.chars().count(),
                        _ => 0,
                    })
                    .max()
                    .unwrap_or(0);
                for line in &lines[i..run_end] {
                    if let Line::Attribute(name, expr) = line {
                        let pad = width - name.chars().count();
                        out.push_str(&format!("{indent}{name}{} = {expr}\n", " ".repeat(pad)));
                    }
                }
                i = run_end;
                continue;
            }
            Line::Comment(text) => out.push_str(&comment(depth, text)),
            Line::Blank => out.push('\n'),
            Line::Block(name, body) => {
                out.push_str(&format!("{indent}{name} {{\n"));
                write_lines(out, depth + 1, body);
                out.push_str(&format!("{indent}}}\n"));
            }
        }
        i += 1;
    }
}

/// A comment at `depth`, one `#` line per line of `text`.
pub fn comment(depth: usize, text: &str) -> String {
    let indent = "  ".repeat(depth);
    text.lines()
        .map(|l| format!("{indent}# {}\n", l.trim()).replace(" \n", "\n"))
        .collect()
}

/// The lines of a body holding `value` (a JSON object): attributes first, in order, then nested
/// blocks for members the schema declares as blocks, each after a blank line and its
/// description's first sentence. `reference` may replace a string attribute by a reference
/// expression (given the attribute's name and value).
pub fn body_lines(
    value: &Json,
    schema: Option<&Attr>,
    reference: &dyn Fn(&str, &str) -> Option<String>,
) -> Vec<Line> {
    let Json::Object(map) = value else {
        return Vec::new();
    };
    let mut attributes = Vec::new();
    let mut blocks = Vec::new();
    for (name, member) in map {
        let member_schema = schema.and_then(|s| s.properties.get(name));
        let is_block = member_schema
            .is_some_and(|s| s.ty == AttrType::Object && !s.properties.is_empty())
            && member.is_object();
        if is_block {
            blocks.push(Line::Blank);
            if let Some(first) = member_schema.and_then(|s| summary(&s.description)) {
                blocks.push(Line::Comment(first));
            }
            blocks.push(Line::Block(
                name.clone(),
                body_lines(member, member_schema, reference),
            ));
        } else {
            let expr = match member {
                Json::String(s) => reference(name, s).unwrap_or_else(|| quoted_string(s)),
                other => expression(other),
            };
            attributes.push(Line::Attribute(name.clone(), expr));
        }
    }
    if attributes.is_empty() && !blocks.is_empty() {
        blocks.remove(0);
    }
    attributes.extend(blocks);
    attributes
}

/// The first sentence of a description, on one line, when there is one worth a comment.
fn summary(description: &str) -> Option<String> {
    let line = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let first = match line.find(". ") {
        Some(end) => &line[..end],
        None => line.trim_end_matches('.'),
    };
    (!first.is_empty()).then(|| first.to_string())
}

/// A JSON value as an HCL expression on one line.
pub fn expression(value: &Json) -> String {
    match value {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => quoted_string(s),
        Json::Array(items) => {
            let items: Vec<String> = items.iter().map(expression).collect();
            format!("[{}]", items.join(", "))
        }
        Json::Object(map) if map.is_empty() => "{}".into(),
        Json::Object(map) => {
            let members: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    let key = if is_identifier(k) {
                        k.clone()
                    } else {
                        quoted_string(k)
                    };
                    format!("{key} = {}", expression(v))
                })
                .collect();
            format!("{{ {} }}", members.join(", "))
        }
    }
}

/// `text` as an HCL string literal: quotes, backslashes and control characters escaped, and
/// `${` / `%{` doubled so they stay literal rather than starting a template.
pub fn quoted_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `text` is an HCL identifier usable as a block label or object key unquoted.
fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `hint` made into a resource name: lower case, runs of other characters turned into one
/// `_`, a leading digit prefixed; `unnamed` when nothing is left.
pub fn identifier(hint: &str) -> String {
    let mut out = String::new();
    for c in hint.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches('_');
    if trimmed.is_empty() {
        return "unnamed".into();
    }
    if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{trimmed}")
    } else {
        trimmed.to_string()
    }
}
