//! Terraform's names for what zentra manages under other names, so that a configuration ported
//! from the `hashicorp/azuread` provider (or written from its documentation) is told zentra's
//! name and what differs, instead of only "unknown resource type".
//!
//! Only names whose counterpart zentra has are listed. The Zoom providers for Terraform manage
//! Zoom Phone, which zentra does not, so nothing of theirs maps here.

use crate::addr::Mode;

/// A Terraform resource type or data source that zentra has under another name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenamedType {
    pub terraform: &'static str,
    pub terraform_mode: Mode,
    pub zentra: &'static str,
    pub zentra_mode: Mode,
    /// What differs beyond the name.
    pub differences: &'static str,
}

/// Every Terraform type zentra has under another name.
pub const RENAMED_TYPES: &[RenamedType] = &[
    RenamedType {
        terraform: "azuread_service_principal_delegated_permission_grant",
        terraform_mode: Mode::Managed,
        zentra: "azuread_delegated_permission_grant",
        zentra_mode: Mode::Managed,
        differences: "`claim_values` is `scopes` here, and the resource app is named by its app \
                      id (`resource_app_id`) instead of its service principal's object id",
    },
    RenamedType {
        terraform: "azuread_authorization_policy",
        terraform_mode: Mode::Managed,
        zentra: "azuread_user_consent_policy",
        zentra_mode: Mode::Managed,
        differences: "zentra manages the user-consent part of the authorization policy: \
                      `user_consent` and `allow_user_consent_for_risky_apps`",
    },
    RenamedType {
        terraform: "azuread_domains",
        terraform_mode: Mode::Data,
        zentra: "azuread_domain",
        zentra_mode: Mode::Data,
        differences: "it reads one domain, found by `name`, with `is_default`, `is_initial`, \
                      `is_verified` and `is_root`",
    },
    RenamedType {
        terraform: "azuread_application_published_app_ids",
        terraform_mode: Mode::Data,
        zentra: "azuread_well_known_applications",
        zentra_mode: Mode::Data,
        differences: "each id is an attribute (`microsoft_graph`, …) instead of an entry of \
                      the `result` map",
    },
];

/// A Terraform attribute that zentra spells differently (or does without) in a type it shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenamedAttribute {
    /// zentra's type.
    pub type_name: &'static str,
    pub terraform: &'static str,
    /// zentra's attribute; `None` when zentra needs none.
    pub zentra: Option<&'static str>,
    pub differences: &'static str,
}

/// Every Terraform attribute zentra spells differently (or does without).
pub const RENAMED_ATTRIBUTES: &[RenamedAttribute] = &[
    RenamedAttribute {
        type_name: "azuread_delegated_permission_grant",
        terraform: "claim_values",
        zentra: Some("scopes"),
        differences: "the delegated scopes, e.g. [\"User.Read\"]",
    },
    RenamedAttribute {
        type_name: "azuread_delegated_permission_grant",
        terraform: "resource_service_principal_object_id",
        zentra: Some("resource_app_id"),
        differences: "the resource app's app id, e.g. 00000003-0000-0000-c000-000000000000 for \
                      Microsoft Graph, not its service principal's object id",
    },
    RenamedAttribute {
        type_name: "azuread_app_role_assignment",
        terraform: "app_role_id",
        zentra: Some("app_role"),
        differences: "the application permission by its value, e.g. \"Calendars.Read\", not its \
                      id",
    },
    RenamedAttribute {
        type_name: "azuread_app_role_assignment",
        terraform: "resource_object_id",
        zentra: Some("resource_app_id"),
        differences: "the resource app's app id, not its service principal's object id",
    },
    RenamedAttribute {
        type_name: "azuread_service_principal",
        terraform: "client_id",
        zentra: Some("app_id"),
        differences: "the application (client) id",
    },
    RenamedAttribute {
        type_name: "azuread_service_principal",
        terraform: "application_id",
        zentra: Some("app_id"),
        differences: "the application (client) id",
    },
    RenamedAttribute {
        type_name: "azuread_service_principal",
        terraform: "use_existing",
        zentra: None,
        differences: "zentra always adopts the service principal that exists for `app_id`",
    },
];

/// zentra's counterpart of the Terraform type `name` (of `mode`), if zentra has one under
/// another name.
pub fn renamed_type(name: &str, mode: Mode) -> Option<&'static RenamedType> {
    RENAMED_TYPES
        .iter()
        .find(|r| r.terraform == name && r.terraform_mode == mode)
}

/// zentra's counterpart of the Terraform type `name` in either mode.
pub fn renamed_type_any_mode(name: &str) -> Option<&'static RenamedType> {
    RENAMED_TYPES.iter().find(|r| r.terraform == name)
}

/// How zentra spells the Terraform attribute `name` of its type `type_name`.
pub fn renamed_attribute(type_name: &str, name: &str) -> Option<&'static RenamedAttribute> {
    RENAMED_ATTRIBUTES
        .iter()
        .find(|r| r.type_name == type_name && r.terraform == name)
}

impl RenamedType {
    /// The hint for a configuration that used the Terraform name.
    pub fn hint(&self) -> String {
        let zentra = match self.zentra_mode {
            Mode::Managed => format!("resource \"{}\"", self.zentra),
            Mode::Data => format!("data \"{}\"", self.zentra),
        };
        format!(
            "zentra calls this `{}` (write `{zentra}`); {}",
            self.zentra, self.differences
        )
    }
}

impl RenamedAttribute {
    /// The hint for a block that used the Terraform attribute.
    pub fn hint(&self) -> String {
        match self.zentra {
            Some(zentra) => format!(
                "zentra calls this `{zentra}`: {} (`{}` is its name in Terraform's provider)",
                self.differences, self.terraform
            ),
            None => format!(
                "leave `{}` out: {} (it is an argument of Terraform's provider)",
                self.terraform, self.differences
            ),
        }
    }
}
