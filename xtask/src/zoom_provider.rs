//! Builds `schemas/providers/zoom.json`: the settings objects zentra manages on Zoom (account
//! and group settings and lock settings, and their `meeting_security` variants), each merged
//! from the GET response and PATCH body of the vendor's OpenAPI spec.

use anyhow::{Context, Result, anyhow, bail};
use indexmap::IndexMap;
use serde_json::Value;
use zentra_schema::{Attr, AttrType, ProviderSchemaFile};

use crate::attrs::{
    ConversionLog, Note, TypeConflict, attr_from_schema, count_fields, count_fields_where,
    merge_read_write,
};
use crate::openapi::{OpenApiDocument, content_schema};
use crate::sources::{SpecFile, generated_from};

/// Which spec file an object comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZoomSpec {
    Accounts,
    Users,
}

/// Which `oneOf` branch of a settings body an object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Branch {
    /// The branch at this index (the plain settings shape is branch 0).
    Index(usize),
    /// The branch whose top-level properties include this name (`meeting_security`).
    WithProperty(&'static str),
}

/// One generated object: where its GET and PATCH shapes are found.
#[derive(Clone, Copy, Debug)]
pub struct SettingsObject {
    pub name: &'static str,
    pub spec: ZoomSpec,
    pub path: &'static str,
    pub branch: Branch,
    pub description: &'static str,
}

/// Every object in `schemas/providers/zoom.json`, in output order.
pub const SETTINGS_OBJECTS: &[SettingsObject] = &[
    SettingsObject {
        name: "account_settings",
        spec: ZoomSpec::Accounts,
        path: "/accounts/{accountId}/settings",
        branch: Branch::Index(0),
        description: "Account settings: GET/PATCH /accounts/{accountId}/settings without `option`.",
    },
    SettingsObject {
        name: "account_settings_meeting_security",
        spec: ZoomSpec::Accounts,
        path: "/accounts/{accountId}/settings",
        branch: Branch::WithProperty("meeting_security"),
        description: "Account meeting and webinar security settings: GET/PATCH /accounts/{accountId}/settings?option=meeting_security.",
    },
    SettingsObject {
        name: "account_lock_settings",
        spec: ZoomSpec::Accounts,
        path: "/accounts/{accountId}/lock_settings",
        branch: Branch::Index(0),
        description: "Account lock settings (true = locked for groups and users): GET/PATCH /accounts/{accountId}/lock_settings.",
    },
    SettingsObject {
        name: "account_lock_settings_meeting_security",
        spec: ZoomSpec::Accounts,
        path: "/accounts/{accountId}/lock_settings",
        branch: Branch::WithProperty("meeting_security"),
        description: "Account meeting security lock settings: GET/PATCH /accounts/{accountId}/lock_settings?option=meeting_security.",
    },
    SettingsObject {
        name: "group_settings",
        spec: ZoomSpec::Users,
        path: "/groups/{groupId}/settings",
        branch: Branch::Index(0),
        description: "Group settings: GET/PATCH /groups/{groupId}/settings without `option`.",
    },
    SettingsObject {
        name: "group_settings_meeting_security",
        spec: ZoomSpec::Users,
        path: "/groups/{groupId}/settings",
        branch: Branch::WithProperty("meeting_security"),
        description: "Group meeting and webinar security settings: GET/PATCH /groups/{groupId}/settings?option=meeting_security.",
    },
    SettingsObject {
        name: "group_lock_settings",
        spec: ZoomSpec::Users,
        path: "/groups/{groupId}/lock_settings",
        branch: Branch::Index(0),
        description: "Group lock settings (true = locked for the group's users): GET/PATCH /groups/{groupId}/lock_settings.",
    },
    SettingsObject {
        name: "group_lock_settings_meeting_security",
        spec: ZoomSpec::Users,
        path: "/groups/{groupId}/lock_settings",
        branch: Branch::WithProperty("meeting_security"),
        description: "Group meeting security lock settings: GET/PATCH /groups/{groupId}/lock_settings?option=meeting_security.",
    },
];

