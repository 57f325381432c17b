//! What `zentra state show` prints: one resource as state records it, as an HCL block with
//! its id and origin in a comment, sensitive values hidden.

use serde_json::Value as Json;
use zentra_engine::export::hcl_text::{Line, body_lines, write_lines};
use zentra_engine::export::quoted_string;
use zentra_engine::state::{Origin, ResourceState};

/// Stands in for a sensitive value until the text is written.
const HIDDEN: &str = "\u{0}sensitive\u{0}";

fn hide(value: &mut Json, path: &[&str]) {
    match path {
        [] => {}
        [last] => {
            if let Json::Object(map) = value {
                map.insert((*last).to_string(), Json::String(HIDDEN.into()));
            }
        }
        [first, rest @ ..] => {
            if let Some(child) = value.get_mut(*first) {
                hide(child, rest);
            }
        }
    }
}

/// The resource as state records it: managed attributes, then computed ones, sensitive
/// values shown as `(sensitive value)`.
pub fn state_entry_text(entry: &ResourceState) -> String {
    let origin = match entry.origin {
        Some(Origin::Created) => "created by zentra: removing its block deletes it",
        Some(Origin::Adopted) | None => "adopted: removing its block only forgets it",
    };
    let mut attributes = entry.attributes.clone();
    if let (Json::Object(map), Json::Object(computed)) = (&mut attributes, &entry.computed) {
        for (k, v) in computed {
            map.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    for path in &entry.sensitive_paths {
        let parts: Vec<&str> = path.split('.').collect();
        hide(&mut attributes, &parts);
    }
    let mut text = format!(
        "# {} (id {}, provider {}; {origin})\nresource \"{}\" \"{}\" {{\n",
        entry.address, entry.id, entry.provider, entry.address.type_name, entry.address.name
    );
    let mut lines: Vec<Line> = body_lines(&attributes, None, &|_, _| None);
    lines.retain(|l| !matches!(l, Line::Attribute(_, expr) if expr == "null"));
    write_lines(&mut text, 1, &lines);
    text.push_str("}\n");
    text.replace(&quoted_string(HIDDEN), "(sensitive value)")
}
