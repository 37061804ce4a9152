//! Bytes (files split at 0xFF bytes) -> parse -> `switchyard_check::check`
//! (names, types, lints and the condition analysis); a clean ruleset is
//! compiled and decided.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| switchyard_fuzz::check_target(data));
