//! Emulated Zoom Rooms calendar integration (`/rooms/calendar/services...`): calendar services
//! are listed (by id and, as Zoom documents `calendar_service_name`, the email of the account
//! they were added with; the list says nothing of the kind of calendar), deleted and synced (there is no API to add one: that is done in the web portal,
//! or here through a seed or the admin API); calendar resources of Exchange and Office 365
//! services are added, listed by page, read and deleted. Every route needs a Zoom Rooms
//! subscription.

use anyhow::bail;
use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::http::{SimRequest, SimResponse};
use super::state::{ZoomAccount, random_token};
use super::zoom_api::{json_body, next_page_token, page_window, zoom_error};

/// The kind of calendar a service connects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarServiceKind {
    #[default]
    Office365,
    Exchange,
    Google,
}

/// A calendar service in a seed (as an admin would have added it in the web portal).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarServiceSeed {
    /// Generated when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// The email of the account the service was added with, which Zoom lists as the service's
    /// `calendar_service_name` (e.g. `zroom1@example.com`). `name` is accepted too.
    #[serde(alias = "name")]
    pub email: String,
    #[serde(rename = "type", default)]
    pub kind: CalendarServiceKind,
    #[serde(default)]
    pub resources: Vec<CalendarResourceSeed>,
}

/// A calendar resource (a room mailbox) in a seed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarResourceSeed {
    #[serde(default)]
    pub id: Option<String>,
    pub email: String,
    /// Derived from the email when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// The Zoom Room the resource is assigned to, if any.
    #[serde(default)]
    pub assigned_room_id: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct CalendarService {
    pub id: String,
    /// The service account's email: what Zoom lists as `calendar_service_name`.
    pub email: String,
    pub kind: CalendarServiceKind,
    pub added: String,
    pub synced: String,
    pub resources: Vec<CalendarResource>,
}

