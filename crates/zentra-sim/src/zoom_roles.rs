//! Emulated Zoom roles (`/roles...`): the built-in Owner, Admin and Member roles and custom
//! roles with privileges; create, list, get, update and delete; members listed by page and
//! assigned in batches of at most 30.
//!
//! A user has exactly one role (the `role_name` of the user), so assigning a role moves the user
//! out of the previous one, and unassigning makes the user a Member again, as in Zoom.

use anyhow::bail;
use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::http::{SimRequest, SimResponse};
use super::seed::ZoomUserSeed;
use super::state::{ZoomAccount, random_token};
use super::zoom_api::{
    find_user, json_body, next_page_token, page_window, single_query, validation_failed, zoom_error,
};
use super::zoom_groups::{member_json, members_of_body};

/// A custom role in a seed; users join it through their `role_name`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoomRoleSeed {
    /// Generated when absent.
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `common` (default) or `iq`.
    #[serde(rename = "type", default = "common")]
    pub role_type: String,
    /// Privileges such as `User:Read` or `AccountSetting:Edit`.
    #[serde(default)]
    pub privileges: Vec<String>,
}

fn common() -> String {
    "common".into()
}

/// A live role.
#[derive(Clone, Debug)]
pub(crate) struct ZoomRole {
    pub id: String,
    pub name: String,
    pub description: String,
    pub role_type: String,
    pub privileges: Vec<String>,
}

/// The built-in roles' ids and names.
pub(crate) const OWNER: (&str, &str) = ("0", "Owner");
pub(crate) const ADMIN: (&str, &str) = ("1", "Admin");
pub(crate) const MEMBER: (&str, &str) = ("2", "Member");

/// Privileges the built-in Admin role starts with.
const ADMIN_PRIVILEGES: &[&str] = &[
    "User:Read",
    "User:Edit",
    "Group:Read",
    "Group:Edit",
    "AccountSetting:Read",
    "AccountSetting:Edit",
    "ZoomRooms:Read",
    "ZoomRooms:Edit",
    "CalendarIntegration:Edit",
];

/// Every account's roles before any custom one: Owner, Admin and Member.
pub(crate) fn builtin_roles() -> Vec<ZoomRole> {
    let role = |(id, name): (&str, &str), description: &str, privileges: &[&str]| ZoomRole {
        id: id.into(),
        name: name.into(),
        description: description.into(),
        role_type: common(),
        privileges: privileges.iter().map(|p| p.to_string()).collect(),
    };
    let mut owner_privileges = ADMIN_PRIVILEGES.to_vec();
    owner_privileges.extend(["AccountProfile:Edit", "Role:Read", "Role:Edit"]);
    vec![
        role(
            OWNER,
            "Account owner has full privileges to access and manage a Zoom account.",
            &owner_privileges,
        ),
        role(
            ADMIN,
            "Admins have wide-range privileges to access and manage a Zoom account.",
            ADMIN_PRIVILEGES,
        ),
        role(
            MEMBER,
            "Members have access to basic Zoom video meetings functions but no account management privileges.",
            &[],
        ),
    ]
}

impl ZoomRole {
    pub(crate) fn from_seed(seed: &ZoomRoleSeed) -> ZoomRole {
        ZoomRole {
            id: seed.id.clone().unwrap_or_else(|| random_token(22)),
            name: seed.name.clone(),
            description: seed.description.clone(),
            role_type: seed.role_type.clone(),
            privileges: seed.privileges.clone(),
        }
    }

