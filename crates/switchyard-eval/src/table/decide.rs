//! Deciding with a [`CompiledTable`]: the first rule that matches (the
//! index narrows the candidates, residuals are evaluated with a memo), and
//! its decision.

use switchyard_check::ir::{FieldId, Subject};

use super::compiled_atom;
use super::{Check, CompiledTable, Node, Route, Step};
use crate::catalog_targets::Order;
use crate::context::{Context, Request, RequestView, Values};
use crate::decision::{Decision, Outcome, RulesetInfo};
use crate::error::DecideError;
use crate::health::{Health, HealthView};
use crate::index::MAX_INDEXED_FIELDS;
use crate::{env, split};

impl CompiledTable {
    /// The first rule (in priority order) whose condition holds, and its
    /// decision; `Ok(None)` when no rule matches.
    ///
    /// Allocates nothing. (The one exception is inside the `regex` crate:
    /// its lazy DFA adds states the first times a `matches` test meets new
    /// kinds of input, then reuses them.)
    #[inline]
    pub fn decide(&self, ctx: &Context<'_>) -> Result<Option<Decision<'_>>, DecideError> {
        self.decide_inner(ctx, None)
    }

    /// Like [`CompiledTable::decide`], skipping models that `health` says
    /// are down (docs/reference/health.md): a down model is replaced by its first
    /// healthy fallback, down fallbacks are dropped, a rule whose every
    /// candidate is down does not match; if no rule is left, the first
    /// matching rule's decision is returned unchanged, marked degraded.
    /// When no model is down this costs one atomic load more than `decide`.
    pub fn decide_with_health(
        &self,
        ctx: &Context<'_>,
        health: &Health,
    ) -> Result<Option<Decision<'_>>, DecideError> {
        self.decide_inner(ctx, health.view().as_ref())
    }

