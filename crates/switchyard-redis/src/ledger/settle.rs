//! Settling a reservation: the script, and the queue of settles waiting
//! for Redis to come back.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use redis::Script;
use tokio::sync::mpsc;

use super::{expires_at_ms, millis, LedgerOptions, Reservation};
use crate::connection::Redis;
use crate::window::{Micros, Window};

/// What [`Ledger::settle`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settled {
    /// The cost is recorded.
    Now,
    /// It had been recorded before (nothing changed).
    Before,
    /// Redis is away: it is queued, and recorded once Redis is back.
    Queued,
}

/// A settle waiting for Redis.
#[derive(Debug)]
pub(super) struct Queued {
    reservation: Reservation,
    cost: Micros,
    at: i64,
}

/// What a settle needs, owned by the tasks that settle too.
#[derive(Debug)]
pub(super) struct Settler {
    pub(super) redis: Redis,
    pub(super) script: Arc<Script>,
    pub(super) options: LedgerOptions,
    pub(super) queue: mpsc::UnboundedSender<Queued>,
    pub(super) queued: Arc<AtomicUsize>,
}

impl Settler {
    /// Settles, or queues the settle for the retry task when Redis does not
    /// answer.
    pub(super) async fn settle_or_queue(
        &self,
        at: i64,
        reservation: &Reservation,
        cost: Micros,
    ) -> Settled {
        match self.settle(at, reservation, cost).await {
            Ok(settled) => settled,
            Err(e) => {
                tracing::warn!(
                    reservation = reservation.id,
                    "redis: settle queued until redis is back: {e}"
                );
                self.queue(at, reservation.clone(), cost);
                Settled::Queued
            }
        }
    }

    /// Queues a settle for the retry task.
    pub(super) fn queue(&self, at: i64, reservation: Reservation, cost: Micros) {
        self.queued.fetch_add(1, Ordering::Relaxed);
        let _ = self.queue.send(Queued {
            reservation,
            cost,
            at,
        });
    }

    pub(super) async fn settle(
        &self,
        at: i64,
        reservation: &Reservation,
        cost: Micros,
    ) -> Result<Settled, redis::RedisError> {
        let index = self.redis.key("ledger:reservations");
        let mut call = self.script.key(format!("{index}:{}", reservation.id));
        call.key(&index)
            .key(settled_key(&self.redis, &reservation.id))
            .arg(cost.0)
            .arg(millis(self.options.settled_ttl));
        for account in &reservation.accounts {
            for window in Window::ALL {
                let span = window.at(at);
                call.key(self.redis.key(&format!("ledger:{account}:{}", span.id)))
                    .arg(expires_at_ms(&span));
            }
        }
        let settled: i64 = self.redis.run(&call).await?;
        Ok(if settled == 1 {
            Settled::Now
        } else {
            Settled::Before
        })
    }
}

/// The marker of a settled reservation.
pub(super) fn settled_key(redis: &Redis, id: &str) -> String {
    redis.key(&format!("ledger:settled:{id}"))
}

/// Retries queued settles in order, every 200 ms, until Redis takes each.
pub(super) async fn retry(settler: Settler, mut pending: mpsc::UnboundedReceiver<Queued>) {
    while let Some(q) = pending.recv().await {
        while let Err(e) = settler.settle(q.at, &q.reservation, q.cost).await {
            tracing::debug!(
                reservation = q.reservation.id,
                "redis: settle retry failed: {e}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        settler.queued.fetch_sub(1, Ordering::Relaxed);
    }
}
