//! Fails when the checked-in files in `schemas/` no longer match what the generator produces
//! from the vendor specs, so stale schema data cannot land unnoticed.

use xtask::generate_all;
use xtask::output::stale_files;
use xtask::sources::{default_specs_dir, workspace_root};

#[test]
fn generated_schemas_are_current() {
    let root = workspace_root();
    let specs = default_specs_dir(&root);
    let generation = match generate_all(&specs) {
        Ok(generation) => generation,
        Err(error) => panic!("cannot generate the schemas to compare with schemas/:\n{error:#}"),
    };
    let stale = stale_files(&root, &generation.files);
    assert!(
        stale.is_empty(),
        "generated schema files are stale: {}\nrun `cargo xtask schemas` and commit the result",
        stale.join(", ")
    );
}
