//! What a user reads for every ruleset of the corpus (`corpus/` at the
//! repository's top): the diagnostics of `switchyard check`, rendered in
//! the human format as the CLI prints them (without colour), are pinned in
//! a file beside each ruleset: `bad/foo.route` and `bad/foo.diagnostics`,
//! `good/multi-file/` and `good/multi-file.diagnostics`. A ruleset with no
//! diagnostic has no such file. So a change to a message, a help line, a
//! label or a position shows in review.
//!
//! `SWITCHYARD_BLESS=1 cargo test -p switchyard --test corpus` writes the
//! files anew (and removes those whose ruleset is gone); review the diff.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::fs;
use std::path::{Path, PathBuf};

use switchyard::render::human;
use switchyard::{AnalysisOptions, LoadOptions};
use switchyard_testing::corpus::{entries, finish, load, root, short};

/// The folders of the corpus whose rulesets are pinned.
const FOLDERS: [&str; 3] = ["good", "bad", "analysis"];

const EXTENSION: &str = "diagnostics";

fn blessing() -> bool {
    std::env::var_os("SWITCHYARD_BLESS").is_some_and(|v| v != "0")
}

/// The diagnostics `switchyard check` prints for a ruleset (a file, or a
/// folder of files), without colour.
fn rendered(path: &Path) -> String {
    let sources = load(path);
    let options = LoadOptions::new().with_analysis(AnalysisOptions::default());
    let diagnostics = switchyard::check(&sources, &options).diagnostics;
    human::render_all(&sources, &diagnostics, false)
}

/// `bad/foo.route` -> `bad/foo.diagnostics`; `good/multi-file/` ->
/// `good/multi-file.diagnostics`.
fn snapshot_of(ruleset: &Path) -> PathBuf {
    ruleset.with_extension(EXTENSION)
}

/// The first line where two texts differ, to point at in a failure.
fn first_difference(expected: &str, got: &str) -> String {
    let (mut e, mut g) = (expected.lines(), got.lines());
    for n in 1.. {
        match (e.next(), g.next()) {
            (None, None) => break,
            (a, b) if a == b => continue,
            (a, b) => {
                return format!(
                    "line {n}:\n  pinned: {}\n  now:    {}",
                    a.unwrap_or("(end)"),
                    b.unwrap_or("(end)")
                )
            }
        }
    }
    "(trailing whitespace)".into()
}

#[test]
fn rendered_diagnostics_match_the_pinned_ones() {
    let bless = blessing();
    let mut failures = Vec::new();
    let mut checked = 0;
    for folder in FOLDERS {
        let dir = root().join(folder);
        let rulesets = entries(&dir);
        for ruleset in &rulesets {
            checked += 1;
            let name = short(ruleset);
            let snapshot = snapshot_of(ruleset);
            let got = rendered(ruleset);
            let pinned = fs::read_to_string(&snapshot).ok();
            if bless {
                match (got.is_empty(), &pinned) {
                    (true, Some(_)) => fs::remove_file(&snapshot).unwrap(),
                    (true, None) => {}
                    (false, _) if pinned.as_deref() == Some(got.as_str()) => {}
                    (false, _) => fs::write(&snapshot, &got).unwrap(),
                }
                continue;
            }
            match (pinned, got.is_empty()) {
                (None, true) => {}
                (None, false) => failures.push(format!(
                    "{name}: no {} beside it, but it has diagnostics:\n{got}",
                    short(&snapshot)
                )),
                (Some(_), true) => failures.push(format!(
                    "{name}: {} is pinned, but there are no diagnostics now",
                    short(&snapshot)
                )),
                (Some(pinned), false) if pinned == got => {}
                (Some(pinned), false) => failures.push(format!(
                    "{name}: the diagnostics differ from {}, first at {}\n--- now ---\n{got}",
                    short(&snapshot),
                    first_difference(&pinned, &got)
                )),
            }
        }
        // A pinned file whose ruleset is gone.
        for file in fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == EXTENSION)
                && !rulesets.iter().any(|r| snapshot_of(r) == path)
            {
                if bless {
                    fs::remove_file(&path).unwrap();
                } else {
                    failures.push(format!("{}: no ruleset beside it", short(&path)));
                }
            }
        }
    }
    if !failures.is_empty() {
        failures.push("(`SWITCHYARD_BLESS=1 cargo test -p switchyard --test corpus` pins what is printed now)".into());
    }
    finish("rulesets", checked, failures);
}
