//! The repository's checks, in one test executable: generated files are current and the
//! repository carries everything it reads.

// Tests: a failed step panics with its message and fails the test.
#![allow(clippy::unwrap_used)]

mod generated_docs;
mod generated_schemas;
mod vendored_specs;
