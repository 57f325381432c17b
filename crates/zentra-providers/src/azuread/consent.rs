//! `azuread_user_consent_policy`: the user-consent part of the tenant's authorization policy
//! (`GET/PATCH /policies/authorizationPolicy`), as one of four named modes.
//!
//! The mode lives in `defaultUserRolePermissions.permissionGrantPoliciesAssigned` as
//! `ManagePermissionGrantsForSelf.{policy}` entries. That list also holds resource-specific
//! consent entries (`ManagePermissionGrantsForOwnedResource.*`) for Teams, which zentra never
//! touches. Policy ids are compared without case: the service and its docs disagree on it.
//!
//! An entry of neither kind (Graph's own example shows `"just-user-read"`) is never taken for
//! "no user consent": the setting reads as `custom`, and plans name the entries. Only a
//! configuration that sets `user_consent` replaces them.

use serde_json::{Value as Json, json};

use super::{AzureAdProvider, Key, key};
use crate::client::graph::GraphRequest;
use zentra_engine::provider::{
    ErrorKind, ProviderError, ProviderResult, RemoteObject, WriteRequest,
};
use zentra_engine::schema::{
    Access, Attr, Permission, PermissionSystem, ResourceKind, ResourceSchema,
};
use zentra_engine::value::Value;

pub(crate) const TYPE_NAME: &str = "azuread_user_consent_policy";
/// The policy's path and its fixed id.
pub(crate) const POLICY_PATH: &str = "/policies/authorizationPolicy";
pub(crate) const POLICY_ID: &str = "authorizationPolicy";

const USER_CONSENT: &str = "user_consent";
const RISKY_APPS: &str = "allow_user_consent_for_risky_apps";

const SELF_PREFIX: &str = "ManagePermissionGrantsForSelf.";
const OWNED_RESOURCE_PREFIX: &str = "ManagePermissionGrantsForOwnedResource.";
const LOW: &str = "microsoft-user-default-low";
const LEGACY: &str = "microsoft-user-default-legacy";
const RECOMMENDED: &str = "microsoft-user-default-recommended";
/// The "mail client" policy the portal assigns together with `recommended`.
const ALLOW_CONSENT_APPS: &str = "microsoft-user-default-allow-consent-apps";

/// The modes a configuration can ask for.
pub const CONSENT_MODES: [&str; 4] = ["disabled", "low_risk", "all_apps", "microsoft_managed"];
/// What a live list that matches no mode reads back as.
pub const CUSTOM_MODE: &str = "custom";

pub(crate) fn resource_schema() -> ResourceSchema {
    ResourceSchema::new(
        TYPE_NAME,
        ResourceKind::Singleton,
        "Whether and how users may consent to apps themselves (the tenant's authorization \
         policy). Teams resource-specific consent entries are kept as they are.",
        Attr::object([
            (
                USER_CONSENT,
                Attr::string()
                    .describe(
                        "`disabled` (no user consent), `low_risk` (verified publishers, \
                         low-impact permissions: microsoft-user-default-low), `all_apps` \
                         (microsoft-user-default-legacy) or `microsoft_managed` \
                         (microsoft-user-default-recommended). A live setting matching none \
                         of them reads as `custom`.",
                    )
                    .one_of(&CONSENT_MODES)
                    .required(),
            ),
            (
                RISKY_APPS,
                Attr::bool().describe(
                    "Whether users may consent to apps flagged as risky \
                     (allowUserConsentForRiskyApps; Microsoft recommends false).",
                ),
            ),
        ]),
    )
    .with_permissions(vec![
        Permission::new(
            PermissionSystem::GraphApplication,
            "Policy.Read.All",
            Access::Read,
            "GET /policies/authorizationPolicy",
        ),
        Permission::new(
            PermissionSystem::GraphApplication,
            "Policy.ReadWrite.Authorization",
            Access::Write,
            "PATCH /policies/authorizationPolicy",
        ),
        Permission::new(
            PermissionSystem::EntraRole,
            "Privileged Role Administrator",
            Access::Write,
            "signed in as a person: change the tenant's user consent settings",
        ),
    ])
}

/// The user-consent policy id of an entry (`microsoft-user-default-low`), lower-cased, or
/// `None` for entries of another kind.
fn self_policy(entry: &str) -> Option<String> {
    let prefix = entry.get(..SELF_PREFIX.len())?;
    if prefix.eq_ignore_ascii_case(SELF_PREFIX) {
        Some(entry[SELF_PREFIX.len()..].to_ascii_lowercase())
    } else {
        None
    }
}

/// Whether an entry is a resource-specific consent one (Teams), which zentra leaves alone.
fn is_owned_resource(entry: &str) -> bool {
    entry
        .get(..OWNED_RESOURCE_PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(OWNED_RESOURCE_PREFIX))
}

