//! `switchyard serve --redis`: gateway processes sharing one real
//! redis-server (started by the test on a free port) in front of a stub
//! upstream that records what reaches it. Model cooldowns, budget fields
//! in rules, holds and costs from the catalog; `serve_redis_load.rs` has
//! the tests under load.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod gateway;
mod support;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use serde_json::json;
use switchyard_testing::redis_server::RedisServer;

use gateway::fleet::{balance, chat_as, config, cooled_down, redis_up, BUDGETS};
use gateway::stub::Stub;
use gateway::{eventually, user, Gateway, CONFIG, RULES};

#[test]
fn a_cooldown_through_one_gateway_reaches_the_other_within_100_ms() {
    let redis = RedisServer::start();
    let stub = Stub::start();
    let a = Gateway::start(&stub.url(), RULES, &config(&redis, "closed", ""));
    // The other one gets Redis from the command line.
    let b = Gateway::start_args(&stub.url(), RULES, CONFIG, None, &["--redis", &redis.url()]);
    eventually("both gateways subscribed", || redis_up(&a) && redis_up(&b));

    // `pro` tries test/down first: it fails once through `a` ([health]
    // failures = 1), which cools it down for the fleet.
    let pro = json!({ "messages": [user("hi")], "switchyard_context": { "tier": "pro" } });
    let r = a.chat(&pro, None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-switchyard-model"), Some("test/backup"));
    let answered = Instant::now();
    while !cooled_down(&b, "test/down") {
        assert!(
            answered.elapsed() < Duration::from_secs(1),
            "not propagated within 1 s"
        );
    }
    let delay = answered.elapsed();
    eprintln!("cooldown from gateway a visible on gateway b after {delay:?}");
    assert!(delay < Duration::from_millis(100), "{delay:?}");

    // `b` does not try it.
    let before = stub.seen().len();
    let r = b.chat(&pro, None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-switchyard-attempts"), Some("1"));
    assert_eq!(stub.models_called()[before..], ["test/backup".to_string()]);
}

#[test]
fn budget_fields_route_cheaper_as_the_budget_runs_low() {
    let rules = r#"
context {
  tier: "free" | "enterprise" = "free"
  team: string = ""
  budget_remaining: float = 1000.0
  spent_today: float = 0.0
}
defaults max_tokens 100
rule spent: when spent_today >= 0.00043 -> "test/spent"
rule low: when budget_remaining < 0.0002 -> "test/cheap"
rule default: otherwise -> "test/backup"
"#;
    let redis = RedisServer::start();
    let stub = Stub::start();
    let budgets = BUDGETS
        .replace("daily_usd = 0.02", "daily_usd = 0.0005")
        .replace("reserve_usd = 0.0001", "reserve_usd = 0.00005");
    let gw = Gateway::start(&stub.url(), rules, &config(&redis, "closed", &budgets));
    eventually("on redis", || redis_up(&gw));
    let mut models = Vec::new();
    for k in 0..13 {
        // The client cannot claim a budget of its own.
        let r = chat_as(
            &gw,
            "secret-one",
            json!({ "budget_remaining": 1000.0 }),
            false,
        );
        if r.status == 429 {
            models.push("429".to_string());
            break;
        }
        assert_eq!(r.status, 200, "{}", r.text());
        models.push(r.header("x-switchyard-model").unwrap().to_string());
        eventually("settled", || {
            balance(&redis, "key:search-team") == (40 * (k + 1), 0)
        });
    }
    let expected: Vec<&str> = [
        ["test/backup"; 8].as_slice(),
        &["test/cheap"; 3],
        &["test/spent", "429"],
    ]
    .concat();
    assert_eq!(models, expected);
}

#[test]
fn a_stream_cut_short_is_charged_what_was_held_and_errors_nothing() {
    let redis = RedisServer::start();
    let stub = Stub::start();
    let gw = Gateway::start(&stub.url(), RULES, &config(&redis, "closed", BUDGETS));
    eventually("on redis", || redis_up(&gw));
    // An upstream error (400, no other model would fix it) costs nothing.
    let r = chat_as(
        &gw,
        "secret-one",
        json!({ "scenario": "bad-request" }),
        false,
    );
    assert_eq!(r.status, 400);
    eventually("settled", || balance(&redis, "key:search-team").1 == 0);
    assert_eq!(balance(&redis, "key:search-team"), (0, 0));
    // A stream whose client hangs up: its cost is unknown, so the $0.0001
    // held is charged.
    let body = json!({ "messages": [user("hi")], "stream": true,
                       "switchyard_context": { "scenario": "slow" } })
    .to_string();
    let mut s = gw.connect();
    write!(
        s,
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-one\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut first = [0u8; 256];
    let n = s.read(&mut first).unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    drop(s);
    eventually("the hold settled", || {
        balance(&redis, "key:search-team") == (100, 0)
    });
}

#[test]
fn with_a_catalog_the_hold_is_the_chains_worst_case() {
    // test/enterprise: "hi" is 1 prompt token at $0.000001, 256 completion
    // tokens (the rules' default max_tokens) at $0.000002: $0.000513.
    let catalog = json!({ "data": [
        { "id": "test/enterprise", "name": "Test: Enterprise", "context_length": 8192,
          "pricing": { "prompt": "0.000001", "completion": "0.000002" } }
    ]})
    .to_string();
    let redis = RedisServer::start();
    let stub = Stub::start();
    let budgets = BUDGETS.replace("daily_usd = 0.02", "daily_usd = 0.00055");
    let gw = Gateway::start_with(
        &stub.url(),
        RULES,
        &config(&redis, "closed", &budgets),
        Some(&catalog),
    );
    eventually("on redis", || redis_up(&gw));
    let r = chat_as(&gw, "secret-one", json!({}), false);
    assert_eq!(r.status, 200, "{}", r.text());
    eventually("settled", || balance(&redis, "key:search-team") == (40, 0));
    // $0.00004 spent + $0.000513 held > $0.00055 (reserving $0.0001,
    // without the catalog, would fit).
    let r = chat_as(&gw, "secret-one", json!({}), false);
    assert_eq!(r.status, 429);
    let message = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("($0.00055) is reached: $0.00004 spent, $0.00 held by calls in flight, $0.000513 needed"),
        "{message}"
    );
}

#[test]
fn without_a_cost_in_the_answer_usage_times_the_catalogs_prices_is_debited() {
    // test/no-cost answers with tokens but no `usage.cost`: 12 prompt and
    // 4 completion tokens ($0.00002 at these prices), or 7 and 3 streamed
    // ($0.000013).
    let catalog = json!({ "data": [
        { "id": "test/no-cost", "name": "Test: No cost", "context_length": 8192,
          "pricing": { "prompt": "0.000001", "completion": "0.000002" } }
    ]})
    .to_string();
    let rules = RULES.replace(r#"-> "test/enterprise""#, r#"-> "test/no-cost""#);
    let redis = RedisServer::start();
    let stub = Stub::start();
    let gw = Gateway::start_with(
        &stub.url(),
        &rules,
        &config(&redis, "closed", BUDGETS),
        Some(&catalog),
    );
    eventually("on redis", || redis_up(&gw));
    let r = chat_as(&gw, "secret-one", json!({}), false);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-switchyard-model"), Some("test/no-cost"));
    assert_eq!(r.json()["usage"]["completion_tokens"], 4);
    assert!(r.json()["usage"].get("cost").is_none(), "{}", r.text());
    eventually("settled", || balance(&redis, "key:search-team") == (20, 0));
    let r = chat_as(&gw, "secret-one", json!({}), true);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("\"completion_tokens\":3") && !r.text().contains("\"cost\""));
    eventually("the stream settled", || {
        balance(&redis, "key:search-team") == (33, 0)
    });
    assert_eq!(balance(&redis, "team:search"), (33, 0));
}
