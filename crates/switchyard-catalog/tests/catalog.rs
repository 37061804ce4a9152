#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

//! Loading, querying, filtering and ordering with the committed sample
//! catalog `examples/models.json`, and the errors of malformed catalogs.

use std::path::PathBuf;

use serde_json::json;
use switchyard_catalog::{Catalog, CatalogError};

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn sample() -> Catalog {
    Catalog::load(examples().join("models.json")).expect("examples/models.json loads")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn sample_catalog_loads_with_at_least_eight_models() {
    let catalog = sample();
    assert!(catalog.len() >= 8, "{} models", catalog.len());
    let gpt = catalog.get("openai/gpt-4o").unwrap();
    assert_eq!(gpt.name.as_deref(), Some("OpenAI: GPT-4o"));
    assert_eq!(gpt.context_length, Some(128_000));
    assert_eq!(gpt.top_provider.max_completion_tokens, Some(16_384));
    assert_eq!(gpt.pricing.prompt, Some(0.0000025));
    assert_eq!(gpt.pricing.completion, Some(0.00001));
    assert_eq!(gpt.pricing.request, Some(0.0));
    assert_eq!(gpt.pricing.input_cache_read, Some(0.00000125));
    assert_eq!(gpt.pricing.input_cache_write, None);
    assert_eq!(
        gpt.architecture.input_modalities,
        ["text", "image", "file"].map(String::from)
    );
}

#[test]
fn every_model_of_the_example_ruleset_is_in_the_sample_catalog() {
    let route = std::fs::read_to_string(examples().join("openrouter.route")).unwrap();
    let catalog = sample();
    let mut seen = 0;
    for line in route.lines() {
        let line = line.trim_start();
        if !line.starts_with("model ") {
            continue;
        }
        let id = line.split('"').nth(1).expect("a quoted model id");
        assert!(
            catalog.get(id).is_some(),
            "`{id}` is not in examples/models.json"
        );
        seen += 1;
    }
    assert!(seen >= 6);
}

#[test]
fn capabilities() {
    let c = sample();
    // tools
    assert!(c.supports_tools("openai/gpt-4o"));
    assert!(c.supports_tools("anthropic/claude-3-haiku"));
    assert!(!c.supports_tools("google/gemma-2-9b-it:free"));
    // vision
    assert!(c.supports_vision("google/gemini-2.0-flash-001"));
    assert!(!c.supports_vision("meta-llama/llama-3.1-8b-instruct"));
    assert!(!c.supports_vision("openai/o3-mini"));
    // json: response_format or structured_outputs
    assert!(c.supports_json("meta-llama/llama-3.1-8b-instruct"));
    assert!(c.supports_json("openai/o3-mini"));
    assert!(!c.supports_json("anthropic/claude-3.5-sonnet"));
    // unknown models support nothing
    assert!(!c.supports_tools("acme/unknown"));
    assert!(!c.supports_vision("acme/unknown"));
    assert!(!c.supports_json("acme/unknown"));
    assert!(!c.fits("acme/unknown", 0, 0));
    assert_eq!(c.worst_case_cost_usd("acme/unknown", 1, 1), None);
}

#[test]
fn fits_is_context_length_at_least_prompt_plus_max_tokens() {
    let c = sample();
    // gemma: 8192 tokens
    assert!(c.fits("google/gemma-2-9b-it:free", 7680, 512));
    assert!(!c.fits("google/gemma-2-9b-it:free", 7681, 512));
    assert!(c.fits("google/gemini-2.0-flash-001", 1_000_000, 48_576));
    assert!(!c.fits("openai/gpt-4o", u64::MAX, 1), "no overflow");
}

#[test]
fn worst_case_cost() {
    let c = sample();
    // claude 3.5 sonnet: $3/M prompt, $15/M completion
    let cost = c
        .worst_case_cost_usd("anthropic/claude-3.5-sonnet", 10_000, 1_000)
        .unwrap();
    assert!(close(cost, 0.03 + 0.015), "{cost}");
    // free models cost nothing
    assert_eq!(
        c.worst_case_cost_usd("google/gemma-2-9b-it:free", 5000, 512),
        Some(0.0)
    );
    // a router with the "-1" sentinel has no price
    let auto = c.get("openrouter/auto").unwrap();
    assert_eq!(auto.pricing.prompt, None);
    assert_eq!(c.worst_case_cost_usd("openrouter/auto", 10, 10), None);
}

#[test]
fn a_variant_not_listed_resolves_to_its_base_model() {
    let c = sample();
    assert!(c.get("openai/gpt-4o-mini:nitro").is_none());
    let m = c.model("openai/gpt-4o-mini:nitro").unwrap();
    assert_eq!(m.id, "openai/gpt-4o-mini");
    assert!(c.supports_tools("openai/gpt-4o-mini:nitro"));
    assert!(c.contains("google/gemini-2.0-flash-001:floor"));
    // a listed variant answers for itself
    assert_eq!(
        c.model("google/gemma-2-9b-it:free").unwrap().id,
        "google/gemma-2-9b-it:free"
    );
    // the base of a listed variant is not itself listed
    assert!(c.model("google/gemma-2-9b-it").is_none());
    assert!(!c.contains("acme/unknown:free"));
}

/// What `require tools, vision, fits(prompt_tokens)` followed by `cheapest`
/// does with the catalog: filter in order, then order by worst-case cost.
fn cheapest<'a>(
    c: &Catalog,
    candidates: &[&'a str],
    filter: impl Fn(&str) -> bool,
    prompt_tokens: u64,
    max_tokens: u64,
) -> Vec<&'a str> {
    let mut kept: Vec<(&str, f64)> = candidates
        .iter()
        .copied()
        .filter(|id| filter(id))
        .filter_map(|id| Some((id, c.worst_case_cost_usd(id, prompt_tokens, max_tokens)?)))
        .collect();
    kept.sort_by(|a, b| a.1.total_cmp(&b.1));
    kept.into_iter().map(|(id, _)| id).collect()
}

