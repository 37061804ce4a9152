//! [`ResponseError`]: why a response could not be read.

use super::OpenRouterError;

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
