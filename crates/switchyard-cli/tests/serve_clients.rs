//! `switchyard serve` as its clients and operators see it: the official
//! `openai` Python client (sync, async, streaming), a client hanging up
//! mid-stream, the concurrency limit, SIGTERM with requests in flight,
//! reloads of rules, keys and catalog under load, the status pages and
//! the access log.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod gateway;
mod support;

use std::io::{Read, Write};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use gateway::stub::Stub;
use gateway::{Gateway, CONFIG, KEYS, RULES, UPSTREAM_KEY};

fn user(text: &str) -> Value {
    json!({ "role": "user", "content": text })
}

/// Waits up to 5 s for `done`.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends a streamed request for the stub's slow stream on a new
/// connection, without reading the answer.
fn start_slow_stream(gw: &Gateway) -> std::net::TcpStream {
    let body = json!({ "messages": [user("hi")], "stream": true,
                       "switchyard_context": { "scenario": "slow" } })
    .to_string();
    let mut s = gw.connect();
    write!(
        s,
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    s
}

#[test]
fn a_client_that_hangs_up_mid_stream_cancels_the_upstream_request() {
    let stub = Stub::start();
    let gw = Gateway::start(&stub.url(), RULES, CONFIG);
    let mut s = start_slow_stream(&gw);
    let mut first = [0u8; 256];
    let n = s.read(&mut first).unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    drop(s);
    eventually("the stub to see the cancel", || stub.cancelled() == 1);
    eventually("the access log line", || {
        gw.log().contains("client_disconnected")
    });
}

#[test]
fn over_the_concurrency_limit_is_503_with_retry_after() {
    let stub = Stub::start();
    let gw = Gateway::start(
        &stub.url(),
        RULES,
        &format!("{CONFIG}[limits]\nmax_concurrent = 1\n"),
    );
    let mut s = start_slow_stream(&gw);
    eventually("the stream to start", || stub.seen().len() == 1);
    let r = gw.chat(&json!({ "messages": [user("hi")] }), None);
    assert_eq!(
        (r.status, r.code().as_str()),
        (503, "overloaded"),
        "{}",
        r.text()
    );
    assert_eq!(r.header("retry-after"), Some("1"));
    // Status pages are not chat requests: they still answer.
    assert_eq!(gw.get("/healthz").status, 200);
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).unwrap();
    assert!(String::from_utf8_lossy(&rest).contains("[DONE]"));
    eventually("the slot to be free", || {
        gw.chat(&json!({ "messages": [user("hi")] }), None).status == 200
    });
}

#[test]
fn sigterm_finishes_the_requests_in_flight_and_exits_0() {
    let stub = Stub::start();
    let mut gw = Gateway::start(&stub.url(), RULES, CONFIG);
    let mut s = start_slow_stream(&gw);
    eventually("the stream to start", || stub.seen().len() == 1);
    gw.terminate();
    // No new connections ...
    eventually("the listener to close", || {
        std::net::TcpStream::connect(gw.addr).is_err()
    });
    // ... but the stream in flight runs to its end.
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).unwrap();
    let text = String::from_utf8_lossy(&rest);
    assert!(
        text.contains("part 39") && text.contains("[DONE]"),
        "{text}"
    );
    assert_eq!(gw.wait(Duration::from_secs(10)), Some(0), "{}", gw.log());
    assert_eq!(stub.cancelled(), 0);
}

