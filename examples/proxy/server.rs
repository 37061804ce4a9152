//! The routing proxy's logic: an OpenAI-compatible
//! `POST /v1/chat/completions` that decides with a switchyard ruleset and
//! forwards to OpenRouter (or any OpenAI-compatible upstream).
//!
//! Compiled into `examples/proxy.rs` (the binary, which reads its
//! configuration) and into `crates/switchyard-exec/tests/proxy.rs` (through
//! `#[path]`), so the tests run exactly this code in-process and can look
//! at the [`Health`] registry it reports to.
//!
//! # A request
//!
//! 1. The body is the OpenAI chat-completions request. Its `messages`,
//!    `tools`, `tool_choice`, `stream` and every other field go to the
//!    upstream; `model` is ignored (the ruleset picks the model: the
//!    response's `model` and the `X-Switchyard-Model` header say which
//!    served); `max_tokens` / `max_completion_tokens` may lower the rule's
//!    cap, never raise it; `models`, `provider`, `transforms` and `route`
//!    are refused (400), since they belong to the routing policy.
//! 2. The routing context is the body's `switchyard_context` object (with
//!    the OpenAI Python client: `extra_body={"switchyard_context": {...}}`),
//!    removed before forwarding. Values keep their JSON types, so they are
//!    checked against the ruleset's schema exactly as
//!    `CompiledTable::context_from_json` checks any context: a bad one is a
//!    400 naming the field. When the ruleset declares them (with these
//!    types) and the context leaves them out, the proxy fills in
//!    `needs_tools: bool` (the request has `tools`), `needs_vision: bool`
//!    (a message has an image part), `prompt: string` (the last user
//!    message's text) and `prompt_tokens: int` (a rough estimate: the
//!    messages' characters / 4).
//! 3. The decision comes from `decide_with_health` on the ruleset being
//!    served (hot-reloaded), so models the [`Health`] registry has cooled
//!    down are skipped. No rule matching is a 422.
//! 4. The body from `ChatRequest::from_route` (the decision's `model`,
//!    `models`, `max_tokens`, `provider`, params) is POSTed upstream with
//!    the API key. On an error for which `retry_next_model()` holds, the
//!    proxy reports a failure for the attempt's model and tries again from
//!    the next model of the chain (`model` = that one, `models` = it and
//!    the rest); OpenRouter's own fallback through `models` happens within
//!    each attempt. Other errors (a bad request, credits, moderation) are
//!    returned at once, as the upstream sent them. A success is reported
//!    for the model that served; when OpenRouter fell back within an
//!    attempt, the models it skipped are reported as failures.
//! 5. The upstream's status and body go back to the client unchanged, with
//!    `X-Switchyard-Rule`, `-Variant`, `-Model` (first model of the attempt
//!    that answered), `-Attempts`, `-Degraded` and `-Ruleset` headers.
//!
//! Streaming (`"stream": true`) is passed through: the server-sent events
//! are relayed as they arrive. Fallback happens only before the first byte
//! (an error status); an upstream that breaks mid-stream gets an in-band
//! `{"error": ...}` event, the way OpenRouter reports such errors.
//!
//! `GET /healthz` gives the ruleset's generation, version and digest, the
//! last reload error, and the models cooled down.
//!
//! The API key is sent only in the upstream's `Authorization` header and is
//! never logged. Clients are not authenticated: listen on loopback.

#![allow(
    dead_code,
    reason = "compiled into both the proxy example and its tests; each uses a part"
)]

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value as Json};
use switchyard_catalog::{split_variant, Catalog};
use switchyard_check::ir::Type;
use switchyard_eval::{CompiledTable, Health, LiveRuleset};
use switchyard_exec::{
    headers, messages_from_value, parse_stream_final_chunk, read_response, ApiKey, Attribution,
    BodyError, ChatRequest, Content, ContentPart, Message, RequestOptions, ResponseError, Role,
    Route,
};
use tiny_http::{Header, Method, Request, Response, Server};

