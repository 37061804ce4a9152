//! The Markdown format of `diff`, for a pull-request comment (GitHub
//! Flavored Markdown): a summary line, the transitions as a table, the model
//! share as a table, the cost change, and the example lines folded in a
//! `<details>` block.
//!
//! ```markdown
//! ### switchyard diff: 12 of 40 decisions change (30.0%)
//!
//! `v1.route` → `v2.route` over 40 contexts of `traffic.jsonl` (1 bad line skipped)
//!
//! | decisions | rule | model |
//! | ---: | --- | --- |
//! | 5 | `free-tier` → `free-multimodal` | `google/gemma-2-9b-it:free` → `google/gemini-2.0-flash-001` |
//!
//! | model | before | after | change |
//! | --- | ---: | ---: | ---: |
//! | `openai/gpt-4o-mini` | 20 (50.0%) | 15 (37.5%) | −12.5 pp |
//!
//! **Estimated worst-case cost per 1,000 requests:** $0.1234 → $0.2345 (+$0.1111, +90.0%)
//! ```

use crate::command::traffic::unknown_keys_line;
use std::fmt::Write;

use super::report::{shorten, Report, Route, Transition};
use crate::render::chart::{count, group, percent, usd};

/// Longest example line shown, in characters.
const EXAMPLE: usize = 200;

/// The report as Markdown.
pub fn render(r: &Report) -> String {
    let n = r.changed + r.unchanged;
    let mut out = String::new();
    if r.changed == 0 {
        let _ = writeln!(out, "### switchyard diff: no decision changes\n");
    } else {
        let _ = writeln!(
            out,
            "### switchyard diff: {} of {} decisions change ({})\n",
            group(r.changed),
            group(n),
            percent(r.changed, n)
        );
    }
    let skipped = match r.traffic.skipped_lines {
        0 => String::new(),
        k => format!(" ({} skipped)", count(k as u64, "bad line")),
    };
    let _ = writeln!(
        out,
        "{} → {} over {} contexts of {}{skipped}\n",
        code(&r.old),
        code(&r.new),
        group(n),
        code(&r.traffic.path)
    );
    if let Some(line) = unknown_keys_line(&r.traffic.unknown_keys) {
        let _ = writeln!(out, "{line}\n");
    }

    if !r.transitions.is_empty() {
        out.push_str("| decisions | rule | model |\n| ---: | --- | --- |\n");
        for t in &r.transitions {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                group(t.count),
                cell(&rules(t)),
                cell(&models(t))
            );
        }
        out.push('\n');
    }

    out.push_str("| model | before | after | change |\n| --- | ---: | ---: | ---: |\n");
    for m in &r.models {
        let name = m.model.as_deref().map_or("(no match)".into(), code);
        let change = (m.after_share - m.before_share) * 100.0;
        let _ = writeln!(
            out,
            "| {} | {} ({}) | {} ({}) | {} pp |",
            cell(&name),
            group(m.before),
            percent(m.before, n),
            group(m.after),
            percent(m.after, n),
            signed(change, 1)
        );
    }

    if let Some(c) = &r.cost {
        let change = c
            .change
            .map(|x| format!(", {}%", signed(x * 100.0, 1)))
            .unwrap_or_default();
        let delta = if c.delta_usd >= 0.0 {
            format!("+{}", usd(c.delta_usd))
        } else {
            usd(c.delta_usd).replacen('-', "−", 1)
        };
        let _ = writeln!(
            out,
            "\n**Estimated worst-case cost per 1,000 requests:** {} → {} ({delta}{change})",
            usd(c.before_per_1000_requests_usd),
            usd(c.after_per_1000_requests_usd),
        );
    }

    if r.transitions.iter().any(|t| !t.examples.is_empty()) {
        out.push_str("\n<details><summary>Examples</summary>\n\n");
        for t in &r.transitions {
            let _ = writeln!(out, "**{}**, {}\n", rules(t), models(t));
            for e in &t.examples {
                let _ = writeln!(
                    out,
                    "- line {}: {}",
                    e.line,
                    code(&shorten(&e.context, EXAMPLE))
                );
            }
            out.push('\n');
        }
        out.push_str("</details>\n");
    }
    out
}

/// `` `a` → `b` ``, or `` `a` `` when the rule did not change.
fn rules(t: &Transition) -> String {
    arrow(&t.from, &t.to, |r| code(&r.rule_label()))
}

/// The model change, and the fallbacks when they changed.
fn models(t: &Transition) -> String {
    let mut text = arrow(&t.from, &t.to, |r| code(r.model_label()));
    if t.from.fallbacks != t.to.fallbacks {
        text.push_str(&format!(
            ", fallbacks {} → {}",
            code(&t.from.fallbacks_label()),
            code(&t.to.fallbacks_label())
        ));
    }
    text
}

fn arrow(from: &Route, to: &Route, show: impl Fn(&Route) -> String) -> String {
    let (a, b) = (show(from), show(to));
    if a == b {
        format!("{a} (same)")
    } else {
        format!("{a} → {b}")
    }
}

/// `text` as a code span, with a fence longer than any run of backticks in
/// it.
fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Text for a table cell: a `|` would end the cell, even in a code span.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// `+1.5` or `−1.5` (a minus sign, as typeset).
fn signed(x: f64, decimals: usize) -> String {
    let text = format!("{:.decimals$}", x.abs());
    if text.trim_start_matches(['0', '.']).is_empty() {
        return text;
    }
    if x < 0.0 {
        format!("−{text}")
    } else {
        format!("+{text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("gpt-4o"), "`gpt-4o`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(cell(&code("a|b")), "`a\\|b`");
    }

    #[test]
    fn signs_are_typeset() {
        assert_eq!(signed(12.5, 1), "+12.5");
        assert_eq!(signed(-12.5, 1), "−12.5");
        assert_eq!(signed(0.0, 1), "0.0");
        assert_eq!(signed(-0.01, 1), "0.0");
    }
}
