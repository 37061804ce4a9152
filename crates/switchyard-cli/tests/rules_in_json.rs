//! Rules in JSON, time zones and `test` lines that assert arms and
//! fallbacks, end to end through the binary (issue #15, part B).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use support::{catalog, code, describe, example, p, run, stderr, stdout, Scratch};

/// The example converted to JSON checks, tests and converts like the
/// `.route` file; converted back, it is the text `fmt` gives, comments and
/// all; converting JSON again gives the same JSON.
#[test]
fn the_example_in_json_loads_like_the_route_file() {
    let dir = Scratch::new("json-example");
    let out = run(&["fmt", "--to", "json", p(&example())], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(stderr(&out), "", "{}", describe(&out));
    assert!(stdout(&out).contains("\"comment\""), "{}", describe(&out));
    let json = dir.file("rules.route.json", &stdout(&out));
    serde_json::from_str::<serde_json::Value>(&stdout(&out)).expect("valid JSON");

    let out = run(&["test", &json], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(stdout(&out).lines().last(), Some("10 passed, 0 failed"));
    let out = run(&["check", &json, "--catalog", p(&catalog())], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));

    let route = run(&["fmt", "--to", "route", &json], None);
    assert_eq!(code(&route), 0, "{}", describe(&route));
    let source = std::fs::read_to_string(example()).unwrap();
    let formatted = run(&["fmt", "-"], Some(&source));
    assert_eq!(stdout(&route), stdout(&formatted));
    let again = run(&["fmt", "--to", "json", "-"], Some(&stdout(&route)));
    assert_eq!(
        stdout(&again),
        stdout(&run(&["fmt", "--to", "json", &json], None))
    );
    let canonical = run(&["fmt", "--to", "json", "-"], Some(&stdout(&again)));
    assert_eq!(stdout(&canonical), stdout(&again));
}

/// In a folder, `NAME.route.json` files are rules and other `.json` files
/// (a catalog) are not; diagnostics point into the JSON and name the path.
#[test]
fn folders_read_route_json_files_and_diagnostics_name_the_json_path() {
    let dir = Scratch::new("json-folder");
    dir.file("models.json", "{\"data\": []}");
    dir.file(
        "a.route.json",
        r#"{
  "context": { "tier": { "type": ["free", "pro"], "default": "free" } },
  "models": { "mini": "openai/gpt-4o-mini" },
  "defaults": "max_tokens 64"
}
"#,
    );
    dir.file(
        "b.route",
        "rule pro: when tier == \"pro\" -> mini\nrule default: otherwise -> mini\n",
    );
    let out = run(&["check", p(dir.path())], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));

    dir.file(
        "c.route.json",
        "{\n  \"rules\": [\n    { \"name\": \"x\", \"when\": \"teir == \\\"pro\\\"\", \"target\": \"mini\" }\n  ]\n}\n",
    );
    let out = run(&["check", p(dir.path()), "--format", "json"], None);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let found: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let first = &found[0];
    assert_eq!(first["code"], "E002", "{found}");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(3), Some(29))
    );
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("`/rules/0/when`"),
        "{found}"
    );
}

const SPLIT: &str = r#"timezone "America/New_York"
context { user: string }
model mini = "openai/gpt-4o-mini"
model big = "openai/gpt-4o"
defaults max_tokens 10
rule evening: when hour >= 18 -> mini
rule ab: when has(user) -> split by user {
  control 50%: mini fallback [big]
  treat 50%: big
}
rule default: otherwise -> mini fallback [big]
"#;

/// `test` lines assert the arm and the fallbacks; `hour` is New York's.
#[test]
fn tests_assert_arms_fallbacks_and_local_hours() {
    let dir = Scratch::new("test-arms");
    // 2024-01-15 22:00 UTC is 17:00 in New York (UTC-5 in January).
    let at = "1705356000";
    let passing = format!(
        "{SPLIT}test t1: {{ user: \"u1\" }} -> ab arm treat model \"openai/gpt-4o\" fallback []\n\
         test t2: {{}} -> default fallback [\"openai/gpt-4o\"]\n"
    );
    let rules = dir.file("ok.route", &passing);
    let out = run(&["test", &rules, "--at", at], None);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // An hour later it is 18:00 there: the evening rule wins.
    let out = run(&["test", &rules, "--at", "1705359600"], None);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(
        stdout(&out).contains("got rule `evening`"),
        "{}",
        describe(&out)
    );

    let failing =
        format!("{SPLIT}test t1: {{ user: \"u1\" }} -> ab arm control fallback [\"x/y\"]\n");
    let rules = dir.file("fail.route", &failing);
    let out = run(&["test", &rules, "--at", at], None);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(
        stdout(&out).contains(
            "expected rule `ab` arm `control` fallback [\"x/y\"], got rule `ab` arm `treat` \
             (model `openai/gpt-4o` fallback [])"
        ),
        "{}",
        describe(&out)
    );
}
