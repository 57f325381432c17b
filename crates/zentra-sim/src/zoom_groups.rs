//! Emulated Zoom groups (`/groups...`): create, list (paged), get, rename and delete; members
//! added in batches of at most 30 and listed by page; and each group's settings and lock
//! settings, which start as a copy of the account's (what a new group inherits) and are then
//! validated and stored like the account's.

use anyhow::bail;
use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::http::{SimRequest, SimResponse};
use super::seed::ZoomUserSeed;
use super::state::{ZoomAccount, deep_merge, random_token};
use super::zoom_api::{
    find_user, json_body, next_page_token, page_window, validation_failed, zoom_error,
};
use super::zoom_schema::{
    Document, defaults, fits, main_schema, meeting_security_schema, validate_stored,
};
use super::zoom_settings;
use zentra_schema::Attr;

/// A group in a seed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoomGroupSeed {
    /// Generated when absent.
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    /// Users of the account, by id or email.
    #[serde(default)]
    pub members: Vec<String>,
    /// Overrides on what the group inherits from the account's settings (GET shape, plus
    /// `meeting_security`).
    #[serde(default)]
    pub settings: Map<String, Value>,
    /// Overrides on what the group inherits from the account's lock settings.
    #[serde(default)]
    pub lock_settings: Map<String, Value>,
}

/// A live group.
#[derive(Clone, Debug)]
pub(crate) struct ZoomGroup {
    pub id: String,
    pub name: String,
    /// User ids, in the order they were added.
    pub members: Vec<String>,
    pub settings: Map<String, Value>,
    pub lock_settings: Map<String, Value>,
}

/// Overwrites, at any depth, the members of `target` that `source` also has with a value that
/// fits the group's `schema`: a group's view of its account's settings.
fn inherit(schema: &Attr, target: &mut Map<String, Value>, source: &Map<String, Value>) {
    for (key, value) in target.iter_mut() {
        let (Some(member), Some(from)) = (schema.properties.get(key), source.get(key)) else {
            continue;
        };
        match (value, from) {
            (Value::Object(inner), Value::Object(from)) => inherit(member, inner, from),
            (value, from) if fits(member, from) => *value = from.clone(),
            _ => {}
        }
    }
}

/// The group document's schema: the main shape plus `meeting_security`.
fn document_schema(doc: Document) -> Attr {
    let mut schema = main_schema(doc).clone();
    schema.properties.insert(
        "meeting_security".into(),
        meeting_security_schema(doc).clone(),
    );
    schema
}

impl ZoomGroup {
    /// A new group of `account` named `name`: its settings inherit the account's.
    pub(crate) fn new(account: &ZoomAccount, id: String, name: String) -> ZoomGroup {
        let mut settings = defaults(Document::GroupSettings);
        inherit(
            &document_schema(Document::GroupSettings),
            &mut settings,
            &account.settings,
        );
        let mut lock_settings = defaults(Document::GroupLockSettings);
        inherit(
            &document_schema(Document::GroupLockSettings),
            &mut lock_settings,
            &account.lock_settings,
        );
        ZoomGroup {
            id,
            name,
            members: Vec::new(),
            settings,
            lock_settings,
        }
    }

    /// A seeded group, its members resolved to user ids.
    pub(crate) fn from_seed(account: &ZoomAccount, seed: &ZoomGroupSeed) -> anyhow::Result<Self> {
        let id = seed.id.clone().unwrap_or_else(|| random_token(22));
        let mut group = ZoomGroup::new(account, id, seed.name.clone());
        for member in &seed.members {
            let Some(user) = find_user(account, member) else {
                bail!("group {}: member {member:?} is not a user", seed.name);
            };
            if !group.members.contains(&user.id) {
                group.members.push(user.id.clone());
            }
        }
        deep_merge(&mut group.settings, &seed.settings);
        deep_merge(&mut group.lock_settings, &seed.lock_settings);
        Ok(group)
    }

    /// The whole group, as the admin API's state shows it.
    pub(crate) fn snapshot(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "members": self.members,
            "settings": self.settings,
            "lock_settings": self.lock_settings,
        })
    }

    fn summary(&self) -> Value {
        json!({"id": self.id, "name": self.name, "total_members": self.members.len()})
    }
}

