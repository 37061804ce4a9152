//! switchyard: routing policies for LLM requests sent through OpenRouter,
//! written as rules in a `.route` file, checked like a compiler would, and
//! decided per request without allocating.
//!
//! This crate is the one dependency of a Rust host. It loads a ruleset
//! (from a file, a folder or text, with one [`LoadOptions`]), decides and
//! explains, keeps a ruleset fresh from disk ([`LiveRuleset`]), tracks model
//! health ([`Health`]), reads OpenRouter's model catalog ([`catalog`]),
//! builds OpenRouter request bodies and reads their responses
//! ([`openrouter`], the default feature `openrouter`), and renders
//! diagnostics exactly as the `switchyard` command line does ([`render`]).
//!
//! ```
//! use switchyard::{CompiledTable, LoadOptions};
//!
//! // Once, at start-up: parse, check and compile. Warnings are worth
//! // logging; errors make loading fail with the diagnostics.
//! let (table, warnings) = CompiledTable::from_source(r#"
//!     context { tier: "free" | "pro" = "free"  needs_tools: bool = false }
//!     model claude = "anthropic/claude-3.5-sonnet"
//!     model mini = "openai/gpt-4o-mini"
//!     defaults max_tokens 1024
//!     rule pro: when tier == "pro" -> claude fallback [mini]
//!     rule tools: when needs_tools -> mini
//!     rule default: otherwise -> mini
//! "#)?;
//! assert!(warnings.is_empty());
//! // From a file or a folder: `CompiledTable::load(path, &LoadOptions::new())`.
//! # let _ = LoadOptions::new();
//!
//! // Per request: a context (unknown enum values and wrong types are
//! // errors here, never at decision time), then the decision.
//! let ctx = table.context().set("tier", "pro")?.set("needs_tools", true)?.build();
//! let decision = table.decide(&ctx)?.expect("a rule matches");
//! assert_eq!(decision.rule(), "pro");
//! assert_eq!(decision.model(), "anthropic/claude-3.5-sonnet");
//! assert_eq!(decision.fallbacks().collect::<Vec<_>>(), ["openai/gpt-4o-mini"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Loading
//!
//! Every way in parses, checks and compiles through the same code with the
//! same [`LoadOptions`]: [`CompiledTable::load`] (a `.route` file, or every
//! `.route` file of a folder; rules in JSON, a `.json` file or a folder's
//! `.route.json` files, load the same way), [`CompiledTable::from_sources`],
//! [`CompiledTable::from_source`], [`LiveRuleset::watch`] (through
//! [`ReloadOptions::load_options`]), and [`check`], which stops after
//! checking. The options hold the parser's [`Limits`], the model
//! [`Catalog`] (needed by `require` and `cheapest`; model ids it lacks are
//! W104), the [`IndexPolicy`] and the regex size limit. The condition
//! analysis (W101, W102, E008, N201) is a lint that `switchyard check`
//! runs; loading skips it unless [`LoadOptions::analysis`] asks.
//!
//! # The request path
//!
//! Per request, a host pays for the values it hands over and the decision,
//! and nothing else: no allocation, no name lookup, no copy of its strings.
//!
//! - **A typed request** ([`Request`]): bind the type once with
//!   [`LoadOptions::bind`]; every load and hot reload then checks that the
//!   ruleset declares each field the type gives, with a fitting type (a
//!   field renamed in the rules is an error at load, never a silent
//!   "unset"). [`CompiledTable::context_of`] fills a context straight
//!   from the struct; [`CompiledTable::decide_request`] does too, or, for a
//!   table of tests compiled for their types, reads each tested field in
//!   place and makes no context.
//! - **Field handles** ([`FieldHandle`], from [`CompiledTable::field`]):
//!   [`Context::set`] with a handle borrows strings and resolves a string
//!   to the rules' literal once, when it is set.
//! - **JSON bytes** ([`CompiledTable::context_from_slice`]): read against
//!   the schema by one serde visitor, strings borrowed from the bytes, no
//!   `serde_json::Value`.
//! - The by-name builder ([`CompiledTable::context`]) stays the convenient
//!   form; with [`LoadOptions::with_strict_context`], a key the schema does
//!   not declare is an error naming the nearest field, on every path.
//!
//! ```
//! use switchyard::{CompiledTable, Input, LoadOptions, Request, RequestFieldKind as K, SourceMap};
//!
//! struct Chat { tier: String, needs_tools: bool }
//!
//! impl Request for Chat {
//!     const FIELDS: &'static [(&'static str, K)] = &[("tier", K::Str), ("needs_tools", K::Bool)];
//!     fn value(&self, i: usize) -> Option<Input<'_>> {
//!         match i {
//!             0 => Some(self.tier.as_str().into()),
//!             1 => Some(self.needs_tools.into()),
//!             _ => None,
//!         }
//!     }
//! }
//!
//! let mut sources = SourceMap::new();
//! sources.add("rules.route", r#"
//!     context { tier: "free" | "pro" = "free"  needs_tools: bool = false }
//!     defaults max_tokens 1024
//!     rule tools: when needs_tools -> "openai/gpt-4o"
//!     rule default: otherwise -> "openai/gpt-4o-mini"
//! "#);
//! let (table, _) = CompiledTable::from_sources(sources, &LoadOptions::new().bind::<Chat>())?;
//! let chat = Chat { tier: "pro".into(), needs_tools: true };
//! assert_eq!(table.decide_request(&chat)?.map(|d| d.rule()), Some("tools"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! A ruleset with errors fails to load with [`RulesetError::Invalid`],
//! which carries the diagnostics and the sources to render them against:
//!
//! ```
//! use switchyard::{render, CompiledTable, RulesetError};
//! let Err(RulesetError::Invalid { diagnostics, sources }) = CompiledTable::from_source(
//!     "context { tier: \"free\" | \"pro\" }\nrule r: when tier == \"gold\" -> \"openai/gpt-4o\"",
//! ) else {
//!     unreachable!("`gold` is not a tier");
//! };
//! let text = render::human::render_all(&sources, &diagnostics, false);
//! assert!(text.starts_with("error[E004]: `\"gold\"` is not a value of `tier`"), "{text}");
//! ```

