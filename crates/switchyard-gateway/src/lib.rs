//! `switchyard serve`: an OpenAI-compatible gateway in front of OpenRouter
//! (or any OpenAI-compatible upstream) that routes every request with a
//! switchyard ruleset.
//!
//! Any client of the chat-completions API (the official SDKs, LangChain,
//! curl) points its base URL at the gateway; the ruleset picks the model,
//! the fallbacks and the provider preferences of every request.
//!
//! # Endpoints
//!
//! - `POST /v1/chat/completions`: JSON, or server-sent events with
//!   `"stream": true`, relayed byte for byte as they arrive.
//! - `GET /v1/models`: the models the ruleset can route to (with the
//!   catalog's name, context length and prices when there is a catalog).
//! - `GET /healthz` (alive), `GET /readyz` (the ruleset served: generation,
//!   version, digest, last reload error; models cooled down).
//! - `GET /metrics`: Prometheus text (requests by rule, model and status;
//!   upstream latency and time to first byte; fallbacks; cooldowns;
//!   reloads; decision time).
//!
//! # A request
//!
//! 1. With client keys configured, `Authorization: Bearer <key>` must name
//!    one (401 otherwise). The key's `fields` are fixed context fields.
//! 2. The body is OpenAI's chat-completions request (415 unless JSON, 413
//!    over `limits.max_body_bytes`). `model` is ignored (the ruleset
//!    decides; the response's `model` and `X-Switchyard-Model` say which
//!    served); `max_tokens` / `max_completion_tokens` may lower the rule's
//!    cap, never raise it; `models`, `provider`, `transforms` and `route`
//!    are refused (400), as they belong to the routing policy.
//! 3. The routing context: the key's fields, then the body's
//!    `switchyard_context` object (with the OpenAI Python client:
//!    `extra_body={"switchyard_context": {...}}`), then, when the ruleset
//!    declares them, `needs_tools` (the request has `tools`),
//!    `needs_vision` (an image part), `prompt` (the last user message),
//!    `prompt_tokens` (characters / 4) and `user` (OpenAI's `user`). A bad
//!    value is a 400 naming the field; no rule matching is a 422.
//! 4. With `--redis` (`fleet.rs`, `budget.rs`), the request is
//!    charged to its key, team and user: the ledger's `budget_remaining`
//!    and `spent_today` join the context when the ruleset declares them,
//!    and the decision's worst-case cost is held before the upstream call
//!    (429 `budget_exceeded` over a limit, 503 `ledger_unavailable` when
//!    Redis is away and the ledger fails closed), then settled to the
//!    answer's cost.
//! 5. The decision skips models the health registry has cooled down (with
//!    `--redis`, cooled down by any replica). The
//!    upstream body is built by `switchyard::openrouter`; on an error
//!    another model can fix (5xx, 429, a model-specific 404, a first-byte
//!    timeout) the model is reported to the health registry and the next
//!    one of the chain is tried, as long as nothing has been sent to the
//!    client. Other errors (400, 401, 402, moderation) come back at once,
//!    as the upstream sent them.
//! 6. The answer goes back with `X-Switchyard-Rule`, `-Variant`, `-Model`,
//!    `-Attempts`, `-Degraded` and `-Ruleset` headers. A stream that
//!    breaks, idles past `timeouts.idle_stream` or runs past
//!    `timeouts.total` ends with an in-band `{"error": ...}` event; a
//!    client that disconnects cancels the upstream request.
//!
//! It serves on a thread per core, each with a single-threaded tokio
//! runtime, its own `SO_REUSEPORT` listener and its own upstream pool (see
//! `server.rs`); the ruleset, settings, health and metrics are shared.
//!
//! Errors the gateway answers itself have OpenAI's error shape and a
//! stable `code` ([`Code`]). The upstream key (`OPENROUTER_API_KEY`) is
//! sent only upstream, never logged; client keys are stored as SHA-256
//! digests.

mod body;
mod budget;
mod client;
mod config;
mod context;
mod error;
mod fleet;
mod gateway;
mod incoming;
mod log;
mod metrics;
mod plan;
mod reload;
mod report;
mod routing;
mod server;
mod settings;
mod status;
mod upstream;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use switchyard::openrouter::ApiKey;
use switchyard::{Catalog, Health, HealthRegistry, RulesetError, SystemClock};

pub use budget::{BUDGET_REMAINING, SPENT_TODAY};
pub use client::ClientError;
use client::UpstreamClient;
pub use config::{
    AttributionConfig, BudgetsConfig, Config, ConfigError, HealthConfig, KeyConfig, LedgerMode,
    Limits, LogConfig, LogFormat, RedisConfig, TeamBudget, Timeouts,
};
pub use error::{Code, Failure};
pub use incoming::CONTEXT_FIELD;
pub use settings::SettingsError;

use crate::gateway::Gateway;
use crate::metrics::Metrics;
use crate::reload::Watched;
use crate::routing::Routing;
use crate::settings::Settings;

/// OpenRouter's API base, the default upstream.
pub const OPENROUTER_API: &str = "https://openrouter.ai/api/v1";

/// What `switchyard serve` is started with.
#[derive(Debug)]
pub struct Options {
    /// A `.route` file or a folder of them (followed on disk).
    pub rules: PathBuf,
    /// OpenRouter's model catalog (`GET /api/v1/models`), followed on disk.
    pub catalog: Option<PathBuf>,
    /// Where to listen, e.g. `127.0.0.1:8080` (port 0 picks a free one).
    pub listen: String,
    /// The upstream's API base (`/chat/completions` is appended).
    pub upstream: String,
    /// The configuration file (TOML), followed on disk.
    pub config: Option<PathBuf>,
    /// The upstream's API key.
    pub api_key: ApiKey,
    /// Redis, for health and spend shared with other replicas (overrides
    /// the configuration's `redis.url`).
    pub redis: Option<String>,
}

