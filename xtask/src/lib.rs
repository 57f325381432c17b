//! Repository tasks for zentra: `cargo xtask schemas` generates the schema data in `schemas/`
//! from the vendor specs kept in `schemas/vendor/`, `cargo xtask docs` the reference pages in
//! `docs/` from zentra's own schemas (both can check that the checked-in copy is current), and
//! `cargo xtask vendor-specs DIR` brings a new release of the vendor specs into `schemas/vendor/`,
//! and `cargo xtask test` installs the programs the tests run, then runs the tests.

pub mod attrs;
pub mod description;
pub mod docs;
pub mod msgraph;
pub mod openapi;
pub mod output;
pub mod self_contained;
pub mod sources;
pub mod test_tools;
pub mod vendor;
pub mod zoom_endpoints;
pub mod zoom_provider;

use std::path::Path;

use anyhow::Result;

use crate::msgraph::{build_graph_permissions, build_graph_types};
use crate::output::{GeneratedFile, render_json};
use crate::sources::SpecDir;
use crate::zoom_endpoints::build_endpoint_index;
use crate::zoom_provider::{ObjectReport, build_zoom_provider};

/// Spec files read, relative to the spec directory.
pub mod spec_paths {
    pub const ZOOM_ACCOUNTS: &str = "zoom/api-hub-2026-02/accounts/endpoints.json";
    pub const ZOOM_USERS: &str = "zoom/api-hub-2026-02/users/endpoints.json";
    pub const ZOOM_ROOMS: &str = "zoom/api-hub-2026-02/rooms/endpoints.json";
    pub const GRAPH_TYPES: &str = "msgraph/v1.0-subset-types.json";
    pub const GRAPH_DELEGATED_PERMISSIONS: &str = "msgraph/permissions/GraphDelegateRoles.csv";
    pub const GRAPH_APPLICATION_PERMISSIONS: &str = "msgraph/permissions/GraphAppRoles.csv";
    /// Not read by the generator: the conformance checks (`crates/zentra-test-support`) read it
    /// to learn which Graph enums are flag enums.
    pub const GRAPH_METADATA: &str = "msgraph/v1.0-subset-cleanMetadata.xml";
    /// Not read by the generator: the tests validate `zentra drift --report-sarif` against it.
    pub const SARIF_SCHEMA: &str = "sarif/sarif-schema-2.1.0.json";

    /// Every spec file the repository uses: the files `schemas/vendor/` holds and
    /// `cargo xtask vendor-specs` copies.
    pub const ALL: [&str; 8] = [
        ZOOM_ACCOUNTS,
        ZOOM_USERS,
        ZOOM_ROOMS,
        GRAPH_TYPES,
        GRAPH_METADATA,
        GRAPH_DELEGATED_PERMISSIONS,
        GRAPH_APPLICATION_PERMISSIONS,
        SARIF_SCHEMA,
    ];
}

/// Output files, relative to the workspace root.
pub mod output_paths {
    pub const ZOOM_PROVIDER: &str = "schemas/providers/zoom.json";
    pub const ZOOM_API: &str = "schemas/zoom-api.json";
    pub const GRAPH_TYPES: &str = "schemas/msgraph/types.json";
    pub const GRAPH_PERMISSIONS: &str = "schemas/msgraph/permissions.json";
    /// JSON Schema of saved plan files.
    pub const PLAN: &str = "schemas/plan.schema.json";
    /// JSON Schema of `zentra plan --json` and `zentra show --json PLANFILE` (Terraform's JSON
    /// plan format, with zentra's extras).
    pub const TERRAFORM_PLAN: &str = "schemas/terraform-plan.schema.json";
    /// JSON Schema of the state file.
    pub const STATE: &str = "schemas/state.schema.json";
    /// JSON Schema of `zentra drift --report-json` (and `--json`).
    pub const DRIFT_REPORT: &str = "schemas/drift-report.schema.json";
}

/// Everything `cargo xtask schemas` produces, plus what it learned on the way.
#[derive(Debug)]
pub struct Generation {
    pub files: Vec<GeneratedFile>,
    pub zoom_objects: Vec<ObjectReport>,
}

/// Generates every file in `schemas/` from the specs in `specs_dir`, in memory.
pub fn generate_all(specs_dir: &Path) -> Result<Generation> {
    let specs = SpecDir::open(specs_dir)?;
    let accounts = specs.read(spec_paths::ZOOM_ACCOUNTS)?;
    let users = specs.read(spec_paths::ZOOM_USERS)?;
    let rooms = specs.read(spec_paths::ZOOM_ROOMS)?;
    let graph_types = specs.read(spec_paths::GRAPH_TYPES)?;
    let graph_delegated = specs.read(spec_paths::GRAPH_DELEGATED_PERMISSIONS)?;
    let graph_application = specs.read(spec_paths::GRAPH_APPLICATION_PERMISSIONS)?;

    let zoom = build_zoom_provider(&accounts, &users)?;
    let endpoint_index = build_endpoint_index(&[&accounts, &users, &rooms])?;
    let types = build_graph_types(&graph_types)?;
    let permissions = build_graph_permissions(&graph_delegated, &graph_application)?;

    let file = |path: &str, contents: String| GeneratedFile {
        path: path.to_string(),
        contents,
    };
    let files = vec![
        file(output_paths::ZOOM_PROVIDER, render_json(&zoom.file)?),
        file(output_paths::ZOOM_API, render_json(&endpoint_index)?),
        file(output_paths::GRAPH_TYPES, render_json(&types)?),
        file(output_paths::GRAPH_PERMISSIONS, render_json(&permissions)?),
        file(
            output_paths::PLAN,
            render_json(&schemars::schema_for!(zentra_engine::plan::Plan))?,
        ),
        file(
            output_paths::TERRAFORM_PLAN,
            render_json(&schemars::schema_for!(
                zentra_engine::plan::terraform_json::TerraformPlan
            ))?,
        ),
        file(
            output_paths::STATE,
            render_json(&schemars::schema_for!(zentra_engine::state::StateFile))?,
        ),
        file(
            output_paths::DRIFT_REPORT,
            render_json(&schemars::schema_for!(zentra_engine::drift::DriftReport))?,
        ),
    ];
    Ok(Generation {
        files,
        zoom_objects: zoom.reports,
    })
}
