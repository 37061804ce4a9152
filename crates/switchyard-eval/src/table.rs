//! The compiled decision table: rules in priority order, their required
//! `==`/`in` tests moved into a bitset index, the rest of each condition
//! kept as a residual over deduplicated atoms that are evaluated at most
//! once per decision.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use switchyard_catalog::Catalog;

use switchyard_check::ir::{Atom, AtomKind, Cond, FieldId, Ruleset, Subject, Target, Type};
use switchyard_syntax::{Limits, SourceMap};

use crate::catalog::Order;
use crate::context::{Context, ContextBuilder, Schema};
use crate::decision::{Decision, Outcome, RulesetInfo};
use crate::error::{CompileError, DecideError};
use crate::health::{Health, HealthView};
use crate::index::{indexable, Constraint, FieldIndex, MAX_INDEXED_FIELDS};
use crate::{atom, split};

/// Which fields the compiled table indexes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum IndexPolicy {
    /// Those whose filtering saves more than their lookup costs (default).
    #[default]
    CostModel,
    /// Every field rules test with `==`, `in` or thresholds (up to eight).
    Always,
    /// None: every rule is a candidate (still with the memo).
    Never,
}

/// How to compile a table.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct CompileOptions {
    /// Which fields to index.
    pub index: IndexPolicy,
    /// The model catalog, for `require`, `cheapest` and cost estimates.
    pub catalog: Option<Arc<Catalog>>,
}

impl CompileOptions {
    /// Options with a model catalog.
    pub fn with_catalog(mut self, catalog: Arc<Catalog>) -> Self {
        self.catalog = Some(catalog);
        self
    }

    /// Options with this index policy.
    pub fn with_index(mut self, index: IndexPolicy) -> Self {
        self.index = index;
        self
    }
}

/// A condition over atom and let ids.
#[derive(Debug)]
pub(crate) enum Node {
    True,
    False,
    Atom(u32),
    Let(u32),
    Not(Box<Node>),
    And(Box<[Node]>),
    Or(Box<[Node]>),
}

/// Where a compiled rule routes.
#[derive(Debug)]
pub(crate) enum Route {
    Fixed(Outcome),
    Split {
        key: FieldId,
        arms: Vec<(String, u32, Outcome)>,
    },
}

#[derive(Debug)]
pub(crate) struct CompiledRule {
    pub name: String,
    pub residual: Node,
    pub route: Route,
}

/// A ruleset compiled for fast decisions. Immutable and `Send + Sync`:
/// share it behind an `Arc` (see [`crate::LiveRuleset`]).
#[derive(Debug)]
pub struct CompiledTable {
    /// Unique per compiled table in this process, so a context cannot be
    /// used with a table it was not built for.
    pub(crate) id: u64,
    pub(crate) schema: Schema,
    pub(crate) atoms: Vec<AtomKind>,
    pub(crate) lets: Vec<Node>,
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) index: Vec<FieldIndex>,
    pub(crate) info: RulesetInfo,
    pub(crate) ruleset: Ruleset,
    pub(crate) sources: SourceMap,
}

/// The most 64-bit words the rows of one indexed field may take (32 MiB);
/// a field that would need more is left to the residuals.
const MAX_INDEX_WORDS: usize = 4 << 20;

/// Nesting of lets beyond this is refused (evaluation recurses through them).
const MAX_LET_DEPTH: usize = Limits::MAX_DEPTH_CEILING;

static NEXT_TABLE_ID: AtomicU64 = AtomicU64::new(1);

impl CompiledTable {
    /// Compiles a checked ruleset. `sources` are the files it was read
    /// from: their digest identifies the ruleset in every decision, and
    /// `explain` quotes them.
    pub fn compile(ruleset: Ruleset, sources: &SourceMap) -> Result<Self, CompileError> {
        Self::compile_with(ruleset, sources, &CompileOptions::default())
    }

