//! `switchyard serve` as operators see it: refusing an open address
//! without keys, the status pages and metrics, the access log, and
//! reloads of rules, keys and catalog under load.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod gateway;
mod support;

use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use gateway::stub::Stub;
use gateway::{eventually, user, Gateway, CONFIG, KEYS, RULES, UPSTREAM_KEY};

#[test]
fn a_non_loopback_address_needs_client_keys() {
    let dir = support::Scratch::new("serve-open");
    let rules = dir.file("rules.route", RULES);
    let out = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["serve", "--rules", &rules, "--listen", "0.0.0.0:0"])
        .env("OPENROUTER_API_KEY", UPSTREAM_KEY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", support::describe(&out));
    assert!(
        support::stderr(&out).contains("without client keys"),
        "{}",
        support::describe(&out)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["serve", "--rules", &rules])
        .env_remove("OPENROUTER_API_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(support::stderr(&out).contains("OPENROUTER_API_KEY"));
}

/// A catalog with `test/backup` at `price` per prompt token.
fn catalog(price: &str) -> String {
    json!({ "data": [
        { "id": "test/backup", "name": "Test: Backup", "context_length": 8192,
          "pricing": { "prompt": price, "completion": "0.000002" } },
        { "id": "test/third", "name": "Test: Third", "context_length": 4096,
          "pricing": { "prompt": price, "completion": "0" } }
    ]})
    .to_string()
}

#[test]
fn status_pages_and_metrics() {
    let stub = Stub::start();
    let gw = Gateway::start_with(&stub.url(), RULES, CONFIG, Some(&catalog("0.000001")));
    assert_eq!(gw.get("/healthz").json(), json!({ "status": "ok" }));
    let ready = gw.get("/readyz").json();
    assert_eq!(ready["generation"], 1, "{ready}");
    assert!(
        ready["digest"].as_str().is_some_and(|d| !d.is_empty()),
        "{ready}"
    );
    assert_eq!(ready["last_reload_error"], Value::Null);
    let models = gw.get("/v1/models").json();
    assert_eq!(models["object"], "list");
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(
        ids[..3],
        ["test/bad-request", "test/backup", "test/down"],
        "{models}"
    );
    assert!(ids.contains(&"test/alice"));
    let backup = &models["data"][1];
    assert_eq!(backup["name"], "Test: Backup");
    assert_eq!(backup["context_length"], 8192);

    let r = gw.chat(
        &json!({ "messages": [user("hi")], "switchyard_context": { "tier": "pro" } }),
        None,
    );
    assert_eq!(r.status, 200);
    let metrics = gw.get("/metrics").text();
    for needle in [
        r#"switchyard_requests_total{rule="pro",model="test/backup",status="200"} 1"#,
        r#"switchyard_fallbacks_total{rule="pro"} 1"#,
        "switchyard_upstream_time_to_first_byte_seconds_count 2",
        "switchyard_upstream_latency_seconds_count 2",
        "switchyard_decision_seconds_count 1",
        r#"switchyard_reloads_total{what="rules",outcome="loaded"} 1"#,
        "switchyard_models_cooled_down 1",
    ] {
        assert!(metrics.contains(needle), "{needle} not in\n{metrics}");
    }
}

#[test]
fn the_access_log_is_json_lines_without_keys_or_prompts_unless_asked() {
    let stub = Stub::start();
    let config = format!("{CONFIG}{KEYS}[log]\nformat = \"json\"\n");
    let gw = Gateway::start(&stub.url(), RULES, &config);
    let r = gw.chat(
        &json!({ "messages": [user("a secret prompt")] }),
        Some("secret-one"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let line = |gw: &Gateway| {
        let mut found = None;
        eventually("the access log line", || {
            found = gw
                .log()
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .find(|v| v["message"] == "chat completion");
            found.is_some()
        });
        found.unwrap()
    };
    let entry = line(&gw);
    assert_eq!(entry["key"], "search-team", "{entry}");
    assert_eq!(entry["rule"], "enterprise");
    assert_eq!(entry["model"], "test/enterprise");
    assert_eq!(entry["status"], 200);
    assert_eq!(entry["prompt_tokens"], 12);
    assert_eq!(entry["cost_usd"], 0.00004);
    let log = gw.log();
    assert!(
        !log.contains("a secret prompt")
            && !log.contains("secret-one")
            && !log.contains(UPSTREAM_KEY),
        "{log}"
    );

    let gw = Gateway::start(&stub.url(), RULES, &format!("{config}prompts = true\n"));
    gw.chat(
        &json!({ "messages": [user("a secret prompt")] }),
        Some("secret-one"),
    );
    assert_eq!(line(&gw)["prompt"], "a secret prompt");
}

#[test]
fn rules_keys_and_catalog_reload_under_load_without_a_failed_request() {
    let stub = Stub::start();
    let rules = |model: &str| {
        format!("context {{ tier: string = \"\" }}\ndefaults max_tokens 9\nrule default: otherwise -> \"{model}\"\n")
    };
    let keys = |extra: bool| {
        let mut k = KEYS.to_string();
        if extra {
            let digest = "cebdf378f2d2bd60d3e3693349e8f20f329daf11a276f849996f0a6377e2155b";
            k.push_str(&format!(
                "[[keys]]\nname = \"second\"\nsha256 = \"{digest}\"\n"
            ));
        }
        k
    };
    let gw = Gateway::start_with(
        &stub.url(),
        &rules("test/backup"),
        &keys(false),
        Some(&catalog("0.000001")),
    );
    let gw = Arc::new(gw);
    let stop = Arc::new(AtomicBool::new(false));
    // Stops the load even when an assertion fails, so that the gateway is
    // dropped (and killed) with the test.
    let _stop_on_exit = StopOnDrop(Arc::clone(&stop));
    let (sent, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (gw, stop, sent, failed) = (
                Arc::clone(&gw),
                Arc::clone(&stop),
                Arc::clone(&sent),
                Arc::clone(&failed),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let r = gw.chat(&json!({ "messages": [user("hi")] }), Some("secret-one"));
                    sent.fetch_add(1, Ordering::SeqCst);
                    if r.status != 200 {
                        failed.fetch_add(1, Ordering::SeqCst);
                        eprintln!("failed: {} {}", r.status, r.text());
                    }
                }
            })
        })
        .collect();
    for round in 0..9 {
        std::thread::sleep(Duration::from_millis(150));
        let odd = round % 2 == 1;
        gw.rewrite(
            "rules.route",
            &rules(if odd { "test/third" } else { "test/backup" }),
        );
        gw.rewrite("gateway.toml", &keys(odd));
        gw.rewrite(
            "models.json",
            &catalog(if odd { "0.000003" } else { "0.000001" }),
        );
    }
    // The last round left test/backup, one key (secret-two is refused) and
    // the first price; then
    // one more change of each, and the load goes on until it shows.
    eventually("secret-two to be refused", || {
        gw.chat(&json!({ "messages": [user("hi")] }), Some("secret-two"))
            .status
            == 401
    });
    gw.rewrite("rules.route", &rules("test/third"));
    gw.rewrite("gateway.toml", &keys(true));
    gw.rewrite("models.json", &catalog("0.000005"));
    eventually("the last reload", || {
        let models = gw.get_as("/v1/models", "secret-one").json();
        models["data"][0]["id"] == "test/third"
            && models["data"][0]["pricing"]["prompt"] == json!(0.000005)
            && gw
                .chat(&json!({ "messages": [user("hi")] }), Some("secret-two"))
                .status
                == 200
    });
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.join().unwrap();
    }
    let sent = sent.load(Ordering::SeqCst);
    assert!(sent > 50, "only {sent} requests");
    assert_eq!(failed.load(Ordering::SeqCst), 0, "of {sent}\n{}", gw.log());
    let models = stub.models_called();
    assert!(
        models.contains(&"test/backup".to_string())
            && models.last().map(String::as_str) == Some("test/third")
    );
    let ready = gw.get("/readyz").json();
    assert!(ready["generation"].as_u64().unwrap() > 2, "{ready}");
    assert_eq!(ready["config_reload_error"], Value::Null, "{ready}");
}

/// Sets its flag when dropped.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}