#[test]
fn filtering_and_ordering_by_worst_case_cost() {
    let c = sample();
    let all: Vec<&str> = c.models().iter().map(|m| m.id.as_str()).collect();

    let tools_and_vision = cheapest(
        &c,
        &all,
        |id| c.supports_tools(id) && c.supports_vision(id) && c.fits(id, 2000, 1024),
        2000,
        1024,
    );
    assert_eq!(
        tools_and_vision,
        [
            "google/gemini-2.0-flash-001",
            "openai/gpt-4o-mini",
            "anthropic/claude-3-haiku",
            "openai/gpt-4o",
            "anthropic/claude-3.5-sonnet",
        ]
    );

    // a long prompt drops the small windows
    let long = cheapest(&c, &all, |id| c.fits(id, 150_000, 4096), 150_000, 4096);
    assert_eq!(
        long,
        [
            "google/gemini-2.0-flash-001",
            "anthropic/claude-3-haiku",
            "openai/o3-mini",
            "anthropic/claude-3.5-sonnet",
        ]
    );

    // json output, text only
    let json = cheapest(&c, &all, |id| c.supports_json(id), 1000, 256);
    assert_eq!(
        json,
        [
            "meta-llama/llama-3.1-8b-instruct",
            "google/gemini-2.0-flash-001",
            "openai/gpt-4o-mini",
            "mistralai/mistral-small",
            "openai/o3-mini",
            "openai/gpt-4o",
        ]
    );
}

#[test]
fn completion_cap_uses_the_top_provider_and_the_window() {
    let c = sample();
    assert_eq!(
        c.get("openai/gpt-4o").unwrap().completion_cap(1000),
        Some(16_384)
    );
    assert_eq!(
        c.get("openai/gpt-4o").unwrap().completion_cap(120_000),
        Some(8_000)
    );
    // no max_completion_tokens: what the window leaves
    assert_eq!(
        c.get("mistralai/mistral-small")
            .unwrap()
            .completion_cap(30_000),
        Some(2_768)
    );
}