/// Checks a seed's groups: names unique (ignoring case), settings fit the schemas.
pub(crate) fn validate_seed(
    groups: &[ZoomGroupSeed],
    users: &[ZoomUserSeed],
) -> anyhow::Result<()> {
    let mut names = std::collections::HashSet::new();
    for group in groups {
        if group.name.trim().is_empty() {
            bail!("a group has an empty name");
        }
        if !names.insert(group.name.to_lowercase()) {
            bail!("group name {:?} is used twice", group.name);
        }
        for member in &group.members {
            if !users
                .iter()
                .any(|u| &u.id == member || u.email.eq_ignore_ascii_case(member))
            {
                bail!("group {}: member {member:?} is not a user", group.name);
            }
        }
        for (doc, what, overrides) in [
            (Document::GroupSettings, "settings", &group.settings),
            (
                Document::GroupLockSettings,
                "lock_settings",
                &group.lock_settings,
            ),
        ] {
            let errors = validate_stored(doc, overrides);
            if !errors.is_empty() {
                bail!(
                    "group {}: {what} has unknown or invalid fields: {}",
                    group.name,
                    errors.join(", ")
                );
            }
        }
    }
    Ok(())
}

fn no_group(id: &str) -> SimResponse {
    zoom_error(
        StatusCode::NOT_FOUND,
        4130,
        format!("A group with this {id} does not exist."),
    )
}

fn name_in_use(name: &str) -> SimResponse {
    zoom_error(
        StatusCode::CONFLICT,
        4132,
        format!("The group name \"{name}\" is already in use."),
    )
}

/// A usable group name from a body, or Zoom's validation error.
fn group_name(body: &Map<String, Value>) -> Result<String, SimResponse> {
    match body.get("name").and_then(Value::as_str).map(str::trim) {
        Some(name) if !name.is_empty() && name.chars().count() <= 128 => Ok(name.to_string()),
        _ => Err(zoom_error(
            StatusCode::BAD_REQUEST,
            300,
            "Invalid parameter: name.",
        )),
    }
}

/// Serves the `/groups...` routes of `account` (the token's account).
pub(crate) fn handle(
    account: &mut ZoomAccount,
    template: &str,
    params: &[String],
    req: &SimRequest,
) -> SimResponse {
    if account.plan == super::seed::ZoomPlan::Basic {
        return zoom_error(
            StatusCode::BAD_REQUEST,
            200,
            "Only available for Paid account.",
        );
    }
    if template == "/groups" {
        return if req.method == Method::GET {
            list_groups(account, req)
        } else {
            create_group(account, req, template)
        };
    }
    let Some(index) = account.groups.iter().position(|g| g.id == params[0]) else {
        return no_group(&params[0]);
    };
    match (template, &req.method) {
        ("/groups/{groupId}", &Method::GET) => {
            SimResponse::json(StatusCode::OK, account.groups[index].summary())
        }
        ("/groups/{groupId}", &Method::PATCH) => {
            let body = match json_body(req, template) {
                Ok(body) => body,
                Err(e) => return e,
            };
            if body.contains_key("name") {
                let name = match group_name(&body) {
                    Ok(name) => name,
                    Err(e) => return e,
                };
                let taken = account
                    .groups
                    .iter()
                    .enumerate()
                    .any(|(i, g)| i != index && g.name.to_lowercase() == name.to_lowercase());
                if taken {
                    return name_in_use(&name);
                }
                account.groups[index].name = name;
            }
            SimResponse::empty(StatusCode::NO_CONTENT)
        }
        ("/groups/{groupId}", _) => {
            account.groups.remove(index);
            SimResponse::empty(StatusCode::NO_CONTENT)
        }
        ("/groups/{groupId}/members", &Method::GET) => list_members(account, index, req),
        ("/groups/{groupId}/members", _) => add_members(account, index, req, template),
        ("/groups/{groupId}/members/{memberId}", _) => {
            let member = &params[1];
            let user_id = find_user(account, member).map(|u| u.id.clone());
            let group = &mut account.groups[index];
            match user_id.and_then(|id| group.members.iter().position(|m| *m == id)) {
                Some(at) => {
                    group.members.remove(at);
                    SimResponse::empty(StatusCode::NO_CONTENT)
                }
                None => zoom_error(StatusCode::NOT_FOUND, 4131, "Group member does not exist."),
            }
        }
        ("/groups/{groupId}/settings", _) => {
            let users = account.users.clone();
            let group = &mut account.groups[index];
            zoom_settings::handle(&mut group.settings, Document::GroupSettings, &users, req)
        }
        _ => {
            let users = account.users.clone();
            let group = &mut account.groups[index];
            zoom_settings::handle(
                &mut group.lock_settings,
                Document::GroupLockSettings,
                &users,
                req,
            )
        }
    }
}

fn list_groups(account: &ZoomAccount, req: &SimRequest) -> SimResponse {
    let (offset, size) = match page_window(req, "groups", 300, 300) {
        Ok(window) => window,
        Err(e) => return e,
    };
    let total = account.groups.len();
    let page: Vec<Value> = account
        .groups
        .iter()
        .skip(offset)
        .take(size)
        .map(ZoomGroup::summary)
        .collect();
    SimResponse::json(
        StatusCode::OK,
        json!({
            "groups": page,
            "total_records": total,
            "next_page_token": next_page_token("groups", offset, size, total),
        }),
    )
}

