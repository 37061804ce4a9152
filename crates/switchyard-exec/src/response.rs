//! Reading OpenRouter's answers: chat-completions responses, the final
//! chunk of a stream, and error bodies.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value as Json};
use switchyard_catalog::{split_variant, Catalog};

use crate::message::strip_position;
use crate::provider::kind;

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

/// Where a cost came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostSource {
    /// `usage.cost` of the response: what OpenRouter charged.
    Response,
    /// An estimate from the catalog's prices for the served model and the
    /// actual token counts.
    Catalog,
    /// Neither gave one.
    Unknown,
}

/// The outcome of a call, for budgets and logs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Outcome {
    /// The generation id.
    pub id: String,
    /// The model that served the request.
    pub model: String,
    /// The provider that served it, when known.
    pub provider: Option<String>,
    /// `finish_reason` of the first choice.
    pub finish_reason: Option<String>,
    /// Tokens and cost; `None` when the response has no `usage`.
    pub usage: Option<Usage>,
}

impl Outcome {
    /// Whether a model other than `requested` served the request, i.e. a
    /// fallback fired. Variant suffixes are ignored (`openai/gpt-4o:nitro`
    /// is served as `openai/gpt-4o`); an id OpenRouter reports in another
    /// form than the one requested (a dated snapshot) counts as different.
    pub fn fell_back(&self, requested: &str) -> bool {
        split_variant(&self.model).0 != split_variant(requested).0
    }

    /// The cost in USD, when known.
    pub fn cost_usd(&self) -> Option<f64> {
        self.usage.as_ref().and_then(|u| u.cost)
    }
}

/// Tokens and cost of a call.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Usage {
    /// Prompt tokens.
    pub prompt_tokens: u64,
    /// Completion tokens.
    pub completion_tokens: u64,
    /// Both.
    pub total_tokens: u64,
    /// The cost in USD: the response's `usage.cost` when present, else the
    /// catalog's estimate, else `None`.
    pub cost: Option<f64>,
    /// Where `cost` came from.
    pub cost_source: CostSource,
}

impl ChatResponse {
    /// Reads a (non-streamed) chat-completions response body. A body that
    /// is an error (`{"error": {...}}`, which OpenRouter also sends with
    /// status 200 when generation fails after it started) is
    /// [`ResponseError::Api`].
    pub fn from_json_str(body: &str) -> Result<ChatResponse, ResponseError> {
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
        let value = parse_json(&data)?;
        let response = ChatResponse::from_value(&value, 200)?;
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
        let finish_reason = match obj.get("choices") {
            None | Some(Json::Null) => None,
            Some(Json::Array(choices)) => match choices.first() {
                None => None,
                Some(first) => {
                    let c = object(first, "choices[0]")?;
                    opt_string(c, "finish_reason", "choices[0].")?
                }
            },
            Some(other) => return Err(wrong("choices", other, "an array")),
        };
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
            id: self.id.clone(),
            model: self.model.clone(),
            provider: self.provider.clone(),
            finish_reason: self.finish_reason.clone(),
            usage,
        }
    }
}

/// Reads a chat-completions response body into its [`Outcome`]; see
/// [`ChatResponse::from_json_str`] and [`ChatResponse::outcome`].
pub fn parse_response(body: &str, catalog: Option<&Catalog>) -> Result<Outcome, ResponseError> {
    Ok(ChatResponse::from_json_str(body)?.outcome(catalog))
}

/// Reads the final chunk of a stream into its [`Outcome`]; see
/// [`ChatResponse::from_stream_final_chunk`].
pub fn parse_stream_final_chunk(
    chunk: &str,
    catalog: Option<&Catalog>,
) -> Result<Outcome, ResponseError> {
    Ok(ChatResponse::from_stream_final_chunk(chunk)?.outcome(catalog))
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

/// An error reported by OpenRouter: the HTTP status and the body's
/// `error` object.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OpenRouterError {
    /// The HTTP status of the response (200 for an error that arrived in a
    /// successful response or stream).
    pub status: u16,
    /// `error.code`: usually the HTTP status of the failure.
    pub code: Option<ErrorCode>,
    /// `error.message`.
    pub message: String,
    /// `error.metadata`, as given (`error_type`, `provider_name`,
    /// `raw`, `reasons`, `previous_errors`, ...).
    pub metadata: Option<Map<String, Json>>,
    /// The typed error class: `error.error_type` or
    /// `error.metadata.error_type` (`rate_limit_exceeded`,
    /// `context_length_exceeded`, ...).
    pub error_type: Option<String>,
    /// `error.availability`: why no endpoint could serve the request.
    pub availability: Option<Availability>,
    /// The provider named by the error (`metadata.provider_name`, or the
    /// chunk's `provider`).
    pub provider: Option<String>,
    /// The `Retry-After` header's value in seconds, when the host passes it
    /// ([`OpenRouterError::with_retry_after_header`]).
    pub retry_after_header: Option<u64>,
}

