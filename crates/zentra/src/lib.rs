//! zentra: declarative configuration for Zoom SSO, Office 365 calendar integration and
//! Entra ID consent, planned and applied like infrastructure as code.
//!
//! This crate is the command line ([`cli`]), the one place that writes to the terminal
//! ([`output`]) and the human rendering of plans ([`render`]). The engine
//! ([`zentra_engine`]) parses, evaluates, plans, applies and records; the providers
//! ([`zentra_providers`]) speak to Zoom and Microsoft Graph; the emulator ([`zentra_sim`])
//! stands in for them.

pub mod cli;
pub mod output;
pub mod render;
