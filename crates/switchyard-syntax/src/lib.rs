//! The switchyard rule language: source files, spans, the syntax tree, the
//! parser and the formatter. This crate knows nothing of evaluation: names
//! are resolved and types checked by `switchyard-check`.
//!
//! ```
//! use switchyard_syntax::{parse, FileId, Limits, ast::Item};
//! let file = parse(r#"rule default: otherwise -> "openai/gpt-4o-mini""#, FileId(0), &Limits::default())
//!     .expect("parses");
//! assert!(matches!(file.items[0].node, Item::Rule(_)));
//! ```

// The parser pest generates names `::alloc` when pest is built without its
// `std` feature (see the workspace Cargo.toml for why it is).
extern crate alloc;

pub mod ast;
mod diagnostic;
mod error;
mod grammar;
mod json;
mod keywords;
mod limits;
mod lower;
mod parallel;
mod print;
mod scan;
mod source;
mod span;

pub use diagnostic::{nearest, Code, Diagnostic, Label, Severity, ToDiagnostic};
pub use error::{LimitKind, ParseError, ParseErrors};
pub use json::{convert, is_json_name, parse_json, to_json, Form, JsonPaths};
pub use keywords::KEYWORDS;
pub use limits::Limits;
pub use print::{format_source, print};
pub use source::{is_ruleset_file, LoadError, SourceFile, SourceMap};
pub use span::{FileId, LineCol, LineIndex, Span, Spanned};

/// Bounds the work pest may do on one statement (`None`: unbounded, the
/// default). The bound is process-wide, so only a binary should set it,
/// never a library; the scanner already bounds nesting depth for everyone.
pub fn set_call_limit(limit: Option<std::num::NonZeroUsize>) {
    pest::set_call_limit(limit);
}

/// Parses one file's text.
///
/// Every statement is parsed even when an earlier one fails, so the error
/// list names every syntax error of the file.
pub fn parse(src: &str, file: FileId, limits: &Limits) -> Result<ast::RuleFile, ParseErrors> {
    lower::parse_file(src, file, limits)
}

/// Parses every file of a ruleset, enforcing the limits across all of them
/// (file size, invalid UTF-8, total number of rules).
///
/// Every file is scanned before any is parsed: when the ruleset has more
/// rules than the limit, the answer is the scans' errors (the first rule
/// past the limit, once, and what else the scans found) and nothing is
/// parsed, so a ruleset of a million rules costs one scan of its text.
pub fn parse_sources(
    sources: &SourceMap,
    limits: &Limits,
) -> Result<Vec<ast::RuleFile>, ParseErrors> {
    let mut scanned = Vec::new();
    let mut json = Vec::new();
    let mut errors = Vec::new();
    let mut rules = 0usize;
    for (id, file) in sources.files() {
        if file.byte_len() > limits.max_file_bytes {
            errors.push(ParseError::Limit {
                span: Span::new(id, 0, 0),
                kind: LimitKind::FileSize,
                limit: limits.max_file_bytes,
                found: file.byte_len(),
            });
            continue;
        }
        if let Some(at) = file.invalid_utf8_at() {
            errors.push(ParseError::InvalidUtf8 {
                span: Span::new(id, at, at + 1),
            });
            continue;
        }
        let remaining = Limits {
            max_rules: limits.max_rules.saturating_sub(rules),
            ..*limits
        };
        if is_json_name(file.name()) {
            match parse_json(file.text(), id, &remaining) {
                Ok(parsed) => {
                    let count = parsed
                        .items
                        .iter()
                        .filter(|i| matches!(i.node, ast::Item::Rule(_)))
                        .count();
                    rules = rules.saturating_add(count);
                    if rules > limits.max_rules {
                        errors.push(ParseError::Limit {
                            span: Span::new(id, 0, 0),
                            kind: LimitKind::Rules,
                            limit: limits.max_rules,
                            found: rules,
                        });
                    }
                    json.push(parsed);
                }
                Err(e) => errors.extend(e.into_vec()),
            }
            continue;
        }
        let mut scan = scan::scan(file.text(), id, &remaining);
        // The scan counted from zero against what the earlier files left:
        // report the ruleset's numbers.
        for e in &mut scan.errors {
            if let ParseError::Limit {
                kind: LimitKind::Rules,
                limit,
                found,
                ..
            } = e
            {
                *limit = limits.max_rules;
                *found = found.saturating_add(rules);
            }
        }
        rules = rules.saturating_add(scan.rules);
        scanned.push((id, file, remaining, scan));
    }
    let mut files = Vec::new();
    if rules > limits.max_rules {
        // The scans' errors, with the first rule past the limit reported
        // once for the ruleset.
        let mut past_limit = false;
        for (_, _, _, scan) in scanned {
            for e in scan.errors {
                let rules_error = matches!(
                    e,
                    ParseError::Limit {
                        kind: LimitKind::Rules,
                        ..
                    }
                );
                if !(rules_error && std::mem::replace(&mut past_limit, true)) {
                    errors.push(e);
                }
            }
        }
    } else {
        for (id, file, remaining, scan) in scanned {
            match lower::parse_scanned(file.text(), id, &remaining, scan, None) {
                Ok(parsed) => files.push(parsed),
                Err(e) => errors.extend(e.into_vec()),
            }
        }
    }
    // Files in JSON were parsed as they were met: put every file back in
    // the ruleset's order.
    files.extend(json);
    files.sort_by_key(|f| f.file);
    match ParseErrors::new(errors) {
        Some(e) => Err(e),
        None => Ok(files),
    }
}