/// `error.code`: a number (an HTTP status) or, from some providers, a
/// string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ErrorCode {
    /// A numeric code.
    Number(i64),
    /// A string code.
    Text(String),
}

/// `error.availability` (OpenRouter, 2026-08): a structured reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Availability {
    /// `model_not_found`, `no_endpoints`, `capacity_exhausted`,
    /// `constraint_filtered`, `free_variant_ended`, ...
    pub code: String,
    /// Whether the same request may succeed if retried.
    pub retryable: Option<bool>,
    /// Seconds to wait before retrying.
    pub retry_after: Option<f64>,
    /// The models asked for.
    pub requested_models: Vec<String>,
    /// Models OpenRouter suggests instead.
    pub fallback_models: Vec<String>,
    /// What removed the endpoints (`max_price`, `data_policy:zdr`, ...).
    pub excluded_by: Vec<String>,
    /// For `constraint_filtered`: the constraint's field and detail.
    pub constraint: Option<Constraint>,
    /// A link to the documentation.
    pub docs_url: Option<String>,
}

/// The constraint that filtered out every endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Constraint {
    /// The request field, e.g. `max_price`.
    pub field: Option<String>,
    /// Details, as given (text or an object).
    pub detail: Option<Json>,
}

/// Availability codes for which another model may well succeed: the
/// failure is about this model (or its endpoints under the request's
/// filters), not the account or the request.
const NEXT_MODEL_CODES: &[&str] = &[
    "model_not_found",
    "no_endpoints",
    "model_deprecated",
    "model_unavailable_upstream",
    "capacity_exhausted",
    "temporarily_unavailable",
    "region_restricted",
    "privacy_restricted",
    "constraint_filtered",
    "free_variant_ended",
];

/// Typed 400 errors that another model may not have.
const NEXT_MODEL_TYPES: &[&str] = &[
    "context_length_exceeded",
    "max_tokens_exceeded",
    "model_not_found",
];

impl OpenRouterError {
    /// Reads an error body (`{"error": {"code", "message", "metadata",
    /// ...}}`) sent with HTTP `status`.
    pub fn from_body(status: u16, body: &str) -> Result<OpenRouterError, ResponseError> {
        let value = parse_json(body)?;
        let obj = object(&value, "")?;
        let err = obj.get("error").ok_or_else(|| ResponseError::Missing {
            path: "error".into(),
        })?;
        let mut e = OpenRouterError::from_error_value(status, err)?;
        if e.provider.is_none() {
            e.provider = opt_string(obj, "provider", "")?;
        }
        Ok(e)
    }

    /// An error known only by its HTTP status (the body could not be read).
    pub fn from_status(status: u16, message: &str) -> OpenRouterError {
        OpenRouterError {
            status,
            code: Some(ErrorCode::Number(i64::from(status))),
            message: message.to_string(),
            metadata: None,
            error_type: None,
            availability: None,
            provider: None,
            retry_after_header: None,
        }
    }

    fn from_error_value(status: u16, err: &Json) -> Result<OpenRouterError, ResponseError> {
        let e = object(err, "error")?;
        let code = match e.get("code") {
            None | Some(Json::Null) => None,
            Some(Json::Number(n)) => n.as_i64().map(ErrorCode::Number),
            Some(Json::String(s)) => Some(ErrorCode::Text(s.clone())),
            Some(other) => return Err(wrong("error.code", other, "a number or a string")),
        };
        let message = req_string(e, "message", "error.")?;
        let metadata = match e.get("metadata") {
            None | Some(Json::Null) => None,
            Some(Json::Object(m)) => Some(m.clone()),
            Some(other) => return Err(wrong("error.metadata", other, "an object")),
        };
        let error_type = match opt_string(e, "error_type", "error.")? {
            Some(t) => Some(t),
            None => match &metadata {
                Some(m) => opt_string(m, "error_type", "error.metadata.")?,
                None => None,
            },
        };
        let provider = match &metadata {
            Some(m) => opt_string(m, "provider_name", "error.metadata.")?,
            None => None,
        };
        let availability = match e.get("availability") {
            None | Some(Json::Null) => None,
            Some(a) => Some(read_availability(a)?),
        };
        Ok(OpenRouterError {
            status,
            code,
            message,
            metadata,
            error_type,
            availability,
            provider,
            retry_after_header: None,
        })
    }

