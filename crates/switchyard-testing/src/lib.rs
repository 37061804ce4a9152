//! What the tests of the switchyard crates share, as Cedar's `cedar-testing`
//! does for Cedar: the rule-file corpus of the repository's top folder
//! `corpus/` and its harness ([`corpus`]), the one test schema and the
//! generators of random rulesets and contexts over it ([`rulesets`]), and
//! the generators of syntax trees ([`syntax_trees`]).
//!
//! A dev-dependency only (`publish = false`): nothing here is part of any
//! crate's interface. Its functions panic on a missing or unreadable file,
//! which in a test is the failure to report.

#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "test support: a missing corpus file fails the test that asked for it"
)]

pub mod corpus;
pub mod rulesets;
pub mod syntax_trees;

use proptest::test_runner::Config;

/// `PROPTEST_CASES` if set (for longer or shorter local runs), else
/// `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A proptest configuration of [`cases`]`(default)` cases that saves no
/// failures to a file.
pub fn proptest_config(default: u32) -> Config {
    Config {
        cases: cases(default),
        failure_persistence: None,
        ..Config::default()
    }
}
