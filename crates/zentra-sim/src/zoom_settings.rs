//! The four settings documents of the emulated Zoom API: account settings and lock settings
//! (`/accounts/{accountId}/settings|lock_settings`) and group settings and lock settings
//! (`/groups/{groupId}/settings|lock_settings`), with their `option` shapes, `custom_query_fields`,
//! strict validation of PATCH bodies against the generated schema, and the SSO bypass users'
//! write shape (`sso_bypass_user_ids` + `operation`) stored in the read shape
//! (`sso_bypass_users[{id, email}]`).

use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::http::{SimRequest, SimResponse};
use super::seed::ZoomUserSeed;
use super::zoom_api::{invalid_body, single_query, validation_failed, zoom_error};
use super::zoom_schema::{
    AUTHENTICATION, Document, filter_fields, main_schema, meeting_security_schema, merge_readable,
    validate_patch,
};

/// `GET` or `PATCH` of a stored document (every section in GET shape, plus `meeting_security`).
pub(crate) fn handle(
    stored: &mut Map<String, Value>,
    doc: Document,
    users: &[ZoomUserSeed],
    req: &SimRequest,
) -> SimResponse {
    if req.method == Method::GET {
        get_document(stored, doc, req)
    } else {
        patch_document(stored, doc, users, req)
    }
}

fn invalid_option() -> SimResponse {
    zoom_error(StatusCode::BAD_REQUEST, 300, "Invalid parameter: option.")
}