    /// The role as the admin API's state shows it (members are the users' `role_name`).
    pub(crate) fn snapshot(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "type": self.role_type,
            "privileges": self.privileges,
        })
    }

    fn is_builtin(&self) -> bool {
        [OWNER.0, ADMIN.0, MEMBER.0].contains(&self.id.as_str())
    }

    fn members<'a>(&self, users: &'a [ZoomUserSeed]) -> Vec<&'a ZoomUserSeed> {
        users
            .iter()
            .filter(|u| u.role_name.eq_ignore_ascii_case(&self.name))
            .collect()
    }

    fn json(&self, users: &[ZoomUserSeed], with_privileges: bool) -> Value {
        let mut out = json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "type": self.role_type,
            "total_members": self.members(users).len(),
        });
        if with_privileges {
            out["privileges"] = json!(self.privileges);
        }
        out
    }
}

/// A privilege in Zoom's `Area:Action` form, e.g. `AccountSetting:Edit`.
fn is_privilege(text: &str) -> bool {
    let parts: Vec<&str> = text.split(':').collect();
    parts.len() == 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// Checks a seed's custom roles and that every user's role exists.
pub(crate) fn validate_seed(roles: &[ZoomRoleSeed], users: &[ZoomUserSeed]) -> anyhow::Result<()> {
    let mut names: Vec<String> = builtin_roles().into_iter().map(|r| r.name).collect();
    for role in roles {
        if role.name.trim().is_empty() {
            bail!("a role has an empty name");
        }
        if names.iter().any(|n| n.eq_ignore_ascii_case(&role.name)) {
            bail!("role name {:?} is used twice", role.name);
        }
        if let Some(bad) = role.privileges.iter().find(|p| !is_privilege(p)) {
            bail!(
                "role {}: {bad:?} is not a privilege (Area:Action)",
                role.name
            );
        }
        names.push(role.name.clone());
    }
    for user in users {
        if !names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&user.role_name))
        {
            bail!(
                "user {}: role {:?} does not exist",
                user.email,
                user.role_name
            );
        }
    }
    Ok(())
}

fn no_role() -> SimResponse {
    zoom_error(
        StatusCode::BAD_REQUEST,
        1034,
        "Provided `role_id` does not exist.",
    )
}

fn name_used(name: &str) -> SimResponse {
    zoom_error(
        StatusCode::BAD_REQUEST,
        1224,
        format!("Role name {name} has already been used."),
    )
}

