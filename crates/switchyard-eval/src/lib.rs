//! The switchyard evaluator: compiles a checked ruleset into a decision
//! table, makes decisions without allocating, explains them, and keeps a
//! ruleset fresh from disk.
//!
//! ```
//! use switchyard_eval::CompiledTable;
//! let (table, warnings) = CompiledTable::from_source(r#"
//!     context { tier: "free" | "pro" = "free" }
//!     model claude = "anthropic/claude-3.5-sonnet"
//!     model mini = "openai/gpt-4o-mini"
//!     defaults max_tokens 1024
//!     rule pro: when tier == "pro" -> claude fallback [mini]
//!     rule default: otherwise -> mini
//! "#)?;
//! assert!(warnings.is_empty());
//! let ctx = table.context().set("tier", "pro")?.build();
//! let decision = table.decide(&ctx)?.expect("a rule matches");
//! assert_eq!(decision.model(), "anthropic/claude-3.5-sonnet");
//! assert_eq!(decision.fallbacks().collect::<Vec<_>>(), ["openai/gpt-4o-mini"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod catalog_targets;
mod context;
mod decision;
mod env;
mod error;
mod explain;
mod health;
mod index;
mod live;
mod load;
mod split;
mod table;
mod test_lines;

pub use context::{Context, ContextBuilder, FieldHandle, Input, Request, RequestFieldKind};
pub use decision::{Decision, Fallbacks, RulesetInfo};
pub use error::{BindError, CompileError, ContextError, DecideError};
pub use explain::{Explanation, FailedTest, RuleTrace};
pub use health::{Clock, Health, HealthPolicy, HealthRegistry, ManualClock, SystemClock};
pub use live::{
    LiveRuleset, ReloadEvent, ReloadFailure, ReloadOptions, ReloadOutcome, ReloadStatus,
};
pub use load::{check, LoadOptions, RulesetError};
pub use split::split_bucket;
pub use table::{CompileOptions, CompiledTable, IndexPolicy};
pub use test_lines::TestOutcome;
