"""OpenRouter through the official `openai` client: `openai_kwargs` makes it
send exactly the body `switchyard body` prints, sync and async, to a local
stub server that records what it receives."""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import pytest

import switchyard

from conftest import EXAMPLE, run_cli

CATALOG = EXAMPLE.parent / "models.json"

MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Why does this fail?\n```py\nx = 1/0\n```"},
]

# (context, rule it routes to): a plain chain, a provider object with every
# kind of value, a split arm, and a single model without fallbacks.
CONTEXTS = [
    ({"tier": "pro", "task": "code", "budget": 40}, "code"),
    ({"tier": "enterprise", "region": "eu"}, "enterprise-eu"),
    ({"tier": "basic", "task": "chat", "user": "u-7"}, "chat-ab"),
    ({"tier": "pro", "prompt_tokens": 200000}, "long-context"),
]


def completion(model: str) -> dict:
    return {
        "id": "gen-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "provider": "Stub",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": "Division by zero."},
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15, "cost": 0.0000042},
    }


class Stub:
    """An OpenAI-compatible endpoint on 127.0.0.1 that records each body."""

    def __init__(self):
        self.bodies: list = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                stub.bodies.append((self.path, body))
                reply = json.dumps(completion(body["model"])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def stub():
    s = Stub()
    yield s
    s.close()


def cli_body(cli, ctx: dict) -> dict:
    out = run_cli(
        cli,
        "body",
        str(EXAMPLE),
        "--catalog",
        str(CATALOG),
        "--context",
        json.dumps(ctx),
        "--messages",
        json.dumps(MESSAGES),
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("ctx,rule", CONTEXTS)
def test_the_sync_client_sends_the_cli_body(cli, stub, ctx, rule):
    router = switchyard.load(EXAMPLE, catalog=CATALOG)
    d = router.decide(ctx)
    assert d.rule == rule
    client = openai.OpenAI(base_url=stub.url, api_key="sk-test", max_retries=0)
    reply = client.chat.completions.create(**d.openai_kwargs(MESSAGES))
    (path, sent), = stub.bodies
    assert path == "/api/v1/chat/completions"
    want = cli_body(cli, ctx)
    assert sent == want
    assert d.body(MESSAGES) == want
    # What came back, read by the package.
    outcome = switchyard.read_response(reply)
    assert outcome["model"] == d.model
    assert outcome["provider"] == "Stub"
    assert outcome["usage"]["cost"] == 0.0000042
    assert outcome["usage"]["cost_source"] == "response"


@pytest.mark.parametrize("ctx,rule", CONTEXTS)
def test_the_async_client_sends_the_cli_body(cli, stub, ctx, rule):
    router = switchyard.load(EXAMPLE, catalog=CATALOG)
    d = router.decide(ctx)

    async def call():
        async with openai.AsyncOpenAI(base_url=stub.url, api_key="sk-test", max_retries=0) as client:
            return await client.chat.completions.create(**d.openai_kwargs(MESSAGES))

    reply = asyncio.run(call())
    assert reply.model == d.model
    (_, sent), = stub.bodies
    assert sent == cli_body(cli, ctx)


def test_openrouter_fields_go_in_extra_body_and_keywords_are_the_clients():
    router = switchyard.load(EXAMPLE)
    d = router.decide({"tier": "enterprise", "region": "eu"})
    kwargs = d.openai_kwargs(MESSAGES)
    assert set(kwargs) == {"model", "messages", "max_tokens", "extra_body"}
    assert set(kwargs["extra_body"]) == {"models", "provider"}
    accepted = inspect.signature(openai.OpenAI(api_key="x").chat.completions.create).parameters
    assert set(kwargs) <= set(accepted)


def test_extra_fields_are_merged_and_sent(stub):
    router = switchyard.load(EXAMPLE)
    d = router.decide({"tier": "pro", "task": "code"})
    tools = [{"type": "function", "function": {"name": "run", "parameters": {"type": "object"}}}]
    kwargs = d.openai_kwargs(
        MESSAGES,
        temperature=0.2,
        tools=tools,
        plugins=[{"id": "web"}],
        extra_headers={"X-Title": "tests"},
        extra_body={"session_id": "s-1"},
    )
    assert kwargs["temperature"] == 0.2 and kwargs["tools"] == tools
    assert kwargs["extra_body"]["plugins"] == [{"id": "web"}]
    assert kwargs["extra_body"]["session_id"] == "s-1"
    assert kwargs["extra_headers"] == {"X-Title": "tests"}
    client = openai.OpenAI(base_url=stub.url, api_key="sk-test", max_retries=0)
    client.chat.completions.create(**kwargs)
    (_, sent), = stub.bodies
    want = d.body(MESSAGES, temperature=0.2, tools=tools, plugins=[{"id": "web"}])
    want["session_id"] = "s-1"
    assert sent == want


def test_bodies_refuse_what_openrouter_would():
    d = switchyard.load(EXAMPLE).decide({"tier": "pro", "task": "code"})
    with pytest.raises(ValueError, match="at least one message"):
        d.openai_kwargs([])
    with pytest.raises(ValueError, match="not allowed"):
        d.openai_kwargs(MESSAGES, provider={"sort": "price"})
    with pytest.raises(ValueError, match="messages"):
        d.openai_kwargs([{"content": "no role"}])
    conflicting = switchyard.loads(
        'rule r: otherwise -> "openai/gpt-4o" max_tokens 5 params { temperature: 0.5 }'
    ).decide({})
    with pytest.raises(ValueError, match="temperature"):
        conflicting.openai_kwargs(MESSAGES, temperature=0.9)
    assert conflicting.openai_kwargs(MESSAGES, temperature=0.5)["temperature"] == 0.5