    /// Inlined: with no health (`decide`), only the first-match path and a
    /// call of [`CompiledTable::decide_checked`] are left.
    #[inline(always)]
    fn decide_inner(
        &self,
        ctx: &Context<'_>,
        health: Option<&HealthView>,
    ) -> Result<Option<Decision<'_>>, DecideError> {
        if ctx.table.id != self.id {
            return Err(DecideError::ForeignContext);
        }
        let decision = if health.is_none() && !self.uses_catalog {
            self.first_decision(ctx)
        } else {
            self.decide_checked(ctx, health)
        };
        log_decision(decision.as_ref(), &self.info);
        Ok(decision)
    }

    /// The decision when requirements or health can skip a matching rule:
    /// the first rule that matches, meets its requirements and has a model
    /// up; failing that, the first that meets its requirements, degraded.
    #[inline(never)]
    fn decide_checked(
        &self,
        ctx: &Context<'_>,
        health: Option<&HealthView>,
    ) -> Option<Decision<'_>> {
        let mut first_met: Option<Decision<'_>> = None;
        let mut chosen: Option<Decision<'_>> = None;
        self.first_match(ctx, |i| {
            let Some(mut d) = self.decision_for(i, ctx) else {
                return false;
            };
            if let Some(cat) = &d.outcome.catalog {
                d.skip = cat.fail_mask(ctx);
                if d.outcome.all_skipped(d.skip) {
                    return false;
                }
                d.order = cat.order(ctx);
            }
            if let Some(view) = health {
                let down = d.outcome.down_mask(|m| view.is_down(m));
                if d.outcome.all_skipped(d.skip | down) {
                    first_met.get_or_insert(d);
                    return false;
                }
                d.skip |= down;
            }
            chosen = Some(d);
            true
        });
        let mut decision = chosen.or_else(|| {
            first_met.map(|mut d| {
                d.degraded = true;
                d
            })
        });
        if let Some(d) = &mut decision {
            if let Some(cat) = &d.outcome.catalog {
                d.est_cost = cat.est_cost(d.first_candidate(), ctx);
            }
        }
        decision
    }

    /// The decision of the first rule that matches, when nothing can turn
    /// a matching rule down (no health, no catalog).
    #[inline(always)]
    fn first_decision(&self, values: &impl Values) -> Option<Decision<'_>> {
        self.first_match(values, |_| true)
            .and_then(|r| self.decision_for(r, values))
    }

    /// Index of the first rule that matches and that `accept` takes.
    #[inline]
    fn first_match(
        &self,
        values: &impl Values,
        accept: impl FnMut(usize) -> bool,
    ) -> Option<usize> {
        if self.index.is_empty() {
            return self.first_in_order(values, accept);
        }
        self.first_indexed(values, accept)
    }

    /// [`CompiledTable::first_match`] through the index.
    #[inline(never)]
    fn first_indexed(
        &self,
        values: &impl Values,
        mut accept: impl FnMut(usize) -> bool,
    ) -> Option<usize> {
        let mut memo = Memo::default();
        let index = self.index.get(..MAX_INDEXED_FIELDS).unwrap_or(&self.index);
        let n_rules = self.rules.len();
        if n_rules <= 64 {
            // One word: no row table.
            let mut bits = u64::MAX >> (64 - n_rules.max(1));
            for fi in index {
                bits &= fi.first_word(values.key(fi.field.index()));
            }
            return self.first_in_word(0, bits, values, &mut memo, &mut accept);
        }
        let mut rows: [&[u64]; MAX_INDEXED_FIELDS] = [&[]; MAX_INDEXED_FIELDS];
        for (row, fi) in rows.iter_mut().zip(index) {
            *row = fi.row(values.key(fi.field.index()));
        }
        let rows = &rows[..index.len()];
        for w in 0..n_rules.div_ceil(64) {
            let mut bits = if (w + 1) * 64 <= n_rules {
                u64::MAX
            } else {
                (1u64 << (n_rules % 64)) - 1
            };
            for row in rows {
                if bits == 0 {
                    break;
                }
                bits &= row.get(w).copied().unwrap_or(0);
            }
            if let Some(r) = self.first_in_word(w, bits, values, &mut memo, &mut accept) {
                return Some(r);
            }
        }
        None
    }

    /// [`CompiledTable::first_match`] without an index: every rule is a
    /// candidate, in order (its own function: a small frame).
    #[inline(never)]
    fn first_in_order(
        &self,
        values: &impl Values,
        mut accept: impl FnMut(usize) -> bool,
    ) -> Option<usize> {
        let mut memo = Memo::default();
        // One pass over the steps: a failing step skips to the next rule's.
        let (mut i, mut rule) = (0, 0);
        while let Some(step) = self.steps.get(i) {
            if self.step_holds(step, values, &mut memo) {
                if !step.last {
                    i += 1;
                    continue;
                }
                if accept(rule) {
                    return Some(rule);
                }
            }
            i = step.next as usize;
            rule += 1;
        }
        None
    }

    /// The first rule among the candidates `bits` of word `w` whose residual
    /// holds and that `accept` takes.
    fn first_in_word(
        &self,
        w: usize,
        mut bits: u64,
        values: &impl Values,
        memo: &mut Memo,
        accept: &mut impl FnMut(usize) -> bool,
    ) -> Option<usize> {
        while bits != 0 {
            let r = w * 64 + bits.trailing_zeros() as usize;
            let holds = self.rule_holds(r, values, memo);
            if holds && accept(r) {
                return Some(r);
            }
            bits &= bits - 1;
        }
        None
    }

    /// Whether rule `r`'s residual holds: its steps, in order, until one
    /// fails or the last holds.
    #[inline(always)]
    fn rule_holds(&self, r: usize, values: &impl Values, memo: &mut Memo) -> bool {
        let Some(steps) = self
            .starts
            .get(r)
            .and_then(|&start| self.steps.get(start as usize..))
        else {
            return false;
        };
        for step in steps {
            let holds = self.step_holds(step, values, memo);
            if !holds || step.last {
                return holds;
            }
        }
        false
    }

    #[inline(always)]
    fn step_holds(&self, step: &Step, values: &impl Values, memo: &mut Memo) -> bool {
        match &step.check {
            Check::Atom(atom) => atom.holds(values, |_| false),
            Check::Always => true,
            Check::Residual(r) => values.context().is_some_and(|ctx| {
                self.rules
                    .get(*r as usize)
                    .is_some_and(|rule| self.eval(&rule.residual, ctx, memo))
            }),
        }
    }

    /// [`CompiledTable::decide`] of a typed request read in place (for a
    /// table that `reads_in_place`).
    #[inline(always)]
    pub(crate) fn decide_in_place<R: Request>(
        &self,
        view: &RequestView<'_, R>,
    ) -> Option<Decision<'_>> {
        let decision = self.first_decision(view);
        log_decision(decision.as_ref(), &self.info);
        decision
    }

    #[inline]
    pub(crate) fn decision_for<'t>(
        &'t self,
        r: usize,
        values: &impl Values,
    ) -> Option<Decision<'t>> {
        let rule = self.rules.get(r)?;
        let (outcome, variant) = match &rule.route {
            Route::Fixed(o) => (o, None),
            Route::Split { key, arms } => {
                let i = self.arm_index(&rule.name, *key, arms, values.context()?);
                let (name, _, o) = arms.get(i)?;
                (o, Some(name.as_str()))
            }
        };
        Some(Decision {
            rule: &rule.name,
            outcome,
            variant,
            info: &self.info,
            skip: 0,
            degraded: false,
            order: Order::WRITTEN,
            est_cost: None,
        })
    }

    fn arm_index(
        &self,
        rule: &str,
        key: FieldId,
        arms: &[(String, u32, Outcome)],
        ctx: &Context<'_>,
    ) -> usize {
        let weights = arms.iter().map(|a| a.1);
        let mut buf = [0u8; 20];
        let text = match env::read(ctx, Subject::Field(key)) {
            None => return 0,
            Some(env::Scalar::Str(s)) => s,
            Some(env::Scalar::Int(i)) => split::int_text(i, &mut buf),
            Some(env::Scalar::Bool(b)) => {
                if b {
                    "true"
                } else {
                    "false"
                }
            }
            Some(env::Scalar::Enum(e)) => match self.schema_field(key).map(|f| &f.ty) {
                Some(switchyard_check::ir::Type::Enum(values)) => {
                    values.get(e as usize).map_or("", String::as_str)
                }
                _ => "",
            },
            Some(env::Scalar::Float(_)) => return 0,
        };
        split::arm_for_bucket(weights, split::split_bucket(rule, text))
    }

    /// Evaluates a node; general atoms and lets are memoised for this
    /// decision.
    pub(crate) fn eval(&self, node: &Node, ctx: &Context<'_>, memo: &mut Memo) -> bool {
        match node {
            Node::True => true,
            Node::False => false,
            Node::Not(n) => !self.eval(n, ctx, memo),
            Node::And(ns) => ns.iter().all(|n| self.eval(n, ctx, memo)),
            Node::Or(ns) => ns.iter().any(|n| self.eval(n, ctx, memo)),
            Node::Atom(i) => {
                let Some(atom) = self.compiled.get(*i as usize) else {
                    return false;
                };
                atom.holds(ctx, |a| {
                    memo.get_or(a, || {
                        self.atoms
                            .get(a as usize)
                            .is_some_and(|kind| compiled_atom::general(kind, ctx))
                    })
                })
            }
            Node::Let(i) => {
                let slot = u32::try_from(self.atoms.len())
                    .unwrap_or(u32::MAX)
                    .saturating_add(*i);
                let Some(node) = self.lets.get(*i as usize) else {
                    return false;
                };
                if let Some(r) = memo.get(slot) {
                    return r;
                }
                let r = self.eval(node, ctx, memo);
                memo.put(slot, r);
                r
            }
        }
    }
}

