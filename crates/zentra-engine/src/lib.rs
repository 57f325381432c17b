//! The zentra engine: everything between configuration files and a state file that knows no
//! vendor, so that a provider is the only place Zoom or Microsoft Graph is spoken of.
//!
//! The flow is one-directional: configuration files are parsed ([`config`]), evaluated
//! ([`eval`]) and ordered ([`deps`]); providers ([`provider::Provider`]) read live state; the
//! engine diffs desired against live into a [`plan::Plan`], which is applied ([`apply`]), and the
//! result is recorded in [`state`].

pub mod addr;
pub mod apply;
pub mod config;
pub mod console;
pub mod deps;
pub mod diag;
pub mod drift;
pub mod env;
pub mod eval;
pub mod expand;
pub mod export;
pub mod files;
pub mod format;
pub mod modules;
pub mod plan;
pub mod progress;
pub mod provider;
pub mod redact;
pub mod state;
pub mod value;
pub mod workspace;

pub use zentra_schema as schema;

#[cfg(test)]
mod engine_tests;
