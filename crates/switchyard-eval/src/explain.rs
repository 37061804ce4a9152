//! `explain`: for every rule tried, whether it matched and, if not, the
//! tests that were false (the first, and the other alternatives of a false
//! `or`), with the context's values for them. Explanations
//! are for people and logs; they allocate, unlike `decide`.

use serde::Serialize;
use switchyard_check::ir::{Atom, AtomKind, Cond, Operand, Subject, Type};
use switchyard_syntax::Span;

use crate::context::Context;
use crate::env::{self, Scalar};
use crate::error::DecideError;
use crate::CompiledTable;

/// Why each rule did or did not match.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// The rules tried, in order, up to and including the one that matched.
    pub rules: Vec<RuleTrace>,
    /// The decision's JSON, or `None` when no rule matched.
    pub decision: Option<serde_json::Value>,
}

/// One rule's outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleTrace {
    /// The rule's name.
    pub rule: String,
    /// Whether its condition held.
    pub matched: bool,
    /// For a rule that did not match: the first test that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<FailedTest>,
    /// The other tests that failed with it, when one alone does not explain
    /// the rule: the other alternatives of a false `or` (in `a and (b or
    /// c)` with `a` true, `c` as well as `b`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_failed: Vec<FailedTest>,
}

/// A test that did not hold.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailedTest {
    /// The test as written, e.g. `tier == "pro"`; prefixed with `not ` when
    /// the test held but was negated.
    pub test: String,
    /// The context's values it read, e.g. `tier = "free"` or `user is unset`.
    pub values: Vec<String>,
    /// Where the test is written.
    #[serde(skip)]
    pub span: Option<Span>,
    /// The `let` the test is in, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_let: Option<String>,
}

impl CompiledTable {
    /// Explains the decision for `ctx`.
    pub fn explain(&self, ctx: &Context<'_>) -> Result<Explanation, DecideError> {
        if ctx.table.id != self.id {
            return Err(DecideError::ForeignContext);
        }
        let mut rules = Vec::new();
        for (i, rule) in self.ruleset.rules.iter().enumerate() {
            let mut failures = self.failures(&rule.cond, ctx, false, None).into_iter();
            match failures.next() {
                None => {
                    rules.push(RuleTrace {
                        rule: rule.name.clone(),
                        matched: true,
                        failed: None,
                        also_failed: Vec::new(),
                    });
                    let decision = self.decision_for(i, ctx).map(|d| d.to_json());
                    return Ok(Explanation { rules, decision });
                }
                Some(failed) => rules.push(RuleTrace {
                    rule: rule.name.clone(),
                    matched: false,
                    failed: Some(failed),
                    also_failed: failures.collect(),
                }),
            }
        }
        Ok(Explanation {
            rules,
            decision: None,
        })
    }

    /// Whether `cond` holds, rule by rule, without index or memo.
    pub(crate) fn holds(&self, cond: &Cond, ctx: &Context<'_>) -> bool {
        match cond {
            Cond::True => true,
            Cond::False => false,
            Cond::Atom(a) => env::eval(&a.kind, ctx),
            Cond::Not(c) => !self.holds(c, ctx),
            Cond::And(cs) => cs.iter().all(|c| self.holds(c, ctx)),
            Cond::Or(cs) => cs.iter().any(|c| self.holds(c, ctx)),
            Cond::Let(l) => self
                .ruleset
                .let_(*l)
                .is_some_and(|l| self.holds(&l.cond, ctx)),
        }
    }

    /// The tests that make `cond` false (`negated`: that make it true,
    /// under a `not`); empty when `cond` is true (false). A false `and`
    /// needs one false part, its first; a false `or` needs every part
    /// false, so all of them are given.
    fn failures(
        &self,
        cond: &Cond,
        ctx: &Context<'_>,
        negated: bool,
        via: Option<&str>,
    ) -> Vec<FailedTest> {
        if self.holds(cond, ctx) != negated {
            return Vec::new();
        }
        match cond {
            Cond::True | Cond::False => vec![FailedTest {
                test: if negated { "not true" } else { "false" }.into(),
                values: Vec::new(),
                span: None,
                via_let: via.map(str::to_string),
            }],
            Cond::Atom(a) => vec![self.failed_atom(a, ctx, negated, via)],
            Cond::Not(c) => self.failures(c, ctx, !negated, via),
            // One part decides: the first that is false (true under `not`).
            Cond::And(cs) if !negated => self.first_part(cs, ctx, negated, via),
            Cond::Or(cs) if negated => self.first_part(cs, ctx, negated, via),
            // Every part had to be false (true under `not`).
            Cond::And(cs) | Cond::Or(cs) => cs
                .iter()
                .flat_map(|c| self.failures(c, ctx, negated, via))
                .collect(),
            Cond::Let(l) => match self.ruleset.let_(*l) {
                Some(l) => self.failures(&l.cond, ctx, negated, Some(&l.name)),
                None => Vec::new(),
            },
        }
    }