/// The body field that carries the routing context.
pub const CONTEXT_FIELD: &str = "switchyard_context";

/// Fields of the OpenAI request that the routing policy sets: refused.
const POLICY_FIELDS: &[&str] = &["models", "provider", "transforms", "route"];

/// The most of an upstream's (non-streamed) response read into memory.
const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// How much of the end of a stream is kept to read its usage chunk.
const STREAM_TAIL_BYTES: usize = 64 * 1024;

/// How the proxy reaches its upstream.
pub struct Config {
    /// Base URL of the OpenAI-compatible API (`/chat/completions` is
    /// appended), e.g. `https://openrouter.ai/api/v1`.
    pub upstream: String,
    /// The upstream's API key.
    pub api_key: ApiKey,
    /// App attribution headers for OpenRouter, if any.
    pub attribution: Option<Attribution>,
    /// The longest one upstream call may take, streaming included.
    pub timeout: Duration,
    /// A model catalog, for costs in the log when the upstream gives none.
    pub catalog: Option<Arc<Catalog>>,
    /// The largest request body accepted from a client.
    pub max_request_bytes: u64,
    /// Whether to log a line per request and per failed attempt on
    /// standard error.
    pub log: bool,
}

impl Config {
    /// A configuration with the defaults: no attribution, a 5-minute
    /// timeout, no catalog, 16 MiB requests, logging on.
    pub fn new(upstream: impl Into<String>, api_key: ApiKey) -> Config {
        Config {
            upstream: upstream.into(),
            api_key,
            attribution: None,
            timeout: Duration::from_secs(300),
            catalog: None,
            max_request_bytes: 16 * 1024 * 1024,
            log: true,
        }
    }
}

/// The proxy: a ruleset, a health registry and an upstream.
pub struct Proxy {
    rules: Arc<LiveRuleset>,
    health: Arc<Health>,
    config: Config,
    chat_url: String,
    agent: ureq::Agent,
    requests: AtomicU64,
}

impl Proxy {
    /// A proxy deciding with `rules` and reporting to `health`. Fails when
    /// the upstream URL is not `http://` or `https://`, or is `https://` in
    /// a build without the `tls` feature.
    pub fn new(
        rules: Arc<LiveRuleset>,
        health: Arc<Health>,
        config: Config,
    ) -> Result<Proxy, String> {
        let base = config.upstream.trim_end_matches('/');
        if base.starts_with("https://") {
            if !cfg!(feature = "tls") {
                return Err(format!(
                    "the upstream {base} is https, and this build has no TLS: run with \
                     `cargo run -p switchyard-exec --features tls --example proxy`"
                ));
            }
        } else if !base.starts_with("http://") {
            return Err(format!(
                "the upstream {base} is not an http:// or https:// URL"
            ));
        }
        let chat_url = format!("{base}/chat/completions");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            // Error statuses are answers to read, not transport errors.
            .http_status_as_error(false)
            .timeout_global(Some(config.timeout))
            .timeout_connect(Some(config.timeout.min(Duration::from_secs(10))))
            .max_redirects(0)
            .build()
            .into();
        Ok(Proxy {
            rules,
            health,
            config,
            chat_url,
            agent,
            requests: AtomicU64::new(0),
        })
    }

    /// The health registry the proxy reports to.
    pub fn health(&self) -> &Health {
        &self.health
    }

    /// Listens on `addr` (e.g. `127.0.0.1:8080`; port 0 picks a free one)
    /// with `workers` threads, each serving one request at a time.
    pub fn start(self, addr: &str, workers: usize) -> Result<Running, String> {
        let server =
            Arc::new(Server::http(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?);
        let local = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| format!("{addr} is not an IP address"))?;
        let proxy = Arc::new(self);
        let stopping = Arc::new(AtomicBool::new(false));
        let workers = (0..workers.max(1))
            .map(|_| {
                let (proxy, server, stopping) = (
                    Arc::clone(&proxy),
                    Arc::clone(&server),
                    Arc::clone(&stopping),
                );
                thread::spawn(move || loop {
                    match server.recv() {
                        Ok(request) => proxy.handle(request),
                        Err(_) if stopping.load(Ordering::SeqCst) => break,
                        Err(e) => {
                            if proxy.config.log {
                                eprintln!("proxy: accepting a connection failed: {e}");
                            }
                        }
                    }
                })
            })
            .collect();
        Ok(Running {
            server,
            addr: local,
            workers,
            stopping,
            proxy,
        })
    }

