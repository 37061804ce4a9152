//! End-to-end tests of the `switchyard` binary: exit codes, output formats,
//! `fmt`. They need the parser, checker and formatter.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

mod support;
use support::{code, describe, json, p, run, stderr, stdout, Scratch};

use std::fs;
use std::process::{Command, Output};

/// A clean ruleset: no errors, no warnings.
const CLEAN: &str = "\
defaults max_tokens 1024

model mini = \"openai/gpt-4o-mini\"

rule default: otherwise -> mini
";

/// A ruleset with a type error (E004: a string outside the enum).
const CHECK_ERROR: &str = "\
context {
  tier: \"free\" | \"pro\" = \"free\"
}

defaults max_tokens 1024

rule paid: when tier == \"enterprize\" -> \"openai/gpt-4o\"
rule default: otherwise -> \"openai/gpt-4o-mini\"
";

/// A ruleset with a syntax error (E001).
const SYNTAX_ERROR: &str = "\
rule default: otherwise ->
";

/// A ruleset with warnings only: no `max_tokens` anywhere (W106) and a model
/// alias that is never used (W105).
const WARNINGS_ONLY: &str = "\
model unused = \"openai/gpt-4o\"

rule default: otherwise -> \"openai/gpt-4o-mini\"
";

/// A clean ruleset laid out badly.
const UGLY: &str =
    "defaults   max_tokens 1024\nmodel mini=\"openai/gpt-4o-mini\"\n\n\n\nrule default:   otherwise   ->   mini\n";

/// `switchyard ARGS... PATHS...`
fn switchyard(args: &[&str], paths: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend_from_slice(paths);
    run(&all, None)
}

/// Standard output as a JSON array.
fn json_array(output: &Output) -> Vec<serde_json::Value> {
    json(output).as_array().expect("a JSON array").clone()
}

// ---- check: exit codes ----

