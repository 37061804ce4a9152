//! Embedding switchyard in a host: load a ruleset, build a context, decide,
//! and turn the decision into the body of an OpenRouter chat-completions
//! request.
//!
//! ```text
//! cargo run -p switchyard --example embed
//! cargo run -p switchyard --example embed -- path/to/rules.route
//! ```
//!
//! The ruleset defaults to `examples/openrouter.route`. Nothing is sent:
//! the example prints the decision and the body a host would POST to
//! `https://openrouter.ai/api/v1/chat/completions` (see `proxy.rs` for a
//! host that does send it).

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;
use switchyard::openrouter::{ChatRequest, ContentPart, Message, RequestOptions};
use switchyard::{render, CompiledTable, LoadOptions, RulesetError};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/openrouter.route")
        });

    // 1. Load once at start-up (parse, check, compile), with the default
    //    options (add a model catalog with `.with_catalog(..)`). Errors make
    //    `load` fail with the diagnostics; they and the warnings print as
    //    `switchyard check` prints them.
    let (table, warnings) = match CompiledTable::load(&path, LoadOptions::new()) {
        Ok(loaded) => loaded,
        Err(RulesetError::Invalid {
            diagnostics,
            sources,
        }) => {
            eprint!(
                "{}",
                render::human::render_all(&sources, &diagnostics, false)
            );
            return Err(format!("{} does not load", path.display()).into());
        }
        Err(e) => return Err(e.into()),
    };
    eprint!(
        "{}",
        render::human::render_all(table.sources(), &warnings, false)
    );

    // 2. Per request: a context, built field by field (or from JSON with
    //    `table.context_from_json`). Fields the host leaves out take their
    //    defaults; a wrong type or an unknown enum value is an error here,
    //    never at decision time.
    let prompt = "Explain the trade-offs of LSM trees versus B-trees.";
    let ctx = table
        .context()
        .set("tier", "pro")?
        .set("task", "analysis")?
        .set("user", "user-1234")?
        .set("prompt", prompt)?
        .set("needs_vision", true)?
        .build();

    // 3. Decide: the first matching rule's decision (allocation-free).
    let decision = table.decide(&ctx)?.ok_or("no rule matched")?;
    println!(
        "rule {} -> {} (fallbacks: {:?})",
        decision.rule(),
        decision.model(),
        decision.fallbacks().collect::<Vec<_>>()
    );
    println!("decision: {}", serde_json::to_string(&decision)?);

    // 4. The body: the decision's routing (model, models, max_tokens,
    //    provider, params) plus the conversation and the host's own fields.
    let messages = vec![
        Message::system("You are a concise assistant."),
        Message::user_parts(vec![
            ContentPart::text(prompt),
            ContentPart::image_url("https://example.com/lsm-vs-btree.png"),
        ]),
    ];
    let mut options = RequestOptions::default();
    options.params.insert("user".into(), json!("user-1234"));
    let body = ChatRequest::from_decision(&decision, messages, options)?;
    println!("body:\n{}", serde_json::to_string_pretty(&body)?);
    Ok(())
}
