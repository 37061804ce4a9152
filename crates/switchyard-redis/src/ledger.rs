//! The spend ledger: what each account (a client key, a user, a team) has
//! spent over the current UTC day and month, in micro-dollars, with limits.
//!
//! Before a call, [`Ledger::reserve`] holds its worst-case cost against
//! every window of every account it is charged to, unless that takes one
//! past its limit; after it, [`Ledger::settle`] releases the hold and adds
//! the actual cost. Each is one Lua script, atomic in Redis, and holds
//! count against limits: concurrent calls across a fleet never take an
//! account past a limit unless calls cost more than they reserved, and
//! then by at most that excess, for calls in flight. A settle happens
//! once per reservation (a retry after a lost reply changes nothing); a
//! reservation refused because Redis did not answer in time holds nothing
//! once Redis answers again; a reservation never settled (its replica
//! died) releases its hold after [`LedgerOptions::reservation_ttl`].
//!
//! Keys: `PREFIX:ledger:KIND:ID:d2026-12-02` and `...:m2026-12` (hashes
//! `spent`, `held`; kept 8 and 62 days past the window's end),
//! `PREFIX:ledger:reservations` (by expiry) and `...:reservations:ID`,
//! `PREFIX:ledger:settled:ID`.

mod account;
mod settle;

pub use account::{Account, WindowBalance};
pub use settle::Settled;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::Script;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::connection::{replica_id, Redis};
use crate::window::{rfc3339, Micros, Window, WindowSpan};
use account::account_key;
use settle::{retry, settled_key, Queued, Settler};

/// What the ledger does when Redis does not answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailMode {
    /// Refuse the call ([`LedgerError::Unavailable`]): no limit is ever
    /// exceeded, but nothing is served while Redis is away.
    #[default]
    Closed,
    /// Let the call through unrecorded at reserve time; its cost is
    /// settled when Redis is back. Limits can be exceeded meanwhile.
    Open,
}

/// How a [`Ledger`] behaves.
#[derive(Clone, Copy, Debug)]
pub struct LedgerOptions {
    /// When Redis is away.
    pub fail: FailMode,
    /// How long a hold lasts when its call never settles.
    pub reservation_ttl: Duration,
    /// How long a settled reservation id is remembered (a settle retried
    /// within it is not counted twice).
    pub settled_ttl: Duration,
}

impl Default for LedgerOptions {
    /// Fail closed, holds for 10 minutes, settled ids for 2 days.
    fn default() -> Self {
        LedgerOptions {
            fail: FailMode::Closed,
            reservation_ttl: Duration::from_secs(600),
            settled_ttl: Duration::from_secs(2 * 86_400),
        }
    }
}

/// Why the ledger refused a call.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The call's worst-case cost would take an account past a limit.
    #[error(
        "the {} limit of {} `{}` ({limit}) is reached: {spent} spent, {held} held by calls \
         in flight, {cost} needed; it resets at {}",
        window.adjective(), kind, id, rfc3339(*resets_at)
    )]
    OverLimit {
        /// The account's kind.
        kind: String,
        /// The account's id.
        id: String,
        /// Day or month.
        window: Window,
        /// The limit.
        limit: Micros,
        /// Spent in the window.
        spent: Micros,
        /// Held by calls in flight.
        held: Micros,
        /// The call's worst-case cost.
        cost: Micros,
        /// When the window ends (Unix seconds, UTC).
        resets_at: i64,
    },
    /// Redis does not answer and the ledger fails closed.
    #[error("the spend ledger is unavailable (redis: {0})")]
    Unavailable(redis::RedisError),
}

/// A call's hold on the ledger, to settle when the call ends.
#[derive(Clone, Debug)]
pub struct Reservation {
    id: String,
    accounts: Vec<String>,
    amount: Micros,
    recorded: bool,
}

impl Reservation {
    /// Its id (unique across the fleet).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The amount held.
    pub fn amount(&self) -> Micros {
        self.amount
    }

    /// False when Redis was away and the ledger fails open: nothing is
    /// held, and the settle is what records the cost.
    pub fn is_recorded(&self) -> bool {
        self.recorded
    }
}

