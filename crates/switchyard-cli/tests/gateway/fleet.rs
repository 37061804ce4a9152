//! The gateway in a fleet (`serve --redis`): its configuration with a
//! test's own redis-server, the ledger's balances read in Redis, and what
//! the tests under load share.

use serde_json::{json, Value};
use switchyard::fleet::{unix_now, Window};
use switchyard_testing::redis_server::RedisServer;

use super::{user, Gateway, Reply, CONFIG};

/// `search-team` (key `secret-one`, team `search`) may spend $0.02 a day;
/// the stub charges $0.00004 a call ($0.00002 a stream); without a
/// catalog, $0.0001 is held per request.
pub const BUDGETS: &str = r#"
[budgets]
reserve_usd = 0.0001

[[keys]]
name = "search-team"
sha256 = "ea77193cc4e6f18656f3130e296203880c4b9b3772afc855211b82fdd46e9185"
fields = { tier = "enterprise", team = "search" }
daily_usd = 0.02
"#;

/// [`CONFIG`] with the test's redis-server (`ledger`: `"open"` or
/// `"closed"`), then `extra`.
pub fn config(redis: &RedisServer, ledger: &str, extra: &str) -> String {
    format!(
        "{CONFIG}\n[redis]\nurl = \"{}\"\nledger = \"{ledger}\"\nresync = 1\n{extra}",
        redis.url()
    )
}

/// [`config`] for the tests under load: upstream answers may take
/// seconds to start on a busy machine (the stub starts a thread per
/// connection), where the other tests want [`CONFIG`]'s 1 s.
pub fn loaded_config(redis: &RedisServer, ledger: &str, extra: &str) -> String {
    config(redis, ledger, extra).replace("first_byte = 1.0", "first_byte = 10.0")
}

/// Today's day window in key names (`d2026-12-02`).
pub fn today() -> String {
    Window::Day.at(unix_now()).id
}

/// `spent` and `held` (micro-dollars) of an account today.
pub fn balance(redis: &RedisServer, account: &str) -> (i64, i64) {
    let key = format!("switchyard:ledger:{account}:{}", today());
    let field = |f: &str| {
        redis
            .command(&["HGET", &key, f])
            .map_or(0, |v| v.parse().unwrap())
    };
    (field("spent"), field("held"))
}

/// Whether the gateway's `/readyz` says Redis answers.
pub fn redis_up(gw: &Gateway) -> bool {
    gw.get("/readyz").json()["redis"]["up"] == json!(true)
}

/// Whether `/readyz` lists `model` as cooling down.
pub fn cooled_down(gw: &Gateway, model: &str) -> bool {
    gw.get("/readyz").json()["cooled_down"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["model"] == model)
}

/// A one-message chat request with the client key `key` and a routing
/// context.
pub fn chat_as(gw: &Gateway, key: &str, context: Value, stream: bool) -> Reply {
    let body = json!({ "messages": [user("hi")], "stream": stream, "switchyard_context": context });
    gw.chat(&body, Some(key))
}

/// The cost (micro-dollars) an answer reports: `usage.cost` of a whole
/// answer, or of a stream's last chunk with a `usage`.
pub fn reported_cost(r: &Reply, stream: bool) -> i64 {
    let usage = if stream {
        let text = r.text();
        let last = text
            .split("\n\n")
            .filter_map(|e| e.strip_prefix("data: "))
            .filter_map(|d| serde_json::from_str::<Value>(d).ok())
            .filter(|chunk| chunk["usage"].is_object())
            .last();
        last.unwrap_or_else(|| panic!("no usage in the stream: {text}"))["usage"].clone()
    } else {
        r.json()["usage"].clone()
    };
    let cost = usage["cost"]
        .as_f64()
        .unwrap_or_else(|| panic!("no cost: {usage}"));
    #[allow(clippy::cast_possible_truncation, reason = "a few micro-dollars")]
    let micros = (cost * 1e6).round() as i64;
    micros
}

/// Fails with what to do when this process (and the gateways it starts,
/// which inherit the limit) may not have `needed` files open at once.
pub fn assert_open_files(needed: u64) {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(soft) = soft {
        assert!(
            soft >= needed,
            "this test keeps about {needed} connections open at once, over the limit of {soft} \
             open files: raise it (`ulimit -n 4096`; bash .ci/test does)"
        );
    }
}

/// A tokio runtime for the client side of the concurrent tests.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
