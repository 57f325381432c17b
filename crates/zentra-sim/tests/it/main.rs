//! The emulator's integration tests: each service spoken to with plain HTTP requests (never
//! zentra's own clients), one module per service or area, in one test executable.

// Tests: a failed step panics with its message and fails the test.
#![allow(clippy::unwrap_used)]

mod entra_assertion;
mod entra_federated;
mod entra_login;
mod graph;
mod graph_directory;
mod server;
mod zoom;
mod zoom_objects;
