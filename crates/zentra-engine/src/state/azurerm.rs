//! The `azurerm` backend: state as a blob in an Azure Storage container, with credentials from
//! the environment variables Terraform's azurerm backend and the Azure SDKs read.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};

use super::StateError;
use crate::config::AzurermBackend;
use crate::env::Environment;

/// The first of `names` that is set.
fn first<'a>(env: &'a Environment, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| env.get(n))
}

/// The container client for `backend`, and what to check when it is refused.
pub fn store(
    backend: &AzurermBackend,
    env: &Environment,
) -> Result<(Arc<dyn ObjectStore>, String), StateError> {
    let display = format!(
        "azurerm: {}/{}/{}",
        backend.storage_account_name, backend.container_name, backend.key
    );
    let config_error = |message: String, hint: &str| StateError::Storage {
        path: display.clone(),
        message,
        hint: Some(hint.to_string()),
    };
    let mut builder = MicrosoftAzureBuilder::new()
        .with_account(&backend.storage_account_name)
        .with_container_name(&backend.container_name)
        .with_retry(super::backend::retry_config());
    if let Some(endpoint) = &backend.endpoint {
        builder = builder
            .with_endpoint(endpoint.clone())
            .with_allow_http(super::backend::loopback_http(endpoint).map_err(|m| {
                config_error(m, "use https, or a loopback address for an emulator")
            })?);
    }
    let hint;
    if backend.use_azuread_auth {
        hint = "the identity needs a data role on the container, such as Storage Blob Data Contributor (a management role such as Owner is not enough)";
        let client_id = first(env, &["ARM_CLIENT_ID", "AZURE_CLIENT_ID"]);
        let tenant_id = first(env, &["ARM_TENANT_ID", "AZURE_TENANT_ID"]);
        let secret = first(env, &["ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET"]);
        let token_file = first(
            env,
            &["ARM_OIDC_TOKEN_FILE_PATH", "AZURE_FEDERATED_TOKEN_FILE"],
        );
        if let Some(host) = first(env, &["AZURE_AUTHORITY_HOST"]) {
            builder = builder.with_authority_host(host);
        }
        builder = match (client_id, tenant_id, secret, token_file) {
            (Some(id), Some(tenant), Some(secret), _) => {
                builder.with_client_secret_authorization(id, secret, tenant)
            }
            (Some(id), Some(tenant), None, Some(file)) => builder
                .with_client_id(id)
                .with_tenant_id(tenant)
                .with_federated_token_file(file),
            (None, _, None, None) => builder.with_use_azure_cli(true),
            _ => {
                return Err(config_error(
                    "use_azuread_auth = true, but the Entra ID credentials are incomplete".into(),
                    "set AZURE_CLIENT_ID and AZURE_TENANT_ID with AZURE_CLIENT_SECRET or \
                     AZURE_FEDERATED_TOKEN_FILE (or the ARM_ names), or none of them to use \
                     the Azure CLI's `az login`",
                ));
            }
        };
    } else {
        hint = "check the storage account's access key (ARM_ACCESS_KEY) or SAS token (ARM_SAS_TOKEN: it needs read, write, create, delete and list on the container, and must not have expired), and that the container exists";
        let key = first(
            env,
            &[
                "ARM_ACCESS_KEY",
                "AZURE_STORAGE_KEY",
                "AZURE_STORAGE_ACCOUNT_KEY",
            ],
        );
        let sas = first(env, &["ARM_SAS_TOKEN", "AZURE_STORAGE_SAS_TOKEN"]);
        builder = match (key, sas) {
            (Some(key), _) => builder.with_access_key(key),
            (None, Some(sas)) => {
                builder.with_config(AzureConfigKey::SasKey, sas.trim_start_matches('?'))
            }
            (None, None) => {
                return Err(config_error(
                    "no credentials for the azurerm backend".into(),
                    "set ARM_ACCESS_KEY (the storage account's key) or ARM_SAS_TOKEN, or write \
                     `use_azuread_auth = true` to sign in with Entra ID",
                ));
            }
        };
    }
    let store = builder.build().map_err(|e| {
        config_error(
            format!("cannot set up the storage client: {e}"),
            "check the backend's settings",
        )
    })?;
    Ok((Arc::new(store), hint.to_string()))
}
