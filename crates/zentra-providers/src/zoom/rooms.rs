//! Zoom Rooms calendar integration: the resource `zoom_rooms_calendar_resource` (a room mailbox
//! of an Office 365 or Exchange calendar service, located by email so an existing one is
//! adopted; the service is synced after every change) and the data source
//! `zoom_rooms_calendar_services` (the services added in the web portal, which no API can add:
//! the evidence a manual step can check). Zoom lists a service by the email of the account it
//! was added with (`calendar_service_name`) and its id, so that is what the data source matches.
//!
//! A wave's reads share one service listing and one paged resource listing per service.

use std::collections::HashMap;

use serde_json::{Value as Json, json};

use super::{Key, Slot, is_missing, key, required_string};
use crate::client::encode_segment;
use crate::client::zoom::{ZoomClient, ZoomRequest};
use zentra_engine::provider::{
    DiscoveredObject, ErrorKind, InvalidAttribute, ProviderError, ProviderResult, ReadRequest,
    RemoteObject, WriteRequest,
};
use zentra_engine::schema::{
    Access, Attr, Permission, PermissionSystem, ResourceKind, ResourceSchema,
};
use zentra_engine::value::Value;

pub(crate) const RESOURCE: &str = "zoom_rooms_calendar_resource";
pub(crate) const SERVICES: &str = "zoom_rooms_calendar_services";
pub(crate) const TYPE_NAMES: [&str; 2] = [RESOURCE, SERVICES];

/// The largest page `GET .../resources` returns.
const RESOURCES_PAGE: &str = "300";

fn scope(name: &str, access: Access, reason: &str) -> Permission {
    Permission::new(PermissionSystem::ZoomScope, name, access, reason)
}

pub(crate) fn calendar_resource_schema() -> ResourceSchema {
    ResourceSchema::new(
        RESOURCE,
        ResourceKind::Object,
        "A calendar resource (a room mailbox) of a Zoom Rooms calendar service (Room Management \
         > Calendar Integration). Only Office 365 and Exchange services take resources. A \
         resource of the same email that the service already has is adopted. The service is \
         synced after every change.",
        Attr::object([
            (
                "service_id",
                Attr::string()
                    .describe(
                        "The calendar service, e.g. from the `zoom_rooms_calendar_services` data \
                         source. Services are added in the web portal; no API can add one.",
                    )
                    .required()
                    .force_new(),
            ),
            (
                "email",
                Attr::string()
                    .describe("The room mailbox's email address.")
                    .case_insensitive()
                    .required()
                    .force_new(),
            ),
            (
                "name",
                Attr::string()
                    .describe("The resource's name, as the calendar shows it.")
                    .computed(),
            ),
            (
                "sync_status",
                Attr::string()
                    .describe("`Success` or `Failed`: how the last sync went.")
                    .computed(),
            ),
            (
                "assigned_room_id",
                Attr::string()
                    .describe("The Zoom Room the resource is assigned to, if any.")
                    .computed(),
            ),
        ]),
    )
    .with_permissions(vec![
        scope(
            "zoom_rooms:read:list_calendar_resources:admin",
            Access::Read,
            "GET /rooms/calendar/services/{serviceId}/resources (classic scope: room:read:admin)",
        ),
        scope(
            "zoom_rooms:write:calendar_resource:admin",
            Access::Write,
            "POST /rooms/calendar/services/{serviceId}/resources (classic scope: room:write:admin)",
        ),
        scope(
            "zoom_rooms:delete:calendar_resource:admin",
            Access::Write,
            "DELETE /rooms/calendar/services/{serviceId}/resources/{resourceId}",
        ),
        scope(
            "zoom_rooms:update:calendar_service:admin",
            Access::Write,
            "PUT /rooms/calendar/services/{serviceId}/sync, after every change",
        ),
    ])
}

