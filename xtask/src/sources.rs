//! Locates and reads the vendor spec files the schemas are generated from, recording each
//! file's SHA-256 so the generated data names exactly what it came from.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use indexmap::IndexMap;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The prefix under which spec files are named in generated output, whatever directory they
/// were actually read from, so that output does not depend on the machine.
pub const SPEC_LABEL_PREFIX: &str = "schemas/vendor";

/// The workspace root: the parent of the xtask crate.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// Where the vendor specs live by default: their copy in the repository, `schemas/vendor/`.
pub fn default_specs_dir(root: &Path) -> PathBuf {
    root.join("schemas").join("vendor")
}

/// A directory of vendor spec files.
#[derive(Clone, Debug)]
pub struct SpecDir {
    dir: PathBuf,
}

/// One spec file's bytes, with the label and digest recorded in `generated_from`.
#[derive(Clone, Debug)]
pub struct SpecFile {
    /// `schemas/vendor/<relative path>`.
    pub label: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    pub bytes: Vec<u8>,
}

impl SpecFile {
    /// The file parsed as JSON.
    pub fn json(&self) -> Result<Value> {
        serde_json::from_slice(&self.bytes)
            .with_context(|| format!("{} is not valid JSON", self.label))
    }

    /// The file as UTF-8 text.
    pub fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.bytes).with_context(|| format!("{} is not UTF-8", self.label))
    }
}

impl SpecDir {
    /// Opens the spec directory, failing with an explanation when it is missing.
    pub fn open(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            bail!(
                "vendor spec directory not found: {}\n\
                 The schemas are generated from the vendor specs kept in the repository's \
                 `schemas/vendor/`; restore them from version control or pass `--specs DIR`.",
                dir.display()
            );
        }
        Ok(SpecDir {
            dir: dir.to_path_buf(),
        })
    }

    /// Reads `relative` (a `/`-separated path inside the spec directory).
    pub fn read(&self, relative: &str) -> Result<SpecFile> {
        let path = relative
            .split('/')
            .fold(self.dir.clone(), |path, part| path.join(part));
        let bytes = std::fs::read(&path)
            .with_context(|| format!("cannot read spec file {}", path.display()))?;
        Ok(SpecFile {
            label: format!("{SPEC_LABEL_PREFIX}/{relative}"),
            sha256: hex::encode(Sha256::digest(&bytes)),
            bytes,
        })
    }
}

/// The `generated_from` map (label → SHA-256) for a set of spec files, in the order given.
pub fn generated_from<'a>(
    files: impl IntoIterator<Item = &'a SpecFile>,
) -> IndexMap<String, String> {
    files
        .into_iter()
        .map(|file| (file.label.clone(), file.sha256.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_directory_is_explained() {
        let missing = Path::new("definitely/not/a/spec/dir");
        let error = SpecDir::open(missing).expect_err("missing");
        let message = format!("{error:#}");
        assert!(
            message.contains("vendor spec directory not found"),
            "{message}"
        );
        assert!(message.contains("--specs"), "{message}");
    }

    #[test]
    fn files_are_labelled_by_relative_path_with_their_digest() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("zoom")).expect("mkdir");
        std::fs::write(dir.path().join("zoom/a.json"), b"abc").expect("write");
        let specs = SpecDir::open(dir.path()).expect("open");
        let file = specs.read("zoom/a.json").expect("read");
        assert_eq!(file.label, "schemas/vendor/zoom/a.json");
        assert_eq!(
            file.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let error = specs.read("zoom/missing.json").expect_err("missing file");
        assert!(format!("{error:#}").contains("missing.json"));
    }
}