#[derive(Clone, Debug)]
pub(crate) struct CalendarResource {
    pub id: String,
    pub email: String,
    pub name: String,
    pub assigned_room_id: String,
    pub sync_status: &'static str,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// What the calendar shows as a room mailbox's name: `board.room@x` → `Board Room`.
fn name_from_email(email: &str) -> String {
    email
        .split('@')
        .next()
        .unwrap_or(email)
        .split(['.', '-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn resource(email: &str, name: Option<String>, id: Option<String>) -> CalendarResource {
    CalendarResource {
        id: id.unwrap_or_else(|| random_token(22)),
        email: email.to_string(),
        name: name.unwrap_or_else(|| name_from_email(email)),
        assigned_room_id: String::new(),
        sync_status: "Success",
    }
}

impl CalendarService {
    /// A service as the web portal's "Add a calendar service" leaves it, added with the
    /// account of `email`.
    pub(crate) fn new(id: Option<String>, email: &str, kind: CalendarServiceKind) -> Self {
        let added = now();
        CalendarService {
            id: id.unwrap_or_else(|| random_token(22)),
            email: email.to_string(),
            kind,
            synced: added.clone(),
            added,
            resources: Vec::new(),
        }
    }

    pub(crate) fn from_seed(seed: &CalendarServiceSeed) -> Self {
        let mut service = CalendarService::new(seed.id.clone(), &seed.email, seed.kind);
        service.resources = seed
            .resources
            .iter()
            .map(|r| {
                let mut made = resource(&r.email, r.name.clone(), r.id.clone());
                made.assigned_room_id = r.assigned_room_id.clone().unwrap_or_default();
                made
            })
            .collect();
        service
    }

    /// Adds a resource for `email`; `None` when the service already has it.
    pub(crate) fn add_resource(&mut self, email: &str) -> Option<&CalendarResource> {
        if self
            .resources
            .iter()
            .any(|r| r.email.eq_ignore_ascii_case(email))
        {
            return None;
        }
        self.resources.push(resource(email, None, None));
        self.resources.last()
    }

    /// The service and its resources, as the admin API's state shows them.
    pub(crate) fn snapshot(&self) -> Value {
        let mut out = self.json();
        out["type"] = json!(self.kind);
        out["calendar_resources"] =
            Value::Array(self.resources.iter().map(CalendarResource::json).collect());
        out
    }

    fn json(&self) -> Value {
        json!({
            "calendar_service_id": self.id,
            "calendar_service_name": self.email,
            "calendar_resource_total_number": self.resources.len(),
            "calendar_resource_assigned_number": self
                .resources
                .iter()
                .filter(|r| !r.assigned_room_id.is_empty())
                .count(),
            "added_date_time": self.added,
            "latest_synced_date_time": self.synced,
        })
    }
}

impl CalendarResource {
    fn json(&self) -> Value {
        json!({
            "calendar_resource_id": self.id,
            "calendar_resource_email": self.email,
            "calendar_resource_name": self.name,
            "assigned_room_id": self.assigned_room_id,
            "sync_status": self.sync_status,
        })
    }
}

/// Checks a seed's calendar services: ids and resource emails unique.
pub(crate) fn validate_seed(services: &[CalendarServiceSeed]) -> anyhow::Result<()> {
    let mut ids = std::collections::HashSet::new();
    for service in services {
        if let Some(id) = &service.id
            && !ids.insert(id.clone())
        {
            bail!("calendar service id {id} is used twice");
        }
        if !service.email.contains('@') {
            bail!(
                "calendar service {:?}: Zoom lists a calendar service by the email of the \
                 account it was added with; give that email",
                service.email
            );
        }
        if service.kind == CalendarServiceKind::Google && !service.resources.is_empty() {
            bail!(
                "calendar service {}: Google calendar services have no calendar resources",
                service.email
            );
        }
        let mut emails = std::collections::HashSet::new();
        for resource in &service.resources {
            if !resource.email.contains('@') || !emails.insert(resource.email.to_lowercase()) {
                bail!(
                    "calendar service {}: resource email {:?} is invalid or listed twice",
                    service.email,
                    resource.email
                );
            }
        }
    }
    Ok(())
}

fn no_service(id: &str) -> SimResponse {
    zoom_error(
        StatusCode::NOT_FOUND,
        4061,
        format!("Calendar service does not exist: {id}."),
    )
}

fn assigned(id: &str) -> SimResponse {
    zoom_error(
        StatusCode::BAD_REQUEST,
        4005,
        format!("Calendar resource assigned to a Zoom Room: {id}."),
    )
}

/// Serves the `/rooms/calendar/services...` routes of `account`.
pub(crate) fn handle(
    account: &mut ZoomAccount,
    template: &str,
    params: &[String],
    req: &SimRequest,
) -> SimResponse {
    if !account.zoom_rooms_subscription {
        return zoom_error(
            StatusCode::BAD_REQUEST,
            200,
            "Zoom Room subscription not found. Try again after purchasing a Zoom Room subscription.",
        );
    }
    if template == "/rooms/calendar/services" {
        let services: Vec<Value> = account
            .calendar_services
            .iter()
            .map(CalendarService::json)
            .collect();
        return SimResponse::json(StatusCode::OK, json!({"calendar_services": services}));
    }
    let Some(index) = account
        .calendar_services
        .iter()
        .position(|s| s.id == params[0])
    else {
        return no_service(&params[0]);
    };
    let service = &mut account.calendar_services[index];
    match (template, &req.method) {
        ("/rooms/calendar/services/{serviceId}", _) => {
            if let Some(r) = service
                .resources
                .iter()
                .find(|r| !r.assigned_room_id.is_empty())
            {
                return assigned(&r.id);
            }
            account.calendar_services.remove(index);
            SimResponse::empty(StatusCode::NO_CONTENT)
        }
        ("/rooms/calendar/services/{serviceId}/sync", _) => {
            service.synced = now();
            for r in &mut service.resources {
                r.sync_status = "Success";
            }
            SimResponse::empty(StatusCode::ACCEPTED)
        }
        ("/rooms/calendar/services/{serviceId}/resources", &Method::GET) => {
            let (offset, size) = match page_window(req, "calendar-resources", 30, 300) {
                Ok(window) => window,
                Err(e) => return e,
            };
            let total = service.resources.len();
            let page: Vec<Value> = service
                .resources
                .iter()
                .skip(offset)
                .take(size)
                .map(CalendarResource::json)
                .collect();
            SimResponse::json(
                StatusCode::OK,
                json!({
                    "next_page_token": next_page_token("calendar-resources", offset, size, total),
                    "page_size": size,
                    "calendar_resources": page,
                }),
            )
        }
        ("/rooms/calendar/services/{serviceId}/resources", _) => {
            let body = match json_body(req, template) {
                Ok(body) => body,
                Err(e) => return e,
            };
            let email = body
                .get("calendar_resource_email")
                .and_then(Value::as_str)
                .map(str::trim)
                .unwrap_or_default()
                .to_string();
            if !email.contains('@') {
                return zoom_error(
                    StatusCode::BAD_REQUEST,
                    300,
                    "Invalid parameter: calendar_resource_email.",
                );
            }
            if service.kind == CalendarServiceKind::Google {
                return zoom_error(
                    StatusCode::BAD_REQUEST,
                    300,
                    "Calendar resources can only be added to Exchange or Office 365 calendar services.",
                );
            }
            match service.add_resource(&email) {
                Some(added) => SimResponse::json(
                    StatusCode::CREATED,
                    json!({
                        "calendar_resource_id": added.id,
                        "calendar_resource_email": added.email,
                        "calendar_resource_name": added.name,
                    }),
                ),
                None => zoom_error(
                    StatusCode::BAD_REQUEST,
                    300,
                    format!("Calendar resource already exists: {email}."),
                ),
            }
        }
        _ => {
            let Some(at) = service.resources.iter().position(|r| r.id == params[1]) else {
                return zoom_error(
                    StatusCode::NOT_FOUND,
                    4060,
                    format!("Calendar resource does not exist: {}.", params[1]),
                );
            };
            if req.method == Method::GET {
                return SimResponse::json(StatusCode::OK, service.resources[at].json());
            }
            if !service.resources[at].assigned_room_id.is_empty() {
                return assigned(&service.resources[at].id);
            }
            service.resources.remove(at);
            SimResponse::empty(StatusCode::NO_CONTENT)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_come_from_the_mailbox() {
        assert_eq!(name_from_email("board.room@contoso.com"), "Board Room");
        assert_eq!(name_from_email("huddle-2@contoso.com"), "Huddle 2");
        assert_eq!(name_from_email("x"), "X");
    }

    #[test]
    fn google_services_take_no_resources_in_seeds() {
        let seed = CalendarServiceSeed {
            id: None,
            email: "rooms.admin@contoso.com".into(),
            kind: CalendarServiceKind::Google,
            resources: vec![CalendarResourceSeed {
                id: None,
                email: "a@b.c".into(),
                name: None,
                assigned_room_id: None,
            }],
        };
        assert!(validate_seed(&[seed]).is_err());
    }
}
