//! Compiling a checked ruleset into a [`CompiledTable`]: the indexed
//! fields, each rule's residual and route, the let depth check and the
//! sources' digest.

use std::sync::atomic::{AtomicU64, Ordering};

use switchyard_catalog::Catalog;

use switchyard_check::ir::{Cond, FieldId, Ruleset, Target};
use switchyard_syntax::{Limits, SourceMap};

use super::atoms::Atoms;
use super::compiled_atom::CompiledAtom;
use super::indexed_fields::{choose_indexed_fields, constraints, worth_indexing, TopLevelTests};
use super::{Check, CompileOptions, CompiledRule, CompiledTable, IndexPolicy, Node, Route, Step};
use crate::context::{bind, Schema};
use crate::decision::{Outcome, RulesetInfo};
use crate::error::CompileError;
use crate::index::FieldIndex;
use crate::split;

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

        let schema = Schema::new(&ruleset);
        let bindings = options
            .bindings
            .iter()
            .map(|b| bind(&schema, b.type_name, b.ty, b.fields))
            .collect::<Result<Vec<_>, _>>()?;
        let mut atoms = Atoms::default();
        let lets: Vec<Node> = ruleset.lets.iter().map(|l| atoms.node(&l.cond)).collect();

        let tests = TopLevelTests::of(&ruleset);
        let n_rules = ruleset.rules.len();
        let mut built: Vec<((FieldId, bool), FieldIndex)> = choose_indexed_fields(&tests)
            .into_iter()
            .map(|key| {
                let accepts = constraints(&tests, key);
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
        let index: Vec<FieldIndex> = built
            .into_iter()
            .map(|(_, fi)| fi.with_literal_ids(&schema.literals))
            .collect();

        // Each rule's residual: its top-level tests the index does not
        // cover.
        let mut rules = Vec::with_capacity(n_rules);
        for (r, rule) in ruleset.rules.iter().enumerate() {
            let mut rest: Vec<Node> = tests
                .residual(r, &indexed)
                .map(|part| atoms.node(part))
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

        let compiled: Vec<CompiledAtom> = (0u32..)
            .zip(&atoms.list)
            .map(|(i, kind)| CompiledAtom::of(i, kind, &schema.fields, &schema.literals))
            .collect();
        let mut steps = Vec::new();
        let mut starts = Vec::with_capacity(rules.len());
        for (r, rule) in (0u32..).zip(&rules) {
            starts.push(u32::try_from(steps.len()).unwrap_or(u32::MAX));
            let checks = checks_of(r, &rule.residual, &compiled);
            let (n, next) = (checks.len(), steps.len() + checks.len());
            steps.extend(checks.into_iter().enumerate().map(|(i, check)| Step {
                check,
                last: i + 1 == n,
                next: u32::try_from(next).unwrap_or(u32::MAX),
            }));
        }
        // What a decision reads is then only the specialised tests' values.
        let reads_in_place = catalog.is_none()
            && steps.iter().all(|s| !matches!(s.check, Check::Residual(_)))
            && rules.iter().all(|r| matches!(r.route, Route::Fixed(_)));
        Ok(CompiledTable {
            id: NEXT_TABLE_ID.fetch_add(1, Ordering::Relaxed),
            schema,
            atoms: atoms.list,
            compiled,
            lets,
            rules,
            steps,
            starts,
            index,
            info: RulesetInfo {
                version: ruleset.version.clone(),
                hash: digest(sources),
            },
            uses_catalog: catalog.is_some(),
            reads_in_place,
            strict_context: options.strict_context,
            bindings,
            ruleset,
            sources: sources.clone(),
        })
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

/// What the steps of rule `r`, whose residual is `residual`, test: each
/// atom of a conjunction of specialised atoms, else the whole residual,
/// interpreted.
fn checks_of(r: u32, residual: &Node, compiled: &[CompiledAtom]) -> Vec<Check> {
    let specialised = |parts: &[Node]| -> Option<Vec<Check>> {
        parts
            .iter()
            .map(|part| match part {
                Node::Atom(i) => compiled
                    .get(*i as usize)
                    .filter(|a| !a.is_general())
                    .map(|a| Check::Atom(a.clone())),
                _ => None,
            })
            .collect()
    };
    match residual {
        Node::True => Some(vec![Check::Always]),
        Node::Atom(_) => specialised(std::slice::from_ref(residual)),
        Node::And(parts) if !parts.is_empty() => specialised(parts),
        _ => None,
    }
    .unwrap_or_else(|| vec![Check::Residual(r)])
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
