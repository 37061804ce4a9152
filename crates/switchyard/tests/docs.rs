//! The rule snippets of `docs/` are checked, so that the docs cannot drift
//! from the language. Every fenced block whose info string starts with
//! `route` is a whole ruleset, checked as `switchyard check` does (the one
//! load path, with the condition analysis):
//!
//! - ```` ```route ```` must check with no diagnostic at all;
//! - ```` ```route diagnostic=W101 ```` (several codes separated by commas)
//!   must produce exactly those codes, each at least once, and no other;
//! - the word `catalog` in the info string loads `examples/models.json` as
//!   the model catalog (for `require`, `cheapest` and W104);
//! - a block tagged `json ruleset` instead of `route` is a ruleset in
//!   JSON (docs/reference/json.md), checked the same way (other `json`
//!   blocks, decisions and contexts, are not rulesets).
//!
//! Every code also has its page, `docs/diagnostics/CODE.md`, titled
//! `# CODE: ...`. All problems are collected and reported together.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use switchyard::{AnalysisOptions, Catalog, Code, LoadOptions, SourceMap};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.md` file under `docs/`, sorted.
fn pages(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(pages(&path));
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    out
}

/// A `route` block: where it starts, its info string and its text.
struct Snippet {
    line: usize,
    info: String,
    text: String,
}

/// The fenced blocks of a page whose info string starts with `route`.
fn snippets(page: &str) -> Vec<Snippet> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String, String)> = None;
    for (i, line) in page.lines().enumerate() {
        let trimmed = line.trim_start();
        match &mut open {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    open = Some((i + 1, info.trim().to_string(), String::new()));
                }
            }
            Some((start, info, text)) => {
                if trimmed.starts_with("```") {
                    let mut words = info.split_whitespace();
                    let lang = words.next().unwrap_or("");
                    let ruleset = lang == "json" && words.any(|w| w == "ruleset");
                    if lang == "route" || ruleset {
                        out.push(Snippet {
                            line: *start,
                            info: info.clone(),
                            text: std::mem::take(text),
                        });
                    }
                    open = None;
                } else {
                    text.push_str(line);
                    text.push('\n');
                }
            }
        }
    }
    out
}

/// The codes a `diagnostic=` attribute names, and whether `catalog` is
/// asked for.
fn attributes(info: &str) -> Result<(BTreeSet<Code>, bool), String> {
    let mut codes = BTreeSet::new();
    let mut catalog = false;
    for word in info.split_whitespace().skip(1) {
        if word == "catalog" {
            catalog = true;
        } else if word == "ruleset" {
            // `json ruleset`: the block is a ruleset in JSON.
        } else if let Some(list) = word.strip_prefix("diagnostic=") {
            for code in list.split(',') {
                codes.insert(Code::parse(code).ok_or_else(|| format!("unknown code `{code}`"))?);
            }
        } else {
            return Err(format!("unknown attribute `{word}`"));
        }
    }
    Ok((codes, catalog))
}

#[test]
fn every_route_snippet_checks_as_shown() {
    let catalog = Arc::new(Catalog::load(root().join("examples/models.json")).unwrap());
    let mut failures = Vec::new();
    let mut checked = 0;
    for page in pages(&root().join("docs")) {
        let name = page
            .strip_prefix(root())
            .unwrap_or(&page)
            .display()
            .to_string();
        let text = fs::read_to_string(&page).unwrap();
        for snippet in snippets(&text) {
            checked += 1;
            let at = format!("{name}:{}", snippet.line);
            let (want, with_catalog) = match attributes(&snippet.info) {
                Ok(a) => a,
                Err(e) => {
                    failures.push(format!("{at}: {e}"));
                    continue;
                }
            };
            let mut options = LoadOptions::new().with_analysis(AnalysisOptions::default());
            if with_catalog {
                options = options.with_catalog(catalog.clone());
            }
            // A `json` block is a ruleset in JSON: its name says so.
            let name = if snippet.info.starts_with("json") {
                format!("{at}.json")
            } else {
                at.clone()
            };
            let mut sources = SourceMap::new();
            sources.add(name, snippet.text.as_str());
            let checked = switchyard::check(&sources, &options);
            let got: BTreeSet<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
            if got != want {
                let rendered =
                    switchyard::render::human::render_all(&sources, &checked.diagnostics, false);
                failures.push(format!(
                    "{at}: expected {:?}, got {:?}\n{rendered}",
                    want.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                    got.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                ));
            }
        }
    }
    assert!(checked > 0, "no route snippet found under docs/");
    assert!(
        failures.is_empty(),
        "{} of {checked} snippets failed:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_code_has_its_page() {
    let dir = root().join("docs/diagnostics");
    let mut failures = Vec::new();
    for code in Code::ALL {
        let page = dir.join(format!("{code}.md"));
        match fs::read_to_string(&page) {
            Ok(text) => {
                let title = format!("# {code}: ");
                if !text.starts_with(&title) {
                    failures.push(format!("{}: the title is not `{title}...`", page.display()));
                }
                for section in ["## What triggers it", "## Example", "## The fix"] {
                    if !text.contains(section) {
                        failures.push(format!("{}: no `{section}` section", page.display()));
                    }
                }
            }
            Err(e) => failures.push(format!("{}: {e}", page.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