    /// Adds the response's `Retry-After` header (whole seconds; an HTTP
    /// date is ignored).
    pub fn with_retry_after_header(mut self, value: &str) -> OpenRouterError {
        self.retry_after_header = value.trim().parse::<u64>().ok();
        self
    }

    /// The status that describes the failure: the HTTP status, or for an
    /// error that arrived with a 2xx status, the numeric `error.code`.
    pub fn effective_status(&self) -> u16 {
        if (200..300).contains(&self.status) {
            if let Some(ErrorCode::Number(n)) = self.code {
                if let Ok(s) = u16::try_from(n) {
                    if (400..600).contains(&s) {
                        return s;
                    }
                }
            }
        }
        self.status
    }

    /// Whether the same request, to the same model, may succeed if retried
    /// later: `availability.retryable` when the error carries it, else by
    /// status (408, 429, 500, 502, 503, 504).
    pub fn retryable(&self) -> bool {
        if let Some(r) = self.availability.as_ref().and_then(|a| a.retryable) {
            return r;
        }
        matches!(self.effective_status(), 408 | 429 | 500 | 502 | 503 | 504)
    }

    /// Whether trying the next model of the chain makes sense.
    ///
    /// - 401 (credentials) and 402 (credits) are account-level: no model
    ///   will do better.
    /// - An `availability.code` about the model or its endpoints
    ///   (`model_not_found`, `no_endpoints`, `constraint_filtered`,
    ///   `free_variant_ended`, `capacity_exhausted`, `region_restricted`,
    ///   ...) says yes; `wrong_endpoint` says no. Otherwise
    ///   `availability.retryable == true` says yes.
    /// - 403 (guardrail, moderation, permissions): no.
    /// - 404 (no endpoint satisfies the request for this model, such as
    ///   "No endpoints found that support tool use"): yes.
    /// - 408, 429, 5xx: yes.
    /// - 400: yes only for errors another model may not have
    ///   (`context_length_exceeded`, `max_tokens_exceeded`,
    ///   `model_not_found`); an invalid request stays invalid.
    pub fn retry_next_model(&self) -> bool {
        let status = self.effective_status();
        if matches!(status, 401 | 402) {
            return false;
        }
        if let Some(a) = &self.availability {
            if a.code == "wrong_endpoint" {
                return false;
            }
            if NEXT_MODEL_CODES.contains(&a.code.as_str()) || a.retryable == Some(true) {
                return true;
            }
        }
        match status {
            403 => false,
            404 | 408 | 429 | 500..=599 => true,
            400 => self
                .error_type
                .as_deref()
                .is_some_and(|t| NEXT_MODEL_TYPES.contains(&t)),
            _ => false,
        }
    }

    /// How long to wait before retrying: `availability.retry_after`, else
    /// the `Retry-After` header the host passed.
    pub fn retry_after(&self) -> Option<Duration> {
        self.availability
            .as_ref()
            .and_then(|a| a.retry_after)
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .or_else(|| self.retry_after_header.map(Duration::from_secs))
    }
}

impl fmt::Display for OpenRouterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OpenRouter error (HTTP {}", self.status)?;
        let effective = self.effective_status();
        if effective != self.status {
            write!(f, ", code {effective}")?;
        }
        if let Some(code) = self.availability.as_ref().map(|a| a.code.as_str()) {
            write!(f, ", {code}")?;
        } else if let Some(t) = &self.error_type {
            write!(f, ", {t}")?;
        }
        write!(f, "): {}", self.message)
    }
}

impl std::error::Error for OpenRouterError {}

/// A response, chunk or error body that could not be read, or an error
/// OpenRouter reported.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The body is not JSON.
    #[error("the response is not valid JSON: {message} at line {line}, column {column}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's description.
        message: String,
    },
    /// A required field is missing.
    #[error("the response has no `{path}`")]
    Missing {
        /// The field's path, e.g. `usage.prompt_tokens`.
        path: String,
    },
    /// A field has the wrong type or an impossible value.
    #[error("{}", wrong_type_message(path, expected, found))]
    WrongType {
        /// The field's path; empty for the top level.
        path: String,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// A stream chunk has no `data` event (or only `[DONE]`).
    #[error("the stream chunk has no JSON `data` event")]
    NoData,
    /// OpenRouter reported an error.
    #[error(transparent)]
    Api(Box<OpenRouterError>),
}

