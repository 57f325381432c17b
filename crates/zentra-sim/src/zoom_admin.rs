//! The admin API's Zoom targets beyond account settings: groups, their members, settings and
//! lock settings, roles and users' roles, and Zoom Rooms calendar services and resources,
//! changed behind a client's back (drift) or added the way only the web portal can (a calendar
//! service). No validation beyond what keeps the state consistent.
//!
//! | method and path under `/_sim/zoom/accounts/{id}/` | effect |
//! |---|---|
//! | `POST groups` `{"name", "id"?}` | create a group |
//! | `PATCH groups/{gid}` `{"name"}`, `DELETE groups/{gid}` | rename or remove it |
//! | `PATCH groups/{gid}/settings`, `PATCH groups/{gid}/lock_settings` | deep-merge |
//! | `POST groups/{gid}/members` `{"user"}`, `DELETE groups/{gid}/members/{user}` | add or remove a member (id or email) |
//! | `POST roles` `{"name", "description"?, "privileges"?, "id"?}` | create a role |
//! | `PATCH roles/{rid}`, `DELETE roles/{rid}` | change or remove it |
//! | `PATCH users/{uid}` `{"role_name"}` | move a user to another role |
//! | `POST calendar_services` `{"email", "type"?, "id"?}` (the service account's email) | "Add a calendar service" |
//! | `DELETE calendar_services/{sid}` | remove it |
//! | `POST calendar_services/{sid}/resources` `{"email"}`, `DELETE .../resources/{rid}` | add or remove a resource |

use serde_json::{Map, Value, json};

use super::admin::AdminError;
use super::state::{SimState, ZoomAccount, deep_merge, random_token};
use super::zoom_api::find_user;
use super::zoom_groups::ZoomGroup;
use super::zoom_roles::ZoomRole;
use super::zoom_rooms::{CalendarService, CalendarServiceKind};

fn text<'a>(body: &'a Map<String, Value>, key: &str) -> Result<&'a str, AdminError> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| AdminError::BadRequest(format!("`{key}` is required")))
}

/// Applies one admin request to the Zoom account `id` (`me` = the first account); `rest` is
/// the path below `zoom/accounts/{id}/`.
pub(crate) fn apply(
    state: &mut SimState,
    method: &str,
    id: &str,
    rest: &[&str],
    body: Option<Value>,
) -> Result<Value, AdminError> {
    let first = state.zoom.accounts.first().map(|a| a.id.clone());
    let index = state
        .zoom_account_index(id, first.as_deref())
        .ok_or_else(|| AdminError::NotFound(format!("no zoom account {id}")))?;
    let account = &mut state.zoom.accounts[index];
    let body = match body {
        Some(Value::Object(map)) => map,
        None => Map::new(),
        Some(_) => {
            return Err(AdminError::BadRequest(
                "the body must be a JSON object".into(),
            ));
        }
    };
    match rest.first().copied() {
        Some("groups") => groups(account, method, rest, &body),
        Some("roles") => roles(account, method, rest, &body),
        Some("users") => users(account, method, rest, &body),
        Some("calendar_services") => calendar_services(account, method, rest, &body),
        _ => Err(no_endpoint(method, id, rest)),
    }
}

fn no_endpoint(method: &str, account: &str, rest: &[&str]) -> AdminError {
    AdminError::NotFound(format!(
        "no admin endpoint {method} /_sim/zoom/accounts/{account}/{}",
        rest.join("/")
    ))
}

fn group_at(account: &ZoomAccount, gid: &str) -> Result<usize, AdminError> {
    account
        .groups
        .iter()
        .position(|g| g.id == gid)
        .ok_or_else(|| AdminError::NotFound(format!("no group {gid}")))
}

fn service_at(account: &ZoomAccount, sid: &str) -> Result<usize, AdminError> {
    account
        .calendar_services
        .iter()
        .position(|s| s.id == sid)
        .ok_or_else(|| AdminError::NotFound(format!("no calendar service {sid}")))
}

/// `groups`, a group's settings, lock settings and members.
fn groups(
    account: &mut ZoomAccount,
    method: &str,
    rest: &[&str],
    body: &Map<String, Value>,
) -> Result<Value, AdminError> {
    match (method, rest) {
        ("POST", ["groups"]) => {
            let name = text(body, "name")?.to_string();
            let gid = body
                .get("id")
                .and_then(Value::as_str)
                .map_or_else(|| random_token(22), str::to_string);
            let group = ZoomGroup::new(account, gid, name);
            let made = group.snapshot();
            account.groups.push(group);
            Ok(made)
        }
        ("PATCH", ["groups", gid]) => {
            let i = group_at(account, gid)?;
            account.groups[i].name = text(body, "name")?.to_string();
            Ok(Value::Null)
        }
        ("DELETE", ["groups", gid]) => {
            let i = group_at(account, gid)?;
            account.groups.remove(i);
            Ok(Value::Null)
        }
        ("PATCH", ["groups", gid, which @ ("settings" | "lock_settings")]) => {
            let i = group_at(account, gid)?;
            let group = &mut account.groups[i];
            let target = if *which == "settings" {
                &mut group.settings
            } else {
                &mut group.lock_settings
            };
            deep_merge(target, body);
            Ok(Value::Null)
        }
        ("POST", ["groups", gid, "members"]) => {
            let i = group_at(account, gid)?;
            let user = text(body, "user")?;
            let user_id = find_user(account, user)
                .map(|u| u.id.clone())
                .ok_or_else(|| AdminError::BadRequest(format!("no user {user}")))?;
            let members = &mut account.groups[i].members;
            if !members.contains(&user_id) {
                members.push(user_id);
            }
            Ok(Value::Null)
        }
        ("DELETE", ["groups", gid, "members", user]) => {
            let i = group_at(account, gid)?;
            let user_id = find_user(account, user).map(|u| u.id.clone());
            account.groups[i]
                .members
                .retain(|m| Some(m) != user_id.as_ref());
            Ok(Value::Null)
        }
        _ => Err(no_endpoint(method, &account.id, rest)),
    }
}

