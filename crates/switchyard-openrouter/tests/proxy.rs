//! The proxy example (`examples/proxy/server.rs`, compiled in here) against
//! a stub upstream on 127.0.0.1: the body that reaches the upstream, the
//! fallback along the chain on retryable errors, the health registry, the
//! answers to bad requests, streaming, and the official `openai` Python
//! client driving it as a host would.
//!
//! Every server listens on 127.0.0.1 with a port the system picks; every
//! call has a timeout.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

#[path = "../../../examples/proxy/server.rs"]
mod server;

use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{json, Value};
use switchyard_eval::{Health, HealthPolicy, LiveRuleset, ReloadOptions, SystemClock};
use switchyard_openrouter::ApiKey;

use crate::server::{Config, Proxy, Running};

/// The key the proxy sends upstream.
const KEY: &str = "sk-or-v1-test-0000000000000000";

/// Models whose id starts with `test/down` fail with a retryable 503;
/// `test/bad-request` with a 400; `test/fails-over` is answered by
/// `test/backup` (OpenRouter's own fallback through `models`).
const RULES: &str = r#"
context {
  tier: "free" | "pro" = "free"
  scenario: "ok" | "bad-request" | "all-down" | "openrouter-fallback" = "ok"
  needs_tools: bool = false
  needs_vision: bool = false
  prompt: string = ""
  prompt_tokens: int = 0
}

defaults max_tokens 256

rule bad: when scenario == "bad-request" -> "test/bad-request" fallback ["test/backup"]
rule all-down: when scenario == "all-down" -> "test/down" fallback ["test/down-too"]
rule or-fallback: when scenario == "openrouter-fallback" -> "test/fails-over" fallback ["test/backup"]
rule pro: when tier == "pro"
  -> "test/down" fallback ["test/backup", "test/third"] max_tokens 1000
     provider { sort: "price", data_collection: "deny" }
     params { temperature: 0.2 }
rule tools: when needs_tools -> "test/tools" max_tokens 300
rule vision: when needs_vision -> "test/vision"
rule big: when prompt_tokens > 1000 -> "test/big"
rule lsm: when prompt matches /lsm/i -> "test/lsm"
rule default: otherwise -> "test/backup"
"#;

// ---- a stub upstream ----

/// One request the stub received.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    authorization: Option<String>,
    body: Value,
}

/// An OpenRouter stand-in on 127.0.0.1.
struct Stub {
    server: Arc<tiny_http::Server>,
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    thread: Option<JoinHandle<()>>,
}

