//! zentra: declarative configuration for Zoom SSO, Office 365 calendar integration and
//! Entra ID consent, planned and applied like infrastructure as code.
//!
//! The flow is one-directional: configuration files are parsed ([`config`]), evaluated
//! ([`eval`]) and ordered ([`graph`]); providers read live state; the engine diffs desired
//! against live into a [`plan::Plan`], which is rendered ([`render`]) and applied ([`apply`]),
//! and the result is recorded in [`state`].

// Errors are built on cold paths and carry locations, vendor codes and hints for the user;
// their size is not worth boxing.
#![allow(clippy::result_large_err)]

pub mod addr;
pub mod apply;
pub mod cert;
pub mod cli;
pub mod client;
pub mod config;
pub mod diag;
pub mod drift;
pub mod env;
pub mod eval;
pub mod files;
pub mod graph;
pub mod output;
pub mod plan;
pub mod progress;
pub mod provider;
pub mod redact;
pub mod render;
pub mod schema;
pub mod sim;
pub mod state;
pub mod value;
pub mod workspace;

#[cfg(test)]
mod engine_tests;
