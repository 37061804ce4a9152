//! The context fields the proxy fills in from the request:
//! `needs_tools`, `needs_vision`, `prompt` and `prompt_tokens`.

use serde_json::{json, Map, Value as Json};
use switchyard_check::ir::Type;
use switchyard_eval::CompiledTable;
use switchyard_openrouter::{Content, ContentPart, Message, Role};

use super::incoming::Incoming;

/// Fills in the fields the proxy knows from the request (see the module
/// documentation) when the ruleset declares them with the expected type
/// and the client's context leaves them out (or `null`).
pub(super) fn derive_context(
    table: &CompiledTable,
    context: &mut Map<String, Json>,
    incoming: &Incoming,
) {
    for field in &table.ruleset().fields {
        if context.get(&field.name).is_some_and(|v| !v.is_null()) {
            continue;
        }
        let value = match (field.name.as_str(), &field.ty) {
            ("needs_tools", Type::Bool) => Json::Bool(incoming.has_tools()),
            ("needs_vision", Type::Bool) => Json::Bool(has_image(&incoming.messages)),
            ("prompt", Type::String) => match last_user_text(&incoming.messages) {
                Some(text) => Json::String(text),
                None => continue,
            },
            ("prompt_tokens", Type::Int) => json!(estimate_tokens(&incoming.messages)),
            _ => continue,
        };
        context.insert(field.name.clone(), value);
    }
}

fn has_image(messages: &[Message]) -> bool {
    messages.iter().any(|m| match &m.content {
        Some(Content::Parts(parts)) => parts
            .iter()
            .any(|p| matches!(p, ContentPart::ImageUrl { .. })),
        _ => false,
    })
}

/// The text of a message: its string, or its text parts joined by line
/// breaks.
fn text_of(message: &Message) -> Option<String> {
    match &message.content {
        Some(Content::Text(t)) => Some(t.clone()),
        Some(Content::Parts(parts)) => Some(
            parts
                .iter()
                .filter_map(|p| match p {
                    ContentPart::Text { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => None,
    }
}

fn last_user_text(messages: &[Message]) -> Option<String> {
    messages
        .iter()
        .rev()
        .find(|m| m.role == Role::User)
        .and_then(text_of)
}

/// About four characters a token: rough, but enough for rules on prompt
/// size.
fn estimate_tokens(messages: &[Message]) -> i64 {
    let chars: usize = messages
        .iter()
        .filter_map(text_of)
        .map(|t| t.chars().count())
        .sum();
    i64::try_from(chars.div_ceil(4)).unwrap_or(i64::MAX)
}
