//! The configuration file (TOML): timeouts, limits, client keys, app
//! attribution, logging. Every key is optional; an unknown key is an error
//! naming it, with its line.
//!
//! ```toml
//! [timeouts]          # seconds (fractions allowed)
//! connect = 10        # opening a connection to the upstream
//! first_byte = 60     # from sending a request to the response's head
//! total = 600         # one attempt, streaming included
//! idle_stream = 60    # between two chunks of a stream
//! shutdown = 30       # in-flight requests on SIGTERM/SIGINT
//!
//! [limits]
//! max_body_bytes = 16777216
//! max_concurrent = 1024
//!
//! [attribution]       # OpenRouter's app attribution headers
//! title = "Acme"
//! referer = "https://acme.example"
//!
//! [health]          # when failures cool a model down (LiteLLM's defaults)
//! failures = 3        # this many failures ...
//! window = 60         # ... within this many seconds ...
//! cooldown = 60       # ... skip the model for this many seconds
//!
//! [log]
//! format = "human"    # or "json" (one object a line)
//! prompts = false     # the last user message in the access log
//!
//! [[keys]]            # with keys, every request needs one
//! name = "search-team"
//! sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
//! fields = { tier = "pro", team = "search" }
//! daily_usd = 10      # spend limits of the key (with [redis])
//! monthly_usd = 200
//! ```
//!
//! `[redis]` and `[budgets]`: see [`fleet`].
//!
//! The file is followed on disk (see `reload.rs`): everything in it takes
//! effect without a restart except `timeouts.connect`, `[health]` and
//! `log.format`, read at start. A new `limits.max_concurrent` applies to
//! the requests that arrive after it (those in flight keep their slots).
//!
//! A key's `sha256` is the hex SHA-256 of the key the client sends
//! (`printf %s "$KEY" | sha256sum`); its `fields` are context fields the
//! body cannot override.

mod fleet;

use std::collections::HashSet;
use std::time::Duration;

pub use fleet::{BudgetsConfig, LedgerMode, RedisConfig, TeamBudget};

use serde::Deserialize;
use serde_json::{Map, Value as Json};
use switchyard::HealthPolicy;

/// Why a configuration file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not TOML, or not this schema (the message has the line and key).
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    /// A timeout that is not a positive, finite number of seconds.
    #[error("timeouts.{field}: expected a positive number of seconds, got {value}")]
    Timeout {
        /// The key.
        field: &'static str,
        /// The value given.
        value: f64,
    },
    /// A health setting of zero (or not a number of seconds).
    #[error("health.{field} must be positive")]
    Health {
        /// The key.
        field: &'static str,
    },
    /// A limit of zero.
    #[error("limits.{field} must be at least 1")]
    Limit {
        /// The key.
        field: &'static str,
    },
    /// A `[redis]` duration that is not a positive number of seconds.
    #[error("redis.{field} must be a positive number of seconds")]
    Redis {
        /// The key.
        field: &'static str,
    },
    /// An amount of USD that is negative or not a number.
    #[error("{field}: expected a number of USD, at least 0, got {value}")]
    Usd {
        /// The key.
        field: String,
        /// The value given.
        value: f64,
    },
    /// A client key that is wrong (empty name, not a hex SHA-256, given
    /// twice).
    #[error("keys[{index}] (`{name}`): {problem}")]
    Key {
        /// Its position in `[[keys]]`.
        index: usize,
        /// Its name.
        name: String,
        /// What is wrong.
        problem: &'static str,
    },
}

/// The whole configuration file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Timeouts of upstream calls and of shutdown.
    pub timeouts: Timeouts,
    /// Limits on what clients may ask.
    pub limits: Limits,
    /// OpenRouter app attribution.
    pub attribution: AttributionConfig,
    /// When failures cool a model down. Read at start only.
    pub health: HealthConfig,
    /// The access log.
    pub log: LogConfig,
    /// Client keys; none means no authentication (loopback only unless
    /// `allow_unauthenticated` is true).
    pub keys: Vec<KeyConfig>,
    /// Whether to listen on a non-loopback address without client keys.
    pub allow_unauthenticated: bool,
    /// State shared by replicas. Read at start only.
    pub redis: RedisConfig,
    /// Spend limits (with `[redis]`).
    pub budgets: BudgetsConfig,
}

