//! OpenRouter request bodies, headers and responses for switchyard
//! decisions (docs/reference/decisions.md).
//!
//! - [`ChatRequest::from_decision`] turns a [`switchyard_eval::Decision`]
//!   and the conversation into the body of `POST /api/v1/chat/completions`:
//!   `model`, `models` (only with fallbacks), `max_tokens`, a typed
//!   [`ProviderPreferences`], `transforms`, every `params` key, the
//!   messages as given, and the host's `stream`, `tools` and `tool_choice`.
//! - [`headers`] gives `Authorization: Bearer …` and the app attribution
//!   headers; an [`ApiKey`] never prints itself.
//! - [`read_response`], [`parse_response`] and [`parse_stream_final_chunk`]
//!   read what came back into an [`Outcome`] (served model, provider,
//!   tokens, cost with its [`CostSource`]), and error bodies into an
//!   [`OpenRouterError`] that says whether the next model is worth trying.
//!
//! Nothing here does network I/O: hosts bring their own HTTP client.
//!
//! # Choices
//!
//! - **Deprecated fields.** The body never carries `route` (OpenRouter's
//!   deprecated routing switch): fallbacks go in `models`. `transforms` and
//!   `params` such as `route` or `usage` are still sent when a ruleset
//!   asks for them (the checker warns with W107 and names the
//!   replacement). `max_tokens` is sent as docs/reference/decisions.md says; OpenRouter
//!   prefers `max_completion_tokens` but still honours `max_tokens`.
//! - **Chains.** `models` is sent only with fallbacks, and in full: a chain
//!   longer than the 3 models OpenRouter has been seen to accept is the
//!   checker's warning W108, not something the body trims.
//! - **Provider object.** Read into [`ProviderPreferences`], whose keys and
//!   value sets are the checker's `PROVIDER_KEYS` table; an unknown key is
//!   an error, since OpenRouter rejects it. Numbers (`max_price`, in USD
//!   per million tokens) are kept as written.
//! - **Nothing is dropped.** A field set both by the ruleset's `params` and
//!   by the host to different values is [`BodyError::Conflict`].
//! - **Costs.** An [`Outcome`]'s cost is the response's `usage.cost` when
//!   present, else the catalog's prices for the served model times the
//!   actual tokens; [`CostSource`] says which.
//!
//! ```
//! use switchyard_eval::CompiledTable;
//! use switchyard_openrouter::{headers, read_response, ApiKey, Attribution, ChatRequest, Message,
//!     RequestOptions};
//!
//! let (table, _) = CompiledTable::from_source(r#"
//!     context { tier: "free" | "pro" = "free" }
//!     model claude = "anthropic/claude-3.5-sonnet"
//!     model mini = "openai/gpt-4o-mini"
//!     rule pro: when tier == "pro" -> claude fallback [mini] max_tokens 2048
//!                 provider { sort: "throughput" }
//!     rule default: otherwise -> mini max_tokens 512
//! "#)?;
//! let ctx = table.context().set("tier", "pro")?.build();
//! let decision = table.decide(&ctx)?.ok_or("no rule matched")?;
//!
//! let body = ChatRequest::from_decision(
//!     &decision,
//!     vec![Message::user("Hello!")],
//!     RequestOptions::default(),
//! )?;
//! assert_eq!(body.to_json(), serde_json::json!({
//!     "model": "anthropic/claude-3.5-sonnet",
//!     "models": ["anthropic/claude-3.5-sonnet", "openai/gpt-4o-mini"],
//!     "max_tokens": 2048,
//!     "provider": { "sort": "throughput" },
//!     "messages": [{ "role": "user", "content": "Hello!" }],
//! }));
//!
//! let key = ApiKey::new("sk-or-v1-0123456789abcdef0123")?;
//! let attribution = Attribution::new().referer("https://acme.example")?.title("Acme")?;
//! let hdrs = headers(&key, Some(&attribution));
//! assert_eq!(hdrs[0].0, "Authorization");
//! assert_eq!(format!("{key:?}"), "ApiKey(sk-…0123)");
//!
//! // ... the host POSTs `body.to_json_string()` with `hdrs` ...
//!
//! let outcome = read_response(200, r#"{
//!     "id": "gen-1", "model": "openai/gpt-4o-mini", "provider": "OpenAI",
//!     "choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": "Hi"}}],
//!     "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11, "cost": 0.0000025}
//! }"#, None)?;
//! assert_eq!(outcome.model, "openai/gpt-4o-mini"); // the fallback served it
//! assert_eq!(outcome.cost_usd(), Some(0.0000025));
//!
//! let err = read_response(404, r#"{"error": {"code": 404,
//!     "message": "No endpoints found that support tool use"}}"#, None).unwrap_err();
//! assert!(err.api().is_some_and(|e| e.retry_next_model()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod body;
mod headers;
mod message;
mod provider;
mod response;

pub use body::{BodyError, ChatRequest, RequestOptions, Route};
pub use headers::{headers, ApiKey, Attribution, HeaderError};
pub use message::{
    messages_from_value, parse_messages, Content, ContentPart, FunctionCall, ImageUrl, Message,
    MessagesError, Role, ToolCall,
};
pub use provider::{
    Amount, DataCollection, MaxPrice, Partition, PercentileCutoffs, Percentiles, ProviderError,
    ProviderPreferences, ProviderSort, Quantization, SortBy, SortSpec,
};
pub use response::{
    parse_response, parse_stream_final_chunk, read_response, Availability, ChatResponse,
    Constraint, CostSource, ErrorCode, OpenRouterError, Outcome, ResponseError, ResponseUsage,
    Usage,
};