pub(crate) fn calendar_services_schema() -> ResourceSchema {
    let service = Attr::object([
        ("id", Attr::string().describe("The service's id.")),
        (
            "email",
            Attr::string().describe(
                "The email of the account the service was added with (Zoom's \
                 `calendar_service_name`, e.g. `rooms-admin@contoso.com`).",
            ),
        ),
        (
            "resource_total",
            Attr::int().describe("How many calendar resources it has."),
        ),
        (
            "resource_assigned",
            Attr::int().describe("How many of them are assigned to a Zoom Room."),
        ),
        (
            "added_date_time",
            Attr::string().describe("When it was added."),
        ),
        (
            "latest_synced_date_time",
            Attr::string().describe("When it was last synced."),
        ),
    ]);
    ResourceSchema::new(
        SERVICES,
        ResourceKind::Data,
        "The Zoom Rooms calendar services of the account (Room Management > Calendar \
         Integration). Zoom lists a service by the email of the account it was added with (its \
         `calendar_service_name`) and its id, not by the kind of calendar. Adding a service is \
         done in the web portal only, so this is the evidence a `manual_step` can check, e.g. \
         `length(data.zoom_rooms_calendar_services.o365.ids) > 0`. Always found, possibly \
         empty.",
        Attr::object([
            (
                "email",
                Attr::string().describe(
                    "Only the service added with this account's email (compared without regard \
                     to case), e.g. the Office 365 admin account that authorized it.",
                ),
            ),
            (
                "service_id",
                Attr::string().describe("Only the service with this id."),
            ),
            (
                "services",
                Attr::list(service)
                    .describe("The services, in Zoom's order.")
                    .computed(),
            ),
            (
                "id",
                Attr::string()
                    .describe(
                        "The first listed service's id; empty when none matches (a calendar \
                         resource whose `service_id` is empty is refused when planning, saying \
                         to add the service first).",
                    )
                    .computed(),
            ),
            (
                "ids",
                Attr::list(Attr::string())
                    .describe("The services' ids.")
                    .computed(),
            ),
            (
                "emails",
                Attr::list(Attr::string())
                    .describe("The services' account emails.")
                    .computed(),
            ),
        ]),
    )
    .with_permissions(vec![scope(
        "zoom_rooms:read:list_calendar_services:admin",
        Access::Read,
        "GET /rooms/calendar/services (classic scope: room:read:admin)",
    )])
}

fn service_path(service_id: &str) -> String {
    format!("/rooms/calendar/services/{}", encode_segment(service_id))
}

