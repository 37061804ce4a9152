//! An OpenRouter stand-in on 127.0.0.1 (plain TCP, a thread per
//! connection, keep-alive), recording what it receives. The model of the
//! request picks the answer:
//!
//! - `test/down*`: 503 with `Retry-After: 7` (another model may fix it);
//! - `test/rate-limited`: 429;
//! - `test/bad-request`: 400 (no other model would fix it);
//! - `test/stall*`: nothing for 30 s;
//! - `test/garbage`: bytes that are not HTTP, then the connection closes;
//! - `test/not-json`: 200 with an HTML page;
//! - `test/breaks` (streamed): one event, then the connection closes
//!   without ending the chunked body;
//! - `test/slow` (streamed): 40 events 50 ms apart; (not streamed): the
//!   answer after 3 s, unless the gateway hangs up first;
//! - `test/idle` (streamed): one event, then silence for 30 s;
//! - `test/closes`: a completion, then the connection closes (as an
//!   upstream ends a keep-alive connection);
//! - `test/fails-over`: served by `test/backup` (OpenRouter's own
//!   fallback through `models`);
//! - `test/no-cost`: a completion (or stream) whose `usage` has tokens but
//!   no `cost`;
//! - anything else: a completion (or [`sse`] when streamed).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

/// One request the stub received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
}

/// The stub's shared state.
#[derive(Default)]
struct State {
    seen: Mutex<Vec<Seen>>,
    /// Requests whose client (the gateway) went away before the end.
    cancelled: AtomicUsize,
}

/// A running stub (its threads end with the test process).
pub struct Stub {
    pub addr: SocketAddr,
    state: Arc<State>,
}

impl Stub {
    pub fn start() -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || connection(stream, &state));
            }
        });
        Stub { addr, state }
    }

    /// The API base to give the gateway.
    pub fn url(&self) -> String {
        format!("http://{}/api/v1", self.addr)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    pub fn models_called(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|s| s.body["model"].as_str().unwrap_or("").to_string())
            .collect()
    }

    pub fn cancelled(&self) -> usize {
        self.state.cancelled.load(Ordering::SeqCst)
    }
}

/// The exact bytes of a streamed answer from `model`.
pub fn sse(model: &str) -> String {
    let chunk = |delta: Value, finish: Value| {
        json!({
            "id": "gen-stub", "object": "chat.completion.chunk", "created": 1_700_000_000,
            "model": model,
            "choices": [{ "index": 0, "delta": delta, "finish_reason": finish }]
        })
    };
    let usage = json!({
        "id": "gen-stub", "object": "chat.completion.chunk", "created": 1_700_000_000,
        "model": model, "provider": "Stub", "choices": [],
        "usage": usage(model, 7, 3, 0.00002)
    });
    [
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
    ]
    .iter()
    .map(|e| format!("{e}\n\n"))
    .collect()
}

/// Serves the requests of one connection.
fn connection(stream: TcpStream, state: &State) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) if line == "\r\n" => break,
                Ok(_) => head.push(line.trim_end().to_string()),
            }
        }
        let header = |name: &str| {
            head.iter().skip(1).find_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
            })
        };
        let length: usize = header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let path = head
            .first()
            .and_then(|l| l.split(' ').nth(1))
            .unwrap_or("")
            .to_string();
        state.seen.lock().unwrap().push(Seen {
            path,
            authorization: header("authorization"),
            body: body.clone(),
        });
        if !answer(&mut out, &body, state) {
            return;
        }
    }
}

