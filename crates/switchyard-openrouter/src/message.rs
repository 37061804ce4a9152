//! Chat messages, as OpenRouter's chat-completions API takes them.
//!
//! Messages go into the body as given: the typed fields below are the ones
//! hosts build and read most, and everything else a message or content part
//! carries (`cache_control`, `reasoning`, `input_audio`, ...) is kept in
//! `extra` and written back unchanged.

use serde::de::{Deserializer, Error as _};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::provider::kind;

/// One chat message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Who speaks.
    pub role: Role,
    /// The content: text, parts (text, images, ...) or `null` (an assistant
    /// message with only tool calls). `None` leaves the key out.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub content: Option<Content>,
    /// A participant name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tool calls made by an assistant message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ToolCall>>,
    /// The call a `tool` message answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// Any other fields, passed through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Json>,
}

/// Deserialises a present value (even `null`) as `Some`; with
/// `#[serde(default)]` an absent key stays `None`.
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

impl Message {
    fn with(role: Role, content: Option<Content>) -> Message {
        Message {
            role,
            content,
            name: None,
            tool_calls: None,
            tool_call_id: None,
            extra: Map::new(),
        }
    }

    /// A system message.
    pub fn system(text: impl Into<String>) -> Message {
        Message::with(Role::System, Some(Content::Text(text.into())))
    }

    /// A user message with text.
    pub fn user(text: impl Into<String>) -> Message {
        Message::with(Role::User, Some(Content::Text(text.into())))
    }

    /// A user message with content parts (text and images).
    pub fn user_parts(parts: Vec<ContentPart>) -> Message {
        Message::with(Role::User, Some(Content::Parts(parts)))
    }

    /// An assistant message with text.
    pub fn assistant(text: impl Into<String>) -> Message {
        Message::with(Role::Assistant, Some(Content::Text(text.into())))
    }

    /// An assistant message that calls tools (its content is `null`).
    pub fn assistant_tool_calls(calls: Vec<ToolCall>) -> Message {
        Message {
            tool_calls: Some(calls),
            ..Message::with(Role::Assistant, Some(Content::Null))
        }
    }

    /// A tool result answering the call `tool_call_id`.
    pub fn tool(tool_call_id: impl Into<String>, text: impl Into<String>) -> Message {
        Message {
            tool_call_id: Some(tool_call_id.into()),
            ..Message::with(Role::Tool, Some(Content::Text(text.into())))
        }
    }
}

/// A message's role. Roles other than the five OpenAI-style ones are kept
/// as [`Role::Other`] and sent as written when a host builds the message;
/// [`parse_messages`] and [`messages_from_value`] refuse them (OpenRouter
/// would), naming the closest role.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// `system`.
    System,
    /// `developer`.
    Developer,
    /// `user`.
    User,
    /// `assistant`.
    Assistant,
    /// `tool`.
    Tool,
    /// Any other role, as written.
    Other(String),
}

impl Role {
    /// The role as sent.
    pub fn as_str(&self) -> &str {
        match self {
            Role::System => "system",
            Role::Developer => "developer",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
            Role::Other(s) => s,
        }
    }
}

impl From<&str> for Role {
    fn from(s: &str) -> Role {
        match s {
            "system" => Role::System,
            "developer" => Role::Developer,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            "tool" => Role::Tool,
            other => Role::Other(other.to_string()),
        }
    }
}

impl Serialize for Role {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.is_empty() {
            return Err(D::Error::custom("a message role is an empty string"));
        }
        Ok(Role::from(s.as_str()))
    }
}

/// A message's content.
#[derive(Clone, Debug, PartialEq)]
pub enum Content {
    /// Plain text.
    Text(String),
    /// Content parts: text, images, files, audio.
    Parts(Vec<ContentPart>),
    /// `null` (an assistant message with only tool calls).
    Null,
}

