//! The data sources `zoom_managed_domains` and `zoom_trusted_domains`: the account's associated
//! (managed) domains and their verification status, and its trusted domains. Zoom has no API to
//! add or verify a domain, so these are read-only evidence, e.g. for a `manual_step` that asks
//! an administrator to verify the company's domain before SSO is enforced.

use serde_json::{Value as Json, json};

use super::settings::{ACCOUNT_ID, OWN_ACCOUNT};
use super::{Key, Slot, key};
use crate::client::encode_segment;
use crate::client::zoom::{ZoomClient, ZoomRequest};
use zentra_engine::provider::{ProviderResult, ReadRequest, RemoteObject};
use zentra_engine::schema::{
    Access, Attr, Permission, PermissionSystem, ResourceKind, ResourceSchema,
};
use zentra_engine::value::Value;

pub(crate) const MANAGED: &str = "zoom_managed_domains";
pub(crate) const TRUSTED: &str = "zoom_trusted_domains";
pub(crate) const TYPE_NAMES: [&str; 2] = [MANAGED, TRUSTED];

fn account_attr() -> Attr {
    Attr::string().describe(
        "The account: `me` (the default) for the credentials' account, or a sub account's id.",
    )
}

pub(crate) fn managed_domains_schema() -> ResourceSchema {
    ResourceSchema::new(
        MANAGED,
        ResourceKind::Data,
        "The account's managed (associated) domains (Account Management > Account Profile > \
         Associated Domains) with their status. Adding and verifying a domain is done in the \
         web portal only.",
        Attr::object([
            (ACCOUNT_ID, account_attr()),
            (
                "domains",
                Attr::list(Attr::object([
                    ("domain", Attr::string().describe("The domain name.")),
                    (
                        "status",
                        Attr::string().describe("Its status, e.g. `verified`."),
                    ),
                ]))
                .describe("Every managed domain.")
                .computed(),
            ),
            (
                "verified",
                Attr::list(Attr::string())
                    .describe("The names of the verified domains, lower-cased.")
                    .computed(),
            ),
        ]),
    )
    .with_permissions(vec![Permission::new(
        PermissionSystem::ZoomScope,
        "account:read:managed_domains:master",
        Access::Read,
        "GET /accounts/{accountId}/managed_domains (classic scope: account:read:admin, which \
         non-master accounts need as the spec lists only the master granular scope)",
    )])
}

pub(crate) fn trusted_domains_schema() -> ResourceSchema {
    ResourceSchema::new(
        TRUSTED,
        ResourceKind::Data,
        "The account's trusted domains.",
        Attr::object([
            (ACCOUNT_ID, account_attr()),
            (
                "domains",
                Attr::list(Attr::string())
                    .describe("The trusted domain names.")
                    .computed(),
            ),
        ]),
    )
    .with_permissions(vec![Permission::new(
        PermissionSystem::ZoomScope,
        "account:read:trusted_domains:master",
        Access::Read,
        "GET /accounts/{accountId}/trusted_domains (classic scope: account:read:admin)",
    )])
}

async fn read_one(
    client: &ZoomClient,
    request: &ReadRequest,
) -> ProviderResult<Option<RemoteObject>> {
    let account = match key(&request.config, ACCOUNT_ID) {
        Key::Known(account) => account,
        Key::Absent => OWN_ACCOUNT.to_string(),
        Key::Unknown => return Ok(None),
    };
    let managed = request.type_name == MANAGED;
    let path = format!(
        "/accounts/{}/{}",
        encode_segment(&account),
        if managed {
            "managed_domains"
        } else {
            "trusted_domains"
        }
    );
    let answer = client.get_json(&ZoomRequest::get(path)).await?;
    let attributes = if managed {
        let domains: Vec<Json> = answer
            .get("domains")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let verified: Vec<String> = domains
            .iter()
            .filter(|d| {
                d.get("status")
                    .and_then(Json::as_str)
                    .is_some_and(|s| s.eq_ignore_ascii_case("verified"))
            })
            .filter_map(|d| d.get("domain").and_then(Json::as_str))
            .map(str::to_lowercase)
            .collect();
        json!({ACCOUNT_ID: account, "domains": domains, "verified": verified})
    } else {
        json!({ACCOUNT_ID: account, "domains": answer.get("trusted_domains").cloned().unwrap_or(json!([]))})
    };
    Ok(Some(RemoteObject {
        id: format!("{}:{account}", request.type_name),
        attributes: Value::from_json(&attributes),
        ownership: Default::default(),
    }))
}

pub(crate) async fn read(client: &ZoomClient, batch: &[(usize, &ReadRequest)]) -> Vec<Slot> {
    let answers =
        futures::future::join_all(batch.iter().map(|(_, request)| read_one(client, request))).await;
    batch.iter().map(|(index, _)| *index).zip(answers).collect()
}