/// The results of general atoms and lets already evaluated in one
/// decision: a small direct-mapped cache on the stack (a slot evicted by
/// another is evaluated again, which is only slower), cleared the first
/// time it is written (a decision with no general atom and no let never
/// touches it).
#[derive(Default)]
pub(crate) struct Memo {
    /// `(slot + 1) << 1 | result`; 0 is empty.
    entries: Option<[u64; 32]>,
}

impl Memo {
    #[inline]
    fn get(&self, slot: u32) -> Option<bool> {
        let entries = self.entries.as_ref()?;
        let e = *entries.get(slot as usize % 32)?;
        (e >> 1 == u64::from(slot) + 1).then_some(e & 1 == 1)
    }

    #[inline]
    fn put(&mut self, slot: u32, result: bool) {
        let entries = self.entries.get_or_insert([0; 32]);
        if let Some(e) = entries.get_mut(slot as usize % 32) {
            *e = (u64::from(slot) + 1) << 1 | u64::from(result);
        }
    }

    #[inline]
    fn get_or(&mut self, slot: u32, f: impl FnOnce() -> bool) -> bool {
        if let Some(r) = self.get(slot) {
            return r;
        }
        let r = f();
        self.put(slot, r);
        r
    }
}

/// Emits the decision as a `tracing` event (target `switchyard::decision`,
/// level DEBUG). With no subscriber interested this is one atomic load.
#[inline(always)]
fn log_decision(decision: Option<&Decision<'_>>, info: &RulesetInfo) {
    if tracing::level_enabled!(tracing::Level::DEBUG) {
        emit_decision(decision, info);
    }
}

#[inline(never)]
fn emit_decision(decision: Option<&Decision<'_>>, info: &RulesetInfo) {
    match decision {
        Some(d) => tracing::debug!(
            target: "switchyard::decision",
            rule = d.rule(),
            variant = d.variant(),
            model = d.model(),
            ruleset = info.hash.as_str(),
            version = info.version.as_deref(),
            "decision"
        ),
        None => tracing::debug!(
            target: "switchyard::decision",
            ruleset = info.hash.as_str(),
            version = info.version.as_deref(),
            "no rule matched"
        ),
    }
}