fn resource_object(service_id: &str, resource: &Json) -> Option<RemoteObject> {
    let field = |name: &str| {
        resource
            .get(name)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let id = field("calendar_resource_id");
    if id.is_empty() {
        return None;
    }
    Some(RemoteObject {
        id,
        attributes: Value::from_json(&json!({
            "service_id": service_id,
            "email": field("calendar_resource_email"),
            "name": field("calendar_resource_name"),
            "sync_status": field("sync_status"),
            "assigned_room_id": field("assigned_room_id"),
        })),
        ownership: Default::default(),
    })
}

/// Every resource of a service, or `None` when the service does not exist.
async fn list_resources(
    client: &ZoomClient,
    service_id: &str,
) -> ProviderResult<Option<Vec<Json>>> {
    let request = ZoomRequest::get(format!("{}/resources", service_path(service_id)))
        .query("page_size", RESOURCES_PAGE);
    match client.get_all_pages(&request, "calendar_resources").await {
        Ok(items) => Ok(Some(items)),
        Err(e) if is_missing(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// What selects services in a `zoom_rooms_calendar_services` data source.
#[derive(Debug, Default, PartialEq)]
struct ServiceFilter {
    email: Option<String>,
    service_id: Option<String>,
}

fn services_object(services: &[Json], filter: &ServiceFilter) -> RemoteObject {
    let text = |s: &Json, field: &str| {
        s.get(field)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let number = |s: &Json, field: &str| s.get(field).and_then(Json::as_i64).unwrap_or_default();
    let selected: Vec<Json> = services
        .iter()
        .filter(|s| {
            filter.email.as_deref().is_none_or(|e| {
                text(s, "calendar_service_name")
                    .trim()
                    .eq_ignore_ascii_case(e.trim())
            })
        })
        .filter(|s| {
            filter
                .service_id
                .as_deref()
                .is_none_or(|id| text(s, "calendar_service_id") == id)
        })
        .map(|s| {
            json!({
                "id": text(s, "calendar_service_id"),
                "email": text(s, "calendar_service_name"),
                "resource_total": number(s, "calendar_resource_total_number"),
                "resource_assigned": number(s, "calendar_resource_assigned_number"),
                "added_date_time": text(s, "added_date_time"),
                "latest_synced_date_time": text(s, "latest_synced_date_time"),
            })
        })
        .collect();
    let column = |field: &str| -> Vec<Json> { selected.iter().map(|s| s[field].clone()).collect() };
    let first = selected
        .first()
        .map(|s| s["id"].clone())
        .unwrap_or_else(|| json!(""));
    let mut attributes = json!({
        "services": selected,
        "id": first,
        "ids": column("id"),
        "emails": column("email"),
    });
    if let Some(email) = &filter.email {
        attributes["email"] = json!(email);
    }
    if let Some(service_id) = &filter.service_id {
        attributes["service_id"] = json!(service_id);
    }
    // References to the data source's `id` see the remote id: the first service's.
    RemoteObject {
        id: attributes["id"].as_str().unwrap_or_default().to_string(),
        attributes: Value::from_json(&attributes),
        ownership: Default::default(),
    }
}

pub(crate) async fn read(client: &ZoomClient, batch: &[(usize, &ReadRequest)]) -> Vec<Slot> {
    let mut slots = Vec::new();
    let services = if batch.iter().any(|(_, r)| r.type_name == SERVICES) {
        let answer = client
            .get_json(&ZoomRequest::get("/rooms/calendar/services"))
            .await;
        Some(answer.map(|a| {
            a.get("calendar_services")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default()
        }))
    } else {
        None
    };
    let mut service_ids: Vec<String> = batch
        .iter()
        .filter(|(_, r)| r.type_name == RESOURCE)
        .filter_map(|(_, r)| match key(&r.config, "service_id") {
            Key::Known(service_id) => Some(service_id),
            _ => None,
        })
        .collect();
    service_ids.sort();
    service_ids.dedup();
    let lists =
        futures::future::join_all(service_ids.iter().map(|id| list_resources(client, id))).await;
    let resources: HashMap<String, ProviderResult<Option<Vec<Json>>>> =
        service_ids.into_iter().zip(lists).collect();
    for &(index, request) in batch {
        let result = if request.type_name == SERVICES {
            let mut filter = ServiceFilter::default();
            let mut unknown = false;
            for (attribute, slot) in [
                ("email", &mut filter.email),
                ("service_id", &mut filter.service_id),
            ] {
                match key(&request.config, attribute) {
                    Key::Known(value) => *slot = Some(value),
                    Key::Unknown => unknown = true,
                    Key::Absent => {}
                }
            }
            if unknown {
                slots.push((index, Ok(None)));
                continue;
            }
            match &services {
                Some(Ok(list)) => Ok(Some(services_object(list, &filter))),
                Some(Err(e)) => Err(e.clone()),
                None => Ok(None),
            }
        } else {
            match key(&request.config, "service_id") {
                Key::Known(service_id) => match &resources[&service_id] {
                    Err(e) => Err(e.clone()),
                    Ok(None) => Ok(None),
                    Ok(Some(list)) => {
                        let email = match key(&request.config, "email") {
                            Key::Known(email) => Some(email),
                            _ => None,
                        };
                        // The resource state records, else (deleted, or added again outside
                        // zentra) the one of the configured email.
                        let by_id = request.id.as_deref().and_then(|wanted| {
                            list.iter().find(|r| {
                                r.get("calendar_resource_id").and_then(Json::as_str) == Some(wanted)
                            })
                        });
                        let found = by_id.or_else(|| {
                            list.iter().find(|r| {
                                let mail = r.get("calendar_resource_email").and_then(Json::as_str);
                                email
                                    .as_deref()
                                    .zip(mail)
                                    .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
                            })
                        });
                        Ok(found.and_then(|r| resource_object(&service_id, r)))
                    }
                },
                _ => Ok(None),
            }
        };
        slots.push((index, result));
    }
    slots
}

/// Whether Zoom refused a `/rooms` request because the account has no Zoom Rooms
/// subscription: such an account has no calendar services to export.
fn no_rooms_subscription(error: &ProviderError) -> bool {
    error.status == Some(400)
        && error.vendor_code.as_deref() == Some("200")
        && error.message.to_ascii_lowercase().contains("subscription")
}

/// The calendar services and their resources, for `zentra export`: one listing of services,
/// then each service's resources, all at once. A service is written as a
/// `zoom_rooms_calendar_services` data source that finds it by the email it was added with (a
/// service is added in the web portal with the calendar's credentials, which no API takes and
/// an export never writes), and its resources refer to that data source's `id`. An account
/// without a Zoom Rooms subscription has none.
pub(crate) async fn discover(client: &ZoomClient) -> ProviderResult<Vec<DiscoveredObject>> {
    let services = match client
        .get_json(&ZoomRequest::get("/rooms/calendar/services"))
        .await
    {
        Ok(answer) => answer
            .get("calendar_services")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default(),
        Err(e) if no_rooms_subscription(&e) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let text = |s: &Json, field: &str| {
        s.get(field)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let services: Vec<(String, String)> = services
        .iter()
        .map(|s| {
            (
                text(s, "calendar_service_id"),
                text(s, "calendar_service_name"),
            )
        })
        .filter(|(id, _)| !id.is_empty())
        .collect();
    let lists =
        futures::future::join_all(services.iter().map(|(id, _)| list_resources(client, id))).await;
    let mut found = Vec::new();
    let mut resources = Vec::new();
    for ((id, email), list) in services.iter().zip(lists) {
        let shared = services
            .iter()
            .filter(|(_, other)| other.trim().eq_ignore_ascii_case(email.trim()))
            .count()
            > 1;
        // By email, as configuration finds a service; by id too when two share the email.
        let mut attributes = json!({ "id": id });
        if !email.trim().is_empty() {
            attributes["email"] = json!(email);
        }
        if shared || email.trim().is_empty() {
            attributes["service_id"] = json!(id);
        }
        found.push(DiscoveredObject {
            type_name: SERVICES.into(),
            name_hint: if email.trim().is_empty() {
                id.clone()
            } else {
                email.clone()
            },
            object: RemoteObject::new(id.clone(), Value::from_json(&attributes)),
        });
        for resource in list?.unwrap_or_default() {
            let Some(object) = resource_object(id, &resource) else {
                continue;
            };
            let name = text(&resource, "calendar_resource_name");
            resources.push(DiscoveredObject {
                type_name: RESOURCE.into(),
                name_hint: if name.trim().is_empty() {
                    text(&resource, "calendar_resource_email")
                } else {
                    name
                },
                object,
            });
        }
    }
    // The services first: their resources refer to them.
    found.extend(resources);
    Ok(found)
}

/// Asks Zoom to sync the service, so a change shows in the rooms' calendars.
async fn sync(client: &ZoomClient, service_id: &str) -> ProviderResult<()> {
    client
        .send(&ZoomRequest::put(format!(
            "{}/sync",
            service_path(service_id)
        )))
        .await
        .map(|_| ())
}

/// Refuses a calendar resource whose `service_id` is empty (the data source found no service)
/// before anything is read or written.
pub(crate) fn complete(desired: Value) -> Result<Value, Vec<InvalidAttribute>> {
    if let Some(Value::String(id)) = desired.get("service_id").map(|v| v.unmark().0)
        && id.trim().is_empty()
    {
        let error = no_service();
        return Err(vec![InvalidAttribute {
            path: "service_id".into(),
            message: "is empty: no calendar service to add the calendar resource to (the \
                      `zoom_rooms_calendar_services` data source found none)"
                .into(),
            hint: error.hint,
        }]);
    }
    Ok(desired)
}

/// The error for a resource whose calendar service is not there yet.
fn no_service() -> ProviderError {
    ProviderError::new(
        ErrorKind::Invalid,
        "no calendar service to add the calendar resource to: `service_id` is empty",
    )
    .with_hint(
        "add the calendar service in the Zoom web portal first (Room Management > Calendar \
         Integration > Add a Calendar Service; no API can add one), and look it up by the email \
         of the account it is added with: `data \"zoom_rooms_calendar_services\"` with `email`",
    )
}

pub(crate) async fn create(
    client: &ZoomClient,
    req: &WriteRequest,
) -> ProviderResult<RemoteObject> {
    if matches!(key(&req.config, "service_id"), Key::Absent) {
        return Err(no_service());
    }
    let service_id = required_string(req, "service_id")?;
    let email = required_string(req, "email")?;
    // A create whose answer was lost is looked up by email before it is sent again.
    let lookup = || async {
        Ok(list_resources(client, &service_id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .find(|r| {
                r.get("calendar_resource_email")
                    .and_then(Json::as_str)
                    .is_some_and(|e| e.eq_ignore_ascii_case(&email))
            }))
    };
    let answer = client
        .create(
            &ZoomRequest::post(
                format!("{}/resources", service_path(&service_id)),
                json!({"calendar_resource_email": email}),
            ),
            lookup,
        )
        .await
        .map_err(|e| {
            if is_missing(&e) {
                e.with_hint(
                    "the calendar service does not exist; add it in the web portal (Room \
                     Management > Calendar Integration) and check `service_id`",
                )
            } else {
                e
            }
        })?
        .unwrap_or(Json::Null);
    let created = resource_object(&service_id, &answer).ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Transport,
            "Zoom added the calendar resource but returned no id",
        )
    })?;
    sync(client, &service_id).await?;
    Ok(created)
}

/// Every attribute forces a replacement: there is nothing to update in place.
pub(crate) fn update(req: &WriteRequest) -> ProviderResult<RemoteObject> {
    Ok(RemoteObject {
        id: req.id.clone().unwrap_or_default(),
        attributes: req.prior.clone().unwrap_or_else(|| req.config.clone()),
        ownership: Default::default(),
    })
}

pub(crate) async fn delete(client: &ZoomClient, req: &WriteRequest) -> ProviderResult<()> {
    let (Some(id), Key::Known(service_id)) = (&req.id, key(&req.config, "service_id")) else {
        return Ok(());
    };
    let path = format!(
        "{}/resources/{}",
        service_path(&service_id),
        encode_segment(id)
    );
    match client.send(&ZoomRequest::delete(path)).await {
        Ok(_) => sync(client, &service_id).await,
        Err(e) if is_missing(&e) => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_are_listed_by_account_email_and_id_and_filtered_by_either() {
        // As Zoom documents the list: `calendar_service_name` is the service account's email.
        let services = vec![
            json!({"calendar_service_id": "rNQUpdDXySFGhVycz7aR-SR",
                   "calendar_service_name": "zroom1@example.com",
                   "calendar_resource_total_number": 100, "calendar_resource_assigned_number": 10}),
            json!({"calendar_service_id": "s2", "calendar_service_name": "rooms@contoso.com"}),
        ];
        let all = services_object(&services, &ServiceFilter::default())
            .attributes
            .to_json()
            .unwrap();
        assert_eq!(
            all["emails"],
            json!(["zroom1@example.com", "rooms@contoso.com"])
        );
        assert_eq!(all["services"][0]["resource_total"], 100);
        let by_email = ServiceFilter {
            email: Some("ZRoom1@Example.com".into()),
            service_id: None,
        };
        let one = services_object(&services, &by_email)
            .attributes
            .to_json()
            .unwrap();
        assert_eq!(one["ids"], json!(["rNQUpdDXySFGhVycz7aR-SR"]));
        assert_eq!(one["id"], "rNQUpdDXySFGhVycz7aR-SR");
        let by_id = ServiceFilter {
            email: None,
            service_id: Some("s2".into()),
        };
        let two = services_object(&services, &by_id)
            .attributes
            .to_json()
            .unwrap();
        assert_eq!(two["emails"], json!(["rooms@contoso.com"]));
        let kind = ServiceFilter {
            email: Some("Office 365".into()),
            service_id: None,
        };
        let none = services_object(&services, &kind)
            .attributes
            .to_json()
            .unwrap();
        assert_eq!(none["ids"], json!([]), "found, but empty");
        assert_eq!(none["id"], "");
    }

    #[test]
    fn an_empty_service_id_is_refused_before_any_request() {
        let config = Value::from_json(&json!({"service_id": " ", "email": "a@contoso.com"}));
        let refused = complete(config).unwrap_err();
        assert_eq!(refused[0].path, "service_id");
        assert!(
            refused[0]
                .hint
                .as_deref()
                .unwrap()
                .contains("no API can add one")
        );
        let unknown = Value::from_json(&json!({"email": "a@contoso.com"}));
        assert!(complete(unknown).is_ok());
    }
}
