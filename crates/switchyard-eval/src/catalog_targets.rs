//! Catalog-aware targets (docs/reference/catalogs.md): `require` drops candidates that
//! lack a capability or do not fit, `cheapest` orders candidates by
//! worst-case cost, and decisions carry `est_max_cost_usd`.
//!
//! What can be settled when the table compiles (tools, vision, JSON output)
//! is a fixed mask per target; what depends on the request (`fits(F)`,
//! `cost(F) <= X`, the order of `cheapest`) is computed per decision on the
//! stack.
//!
//! The prompt-token count for `fits`, `cost`, the `cheapest` order and the
//! estimate comes from the field a `fits(F)`/`cost(F)` of the target names,
//! else from an `int` field named `prompt_tokens` if the schema has one, else
//! it is taken as 0 (the estimate then covers the completion and request
//! prices only). A negative count is taken as 0. A requirement that reads an
//! unset field is not met, like any test of an unset field.

use switchyard_catalog::{Catalog, Model};
use switchyard_check::ir::{CostBound, FieldId, Requirement, Ruleset, Type};

use crate::context::Context;
use crate::env::{read, Scalar};
use switchyard_check::ir::Subject;

/// At most this many candidates of one target are ordered by `cheapest`;
/// any beyond keep their written order after them.
pub(crate) const MAX_ORDERED: usize = 32;

/// Candidate positions in the order they are tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Order {
    idx: [u8; MAX_ORDERED],
    /// Zero: the written order.
    len: u8,
}

impl Order {
    /// The written order.
    pub const WRITTEN: Order = Order {
        idx: [0; MAX_ORDERED],
        len: 0,
    };

    /// The candidate tried `p`-th.
    pub fn at(&self, p: usize) -> usize {
        if p < self.len as usize {
            self.idx.get(p).map_or(p, |&i| i as usize)
        } else {
            p
        }
    }
}

/// What a target needs from the catalog, resolved when the table compiles.
#[derive(Clone, Debug)]
pub(crate) struct CatalogTarget {
    /// Each candidate's catalog entry (`None`: not in the catalog).
    models: Vec<Option<Model>>,
    /// Candidates that fail `tools`/`vision`/`json`, or are not in the
    /// catalog while the target requires something.
    fixed_fail: u64,
    fits: Vec<FieldId>,
    costs: Vec<(FieldId, CostBound)>,
    cheapest: bool,
    /// Where the prompt-token count comes from.
    tokens: Option<FieldId>,
    max_tokens: u64,
}

impl CatalogTarget {
    /// Resolves a target's candidates (`models`) and requirements.
    pub fn new(
        ruleset: &Ruleset,
        catalog: &Catalog,
        models: &[String],
        require: &[Requirement],
        cheapest: bool,
        max_tokens: Option<u32>,
    ) -> Self {
        let entries: Vec<Option<Model>> =
            models.iter().map(|m| catalog.model(m).cloned()).collect();
        let mut fixed_fail = 0u64;
        for (i, entry) in entries.iter().enumerate().take(64) {
            let ok = require.iter().all(|r| match r {
                Requirement::Tools => entry.as_ref().is_some_and(Model::supports_tools),
                Requirement::Vision => entry.as_ref().is_some_and(Model::supports_vision),
                Requirement::Json => entry.as_ref().is_some_and(Model::supports_json),
                Requirement::Fits(_) | Requirement::CostAtMost { .. } => entry.is_some(),
            });
            if !ok {
                fixed_fail |= 1 << i;
            }
        }
        let fits: Vec<FieldId> = require
            .iter()
            .filter_map(|r| match r {
                Requirement::Fits(f) => Some(*f),
                _ => None,
            })
            .collect();
        let costs: Vec<(FieldId, CostBound)> = require
            .iter()
            .filter_map(|r| match r {
                Requirement::CostAtMost { tokens, max } => Some((*tokens, *max)),
                _ => None,
            })
            .collect();
        let tokens = fits
            .first()
            .copied()
            .or_else(|| costs.first().map(|c| c.0))
            .or_else(|| {
                ruleset
                    .field_id("prompt_tokens")
                    .filter(|&f| ruleset.field(f).is_some_and(|f| f.ty == Type::Int))
            });
        CatalogTarget {
            models: entries,
            fixed_fail,
            fits,
            costs,
            cheapest,
            tokens,
            max_tokens: u64::from(max_tokens.unwrap_or(0)),
        }
    }

