//! `[redis]` and `[budgets]`: the state replicas share, and the spend
//! limits kept in it.
//!
//! ```toml
//! [redis]                # read at start only; `--redis URL` sets `url`
//! url = "redis://127.0.0.1:6379"
//! prefix = "switchyard"  # of every key and channel
//! ledger = "closed"      # Redis away: refuse budgeted requests (503), or "open"
//! resync = 5             # seconds between full reads of the cooldowns
//! timeout = 1            # seconds a Redis command may take
//!
//! [budgets]              # needs [redis]; followed on disk
//! reserve_usd = 0.05     # held for a request the catalog cannot price
//! user_daily_usd = 1     # each end user (OpenAI's `user`), per UTC day ...
//! user_monthly_usd = 20  # ... and month
//! [[budgets.teams]]      # the context field `team` (fix it in a key's fields)
//! name = "search"
//! daily_usd = 100
//! monthly_usd = 2000
//! ```
//!
//! A client key's own limits are `daily_usd` and `monthly_usd` in its
//! `[[keys]]` entry.

use serde::Deserialize;

use super::ConfigError;

/// `[redis]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisConfig {
    /// The server (`--redis` overrides it); none keeps everything in the
    /// process.
    pub url: Option<String>,
    /// Prefix of every key and channel.
    pub prefix: String,
    /// What the ledger does while Redis is away.
    pub ledger: LedgerMode,
    /// Seconds between full reads of the cooldowns.
    pub resync: f64,
    /// Seconds a Redis command may take.
    pub timeout: f64,
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            url: None,
            prefix: "switchyard".to_string(),
            ledger: LedgerMode::Closed,
            resync: 5.0,
            timeout: 1.0,
        }
    }
}

/// `redis.ledger`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LedgerMode {
    /// Refuse requests that would be charged (503 `ledger_unavailable`).
    #[default]
    Closed,
    /// Serve them, and record their cost when Redis is back.
    Open,
}

/// `[budgets]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BudgetsConfig {
    /// USD held for a request whose worst-case cost the catalog cannot
    /// tell (a model without a price, no catalog, no `max_tokens`).
    pub reserve_usd: f64,
    /// Each end user's limit per UTC day.
    pub user_daily_usd: Option<f64>,
    /// Each end user's limit per UTC month.
    pub user_monthly_usd: Option<f64>,
    /// Teams' limits.
    pub teams: Vec<TeamBudget>,
}

impl Default for BudgetsConfig {
    fn default() -> Self {
        BudgetsConfig {
            reserve_usd: 0.05,
            user_daily_usd: None,
            user_monthly_usd: None,
            teams: Vec::new(),
        }
    }
}

/// One `[[budgets.teams]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamBudget {
    /// The value of the context field `team`.
    pub name: String,
    /// Limit per UTC day.
    pub daily_usd: Option<f64>,
    /// Limit per UTC month.
    pub monthly_usd: Option<f64>,
}

/// A limit or an amount in USD: finite and not negative.
pub(crate) fn check_usd(field: &str, value: Option<f64>) -> Result<(), ConfigError> {
    match value {
        Some(v) if !(v.is_finite() && v >= 0.0) => Err(ConfigError::Usd {
            field: field.to_string(),
            value: v,
        }),
        _ => Ok(()),
    }
}

impl RedisConfig {
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        for (field, value) in [("resync", self.resync), ("timeout", self.timeout)] {
            if !(value > 0.0 && value < 3.2e7) {
                return Err(ConfigError::Redis { field });
            }
        }
        Ok(())
    }
}

impl BudgetsConfig {
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        check_usd("budgets.reserve_usd", Some(self.reserve_usd))?;
        check_usd("budgets.user_daily_usd", self.user_daily_usd)?;
        check_usd("budgets.user_monthly_usd", self.user_monthly_usd)?;
        for (i, team) in self.teams.iter().enumerate() {
            check_usd(&format!("budgets.teams[{i}].daily_usd"), team.daily_usd)?;
            check_usd(&format!("budgets.teams[{i}].monthly_usd"), team.monthly_usd)?;
        }
        Ok(())
    }

    /// The limits of a team, if configured.
    pub(crate) fn team(&self, name: &str) -> Option<&TeamBudget> {
        self.teams.iter().find(|t| t.name == name)
    }
}