    /// Serves one request and logs it.
    fn handle(&self, mut request: Request) {
        let id = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        let started = Instant::now();
        let method = request.method().clone();
        let url = request.url().to_string();
        let path = url.split('?').next().unwrap_or_default();
        let answer = match (&method, path) {
            (Method::Post, "/v1/chat/completions" | "/chat/completions") => {
                self.chat(id, &mut request).unwrap_or_else(Answer::from)
            }
            (Method::Get, "/healthz") => self.status(),
            (_, "/v1/chat/completions" | "/chat/completions") => Answer::from(Failure::new(
                405,
                "method_not_allowed",
                format!("{method} is not allowed here; use POST"),
            )),
            _ => Answer::from(Failure::new(
                404,
                "not_found",
                format!(
                    "no route for {method} {path}: this proxy serves POST /v1/chat/completions"
                ),
            )),
        };
        let status = answer.status();
        let summary = answer.summary();
        let sent = self.respond(request, answer);
        if self.config.log {
            let error = match &sent {
                Ok(()) => String::new(),
                Err(e) => format!(" (writing the response failed: {e})"),
            };
            eprintln!(
                "proxy: #{id} {method} {path} -> {status} {summary}in {} ms{error}",
                started.elapsed().as_millis()
            );
        }
    }

    /// `POST /v1/chat/completions`.
    fn chat(&self, id: u64, request: &mut Request) -> Result<Answer, Failure> {
        let bytes = read_body(request, self.config.max_request_bytes)?;
        let mut incoming = Incoming::parse(&bytes)?;
        let plan = self.plan(&mut incoming)?;
        self.forward(id, &plan, &incoming)
    }

    /// Decides: the rule, and the chain of models to try.
    fn plan(&self, incoming: &mut Incoming) -> Result<Plan, Failure> {
        let table = self.rules.load();
        let mut context = std::mem::take(&mut incoming.context);
        derive_context(&table, &mut context, incoming);
        let ctx = table
            .context_from_json(&Json::Object(context))
            .map_err(|e| Failure::new(400, "invalid_context", format!("{CONTEXT_FIELD}: {e}")))?;
        let decision = table
            .decide_with_health(&ctx, &self.health)
            .map_err(|e| Failure::new(500, "internal_error", e.to_string()))?
            .ok_or_else(|| {
                Failure::new(
                    422,
                    "no_route",
                    "no routing rule matches this request's context".to_string(),
                )
            })?;
        let max_tokens = match (decision.max_tokens(), incoming.max_tokens) {
            (Some(rule), Some(client)) => Some(rule.min(client)),
            (rule, client) => rule.or(client),
        };
        Ok(Plan {
            rule: decision.rule().to_string(),
            variant: decision.variant().map(String::from),
            degraded: decision.degraded(),
            ruleset: table.info().hash.clone(),
            chain: std::iter::once(decision.model())
                .chain(decision.fallbacks())
                .map(String::from)
                .collect(),
            max_tokens,
            options: decision.options().clone(),
        })
    }