impl Serialize for Content {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Content::Text(t) => s.serialize_str(t),
            Content::Parts(parts) => parts.serialize(s),
            Content::Null => s.serialize_unit(),
        }
    }
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Json::deserialize(d)? {
            Json::String(t) => Ok(Content::Text(t)),
            Json::Null => Ok(Content::Null),
            Json::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    ContentPart::from_json(item)
                        .map_err(|e| D::Error::custom(format!("content[{i}]: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Content::Parts),
            other => Err(D::Error::custom(format!(
                "content is {}, expected a string, an array of parts or null",
                kind(&other)
            ))),
        }
    }
}

/// A content part.
#[derive(Clone, Debug, PartialEq)]
pub enum ContentPart {
    /// `{"type": "text", "text": ...}`.
    Text {
        /// The text.
        text: String,
        /// Other fields (`cache_control`, ...), passed through.
        extra: Map<String, Json>,
    },
    /// `{"type": "image_url", "image_url": {"url": ..., "detail": ...}}`.
    ImageUrl {
        /// The image: an `https:` URL or a `data:` URL.
        image_url: ImageUrl,
        /// Other fields, passed through.
        extra: Map<String, Json>,
    },
    /// Any other part (`file`, `input_audio`, ...), as given; it has a
    /// string `type`.
    Other(Map<String, Json>),
}

impl ContentPart {
    /// A text part.
    pub fn text(text: impl Into<String>) -> ContentPart {
        ContentPart::Text {
            text: text.into(),
            extra: Map::new(),
        }
    }

    /// An image part from a URL (`https:` or `data:image/...;base64,...`).
    pub fn image_url(url: impl Into<String>) -> ContentPart {
        ContentPart::ImageUrl {
            image_url: ImageUrl {
                url: url.into(),
                detail: None,
                extra: Map::new(),
            },
            extra: Map::new(),
        }
    }

    /// The part's `type`.
    pub fn kind(&self) -> &str {
        match self {
            ContentPart::Text { .. } => "text",
            ContentPart::ImageUrl { .. } => "image_url",
            ContentPart::Other(map) => map.get("type").and_then(Json::as_str).unwrap_or(""),
        }
    }

    fn from_json(value: Json) -> Result<ContentPart, String> {
        let Json::Object(mut map) = value else {
            return Err(format!(
                "is {}, expected a content part object",
                kind(&value)
            ));
        };
        let ty = match map.get("type") {
            Some(Json::String(t)) => t.clone(),
            Some(other) => return Err(format!("`type` is {}, expected a string", kind(other))),
            None => return Err("a content part has no `type`".into()),
        };
        match ty.as_str() {
            "text" => {
                map.remove("type");
                match map.remove("text") {
                    Some(Json::String(text)) => Ok(ContentPart::Text { text, extra: map }),
                    Some(other) => Err(format!("`text` is {}, expected a string", kind(&other))),
                    None => Err("a text part has no `text`".into()),
                }
            }
            "image_url" => {
                map.remove("type");
                let Some(raw) = map.remove("image_url") else {
                    return Err("an image_url part has no `image_url`".into());
                };
                let image_url = serde_json::from_value::<ImageUrl>(raw)
                    .map_err(|e| format!("`image_url`: {e}"))?;
                Ok(ContentPart::ImageUrl {
                    image_url,
                    extra: map,
                })
            }
            _ => Ok(ContentPart::Other(map)),
        }
    }
}

impl Serialize for ContentPart {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ContentPart::Text { text, extra } => {
                let mut m = s.serialize_map(Some(extra.len() + 2))?;
                m.serialize_entry("type", "text")?;
                m.serialize_entry("text", text)?;
                for (k, v) in extra {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            ContentPart::ImageUrl { image_url, extra } => {
                let mut m = s.serialize_map(Some(extra.len() + 2))?;
                m.serialize_entry("type", "image_url")?;
                m.serialize_entry("image_url", image_url)?;
                for (k, v) in extra {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            ContentPart::Other(map) => map.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for ContentPart {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ContentPart::from_json(Json::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// The image of an `image_url` part.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageUrl {
    /// An `https:` URL or a `data:` URL with base64 data.
    pub url: String,
    /// `auto`, `low` or `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Other fields, passed through.
    #[serde(flatten)]
    pub extra: Map<String, Json>,
}

/// A tool call of an assistant message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The call's id, answered by a `tool` message's `tool_call_id`.
    pub id: String,
    /// `function`.
    #[serde(rename = "type", default = "function")]
    pub kind: String,
    /// The function called.
    pub function: FunctionCall,
    /// Other fields, passed through.
    #[serde(flatten)]
    pub extra: Map<String, Json>,
}

fn function() -> String {
    "function".into()
}

impl ToolCall {
    /// A function call with JSON-encoded arguments.
    pub fn function(
        id: impl Into<String>,
        name: impl Into<String>,
        arguments: impl Into<String>,
    ) -> ToolCall {
        ToolCall {
            id: id.into(),
            kind: function(),
            function: FunctionCall {
                name: name.into(),
                arguments: arguments.into(),
                extra: Map::new(),
            },
            extra: Map::new(),
        }
    }
}

/// The function of a tool call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionCall {
    /// The function's name.
    pub name: String,
    /// Its arguments, a JSON document in a string.
    pub arguments: String,
    /// Other fields, passed through.
    #[serde(flatten)]
    pub extra: Map<String, Json>,
}

/// Reads a JSON array of messages (the CLI's `--messages`), naming the
/// message at fault: `messages[2]: ...`.
pub fn parse_messages(text: &str) -> Result<Vec<Message>, MessagesError> {
    let value: Json = serde_json::from_str(text).map_err(|e| MessagesError {
        problem: format!(
            "not valid JSON: {} at line {}, column {}",
            strip_position(&e),
            e.line(),
            e.column()
        ),
    })?;
    messages_from_value(value)
}

/// Reads messages from a JSON array value, naming the message at fault.
pub fn messages_from_value(value: Json) -> Result<Vec<Message>, MessagesError> {
    let Json::Array(items) = value else {
        return Err(MessagesError {
            problem: format!("messages are {}, expected an array", kind(&value)),
        });
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            if !item.is_object() {
                return Err(MessagesError {
                    problem: format!("messages[{i}] is {}, expected an object", kind(&item)),
                });
            }
            let message: Message = serde_json::from_value(item).map_err(|e| MessagesError {
                problem: format!("messages[{i}]: {}", strip_position(&e)),
            })?;
            match &message.role {
                Role::Other(role) => Err(MessagesError {
                    problem: unknown_role(i, role),
                }),
                _ => Ok(message),
            }
        })
        .collect()
}

/// The roles OpenRouter's chat completions take.
const ROLES: [&str; 5] = ["system", "developer", "user", "assistant", "tool"];

/// The problem of messages[i] with a role OpenRouter does not take.
fn unknown_role(i: usize, role: &str) -> String {
    let hint = match switchyard_syntax::nearest(role, ROLES) {
        Some(near) => format!("; did you mean `{near}`?"),
        None => String::new(),
    };
    format!(
        "messages[{i}]: role `{role}` is not one of {}{hint}",
        ROLES.join(", ")
    )
}

/// Messages that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bad messages: {problem}")]
pub struct MessagesError {
    /// What is wrong, naming the message.
    pub problem: String,
}

/// serde_json's message without its trailing " at line L column C".
pub(crate) fn strip_position(err: &serde_json::Error) -> String {
    let full = err.to_string();
    match full.rfind(" at line ") {
        Some(cut) if err.line() > 0 => full[..cut].to_string(),
        _ => full,
    }
}
