//! Helpers shared by the CLI's end-to-end tests: paths into the repository
//! and the committed traffic fixtures in `tests/traffic/`, scratch folders,
//! running the binary, and reading what it printed.

#![allow(dead_code, reason = "each test file uses a different part")]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A path relative to the root of the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// The example ruleset, `examples/openrouter.route`.
pub fn example() -> PathBuf {
    repo("examples/openrouter.route")
}

/// The sample model catalog, `examples/models.json`.
pub fn catalog() -> PathBuf {
    repo("examples/models.json")
}

/// A path as a string for the command line.
pub fn p<P: AsRef<Path> + ?Sized>(path: &P) -> &str {
    path.as_ref().to_str().expect("UTF-8 path")
}

/// A ruleset that matches no rule for a free `guest-N` user whose id has
/// 5,000 characters or more ([`guest`]). It loads: such a user is longer
/// than the strings the condition analysis builds (4,096 characters), so
/// `check` cannot show one, and warns that coverage is not proved (W109)
/// rather than report E008 (some context matches no rule).
pub const NO_OTHERWISE: &str = "\
context { tier: \"free\" | \"pro\" = \"free\"  user: string }
defaults max_tokens 256
rule pro: when tier == \"pro\" or not (user matches /^guest-[0-9]+$/) or len(user) < 5000 -> \"anthropic/claude-3.5-sonnet\"
";

/// A context [`NO_OTHERWISE`] routes nowhere: a guest whose id is `digit`
/// repeated, 5,000 characters in all.
pub fn guest(digit: char) -> String {
    format!("{{\"user\": \"guest-{}\"}}", digit.to_string().repeat(4994))
}

/// A file of `tests/traffic/`, as a string for the command line.
pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/traffic")
        .join(name);
    path.to_str().expect("UTF-8 path").to_string()
}

/// A temporary folder, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    /// A new, empty folder; `name` tells it apart from the others.
    pub fn new(name: &str) -> Scratch {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "switchyard-cli-test-{}-{n}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch folder");
        Scratch(dir)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to `name` in the folder and returns its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        fs::write(&path, text).expect("scratch file");
        path.to_str().expect("UTF-8 path").to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Runs the binary with `args`, feeding `stdin` (if any) to it.
pub fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(args)
        .env_remove("SWITCHYARD_FORMAT")
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("the binary ends")
}

/// The exit code.
pub fn code(output: &Output) -> i32 {
    output.status.code().expect("an exit code")
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The exit code and both outputs, for an assertion's message.
pub fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        stdout(output),
        stderr(output)
    )
}

/// Standard output as JSON.
pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout(output),
            stderr(output)
        )
    })
}

/// The bad lines of `traffic.jsonl` and what is wrong with each, as
/// reported against v1.route.
pub const BAD_LINES: [(usize, &str); 5] = [
    (
        8,
        "field `tier`: expected one of \"free\" | \"pro\" | \"enterprise\", got \"gold\"",
    ),
    (13, "not valid JSON at column 16"),
    (21, "a context must be a JSON object, got an array"),
    (26, "got \"team\""),
    (31, "field `prompt_tokens`: expected int, got the float 1.5"),
];
