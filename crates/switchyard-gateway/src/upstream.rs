//! Forwarding: the plan's chain tried model by model under the
//! timeouts, an answer read whole or a stream handed to the relay.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Method, Request, Response};
use switchyard::openrouter::{read_response, ChatRequest, ResponseError, Route};
use tokio::time::Instant;

use crate::body::{Relay, ReplyBody, StreamEnd};
use crate::budget::Hold;
use crate::client::{SendError, UpstreamClient};
use crate::error::{body_failure, Code, Failure};
use crate::gateway::Gateway;
use crate::incoming::Incoming as ChatIncoming;
use crate::log::AccessRecord;
use crate::plan::{Plan, SERVED_FALLBACK};

/// The most of an upstream's (non-streamed) answer read into memory.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// The outcome of one attempt that did not give the answer.
enum Next {
    /// Try the next model.
    Fallback,
    /// Answer with this.
    Answer(Response<ReplyBody>),
}

impl Gateway {
    /// Tries the chain from its first model until an attempt succeeds or
    /// fails in a way another model would not fix. A stream takes `hold`
    /// (the request's hold on the ledger) to settle at its end.
    pub(crate) async fn forward(
        self: &Arc<Self>,
        client: &UpstreamClient,
        plan: Plan,
        mut incoming: ChatIncoming,
        record: &mut AccessRecord,
        hold: &mut Option<Hold>,
    ) -> Result<Response<ReplyBody>, Failure> {
        let settings = self.settings.load_full();
        let timeouts = &settings.config.timeouts;
        let deadline_total = timeouts.total();
        let mut last_timeout = None;
        for (i, model) in plan.chain.iter().enumerate() {
            let rest = plan.chain.get(i + 1..).unwrap_or_default();
            let route = Route {
                model,
                fallbacks: rest.iter().map(String::as_str).collect(),
                max_tokens: plan.max_tokens,
                options: &plan.options,
            };
            let more = i + 1 < plan.chain.len();
            // The last attempt takes the messages; the others copy them.
            let (messages, options) = if more {
                (incoming.messages.clone(), incoming.options.clone())
            } else {
                (
                    std::mem::take(&mut incoming.messages),
                    std::mem::take(&mut incoming.options),
                )
            };
            let body = ChatRequest::from_route(route, messages, options)
                .map_err(|e| body_failure(&plan.rule, e))?;
            let mut request = Request::builder()
                .method(Method::POST)
                .uri(self.chat_url.clone())
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            for (name, value) in &settings.upstream_headers {
                request = request.header(name, value);
            }
            let request = request
                .body(Full::new(Bytes::from(body.to_json_string())))
                .map_err(|e| Failure::new(Code::InternalError, e.to_string()))?;
            record.attempts = i + 1;
            record.model = Some(model.clone());
            let sent = Instant::now();
            let deadline = sent + deadline_total;
            let first_byte = timeouts.first_byte().min(deadline_total);
            let answered = tokio::time::timeout(first_byte, client.send(request)).await;
            let head_at = Instant::now();
            let response = match answered {
                Err(_) => {
                    record.upstream_ms += (head_at - sent).as_secs_f64() * 1e3;
                    // Slow: this model's fault as far as anyone can tell.
                    self.health.report_failure(model);
                    last_timeout = Some(model.clone());
                    if more {
                        self.fallback(&plan, i, model, "no answer within timeouts.first_byte");
                        continue;
                    }
                    break;
                }
                Ok(Err(SendError::Connect(e))) => {
                    // Not the model's fault: no health report, no next model.
                    return Err(Failure::new(
                        Code::UpstreamUnreachable,
                        format!("cannot reach the upstream: {}", source_text(&*e)),
                    ));
                }
                Ok(Err(SendError::Http(e))) => {
                    return Err(Failure::new(
                        Code::UpstreamInvalidResponse,
                        format!(
                            "the upstream's answer could not be read as HTTP: {}",
                            source_text(&e)
                        ),
                    ));
                }
                Ok(Ok(response)) => response,
            };
            self.metrics
                .time_to_first_byte
                .observe((head_at - sent).as_secs_f64());
            let status = response.status().as_u16();
            if incoming.stream && (200..300).contains(&status) {
                // Timed and logged when the stream ends.
                let end = self.stream_end(&plan, i, &response, sent, record, hold.take());
                return Ok(self.relay(&plan, i, model, response, deadline, end));
            }
            let read = self
                .read_answer(&plan, i, model, response, deadline, record)
                .await;
            let took = sent.elapsed().as_secs_f64();
            record.upstream_ms += took * 1e3;
            self.metrics.upstream_latency.observe(took);
            match read? {
                Next::Answer(answer) => return Ok(answer),
                Next::Fallback => continue,
            }
        }
        Err(match last_timeout {
            Some(model) => Failure::new(
                Code::UpstreamTimeout,
                format!(
                    "the upstream did not answer within timeouts.first_byte (last model tried: {model})"
                ),
            ),
            None => Failure::new(Code::InternalError, "the decision names no model"),
        })
    }

