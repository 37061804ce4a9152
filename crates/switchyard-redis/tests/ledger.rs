//! The spend ledger against a real redis-server.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failure is the test's failure"
)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use switchyard_redis::{
    rfc3339, unix_now, Account, FailMode, Ledger, LedgerError, LedgerOptions, Micros, Redis,
    RedisOptions, Settled, Window,
};
use switchyard_testing::redis_server::RedisServer;

fn ledger(server: &RedisServer, options: LedgerOptions) -> (Redis, Arc<Ledger>) {
    let redis = Redis::connect(&RedisOptions::new(server.url())).expect("redis URL");
    (redis.clone(), Arc::new(Ledger::new(&redis, options)))
}

fn team(daily_usd: f64) -> Account {
    Account {
        daily: Some(Micros::from_usd(daily_usd)),
        ..Account::new("team", "eng")
    }
}

async fn raw(server: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(server.url())
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("connects")
}

/// 2026-01-31T23:59:59Z.
const JAN_31_LAST_SECOND: i64 = 1_769_903_999;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reservations_never_overspend() {
    let server = RedisServer::start();
    // Two replicas, 400 calls against a $1.00 daily limit; each reserves
    // $0.05 and costs between $0.01 and $0.05.
    let replicas = [
        ledger(&server, LedgerOptions::default()).1,
        ledger(&server, LedgerOptions::default()).1,
    ];
    let account = team(1.0);
    let probe = Arc::clone(&replicas[0]);
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (done, account) = (Arc::clone(&done), account.clone());
        tokio::spawn(async move {
            let mut samples = 0;
            while !done.load(Ordering::Relaxed) {
                let [day, _] = probe.balance(&account).await.expect("balance");
                assert!(day.spent.0 + day.held.0 <= 1_000_000, "{day:?}");
                samples += 1;
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            samples
        })
    };
    let mut calls = Vec::new();
    for i in 0..400u32 {
        let ledger = Arc::clone(&replicas[(i % 2) as usize]);
        let account = account.clone();
        calls.push(tokio::spawn(async move {
            // Arrivals over 100 ms, calls of 0 to 20 ms.
            tokio::time::sleep(Duration::from_millis(u64::from(i % 100))).await;
            let worst = Micros::from_usd(0.05);
            match ledger.reserve(&[account], worst).await {
                Ok(hold) => {
                    tokio::time::sleep(Duration::from_millis(u64::from(i * 31 % 21))).await;
                    let cost = Micros(10_000 + i64::from(i * 7919 % 40_001));
                    assert_eq!(ledger.settle(&hold, cost).await, Settled::Now);
                    Some(cost.0)
                }
                Err(LedgerError::OverLimit {
                    limit,
                    spent,
                    held,
                    cost,
                    ..
                }) => {
                    // Refused only when the hold would not fit.
                    assert!(spent.0 + held.0 + cost.0 > limit.0);
                    None
                }
                Err(e) => panic!("{e}"),
            }
        }));
    }
    let mut settled = 0;
    let mut refused = 0;
    for call in calls {
        match call.await.expect("call") {
            Some(cost) => settled += cost,
            None => refused += 1,
        }
    }
    done.store(true, Ordering::Relaxed);
    let samples = watcher.await.expect("watcher");
    let [day, month] = replicas[0].balance(&account).await.expect("balance");
    eprintln!(
        "400 calls: {} settled ({}), {refused} refused, {samples} balance samples",
        400 - refused,
        day.spent
    );
    assert_eq!(
        day.spent.0, settled,
        "the ledger is the sum of settled costs"
    );
    assert_eq!(month.spent.0, settled);
    assert_eq!((day.held, month.held), (Micros(0), Micros(0)));
    assert!(day.spent.0 <= 1_000_000);
    assert!(refused > 0 && refused < 400);
    assert!(day.spent.0 > 500_000, "most of the budget is used: {day:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_settle_counts_once_and_expired_holds_are_released() {
    let server = RedisServer::start();
    let (_, ledger) = ledger(
        &server,
        LedgerOptions {
            reservation_ttl: Duration::from_millis(200),
            ..LedgerOptions::default()
        },
    );
    let account = team(1.0);
    let hold = ledger
        .reserve(std::slice::from_ref(&account), Micros::from_usd(0.5))
        .await
        .expect("reserved");
    assert_eq!(ledger.settle(&hold, Micros(123_456)).await, Settled::Now);
    assert_eq!(ledger.settle(&hold, Micros(123_456)).await, Settled::Before);
    assert_eq!(ledger.settle(&hold, Micros(999_999)).await, Settled::Before);
    let [day, _] = ledger.balance(&account).await.expect("balance");
    assert_eq!((day.spent, day.held), (Micros(123_456), Micros(0)));

    // A hold whose call never settles goes when it expires ...
    let lost = ledger
        .reserve(std::slice::from_ref(&account), Micros::from_usd(0.8))
        .await
        .expect("reserved");
    let err = ledger
        .reserve(std::slice::from_ref(&account), Micros::from_usd(0.2))
        .await
        .expect_err("0.12 + 0.8 held + 0.2 > 1");
    assert!(matches!(err, LedgerError::OverLimit { .. }), "{err}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let later = ledger
        .reserve(std::slice::from_ref(&account), Micros::from_usd(0.2))
        .await
        .expect("the expired hold is released");
    // ... and its late settle still counts, once.
    assert_eq!(ledger.settle(&lost, Micros(100_000)).await, Settled::Now);
    assert_eq!(ledger.settle(&lost, Micros(100_000)).await, Settled::Before);
    assert_eq!(ledger.settle(&later, Micros(1)).await, Settled::Now);
    let [day, _] = ledger.balance(&account).await.expect("balance");
    assert_eq!((day.spent, day.held), (Micros(223_457), Micros(0)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_reservation_whose_script_ran_late_holds_nothing() {
    let server = RedisServer::start();
    let redis = Redis::connect(&RedisOptions {
        response_timeout: Duration::from_millis(100),
        ..RedisOptions::new(server.url())
    })
    .expect("redis URL");
    let ledger = Ledger::new(&redis, LedgerOptions::default());
    let account = team(1.0);
    let first = ledger
        .reserve(std::slice::from_ref(&account), Micros(10))
        .await
        .expect("reserved");
    ledger.settle(&first, Micros(10)).await;
    // The server holds every script for 400 ms: the reservation times out
    // (refused, the ledger fails closed), then its script runs.
    server.command(&["CLIENT", "PAUSE", "400", "WRITE"]);
    let err = ledger
        .reserve(std::slice::from_ref(&account), Micros::from_usd(0.5))
        .await
        .expect_err("timed out");
    assert!(matches!(err, LedgerError::Unavailable(_)), "{err}");
    // Whichever runs first, the late script or the release queued with the
    // refusal, nothing stays held.
    // (Reads time out too while the connection's script waits.)
    let start = std::time::Instant::now();
    loop {
        let balance = ledger.balance(&account).await;
        if let Ok([day, _]) = &balance {
            if day.held == Micros(0) && ledger.queued_settles() == 0 {
                assert_eq!(day.spent, Micros(10));
                break;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "still held: {balance:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // And the limit has all its room: $0.99 more fits.
    let all = ledger
        .reserve(std::slice::from_ref(&account), Micros(999_990))
        .await
        .expect("the refused call holds nothing");
    ledger.settle(&all, Micros(0)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reserve_script_holds_nothing_for_a_reservation_already_settled() {
    // The release queued with a refusal may run before the late script
    // (on another connection, after a reconnection): then the script finds
    // the settled marker and holds nothing.
    let server = RedisServer::start();
    let mut conn = raw(&server).await;
    let script = redis::Script::new(include_str!("../src/lua/reserve.lua"));
    let reserve = |id: &str| {
        let mut call = script.key(format!("t:reservations:{id}"));
        call.key("t:reservations")
            .key(format!("t:settled:{id}"))
            .key("t:day")
            .arg(500)
            .arg(600_000)
            .arg(1_000_000)
            // 2100-01-01, in Unix ms.
            .arg(4_102_444_800_000_i64);
        call
    };
    let held = |mut conn: redis::aio::MultiplexedConnection| async move {
        let v: Option<i64> = redis::cmd("HGET")
            .arg("t:day")
            .arg("held")
            .query_async(&mut conn)
            .await
            .expect("hget");
        v.unwrap_or(0)
    };
    let _: () = redis::cmd("SET")
        .arg("t:settled:r1")
        .arg("1")
        .query_async(&mut conn)
        .await
        .expect("set");
    let reply: Vec<i64> = reserve("r1").invoke_async(&mut conn).await.expect("script");
    assert_eq!(reply, [1]);
    assert_eq!(held(conn.clone()).await, 0);
    let exists: bool = redis::cmd("EXISTS")
        .arg("t:reservations:r1")
        .query_async(&mut conn)
        .await
        .expect("exists");
    assert!(!exists);
    // A reservation not settled holds.
    let reply: Vec<i64> = reserve("r2").invoke_async(&mut conn).await.expect("script");
    assert_eq!(reply, [1]);
    assert_eq!(held(conn.clone()).await, 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_a_limit_the_error_names_it_and_its_reset() {
    let server = RedisServer::start();
    let (_, ledger) = ledger(&server, LedgerOptions::default());
    let key = Account {
        monthly: Some(Micros::from_usd(0.30)),
        ..Account::new("key", "ci-bot")
    };
    let team = team(0.10);
    let hold = ledger
        .reserve_at(
            JAN_31_LAST_SECOND,
            &[key.clone(), team.clone()],
            Micros(80_000),
        )
        .await
        .expect("fits");
    ledger
        .settle_at(JAN_31_LAST_SECOND, &hold, Micros(80_000))
        .await;
    let err = ledger
        .reserve_at(
            JAN_31_LAST_SECOND,
            &[key.clone(), team.clone()],
            Micros(50_000),
        )
        .await
        .expect_err("over the team's day");
    let LedgerError::OverLimit {
        kind,
        window,
        resets_at,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!((kind.as_str(), *window), ("team", Window::Day));
    assert_eq!(rfc3339(*resets_at), "2026-02-01T00:00:00Z");
    assert_eq!(
        err.to_string(),
        "the daily limit of team `eng` ($0.10) is reached: $0.08 spent, $0.00 held by calls \
         in flight, $0.05 needed; it resets at 2026-02-01T00:00:00Z"
    );
    // The next day the team's limit is fresh; the key's month is not.
    let next_day = JAN_31_LAST_SECOND + 1;
    let hold = ledger
        .reserve_at(next_day, &[key.clone(), team.clone()], Micros(50_000))
        .await
        .expect("a new day, a new month");
    ledger.settle_at(next_day, &hold, Micros(50_000)).await;
    let hold = ledger
        .reserve_at(next_day + 3600, std::slice::from_ref(&key), Micros(200_000))
        .await
        .expect("february: 0.05 + 0.20 <= 0.30");
    ledger
        .settle_at(next_day + 3600, &hold, Micros(200_000))
        .await;
    let err = ledger
        .reserve_at(next_day + 7200, std::slice::from_ref(&key), Micros(60_000))
        .await
        .expect_err("over the key's month");
    assert!(
        err.to_string()
            .starts_with("the monthly limit of key `ci-bot` ($0.30) is reached")
            && err
                .to_string()
                .ends_with("it resets at 2026-03-01T00:00:00Z"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn day_and_month_windows_are_keys_that_expire() {
    let server = RedisServer::start();
    let (_, ledger) = ledger(&server, LedgerOptions::default());
    let account = team(10.0);
    // Reserved on the last second of this month, settled in the next: the
    // hold leaves this month's keys, the cost lands in the next one's.
    let last = Window::Month.at(unix_now()).resets_at - 1;
    let day = |t: i64| format!("d{}", &rfc3339(t)[..10]);
    let month = |t: i64| format!("m{}", &rfc3339(t)[..7]);
    let hold = ledger
        .reserve_at(last, std::slice::from_ref(&account), Micros(300))
        .await
        .expect("reserved");
    ledger.settle_at(last + 1, &hold, Micros(200)).await;
    let mut conn = raw(&server).await;
    let get = |key: String| {
        let mut conn = conn.clone();
        async move {
            let v: (Option<i64>, Option<i64>) = redis::cmd("HMGET")
                .arg(format!("switchyard:ledger:team:eng:{key}"))
                .arg("spent")
                .arg("held")
                .query_async(&mut conn)
                .await
                .expect("hmget");
            v
        }
    };
    assert_eq!(get(day(last)).await, (None, Some(0)));
    assert_eq!(get(month(last)).await, (None, Some(0)));
    assert_eq!(get(day(last + 1)).await, (Some(200), None));
    assert_eq!(get(month(last + 1)).await, (Some(200), None));
    assert!(day(last + 1).ends_with("-01") && day(last) != day(last + 1));
    // Kept 8 days past a day's end, 62 past a month's.
    let expiry = |key: String| {
        redis::cmd("PEXPIRETIME")
            .arg(format!("switchyard:ledger:team:eng:{key}"))
            .clone()
    };
    let day_expiry: i64 = expiry(day(last + 1))
        .query_async(&mut conn)
        .await
        .expect("expiry");
    let month_expiry: i64 = expiry(month(last + 1))
        .query_async(&mut conn)
        .await
        .expect("expiry");
    assert_eq!(day_expiry / 1000, last + 1 + 86_400 + 8 * 86_400);
    assert_eq!(
        month_expiry / 1000,
        Window::Month.at(last + 1).resets_at + 62 * 86_400
    );
    // Now's windows are today's.
    assert_eq!(
        ledger.balance(&account).await.expect("balance")[0].span,
        Window::Day.at(unix_now())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_and_restarted_nothing_lost_or_doubled() {
    // What it acknowledged survives the kill.
    let mut server = RedisServer::start_durable();
    let (redis, closed) = ledger(&server, LedgerOptions::default());
    let (_, open) = ledger(
        &server,
        LedgerOptions {
            fail: FailMode::Open,
            ..LedgerOptions::default()
        },
    );
    let account = team(5.0);
    let mut holds = Vec::new();
    for _ in 0..10 {
        holds.push(
            closed
                .reserve(std::slice::from_ref(&account), Micros(50_000))
                .await
                .expect("reserved"),
        );
    }
    // Half settle before the outage.
    for hold in &holds[..5] {
        assert_eq!(closed.settle(hold, Micros(10_000)).await, Settled::Now);
    }

    server.kill();
    let err = closed
        .reserve(std::slice::from_ref(&account), Micros(50_000))
        .await
        .expect_err("fails closed");
    assert!(matches!(err, LedgerError::Unavailable(_)), "{err}");
    assert!(
        err.to_string()
            .starts_with("the spend ledger is unavailable"),
        "{err}"
    );
    assert!(!redis.status().is_up());
    // Fail-open lets a call through unrecorded.
    let unrecorded = open
        .reserve(std::slice::from_ref(&account), Micros(50_000))
        .await
        .expect("fails open");
    assert!(!unrecorded.is_recorded());
    // The other half settle during the outage (one twice, as a retry
    // would), and the fail-open call too: all queued.
    for hold in &holds[5..] {
        assert_eq!(closed.settle(hold, Micros(20_000)).await, Settled::Queued);
    }
    assert_eq!(
        closed.settle(&holds[9], Micros(20_000)).await,
        Settled::Queued
    );
    assert_eq!(
        open.settle(&unrecorded, Micros(30_000)).await,
        Settled::Queued
    );
    // Six, and the release of the refused reservation when its error does
    // not say the command never left (a connection cut mid-command: the
    // script may have run).
    let queued = closed.queued_settles();
    assert!(queued == 6 || queued == 7, "{queued}");

    server.restart();
    let start = std::time::Instant::now();
    while closed.queued_settles() + open.queued_settles() > 0 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "queued settles still waiting"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Retried once more after the restart: already counted.
    assert_eq!(
        closed.settle(&holds[0], Micros(10_000)).await,
        Settled::Before
    );
    assert_eq!(
        closed.settle(&holds[7], Micros(20_000)).await,
        Settled::Before
    );
    let [day, _] = closed.balance(&account).await.expect("balance");
    assert_eq!(day.spent, Micros(5 * 10_000 + 5 * 20_000 + 30_000));
    assert_eq!(day.held, Micros(0));
    let hold = closed
        .reserve(std::slice::from_ref(&account), Micros(50_000))
        .await
        .expect("reserves again");
    // Settled from a task of the ledger's own.
    closed.settle_in_background(hold, Micros(1));
    assert_eq!(closed.flush(Duration::from_secs(5)).await, 0);
    let [day, _] = closed.balance(&account).await.expect("balance");
    assert_eq!((day.spent, day.held), (Micros(180_001), Micros(0)));
}
