//! Builds `schemas/msgraph/types.json` (the Microsoft Graph v1.0 entity, complex and enum
//! types zentra works with) and `schemas/msgraph/permissions.json` (Graph's delegated scopes
//! and application roles with their ids) from Microsoft's published metadata.

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Map, Value, json};

use crate::sources::{SpecFile, generated_from};

/// The sections of the types extract that are kept, in output order.
const TYPE_SECTIONS: &[&str] = &[
    "entityTypes",
    "complexTypes",
    "enumTypes",
    "entitySetsAndSingletons",
];

/// Graph's namespace; the extract also writes it with the `graph` alias.
const GRAPH_NAMESPACE: &str = "microsoft.graph";
const GRAPH_ALIAS: &str = "graph";

/// Builds `types.json`: the kept sections with every map sorted by key (type lists and
/// property lists keep their metadata order) and type names written in the full
/// `microsoft.graph.` namespace, including `baseType` and `Collection(...)` element types.
pub fn build_graph_types(types: &SpecFile) -> Result<Value> {
    let source = types.json()?;
    let mut out = Map::new();
    out.insert(
        "generated_from".into(),
        serde_json::to_value(generated_from([types]))?,
    );
    for section in TYPE_SECTIONS {
        let value = source
            .get(*section)
            .ok_or_else(|| anyhow!("{}: no `{section}` section", types.label))?;
        if !value.is_object() {
            bail!("{}: `{section}` is not an object", types.label);
        }
        out.insert((*section).to_string(), normalize_types(value, None));
    }
    Ok(Value::Object(out))
}

/// Sorts map keys recursively and expands the namespace alias in type-name fields.
fn normalize_types(value: &Value, key: Option<&str>) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(name, member)| (name.clone(), normalize_types(member, Some(name))))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| normalize_types(item, key))
                .collect(),
        ),
        Value::String(text) if matches!(key, Some("type" | "baseType")) => {
            Value::String(full_type_name(text))
        }
        other => other.clone(),
    }
}

/// `graph.domain` → `microsoft.graph.domain`, also inside `Collection(...)`; `Edm.*` and
/// names already in full are unchanged.
pub fn full_type_name(name: &str) -> String {
    if let Some(inner) = name
        .strip_prefix("Collection(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        return format!("Collection({})", full_type_name(inner));
    }
    match name
        .strip_prefix(GRAPH_ALIAS)
        .and_then(|rest| rest.strip_prefix('.'))
    {
        Some(local) => format!("{GRAPH_NAMESPACE}.{local}"),
        None => name.to_string(),
    }
}

/// One Graph permission: a delegated scope or an application role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphPermission {
    pub id: String,
    pub value: String,
    pub display_name: String,
    pub description: String,
}

/// The CSV columns a permission list is read from.
pub struct PermissionColumns {
    pub id: &'static str,
    pub value: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
}

/// Columns of `GraphDelegateRoles.csv` (oauth2PermissionScopes; admin-consent wording).
pub const DELEGATED_COLUMNS: PermissionColumns = PermissionColumns {
    id: "Id",
    value: "Value",
    display_name: "AdminConsentDisplayName",
    description: "AdminConsentDescription",
};

/// Columns of `GraphAppRoles.csv` (appRoles).
pub const APPLICATION_COLUMNS: PermissionColumns = PermissionColumns {
    id: "Id",
    value: "Value",
    display_name: "DisplayName",
    description: "Description",
};

/// Parses a permission CSV (quoted fields may hold commas, quotes and line breaks), locating
/// columns by header name, and returns the permissions sorted by value (then id).
pub fn parse_permissions(
    csv_text: &str,
    columns: &PermissionColumns,
) -> Result<Vec<GraphPermission>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().context("reading the CSV header")?.clone();
    let column = |name: &str| -> Result<usize> {
        headers
            .iter()
            .position(|header| header.trim() == name)
            .ok_or_else(|| {
                anyhow!(
                    "no `{name}` column (found: {})",
                    headers.iter().collect::<Vec<_>>().join(", ")
                )
            })
    };
    let (id, value, display_name, description) = (
        column(columns.id)?,
        column(columns.value)?,
        column(columns.display_name)?,
        column(columns.description)?,
    );
    let mut permissions = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("CSV record {}", index + 2))?;
        let field = |at: usize| record.get(at).unwrap_or("").trim().to_string();
        let permission = GraphPermission {
            id: field(id),
            value: field(value),
            display_name: field(display_name),
            description: field(description),
        };
        if permission.id.is_empty() || permission.value.is_empty() {
            bail!("CSV record {} has an empty id or value", index + 2);
        }
        permissions.push(permission);
    }
    permissions.sort_by(|a, b| a.value.cmp(&b.value).then_with(|| a.id.cmp(&b.id)));
    Ok(permissions)
}