    /// Tries the chain from its first model until an attempt succeeds or
    /// fails in a way another model would not fix.
    fn forward(&self, id: u64, plan: &Plan, incoming: &Incoming) -> Result<Answer, Failure> {
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
    fn account_success(&self, chain: &[String], attempt: usize, served: Option<&str>) -> usize {
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

    /// `GET /healthz`.
    fn status(&self) -> Answer {
        let status = self.rules.status();
        let down: Vec<Json> = self
            .health
            .down_models()
            .into_iter()
            .map(|(model, left)| json!({ "model": model, "seconds_left": left.as_secs_f64() }))
            .collect();
        let body = json!({
            "generation": status.generation,
            "ruleset": status.info,
            "last_error": status.last_error.map(|e| e.to_string()),
            "down_models": down,
        });
        Answer::json(200, &body)
    }

    /// Sends the answer to the client.
    fn respond(&self, request: Request, answer: Answer) -> io::Result<()> {
        match answer {
            Answer::Full {
                status,
                content_type,
                headers,
                body,
                ..
            } => {
                let mut response = Response::from_data(body).with_status_code(status);
                for (name, value) in
                    std::iter::once(("Content-Type".to_string(), content_type)).chain(headers)
                {
                    if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                        response.add_header(h);
                    }
                }
                request.respond(response)
            }
            Answer::Stream {
                status,
                content_type,
                headers,
                body,
                chain,
                attempt,
            } => {
                let tail = relay_stream(request, status, &content_type, &headers, body)?;
                // The tail may start inside a character: read it lossily.
                let outcome = parse_stream_final_chunk(&String::from_utf8_lossy(&tail), None).ok();
                self.account_success(&chain, attempt, outcome.as_ref().map(|o| o.model.as_str()));
                Ok(())
            }
        }
    }
}

/// A proxy serving on its threads.
pub struct Running {
    server: Arc<Server>,
    addr: SocketAddr,
    workers: Vec<JoinHandle<()>>,
    stopping: Arc<AtomicBool>,
    proxy: Arc<Proxy>,
}

impl Running {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The proxy.
    pub fn proxy(&self) -> &Proxy {
        &self.proxy
    }

    /// Waits for the workers (which run until [`Running::stop`]).
    pub fn wait(self) {
        for w in self.workers {
            let _ = w.join();
        }
    }

    /// Stops once the requests being served are answered.
    pub fn stop(self) {
        self.stopping.store(true, Ordering::SeqCst);
        for _ in &self.workers {
            self.server.unblock();
        }
        for w in self.workers {
            let _ = w.join();
        }
    }
}

/// What the client asked for, split into routing and passing through.
struct Incoming {
    /// `switchyard_context`.
    context: Map<String, Json>,
    messages: Vec<Message>,
    /// `stream`, `tools`, `tool_choice` and every other field.
    options: RequestOptions,
    /// The client's cap: the smaller of `max_tokens` and
    /// `max_completion_tokens`.
    max_tokens: Option<u32>,
    stream: bool,
}

impl Incoming {
    fn parse(bytes: &[u8]) -> Result<Incoming, Failure> {
        let value: Json = serde_json::from_slice(bytes)
            .map_err(|e| bad_request(format!("the body is not valid JSON: {e}")))?;
        let Json::Object(mut body) = value else {
            return Err(bad_request("the body must be a JSON object".to_string()));
        };
        let context = match body.remove(CONTEXT_FIELD) {
            None | Some(Json::Null) => Map::new(),
            Some(Json::Object(map)) => map,
            Some(_) => {
                return Err(Failure::new(
                    400,
                    "invalid_context",
                    format!("`{CONTEXT_FIELD}` must be a JSON object"),
                ))
            }
        };
        let messages = match body.remove("messages") {
            Some(value) => messages_from_value(value).map_err(|e| bad_request(e.to_string()))?,
            None => return Err(bad_request("`messages` is required".to_string())),
        };
        // The ruleset picks the model; clients must send one, so it is
        // accepted and ignored.
        body.remove("model");
        if let Some(key) = POLICY_FIELDS.iter().find(|k| body.contains_key(**k)) {
            return Err(bad_request(format!(
                "`{key}` is set by the routing policy: leave it out of the request"
            )));
        }
        let mut max_tokens: Option<u32> = None;
        for key in ["max_tokens", "max_completion_tokens"] {
            match body.remove(key) {
                None | Some(Json::Null) => {}
                Some(v) => {
                    let n = v
                        .as_u64()
                        .and_then(|n| u32::try_from(n).ok())
                        .filter(|&n| n > 0)
                        .ok_or_else(|| {
                            bad_request(format!("`{key}` must be a positive integer"))
                        })?;
                    max_tokens = Some(max_tokens.map_or(n, |m| m.min(n)));
                }
            }
        }
        let mut options = RequestOptions::default();
        match body.remove("stream") {
            None | Some(Json::Null) => {}
            Some(Json::Bool(b)) => options.stream = Some(b),
            Some(_) => return Err(bad_request("`stream` must be true or false".to_string())),
        }
        match body.remove("tools") {
            None | Some(Json::Null) => {}
            Some(Json::Array(tools)) => options.tools = Some(tools),
            Some(_) => return Err(bad_request("`tools` must be an array".to_string())),
        }
        match body.remove("tool_choice") {
            None | Some(Json::Null) => {}
            Some(choice) => options.tool_choice = Some(choice),
        }
        options.params = body;
        Ok(Incoming {
            context,
            messages,
            stream: options.stream == Some(true),
            options,
            max_tokens,
        })
    }