fn wrong_type_message(path: &str, expected: &str, found: &str) -> String {
    if path.is_empty() {
        format!("the response is {found}, expected {expected}")
    } else {
        format!("the response's `{path}` is {found}, expected {expected}")
    }
}

impl ResponseError {
    /// The OpenRouter error, when this is one.
    pub fn api(&self) -> Option<&OpenRouterError> {
        match self {
            ResponseError::Api(e) => Some(e),
            _ => None,
        }
    }
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

fn path(prefix: &str, key: &str) -> String {
    format!("{prefix}{key}")
}

fn wrong(p: &str, value: &Json, expected: &'static str) -> ResponseError {
    ResponseError::WrongType {
        path: p.to_string(),
        expected,
        found: kind(value).to_string(),
    }
}

fn object<'j>(value: &'j Json, p: &str) -> Result<&'j Map<String, Json>, ResponseError> {
    match value {
        Json::Object(o) => Ok(o),
        other => Err(wrong(p, other, "an object")),
    }
}

fn req_string(obj: &Map<String, Json>, key: &str, prefix: &str) -> Result<String, ResponseError> {
    match obj.get(key) {
        Some(Json::String(s)) => Ok(s.clone()),
        None | Some(Json::Null) => Err(ResponseError::Missing {
            path: path(prefix, key),
        }),
        Some(other) => Err(wrong(&path(prefix, key), other, "a string")),
    }
}

fn opt_string(
    obj: &Map<String, Json>,
    key: &str,
    prefix: &str,
) -> Result<Option<String>, ResponseError> {
    match obj.get(key) {
        Some(Json::String(s)) => Ok(Some(s.clone())),
        None | Some(Json::Null) => Ok(None),
        Some(other) => Err(wrong(&path(prefix, key), other, "a string")),
    }
}

fn opt_count(
    obj: &Map<String, Json>,
    key: &str,
    prefix: &str,
) -> Result<Option<u64>, ResponseError> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => match n.as_u64() {
            Some(u) => Ok(Some(u)),
            None => Err(ResponseError::WrongType {
                path: path(prefix, key),
                expected: "a whole number at least 0",
                found: n.to_string(),
            }),
        },
        Some(other) => Err(wrong(&path(prefix, key), other, "a whole number")),
    }
}

fn req_count(obj: &Map<String, Json>, key: &str, prefix: &str) -> Result<u64, ResponseError> {
    opt_count(obj, key, prefix)?.ok_or_else(|| ResponseError::Missing {
        path: path(prefix, key),
    })
}

fn opt_bool(
    obj: &Map<String, Json>,
    key: &str,
    prefix: &str,
) -> Result<Option<bool>, ResponseError> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong(&path(prefix, key), other, "`true` or `false`")),
    }
}

fn opt_amount(
    obj: &Map<String, Json>,
    key: &str,
    prefix: &str,
) -> Result<Option<f64>, ResponseError> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => match n.as_f64() {
            Some(v) if v >= 0.0 && v.is_finite() => Ok(Some(v)),
            _ => Err(ResponseError::WrongType {
                path: path(prefix, key),
                expected: "a number at least 0",
                found: n.to_string(),
            }),
        },
        Some(other) => Err(wrong(&path(prefix, key), other, "a number")),
    }
}

fn opt_strings(
    obj: &Map<String, Json>,
    key: &str,
    prefix: &str,
) -> Result<Vec<String>, ResponseError> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Json::String(s) => Ok(s.clone()),
                other => Err(wrong(&format!("{prefix}{key}[{i}]"), other, "a string")),
            })
            .collect(),
        Some(other) => Err(wrong(&path(prefix, key), other, "an array of strings")),
    }
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

fn read_availability(value: &Json) -> Result<Availability, ResponseError> {
    let a = object(value, "error.availability")?;
    let p = "error.availability.";
    let constraint = match a.get("constraint") {
        None | Some(Json::Null) => None,
        Some(c) => {
            let c = object(c, "error.availability.constraint")?;
            Some(Constraint {
                field: opt_string(c, "field", "error.availability.constraint.")?,
                detail: c.get("detail").filter(|d| !d.is_null()).cloned(),
            })
        }
    };
    Ok(Availability {
        code: req_string(a, "code", p)?,
        retryable: opt_bool(a, "retryable", p)?,
        retry_after: opt_amount(a, "retry_after", p)?,
        requested_models: opt_strings(a, "requested_models", p)?,
        fallback_models: opt_strings(a, "fallback_models", p)?,
        excluded_by: opt_strings(a, "excluded_by", p)?,
        constraint,
        docs_url: opt_string(a, "docs_url", p)?,
    })
}
