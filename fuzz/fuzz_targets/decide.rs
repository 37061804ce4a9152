//! A structured ruleset (or a test file) and contexts -> compile with each
//! index policy -> decide; compiled, naive and explain must agree.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: switchyard_fuzz::DecideInput| {
    switchyard_fuzz::decide_target(&input)
});
