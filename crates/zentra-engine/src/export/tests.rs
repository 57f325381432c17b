use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::json;

use super::*;
use crate::provider::RemoteObject;
use crate::schema::{ResourceKind, ResourceSchema};
use crate::value::Value;

fn schema() -> ResourceSchema {
    let mut body = Attr::new(AttrType::Object);
    let mut id = Attr::string();
    id.computed = true;
    body.properties.insert("id".into(), id);
    body.properties.insert("name".into(), Attr::string());
    let mut secret = Attr::string();
    secret.sensitive = true;
    body.properties.insert("secret".into(), secret);
    let mut section = Attr::new(AttrType::Object);
    section.description = "What the section holds. More words.".into();
    section.properties.insert("enable".into(), Attr::bool());
    section.properties.insert("long_name".into(), Attr::int());
    let mut read_only = Attr::string();
    read_only.read_only = true;
    section.properties.insert("shown".into(), read_only);
    body.properties.insert("section".into(), section);
    body.properties.insert("group_id".into(), Attr::string());
    ResourceSchema::new("t_thing", ResourceKind::Object, "A thing. Details.", body)
}

fn found(hint: &str, attributes: serde_json::Value) -> (ProviderAddr, DiscoveredObject) {
    (
        "t".parse().unwrap(),
        DiscoveredObject {
            type_name: "t_thing".into(),
            name_hint: hint.into(),
            object: RemoteObject::new(
                attributes["id"].as_str().unwrap_or("x"),
                Value::from_json(&attributes),
            ),
        },
    )
}

#[test]
fn only_configurable_attributes_are_exported_and_names_are_unique_identifiers() {
    let schemas = HashMap::from([("t_thing".to_string(), schema())]);
    let exported = resources(
        vec![
            found(
                "Sales EMEA",
                json!({"id": "g1", "name": "Sales EMEA", "secret": "hunter2",
                       "section": {"enable": true, "shown": "x", "long_name": 3}}),
            ),
            found(
                "sales-emea",
                json!({"id": "g2", "name": "sales-emea", "group_id": "g1"}),
            ),
            found("9 lives", json!({"id": "g3", "name": null})),
        ],
        &schemas,
    );
    let names: Vec<&str> = exported.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["sales_emea", "sales_emea_2", "_9_lives"]);
    assert_eq!(
        exported[0].attributes,
        json!({"name": "Sales EMEA", "section": {"enable": true, "long_name": 3}})
    );
    let files = files(&exported, &schemas, &IndexMap::new());
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].name, "t.zen.hcl");
    let text = &files[0].text;
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("group_id = t_thing.sales_emea.id"), "{text}");
    assert!(
        text.contains(
            "  name = \"Sales EMEA\"\n\n  # What the section holds\n  section {\n    enable    = true\n    long_name = 3\n  }\n"
        ),
        "{text}"
    );
    assert!(
        text.starts_with("provider \"t\" {}\n\n# A thing\nresource \"t_thing\" \"sales_emea\" {\n"),
        "{text}"
    );
}

#[test]
fn strings_read_back_as_written() {
    for text in [
        "plain",
        "quote \" and backslash \\",
        "line\nbreak\ttab",
        "${not_a_template} and %{ if x }",
        "$$ {x} % {y}",
        "bell \u{7}",
        "ünïcödé ✓",
    ] {
        let source = format!("a = {}\n", quoted_string(text));
        let body: hcl::Body = hcl::from_str(&source).unwrap();
        let value: hcl::Value = hcl::eval::Evaluate::evaluate(
            &body.attributes().next().unwrap().expr,
            &hcl::eval::Context::new(),
        )
        .unwrap();
        assert_eq!(value, hcl::Value::from(text), "{source}");
    }
}

#[test]
fn identifiers_are_what_labels_accept() {
    assert_eq!(identifier("Zoom Rooms (HQ)"), "zoom_rooms_hq");
    assert_eq!(identifier("___"), "unnamed");
    assert_eq!(identifier("cal@contoso.com"), "cal_contoso_com");
}

#[test]
fn objects_of_a_data_source_type_are_data_blocks_resources_refer_to() {
    let mut body = Attr::new(AttrType::Object);
    let mut id = Attr::string();
    id.computed = true;
    body.properties.insert("id".into(), id);
    body.properties.insert("email".into(), Attr::string());
    let service = ResourceSchema::new("t_services", ResourceKind::Data, "Services.", body);
    let schemas = HashMap::from([
        ("t_thing".to_string(), schema()),
        ("t_services".to_string(), service),
    ]);
    let (addr, mut data) = found(
        "cal@contoso.com",
        json!({"id": "s1", "email": "cal@contoso.com"}),
    );
    data.type_name = "t_services".into();
    let exported = resources(
        vec![
            (addr, data),
            found(
                "Board Room",
                json!({"id": "r1", "name": "Board", "group_id": "s1"}),
            ),
        ],
        &schemas,
    );
    assert!(exported[0].data && !exported[1].data);
    assert_eq!(exported[0].address(), "data.t_services.cal_contoso_com");
    let text = &files(&exported, &schemas, &IndexMap::new())[0].text;
    assert!(
        text.contains(
            "data \"t_services\" \"cal_contoso_com\" {\n  email = \"cal@contoso.com\"\n}"
        ),
        "{text}"
    );
    assert!(
        text.contains("group_id = data.t_services.cal_contoso_com.id"),
        "{text}"
    );
}
