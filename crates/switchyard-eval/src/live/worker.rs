//! The background thread: it debounces file events, keeps track of files
//! being written, runs the checks (deferring the failures of files probably
//! half-written) and the periodic check.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{Event, EventKind};

use super::check::{lock, Shared};
use super::watch::Watches;

pub(super) enum Msg {
    Fs(notify::Result<Event>),
    Reload,
    Stop,
}

#[derive(Clone, Copy)]
pub(super) struct Timing {
    pub(super) quiet: Duration,
    pub(super) max_delay: Duration,
    pub(super) poll: Option<Duration>,
}

/// Events waiting for their check.
struct Pending {
    first: Instant,
    last: Instant,
    /// Asked for by `reload_now` from a callback: check at once.
    now: bool,
}

impl Pending {
    fn new(at: Instant) -> Self {
        Pending {
            first: at,
            last: at,
            now: false,
        }
    }

    fn due(&self, t: Timing, writing: bool) -> Instant {
        if self.now {
            self.first
        } else if writing {
            // Past the cap, check at the next close, so as not to read a
            // file just truncated by its writer.
            self.first + t.max_delay.saturating_mul(2)
        } else {
            (self.last + t.quiet).min(self.first + t.max_delay)
        }
    }
}

/// Writers tracked at most (past this, new ones are not tracked).
const MAX_WRITERS: usize = 64;
/// How long failures may go unreported as probably half-written, from the
/// first one deferred.
const MAX_DEFERRAL: Duration = Duration::from_secs(1);

/// The background thread's state.
struct Worker<'a> {
    shared: &'a Shared,
    rx: &'a Receiver<Msg>,
    watches: Watches,
    t: Timing,
    pending: Option<Pending>,
    /// Files modified and not yet closed by their writer, with the time of
    /// their last modification event. A mark expires after twice the cap.
    writers: HashMap<PathBuf, Instant>,
    /// Since when failures have been deferred.
    deferring_since: Option<Instant>,
    next_poll: Option<Instant>,
}

#[derive(Clone, Copy, PartialEq)]
enum Flow {
    Go,
    Stop,
}

/// The background thread: debounce events, check, poll.
pub(super) fn worker(shared: &Shared, watches: Watches, rx: &Receiver<Msg>, t: Timing) {
    Worker {
        shared,
        rx,
        watches,
        t,
        pending: None,
        writers: HashMap::new(),
        deferring_since: None,
        next_poll: t.poll.map(|p| Instant::now() + p),
    }
    .run();
}

impl Worker<'_> {
    fn run(&mut self) {
        const IDLE: Duration = Duration::from_secs(3600);
        loop {
            let now = Instant::now();
            let writing = self.writing(now);
            let wake = match &self.pending {
                Some(p) => p.due(self.t, writing),
                None => self.next_poll.unwrap_or(now + IDLE),
            };
            match self.rx.recv_timeout(wake.saturating_duration_since(now)) {
                // Take every event already queued, so the state of the
                // writers is the latest known before deciding to read.
                Ok(msg) => {
                    if self.drain(Some(msg)) == Flow::Stop {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            let now = Instant::now();
            let writing = self.writing(now);
            let due = match &self.pending {
                Some(p) => now >= p.due(self.t, writing),
                None => self.next_poll.is_some_and(|at| now >= at),
            };
            if due && self.check() == Flow::Stop {
                return;
            }
        }
    }

    fn check(&mut self) -> Flow {
        self.pending = None;
        let watch_error = self.watches.ensure();
        lock(&self.shared.status).watch_error = watch_error;
        let shared = self.shared;
        let mut flow = Flow::Go;
        let checked = shared.check(&mut |settled| {
            if self
                .deferring_since
                .is_some_and(|since| since.elapsed() >= MAX_DEFERRAL)
            {
                return false;
            }
            // Events that came during the check mean the files are
            // changing now: another check is due anyway.
            flow = self.drain(None);
            !settled
                || self.pending.is_some()
                || self.writing(Instant::now())
                || modified_within(&shared.path, shared.is_dir, self.t.max_delay)
        });
        if flow == Flow::Stop {
            return Flow::Stop;
        }
        if checked.is_some() {
            self.deferring_since = None;
        } else {
            // Probably half-written: look again once the files are quiet
            // (or at the next cap).
            self.deferring_since.get_or_insert_with(Instant::now);
            self.pending
                .get_or_insert_with(|| Pending::new(Instant::now()));
        }
        self.next_poll = self.t.poll.map(|p| Instant::now() + p);
        Flow::Go
    }

    /// Whether a writer has a file open, as far as events tell.
    fn writing(&mut self, now: Instant) -> bool {
        let expiry = self.t.max_delay.saturating_mul(2);
        self.writers
            .retain(|_, at| now.saturating_duration_since(*at) < expiry);
        !self.writers.is_empty()
    }

    /// Takes `first` and every message already queued (up to a batch).
    fn drain(&mut self, first: Option<Msg>) -> Flow {
        /// Messages taken in one go before looking at the clock again.
        const BATCH: usize = 4096;
        let mut next = first.or_else(|| self.rx.try_recv().ok());
        let mut taken = 0;
        while let Some(msg) = next.take() {
            if self.absorb(msg) == Flow::Stop {
                return Flow::Stop;
            }
            taken += 1;
            if taken < BATCH {
                next = self.rx.try_recv().ok();
            }
        }
        Flow::Go
    }

    /// Takes one message into the pending events and the writers.
    fn absorb(&mut self, msg: Msg) -> Flow {
        let now = Instant::now();
        match msg {
            Msg::Stop => return Flow::Stop,
            Msg::Reload => {
                self.pending.get_or_insert_with(|| Pending::new(now)).now = true;
            }
            Msg::Fs(Ok(event)) => {
                if self.watches.relevant(&event) {
                    self.pending.get_or_insert_with(|| Pending::new(now)).last = now;
                    self.note_writers(&event, now);
                }
            }
            Msg::Fs(Err(e)) => {
                lock(&self.shared.status).watch_error = Some(format!("file events: {e}"));
                self.pending.get_or_insert_with(|| Pending::new(now)).last = now;
            }
        }
        Flow::Go
    }

    fn note_writers(&mut self, event: &Event, now: Instant) {
        match event.kind {
            EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => {
                for p in &event.paths {
                    if self.writers.len() < MAX_WRITERS || self.writers.contains_key(p) {
                        self.writers.insert(p.clone(), now);
                    }
                }
            }
            EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Name(_)) => {
                for p in &event.paths {
                    self.writers.remove(p);
                }
            }
            _ => {}
        }
    }
}

/// Whether the target file, or the folder or one of its `.route` files,
/// was modified less than `within` ago (or in the future).
fn modified_within(target: &Path, is_dir: bool, within: Duration) -> bool {
    let now = SystemTime::now();
    let recent = |meta: &fs::Metadata| {
        meta.modified()
            .is_ok_and(|m| now.duration_since(m).map_or(true, |age| age < within))
    };
    let Ok(meta) = fs::metadata(target) else {
        return false;
    };
    if recent(&meta) {
        return true;
    }
    if !is_dir {
        return false;
    }
    let Ok(entries) = fs::read_dir(target) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        switchyard_syntax::is_ruleset_file(&p) && fs::metadata(&p).is_ok_and(|m| recent(&m))
    })
}
