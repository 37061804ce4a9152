//! Calling the upstream: the plan's chain tried model by model, with
//! health reports for the models that failed or served.

use switchyard_catalog::split_variant;
use switchyard_openrouter::{headers, read_response, ChatRequest, ResponseError, Route};

use super::answer::{body_failure, Answer, Failure};
use super::incoming::Incoming;
use super::plan::Plan;
use super::Proxy;

/// The most of an upstream's (non-streamed) response read into memory.
const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

impl Proxy {
    /// Tries the chain from its first model until an attempt succeeds or
    /// fails in a way another model would not fix.
    pub(super) fn forward(
        &self,
        id: u64,
        plan: &Plan,
        incoming: &Incoming,
    ) -> Result<Answer, Failure> {
        let catalog = self.config.catalog.as_deref();
        for (i, model) in plan.chain.iter().enumerate() {
            let rest = plan.chain.get(i + 1..).unwrap_or_default();
            let route = Route {
                model,
                fallbacks: rest.iter().map(String::as_str).collect(),
                max_tokens: plan.max_tokens,
                options: &plan.options,
            };
            let body =
                ChatRequest::from_route(route, incoming.messages.clone(), incoming.options.clone())
                    .map_err(|e| body_failure(&plan.rule, e))?;
            let mut headers = plan.headers(model, i + 1);
            let mut response = self.send(&body).map_err(|e| {
                // Not the model's fault: no health report, no next model.
                Failure::new(
                    502,
                    "upstream_unreachable",
                    format!("cannot reach the upstream: {e}"),
                )
            })?;
            let status = response.status().as_u16();
            let content_type = header(&response, "content-type")
                .unwrap_or("application/json")
                .to_string();
            let retry_after = header(&response, "retry-after").map(String::from);
            if incoming.stream && (200..300).contains(&status) {
                return Ok(Answer::Stream {
                    status,
                    content_type,
                    headers,
                    body: response.into_body(),
                    chain: plan.chain.clone(),
                    attempt: i,
                });
            }
            let text = response
                .body_mut()
                .with_config()
                .limit(MAX_RESPONSE_BYTES)
                .read_to_string()
                .map_err(|e| {
                    Failure::new(
                        502,
                        "upstream_error",
                        format!("cannot read the upstream's response: {e}"),
                    )
                })?;
            let read = read_response(status, &text, catalog);
            if let (Err(_), Some(v)) = (&read, &retry_after) {
                // The client may want to wait before trying again itself.
                headers.push(("Retry-After".to_string(), v.clone()));
            }
            let answer = Answer::Full {
                status,
                content_type,
                headers,
                body: text.into_bytes(),
                summary: String::new(),
            };
            match read {
                Ok(outcome) => {
                    let served = self.account_success(&plan.chain, i, Some(&outcome.model));
                    let cost = outcome
                        .cost_usd()
                        .map(|c| format!(", ${c:.6}"))
                        .unwrap_or_default();
                    let tokens = outcome
                        .usage
                        .as_ref()
                        .map(|u| format!(", {}+{} tokens", u.prompt_tokens, u.completion_tokens))
                        .unwrap_or_default();
                    return Ok(answer.with_summary(format!(
                        "rule {} served by {}{}{tokens}{cost} ",
                        plan.rule,
                        outcome.model,
                        if served > 0 { " (fallback)" } else { "" },
                    )));
                }
                Err(ResponseError::Api(err)) => {
                    let err = match &retry_after {
                        Some(v) => err.with_retry_after_header(v),
                        None => *err,
                    };
                    let next = err.retry_next_model();
                    if next {
                        self.health.report_failure(model);
                    }
                    let more = next && i + 1 < plan.chain.len();
                    if self.config.log {
                        eprintln!(
                            "proxy: #{id} attempt {} with {model} failed: {err}{}",
                            i + 1,
                            if more { "; trying the next model" } else { "" }
                        );
                    }
                    if more {
                        continue;
                    }
                    return Ok(answer.with_summary(format!("rule {} failed ", plan.rule)));
                }
                Err(e) => {
                    // A 2xx answer the executor does not understand: the
                    // client may; pass it on.
                    if self.config.log {
                        eprintln!("proxy: #{id} the upstream's response is unusual: {e}");
                    }
                    self.health.report_success(model);
                    return Ok(answer.with_summary(format!("rule {} ", plan.rule)));
                }
            }
        }
        Err(Failure::new(
            500,
            "internal_error",
            "the decision names no model".to_string(),
        ))
    }

    /// Reports the attempt's success: a success for the model that served
    /// (found in the chain from `attempt` on, variants aside) and a failure
    /// for each model OpenRouter skipped before it. Returns the served
    /// model's index in the chain.
    pub(super) fn account_success(
        &self,
        chain: &[String],
        attempt: usize,
        served: Option<&str>,
    ) -> usize {
        let tried = chain.get(attempt..).unwrap_or_default();
        let k = served
            .and_then(|s| {
                tried
                    .iter()
                    .position(|m| split_variant(m).0 == split_variant(s).0)
            })
            .unwrap_or(0);
        for skipped in tried.iter().take(k) {
            self.health.report_failure(skipped);
        }
        if let Some(m) = tried.get(k) {
            self.health.report_success(m);
        }
        attempt + k
    }

    /// POSTs a body upstream.
    fn send(&self, body: &ChatRequest) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let mut request = self
            .agent
            .post(&self.chat_url)
            .header("Content-Type", "application/json");
        for (name, value) in headers(&self.config.api_key, self.config.attribution.as_ref()) {
            request = request.header(name, value);
        }
        request.send(body.to_json_string())
    }
}

fn header<'r>(response: &'r ureq::http::Response<ureq::Body>, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}