    /// Candidates that do not meet the requirements for this request.
    pub fn fail_mask(&self, ctx: &Context<'_>) -> u64 {
        let mut mask = self.fixed_fail;
        if self.fits.is_empty() && self.costs.is_empty() {
            return mask;
        }
        for (i, entry) in self.models.iter().enumerate().take(64) {
            if mask & (1 << i) != 0 {
                continue;
            }
            let Some(model) = entry else { continue };
            let fits = self
                .fits
                .iter()
                .all(|&f| tokens_of(ctx, f).is_some_and(|p| model.fits(p, self.max_tokens)));
            let cheap_enough = self.costs.iter().all(|&(f, bound)| {
                let (Some(p), Some(limit)) = (tokens_of(ctx, f), bound_of(ctx, bound)) else {
                    return false;
                };
                model
                    .worst_case_cost_usd(p, self.max_tokens)
                    .is_some_and(|cost| cost <= limit)
            });
            if !(fits && cheap_enough) {
                mask |= 1 << i;
            }
        }
        mask
    }

    /// The order to try candidates in: cheapest first for `cheapest` (by
    /// worst-case cost; unpriced ones last, in written order), else as
    /// written.
    pub fn order(&self, ctx: &Context<'_>) -> Order {
        if !self.cheapest {
            return Order::WRITTEN;
        }
        let p = self.prompt_tokens(ctx);
        let n = self.models.len().min(MAX_ORDERED);
        let mut order = Order {
            idx: [0; MAX_ORDERED],
            len: u8::try_from(n).unwrap_or(0),
        };
        for (slot, i) in order.idx.iter_mut().zip(0u8..) {
            *slot = i;
        }
        let cost = |i: u8| {
            self.models
                .get(i as usize)
                .and_then(Option::as_ref)
                .and_then(|m| m.worst_case_cost_usd(p, self.max_tokens))
                .unwrap_or(f64::INFINITY)
        };
        if let Some(slice) = order.idx.get_mut(..n) {
            // A stable sort keeps the written order among equal costs.
            slice.sort_by(|&a, &b| cost(a).total_cmp(&cost(b)));
        }
        order
    }

    /// Worst-case cost in USD of a request to candidate `i`.
    pub fn est_cost(&self, i: usize, ctx: &Context<'_>) -> Option<f64> {
        let model = self.models.get(i)?.as_ref()?;
        model.worst_case_cost_usd(self.prompt_tokens(ctx), self.max_tokens)
    }

    fn prompt_tokens(&self, ctx: &Context<'_>) -> u64 {
        self.tokens.and_then(|f| tokens_of(ctx, f)).unwrap_or(0)
    }
}

/// A token count from an int field (negative counts as 0).
fn tokens_of(ctx: &Context<'_>, f: FieldId) -> Option<u64> {
    match read(ctx, Subject::Field(f))? {
        Scalar::Int(i) => Some(u64::try_from(i).unwrap_or(0)),
        Scalar::Float(x) if x > 0.0 => Some(x as u64),
        Scalar::Float(_) => Some(0),
        _ => None,
    }
}

/// The USD limit of `cost(F) <= X`.
fn bound_of(ctx: &Context<'_>, bound: CostBound) -> Option<f64> {
    match bound {
        CostBound::Usd(x) => Some(x),
        CostBound::Field(f) => match read(ctx, Subject::Field(f))? {
            Scalar::Int(i) => Some(i as f64),
            Scalar::Float(x) => Some(x),
            _ => None,
        },
    }
}
