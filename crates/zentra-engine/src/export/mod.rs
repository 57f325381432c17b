//! `zentra export`: turning the objects providers discover into configuration that manages them
//! as they are. Only attributes a configuration can write and a read returns are kept (computed,
//! read-only, write-only and sensitive ones are left out), block names come from natural keys,
//! and ids another exported object exports become references to it. A provider may also
//! discover objects of a data source's type (a Zoom Rooms calendar service, which no API can
//! create): they are written as `data` blocks that find the object, for resources to refer to.

pub mod hcl_text;

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::Value as Json;

pub use hcl_text::{identifier, quoted_string};

use crate::addr::ProviderAddr;
use crate::provider::DiscoveredObject;
use crate::schema::{Attr, AttrType, ResourceKind, ResourceSchema};

/// The computed attributes whose values other resources refer to (`zoom_group.sales.id`).
const REFERENCED_ATTRIBUTES: &[&str] = &["id", "object_id"];

/// One discovered object, ready to be written as a block.
#[derive(Clone, Debug)]
pub struct ExportedResource {
    pub provider: ProviderAddr,
    pub type_name: String,
    /// Whether it is written as a `data` block (the type is a data source's).
    pub data: bool,
    /// The block's name: an identifier, unique within its type.
    pub name: String,
    pub id: String,
    /// The configurable attributes, as a JSON object in the configuration's shape.
    pub attributes: Json,
    /// Values of computed attributes others may refer to: (attribute, value).
    pub referable: Vec<(String, String)>,
}

impl ExportedResource {
    /// How configuration refers to the block: `zoom_group.sales`,
    /// `data.zoom_rooms_calendar_services.rooms_admin_contoso_com`.
    pub fn address(&self) -> String {
        if self.data {
            format!("data.{}.{}", self.type_name, self.name)
        } else {
            format!("{}.{}", self.type_name, self.name)
        }
    }
}

/// One file `zentra export` writes.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportedFile {
    /// The file name, relative to the output directory.
    pub name: String,
    pub text: String,
}

/// The attributes of `live` a configuration may write: everything but computed, read-only,
/// write-only and sensitive attributes and null values; empty blocks dropped. `None` when
/// nothing is left.
pub fn configurable(schema: &Attr, live: &Json) -> Option<Json> {
    match (schema.ty, live) {
        (_, Json::Null) => None,
        (AttrType::Object, Json::Object(map)) if !schema.properties.is_empty() => {
            let mut out = serde_json::Map::new();
            for (name, attr) in &schema.properties {
                if attr.computed || attr.read_only || attr.write_only || attr.sensitive {
                    continue;
                }
                if let Some(value) = map.get(name).and_then(|v| configurable(attr, v)) {
                    out.insert(name.clone(), value);
                }
            }
            (!out.is_empty()).then_some(Json::Object(out))
        }
        _ => accepted(schema, live).then(|| live.clone()),
    }
}

/// Whether configuration may say `value`: within the schema's range and allowed values
/// (Graph answers a disabled admin consent workflow with `0` days, which no one may write).
fn accepted(schema: &Attr, value: &Json) -> bool {
    if let Some(n) = value.as_f64()
        && (schema.minimum.is_some_and(|min| n < min) || schema.maximum.is_some_and(|max| n > max))
    {
        return false;
    }
    if !schema.enum_values.is_empty() && !value.is_array() && !schema.enum_values.contains(value) {
        return false;
    }
    true
}

/// Turns discovered objects into resources (or data sources, for objects of a data source's
/// type) with unique identifier names, keeping only the attributes a configuration writes.
/// Objects of types without a schema are skipped.
pub fn resources(
    discovered: Vec<(ProviderAddr, DiscoveredObject)>,
    schemas: &HashMap<String, ResourceSchema>,
) -> Vec<ExportedResource> {
    let mut taken: HashSet<(String, String)> = HashSet::new();
    let mut out = Vec::new();
    for (provider, found) in discovered {
        let Some(schema) = schemas.get(&found.type_name) else {
            continue;
        };
        let live = found.object.attributes.to_json().unwrap_or(Json::Null);
        let attributes =
            configurable(&schema.body, &live).unwrap_or(Json::Object(Default::default()));
        let base = match &provider.alias {
            Some(alias) => identifier(&format!("{alias}_{}", found.name_hint)),
            None => identifier(&found.name_hint),
        };
        let mut name = base.clone();
        let mut n = 2;
        while !taken.insert((found.type_name.clone(), name.clone())) {
            name = format!("{base}_{n}");
            n += 1;
        }
        let referable = REFERENCED_ATTRIBUTES
            .iter()
            .filter_map(|attr| match live.get(*attr) {
                Some(Json::String(v)) if !v.is_empty() => Some(((*attr).to_string(), v.clone())),
                _ => None,
            })
            .collect();
        out.push(ExportedResource {
            provider,
            data: schema.kind == ResourceKind::Data,
            type_name: found.type_name,
            name,
            id: found.object.id,
            attributes,
            referable,
        });
    }
    out
}

