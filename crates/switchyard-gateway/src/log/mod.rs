//! The access log: one line per chat request on standard error, a human
//! line or a JSON object in the format of the `tracing` subscriber the
//! rest of the log goes through (see `line.rs`). It carries the request
//! id, the key's name, the rule, variant, serving model, attempts, status,
//! upstream latency, tokens and cost; never a key, and the prompt only
//! when `log.prompts` is set.
//!
//! A serving thread keeps its access lines and writes them in batches, the
//! way nginx's `access_log ... buffer= flush=` does: when it has nothing
//! else to do (just before its runtime waits for I/O, so after the answers
//! have gone out) and [`DEFERRED_LINES`] wait or the oldest has waited
//! [`FLUSH_AFTER`] (the serving thread's pacemaker timer wakes it every
//! second, so no line waits much longer); at once only when
//! [`MAX_DEFERRED_LINES`] wait (a thread too busy to ever wait); and when
//! it stops. Formatting and writing lines is then not between a request
//! and its answer, and at one request at a time a write(2) serves many
//! requests instead of one. The lines are
//! formatted into one buffer the thread keeps, and written with one write;
//! each is stamped with the time its request ended.

mod line;

use std::cell::RefCell;
use std::io::Write;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use switchyard::openrouter::Outcome;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::config::LogFormat;

/// The access log's format, set by [`install`]: no access lines without.
static FORMAT: OnceLock<LogFormat> = OnceLock::new();

/// Installs the subscriber for the process and sets the access log's
/// format (a second call does nothing).
pub fn install(format: LogFormat) {
    let _ = FORMAT.set(format);
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_span_events(FmtSpan::NONE)
        .with_target(false);
    let _ = match format {
        LogFormat::Human => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
}

/// What the access log says about one chat request, filled in as it is
/// served.
#[derive(Debug)]
pub(crate) struct AccessRecord {
    pub(crate) id: u64,
    pub(crate) started: Instant,
    pub(crate) key: Option<String>,
    pub(crate) rule: Option<String>,
    pub(crate) variant: Option<String>,
    /// The model that served (or the last one tried).
    pub(crate) model: Option<String>,
    pub(crate) attempts: usize,
    pub(crate) stream: bool,
    /// Milliseconds spent waiting on the upstream, all attempts.
    pub(crate) upstream_ms: f64,
    pub(crate) prompt_tokens: Option<u64>,
    pub(crate) completion_tokens: Option<u64>,
    pub(crate) cost_usd: Option<f64>,
    /// The last user message, when `log.prompts` is set.
    pub(crate) prompt: Option<String>,
    /// The error code, when the gateway answered an error itself.
    pub(crate) error: Option<&'static str>,
}

impl AccessRecord {
    pub(crate) fn new(id: u64) -> AccessRecord {
        AccessRecord {
            id,
            started: Instant::now(),
            key: None,
            rule: None,
            variant: None,
            model: None,
            attempts: 0,
            stream: false,
            upstream_ms: 0.0,
            prompt_tokens: None,
            completion_tokens: None,
            cost_usd: None,
            prompt: None,
            error: None,
        }
    }

    /// Takes the tokens, cost and serving model of an upstream answer.
    pub(crate) fn outcome(&mut self, outcome: Outcome) {
        self.cost_usd = outcome.cost_usd();
        if let Some(u) = &outcome.usage {
            self.prompt_tokens = Some(u.prompt_tokens);
            self.completion_tokens = Some(u.completion_tokens);
        }
        self.model = Some(outcome.model);
    }

    /// Logs the request: at once, or on a serving thread with the next
    /// batch (see [`defer_on_this_thread`]). `end` says how a stream ended
    /// (`None` for a whole answer).
    pub(crate) fn emit(self, status: u16, end: Option<&'static str>) {
        let line = Line {
            at: SystemTime::now(),
            total_ms: round(self.started.elapsed().as_secs_f64() * 1e3),
            record: self,
            status,
            end,
        };
        let mut line = Some(line);
        // `None` on a thread that writes at once.
        let full = DEFERRED.with_borrow_mut(|deferred| {
            let lines = deferred.as_mut()?;
            lines.extend(line.take());
            Some(lines.len() >= MAX_DEFERRED_LINES)
        });
        match (full, line) {
            (Some(true), _) => flush(),
            (None, Some(line)) => write(std::iter::once(line)),
            _ => {}
        }
    }
}

/// The largest line buffer a thread keeps between writes.
const KEPT_TEXT_BYTES: usize = 64 * 1024;

/// How many access lines a serving thread writes as soon as it has
/// nothing else to do.
pub(crate) const DEFERRED_LINES: usize = 64;

/// The most access lines a serving thread keeps: the next request's line
/// writes them all at once.
pub(crate) const MAX_DEFERRED_LINES: usize = 8 * DEFERRED_LINES;

/// How long the oldest access line waits, at least, before an idle
/// serving thread writes it.
pub(crate) const FLUSH_AFTER: Duration = Duration::from_millis(100);

thread_local! {
    /// The access lines of this thread not written yet; `None` on threads
    /// that write at once.
    static DEFERRED: RefCell<Option<Vec<Line>>> = const { RefCell::new(None) };
    /// The bytes of the lines being written, kept for the next ones.
    static TEXT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Makes this thread (a serving thread) keep its access lines until
/// [`flush`].
pub(crate) fn defer_on_this_thread() {
    DEFERRED.with_borrow_mut(|d| *d = Some(Vec::with_capacity(MAX_DEFERRED_LINES)));
}

/// Writes this thread's access lines when [`DEFERRED_LINES`] wait or the
/// oldest has waited [`FLUSH_AFTER`] (called when the serving thread is
/// about to wait for I/O).
pub(crate) fn flush_when_due() {
    let due = DEFERRED.with_borrow(|deferred| {
        deferred.as_ref().is_some_and(|lines| {
            lines.len() >= DEFERRED_LINES
                || lines
                    .first()
                    .is_some_and(|oldest| oldest.at.elapsed().map_or(true, |d| d >= FLUSH_AFTER))
        })
    });
    if due {
        flush();
    }
}

/// Writes this thread's access lines kept so far.
pub(crate) fn flush() {
    DEFERRED.with_borrow_mut(|deferred| {
        if let Some(lines) = deferred.as_mut().filter(|l| !l.is_empty()) {
            write(lines.drain(..));
        }
    });
}

/// Formats `lines` and writes them on standard error.
fn write(lines: impl Iterator<Item = Line>) {
    let Some(&format) = FORMAT.get() else {
        return;
    };
    TEXT.with_borrow_mut(|text| {
        text.clear();
        for line in lines {
            line.write_to(format, text);
        }
        // Nowhere to report a failed write to standard error.
        let _ = std::io::stderr().lock().write_all(text);
        if text.capacity() > KEPT_TEXT_BYTES {
            // Logged prompts made it large: not kept for every line after.
            *text = Vec::new();
        }
    });
}

/// An access line waiting to be written.
struct Line {
    /// When the request ended (the line's timestamp).
    at: SystemTime,
    record: AccessRecord,
    status: u16,
    end: Option<&'static str>,
    total_ms: f64,
}

/// Milliseconds to three decimals.
fn round(ms: f64) -> f64 {
    (ms * 1e3).round() / 1e3
}
