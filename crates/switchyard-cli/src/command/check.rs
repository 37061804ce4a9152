//! `switchyard check PATH... [--format F] [--deny-warnings] [--catalog FILE]`:
//! read (`-`: standard input), parse and check each ruleset as loading does, with the condition
//! analysis (W101, W102, E008, N201) on top, and print its diagnostics on
//! standard output.
//!
//! In the human format, a summary line per ruleset goes to standard error
//! (`error: 2 errors, 1 warning in rules/`, `ok: rules/main.route`), so that
//! standard output holds the diagnostics alone. The other formats print one
//! document covering every ruleset and no summary.

use std::path::Path;

use switchyard::AnalysisOptions;
use switchyard::LoadOptions;
use switchyard::{Diagnostic, Severity, SourceMap};

use crate::cli::{CheckArgs, Format};
use crate::output::{plural, Status, Stream};
use switchyard::render::{self, Item};

/// One ruleset's sources and diagnostics.
struct Outcome {
    sources: SourceMap,
    diagnostics: Vec<Diagnostic>,
}

impl Outcome {
    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == severity)
            .count()
    }

    fn status(&self, deny_warnings: bool) -> Status {
        if self.count(Severity::Error) > 0 || (deny_warnings && self.count(Severity::Warning) > 0) {
            Status::Findings
        } else {
            Status::Success
        }
    }

    fn items(&self) -> Vec<Item<'_>> {
        render::items(&self.sources, &self.diagnostics)
    }
}

/// Runs the command.
pub fn run(args: &CheckArgs) -> Status {
    let format = match Format::chosen(args.format) {
        Ok(format) => format,
        Err(message) => {
            Stream::Stderr.line(&format!("error: {message}"));
            return Status::Usage;
        }
    };
    let human = format == Format::Human;
    let color = Stream::Stdout.color();
    let mut status = Status::Success;
    let mut outcomes = Vec::new();
    // What every command loads with, and the condition analysis.
    let options = match super::load_options(args.catalog.as_deref(), &args.lints) {
        Ok(options) => options.with_analysis(AnalysisOptions::default()),
        Err(status) => return status,
    };

    for path in &args.paths {
        let outcome = match check_path(path, &options) {
            Ok(outcome) => outcome,
            Err(message) => {
                Stream::Stderr.line(&format!("error: {message}"));
                status = status.max(Status::Usage);
                continue;
            }
        };
        status = status.max(outcome.status(args.deny_warnings));
        if human {
            Stream::Stdout.write(&render::human::render(&outcome.items(), color));
            let shown = if path.as_os_str() == "-" {
                Path::new(super::STDIN_NAME)
            } else {
                path
            };
            Stream::Stderr.line(&summary(shown, &outcome, args.deny_warnings));
        } else {
            outcomes.push(outcome);
        }
    }

    if !human {
        let items: Vec<Item<'_>> = outcomes.iter().flat_map(Outcome::items).collect();
        Stream::Stdout.write(&crate::render::diagnostics(format, &items, color));
    }
    status
}

/// Reads one ruleset, then parses and checks it as loading does. `Err` is
/// a read failure, reported as bad input.
fn check_path(path: &Path, options: &LoadOptions) -> Result<Outcome, String> {
    let sources = if path.as_os_str() == "-" {
        super::read_stdin(&options.limits)?
    } else {
        SourceMap::load(path, options.limits.max_file_bytes).map_err(|e| e.to_string())?
    };
    let diagnostics = switchyard::check(&sources, options).diagnostics;
    Ok(Outcome {
        sources,
        diagnostics,
    })
}

/// The human format's last line for one ruleset.
fn summary(path: &Path, outcome: &Outcome, deny_warnings: bool) -> String {
    let errors = outcome.count(Severity::Error);
    let warnings = outcome.count(Severity::Warning);
    let notes = outcome.count(Severity::Note);
    let mut counts = Vec::new();
    if errors > 0 {
        counts.push(plural(errors, "error"));
    }
    if warnings > 0 {
        counts.push(plural(warnings, "warning"));
    }
    if notes > 0 {
        counts.push(plural(notes, "note"));
    }
    let counts = counts.join(", ");
    let path = path.display();
    if errors > 0 {
        format!("error: {counts} in {path}")
    } else if deny_warnings && warnings > 0 {
        format!("error: {counts} in {path} (warnings denied)")
    } else if warnings > 0 || notes > 0 {
        format!("warning: {counts} in {path}")
    } else {
        format!("ok: {path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchyard::{Code, Span};

    fn outcome(codes: &[Code]) -> Outcome {
        let mut sources = SourceMap::new();
        let id = sources.add("a.route", "rule a: otherwise -> m\n");
        let diagnostics = codes
            .iter()
            .map(|&c| Diagnostic::new(c, "x", Span::new(id, 0, 4)))
            .collect();
        Outcome {
            sources,
            diagnostics,
        }
    }

    #[test]
    fn summaries() {
        let p = Path::new("rules");
        let both = outcome(&[Code::E004, Code::E005, Code::W106]);
        assert_eq!(
            summary(p, &both, false),
            "error: 2 errors, 1 warning in rules"
        );
        let warn = outcome(&[Code::W106]);
        assert_eq!(summary(p, &warn, false), "warning: 1 warning in rules");
        assert_eq!(
            summary(p, &warn, true),
            "error: 1 warning in rules (warnings denied)"
        );
        assert_eq!(summary(p, &outcome(&[]), false), "ok: rules");
    }

    #[test]
    fn statuses() {
        assert_eq!(outcome(&[]).status(true), Status::Success);
        assert_eq!(outcome(&[Code::W106]).status(false), Status::Success);
        assert_eq!(outcome(&[Code::W106]).status(true), Status::Findings);
        assert_eq!(outcome(&[Code::N201]).status(true), Status::Success);
        assert_eq!(outcome(&[Code::E001]).status(false), Status::Findings);
    }
}
