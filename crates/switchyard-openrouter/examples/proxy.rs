//! An OpenAI-compatible routing proxy in front of OpenRouter: any client of
//! the OpenAI chat-completions API (the official SDKs, LangChain, curl)
//! points its base URL here, and a switchyard ruleset picks the model,
//! the fallbacks and the provider preferences of every request.
//!
//! ```text
//! export OPENROUTER_API_KEY=sk-or-...
//! cargo run -p switchyard-openrouter --features tls --example proxy -- \
//!     --rules examples/openrouter.route --listen 127.0.0.1:8080
//! ```
//!
//! `--features tls` builds in rustls, needed for `https://openrouter.ai`.
//! Without it the proxy speaks plain HTTP only (for a local upstream such
//! as a test stub or a TLS-terminating sidecar, `--upstream
//! http://127.0.0.1:9000/api/v1`), and refuses an https upstream at
//! start-up.
//!
//! Then, with the OpenAI Python client:
//!
//! ```text
//! from openai import OpenAI
//! client = OpenAI(base_url="http://127.0.0.1:8080/v1", api_key="unused")
//! r = client.chat.completions.create(
//!     model="switchyard",  # ignored: the ruleset decides
//!     messages=[{"role": "user", "content": "Explain LSM trees"}],
//!     extra_body={"switchyard_context": {"tier": "pro", "task": "analysis"}},
//! )
//! print(r.model)  # the model that served
//! ```
//!
//! The routing context travels in the body's `switchyard_context` object;
//! `needs_tools`, `needs_vision`, `prompt` and `prompt_tokens` are filled in
//! from the request when the ruleset declares them and the context leaves
//! them out. See `examples/proxy/server.rs` for what happens to a request
//! (fallback along the chain, health reports, streaming, errors).
//!
//! Options (each also read from an environment variable):
//!
//! | option | variable | default |
//! | --- | --- | --- |
//! | `--rules PATH` | `SWITCHYARD_RULES` | `examples/openrouter.route` |
//! | `--listen ADDR` | `SWITCHYARD_LISTEN` | `127.0.0.1:8080` |
//! | `--upstream URL` | `SWITCHYARD_UPSTREAM` | `https://openrouter.ai/api/v1` |
//! | `--catalog FILE` | `SWITCHYARD_CATALOG` | none (needed by `require`/`cheapest`) |
//! | `--workers N` | `SWITCHYARD_WORKERS` | 8 |
//! | `--timeout SECONDS` | `SWITCHYARD_TIMEOUT` | 300 |
//! | `--title NAME` | `SWITCHYARD_APP_TITLE` | none (OpenRouter app attribution) |
//! | `--referer URL` | `SWITCHYARD_APP_URL` | none (OpenRouter app attribution) |
//!
//! The API key comes from `OPENROUTER_API_KEY` only (never from the command
//! line, where `ps` would show it) and is never logged. The ruleset is
//! hot-reloaded: edit it while the proxy runs.

#[path = "proxy/server.rs"]
mod server;

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use switchyard_catalog::Catalog;
use switchyard_eval::{Health, LiveRuleset, LoadOptions, ReloadEvent, ReloadOptions};
use switchyard_openrouter::{ApiKey, Attribution};

use crate::server::{Config, Proxy};

const USAGE: &str = "\
usage: proxy [--rules PATH] [--listen ADDR] [--upstream URL] [--catalog FILE]
             [--workers N] [--timeout SECONDS] [--title NAME] [--referer URL]
