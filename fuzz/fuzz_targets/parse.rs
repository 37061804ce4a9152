//! Bytes (files split at 0xFF bytes) -> `parse_sources`; printing and
//! formatting what parses must round-trip.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| switchyard_fuzz::parse_target(data));