pub mod render;

pub use switchyard_eval::{
    check, split_bucket, BindError, Clock, CompileError, CompiledTable, Context, ContextBuilder,
    ContextError, DecideError, Decision, Explanation, FailedTest, Fallbacks, FieldHandle, Health,
    HealthPolicy, HealthRegistry, IndexPolicy, Input, LiveRuleset, LoadOptions, ManualClock,
    ReloadEvent, ReloadFailure, ReloadOptions, ReloadOutcome, ReloadStatus, Request,
    RequestFieldKind, RuleTrace, RulesetError, RulesetInfo, SystemClock, TestOutcome,
};

pub use switchyard_check::analysis::AnalysisOptions;
pub use switchyard_check::levels::{Level, Levels, NotALint};
pub use switchyard_check::{ir, Checked, Ruleset};

pub use switchyard_syntax::{
    nearest, set_call_limit, Code, Diagnostic, FileId, Label, Limits, LineCol, LoadError, Severity,
    SourceFile, SourceMap, Span,
};

/// Converting a ruleset file between the rule language and its JSON form
/// (docs/reference/json.md, "Converting"): `convert(text, file, from, to,
/// limits)` gives the other form's text, keeping every statement in its
/// order and every comment `fmt` keeps.
pub use switchyard_syntax::{convert, Form};

/// Formatting, as `switchyard fmt` does: `format_source` lays a `.route`
/// file out in the canonical layout (comments kept), `parse_sources` only
/// parses a ruleset (its syntax errors, nothing checked), `is_json_name`
/// tells a JSON ruleset's file name.
pub use switchyard_syntax::{format_source, is_json_name, parse_sources, ParseErrors};

/// OpenRouter's model catalog (`GET /api/v1/models`) as typed data: prices,
/// context lengths, capabilities, worst-case request costs.
pub use switchyard_catalog as catalog;
pub use switchyard_catalog::Catalog;

/// OpenRouter request bodies, headers and responses for decisions
/// (docs/reference/decisions.md). No network I/O: the host brings its HTTP
/// client.
///
/// ```
/// use switchyard::openrouter::{ChatRequest, Message, RequestOptions};
/// let (table, _) = switchyard::CompiledTable::from_source(
///     r#"rule default: otherwise -> "openai/gpt-4o-mini" max_tokens 512"#,
/// )?;
/// let ctx = table.context().build();
/// let decision = table.decide(&ctx)?.ok_or("no rule matched")?;
/// let body = ChatRequest::from_decision(&decision, vec![Message::user("Hi")], RequestOptions::default())?;
/// assert_eq!(body.to_json()["model"], "openai/gpt-4o-mini");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "openrouter")]
pub use switchyard_openrouter as openrouter;

/// State a fleet of hosts shares in Redis (the `redis` feature): model
/// health whose cooldowns reach every replica ([`fleet::SharedHealth`], a
/// [`HealthRegistry`]), and a spend ledger per key, user and team over UTC
/// days and months ([`fleet::Ledger`]).
#[cfg(feature = "redis")]
pub use switchyard_redis as fleet;
