//! What the tests of the switchyard crates share, as Cedar's `cedar-testing`
//! does for Cedar: the rule-file corpus of the repository's top folder
//! `corpus/` and the harness that reads it ([`corpus`]).
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
