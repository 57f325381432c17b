//! Listing what a tenant holds, for `zentra export`: the consent policies, the service
//! principals of interest (the Zoom apps, and any other than Microsoft's that holds delegated
//! grants or app role assignments), their grants and assignments, and federated domains. One
//! `$batch` lists service principals, grants and domains; one more reads the assignments of
//! the service principals that are not Microsoft's; then the objects are read as `plan` reads
//! them, in one more `$batch`, so that exported attributes are exactly what a plan compares.

use std::collections::HashMap;

use serde_json::{Value as Json, json};
use zentra_engine::addr::Mode;
use zentra_engine::provider::{DiscoveredObject, ProviderResult, ReadRequest};
use zentra_engine::value::Value;

use super::{
    AzureAdProvider, admin_consent, app_role_assignment, consent, domain_federation, grant,
    service_principal,
};
use crate::client::encode_segment;

/// Zoom's applications: their service principals are exported even without grants.
const ZOOM_APPS: [&str; 2] = [
    "a651cfda-cbdd-4a39-bd03-fa829c3c1b29",
    "f56e91e5-5a82-452f-b435-d4d78aeaf064",
];

const GRANTS_URL: &str = "/oauth2PermissionGrants?$top=999";
const DOMAINS_URL: &str = "/domains";

fn text<'a>(json: &'a Json, field: &str) -> &'a str {
    json.get(field).and_then(Json::as_str).unwrap_or_default()
}

fn items(answer: &Json) -> Vec<Json> {
    answer
        .get("value")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default()
}

/// One object to read, and what to call its block.
struct Seed {
    type_name: &'static str,
    name_hint: String,
    config: Json,
}