/// Arrays the spec does not mark `uniqueItems` but whose order carries no meaning, so they are
/// compared as sets. Each path applies to every object that has it, and must match at least one.
pub const SET_OVERRIDES: &[(&str, &str)] = &[
    (
        "security.signin_with_sso.domains",
        "email domains that must use SSO; order is irrelevant",
    ),
    (
        "security.signin_with_sso.sso_bypass_user_ids",
        "user IDs allowed to bypass SSO; a membership list",
    ),
    (
        "security.user_modifiable_info_by_admin",
        "kinds of user information; a set of flags",
    ),
    (
        "security.sign_in_with_two_factor_auth_groups",
        "group IDs with 2FA enforced; a membership list",
    ),
    (
        "security.sign_in_with_two_factor_auth_roles",
        "role IDs with 2FA enforced; a membership list",
    ),
    (
        "chat.chat_email_address.specific_domains",
        "allowed email domains; order is irrelevant",
    ),
    (
        "chat.share_files.restrictions.file_type_restrictions",
        "allowed file extensions; a set of flags",
    ),
    (
        "chat.share_files.restrictions.file_type_restrictions_for_external",
        "allowed file extensions; a set of flags",
    ),
    (
        "in_meeting.data_center_regions",
        "region codes selected for data routing; a set of flags",
    ),
    (
        "in_meeting.unchecked_data_center_regions",
        "region codes left out of data routing; a set of flags",
    ),
    (
        "in_meeting.webinar_live_streaming.live_streaming_service",
        "enabled streaming services; a set of flags",
    ),
    (
        "tsp.call_out_countries",
        "country codes allowed for call-out; order is irrelevant",
    ),
    (
        "meeting_security.block_user_domain_list",
        "blocked email domains; order is irrelevant",
    ),
];

/// Strings (or arrays of strings) holding domain names, which DNS compares without regard to
/// case (RFC 4343), so a value Zoom returns in another case is no change. Each path applies to
/// every object that has it, and must match at least one.
pub const CASE_INSENSITIVE_OVERRIDES: &[(&str, &str)] = &[
    ("security.signin_with_sso.domains", "email domains"),
    ("chat.chat_email_address.specific_domains", "email domains"),
    (
        "schedule_meeting.enforce_login_domains",
        "comma-separated domains",
    ),
    ("meeting_security.block_user_domain_list", "email domains"),
    (
        "meeting_security.waiting_room_settings.whitelisted_domains_for_waiting_room",
        "comma-separated domains",
    ),
    (
        "meeting_security.waiting_room_options.admit_domain_allowlist",
        "comma-separated domains",
    ),
];

/// What the generator learned while building one object, for the summary it prints.
#[derive(Debug)]
pub struct ObjectReport {
    pub name: &'static str,
    pub field_count: usize,
    pub read_only_count: usize,
    pub write_only_count: usize,
    pub conflicts: Vec<TypeConflict>,
    pub notes: Vec<Note>,
}

/// The provider schema file and what was learned building it.
#[derive(Debug)]
pub struct ZoomProviderOutput {
    pub file: ProviderSchemaFile,
    pub reports: Vec<ObjectReport>,
}

/// Builds the provider schema file from the Accounts and Users API specs.
pub fn build_zoom_provider(accounts: &SpecFile, users: &SpecFile) -> Result<ZoomProviderOutput> {
    let accounts_doc = OpenApiDocument::new(accounts.label.clone(), accounts.json()?);
    let users_doc = OpenApiDocument::new(users.label.clone(), users.json()?);
    let mut objects = IndexMap::new();
    let mut reports = Vec::new();
    for object in SETTINGS_OBJECTS {
        let document = match object.spec {
            ZoomSpec::Accounts => &accounts_doc,
            ZoomSpec::Users => &users_doc,
        };
        let mut log = ConversionLog::default();
        let built = build_settings_object(document, object, &mut log)
            .with_context(|| format!("building object `{}`", object.name))?;
        let Some(attr) = built else { continue };
        reports.push(ObjectReport {
            name: object.name,
            field_count: count_fields(&attr),
            read_only_count: count_fields_where(&attr, &|a| a.read_only),
            write_only_count: count_fields_where(&attr, &|a| a.write_only),
            conflicts: log.conflicts,
            notes: log.notes,
        });
        objects.insert(object.name.to_string(), attr);
    }
    apply_set_overrides(&mut objects, SET_OVERRIDES)?;
    apply_case_insensitive_overrides(&mut objects, CASE_INSENSITIVE_OVERRIDES)?;
    Ok(ZoomProviderOutput {
        file: ProviderSchemaFile {
            generated_from: generated_from([accounts, users]),
            objects,
        },
        reports,
    })
}

/// Builds one object from its GET 200 response and PATCH body; `None` when neither has the
/// requested branch.
pub fn build_settings_object(
    document: &OpenApiDocument,
    object: &SettingsObject,
    log: &mut ConversionLog,
) -> Result<Option<Attr>> {
    let read_body = operation_body(document, object.path, "get")?;
    let write_body = operation_body(document, object.path, "patch")?;
    let read = select_branch(&read_body, object.branch)
        .map(|schema| attr_from_schema(schema, "", log))
        .transpose()
        .context("in the GET response")?;
    let write = select_branch(&write_body, object.branch)
        .map(|schema| attr_from_schema(schema, "", log))
        .transpose()
        .context("in the PATCH body")?;
    let Some(mut merged) = merge_read_write(read, write, "", log) else {
        return Ok(None);
    };
    if merged.ty != AttrType::Object {
        bail!("the settings body is a {:?}, not an object", merged.ty);
    }
    // The object's own read/write marks would only restate its members'.
    merged.read_only = false;
    merged.write_only = false;
    merged.description = object.description.to_string();
    Ok(Some(merged))
}

