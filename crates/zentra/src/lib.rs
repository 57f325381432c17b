//! zentra: declarative configuration for Zoom SSO, Office 365 calendar integration and
//! Entra ID consent, planned and applied like infrastructure as code.
//!
//! The engine ([`zentra_engine`]) parses, evaluates, plans, applies and records; this crate
//! holds the providers, their clients, the emulator and the command line.

pub mod cert;
pub mod cli;
pub mod client;
pub mod output;
pub mod provider;
pub mod render;

pub use zentra_sim as sim;

pub use zentra_engine::{
    addr, apply, config, deps, diag, env, eval, plan, progress, schema, state, value, workspace,
};

#[cfg(test)]
mod workspace_tests;
