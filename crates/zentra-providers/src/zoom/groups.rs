//! `zoom_group` (a group, located by its unique name so an existing one is adopted),
//! `zoom_group_members` (a group's members by email, additive or authoritative) and the data
//! source `zoom_group` (a group's id by name).
//!
//! A wave's group reads share one paged `GET /groups`; members are read with the largest page
//! Zoom allows and added at most 30 per call.

use std::collections::HashMap;

use serde_json::{Value as Json, json};

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

pub(crate) const GROUP: &str = "zoom_group";
pub(crate) const MEMBERS: &str = "zoom_group_members";
pub(crate) const TYPE_NAMES: [&str; 2] = [GROUP, MEMBERS];

/// The largest page `GET /groups` and `GET /groups/{groupId}/members` return.
const GROUPS_PAGE: &str = "300";
const MEMBERS_PAGE: &str = "2000";

fn scope(name: &str, access: Access, reason: &str) -> Permission {
    Permission::new(PermissionSystem::ZoomScope, name, access, reason)
}

pub(crate) fn group_schema() -> ResourceSchema {
    ResourceSchema::new(
        GROUP,
        ResourceKind::Object,
        "A Zoom group (User Management > Groups). Group names are unique in an account: a group \
         that already has the configured name is adopted rather than created again. Groups, \
         roles and Zoom Rooms resources belong to the account of the provider's credentials.",
        Attr::object([
            ("name", {
                let mut name = Attr::string()
                    .describe(
                        "The group's name, unique in the account (Zoom compares names \
                             without regard to case). Changing it renames the group.",
                    )
                    .required();
                name.max_length = Some(crate::name_rules::ZOOM_GROUP_NAME_MAX);
                name
            }),
            (
                "total_members",
                Attr::int()
                    .describe("How many users the group has.")
                    .computed(),
            ),
        ]),
    )
    .with_permissions(vec![
        scope(
            "group:read:list_groups:admin",
            Access::Read,
            "GET /groups (classic scope: group:read:admin)",
        ),
        scope(
            "group:write:group:admin",
            Access::Write,
            "POST /groups (classic scope: group:write:admin)",
        ),
        scope(
            "group:update:group:admin",
            Access::Write,
            "PATCH /groups/{groupId}",
        ),
        scope(
            "group:delete:group:admin",
            Access::Write,
            "DELETE /groups/{groupId}",
        ),
    ])
}

pub(crate) fn members_schema() -> ResourceSchema {
    let mut emails = Attr::string_set().describe(
        "Email addresses of the users who belong to the group (compared without regard to \
         case). Each must be a user of the account.",
    );
    if let Some(items) = emails.items.as_deref_mut() {
        items.case_insensitive = true;
    }
    let emails = emails.required();
    ResourceSchema::new(
        MEMBERS,
        ResourceKind::Object,
        "The members of a Zoom group. Additive by default: the listed users are added and other \
         members are left alone. With `authoritative = true` the group has exactly the listed \
         members: others are removed. Removing the resource removes the listed users from the \
         group.",
        Attr::object([
            (
                "group_id",
                Attr::string()
                    .describe("The group, e.g. `zoom_group.sales.id`.")
                    .required()
                    .force_new(),
            ),
            ("emails", emails),
            (
                "authoritative",
                Attr::bool().describe(
                    "Whether members not listed in `emails` are removed (default false: they \
                     are left alone).",
                ),
            ),
        ]),
    )
    .with_permissions(vec![
        scope(
            "group:read:list_members:admin",
            Access::Read,
            "GET /groups/{groupId}/members (classic scope: group:read:admin)",
        ),
        scope(
            "group:write:member:admin",
            Access::Write,
            "POST /groups/{groupId}/members (classic scope: group:write:admin)",
        ),
        scope(
            "group:delete:member:admin",
            Access::Write,
            "DELETE /groups/{groupId}/members/{memberId}",
        ),
    ])
}

pub(crate) fn group_data_schema() -> ResourceSchema {
    ResourceSchema::new(
        GROUP,
        ResourceKind::Data,
        "Looks up an existing Zoom group by name (without regard to case), e.g. to manage its \
         settings without managing the group itself.",
        Attr::object([
            (
                "name",
                Attr::string().describe("The group's name.").required(),
            ),
            ("id", Attr::string().describe("The group's id.").computed()),
            (
                "total_members",
                Attr::int()
                    .describe("How many users the group has.")
                    .computed(),
            ),
        ]),
    )
    .with_permissions(vec![scope(
        "group:read:list_groups:admin",
        Access::Read,
        "GET /groups (classic scope: group:read:admin)",
    )])
}

/// A group as `GET /groups` lists it.
#[derive(Clone, Debug)]
pub(crate) struct Listed {
    pub(crate) id: String,
    pub(crate) name: String,
    total_members: i64,
}

