//! Model health (docs/reference/health.md): a registry the host shares across threads.
//! A model can be marked down for a while, or reported failing so that
//! repeated failures cool it down, like LiteLLM's router (by default three
//! failures within a minute cool a model down for a minute).
//!
//! Writes take a lock and publish an immutable snapshot of the down models;
//! decisions read one atomic counter, and only when some model is down, the
//! snapshot (lock-free, through `arc-swap`).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;

/// A source of monotonic time, injectable for tests.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Time elapsed since some fixed point in the past.
    fn now(&self) -> Duration;
}

/// The real clock (`std::time::Instant`).
#[derive(Debug)]
pub struct SystemClock {
    start: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock {
            start: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
}

/// A clock that moves only when told to (for tests).
///
/// ```
/// use std::time::Duration;
/// use switchyard_eval::{Clock, ManualClock};
/// let clock = ManualClock::default();
/// clock.advance(Duration::from_secs(5));
/// assert_eq!(clock.now(), Duration::from_secs(5));
/// ```
#[derive(Debug, Default)]
pub struct ManualClock {
    nanos: AtomicU64,
}

impl ManualClock {
    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let add = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(add, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}

/// When failures cool a model down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthPolicy {
    /// This many failures ...
    pub failures: u32,
    /// ... within this window ...
    pub window: Duration,
    /// ... mark the model down for this long.
    pub cooldown: Duration,
}

impl Default for HealthPolicy {
    /// LiteLLM's defaults: 3 failures in a minute, 60 s cooldown.
    fn default() -> Self {
        HealthPolicy {
            failures: 3,
            window: Duration::from_secs(60),
            cooldown: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Default)]
struct ModelState {
    /// Times of recent failures, oldest first.
    failures: VecDeque<Duration>,
    down_until: Option<Duration>,
}

/// Which models are down, shared by every table and thread of a host.
///
/// ```
/// use std::time::Duration;
/// use switchyard_eval::{CompiledTable, Health};
/// let (table, _) = CompiledTable::from_source(r#"
///     defaults max_tokens 100
///     rule r: otherwise -> "openai/gpt-4o" fallback ["anthropic/claude-3.5-sonnet"]
/// "#)?;
/// let health = Health::default();
/// health.mark_down("openai/gpt-4o", Duration::from_secs(30));
/// let ctx = table.context().build();
/// let d = table.decide_with_health(&ctx, &health)?.unwrap();
/// assert_eq!(d.model(), "anthropic/claude-3.5-sonnet");
/// assert_eq!(d.fallbacks().count(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Health {
    policy: HealthPolicy,
    clock: Arc<dyn Clock>,
    state: Mutex<HashMap<String, ModelState>>,
    /// Down models and until when; published on every change.
    snapshot: ArcSwap<HashMap<String, Duration>>,
    /// Entries in the snapshot; zero lets decisions skip the snapshot.
    down: AtomicUsize,
}

impl Default for Health {
    fn default() -> Self {
        Health::new(HealthPolicy::default(), Arc::new(SystemClock::default()))
    }
}

impl Health {
    /// A registry with a policy and a clock.
    pub fn new(policy: HealthPolicy, clock: Arc<dyn Clock>) -> Self {
        Health {
            policy,
            clock,
            state: Mutex::new(HashMap::new()),
            snapshot: ArcSwap::from_pointee(HashMap::new()),
            down: AtomicUsize::new(0),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> HealthPolicy {
        self.policy
    }

    /// Marks a model down for `duration` from now (extending, never
    /// shortening, a current cooldown).
    pub fn mark_down(&self, model: &str, duration: Duration) {
        let until = self.clock.now().saturating_add(duration);
        self.update(|state| {
            let s = state.entry(model.to_string()).or_default();
            s.down_until = Some(s.down_until.map_or(until, |u| u.max(until)));
        });
    }

    /// Marks a model up again and forgets its failures.
    pub fn mark_up(&self, model: &str) {
        self.update(|state| {
            state.remove(model);
        });
    }

    /// Records a failed call. When the policy's number of failures falls
    /// within its window, the model is down for the cooldown.
    pub fn report_failure(&self, model: &str) {
        let now = self.clock.now();
        let policy = self.policy;
        self.update(|state| {
            let s = state.entry(model.to_string()).or_default();
            s.failures.push_back(now);
            while s
                .failures
                .front()
                .is_some_and(|&t| now.saturating_sub(t) >= policy.window)
            {
                s.failures.pop_front();
            }
            if s.failures.len() >= policy.failures as usize {
                s.failures.clear();
                let until = now.saturating_add(policy.cooldown);
                s.down_until = Some(s.down_until.map_or(until, |u| u.max(until)));
            }
        });
    }

    /// Records a successful call: earlier failures no longer count towards
    /// a cooldown (a model already cooling down stays down until it ends).
    pub fn report_success(&self, model: &str) {
        if self.down.load(Ordering::Acquire) == 0 {
            // The common case, no model down and none with a failure on
            // record for this one, changes nothing: no new snapshot (a
            // gateway reports every success).
            let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            if state.get(model).is_none_or(|s| s.failures.is_empty()) {
                return;
            }
        }
        self.update(|state| {
            if let Some(s) = state.get_mut(model) {
                s.failures.clear();
            }
        });
    }

    /// Whether a model is down now.
    pub fn is_down(&self, model: &str) -> bool {
        self.view().is_some_and(|v| v.is_down(model))
    }

    /// The models down now, with the time left.
    pub fn down_models(&self) -> Vec<(String, Duration)> {
        let now = self.clock.now();
        let mut out: Vec<(String, Duration)> = self
            .snapshot
            .load()
            .iter()
            .filter(|(_, &until)| until > now)
            .map(|(m, &until)| (m.clone(), until - now))
            .collect();
        out.sort();
        out
    }

    /// What a decision needs: `None` when no model is down (one atomic
    /// load).
    pub(crate) fn view(&self) -> Option<HealthView> {
        if self.down.load(Ordering::Acquire) == 0 {
            return None;
        }
        Some(HealthView {
            snapshot: self.snapshot.load_full(),
            now: self.clock.now(),
        })
    }

    fn update(&self, f: impl FnOnce(&mut HashMap<String, ModelState>)) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut state);
        let now = self.clock.now();
        // Forget what has expired and matters no more.
        state.retain(|_, s| s.down_until.is_some_and(|u| u > now) || !s.failures.is_empty());
        let down: HashMap<String, Duration> = state
            .iter()
            .filter_map(|(m, s)| s.down_until.filter(|&u| u > now).map(|u| (m.clone(), u)))
            .collect();
        self.down.store(down.len(), Ordering::Release);
        self.snapshot.store(Arc::new(down));
    }
}

/// The down models at the time of one decision.
#[derive(Debug)]
pub(crate) struct HealthView {
    snapshot: Arc<HashMap<String, Duration>>,
    now: Duration,
}

impl HealthView {
    pub fn is_down(&self, model: &str) -> bool {
        self.snapshot
            .get(model)
            .is_some_and(|&until| until > self.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health() -> (Health, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::default());
        (Health::new(HealthPolicy::default(), clock.clone()), clock)
    }

    #[test]
    fn three_failures_in_a_window_cool_a_model_down() {
        let (h, clock) = health();
        h.report_failure("m");
        clock.advance(Duration::from_secs(20));
        h.report_failure("m");
        assert!(!h.is_down("m"));
        clock.advance(Duration::from_secs(20));
        h.report_failure("m");
        assert!(h.is_down("m"));
        clock.advance(Duration::from_secs(59));
        assert!(h.is_down("m"));
        clock.advance(Duration::from_secs(2));
        assert!(!h.is_down("m"));
    }

    #[test]
    fn failures_outside_the_window_do_not_count() {
        let (h, clock) = health();
        h.report_failure("m");
        clock.advance(Duration::from_secs(61));
        h.report_failure("m");
        h.report_failure("m");
        assert!(!h.is_down("m"));
        h.report_failure("m");
        assert!(h.is_down("m"));
    }

    #[test]
    fn success_resets_failures_but_not_a_cooldown() {
        let (h, _) = health();
        h.report_failure("m");
        h.report_failure("m");
        h.report_success("m");
        h.report_failure("m");
        assert!(!h.is_down("m"));
        h.mark_down("m", Duration::from_secs(10));
        h.report_success("m");
        assert!(h.is_down("m"));
        h.mark_up("m");
        assert!(!h.is_down("m"));
    }

    #[test]
    fn healthy_registry_costs_one_load() {
        let (h, clock) = health();
        assert!(h.view().is_none());
        h.mark_down("m", Duration::from_secs(1));
        assert!(h.view().is_some());
        assert_eq!(
            h.down_models(),
            vec![("m".to_string(), Duration::from_secs(1))]
        );
        clock.advance(Duration::from_secs(2));
        // Expired, though not yet pruned: the view says "up".
        assert!(!h.is_down("m"));
        h.report_success("other");
        assert!(h.view().is_none());
    }

    #[test]
    fn a_success_with_nothing_on_record_publishes_no_snapshot() {
        let (h, _) = health();
        let before = h.snapshot.load_full();
        h.report_success("m");
        assert!(Arc::ptr_eq(&before, &h.snapshot.load_full()));
        // With a failure on record, the success clears it.
        h.report_failure("m");
        let with_failure = h.snapshot.load_full();
        h.report_success("m");
        assert!(!Arc::ptr_eq(&with_failure, &h.snapshot.load_full()));
        h.report_failure("m");
        h.report_failure("m");
        assert!(!h.is_down("m"), "the success cleared the first failure");
    }
}
