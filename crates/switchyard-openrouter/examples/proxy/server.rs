//! The routing proxy's logic: an OpenAI-compatible
//! `POST /v1/chat/completions` that decides with a switchyard ruleset and
//! forwards to OpenRouter (or any OpenAI-compatible upstream).
//!
//! Compiled into `examples/proxy.rs` (the binary, which reads its
//! configuration) and into `crates/switchyard-openrouter/tests/proxy.rs` (through
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

mod answer;
mod derived_fields;
mod incoming;
mod plan;
mod respond;
mod upstream;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};
use switchyard_catalog::Catalog;
use switchyard_eval::{Health, LiveRuleset};
use switchyard_openrouter::{ApiKey, Attribution};
use tiny_http::{Method, Request, Server};

use answer::{Answer, Failure};
use incoming::{read_body, Incoming};

/// The body field that carries the routing context.
pub const CONTEXT_FIELD: &str = "switchyard_context";

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
                     `cargo run -p switchyard-openrouter --features tls --example proxy`"
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
