//! The ways a host reaches a decision through switchyard's public API, one
//! small function each, so that the benches and the differential test time
//! and check the same code, and a new API replaces one function.

use std::error::Error;

use switchyard_eval::{CompiledTable, Context, ContextError, Input, RequestFieldKind as Kind};

use crate::naive::NaiveInterpreter;
use crate::request::Request;

/// The decision time every context is built with (the rulesets do not read
/// `hour` or `weekday`; a fixed time keeps the clock out of the timing).
pub const DECISION_TIME: i64 = 1_700_000_000;

/// The chosen rule's name (`None`: no rule matched), or why there is none.
pub type RuleChoice<'t> = Result<Option<&'t str>, Box<dyn Error>>;

/// The request type bound to the rulesets' context: the table checks it
/// when it loads, then fills contexts from it with no name lookup and no
/// copy (the host-values path).
impl switchyard_eval::Request for Request {
    const FIELDS: &'static [(&'static str, Kind)] = &[
        ("tenant", Kind::Str),
        ("user_tier", Kind::Str),
        ("task_type", Kind::Str),
        ("budget_remaining", Kind::Float),
        ("prompt_tokens_est", Kind::Int),
        ("needs_tools", Kind::Bool),
        ("needs_vision", Kind::Bool),
        ("max_latency_ms", Kind::Int),
    ];

    fn value(&self, i: usize) -> Option<Input<'_>> {
        Some(match i {
            0 => self.tenant.as_str().into(),
            1 => self.user_tier.as_str().into(),
            2 => self.task_type.as_str().into(),
            3 => self.budget_remaining.into(),
            4 => self.prompt_tokens_est.into(),
            5 => self.needs_tools.into(),
            6 => self.needs_vision.into(),
            7 => self.max_latency_ms.into(),
            _ => return None,
        })
    }
}

/// A switchyard context holding `request`'s eight fields, from the bound
/// request type.
pub fn switchyard_context<'a>(
    table: &'a CompiledTable,
    r: &'a Request,
) -> Result<Context<'a>, ContextError> {
    let mut ctx = table.context_of(r)?;
    ctx.at_unix(DECISION_TIME);
    Ok(ctx)
}

/// The same context through the builder (`set` by field name, strings
/// copied unless they are among the rules' literals): the convenient form.
pub fn switchyard_builder_context<'t>(
    table: &'t CompiledTable,
    r: &Request,
) -> Result<Context<'t>, ContextError> {
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
    Ok(table.decide_request(request)?.map(|d| d.rule()))
}

/// [`switchyard_host`] through the by-name builder.
pub fn switchyard_host_builder<'t>(table: &'t CompiledTable, request: &Request) -> RuleChoice<'t> {
    let context = switchyard_builder_context(table, request)?;
    switchyard_decide(table, &context)
}

/// `decide` alone, on a context built beforehand.
#[inline]
pub fn switchyard_decide<'t>(table: &'t CompiledTable, context: &Context<'_>) -> RuleChoice<'t> {
    Ok(table.decide(context)?.map(|d| d.rule()))
}

/// JSON bytes to decision: one request's JSON object, as a proxy receives
/// it, to the chosen rule (read against the schema, strings borrowed).
pub fn switchyard_json<'t>(table: &'t CompiledTable, json: &[u8]) -> RuleChoice<'t> {
    let context = table.context_from_slice_with(json, Some(DECISION_TIME), &mut |_| {})?;
    switchyard_decide(table, &context)
}

/// The baseline of the JSON path: serde_json parses the bytes into the
/// typed [`Request`], then the naive interpreter decides.
pub fn serde_naive<'n>(naive: &'n NaiveInterpreter, json: &[u8]) -> RuleChoice<'n> {
    let request: Request = serde_json::from_slice(json)?;
    Ok(naive.decide(&request))
}