/// Builds `permissions.json` from the delegated-scope and application-role CSVs.
pub fn build_graph_permissions(delegated: &SpecFile, application: &SpecFile) -> Result<Value> {
    let to_json = |permissions: Vec<GraphPermission>| -> Vec<Value> {
        permissions
            .into_iter()
            .map(|p| {
                json!({
                    "id": p.id,
                    "value": p.value,
                    "display_name": p.display_name,
                    "description": p.description,
                })
            })
            .collect()
    };
    let delegated_list = parse_permissions(delegated.text()?, &DELEGATED_COLUMNS)
        .with_context(|| format!("parsing {}", delegated.label))?;
    let application_list = parse_permissions(application.text()?, &APPLICATION_COLUMNS)
        .with_context(|| format!("parsing {}", application.label))?;
    Ok(json!({
        "generated_from": generated_from([delegated, application]),
        "delegated": to_json(delegated_list),
        "application": to_json(application_list),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_commas_quotes_and_line_breaks_are_parsed() {
        let text = "\u{feff}\"Id\",\"Value\",\"DisplayName\",\"Description\"\n\
                    \"2\",\"User.Read.All\",\"Read users\",\"Allows the app to read, list and \"\"search\"\" users.\"\n\
                    \"1\",\"Application.Read.All\",\"Read apps\",\"Two\nlines\"\n";
        let permissions = parse_permissions(text, &APPLICATION_COLUMNS).expect("parses");
        assert_eq!(
            permissions,
            vec![
                GraphPermission {
                    id: "1".into(),
                    value: "Application.Read.All".into(),
                    display_name: "Read apps".into(),
                    description: "Two\nlines".into(),
                },
                GraphPermission {
                    id: "2".into(),
                    value: "User.Read.All".into(),
                    display_name: "Read users".into(),
                    description: "Allows the app to read, list and \"search\" users.".into(),
                },
            ]
        );
    }

    #[test]
    fn columns_are_found_by_header_name_and_missing_ones_named() {
        let reordered = "Value,AdminConsentDescription,Id,AdminConsentDisplayName\nopenid,Sign in,37f7,Sign users in\n";
        let permissions = parse_permissions(reordered, &DELEGATED_COLUMNS).expect("parses");
        assert_eq!(permissions[0].id, "37f7");
        assert_eq!(permissions[0].display_name, "Sign users in");
        let error =
            parse_permissions("Id,Value\n1,x\n", &DELEGATED_COLUMNS).expect_err("missing column");
        assert!(format!("{error:#}").contains("AdminConsentDisplayName"));
    }

    #[test]
    fn malformed_csv_is_an_error() {
        let text = "Id,Value,DisplayName,Description\n1,A,\"unterminated,x\n2,B\n";
        assert!(parse_permissions(text, &APPLICATION_COLUMNS).is_err());
    }

    #[test]
    fn type_names_use_the_full_namespace() {
        assert_eq!(full_type_name("graph.domain"), "microsoft.graph.domain");
        assert_eq!(
            full_type_name("Collection(graph.keyCredential)"),
            "Collection(microsoft.graph.keyCredential)"
        );
        assert_eq!(
            full_type_name("Collection(Edm.String)"),
            "Collection(Edm.String)"
        );
        assert_eq!(
            full_type_name("microsoft.graph.directory"),
            "microsoft.graph.directory"
        );
        assert_eq!(full_type_name("graphical.thing"), "graphical.thing");
    }

    #[test]
    fn types_are_sorted_and_namespaced_with_sections_kept() {
        let file = SpecFile {
            label: "types.json".into(),
            sha256: "ab".into(),
            bytes: serde_json::to_vec(&json!({
                "entityTypes": {
                    "domain": { "openType": false, "baseType": "graph.entity", "properties": [
                        { "name": "id", "type": "Edm.String", "nullable": false },
                        { "name": "state", "type": "graph.domainState", "nullable": true }
                    ]},
                    "entity": { "baseType": null, "properties": [] }
                },
                "complexTypes": {},
                "enumTypes": { "permissionType": ["delegated", "application"] },
                "entitySetsAndSingletons": { "domains": { "type": "microsoft.graph.domain", "kind": "EntitySet" } },
                "boundOperations": []
            }))
            .expect("serializes"),
        };
        let types = build_graph_types(&file).expect("builds");
        let keys: Vec<&String> = types.as_object().expect("object").keys().collect();
        assert_eq!(
            keys,
            [
                "generated_from",
                "entityTypes",
                "complexTypes",
                "enumTypes",
                "entitySetsAndSingletons"
            ]
        );
        let entity_names: Vec<&String> = types["entityTypes"]
            .as_object()
            .expect("map")
            .keys()
            .collect();
        assert_eq!(entity_names, ["domain", "entity"]);
        let domain = &types["entityTypes"]["domain"];
        assert_eq!(
            domain.as_object().expect("map").keys().collect::<Vec<_>>(),
            ["baseType", "openType", "properties"]
        );
        assert_eq!(domain["baseType"], "microsoft.graph.entity");
        assert_eq!(
            domain["properties"][0]["name"], "id",
            "property order is kept"
        );
        assert_eq!(
            domain["properties"][1]["type"],
            "microsoft.graph.domainState"
        );
        assert_eq!(types["entityTypes"]["entity"]["baseType"], Value::Null);
        assert_eq!(
            types["enumTypes"]["permissionType"],
            json!(["delegated", "application"])
        );
    }
}
