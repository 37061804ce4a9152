//! `switchyard body PATH --context JSON|@FILE --messages JSON|@FILE
//! [--catalog FILE] [--at T]`: decide one context and print the OpenRouter
//! request body (docs/reference/decisions.md) as pretty JSON.
//!
//! The body is built by [`switchyard::openrouter::ChatRequest::from_decision`], the
//! same function a host calls, so what this prints is what a host sends.
//! Messages are read with [`switchyard::openrouter::parse_messages`]: tool calls,
//! tool results, image parts and any field the executor does not type pass
//! through unchanged.
//!
//! Exit status: 0 with the body on standard output; 1 when the ruleset has
//! errors, no rule matches, or the decision's options do not make a valid
//! body; 2 for unreadable or ill-typed input (the context's field, or the
//! message's index, is named on standard error).

use std::path::Path;

use serde_json::Value as Json;
use switchyard::openrouter::{parse_messages, BodyError, ChatRequest, Message, RequestOptions};
use switchyard::{CompiledTable, Decision};

use crate::cli::{BodyArgs, LintArgs};
use crate::output::{Status, Stream};

/// Runs the command.
pub fn run(args: &BodyArgs) -> Status {
    match body(args) {
        Ok(text) => {
            Stream::Stdout.line(&text);
            Status::Success
        }
        Err((status, message)) => {
            if !message.is_empty() {
                Stream::Stderr.line(&format!("error: {message}"));
            }
            status
        }
    }
}

/// The pretty body, or the status to exit with and the message to print
/// (empty when it has been reported already).
fn body(args: &BodyArgs) -> Result<String, (Status, String)> {
    // Inputs first: a typo in a file name is reported before the ruleset is
    // compiled.
    let (context_what, context_text) = read_arg("--context", &args.context)?;
    let (messages_what, messages_text) = read_arg("--messages", &args.messages)?;
    let context: Json = serde_json::from_str(&context_text)
        .map_err(|e| usage(format!("{context_what}: not valid JSON: {e}")))?;
    let messages = parse_messages(&messages_text)
        .map_err(|e| usage(format!("{messages_what}: {}", e.problem)))?;

    let table = load(&args.path, args.catalog.as_deref(), &args.lints)?;
    let ctx = table
        .context_from_json_at(&context, args.at)
        .map_err(|e| usage(format!("{context_what}: {e}")))?;
    let decision = table
        .decide(&ctx)
        .map_err(|e| (Status::Findings, e.to_string()))?
        .ok_or_else(|| {
            (
                Status::Findings,
                format!("no rule of {} matches the context", args.path.display()),
            )
        })?;
    note_cost(&decision);
    render(&decision, messages)
}

/// The body of `decision` for `messages`, as pretty JSON.
fn render(decision: &Decision<'_>, messages: Vec<Message>) -> Result<String, (Status, String)> {
    let request = ChatRequest::from_decision(decision, messages, RequestOptions::default())
        .map_err(|e| match e {
            BodyError::NoMessages => usage(format!("--messages: {e}")),
            e => (Status::Findings, format!("rule `{}`: {e}", decision.rule())),
        })?;
    serde_json::to_string_pretty(&request)
        .map_err(|e| (Status::Findings, format!("cannot serialise the body: {e}")))
}

/// `JSON` or `@FILE`: the name to report it by, and its text.
fn read_arg(flag: &str, arg: &str) -> Result<(String, String), (Status, String)> {
    match arg.strip_prefix('@') {
        Some(file) => std::fs::read_to_string(file)
            .map(|text| (format!("{flag} @{file}"), text))
            .map_err(|e| usage(format!("cannot read {file}: {e}"))),
        None => Ok((flag.to_string(), arg.to_string())),
    }
}

fn usage(message: String) -> (Status, String) {
    (Status::Usage, message)
}

/// The compiled ruleset, with the catalog when one is given. A catalog or
/// ruleset that does not load is reported by the loader.
fn load(
    path: &Path,
    catalog: Option<&Path>,
    lints: &LintArgs,
) -> Result<CompiledTable, (Status, String)> {
    let options = super::load_options(catalog, lints).map_err(|status| (status, String::new()))?;
    super::load_ruleset(path, &options)
        .map(|(table, _warnings)| table)
        .map_err(|(status, _)| (status, String::new()))
}

/// With a catalog, a decision may carry the worst-case cost of the request
/// (prompt tokens from the context, `max_tokens` completion tokens): said on
/// standard error, as it is not part of the body.
fn note_cost(decision: &Decision<'_>) {
    if let Some(cost) = decision.est_max_cost_usd() {
        Stream::Stderr.line(&format!(
            "note: rule `{}`: worst-case cost of this request ${cost:.6}",
            decision.rule()
        ));
    }
}
