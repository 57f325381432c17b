//! The providers zentra ships, behind the engine's [`Provider`] trait: Zoom and Entra ID.

pub mod azuread;
pub(crate) mod config;
pub(crate) mod names;
pub(crate) mod paths;
pub mod zoom;

pub use zentra_engine::provider::*;

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
pub(crate) fn mode_of(type_name: &str) -> crate::addr::Mode {
    let managed = provider_types()
        .iter()
        .flat_map(|p| p.resource_schemas())
        .any(|s| s.type_name == type_name && s.kind != crate::schema::ResourceKind::Data);
    if managed {
        crate::addr::Mode::Managed
    } else {
        crate::addr::Mode::Data
    }
}

#[cfg(test)]
mod tests;
