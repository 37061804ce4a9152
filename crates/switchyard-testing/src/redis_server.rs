//! A real `redis-server` for a test: started on a free loopback port with
//! its own temporary folder (under `/dev/shm` when there is one), killed
//! (and the folder removed) when dropped.
//! The binary is `$SWITCHYARD_REDIS_SERVER` or `redis-server` on PATH;
//! `.ci/redis-server.sh` installs Debian's package, and the README's test
//! command runs it.
//!
//! The server keeps an append-only file, so a test can kill it (SIGKILL)
//! and start it again with what it had written, as a production server
//! with `appendonly yes` would: synced every second ([`RedisServer::start`],
//! Redis's default for the file), which can lose writes acknowledged up to
//! about 2 s before a crash (Redis delays writing the file while an fsync
//! lags, and answers meanwhile), or before each reply
//! ([`RedisServer::start_durable`], `appendfsync always`), which loses
//! none but makes every write, and so every reply and every message to
//! subscribers, wait for the disk.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A running `redis-server` of a test's own.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    /// `appendfsync`: `everysec` or `always`.
    fsync: &'static str,
}

impl RedisServer {
    /// Starts a server on a free port, its append-only file synced every
    /// second, and waits until it answers `PING`.
    pub fn start() -> RedisServer {
        RedisServer::start_syncing("everysec")
    }

    /// [`RedisServer::start`], the append-only file synced before each
    /// reply: a kill loses nothing the server acknowledged.
    pub fn start_durable() -> RedisServer {
        RedisServer::start_syncing("always")
    }

    fn start_syncing(fsync: &'static str) -> RedisServer {
        static N: AtomicU32 = AtomicU32::new(0);
        // In memory where there is a tmpfs: a kill (of the process, not the
        // machine) loses nothing written there, and the syncs do not wait
        // on a disk other processes keep busy.
        let shm = std::path::Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!(
            "switchyard-redis-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let mut server = RedisServer {
            child: None,
            port,
            dir,
            fsync,
        };
        server.restart();
        server
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL): no shutdown, no final save.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, with the same data (kills
    /// it first if it runs), and waits until it answers `PING`.
    pub fn restart(&mut self) {
        self.kill();
        let binary = std::env::var_os("SWITCHYARD_REDIS_SERVER").unwrap_or("redis-server".into());
        let child = Command::new(&binary)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(&self.dir)
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                self.fsync,
            ])
            .args(["--daemonize", "no", "--logfile", "redis.log"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {}: {e} (install it with .ci/redis-server.sh, or set \
                     SWITCHYARD_REDIS_SERVER)",
                    binary.to_string_lossy()
                )
            });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.answers() {
            assert!(
                Instant::now() < deadline,
                "redis-server on port {} did not answer within 10 s (log: {})",
                self.port,
                self.dir.join("redis.log").display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends one command and returns its reply: a bulk or simple string,
    /// an integer as text, `None` for nil. Panics on an error reply.
    pub fn command(&self, args: &[&str]) -> Option<String> {
        let mut reader = self.send(args);
        match read_line(&mut reader, args) {
            Line::Value(v) => v,
            Line::Array(_) => panic!("redis {args:?}: an array, not a value"),
        }
    }

    /// Sends one command whose reply is an array (`HMGET`, `MGET`...) and
    /// returns its elements. Panics on an error reply.
    pub fn command_list(&self, args: &[&str]) -> Vec<Option<String>> {
        let mut reader = self.send(args);
        match read_line(&mut reader, args) {
            Line::Array(n) => (0..n)
                .map(|_| match read_line(&mut reader, args) {
                    Line::Value(v) => v,
                    Line::Array(_) => panic!("redis {args:?}: nested arrays"),
                })
                .collect(),
            Line::Value(v) => panic!("redis {args:?}: {v:?}, not an array"),
        }
    }

    fn send(&self, args: &[&str]) -> BufReader<TcpStream> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))
            .unwrap_or_else(|e| panic!("redis on port {}: {e}", self.port));
        let mut out = format!("*{}\r\n", args.len());
        for a in args {
            out.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        stream
            .write_all(out.as_bytes())
            .unwrap_or_else(|e| panic!("redis: {e}"));
        BufReader::new(stream)
    }

    fn answers(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let mut reply = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One element of a reply.
enum Line {
    /// A string, an integer as text, or nil.
    Value(Option<String>),
    /// The start of an array of this many elements.
    Array(usize),
}

fn read_line(reader: &mut BufReader<TcpStream>, args: &[&str]) -> Line {
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("redis: {e}"));
    let line = line.trim_end();
    let (kind, rest) = line.split_at(1.min(line.len()));
    let number = || -> usize {
        rest.parse()
            .unwrap_or_else(|e| panic!("redis: {line}: {e}"))
    };
    match kind {
        "+" | ":" => Line::Value(Some(rest.to_string())),
        "$" | "*" if rest == "-1" => Line::Value(None),
        "$" => {
            let mut bulk = vec![0; number() + 2];
            reader
                .read_exact(&mut bulk)
                .unwrap_or_else(|e| panic!("redis: {e}"));
            bulk.truncate(bulk.len() - 2);
            Line::Value(Some(String::from_utf8_lossy(&bulk).into_owned()))
        }
        "*" => Line::Array(number()),
        _ => panic!("redis {args:?}: {line}"),
    }
}
