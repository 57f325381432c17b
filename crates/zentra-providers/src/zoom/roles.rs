//! `zoom_role`: a role of the account (User Management > Roles) with its privileges and the
//! users who hold it — the "ownership or administrative privileges of an account" the
//! calendar integration's setup asks for. Located by its unique name, so an existing role
//! (the built-in Admin role, say) is adopted.
//!
//! A wave's role reads share one `GET /roles`; privileges come from `GET /roles/{roleId}` and
//! members from a paged `GET /roles/{roleId}/members`, each only when configured.

use serde_json::{Map, Value as Json, json};

use super::{Key, Slot, batches_of_30, is_missing, key, required_string, string_set};
use crate::client::encode_segment;
use crate::client::zoom::{ZoomClient, ZoomRequest};
use zentra_engine::provider::{
    DiscoveredObject, ErrorKind, ProviderError, ProviderResult, ReadRequest, RemoteObject,
    WriteRequest,
};
use zentra_engine::schema::{
    Access, Attr, Permission, PermissionSystem, ResourceKind, ResourceSchema,
};
use zentra_engine::value::Value;

pub(crate) const TYPE_NAME: &str = "zoom_role";

/// The largest page `GET /roles/{roleId}/members` returns.
const MEMBERS_PAGE: &str = "300";

fn scope(name: &str, access: Access, reason: &str) -> Permission {
    Permission::new(PermissionSystem::ZoomScope, name, access, reason)
}

pub(crate) fn role_schema() -> ResourceSchema {
    let mut members = Attr::string_set().describe(
        "Email addresses of the users who hold the role (compared without regard to case). A \
         user holds one role: assigning this one moves the user out of their previous role, and \
         a user removed from the list becomes a Member. The account owner keeps the Owner role.",
    );
    if let Some(items) = members.items.as_deref_mut() {
        items.case_insensitive = true;
    }
    ResourceSchema::new(
        TYPE_NAME,
        ResourceKind::Object,
        "A role of the Zoom account, with its privileges and members. Role names are unique: an \
         existing role of the configured name (such as the built-in `Admin`) is adopted.",
        Attr::object([
            (
                "name",
                Attr::string()
                    .describe(
                        "The role's name, unique in the account. Changing it renames the role.",
                    )
                    .required(),
            ),
            (
                "description",
                Attr::string().describe("The role's description."),
            ),
            (
                "privileges",
                Attr::string_set().describe(
                    "The privileges the role grants, in Zoom's `Area:Action` form, e.g. \
                     `AccountSetting:Edit`, `Group:Read`, `ZoomRooms:Edit`, \
                     `CalendarIntegration:Edit` (see Zoom's privileges reference).",
                ),
            ),
            ("members", members),
            (
                "total_members",
                Attr::int()
                    .describe("How many users hold the role.")
                    .computed(),
            ),
        ]),
    )
    .with_permissions(vec![
        scope(
            "role:read:list_roles:admin",
            Access::Read,
            "GET /roles (classic scope: role:read:admin)",
        ),
        scope(
            "role:read:role:admin",
            Access::Read,
            "GET /roles/{roleId}, for `privileges`",
        ),
        scope(
            "role:read:list_members:admin",
            Access::Read,
            "GET /roles/{roleId}/members, for `members`",
        ),
        scope(
            "role:write:role:admin",
            Access::Write,
            "POST /roles (classic scope: role:write:admin)",
        ),
        scope(
            "role:update:role:admin",
            Access::Write,
            "PATCH /roles/{roleId}",
        ),
        scope(
            "role:delete:role:admin",
            Access::Write,
            "DELETE /roles/{roleId}",
        ),
        scope(
            "role:write:member:admin",
            Access::Write,
            "POST /roles/{roleId}/members",
        ),
        scope(
            "role:delete:member:admin",
            Access::Write,
            "DELETE /roles/{roleId}/members/{memberId}",
        ),
    ])
}

