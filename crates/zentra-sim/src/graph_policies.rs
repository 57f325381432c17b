//! The admin consent workflow's policy, `GET | PUT /policies/adminConsentRequestPolicy`: a
//! singleton replaced whole by `PUT` (204), whose `version` the service increments on each
//! change.

use serde_json::{Value, json};

use super::graph::{
    Auth, Call, GraphError, Outcome, bad_request, entity, require, select_of, tenant_mut,
};
use super::graph_types::{self, ADMIN_CONSENT_REQUEST_POLICY, Mode};
use super::state::SimState;

pub(super) const READ: &[&str] = &[
    "Policy.Read.All",
    "Policy.ReadWrite.ConsentRequest",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
pub(super) const WRITE: &[&str] = &["Policy.ReadWrite.ConsentRequest", "Directory.ReadWrite.All"];

/// Properties a `PUT` must carry (the whole policy).
const REQUIRED: &[&str] = &[
    "isEnabled",
    "notifyReviewers",
    "remindersEnabled",
    "requestDurationInDays",
    "reviewers",
];

pub(super) fn get(state: &mut SimState, auth: &Auth, call: &Call) -> Result<Outcome, GraphError> {
    require(auth, READ)?;
    let select = select_of(call, &ADMIN_CONSENT_REQUEST_POLICY)?;
    let tenant = tenant_mut(state, auth)?;
    Ok(entity(
        call,
        "policies/adminConsentRequestPolicy",
        &select,
        &tenant.admin_consent_request_policy,
    ))
}

pub(super) fn put(state: &mut SimState, auth: &Auth, call: &Call) -> Result<Outcome, GraphError> {
    require(auth, WRITE)?;
    let body = call.json_body()?;
    graph_types::validate_body(&ADMIN_CONSENT_REQUEST_POLICY, &body, Mode::Update)
        .map_err(|(code, message)| bad_request(code, message))?;
    for name in REQUIRED {
        if !body.contains_key(*name) {
            return Err(bad_request(
                "Request_BadRequest",
                format!(
                    "The property '{name}' is required when the admin consent request policy is \
                     replaced."
                ),
            ));
        }
    }
    if let Some(Value::Array(reviewers)) = body.get("reviewers") {
        for reviewer in reviewers {
            let query = reviewer.get("query").and_then(Value::as_str).unwrap_or("");
            let query_type = reviewer
                .get("queryType")
                .and_then(Value::as_str)
                .unwrap_or("");
            if query.trim().is_empty() || query_type != "MicrosoftGraph" {
                return Err(bad_request(
                    "Request_BadRequest",
                    "Invalid value specified for property 'reviewers' of resource \
                     'AdminConsentRequestPolicy': each reviewer needs a query and queryType \
                     'MicrosoftGraph'.",
                ));
            }
        }
    }
    let tenant = tenant_mut(state, auth)?;
    let version = tenant
        .admin_consent_request_policy
        .get("version")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let mut policy = serde_json::Map::new();
    for (key, value) in body {
        if !key.starts_with("@odata.") {
            policy.insert(key, value);
        }
    }
    let unchanged = REQUIRED
        .iter()
        .all(|k| policy.get(*k) == tenant.admin_consent_request_policy.get(*k));
    policy.insert(
        "version".into(),
        json!(if unchanged { version } else { version + 1 }),
    );
    tenant.admin_consent_request_policy = policy;
    Ok(Outcome::no_content())
}
