//! The `s3` backend: state as an object in an S3 bucket or S3-compatible storage, with
//! credentials from the AWS SDKs' environment variables.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey, S3ConditionalPut};

use super::StateError;
use crate::config::S3Backend;
use crate::env::Environment;

/// The bucket client for `backend`, and what to check when it is refused.
pub fn store(
    backend: &S3Backend,
    env: &Environment,
) -> Result<(Arc<dyn ObjectStore>, String), StateError> {
    let display = format!("s3: {}/{}", backend.bucket, backend.key);
    let config_error = |message: String, hint: &str| StateError::Storage {
        path: display.clone(),
        message,
        hint: Some(hint.to_string()),
    };
    let region = backend
        .region
        .as_deref()
        .or_else(|| env.get("AWS_REGION"))
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
        .unwrap_or("us-east-1");
    let mut builder = AmazonS3Builder::new()
        .with_bucket_name(&backend.bucket)
        .with_region(region)
        .with_conditional_put(S3ConditionalPut::ETagMatch)
        .with_virtual_hosted_style_request(!backend.use_path_style)
        .with_retry(super::backend::retry_config());
    let endpoint = backend
        .endpoint
        .as_deref()
        .or_else(|| env.get("AWS_ENDPOINT_URL_S3"))
        .or_else(|| env.get("AWS_ENDPOINT_URL"));
    if let Some(endpoint) = endpoint {
        let allow_http = super::backend::loopback_http(endpoint)
            .map_err(|m| config_error(m, "use https, or a loopback address for an emulator"))?;
        // Virtual-hosted style names the bucket in the host.
        let endpoint = if backend.use_path_style {
            endpoint.to_string()
        } else {
            let mut url = url::Url::parse(endpoint)
                .map_err(|e| config_error(format!("`{endpoint}` is not a URL: {e}"), ""))?;
            let host = format!("{}.{}", backend.bucket, url.host_str().unwrap_or_default());
            url.set_host(Some(&host))
                .map_err(|e| config_error(format!("`{endpoint}`: {e}"), ""))?;
            url.to_string().trim_end_matches('/').to_string()
        };
        builder = builder.with_endpoint(endpoint).with_allow_http(allow_http);
    }
    let key_id = env.get("AWS_ACCESS_KEY_ID");
    let secret = env.get("AWS_SECRET_ACCESS_KEY");
    let web_identity = env
        .get("AWS_WEB_IDENTITY_TOKEN_FILE")
        .zip(env.get("AWS_ROLE_ARN"));
    builder = match (key_id, secret, web_identity) {
        (Some(id), Some(secret), _) => {
            let mut b = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret);
            if let Some(token) = env.get("AWS_SESSION_TOKEN") {
                b = b.with_token(token);
            }
            b
        }
        (None, None, Some((file, role))) => builder
            .with_config(AmazonS3ConfigKey::WebIdentityTokenFile, file)
            .with_config(AmazonS3ConfigKey::RoleArn, role),
        _ => {
            return Err(config_error(
                "no credentials for the s3 backend".into(),
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for \
                 temporary credentials), or AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN",
            ));
        }
    };
    let store = builder.build().map_err(|e| {
        config_error(
            format!("cannot set up the storage client: {e}"),
            "check the backend's settings",
        )
    })?;
    Ok((
        Arc::new(store),
        "check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), that the bucket exists in that region, and that they allow s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket on it".to_string(),
    ))
}
