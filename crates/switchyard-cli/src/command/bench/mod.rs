//! `switchyard bench PATH --contexts FILE.jsonl [--catalog FILE]
//! [--threads N] [--min-time SECONDS] [--strict] [--at T]
//! [--format human|json]`: how fast a ruleset decides a traffic file, and
//! where the traffic goes.
//!
//! Stages: [`prepare`] turns every line into a context and decides it once
//! (not measured); [`measure`] runs the threads, each counting into its
//! own [`tally`]; [`report`] gathers the numbers, printed by
//! [`report::Report::json`] or [`human::render`]; [`latency`] is the
//! histogram of timed decisions.
//!
//! A progress bar (indicatif) is drawn on standard error while the run
//! lasts, when standard error is a terminal and `--min-time` is over a
//! second.

mod human;
mod latency;
mod measure;
mod prepare;
mod report;
mod tally;

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use switchyard::Context;

use crate::cli::{BenchArgs, ReportFormat};
use crate::command::traffic::{self, BadLines};
use crate::output::{Status, Stream};
use crate::render::chart::group;
use prepare::Workload;
use report::Report;

/// Runs the command.
pub fn run(args: &BenchArgs) -> Status {
    match bench(args) {
        Ok(text) => {
            Stream::Stdout.write(&text);
            Status::Success
        }
        Err(status) => status,
    }
}

/// The report's text, or the status to exit with (the reason has been
/// printed).
fn bench(args: &BenchArgs) -> Result<String, Status> {
    let options = super::load_options(args.catalog.as_deref(), &args.lints)?
        .with_strict_context(args.strict_context);
    let table = super::load_table(&args.path, &options)?;
    let mut bad = BadLines::new(args.strict);
    let lines = traffic::read(&args.contexts, &mut bad)?;
    let at = args.at.unwrap_or_else(traffic::now);
    let (w, first) = Workload::build(&table, lines, at, &mut bad);
    bad.finish(&args.contexts)?;
    traffic::require_some(w.expect.len(), &args.contexts)?;

    let threads = usize::from(args.threads.max(1));
    let mut sets = vec![first];
    sets.extend(copies(&w, threads - 1)?);

    let min_time = Duration::from_secs_f64(args.min_time);
    let bar = progress_bar(min_time);
    let mut draw = |elapsed: Duration, passes: u64| {
        if let Some(bar) = &bar {
            bar.set_position(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX));
            bar.set_message(format!("{} passes", group(passes)));
        }
    };
    let progress = bar
        .is_some()
        .then_some(&mut draw as &mut dyn FnMut(Duration, u64));
    let measured = measure::run(&w, sets, min_time, progress);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }

    let report = Report::new(
        &w,
        &measured,
        report::Ruleset {
            path: args.path.display().to_string(),
            rules: table.len(),
        },
        report::Traffic {
            path: args.contexts.display().to_string(),
            contexts: w.expect.len(),
            skipped_lines: w.skipped,
            unknown_keys: w.unknown_keys.clone(),
        },
        threads,
        options.catalog.is_some(),
    );
    Ok(match args.format {
        ReportFormat::Json => {
            let mut text = report.json();
            text.push('\n');
            text
        }
        ReportFormat::Human => human::render(&report),
    })
}

/// `n` more copies of the contexts, built at once on `n` threads.
fn copies<'t>(w: &Workload<'t>, n: usize) -> Result<Vec<Vec<Context<'t>>>, Status> {
    let built: Vec<Result<Vec<Context<'t>>, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|_| scope.spawn(|| w.rebuild_contexts()))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a thread building contexts failed".into()))
            })
            .collect()
    });
    built.into_iter().collect::<Result<_, _>>().map_err(|e| {
        Stream::Stderr.line(&format!("error: {e}"));
        Status::Usage
    })
}

/// A bar filling up over `min_time`, when standard error is a terminal and
/// the run takes over a second.
fn progress_bar(min_time: Duration) -> Option<ProgressBar> {
    if min_time <= Duration::from_secs(1) || !std::io::stderr().is_terminal() {
        return None;
    }
    let millis = u64::try_from(min_time.as_millis()).unwrap_or(u64::MAX);
    let bar = ProgressBar::with_draw_target(Some(millis), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("deciding {bar:40} {elapsed}/{duration} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}