/// Writes the answer; false when the connection must close.
fn answer(out: &mut TcpStream, body: &Value, state: &State) -> bool {
    let model = body["model"].as_str().unwrap_or("");
    let stream = body["stream"] == json!(true);
    let error = |code: u16, message: &str| json!({ "error": { "code": code, "message": message } });
    if model.starts_with("test/down") {
        let e = json!({ "error": { "code": 503, "message": format!("No available provider for {model}"),
                                   "metadata": { "error_type": "provider_overloaded" } } });
        return full(
            out,
            503,
            "application/json",
            &e.to_string(),
            &["Retry-After: 7"],
        );
    }
    match model {
        "test/rate-limited" => {
            return full(
                out,
                429,
                "application/json",
                &error(429, "Rate limit exceeded").to_string(),
                &[],
            )
        }
        "test/bad-request" => {
            let e = error(400, "temperature must be at most 2");
            return full(out, 400, "application/json", &e.to_string(), &[]);
        }
        m if m.starts_with("test/stall") => {
            std::thread::sleep(Duration::from_secs(30));
            return false;
        }
        "test/garbage" => {
            let _ = out.write_all(b"this is not HTTP at all\r\n\r\n");
            return false;
        }
        "test/not-json" => return full(out, 200, "text/html", "<html>oops</html>", &[]),
        _ => {}
    }
    let served = if model == "test/fails-over" {
        "test/backup"
    } else {
        model
    };
    if stream {
        return streamed(out, served, state);
    }
    if model == "test/slow" && hung_up(out, Duration::from_secs(3)) {
        state.cancelled.fetch_add(1, Ordering::SeqCst);
        return false;
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
        "usage": usage(served, 12, 4, 0.00004)
    });
    full(out, 200, "application/json", &reply.to_string(), &[]) && model != "test/closes"
}

/// `usage` of an answer from `model`: the tokens, and the cost unless the
/// model is `test/no-cost`.
fn usage(model: &str, prompt: u64, completion: u64, cost: f64) -> Value {
    let mut usage = json!({ "prompt_tokens": prompt, "completion_tokens": completion,
                            "total_tokens": prompt + completion });
    if model != "test/no-cost" {
        usage["cost"] = json!(cost);
    }
    usage
}

/// Whether the client closes the connection within `wait`.
fn hung_up(out: &mut TcpStream, wait: Duration) -> bool {
    let _ = out.set_read_timeout(Some(wait));
    let closed = matches!(out.read(&mut [0; 1]), Ok(0));
    let _ = out.set_read_timeout(None);
    closed
}

fn full(out: &mut TcpStream, status: u16, content_type: &str, body: &str, extra: &[&str]) -> bool {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for h in extra {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes()).is_ok() && out.write_all(body.as_bytes()).is_ok()
}

fn chunk(out: &mut TcpStream, data: &str) -> bool {
    out.write_all(format!("{:x}\r\n{data}\r\n", data.len()).as_bytes())
        .is_ok()
        && out.flush().is_ok()
}

/// A streamed answer, as the model says.
fn streamed(out: &mut TcpStream, model: &str, state: &State) -> bool {
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
    if out.write_all(head.as_bytes()).is_err() {
        return false;
    }
    let event = |n: usize| {
        format!(
            "data: {}\n\n",
            json!({ "id": "gen-stub", "object": "chat.completion.chunk", "created": 1, "model": model,
                    "choices": [{ "index": 0, "delta": { "content": format!("part {n} ") }, "finish_reason": null }] })
        )
    };
    match model {
        "test/breaks" => {
            let _ = chunk(out, &event(0));
            let _ = out.shutdown(std::net::Shutdown::Both);
            false
        }
        "test/idle" => {
            let _ = chunk(out, &event(0));
            std::thread::sleep(Duration::from_secs(30));
            false
        }
        "test/slow" => {
            for n in 0..40 {
                if !chunk(out, &event(n)) {
                    state.cancelled.fetch_add(1, Ordering::SeqCst);
                    return false;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            chunk(out, "data: [DONE]\n\n") && chunk(out, "")
        }
        _ => {
            // Two pieces, split inside an event, to show the relay does not
            // reframe.
            let text = sse(model);
            let (a, b) = text.split_at(text.len() / 2);
            chunk(out, a) && chunk(out, b) && chunk(out, "")
        }
    }
}