/// The entries that decide user consent: every one but the resource-specific ones, as listed.
pub fn user_consent_entries(assigned: &[String]) -> Vec<&str> {
    assigned
        .iter()
        .map(String::as_str)
        .filter(|e| !is_owned_resource(e))
        .collect()
}

/// The mode an assigned-policies list amounts to, or [`CUSTOM_MODE`] (also when an entry is
/// of no kind zentra knows).
pub fn consent_mode(assigned: &[String]) -> &'static str {
    if assigned
        .iter()
        .any(|e| !is_owned_resource(e) && self_policy(e).is_none())
    {
        return CUSTOM_MODE;
    }
    let mut policies: Vec<String> = assigned.iter().filter_map(|e| self_policy(e)).collect();
    policies.sort();
    policies.dedup();
    let names: Vec<&str> = policies.iter().map(String::as_str).collect();
    match names.as_slice() {
        [] => "disabled",
        [LOW] => "low_risk",
        [LEGACY] => "all_apps",
        [RECOMMENDED] => "microsoft_managed",
        [ALLOW_CONSENT_APPS, RECOMMENDED] => "microsoft_managed",
        _ => CUSTOM_MODE,
    }
}

/// `assigned` switched to `mode`: the resource-specific entries stay as they are, in their
/// place; every other entry (user-consent policies, and entries of unknown kinds) is replaced
/// by the mode's.
pub fn with_consent_mode(assigned: &[String], mode: &str) -> ProviderResult<Vec<String>> {
    let policy = match mode {
        "disabled" => None,
        "low_risk" => Some(LOW),
        "all_apps" => Some(LEGACY),
        "microsoft_managed" => Some(RECOMMENDED),
        other => {
            return Err(ProviderError::new(
                ErrorKind::Invalid,
                format!(
                    "`user_consent` = \"{other}\" is not one of {}",
                    CONSENT_MODES.join(", ")
                ),
            ));
        }
    };
    let mut out: Vec<String> = assigned
        .iter()
        .filter(|e| is_owned_resource(e))
        .cloned()
        .collect();
    if let Some(policy) = policy {
        out.push(format!("{SELF_PREFIX}{policy}"));
    }
    Ok(out)
}

