//! How to compile a table: [`CompileOptions`] and [`IndexPolicy`].

use std::sync::Arc;

use switchyard_catalog::Catalog;

use crate::context::BindSpec;

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
    /// Strict contexts: a key the schema does not declare is an error
    /// naming the nearest declared field, instead of being ignored.
    pub strict_context: bool,
    /// Request types checked against the schema when the table is
    /// compiled (see [`crate::LoadOptions::bind`]).
    pub(crate) bindings: Vec<BindSpec>,
}

impl CompileOptions {
    /// Options with a model catalog.
    pub fn with_catalog(mut self, catalog: Arc<Catalog>) -> Self {
        self.catalog = Some(catalog);
        self
    }

    /// Options with strict contexts (see [`CompileOptions::strict_context`]).
    pub fn with_strict_context(mut self, strict: bool) -> Self {
        self.strict_context = strict;
        self
    }

    /// Options with this index policy.
    pub fn with_index(mut self, index: IndexPolicy) -> Self {
        self.index = index;
        self
    }
}
