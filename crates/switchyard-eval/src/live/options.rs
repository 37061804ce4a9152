//! [`ReloadOptions`]: how a [`LiveRuleset`] loads and watches.
//!
//! [`LiveRuleset`]: super::LiveRuleset

use std::fmt;
use std::time::Duration;

use crate::LoadOptions;

use super::ReloadEvent;

pub(super) type Callback = Box<dyn Fn(&ReloadEvent) + Send + Sync>;

/// How a [`LiveRuleset`] loads and watches. Built with chained setters:
///
/// ```
/// use std::time::Duration;
/// use switchyard_eval::ReloadOptions;
/// let options = ReloadOptions::new()
///     .debounce(Duration::from_millis(100))
///     .poll_interval(Some(Duration::from_secs(2)))
///     .on_reload(|event| eprintln!("{event:?}"));
/// # let _ = options;
/// ```
///
/// [`LiveRuleset`]: super::LiveRuleset
pub struct ReloadOptions {
    pub(super) load: LoadOptions,
    pub(super) debounce: Duration,
    pub(super) max_delay: Duration,
    pub(super) poll_interval: Option<Duration>,
    pub(super) file_events: bool,
    pub(super) callback: Option<Callback>,
}

impl ReloadOptions {
    /// The defaults: default [`LoadOptions`] (so no condition analysis),
    /// 50 ms debounce, 300 ms at most, a check every second, file events
    /// on, no callback.
    pub fn new() -> Self {
        ReloadOptions {
            load: LoadOptions::default(),
            debounce: Duration::from_millis(50),
            max_delay: Duration::from_millis(300),
            poll_interval: Some(Duration::from_secs(1)),
            file_events: true,
            callback: None,
        }
    }

    /// How the initial load and every reload parse, check and compile:
    /// the parser's limits, a model catalog (needed by rulesets that use
    /// `require` or `cheapest`), whether to run the condition analysis,
    /// the index policy.
    pub fn load_options(mut self, options: LoadOptions) -> Self {
        self.load = options;
        self
    }

    /// How long events must be quiet before a check (default 50 ms).
    pub fn debounce(mut self, quiet: Duration) -> Self {
        self.debounce = quiet;
        self
    }

    /// The longest a check waits after the first event of a burst, however
    /// long the burst goes on (default 300 ms; never less than the
    /// debounce). Twice that while a writer has a modified file open.
    pub fn max_delay(mut self, max: Duration) -> Self {
        self.max_delay = max;
        self
    }

    /// How often to check without any event, as a safety net for missed
    /// events (default every second; `None`: only on events).
    pub fn poll_interval(mut self, every: Option<Duration>) -> Self {
        self.poll_interval = every;
        self
    }

    /// Whether to watch file events with `notify` (default true). Without
    /// them only the periodic check and [`LiveRuleset::reload_now`] reload,
    /// which suits file systems without change notification.
    ///
    /// [`LiveRuleset::reload_now`]: super::LiveRuleset::reload_now
    pub fn file_events(mut self, on: bool) -> Self {
        self.file_events = on;
        self
    }

    /// Called with every [`ReloadEvent`], including the initial load (before
    /// [`LiveRuleset::watch`] returns). See the module documentation for
    /// the thread it runs on.
    ///
    /// [`LiveRuleset::watch`]: super::LiveRuleset::watch
    pub fn on_reload(mut self, callback: impl Fn(&ReloadEvent) + Send + Sync + 'static) -> Self {
        self.callback = Some(Box::new(callback));
        self
    }
}

impl Default for ReloadOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ReloadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReloadOptions")
            .field("load", &self.load)
            .field("debounce", &self.debounce)
            .field("max_delay", &self.max_delay)
            .field("poll_interval", &self.poll_interval)
            .field("file_events", &self.file_events)
            .field("callback", &self.callback.is_some())
            .finish()
    }
}