/// A fleet's spend, in Redis. Cheap to share (`Arc`); dropping it stops
/// the retrying of queued settles.
#[derive(Debug)]
pub struct Ledger {
    redis: Redis,
    options: LedgerOptions,
    reserve: Script,
    settle: Arc<Script>,
    replica: String,
    ids: AtomicU64,
    queue: mpsc::UnboundedSender<Queued>,
    queued: Arc<AtomicUsize>,
    /// Settles running in tasks of their own.
    settling: Arc<AtomicUsize>,
    retry: AbortHandle,
}

/// Seconds since 1970-01-01 UTC, now.
pub fn unix_now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    i64::try_from(secs).unwrap_or(i64::MAX)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl Ledger {
    /// A ledger on `redis`. Starts the task that retries queued settles on
    /// `redis`'s runtime.
    pub fn new(redis: &Redis, options: LedgerOptions) -> Ledger {
        let settle = Arc::new(Script::new(include_str!("lua/settle.lua")));
        let queued = Arc::new(AtomicUsize::new(0));
        let (queue, pending) = mpsc::unbounded_channel();
        let retry = redis
            .runtime
            .spawn(retry(
                Settler {
                    redis: redis.clone(),
                    script: Arc::clone(&settle),
                    options,
                    queue: queue.clone(),
                    queued: Arc::clone(&queued),
                },
                pending,
            ))
            .abort_handle();
        Ledger {
            redis: redis.clone(),
            options,
            reserve: Script::new(include_str!("lua/reserve.lua")),
            settle,
            replica: replica_id(),
            ids: AtomicU64::new(0),
            queue,
            queued,
            settling: Arc::new(AtomicUsize::new(0)),
            retry,
        }
    }

    /// The options in force.
    pub fn options(&self) -> LedgerOptions {
        self.options
    }

    /// Settles waiting for Redis to come back.
    pub fn queued_settles(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// Waits until every settle is recorded (queued ones included), for at
    /// most `within` (a host shutting down); returns how many are left.
    pub async fn flush(&self, within: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = self.queued_settles() + self.settling.load(Ordering::Relaxed);
            if left == 0 || tokio::time::Instant::now() >= deadline {
                return left;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Holds `cost` (a call's worst case) against every window of every
    /// account, now. See [`Ledger::reserve_at`].
    pub async fn reserve(
        &self,
        accounts: &[Account],
        cost: Micros,
    ) -> Result<Reservation, LedgerError> {
        self.reserve_at(unix_now(), accounts, cost).await
    }

    /// Holds `cost` against the windows holding `at` (Unix seconds) of
    /// every account, unless one would go past its limit (counting what is
    /// spent and what is held): then [`LedgerError::OverLimit`] names the
    /// first such window. With Redis away: [`LedgerError::Unavailable`]
    /// (and when the script may have run all the same, its reply lost or
    /// late, a settle of nothing is queued, which releases its hold), or an
    /// unrecorded reservation when the ledger fails open.
    pub async fn reserve_at(
        &self,
        at: i64,
        accounts: &[Account],
        cost: Micros,
    ) -> Result<Reservation, LedgerError> {
        let n = self.ids.fetch_add(1, Ordering::Relaxed);
        let id = format!("{}-{n}", self.replica);
        let index = self.redis.key("ledger:reservations");
        let mut call = self.reserve.key(format!("{index}:{id}"));
        call.key(&index)
            .key(settled_key(&self.redis, &id))
            .arg(cost.0)
            .arg(millis(self.options.reservation_ttl));
        let mut charged = Vec::new();
        for account in accounts {
            for window in Window::ALL {
                let span = window.at(at);
                call.key(self.window_key(account, &span))
                    .arg(account.limit(window).map_or(-1, |l| l.0))
                    .arg(expires_at_ms(&span));
                charged.push((account, span));
            }
        }
        let reply: Vec<i64> = match self.redis.run(&call).await {
            Ok(reply) => reply,
            Err(e) => {
                let unrecorded = Reservation {
                    id,
                    accounts: accounts.iter().map(account_key).collect(),
                    amount: cost,
                    recorded: false,
                };
                if self.options.fail == FailMode::Open {
                    tracing::warn!("redis: call let through unrecorded (ledger fails open): {e}");
                    return Ok(unrecorded);
                }
                // Unless the connection was refused, the script may have
                // run (its reply lost, or late): a settle of nothing
                // releases what it holds, or keeps it from holding.
                if !e.is_connection_refusal() {
                    self.settler().queue(at, unrecorded, Micros(0));
                }
                return Err(LedgerError::Unavailable(e));
            }
        };
        match reply.as_slice() {
            [0, i, spent, held] => {
                let over = usize::try_from(*i - 1).ok().and_then(|i| charged.get(i));
                match over {
                    Some((account, span)) => Err(LedgerError::OverLimit {
                        kind: account.kind.clone(),
                        id: account.id.clone(),
                        window: span.window,
                        limit: account.limit(span.window).unwrap_or_default(),
                        spent: Micros(*spent),
                        held: Micros(*held),
                        cost,
                        resets_at: span.resets_at,
                    }),
                    None => Err(unexpected(&reply)),
                }
            }
            [1] => Ok(Reservation {
                id,
                accounts: accounts.iter().map(account_key).collect(),
                amount: cost,
                recorded: true,
            }),
            _ => Err(unexpected(&reply)),
        }
    }

    /// Settles a reservation to the call's actual `cost`, now. See
    /// [`Ledger::settle_at`].
    pub async fn settle(&self, reservation: &Reservation, cost: Micros) -> Settled {
        self.settle_at(unix_now(), reservation, cost).await
    }

    /// Releases the reservation's hold and adds `cost` to the windows
    /// holding `at`, once: settling the same reservation again changes
    /// nothing. With Redis away the settle is queued and retried until
    /// Redis takes it.
    pub async fn settle_at(&self, at: i64, reservation: &Reservation, cost: Micros) -> Settled {
        self.settler().settle_or_queue(at, reservation, cost).await
    }

    /// [`Ledger::settle`] in a task of its own on the ledger's runtime,
    /// for a caller that cannot wait (a stream's end, a drop).
    pub fn settle_in_background(&self, reservation: Reservation, cost: Micros) {
        let settler = self.settler();
        let at = unix_now();
        let settling = Arc::clone(&self.settling);
        settling.fetch_add(1, Ordering::Relaxed);
        self.redis.runtime.spawn(async move {
            settler.settle_or_queue(at, &reservation, cost).await;
            settling.fetch_sub(1, Ordering::Relaxed);
        });
    }

    fn settler(&self) -> Settler {
        Settler {
            redis: self.redis.clone(),
            script: Arc::clone(&self.settle),
            options: self.options,
            queue: self.queue.clone(),
            queued: Arc::clone(&self.queued),
        }
    }

    /// The day and month balances of an account, now (`at`: Unix seconds).
    pub async fn balance_at(
        &self,
        at: i64,
        account: &Account,
    ) -> Result<[WindowBalance; 2], LedgerError> {
        let spans = Window::ALL.map(|w| w.at(at));
        let mut pipe = redis::pipe();
        for span in &spans {
            pipe.cmd("HMGET")
                .arg(self.window_key(account, span))
                .arg("spent")
                .arg("held");
        }
        let mut conn = self.redis.commands.clone();
        let result: Result<Vec<(Option<i64>, Option<i64>)>, _> = pipe.query_async(&mut conn).await;
        self.redis.status.record(&result);
        let values = result.map_err(LedgerError::Unavailable)?;
        let [day, month] = spans;
        let balance = |span: WindowSpan, i: usize| {
            let (spent, held) = values.get(i).copied().unwrap_or_default();
            WindowBalance {
                limit: account.limit(span.window),
                span,
                spent: Micros(spent.unwrap_or(0)),
                held: Micros(held.unwrap_or(0)),
            }
        };
        Ok([balance(day, 0), balance(month, 1)])
    }

    /// The day and month balances of an account, now.
    pub async fn balance(&self, account: &Account) -> Result<[WindowBalance; 2], LedgerError> {
        self.balance_at(unix_now(), account).await
    }

    fn window_key(&self, account: &Account, span: &WindowSpan) -> String {
        self.redis
            .key(&format!("ledger:{}:{}", account_key(account), span.id))
    }
}

impl Drop for Ledger {
    fn drop(&mut self) {
        self.retry.abort();
    }
}

fn expires_at_ms(span: &WindowSpan) -> i64 {
    (span.resets_at + span.window.kept_after_end_secs()) * 1000
}

fn unexpected(reply: &[i64]) -> LedgerError {
    LedgerError::Unavailable(redis::RedisError::from((
        redis::ErrorKind::UnexpectedReturnType,
        "unexpected reply from the reserve script",
        format!("{reply:?}"),
    )))
}
