//! Traffic files for `bench` and `diff`: one context per line, as a JSON
//! object (JSON lines). Blank lines are ignored. A line that is not UTF-8,
//! not JSON, or does not fit a ruleset's schema is a bad line: it is
//! reported on standard error with its line number (the first
//! [`SHOWN`] of them, then how many more) and skipped, or, with
//! `--strict`, the command stops with status 2 once every line has been
//! read, before anything is decided.

use std::io::Read;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value as Json;

use crate::output::{plural, Status, Stream};

/// Bad lines reported one by one; the rest are only counted.
pub const SHOWN: usize = 20;

/// One non-blank line of a traffic file.
#[derive(Debug)]
pub struct Line {
    /// 1-based line number in the file.
    pub number: usize,
    /// The line without its line break and surrounding whitespace.
    pub text: String,
}

/// Reads the non-blank lines of `path` (`-`: standard input). Lines that
/// are not UTF-8 are reported to `bad`.
pub fn read(path: &Path, bad: &mut BadLines) -> Result<Vec<Line>, Status> {
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    if let Err(e) = read {
        Stream::Stderr.line(&format!("error: cannot read {}: {e}", path.display()));
        return Err(Status::Usage);
    }
    let mut lines = Vec::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let number = i + 1;
        match std::str::from_utf8(raw) {
            Ok(text) if text.trim().is_empty() => {}
            Ok(text) => lines.push(Line {
                number,
                text: text.trim().to_string(),
            }),
            Err(e) => bad.report(number, &format!("not UTF-8: {e}")),
        }
    }
    Ok(lines)
}

/// A line's JSON, or why it is not JSON.
pub fn parse(text: &str) -> Result<Json, String> {
    serde_json::from_str(text).map_err(|e| {
        // serde_json ends its message with " at line 1 column C"; within one
        // line, only the column says anything.
        let full = e.to_string();
        let position = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&position).unwrap_or(&full);
        format!("not valid JSON at column {}: {message}", e.column())
    })
}

/// Reports bad lines on standard error and counts them.
#[derive(Debug)]
pub struct BadLines {
    strict: bool,
    count: usize,
}

impl BadLines {
    /// A reporter; with `strict`, any bad line is fatal (see [`Self::finish`]).
    pub fn new(strict: bool) -> Self {
        BadLines { strict, count: 0 }
    }

    /// Reports line `number`: `error: line N: message` (past [`SHOWN`]
    /// lines, only counted).
    pub fn report(&mut self, number: usize, message: &str) {
        self.count += 1;
        if self.count <= SHOWN {
            Stream::Stderr.line(&format!("error: line {number}: {message}"));
        }
    }

    /// Ends the reading of `path`: says how many lines were skipped, and
    /// returns that number, or the status to stop with under `--strict`.
    pub fn finish(&self, path: &Path) -> Result<usize, Status> {
        if self.count > SHOWN {
            let more = self.count - SHOWN;
            let s = if more == 1 { "" } else { "s" };
            Stream::Stderr.line(&format!("error: ... and {more} more bad line{s}"));
        }
        if self.count == 0 {
            return Ok(0);
        }
        let lines = plural(self.count, "bad line");
        if self.strict {
            Stream::Stderr.line(&format!(
                "error: {lines} in {} (--strict): nothing decided",
                name(path)
            ));
            return Err(Status::Usage);
        }
        Stream::Stderr.line(&format!("warning: {lines} in {} skipped", name(path)));
        Ok(self.count)
    }
}

/// Stops when no line of `path` made a context.
pub fn require_some(decided: usize, path: &Path) -> Result<(), Status> {
    if decided == 0 {
        Stream::Stderr.line(&format!("error: no context to decide in {}", name(path)));
        return Err(Status::Usage);
    }
    Ok(())
}

/// How to call `path` in a message: `-` is standard input.
fn name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".into()
    } else {
        path.display().to_string()
    }
}

/// Now, in seconds since the Unix epoch: the decision time of every
/// context when `--at` is not given, read once so that all of them agree.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_name_the_column_only() {
        let err = parse("{\"tier\": ").err().unwrap_or_default();
        assert!(err.starts_with("not valid JSON at column 9: "), "{err}");
        assert!(!err.contains("line 1"), "{err}");
    }

    #[test]
    fn strictness_decides_the_outcome() {
        let mut lenient = BadLines::new(false);
        lenient.count = 2;
        assert_eq!(lenient.finish(Path::new("t.jsonl")), Ok(2));
        let mut strict = BadLines::new(true);
        assert_eq!(strict.finish(Path::new("t.jsonl")), Ok(0));
        strict.count = 1;
        assert_eq!(strict.finish(Path::new("t.jsonl")), Err(Status::Usage));
    }
}

/// The keys of a traffic's contexts that a ruleset does not declare, with
/// how many contexts gave each: without `--strict-context` they are
/// ignored, which is worth knowing (`{"tsk": "code"}` routes as if no task
/// were given).
#[derive(Debug, Default)]
pub struct UnknownKeys(std::collections::BTreeMap<String, u64>);

/// One key the ruleset does not declare, and how many contexts gave it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct UnknownKey {
    /// The key.
    pub key: String,
    /// The contexts that gave it.
    pub contexts: u64,
}

impl UnknownKeys {
    /// Counts the keys of `json` that `table` does not declare.
    pub fn note(&mut self, table: &switchyard::CompiledTable, json: &Json) {
        if let Json::Object(map) = json {
            for key in map.keys() {
                if table.field(key).is_err() {
                    *self.0.entry(key.clone()).or_default() += 1;
                }
            }
        }
    }

    /// The keys, the most frequent first.
    pub fn finish(self) -> Vec<UnknownKey> {
        let mut keys: Vec<UnknownKey> = self
            .0
            .into_iter()
            .map(|(key, contexts)| UnknownKey { key, contexts })
            .collect();
        keys.sort_by(|a, b| b.contexts.cmp(&a.contexts).then_with(|| a.key.cmp(&b.key)));
        keys
    }
}

/// The human line for unknown keys (`None` when there are none): the
/// first few with their counts.
pub fn unknown_keys_line(keys: &[UnknownKey]) -> Option<String> {
    const LISTED: usize = 8;
    if keys.is_empty() {
        return None;
    }
    let mut listed: Vec<String> = keys
        .iter()
        .take(LISTED)
        .map(|k| format!("`{}` in {}", k.key, plural(k.contexts as usize, "context")))
        .collect();
    if keys.len() > LISTED {
        listed.push(format!("{} more", keys.len() - LISTED));
    }
    Some(format!(
        "not declared by the ruleset, ignored (--strict-context refuses them): {}",
        listed.join(", ")
    ))
}
