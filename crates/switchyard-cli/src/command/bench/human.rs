//! The text report of `bench`, with bar charts of the rules and models
//! chosen:
//!
//! ```text
//! ruleset    rules.route (10,000 rules)
//! traffic    contexts.jsonl: 100,000 contexts
//! run        2 threads, 12 passes, 1,200,000 decisions in 3.05 s
//! speed      393,443 decisions/s
//! latency    p50 2.10 µs   p90 3.40 µs   p99 6.00 µs   max 120 µs
//!            (18,750 decisions timed one by one, about 1 in 64; clock cost 24 ns subtracted)
//! cost       $1.2340 per 1,000 requests (estimated worst case: catalog prices, prompt_tokens in, max_tokens out)
//!
//! rules chosen
//!   default  ████████████████████████████████  45.1%    541,200
//!   r12      ███▉                                5.6%     67,200
//!   ... and 9,871 more rules: 49.3% (591,600)
//!   12 rules never chosen: `vision`, `long-context`, ... and 2 more
//!
//! models chosen
//!   openai/gpt-4o-mini  ████████████████████████████████  52.0%  624,000
//! ```

use super::report::{Hits, Report};
use crate::command::traffic::unknown_keys_line;
use crate::render::chart::{bar, count, group, nanos, percent, usd};

/// Rules shown one by one; the others are summed on one line.
const TOP_RULES: usize = 15;
/// Width of the bars, in characters.
const BAR: usize = 32;

/// The report as text.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let mut row = |label: &str, text: &str| out.push_str(&format!("{label:<11}{text}\n"));
    row(
        "ruleset",
        &format!(
            "{} ({})",
            r.ruleset.path,
            count(r.ruleset.rules as u64, "rule")
        ),
    );
    let skipped = match r.traffic.skipped_lines {
        0 => String::new(),
        n => format!(" ({} skipped)", count(n as u64, "bad line")),
    };
    row(
        "traffic",
        &format!(
            "{}: {} contexts{skipped}",
            r.traffic.path,
            group(r.traffic.contexts as u64)
        ),
    );
    if let Some(line) = unknown_keys_line(&r.traffic.unknown_keys) {
        row("", &line);
    }
    row(
        "run",
        &format!(
            "{}, {}, {} decisions in {:.2} s",
            count(r.run.threads as u64, "thread"),
            passes(r.run.passes),
            group(r.run.decisions),
            r.run.seconds
        ),
    );
    row(
        "speed",
        &format!(
            "{} decisions/s",
            group(r.run.decisions_per_second.round() as u64)
        ),
    );
    let l = &r.latency;
    row(
        "latency",
        &format!(
            "p50 {}   p90 {}   p99 {}   max {}",
            nanos(l.p50),
            nanos(l.p90),
            nanos(l.p99),
            nanos(l.max)
        ),
    );
    row(
        "",
        &format!(
            "({} decisions timed one by one, about 1 in 64; clock cost {} ns subtracted)",
            group(l.samples),
            l.clock_ns
        ),
    );
    if let Some(c) = &r.cost {
        row(
            "cost",
            &format!(
                "{} per 1,000 requests (estimated worst case: catalog prices, prompt tokens in, max_tokens out)",
                usd(c.per_1000_requests_usd)
            ),
        );
        if c.unpriced > 0 {
            row(
                "",
                &format!(
                    "({} decisions left out: their model has no price in the catalog)",
                    group(c.unpriced)
                ),
            );
        }
    }
    if r.errors > 0 {
        row("errors", &format!("{} decisions failed", group(r.errors)));
    }

    out.push_str("\nrules chosen\n");
    let mut rows: Vec<(String, u64)> = r
        .rules
        .iter()
        .take(TOP_RULES)
        .map(|h| (h.name.clone(), h.count))
        .collect();
    if r.no_match > 0 {
        rows.push(("(no rule matched)".into(), r.no_match));
    }
    out.push_str(&chart(&rows, r.run.decisions));
    if let Some(rest) = r.rules.get(TOP_RULES..).filter(|rest| !rest.is_empty()) {
        let hits: u64 = rest.iter().map(|h| h.count).sum();
        out.push_str(&format!(
            "  ... and {} more rules: {} ({})\n",
            group(rest.len() as u64),
            percent(hits, r.run.decisions),
            group(hits)
        ));
    }
    if !r.never_chosen.is_empty() {
        out.push_str(&format!(
            "  {} never chosen: {}\n",
            count(r.never_chosen.len() as u64, "rule"),
            names(&r.never_chosen)
        ));
    }

    out.push_str("\nmodels chosen\n");
    out.push_str(&chart(&named(&r.models), r.run.decisions));
    out
}

/// Rules shown by name on the "never chosen" line.
const NEVER_CHOSEN_NAMED: usize = 10;

/// `` `a`, `b` ``, and how many more past [`NEVER_CHOSEN_NAMED`].
fn names(rules: &[String]) -> String {
    let mut text = rules
        .iter()
        .take(NEVER_CHOSEN_NAMED)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if rules.len() > NEVER_CHOSEN_NAMED {
        text.push_str(&format!(
            ", ... and {} more",
            group((rules.len() - NEVER_CHOSEN_NAMED) as u64)
        ));
    }
    text
}

/// `1 pass`, `12 passes`.
fn passes(n: u64) -> String {
    if n == 1 {
        "1 pass".into()
    } else {
        format!("{} passes", group(n))
    }
}

fn named(hits: &[Hits]) -> Vec<(String, u64)> {
    hits.iter().map(|h| (h.name.clone(), h.count)).collect()
}

/// One line per row: name, bar (scaled to the largest row), share of
/// `total`, count.
fn chart(rows: &[(String, u64)], total: u64) -> String {
    let width = rows
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0);
    let max = rows.iter().map(|(_, c)| *c).max().unwrap_or(0);
    let digits = group(max).len();
    rows.iter()
        .map(|(name, count)| {
            format!(
                "  {name:<width$}  {} {:>6}  {:>digits$}\n",
                bar(*count, max, BAR),
                percent(*count, total),
                group(*count)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_align_names_bars_and_counts() {
        let rows = vec![("default".to_string(), 3_000), ("r1".to_string(), 1_000)];
        let full = "█".repeat(BAR);
        // 1,000 / 3,000 of 32 characters: 10 and 5 eighths.
        let third = format!("{}▋{}", "█".repeat(10), " ".repeat(BAR - 11));
        assert_eq!(
            chart(&rows, 4_000),
            format!("  default  {full}  75.0%  3,000\n  r1       {third}  25.0%  1,000\n")
        );
    }
}
