//! One Redis server shared by a fleet: the client, a reconnecting
//! connection for commands and scripts, the key prefix, and whether the
//! server answers.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Client;

/// How to reach Redis.
#[derive(Clone, Debug)]
pub struct RedisOptions {
    /// `redis://[:password@]host:port[/db]` (or `rediss://` for TLS, when
    /// the redis crate is built with it).
    pub url: String,
    /// Prefix of every key and channel, so fleets can share one server.
    pub prefix: String,
    /// How long a command may take before it counts as a failure (and the
    /// ledger's fail-open or fail-closed choice applies).
    pub response_timeout: Duration,
    /// How long a connection attempt may take.
    pub connection_timeout: Duration,
}

impl RedisOptions {
    /// Options for `url`, with prefix `switchyard` and 1 s timeouts.
    pub fn new(url: impl Into<String>) -> Self {
        RedisOptions {
            url: url.into(),
            prefix: "switchyard".to_string(),
            response_timeout: Duration::from_secs(1),
            connection_timeout: Duration::from_secs(1),
        }
    }
}

/// Why Redis cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RedisError {
    /// The URL is not a Redis URL.
    #[error("redis URL {url:?}: {source}")]
    Url {
        /// The URL, as given.
        url: String,
        /// Why.
        source: redis::RedisError,
    },
    /// Not called within a tokio runtime.
    #[error("the Redis connection needs a tokio runtime (connect from within one)")]
    NoRuntime,
    /// The connection cannot be set up.
    #[error("redis connection: {0}")]
    Setup(redis::RedisError),
    /// A command or script failed (the server is down or slow, or
    /// refused it).
    #[error("redis: {0}")]
    Command(#[from] redis::RedisError),
}

/// A handle on one Redis server (cheap to clone). Connects lazily and
/// reconnects by itself: a command sent while the server is away fails at
/// once (or after the response timeout) and the next one tries again.
#[derive(Clone)]
pub struct Redis {
    pub(crate) client: Client,
    pub(crate) commands: ConnectionManager,
    pub(crate) prefix: Arc<str>,
    pub(crate) status: Arc<Status>,
    /// Where background tasks run: the runtime `connect` was called in.
    pub(crate) runtime: tokio::runtime::Handle,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("prefix", &self.prefix)
            .field("up", &self.status.is_up())
            .finish_non_exhaustive()
    }
}

/// Whether the server answered the last command, and how many failed.
#[derive(Debug, Default)]
pub struct Status {
    up: AtomicBool,
    failures: AtomicU64,
}

impl Status {
    /// Whether the last command (or the subscription) reached the server.
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// Commands that failed since start (unreachable server, timeout,
    /// script error).
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    pub(crate) fn record<T>(&self, result: &Result<T, redis::RedisError>) {
        match result {
            Ok(_) => self.up.store(true, Ordering::Relaxed),
            Err(e) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                if e.is_io_error() || e.is_timeout() || e.is_connection_dropped() {
                    self.up.store(false, Ordering::Relaxed);
                }
            }
        }
    }

    pub(crate) fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::Relaxed);
    }
}

impl Redis {
    /// A handle on the server at `options.url`, on the tokio runtime it is
    /// called in (where its background tasks and those of
    /// [`SharedHealth`](crate::SharedHealth) and [`Ledger`](crate::Ledger)
    /// run). Does not wait for the server (it may be down).
    pub fn connect(options: &RedisOptions) -> Result<Redis, RedisError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| RedisError::NoRuntime)?;
        let client = Client::open(options.url.as_str()).map_err(|source| RedisError::Url {
            url: options.url.clone(),
            source,
        })?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(options.response_timeout))
            .set_connection_timeout(Some(options.connection_timeout))
            .set_min_delay(Duration::from_millis(20))
            .set_max_delay(Duration::from_millis(500))
            .set_number_of_retries(2);
        let commands = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(RedisError::Setup)?;
        Ok(Redis {
            client,
            commands,
            prefix: options.prefix.as_str().into(),
            status: Arc::new(Status::default()),
            runtime,
        })
    }

    /// Whether the server answers, and how many commands failed.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// `PING`, recording the outcome in [`Redis::status`].
    pub async fn ping(&self) -> Result<(), RedisError> {
        let mut conn = self.commands.clone();
        let result: Result<String, _> = redis::cmd("PING").query_async(&mut conn).await;
        self.status.record(&result);
        result.map(drop).map_err(RedisError::from)
    }

    /// `prefix:part`.
    pub(crate) fn key(&self, part: &str) -> String {
        format!("{}:{part}", self.prefix)
    }

    /// Runs a script (EVALSHA, loading it on NOSCRIPT), recording the
    /// outcome. A script that meets a dropped connection (the first command
    /// after the server restarted) runs once more on the new one: every
    /// script here may run twice (reserve and settle are idempotent by
    /// reservation id, marks by nature; a failure would count twice, at
    /// worst).
    ///
    /// The error is a connection refusal only when no attempt can have
    /// reached the server: when the retry is refused after the first
    /// attempt was cut off (and may have run), the first one's error is
    /// returned.
    pub(crate) async fn run<T: redis::FromRedisValue>(
        &self,
        invocation: &redis::ScriptInvocation<'_>,
    ) -> Result<T, redis::RedisError> {
        let mut conn = self.commands.clone();
        let mut result = invocation.invoke_async(&mut conn).await;
        let first = result.as_ref().err().map(|e| {
            (
                e.is_connection_dropped() || e.is_io_error(),
                e.is_connection_refusal(),
            )
        });
        if let Some((true, first_refused)) = first {
            let retried = invocation.invoke_async(&mut conn).await;
            let keep_first =
                !first_refused && retried.as_ref().is_err_and(|e| e.is_connection_refusal());
            if !keep_first {
                result = retried;
            }
        }
        self.status.record(&result);
        result
    }
}

/// An id for this process, unique across a fleet in practice (process id
/// and start time in nanoseconds), for ids that must not collide.
pub(crate) fn replica_id() -> String {
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!("{}-{started}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connecting_needs_a_runtime_and_a_redis_url() {
        let options = RedisOptions::new("redis://127.0.0.1:1");
        assert!(matches!(
            Redis::connect(&options),
            Err(RedisError::NoRuntime)
        ));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let _in = runtime.enter();
        let err =
            Redis::connect(&RedisOptions::new("http://example.invalid")).expect_err("not redis");
        assert!(
            err.to_string()
                .starts_with("redis URL \"http://example.invalid\""),
            "{err}"
        );
        // Lazy: nothing listens on port 1, yet the handle is made.
        let redis = Redis::connect(&options).expect("lazy");
        assert!(!redis.status().is_up());
        assert!(runtime.block_on(redis.ping()).is_err());
        assert_eq!(redis.status().failures(), 1);
    }
}
