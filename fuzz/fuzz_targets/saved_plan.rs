//! Fuzzes `read_saved_plan`: arbitrary bytes must be refused or accepted, never panic or overflow.
#![no_main]

#[path = "../../crates/zentra/tests/it/hostile_input/entry_points.rs"]
#[allow(dead_code)]
mod entry_points;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    entry_points::read_saved_plan(data);
});
