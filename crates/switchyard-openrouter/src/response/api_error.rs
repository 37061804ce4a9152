//! [`OpenRouterError`]: an error body OpenRouter sent, and whether trying
//! again, or trying the next model, makes sense.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::fields::{object, opt_amount, opt_bool, opt_string, opt_strings, req_string, wrong};
use super::{parse_json, ResponseError};

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

    pub(super) fn from_error_value(
        status: u16,
        err: &Json,
    ) -> Result<OpenRouterError, ResponseError> {
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