/// `roles`: custom roles.
fn roles(
    account: &mut ZoomAccount,
    method: &str,
    rest: &[&str],
    body: &Map<String, Value>,
) -> Result<Value, AdminError> {
    match (method, rest) {
        ("POST", ["roles"]) => {
            let role = ZoomRole {
                id: body
                    .get("id")
                    .and_then(Value::as_str)
                    .map_or_else(|| random_token(22), str::to_string),
                name: text(body, "name")?.to_string(),
                description: body
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                role_type: "common".into(),
                privileges: string_list(body.get("privileges")),
            };
            let made = role.snapshot();
            account.roles.push(role);
            Ok(made)
        }
        (verb @ ("PATCH" | "DELETE"), ["roles", rid]) => {
            let i = account
                .roles
                .iter()
                .position(|r| r.id == *rid)
                .ok_or_else(|| AdminError::NotFound(format!("no role {rid}")))?;
            if verb == "DELETE" {
                let removed = account.roles.remove(i);
                for user in &mut account.users {
                    if user.role_name.eq_ignore_ascii_case(&removed.name) {
                        user.role_name = "Member".into();
                    }
                }
                return Ok(Value::Null);
            }
            let role = &mut account.roles[i];
            if let Some(name) = body.get("name").and_then(Value::as_str) {
                let old = std::mem::replace(&mut role.name, name.to_string());
                for user in &mut account.users {
                    if user.role_name.eq_ignore_ascii_case(&old) {
                        user.role_name = name.to_string();
                    }
                }
            }
            let role = &mut account.roles[i];
            if let Some(description) = body.get("description").and_then(Value::as_str) {
                role.description = description.to_string();
            }
            if body.contains_key("privileges") {
                role.privileges = string_list(body.get("privileges"));
            }
            Ok(Value::Null)
        }
        _ => Err(no_endpoint(method, &account.id, rest)),
    }
}

/// `users/{uid}`: a user's role.
fn users(
    account: &mut ZoomAccount,
    method: &str,
    rest: &[&str],
    body: &Map<String, Value>,
) -> Result<Value, AdminError> {
    match (method, rest) {
        ("PATCH", ["users", uid]) => {
            let role_name = text(body, "role_name")?.to_string();
            let user_id = find_user(account, uid)
                .map(|u| u.id.clone())
                .ok_or_else(|| AdminError::NotFound(format!("no user {uid}")))?;
            if let Some(user) = account.users.iter_mut().find(|u| u.id == user_id) {
                user.role_name = role_name;
            }
            Ok(Value::Null)
        }
        _ => Err(no_endpoint(method, &account.id, rest)),
    }
}

/// `calendar_services` and their resources (Zoom Rooms).
fn calendar_services(
    account: &mut ZoomAccount,
    method: &str,
    rest: &[&str],
    body: &Map<String, Value>,
) -> Result<Value, AdminError> {
    match (method, rest) {
        ("POST", ["calendar_services"]) => {
            let kind: CalendarServiceKind = match body.get("type") {
                Some(kind) => serde_json::from_value(kind.clone()).map_err(|_| {
                    AdminError::BadRequest("`type` is office365, exchange or google".to_string())
                })?,
                None => CalendarServiceKind::default(),
            };
            let email = match body.get("email") {
                Some(_) => text(body, "email")?,
                None => text(body, "name")?,
            };
            if !email.contains('@') {
                return Err(AdminError::BadRequest(
                    "`email` is the email of the account the service is added with".to_string(),
                ));
            }
            let service = CalendarService::new(
                body.get("id").and_then(Value::as_str).map(str::to_string),
                email,
                kind,
            );
            let made = service.snapshot();
            account.calendar_services.push(service);
            Ok(made)
        }
        ("DELETE", ["calendar_services", sid]) => {
            let i = service_at(account, sid)?;
            account.calendar_services.remove(i);
            Ok(Value::Null)
        }
        ("POST", ["calendar_services", sid, "resources"]) => {
            let i = service_at(account, sid)?;
            let email = text(body, "email")?.to_string();
            let added = account.calendar_services[i]
                .add_resource(&email)
                .map(|r| json!({"id": r.id, "email": r.email, "name": r.name}))
                .ok_or_else(|| AdminError::BadRequest(format!("{email} is already a resource")))?;
            Ok(added)
        }
        ("DELETE", ["calendar_services", sid, "resources", rid]) => {
            let i = service_at(account, sid)?;
            account.calendar_services[i]
                .resources
                .retain(|r| r.id != *rid);
            Ok(Value::Null)
        }
        _ => Err(no_endpoint(method, &account.id, rest)),
    }
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}
