//! Reading OpenRouter's answers: chat-completions responses, the final
//! chunk of a stream, and error bodies.

mod api_error;
mod error;
mod fields;
mod outcome;
mod shallow;

pub use api_error::{Availability, Constraint, ErrorCode, OpenRouterError};
pub use error::ResponseError;
pub use outcome::{CostSource, Outcome, Usage};

use serde::Serialize;
use serde_json::{Map, Value as Json};
use switchyard_catalog::Catalog;

use crate::message::strip_position;
use fields::{object, opt_amount, opt_bool, opt_count, opt_string, req_count, req_string, wrong};

/// A chat-completions response (or stream chunk), reduced to what routing
/// and accounting need.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ChatResponse {
    /// The generation id (`gen-…`).
    pub id: String,
    /// The model that actually served the request: differs from the one
    /// requested when a fallback fired.
    pub model: String,
    /// The provider that served it (e.g. `"OpenAI"`), when the response
    /// says.
    pub provider: Option<String>,
    /// `finish_reason` of the first choice: `stop`, `length`, `tool_calls`,
    /// `content_filter` or `error`.
    pub finish_reason: Option<String>,
    /// Token usage and cost, when the response carries them.
    pub usage: Option<ResponseUsage>,
}

/// `usage` as the response gives it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ResponseUsage {
    /// Prompt tokens.
    pub prompt_tokens: u64,
    /// Completion tokens (reasoning included).
    pub completion_tokens: u64,
    /// Both; computed when the response leaves it out.
    pub total_tokens: u64,
    /// The cost in USD (credits), when given.
    pub cost: Option<f64>,
    /// `prompt_tokens_details.cached_tokens`.
    pub cached_tokens: Option<u64>,
    /// `completion_tokens_details.reasoning_tokens`.
    pub reasoning_tokens: Option<u64>,
    /// Whether the call used the account's own provider key.
    pub is_byok: Option<bool>,
}

impl ChatResponse {
    /// Reads a (non-streamed) chat-completions response body. A body that
    /// is an error (`{"error": {...}}`, which OpenRouter also sends with
    /// status 200 when generation fails after it started) is
    /// [`ResponseError::Api`].
    pub fn from_json_str(body: &str) -> Result<ChatResponse, ResponseError> {
        if let Some(response) = shallow::read(body) {
            return Ok(response);
        }
        let value = parse_json(body)?;
        ChatResponse::from_value(&value, 200)
    }

    /// Reads the last chunk of a streamed response: the chunk that carries
    /// `usage` (its `choices` is empty). `chunk` may be the chunk's JSON or
    /// server-sent-event text (`data: {...}` lines); with several events the
    /// last `data` event other than `[DONE]` is read, so the tail of a
    /// stream can be passed as it is. A chunk with no `usage` is
    /// [`ResponseError::Missing`] (`usage`); an in-band error chunk is
    /// [`ResponseError::Api`].
    pub fn from_stream_final_chunk(chunk: &str) -> Result<ChatResponse, ResponseError> {
        let data = last_sse_data(chunk).ok_or(ResponseError::NoData)?;
        let response = ChatResponse::from_json_str(&data)?;
        if response.usage.is_none() {
            return Err(ResponseError::Missing {
                path: "usage".into(),
            });
        }
        Ok(response)
    }

    /// Reads a parsed response body. `status` is the HTTP status, used for
    /// an error body.
    pub fn from_value(value: &Json, status: u16) -> Result<ChatResponse, ResponseError> {
        let obj = object(value, "")?;
        ChatResponse::from_fields(obj, status, || match obj.get("choices") {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Array(choices)) => match choices.first() {
                None => Ok(None),
                Some(first) => {
                    let c = object(first, "choices[0]")?;
                    opt_string(c, "finish_reason", "choices[0].")
                }
            },
            Some(other) => Err(wrong("choices", other, "an array")),
        })
    }

    /// Reads the top-level object `obj`; `finish_reason` reads
    /// `choices[0].finish_reason` (called after `provider` is read, so the
    /// first bad field is the one reported).
    fn from_fields(
        obj: &Map<String, Json>,
        status: u16,
        finish_reason: impl FnOnce() -> Result<Option<String>, ResponseError>,
    ) -> Result<ChatResponse, ResponseError> {
        if let Some(err) = obj.get("error").filter(|e| !e.is_null()) {
            let mut api = OpenRouterError::from_error_value(status, err)?;
            if api.provider.is_none() {
                api.provider = opt_string(obj, "provider", "")?;
            }
            return Err(ResponseError::Api(Box::new(api)));
        }
        let id = req_string(obj, "id", "")?;
        let model = req_string(obj, "model", "")?;
        let provider = opt_string(obj, "provider", "")?;
        let finish_reason = finish_reason()?;
        let usage = match obj.get("usage") {
            None | Some(Json::Null) => None,
            Some(u) => Some(read_usage(u)?),
        };
        Ok(ChatResponse {
            id,
            model,
            provider,
            finish_reason,
            usage,
        })
    }

    /// The outcome: the served model and provider, tokens, and the cost
    /// from the response, else estimated from `catalog` with the served
    /// model's prices and the actual token counts.
    pub fn outcome(&self, catalog: Option<&Catalog>) -> Outcome {
        self.clone().into_outcome(catalog)
    }

    /// [`ChatResponse::outcome`], taking the response.
    pub fn into_outcome(self, catalog: Option<&Catalog>) -> Outcome {
        let usage = self.usage.as_ref().map(|u| {
            let (cost, cost_source) = match u.cost {
                Some(c) => (Some(c), CostSource::Response),
                None => match catalog
                    .and_then(|c| c.cost_usd(&self.model, u.prompt_tokens, u.completion_tokens))
                {
                    Some(c) => (Some(c), CostSource::Catalog),
                    None => (None, CostSource::Unknown),
                },
            };
            Usage {
                prompt_tokens: u.prompt_tokens,
                completion_tokens: u.completion_tokens,
                total_tokens: u.total_tokens,
                cost,
                cost_source,
            }
        });
        Outcome {
            id: self.id,
            model: self.model,
            provider: self.provider,
            finish_reason: self.finish_reason,
            usage,
        }
    }
}

