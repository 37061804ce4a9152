//! The condition-analysis corpus of `corpus/analysis/` (see its README):
//! every file must report exactly the diagnostics its `# expect:` headers
//! name, no more and no fewer. All mismatches are reported together.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::fs;
use std::path::{Path, PathBuf};

use switchyard_syntax::{parse_sources, Code, Diagnostic, Limits, SourceMap};

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/analysis")
}

/// `(code, line, column)`, sortable.
type Expected = (String, u32, u32);

/// The `# expect:` headers at the top of a file.
fn expectations(text: &str) -> Result<Vec<Expected>, String> {
    let mut out = Vec::new();
    let mut none = false;
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("# expect:") else {
            break;
        };
        let rest = rest.trim();
        if rest == "none" {
            none = true;
            continue;
        }
        let (code, pos) = rest
            .split_once(' ')
            .ok_or_else(|| format!("bad header `{line}`"))?;
        if !Code::ALL.iter().any(|c| c.as_str() == code) {
            return Err(format!("unknown code in `{line}`"));
        }
        let (l, c) = pos
            .trim()
            .split_once(':')
            .and_then(|(l, c)| Some((l.parse().ok()?, c.parse().ok()?)))
            .ok_or_else(|| format!("bad position in `{line}`"))?;
        out.push((code.to_string(), l, c));
    }
    match (none, out.is_empty()) {
        (true, true) | (false, false) => {
            out.sort();
            Ok(out)
        }
        (true, false) => Err("`# expect: none` with other expectations".into()),
        (false, true) => Err("no `# expect:` header".into()),
    }
}

/// Each diagnostic's `(code, line, column)`, with its text, sorted.
fn found(sources: &SourceMap, diags: &[Diagnostic]) -> Vec<(Expected, String)> {
    let mut out: Vec<(Expected, String)> = diags
        .iter()
        .map(|d| {
            let (line, column) = sources
                .locate(d.span)
                .map_or((0, 0), |(_, s, _)| (s.line, s.column));
            let text = format!("{} (help: {})", d.message, d.help.as_deref().unwrap_or("-"));
            ((d.code.to_string(), line, column), text)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn analysis_corpus_reports_exactly_what_it_expects() {
    let mut entries: Vec<PathBuf> = fs::read_dir(folder())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "route"))
        .collect();
    entries.sort();
    assert!(entries.len() >= 10, "corpus missing: {entries:?}");
    let mut failures = Vec::new();
    for path in &entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = fs::read_to_string(path).unwrap();
        let want = match expectations(&text) {
            Ok(w) => w,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let mut sources = SourceMap::new();
        sources.add(name.clone(), text);
        let diags = match parse_sources(&sources, &Limits::default()) {
            Ok(files) => switchyard_check::check(&files).diagnostics,
            Err(e) => e.diagnostics(),
        };
        let got = found(&sources, &diags);
        if got.iter().map(|(e, _)| e).ne(want.iter()) {
            let detail: Vec<String> = got
                .iter()
                .map(|((c, l, col), text)| format!("    {c} {l}:{col} {text}"))
                .collect();
            failures.push(format!(
                "{name}: expected {want:?}, got:\n{}",
                detail.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files failed:\n\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n\n")
    );
}
