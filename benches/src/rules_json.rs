//! Rules as the peers' JSON (`{"rules": [{name, priority, condition,
//! model, fallbacks, max_tokens}]}`, conditions as `{"op": ...}` trees),
//! for engines outside this workspace: the Python benchmark
//! (`python/bench/bench_decide.py`) builds the routing guide's
//! `RoutingRule` lambdas from it.

use serde_json::{json, Value as Json};

use crate::condition::{CompareOp, Condition, Literal};
use crate::ruleset::Ruleset;

/// The ruleset as the peers' JSON.
///
/// ```
/// let rules = switchyard_benches::to_json(&switchyard_benches::routing_guide());
/// assert_eq!(rules["rules"][0]["condition"],
///     serde_json::json!({"op": "eq", "field": "user_tier", "value": "free"}));
/// ```
pub fn to_json(ruleset: &Ruleset) -> Json {
    let rules: Vec<Json> = ruleset
        .rules
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "priority": r.priority,
                "condition": condition(&r.condition),
                "model": r.model,
                "fallbacks": r.fallbacks,
                "max_tokens": r.max_tokens,
            })
        })
        .collect();
    json!({ "rules": rules })
}

fn condition(c: &Condition) -> Json {
    match c {
        Condition::True => json!({"op": "true"}),
        Condition::And(parts) => {
            json!({"op": "and", "args": parts.iter().map(condition).collect::<Vec<_>>()})
        }
        Condition::Or(parts) => {
            json!({"op": "or", "args": parts.iter().map(condition).collect::<Vec<_>>()})
        }
        Condition::Not(inner) => json!({"op": "not", "arg": condition(inner)}),
        Condition::Compare { field, op, value } => {
            json!({"op": op_name(*op), "field": field.name(), "value": literal(value)})
        }
        Condition::In { field, values } => {
            json!({"op": "in", "field": field.name(), "values": values.iter().map(literal).collect::<Vec<_>>()})
        }
        Condition::Truthy(field) => json!({"op": "field-truthy", "field": field.name()}),
    }
}

fn op_name(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => "eq",
        CompareOp::Ne => "ne",
        CompareOp::Lt => "lt",
        CompareOp::Le => "le",
        CompareOp::Gt => "gt",
        CompareOp::Ge => "ge",
    }
}

fn literal(l: &Literal) -> Json {
    match l {
        Literal::Str(s) => json!(s),
        Literal::Float(x) => json!(x),
        Literal::Int(i) => json!(i),
        Literal::Bool(b) => json!(b),
    }
}
