#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

//! Reading responses, stream chunks and error bodies.

use std::time::Duration;

use serde_json::json;
use switchyard_catalog::Catalog;
use switchyard_openrouter::{
    parse_response, parse_stream_final_chunk, read_response, ChatResponse, CostSource, ErrorCode,
    OpenRouterError, ResponseError,
};

fn catalog() -> Catalog {
    Catalog::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/models.json"
    ))
    .unwrap()
}

const SUCCESS: &str = r#"{
  "id": "gen-1731234567-AbCdEfGh",
  "provider": "OpenAI",
  "model": "openai/gpt-4o",
  "object": "chat.completion",
  "created": 1731234567,
  "system_fingerprint": "fp_a1b2c3",
  "service_tier": "default",
  "choices": [{
    "index": 0, "logprobs": null, "finish_reason": "tool_calls", "native_finish_reason": "tool_calls",
    "message": {"role": "assistant", "content": null, "refusal": null, "reasoning": null,
      "tool_calls": [{"id": "call_1", "type": "function", "index": 0,
        "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]}
  }],
  "usage": {
    "prompt_tokens": 1200, "completion_tokens": 35, "total_tokens": 1235,
    "prompt_tokens_details": {"cached_tokens": 1024, "cache_write_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0},
    "cost": 0.00222, "is_byok": false,
    "cost_details": {"upstream_inference_cost": null, "upstream_inference_prompt_cost": 0.00187,
                     "upstream_inference_completions_cost": 0.00035}
  }
}"#;

#[test]
fn a_success_gives_the_served_model_provider_tokens_and_cost() {
    let out = parse_response(SUCCESS, None).unwrap();
    assert_eq!(out.id, "gen-1731234567-AbCdEfGh");
    assert_eq!(out.model, "openai/gpt-4o");
    assert_eq!(out.provider.as_deref(), Some("OpenAI"));
    assert_eq!(out.finish_reason.as_deref(), Some("tool_calls"));
    let u = out.usage.as_ref().unwrap();
    assert_eq!(
        (u.prompt_tokens, u.completion_tokens, u.total_tokens),
        (1200, 35, 1235)
    );
    assert_eq!(u.cost, Some(0.00222));
    assert_eq!(u.cost_source, CostSource::Response);
    assert_eq!(out.cost_usd(), Some(0.00222));
    assert!(!out.fell_back("openai/gpt-4o:nitro"));
    assert!(out.fell_back("anthropic/claude-3.5-sonnet"));

    let raw = ChatResponse::from_json_str(SUCCESS).unwrap();
    let ru = raw.usage.unwrap();
    assert_eq!(ru.cached_tokens, Some(1024));
    assert_eq!(ru.reasoning_tokens, Some(0));
    assert_eq!(ru.is_byok, Some(false));

    // the outcome serialises for logs
    let logged = serde_json::to_value(&out).unwrap();
    assert_eq!(logged["usage"]["cost_source"], json!("response"));
}

#[test]
fn without_a_cost_the_catalog_estimates_it() {
    let body = json!({
        "id": "gen-2", "model": "anthropic/claude-3.5-sonnet", "provider": "Anthropic",
        "choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
        "usage": {"prompt_tokens": 10000, "completion_tokens": 1000}
    })
    .to_string();
    let c = catalog();
    let out = parse_response(&body, Some(&c)).unwrap();
    let u = out.usage.unwrap();
    assert_eq!(u.total_tokens, 11000, "computed when left out");
    assert_eq!(u.cost_source, CostSource::Catalog);
    assert!((u.cost.unwrap() - (0.03 + 0.015)).abs() < 1e-12);

    // no catalog, or a model the catalog lacks: unknown
    let out = parse_response(&body, None).unwrap();
    assert_eq!(out.usage.as_ref().unwrap().cost_source, CostSource::Unknown);
    assert_eq!(out.cost_usd(), None);
    let other = body.replace("anthropic/claude-3.5-sonnet", "acme/unlisted");
    let out = parse_response(&other, Some(&c)).unwrap();
    assert_eq!(out.usage.unwrap().cost_source, CostSource::Unknown);

    // a variant is priced as its base
    let nitro = body.replace(
        "anthropic/claude-3.5-sonnet",
        "anthropic/claude-3.5-sonnet:nitro",
    );
    let out = parse_response(&nitro, Some(&c)).unwrap();
    assert_eq!(out.usage.unwrap().cost_source, CostSource::Catalog);
}

#[test]
fn a_response_without_usage_has_no_usage() {
    let out = parse_response(
        r#"{"id": "gen-3", "model": "openai/gpt-4o", "choices": []}"#,
        None,
    )
    .unwrap();
    assert_eq!(out.usage, None);
    assert_eq!(out.finish_reason, None);
}

const STREAM_TAIL: &str = ": OPENROUTER PROCESSING\n\n\
data: {\"id\":\"gen-9\",\"provider\":\"Google\",\"model\":\"google/gemini-2.0-flash-001\",\"object\":\"chat.completion.chunk\",\"created\":1731234567,\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n\
data: {\"id\":\"gen-9\",\"provider\":\"Google\",\"model\":\"google/gemini-2.0-flash-001\",\"object\":\"chat.completion.chunk\",\"created\":1731234567,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"},\"finish_reason\":\"stop\",\"native_finish_reason\":\"STOP\"}]}\n\n\
data: {\"id\":\"gen-9\",\"provider\":\"Google\",\"model\":\"google/gemini-2.0-flash-001\",\"object\":\"chat.completion.chunk\",\"created\":1731234567,\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2,\"total_tokens\":14,\"cost\":0.000002,\"is_byok\":false,\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\n\
data: [DONE]\n\n";

#[test]
fn the_final_stream_chunk_gives_usage() {
    let out = parse_stream_final_chunk(STREAM_TAIL, None).unwrap();
    assert_eq!(out.model, "google/gemini-2.0-flash-001");
    assert_eq!(out.provider.as_deref(), Some("Google"));
    let u = out.usage.unwrap();
    assert_eq!(
        (u.prompt_tokens, u.completion_tokens, u.total_tokens),
        (12, 2, 14)
    );
    assert_eq!(u.cost, Some(0.000002));

    // the chunk alone, as JSON, with CRLF line ends, or as one SSE event
    let event = STREAM_TAIL
        .split("\n\n")
        .find(|e| e.contains("\"usage\""))
        .unwrap();
    let json_only = event.strip_prefix("data: ").unwrap();
    assert_eq!(
        parse_stream_final_chunk(json_only, None).unwrap().id,
        "gen-9"
    );
    assert_eq!(parse_stream_final_chunk(event, None).unwrap().id, "gen-9");
    let crlf = STREAM_TAIL.replace('\n', "\r\n");
    assert_eq!(parse_stream_final_chunk(&crlf, None).unwrap().id, "gen-9");
}

#[test]
fn a_stream_chunk_without_usage_or_data_is_an_error() {
    let content_only = STREAM_TAIL.split("\n\n").nth(1).unwrap();
    assert_eq!(
        parse_stream_final_chunk(content_only, None).unwrap_err(),
        ResponseError::Missing {
            path: "usage".into()
        }
    );
    assert_eq!(
        parse_stream_final_chunk("data: [DONE]\n\n", None).unwrap_err(),
        ResponseError::NoData
    );
    assert_eq!(
        parse_stream_final_chunk(": OPENROUTER PROCESSING\n\n", None).unwrap_err(),
        ResponseError::NoData
    );
    assert_eq!(
        parse_stream_final_chunk("", None).unwrap_err(),
        ResponseError::NoData
    );
}

#[test]
fn a_mid_stream_error_chunk_is_an_api_error() {
    let chunk = r#"data: {"id":"gen-10","object":"chat.completion.chunk","created":1731234567,"model":"openai/gpt-4o","provider":"Azure","error":{"code":502,"message":"Upstream provider disconnected"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}"#;
    let e = parse_stream_final_chunk(chunk, None).unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(api.status, 200);
    assert_eq!(api.effective_status(), 502);
    assert_eq!(api.provider.as_deref(), Some("Azure"));
    assert!(api.retryable());
    assert!(api.retry_next_model());
    assert_eq!(
        e.to_string(),
        "OpenRouter error (HTTP 200, code 502): Upstream provider disconnected"
    );
}

fn error(status: u16, body: serde_json::Value) -> OpenRouterError {
    match read_response(status, &body.to_string(), None) {
        Err(ResponseError::Api(e)) => *e,
        other => panic!("{other:?}"),
    }
}

#[test]
fn account_errors_are_terminal() {
    for (status, ty, msg) in [
        (401, "authentication", "No auth credentials found"),
        (
            402,
            "payment_required",
            "Insufficient credits. Add more using https://openrouter.ai/credits",
        ),
    ] {
        let e = error(
            status,
            json!({"error": {"code": status, "message": msg, "metadata": {"error_type": ty}}}),
        );
        assert_eq!(e.code, Some(ErrorCode::Number(i64::from(status))));
        assert_eq!(e.error_type.as_deref(), Some(ty));
        assert!(!e.retry_next_model(), "{status}");
        assert!(!e.retryable(), "{status}");
    }
}

#[test]
fn forbidden_is_terminal_unless_region_restricted() {
    let moderation = error(
        403,
        json!({"error": {"code": 403, "message": "Input flagged by moderation",
            "metadata": {"reasons": ["harassment"], "flagged_input": "…", "provider_name": "OpenAI",
                         "model_slug": "openai/gpt-4o", "error_type": "permission_denied"}}}),
    );
    assert!(!moderation.retry_next_model());
    assert_eq!(moderation.provider.as_deref(), Some("OpenAI"));
    assert_eq!(
        moderation.metadata.as_ref().unwrap()["reasons"],
        json!(["harassment"])
    );

    let region = error(
        403,
        json!({"error": {"code": 403, "message": "This model is not available in your region",
            "availability": {"code": "region_restricted", "retryable": false,
                             "requested_models": ["openai/gpt-4o"]}}}),
    );
    assert!(region.retry_next_model());
    assert!(!region.retryable());
}

#[test]
fn routing_filter_errors_move_to_the_next_model() {
    let tools = error(
        404,
        json!({"error": {"code": 404, "message": "No endpoints found that support tool use. To learn more about provider routing, visit: https://openrouter.ai/docs/provider-routing"}}),
    );
    assert!(tools.retry_next_model());
    assert!(!tools.retryable());

    let price = error(
        404,
        json!({"error": {"code": 404, "message": "No endpoints found matching your price limits",
            "error_type": "not_found", "http_status": 404,
            "availability": {"code": "constraint_filtered", "retryable": false,
                "requested_models": ["anthropic/claude-3.5-sonnet"],
                "excluded_by": ["max_price"],
                "constraint": {"field": "max_price", "detail": "prompt <= 1"},
                "fallback_models": ["openai/gpt-4o-mini"],
                "docs_url": "https://openrouter.ai/docs/api-reference/errors"}}}),
    );
    assert!(price.retry_next_model());
    assert!(!price.retryable());
    let a = price.availability.as_ref().unwrap();
    assert_eq!(a.code, "constraint_filtered");
    assert_eq!(a.excluded_by, ["max_price"]);
    assert_eq!(a.fallback_models, ["openai/gpt-4o-mini"]);
    assert_eq!(
        a.constraint.as_ref().unwrap().field.as_deref(),
        Some("max_price")
    );
    assert_eq!(price.error_type.as_deref(), Some("not_found"));
    assert_eq!(
        price.to_string(),
        "OpenRouter error (HTTP 404, constraint_filtered): No endpoints found matching your price limits"
    );

    for code in ["free_variant_ended", "model_deprecated", "no_endpoints"] {
        let e = error(
            404,
            json!({"error": {"code": 404, "message": "gone", "availability": {"code": code, "retryable": false}}}),
        );
        assert!(e.retry_next_model(), "{code}");
    }
    let not_found = error(
        400,
        json!({"error": {"code": 400, "message": "acme/x is not a valid model ID",
            "availability": {"code": "model_not_found", "retryable": false}}}),
    );
    assert!(not_found.retry_next_model());
    let wrong = error(
        400,
        json!({"error": {"code": 400, "message": "use /api/v1/embeddings",
            "availability": {"code": "wrong_endpoint", "retryable": false}}}),
    );
    assert!(!wrong.retry_next_model());
}

#[test]
fn bad_requests_stay_bad_unless_another_model_may_take_them() {
    let invalid = error(
        400,
        json!({"error": {"code": 400, "message": "'models' array must have 3 items or fewer.",
            "metadata": {"error_type": "invalid_request"}}}),
    );
    assert!(!invalid.retry_next_model());
    assert!(!invalid.retryable());
    let context = error(
        400,
        json!({"error": {"code": 400, "message": "This endpoint's maximum context length is 8192 tokens.",
            "metadata": {"error_type": "context_length_exceeded", "provider_name": "Together"}}}),
    );
    assert!(context.retry_next_model());
    assert!(!context.retryable());
    let big = error(
        413,
        json!({"error": {"code": 413, "message": "Payload too large"}}),
    );
    assert!(!big.retry_next_model());
}

#[test]
fn rate_limits_and_outages_are_retryable() {
    let capacity = error(
        429,
        json!({"error": {"code": 429, "message": "Provider capacity exhausted",
            "availability": {"code": "capacity_exhausted", "retryable": true, "retry_after": 5}}}),
    );
    assert!(capacity.retryable());
    assert!(capacity.retry_next_model());
    assert_eq!(capacity.retry_after(), Some(Duration::from_secs(5)));

    let limited = error(
        429,
        json!({"error": {"code": 429, "message": "Rate limit exceeded: free-models-per-min",
            "metadata": {"headers": {"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0"}}}}),
    )
    .with_retry_after_header("12");
    assert!(limited.retryable());
    assert!(limited.retry_next_model());
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(12)));
    assert_eq!(
        limited
            .clone()
            .with_retry_after_header("Wed, 21 Oct 2026 07:28:00 GMT")
            .retry_after(),
        None
    );

    for status in [408, 500, 502, 503, 504] {
        let e = error(
            status,
            json!({"error": {"code": status, "message": "upstream trouble"}}),
        );
        assert!(e.retryable(), "{status}");
        assert!(e.retry_next_model(), "{status}");
        assert_eq!(e.retry_after(), None);
    }
    // availability.retryable wins over the status
    let unavailable = error(
        503,
        json!({"error": {"code": 503, "message": "No available model provider",
            "availability": {"code": "model_unavailable_upstream", "retryable": false}}}),
    );
    assert!(!unavailable.retryable());
    assert!(unavailable.retry_next_model());
}

