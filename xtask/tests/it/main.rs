//! The repository's checks, in one test executable: generated files are current and the
//! repository carries everything it reads.

mod generated_docs;
mod generated_schemas;
mod vendored_specs;