fn listed(group: &Json) -> Option<Listed> {
    Some(Listed {
        id: group.get("id")?.as_str()?.to_string(),
        name: group.get("name")?.as_str()?.to_string(),
        total_members: group
            .get("total_members")
            .and_then(Json::as_i64)
            .unwrap_or_default(),
    })
}

/// The group named `name`: the exact spelling first, else one differing only in case.
fn by_name<'a>(groups: &'a [Listed], name: &str) -> Option<&'a Listed> {
    groups
        .iter()
        .find(|g| g.name == name)
        .or_else(|| groups.iter().find(|g| g.name.eq_ignore_ascii_case(name)))
}

/// A group as attributes; the same for the resource and the data source of that name (the
/// provider cannot tell them apart, and needs not).
fn group_object(group: &Listed) -> RemoteObject {
    RemoteObject {
        id: group.id.clone(),
        attributes: Value::from_json(&json!({
            "id": group.id,
            "name": group.name,
            "total_members": group.total_members,
        })),
        ownership: Default::default(),
    }
}

async fn list_groups(client: &ZoomClient) -> ProviderResult<Vec<Listed>> {
    let request = ZoomRequest::get("/groups").query("page_size", GROUPS_PAGE);
    Ok(client
        .get_all_pages(&request, "groups")
        .await?
        .iter()
        .filter_map(listed)
        .collect())
}

/// A group member as `GET /groups/{groupId}/members` lists it.
#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub id: String,
    pub email: String,
}

fn members_path(group_id: &str) -> String {
    format!("/groups/{}/members", encode_segment(group_id))
}

