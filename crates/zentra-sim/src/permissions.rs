//! The permissions the emulated Microsoft Graph service principal exposes: every delegated scope
//! (`oauth2PermissionScopes`) and application role (`appRoles`) with its real, tenant-independent
//! id, from the generated `schemas/msgraph/permissions.json`.

use std::sync::LazyLock;

use serde::Deserialize;

use super::seed::PermissionEntry;

#[derive(Deserialize)]
struct PermissionsFile {
    delegated: Vec<Published>,
    application: Vec<Published>,
}

#[derive(Deserialize)]
struct Published {
    id: String,
    value: String,
    #[serde(default)]
    display_name: String,
}

static PUBLISHED: LazyLock<PermissionsFile> = LazyLock::new(|| {
    serde_json::from_str(zentra_schema::data::GRAPH_PERMISSIONS).unwrap_or(PermissionsFile {
        delegated: Vec::new(),
        application: Vec::new(),
    })
});

/// Delegated scopes ordinary users may consent to in a tenant that allows user consent; the
/// rest (directory-wide `.All` scopes and administrative areas) need an administrator.
fn user_consentable(value: &str) -> bool {
    const USER_PREFIXES: &[&str] = &[
        "Calendars.",
        "Contacts.",
        "Mail.",
        "MailboxSettings.",
        "Files.",
        "Notes.",
        "OnlineMeetings.",
        "People.",
        "Presence.",
        "Tasks.",
        "User.Read",
        "User.ReadWrite",
    ];
    matches!(
        value,
        "openid" | "profile" | "email" | "offline_access" | "User.ReadBasic.All"
    ) || (!value.contains(".All") && USER_PREFIXES.iter().any(|p| value.starts_with(p)))
}

/// The Microsoft Graph service principal's `oauth2PermissionScopes`.
pub(crate) fn graph_delegated_scopes() -> Vec<PermissionEntry> {
    PUBLISHED
        .delegated
        .iter()
        .map(|p| PermissionEntry {
            id: p.id.clone(),
            value: p.value.clone(),
            display_name: p.display_name.trim().to_string(),
            consent_type: if user_consentable(&p.value) {
                "User".into()
            } else {
                "Admin".into()
            },
        })
        .collect()
}

/// The Microsoft Graph service principal's `appRoles`.
pub(crate) fn graph_app_roles() -> Vec<PermissionEntry> {
    PUBLISHED
        .application
        .iter()
        .map(|p| PermissionEntry {
            id: p.id.clone(),
            value: p.value.clone(),
            display_name: p.display_name.trim().to_string(),
            consent_type: "Admin".into(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_and_contacts_scopes_have_their_real_ids() {
        let scopes = graph_delegated_scopes();
        let id = |value: &str| {
            scopes
                .iter()
                .find(|s| s.value == value)
                .map(|s| s.id.clone())
                .unwrap_or_default()
        };
        assert_eq!(id("openid"), "37f7f235-527c-4136-accd-4a02d197296e");
        assert_eq!(id("offline_access"), "7427e0e9-2fba-42fe-b0c0-848c9e6a8182");
        assert_eq!(id("User.Read"), "e1fe6dd8-ba31-4d61-89e7-88639da4683d");
        assert_eq!(
            id("Calendars.ReadWrite"),
            "1ec239c2-d7c9-4623-a91a-a9775856bb36"
        );
        assert_eq!(id("Contacts.Read"), "ff74d97f-43af-4b68-9f2a-b77ee6968c5d");
        assert_eq!(
            id("MailboxSettings.Read"),
            "87f447af-9fa4-4c32-9dfa-4a57a73d18ce"
        );
        let calendars = scopes
            .iter()
            .find(|s| s.value == "Calendars.Read")
            .expect("scope");
        assert_eq!(calendars.consent_type, "User");
        let directory = scopes
            .iter()
            .find(|s| s.value == "Directory.Read.All")
            .expect("scope");
        assert_eq!(directory.consent_type, "Admin");
    }

    #[test]
    fn application_roles_have_their_real_ids() {
        let roles = graph_app_roles();
        let id = |value: &str| {
            roles
                .iter()
                .find(|s| s.value == value)
                .map(|s| s.id.clone())
                .unwrap_or_default()
        };
        assert_eq!(
            id("Calendars.ReadWrite"),
            "ef54d2bf-783f-4e0f-bca1-3210c0444d99"
        );
        assert_eq!(
            id("Policy.ReadWrite.Authorization"),
            "fb221be6-99f2-473f-bd32-01c6a0e9ca3b"
        );
        assert!(roles.len() > 100);
    }
}
