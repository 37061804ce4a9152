//! What the gateway answers itself: a [`Failure`], sent in OpenAI's error
//! shape (`{"error": {"message", "type", "param", "code"}}`) with a stable
//! [`Code`].

use serde_json::json;
use switchyard::openrouter::BodyError;

/// The stable `code` of an error the gateway answers itself. Clients may
/// match on these strings; they do not change between versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// 400: the body is not JSON, or a field is wrong (`param` names it).
    InvalidRequest,
    /// 400: `switchyard_context` (or a key's fixed fields) does not fit the
    /// ruleset's context schema.
    InvalidContext,
    /// 401: no `Authorization: Bearer` key while keys are configured.
    MissingApiKey,
    /// 401: a key that is not configured.
    InvalidApiKey,
    /// 404: no such endpoint.
    NotFound,
    /// 405: the endpoint exists with another method.
    MethodNotAllowed,
    /// 413: the body is over `limits.max_body_bytes`.
    RequestTooLarge,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 422: no rule matches the request's context.
    NoRoute,
    /// 500: the matched rule does not make a valid upstream request.
    InvalidRoute,
    /// 500: a bug.
    InternalError,
    /// 502: the upstream cannot be reached (connection refused, TLS, DNS).
    UpstreamUnreachable,
    /// 502: the upstream answered something that is not HTTP or not JSON.
    UpstreamInvalidResponse,
    /// 503: the gateway is at `limits.max_concurrent` (with `Retry-After`).
    Overloaded,
    /// 504: the upstream did not answer within the timeouts.
    UpstreamTimeout,
}

impl Code {
    /// The string sent as `code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidRequest => "invalid_request",
            Code::InvalidContext => "invalid_context",
            Code::MissingApiKey => "missing_api_key",
            Code::InvalidApiKey => "invalid_api_key",
            Code::NotFound => "not_found",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::RequestTooLarge => "request_too_large",
            Code::UnsupportedMediaType => "unsupported_media_type",
            Code::NoRoute => "no_route",
            Code::InvalidRoute => "invalid_route",
            Code::InternalError => "internal_error",
            Code::UpstreamUnreachable => "upstream_unreachable",
            Code::UpstreamInvalidResponse => "upstream_invalid_response",
            Code::Overloaded => "overloaded",
            Code::UpstreamTimeout => "upstream_timeout",
        }
    }

    /// The HTTP status it is sent with.
    pub fn status(self) -> u16 {
        match self {
            Code::InvalidRequest | Code::InvalidContext => 400,
            Code::MissingApiKey | Code::InvalidApiKey => 401,
            Code::NotFound => 404,
            Code::MethodNotAllowed => 405,
            Code::RequestTooLarge => 413,
            Code::UnsupportedMediaType => 415,
            Code::NoRoute => 422,
            Code::InvalidRoute | Code::InternalError => 500,
            Code::UpstreamUnreachable | Code::UpstreamInvalidResponse => 502,
            Code::Overloaded => 503,
            Code::UpstreamTimeout => 504,
        }
    }

    /// OpenAI's error `type` for it.
    fn kind(self) -> &'static str {
        match self {
            Code::MissingApiKey | Code::InvalidApiKey => "authentication_error",
            Code::Overloaded => "rate_limit_error",
            c if c.status() < 500 => "invalid_request_error",
            _ => "api_error",
        }
    }
}

/// An error the gateway answers itself.
#[derive(Debug)]
pub struct Failure {
    /// What went wrong, stably.
    pub code: Code,
    /// For a person.
    pub message: String,
    /// The request field at fault, when there is one.
    pub param: Option<String>,
}

impl Failure {
    /// A failure with a message.
    pub fn new(code: Code, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            param: None,
        }
    }

    /// Names the request field at fault.
    pub fn param(mut self, param: impl Into<String>) -> Failure {
        self.param = Some(param.into());
        self
    }

    /// The JSON body.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        json!({ "error": {
            "message": self.message,
            "type": self.code.kind(),
            "param": self.param,
            "code": self.code.as_str(),
        }})
        .to_string()
        .into_bytes()
    }
}

/// A 400 about one field of the body.
pub(crate) fn bad_field(param: &str, message: impl Into<String>) -> Failure {
    Failure::new(Code::InvalidRequest, message).param(param)
}

/// A body that cannot be built: the client's fault when its parameters
/// clash with the ruleset's, the ruleset's otherwise.
pub(crate) fn body_failure(rule: &str, e: BodyError) -> Failure {
    match &e {
        BodyError::Conflict { .. } | BodyError::Reserved { .. } | BodyError::NoMessages => {
            Failure::new(Code::InvalidRequest, e.to_string())
        }
        _ => Failure::new(
            Code::InvalidRoute,
            format!("rule `{rule}` does not make a valid request: {e}"),
        ),
    }
}