/// Every member of a group, or `None` when the group does not exist.
async fn list_members(client: &ZoomClient, group_id: &str) -> ProviderResult<Option<Vec<Member>>> {
    let request = ZoomRequest::get(members_path(group_id)).query("page_size", MEMBERS_PAGE);
    match client.get_all_pages(&request, "members").await {
        Ok(items) => Ok(Some(
            items
                .iter()
                .filter_map(|m| {
                    Some(Member {
                        id: m.get("id")?.as_str()?.to_string(),
                        email: m.get("email")?.as_str()?.to_string(),
                    })
                })
                .collect(),
        )),
        Err(e) if is_missing(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

fn authoritative(config: &Value) -> bool {
    matches!(
        config.get("authoritative").map(|v| v.unmark().0),
        Some(Value::Bool(true))
    )
}

fn contains_email(list: &[String], email: &str) -> bool {
    list.iter().any(|e| e.eq_ignore_ascii_case(email))
}

/// The members resource as attributes: every member when authoritative, else only the
/// configured ones that are members (so unlisted members never show as a difference).
fn members_object(group_id: &str, members: &[Member], config: &Value) -> RemoteObject {
    let desired = string_set(config, "emails").unwrap_or_default();
    let exact = authoritative(config);
    let emails: Vec<&str> = members
        .iter()
        .map(|m| m.email.as_str())
        .filter(|email| exact || contains_email(&desired, email))
        .collect();
    RemoteObject {
        id: group_id.to_string(),
        attributes: Value::from_json(&json!({
            "group_id": group_id,
            "emails": emails,
            "authoritative": exact,
        })),
        ownership: Default::default(),
    }
}

/// Every group, for `zentra export`: one listing, with the largest page size.
pub(crate) async fn all(client: &ZoomClient) -> ProviderResult<Vec<Listed>> {
    list_groups(client).await
}

/// The groups and, when `members` is set, their member lists (those that have members) as
/// `zentra export` writes them: one member listing per group, all at once.
pub(crate) async fn discover(
    client: &ZoomClient,
    groups: &[Listed],
    members: bool,
) -> ProviderResult<Vec<DiscoveredObject>> {
    let mut found: Vec<DiscoveredObject> = groups
        .iter()
        .map(|g| DiscoveredObject {
            type_name: GROUP.into(),
            name_hint: g.name.clone(),
            object: group_object(g),
        })
        .collect();
    if members {
        let lists =
            futures::future::join_all(groups.iter().map(|g| list_members(client, &g.id))).await;
        for (group, list) in groups.iter().zip(lists) {
            let Some(list) = list? else { continue };
            if list.is_empty() {
                continue;
            }
            let emails: Vec<&str> = list.iter().map(|m| m.email.as_str()).collect();
            found.push(DiscoveredObject {
                type_name: MEMBERS.into(),
                name_hint: group.name.clone(),
                object: RemoteObject::new(
                    group.id.clone(),
                    Value::from_json(&json!({ "group_id": group.id, "emails": emails })),
                ),
            });
        }
    }
    Ok(found)
}

/// Reads a wave's groups, group data sources and member lists: one group listing for all of
/// them, one member listing per group.
pub(crate) async fn read(client: &ZoomClient, batch: &[(usize, &ReadRequest)]) -> Vec<Slot> {
    let mut slots = Vec::new();
    let needs_listing = batch.iter().any(|(_, r)| r.type_name == GROUP);
    let listing = if needs_listing {
        Some(list_groups(client).await)
    } else {
        None
    };
    let mut group_ids: Vec<String> = batch
        .iter()
        .filter(|(_, r)| r.type_name == MEMBERS)
        .filter_map(|(_, r)| match key(&r.config, "group_id") {
            Key::Known(group_id) => Some(group_id),
            _ => None,
        })
        .collect();
    group_ids.sort();
    group_ids.dedup();
    let lists =
        futures::future::join_all(group_ids.iter().map(|id| list_members(client, id))).await;
    let member_lists: HashMap<String, ProviderResult<Option<Vec<Member>>>> =
        group_ids.into_iter().zip(lists).collect();
    for &(index, request) in batch {
        let result = if request.type_name == MEMBERS {
            match key(&request.config, "group_id") {
                Key::Known(group_id) => match &member_lists[&group_id] {
                    Ok(Some(members)) => {
                        Ok(Some(members_object(&group_id, members, &request.config)))
                    }
                    Ok(None) => Ok(None),
                    Err(e) => Err(e.clone()),
                },
                _ => Ok(None),
            }
        } else {
            let Some(listing) = &listing else { continue };
            match (listing, key(&request.config, "name")) {
                (Err(e), _) => Err(e.clone()),
                (Ok(_), Key::Unknown) => Ok(None),
                (Ok(groups), Key::Known(name)) if request.id.is_some() => {
                    let id = request.id.as_deref().unwrap_or_default();
                    Ok(groups
                        .iter()
                        .find(|g| g.id == id)
                        .or_else(|| by_name(groups, &name))
                        .map(group_object))
                }
                (Ok(groups), Key::Known(name)) => {
                    // The resource and the data source alike: the group of that name.
                    Ok(by_name(groups, &name).map(group_object))
                }
                (Ok(_), Key::Absent) => Err(ProviderError::new(
                    ErrorKind::Invalid,
                    "zoom_group: `name` is required",
                )),
            }
        };
        slots.push((index, result));
    }
    slots
}

fn conflict(name: &str, mut error: ProviderError) -> ProviderError {
    error.message = format!(
        "a Zoom group named \"{name}\" already exists ({})",
        error.message
    );
    error.with_hint(
        "zentra adopts an existing group of the same name only when no state records this \
         resource; if another resource or person manages that group, choose another name",
    )
}

pub(crate) async fn create(
    client: &ZoomClient,
    req: &WriteRequest,
) -> ProviderResult<RemoteObject> {
    if req.type_name == MEMBERS {
        return write_members(client, req).await;
    }
    let name = required_string(req, "name")?;
    // A create whose answer was lost is looked up by name before it is sent again.
    let lookup = || async {
        Ok(by_name(&list_groups(client).await?, &name)
            .map(|g| json!({"id": g.id, "name": g.name, "total_members": g.total_members})))
    };
    let answer = client
        .create(&ZoomRequest::post("/groups", json!({"name": name})), lookup)
        .await
        .map_err(|e| {
            if e.kind == ErrorKind::Conflict {
                conflict(&name, e)
            } else {
                e
            }
        })?
        .unwrap_or(Json::Null);
    let group = listed(&answer).ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Transport,
            "Zoom created the group but returned no id",
        )
    })?;
    Ok(group_object(&group))
}

pub(crate) async fn update(
    client: &ZoomClient,
    req: &WriteRequest,
) -> ProviderResult<RemoteObject> {
    if req.type_name == MEMBERS {
        return write_members(client, req).await;
    }
    let name = required_string(req, "name")?;
    let id = req.id.clone().ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Invalid,
            "zoom_group: an update needs the group id",
        )
    })?;
    let path = format!("/groups/{}", encode_segment(&id));
    client
        .send(&ZoomRequest::patch(&path, json!({"name": name})).idempotent())
        .await
        .map_err(|e| {
            if e.kind == ErrorKind::Conflict {
                conflict(&name, e)
            } else {
                e
            }
        })?;
    let total_members = req
        .prior
        .as_ref()
        .and_then(|p| p.get("total_members"))
        .and_then(Value::to_json)
        .and_then(|t| t.as_i64())
        .unwrap_or_default();
    Ok(group_object(&Listed {
        id,
        name,
        total_members,
    }))
}

