//! [`LoadOptions`]: the one value that says how a ruleset is loaded.

use std::sync::Arc;

use switchyard_catalog::Catalog;
use switchyard_check::analysis::AnalysisOptions;
use switchyard_check::levels::Levels;
use switchyard_check::CheckOptions;
use switchyard_syntax::Limits;

use crate::context::BindSpec;
use crate::{CompileOptions, IndexPolicy, Request};

/// How a ruleset is loaded: parsed, checked and compiled. The same value
/// serves every way in: [`CompiledTable::load`](crate::CompiledTable::load),
/// [`CompiledTable::from_sources`](crate::CompiledTable::from_sources),
/// [`check`](crate::check) and
/// [`ReloadOptions::load_options`](crate::ReloadOptions::load_options).
///
/// ```
/// use std::sync::Arc;
/// use switchyard_eval::{IndexPolicy, LoadOptions};
/// # let catalog = Arc::new(switchyard_catalog::Catalog::default());
/// let options = LoadOptions::default()
///     .with_catalog(catalog)           // `require`, `cheapest`; W104
///     .with_index(IndexPolicy::Always);
/// assert!(options.analysis.is_none()); // the condition analysis is a lint
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LoadOptions {
    /// The parser's limits: file size, nesting depth, number of rules.
    pub limits: Limits,
    /// A model catalog: rulesets that use `require` or `cheapest` need one,
    /// and model ids it does not list are W104. Default none.
    pub catalog: Option<Arc<Catalog>>,
    /// The condition analysis (W101, W102, E008, N201), which `switchyard
    /// check` runs. `None`, the default, skips it: it is a lint, and it
    /// costs far more than loading.
    pub analysis: Option<AnalysisOptions>,
    /// Which fields the compiled table indexes.
    pub index: IndexPolicy,
    /// Size limit of each compiled regex (and of its lazy DFA), in bytes;
    /// a larger regex is E010. Default 1 MiB.
    pub regex_size_limit: usize,
    /// Strict contexts: a context key the schema does not declare is an
    /// error naming the nearest declared field, instead of being ignored.
    pub strict_context: bool,
    /// The level of each warning the load changes (allowed, kept or
    /// denied: a denied warning fails the load); the files'
    /// `# switchyard: allow(..)` comments win over it.
    pub levels: Levels,
    /// Request types checked against the schema on every load (see
    /// [`LoadOptions::bind`]).
    pub(crate) bindings: Vec<BindSpec>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            limits: Limits::default(),
            catalog: None,
            analysis: None,
            index: IndexPolicy::default(),
            regex_size_limit: CheckOptions::default().regex_size_limit,
            strict_context: false,
            levels: Levels::new(),
            bindings: Vec::new(),
        }
    }
}

impl LoadOptions {
    /// The defaults: default [`Limits`], no catalog, no analysis, the
    /// index's cost model, 1 MiB regexes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Options with these parser limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Options with a model catalog.
    pub fn with_catalog(mut self, catalog: Arc<Catalog>) -> Self {
        self.catalog = Some(catalog);
        self
    }

    /// Options that run the condition analysis.
    pub fn with_analysis(mut self, analysis: AnalysisOptions) -> Self {
        self.analysis = Some(analysis);
        self
    }

    /// Options with this index policy.
    pub fn with_index(mut self, index: IndexPolicy) -> Self {
        self.index = index;
        self
    }

    /// Options with this regex size limit, in bytes.
    pub fn with_regex_size_limit(mut self, bytes: usize) -> Self {
        self.regex_size_limit = bytes;
        self
    }

    /// Options with strict contexts (see [`LoadOptions::strict_context`]).
    pub fn with_strict_context(mut self, strict: bool) -> Self {
        self.strict_context = strict;
        self
    }

    /// Options with these warning levels (see [`LoadOptions::levels`]).
    pub fn with_levels(mut self, levels: Levels) -> Self {
        self.levels = levels;
        self
    }

    /// Binds a host's request type ([`crate::Request`]): a load (and so a
    /// hot reload, which keeps the table it has) fails if the ruleset's
    /// context does not declare a field the type gives, with a fitting
    /// type; the table then fills contexts from the type with no name
    /// lookup ([`crate::CompiledTable::context_of`],
    /// [`crate::CompiledTable::decide_request`]).
    pub fn bind<R: Request>(mut self) -> Self {
        let spec = BindSpec::of::<R>();
        if !self.bindings.iter().any(|b| b.ty == spec.ty) {
            self.bindings.push(spec);
        }
        self
    }

    /// What the check stage takes.
    pub(crate) fn check_options(&self) -> CheckOptions {
        CheckOptions {
            regex_size_limit: self.regex_size_limit,
            analysis: self.analysis.clone(),
            catalog: self.catalog.clone(),
            levels: self.levels.clone(),
        }
    }

    /// What the compile stage takes.
    pub(crate) fn compile_options(&self) -> CompileOptions {
        let mut options = CompileOptions::default()
            .with_index(self.index)
            .with_strict_context(self.strict_context);
        options.bindings.clone_from(&self.bindings);
        match &self.catalog {
            Some(catalog) => options.with_catalog(catalog.clone()),
            None => options,
        }
    }
}

/// Default options with these limits.
impl From<&Limits> for LoadOptions {
    fn from(limits: &Limits) -> Self {
        LoadOptions::default().with_limits(*limits)
    }
}

impl From<&LoadOptions> for LoadOptions {
    fn from(options: &LoadOptions) -> Self {
        options.clone()
    }
}