#[test]
fn a_non_loopback_address_needs_client_keys() {
    let dir = support::Scratch::new("serve-open");
    let rules = dir.file("rules.route", RULES);
    let out = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["serve", "--rules", &rules, "--listen", "0.0.0.0:0"])
        .env("OPENROUTER_API_KEY", UPSTREAM_KEY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", support::describe(&out));
    assert!(
        support::stderr(&out).contains("without client keys"),
        "{}",
        support::describe(&out)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["serve", "--rules", &rules])
        .env_remove("OPENROUTER_API_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(support::stderr(&out).contains("OPENROUTER_API_KEY"));
}

/// A catalog with `test/backup` at `price` per prompt token.
fn catalog(price: &str) -> String {
    json!({ "data": [
        { "id": "test/backup", "name": "Test: Backup", "context_length": 8192,
          "pricing": { "prompt": price, "completion": "0.000002" } },
        { "id": "test/third", "name": "Test: Third", "context_length": 4096,
          "pricing": { "prompt": price, "completion": "0" } }
    ]})
    .to_string()
}

#[test]
fn status_pages_and_metrics() {
    let stub = Stub::start();
    let gw = Gateway::start_with(&stub.url(), RULES, CONFIG, Some(&catalog("0.000001")));
    assert_eq!(gw.get("/healthz").json(), json!({ "status": "ok" }));
    let ready = gw.get("/readyz").json();
    assert_eq!(ready["generation"], 1, "{ready}");
    assert!(
        ready["digest"].as_str().is_some_and(|d| !d.is_empty()),
        "{ready}"
    );
    assert_eq!(ready["last_reload_error"], Value::Null);
    let models = gw.get("/v1/models").json();
    assert_eq!(models["object"], "list");
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(
        ids[..3],
        ["test/bad-request", "test/backup", "test/down"],
        "{models}"
    );
    assert!(ids.contains(&"test/alice"));
    let backup = &models["data"][1];
    assert_eq!(backup["name"], "Test: Backup");
    assert_eq!(backup["context_length"], 8192);

    let r = gw.chat(
        &json!({ "messages": [user("hi")], "switchyard_context": { "tier": "pro" } }),
        None,
    );
    assert_eq!(r.status, 200);
    let metrics = gw.get("/metrics").text();
    for needle in [
        r#"switchyard_requests_total{rule="pro",model="test/backup",status="200"} 1"#,
        r#"switchyard_fallbacks_total{rule="pro"} 1"#,
        "switchyard_upstream_time_to_first_byte_seconds_count 2",
        "switchyard_upstream_latency_seconds_count 1",
        "switchyard_decision_seconds_count 1",
        r#"switchyard_reloads_total{what="rules",outcome="loaded"} 1"#,
        "switchyard_models_cooled_down 1",
    ] {
        assert!(metrics.contains(needle), "{needle} not in\n{metrics}");
    }
}

#[test]
fn the_access_log_is_json_lines_without_keys_or_prompts_unless_asked() {
    let stub = Stub::start();
    let config = format!("{CONFIG}{KEYS}[log]\nformat = \"json\"\n");
    let gw = Gateway::start(&stub.url(), RULES, &config);
    let r = gw.chat(
        &json!({ "messages": [user("a secret prompt")] }),
        Some("secret-one"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let line = |gw: &Gateway| {
        let mut found = None;
        eventually("the access log line", || {
            found = gw
                .log()
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .find(|v| v["message"] == "chat completion");
            found.is_some()
        });
        found.unwrap()
    };
    let entry = line(&gw);
    assert_eq!(entry["key"], "search-team", "{entry}");
    assert_eq!(entry["rule"], "enterprise");
    assert_eq!(entry["model"], "test/enterprise");
    assert_eq!(entry["status"], 200);
    assert_eq!(entry["prompt_tokens"], 12);
    assert_eq!(entry["cost_usd"], 0.00004);
    let log = gw.log();
    assert!(
        !log.contains("a secret prompt")
            && !log.contains("secret-one")
            && !log.contains(UPSTREAM_KEY),
        "{log}"
    );

    let gw = Gateway::start(&stub.url(), RULES, &format!("{config}prompts = true\n"));
    gw.chat(
        &json!({ "messages": [user("a secret prompt")] }),
        Some("secret-one"),
    );
    assert_eq!(line(&gw)["prompt"], "a secret prompt");
}

#[test]
fn rules_keys_and_catalog_reload_under_load_without_a_failed_request() {
    let stub = Stub::start();
    let rules = |model: &str| {
        format!("context {{ tier: string = \"\" }}\ndefaults max_tokens 9\nrule default: otherwise -> \"{model}\"\n")
    };
    let keys = |extra: bool| {
        let mut k = KEYS.to_string();
        if extra {
            let digest = "cebdf378f2d2bd60d3e3693349e8f20f329daf11a276f849996f0a6377e2155b";
            k.push_str(&format!(
                "[[keys]]\nname = \"second\"\nsha256 = \"{digest}\"\n"
            ));
        }
        k
    };
    let gw = Gateway::start_with(
        &stub.url(),
        &rules("test/backup"),
        &keys(false),
        Some(&catalog("0.000001")),
    );
    let gw = Arc::new(gw);
    let stop = Arc::new(AtomicBool::new(false));
    let (sent, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (gw, stop, sent, failed) = (
                Arc::clone(&gw),
                Arc::clone(&stop),
                Arc::clone(&sent),
                Arc::clone(&failed),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let r = gw.chat(&json!({ "messages": [user("hi")] }), Some("secret-one"));
                    sent.fetch_add(1, Ordering::SeqCst);
                    if r.status != 200 {
                        failed.fetch_add(1, Ordering::SeqCst);
                        eprintln!("failed: {} {}", r.status, r.text());
                    }
                }
            })
        })
        .collect();
    for round in 0..9 {
        std::thread::sleep(Duration::from_millis(150));
        let odd = round % 2 == 1;
        gw.rewrite(
            "rules.route",
            &rules(if odd { "test/third" } else { "test/backup" }),
        );
        gw.rewrite("gateway.toml", &keys(odd));
        gw.rewrite(
            "models.json",
            &catalog(if odd { "0.000003" } else { "0.000001" }),
        );
    }
    // The last round left test/backup, one key (secret-two is refused) and
    // the first price; then
    // one more change of each, and the load goes on until it shows.
    eventually("secret-two to be refused", || {
        gw.chat(&json!({ "messages": [user("hi")] }), Some("secret-two"))
            .status
            == 401
    });
    gw.rewrite("rules.route", &rules("test/third"));
    gw.rewrite("gateway.toml", &keys(true));
    gw.rewrite("models.json", &catalog("0.000005"));
    eventually("the last reload", || {
        let models = gw.get_as("/v1/models", "secret-one").json();
        models["data"][0]["id"] == "test/third"
            && models["data"][0]["pricing"]["prompt"] == json!(0.000005)
            && gw
                .chat(&json!({ "messages": [user("hi")] }), Some("secret-two"))
                .status
                == 200
    });
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.join().unwrap();
    }
    let sent = sent.load(Ordering::SeqCst);
    assert!(sent > 50, "only {sent} requests");
    assert_eq!(failed.load(Ordering::SeqCst), 0, "of {sent}\n{}", gw.log());
    let models = stub.models_called();
    assert!(
        models.contains(&"test/backup".to_string())
            && models.last().map(String::as_str) == Some("test/third")
    );
    let ready = gw.get("/readyz").json();
    assert!(ready["generation"].as_u64().unwrap() > 2, "{ready}");
    assert_eq!(ready["config_reload_error"], Value::Null, "{ready}");
}

