//! Bytes (files split at 0xFF bytes) -> `CompiledTable::from_sources` with
//! the condition analysis (parse, names, types, lints, the analysis, then
//! compile); a ruleset that loads is decided.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| switchyard_fuzz::check_target(data));
