//! The text format of `diff`:
//!
//! ```text
//! old        v1.route
//! new        v2.route
//! traffic    traffic.jsonl: 40 contexts (1 bad line skipped)
//! changed    12 of 40 decisions (30.0%)
//! cost       $0.1234 -> $0.2345 per 1,000 requests (+$0.1111, +90.0%; estimated worst case)
//!
//! transitions
//!   5  free-tier -> free-multimodal
//!      model google/gemma-2-9b-it:free -> google/gemini-2.0-flash-001
//!      line 3: {"tier":"free","needs_tools":true}
//!
//! models                     before        after   change
//!   openai/gpt-4o-mini     20  50.0%    15  37.5%   -12.5 pp
//! ```

use std::fmt::Write;

use super::report::{shorten, Report, Transition};
use crate::command::traffic::unknown_keys_line;
use crate::render::chart::{count, group, percent, usd};

/// Longest example line shown, in characters.
const EXAMPLE: usize = 160;

/// The report as text.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let n = r.changed + r.unchanged;
    let mut row = |label: &str, text: &str| {
        let _ = writeln!(out, "{label:<11}{text}");
    };
    row("old", &r.old);
    row("new", &r.new);
    let skipped = match r.traffic.skipped_lines {
        0 => String::new(),
        k => format!(" ({} skipped)", count(k as u64, "bad line")),
    };
    row(
        "traffic",
        &format!("{}: {} contexts{skipped}", r.traffic.path, group(n)),
    );
    if let Some(line) = unknown_keys_line(&r.traffic.unknown_keys) {
        row("", &line);
    }
    row(
        "changed",
        &format!(
            "{} of {} decisions ({})",
            group(r.changed),
            group(n),
            percent(r.changed, n)
        ),
    );
    if let Some(c) = &r.cost {
        let change = c
            .change
            .map(|x| format!(", {:+.1}%", x * 100.0))
            .unwrap_or_default();
        let sign = if c.delta_usd >= 0.0 { "+" } else { "" };
        row(
            "cost",
            &format!(
                "{} -> {} per 1,000 requests ({sign}{}{change}; estimated worst case)",
                usd(c.before_per_1000_requests_usd),
                usd(c.after_per_1000_requests_usd),
                usd(c.delta_usd)
            ),
        );
    }

    if !r.transitions.is_empty() {
        out.push_str("\ntransitions\n");
        let width = group(r.transitions.first().map_or(0, |t| t.count)).len();
        for t in &r.transitions {
            transition(&mut out, t, width);
        }
    }

    out.push_str(&models(r, n));
    out
}

/// A transition: count, what changed, example lines.
fn transition(out: &mut String, t: &Transition, width: usize) {
    let indent = " ".repeat(width + 4);
    let (from, to) = (&t.from, &t.to);
    let rules = if from.rule_label() == to.rule_label() {
        format!("{} (same rule)", from.rule_label())
    } else {
        format!("{} -> {}", from.rule_label(), to.rule_label())
    };
    let _ = writeln!(out, "  {:>width$}  {rules}", group(t.count));
    if from.model != to.model {
        let _ = writeln!(
            out,
            "{indent}model {} -> {}",
            from.model_label(),
            to.model_label()
        );
    }
    if from.fallbacks != to.fallbacks {
        let _ = writeln!(
            out,
            "{indent}fallbacks {} -> {}",
            from.fallbacks_label(),
            to.fallbacks_label()
        );
    }
    for e in &t.examples {
        let _ = writeln!(
            out,
            "{indent}line {}: {}",
            e.line,
            shorten(&e.context, EXAMPLE)
        );
    }
}

/// The model share table.
fn models(r: &Report, n: u64) -> String {
    let names: Vec<&str> = r
        .models
        .iter()
        .map(|m| m.model.as_deref().unwrap_or("(no match)"))
        .collect();
    let width = names.iter().map(|s| s.chars().count()).max().unwrap_or(0);
    let digits = group(n).len();
    // A side: the count, two spaces, the share (at most `100.0%`).
    let side = digits + 2 + 6;
    let mut out = format!(
        "\n{:<w$}{:>side$}   {:>side$}   change\n",
        "models",
        "before",
        "after",
        w = width + 4
    );
    for (m, name) in r.models.iter().zip(names) {
        let change = (m.after_share - m.before_share) * 100.0;
        let _ = writeln!(
            out,
            "  {name:<width$}  {:>digits$}  {:>6}   {:>digits$}  {:>6}   {:+.1} pp",
            group(m.before),
            percent(m.before, n),
            group(m.after),
            percent(m.after, n),
            change
        );
    }
    out
}
