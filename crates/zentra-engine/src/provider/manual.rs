//! Manual steps: things no API can do (web-portal-only settings, adding a Zoom Rooms calendar
//! service) modelled honestly as a resource that plans as "manual action required" until a
//! person confirms it with `zentra confirm ADDRESS`, or until API evidence (`check`) shows it
//! done. zentra never fakes such a setting through undocumented endpoints.
//!
//! The engine handles `manual_step` itself (see `plan::planner`); this provider only declares
//! its schema, and refuses every API operation.

use async_trait::async_trait;

use crate::env::Environment;
use crate::provider::{
    ErrorKind, Provider, ProviderError, ProviderResult, ProviderType, ReadRequest, RemoteObject,
    WriteRequest,
};
use crate::schema::{Attr, ResourceKind, ResourceSchema};
use crate::value::Value;

/// The resource type name.
pub const MANUAL_STEP: &str = "manual_step";

/// The attributes that identify what a person was asked to do; a change to any of them asks
/// again. (`check` is evidence, not part of the request.)
pub const CONFIRMED_ATTRIBUTES: &[&str] = &["title", "instructions", "url"];

/// The built-in `manual` provider.
#[derive(Debug, Default)]
pub struct ManualProviderType;

impl ProviderType for ManualProviderType {
    fn name(&self) -> &'static str {
        "manual"
    }

    fn config_schema(&self) -> Attr {
        Attr::object([])
    }

    fn resource_schemas(&self) -> Vec<ResourceSchema> {
        vec![ResourceSchema::new(
            MANUAL_STEP,
            ResourceKind::Manual,
            "A step no API can perform. Plans as \"manual action required\" until confirmed with `zentra confirm ADDRESS` (recorded in state with who, when and a hash of the step), and again whenever the step's title, instructions or url change. An optional `check` expression over data sources verifies it from API evidence.",
            Attr::object([
                ("title", Attr::string().required().describe("What to do, in one line.")),
                (
                    "instructions",
                    Attr::string()
                        .required()
                        .describe("The exact portal path and what to choose there."),
                ),
                ("url", Attr::string().describe("Where to do it (a portal address).")),
                (
                    "check",
                    Attr::bool().describe(
                        "Evidence from an API that the step is done, e.g. a data source lookup; when false the step is pending even if confirmed.",
                    ),
                ),
            ]),
        )]
    }

    fn configure(&self, _: &Value, _: &Environment) -> ProviderResult<Box<dyn Provider>> {
        Ok(Box::new(ManualProvider))
    }
}

/// The instance; never asked to do anything by the engine.
#[derive(Debug)]
struct ManualProvider;

fn refuse() -> ProviderError {
    ProviderError::new(
        ErrorKind::Invalid,
        "a manual step is performed by a person, not by zentra",
    )
    .with_hint("do what the step says, then run `zentra confirm ADDRESS`")
}

#[async_trait]
impl Provider for ManualProvider {
    fn name(&self) -> &'static str {
        "manual"
    }

    async fn read(&self, batch: &[ReadRequest]) -> Vec<ProviderResult<Option<RemoteObject>>> {
        batch.iter().map(|_| Ok(None)).collect()
    }

    async fn create(&self, _: &WriteRequest) -> ProviderResult<RemoteObject> {
        Err(refuse())
    }

    async fn update(&self, _: &WriteRequest) -> ProviderResult<RemoteObject> {
        Err(refuse())
    }

    async fn delete(&self, _: &WriteRequest) -> ProviderResult<()> {
        Err(refuse())
    }
}

/// SHA-256 of the confirmed attributes of a manual step's evaluated configuration.
pub fn step_hash(config: &Value) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for name in CONFIRMED_ATTRIBUTES {
        h.update(name.as_bytes());
        h.update([0]);
        if let Some(v) = config.get(name).and_then(Value::to_json) {
            h.update(v.to_string().as_bytes());
        }
        h.update([0]);
    }
    hex::encode(h.finalize())
}
