//! `switchyard serve` as a black box: the built binary in front of a stub
//! upstream on 127.0.0.1 (`tests/gateway/stub.rs`), driven over plain
//! HTTP. Here: routing, the body sent upstream, fallback, derived context
//! fields, client keys and the errors the gateway answers itself.
//! `serve_upstreams.rs`: streams, timeouts, broken upstreams, disconnects,
//! limits, shutdown; `serve_ops.rs`: status pages, metrics, the access
//! log, reloads under load; `serve_openai.rs`: the official client.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod gateway;
mod support;

use serde_json::json;

use gateway::stub::Stub;
use gateway::{eventually, user, Gateway, CONFIG, KEYS, RULES, UPSTREAM_KEY};

#[test]
fn falls_back_on_5xx_and_the_body_is_shaped_by_the_rule() {
    let (stub, gw) = gateway::start();
    let messages = json!([
        { "role": "system", "content": "Be brief." },
        { "role": "user", "content": [
            { "type": "text", "text": "What is in this picture?" },
            { "type": "image_url", "image_url": { "url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low" } }
        ]},
    ]);
    let r = gw.chat(
        &json!({ "model": "ignored", "messages": messages,
                 "switchyard_context": { "tier": "pro" }, "user": "user-42" }),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["model"], "test/backup");
    assert_eq!(r.header("x-switchyard-rule"), Some("pro"));
    assert_eq!(r.header("x-switchyard-model"), Some("test/backup"));
    assert_eq!(r.header("x-switchyard-attempts"), Some("2"));
    let seen = stub.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].path, "/api/v1/chat/completions");
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(&*format!("Bearer {UPSTREAM_KEY}"))
    );
    assert_eq!(
        seen[0].body,
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
    assert_eq!(seen[1].body["model"], "test/backup");
    assert_eq!(seen[1].body["models"], json!(["test/backup", "test/third"]));

    // The failure cooled test/down down: the next request skips it.
    let r = gw.chat(
        &json!({ "messages": [user("again")], "switchyard_context": { "tier": "pro" } }),
        None,
    );
    assert_eq!(r.header("x-switchyard-attempts"), Some("1"), "{}", r.text());
    assert_eq!(
        stub.models_called(),
        ["test/down", "test/backup", "test/backup"]
    );
    let ready = gw.get("/readyz").json();
    assert_eq!(ready["cooled_down"][0]["model"], "test/down", "{ready}");
}

#[test]
fn falls_back_on_429_but_not_on_400() {
    let (stub, gw) = gateway::start();
    let r = gw.scenario("rate-limited", false);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-switchyard-attempts"), Some("2"));
    let r = gw.scenario("bad-request", false);
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(
        r.json()["error"]["message"],
        "temperature must be at most 2"
    );
    assert_eq!(
        stub.models_called(),
        ["test/rate-limited", "test/backup", "test/bad-request"]
    );

    // Every model failing: the last error comes back, with Retry-After.
    let r = gw.scenario("all-down", false);
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(
        r.json()["error"]["message"],
        "No available provider for test/down-too"
    );
    assert_eq!(r.header("retry-after"), Some("7"));
}

#[test]
fn a_fallback_inside_openrouter_counts_against_the_skipped_model() {
    let (stub, gw) = gateway::start();
    let r = gw.scenario("openrouter-fallback", false);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["model"], "test/backup");
    assert_eq!(stub.models_called(), ["test/fails-over"]);
    let ready = gw.get("/readyz").json();
    assert_eq!(
        ready["cooled_down"][0]["model"], "test/fails-over",
        "{ready}"
    );
}

#[test]
fn context_fields_are_derived_from_the_request() {
    let (stub, gw) = gateway::start();
    let tools = json!([{ "type": "function", "function": { "name": "get_weather", "parameters": { "type": "object" } } }]);
    let r = gw.chat(
        &json!({ "messages": [user("weather?")], "tools": tools, "max_completion_tokens": 100 }),
        None,
    );
    assert_eq!(r.header("x-switchyard-rule"), Some("tools"), "{}", r.text());
    let sent = &stub.seen()[0].body;
    assert_eq!(sent["tools"], tools);
    assert_eq!(sent["max_tokens"], 100);
    assert!(sent.get("switchyard_context").is_none(), "{sent}");
    // The body's context wins over a derived field; a cap above the rule's
    // does not raise it.
    let r = gw.chat(
        &json!({ "messages": [user("weather?")], "tools": tools, "max_tokens": 5000,
                             "switchyard_context": { "needs_tools": false } }),
        None,
    );
    assert_eq!(
        r.header("x-switchyard-rule"),
        Some("default"),
        "{}",
        r.text()
    );
    assert_eq!(stub.seen()[1].body["max_tokens"], 256);
    let image = json!({ "messages": [{ "role": "user", "content": [
        { "type": "image_url", "image_url": { "url": "https://example.com/a.png" } } ]}] });
    assert_eq!(
        gw.chat(&image, None).header("x-switchyard-rule"),
        Some("vision")
    );
    let r = gw.chat(
        &json!({ "messages": [user("tell me about LSM trees")] }),
        None,
    );
    assert_eq!(r.header("x-switchyard-rule"), Some("lsm"));
    let r = gw.chat(&json!({ "messages": [user(&"word ".repeat(1000))] }), None);
    assert_eq!(r.header("x-switchyard-rule"), Some("big"));
    let r = gw.chat(&json!({ "messages": [user("hi")], "user": "alice" }), None);
    assert_eq!(r.header("x-switchyard-rule"), Some("alice"));
}