pub(crate) fn assigned_policies(policy: &Json) -> Vec<String> {
    policy
        .pointer("/defaultUserRolePermissions/permissionGrantPoliciesAssigned")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The policy as attributes.
pub(crate) fn live_to_attributes(policy: &Json) -> Value {
    let mut attributes = serde_json::Map::new();
    attributes.insert(
        USER_CONSENT.into(),
        json!(consent_mode(&assigned_policies(policy))),
    );
    attributes.insert(
        RISKY_APPS.into(),
        policy
            .get("allowUserConsentForRiskyApps")
            .cloned()
            .unwrap_or(Json::Null),
    );
    Value::from_json(&Json::Object(attributes))
}

pub(crate) fn remote_object(policy: &Json) -> RemoteObject {
    RemoteObject {
        id: POLICY_ID.to_string(),
        attributes: live_to_attributes(policy),
        ownership: Default::default(),
    }
}

/// Makes the policy match: reads it afresh (the list must be rewritten whole, so the
/// resource-specific entries are taken from the live list, not from an old read), then
/// PATCHes only what differs.
pub(crate) async fn write(
    provider: &AzureAdProvider,
    req: &WriteRequest,
) -> ProviderResult<RemoteObject> {
    let desired_mode = match key(&req.config, USER_CONSENT) {
        Key::Known(mode) => Some(mode),
        Key::Absent => None,
        Key::Unknown => {
            return Err(ProviderError::new(
                ErrorKind::Invalid,
                "`user_consent` is still unknown at apply time",
            ));
        }
    };
    let desired_risky = match req.config.get(RISKY_APPS).map(|v| v.unmark().0) {
        Some(Value::Bool(b)) => Some(*b),
        None | Some(Value::Null) => None,
        Some(other) => {
            return Err(ProviderError::new(
                ErrorKind::Invalid,
                format!("`{RISKY_APPS}` must be a bool, not {}", other.type_name()),
            ));
        }
    };
    let mut live = provider.graph.get(POLICY_PATH).await?;
    let mut body = serde_json::Map::new();
    if let Some(mode) = &desired_mode {
        let assigned = assigned_policies(&live);
        if consent_mode(&assigned) != mode.as_str() {
            let list = with_consent_mode(&assigned, mode)?;
            body.insert(
                "defaultUserRolePermissions".into(),
                json!({ "permissionGrantPoliciesAssigned": list }),
            );
        }
    }
    if let Some(risky) = desired_risky
        && live
            .get("allowUserConsentForRiskyApps")
            .and_then(Json::as_bool)
            != Some(risky)
    {
        body.insert("allowUserConsentForRiskyApps".into(), json!(risky));
    }
    if !body.is_empty() {
        let body = Json::Object(body);
        provider
            .graph
            .send(&GraphRequest::patch(POLICY_PATH, body.clone()).idempotent())
            .await?;
        crate::paths::deep_merge(&mut live, &body);
    }
    Ok(remote_object(&live))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    const TEAM: &str =
        "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team";
    const CHAT: &str =
        "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-chat";

    #[test]
    fn lists_map_to_modes_without_regard_to_case() {
        assert_eq!(consent_mode(&list(&[])), "disabled");
        assert_eq!(consent_mode(&list(&[TEAM, CHAT])), "disabled");
        assert_eq!(
            consent_mode(&list(&[
                "managePermissionGrantsForSelf.microsoft-user-default-low",
                TEAM
            ])),
            "low_risk"
        );
        assert_eq!(
            consent_mode(&list(&[
                "ManagePermissionGrantsForSelf.Microsoft-User-Default-Legacy"
            ])),
            "all_apps"
        );
        assert_eq!(
            consent_mode(&list(&[
                "ManagePermissionGrantsForSelf.microsoft-user-default-recommended"
            ])),
            "microsoft_managed"
        );
        assert_eq!(
            consent_mode(&list(&[
                "ManagePermissionGrantsForSelf.microsoft-user-default-allow-consent-apps",
                "ManagePermissionGrantsForSelf.microsoft-user-default-recommended",
            ])),
            "microsoft_managed"
        );
    }

    #[test]
    fn unrecognised_lists_read_as_custom() {
        assert_eq!(
            consent_mode(&list(&["ManagePermissionGrantsForSelf.my-own-policy"])),
            CUSTOM_MODE
        );
        assert_eq!(
            consent_mode(&list(&[
                "ManagePermissionGrantsForSelf.microsoft-user-default-low",
                "ManagePermissionGrantsForSelf.microsoft-user-default-legacy",
            ])),
            CUSTOM_MODE
        );
    }

    #[test]
    fn entries_of_unknown_kinds_read_as_custom_and_are_replaced_only_by_a_mode() {
        // Graph's "Get authorizationPolicy" example lists "just-user-read".
        let documented = list(&["just-user-read"]);
        assert_eq!(consent_mode(&documented), CUSTOM_MODE);
        assert_eq!(user_consent_entries(&documented), ["just-user-read"]);
        let mixed = list(&[TEAM, "just-user-read"]);
        assert_eq!(consent_mode(&mixed), CUSTOM_MODE);
        assert_eq!(user_consent_entries(&mixed), ["just-user-read"]);
        assert_eq!(
            with_consent_mode(&mixed, "disabled").unwrap(),
            list(&[TEAM])
        );
        assert_eq!(
            consent_mode(&with_consent_mode(&mixed, "low_risk").unwrap()),
            "low_risk"
        );
        assert_eq!(
            consent_mode(&list(&[
                "managePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"
            ])),
            "disabled",
            "resource-specific entries compare without case"
        );
    }

    #[test]
    fn switching_modes_keeps_resource_specific_entries() {
        let live = list(&[
            TEAM,
            "managePermissionGrantsForSelf.microsoft-user-default-legacy",
            CHAT,
        ]);
        assert_eq!(
            with_consent_mode(&live, "low_risk").unwrap(),
            list(&[
                TEAM,
                CHAT,
                "ManagePermissionGrantsForSelf.microsoft-user-default-low"
            ])
        );
        assert_eq!(
            with_consent_mode(&live, "disabled").unwrap(),
            list(&[TEAM, CHAT])
        );
        let managed = with_consent_mode(&live, "microsoft_managed").unwrap();
        assert_eq!(consent_mode(&managed), "microsoft_managed");
        assert!(with_consent_mode(&live, "custom").is_err());
        for mode in CONSENT_MODES {
            assert_eq!(consent_mode(&with_consent_mode(&live, mode).unwrap()), mode);
        }
    }

    #[test]
    fn the_policy_reads_as_mode_and_risky_flag() {
        let policy = json!({"id": "authorizationPolicy", "allowUserConsentForRiskyApps": false,
            "defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": [TEAM,
                "ManagePermissionGrantsForSelf.microsoft-user-default-low"]}});
        let object = remote_object(&policy);
        assert_eq!(object.id, "authorizationPolicy");
        assert_eq!(
            object.attributes.to_json().unwrap(),
            json!({"user_consent": "low_risk", "allow_user_consent_for_risky_apps": false})
        );
    }
}
