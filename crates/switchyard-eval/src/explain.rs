//! `explain`: for every rule tried, whether it matched and, if not, the
//! first test that was false, with the context's value for it. Explanations
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
            match self.first_failure(&rule.cond, ctx, false, None) {
                None => {
                    rules.push(RuleTrace {
                        rule: rule.name.clone(),
                        matched: true,
                        failed: None,
                    });
                    let decision = self.decision_for(i, ctx).map(|d| d.to_json());
                    return Ok(Explanation { rules, decision });
                }
                Some(failed) => rules.push(RuleTrace {
                    rule: rule.name.clone(),
                    matched: false,
                    failed: Some(failed),
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

    /// The first test that makes `cond` false (`negated`: that makes it
    /// true, under a `not`); `None` when `cond` is true (false).
    fn first_failure(
        &self,
        cond: &Cond,
        ctx: &Context<'_>,
        negated: bool,
        via: Option<&str>,
    ) -> Option<FailedTest> {
        if self.holds(cond, ctx) != negated {
            return None;
        }
        match cond {
            Cond::True | Cond::False => Some(FailedTest {
                test: if negated { "not true" } else { "false" }.into(),
                values: Vec::new(),
                span: None,
                via_let: via.map(str::to_string),
            }),
            Cond::Atom(a) => Some(self.failed_atom(a, ctx, negated, via)),
            Cond::Not(c) => self.first_failure(c, ctx, !negated, via),
            // A false `and` (or a true one under `not`, where every part
            // counts): the first part that is false (true).
            Cond::And(cs) | Cond::Or(cs) => cs
                .iter()
                .find_map(|c| self.first_failure(c, ctx, negated, via)),
            Cond::Let(l) => {
                let l = self.ruleset.let_(*l)?;
                self.first_failure(&l.cond, ctx, negated, Some(&l.name))
            }
        }
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