#[test]
fn unreadable_error_bodies_still_classify_by_status() {
    match read_response(502, "<html><body>Bad Gateway</body></html>", None) {
        Err(ResponseError::Api(e)) => {
            assert_eq!(e.status, 502);
            assert!(e.retry_next_model());
            assert!(e.message.contains("not valid JSON"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
    // the strict reader says what is wrong
    assert!(matches!(
        OpenRouterError::from_body(502, "<html>").unwrap_err(),
        ResponseError::Syntax {
            line: 1,
            column: 1,
            ..
        }
    ));
    assert_eq!(
        OpenRouterError::from_body(400, r#"{"message": "x"}"#).unwrap_err(),
        ResponseError::Missing {
            path: "error".into()
        }
    );
    assert_eq!(
        OpenRouterError::from_body(400, r#"{"error": {"code": 400}}"#).unwrap_err(),
        ResponseError::Missing {
            path: "error.message".into()
        }
    );
    assert_eq!(
        OpenRouterError::from_body(
            404,
            r#"{"error": {"message": "x", "availability": {"retryable": true}}}"#
        )
        .unwrap_err(),
        ResponseError::Missing {
            path: "error.availability.code".into()
        }
    );
    let e = OpenRouterError::from_body(
        400,
        r#"{"error": {"code": "invalid_api_key", "message": "bad"}}"#,
    )
    .unwrap();
    assert_eq!(e.code, Some(ErrorCode::Text("invalid_api_key".into())));
}

#[test]
fn malformed_responses_name_what_is_wrong() {
    let e = parse_response("{\"id\": \"gen\",\n \"model\": }", None).unwrap_err();
    assert!(matches!(e, ResponseError::Syntax { line: 2, .. }), "{e:?}");
    assert!(e.to_string().contains("line 2"), "{e}");

    let cases = [
        (r#"[]"#, "the response is an array, expected an object"),
        (r#"{"model": "m"}"#, "the response has no `id`"),
        (r#"{"id": "g"}"#, "the response has no `model`"),
        (r#"{"id": "g", "model": 5}"#, "the response's `model` is a number, expected a string"),
        (r#"{"id": "g", "model": "m", "choices": {}}"#, "the response's `choices` is an object, expected an array"),
        (r#"{"id": "g", "model": "m", "choices": [1]}"#, "the response's `choices[0]` is a number, expected an object"),
        (r#"{"id": "g", "model": "m", "usage": {"completion_tokens": 1}}"#, "the response has no `usage.prompt_tokens`"),
        (
            r#"{"id": "g", "model": "m", "usage": {"prompt_tokens": "12", "completion_tokens": 1}}"#,
            "the response's `usage.prompt_tokens` is a string, expected a whole number",
        ),
        (
            r#"{"id": "g", "model": "m", "usage": {"prompt_tokens": -1, "completion_tokens": 1}}"#,
            "the response's `usage.prompt_tokens` is -1, expected a whole number at least 0",
        ),
        (
            r#"{"id": "g", "model": "m", "usage": {"prompt_tokens": 1, "completion_tokens": 1, "cost": "0.1"}}"#,
            "the response's `usage.cost` is a string, expected a number",
        ),
        (
            r#"{"id": "g", "model": "m", "usage": {"prompt_tokens": 1, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": true}}}"#,
            "the response's `usage.prompt_tokens_details.cached_tokens` is a boolean, expected a whole number",
        ),
    ];
    for (body, want) in cases {
        let e = parse_response(body, None).unwrap_err();
        assert_eq!(e.to_string(), want, "{body}");
    }
}

#[test]
fn an_error_body_with_status_200_is_an_api_error() {
    let e = parse_response(
        r#"{"error": {"code": 429, "message": "Rate limited upstream", "metadata": {"provider_name": "Together"}}}"#,
        None,
    )
    .unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(api.effective_status(), 429);
    assert!(api.retryable());
}