    /// The failures of the first of `parts` that has some.
    fn first_part(
        &self,
        parts: &[Cond],
        ctx: &Context<'_>,
        negated: bool,
        via: Option<&str>,
    ) -> Vec<FailedTest> {
        parts
            .iter()
            .map(|c| self.failures(c, ctx, negated, via))
            .find(|f| !f.is_empty())
            .unwrap_or_default()
    }

    fn failed_atom(
        &self,
        a: &Atom,
        ctx: &Context<'_>,
        negated: bool,
        via: Option<&str>,
    ) -> FailedTest {
        let text = self.sources.snippet(a.span);
        FailedTest {
            test: if negated {
                format!("not {text}")
            } else {
                text.to_string()
            },
            values: subjects(&a.kind)
                .into_iter()
                .map(|s| self.describe(s, ctx))
                .collect(),
            span: Some(a.span),
            via_let: via.map(str::to_string),
        }
    }

    /// `tier = "free"`, `user is unset`, `words(prompt) = 12`.
    fn describe(&self, s: Subject, ctx: &Context<'_>) -> String {
        let name = match s {
            Subject::Field(f) => self.field_name(f),
            Subject::Words(f) => format!("words({})", self.field_name(f)),
            Subject::Len(f) => format!("len({})", self.field_name(f)),
            Subject::Hour => "hour".into(),
            Subject::Weekday => "weekday".into(),
        };
        match env::read(ctx, s) {
            None => format!("{name} is unset"),
            Some(Scalar::Bool(b)) => format!("{name} = {b}"),
            Some(Scalar::Int(i)) => format!("{name} = {i}"),
            Some(Scalar::Float(x)) => format!("{name} = {x:?}"),
            Some(Scalar::Str(v)) => {
                let short: String = v.chars().take(60).collect();
                let more = if short.len() < v.len() { "…" } else { "" };
                format!("{name} = {:?}", format!("{short}{more}"))
            }
            Some(Scalar::Enum(e)) => {
                let ty = match s {
                    Subject::Weekday => Some(Type::weekday()),
                    _ => s
                        .field()
                        .and_then(|f| self.schema_field(f))
                        .map(|f| f.ty.clone()),
                };
                match ty {
                    Some(Type::Enum(values)) => {
                        format!(
                            "{name} = {:?}",
                            values.get(e as usize).map_or("?", String::as_str)
                        )
                    }
                    _ => format!("{name} = #{e}"),
                }
            }
        }
    }

    fn field_name(&self, f: switchyard_check::ir::FieldId) -> String {
        self.schema_field(f)
            .map_or_else(|| "?".into(), |f| f.name.clone())
    }

    /// Rule-by-rule interpretation of the checked conditions, without the
    /// index or the memo: the baseline the compiled table is measured
    /// against. Same answers as [`CompiledTable::decide`], slower.
    pub fn decide_naive(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::Decision<'_>>, DecideError> {
        if ctx.table.id != self.id {
            return Err(DecideError::ForeignContext);
        }
        Ok(self
            .ruleset
            .rules
            .iter()
            .position(|r| self.holds(&r.cond, ctx))
            .and_then(|i| self.decision_for(i, ctx)))
    }
}

/// The subjects an atom reads.
fn subjects(kind: &AtomKind) -> Vec<Subject> {
    match kind {
        AtomKind::Flag(f) | AtomKind::Has(f) => vec![Subject::Field(*f)],
        AtomKind::Compare { lhs, rhs, .. } => match rhs {
            Operand::Subject(s) => vec![*lhs, *s],
            Operand::Value(_) => vec![*lhs],
        },
        AtomKind::In { lhs, .. }
        | AtomKind::Range { lhs, .. }
        | AtomKind::Matches { lhs, .. }
        | AtomKind::Str { lhs, .. } => vec![*lhs],
    }
}