    /// [`CompiledTable::compile`] with options.
    pub fn compile_with(
        ruleset: Ruleset,
        sources: &SourceMap,
        options: &CompileOptions,
    ) -> Result<Self, CompileError> {
        let catalog = options.catalog.as_deref();
        if catalog.is_none() {
            if let Some(rule) = ruleset.rules.iter().find(|r| r.target.needs_catalog()) {
                return Err(CompileError::NeedsCatalog {
                    rule: rule.name.clone(),
                    span: rule.target.span(),
                });
            }
        }
        check_let_depth(&ruleset)?;

        let mut schema = Schema::new(ruleset.fields.clone());
        let mut atoms = Atoms::default();
        let lets: Vec<Node> = ruleset
            .lets
            .iter()
            .map(|l| atoms.node(&l.cond, &mut schema))
            .collect();

        let ty_of = |f: FieldId| ruleset.field(f).map(|f| f.ty.clone());
        let n_rules = ruleset.rules.len();
        let mut built: Vec<((FieldId, bool), FieldIndex)> = choose_indexed_fields(&ruleset, &ty_of)
            .into_iter()
            .map(|key| {
                let accepts = constraints(&ruleset, key, &ty_of);
                (key, FieldIndex::build(key.0, n_rules, &accepts))
            })
            .collect();
        // The most selective rows first: a word that one row empties skips
        // the others. Then keep only the rows that pay for themselves.
        built.sort_by(|a, b| a.1.selectivity.total_cmp(&b.1.selectivity));
        let built = match options.index {
            IndexPolicy::CostModel => worth_indexing(built, n_rules),
            IndexPolicy::Always => built,
            IndexPolicy::Never => Vec::new(),
        };
        let indexed: Vec<(FieldId, bool)> = built.iter().map(|(k, _)| *k).collect();
        let index: Vec<FieldIndex> = built.into_iter().map(|(_, fi)| fi).collect();

        // Each rule's residual: its top-level tests the index does not
        // cover.
        let mut rules = Vec::with_capacity(n_rules);
        for rule in &ruleset.rules {
            let mut rest: Vec<Node> = conjuncts(&rule.cond)
                .into_iter()
                .filter(|part| !covered(part, &indexed, &ty_of))
                .map(|part| atoms.node(part, &mut schema))
                .collect();
            let residual = match rest.len() {
                0 => Node::True,
                1 => rest.pop().unwrap_or(Node::True),
                _ => Node::And(rest.into_boxed_slice()),
            };
            rules.push(CompiledRule {
                name: rule.name.clone(),
                residual,
                route: route(&ruleset, &rule.target, catalog),
            });
        }

        Ok(CompiledTable {
            id: NEXT_TABLE_ID.fetch_add(1, Ordering::Relaxed),
            schema,
            atoms: atoms.list,
            lets,
            rules,
            index,
            info: RulesetInfo {
                version: ruleset.version.clone(),
                hash: digest(sources),
            },
            ruleset,
            sources: sources.clone(),
        })
    }

