//! What untrusted bytes reach: the HCL loader, expression evaluation, state files, saved plans
//! and SAML metadata, each through the same public function zentra itself calls. The fuzz
//! targets in `fuzz/` and the hostile-input tests beside this file both feed these, so what a
//! fuzzer finds replays here on stable Rust. Each returns whether the input was accepted; none
//! may panic or overflow the stack, whatever the input.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use zentra_engine::config::Config;
use zentra_engine::diag::SourceFile;
use zentra_engine::env::Environment;
use zentra_engine::eval::EvalContext;
use zentra_engine::state::{LocalStateStore, StateStore};

fn source(text: String) -> SourceFile {
    SourceFile {
        display_path: "main.zen.hcl".into(),
        path: PathBuf::from("main.zen.hcl"),
        text,
    }
}

/// A configuration file, loaded as `zentra` loads each `*.zen.hcl`.
pub fn load_config(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes).into_owned();
    Config::from_files(Path::new("."), vec![source(text)]).is_ok()
}

/// An expression, evaluated as the value of a local.
pub fn evaluate(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let config = match Config::from_files(
        Path::new("."),
        vec![source(format!("locals {{\n  v = {text}\n}}\n"))],
    ) {
        Ok(config) => config,
        Err(_) => return false,
    };
    let env = Environment::default();
    let vars = IndexMap::new();
    let resources = HashMap::new();
    let ctx = EvalContext::new(&config, &env, &vars, &resources);
    ctx.eval_local("v").is_ok()
}

/// A state file, read as the local backend reads `zentra.state.json`.
pub fn read_state(bytes: &[u8]) -> bool {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("zentra.state.json");
    std::fs::write(&path, bytes).expect("state written");
    matches!(LocalStateStore::new(path).read(), Ok(Some(_)))
}

/// A saved plan, read as `zentra show FILE` and `zentra apply FILE` read it.
pub fn read_saved_plan(bytes: &[u8]) -> bool {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("saved.zplan");
    std::fs::write(&path, bytes).expect("plan written");
    zentra::cli::load_plan(&path, None).is_ok()
}

/// Federation metadata, as `metadata_xml` is read, and the settings derived from it for each
/// protocol; accepted when some protocol's settings derive.
pub fn read_saml_metadata(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    match zentra_providers::azuread::federation_metadata::parse(&text, None) {
        Ok(metadata) => {
            // Every protocol is tried, so each derivation is exercised.
            let derived: Vec<bool> = [None, Some("saml"), Some("wsFed")]
                .into_iter()
                .map(|protocol| metadata.settings(protocol).is_ok())
                .collect();
            derived.contains(&true)
        }
        Err(_) => false,
    }
}
