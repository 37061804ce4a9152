//! `switchyard eval PATH [--context JSON|@FILE] [--explain] [--at T]
//! [--catalog FILE] [--format json|human]`: decide contexts against a
//! ruleset (loaded with the catalog, when given, for `require` and
//! `cheapest`).
//!
//! With `--context`, one context is decided. Without it, standard input is
//! read as JSON lines: one context per non-empty line, decided and printed
//! as soon as it is read, so `eval` works as a filter in a pipe.
//!
//! The json format (the default) prints one line per context: the decision
//! (docs/reference/decisions.md) or `null` when no rule matched; with `--explain`,
//! `{"decision": ..., "rules": [...]}`. A bad input line prints
//! `{"error": "...", "line": N}` in its place, so that output line K still
//! answers the K-th non-empty input line. The human format prints a block of
//! text per context and nothing for a bad line.
//!
//! Whatever the format, errors go to standard error: a bad line as
//! `error: line N: field `tier`: ...`. Warnings of the ruleset are not
//! printed (that is `check`'s job); the human format only counts them on
//! standard error.

use std::io::{self, BufRead, IsTerminal};

use serde::Serialize;
use serde_json::Value as Json;
use switchyard::{CompiledTable, Context, Decision, RuleTrace};

use crate::cli::{EvalArgs, ReportFormat};
use crate::output::{plural, Status, Stream};
use crate::render::decision as text;

/// Runs the command.
pub fn run(args: &EvalArgs) -> Status {
    let options = match super::load_options(args.catalog.as_deref(), &args.lints) {
        Ok(options) => options.with_strict_context(args.strict_context),
        Err(status) => return status,
    };
    let (table, warnings) = match super::load_ruleset(&args.path, &options) {
        Ok(loaded) => loaded,
        Err((status, _)) => return status,
    };
    let printer = Printer {
        table: &table,
        explain: args.explain,
        format: args.format,
        color: Stream::Stdout.color(),
    };
    if args.format == ReportFormat::Human && !warnings.is_empty() {
        Stream::Stderr.line(&format!(
            "note: {} in {} (run `switchyard check` to see them)",
            plural(warnings.len(), "warning"),
            args.path.display()
        ));
    }
    match &args.context {
        Some(arg) => one_context(&printer, arg, args.at),
        None => lines(&printer, args.at),
    }
}

/// `--context JSON` or `--context @FILE`.
fn one_context(printer: &Printer<'_>, arg: &str, at: Option<i64>) -> Status {
    let (what, text) = match arg.strip_prefix('@') {
        Some(file) => match std::fs::read_to_string(file) {
            Ok(text) => (format!("--context @{file}"), text),
            Err(e) => {
                Stream::Stderr.line(&format!("error: cannot read {file}: {e}"));
                return Status::Usage;
            }
        },
        None => ("--context".to_string(), arg.to_string()),
    };
    let value: Json = match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(e) => {
            Stream::Stderr.line(&format!("error: {what}: not valid JSON: {e}"));
            return Status::Usage;
        }
    };
    match printer.table.context_from_json_at(&value, at) {
        Ok(ctx) => {
            Stream::Stdout.write(&printer.print(&ctx, None));
            Status::Success
        }
        Err(e) => {
            Stream::Stderr.line(&format!("error: {what}: {e}"));
            Status::Usage
        }
    }
}

/// JSON lines on standard input.
fn lines(printer: &Printer<'_>, at: Option<i64>) -> Status {
    let stdin = io::stdin();
    if stdin.is_terminal() {
        Stream::Stderr.line("reading contexts from standard input, one JSON object per line");
    }
    let mut input = stdin.lock();
    let mut status = Status::Success;
    let mut buf = Vec::new();
    let mut number = 0usize;
    let mut decided = 0usize;
    loop {
        buf.clear();
        match input.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                Stream::Stderr.line(&format!("error: reading standard input: {e}"));
                return Status::Usage;
            }
        }
        number += 1;
        let ctx = match std::str::from_utf8(&buf) {
            Err(e) => Err(format!("not UTF-8: {e}")),
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => parse_line(printer.table, line.trim(), at),
        };
        match ctx {
            Ok(ctx) => {
                let header = (printer.format == ReportFormat::Human).then_some(number);
                if decided > 0 && header.is_some() {
                    Stream::Stdout.write("\n");
                }
                Stream::Stdout.write(&printer.print(&ctx, header));
                decided += 1;
            }
            Err(message) => {
                status = Status::Usage;
                Stream::Stderr.line(&format!("error: line {number}: {message}"));
                if printer.format == ReportFormat::Json {
                    Stream::Stdout.line(&json_line(&LineError {
                        error: &message,
                        line: number,
                    }));
                }
            }
        }
    }
    status
}

