//! A ruleset as switchyard `.route` text, the way the peers' `to_route.py`
//! writes it: a context block declaring the eight fields without defaults,
//! then one line per rule in priority order, with its priority.

use std::fmt::Write;

use crate::condition::{Condition, Literal};
use crate::field::{Field, FieldType};
use crate::ruleset::{Rule, Ruleset};

/// The `.route` text of `ruleset`.
///
/// ```
/// let text = switchyard_benches::to_route(&switchyard_benches::routing_guide());
/// assert!(text.contains("rule low-budget priority 2: when (budget_remaining < 1.0 and user_tier != \"enterprise\")"));
/// assert!(text.ends_with("rule default priority 8: otherwise -> \"openai/gpt-4o-mini\" fallback [\"meta-llama/llama-3.1-8b-instruct\"] max_tokens 1024\n"));
/// ```
pub fn to_route(ruleset: &Ruleset) -> String {
    let mut out = String::from("context {\n");
    for field in Field::ALL {
        let _ = writeln!(
            out,
            "  {}: {}",
            field.name(),
            field.field_type().route_name()
        );
    }
    out.push_str("}\n");
    for rule in ruleset.in_priority_order() {
        write_rule(&mut out, rule);
    }
    out
}

fn write_rule(out: &mut String, rule: &Rule) {
    let _ = write!(out, "rule {} priority {}: ", rule.name, rule.priority);
    match &rule.condition {
        Condition::True => out.push_str("otherwise"),
        condition => {
            out.push_str("when ");
            write_condition(out, condition);
        }
    }
    let _ = write!(out, " -> {}", quoted(&rule.model));
    if !rule.fallbacks.is_empty() {
        let fallbacks: Vec<String> = rule.fallbacks.iter().map(|m| quoted(m)).collect();
        let _ = write!(out, " fallback [{}]", fallbacks.join(", "));
    }
    let _ = writeln!(out, " max_tokens {}", rule.max_tokens);
}

fn write_condition(out: &mut String, condition: &Condition) {
    match condition {
        Condition::True => out.push_str("true"),
        Condition::And(parts) if parts.is_empty() => out.push_str("true"),
        Condition::Or(parts) if parts.is_empty() => out.push_str("false"),
        Condition::And(parts) => write_joined(out, parts, " and "),
        Condition::Or(parts) => write_joined(out, parts, " or "),
        Condition::Not(inner) => {
            out.push_str("not (");
            write_condition(out, inner);
            out.push(')');
        }
        Condition::Truthy(field) => {
            // The language tests bool fields alone; the others against
            // their zero.
            let zero = match field.field_type() {
                FieldType::Bool => "",
                FieldType::Float => " != 0.0",
                FieldType::Int => " != 0",
                FieldType::Str => " != \"\"",
            };
            let _ = write!(out, "{}{zero}", field.name());
        }
        Condition::Compare { field, op, value } => {
            let _ = write!(
                out,
                "{} {} {}",
                field.name(),
                op.symbol(),
                literal(*field, value)
            );
        }
        Condition::In { field, values } => {
            let values: Vec<String> = values.iter().map(|v| literal(*field, v)).collect();
            let _ = write!(out, "{} in [{}]", field.name(), values.join(", "));
        }
    }
}

fn write_joined(out: &mut String, parts: &[Condition], separator: &str) {
    out.push('(');
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        write_condition(out, part);
    }
    out.push(')');
}

/// A literal as `.route` text; an int compared with a float field is
/// written as a float.
fn literal(field: Field, value: &Literal) -> String {
    match value {
        Literal::Str(s) => quoted(s),
        Literal::Bool(b) => b.to_string(),
        Literal::Int(i) if field.field_type() == FieldType::Float => float(*i as f64),
        Literal::Int(i) => i.to_string(),
        Literal::Float(x) => float(*x),
    }
}

/// The shortest text that reads back as `x`, always with a decimal point
/// (`1.0`, `0.05`).
fn float(x: f64) -> String {
    format!("{x:?}")
}

/// A JSON string literal (the language's strings are JSON's).
fn quoted(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}
