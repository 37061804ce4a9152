//! Checking of switchyard rulesets. BEING WRITTEN by the checker helper.

use switchyard_syntax::ast::RuleFile;
use switchyard_syntax::Diagnostic;

/// A checked ruleset (placeholder until the checker lands).
#[derive(Clone, Debug)]
pub struct Ruleset;

/// The result of checking.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The ruleset, when there were no errors.
    pub ruleset: Option<Ruleset>,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks parsed files.
pub fn check(_files: &[RuleFile]) -> Checked {
    Checked { ruleset: Some(Ruleset), diagnostics: Vec::new() }
}
