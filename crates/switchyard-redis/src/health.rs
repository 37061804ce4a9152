//! Model health shared by a fleet: failures are counted in Redis, a
//! cooldown is a key with a TTL, and every change is published to every
//! replica, which mirrors it into its local [`Health`] (what decisions
//! read). A resync at start, after each reconnection and periodically
//! catches anything a replica missed.
//!
//! Keys: `PREFIX:health:down:MODEL` (a cooldown, its TTL the time left),
//! `PREFIX:health:failures:MODEL` (recent failure times); channel
//! `PREFIX:health` (`down MS MODEL`, `up MODEL`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use redis::Script;
use switchyard_eval::{Health, HealthPolicy, HealthRegistry, SystemClock};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::connection::{replica_id, Redis};

/// How a [`SharedHealth`] keeps in step with the fleet.
#[derive(Clone, Copy, Debug)]
pub struct SharedHealthOptions {
    /// When failures cool a model down (the same for every replica).
    pub policy: HealthPolicy,
    /// How often every cooldown is read back from Redis, for changes a
    /// replica missed (pub/sub drops messages while disconnected).
    pub resync_every: Duration,
}

impl Default for SharedHealthOptions {
    /// The default policy, a resync every 5 s.
    fn default() -> Self {
        SharedHealthOptions {
            policy: HealthPolicy::default(),
            resync_every: Duration::from_secs(5),
        }
    }
}

/// A health registry shared through Redis. Reports are sent to Redis in
/// the background (they never wait on it); decisions read
/// [`HealthRegistry::snapshot`], a local [`Health`] kept in step by
/// pub/sub. While Redis is away, failures are counted locally with the
/// same policy, and decisions go on from the snapshot.
///
/// Dropping it stops its background tasks.
#[derive(Debug)]
pub struct SharedHealth {
    local: Arc<Health>,
    writes: mpsc::UnboundedSender<Write>,
    tasks: [AbortHandle; 2],
}

#[derive(Debug)]
enum Write {
    Failure(String),
    Success(String),
    Down(String, Duration),
    Up(String),
}

/// What the background tasks share.
#[derive(Debug)]
struct Shared {
    redis: Redis,
    local: Arc<Health>,
    policy: HealthPolicy,
    channel: String,
    /// Unique member ids for failure times (`REPLICA:N`).
    replica: String,
    failures: AtomicU64,
}

impl Shared {
    fn down_key(&self, model: &str) -> String {
        self.redis.key(&format!("health:down:{model}"))
    }

    fn failures_key(&self, model: &str) -> String {
        self.redis.key(&format!("health:failures:{model}"))
    }
}

impl SharedHealth {
    /// Starts the registry's background tasks (a writer and a subscriber)
    /// on `redis`'s runtime. Returns at once: the first resync
    /// happens when Redis answers.
    pub fn start(redis: &Redis, options: SharedHealthOptions) -> SharedHealth {
        let local = Arc::new(Health::new(
            options.policy,
            Arc::new(SystemClock::default()),
        ));
        let shared = Arc::new(Shared {
            redis: redis.clone(),
            local: Arc::clone(&local),
            policy: options.policy,
            channel: redis.key("health"),
            replica: replica_id(),
            failures: AtomicU64::new(0),
        });
        let (writes, queue) = mpsc::unbounded_channel();
        let writer = redis
            .runtime
            .spawn(write(Arc::clone(&shared), queue))
            .abort_handle();
        let subscriber = redis
            .runtime
            .spawn(follow(shared, options.resync_every))
            .abort_handle();
        SharedHealth {
            local,
            writes,
            tasks: [writer, subscriber],
        }
    }

    fn send(&self, write: Write) {
        // The writer ends only when this registry is dropped.
        let _ = self.writes.send(write);
    }
}

impl Drop for SharedHealth {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl HealthRegistry for SharedHealth {
    fn report_failure(&self, model: &str) {
        self.send(Write::Failure(model.to_string()));
    }

