//! The routing context of a request, in order of precedence: the fields
//! the client key fixes, then the body's `switchyard_context`, then the
//! fields the gateway derives from the request when the ruleset declares
//! them (`needs_tools`, `needs_vision`, `prompt`, `prompt_tokens`, `user`).

use serde_json::{json, Map, Value as Json};
use switchyard::ir::Type;
use switchyard::openrouter::{Content, ContentPart, Message, Role};
use switchyard::CompiledTable;

use crate::incoming::Incoming;

/// The context as a JSON object: `fixed` (a key's fields) over the body's
/// `switchyard_context`, then the derived fields the ruleset declares with
/// the expected type, where neither gives a value (or gives `null`).
pub(crate) fn routing_context(
    table: &CompiledTable,
    fixed: Option<&Map<String, Json>>,
    incoming: &mut Incoming,
) -> Map<String, Json> {
    let mut context = std::mem::take(&mut incoming.context);
    if let Some(fixed) = fixed {
        for (name, value) in fixed {
            context.insert(name.clone(), value.clone());
        }
    }
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
            ("user", Type::String) => match incoming.user() {
                Some(user) => Json::String(user.to_string()),
                None => continue,
            },
            _ => continue,
        };
        context.insert(field.name.clone(), value);
    }
    context
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

/// The text of the last user message.
pub(crate) fn last_user_text(messages: &[Message]) -> Option<String> {
    messages
        .iter()
        .rev()
        .find(|m| m.role == Role::User)
        .and_then(text_of)
}

/// About four characters a token: rough, but enough for rules on prompt
/// size.
pub(crate) fn estimate_tokens(messages: &[Message]) -> i64 {
    let chars: usize = messages
        .iter()
        .filter_map(text_of)
        .map(|t| t.chars().count())
        .sum();
    i64::try_from(chars.div_ceil(4)).unwrap_or(i64::MAX)
}