/// Groups an account may have, as Zoom documents.
const MAX_GROUPS: usize = 5000;

fn create_group(account: &mut ZoomAccount, req: &SimRequest, template: &str) -> SimResponse {
    let body = match json_body(req, template) {
        Ok(body) => body,
        Err(e) => return e,
    };
    let name = match group_name(&body) {
        Ok(name) => name,
        Err(e) => return e,
    };
    if account
        .groups
        .iter()
        .any(|g| g.name.to_lowercase() == name.to_lowercase())
    {
        return name_in_use(&name);
    }
    if account.groups.len() >= MAX_GROUPS {
        return zoom_error(
            StatusCode::BAD_REQUEST,
            300,
            "It has reached the maximum number of groups. You can clean up some groups then add.",
        );
    }
    let group = ZoomGroup::new(account, random_token(22), name);
    let summary = group.summary();
    account.groups.push(group);
    SimResponse::json(StatusCode::CREATED, summary)
}

fn list_members(account: &ZoomAccount, index: usize, req: &SimRequest) -> SimResponse {
    let (offset, size) = match page_window(req, "members", 30, 2000) {
        Ok(window) => window,
        Err(e) => return e,
    };
    let members: Vec<&ZoomUserSeed> = account.groups[index]
        .members
        .iter()
        .filter_map(|id| account.users.iter().find(|u| &u.id == id))
        .collect();
    let total = members.len();
    let page: Vec<Value> = members
        .iter()
        .skip(offset)
        .take(size)
        .map(|u| member_json(u))
        .collect();
    SimResponse::json(
        StatusCode::OK,
        json!({
            "members": page,
            "next_page_token": next_page_token("members", offset, size, total),
            "page_count": total.div_ceil(size),
            "page_number": offset / size + 1,
            "page_size": size,
            "total_records": total,
        }),
    )
}

/// A user as member lists (of groups and roles) show it.
pub(crate) fn member_json(user: &ZoomUserSeed) -> Value {
    json!({
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "type": user.user_type,
    })
}

/// The users an "add members" body (`{"members": [{"id"} | {"email"}]}`, at most 30, checked
/// against the operation's schema) names: their ids, or Zoom's error.
pub(crate) fn members_of_body(
    account: &ZoomAccount,
    req: &SimRequest,
    template: &str,
) -> Result<Vec<String>, SimResponse> {
    let body = json_body(req, template)?;
    let entries = body
        .get("members")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if entries.is_empty() {
        return Err(validation_failed(vec![(
            "members".into(),
            "This field is required.".into(),
        )]));
    }
    resolve_users(account, &entries, "members")
}

/// The users a `members` list names, by `id` (preferred) or `email`: their ids, or the error
/// naming the first unknown one.
fn resolve_users(
    account: &ZoomAccount,
    entries: &[Value],
    field: &str,
) -> Result<Vec<String>, SimResponse> {
    let mut ids = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let key = entry
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .or_else(|| entry.get("email").and_then(Value::as_str));
        let Some(key) = key else {
            return Err(validation_failed(vec![(
                format!("{field}[{i}]"),
                "Either id or email is required.".into(),
            )]));
        };
        let Some(user) = find_user(account, key) else {
            return Err(zoom_error(
                StatusCode::NOT_FOUND,
                1001,
                format!("User does not exist: {key}."),
            ));
        };
        if !ids.contains(&user.id) {
            ids.push(user.id.clone());
        }
    }
    Ok(ids)
}

fn add_members(
    account: &mut ZoomAccount,
    index: usize,
    req: &SimRequest,
    template: &str,
) -> SimResponse {
    let ids = match members_of_body(account, req, template) {
        Ok(ids) => ids,
        Err(e) => return e,
    };
    let group = &mut account.groups[index];
    for id in &ids {
        if !group.members.contains(id) {
            group.members.push(id.clone());
        }
    }
    SimResponse::json(
        StatusCode::CREATED,
        json!({
            "ids": ids.join(","),
            "added_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inheritance_copies_only_values_the_group_schema_accepts() {
        let schema = Attr::object([
            ("a", Attr::object([("x", Attr::bool()), ("y", Attr::int())])),
            ("mode", Attr::string().one_of(&["anyone", "account"])),
            ("c", Attr::bool()),
        ]);
        let mut target = match json!({"a": {"x": false, "y": 1}, "mode": "anyone", "c": true}) {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let source = match json!({"a": {"x": true, "y": "not a number"}, "mode": "disable",
                                   "c": false, "d": 1})
        {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        inherit(&schema, &mut target, &source);
        assert_eq!(
            Value::Object(target),
            json!({"a": {"x": true, "y": 1}, "mode": "anyone", "c": false})
        );
    }
}
