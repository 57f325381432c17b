//! zentra: declarative configuration for Zoom SSO, Office 365 calendar integration and
//! Entra ID consent, planned and applied like infrastructure as code.
//!
//! The flow is one-directional: configuration files are parsed ([`config`]), evaluated
//! ([`eval`]) and ordered ([`graph`]); providers read live state; the engine diffs desired
//! against live into a [`plan::Plan`], which is rendered ([`render`]) and applied ([`apply`]),
//! and the result is recorded in [`state`].

pub mod client;
pub mod env;
pub mod provider;
pub mod schema;
pub mod value;
