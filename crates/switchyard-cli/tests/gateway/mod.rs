//! The gateway under test: the `switchyard serve` binary in front of a
//! [`stub::Stub`], and a plain HTTP/1.1 client that can also send what no
//! library would (truncated bodies, wrong content types) and hang up
//! mid-stream.

#![allow(dead_code, reason = "each test uses a different part")]

pub mod fleet;
pub mod stub;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::Scratch;

/// The key the gateway sends upstream.
pub const UPSTREAM_KEY: &str = "sk-or-v1-test-upstream-000000000000";

/// The ruleset of every test; `scenario` picks the stub's behaviour.
pub const RULES: &str = r#"
context {
  tier: "free" | "pro" | "enterprise" = "free"
  team: string = ""
  scenario: "ok" | "bad-request" | "all-down" | "rate-limited" | "openrouter-fallback"
          | "stall" | "stall-then-ok" | "garbage" | "not-json" | "breaks" | "slow" | "idle"
          | "closes" = "ok"
  needs_tools: bool = false
  needs_vision: bool = false
  prompt: string = ""
  prompt_tokens: int = 0
  user: string = ""
}

defaults max_tokens 256

rule bad: when scenario == "bad-request" -> "test/bad-request" fallback ["test/backup"]
rule all-down: when scenario == "all-down" -> "test/down" fallback ["test/down-too"]
rule limited: when scenario == "rate-limited" -> "test/rate-limited" fallback ["test/backup"]
rule or-fallback: when scenario == "openrouter-fallback" -> "test/fails-over" fallback ["test/backup"]
rule stall: when scenario == "stall" -> "test/stall" fallback ["test/stall-too"]
rule stall-then-ok: when scenario == "stall-then-ok" -> "test/stall" fallback ["test/backup"]
rule garbage: when scenario == "garbage" -> "test/garbage" fallback ["test/backup"]
rule not-json: when scenario == "not-json" -> "test/not-json" fallback ["test/backup"]
rule breaks: when scenario == "breaks" -> "test/breaks"
rule slow: when scenario == "slow" -> "test/slow"
rule idle: when scenario == "idle" -> "test/idle"
rule closes: when scenario == "closes" -> "test/closes"
rule enterprise: when tier == "enterprise" and team == "search" -> "test/enterprise"
rule pro: when tier == "pro"
  -> "test/down" fallback ["test/backup", "test/third"] max_tokens 1000
     provider { sort: "price", data_collection: "deny" }
     params { temperature: 0.2 }
rule tools: when needs_tools -> "test/tools" max_tokens 300
rule vision: when needs_vision -> "test/vision"
rule big: when prompt_tokens > 1000 -> "test/big"
rule lsm: when prompt matches /lsm/i -> "test/lsm"
rule alice: when user == "alice" -> "test/alice"
rule default: otherwise -> "test/backup"
"#;

/// A model cools down at its first failure; short timeouts.
pub const CONFIG: &str = "
[health]
failures = 1
[timeouts]
first_byte = 1.0
idle_stream = 0.5
total = 20
shutdown = 10
";

/// The client key `secret-one` (its SHA-256 below) fixes the tier and the
/// team.
pub const KEYS: &str = r#"
[[keys]]
name = "search-team"
sha256 = "ea77193cc4e6f18656f3130e296203880c4b9b3772afc855211b82fdd46e9185"
fields = { tier = "enterprise", team = "search" }
"#;

/// A user message.
pub fn user(text: &str) -> Value {
    serde_json::json!({ "role": "user", "content": text })
}

/// Waits up to 5 s for `done`.
pub fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A stub, and a gateway with [`RULES`] and [`CONFIG`] in front of it.
pub fn start() -> (stub::Stub, Gateway) {
    let stub = stub::Stub::start();
    let gw = Gateway::start(&stub.url(), RULES, CONFIG);
    (stub, gw)
}

/// A `switchyard serve` process.
pub struct Gateway {
    child: Child,
    pub addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
    pub dir: Scratch,
}

impl Gateway {
    /// Starts the binary on a free port with `rules` and `config` (TOML)
    /// in a scratch folder, in front of `upstream`.
    pub fn start(upstream: &str, rules: &str, config: &str) -> Gateway {
        Gateway::start_with(upstream, rules, config, None)
    }

    /// [`Gateway::start`] with a catalog (written to `models.json`).
    pub fn start_with(upstream: &str, rules: &str, config: &str, catalog: Option<&str>) -> Gateway {
        Gateway::start_args(upstream, rules, config, catalog, &[])
    }

