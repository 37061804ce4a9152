//! The rulesets of issue #11's targets, each ready for every engine.

use std::error::Error;

use switchyard_eval::{CompiledTable, LoadOptions};
use switchyard_syntax::SourceMap;

use crate::generate::Workload;
use crate::handwritten::routing_guide_chain;
use crate::naive::NaiveInterpreter;
use crate::request::Request;
use crate::route::to_route;
use crate::routing_guide::routing_guide;
use crate::ruleset::Ruleset;

/// How many requests the benches cycle through (the peers' traffic file).
pub const REQUESTS: usize = 100_000;

/// Sizes of the multi-tenant rulesets of issue #11's targets.
pub const TARGET_SIZES: [usize; 2] = [1_000, 10_000];

/// A ruleset written by hand as code: the name of the rule a request
/// matches.
pub type HandwrittenChain = fn(&Request) -> &'static str;

/// A ruleset to measure, before loading.
pub struct TargetRuleset {
    /// `seed` for the routing guide, else the number of rules.
    pub label: String,
    /// The rules.
    pub ruleset: Ruleset,
    /// The same rules as hand-written code, if there is such a version.
    pub handwritten: Option<HandwrittenChain>,
}

/// A ruleset loaded into the naive interpreter and into switchyard.
pub struct PreparedRuleset {
    /// `seed` for the routing guide, else the number of rules.
    pub label: String,
    /// The rules.
    pub ruleset: Ruleset,
    /// Their `.route` text.
    pub route: String,
    /// The naive interpreter's load of the rules.
    pub naive: NaiveInterpreter,
    /// switchyard's compiled table of the `.route` text.
    pub table: CompiledTable,
    /// The same rules as hand-written code, if there is such a version.
    pub handwritten: Option<HandwrittenChain>,
}

impl PreparedRuleset {
    /// Loads `target`'s rules into both engines.
    pub fn new(target: TargetRuleset) -> Result<Self, Box<dyn Error>> {
        let route = to_route(&target.ruleset);
        let naive = NaiveInterpreter::new(&target.ruleset)?;
        let mut sources = SourceMap::new();
        sources.add("<inline>", route.as_str());
        let options = LoadOptions::new().bind::<Request>();
        let (table, _warnings) = CompiledTable::from_sources(sources, &options)?;
        Ok(PreparedRuleset {
            label: target.label,
            ruleset: target.ruleset,
            route,
            naive,
            table,
            handwritten: target.handwritten,
        })
    }
}

/// The routing guide's 8 rules (`seed`, with its hand-written chain) and
/// `workload`'s multi-tenant rulesets of [`TARGET_SIZES`], in that order.
pub fn target_rulesets(workload: &Workload) -> Vec<TargetRuleset> {
    let guide = TargetRuleset {
        label: "seed".to_owned(),
        ruleset: routing_guide(),
        handwritten: Some(routing_guide_chain),
    };
    let generated = TARGET_SIZES.iter().map(|&n| TargetRuleset {
        label: n.to_string(),
        ruleset: workload.ruleset(n),
        handwritten: None,
    });
    std::iter::once(guide).chain(generated).collect()
}
