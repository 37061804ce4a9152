//! The request a host routes: a typed struct, and its JSON form.

use serde::{Deserialize, Serialize};

/// One LLM request's routing fields, as a Rust service holds them after
/// parsing the request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The customer's id.
    pub tenant: String,
    /// The customer's plan.
    pub user_tier: String,
    /// What the request is for.
    pub task_type: String,
    /// Money left on the account.
    pub budget_remaining: f64,
    /// Estimated prompt size in tokens.
    pub prompt_tokens_est: i64,
    /// Whether the request calls tools.
    pub needs_tools: bool,
    /// Whether the request carries images.
    pub needs_vision: bool,
    /// The latency the caller asks for.
    pub max_latency_ms: i64,
}

/// Each request as one compact JSON object (the bytes of one line of a
/// traffic file, without the newline).
pub fn json_lines(requests: &[Request]) -> Result<Vec<Vec<u8>>, serde_json::Error> {
    requests.iter().map(serde_json::to_vec).collect()
}