impl Stub {
    fn start() -> Stub {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let addr = server.server_addr().to_ip().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (server, seen) = (Arc::clone(&server), Arc::clone(&seen));
            std::thread::spawn(move || {
                for mut rq in server.incoming_requests() {
                    let mut text = String::new();
                    rq.as_reader().read_to_string(&mut text).unwrap();
                    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    let authorization = rq
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv("Authorization"))
                        .map(|h| h.value.to_string());
                    seen.lock().unwrap().push(Seen {
                        path: rq.url().to_string(),
                        authorization,
                        body: body.clone(),
                    });
                    let (status, content_type, reply) = answer(&body);
                    let mut response = tiny_http::Response::from_string(reply)
                        .with_status_code(status)
                        .with_header(
                            tiny_http::Header::from_bytes("Content-Type", content_type).unwrap(),
                        );
                    if status == 503 {
                        response
                            .add_header(tiny_http::Header::from_bytes("Retry-After", "7").unwrap());
                    }
                    let _ = rq.respond(response);
                }
            })
        };
        Stub {
            server,
            url: format!("http://{addr}/api/v1"),
            seen,
            thread: Some(thread),
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn models_called(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|s| s.body["model"].as_str().unwrap_or("").to_string())
            .collect()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The stub's answer to a body: status, content type, text.
fn answer(body: &Value) -> (u16, &'static str, String) {
    let model = body["model"].as_str().unwrap_or("");
    if model.starts_with("test/down") {
        let error = json!({ "error": {
            "code": 503,
            "message": format!("No available provider for {model}"),
            "metadata": { "error_type": "provider_overloaded" }
        }});
        return (503, "application/json", error.to_string());
    }
    if model == "test/bad-request" {
        let error = json!({ "error": { "code": 400, "message": "temperature must be at most 2" } });
        return (400, "application/json", error.to_string());
    }
    let served = if model == "test/fails-over" {
        "test/backup"
    } else {
        model
    };
    if body["stream"] == json!(true) {
        let chunk = |delta: Value, finish: Value| {
            json!({
                "id": "gen-stub", "object": "chat.completion.chunk", "created": 1_700_000_000,
                "model": served,
                "choices": [{ "index": 0, "delta": delta, "finish_reason": finish }]
            })
        };
        let usage = json!({
            "id": "gen-stub", "object": "chat.completion.chunk", "created": 1_700_000_000,
            "model": served, "provider": "Stub", "choices": [],
            "usage": { "prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10, "cost": 0.00002 }
        });
        let events = [
            ": OPENROUTER PROCESSING".to_string(),
            format!(
                "data: {}",
                chunk(
                    json!({ "role": "assistant", "content": "hello " }),
                    Value::Null
                )
            ),
            format!(
                "data: {}",
                chunk(json!({ "content": "from the stream" }), Value::Null)
            ),
            format!("data: {}", chunk(json!({}), json!("stop"))),
            format!("data: {usage}"),
            "data: [DONE]".to_string(),
        ];
        let text: String = events.iter().map(|e| format!("{e}\n\n")).collect();
        return (200, "text/event-stream", text);
    }
    let message = if body["tools"].is_array() {
        json!({ "role": "assistant", "content": null, "tool_calls": [{
            "id": "call_1", "type": "function",
            "function": { "name": "get_weather", "arguments": "{\"city\":\"Oslo\"}" }
        }]})
    } else {
        json!({ "role": "assistant", "content": format!("hello from {served}") })
    };
    let finish = if body["tools"].is_array() {
        "tool_calls"
    } else {
        "stop"
    };
    let reply = json!({
        "id": "gen-stub", "object": "chat.completion", "created": 1_700_000_000,
        "model": served, "provider": "Stub",
        "choices": [{ "index": 0, "finish_reason": finish, "message": message }],
        "usage": { "prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16, "cost": 0.00004 }
    });
    (200, "application/json", reply.to_string())
}

// ---- the proxy under test ----

/// A temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("switchyard-proxy-test-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A proxy in front of a stub, with a health registry that cools a model
/// down at its first failure.
struct Setup {
    stub: Stub,
    proxy: Option<Running>,
    health: Arc<Health>,
    _dir: Scratch,
}

impl Setup {
    fn new() -> Setup {
        let stub = Stub::start();
        let url = stub.url.clone();
        Setup::with_upstream(stub, &url)
    }

    fn with_upstream(stub: Stub, upstream: &str) -> Setup {
        let dir = Scratch::new();
        let path = dir.0.join("rules.route");
        fs::write(&path, RULES).unwrap();
        let rules = Arc::new(LiveRuleset::watch(&path, ReloadOptions::new()).unwrap());
        let health = Arc::new(Health::new(
            HealthPolicy {
                failures: 1,
                window: Duration::from_secs(60),
                cooldown: Duration::from_secs(60),
            },
            Arc::new(SystemClock::default()),
        ));
        let mut config = Config::new(upstream, ApiKey::new(KEY).unwrap());
        config.timeout = Duration::from_secs(10);
        let proxy = Proxy::new(rules, Arc::clone(&health), config)
            .unwrap()
            .start("127.0.0.1:0", 2)
            .unwrap();
        Setup {
            stub,
            proxy: Some(proxy),
            health,
            _dir: dir,
        }
    }

    fn base(&self) -> String {
        format!("http://{}/v1", self.proxy.as_ref().unwrap().addr())
    }

    /// POSTs `body` to the proxy's chat completions.
    fn chat(&self, body: &Value) -> Reply {
        post(
            &format!("{}/chat/completions", self.base()),
            &body.to_string(),
        )
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        if let Some(p) = self.proxy.take() {
            p.stop();
        }
    }
}

/// A response from the proxy.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    text: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

fn post(url: &str, body: &str) -> Reply {
    let mut response = agent()
        .post(url)
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer client-key-not-forwarded")
        .send(body)
        .unwrap();
    reply(&mut response)
}

fn get(url: &str) -> Reply {
    reply(&mut agent().get(url).call().unwrap())
}

fn reply(response: &mut ureq::http::Response<ureq::Body>) -> Reply {
    Reply {
        status: response.status().as_u16(),
        headers: response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        text: response.body_mut().read_to_string().unwrap(),
    }
}

fn user(text: &str) -> Value {
    json!({ "role": "user", "content": text })
}

// ---- tests ----

#[test]
fn falls_back_along_the_chain_on_a_retryable_error_and_reports_it() {
    let s = Setup::new();
    // A conversation with a tool call, its result and an image part: all
    // must reach the upstream exactly as sent.
    let messages = json!([
        { "role": "system", "content": "Be brief." },
        { "role": "user", "content": [
            { "type": "text", "text": "What is in this picture, and the weather?" },
            { "type": "image_url", "image_url": { "url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low" } }
        ]},
        { "role": "assistant", "content": null, "tool_calls": [{
            "id": "call_1", "type": "function",
            "function": { "name": "get_weather", "arguments": "{\"city\":\"Oslo\"}" }
        }]},
        { "role": "tool", "tool_call_id": "call_1", "content": "{\"temp_c\": 3}" }
    ]);
    let r = s.chat(&json!({
        "model": "ignored/by-the-proxy",
        "messages": messages,
        "switchyard_context": { "tier": "pro" },
        "user": "user-42"
    }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["model"], "test/backup");
    assert_eq!(
        r.json()["choices"][0]["message"]["content"],
        "hello from test/backup"
    );
    assert_eq!(r.header("x-switchyard-rule"), Some("pro"));
    assert_eq!(r.header("x-switchyard-model"), Some("test/backup"));
    assert_eq!(r.header("x-switchyard-attempts"), Some("2"));

    let seen = s.stub.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    let first = &seen[0];
    assert_eq!(first.path, "/api/v1/chat/completions");
    assert_eq!(
        first.authorization.as_deref(),
        Some(&*format!("Bearer {KEY}"))
    );
    assert_eq!(
        first.body,
        json!({
            "model": "test/down",
            "models": ["test/down", "test/backup", "test/third"],
            "messages": messages,
            "max_tokens": 1000,
            "provider": { "sort": "price", "data_collection": "deny" },
            "temperature": 0.2,
            "user": "user-42"
        })
    );
    // The retry starts the chain at the next model.
    let second = &seen[1].body;
    assert_eq!(second["model"], "test/backup");
    assert_eq!(second["models"], json!(["test/backup", "test/third"]));
    assert_eq!(second["max_tokens"], 1000);
    assert_eq!(second["messages"], messages);

    // The failure reached the registry (this policy cools down at once) ...
    assert!(s.health.is_down("test/down"));
    assert!(!s.health.is_down("test/backup"));
    // ... so the next decision skips the down model without calling it.
    let r = s.chat(&json!({ "model": "x", "messages": [user("again")],
                            "switchyard_context": { "tier": "pro" } }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("x-switchyard-attempts"), Some("1"));
    assert_eq!(
        s.stub.models_called(),
        ["test/down", "test/backup", "test/backup"]
    );
    assert_eq!(
        s.stub.seen()[2].body["models"],
        json!(["test/backup", "test/third"])
    );
}

#[test]
fn an_error_another_model_would_not_fix_is_returned_at_once() {
    let s = Setup::new();
    let r = s.chat(&json!({ "messages": [user("hi")],
                            "switchyard_context": { "scenario": "bad-request" } }));
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(
        r.json()["error"]["message"],
        "temperature must be at most 2"
    );
    assert_eq!(s.stub.models_called(), ["test/bad-request"]);
    assert!(!s.health.is_down("test/bad-request"));
}

#[test]
fn when_every_model_fails_the_last_error_comes_back() {
    let s = Setup::new();
    let r = s.chat(&json!({ "messages": [user("hi")],
                            "switchyard_context": { "scenario": "all-down" } }));
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(
        r.json()["error"]["message"],
        "No available provider for test/down-too"
    );
    assert_eq!(r.header("x-switchyard-attempts"), Some("2"));
    assert_eq!(r.header("retry-after"), Some("7"));
    assert_eq!(s.stub.models_called(), ["test/down", "test/down-too"]);
    assert!(s.health.is_down("test/down"));
    assert!(s.health.is_down("test/down-too"));

    // Every candidate of the rule is down now, so the rule does not match
    // and the next one that does serves (docs/reference/health.md).
    let r = s.chat(&json!({ "messages": [user("hi")],
                            "switchyard_context": { "scenario": "all-down" } }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("x-switchyard-rule"), Some("default"));
    assert_eq!(r.header("x-switchyard-degraded"), None);
    assert_eq!(
        s.stub.models_called(),
        ["test/down", "test/down-too", "test/backup"]
    );
}

#[test]
fn a_fallback_inside_openrouter_counts_against_the_skipped_model() {
    let s = Setup::new();
    let r = s.chat(&json!({ "messages": [user("hi")],
                            "switchyard_context": { "scenario": "openrouter-fallback" } }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["model"], "test/backup");
    assert_eq!(r.header("x-switchyard-attempts"), Some("1"));
    assert_eq!(s.stub.models_called(), ["test/fails-over"]);
    assert!(s.health.is_down("test/fails-over"));
    assert!(!s.health.is_down("test/backup"));
}

#[test]
fn bad_requests_are_refused_before_any_upstream_call() {
    let s = Setup::new();
    let cases = [
        (
            json!({ "messages": [user("hi")], "switchyard_context": { "tier": "gold" } }),
            400,
            "field `tier`",
        ),
        (
            json!({ "messages": [user("hi")], "switchyard_context": "pro" }),
            400,
            "switchyard_context",
        ),
        (
            json!({ "messages": [user("hi"), { "role": "user", "content": 5 }] }),
            400,
            "messages[1]",
        ),
        (json!({ "model": "x" }), 400, "`messages` is required"),
        (
            json!({ "messages": [user("hi")], "provider": { "sort": "price" } }),
            400,
            "`provider` is set by the routing policy",
        ),
        (
            json!({ "messages": [user("hi")], "max_tokens": -3 }),
            400,
            "`max_tokens` must be a positive integer",
        ),
        (
            // The ruleset's params say 0.2: a different value is a conflict.
            json!({ "messages": [user("hi")], "temperature": 1.5,
                    "switchyard_context": { "tier": "pro" } }),
            400,
            "`temperature` is set by both",
        ),
    ];
    for (body, status, needle) in cases {
        let r = s.chat(&body);
        assert_eq!(r.status, status, "{body}: {}", r.text);
        let message = r.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(message.contains(needle), "{body}: {message}");
    }
    let r = post(&format!("{}/chat/completions", s.base()), "{not json");
    assert_eq!(r.status, 400);
    assert!(r.text.contains("not valid JSON"), "{}", r.text);
    let r = get(&format!("{}/chat/completions", s.base()));
    assert_eq!(r.status, 405);
    assert!(s.stub.seen().is_empty(), "{:?}", s.stub.seen());
}

#[test]
fn context_fields_are_derived_from_the_request_and_caps_only_go_down() {
    let s = Setup::new();
    let tools = json!([{ "type": "function", "function": {
        "name": "get_weather", "parameters": { "type": "object", "properties": { "city": { "type": "string" } } }
    }}]);
    // `tools` sets needs_tools; the client's cap lowers the rule's 300.
    let r = s.chat(
        &json!({ "messages": [user("weather in Oslo?")], "tools": tools,
                            "tool_choice": "auto", "max_completion_tokens": 100 }),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("x-switchyard-rule"), Some("tools"));
    assert_eq!(
        r.json()["choices"][0]["message"]["tool_calls"][0]["function"]["name"],
        "get_weather"
    );
    let sent = &s.stub.seen()[0].body;
    assert_eq!(sent["tools"], tools);
    assert_eq!(sent["tool_choice"], "auto");
    assert_eq!(sent["max_tokens"], 100);
    assert!(sent.get("max_completion_tokens").is_none(), "{sent}");
    assert!(sent.get("switchyard_context").is_none(), "{sent}");
    assert!(sent.get("models").is_none(), "{sent}");

    // An explicit context value wins over the derived one; a client cap
    // above the rule's does not raise it.
    let r = s.chat(
        &json!({ "messages": [user("weather?")], "tools": tools, "max_tokens": 5000,
                            "switchyard_context": { "needs_tools": false } }),
    );
    assert_eq!(r.header("x-switchyard-rule"), Some("default"), "{}", r.text);
    assert_eq!(s.stub.seen()[1].body["max_tokens"], 256);

    // An image part sets needs_vision.
    let r = s.chat(&json!({ "messages": [{ "role": "user", "content": [
        { "type": "text", "text": "what is this?" },
        { "type": "image_url", "image_url": { "url": "https://example.com/a.png" } }
    ]}]}));
    assert_eq!(r.header("x-switchyard-rule"), Some("vision"), "{}", r.text);

    // The last user message is the prompt; its size estimates the tokens.
    let r = s.chat(&json!({ "messages": [user("tell me about LSM trees")] }));
    assert_eq!(r.header("x-switchyard-rule"), Some("lsm"), "{}", r.text);
    let r = s.chat(&json!({ "messages": [user(&"word ".repeat(1000))] }));
    assert_eq!(r.header("x-switchyard-rule"), Some("big"), "{}", r.text);
}

#[test]
fn streams_are_relayed_as_server_sent_events() {
    let s = Setup::new();
    let r = s.chat(&json!({ "messages": [user("hi")], "stream": true,
                            "switchyard_context": { "tier": "pro" } }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    assert_eq!(r.header("x-switchyard-attempts"), Some("2"));
    assert!(
        r.text.starts_with(": OPENROUTER PROCESSING\n\n"),
        "{}",
        r.text
    );
    assert!(r.text.contains("from the stream"), "{}", r.text);
    assert!(r.text.trim_end().ends_with("data: [DONE]"), "{}", r.text);
    // The failed first attempt happened before any byte went out.
    assert_eq!(s.stub.models_called(), ["test/down", "test/backup"]);
    assert_eq!(s.stub.seen()[1].body["stream"], true);
    assert!(s.health.is_down("test/down"));
}

#[test]
fn an_unreachable_upstream_is_a_502_and_no_model_is_blamed() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = Setup::with_upstream(Stub::start(), &format!("http://127.0.0.1:{port}/api/v1"));
    let r = s.chat(&json!({ "messages": [user("hi")], "switchyard_context": { "tier": "pro" } }));
    assert_eq!(r.status, 502, "{}", r.text);
    assert_eq!(r.json()["error"]["code"], "upstream_unreachable");
    assert!(s.health.down_models().is_empty());
}

#[test]
fn healthz_reports_the_ruleset_and_the_down_models() {
    let s = Setup::new();
    s.chat(&json!({ "messages": [user("hi")], "switchyard_context": { "tier": "pro" } }));
    let r = get(&format!(
        "http://{}/healthz",
        s.proxy.as_ref().unwrap().addr()
    ));
    assert_eq!(r.status, 200, "{}", r.text);
    let status = r.json();
    assert_eq!(status["generation"], 1);
    assert!(status["ruleset"]["hash"].is_string(), "{status}");
    assert_eq!(status["last_error"], Value::Null);
    assert_eq!(status["down_models"][0]["model"], "test/down");
    let r = get(&format!("http://{}/nope", s.proxy.as_ref().unwrap().addr()));
    assert_eq!(r.status, 404);
}

#[test]
fn an_https_upstream_needs_the_tls_feature() {
    let dir = Scratch::new();
    let path = dir.0.join("rules.route");
    fs::write(&path, RULES).unwrap();
    let rules = Arc::new(LiveRuleset::watch(&path, ReloadOptions::new()).unwrap());
    let config = Config::new("https://openrouter.ai/api/v1", ApiKey::new(KEY).unwrap());
    let made = Proxy::new(rules, Arc::new(Health::default()), config);
    if cfg!(feature = "tls") {
        assert!(made.is_ok());
    } else {
        let err = made.err().unwrap();
        assert!(err.contains("--features tls"), "{err}");
    }
}

// ---- the official openai Python client ----

/// Drives the proxy with `openai.OpenAI(base_url=...)`: a plain call (with
/// the fallback), tool calls, a stream, and an error mapped to the SDK's
/// exception. Prints one JSON object.
const OPENAI_SCRIPT: &str = r#"
import json, sys
import openai

client = openai.OpenAI(base_url=sys.argv[1], api_key="client-key-not-forwarded",
                       max_retries=0, timeout=20.0)
out = {"version": openai.__version__}

raw = client.chat.completions.with_raw_response.create(
    model="switchyard",
    messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}],
    max_tokens=100,
    extra_body={"switchyard_context": {"tier": "pro"}},
)
r = raw.parse()
out["rule"] = raw.headers.get("x-switchyard-rule")
out["attempts"] = raw.headers.get("x-switchyard-attempts")
out["model"] = r.model
out["content"] = r.choices[0].message.content
out["total_tokens"] = r.usage.total_tokens

r = client.chat.completions.create(
    model="switchyard",
    messages=[{"role": "user", "content": "Weather in Oslo?"}],
    tools=[{"type": "function", "function": {"name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
)
call = r.choices[0].message.tool_calls[0]
out["tool"] = [r.model, call.function.name, json.loads(call.function.arguments)]

chunks = list(client.chat.completions.create(
    model="switchyard", messages=[{"role": "user", "content": "Hi"}], stream=True))
out["stream"] = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
out["stream_usage"] = [c.usage.total_tokens for c in chunks if c.usage]

try:
    client.chat.completions.create(model="switchyard", messages=[{"role": "user", "content": "x"}],
                                   extra_body={"switchyard_context": {"tier": "gold"}})
    out["error"] = None
except openai.BadRequestError as e:
    out["error"] = [e.status_code, e.code, e.message]

print(json.dumps(out))
"#;

/// The interpreter with the `openai` package: `SWITCHYARD_PYTHON`, which
/// `.ci/run` exports after installing the package in `.ci/venv`. Unset
/// outside CI, the test is skipped with a note; under CI it must be there.
fn python() -> Option<String> {
    match std::env::var("SWITCHYARD_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ if std::env::var("CI").is_ok_and(|v| !v.is_empty()) => panic!(
            "CI is set but SWITCHYARD_PYTHON is not: .ci/test installs the openai client in \
             .ci/venv and exports SWITCHYARD_PYTHON; run the tests through it"
        ),
        _ => {
            eprintln!(
                "note: SWITCHYARD_PYTHON is not set, skipping the openai client test \
                 (`bash .ci/run` sets it up; or point it at a python with `openai` installed)"
            );
            None
        }
    }
}

#[test]
fn the_official_openai_python_client_works_through_the_proxy() {
    let Some(python) = python() else { return };
    let s = Setup::new();
    let output = Command::new(&python)
        .arg("-c")
        .arg(OPENAI_SCRIPT)
        .arg(s.base())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{python} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    let out: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    eprintln!("openai client {}", out["version"]);

    assert_eq!(out["rule"], "pro", "{out}");
    assert_eq!(out["attempts"], "2", "{out}");
    assert_eq!(out["model"], "test/backup", "{out}");
    assert_eq!(out["content"], "hello from test/backup", "{out}");
    assert_eq!(out["total_tokens"], 16, "{out}");
    assert_eq!(
        out["tool"],
        json!(["test/tools", "get_weather", { "city": "Oslo" }]),
        "{out}"
    );
    assert_eq!(out["stream"], "hello from the stream", "{out}");
    assert_eq!(out["stream_usage"], json!([10]), "{out}");
    assert_eq!(out["error"][0], 400, "{out}");
    assert_eq!(out["error"][1], "invalid_context", "{out}");
    assert!(
        out["error"][2]
            .as_str()
            .unwrap_or("")
            .contains("field `tier`"),
        "{out}"
    );

    // What the SDK sent reached the upstream as the ruleset shaped it, with
    // the proxy's key, not the client's.
    let seen = s.stub.seen();
    let first = &seen[0];
    assert_eq!(
        first.authorization.as_deref(),
        Some(&*format!("Bearer {KEY}"))
    );
    assert_eq!(first.body["model"], "test/down");
    assert_eq!(
        first.body["models"],
        json!(["test/down", "test/backup", "test/third"])
    );
    assert_eq!(first.body["max_tokens"], 100);
    assert_eq!(
        first.body["provider"],
        json!({ "sort": "price", "data_collection": "deny" })
    );
    assert!(first.body.get("switchyard_context").is_none());
    assert!(s.health.is_down("test/down"));
}