/// The normalized JSON body of an operation: the 200 response for GET, the request body otherwise.
fn operation_body(document: &OpenApiDocument, path: &str, method: &str) -> Result<Value> {
    let operation = document.operation(path, method)?;
    let holder = if method == "get" {
        let response = operation
            .get("responses")
            .and_then(|responses| responses.get("200"))
            .ok_or_else(|| anyhow!("GET {path} has no 200 response"))?;
        document.dereference(response)?
    } else {
        let body = operation
            .get("requestBody")
            .ok_or_else(|| anyhow!("{} {path} has no request body", method.to_uppercase()))?;
        document.dereference(body)?
    };
    let (_, schema) = content_schema(holder)
        .ok_or_else(|| anyhow!("{} {path}: no JSON schema", method.to_uppercase()))?;
    document.normalize_schema(schema)
}

/// The branch of a (possibly `oneOf`) body the object is made from.
fn select_branch(body: &Value, branch: Branch) -> Option<&Value> {
    let branches: Vec<&Value> = match body.get("oneOf").and_then(Value::as_array) {
        Some(list) => list.iter().collect(),
        None => vec![body],
    };
    match branch {
        Branch::Index(index) => branches.get(index).copied(),
        Branch::WithProperty(name) => branches.into_iter().find(|candidate| {
            candidate
                .get("properties")
                .and_then(|properties| properties.get(name))
                .is_some()
        }),
    }
}

/// Marks the arrays named in `overrides` as sets in every object that has them; a path that
/// matches nothing, or names something other than an array, is an error so the table cannot rot.
pub fn apply_set_overrides(
    objects: &mut IndexMap<String, Attr>,
    overrides: &[(&str, &str)],
) -> Result<()> {
    for (path, _reason) in overrides {
        let parts: Vec<&str> = path.split('.').collect();
        let mut matched = 0;
        for (name, object) in objects.iter_mut() {
            let Some(attr) = attr_at_path_mut(object, &parts) else {
                continue;
            };
            if attr.ty != AttrType::Array {
                bail!(
                    "set override `{path}` names a {:?} in `{name}`, not an array",
                    attr.ty
                );
            }
            attr.set = true;
            matched += 1;
        }
        if matched == 0 {
            bail!("set override `{path}` matches no field in any object");
        }
    }
    Ok(())
}

/// Marks the strings (or the items of the string arrays) named in `overrides` as compared
/// without regard to case; a path that matches nothing, or names anything else, is an error.
pub fn apply_case_insensitive_overrides(
    objects: &mut IndexMap<String, Attr>,
    overrides: &[(&str, &str)],
) -> Result<()> {
    for (path, _reason) in overrides {
        let parts: Vec<&str> = path.split('.').collect();
        let mut matched = 0;
        for (name, object) in objects.iter_mut() {
            let Some(attr) = attr_at_path_mut(object, &parts) else {
                continue;
            };
            let target = match attr.ty {
                AttrType::String => Some(attr),
                AttrType::Array => attr
                    .items
                    .as_deref_mut()
                    .filter(|items| items.ty == AttrType::String),
                _ => None,
            };
            let Some(target) = target else {
                bail!(
                    "case override `{path}` names neither a string nor a list of strings in `{name}`"
                );
            };
            target.case_insensitive = true;
            matched += 1;
        }
        if matched == 0 {
            bail!("case override `{path}` matches no field in any object");
        }
    }
    Ok(())
}