/// Zoom's built-in roles, by id and name: every account has them, and they cannot be deleted
/// (`DELETE /roles/{roleId}` refuses the Owner and Member roles; the built-in Admin role is
/// Zoom's too).
const BUILT_IN: [(&str, &str); 3] = [("0", "Owner"), ("1", "Admin"), ("2", "Member")];

/// Why a role is Zoom's own, if it is a built-in role (by id when known, else by name).
pub(crate) fn built_in(id: Option<&str>, name: &str) -> Option<String> {
    BUILT_IN
        .iter()
        .find(|(builtin_id, builtin_name)| match id {
            Some(id) => id == *builtin_id,
            None => name.trim().eq_ignore_ascii_case(builtin_name),
        })
        .map(|(_, builtin_name)| {
            format!("it is Zoom's built-in {builtin_name} role, which every account has")
        })
}

fn role_path(id: &str) -> String {
    format!("/roles/{}", encode_segment(id))
}

/// Zoom answers an unknown role id with 400 code 1034 rather than a 404.
fn is_unknown_role(error: &ProviderError) -> bool {
    is_missing(error) || error.vendor_code.as_deref() == Some("1034")
}

/// A role as `GET /roles` lists it.
#[derive(Clone, Debug)]
struct Listed {
    id: String,
    name: String,
    description: String,
    total_members: i64,
}

fn listed(role: &Json) -> Option<Listed> {
    Some(Listed {
        id: role.get("id")?.as_str()?.to_string(),
        name: role.get("name")?.as_str()?.to_string(),
        description: role
            .get("description")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
        total_members: role
            .get("total_members")
            .and_then(Json::as_i64)
            .unwrap_or_default(),
    })
}

async fn list_roles(client: &ZoomClient) -> ProviderResult<Vec<Listed>> {
    let answer = client.get_json(&ZoomRequest::get("/roles")).await?;
    Ok(answer
        .get("roles")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(listed)
        .collect())
}

/// A role member: user id and email.
struct Member {
    id: String,
    email: String,
}

async fn list_members(client: &ZoomClient, role_id: &str) -> ProviderResult<Vec<Member>> {
    let request = ZoomRequest::get(format!("{}/members", role_path(role_id)))
        .query("page_size", MEMBERS_PAGE);
    Ok(client
        .get_all_pages(&request, "members")
        .await?
        .iter()
        .filter_map(|m| {
            Some(Member {
                id: m.get("id")?.as_str()?.to_string(),
                email: m.get("email")?.as_str()?.to_string(),
            })
        })
        .collect())
}

async fn privileges(client: &ZoomClient, role_id: &str) -> ProviderResult<Vec<String>> {
    let answer = client
        .get_json(&ZoomRequest::get(role_path(role_id)))
        .await?;
    let mut privileges: Vec<String> = answer
        .get("privileges")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .map(str::to_string)
        .collect();
    privileges.sort();
    privileges.dedup();
    Ok(privileges)
}

/// The role as attributes, with privileges and members read only when configured.
async fn role_object(
    client: &ZoomClient,
    role: &Listed,
    config: &Value,
) -> ProviderResult<RemoteObject> {
    let mut attributes = Map::new();
    attributes.insert("name".into(), json!(role.name));
    attributes.insert("description".into(), json!(role.description));
    attributes.insert("total_members".into(), json!(role.total_members));
    if config.get("privileges").is_some() {
        attributes.insert(
            "privileges".into(),
            json!(privileges(client, &role.id).await?),
        );
    }
    if config.get("members").is_some() {
        let emails: Vec<String> = list_members(client, &role.id)
            .await?
            .into_iter()
            .map(|m| m.email)
            .collect();
        attributes.insert("members".into(), json!(emails));
    }
    Ok(RemoteObject {
        id: role.id.clone(),
        attributes: Value::from_json(&Json::Object(attributes)),
        ownership: zentra_engine::provider::Ownership {
            vendor_owned: built_in(Some(&role.id), &role.name),
            ..Default::default()
        },
    })
}