    /// Starts a context for this table.
    pub fn context(&self) -> ContextBuilder<'_> {
        ContextBuilder::new(self)
    }

    pub(crate) fn schema_field(&self, id: FieldId) -> Option<&switchyard_check::ir::Field> {
        self.schema.fields.get(id.index())
    }

    /// Number of memo cells a context needs: one per atom and per let.
    pub(crate) fn memo_len(&self) -> usize {
        self.atoms.len() + self.lets.len()
    }

    /// The version label and source digest.
    pub fn info(&self) -> &RulesetInfo {
        &self.info
    }

    /// The checked ruleset this table was compiled from.
    pub fn ruleset(&self) -> &Ruleset {
        &self.ruleset
    }

    /// The sources the ruleset was read from.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether the table has no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The first rule (in priority order) whose condition holds, and its
    /// decision; `Ok(None)` when no rule matches.
    ///
    /// Allocates nothing. (The one exception is inside the `regex` crate:
    /// its lazy DFA adds states the first times a `matches` test meets new
    /// kinds of input, then reuses them.)
    pub fn decide(&self, ctx: &Context) -> Result<Option<Decision<'_>>, DecideError> {
        self.decide_inner(ctx, None)
    }

    /// Like [`CompiledTable::decide`], skipping models that `health` says
    /// are down (LANGUAGE.md 8): a down model is replaced by its first
    /// healthy fallback, down fallbacks are dropped, a rule whose every
    /// candidate is down does not match; if no rule is left, the first
    /// matching rule's decision is returned unchanged, marked degraded.
    /// When no model is down this costs one atomic load more than `decide`.
    pub fn decide_with_health(
        &self,
        ctx: &Context,
        health: &Health,
    ) -> Result<Option<Decision<'_>>, DecideError> {
        self.decide_inner(ctx, health.view().as_ref())
    }

    fn decide_inner(
        &self,
        ctx: &Context,
        health: Option<&HealthView>,
    ) -> Result<Option<Decision<'_>>, DecideError> {
        if ctx.table_id != self.id {
            return Err(DecideError::ForeignContext);
        }
        // The first rule that matches, meets its requirements and has a
        // model up; failing that, the first that meets its requirements.
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
        log_decision(decision.as_ref(), &self.info);
        Ok(decision)
    }

    /// Index of the first rule that matches and that `accept` takes.
    fn first_match(&self, ctx: &Context, mut accept: impl FnMut(usize) -> bool) -> Option<usize> {
        let generation = ctx.next_generation();
        let mut rows: [&[u64]; MAX_INDEXED_FIELDS] = [&[]; MAX_INDEXED_FIELDS];
        let n = self.index.len().min(MAX_INDEXED_FIELDS);
        for (row, fi) in rows.iter_mut().zip(&self.index) {
            *row = fi.row(ctx.slot(fi.field));
        }
        let rows = &rows[..n];
        let n_rules = self.rules.len();
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
            while bits != 0 {
                let r = w * 64 + bits.trailing_zeros() as usize;
                if let Some(rule) = self.rules.get(r) {
                    if self.eval(&rule.residual, ctx, generation) && accept(r) {
                        return Some(r);
                    }
                }
                bits &= bits - 1;
            }
        }
        None
    }

    pub(crate) fn decision_for<'t>(&'t self, r: usize, ctx: &Context) -> Option<Decision<'t>> {
        let rule = self.rules.get(r)?;
        let (outcome, variant) = match &rule.route {
            Route::Fixed(o) => (o, None),
            Route::Split { key, arms } => {
                let i = self.arm_index(&rule.name, *key, arms, ctx);
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
        ctx: &Context,
    ) -> usize {
        let weights = arms.iter().map(|a| a.1);
        let mut buf = [0u8; 20];
        let text = match atom::read(ctx, Subject::Field(key)) {
            None => return 0,
            Some(atom::Scalar::Str(s)) => s,
            Some(atom::Scalar::Int(i)) => split::int_text(i, &mut buf),
            Some(atom::Scalar::Bool(b)) => {
                if b {
                    "true"
                } else {
                    "false"
                }
            }
            Some(atom::Scalar::Enum(e)) => match self.schema_field(key).map(|f| &f.ty) {
                Some(switchyard_check::ir::Type::Enum(values)) => {
                    values.get(e as usize).map_or("", String::as_str)
                }
                _ => "",
            },
            Some(atom::Scalar::Float(_)) => return 0,
        };
        split::arm_for_bucket(weights, split::split_bucket(rule, text))
    }

    /// Evaluates a node, memoising atoms and lets for this generation.
    pub(crate) fn eval(&self, node: &Node, ctx: &Context, generation: u32) -> bool {
        match node {
            Node::True => true,
            Node::False => false,
            Node::Not(n) => !self.eval(n, ctx, generation),
            Node::And(ns) => ns.iter().all(|n| self.eval(n, ctx, generation)),
            Node::Or(ns) => ns.iter().any(|n| self.eval(n, ctx, generation)),
            Node::Atom(i) => self.memo(*i as usize, ctx, generation, || {
                self.atoms
                    .get(*i as usize)
                    .is_some_and(|a| atom::eval(a, ctx))
            }),
            Node::Let(i) => self.memo(self.atoms.len() + *i as usize, ctx, generation, || {
                self.lets
                    .get(*i as usize)
                    .is_some_and(|n| self.eval(n, ctx, generation))
            }),
        }
    }

    fn memo(&self, slot: usize, ctx: &Context, generation: u32, f: impl FnOnce() -> bool) -> bool {
        let Some(cell) = ctx.memo.get(slot) else {
            return f();
        };
        let v = cell.get();
        if v >> 2 == generation {
            return v & 1 == 1;
        }
        let r = f();
        cell.set(generation << 2 | u32::from(r));
        r
    }
}

