//! `switchyard serve` driven by the official `openai` Python client, as
//! a host would: sync, async and streaming calls, errors mapped to the
//! SDK's exceptions, the model list.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod gateway;
mod support;

use std::process::Command;

use serde_json::{json, Value};

use gateway::stub::Stub;
use gateway::{Gateway, CONFIG, RULES, UPSTREAM_KEY};

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