/// One input line to a context, or the message saying why not.
fn parse_line<'t>(
    table: &'t CompiledTable,
    line: &str,
    at: Option<i64>,
) -> Result<Context<'t>, String> {
    let value: Json = serde_json::from_str(line).map_err(|e| {
        // serde_json ends its message with " at line 1 column C"; within one
        // line, only the column says anything.
        let full = e.to_string();
        let position = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&position).unwrap_or(&full);
        format!("not valid JSON at column {}: {message}", e.column())
    })?;
    table
        .context_from_json_at(&value, at)
        .map_err(|e| e.to_string())
}

/// The json format's stand-in for a bad line.
#[derive(Serialize)]
struct LineError<'a> {
    error: &'a str,
    line: usize,
}

/// The json format's `--explain` object. The decision comes from `decide`,
/// so that it reads exactly as without `--explain` (same keys, same order).
#[derive(Serialize)]
struct Explained<'a> {
    decision: Option<Decision<'a>>,
    rules: &'a [RuleTrace],
}

/// How to print a context's outcome.
struct Printer<'t> {
    table: &'t CompiledTable,
    explain: bool,
    format: ReportFormat,
    color: bool,
}

impl Printer<'_> {
    /// The text for one context, ending with a line break. `line` is the
    /// input line number, shown by the human format when reading stdin.
    fn print(&self, ctx: &Context<'_>, line: Option<usize>) -> String {
        match self.format {
            ReportFormat::Json => {
                let mut out = self.json(ctx);
                out.push('\n');
                out
            }
            ReportFormat::Human => {
                let mut out = String::new();
                if let Some(n) = line {
                    out.push_str(&format!("line {n}:\n"));
                }
                out.push_str(&self.human(ctx));
                out
            }
        }
    }

    fn json(&self, ctx: &Context<'_>) -> String {
        let decided = self.table.decide(ctx);
        let result = if self.explain {
            decided.and_then(|decision| {
                let e = self.table.explain(ctx)?;
                Ok(json_line(&Explained {
                    decision,
                    rules: &e.rules,
                }))
            })
        } else {
            decided.map(|d| json_line(&d))
        };
        result.unwrap_or_else(|e| json_line(&serde_json::json!({ "error": e.to_string() })))
    }

    fn human(&self, ctx: &Context<'_>) -> String {
        let mut out = String::new();
        if self.explain {
            match self.table.explain(ctx) {
                Ok(e) => out.push_str(&text::explanation(
                    self.table.sources(),
                    &e.rules,
                    self.color,
                )),
                Err(e) => return format!("error: {e}\n"),
            }
            out.push('\n');
        }
        match self.table.decide(ctx) {
            Ok(Some(d)) => out.push_str(&text::decision(&d.to_json())),
            Ok(None) => out.push_str("no rule matched\n"),
            Err(e) => return format!("error: {e}\n"),
        }
        out
    }
}

/// `value` as one line of JSON. Serialising the evaluator's plain data
/// cannot fail; should it, the line says so rather than vanish.
fn json_line(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| {
        serde_json::json!({ "error": format!("cannot serialise the result: {e}") }).to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A free `guest-N` user matches no rule: `check` reports it (E008);
    /// loading, which skips the condition analysis, does not.
    fn table() -> CompiledTable {
        let (table, _) = CompiledTable::from_source(
            r#"
            context { tier: "free" | "pro" = "free"  user: string }
            rule pro: when tier == "pro" or not (user matches /^guest-[0-9]+$/)
              -> "anthropic/claude-3.5-sonnet" max_tokens 100
            "#,
        )
        .expect("loads");
        table
    }

    fn error_of(t: &CompiledTable, line: &str) -> String {
        match parse_line(t, line, None) {
            Ok(_) => panic!("{line} should not make a context"),
            Err(e) => e,
        }
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        let t = table();
        let err = error_of(&t, "{\"tier\": ");
        assert!(err.starts_with("not valid JSON at column 9: "), "{err}");
        assert!(!err.contains("line 1"), "{err}");
        let err = error_of(&t, r#"{"tier": "gold"}"#);
        assert!(err.contains("field `tier`"), "{err}");
        let err = error_of(&t, "[1]");
        assert!(err.contains("JSON object"), "{err}");
    }

    #[test]
    fn no_match_is_null_and_explain_puts_decision_first() {
        let t = table();
        let ctx = parse_line(&t, r#"{"user": "guest-1"}"#, Some(0)).expect("context");
        let mut p = Printer {
            table: &t,
            explain: false,
            format: ReportFormat::Json,
            color: false,
        };
        assert_eq!(p.print(&ctx, None), "null\n");
        p.explain = true;
        let out = p.print(&ctx, None);
        assert!(
            out.starts_with(r#"{"decision":null,"rules":[{"rule":"pro""#),
            "{out}"
        );
    }
}
