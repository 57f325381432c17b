//! End-to-end tests of the `zentra` binary, run against the emulator: one test executable, one
//! module per area. Every request and response of these tests is checked against the vendors'
//! specs ([`zentra_test_support::traffic`]).

// Tests: a failed step panics with its message and fails the test.
#![allow(clippy::unwrap_used)]

mod azure_auth;
mod azure_consent;
mod azure_examples;
mod azure_federation;
mod azure_grants;
mod azure_service_principal;
mod checks;
mod ci_examples;
mod cli;
mod console;
mod crash_safety;
mod data_sources;
mod drift;
mod examples_hcl;
mod export;
mod fmt;
mod hardening;
mod hostile_input;
mod import;
mod instances;
mod lifecycle;
mod modules;
mod moved;
mod ownership;
mod plan_review;
mod progress;
mod remote_state;
mod secret_canary;
mod soak;
mod state_commands;
mod terraform_plan_readers;
mod user_output;
mod variables;
mod vendor_examples;
mod zoom_example;
mod zoom_groups;
mod zoom_roles;
mod zoom_rooms;
mod zoom_settings;