fn attr_at_path_mut<'a>(attr: &'a mut Attr, path: &[&str]) -> Option<&'a mut Attr> {
    let mut current = attr;
    for part in path {
        current = match current.ty {
            AttrType::Object => current.properties.get_mut(*part)?,
            AttrType::Array => current.items.as_deref_mut()?.properties.get_mut(*part)?,
            _ => return None,
        };
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings_document() -> OpenApiDocument {
        OpenApiDocument::new(
            "inline.json",
            json!({
                "paths": { "/things/{id}/settings": {
                    "get": { "responses": { "200": { "content": { "application/json": { "schema": {
                        "oneOf": [
                            { "type": "object", "properties": {
                                "security": { "$ref": "#/components/schemas/ReadSecurity" },
                                "smart_recognition": { "type": "object", "properties": {
                                    "enable": { "type": "boolean" } } }
                            }},
                            { "type": "object", "properties": {
                                "meeting_security": { "type": "object", "properties": {
                                    "waiting_room": { "type": "boolean" } } } } }
                        ]
                    }}}}}},
                    "patch": { "requestBody": { "content": { "application/json": { "schema": {
                        "oneOf": [
                            { "type": "object", "properties": {
                                "security": { "allOf": [
                                    { "type": "object", "properties": {
                                        "domains": { "type": "array", "items": { "type": "string" } } } },
                                    { "type": "object", "properties": {
                                        "operation": { "type": "string", "enum": ["add", "remove"] } } }
                                ]}
                            }},
                            { "type": "object", "properties": {
                                "meeting_security": { "type": "object", "properties": {
                                    "waiting_room": { "type": "boolean" } } } } }
                        ]
                    }}}}}
                }},
                "components": { "schemas": { "ReadSecurity": { "type": "object", "properties": {
                    "domains": { "type": "array", "items": { "type": "string" } },
                    "length": { "type": "integer", "minimum": 8, "maximum": 14 }
                }}}}
            }),
        )
    }

    fn object(name: &'static str, branch: Branch) -> SettingsObject {
        SettingsObject {
            name,
            spec: ZoomSpec::Accounts,
            path: "/things/{id}/settings",
            branch,
            description: "test object",
        }
    }

    #[test]
    fn settings_objects_merge_resolved_get_and_patch_branches() {
        let doc = settings_document();
        let mut log = ConversionLog::default();
        let attr = build_settings_object(&doc, &object("main", Branch::Index(0)), &mut log)
            .expect("builds")
            .expect("exists");
        assert_eq!(attr.description, "test object");
        assert!(!attr.read_only && !attr.write_only);
        let security = attr.at_path(&["security"]).expect("security");
        assert_eq!(
            security.properties.keys().collect::<Vec<_>>(),
            ["domains", "length", "operation"]
        );
        assert!(!security.properties["domains"].read_only);
        assert!(security.properties["length"].read_only);
        assert_eq!(security.properties["length"].maximum, Some(14.0));
        assert!(security.properties["operation"].write_only);
        assert!(
            attr.at_path(&["smart_recognition", "enable"])
                .expect("leaf")
                .read_only
        );
        assert!(attr.property("meeting_security").is_none());
    }

    #[test]
    fn meeting_security_branch_is_found_by_its_property() {
        let doc = settings_document();
        let mut log = ConversionLog::default();
        let attr = build_settings_object(
            &doc,
            &object("ms", Branch::WithProperty("meeting_security")),
            &mut log,
        )
        .expect("builds")
        .expect("exists");
        let waiting_room = attr
            .at_path(&["meeting_security", "waiting_room"])
            .expect("leaf");
        assert_eq!(waiting_room.ty, AttrType::Boolean);
        assert!(!waiting_room.read_only && !waiting_room.write_only);
        let missing = build_settings_object(
            &doc,
            &object("none", Branch::WithProperty("nothing_like_this")),
            &mut log,
        )
        .expect("builds");
        assert!(missing.is_none());
    }

    #[test]
    fn set_overrides_mark_arrays_and_reject_dead_or_wrong_entries() {
        let doc = settings_document();
        let mut log = ConversionLog::default();
        let attr = build_settings_object(&doc, &object("main", Branch::Index(0)), &mut log)
            .expect("builds")
            .expect("exists");
        let mut objects = IndexMap::from([("main".to_string(), attr)]);
        apply_set_overrides(&mut objects, &[("security.domains", "test")]).expect("applies");
        assert!(
            objects["main"]
                .at_path(&["security", "domains"])
                .expect("leaf")
                .set
        );
        let dead = apply_set_overrides(&mut objects, &[("security.nothing", "test")]);
        assert!(format!("{:#}", dead.expect_err("dead entry")).contains("matches no field"));
        let wrong = apply_set_overrides(&mut objects, &[("security.length", "test")]);
        assert!(format!("{:#}", wrong.expect_err("not an array")).contains("not an array"));
    }

    #[test]
    fn case_overrides_mark_strings_and_string_items() {
        let doc = settings_document();
        let mut log = ConversionLog::default();
        let attr = build_settings_object(&doc, &object("main", Branch::Index(0)), &mut log)
            .expect("builds")
            .expect("exists");
        let mut objects = IndexMap::from([("main".to_string(), attr)]);
        apply_case_insensitive_overrides(&mut objects, &[("security.domains", "test")])
            .expect("applies");
        let domains = objects["main"]
            .at_path(&["security", "domains"])
            .expect("leaf");
        assert!(domains.items.as_ref().expect("items").case_insensitive);
        let wrong = apply_case_insensitive_overrides(&mut objects, &[("security.length", "test")]);
        assert!(format!("{:#}", wrong.expect_err("a number")).contains("neither a string"));
        let dead = apply_case_insensitive_overrides(&mut objects, &[("nope", "test")]);
        assert!(format!("{:#}", dead.expect_err("dead")).contains("matches no field"));
    }
}