pub(crate) async fn delete(client: &ZoomClient, req: &WriteRequest) -> ProviderResult<()> {
    if req.type_name == MEMBERS {
        return remove_listed_members(client, req).await;
    }
    let Some(id) = &req.id else { return Ok(()) };
    match client
        .send(&ZoomRequest::delete(format!(
            "/groups/{}",
            encode_segment(id)
        )))
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_missing(&e) => Ok(()),
        Err(e) => Err(e),
    }
}

fn missing_group(group_id: &str) -> ProviderError {
    ProviderError::new(
        ErrorKind::NotFound,
        format!("Zoom group {group_id} does not exist"),
    )
    .with_hint("check `group_id`; a group removed outside zentra must be created again first")
}

/// Adds the missing members (30 per call) and, when authoritative, removes the others.
async fn write_members(client: &ZoomClient, req: &WriteRequest) -> ProviderResult<RemoteObject> {
    let group_id = required_string(req, "group_id")?;
    let desired = string_set(&req.config, "emails").unwrap_or_default();
    let live = list_members(client, &group_id)
        .await?
        .ok_or_else(|| missing_group(&group_id))?;
    let live_emails: Vec<String> = live.iter().map(|m| m.email.clone()).collect();
    let mut to_add: Vec<&String> = Vec::new();
    for email in &desired {
        if !contains_email(&live_emails, email)
            && !to_add.iter().any(|e| e.eq_ignore_ascii_case(email))
        {
            to_add.push(email);
        }
    }
    for batch in batches_of_30(&to_add) {
        let members: Vec<Json> = batch.iter().map(|e| json!({"email": e})).collect();
        client
            .send(&ZoomRequest::post(
                members_path(&group_id),
                json!({"members": members}),
            ))
            .await?;
    }
    if authoritative(&req.config) {
        for member in live.iter().filter(|m| !contains_email(&desired, &m.email)) {
            remove_member(client, &group_id, &member.id).await?;
        }
    }
    let mut members: Vec<Member> = live
        .into_iter()
        .filter(|m| !authoritative(&req.config) || contains_email(&desired, &m.email))
        .collect();
    members.extend(to_add.into_iter().map(|email| Member {
        id: String::new(),
        email: email.clone(),
    }));
    Ok(members_object(&group_id, &members, &req.config))
}

async fn remove_member(client: &ZoomClient, group_id: &str, member_id: &str) -> ProviderResult<()> {
    let path = format!("{}/{}", members_path(group_id), encode_segment(member_id));
    match client.send(&ZoomRequest::delete(path)).await {
        Ok(_) => Ok(()),
        Err(e) if is_missing(&e) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes the users the resource listed (those still members); others stay.
async fn remove_listed_members(client: &ZoomClient, req: &WriteRequest) -> ProviderResult<()> {
    let Key::Known(group_id) = key(&req.config, "group_id") else {
        return Ok(());
    };
    let listed = string_set(&req.config, "emails").unwrap_or_default();
    let Some(live) = list_members(client, &group_id).await? else {
        return Ok(());
    };
    for member in live.iter().filter(|m| contains_email(&listed, &m.email)) {
        remove_member(client, &group_id, &member.id).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: &str, name: &str) -> Listed {
        Listed {
            id: id.into(),
            name: name.into(),
            total_members: 0,
        }
    }

    #[test]
    fn names_match_exactly_first_then_without_case() {
        let groups = [group("a", "sales"), group("b", "Sales")];
        assert_eq!(by_name(&groups, "Sales").unwrap().id, "b");
        assert_eq!(by_name(&groups, "SALES").unwrap().id, "a");
        assert!(by_name(&groups, "Marketing").is_none());
    }

    #[test]
    fn additive_members_show_only_the_listed_ones() {
        let members = vec![
            Member {
                id: "1".into(),
                email: "Alex@contoso.com".into(),
            },
            Member {
                id: "2".into(),
                email: "lee@contoso.com".into(),
            },
        ];
        let config = Value::from_json(
            &json!({"group_id": "g", "emails": ["alex@contoso.com", "new@contoso.com"]}),
        );
        let object = members_object("g", &members, &config);
        assert_eq!(
            object.attributes.get("emails").and_then(Value::to_json),
            Some(json!(["Alex@contoso.com"]))
        );
        let config = Value::from_json(
            &json!({"group_id": "g", "emails": ["alex@contoso.com"], "authoritative": true}),
        );
        let object = members_object("g", &members, &config);
        assert_eq!(
            object.attributes.get("emails").and_then(Value::to_json),
            Some(json!(["Alex@contoso.com", "lee@contoso.com"]))
        );
        assert_eq!(object.id, "g");
    }

    #[test]
    fn member_batches_hold_at_most_thirty() {
        let emails: Vec<usize> = (0..65).collect();
        let sizes: Vec<usize> = batches_of_30(&emails).iter().map(Vec::len).collect();
        assert_eq!(sizes, [30, 30, 5]);
    }
}