/// Why the gateway could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The configuration file cannot be read.
    #[error("{path}: {source}")]
    ReadConfig {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The configuration file is not valid.
    #[error("{path}: {source}")]
    Config {
        /// The file.
        path: PathBuf,
        /// Why.
        source: ConfigError,
    },
    /// The configuration cannot make upstream headers.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The catalog cannot be read.
    #[error("--catalog {path}: {message}")]
    Catalog {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The ruleset cannot be loaded (render [`RulesetError::Invalid`]'s
    /// diagnostics for the details).
    #[error("{path}: {source}")]
    Rules {
        /// The ruleset's path.
        path: PathBuf,
        /// Why.
        source: RulesetError,
    },
    /// The upstream URL is not usable.
    #[error("--upstream: {0}")]
    Upstream(String),
    /// The upstream client cannot be set up.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// A non-loopback address without client keys.
    #[error(
        "refusing to listen on {0} without client keys: add [[keys]] to the configuration, \
         or set allow_unauthenticated = true"
    )]
    Unauthenticated(std::net::SocketAddr),
    /// The Redis URL is not usable.
    #[error("--redis: {0}")]
    Redis(switchyard::fleet::RedisError),
    /// The async runtime cannot start.
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
}

/// Runs the gateway until SIGTERM or SIGINT, then drains it. Prints
/// `listening on http://ADDR/v1` on standard output once it accepts
/// connections; logs on standard error.
pub fn run(options: Options) -> Result<(), ServeError> {
    let (config, config_bytes) = match &options.config {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|source| ServeError::ReadConfig {
                path: path.clone(),
                source,
            })?;
            let config = Config::from_toml(&String::from_utf8_lossy(&bytes)).map_err(|source| {
                ServeError::Config {
                    path: path.clone(),
                    source,
                }
            })?;
            (config, Some((path.clone(), bytes)))
        }
        None => (Config::default(), None),
    };
    log::install(config.log.format);
    let (catalog, catalog_bytes) = match &options.catalog {
        Some(path) => {
            let failed = |message: String| ServeError::Catalog {
                path: path.clone(),
                message,
            };
            let bytes = std::fs::read(path).map_err(|e| failed(e.to_string()))?;
            let catalog = Catalog::from_json_str(&String::from_utf8_lossy(&bytes))
                .map_err(|e| failed(e.to_string()))?;
            (Some(Arc::new(catalog)), Some((path.clone(), bytes)))
        }
        None => (None, None),
    };
    let chat_url = client::chat_url(&options.upstream).map_err(ServeError::Upstream)?;
    let metrics = Arc::new(Metrics::new());
    let routing =
        Routing::watch(&options.rules, catalog, Arc::clone(&metrics), None).map_err(|source| {
            ServeError::Rules {
                path: options.rules.clone(),
                source,
            }
        })?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let sockets = server::bind(&options.listen, threads).map_err(|source| ServeError::Listen {
        addr: options.listen.clone(),
        source,
    })?;
    let addr = sockets.addr;
    let settings = Settings::new(config, &options.api_key)?;
    let keys = settings.config.keys.len();
    if keys == 0 && !addr.ip().is_loopback() && !settings.config.allow_unauthenticated {
        return Err(ServeError::Unauthenticated(addr));
    }
    let clients = (0..threads)
        .map(|_| UpstreamClient::new(&chat_url, settings.config.timeouts.connect()))
        .collect::<Result<Vec<_>, _>>()?;
    let redis_url = options.redis.clone().or(settings.config.redis.url.clone());
    let shared = match redis_url {
        Some(url) => Some(fleet::connect(&settings.config, url)?),
        None => None,
    };
    let (health, fleet, redis_thread) = match shared {
        Some(c) => (c.health, Some(c.fleet), Some(c.thread)),
        None => {
            let health = Health::new(
                settings.config.health.policy(),
                Arc::new(SystemClock::default()),
            );
            let health: Arc<dyn HealthRegistry> = Arc::new(health);
            (health, None, None)
        }
    };
    let gateway = Arc::new(Gateway::new(
        routing, health, fleet, settings, chat_url, metrics,
    ));
    // The main thread follows the files and waits for a signal.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    let serving =
        server::start(&gateway, sockets, clients).map_err(|source| ServeError::Listen {
            addr: options.listen.clone(),
            source,
        })?;
    if keys == 0 {
        tracing::warn!("no client keys configured: requests are not authenticated (loopback only)");
    }
    tracing::info!(%addr, upstream = options.upstream.as_str(), keys, threads, "listening");
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on http://{addr}/v1");
    let _ = out.flush();
    drop(out);
    let watched = Watched {
        rules: options.rules.clone(),
        config: config_bytes,
        catalog: catalog_bytes,
        api_key: options.api_key,
    };
    runtime.block_on(async {
        tokio::spawn(reload::follow(Arc::clone(&gateway), watched));
        server::signal().await;
    });
    tracing::info!(
        seconds = gateway
            .settings
            .load()
            .config
            .timeouts
            .shutdown()
            .as_secs_f64(),
        "shutting down: no new connections; finishing the requests in flight"
    );
    serving.stop();
    if let (Some(fleet), Some(thread)) = (&gateway.fleet, redis_thread) {
        thread.stop(fleet);
    }
    runtime.shutdown_background();
    tracing::info!("stopped");
    Ok(())
}