    /// Reads a whole answer: passed on, or a reason to try the next model.
    async fn read_answer(
        &self,
        plan: &Plan,
        i: usize,
        model: &str,
        response: Response<Incoming>,
        deadline: Instant,
        record: &mut AccessRecord,
    ) -> Result<Next, Failure> {
        let (parts, body) = response.into_parts();
        let status = parts.status.as_u16();
        let read =
            tokio::time::timeout_at(deadline, Limited::new(body, MAX_RESPONSE_BYTES).collect())
                .await;
        let bytes = match read {
            Err(_) => {
                return Err(Failure::new(
                    Code::UpstreamTimeout,
                    "the upstream's answer took longer than timeouts.total",
                ))
            }
            Ok(Err(e)) => {
                return Err(Failure::new(
                    Code::UpstreamInvalidResponse,
                    format!("cannot read the upstream's answer: {e}"),
                ))
            }
            Ok(Ok(collected)) => collected.to_bytes(),
        };
        // `from_utf8` checks a word at a time; lossy only when it fails.
        let text = match std::str::from_utf8(&bytes) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(&bytes),
        };
        let catalog = self.routing.load().catalog.clone();
        let outcome = read_response(status, &text, catalog.as_deref());
        let retry_after = parts.headers.get(RETRY_AFTER).cloned();
        let mut headers = plan.headers(model, i + 1);
        match outcome {
            Ok(outcome) => {
                let served = self.account_success(&plan.chain, i, Some(&outcome.model));
                record.outcome(outcome);
                if served > i {
                    headers.push((SERVED_FALLBACK, HeaderValue::from_static("true")));
                }
            }
            Err(ResponseError::Api(err)) => {
                let err = match retry_after.as_ref().and_then(|v| v.to_str().ok()) {
                    Some(v) => err.with_retry_after_header(v),
                    None => *err,
                };
                let next = err.retry_next_model();
                if next {
                    self.health.report_failure(model);
                }
                if next && i + 1 < plan.chain.len() {
                    self.fallback(plan, i, model, &err.to_string());
                    return Ok(Next::Fallback);
                }
                if let Some(v) = retry_after {
                    // The client may want to wait before trying again itself.
                    headers.push((RETRY_AFTER, v));
                }
            }
            Err(ResponseError::Syntax { .. }) => {
                return Err(Failure::new(
                    Code::UpstreamInvalidResponse,
                    format!("the upstream answered {status} with a body that is not JSON"),
                ));
            }
            Err(e) => {
                // JSON the reader does not understand: the client may; pass
                // it on.
                tracing::warn!(
                    request_id = record.id,
                    "the upstream's answer is unusual: {e}"
                );
                self.health.report_success(model);
            }
        }
        let content_type = parts
            .headers
            .get(CONTENT_TYPE)
            .cloned()
            .unwrap_or(HeaderValue::from_static("application/json"));
        let mut answer = Response::new(ReplyBody::full(bytes));
        *answer.status_mut() = parts.status;
        let h = answer.headers_mut();
        h.insert(CONTENT_TYPE, content_type);
        for (name, value) in headers {
            h.insert(name, value);
        }
        Ok(Next::Answer(answer))
    }

    /// What a stream's end is reported with: the access record (taken
    /// from the request) and the hold on the ledger.
    fn stream_end(
        self: &Arc<Self>,
        plan: &Plan,
        i: usize,
        response: &Response<Incoming>,
        sent: Instant,
        record: &mut AccessRecord,
        hold: Option<Hold>,
    ) -> StreamEnd {
        StreamEnd {
            gateway: Arc::clone(self),
            record: std::mem::replace(record, AccessRecord::new(record.id)),
            chain: plan.chain.clone(),
            attempt: i,
            rule: plan.rule.clone(),
            status: response.status().as_u16(),
            sent,
            hold,
        }
    }

    /// Starts relaying a stream that began with a success status.
    fn relay(
        self: &Arc<Self>,
        plan: &Plan,
        i: usize,
        model: &str,
        response: Response<Incoming>,
        deadline: Instant,
        end: StreamEnd,
    ) -> Response<ReplyBody> {
        let (parts, body) = response.into_parts();
        let idle = self.settings.load().config.timeouts.idle_stream();
        let relay = Relay::new(body, idle, deadline, end);
        let mut answer = Response::new(ReplyBody::Stream(Box::new(relay)));
        *answer.status_mut() = parts.status;
        let h = answer.headers_mut();
        if let Some(ct) = parts.headers.get(CONTENT_TYPE) {
            h.insert(CONTENT_TYPE, ct.clone());
        }
        h.insert(
            hyper::header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        );
        for (name, value) in plan.headers(model, i + 1) {
            h.insert(name, value);
        }
        answer
    }
}

/// An error with its causes, for a message.
fn source_text(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
