//! Checking of switchyard rulesets: name resolution and type checking, from
//! parsed files to a checked [`Ruleset`] plus diagnostics.
//!
//! ```
//! use switchyard_syntax::{parse, FileId, Limits};
//! let file = parse("rule default: otherwise -> \"openai/gpt-4o-mini\" max_tokens 256",
//!     FileId(0), &Limits::default())?;
//! let checked = switchyard_check::check(&[file]);
//! assert!(checked.ruleset.is_some());
//! # Ok::<(), switchyard_syntax::ParseErrors>(())
//! ```
//!
//! This is one stage of loading: hosts and the CLI parse, check and
//! compile through `switchyard_eval` (`check` and `CompiledTable::load`),
//! with one set of options.
//!
//! # Choices a user of the IR should know
//!
//! - Enum values (and `weekday`'s, see [`ir::WEEKDAYS`]) are
//!   [`ir::Value::Enum`] indexes into the enum's list. A number compared
//!   with a numeric subject keeps the kind it is written in (an int literal
//!   against a `float` field stays [`ir::Value::Int`], a float literal
//!   against an `int` one [`ir::Value::Float`]); [`semantics`] compares
//!   them exactly. Defaults and test values of `float` fields are floats.
//! - [`semantics`] is what an atom means on a context: the evaluator and
//!   the condition analysis both use it.
//! - Lets stay references ([`ir::Cond::Let`]); [`Ruleset::lets`] is in
//!   dependency order, so a let only refers to lets before it.
//! - Rules are in evaluation order: ruleset order, or stable-sorted by
//!   priority when every rule has one. Unnamed rules are `#K`, K the 1-based
//!   position in the ruleset ([`ir::Rule::position`]).
//! - Targets are expanded: aliases become full ids with the `:variant`
//!   appended; a `target` name becomes the declared target with the use
//!   site's options laid over it by [`ir::Options::overlay`] (scalars
//!   replaced, `provider`/`params` merged key by key, tags and requirements
//!   accumulated). A target's options are *not* merged with the defaults:
//!   use [`Ruleset::effective_options`].
//! - Target names may refer to other targets (a cycle is E011, like lets).
//!   A target name may head a chain (with options) or a split arm (unless it
//!   is itself a split: E003). Used with `:variant`, with `fallback [...]`,
//!   or inside a `fallback`/`cheapest` list it is E003 ("a target, not a
//!   model").
//! - A bare unknown name in a condition is E005 when the nearest name is a
//!   `let`, else E002. A field and a `let` of the same name is E006 (both
//!   would be a bare condition), like a model and a target of the same name.
//! - `max_tokens` outside 1..=u32::MAX is E012. Split keys may not be floats
//!   (E003). `fits(F)`/`cost(F)` need an int field.
//! - Text tests (`matches`, `contains`, ..., `words`, `len`) take `string`
//!   fields only, not enums.
//! - `!=`, `not in [...]` and `not in a..b` stay single atoms (not
//!   [`ir::Cond::Not`]): like every comparison they are false on an unset
//!   field (docs/reference/context.md).
//! - `:variant` suffixes are checked on aliases and on quoted ids alike
//!   (E005, the span on the suffix); adding one to an alias whose id already
//!   has one is E005 too. `:online` gives W107.
//! - Several `defaults` statements merge; an option given in two of them is
//!   E012, as within one target. `tag` and `require` may repeat.
//! - W103/W108 are reported where a chain is written (once per `target`
//!   declaration, not per use).
//! - After a check without errors, the condition analysis ([`analysis`])
//!   adds W101, W102, N201 and E008, when [`CheckOptions::analysis`] asks
//!   (this stage's default; loading skips it unless its options ask); E008
//!   withholds the ruleset like any error. W101 is about conditions: a rule whose earlier rules' models
//!   are all down can still be reached through model health (docs/reference/health.md), which the analysis does not model.

pub mod analysis;
pub mod error;
pub mod ir;
pub mod params;
pub mod provider;
pub mod semantics;

mod catalog_findings;
mod checker;
mod graph;
mod lets;
pub mod levels;
mod lints;
mod names;
mod options;
mod pattern;
mod rules;
mod targets;
mod types;

#[cfg(test)]
mod tests;

pub use error::{
    CheckError, CheckWarning, Deprecation, DirectiveProblem, NameKind, NotProvedReason, RuleOrder,
    SkipReason,
};
pub use ir::Ruleset;
pub use targets::VARIANTS;

use switchyard_syntax::ast::RuleFile;
use switchyard_syntax::{Diagnostic, Severity};

/// Settings of a check.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckOptions {
    /// Size limit of each compiled regex (and of its lazy DFA), in bytes;
    /// a larger regex is E010. Default 1 MiB.
    pub regex_size_limit: usize,
    /// The condition analysis run after a check without errors (W101,
    /// W102, E008, N201; see [`analysis`]); `None` skips it. Default on
    /// here; `switchyard_eval::LoadOptions`, what hosts and the CLI load
    /// with, leaves it off unless asked.
    pub analysis: Option<analysis::AnalysisOptions>,
    /// A model catalog: model ids it lacks are W104. Default none.
    pub catalog: Option<std::sync::Arc<switchyard_catalog::Catalog>>,
    /// The level of each warning a run changes (allowed, kept, denied);
    /// `# switchyard: allow(..)` comments in the files win over it.
    pub levels: levels::Levels,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            regex_size_limit: 1 << 20,
            analysis: Some(analysis::AnalysisOptions::default()),
            catalog: None,
            levels: levels::Levels::new(),
        }
    }
}

/// The result of checking.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The ruleset, when there were no errors (warnings and notes do not
    /// count).
    pub ruleset: Option<Ruleset>,
    /// Errors and warnings, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether some diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity() == Severity::Error)
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Warning)
    }
}

/// Checks the parsed files of one ruleset (in ruleset order).
pub fn check(files: &[RuleFile]) -> Checked {
    check_with(files, &CheckOptions::default())
}

/// [`check`] with settings.
pub fn check_with(files: &[RuleFile], options: &CheckOptions) -> Checked {
    checker::Checker::new(options).run(files)
}