/// Drives the gateway with the official client: `OpenAI` (a call with a
/// fallback, tool calls, a stream, errors mapped to the SDK's exceptions)
/// and `AsyncOpenAI` (concurrent calls and a stream). Prints one JSON
/// object.
const OPENAI_SCRIPT: &str = r#"
import asyncio, json, sys
import openai

base, key = sys.argv[1], sys.argv[2]
client = openai.OpenAI(base_url=base, api_key=key, max_retries=0, timeout=20.0)
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
    out["bad_context"] = None
except openai.BadRequestError as e:
    out["bad_context"] = [e.status_code, e.code, e.message]

try:
    openai.OpenAI(base_url=base, api_key="not-a-key", max_retries=0).chat.completions.create(
        model="switchyard", messages=[{"role": "user", "content": "x"}])
    out["bad_key"] = None
except openai.AuthenticationError as e:
    out["bad_key"] = [e.status_code, e.code]

out["models"] = [m.id for m in client.models.list()][:2]

async def main():
    aclient = openai.AsyncOpenAI(base_url=base, api_key=key, max_retries=0, timeout=20.0)
    replies = await asyncio.gather(*[
        aclient.chat.completions.create(model="switchyard",
            messages=[{"role": "user", "content": f"question {i}"}]) for i in range(8)])
    out["async_models"] = sorted({r.model for r in replies})
    stream = await aclient.chat.completions.create(
        model="switchyard", messages=[{"role": "user", "content": "Hi"}], stream=True)
    parts = []
    async for c in stream:
        if c.choices:
            parts.append(c.choices[0].delta.content or "")
    out["async_stream"] = "".join(parts)
    await aclient.close()

asyncio.run(main())
print(json.dumps(out))
"#;

/// The interpreter with the `openai` package: `SWITCHYARD_PYTHON`, which
/// `.ci/test` exports after installing the pinned client in `.ci/venv`.
/// Unset outside CI, the test is skipped with a note; under CI it must be
/// there.
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
                 (`bash .ci/test` sets it up; or point it at a python with `openai` installed)"
            );
            None
        }
    }
}

#[test]
fn the_official_openai_python_client_sync_async_and_streaming() {
    let Some(python) = python() else { return };
    let stub = Stub::start();
    let config = format!(
        "{CONFIG}[[keys]]\nname = \"sdk\"\nsha256 = \"{}\"\n",
        SDK_KEY_SHA256
    );
    let gw = Gateway::start(&stub.url(), RULES, &config);
    let output = Command::new(&python)
        .arg("-c")
        .arg(OPENAI_SCRIPT)
        .arg(gw.base())
        .arg("sdk-key")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{python} failed ({}):\n{stdout}\n{stderr}\n{}",
        output.status,
        gw.log()
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
    assert_eq!(out["bad_context"][0], 400, "{out}");
    assert_eq!(out["bad_context"][1], "invalid_context", "{out}");
    assert!(
        out["bad_context"][2]
            .as_str()
            .unwrap_or("")
            .contains("field `tier`"),
        "{out}"
    );
    assert_eq!(out["bad_key"], json!([401, "invalid_api_key"]), "{out}");
    assert_eq!(
        out["models"],
        json!(["test/bad-request", "test/backup"]),
        "{out}"
    );
    assert_eq!(out["async_models"], json!(["test/backup"]), "{out}");
    assert_eq!(out["async_stream"], "hello from the stream", "{out}");

    // What the SDK sent reached the upstream as the ruleset shaped it, with
    // the gateway's key, not the client's.
    let first = &stub.seen()[0];
    assert_eq!(
        first.authorization.as_deref(),
        Some(&*format!("Bearer {UPSTREAM_KEY}"))
    );
    assert_eq!(
        first.body["models"],
        json!(["test/down", "test/backup", "test/third"])
    );
    assert_eq!(first.body["max_tokens"], 100);
    assert!(first.body.get("switchyard_context").is_none());
}

/// SHA-256 of `sdk-key`.
const SDK_KEY_SHA256: &str = "cc677751b8441e282621773a9be4622b11cd5bcffce54caabdd19f60e07d556c";