/// Reads a chat-completions response body into its [`Outcome`]; see
/// [`ChatResponse::from_json_str`] and [`ChatResponse::outcome`].
pub fn parse_response(body: &str, catalog: Option<&Catalog>) -> Result<Outcome, ResponseError> {
    Ok(ChatResponse::from_json_str(body)?.into_outcome(catalog))
}

/// Reads the final chunk of a stream into its [`Outcome`]; see
/// [`ChatResponse::from_stream_final_chunk`].
pub fn parse_stream_final_chunk(
    chunk: &str,
    catalog: Option<&Catalog>,
) -> Result<Outcome, ResponseError> {
    Ok(ChatResponse::from_stream_final_chunk(chunk)?.into_outcome(catalog))
}

/// Reads any answer to a chat-completions call by its HTTP status: a 2xx
/// body is a response ([`parse_response`]); any other is an error body
/// ([`ResponseError::Api`]). An error body that is not OpenRouter's error
/// JSON (an HTML page from a proxy, say) still gives
/// [`ResponseError::Api`], built from the status alone, so a host can
/// always decide whether to try the next model.
pub fn read_response(
    status: u16,
    body: &str,
    catalog: Option<&Catalog>,
) -> Result<Outcome, ResponseError> {
    if (200..300).contains(&status) {
        return parse_response(body, catalog);
    }
    let err = OpenRouterError::from_body(status, body)
        .unwrap_or_else(|e| OpenRouterError::from_status(status, &e.to_string()));
    Err(ResponseError::Api(Box::new(err)))
}

fn parse_json(text: &str) -> Result<Json, ResponseError> {
    serde_json::from_str(text).map_err(|e| ResponseError::Syntax {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e),
    })
}

/// The data of the last server-sent event that is not `[DONE]`; the text
/// itself when it is bare JSON.
fn last_sse_data(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if trimmed.starts_with('{') {
        return Some(trimmed.to_string());
    }
    let mut last: Option<String> = None;
    let mut current: Vec<&str> = Vec::new();
    let flush = |current: &mut Vec<&str>, last: &mut Option<String>| {
        if !current.is_empty() {
            let data = current.join("\n");
            if data.trim() != "[DONE]" && !data.trim().is_empty() {
                *last = Some(data);
            }
            current.clear();
        }
    };
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            flush(&mut current, &mut last);
        } else if let Some(rest) = line.strip_prefix("data:") {
            current.push(rest.strip_prefix(' ').unwrap_or(rest));
        }
        // comments (": OPENROUTER PROCESSING"), `event:`, `id:`, `retry:`
        // lines carry no data.
    }
    flush(&mut current, &mut last);
    last
}

fn read_usage(value: &Json) -> Result<ResponseUsage, ResponseError> {
    let u = object(value, "usage")?;
    let p = "usage.";
    let prompt_tokens = req_count(u, "prompt_tokens", p)?;
    let completion_tokens = req_count(u, "completion_tokens", p)?;
    let total_tokens = match opt_count(u, "total_tokens", p)? {
        Some(t) => t,
        None => prompt_tokens.saturating_add(completion_tokens),
    };
    let cached_tokens = match u.get("prompt_tokens_details") {
        None | Some(Json::Null) => None,
        Some(d) => opt_count(
            object(d, "usage.prompt_tokens_details")?,
            "cached_tokens",
            "usage.prompt_tokens_details.",
        )?,
    };
    let reasoning_tokens = match u.get("completion_tokens_details") {
        None | Some(Json::Null) => None,
        Some(d) => opt_count(
            object(d, "usage.completion_tokens_details")?,
            "reasoning_tokens",
            "usage.completion_tokens_details.",
        )?,
    };
    Ok(ResponseUsage {
        prompt_tokens,
        completion_tokens,
        total_tokens,
        cost: opt_amount(u, "cost", p)?,
        cached_tokens,
        reasoning_tokens,
        is_byok: opt_bool(u, "is_byok", p)?,
    })
}
