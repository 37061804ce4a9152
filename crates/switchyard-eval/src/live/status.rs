//! What a [`LiveRuleset`] reports: its [`ReloadStatus`], the [`ReloadEvent`]s
//! of its callback, the [`ReloadOutcome`] of a reload asked for, and the
//! [`ReloadFailure`] of a reload that failed.
//!
//! [`LiveRuleset`]: super::LiveRuleset

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use switchyard_syntax::{Diagnostic, SourceMap};

use crate::{CompiledTable, RulesetError, RulesetInfo};

/// What a reload did, as reported to the [`ReloadOptions::on_reload`]
/// callback.
///
/// [`ReloadOptions::on_reload`]: super::ReloadOptions::on_reload
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ReloadEvent {
    /// A new table is being served (also sent for the initial load).
    Loaded {
        /// Its generation: 1 for the initial load, one more per new table.
        generation: u64,
        /// The table now served.
        table: Arc<CompiledTable>,
        /// Its warnings; render them against `table.sources()`.
        warnings: Arc<[Diagnostic]>,
    },
    /// A reload failed; the previous table keeps serving.
    Failed {
        /// Why, with the diagnostics and the sources to render them.
        failure: Arc<ReloadFailure>,
    },
    /// After a failure, the files are back to the sources of the table
    /// being served (an invalid edit was undone); the error is cleared.
    Recovered {
        /// The generation being served.
        generation: u64,
    },
}

/// What [`LiveRuleset::reload_now`] did.
///
/// [`LiveRuleset::reload_now`]: super::LiveRuleset::reload_now
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReloadOutcome {
    /// A new table is being served.
    Loaded {
        /// Its generation.
        generation: u64,
    },
    /// The files are those of the table being served.
    Unchanged {
        /// The generation being served.
        generation: u64,
    },
    /// Called from inside the reload callback: the reload is queued for the
    /// background thread.
    Queued,
}

/// A reload that failed. The table that was being served stays.
#[derive(Debug)]
pub struct ReloadFailure {
    pub(super) cause: Cause,
    pub(super) at: SystemTime,
    pub(super) generation: u64,
}

#[derive(Debug)]
pub(super) enum Cause {
    Ruleset(RulesetError),
    Panic(String),
}

impl ReloadFailure {
    /// When the failure was first seen.
    pub fn at(&self) -> SystemTime {
        self.at
    }

    /// The generation that kept serving.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The error from reading or compiling, unless the compiler panicked.
    pub fn ruleset_error(&self) -> Option<&RulesetError> {
        match &self.cause {
            Cause::Ruleset(e) => Some(e),
            Cause::Panic(_) => None,
        }
    }

    /// The diagnostics of an invalid ruleset (empty for a read failure).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match &self.cause {
            Cause::Ruleset(RulesetError::Invalid { diagnostics, .. }) => diagnostics,
            _ => &[],
        }
    }

    /// The sources the diagnostics point into (for an invalid ruleset).
    pub fn sources(&self) -> Option<&SourceMap> {
        match &self.cause {
            Cause::Ruleset(RulesetError::Invalid { sources, .. }) => Some(sources),
            _ => None,
        }
    }

    /// One line per diagnostic, `file:line:column: severity[code]: message`
    /// with the help text after ` help: ` (or the read error), for logs.
    pub fn render(&self) -> String {
        let (Some(sources), false) = (self.sources(), self.diagnostics().is_empty()) else {
            return self.to_string();
        };
        let mut out = String::new();
        for d in self.diagnostics() {
            if !out.is_empty() {
                out.push('\n');
            }
            match sources.locate(d.span) {
                Some((file, start, _)) => {
                    out.push_str(&format!("{file}:{}:{}: ", start.line, start.column));
                }
                None => out.push_str("<unknown>: "),
            }
            out.push_str(&format!("{}[{}]: {}", d.severity(), d.code, d.message));
            if let Some(help) = &d.help {
                out.push_str(&format!(" help: {help}"));
            }
        }
        out
    }

    /// Whether this is the same read failure as `e` (same message).
    pub(super) fn same_read_error(&self, e: &RulesetError) -> bool {
        matches!(&self.cause, Cause::Ruleset(mine @ RulesetError::Read(_))
            if matches!(e, RulesetError::Read(_)) && mine.to_string() == e.to_string())
    }
}

impl fmt::Display for ReloadFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Cause::Ruleset(e) => write!(f, "{e}"),
            Cause::Panic(msg) => write!(f, "the compiler panicked: {msg}"),
        }
    }
}

impl std::error::Error for ReloadFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.cause {
            Cause::Ruleset(e) => Some(e),
            Cause::Panic(_) => None,
        }
    }
}

/// The state of a [`LiveRuleset`], from [`LiveRuleset::status`].
///
/// [`LiveRuleset`]: super::LiveRuleset
/// [`LiveRuleset::status`]: super::LiveRuleset::status
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReloadStatus {
    /// The generation being served: 1 for the initial load, one more per
    /// new table.
    pub generation: u64,
    /// The version label and digest of the table being served.
    pub info: RulesetInfo,
    /// The warnings of the table being served.
    pub warnings: Arc<[Diagnostic]>,
    /// When the table being served was loaded.
    pub last_good_load: SystemTime,
    /// When the files were last read (by an event, the periodic check or
    /// `reload_now`).
    pub last_check: SystemTime,
    /// The failure of the latest reload, if it failed; cleared by the next
    /// reload that succeeds.
    pub last_error: Option<Arc<ReloadFailure>>,
    /// How many failures have been reported (each distinct failure once).
    pub failed_reloads: u64,
    /// Why file events are not (fully) watched, if they are not: the
    /// periodic check still runs.
    pub watch_error: Option<String>,
}