/// Checks the editable fields of a create or update body.
fn check_fields(body: &Map<String, Value>) -> Result<(), SimResponse> {
    let mut errors = Vec::new();
    if let Some(name) = body.get("name")
        && name.as_str().is_none_or(|n| n.trim().is_empty())
    {
        errors.push(("name".to_string(), "Invalid field.".to_string()));
    }
    for privilege in body
        .get("privileges")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if !privilege.as_str().is_some_and(is_privilege) {
            errors.push((
                "privileges".to_string(),
                format!("Invalid privilege: {privilege}."),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(validation_failed(errors))
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    out.dedup();
    out
}

/// Serves the `/roles...` routes of `account`.
pub(crate) fn handle(
    account: &mut ZoomAccount,
    template: &str,
    params: &[String],
    req: &SimRequest,
) -> SimResponse {
    if template == "/roles" {
        return if req.method == Method::GET {
            list_roles(account, req)
        } else {
            create_role(account, req, template)
        };
    }
    let Some(index) = account.roles.iter().position(|r| r.id == params[0]) else {
        return no_role();
    };
    match (template, &req.method) {
        ("/roles/{roleId}", &Method::GET) => SimResponse::json(
            StatusCode::OK,
            account.roles[index].json(&account.users, true),
        ),
        ("/roles/{roleId}", &Method::PATCH) => update_role(account, index, req, template),
        ("/roles/{roleId}", _) => {
            if account.roles[index].is_builtin() {
                return zoom_error(
                    StatusCode::BAD_REQUEST,
                    300,
                    "The Owner, Admin and Member roles cannot be deleted.",
                );
            }
            let removed = account.roles.remove(index);
            for user in account
                .users
                .iter_mut()
                .filter(|u| u.role_name.eq_ignore_ascii_case(&removed.name))
            {
                user.role_name = MEMBER.1.into();
            }
            SimResponse::empty(StatusCode::NO_CONTENT)
        }
        ("/roles/{roleId}/members", &Method::GET) => list_members(account, index, req),
        ("/roles/{roleId}/members", _) => assign(account, index, req, template),
        _ => {
            let role = account.roles[index].clone();
            if [OWNER.0, MEMBER.0].contains(&role.id.as_str()) {
                return zoom_error(
                    StatusCode::BAD_REQUEST,
                    300,
                    "RoleId required. Can't delete or add members for Normal/Owner roles.",
                );
            }
            let member = &params[1];
            let Some(user_id) = find_user(account, member)
                .filter(|u| u.role_name.eq_ignore_ascii_case(&role.name))
                .map(|u| u.id.clone())
            else {
                return zoom_error(
                    StatusCode::NOT_FOUND,
                    1001,
                    format!("User does not exist in this role: {member}."),
                );
            };
            if let Some(user) = account.users.iter_mut().find(|u| u.id == user_id) {
                user.role_name = MEMBER.1.into();
            }
            SimResponse::empty(StatusCode::NO_CONTENT)
        }
    }
}

fn list_roles(account: &ZoomAccount, req: &SimRequest) -> SimResponse {
    let kind = match single_query(req, "type") {
        Ok(kind) => kind.unwrap_or("common").to_string(),
        Err(e) => return e,
    };
    if !["common", "iq"].contains(&kind.as_str()) {
        return zoom_error(StatusCode::BAD_REQUEST, 300, "Invalid parameter: type.");
    }
    let roles: Vec<Value> = account
        .roles
        .iter()
        .filter(|r| r.role_type == kind)
        .map(|r| r.json(&account.users, false))
        .collect();
    SimResponse::json(
        StatusCode::OK,
        json!({"total_records": roles.len(), "roles": roles}),
    )
}

fn create_role(account: &mut ZoomAccount, req: &SimRequest, template: &str) -> SimResponse {
    let body = match json_body(req, template) {
        Ok(body) => body,
        Err(e) => return e,
    };
    if let Err(e) = check_fields(&body) {
        return e;
    }
    let Some(name) = body.get("name").and_then(Value::as_str).map(str::trim) else {
        return validation_failed(vec![("name".into(), "This field is required.".into())]);
    };
    if account
        .roles
        .iter()
        .any(|r| r.name.eq_ignore_ascii_case(name))
    {
        return name_used(name);
    }
    let role_type = body
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("common")
        .to_string();
    if !["common", "iq"].contains(&role_type.as_str()) {
        return validation_failed(vec![("type".into(), "Invalid field.".into())]);
    }
    let role = ZoomRole {
        id: random_token(22),
        name: name.to_string(),
        description: body
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        role_type,
        privileges: strings(body.get("privileges")),
    };
    account.roles.push(role);
    // The spec documents 200 (not 201) with an object without properties for a created role:
    // a client finds the new role's id by listing roles.
    SimResponse::json(StatusCode::OK, json!({}))
}

fn update_role(
    account: &mut ZoomAccount,
    index: usize,
    req: &SimRequest,
    template: &str,
) -> SimResponse {
    let body = match json_body(req, template) {
        Ok(body) => body,
        Err(e) => return e,
    };
    if let Err(e) = check_fields(&body) {
        return e;
    }
    if account.roles[index].id == OWNER.0 {
        return zoom_error(
            StatusCode::BAD_REQUEST,
            300,
            "The Owner role cannot be changed.",
        );
    }
    if let Some(name) = body.get("name").and_then(Value::as_str).map(str::trim) {
        let builtin = account.roles[index].is_builtin();
        let taken = account
            .roles
            .iter()
            .enumerate()
            .any(|(i, r)| i != index && r.name.eq_ignore_ascii_case(name));
        if taken {
            return name_used(name);
        }
        if builtin && name != account.roles[index].name {
            return zoom_error(
                StatusCode::BAD_REQUEST,
                300,
                "Built-in roles cannot be renamed.",
            );
        }
        let old = std::mem::replace(&mut account.roles[index].name, name.to_string());
        for user in account
            .users
            .iter_mut()
            .filter(|u| u.role_name.eq_ignore_ascii_case(&old))
        {
            user.role_name = name.to_string();
        }
    }
    let role = &mut account.roles[index];
    if let Some(description) = body.get("description").and_then(Value::as_str) {
        role.description = description.to_string();
    }
    if body.contains_key("privileges") {
        role.privileges = strings(body.get("privileges"));
    }
    // The spec documents 200 with an empty object.
    SimResponse::json(StatusCode::OK, json!({}))
}

fn list_members(account: &ZoomAccount, index: usize, req: &SimRequest) -> SimResponse {
    let (offset, size) = match page_window(req, "role-members", 30, 300) {
        Ok(window) => window,
        Err(e) => return e,
    };
    let members = account.roles[index].members(&account.users);
    let total = members.len();
    let page: Vec<Value> = members
        .iter()
        .skip(offset)
        .take(size)
        .map(|u| {
            let mut member = member_json(u);
            member["department"] = json!("");
            member
        })
        .collect();
    SimResponse::json(
        StatusCode::OK,
        json!({
            "members": page,
            "next_page_token": next_page_token("role-members", offset, size, total),
            "page_count": total.div_ceil(size),
            "page_number": offset / size + 1,
            "page_size": size,
            "total_records": total,
        }),
    )
}

fn assign(
    account: &mut ZoomAccount,
    index: usize,
    req: &SimRequest,
    template: &str,
) -> SimResponse {
    let role = account.roles[index].clone();
    if [OWNER.0, MEMBER.0].contains(&role.id.as_str()) {
        return zoom_error(
            StatusCode::BAD_REQUEST,
            300,
            "RoleId required. Can't delete or add members for Normal/Owner roles.",
        );
    }
    let ids = match members_of_body(account, req, template) {
        Ok(ids) => ids,
        Err(e) => return e,
    };
    if let Some(owner) = account
        .users
        .iter()
        .find(|u| ids.contains(&u.id) && u.role_name.eq_ignore_ascii_case(OWNER.1))
    {
        return zoom_error(
            StatusCode::BAD_REQUEST,
            300,
            format!(
                "The account owner's role cannot be changed: {}.",
                owner.email
            ),
        );
    }
    for user in account.users.iter_mut().filter(|u| ids.contains(&u.id)) {
        user.role_name = role.name.clone();
    }
    SimResponse::json(
        StatusCode::CREATED,
        json!({
            "ids": ids.join(","),
            "add_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privileges_have_the_area_action_form() {
        assert!(is_privilege("AccountSetting:Edit"));
        assert!(is_privilege("User:Read"));
        assert!(!is_privilege("User"));
        assert!(!is_privilege("User:Read:More"));
        assert!(!is_privilege("User:"));
        assert!(!is_privilege("Us er:Read"));
    }

    #[test]
    fn users_must_hold_existing_roles() {
        let user = ZoomUserSeed {
            id: "u".into(),
            email: "u@example.com".into(),
            first_name: String::new(),
            last_name: String::new(),
            user_type: 2,
            role_name: "Calendar admins".into(),
            status: "active".into(),
        };
        let err = validate_seed(&[], std::slice::from_ref(&user)).unwrap_err();
        assert!(err.to_string().contains("Calendar admins"), "{err}");
        let role = ZoomRoleSeed {
            id: None,
            name: "Calendar admins".into(),
            description: String::new(),
            role_type: common(),
            privileges: vec!["ZoomRooms:Edit".into()],
        };
        validate_seed(std::slice::from_ref(&role), &[user]).expect("valid");
        let mut twice = role.clone();
        twice.name = "admin".into();
        assert!(validate_seed(&[twice], &[]).is_err(), "clashes with Admin");
    }
}
