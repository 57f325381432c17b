//! The providers' integration tests against the emulator, in one test executable.

mod zoom_settings_roundtrip;
