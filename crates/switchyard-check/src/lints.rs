//! Cheap warnings over the whole ruleset: W105 (never used) and W106 (no
//! `max_tokens`). W103, W107 and W108 are found where targets are resolved.

use crate::checker::Checker;
use crate::error::{CheckWarning, NameKind};
use crate::ir::{Options, Rule, Target};

impl Checker<'_> {
    /// W105 for fields, lets, models and targets nothing refers to (tests do
    /// not count as uses; repeated declarations are already E006).
    pub(crate) fn lint_unused(&mut self) {
        let mut unused = Vec::new();
        for (f, used) in self.fields.iter().zip(&self.field_used) {
            if !used {
                unused.push((f.name_span, NameKind::Field, f.name.clone()));
            }
        }
        for (l, used) in self.lets.iter().zip(&self.let_used) {
            if !used && !l.duplicate {
                unused.push((l.node.name.span, NameKind::Let, l.node.name.node.clone()));
            }
        }
        for (m, used) in self.models.iter().zip(&self.model_used) {
            if !used && !m.duplicate {
                unused.push((m.node.name_span, NameKind::Model, m.node.name.clone()));
            }
        }
        for (t, used) in self.targets.iter().zip(&self.target_used) {
            if !used && !t.duplicate {
                unused.push((t.node.name.span, NameKind::Target, t.node.name.node.clone()));
            }
        }
        for (span, kind, name) in unused {
            self.warn(CheckWarning::Unused { span, kind, name });
        }
    }

    /// W106 for every target a rule can route to that has no `max_tokens`
    /// when the defaults have none either.
    pub(crate) fn lint_max_tokens(&mut self, rules: &[Rule], defaults: &Options) {
        if defaults.max_tokens.is_some() {
            return;
        }
        let mut missing = Vec::new();
        for rule in rules {
            match &rule.target {
                Target::Split(split) => {
                    for arm in &split.arms {
                        if lacks_max_tokens(&arm.target) {
                            missing.push((arm.span, rule.name.clone(), Some(arm.name.clone())));
                        }
                    }
                }
                other => {
                    if lacks_max_tokens(other) {
                        missing.push((other.span(), rule.name.clone(), None));
                    }
                }
            }
        }
        for (span, rule, arm) in missing {
            self.warn(CheckWarning::NoMaxTokens { span, rule, arm });
        }
    }
}

fn lacks_max_tokens(t: &Target) -> bool {
    match t {
        Target::Chain(c) => c.options.max_tokens.is_none(),
        Target::Cheapest(c) => c.options.max_tokens.is_none(),
        Target::Split(s) => s.arms.iter().any(|a| lacks_max_tokens(&a.target)),
    }
}
