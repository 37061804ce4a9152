//! Workloads, baselines and request paths for switchyard's benchmarks,
//! made deterministically from a seed (so every run measures the same
//! thing), in the shape of the peers' harness that issue #11's targets are
//! measured against:
//!
//! - a neutral rule model ([`Ruleset`], [`Condition`]: the peers' JSON op
//!   tree over eight typed [`Field`]s), with the routing guide's 8 rules
//!   ([`routing_guide`]) and multi-tenant rulesets of any size and their
//!   requests ([`Workload`]);
//! - the rules as `.route` text ([`to_route`]) or the peers' JSON
//!   ([`to_json`]), and the requests as typed [`Request`]s or JSON lines
//!   ([`json_lines`]);
//! - the baselines: a naive rule-by-rule interpreter ([`NaiveInterpreter`])
//!   and the guide's rules as a hand-written `if` chain
//!   ([`routing_guide_chain`]);
//! - switchyard's request paths, one function each ([`switchyard_host`],
//!   [`switchyard_json`], ...), and the rulesets of the targets ready for
//!   every engine ([`PreparedRuleset`]).
//!
//! ```
//! use switchyard_benches::{to_route, Workload};
//! let workload = Workload::new(7);
//! let route = to_route(&workload.ruleset(100));
//! assert_eq!(route.matches("\nrule ").count(), 100);
//! assert_eq!(workload.requests(10).len(), 10);
//! ```

mod condition;
mod field;
mod generate;
mod handwritten;
mod naive;
mod prepared;
mod request;
mod rng;
mod route;
mod routing_guide;
mod rules_json;
mod ruleset;
mod switchyard_paths;

pub use condition::{CompareOp, Condition, Literal};
pub use field::{Field, FieldType};
pub use generate::{Workload, DEFAULT_SEED, MIN_RULES, TENANTS};
pub use handwritten::routing_guide_chain;
pub use naive::{LiteralMismatch, NaiveInterpreter};
pub use prepared::{
    target_rulesets, HandwrittenChain, PreparedRuleset, TargetRuleset, REQUESTS, TARGET_SIZES,
};
pub use request::{json_lines, Request};
pub use route::to_route;
pub use routing_guide::routing_guide;
pub use rules_json::to_json;
pub use ruleset::{Rule, Ruleset};
pub use switchyard_paths::{
    serde_naive, switchyard_builder_context, switchyard_context, switchyard_decide,
    switchyard_host, switchyard_host_builder, switchyard_json, RuleChoice, DECISION_TIME,
};
