"""Decisions: the package decides exactly as `switchyard eval` does."""

from __future__ import annotations

import json
import threading

import pytest

import switchyard

from conftest import AT, EXAMPLE, TRAFFIC, run_cli


def test_every_traffic_context_decides_as_the_cli(cli):
    lines = [line for line in TRAFFIC.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) >= 300
    out = run_cli(cli, "eval", str(EXAMPLE), "--at", str(AT), stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    expected = out.stdout.splitlines()
    assert len(expected) == len(lines)
    router = switchyard.load(EXAMPLE)
    rules = set()
    for line, want in zip(lines, expected):
        d = router.decide(json.loads(line), at=AT)
        got = None if d is None else d.to_dict()
        assert got == json.loads(want), line
        # The text too: same keys, same order, same numbers.
        assert (d.to_json() if d else "null") == want, line
        rules.add(d.rule)
    # The traffic exercises every rule of the example.
    assert len(rules) == 14


def test_attributes_read_the_decision():
    router = switchyard.load(EXAMPLE)
    d = router.decide({"tier": "pro", "task": "code", "budget": 40})
    assert d.rule == "code"
    assert d.variant is None
    assert d.model == "anthropic/claude-3.5-sonnet"
    assert d.fallbacks == ["openai/gpt-4o"]
    assert d.max_tokens == 2048
    assert d.options == {"provider": {"sort": "throughput"}}
    assert d.tags == []
    assert d.degraded is False
    assert d.est_max_cost_usd is None
    assert d.ruleset == router.ruleset == {"version": "2026-11-21.1", "hash": d.ruleset["hash"]}
    assert "code" in repr(d)
    split = router.decide({"tier": "basic", "task": "chat", "user": "u-1"})
    assert split.rule == "chat-ab" and split.variant in ("control", "treatment")


def test_no_match_is_none():
    router = switchyard.loads(
        'context { tier: "free" | "pro" = "free" }\n'
        'rule pro: when tier == "pro" -> "openai/gpt-4o" max_tokens 10\n'
    )
    assert router.decide({}) is None
    assert router.decide({"tier": "pro"}).rule == "pro"


def test_at_is_the_decision_time():
    router = switchyard.loads(
        'rule night: when hour < 6 -> "openai/gpt-4o-mini" max_tokens 10\n'
        'rule weekend: when weekday in ["sat", "sun"] -> "openai/gpt-4o" max_tokens 10\n'
        'rule default: otherwise -> "anthropic/claude-3.5-sonnet" max_tokens 10\n'
    )
    # 2023-11-14 22:13 UTC was a Tuesday; 2023-11-18 a Saturday.
    assert router.decide({}, at=1_700_000_000).rule == "default"
    assert router.decide({}, at=1_700_000_000 - 20 * 3600).rule == "night"
    assert router.decide({}, at=1_700_000_000 + 4 * 86400 - 12 * 3600).rule == "weekend"


def test_mappings_and_key_order_do_not_matter():
    from collections import OrderedDict
    from types import MappingProxyType

    router = switchyard.load(EXAMPLE)
    ctx = {"needs_tools": True, "tier": "pro", "prompt": "hi", "region": "eu"}
    want = router.decide(ctx).to_dict()
    assert router.decide(OrderedDict(reversed(list(ctx.items())))).to_dict() == want
    assert router.decide(MappingProxyType(ctx)).to_dict() == want
    # Keys that are equal strings but not the interned field names.
    assert router.decide({"".join(["ti", "er"]): "pro", "needs_tools": True}).rule == "tools"


def test_explain_says_why(cli):
    router = switchyard.load(EXAMPLE)
    ctx = {"tier": "free", "needs_tools": False}
    out = run_cli(cli, "eval", str(EXAMPLE), "--explain", "--at", str(AT), "--context", json.dumps(ctx))
    assert out.returncode == 0, out.stderr
    assert router.explain(ctx, at=AT) == json.loads(out.stdout)
    rules = router.explain(ctx)["rules"]
    assert rules[0] == {
        "rule": "enterprise-eu",
        "matched": False,
        "failed": {"test": 'tier == "enterprise"', "values": ['tier = "free"']},
    }
    assert rules[-1] == {"rule": "free-tier", "matched": True}


def test_test_lines_run_as_the_cli(cli):
    router = switchyard.load(EXAMPLE)
    outcomes = router.test(at=AT)
    out = run_cli(cli, "test", str(EXAMPLE), "--at", str(AT), "--format", "json")
    assert out.returncode == 0, out.stderr
    assert len(outcomes) == 10 and all(o["passed"] for o in outcomes)
    (ruleset,) = json.loads(out.stdout)["rulesets"]
    assert ruleset["tests"] == outcomes
    failing = switchyard.loads(
        'context { tier: "free" | "pro" = "free" }\n'
        'rule default: otherwise -> "openai/gpt-4o-mini" max_tokens 10\n'
        'test pro: { tier: "pro" } -> default model "openai/gpt-4o"\n'
    ).test()
    assert failing == [
        {
            "name": "pro",
            "expected_rule": "default",
            "expected_model": "openai/gpt-4o",
            "got_rule": "default",
            "got_model": "openai/gpt-4o-mini",
            "passed": False,
            "file": "<inline>",
            "line": 3,
            "column": 1,
        }
    ]


def test_decisions_from_many_threads():
    router = switchyard.load(EXAMPLE)
    contexts = [json.loads(line) for line in TRAFFIC.read_text(encoding="utf-8").splitlines()]
    want = [router.decide(c, at=AT).to_json() for c in contexts]
    errors = []

    def work():
        try:
            for _ in range(20):
                got = [router.decide(c, at=AT).to_json() for c in contexts]
                assert got == want
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_a_decision_outlives_its_router():
    d = switchyard.loads('rule r: otherwise -> "openai/gpt-4o" max_tokens 5').decide({})
    import gc

    gc.collect()
    assert d.to_dict()["model"] == "openai/gpt-4o"


def test_warnings_are_diagnostics():
    router = switchyard.loads('rule r: otherwise -> "openai/gpt-4o"')
    (w,) = router.warnings
    assert (w.code, w.severity, w.file, w.line, w.column) == ("W106", "warning", "<inline>", 1, 22)
    assert "max_tokens" in w.message and w.help


@pytest.mark.parametrize("bad", [None, 3, "tier=pro", ["tier", "pro"]])
def test_a_context_must_be_a_mapping(bad):
    router = switchyard.load(EXAMPLE)
    with pytest.raises(TypeError, match="a context must be a dict"):
        router.decide(bad)
