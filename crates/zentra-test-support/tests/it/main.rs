//! Tests of the test support itself, in one test executable.

// Tests: a failed step panics with its message and fails the test.
#![allow(clippy::unwrap_used)]

mod conformance_selftest;
