//! `switchyard diff OLD NEW --contexts FILE.jsonl [--catalog FILE]
//! [--examples N] [--fail-on-change] [--strict] [--at T]
//! [--format human|json|markdown]`: replay a traffic file through two
//! rulesets and report the decisions that change.
//!
//! Each line is decided by both rulesets, each building its own context
//! from the JSON (the schemas may differ), at one fixed time. A decision
//! changes when its rule, split arm, model or fallbacks change. The
//! [`report`] is printed by [`human`], [`markdown`] or as JSON.
//!
//! Exit status: 0 whatever changed, unless `--fail-on-change` (1 when
//! something changed); 1 when a ruleset has errors; 2 for unreadable input,
//! no context, or a bad line under `--strict`.

mod human;
mod markdown;
mod report;

use std::path::Path;

use serde_json::Value as Json;
use switchyard::CompiledTable;

use crate::cli::{DiffArgs, DiffFormat};
use crate::command::traffic::{self, BadLines};
use crate::output::{Status, Stream};
use report::{Example, Report, Route, Tally};

/// Runs the command.
pub fn run(args: &DiffArgs) -> Status {
    match diff(args) {
        Ok(report) => {
            let text = match args.format {
                DiffFormat::Human => human::render(&report),
                DiffFormat::Markdown => markdown::render(&report),
                DiffFormat::Json => json(&report),
            };
            Stream::Stdout.write(&text);
            if args.fail_on_change && report.changed > 0 {
                Status::Findings
            } else {
                Status::Success
            }
        }
        Err(status) => status,
    }
}

/// Compares the rulesets over the traffic; failures are reported on
/// standard error and come back as the status to exit with.
fn diff(args: &DiffArgs) -> Result<Report, Status> {
    let options = super::load_options(args.catalog.as_deref(), &args.lints)?
        .with_strict_context(args.strict_context);
    let old = super::load_table(&args.old, &options)?;
    let new = super::load_table(&args.new, &options)?;
    let mut bad = BadLines::new(args.strict);
    let lines = traffic::read(&args.contexts, &mut bad)?;
    let at = args.at.unwrap_or_else(traffic::now);

    let mut tally = Tally::default();
    let mut unknown = traffic::UnknownKeys::default();
    let mut compared = 0usize;
    for line in lines {
        let outcome = traffic::parse(&line.text).and_then(|json| {
            unknown.note(&new, &json);
            let before = route(&old, &args.old, &json, at)?;
            let after = route(&new, &args.new, &json, at)?;
            Ok((before, after))
        });
        match outcome {
            Ok((before, after)) => {
                let example = Example {
                    line: line.number,
                    context: line.text,
                };
                tally.add(example, before, after, args.examples);
                compared += 1;
            }
            Err(message) => bad.report(line.number, &message),
        }
    }
    let skipped = bad.finish(&args.contexts)?;
    traffic::require_some(compared, &args.contexts)?;
    Ok(tally.finish(
        args.old.display().to_string(),
        args.new.display().to_string(),
        report::Traffic {
            path: args.contexts.display().to_string(),
            contexts: compared,
            skipped_lines: skipped,
            unknown_keys: unknown.finish(),
        },
        options.catalog.is_some(),
    ))
}

/// Where `table` routes the context `json`, and the cost estimate; an
/// error names the ruleset.
fn route(
    table: &CompiledTable,
    path: &Path,
    json: &Json,
    at: i64,
) -> Result<(Route, Option<f64>), String> {
    let ctx = table
        .context_from_json_at(json, Some(at))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let decision = table
        .decide(&ctx)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((
        Route::of(decision.as_ref()),
        decision.and_then(|d| d.est_max_cost_usd()),
    ))
}

/// The JSON format: one object on one line.
fn json(report: &Report) -> String {
    let mut text = serde_json::to_string(report).unwrap_or_else(|e| {
        serde_json::json!({ "error": format!("cannot serialise the report: {e}") }).to_string()
    });
    text.push('\n');
    text
}
