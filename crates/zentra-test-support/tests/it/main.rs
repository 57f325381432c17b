//! Tests of the test support itself, in one test executable.

mod conformance_selftest;
