//! What the end-to-end tests of zentra's crates share: a project directory run with the real
//! `zentra` binary against the emulator ([`Project`]), plain HTTP access to the emulator
//! ([`sim`]), the sample certificates and keys of `fixtures/` ([`entra`]), Zoom seeds and views
//! ([`zoom`]), the checks of every request and response against the vendors' own specs
//! ([`conformance`], [`traffic`]), the real programs that read zentra's outputs
//! ([`test_tools`]) and the storage servers remote state is tested against ([`storage`]).

// Test code: a failed step panics and fails the test that called it, with its message.
#![allow(clippy::unwrap_used)]

pub mod conformance;
pub mod entra;
mod project;
pub mod sim;
pub mod storage;
pub mod test_tools;
pub mod traffic;
pub mod zoom;

pub use project::{
    Project, code, example_file, pause, root, squeeze, stderr, stdout, zentra_binary,
};
