//! End-to-end tests of the `zentra` binary, run against the emulator: one test executable, one
//! module per area. Every request and response of these tests is checked against the vendors'
//! specs ([`zentra_test_support::traffic`]).

mod azure_auth;
mod azure_consent;
mod azure_examples;
mod azure_federation;
mod azure_grants;
mod azure_service_principal;
mod ci_examples;
mod cli;
mod drift;
mod examples_hcl;
mod export;
mod hardening;
mod import;
mod ownership;
mod plan_review;
mod remote_state;
mod state_commands;
mod terraform_plan_readers;
mod vendor_examples;
mod zoom_example;
mod zoom_groups;
mod zoom_roles;
mod zoom_rooms;
mod zoom_settings;
