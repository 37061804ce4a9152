//! The ways a host reaches a decision through switchyard's public API, one
//! small function each, so that the benches and the differential test time
//! and check the same code, and a new API replaces one function.

use std::error::Error;

use switchyard_eval::{CompiledTable, Context, ContextError};

use crate::naive::NaiveInterpreter;
use crate::request::Request;

/// The decision time every context is built with (the rulesets do not read
/// `hour` or `weekday`; a fixed time keeps the clock out of the timing).
pub const DECISION_TIME: i64 = 1_700_000_000;

/// The chosen rule's name (`None`: no rule matched), or why there is none.
pub type RuleChoice<'t> = Result<Option<&'t str>, Box<dyn Error>>;

/// A switchyard context holding `request`'s eight fields, built with the
/// builder (`set` by field name).
pub fn switchyard_context(table: &CompiledTable, r: &Request) -> Result<Context, ContextError> {
    Ok(table
        .context()
        .at_unix(DECISION_TIME)
        .set("tenant", r.tenant.as_str())?
        .set("user_tier", r.user_tier.as_str())?
        .set("task_type", r.task_type.as_str())?
        .set("budget_remaining", r.budget_remaining)?
        .set("prompt_tokens_est", r.prompt_tokens_est)?
        .set("needs_tools", r.needs_tools)?
        .set("needs_vision", r.needs_vision)?
        .set("max_latency_ms", r.max_latency_ms)?
        .build())
}

/// Host values to decision: from the host's typed request to the chosen
/// rule, context included (issue #11's "host values → decision").
pub fn switchyard_host<'t>(table: &'t CompiledTable, request: &Request) -> RuleChoice<'t> {
    let context = switchyard_context(table, request)?;
    switchyard_decide(table, &context)
}

/// `decide` alone, on a context built beforehand.
#[inline]
pub fn switchyard_decide<'t>(table: &'t CompiledTable, context: &Context) -> RuleChoice<'t> {
    Ok(table.decide(context)?.map(|d| d.rule()))
}

/// JSON bytes to decision: one request's JSON object, as a proxy receives
/// it, to the chosen rule.
pub fn switchyard_json<'t>(table: &'t CompiledTable, json: &[u8]) -> RuleChoice<'t> {
    let value: serde_json::Value = serde_json::from_slice(json)?;
    let context = table.context_from_json_at(&value, Some(DECISION_TIME))?;
    switchyard_decide(table, &context)
}

/// The baseline of the JSON path: serde_json parses the bytes into the
/// typed [`Request`], then the naive interpreter decides.
pub fn serde_naive<'n>(naive: &'n NaiveInterpreter, json: &[u8]) -> RuleChoice<'n> {
    let request: Request = serde_json::from_slice(json)?;
    Ok(naive.decide(&request))
}
