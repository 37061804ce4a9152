//! State a fleet of switchyard hosts (gateway replicas, or instances of an
//! application that embeds the engine) shares in Redis.
//!
//! - [`SharedHealth`]: a [`HealthRegistry`](switchyard_eval::HealthRegistry)
//!   whose failures are counted in Redis and whose cooldowns reach every
//!   replica over pub/sub (within milliseconds), with a periodic resync for
//!   anything missed. Decisions read the local snapshot, as with an
//!   in-process [`Health`](switchyard_eval::Health): deciding costs the same.
//! - [`Ledger`]: spend per account (client key, user, team) over UTC days
//!   and months, with limits; a call reserves its worst-case cost before it
//!   runs and settles to its actual cost after, each one atomic script.
//!
//! When Redis is away, decisions go on from the last snapshot and failures
//! are counted locally; the ledger refuses calls ([`FailMode::Closed`], the
//! default) or lets them through and records their cost once Redis is back
//! ([`FailMode::Open`]). The connection comes back by itself.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use switchyard_redis::{Account, Ledger, LedgerOptions, Micros, Redis, RedisOptions,
//!     SharedHealth, SharedHealthOptions};
//! use switchyard_eval::HealthRegistry;
//!
//! let redis = Redis::connect(&RedisOptions::new("redis://127.0.0.1:6379"))?;
//! let health = SharedHealth::start(&redis, SharedHealthOptions::default());
//! health.report_failure("openai/gpt-4o"); // counted for the whole fleet
//! let _decide_with = health.snapshot(); // `table.decide_with_health(&ctx, health.snapshot())`
//!
//! let ledger = Ledger::new(&redis, LedgerOptions::default());
//! let team = Account { daily: Some(Micros::from_usd(100.0)), ..Account::new("team", "eng") };
//! let hold = ledger.reserve(&[team], Micros::from_usd(0.05)).await?;
//! // ... the call ...
//! ledger.settle(&hold, Micros::from_usd(0.012)).await;
//! # Ok(()) }
//! ```

mod connection;
mod health;
mod ledger;
mod window;

pub use connection::{Redis, RedisError, RedisOptions, Status};
pub use health::{SharedHealth, SharedHealthOptions};
pub use ledger::{
    unix_now, Account, FailMode, Ledger, LedgerError, LedgerOptions, Reservation, Settled,
    WindowBalance,
};
pub use window::{rfc3339, Micros, Window, WindowSpan};