/// Emits the decision as a `tracing` event (target `switchyard::decision`,
/// level DEBUG). With no subscriber interested this is one atomic load.
fn log_decision(decision: Option<&Decision<'_>>, info: &RulesetInfo) {
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

/// The conjuncts of a rule's condition (itself when it is not an `and`).
fn conjuncts(cond: &Cond) -> Vec<&Cond> {
    match cond {
        Cond::And(parts) => parts.iter().collect(),
        Cond::True => Vec::new(),
        other => vec![other],
    }
}

/// The fields to index, each with the kind of test indexed (`true`:
/// thresholds, `false`: values): the fields most rules test in their
/// top-level conjunction, at most [`MAX_INDEXED_FIELDS`], leaving out any
/// whose rows would take more than [`MAX_INDEX_WORDS`].
fn choose_indexed_fields(
    ruleset: &Ruleset,
    ty_of: &impl Fn(FieldId) -> Option<Type>,
) -> Vec<(FieldId, bool)> {
    #[derive(Default)]
    struct Usage {
        rules: usize,
        distinct: HashSet<u64>,
    }
    let mut usage: HashMap<(FieldId, bool), Usage> = HashMap::new();
    for rule in &ruleset.rules {
        let mut seen = Vec::new();
        for part in conjuncts(&rule.cond) {
            let Cond::Atom(a) = part else { continue };
            let Some((f, c)) = indexable(&a.kind, ty_of) else {
                continue;
            };
            let kind = (f, is_interval(&c));
            let u = usage.entry(kind).or_default();
            if !seen.contains(&kind) {
                seen.push(kind);
                u.rules += 1;
            }
            u.distinct.extend(c.row_keys());
        }
    }
    let words = ruleset.rules.len().div_ceil(64);
    let mut candidates: Vec<((FieldId, bool), usize, usize)> = usage
        .into_iter()
        .map(|(k, u)| {
            // Thresholds make two rows each, plus one.
            let rows = if k.1 {
                2 * u.distinct.len() + 1
            } else {
                u.distinct.len()
            };
            (k, u.rules, rows.saturating_mul(words))
        })
        .filter(|&(_, _, size)| size <= MAX_INDEX_WORDS)
        .collect();
    candidates.sort_by_key(|&((f, numeric), rules, _)| (std::cmp::Reverse(rules), f, numeric));
    let mut chosen: Vec<(FieldId, bool)> = Vec::new();
    for ((f, numeric), _, _) in candidates {
        if chosen.len() < MAX_INDEXED_FIELDS && !chosen.iter().any(|&(g, _)| g == f) {
            chosen.push((f, numeric));
        }
    }
    chosen
}

/// What each rule's top-level tests of kind `key` accept (`None`: the rule
/// does not test the field that way).
fn constraints(
    ruleset: &Ruleset,
    key: (FieldId, bool),
    ty_of: &impl Fn(FieldId) -> Option<Type>,
) -> Vec<Option<Constraint>> {
    ruleset
        .rules
        .iter()
        .map(|rule| {
            conjuncts(&rule.cond)
                .into_iter()
                .filter_map(|part| match part {
                    Cond::Atom(a) => indexable(&a.kind, ty_of),
                    _ => None,
                })
                .filter(|(f, c)| (*f, is_interval(c)) == key)
                .map(|(_, c)| c)
                .reduce(Constraint::intersect)
        })
        .collect()
}

/// Whether the index covers this top-level test.
fn covered(
    part: &Cond,
    indexed: &[(FieldId, bool)],
    ty_of: &impl Fn(FieldId) -> Option<Type>,
) -> bool {
    match part {
        Cond::Atom(a) => {
            indexable(&a.kind, ty_of).is_some_and(|(f, c)| indexed.contains(&(f, is_interval(&c))))
        }
        _ => false,
    }
}

/// Rough costs, in nanoseconds, of ANDing one word of a row and of
/// evaluating one candidate's residual (a few tests). Looking a row up costs
/// [`FieldIndex::lookup_ns`].
const WORD_NS: f64 = 0.5;
const RESIDUAL_NS: f64 = 12.0;

/// Keeps rows (most selective first) while the residual evaluations they
/// save are worth more than their lookups: a ten-rule table wants one row
/// or none, a ten-thousand-rule one several.
fn worth_indexing(
    built: Vec<((FieldId, bool), FieldIndex)>,
    n_rules: usize,
) -> Vec<((FieldId, bool), FieldIndex)> {
    let words = n_rules.div_ceil(64) as f64;
    let mut expected = n_rules as f64;
    let mut kept = Vec::new();
    for (key, fi) in built {
        let saved = expected * (1.0 - fi.selectivity) * RESIDUAL_NS;
        if saved <= fi.lookup_ns() + words * WORD_NS {
            break;
        }
        expected *= fi.selectivity;
        kept.push((key, fi));
    }
    kept
}

fn is_interval(c: &Constraint) -> bool {
    matches!(c, Constraint::Interval(_))
}

/// Deduplicated atoms.
#[derive(Default)]
struct Atoms {
    list: Vec<AtomKind>,
}

impl Atoms {
    fn id(&mut self, atom: &Atom, schema: &mut Schema) -> u32 {
        note_derived(&atom.kind, schema);
        let i = match self.list.iter().position(|a| *a == atom.kind) {
            Some(i) => i,
            None => {
                self.list.push(atom.kind.clone());
                self.list.len() - 1
            }
        };
        u32::try_from(i).unwrap_or(u32::MAX)
    }

    fn node(&mut self, cond: &Cond, schema: &mut Schema) -> Node {
        match cond {
            Cond::True => Node::True,
            Cond::False => Node::False,
            Cond::Let(l) => Node::Let(l.0),
            Cond::Atom(a) => Node::Atom(self.id(a, schema)),
            Cond::Not(c) => Node::Not(Box::new(self.node(c, schema))),
            Cond::And(cs) => Node::And(cs.iter().map(|c| self.node(c, schema)).collect()),
            Cond::Or(cs) => Node::Or(cs.iter().map(|c| self.node(c, schema)).collect()),
        }
    }
}

/// Records which string fields need `words(F)`/`len(F)` computed.
fn note_derived(kind: &AtomKind, schema: &mut Schema) {
    let subjects: &[Subject] = match kind {
        AtomKind::Compare { lhs, rhs, .. } => match rhs {
            switchyard_check::ir::Operand::Subject(s) => &[*lhs, *s],
            switchyard_check::ir::Operand::Value(_) => std::slice::from_ref(lhs),
        },
        AtomKind::In { lhs, .. } | AtomKind::Range { lhs, .. } => std::slice::from_ref(lhs),
        _ => &[],
    };
    for s in subjects {
        match s {
            Subject::Words(f) => {
                if let Some(n) = schema.needs_words.get_mut(f.index()) {
                    *n = true;
                }
            }
            Subject::Len(f) => {
                if let Some(n) = schema.needs_len.get_mut(f.index()) {
                    *n = true;
                }
            }
            _ => {}
        }
    }
}

fn route(ruleset: &Ruleset, target: &Target, catalog: Option<&Catalog>) -> Route {
    match target {
        Target::Split(s) => Route::Split {
            key: s.key,
            arms: s
                .arms
                .iter()
                .map(|a| {
                    (
                        a.name.clone(),
                        a.basis_points,
                        Outcome::of(ruleset, &a.target, catalog),
                    )
                })
                .collect(),
        },
        other => Route::Fixed(Outcome::of(ruleset, other, catalog)),
    }
}

fn check_let_depth(ruleset: &Ruleset) -> Result<(), CompileError> {
    // Lets only refer to lets with smaller ids, so one pass in order works.
    let mut depth = vec![0usize; ruleset.lets.len()];
    for (i, l) in ruleset.lets.iter().enumerate() {
        let d = 1 + let_refs_depth(&l.cond, &depth);
        if d > MAX_LET_DEPTH {
            return Err(CompileError::LetsTooDeep {
                name: l.name.clone(),
                span: l.name_span,
                depth: d,
                limit: MAX_LET_DEPTH,
            });
        }
        if let Some(slot) = depth.get_mut(i) {
            *slot = d;
        }
    }
    Ok(())
}

fn let_refs_depth(cond: &Cond, depth: &[usize]) -> usize {
    match cond {
        Cond::Let(l) => depth.get(l.index()).copied().unwrap_or(0),
        Cond::Not(c) => let_refs_depth(c, depth),
        Cond::And(cs) | Cond::Or(cs) => cs
            .iter()
            .map(|c| let_refs_depth(c, depth))
            .max()
            .unwrap_or(0),
        _ => 0,
    }
}

/// Hex FNV-1a 64 digest of the files' contents, in order (the same rules
/// read from another path have the same digest).
fn digest(sources: &SourceMap) -> String {
    let mut h = split::Fnv1a::default();
    for (_, f) in sources.files() {
        h.write(&(f.text().len() as u64).to_le_bytes());
        h.write(f.text().as_bytes());
    }
    format!("{:016x}", h.finish())
}