/// The HCL files for `resources`: one per provider instance (`zoom.zen.hcl`,
/// `azuread.zen.hcl`, `zoom.emea.zen.hcl` for an alias), each starting with its `provider`
/// block (`provider_blocks` gives the attributes of aliased ones). Block order follows the
/// order of `resources`; ids of exported objects become references (`zoom_group.sales.id`)
/// wherever another resource's `*_id` attribute holds one, within the same provider instance.
pub fn files(
    resources: &[ExportedResource],
    schemas: &HashMap<String, ResourceSchema>,
    provider_blocks: &IndexMap<ProviderAddr, Vec<(String, Json)>>,
) -> Vec<ExportedFile> {
    let mut by_provider: IndexMap<ProviderAddr, Vec<&ExportedResource>> = IndexMap::new();
    for addr in provider_blocks.keys() {
        by_provider.entry(addr.clone()).or_default();
    }
    for r in resources {
        by_provider.entry(r.provider.clone()).or_default().push(r);
    }
    let mut out = Vec::new();
    for (provider, list) in by_provider {
        let mut targets: HashMap<&str, String> = HashMap::new();
        for r in &list {
            for (attr, value) in &r.referable {
                targets
                    .entry(value.as_str())
                    .or_insert_with(|| format!("{}.{attr}", r.address()));
            }
        }
        let mut text = String::new();
        let mut lines: Vec<hcl_text::Line> = Vec::new();
        if let Some(alias) = &provider.alias {
            lines.push(hcl_text::Line::attribute("alias", quoted_string(alias)));
        }
        for (name, value) in provider_blocks.get(&provider).into_iter().flatten() {
            lines.push(hcl_text::Line::attribute(name, hcl_text::expression(value)));
        }
        if lines.is_empty() {
            text.push_str(&format!("provider \"{}\" {{}}\n", provider.type_name));
        } else {
            text.push_str(&format!("provider \"{}\" {{\n", provider.type_name));
            hcl_text::write_lines(&mut text, 1, &lines);
            text.push_str("}\n");
        }
        for r in list {
            let schema = schemas.get(&r.type_name);
            text.push('\n');
            if let Some(schema) = schema {
                let first = schema.description.split(". ").next().unwrap_or_default();
                if !first.is_empty() {
                    text.push_str(&hcl_text::comment(0, first.trim_end_matches('.')));
                }
            }
            let keyword = if r.data { "data" } else { "resource" };
            text.push_str(&format!(
                "{keyword} \"{}\" \"{}\" {{\n",
                r.type_name, r.name
            ));
            let mut lines = Vec::new();
            if provider.alias.is_some() {
                lines.push(hcl_text::Line::Attribute(
                    "provider".into(),
                    provider.to_string(),
                ));
            }
            let body_schema = schema.map(|s| &s.body);
            lines.extend(hcl_text::body_lines(
                &r.attributes,
                body_schema,
                &|attr: &str, value: &str| {
                    if !attr.ends_with("_id") {
                        return None;
                    }
                    targets
                        .get(value)
                        .filter(|t| !t.starts_with(&format!("{}.", r.address())))
                        .cloned()
                },
            ));
            hcl_text::write_lines(&mut text, 1, &lines);
            text.push_str("}\n");
        }
        let name = match &provider.alias {
            Some(alias) => format!("{}.{alias}.zen.hcl", provider.type_name),
            None => format!("{}.zen.hcl", provider.type_name),
        };
        out.push(ExportedFile { name, text });
    }
    out
}

#[cfg(test)]
mod tests;