fn get_document(stored: &Map<String, Value>, doc: Document, req: &SimRequest) -> SimResponse {
    let option = match single_query(req, "option") {
        Ok(o) => o.filter(|o| !o.is_empty()),
        Err(e) => return e,
    };
    if let Some(o) = option
        && !doc.read_options().contains(&o)
    {
        return invalid_option();
    }
    let custom = match single_query(req, "custom_query_fields") {
        Ok(c) => c.map(str::to_string),
        Err(e) => return e,
    };
    let section = |name: &str| -> Map<String, Value> {
        stored
            .get(name)
            .map(|s| [(name.to_string(), s.clone())].into_iter().collect())
            .unwrap_or_default()
    };
    let mut body: Map<String, Value> = match option {
        None => stored
            .iter()
            .filter(|(k, _)| main_schema(doc).properties.contains_key(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        Some(name @ ("security" | "meeting_security")) => section(name),
        Some(kind) => authentication_settings(stored, kind),
    };
    if let Some(custom) = custom {
        let names: Vec<&str> = custom
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if !names.is_empty() {
            body = filter_fields(&body, &names);
        }
    }
    SimResponse::json(StatusCode::OK, Value::Object(body))
}

/// The `meeting_authentication` / `recording_authentication` shapes: the stored switches and
/// the authentication profiles.
fn authentication_settings(stored: &Map<String, Value>, kind: &str) -> Map<String, Value> {
    let switches = stored.get(AUTHENTICATION);
    let switch = |name: &str| {
        switches
            .and_then(|s| s.get(name))
            .cloned()
            .unwrap_or(Value::Bool(false))
    };
    let mut out = Map::new();
    if kind == "meeting_authentication" {
        out.insert(
            "allow_authentication_exception".into(),
            switch("allow_authentication_exception"),
        );
    }
    out.insert(
        "authentication_options".into(),
        json!([{
            "default_option": true,
            "domains": "",
            "id": "signin_zoom",
            "name": "Sign in to Zoom",
            "type": "enforce_login",
            "visible": true
        }]),
    );
    out.insert(kind.into(), switch(kind));
    out
}

fn single_section(key: &str, value: &Value) -> Value {
    Value::Object([(key.to_string(), value.clone())].into_iter().collect())
}

fn patch_document(
    stored: &mut Map<String, Value>,
    doc: Document,
    users: &[ZoomUserSeed],
    req: &SimRequest,
) -> SimResponse {
    let option = match single_query(req, "option") {
        Ok(o) => o.filter(|o| !o.is_empty()),
        Err(e) => return e,
    };
    // Account lock settings take no `option`; it is ignored there, as Zoom's spec lists none.
    let option = if doc == Document::LockSettings {
        None
    } else {
        option
    };
    if let Some(o) = option
        && !doc.write_options().contains(&o)
    {
        return invalid_option();
    }
    if req.body.is_empty() {
        return invalid_body();
    }
    if req.media_type().as_deref() != Some("application/json") {
        return zoom_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            300,
            "Unsupported Content Type",
        );
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&req.body) else {
        return invalid_body();
    };
    let lock_document = matches!(doc, Document::LockSettings | Document::GroupLockSettings);

    // Which sections the body may hold, by option.
    let mut errors: Vec<String> = Vec::new();
    match option {
        Some(kind @ ("meeting_authentication" | "recording_authentication")) => {
            return patch_authentication(stored, kind, &body);
        }
        Some("meeting_security") => {
            for (key, value) in &body {
                if key == "meeting_security" {
                    validate_patch(meeting_security_schema(doc), value, key, &mut errors);
                } else {
                    errors.push(key.clone());
                }
            }
        }
        Some(_) => {
            // `security`, on account settings only.
            for (key, value) in &body {
                if key == "security" {
                    validate_patch(
                        main_schema(doc),
                        &single_section(key, value),
                        "",
                        &mut errors,
                    );
                } else {
                    errors.push(key.clone());
                }
            }
        }
        None => {
            for (key, value) in &body {
                if key == "meeting_security" && lock_document {
                    validate_patch(meeting_security_schema(doc), value, key, &mut errors);
                } else {
                    validate_patch(
                        main_schema(doc),
                        &single_section(key, value),
                        "",
                        &mut errors,
                    );
                }
            }
        }
    }
    let mut field_errors: Vec<(String, String)> = errors
        .into_iter()
        .map(|f| (f, "Invalid field.".to_string()))
        .collect();

    // SSO bypass users: ids of users of this account, with an optional add/remove operation.
    let mut bypass: Option<(Vec<String>, Option<String>)> = None;
    if field_errors.is_empty()
        && let Some(sso) = body
            .get("security")
            .and_then(|s| s.get("signin_with_sso"))
            .and_then(Value::as_object)
    {
        let ids = sso.get("sso_bypass_user_ids").and_then(Value::as_array);
        let operation = sso
            .get("operation")
            .and_then(Value::as_str)
            .map(str::to_string);
        match ids {
            None if operation.is_some() => field_errors.push((
                "security.signin_with_sso.operation".into(),
                "Invalid field.".into(),
            )),
            None => {}
            Some(ids) => {
                let ids: Vec<String> = ids
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
                for id in &ids {
                    if !users.iter().any(|u| &u.id == id) {
                        field_errors.push((
                            "security.signin_with_sso.sso_bypass_user_ids".into(),
                            format!("User does not exist: {id}."),
                        ));
                    }
                }
                bypass = Some((ids, operation));
            }
        }
    }
    if !field_errors.is_empty() {
        return validation_failed(field_errors);
    }

    for (key, value) in &body {
        let Value::Object(patch) = value else {
            continue;
        };
        let schema = if key == "meeting_security" {
            meeting_security_schema(doc)
        } else {
            match main_schema(doc).properties.get(key) {
                Some(s) => s,
                None => continue,
            }
        };
        let target = stored
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(target) = target {
            merge_readable(schema, target, patch);
        }
    }
    if let Some((ids, operation)) = bypass {
        apply_bypass_users(stored, users, ids, operation.as_deref());
    }
    SimResponse::empty(StatusCode::NO_CONTENT)
}

/// Stores the bypass users a PATCH named: added, removed, or (no operation) replacing the list.
fn apply_bypass_users(
    stored: &mut Map<String, Value>,
    users: &[ZoomUserSeed],
    ids: Vec<String>,
    operation: Option<&str>,
) {
    let Some(Value::Object(sso)) = stored
        .get_mut("security")
        .and_then(|s| s.get_mut("signin_with_sso"))
    else {
        return;
    };
    let mut current: Vec<String> = sso
        .get("sso_bypass_users")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|u| u.get("id").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    match operation {
        Some("add") => {}
        Some("remove") => {
            current.retain(|id| !ids.contains(id));
        }
        _ => current.clear(),
    }
    if operation != Some("remove") {
        for id in ids {
            if !current.contains(&id) {
                current.push(id);
            }
        }
    }
    let listed: Vec<Value> = current
        .iter()
        .map(|id| {
            let email = users
                .iter()
                .find(|u| &u.id == id)
                .map(|u| u.email.clone())
                .unwrap_or_default();
            json!({"id": id, "email": email})
        })
        .collect();
    sso.insert("sso_bypass_users".into(), Value::Array(listed));
}

/// `PATCH ?option=meeting_authentication|recording_authentication`: the switches; the
/// authentication profiles are listed but not editable here.
fn patch_authentication(
    stored: &mut Map<String, Value>,
    kind: &str,
    body: &Map<String, Value>,
) -> SimResponse {
    let mut errors = Vec::new();
    for (key, value) in body {
        let known = key == kind
            || (kind == "meeting_authentication" && key == "allow_authentication_exception");
        if !known || !value.is_boolean() {
            errors.push((key.clone(), "Invalid field.".to_string()));
        }
    }
    if !errors.is_empty() {
        return validation_failed(errors);
    }
    if let Value::Object(switches) = stored
        .entry(AUTHENTICATION)
        .or_insert_with(|| Value::Object(Map::new()))
    {
        for (key, value) in body {
            switches.insert(key.clone(), value.clone());
        }
    }
    SimResponse::empty(StatusCode::NO_CONTENT)
}
