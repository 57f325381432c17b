//! Fails when the reference pages in `docs/` no longer match what `cargo xtask docs` renders
//! from zentra's schemas, so a schema change cannot land with stale documentation.

use xtask::docs::generate_docs;
use xtask::output::stale_files;
use xtask::sources::workspace_root;

#[test]
fn generated_docs_are_current() {
    let stale = stale_files(&workspace_root(), &generate_docs());
    assert!(
        stale.is_empty(),
        "reference pages are stale: {}\nrun `cargo xtask docs` and commit the result",
        stale.join(", ")
    );
}
