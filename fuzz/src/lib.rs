//! The fuzz targets' harnesses, a module each (`parse`, `check`,
//! `decide`, `context_json`), with what they share: the `decide` target's
//! input ([`input`]: ruleset and context descriptions drawn by
//! `arbitrary`), the rendering of a ruleset description as source text
//! over the test schema ([`render`]), and the oracle every decision is held
//! to ([`oracle`]: compiled, naive and explained decisions agree).
//!
//! Every harness panics (which libFuzzer reports as a crash) only when an
//! invariant breaks: the library itself must never panic, whatever it is
//! given.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a fuzz harness reports a broken invariant by panicking"
)]

mod check;
mod context_json;
mod decide;
pub mod input;
mod oracle;
mod parse;
pub mod render;

pub use check::check_target;
pub use context_json::context_json_target;
pub use decide::{compile_generated, decide_target};
pub use input::DecideInput;
pub use parse::parse_target;

use switchyard_syntax::SourceMap;

/// Splits fuzz input into files at `0xFF` bytes (never valid UTF-8, so no
/// real file holds one), at most eight.
fn sources_of(data: &[u8]) -> SourceMap {
    let mut sources = SourceMap::new();
    for (i, part) in data.split(|&b| b == 0xFF).take(8).enumerate() {
        sources.add_bytes(format!("f{i}.route"), part.to_vec());
    }
    sources
}