/// `[timeouts]`, in seconds.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Timeouts {
    /// Opening a TCP connection to the upstream. Read at start only.
    pub connect: f64,
    /// From sending a request to the head of the response.
    pub first_byte: f64,
    /// One attempt from start to end, a stream's last byte included.
    pub total: f64,
    /// The longest gap between two chunks of a stream.
    pub idle_stream: f64,
    /// How long in-flight requests may finish after SIGTERM or SIGINT.
    pub shutdown: f64,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            connect: 10.0,
            first_byte: 60.0,
            total: 600.0,
            idle_stream: 60.0,
            shutdown: 30.0,
        }
    }
}

impl Timeouts {
    /// The `connect` timeout.
    pub fn connect(&self) -> Duration {
        Duration::from_secs_f64(self.connect)
    }
    /// The `first_byte` timeout.
    pub fn first_byte(&self) -> Duration {
        Duration::from_secs_f64(self.first_byte)
    }
    /// The `total` timeout.
    pub fn total(&self) -> Duration {
        Duration::from_secs_f64(self.total)
    }
    /// The `idle_stream` timeout.
    pub fn idle_stream(&self) -> Duration {
        Duration::from_secs_f64(self.idle_stream)
    }
    /// The `shutdown` bound.
    pub fn shutdown(&self) -> Duration {
        Duration::from_secs_f64(self.shutdown)
    }
}

/// `[limits]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// The largest request body accepted (413 above).
    pub max_body_bytes: u64,
    /// Chat requests served at once (503 with `Retry-After` above). Read
    /// at start only.
    pub max_concurrent: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 16 * 1024 * 1024,
            max_concurrent: 1024,
        }
    }
}

/// `[attribution]`: OpenRouter's `X-Title` and `HTTP-Referer`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttributionConfig {
    /// `X-Title`.
    pub title: Option<String>,
    /// `HTTP-Referer`.
    pub referer: Option<String>,
}

/// `[health]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthConfig {
    /// Failures that cool a model down ...
    pub failures: u32,
    /// ... within this many seconds ...
    pub window: f64,
    /// ... for this many seconds.
    pub cooldown: f64,
}

impl Default for HealthConfig {
    fn default() -> HealthConfig {
        HealthConfig {
            failures: 3,
            window: 60.0,
            cooldown: 60.0,
        }
    }
}

impl HealthConfig {
    /// The health registry's policy.
    pub fn policy(&self) -> HealthPolicy {
        HealthPolicy {
            failures: self.failures,
            window: Duration::from_secs_f64(self.window),
            cooldown: Duration::from_secs_f64(self.cooldown),
        }
    }
}

/// `[log]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// Human lines or JSON lines. Read at start only.
    pub format: LogFormat,
    /// Whether the access log carries the last user message.
    pub prompts: bool,
}

/// The access log's format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line an event.
    #[default]
    Human,
    /// One JSON object a line.
    Json,
}

/// One `[[keys]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// Shown in the access log and metrics, never the key.
    pub name: String,
    /// The hex SHA-256 of the key.
    pub sha256: String,
    /// Context fields the key fixes.
    #[serde(default)]
    pub fields: Map<String, Json>,
    /// The key's spend limit per UTC day (with `[redis]`).
    pub daily_usd: Option<f64>,
    /// The key's spend limit per UTC month (with `[redis]`).
    pub monthly_usd: Option<f64>,
}

