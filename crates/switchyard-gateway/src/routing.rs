//! The ruleset being served (a [`LiveRuleset`] that follows its files) and
//! the catalog it was loaded with. A new catalog makes a new
//! [`Routing`], swapped in whole.

use std::path::Path;
use std::sync::Arc;

use switchyard::{Catalog, LiveRuleset, LoadOptions, ReloadEvent, ReloadOptions, RulesetError};

use crate::metrics::Metrics;

/// A watched ruleset and its catalog.
pub(crate) struct Routing {
    pub(crate) live: LiveRuleset,
    pub(crate) catalog: Option<Arc<Catalog>>,
    /// Generations served by the routings this one replaced, so that the
    /// generation reported keeps counting up across catalog reloads.
    base: u64,
}

impl Routing {
    /// The generation of the table served: one more for each new table,
    /// whether from a new ruleset or a new catalog.
    pub(crate) fn generation(&self) -> u64 {
        self.base + self.live.generation()
    }

    /// Loads the ruleset at `rules` with `catalog` and watches it; every
    /// reload is logged and counted. `previous` is the routing it
    /// replaces, if any.
    pub(crate) fn watch(
        rules: &Path,
        catalog: Option<Arc<Catalog>>,
        metrics: Arc<Metrics>,
        previous: Option<&Routing>,
    ) -> Result<Routing, RulesetError> {
        let mut load = LoadOptions::new();
        if let Some(c) = &catalog {
            load = load.with_catalog(Arc::clone(c));
        }
        let options = ReloadOptions::new()
            .load_options(load)
            .on_reload(move |event| match event {
                ReloadEvent::Loaded {
                    generation,
                    table,
                    warnings,
                } => {
                    metrics.reload("rules", true);
                    tracing::info!(
                        generation,
                        rules = table.len(),
                        digest = table.info().hash.as_str(),
                        warnings = warnings.len(),
                        "ruleset loaded"
                    );
                }
                ReloadEvent::Failed { failure } => {
                    metrics.reload("rules", false);
                    tracing::error!(
                        "ruleset reload failed, the previous one keeps serving:\n{}",
                        failure.render()
                    );
                }
                ReloadEvent::Recovered { generation } => {
                    tracing::info!(generation, "ruleset back to the one being served");
                }
                other => tracing::info!("ruleset: {other:?}"),
            });
        Ok(Routing {
            live: LiveRuleset::watch(rules, options)?,
            catalog,
            base: previous.map_or(0, Routing::generation),
        })
    }
}
