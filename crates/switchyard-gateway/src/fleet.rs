//! The gateway in a fleet (`--redis`): the Redis connection, the shared
//! health registry and the spend ledger, whose background tasks (pub/sub,
//! resyncs, settles) run on a thread of their own, whatever the serving
//! threads are doing.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{json, Value as Json};
use switchyard::fleet::{
    FailMode, Ledger, LedgerOptions, Redis, RedisOptions, SharedHealth, SharedHealthOptions,
};
use switchyard::HealthRegistry;
use tokio::sync::oneshot;

use crate::config::{Config, LedgerMode};
use crate::ServeError;

/// Redis and the spend ledger.
pub(crate) struct Fleet {
    pub(crate) redis: Redis,
    pub(crate) ledger: Ledger,
}

impl Fleet {
    /// The readiness section: whether Redis answers, what the ledger does
    /// without it, and the settles waiting for it.
    pub(crate) fn status(&self) -> Json {
        let ledger = match self.ledger.options().fail {
            FailMode::Closed => "closed",
            FailMode::Open => "open",
        };
        json!({
            "up": self.redis.status().is_up(),
            "ledger": ledger,
            "queued_settles": self.ledger.queued_settles(),
            "failed_commands": self.redis.status().failures(),
        })
    }
}

/// What [`connect`] makes.
pub(crate) struct Connected {
    pub(crate) health: Arc<dyn HealthRegistry>,
    pub(crate) fleet: Arc<Fleet>,
    pub(crate) thread: RedisThread,
}

/// The thread Redis's tasks run on (a single-threaded runtime).
pub(crate) struct RedisThread {
    runtime: tokio::runtime::Handle,
    stop: oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

impl RedisThread {
    fn start() -> Result<RedisThread, ServeError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ServeError::Runtime)?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("switchyard-redis".to_string())
            .spawn(move || {
                runtime.block_on(async {
                    let _ = stopped.await;
                });
            })
            .map_err(ServeError::Runtime)?;
        Ok(RedisThread {
            runtime: handle,
            stop,
            thread,
        })
    }

    /// Records the settles still waiting (for at most 5 s), then stops.
    pub(crate) fn stop(self, fleet: &Fleet) {
        let left = self
            .runtime
            .block_on(fleet.ledger.flush(Duration::from_secs(5)));
        if left > 0 {
            tracing::warn!(left, "redis: settles not recorded at shutdown");
        }
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}

/// Connects to Redis: the shared health registry and the spend ledger.
/// Does not wait for the server (it may be down; the connection comes
/// when it answers).
pub(crate) fn connect(config: &Config, url: String) -> Result<Connected, ServeError> {
    let thread = RedisThread::start()?;
    let entered = thread.runtime.enter();
    let c = &config.redis;
    let timeout = Duration::from_secs_f64(c.timeout);
    let redis = Redis::connect(&RedisOptions {
        url,
        prefix: c.prefix.clone(),
        response_timeout: timeout,
        connection_timeout: timeout,
    })
    .map_err(ServeError::Redis)?;
    let health = SharedHealth::start(
        &redis,
        SharedHealthOptions {
            policy: config.health.policy(),
            resync_every: Duration::from_secs_f64(c.resync),
        },
    );
    let fail = match c.ledger {
        LedgerMode::Closed => FailMode::Closed,
        LedgerMode::Open => FailMode::Open,
    };
    let ledger = Ledger::new(
        &redis,
        LedgerOptions {
            fail,
            ..LedgerOptions::default()
        },
    );
    drop(entered);
    tracing::info!(prefix = c.prefix.as_str(), ledger = ?c.ledger, "sharing health and spend through redis");
    Ok(Connected {
        health: Arc::new(health),
        fleet: Arc::new(Fleet { redis, ledger }),
        thread,
    })
}
