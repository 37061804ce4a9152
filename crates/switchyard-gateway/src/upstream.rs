//! Calling the upstream: a pooled HTTP/1.1 client (https through rustls
//! with the webpki roots), and the plan's chain tried model by model
//! under the timeouts, with health reports for the models that failed or
//! served.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Method, Request, Response, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use switchyard::catalog::split_variant;
use switchyard::openrouter::{read_response, ChatRequest, ResponseError, Route};
use tokio::time::Instant;

use crate::body::{Relay, ReplyBody, StreamEnd};
use crate::error::{body_failure, Code, Failure};
use crate::gateway::Gateway;
use crate::incoming::Incoming as ChatIncoming;
use crate::log::AccessRecord;
use crate::plan::Plan;

/// The most of an upstream's (non-streamed) answer read into memory.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// The pooled upstream client.
pub(crate) type UpstreamClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Why an upstream client could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The platform's TLS setup failed.
    #[error("cannot set up TLS: {0}")]
    Tls(#[from] rustls::Error),
}

/// A client that keeps connections open for reuse, connects within
/// `connect` and speaks http and https.
pub(crate) fn client(connect: Duration) -> Result<UpstreamClient, ClientError> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(connect));
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())?
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_timer(TokioTimer::new())
        .build(https))
}

/// The outcome of one attempt that did not give the answer.
enum Next {
    /// Try the next model.
    Fallback,
    /// Answer with this.
    Answer(Response<ReplyBody>),
}

impl Gateway {
    /// Tries the chain from its first model until an attempt succeeds or
    /// fails in a way another model would not fix.
    pub(crate) async fn forward(
        self: &Arc<Self>,
        plan: Plan,
        incoming: ChatIncoming,
        record: &mut AccessRecord,
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
            let body =
                ChatRequest::from_route(route, incoming.messages.clone(), incoming.options.clone())
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
            let more = i + 1 < plan.chain.len();
            let sent = Instant::now();
            let deadline = sent + deadline_total;
            let first_byte = timeouts.first_byte().min(deadline_total);
            let answered = tokio::time::timeout(first_byte, self.client.request(request)).await;
            let head_at = Instant::now();
            record.upstream_ms += (head_at - sent).as_secs_f64() * 1e3;
            let response = match answered {
                Err(_) => {
                    // Slow: this model's fault as far as anyone can tell.
                    self.health.report_failure(model);
                    last_timeout = Some(model.clone());
                    if more {
                        self.fallback(&plan, i, model, "no answer within timeouts.first_byte");
                        continue;
                    }
                    break;
                }
                Ok(Err(e)) if e.is_connect() => {
                    // Not the model's fault: no health report, no next model.
                    return Err(Failure::new(
                        Code::UpstreamUnreachable,
                        format!("cannot reach the upstream: {}", source_text(&e)),
                    ));
                }
                Ok(Err(e)) => {
                    return Err(Failure::new(
                        Code::UpstreamInvalidResponse,
                        format!(
                            "the upstream's answer is not valid HTTP: {}",
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
                return Ok(self.relay(&plan, i, model, response, sent, deadline, record));
            }
            match self
                .read_answer(&plan, i, model, response, deadline, record)
                .await?
            {
                Next::Answer(answer) => {
                    self.metrics
                        .upstream_latency
                        .observe(sent.elapsed().as_secs_f64());
                    return Ok(answer);
                }
                Next::Fallback => continue,
            }
        }
        Err(Failure::new(
            Code::UpstreamTimeout,
            match last_timeout {
                Some(model) => format!(
                    "the upstream did not answer within the timeouts (last model tried: {model})"
                ),
                None => "the decision names no model".to_string(),
            },
        ))
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
        let text = String::from_utf8_lossy(&bytes);
        let catalog = self.routing.load().catalog.clone();
        let outcome = read_response(status, &text, catalog.as_deref());
        let retry_after = parts.headers.get(RETRY_AFTER).cloned();
        let mut headers = plan.headers(model, i + 1);
        match outcome {
            Ok(outcome) => {
                let served = self.account_success(&plan.chain, i, Some(&outcome.model));
                record.outcome(&outcome);
                if served > i {
                    headers.push((
                        hyper::header::HeaderName::from_static("x-switchyard-served-fallback"),
                        HeaderValue::from_static("true"),
                    ));
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

    /// Starts relaying a stream that began with a success status.
    #[allow(clippy::too_many_arguments, reason = "one call site, all needed")]
    fn relay(
        self: &Arc<Self>,
        plan: &Plan,
        i: usize,
        model: &str,
        response: Response<Incoming>,
        sent: Instant,
        deadline: Instant,
        record: &mut AccessRecord,
    ) -> Response<ReplyBody> {
        let (parts, body) = response.into_parts();
        let record = std::mem::replace(record, AccessRecord::new(record.id));
        let idle = self.settings.load().config.timeouts.idle_stream();
        let end = StreamEnd {
            gateway: Arc::clone(self),
            record,
            chain: plan.chain.clone(),
            attempt: i,
            rule: plan.rule.clone(),
            status: parts.status.as_u16(),
            sent,
        };
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

    /// Counts and logs an attempt given up for the next model.
    fn fallback(&self, plan: &Plan, i: usize, model: &str, why: &str) {
        self.metrics
            .fallbacks
            .get_or_create(&crate::metrics::RuleLabel {
                rule: plan.rule.clone(),
            })
            .inc();
        tracing::warn!(
            rule = plan.rule.as_str(),
            model,
            attempt = i + 1,
            "attempt failed, trying the next model: {why}"
        );
    }

    /// Reports the attempt's success: a success for the model that served
    /// (found in the chain from `attempt` on, variants aside) and a failure
    /// for each model OpenRouter skipped before it. Returns the served
    /// model's index in the chain.
    pub(crate) fn account_success(
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

    /// The end of a relayed stream: health, metrics, access log.
    pub(crate) fn stream_ended(&self, end: StreamEnd, tail: &[u8], how: &str) {
        let StreamEnd {
            mut record,
            chain,
            attempt,
            rule,
            status,
            sent,
            ..
        } = end;
        if how == "complete" {
            let catalog = self.routing.load().catalog.clone();
            // The tail may start inside a character: read it lossily.
            let text = String::from_utf8_lossy(tail);
            let outcome =
                switchyard::openrouter::parse_stream_final_chunk(&text, catalog.as_deref()).ok();
            if let Some(outcome) = &outcome {
                record.outcome(outcome);
            }
            self.account_success(&chain, attempt, outcome.as_ref().map(|o| o.model.as_str()));
        }
        record.upstream_ms += sent.elapsed().as_secs_f64() * 1e3;
        self.metrics
            .upstream_latency
            .observe(sent.elapsed().as_secs_f64());
        self.count(&rule, record.model.as_deref(), status);
        record.emit(status, Some(how));
    }

    /// The upstream URL of chat completions.
    pub(crate) fn chat_url(base: &str) -> Result<Uri, String> {
        let base = base.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "the upstream {base} is not an http:// or https:// URL"
            ));
        }
        format!("{base}/chat/completions")
            .parse()
            .map_err(|e| format!("the upstream {base} is not a valid URL: {e}"))
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
