//! Turns Graph's "insufficient privileges" answers into hints that name what is missing: the
//! least-privilege permissions the failing resource type declares in its schema (the same data
//! `zentra permissions` lists), and a pointer to that command.

use zentra_engine::provider::{ErrorKind, ProviderError, ProviderType};
use zentra_engine::schema::{Access, PermissionSystem};

/// `error` with a hint naming the permissions `type_name` needs for `access`, when it is a
/// permission failure; any other error is returned as it is.
pub(crate) fn explain(type_name: &str, access: Access, mut error: ProviderError) -> ProviderError {
    if error.kind != ErrorKind::Permission {
        return error;
    }
    let schemas = super::AzureAdProviderType::default().resource_schemas();
    let Some(schema) = schemas.iter().find(|s| s.type_name == type_name) else {
        return error;
    };
    let names = |system: PermissionSystem| -> Vec<String> {
        let mut out: Vec<String> = schema
            .permissions
            .iter()
            .filter(|p| p.system == system && p.access == access)
            .map(|p| format!("`{}`", p.name))
            .collect();
        out.dedup();
        out
    };
    let graph = names(PermissionSystem::GraphApplication);
    let roles = names(PermissionSystem::EntraRole);
    let verb = match access {
        Access::Read => "read",
        Access::Write => "change",
    };
    let mut hint = if graph.is_empty() {
        format!("zentra lacks a permission to {verb} {type_name}")
    } else {
        format!(
            "to {verb} {type_name}, zentra's app registration needs the Microsoft Graph \
             application permission {} (admin-consented)",
            graph.join(" and ")
        )
    };
    if !roles.is_empty() {
        hint.push_str(&format!(
            "; signed in as a person (Azure CLI), the role {}",
            roles.join(" or ")
        ));
    }
    hint.push_str("; run `zentra permissions` to list everything this configuration needs");
    error.hint = Some(hint);
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denied() -> ProviderError {
        let mut e = ProviderError::new(ErrorKind::Permission, "Graph rejected PUT /x");
        e.vendor_code = Some("Authorization_RequestDenied".into());
        e
    }

    #[test]
    fn permission_failures_name_the_missing_permission_and_the_command() {
        let e = explain(
            "azuread_admin_consent_request_policy",
            Access::Write,
            denied(),
        );
        let hint = e.hint.unwrap();
        assert!(hint.contains("`Policy.ReadWrite.ConsentRequest`"), "{hint}");
        assert!(hint.contains("`zentra permissions`"), "{hint}");
        let e = explain("azuread_domain_federation", Access::Read, denied());
        assert!(e.hint.unwrap().contains("`Domain.Read.All`"));
    }

    #[test]
    fn other_failures_are_left_alone() {
        let e = ProviderError::new(ErrorKind::NotFound, "gone");
        assert_eq!(
            explain("azuread_service_principal", Access::Write, e.clone()),
            e
        );
    }
}