impl Config {
    /// Reads and checks a configuration file's text.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let t = &self.timeouts;
        for (field, value) in [
            ("connect", t.connect),
            ("first_byte", t.first_byte),
            ("total", t.total),
            ("idle_stream", t.idle_stream),
            ("shutdown", t.shutdown),
        ] {
            // Up to a year: Duration::from_secs_f64 must not overflow.
            if !(value > 0.0 && value < 3.2e7) {
                return Err(ConfigError::Timeout { field, value });
            }
        }
        let h = &self.health;
        for (field, value) in [("window", h.window), ("cooldown", h.cooldown)] {
            if !(value > 0.0 && value < 3.2e7) {
                return Err(ConfigError::Health { field });
            }
        }
        if h.failures == 0 {
            return Err(ConfigError::Health { field: "failures" });
        }
        if self.limits.max_body_bytes == 0 {
            return Err(ConfigError::Limit {
                field: "max_body_bytes",
            });
        }
        if self.limits.max_concurrent == 0 {
            return Err(ConfigError::Limit {
                field: "max_concurrent",
            });
        }
        self.redis.validate()?;
        self.budgets.validate()?;
        let mut names = HashSet::new();
        let mut digests = HashSet::new();
        for (index, key) in self.keys.iter().enumerate() {
            fleet::check_usd(&format!("keys[{index}].daily_usd"), key.daily_usd)?;
            fleet::check_usd(&format!("keys[{index}].monthly_usd"), key.monthly_usd)?;
            let problem = if key.name.trim().is_empty() {
                Some("the name is empty")
            } else if key.sha256.len() != 64 || !key.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                Some("`sha256` must be 64 hex digits (`printf %s \"$KEY\" | sha256sum`)")
            } else if !names.insert(key.name.as_str()) {
                Some("another key has this name")
            } else if !digests.insert(key.sha256.to_ascii_lowercase()) {
                Some("another key has this digest")
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(ConfigError::Key {
                    index,
                    name: key.name.clone(),
                    problem,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn an_empty_file_is_the_defaults() {
        let c = Config::from_toml("").unwrap();
        assert_eq!(c.timeouts.total(), Duration::from_secs(600));
        assert_eq!(c.limits.max_concurrent, 1024);
        assert!(c.keys.is_empty());
        assert_eq!(c.log.format, LogFormat::Human);
    }

    #[test]
    fn keys_and_fractions_of_seconds() {
        let c = Config::from_toml(
            "[timeouts]\nfirst_byte = 0.25\n[log]\nformat = \"json\"\n\
             [[keys]]\nname = \"a\"\nsha256 = \"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\"\n\
             fields = { tier = \"pro\", seats = 3 }\n",
        )
        .unwrap();
        assert_eq!(c.timeouts.first_byte(), Duration::from_millis(250));
        assert_eq!(c.log.format, LogFormat::Json);
        assert_eq!(c.keys[0].fields["seats"], 3);
    }

    #[test]
    fn mistakes_are_named() {
        let err = |text: &str| Config::from_toml(text).unwrap_err().to_string();
        assert!(err("[timeouts]\ntotl = 3").contains("totl"));
        assert!(err("[timeouts]\ntotal = 0").contains("timeouts.total"));
        assert!(err("[limits]\nmax_concurrent = 0").contains("limits.max_concurrent"));
        assert!(err("[[keys]]\nname = \"a\"\nsha256 = \"abc\"").contains("64 hex digits"));
        let twice = "[[keys]]\nname = \"a\"\nsha256 = \"".to_string()
            + &"0".repeat(64)
            + "\"\n[[keys]]\nname = \"a\"\nsha256 = \""
            + &"1".repeat(64)
            + "\"";
        assert!(err(&twice).contains("keys[1] (`a`): another key has this name"));
        assert!(err("[redis]\nledger = \"ajar\"").contains("ajar"));
        assert!(err("[redis]\nresync = 0").contains("redis.resync"));
        assert!(err("[budgets]\nuser_daily_usd = -1").contains("budgets.user_daily_usd"));
        assert!(err("[[budgets.teams]]\nname = \"a\"\nmonthly_usd = nan")
            .contains("budgets.teams[0].monthly_usd"));
    }

    #[test]
    fn redis_and_budgets() {
        let c = Config::from_toml(
            &("[redis]\nurl = \"redis://127.0.0.1:6379\"\nledger = \"open\"\n\
             [budgets]\nreserve_usd = 0.01\n[[budgets.teams]]\nname = \"search\"\ndaily_usd = 5\n\
             [[keys]]\nname = \"a\"\nsha256 = \""
                .to_string()
                + &"0".repeat(64)
                + "\"\ndaily_usd = 0.5\n"),
        )
        .unwrap();
        assert_eq!(c.redis.url.as_deref(), Some("redis://127.0.0.1:6379"));
        assert_eq!(c.redis.ledger, LedgerMode::Open);
        assert_eq!(c.budgets.team("search").unwrap().daily_usd, Some(5.0));
        assert!(c.budgets.team("other").is_none());
        assert_eq!(c.keys[0].daily_usd, Some(0.5));
        assert_eq!(Config::default().redis.ledger, LedgerMode::Closed);
    }
}