/// Every role with its description, privileges and members, as `zentra export` writes them:
/// one listing, then each role's privileges and members, all at once.
pub(crate) async fn discover(client: &ZoomClient) -> ProviderResult<Vec<DiscoveredObject>> {
    let roles = list_roles(client).await?;
    let everything = Value::from_json(&json!({ "privileges": [], "members": [] }));
    let objects =
        futures::future::join_all(roles.iter().map(|r| role_object(client, r, &everything))).await;
    roles
        .iter()
        .zip(objects)
        .map(|(role, object)| {
            Ok(DiscoveredObject {
                type_name: TYPE_NAME.into(),
                name_hint: role.name.clone(),
                object: object?,
            })
        })
        .collect()
}

pub(crate) async fn read(client: &ZoomClient, batch: &[(usize, &ReadRequest)]) -> Vec<Slot> {
    if batch.is_empty() {
        return Vec::new();
    }
    let roles = list_roles(client).await;
    let roles = &roles;
    futures::future::join_all(batch.iter().map(|&(index, request)| async move {
        let result = match (roles, key(&request.config, "name")) {
            (Err(e), _) => Err(e.clone()),
            (Ok(_), Key::Unknown | Key::Absent) if request.id.is_none() => Ok(None),
            (Ok(roles), name) => {
                let by_id = request
                    .id
                    .as_deref()
                    .and_then(|id| roles.iter().find(|r| r.id == id));
                let by_name = match &name {
                    Key::Known(name) => roles.iter().find(|r| r.name.eq_ignore_ascii_case(name)),
                    _ => None,
                };
                match by_id.or(by_name) {
                    Some(role) => role_object(client, role, &request.config).await.map(Some),
                    None => Ok(None),
                }
            }
        };
        (index, result)
    }))
    .await
}

fn name_taken(name: &str, mut error: ProviderError) -> ProviderError {
    if error.vendor_code.as_deref() == Some("1224") {
        error.kind = ErrorKind::Conflict;
        error = error.with_hint(format!(
            "another role is already named \"{name}\"; zentra adopts a role of the configured \
             name only when no state records this resource, so choose another name or remove \
             the other role"
        ));
    }
    error
}

/// The writable fields (`name`, `description`, `privileges`) of the configuration that
/// `changed` selects (all configured ones when `changed` is empty).
fn role_body(config: &Value, changed: &[String]) -> Map<String, Json> {
    let mut body = Map::new();
    for field in ["name", "description", "privileges"] {
        let wanted = changed.is_empty() || changed.iter().any(|p| p == field);
        if let (true, Some(value)) = (wanted, config.get(field).and_then(Value::to_json))
            && !value.is_null()
        {
            body.insert(field.into(), value);
        }
    }
    body
}