The API key is read from OPENROUTER_API_KEY. See the top of examples/proxy.rs.";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("proxy: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let options = Options::parse()?;
    let key = std::env::var("OPENROUTER_API_KEY")
        .map_err(|_| "set OPENROUTER_API_KEY to the upstream's API key")?;
    let api_key = ApiKey::new(key)?;

    let catalog = match &options.catalog {
        Some(path) => Some(Arc::new(
            Catalog::load(path).map_err(|e| format!("--catalog {}: {e}", path.display()))?,
        )),
        None => None,
    };
    let mut load = LoadOptions::default();
    if let Some(c) = &catalog {
        load = load.with_catalog(Arc::clone(c));
    }
    let reload = ReloadOptions::new()
        .load_options(load)
        .on_reload(|event| match event {
            ReloadEvent::Loaded {
                generation,
                table,
                warnings,
            } => eprintln!(
                "proxy: ruleset generation {generation} loaded: {} rules, digest {}, {} warning(s)",
                table.len(),
                table.info().hash,
                warnings.len()
            ),
            ReloadEvent::Failed { failure } => eprintln!(
                "proxy: ruleset reload failed, the previous one keeps serving:\n{}",
                failure.render()
            ),
            ReloadEvent::Recovered { generation } => {
                eprintln!("proxy: ruleset back to generation {generation}")
            }
            other => eprintln!("proxy: {other:?}"),
        });
    let rules = Arc::new(
        LiveRuleset::watch(&options.rules, reload)
            .map_err(|e| format!("{}: {e}", options.rules.display()))?,
    );

    let mut config = Config::new(options.upstream.clone(), api_key);
    config.timeout = options.timeout;
    config.catalog = catalog;
    let mut attribution = Attribution::new();
    let mut attributed = false;
    if let Some(t) = &options.title {
        attribution = attribution.title(t.clone())?;
        attributed = true;
    }
    if let Some(r) = &options.referer {
        attribution = attribution.referer(r.clone())?;
        attributed = true;
    }
    config.attribution = attributed.then_some(attribution);

    let proxy = Proxy::new(rules, Arc::new(Health::default()), config)?;
    let running = proxy.start(&options.listen, options.workers)?;
    eprintln!(
        "proxy: listening on http://{}/v1 (POST /v1/chat/completions, GET /healthz), \
         upstream {}",
        running.addr(),
        options.upstream
    );
    running.wait();
    Ok(())
}

/// The command line, with environment variables as defaults.
struct Options {
    rules: PathBuf,
    listen: String,
    upstream: String,
    catalog: Option<PathBuf>,
    workers: usize,
    timeout: Duration,
    title: Option<String>,
    referer: Option<String>,
}

impl Options {
    fn parse() -> Result<Options, Box<dyn Error>> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut o = Options {
            rules: env("SWITCHYARD_RULES").map_or_else(
                || {
                    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                        .join("../../examples/openrouter.route")
                },
                PathBuf::from,
            ),
            listen: env("SWITCHYARD_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".to_string()),
            upstream: env("SWITCHYARD_UPSTREAM")
                .unwrap_or_else(|| "https://openrouter.ai/api/v1".to_string()),
            catalog: env("SWITCHYARD_CATALOG").map(PathBuf::from),
            workers: number("SWITCHYARD_WORKERS", env("SWITCHYARD_WORKERS"))?.unwrap_or(8),
            timeout: Duration::from_secs(
                number("SWITCHYARD_TIMEOUT", env("SWITCHYARD_TIMEOUT"))?.unwrap_or(300),
            ),
            title: env("SWITCHYARD_APP_TITLE"),
            referer: env("SWITCHYARD_APP_URL"),
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            if flag == "-h" || flag == "--help" {
                println!("{USAGE}");
                std::process::exit(0);
            }
            let value = args
                .next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
            match flag.as_str() {
                "--rules" => o.rules = PathBuf::from(value),
                "--listen" => o.listen = value,
                "--upstream" => o.upstream = value,
                "--catalog" => o.catalog = Some(PathBuf::from(value)),
                "--workers" => o.workers = number(&flag, Some(value))?.unwrap_or(o.workers),
                "--timeout" => {
                    o.timeout = Duration::from_secs(number(&flag, Some(value))?.unwrap_or(300))
                }
                "--title" => o.title = Some(value),
                "--referer" => o.referer = Some(value),
                _ => return Err(format!("unknown option {flag}\n{USAGE}").into()),
            }
        }
        Ok(o)
    }
}

/// A positive whole number, named `what` in the error.
fn number<T: TryFrom<u64>>(what: &str, value: Option<String>) -> Result<Option<T>, String> {
    value
        .map(|v| {
            v.trim()
                .parse::<u64>()
                .ok()
                .filter(|&n| n > 0)
                .and_then(|n| T::try_from(n).ok())
                .ok_or_else(|| format!("{what} must be a positive whole number, got {v:?}"))
        })
        .transpose()
}