    fn report_success(&self, model: &str) {
        self.send(Write::Success(model.to_string()));
    }

    /// Takes effect here at once, and on the other replicas when Redis has
    /// it.
    fn mark_down(&self, model: &str, duration: Duration) {
        self.local.mark_down(model, duration);
        self.send(Write::Down(model.to_string(), duration));
    }

    /// Takes effect here at once, and on the other replicas when Redis has
    /// it.
    fn mark_up(&self, model: &str) {
        self.local.mark_up(model);
        self.send(Write::Up(model.to_string()));
    }

    fn snapshot(&self) -> &Health {
        &self.local
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// Sends the reports to Redis in order. Successes, the common case, are
/// gathered: one `DEL` of the failure counts of every model that succeeded
/// since the last failure or mark, whatever the request rate.
async fn write(shared: Arc<Shared>, mut queue: mpsc::UnboundedReceiver<Write>) {
    let scripts = Scripts {
        failure: Script::new(include_str!("lua/failure.lua")),
        mark_down: Script::new(include_str!("lua/mark_down.lua")),
        mark_up: Script::new(include_str!("lua/mark_up.lua")),
    };
    let mut succeeded: Vec<String> = Vec::new();
    while let Some(first) = queue.recv().await {
        let mut next = Some(first);
        while let Some(w) = next.take().or_else(|| queue.try_recv().ok()) {
            match w {
                Write::Success(model) => {
                    shared.local.report_success(&model);
                    if !succeeded.contains(&model) {
                        succeeded.push(model);
                    }
                }
                other => {
                    forget_failures(&shared, &mut succeeded).await;
                    scripts.run(&shared, other).await;
                }
            }
        }
        forget_failures(&shared, &mut succeeded).await;
    }
}

/// The scripts of the reports other than successes.
struct Scripts {
    failure: Script,
    mark_down: Script,
    mark_up: Script,
}

impl Scripts {
    async fn run(&self, shared: &Shared, w: Write) {
        let redis = &shared.redis;
        match w {
            Write::Failure(model) => {
                let n = shared.failures.fetch_add(1, Ordering::Relaxed);
                let mut call = self.failure.key(shared.failures_key(&model));
                call.key(shared.down_key(&model))
                    .arg(shared.policy.failures)
                    .arg(millis(shared.policy.window))
                    .arg(millis(shared.policy.cooldown))
                    .arg(format!("{}:{n}", shared.replica))
                    .arg(&shared.channel)
                    .arg(&model);
                match redis.run::<u64>(&call).await {
                    Ok(0) => {}
                    Ok(left) => shared.local.mark_down(&model, Duration::from_millis(left)),
                    Err(e) => {
                        tracing::warn!(model, "redis: failure counted locally only: {e}");
                        shared.local.report_failure(&model);
                    }
                }
            }
            Write::Down(model, duration) => {
                let mut call = self.mark_down.key(shared.down_key(&model));
                call.arg(millis(duration)).arg(&shared.channel).arg(&model);
                if let Err(e) = redis.run::<u64>(&call).await {
                    tracing::warn!(model, "redis: cooldown kept locally only: {e}");
                }
            }
            Write::Up(model) => {
                let mut call = self.mark_up.key(shared.down_key(&model));
                call.key(shared.failures_key(&model))
                    .arg(&shared.channel)
                    .arg(&model);
                if let Err(e) = redis.run::<i64>(&call).await {
                    tracing::warn!(model, "redis: model marked up locally only: {e}");
                }
            }
            Write::Success(_) => {}
        }
    }
}

/// Deletes the failure counts of the models that succeeded.
async fn forget_failures(shared: &Shared, succeeded: &mut Vec<String>) {
    if succeeded.is_empty() {
        return;
    }
    let mut del = redis::cmd("DEL");
    for model in succeeded.drain(..) {
        del.arg(shared.failures_key(&model));
    }
    let mut conn = shared.redis.commands.clone();
    let result: Result<i64, _> = del.query_async(&mut conn).await;
    shared.redis.status.record(&result);
}

/// Follows the channel, resyncing after each (re)subscription and
/// periodically; reconnects after 100 ms when the connection drops.
async fn follow(shared: Arc<Shared>, resync_every: Duration) {
    loop {
        if let Err(e) = subscribed(&shared, resync_every).await {
            tracing::warn!("redis: health updates interrupted, reconnecting: {e}");
        }
        shared.redis.status.set_up(false);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One subscription, until its connection drops.
async fn subscribed(shared: &Shared, resync_every: Duration) -> Result<(), redis::RedisError> {
    let mut pubsub = shared.redis.client.get_async_pubsub().await?;
    pubsub.subscribe(&shared.channel).await?;
    shared.redis.status.set_up(true);
    let mut messages = pubsub.into_on_message();
    // The first tick is at once: the resync that follows a subscription.
    let mut tick = tokio::time::interval(resync_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            message = messages.next() => match message {
                Some(m) => apply(&shared.local, m.get_payload_bytes()),
                None => return Ok(()),
            },
            _ = tick.tick() => {
                if let Err(e) = resync(shared).await {
                    tracing::warn!("redis: health resync failed: {e}");
                }
            }
        }
    }
}

/// `down MS MODEL` or `up MODEL`.
fn apply(local: &Health, payload: &[u8]) {
    let text = String::from_utf8_lossy(payload);
    match text.split_once(' ') {
        Some(("down", rest)) => {
            if let Some((ms, model)) = rest.split_once(' ') {
                if let Ok(ms) = ms.parse::<u64>() {
                    local.mark_down(model, Duration::from_millis(ms));
                }
            }
        }
        Some(("up", model)) => local.mark_up(model),
        _ => tracing::warn!(message = %text, "redis: unknown health message"),
    }
}

/// Reads every cooldown back and makes them the local ones.
async fn resync(shared: &Shared) -> Result<(), redis::RedisError> {
    let prefix = shared.redis.key("health:down:");
    let mut conn = shared.redis.commands.clone();
    let mut keys = Vec::new();
    {
        let mut cmd = redis::cmd("SCAN");
        cmd.cursor_arg(0)
            .arg("MATCH")
            .arg(format!("{}*", escape_glob(&prefix)))
            .arg("COUNT")
            .arg(1000);
        let mut scan = cmd.iter_async::<String>(&mut conn).await?;
        while let Some(key) = scan.next_item().await {
            keys.push(key?);
        }
    }
    let mut pipe = redis::pipe();
    for key in &keys {
        pipe.cmd("PTTL").arg(key);
    }
    let left: Vec<i64> = if keys.is_empty() {
        Vec::new()
    } else {
        let result = pipe.query_async(&mut conn).await;
        shared.redis.status.record(&result);
        result?
    };
    let cooldowns = keys.iter().zip(left).filter_map(|(key, ms)| {
        let model = key.strip_prefix(&prefix)?;
        let ms = u64::try_from(ms).ok().filter(|&ms| ms > 0)?;
        Some((model.to_string(), Duration::from_millis(ms)))
    });
    shared.local.replace_cooldowns(cooldowns);
    Ok(())
}

/// `s` matched literally by a SCAN pattern.
fn escape_glob(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_mark_models_down_and_up() {
        let h = Health::default();
        apply(&h, b"down 5000 openai/gpt-4o:free");
        assert!(h.is_down("openai/gpt-4o:free"));
        apply(&h, b"up openai/gpt-4o:free");
        assert!(!h.is_down("openai/gpt-4o:free"));
        apply(&h, b"down soon x");
        apply(&h, b"sideways x");
        assert!(!h.is_down("x"));
    }

    #[test]
    fn glob_characters_are_escaped() {
        assert_eq!(escape_glob("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
    }
}
