//! Repository tasks for zentra. Its main job is `cargo xtask schemas`: generating the schema
//! data in `schemas/` from the vendor specs kept beside the repository, and checking that the
//! checked-in copy is current.

pub mod attrs;
pub mod description;
pub mod openapi;
pub mod output;
pub mod sources;
pub mod zoom_provider;

use std::path::Path;

use anyhow::Result;

use crate::output::{GeneratedFile, render_json};
use crate::sources::SpecDir;
use crate::zoom_provider::{ObjectReport, build_zoom_provider};

/// Spec files read, relative to the spec directory.
pub mod spec_paths {
    pub const ZOOM_ACCOUNTS: &str = "zoom/api-hub-2026-02/accounts/endpoints.json";
    pub const ZOOM_USERS: &str = "zoom/api-hub-2026-02/users/endpoints.json";
    pub const ZOOM_ROOMS: &str = "zoom/api-hub-2026-02/rooms/endpoints.json";
}

/// Output files, relative to the workspace root.
pub mod output_paths {
    pub const ZOOM_PROVIDER: &str = "schemas/providers/zoom.json";
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

    let zoom = build_zoom_provider(&accounts, &users)?;
    let files = vec![GeneratedFile {
        path: output_paths::ZOOM_PROVIDER.to_string(),
        contents: render_json(&zoom.file)?,
    }];
    Ok(Generation {
        files,
        zoom_objects: zoom.reports,
    })
}
