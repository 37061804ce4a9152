//! Reading the rule-file corpus of the repository's top folder `corpus/`
//! (see its README): listing its entries, loading them, and the
//! `# expect: CODE LINE:COLUMN` header of its bad files. Used by the
//! parser's corpus test and the checker's.

use std::fs;
use std::path::{Path, PathBuf};

use switchyard_syntax::{Code, LineCol, SourceMap, Span};

/// The corpus folder, `corpus/` at the top of the repository.
pub fn root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus")).to_path_buf()
}

/// What a bad file's header says.
#[derive(Debug)]
pub struct Expect {
    /// The diagnostic's code, `E005`.
    pub code: String,
    /// Where its primary span starts.
    pub at: LineCol,
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {}:{}", self.code, self.at.line, self.at.column)
    }
}

/// Reads `# expect: E005 7:24` from the first line of a file.
pub fn expectation(bytes: &[u8]) -> Result<Expect, String> {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = String::from_utf8_lossy(first);
    let rest = first
        .trim_end()
        .strip_prefix("# expect:")
        .ok_or_else(|| format!("first line is not `# expect: CODE LINE:COL`: {first:?}"))?;
    let mut words = rest.split_whitespace();
    let (Some(code), Some(pos)) = (words.next(), words.next()) else {
        return Err(format!("header needs a code and a position: {first:?}"));
    };
    let (line, column) = pos
        .split_once(':')
        .and_then(|(l, c)| Some((l.parse().ok()?, c.parse().ok()?)))
        .ok_or_else(|| format!("bad position `{pos}` in header"))?;
    if !Code::ALL.iter().any(|c| c.as_str() == code) {
        return Err(format!("unknown code `{code}` in header"));
    }
    Ok(Expect {
        code: code.to_string(),
        at: LineCol { line, column },
    })
}

/// The `.route` and `.json` files and the folders directly in `dir`,
/// sorted by name.
pub fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "route" || e == "json"))
        .collect();
    out.sort();
    out
}

/// Every `.route` file under `dir`, recursively, sorted by path.
pub fn route_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "route") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// A file's text as the ruleset to check: the `# expect:` header line of a
/// `.json` file is blanked (JSON has no comments), keeping every position.
pub fn without_header(path: &Path, mut bytes: Vec<u8>) -> Vec<u8> {
    if path.extension().is_some_and(|e| e == "json") && bytes.starts_with(b"# expect:") {
        for b in bytes.iter_mut().take_while(|b| **b != b'\n') {
            *b = b' ';
        }
    }
    bytes
}

/// Short name of a corpus path, for messages.
pub fn short(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Loads a file, or every `.route` file of a folder in name order, as bytes.
pub fn load(path: &Path) -> SourceMap {
    let mut sources = SourceMap::new();
    let files = if path.is_dir() {
        entries(path)
    } else {
        vec![path.to_path_buf()]
    };
    for file in files {
        let bytes =
            fs::read(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        sources.add_bytes(short(&file), without_header(&file, bytes));
    }
    sources
}

/// Where a span starts (0:0 if it points into no file).
pub fn start(sources: &SourceMap, span: Span) -> LineCol {
    sources
        .locate(span)
        .map(|(_, start, _)| start)
        .unwrap_or(LineCol { line: 0, column: 0 })
}

/// Fails with every collected failure, or if nothing was checked at all.
pub fn finish(what: &str, checked: usize, failures: Vec<String>) {
    assert!(checked > 0, "no {what} found under {}", root().display());
    assert!(
        failures.is_empty(),
        "{} of {checked} {what} failed:\n\n{}\n",
        failures.len(),
        failures.join("\n\n")
    );
}
