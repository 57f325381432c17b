//! The repository carries everything its build, generators and tests read: the vendors' API
//! descriptions are vendored in `schemas/vendor/`, each recorded (by SHA-256) in its vendor's
//! `SOURCE.md`, and no source file or manifest refers to anything outside the checkout.

use std::path::Path;

use sha2::{Digest, Sha256};
use xtask::self_contained::outside_references;
use xtask::sources::{default_specs_dir, workspace_root};
use xtask::spec_paths;

#[test]
fn every_spec_file_used_is_vendored_and_recorded_in_source_md() {
    let vendor_dir = default_specs_dir(&workspace_root());
    for path in spec_paths::ALL {
        let bytes = std::fs::read(vendor_dir.join(path))
            .unwrap_or_else(|error| panic!("schemas/vendor/{path} cannot be read: {error}"));
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let (vendor, inside) = path.split_once('/').expect("vendor/file");
        let source = std::fs::read_to_string(vendor_dir.join(vendor).join("SOURCE.md"))
            .unwrap_or_else(|error| panic!("schemas/vendor/{vendor}/SOURCE.md: {error}"));
        let recorded = source
            .lines()
            .any(|line| line.contains(&format!("`{inside}`")) && line.contains(&sha256));
        assert!(
            recorded,
            "schemas/vendor/{vendor}/SOURCE.md has no line naming `{inside}` with its sha256 \
             {sha256}: record where this version of the file came from"
        );
    }
}

#[test]
fn the_vendor_directory_holds_only_spec_files_that_are_used() {
    let vendor_dir = default_specs_dir(&workspace_root());
    let mut unused = Vec::new();
    for entry in walkdir::WalkDir::new(&vendor_dir) {
        let entry = entry.expect("schemas/vendor can be listed");
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = relative_path(&vendor_dir, entry.path());
        let is_source_record =
            relative.ends_with("/SOURCE.md") && relative.matches('/').count() == 1;
        if !is_source_record && !spec_paths::ALL.contains(&relative.as_str()) {
            unused.push(relative);
        }
    }
    assert!(
        unused.is_empty(),
        "schemas/vendor/ holds files nothing reads: {}\nremove them, or add them to \
         xtask::spec_paths::ALL if the generator or the tests now read them",
        unused.join(", ")
    );
}

#[test]
fn no_source_file_or_manifest_refers_outside_the_checkout() {
    let found = outside_references(&workspace_root()).expect("the repository can be scanned");
    let listed: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert!(
        found.is_empty(),
        "a fresh clone must build and test with nothing beside it:\n{}",
        listed.join("\n")
    );
}

fn relative_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .expect("inside root")
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
