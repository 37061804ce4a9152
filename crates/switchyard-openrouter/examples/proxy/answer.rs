//! What goes back to the client: an [`Answer`], or a [`Failure`] the
//! proxy answers itself.

use serde_json::{json, Value as Json};
use switchyard_openrouter::BodyError;

/// What goes back to the client.
pub(super) enum Answer {
    /// A whole body.
    Full {
        status: u16,
        content_type: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        /// For the log line.
        summary: String,
    },
    /// An upstream stream to relay.
    Stream {
        status: u16,
        content_type: String,
        headers: Vec<(String, String)>,
        body: ureq::Body,
        chain: Vec<String>,
        attempt: usize,
    },
}

impl Answer {
    pub(super) fn json(status: u16, body: &Json) -> Answer {
        Answer::Full {
            status,
            content_type: "application/json".to_string(),
            headers: Vec::new(),
            body: body.to_string().into_bytes(),
            summary: String::new(),
        }
    }

    pub(super) fn status(&self) -> u16 {
        match self {
            Answer::Full { status, .. } | Answer::Stream { status, .. } => *status,
        }
    }

    pub(super) fn summary(&self) -> String {
        match self {
            Answer::Full { summary, .. } => summary.clone(),
            Answer::Stream { chain, attempt, .. } => format!(
                "streaming from {} ",
                chain.get(*attempt).map_or("?", String::as_str)
            ),
        }
    }

    pub(super) fn with_summary(mut self, text: String) -> Answer {
        if let Answer::Full { summary, .. } = &mut self {
            *summary = text;
        }
        self
    }
}

/// An error the proxy answers itself, in OpenAI's error shape.
#[derive(Debug)]
pub(super) struct Failure {
    status: u16,
    code: &'static str,
    message: String,
}

impl Failure {
    pub(super) fn new(status: u16, code: &'static str, message: String) -> Failure {
        Failure {
            status,
            code,
            message,
        }
    }
}

impl From<Failure> for Answer {
    fn from(f: Failure) -> Answer {
        let kind = match f.status {
            400..=499 => "invalid_request_error",
            _ => "api_error",
        };
        let summary = format!("({}: {}) ", f.code, f.message);
        Answer::json(
            f.status,
            &json!({ "error": { "message": f.message, "type": kind, "code": f.code } }),
        )
        .with_summary(summary)
    }
}

pub(super) fn bad_request(message: String) -> Failure {
    Failure::new(400, "invalid_request", message)
}

/// A body that cannot be built: the client's fault when its parameters
/// clash with the ruleset's, the ruleset's otherwise.
pub(super) fn body_failure(rule: &str, e: BodyError) -> Failure {
    match e {
        BodyError::Conflict { .. } | BodyError::Reserved { .. } | BodyError::NoMessages => {
            bad_request(e.to_string())
        }
        e => Failure::new(
            500,
            "invalid_route",
            format!("rule `{rule}` does not make a valid request: {e}"),
        ),
    }
}
