//! The client's request: its body, read and split into the routing
//! context and what goes upstream.

use std::io::Read;

use serde_json::{Map, Value as Json};
use switchyard_openrouter::{messages_from_value, Message, RequestOptions};
use tiny_http::Request;

use super::answer::{bad_request, Failure};
use super::CONTEXT_FIELD;

/// Fields of the OpenAI request that the routing policy sets: refused.
const POLICY_FIELDS: &[&str] = &["models", "provider", "transforms", "route"];

/// What the client asked for, split into routing and passing through.
pub(super) struct Incoming {
    /// `switchyard_context`.
    pub(super) context: Map<String, Json>,
    pub(super) messages: Vec<Message>,
    /// `stream`, `tools`, `tool_choice` and every other field.
    pub(super) options: RequestOptions,
    /// The client's cap: the smaller of `max_tokens` and
    /// `max_completion_tokens`.
    pub(super) max_tokens: Option<u32>,
    pub(super) stream: bool,
}

impl Incoming {
    pub(super) fn parse(bytes: &[u8]) -> Result<Incoming, Failure> {
        let value: Json = serde_json::from_slice(bytes)
            .map_err(|e| bad_request(format!("the body is not valid JSON: {e}")))?;
        let Json::Object(mut body) = value else {
            return Err(bad_request("the body must be a JSON object".to_string()));
        };
        let context = match body.remove(CONTEXT_FIELD) {
            None | Some(Json::Null) => Map::new(),
            Some(Json::Object(map)) => map,
            Some(_) => {
                return Err(Failure::new(
                    400,
                    "invalid_context",
                    format!("`{CONTEXT_FIELD}` must be a JSON object"),
                ))
            }
        };
        let messages = match body.remove("messages") {
            Some(value) => messages_from_value(value).map_err(|e| bad_request(e.to_string()))?,
            None => return Err(bad_request("`messages` is required".to_string())),
        };
        // The ruleset picks the model; clients must send one, so it is
        // accepted and ignored.
        body.remove("model");
        if let Some(key) = POLICY_FIELDS.iter().find(|k| body.contains_key(**k)) {
            return Err(bad_request(format!(
                "`{key}` is set by the routing policy: leave it out of the request"
            )));
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
                            bad_request(format!("`{key}` must be a positive integer"))
                        })?;
                    max_tokens = Some(max_tokens.map_or(n, |m| m.min(n)));
                }
            }
        }
        let mut options = RequestOptions::default();
        match body.remove("stream") {
            None | Some(Json::Null) => {}
            Some(Json::Bool(b)) => options.stream = Some(b),
            Some(_) => return Err(bad_request("`stream` must be true or false".to_string())),
        }
        match body.remove("tools") {
            None | Some(Json::Null) => {}
            Some(Json::Array(tools)) => options.tools = Some(tools),
            Some(_) => return Err(bad_request("`tools` must be an array".to_string())),
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

    pub(super) fn has_tools(&self) -> bool {
        self.options.tools.as_ref().is_some_and(|t| !t.is_empty())
    }
}

/// The client's body, up to `limit` bytes.
pub(super) fn read_body(request: &mut Request, limit: u64) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    request
        .as_reader()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| bad_request(format!("cannot read the request body: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(Failure::new(
            413,
            "request_too_large",
            format!("the request body is larger than {limit} bytes"),
        ));
    }
    Ok(bytes)
}
