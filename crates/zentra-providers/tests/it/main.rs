//! The providers' integration tests against the emulator, in one test executable.

// Tests: a failed step panics with its message and fails the test.
#![allow(clippy::unwrap_used)]

mod zoom_settings_roundtrip;