#[test]
fn bad_requests_get_stable_codes_before_any_upstream_call() {
    let (stub, gw) = gateway::start();
    let cases = [
        (
            json!({ "messages": [user("hi")], "switchyard_context": { "tier": "gold" } }),
            400,
            "invalid_context",
            "field `tier`",
        ),
        (
            json!({ "messages": [user("hi")], "switchyard_context": "pro" }),
            400,
            "invalid_context",
            "switchyard_context",
        ),
        (
            json!({ "messages": [user("hi"), { "role": "user", "content": 5 }] }),
            400,
            "invalid_request",
            "messages[1]",
        ),
        (
            json!({ "model": "x" }),
            400,
            "invalid_request",
            "`messages` is required",
        ),
        (
            json!({ "messages": [user("hi")], "provider": { "sort": "price" } }),
            400,
            "invalid_request",
            "routing policy",
        ),
        (
            json!({ "messages": [user("hi")], "max_tokens": -3 }),
            400,
            "invalid_request",
            "positive integer",
        ),
        (
            json!({ "messages": [user("hi")], "temperature": 1.5, "switchyard_context": { "tier": "pro" } }),
            400,
            "invalid_request",
            "`temperature` is set by both",
        ),
    ];
    for (body, status, code, needle) in cases {
        let r = gw.chat(&body, None);
        assert_eq!(
            (r.status, r.code()),
            (status, code.to_string()),
            "{body}: {}",
            r.text()
        );
        let message = r.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(message.contains(needle), "{body}: {message}");
    }
    let json_type = [("Content-Type", "application/json".to_string())];
    let r = gw.request("POST", "/v1/chat/completions", &json_type, b"{not json");
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "invalid_request"),
        "{}",
        r.text()
    );
    assert!(r.text().contains("not valid JSON"), "{}", r.text());
    // Truncated: the client promises 100 bytes, sends 20, and hangs up.
    let r = gw.raw(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"messages\": [{\"ro",
        true,
    );
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "invalid_request"),
        "{}",
        r.text()
    );
    let r = gw.request(
        "POST",
        "/v1/chat/completions",
        &[("Content-Type", "text/plain".into())],
        b"{}",
    );
    assert_eq!(
        (r.status, r.code().as_str()),
        (415, "unsupported_media_type"),
        "{}",
        r.text()
    );
    let r = gw.get("/v1/chat/completions");
    assert_eq!((r.status, r.code().as_str()), (405, "method_not_allowed"));
    assert_eq!(r.header("allow"), Some("POST"));
    let r = gw.get("/nope");
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    assert!(stub.seen().is_empty(), "{:?}", stub.seen());
}

#[test]
fn oversized_bodies_are_413_declared_or_not() {
    let stub = Stub::start();
    let gw = Gateway::start(&stub.url(), RULES, "[limits]\nmax_body_bytes = 1000\n");
    let big = json!({ "messages": [user(&"x".repeat(2000))] });
    let r = gw.chat(&big, None);
    assert_eq!(
        (r.status, r.code().as_str()),
        (413, "request_too_large"),
        "{}",
        r.text()
    );
    // Chunked, so the size is only known while reading.
    let text = big.to_string();
    let raw = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{text}\r\n0\r\n\r\n",
        text.len()
    );
    let r = gw.raw(raw.as_bytes(), false);
    assert_eq!(
        (r.status, r.code().as_str()),
        (413, "request_too_large"),
        "{}",
        r.text()
    );
    // Under the limit it goes through.
    assert_eq!(
        gw.chat(&json!({ "messages": [user("hi")] }), None).status,
        200
    );
    assert_eq!(stub.seen().len(), 1);
}

#[test]
fn no_matching_rule_is_422() {
    let stub = Stub::start();
    let rules = "context { tier: \"free\" | \"pro\" = \"free\" }\ndefaults max_tokens 9\n\
                 rule pro: when tier == \"pro\" -> \"test/backup\"\n";
    let gw = Gateway::start(&stub.url(), rules, "");
    let r = gw.chat(&json!({ "messages": [user("hi")] }), None);
    assert_eq!(
        (r.status, r.code().as_str()),
        (422, "no_route"),
        "{}",
        r.text()
    );
    assert_eq!(r.json()["error"]["type"], "invalid_request_error");
}

#[test]
fn client_keys_authenticate_and_fix_context_fields() {
    let stub = Stub::start();
    let gw = Gateway::start(&stub.url(), RULES, &format!("{CONFIG}{KEYS}"));
    let body = json!({ "messages": [user("hi")],
                       "switchyard_context": { "tier": "free", "team": "other" } });
    let r = gw.chat(&body, None);
    assert_eq!(
        (r.status, r.code().as_str()),
        (401, "missing_api_key"),
        "{}",
        r.text()
    );
    assert_eq!(r.json()["error"]["type"], "authentication_error");
    let r = gw.chat(&body, Some("secret-two"));
    assert_eq!(
        (r.status, r.code().as_str()),
        (401, "invalid_api_key"),
        "{}",
        r.text()
    );
    assert_eq!(gw.get("/v1/models").status, 401);
    // The key's tier and team win over the body's.
    let r = gw.chat(&body, Some("secret-one"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-switchyard-rule"), Some("enterprise"));
    assert_eq!(stub.models_called(), ["test/enterprise"]);
    // The client's key is not sent upstream, nor logged.
    assert_eq!(
        stub.seen()[0].authorization.as_deref(),
        Some(&*format!("Bearer {UPSTREAM_KEY}"))
    );
    // Access lines are written in batches, within a second or so.
    eventually("the access log line", || gw.log().contains("search-team"));
    let log = gw.log();
    assert!(
        !log.contains("secret-one") && !log.contains(UPSTREAM_KEY),
        "{log}"
    );
}
