//! The providers zentra ships, behind the engine's [`Provider`](zentra_engine::provider::Provider)
//! trait: Zoom ([`zoom`]) and Entra ID ([`azuread`]), their HTTP clients ([`client`]), which own
//! authentication, rate limits, retries and paging, and the certificates ([`cert`]) federation
//! and client assertions use.

pub mod azuread;
pub mod cert;
pub mod client;
pub(crate) mod config;
pub(crate) mod name_rules;
pub(crate) mod names;
pub(crate) mod paths;
pub mod zoom;

use zentra_engine::provider::{ProviderType, manual};

/// Every provider type zentra ships: `zoom` and `azuread`.
pub fn provider_types() -> Vec<Box<dyn ProviderType>> {
    vec![
        Box::new(zoom::ZoomProviderType::default()),
        Box::new(azuread::AzureAdProviderType::default()),
        Box::new(manual::ManualProviderType),
    ]
}

/// In tests: a read of `type_name` is of a data source when no resource type has the name.
#[cfg(test)]
pub(crate) fn mode_of(type_name: &str) -> zentra_engine::addr::Mode {
    let managed = provider_types()
        .iter()
        .flat_map(|p| p.resource_schemas())
        .any(|s| s.type_name == type_name && s.kind != zentra_engine::schema::ResourceKind::Data);
    if managed {
        zentra_engine::addr::Mode::Managed
    } else {
        zentra_engine::addr::Mode::Data
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod workspace_tests;
