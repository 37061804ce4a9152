//! Bytes -> `context_from_str` on the example policy -> decide, naive
//! decide and explain.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| switchyard_fuzz::context_json_target(data));
