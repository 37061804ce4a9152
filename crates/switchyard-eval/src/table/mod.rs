//! The compiled decision table: rules in priority order, their required
//! `==`/`in` tests moved into a bitset index, the rest of each condition
//! kept as a residual over deduplicated atoms that are evaluated at most
//! once per decision.

mod atoms;
mod compile;
mod compiled_atom;
mod decide;
mod indexed_fields;
mod options;

pub use options::{CompileOptions, IndexPolicy};

use switchyard_check::ir::{AtomKind, FieldId, Ruleset};
use switchyard_syntax::SourceMap;

use crate::context::{Binding, Schema};
use crate::decision::{Outcome, RulesetInfo};
use crate::index::FieldIndex;

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

/// One test of a rule as `decide` runs it. Each rule's residual is a run
/// of steps in one flat array, in rule order: a conjunction of specialised
/// atoms is one step per atom, anything else one step that interprets the
/// residual. A candidate then costs a few loads and compares per atom.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    pub check: Check,
    /// The rule's last step: when it holds, so does the rule.
    pub last: bool,
    /// The index of the next rule's first step (where a scan of every
    /// rule goes when this step fails).
    pub next: u32,
}

/// What a [`Step`] tests. (An explicit tag: telling an atom from the rest
/// is then one compare, not a computation on the atom's own tag.)
#[derive(Clone, Debug)]
#[repr(u8)]
pub(crate) enum Check {
    /// A specialised atom.
    Atom(compiled_atom::CompiledAtom),
    /// Nothing: the rule's residual is `true`.
    Always,
    /// The residual of rule `.0`, interpreted (`or`, `not`, lets, atoms
    /// with no specialised form).
    Residual(u32),
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
    /// `atoms`, compiled for the types they test.
    pub(crate) compiled: Vec<compiled_atom::CompiledAtom>,
    pub(crate) lets: Vec<Node>,
    pub(crate) rules: Vec<CompiledRule>,
    /// The rules' residuals as steps, in rule order.
    pub(crate) steps: Vec<Step>,
    /// Per rule, the index of its first step.
    pub(crate) starts: Vec<u32>,
    pub(crate) index: Vec<FieldIndex>,
    pub(crate) info: RulesetInfo,
    /// Compiled with a catalog: requirements may skip a matching rule.
    pub(crate) uses_catalog: bool,
    /// Every rule's residual is specialised tests (or none), with no
    /// split and no catalog: a typed request can be decided by reading its
    /// fields in place ([`CompiledTable::decide_request`]).
    pub(crate) reads_in_place: bool,
    /// A context key the schema does not declare is an error, not ignored.
    pub(crate) strict_context: bool,
    /// The request types bound at compile time.
    pub(crate) bindings: Vec<Binding>,
    pub(crate) ruleset: Ruleset,
    pub(crate) sources: SourceMap,
}

impl CompiledTable {
    pub(crate) fn schema_field(&self, id: FieldId) -> Option<&switchyard_check::ir::Field> {
        self.schema.field(id)
    }

    /// The offset from UTC, in seconds, of the ruleset's `timezone` at Unix
    /// time `seconds` (0 without a zone, or for a time outside the years
    /// -9999 to 9999).
    pub(crate) fn utc_offset(&self, seconds: i64) -> i32 {
        let Some(tz) = &self.ruleset.time_zone else {
            return 0;
        };
        jiff::Timestamp::from_second(seconds).map_or(0, |at| tz.zone.to_offset(at).seconds())
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
}