impl AzureAdProvider {
    pub(crate) async fn discover_objects(
        &self,
        type_names: &[String],
    ) -> ProviderResult<Vec<DiscoveredObject>> {
        let wants = |name: &str| type_names.iter().any(|t| t == name);
        let mut seeds: Vec<Seed> = Vec::new();
        if wants(consent::TYPE_NAME) {
            seeds.push(Seed {
                type_name: consent::TYPE_NAME,
                name_hint: "tenant".into(),
                config: json!({}),
            });
        }
        if wants(admin_consent::TYPE_NAME) {
            seeds.push(Seed {
                type_name: admin_consent::TYPE_NAME,
                name_hint: "tenant".into(),
                config: json!({}),
            });
        }
        let listings = [
            service_principal::list_url(),
            GRANTS_URL.into(),
            DOMAINS_URL.into(),
        ];
        let needs_principals = wants(service_principal::TYPE_NAME)
            || wants(grant::TYPE_NAME)
            || wants(app_role_assignment::TYPE_NAME);
        let mut urls = Vec::new();
        if needs_principals {
            urls.extend(listings[..2].iter().cloned());
        }
        if wants(domain_federation::TYPE_NAME) {
            urls.push(listings[2].clone());
        }
        let answers: HashMap<String, Json> = {
            let fetched = self.graph.batch_get(urls.clone()).await;
            let mut map = HashMap::new();
            for (url, answer) in urls.into_iter().zip(fetched) {
                map.insert(url, answer?);
            }
            map
        };
        if needs_principals {
            let principals = items(&answers[&listings[0]]);
            let grants = items(&answers[GRANTS_URL]);
            let by_object: HashMap<String, &Json> = principals
                .iter()
                .map(|sp| (text(sp, "id").to_ascii_lowercase(), sp))
                .collect();
            let app_of = |object_id: &str| {
                by_object
                    .get(&object_id.to_ascii_lowercase())
                    .map(|sp| text(sp, "appId").to_string())
            };
            let name_of = |object_id: &str| {
                by_object
                    .get(&object_id.to_ascii_lowercase())
                    .map(|sp| text(sp, "displayName").to_string())
                    .unwrap_or_default()
            };
            // Assignments held by every service principal that is not Microsoft's.
            let candidates: Vec<&Json> = principals
                .iter()
                .filter(|sp| !service_principal::is_microsofts(sp))
                .collect();
            let assignment_urls: Vec<String> = candidates
                .iter()
                .map(|sp| {
                    format!(
                        "/servicePrincipals/{}/appRoleAssignments",
                        encode_segment(text(sp, "id"))
                    )
                })
                .collect();
            let assignments =
                if wants(app_role_assignment::TYPE_NAME) || wants(service_principal::TYPE_NAME) {
                    self.graph.batch_get(assignment_urls).await
                } else {
                    Vec::new()
                };
            let mut interesting: Vec<String> = Vec::new();
            let mut assignment_seeds = Vec::new();
            for (sp, answer) in candidates.iter().zip(assignments) {
                let held = items(&answer?);
                if held.is_empty() {
                    continue;
                }
                interesting.push(text(sp, "id").to_ascii_lowercase());
                for assignment in held {
                    let resource = text(&assignment, "resourceId");
                    let Some(resource_sp) = by_object.get(&resource.to_ascii_lowercase()) else {
                        continue;
                    };
                    let role_id = text(&assignment, "appRoleId");
                    let Some(role) = resource_sp
                        .get("appRoles")
                        .and_then(Json::as_array)
                        .into_iter()
                        .flatten()
                        .find(|r| text(r, "id").eq_ignore_ascii_case(role_id))
                    else {
                        continue;
                    };
                    assignment_seeds.push(Seed {
                        type_name: app_role_assignment::TYPE_NAME,
                        name_hint: format!(
                            "{} {} {}",
                            text(sp, "displayName"),
                            text(resource_sp, "displayName"),
                            text(role, "value")
                        ),
                        config: json!({
                            "principal_object_id": text(sp, "id"),
                            "resource_app_id": text(resource_sp, "appId"),
                            "app_role": text(role, "value"),
                        }),
                    });
                }
            }
            let mut grant_seeds = Vec::new();
            for g in &grants {
                let client = text(g, "clientId");
                let Some(resource_app) = app_of(text(g, "resourceId")) else {
                    continue;
                };
                interesting.push(client.to_ascii_lowercase());
                let mut config = json!({
                    "service_principal_object_id": client,
                    "resource_app_id": resource_app,
                });
                let mut name_hint =
                    format!("{} {}", name_of(client), name_of(text(g, "resourceId")));
                if let Some(user) = g.get("principalId").and_then(Json::as_str) {
                    config["user_object_id"] = json!(user);
                    name_hint.push_str(&format!(" {user}"));
                }
                grant_seeds.push(Seed {
                    type_name: grant::TYPE_NAME,
                    name_hint,
                    config,
                });
            }
            if wants(service_principal::TYPE_NAME) {
                for sp in &principals {
                    let id = text(sp, "id").to_ascii_lowercase();
                    let zoom = ZOOM_APPS
                        .iter()
                        .any(|app| app.eq_ignore_ascii_case(text(sp, "appId")));
                    if zoom || (interesting.contains(&id) && !service_principal::is_microsofts(sp))
                    {
                        seeds.push(Seed {
                            type_name: service_principal::TYPE_NAME,
                            name_hint: text(sp, "displayName").to_string(),
                            config: json!({ "app_id": text(sp, "appId") }),
                        });
                    }
                }
            }
            if wants(grant::TYPE_NAME) {
                seeds.extend(grant_seeds);
            }
            if wants(app_role_assignment::TYPE_NAME) {
                seeds.extend(assignment_seeds);
            }
        }
        if wants(domain_federation::TYPE_NAME) {
            for domain in items(&answers[DOMAINS_URL]) {
                if text(&domain, "authenticationType").eq_ignore_ascii_case("Federated") {
                    seeds.push(Seed {
                        type_name: domain_federation::TYPE_NAME,
                        name_hint: text(&domain, "id").to_string(),
                        config: json!({ "domain_id": text(&domain, "id") }),
                    });
                }
            }
        }
        let requests: Vec<ReadRequest> = seeds
            .iter()
            .map(|seed| {
                ReadRequest::whole(
                    seed.type_name,
                    Mode::Managed,
                    None,
                    Value::from_json(&seed.config),
                )
            })
            .collect();
        let read = self.read_wave(&requests).await;
        let mut found = Vec::new();
        for (seed, result) in seeds.into_iter().zip(read) {
            let Some(mut object) = result? else { continue };
            // `tags` holds every tag, the feature ones too: `feature_tags` would say them twice.
            if seed.type_name == service_principal::TYPE_NAME {
                let mut attributes = object.attributes.to_json().unwrap_or_default();
                if let Json::Object(map) = &mut attributes {
                    map.shift_remove("feature_tags");
                }
                object.attributes = Value::from_json(&attributes);
            }
            found.push(DiscoveredObject {
                type_name: seed.type_name.to_string(),
                name_hint: seed.name_hint,
                object,
            });
        }
        Ok(found)
    }
}
