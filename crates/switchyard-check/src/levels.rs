//! Which warnings a check reports, and how seriously: the levels a run
//! sets (`--allow`, `--warn`, `--deny` on the command line), and the
//! `# switchyard: allow(CODE)` and `# switchyard: allow-file(CODE)` comments
//! that allow a warning on one statement or in one file
//! (docs/reference/allows.md). A comment wins over the run's level, so a
//! file can allow what CI denies; an allow that allows nothing is W110,
//! a comment that cannot be applied W111.

use std::collections::BTreeMap;

use switchyard_syntax::ast::{Item, RuleFile};
use switchyard_syntax::{Code, Diagnostic, FileId, Severity, Span, ToDiagnostic};

use crate::error::{CheckWarning, DirectiveProblem};

/// What a run does with the diagnostics of one code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning.
    Warn,
    /// Reported as an error: the ruleset does not load.
    Deny,
}

/// The levels a run gives some codes; the others keep their severity.
/// Errors always stay errors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Levels(BTreeMap<Code, Level>);

/// A level given to a code that cannot take one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is an error: only warnings and notes can be allowed, warned or denied")]
pub struct NotALint(pub Code);

impl Levels {
    /// No code changed.
    pub fn new() -> Self {
        Levels::default()
    }

    /// Sets the level of `code` (a later call for the same code wins).
    pub fn set(&mut self, code: Code, level: Level) -> Result<(), NotALint> {
        if code.severity() == Severity::Error {
            return Err(NotALint(code));
        }
        self.0.insert(code, level);
        Ok(())
    }

    /// The level set for `code`, if any.
    pub fn get(&self, code: Code) -> Option<Level> {
        self.0.get(&code).copied()
    }

    /// `d` at its level: `None` when allowed.
    fn apply(&self, mut d: Diagnostic) -> Option<Diagnostic> {
        if d.code.severity() == Severity::Error {
            return Some(d);
        }
        match self.get(d.code) {
            Some(Level::Allow) => None,
            Some(Level::Warn) => {
                d.severity = Severity::Warning;
                Some(d)
            }
            Some(Level::Deny) => {
                d.severity = Severity::Error;
                Some(d)
            }
            None => Some(d),
        }
    }
}

/// One code allowed by a comment, where it applies, and whether it allowed
/// something.
struct Allow {
    code: Code,
    comment: Span,
    /// The file, and the byte range of the statement (or context field) it
    /// covers; `None` for the whole file.
    file: FileId,
    range: Option<(u32, u32)>,
    used: bool,
}

impl Allow {
    fn covers(&self, d: &Diagnostic) -> bool {
        d.code == self.code
            && d.span.file == self.file
            && self
                .range
                .is_none_or(|(start, end)| (start..=end).contains(&d.span.start))
    }
}

/// The statements and context fields of a file: what a statement allow
/// covers.
fn units(file: &RuleFile) -> Vec<Span> {
    let mut units = Vec::new();
    for item in &file.items {
        units.push(item.span);
        if let Item::Context(fields) = &item.node {
            units.extend(fields.iter().map(|f| f.span));
        }
    }
    units.sort_by_key(|s| s.start);
    units
}

/// Reads the `# switchyard:` comments of `files`: the allows, and a W111
/// for each comment that cannot be applied.
fn read_allows(files: &[RuleFile]) -> (Vec<Allow>, Vec<Diagnostic>) {
    let mut allows = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        // Only files with a directive need their statements listed.
        let mut units_of_file: Option<Vec<Span>> = None;
        for comment in &file.comments {
            let Some(text) = comment.text.trim().strip_prefix("switchyard:") else {
                continue;
            };
            let units = units_of_file.get_or_insert_with(|| units(file));
            let text = text.trim();
            let (file_wide, codes) = if let Some(rest) = text.strip_prefix("allow-file(") {
                (true, rest.strip_suffix(')'))
            } else if let Some(rest) = text.strip_prefix("allow(") {
                (false, rest.strip_suffix(')'))
            } else {
                (false, None)
            };
            let Some(codes) = codes else {
                problems.push(bad(
                    comment.span,
                    DirectiveProblem::Syntax { text: text.into() },
                ));
                continue;
            };
            // A comment on a line of its own applies to the next statement
            // (or field); one after code, to the innermost statement (or
            // field) written on its line.
            let unit = match (file_wide, comment.code_before) {
                (true, _) => None,
                (false, None) => units.iter().find(|u| u.start >= comment.span.end),
                (false, Some(line)) => units
                    .iter()
                    .rev()
                    .find(|u| u.start < comment.span.start && u.end > line.start),
            };
            for code in codes.split(',').map(str::trim) {
                match Code::parse(code) {
                    Some(c) if c.severity() == Severity::Error => {
                        problems.push(bad(comment.span, DirectiveProblem::NotAWarning(c)));
                    }
                    Some(c) => allows.push(Allow {
                        code: c,
                        comment: comment.span,
                        file: file.file,
                        range: if file_wide {
                            None
                        } else {
                            // No statement after it: an empty range, so
                            // the allow covers nothing (W110).
                            Some(unit.map_or((1, 0), |u| (u.start, u.end)))
                        },
                        used: false,
                    }),
                    None => {
                        let names = Code::ALL.iter().map(|c| c.as_str());
                        let suggestion = switchyard_syntax::nearest(code, names)
                            .and_then(Code::parse)
                            .or_else(|| Code::parse(&code.to_ascii_uppercase()));
                        problems.push(bad(
                            comment.span,
                            DirectiveProblem::UnknownCode {
                                code: code.into(),
                                suggestion,
                            },
                        ));
                    }
                }
            }
        }
    }
    (allows, problems)
}

fn bad(span: Span, problem: DirectiveProblem) -> Diagnostic {
    CheckWarning::BadDirective { span, problem }.to_diagnostic()
}

/// Applies the comments of `files` and the run's `levels` to
/// `diagnostics`. `could_report` says whether this check could have found
/// a code at all (the analysis's codes when it ran, W104 with a catalog):
/// an allow of a code it could not report is not W110. Nor is any when
/// the check found errors, which stop later passes.
pub(crate) fn apply(
    files: &[RuleFile],
    diagnostics: Vec<Diagnostic>,
    levels: &Levels,
    could_report: impl Fn(Code) -> bool,
) -> Vec<Diagnostic> {
    let (mut allows, problems) = read_allows(files);
    let failed = diagnostics
        .iter()
        .any(|d| d.code.severity() == Severity::Error);
    let mut out = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        if d.code.severity() != Severity::Error {
            if let Some(allow) = allows.iter_mut().find(|a| a.covers(&d)) {
                allow.used = true;
                continue;
            }
        }
        out.extend(levels.apply(d));
    }
    let unused = allows
        .iter()
        .filter(|a| !a.used && !failed && could_report(a.code))
        .map(|a| {
            CheckWarning::UnusedAllow {
                span: a.comment,
                code: a.code,
                file_wide: a.range.is_none(),
            }
            .to_diagnostic()
        });
    let extra: Vec<Diagnostic> = problems.into_iter().chain(unused).collect();
    out.extend(extra.into_iter().filter_map(|d| levels.apply(d)));
    out.sort_by_key(|d| (d.span.file, d.span.start, d.span.end));
    out
}