    fn has_tools(&self) -> bool {
        self.options.tools.as_ref().is_some_and(|t| !t.is_empty())
    }
}

/// Fills in the fields the proxy knows from the request (see the module
/// documentation) when the ruleset declares them with the expected type
/// and the client's context leaves them out (or `null`).
fn derive_context(table: &CompiledTable, context: &mut Map<String, Json>, incoming: &Incoming) {
    for field in &table.ruleset().fields {
        if context.get(&field.name).is_some_and(|v| !v.is_null()) {
            continue;
        }
        let value = match (field.name.as_str(), &field.ty) {
            ("needs_tools", Type::Bool) => Json::Bool(incoming.has_tools()),
            ("needs_vision", Type::Bool) => Json::Bool(has_image(&incoming.messages)),
            ("prompt", Type::String) => match last_user_text(&incoming.messages) {
                Some(text) => Json::String(text),
                None => continue,
            },
            ("prompt_tokens", Type::Int) => json!(estimate_tokens(&incoming.messages)),
            _ => continue,
        };
        context.insert(field.name.clone(), value);
    }
}

fn has_image(messages: &[Message]) -> bool {
    messages.iter().any(|m| match &m.content {
        Some(Content::Parts(parts)) => parts
            .iter()
            .any(|p| matches!(p, ContentPart::ImageUrl { .. })),
        _ => false,
    })
}

/// The text of a message: its string, or its text parts joined by line
/// breaks.
fn text_of(message: &Message) -> Option<String> {
    match &message.content {
        Some(Content::Text(t)) => Some(t.clone()),
        Some(Content::Parts(parts)) => Some(
            parts
                .iter()
                .filter_map(|p| match p {
                    ContentPart::Text { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => None,
    }
}

fn last_user_text(messages: &[Message]) -> Option<String> {
    messages
        .iter()
        .rev()
        .find(|m| m.role == Role::User)
        .and_then(text_of)
}

/// About four characters a token: rough, but enough for rules on prompt
/// size.
fn estimate_tokens(messages: &[Message]) -> i64 {
    let chars: usize = messages
        .iter()
        .filter_map(text_of)
        .map(|t| t.chars().count())
        .sum();
    i64::try_from(chars.div_ceil(4)).unwrap_or(i64::MAX)
}

/// What was decided, owned, so that the table is not held during the
/// upstream calls.
struct Plan {
    rule: String,
    variant: Option<String>,
    degraded: bool,
    ruleset: String,
    /// The model, then its fallbacks (down models left out).
    chain: Vec<String>,
    max_tokens: Option<u32>,
    options: Map<String, Json>,
}

impl Plan {
    /// The `X-Switchyard-*` response headers.
    fn headers(&self, model: &str, attempts: usize) -> Vec<(String, String)> {
        let mut out = vec![
            ("X-Switchyard-Rule".to_string(), self.rule.clone()),
            ("X-Switchyard-Model".to_string(), model.to_string()),
            ("X-Switchyard-Attempts".to_string(), attempts.to_string()),
            ("X-Switchyard-Ruleset".to_string(), self.ruleset.clone()),
        ];
        if let Some(v) = &self.variant {
            out.push(("X-Switchyard-Variant".to_string(), v.clone()));
        }
        if self.degraded {
            out.push(("X-Switchyard-Degraded".to_string(), "true".to_string()));
        }
        out
    }
}

/// What goes back to the client.
enum Answer {
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
    fn json(status: u16, body: &Json) -> Answer {
        Answer::Full {
            status,
            content_type: "application/json".to_string(),
            headers: Vec::new(),
            body: body.to_string().into_bytes(),
            summary: String::new(),
        }
    }

    fn status(&self) -> u16 {
        match self {
            Answer::Full { status, .. } | Answer::Stream { status, .. } => *status,
        }
    }

    fn summary(&self) -> String {
        match self {
            Answer::Full { summary, .. } => summary.clone(),
            Answer::Stream { chain, attempt, .. } => format!(
                "streaming from {} ",
                chain.get(*attempt).map_or("?", String::as_str)
            ),
        }
    }

    fn with_summary(mut self, text: String) -> Answer {
        if let Answer::Full { summary, .. } = &mut self {
            *summary = text;
        }
        self
    }
}

/// An error the proxy answers itself, in OpenAI's error shape.
#[derive(Debug)]
struct Failure {
    status: u16,
    code: &'static str,
    message: String,
}

impl Failure {
    fn new(status: u16, code: &'static str, message: String) -> Failure {
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

fn bad_request(message: String) -> Failure {
    Failure::new(400, "invalid_request", message)
}

/// A body that cannot be built: the client's fault when its parameters
/// clash with the ruleset's, the ruleset's otherwise.
fn body_failure(rule: &str, e: BodyError) -> Failure {
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

/// The client's body, up to `limit` bytes.
fn read_body(request: &mut Request, limit: u64) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    request
        .as_reader()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| bad_request(format!("cannot read the request body: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(Failure::new(
            413,
            "request_too_large",
            format!("the request body is larger than {limit} bytes"),
        ));
    }
    Ok(bytes)
}

fn header<'r>(response: &'r ureq::http::Response<ureq::Body>, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Relays an upstream stream to the client as it arrives, chunk by chunk,
/// flushing each. Returns the stream's last bytes (where its usage chunk
/// is).
fn relay_stream(
    request: Request,
    status: u16,
    content_type: &str,
    headers: &[(String, String)],
    body: ureq::Body,
) -> io::Result<Vec<u8>> {
    let mut out = request.into_writer();
    let mut head = format!(
        "HTTP/1.1 {status} OK\r\nContent-Type: {content_type}\r\nCache-Control: no-cache\r\n\
         Transfer-Encoding: chunked\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.flush()?;

    let mut reader = body.into_reader();
    let mut buf = vec![0u8; 16 * 1024];
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // No fallback is possible once bytes went out: report it
                // in-band, as OpenRouter does.
                let event = format!(
                    "data: {}\n\n",
                    json!({ "error": { "code": 502, "message": format!("the upstream stream broke: {e}") } })
                );
                write_chunk(&mut out, event.as_bytes())?;
                break;
            }
        };
        let data = buf.get(..n).unwrap_or_default();
        write_chunk(&mut out, data)?;
        tail.extend_from_slice(data);
        if tail.len() > STREAM_TAIL_BYTES {
            tail.drain(..tail.len() - STREAM_TAIL_BYTES);
        }
    }
    out.write_all(b"0\r\n\r\n")?;
    out.flush()?;
    Ok(tail)
}

fn write_chunk(out: &mut dyn Write, data: &[u8]) -> io::Result<()> {
    write!(out, "{:x}\r\n", data.len())?;
    out.write_all(data)?;
    out.write_all(b"\r\n")?;
    out.flush()
}
