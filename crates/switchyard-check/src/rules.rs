//! Rules (conditions, targets, priorities: E007), `defaults` and tests.

use std::collections::{HashMap, HashSet};

use switchyard_syntax::ast::{Guard, RuleDecl};
use switchyard_syntax::{nearest, Span, Spanned};

use crate::checker::Checker;
use crate::error::{CheckError, NameKind};
use crate::ir::{Cond, Options, Rule, Test};
use crate::options::Given;

/// Where a rule is pointed at: its name, else the whole (bare) rule.
fn rule_anchor(r: &RuleDecl, span: Span) -> Span {
    r.name.as_ref().map_or(span, |n| n.span)
}

impl<'a> Checker<'a> {
    /// All `defaults` statements merged (an option given in two of them is
    /// E012, as within one target).
    pub(crate) fn check_defaults(&mut self) -> Options {
        let statements = std::mem::take(&mut self.defaults);
        let mut out = Options::default();
        let mut given = Given::default();
        for options in &statements {
            self.options_into(options, &mut out, &mut given);
        }
        self.defaults = statements;
        out
    }

    /// Types every rule and sorts them by priority when priorities are used.
    pub(crate) fn check_rules(&mut self) -> Vec<Rule> {
        let decls: Vec<(&RuleDecl, Span)> = self.rules.iter().map(|d| (d.node, d.span)).collect();
        let mut out = Vec::with_capacity(decls.len());
        for (k, &(r, span)) in decls.iter().enumerate() {
            let position = u32::try_from(k + 1).unwrap_or(u32::MAX);
            let (name, named, name_span) = match &r.name {
                Some(n) => (n.node.clone(), true, n.span),
                None => (format!("#{position}"), false, span),
            };
            let (cond, otherwise) = match &r.guard {
                Guard::When(c) => (self.cond(c), false),
                Guard::Otherwise(_) => (Cond::True, true),
            };
            if let Some(target) = self.target(&r.target, false) {
                out.push(Rule {
                    name,
                    named,
                    position,
                    priority: r.priority.as_ref().map(|p| p.node),
                    cond,
                    otherwise,
                    target,
                    span,
                    name_span,
                });
            }
        }
        if let Some(&(first, first_span)) = decls.first() {
            let first_has = first.priority.is_some();
            let differing = decls
                .iter()
                .enumerate()
                .find(|(_, (r, _))| r.priority.is_some() != first_has);
            if let Some((k, &(other, other_span))) = differing {
                let name = |r: &RuleDecl, k: usize| match &r.name {
                    Some(n) => n.node.clone(),
                    None => format!("#{k}"),
                };
                self.error(CheckError::MixedPriority {
                    span: other
                        .priority
                        .as_ref()
                        .map_or_else(|| rule_anchor(other, other_span), |p| p.span),
                    rule: name(other, k + 1),
                    has_priority: !first_has,
                    first_rule: name(first, 1),
                    first: rule_anchor(first, first_span),
                });
            } else if first_has {
                out.sort_by_key(|r| r.priority);
            }
        }
        out
    }

    /// E023: a test's `arm` must be an arm of its rule's split.
    fn check_test_arm(&mut self, arm: &Spanned<String>, rule: &Rule) {
        let arms: Vec<&str> = match &rule.target {
            crate::ir::Target::Split(s) => s.arms.iter().map(|a| a.name.as_str()).collect(),
            _ => Vec::new(),
        };
        if arms.contains(&arm.node.as_str()) {
            return;
        }
        self.error(CheckError::UnknownTestArm {
            span: arm.span,
            arm: arm.node.clone(),
            rule: rule.name.clone(),
            suggestion: nearest(&arm.node, arms.iter().copied()).map(String::from),
            arms: arms.iter().map(|a| (*a).to_string()).collect(),
        });
    }

    /// Types every test's context and finds its rule.
    pub(crate) fn check_tests(&mut self, rules: &[Rule]) -> Vec<Test> {
        let decls: Vec<&'a RuleDecl> = self.rules.iter().map(|d| d.node).collect();
        let rule_names: HashSet<&'a str> = decls
            .iter()
            .filter_map(|r| r.name.as_ref().map(|n| n.node.as_str()))
            .collect();
        let rule_index: HashMap<&str, usize> = rules
            .iter()
            .enumerate()
            .rev()
            .map(|(i, r)| (r.name.as_str(), i))
            .collect();
        let decls: Vec<_> = self.tests.iter().map(|d| (d.node, d.span)).collect();
        let mut out = Vec::with_capacity(decls.len());
        for (t, span) in decls {
            let mut seen: HashMap<&str, Span> = HashMap::new();
            let mut context = Vec::with_capacity(t.context.node.len());
            for (name, value) in &t.context.node {
                if self.duplicate_in(&mut seen, name, NameKind::TestField) {
                    continue;
                }
                let Some(id) = self.lookup_field(name, false) else {
                    continue;
                };
                let ty = self.field_type(id);
                if let Some(v) = self.literal(&ty, value, &name.node, false) {
                    context.push((id, v));
                }
            }
            if !rule_names.contains(t.rule.node.as_str()) {
                let mut names: Vec<&str> = rule_names.iter().copied().collect();
                names.sort_unstable();
                let suggestion = nearest(&t.rule.node, names).map(String::from);
                self.error(CheckError::UnknownRule {
                    span: t.rule.span,
                    name: t.rule.node.clone(),
                    suggestion,
                });
            }
            let index = rule_index.get(t.rule.node.as_str()).copied();
            if let (Some(arm), Some(rule)) = (&t.arm, index.and_then(|i| rules.get(i))) {
                self.check_test_arm(arm, rule);
            }
            out.push(Test {
                name: t.name.node.clone(),
                context,
                rule: t.rule.node.clone(),
                rule_index: index.unwrap_or(0),
                arm: t.arm.as_ref().map(|a| a.node.clone()),
                model: t.model.as_ref().map(|m| m.node.clone()),
                fallbacks: t
                    .fallbacks
                    .as_ref()
                    .map(|f| f.iter().map(|id| id.node.clone()).collect()),
                span,
            });
        }
        out
    }
}
