//! The gateway under test: the `switchyard serve` binary in front of a
//! [`stub::Stub`], and a plain HTTP/1.1 client that can also send what no
//! library would (truncated bodies, wrong content types) and hang up
//! mid-stream.

#![allow(dead_code, reason = "each test uses a different part")]

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
        let dir = Scratch::new("serve");
        let rules = dir.file("rules.route", rules);
        let config = dir.file("gateway.toml", config);
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .args(["serve", "--rules", &rules, "--config", &config])
            .args(["--listen", "127.0.0.1:0", "--upstream", upstream])
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
                panic!("no address in {line:?}; stderr:\n{}", stderr.lock().unwrap())
            });
        Gateway {
            child,
            addr,
            stderr,
            dir,
        }
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
        let mut headers = vec![("Content-Type", "application/json".to_string())];
        if let Some(k) = key {
            headers.push(("Authorization", format!("Bearer {k}")));
        }
        self.request("POST", "/v1/chat/completions", &headers, body.to_string().as_bytes())
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[], b"")
    }

    /// Sends a request with `Content-Length` and reads the whole answer.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> Reply {
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
        self.raw(&raw, false)
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
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let rest = &raw[split + 4..];
        let chunked = headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
        let body = if chunked { dechunk(rest) } else { rest.to_vec() };
        Reply { status, headers, body }
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
        self.json()["error"]["code"].as_str().unwrap_or("").to_string()
    }
}

/// Decodes a chunked body (up to where it ends or breaks off).
pub fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..eol]).trim(), 16).unwrap_or(0);
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