#[test]
fn clean_ruleset_exits_0() {
    let dir = Scratch::new("clean");
    let file = dir.file("clean.route", CLEAN);
    let out = switchyard(&["check"], &[&file]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(stdout(&out).is_empty(), "{}", describe(&out));
    assert!(stderr(&out).contains("ok"), "{}", describe(&out));
}

#[test]
fn check_error_exits_1_with_rustc_style_output() {
    let dir = Scratch::new("check-error");
    let file = dir.file("bad.route", CHECK_ERROR);
    let out = switchyard(&["check"], &[&file]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("error[E004]"), "{}", describe(&out));
    assert!(
        text.contains(&format!("--> {file}:7:")),
        "{}",
        describe(&out)
    );
    assert!(text.contains("^^^"), "{}", describe(&out));
    assert!(stderr(&out).contains("1 error"), "{}", describe(&out));
}

#[test]
fn syntax_error_exits_1() {
    let dir = Scratch::new("syntax-error");
    let file = dir.file("bad.route", SYNTAX_ERROR);
    let out = switchyard(&["check"], &[&file]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(stdout(&out).contains("error[E001]"), "{}", describe(&out));
}

#[test]
fn warnings_exit_0_unless_denied() {
    let dir = Scratch::new("warnings");
    let file = dir.file("warn.route", WARNINGS_ONLY);

    let listed = switchyard(&["check", "--format", "json"], &[&file]);
    let diagnostics = json_array(&listed);
    assert!(
        diagnostics.iter().any(|d| d["severity"] == "warning")
            && diagnostics.iter().all(|d| d["severity"] != "error"),
        "fixture should give warnings only: {}",
        describe(&listed)
    );

    let allowed = switchyard(&["check"], &[&file]);
    assert_eq!(code(&allowed), 0, "{}", describe(&allowed));
    assert!(
        stdout(&allowed).contains("warning["),
        "{}",
        describe(&allowed)
    );

    let denied = switchyard(&["check", "--deny-warnings"], &[&file]);
    assert_eq!(code(&denied), 1, "{}", describe(&denied));
}

#[test]
fn unreadable_path_exits_2() {
    let dir = Scratch::new("missing");
    let missing = dir.path().join("missing.route");
    let out = switchyard(&["check"], &[p(&missing)]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stderr(&out).contains("missing.route"), "{}", describe(&out));
}

#[test]
fn folder_without_route_files_exits_2() {
    let dir = Scratch::new("empty-folder");
    dir.file("notes.txt", "not a ruleset");
    let out = switchyard(&["check"], &[p(dir.path())]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
}

#[test]
fn unreadable_input_wins_over_findings() {
    let dir = Scratch::new("mixed");
    let bad = dir.file("bad.route", SYNTAX_ERROR);
    let missing = dir.path().join("missing.route");
    let out = switchyard(&["check"], &[&bad, p(&missing)]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stdout(&out).contains("error[E001]"), "{}", describe(&out));
}

#[test]
fn bad_usage_exits_2() {
    let out = switchyard(&["check", "--format", "xml", "x.route"], &[]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    let out = switchyard(&["check"], &[]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    let out = switchyard(&["frobnicate"], &[]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
}

#[test]
fn help_documents_exit_codes() {
    let out = switchyard(&["--help"], &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("Exit status"), "{text}");
    assert!(text.contains("  2  bad usage"), "{text}");
    let out = switchyard(&["check", "--help"], &[]);
    assert!(
        stdout(&out).contains("SWITCHYARD_FORMAT"),
        "{}",
        describe(&out)
    );
}

#[test]
fn a_folder_is_one_ruleset() {
    let dir = Scratch::new("folder");
    dir.file(
        "a.route",
        "defaults max_tokens 1024\nmodel mini = \"openai/gpt-4o-mini\"\n",
    );
    dir.file("b.route", "rule default: otherwise -> mini\n");
    let out = switchyard(&["check"], &[p(dir.path())]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

// ---- check: formats ----

const KEYS: [&str; 9] = [
    "code",
    "column",
    "end_column",
    "end_line",
    "file",
    "help",
    "line",
    "message",
    "severity",
];

#[test]
fn json_format_has_exactly_the_documented_keys() {
    let dir = Scratch::new("json");
    let file = dir.file("bad.route", CHECK_ERROR);
    let out = switchyard(&["check", "--format", "json"], &[&file]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let diagnostics = json_array(&out);
    assert!(!diagnostics.is_empty(), "{}", describe(&out));
    for d in &diagnostics {
        let mut keys: Vec<&str> = d
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, KEYS);
    }
    let e004 = diagnostics
        .iter()
        .find(|d| d["code"] == "E004")
        .unwrap_or_else(|| panic!("an E004: {}", describe(&out)));
    assert_eq!(e004["severity"], "error");
    assert_eq!(e004["file"], file);
    assert_eq!(e004["line"], 7);
    assert!(e004["column"].as_u64().is_some_and(|c| c >= 1));
    assert!(e004["help"].is_string() || e004["help"].is_null());
}

#[test]
fn json_format_of_a_clean_ruleset_is_an_empty_array() {
    let dir = Scratch::new("json-clean");
    let file = dir.file("clean.route", CLEAN);
    let out = switchyard(&["check", "--format", "json"], &[&file]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(json_array(&out).is_empty(), "{}", describe(&out));
}

#[test]
fn json_format_covers_every_path_in_one_array() {
    let dir = Scratch::new("json-many");
    let a = dir.file("a.route", CHECK_ERROR);
    let b = dir.file("b.route", SYNTAX_ERROR);
    let out = switchyard(&["check", "--format", "json"], &[&a, &b]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let files: Vec<String> = json_array(&out)
        .iter()
        .map(|d| d["file"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(files.contains(&a), "{files:?}");
    assert!(files.contains(&b), "{files:?}");
}

#[test]
fn format_comes_from_the_environment() {
    let dir = Scratch::new("env");
    let file = dir.file("bad.route", CHECK_ERROR);
    let out = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .arg("check")
        .arg(&file)
        .env("SWITCHYARD_FORMAT", "json")
        .output()
        .expect("run switchyard");
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(!json_array(&out).is_empty(), "{}", describe(&out));
}

#[test]
fn github_format_prints_workflow_commands() {
    let dir = Scratch::new("github");
    let file = dir.file("bad.route", CHECK_ERROR);
    let out = switchyard(&["check", "--format", "github"], &[&file]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("title=E004"))
        .unwrap_or_else(|| panic!("an E004 line: {}", describe(&out)));
    // Temporary paths hold no `,` or `:`, so they appear unescaped.
    let prefix = format!("::error file={file},line=7,col=");
    assert!(line.starts_with(&prefix), "{line}\nwanted prefix {prefix}");
    assert!(line.contains(",endLine=7,endColumn="), "{line}");
    assert!(line.contains("::"), "{line}");
    for l in text.lines() {
        assert!(
            l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice "),
            "{l}"
        );
    }
}

#[test]
fn sarif_format_is_sarif_2_1_0() {
    let dir = Scratch::new("sarif");
    let file = dir.file("bad.route", CHECK_ERROR);
    let out = switchyard(&["check", "--format", "sarif"], &[&file]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert!(run["tool"]["driver"]["rules"]
        .as_array()
        .is_some_and(|r| r.iter().any(|r| r["id"] == "E004")));
    let results = run["results"].as_array().expect("results");
    let e004 = results
        .iter()
        .find(|r| r["ruleId"] == "E004")
        .unwrap_or_else(|| panic!("an E004 result: {}", describe(&out)));
    assert_eq!(e004["level"], "error");
    assert_eq!(
        e004["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );
}

// ---- fmt ----

#[test]
fn fmt_check_lists_files_that_would_change_and_exits_1() {
    let dir = Scratch::new("fmt-check");
    let ugly = dir.file("ugly.route", UGLY);
    let out = switchyard(&["fmt", "--check"], &[&ugly]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(stdout(&out).contains(&ugly), "{}", describe(&out));
    assert_eq!(
        fs::read_to_string(&ugly).expect("read"),
        UGLY,
        "--check must not write"
    );
}

#[test]
fn fmt_rewrites_then_check_passes() {
    let dir = Scratch::new("fmt-rewrite");
    let ugly = dir.file("ugly.route", UGLY);
    let out = switchyard(&["fmt"], &[&ugly]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let formatted = fs::read_to_string(&ugly).expect("read");
    assert_ne!(formatted, UGLY);
    assert!(!formatted.trim().is_empty());

    let again = switchyard(&["fmt", "--check"], &[&ugly]);
    assert_eq!(code(&again), 0, "{}", describe(&again));
    assert!(stdout(&again).is_empty(), "{}", describe(&again));

    // Formatting keeps the meaning: the file still checks clean.
    let checked = switchyard(&["check"], &[&ugly]);
    assert_eq!(code(&checked), 0, "{}", describe(&checked));

    // No temporary file is left behind.
    let names: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["ugly.route"]);
}

#[test]
fn fmt_leaves_formatted_files_untouched() {
    let dir = Scratch::new("fmt-idempotent");
    let ugly = dir.file("ugly.route", UGLY);
    assert_eq!(code(&switchyard(&["fmt"], &[&ugly])), 0);
    let before = fs::metadata(&ugly)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = switchyard(&["fmt"], &[&ugly]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let after = fs::metadata(&ugly)
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(before, after, "an unchanged file must not be rewritten");
}

#[test]
fn fmt_of_a_folder_formats_every_route_file() {
    let dir = Scratch::new("fmt-folder");
    let a = dir.file("a.route", UGLY);
    let b = dir.file("b.route", UGLY);
    let other = dir.file("notes.txt", "left   alone");
    let out = switchyard(&["fmt", "--check"], &[p(dir.path())]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains(&a), "{text}");
    assert!(text.contains(&b), "{text}");
    assert_eq!(code(&switchyard(&["fmt"], &[p(dir.path())])), 0);
    assert_eq!(code(&switchyard(&["fmt", "--check"], &[p(dir.path())])), 0);
    assert_eq!(fs::read_to_string(&other).expect("read"), "left   alone");
}

#[test]
fn fmt_does_not_touch_a_file_that_does_not_parse() {
    let dir = Scratch::new("fmt-bad");
    let bad = dir.file("bad.route", SYNTAX_ERROR);
    let out = switchyard(&["fmt"], &[&bad]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(stderr(&out).contains("error[E001]"), "{}", describe(&out));
    assert_eq!(fs::read_to_string(&bad).expect("read"), SYNTAX_ERROR);
    let out = switchyard(&["fmt", "--check"], &[&bad]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
}

#[test]
fn fmt_of_an_unreadable_path_exits_2() {
    let dir = Scratch::new("fmt-missing");
    let missing = dir.path().join("missing.route");
    let out = switchyard(&["fmt"], &[p(&missing)]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
}

#[test]
fn fmt_reads_standard_input() {
    let out = run(&["fmt", "-"], Some(UGLY));
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let formatted = stdout(&out);
    assert!(formatted.contains("rule default"), "{}", describe(&out));

    let dir = Scratch::new("fmt-stdin");
    let file = dir.file("formatted.route", &formatted);
    let again = switchyard(&["fmt", "--check"], &[&file]);
    assert_eq!(code(&again), 0, "{}", describe(&again));
}

#[test]
fn check_with_a_catalog_warns_on_unknown_model_ids() {
    let dir = std::env::temp_dir().join(format!("switchyard-w104-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("r.route");
    std::fs::write(
        &rules,
        "defaults max_tokens 10\nrule r: otherwise -> \"openai/gpt-4o-mni\" fallback [\"openai/gpt-4o\"]\n",
    )
    .unwrap();
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/models.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["check", "--format", "json", "--catalog", catalog])
        .arg(&rules)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["W104"]);
    assert!(json[0]["help"]
        .as_str()
        .unwrap()
        .contains("openai/gpt-4o-mini"));
    // Without the catalog there is nothing to compare with.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["check", "--format", "json"])
        .arg(&rules)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
    // An unreadable catalog is bad input.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["check", "--catalog", "/nonexistent/models.json"])
        .arg(&rules)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}