#[test]
fn unknown_fields_and_missing_optional_fields_are_tolerated() {
    let c = Catalog::from_value(&json!({
        "data": [
            {"id": "a/minimal"},
            {"id": "b/nulls", "name": null, "context_length": null, "pricing": null,
             "architecture": null, "top_provider": null, "supported_parameters": null},
            {"id": "c/extra", "something_new": {"nested": [1, 2]},
             "pricing": {"prompt": "0.000001", "completion": 0.000002, "discount": 0,
                         "overrides": [{"min_prompt_tokens": 200000, "prompt": "0.000002"}]}}
        ],
        "total_count": 3
    }))
    .unwrap();
    assert_eq!(c.len(), 3);
    let a = c.get("a/minimal").unwrap();
    assert_eq!(a.context_length, None);
    assert_eq!(a.pricing.prompt, None);
    assert!(a.supported_parameters.is_empty());
    assert!(!c.fits("a/minimal", 1, 1));
    assert_eq!(c.worst_case_cost_usd("a/minimal", 1, 1), None);
    assert!(c.get("b/nulls").is_some());
    let x = c.get("c/extra").unwrap();
    assert_eq!(
        x.pricing.completion,
        Some(0.000002),
        "numbers are accepted too"
    );
    assert!(close(
        c.worst_case_cost_usd("c/extra", 1_000_000, 0).unwrap(),
        1.0
    ));
    assert!(Catalog::from_json_str(r#"{"data": []}"#)
        .unwrap()
        .is_empty());
}

fn err(text: &str) -> CatalogError {
    match Catalog::from_json_str(text) {
        Ok(_) => panic!("`{text}` loaded"),
        Err(e) => e,
    }
}

#[test]
fn malformed_json_gives_line_and_column() {
    let e = err("{\n  \"data\": [\n    {\"id\": \"x\",}\n  ]\n}");
    match &e {
        CatalogError::Syntax { line, column, .. } => {
            assert_eq!((*line, *column), (3, 16));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("line 3, column 16"), "{e}");
    assert!(matches!(err(""), CatalogError::Syntax { line: 1, .. }));
}

#[test]
fn missing_or_wrong_data_is_named() {
    let e = err(r#"{"models": []}"#);
    assert!(matches!(e, CatalogError::NoData { .. }));
    assert!(e.to_string().contains("no `data` key"), "{e}");
    let e = err(r#"[{"id": "a/b"}]"#);
    assert!(e.to_string().contains("the top level is an array"), "{e}");
    let e = err(r#"{"data": {"id": "a/b"}}"#);
    assert!(e.to_string().contains("`data` is an object"), "{e}");
}

#[test]
fn models_need_an_id() {
    let e = err(r#"{"data": [{"id": "a/b"}, {"name": "nameless"}]}"#);
    assert!(
        matches!(
            e,
            CatalogError::MissingId {
                index: 1,
                found: "missing"
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "`data[1]` has no model id: `id` is missing");
    let e = err(r#"{"data": [{"id": 7}]}"#);
    assert!(e.to_string().contains("`id` is a number"), "{e}");
    let e = err(r#"{"data": [{"id": ""}]}"#);
    assert!(e.to_string().contains("an empty string"), "{e}");
    let e = err(r#"{"data": ["a/b"]}"#);
    assert_eq!(e.to_string(), "`data[0]` is a string, not a model object");
}

#[test]
fn bad_prices_name_the_model_and_field() {
    let e = err(r#"{"data": [{"id": "a/b", "pricing": {"prompt": "abc", "completion": "0"}}]}"#);
    match &e {
        CatalogError::Field {
            index, id, field, ..
        } => {
            assert_eq!(
                (*index, id.as_str(), field.as_str()),
                (0, "a/b", "pricing.prompt")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string()
            .starts_with("model `a/b` (`data[0]`): `pricing.prompt` is \"abc\""),
        "{e}"
    );

    let e = err(r#"{"data": [{"id": "a/b"}, {"id": "c/d", "pricing": {"completion": "-0.5"}}]}"#);
    assert!(
        e.to_string()
            .contains("`c/d` (`data[1]`): `pricing.completion`"),
        "{e}"
    );
    assert!(e.to_string().contains("negative"), "{e}");

    for bad in ["\"NaN\"", "\"inf\"", "\"-inf\"", "true", "[]"] {
        let text = format!(r#"{{"data": [{{"id": "a/b", "pricing": {{"request": {bad}}}}}]}}"#);
        let e = err(&text);
        assert!(
            matches!(&e, CatalogError::Field { field, .. } if field == "pricing.request"),
            "{bad}: {e:?}"
        );
    }
    // the sentinel is not an error
    let c = Catalog::from_json_str(
        r#"{"data": [{"id": "a/b", "pricing": {"prompt": "-1", "completion": "-1"}}]}"#,
    )
    .unwrap();
    assert_eq!(c.get("a/b").unwrap().pricing.prompt, None);
}

#[test]
fn wrong_types_name_the_field_path() {
    let cases = [
        (
            r#"{"context_length": "128k"}"#,
            "context_length",
            "is a string",
        ),
        (
            r#"{"context_length": -5}"#,
            "context_length",
            "whole number",
        ),
        (
            r#"{"context_length": 1.5}"#,
            "context_length",
            "whole number",
        ),
        (
            r#"{"pricing": "free"}"#,
            "pricing",
            "is a string, expected an object",
        ),
        (
            r#"{"architecture": {"input_modalities": ["text", 3]}}"#,
            "architecture.input_modalities[1]",
            "is a number",
        ),
        (
            r#"{"top_provider": {"max_completion_tokens": "lots"}}"#,
            "top_provider.max_completion_tokens",
            "is a string",
        ),
        (
            r#"{"top_provider": {"is_moderated": "yes"}}"#,
            "top_provider.is_moderated",
            "`true` or `false`",
        ),
        (
            r#"{"supported_parameters": "tools"}"#,
            "supported_parameters",
            "an array of strings",
        ),
        (r#"{"name": 5}"#, "name", "is a number"),
    ];
    for (extra, path, what) in cases {
        let mut model: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(extra).unwrap();
        model.insert("id".into(), json!("x/y"));
        let e = Catalog::from_value(&json!({ "data": [model] })).unwrap_err();
        match &e {
            CatalogError::Field { field, problem, .. } => {
                assert_eq!(field, path, "{extra}");
                assert!(problem.contains(what), "{extra}: {problem}");
            }
            other => panic!("{extra}: {other:?}"),
        }
    }
}

#[test]
fn duplicate_ids_are_refused() {
    let e = err(r#"{"data": [{"id": "a/b"}, {"id": "c/d"}, {"id": "a/b"}]}"#);
    assert!(
        matches!(&e, CatalogError::DuplicateId { id, index: 2, first: 0 } if id == "a/b"),
        "{e:?}"
    );
}

#[test]
fn an_unreadable_file_names_the_path() {
    let e = Catalog::load("/nonexistent/models.json").unwrap_err();
    assert!(matches!(e, CatalogError::Io { .. }));
    assert!(e.to_string().contains("/nonexistent/models.json"), "{e}");
}
