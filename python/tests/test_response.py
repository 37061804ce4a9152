"""`read_response`: the served model, usage and cost, or OpenRouter's error
and whether the next model is worth trying."""

from __future__ import annotations

import json

import pytest

import switchyard

OK = {
    "id": "gen-1",
    "model": "openai/gpt-4o-mini",
    "provider": "OpenAI",
    "choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": "Hi"}}],
    "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11, "cost": 0.0000025},
}


@pytest.mark.parametrize("given", [OK, json.dumps(OK), json.dumps(OK).encode()])
def test_a_completion_is_read(given):
    outcome = switchyard.read_response(given)
    assert outcome["model"] == "openai/gpt-4o-mini"
    assert outcome["provider"] == "OpenAI"
    assert outcome["finish_reason"] == "stop"
    assert outcome["usage"]["total_tokens"] == 11
    assert outcome["usage"]["cost"] == 0.0000025


def test_an_error_says_whether_to_try_the_next_model():
    body = {"error": {"code": 404, "message": "No endpoints found that support tool use"}}
    with pytest.raises(switchyard.OpenRouterError) as caught:
        switchyard.read_response(body, status=404)
    e = caught.value
    assert e.status == 404 and e.code == "404"
    assert e.retry_next_model is True
    assert "No endpoints found" in str(e)
    with pytest.raises(switchyard.OpenRouterError) as caught:
        switchyard.read_response({"error": {"code": 429, "message": "Rate limited"}}, status=429)
    assert caught.value.retryable is True


def test_a_malformed_response_is_a_response_error():
    with pytest.raises(switchyard.ResponseError, match="not valid JSON"):
        switchyard.read_response("{")
    with pytest.raises(switchyard.ResponseError, match="model"):
        switchyard.read_response({"id": "x", "choices": []})
    with pytest.raises(TypeError, match="not JSON"):
        switchyard.read_response({"id": object()})
