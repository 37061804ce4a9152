//! The client's request body, read and split into the routing context and
//! what goes upstream.

mod direct;

use serde_json::{Map, Value as Json};
use switchyard::openrouter::{messages_from_value, Message, RequestOptions};

use crate::error::{bad_field, Code, Failure};

/// The body field that carries the routing context.
pub const CONTEXT_FIELD: &str = "switchyard_context";

/// Fields of the OpenAI request that the routing policy sets: refused.
const POLICY_FIELDS: &[&str] = &["models", "provider", "transforms", "route"];

/// What the client asked for, split into routing and passing through.
#[derive(Debug)]
pub(crate) struct Incoming {
    /// `switchyard_context`.
    pub(crate) context: Map<String, Json>,
    pub(crate) messages: Vec<Message>,
    /// `stream`, `tools`, `tool_choice` and every other field (`user`
    /// among them, which is also read into the context).
    pub(crate) options: RequestOptions,
    /// The client's cap: the smaller of `max_tokens` and
    /// `max_completion_tokens`.
    pub(crate) max_tokens: Option<u32>,
    pub(crate) stream: bool,
}

impl Incoming {
    /// Reads a chat-completions body. Every error names the field.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Incoming, Failure> {
        match direct::read(bytes) {
            Some(incoming) => Ok(incoming),
            None => Incoming::parse_tree(bytes),
        }
    }

    /// Reads a chat-completions body as a JSON tree, then field by field.
    fn parse_tree(bytes: &[u8]) -> Result<Incoming, Failure> {
        let value: Json = serde_json::from_slice(bytes).map_err(|e| {
            Failure::new(
                Code::InvalidRequest,
                format!("the body is not valid JSON: {e}"),
            )
        })?;
        let Json::Object(mut body) = value else {
            return Err(Failure::new(
                Code::InvalidRequest,
                "the body must be a JSON object",
            ));
        };
        let context = match body.remove(CONTEXT_FIELD) {
            None | Some(Json::Null) => Map::new(),
            Some(Json::Object(map)) => map,
            Some(_) => {
                return Err(Failure::new(
                    Code::InvalidContext,
                    format!("`{CONTEXT_FIELD}` must be a JSON object"),
                )
                .param(CONTEXT_FIELD))
            }
        };
        let messages = match body.remove("messages") {
            Some(value) => {
                messages_from_value(value).map_err(|e| bad_field("messages", e.to_string()))?
            }
            None => return Err(bad_field("messages", "`messages` is required")),
        };
        // The ruleset picks the model; clients must send one, so it is
        // accepted and ignored.
        body.remove("model");
        if let Some(key) = POLICY_FIELDS.iter().find(|k| body.contains_key(**k)) {
            return Err(bad_field(
                key,
                format!("`{key}` is set by the routing policy: leave it out of the request"),
            ));
        }
        let mut max_tokens: Option<u32> = None;
        for key in ["max_tokens", "max_completion_tokens"] {
            match body.remove(key) {
                None | Some(Json::Null) => {}
                Some(v) => {
                    let n = v
                        .as_u64()
                        .and_then(|n| u32::try_from(n).ok())
                        .filter(|&n| n > 0)
                        .ok_or_else(|| {
                            bad_field(key, format!("`{key}` must be a positive integer"))
                        })?;
                    max_tokens = Some(max_tokens.map_or(n, |m| m.min(n)));
                }
            }
        }
        let mut options = RequestOptions::default();
        match body.remove("stream") {
            None | Some(Json::Null) => {}
            Some(Json::Bool(b)) => options.stream = Some(b),
            Some(_) => return Err(bad_field("stream", "`stream` must be true or false")),
        }
        match body.remove("tools") {
            None | Some(Json::Null) => {}
            Some(Json::Array(tools)) => options.tools = Some(tools),
            Some(_) => return Err(bad_field("tools", "`tools` must be an array")),
        }
        match body.remove("tool_choice") {
            None | Some(Json::Null) => {}
            Some(choice) => options.tool_choice = Some(choice),
        }
        options.params = body;
        Ok(Incoming {
            context,
            messages,
            stream: options.stream == Some(true),
            options,
            max_tokens,
        })
    }

    pub(crate) fn has_tools(&self) -> bool {
        self.options.tools.as_ref().is_some_and(|t| !t.is_empty())
    }

    /// OpenAI's `user` field, when it is a string.
    pub(crate) fn user(&self) -> Option<&str> {
        self.options.params.get("user").and_then(Json::as_str)
    }
}
