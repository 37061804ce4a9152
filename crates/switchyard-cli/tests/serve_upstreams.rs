//! `switchyard serve` and its connections: streams relayed byte for byte,
//! upstreams that stall, break mid-stream, answer garbage or close their
//! connections, a client hanging up mid-stream, the concurrency limit,
//! SIGTERM with requests in flight.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod gateway;
mod support;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use serde_json::json;

use gateway::stub::{sse, Stub};
use gateway::{eventually, user, Gateway, CONFIG, RULES};

#[test]
fn streams_are_relayed_byte_for_byte_after_a_fallback() {
    let (stub, gw) = gateway::start();
    let r = gw.chat(
        &json!({ "messages": [user("hi")], "stream": true,
                             "switchyard_context": { "tier": "pro" } }),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    assert_eq!(r.header("x-switchyard-attempts"), Some("2"));
    assert_eq!(r.text(), sse("test/backup"));
    assert_eq!(stub.models_called(), ["test/down", "test/backup"]);
}

#[test]
fn stalls_time_out_and_fall_back() {
    let (stub, gw) = gateway::start();
    let started = Instant::now();
    let r = gw.scenario("stall-then-ok", false);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["model"], "test/backup");
    let r = gw.scenario("stall", false);
    assert_eq!(
        (r.status, r.code().as_str()),
        (504, "upstream_timeout"),
        "{}",
        r.text()
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        stub.models_called(),
        ["test/stall", "test/backup", "test/stall-too"]
    );
}

#[test]
fn broken_idle_and_garbage_upstreams() {
    let (_stub, gw) = gateway::start();
    // Breaks mid-stream: what came is relayed, then an in-band error.
    let r = gw.scenario("breaks", true);
    assert_eq!(r.status, 200);
    let text = r.text();
    assert!(
        text.starts_with("data: {") && text.contains("part 0"),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with("}}") && text.contains("the upstream stream broke"),
        "{text}"
    );
    // Idle past timeouts.idle_stream.
    let r = gw.scenario("idle", true);
    assert!(
        r.text().contains("idle longer than timeouts.idle_stream"),
        "{}",
        r.text()
    );
    // Not HTTP at all.
    let r = gw.scenario("garbage", false);
    assert_eq!(
        (r.status, r.code().as_str()),
        (502, "upstream_invalid_response"),
        "{}",
        r.text()
    );
    // HTTP, but a 200 that is not JSON.
    let r = gw.scenario("not-json", false);
    assert_eq!(
        (r.status, r.code().as_str()),
        (502, "upstream_invalid_response"),
        "{}",
        r.text()
    );
}

#[test]
fn an_unreachable_upstream_is_502_and_no_model_is_blamed() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let gw = Gateway::start(&format!("http://127.0.0.1:{port}/api/v1"), RULES, CONFIG);
    let r = gw.chat(
        &json!({ "messages": [user("hi")], "switchyard_context": { "tier": "pro" } }),
        None,
    );
    assert_eq!(
        (r.status, r.code().as_str()),
        (502, "upstream_unreachable"),
        "{}",
        r.text()
    );
    assert_eq!(gw.get("/readyz").json()["cooled_down"], json!([]));
}

#[test]
fn an_upstream_that_closes_its_connections_gets_new_ones() {
    let (stub, gw) = gateway::start();
    // The upstream closes each connection once its answer is out: the next
    // request goes on a new one (back to back, it may find the pooled one
    // closed, or closing as it is sent: then it is sent again).
    for _ in 0..20 {
        let r = gw.scenario("closes", false);
        assert_eq!(r.status, 200, "{}", r.text());
    }
    assert_eq!(stub.models_called(), ["test/closes"; 20]);
}

/// Sends a streamed request for one of the stub's scenarios (`slow`,
/// `idle`) on a new connection, without reading the answer.
fn start_stream(gw: &Gateway, scenario: &str) -> std::net::TcpStream {
    let body = json!({ "messages": [user("hi")], "stream": true,
                       "switchyard_context": { "scenario": scenario } })
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
    let mut s = start_stream(&gw, "slow");
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
fn a_client_that_hangs_up_before_a_whole_answer_cancels_the_upstream_request() {
    let stub = Stub::start();
    // No first-byte timeout within the stub's 3 s: only the hang-up cancels.
    let gw = Gateway::start(&stub.url(), RULES, "[timeouts]\nfirst_byte = 30\n");
    let body = json!({ "messages": [user("hi")], "switchyard_context": { "scenario": "slow" } })
        .to_string();
    let mut s = gw.connect();
    write!(
        s,
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    eventually("the request upstream", || {
        stub.models_called() == ["test/slow"]
    });
    drop(s);
    // The stub answers after 3 s; `eventually` gives up after 5.
    eventually("the stub to see the cancel", || stub.cancelled() == 1);
    eventually("the access log line", || {
        gw.log()
            .lines()
            .any(|l| l.contains("status=499") && l.contains("client_disconnected"))
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
    let mut s = start_stream(&gw, "slow");
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
fn a_new_concurrency_limit_applies_without_a_restart() {
    let stub = Stub::start();
    let gw = Gateway::start(&stub.url(), RULES, "[limits]\nmax_concurrent = 1\n");
    // One event, then 30 s of silence: it holds its slot.
    let s = start_stream(&gw, "idle");
    eventually("the stream to start", || stub.seen().len() == 1);
    let chat = || gw.chat(&json!({ "messages": [user("hi")] }), None).status;
    assert_eq!(chat(), 503);
    gw.rewrite("gateway.toml", "[limits]\nmax_concurrent = 2\n");
    eventually("the new limit", || chat() == 200);
    // Not because the stream ended: it is still in flight.
    let metrics = gw.get("/metrics").text();
    assert!(metrics.contains("requests_in_flight 1\n"), "{metrics}");
    drop(s);
}

#[test]
fn sigterm_finishes_the_requests_in_flight_and_exits_0() {
    let stub = Stub::start();
    let mut gw = Gateway::start(&stub.url(), RULES, CONFIG);
    let mut s = start_stream(&gw, "slow");
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