/// Gives the role exactly the configured members (when `members` is configured).
async fn sync_members(client: &ZoomClient, role_id: &str, config: &Value) -> ProviderResult<()> {
    let Some(desired) = string_set(config, "members") else {
        return Ok(());
    };
    let live = list_members(client, role_id).await?;
    let mut to_add: Vec<&String> = Vec::new();
    for email in &desired {
        let present = live.iter().any(|m| m.email.eq_ignore_ascii_case(email));
        if !present && !to_add.iter().any(|e| e.eq_ignore_ascii_case(email)) {
            to_add.push(email);
        }
    }
    let members_path = format!("{}/members", role_path(role_id));
    for batch in batches_of_30(&to_add) {
        let members: Vec<Json> = batch.iter().map(|e| json!({"email": e})).collect();
        client
            .send(&ZoomRequest::post(
                &members_path,
                json!({"members": members}),
            ))
            .await?;
    }
    for member in live
        .iter()
        .filter(|m| !desired.iter().any(|e| e.eq_ignore_ascii_case(&m.email)))
    {
        let path = format!("{members_path}/{}", encode_segment(&member.id));
        match client.send(&ZoomRequest::delete(path)).await {
            Ok(_) => {}
            Err(e) if is_missing(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// What a write leaves: the configuration, with the role's id.
fn written(id: String, config: &Value) -> RemoteObject {
    RemoteObject {
        id,
        attributes: config.clone(),
        ownership: Default::default(),
    }
}

pub(crate) async fn create(
    client: &ZoomClient,
    req: &WriteRequest,
) -> ProviderResult<RemoteObject> {
    let name = required_string(req, "name")?;
    let body = role_body(&req.config, &[]);
    // A create whose answer was lost is looked up by name before it is sent again.
    let lookup = || async {
        Ok(list_roles(client)
            .await?
            .into_iter()
            .find(|r| r.name.eq_ignore_ascii_case(&name))
            .map(|r| json!({"id": r.id, "name": r.name})))
    };
    let answer = client
        .create(&ZoomRequest::post("/roles", Json::Object(body)), lookup)
        .await
        .map_err(|e| name_taken(&name, e))?
        .unwrap_or(Json::Null);
    // The spec documents an empty answer; look the new role up when it has no id.
    let id = match answer.get("id").and_then(Json::as_str) {
        Some(id) => id.to_string(),
        None => list_roles(client)
            .await?
            .into_iter()
            .find(|r| r.name.eq_ignore_ascii_case(&name))
            .map(|r| r.id)
            .ok_or_else(|| {
                ProviderError::new(
                    ErrorKind::Transport,
                    format!("Zoom created role \"{name}\" but it is not listed"),
                )
            })?,
    };
    sync_members(client, &id, &req.config).await?;
    Ok(written(id, &req.config))
}

pub(crate) async fn update(
    client: &ZoomClient,
    req: &WriteRequest,
) -> ProviderResult<RemoteObject> {
    let name = required_string(req, "name")?;
    let id = req.id.clone().ok_or_else(|| {
        ProviderError::new(ErrorKind::Invalid, "zoom_role: an update needs the role id")
    })?;
    let body = role_body(&req.config, &req.changed_paths);
    if !body.is_empty() {
        client
            .send(&ZoomRequest::patch(role_path(&id), Json::Object(body)).idempotent())
            .await
            .map_err(|e| name_taken(&name, e))?;
    }
    if req.changed_paths.is_empty() || req.changed_paths.iter().any(|p| p == "members") {
        sync_members(client, &id, &req.config).await?;
    }
    Ok(written(id, &req.config))
}

pub(crate) async fn delete(client: &ZoomClient, req: &WriteRequest) -> ProviderResult<()> {
    let Some(id) = &req.id else { return Ok(()) };
    match client.send(&ZoomRequest::delete(role_path(id))).await {
        Ok(_) => Ok(()),
        Err(e) if is_unknown_role(&e) => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_carry_the_changed_writable_fields() {
        let config = Value::from_json(&json!({
            "name": "Room admins", "description": "d", "privileges": ["ZoomRooms:Edit"],
            "members": ["a@b.c"]
        }));
        assert_eq!(
            Json::Object(role_body(&config, &[])),
            json!({"name": "Room admins", "description": "d", "privileges": ["ZoomRooms:Edit"]})
        );
        assert_eq!(
            Json::Object(role_body(&config, &["privileges".into(), "members".into()])),
            json!({"privileges": ["ZoomRooms:Edit"]})
        );
    }

    #[test]
    fn built_in_roles_are_told_by_id_or_else_by_name() {
        assert!(
            built_in(Some("1"), "Admin")
                .unwrap()
                .contains("built-in Admin role")
        );
        assert!(built_in(Some("0"), "Renamed").unwrap().contains("Owner"));
        assert_eq!(built_in(Some("RqBLcd1jLS9a7RBkbGtqn2A"), "Admin"), None);
        assert!(built_in(None, " member ").unwrap().contains("Member"));
        assert_eq!(built_in(None, "Room admins"), None);
    }

    #[test]
    fn unknown_roles_are_told_by_code_1034() {
        let mut e = ProviderError::new(ErrorKind::Invalid, "x");
        e.vendor_code = Some("1034".into());
        assert!(is_unknown_role(&e));
        e.vendor_code = Some("300".into());
        assert!(!is_unknown_role(&e));
    }
}