    /// [`Gateway::start_with`] with more command-line arguments.
    pub fn start_args(
        upstream: &str,
        rules: &str,
        config: &str,
        catalog: Option<&str>,
        args: &[&str],
    ) -> Gateway {
        let dir = Scratch::new("serve");
        let rules = dir.file("rules.route", rules);
        let config = dir.file("gateway.toml", config);
        let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
        command
            .args(["serve", "--rules", &rules, "--config", &config])
            .args(["--listen", "127.0.0.1:0", "--upstream", upstream])
            .args(args);
        if let Some(text) = catalog {
            command.args(["--catalog", &dir.file("models.json", text)]);
        }
        let mut child = command
            .env("OPENROUTER_API_KEY", UPSTREAM_KEY)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let stderr = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .and_then(|rest| rest.strip_suffix("/v1"))
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| {
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "no address in {line:?}; stderr:\n{}",
                    stderr.lock().unwrap()
                )
            });
        Gateway {
            child,
            addr,
            stderr,
            dir,
        }
    }

    /// Rewrites a file of the scratch folder through a rename, as editors
    /// and config managers do.
    pub fn rewrite(&self, name: &str, text: &str) {
        let tmp = self.dir.file(&format!(".{name}.tmp"), text);
        std::fs::rename(tmp, self.dir.path().join(name)).unwrap();
    }

    pub fn base(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// What the gateway logged so far.
    pub fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// POSTs a JSON body to `/v1/chat/completions` with `key`, if any.
    pub fn chat(&self, body: &Value, key: Option<&str>) -> Reply {
        self.raw(&self.chat_bytes(body, key), false)
    }

    /// A one-message request routed to [`RULES`]'s `scenario`, streamed or
    /// not.
    pub fn scenario(&self, scenario: &str, stream: bool) -> Reply {
        let body = serde_json::json!({ "messages": [user("hi")], "stream": stream,
                                       "switchyard_context": { "scenario": scenario } });
        self.chat(&body, None)
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[], b"")
    }

    /// GETs `path` with a client key.
    pub fn get_as(&self, path: &str, key: &str) -> Reply {
        self.request(
            "GET",
            path,
            &[("Authorization", format!("Bearer {key}"))],
            b"",
        )
    }

    /// Sends a request with `Content-Length` and reads the whole answer.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Reply {
        self.raw(&self.request_bytes(method, path, headers, body), false)
    }

    /// The bytes of a request with `Content-Length`, on a connection that
    /// closes after the answer.
    pub fn request_bytes(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Vec<u8> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut raw = head.into_bytes();
        raw.extend_from_slice(body);
        raw
    }

    /// The bytes of a chat request: a JSON body, with `key`, if any.
    pub fn chat_bytes(&self, body: &Value, key: Option<&str>) -> Vec<u8> {
        let mut headers = vec![("Content-Type", "application/json".to_string())];
        if let Some(k) = key {
            headers.push(("Authorization", format!("Bearer {k}")));
        }
        self.request_bytes(
            "POST",
            "/v1/chat/completions",
            &headers,
            body.to_string().as_bytes(),
        )
    }

    /// Sends `bytes` as they are (then closes the writing half when
    /// `close` says so) and reads the answer.
    pub fn raw(&self, bytes: &[u8], close: bool) -> Reply {
        let mut s = self.connect();
        s.write_all(bytes).unwrap();
        if close {
            let _ = s.shutdown(std::net::Shutdown::Write);
        }
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        Reply::parse(&out)
    }

    pub fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }

    /// Waits up to `limit` for the process to exit; its exit code.
    pub fn wait(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A connection to `addr` on the current tokio runtime, for sending many
/// requests at once without a thread each ([`send`]).
pub async fn connect_async(addr: SocketAddr) -> tokio::net::TcpStream {
    tokio::net::TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("connecting to {addr}: {e}"))
}

/// Sends `bytes` (a request from [`Gateway::request_bytes`]) on `stream`
/// and reads the answer until the gateway closes the connection.
pub async fn send(mut stream: tokio::net::TcpStream, bytes: &[u8]) -> Reply {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut out))
        .await
        .expect("an answer within 20 s")
        .unwrap();
    Reply::parse(&out)
}

/// An answer, its chunked body decoded.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn parse(raw: &[u8]) -> Reply {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(raw)));
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let rest = &raw[split + 4..];
        let chunked = headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
        let body = if chunked {
            dechunk(rest)
        } else {
            rest.to_vec()
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The error's `code` in OpenAI's error shape.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

/// Decodes a chunked body (up to where it ends or breaks off).
pub fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&rest[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        let end = (start + size).min(rest.len());
        body.extend_from_slice(&rest[start..end]);
        rest = rest.get(end + 2..).unwrap_or_default();
    }
    body
}
