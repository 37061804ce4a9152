"""Errors: bad rulesets and bad contexts raise what the CLI reports."""

from __future__ import annotations

import json

import pytest

import switchyard

from conftest import EXAMPLE, run_cli

BAD = 'context { tier: "free" | "pro" }\nrule r: when tier == "gold" -> "openai/gpt-4o"\n'


def test_a_bad_ruleset_raises_with_the_cli_rendering(cli, tmp_path):
    path = tmp_path / "bad.route"
    path.write_text(BAD)
    with pytest.raises(switchyard.RulesetError) as caught:
        switchyard.load(path)
    check = run_cli(cli, "check", str(path))
    assert check.returncode == 1
    assert str(caught.value) == check.stdout.rstrip()
    as_json = run_cli(cli, "check", str(path), "--format", "json")
    want = json.loads(as_json.stdout)
    got = [
        {k: getattr(d, k) for k in want[0]}
        for d in caught.value.diagnostics
    ]
    assert got == want
    e004 = caught.value.diagnostics[0]
    assert (e004.code, e004.severity, e004.line, e004.column, e004.end_line, e004.end_column) == (
        "E004",
        "error",
        2,
        22,
        2,
        28,
    )
    assert e004.help == 'expected one of `"free"`, `"pro"`'


def test_loads_names_the_text_inline():
    with pytest.raises(switchyard.RulesetError) as caught:
        switchyard.loads(BAD)
    assert str(caught.value).startswith('error[E004]: `"gold"` is not a value of `tier`\n --> <inline>:2:22')
    assert {d.file for d in caught.value.diagnostics} == {"<inline>"}


def test_a_missing_file_raises():
    with pytest.raises(switchyard.RulesetError, match="no-such.route") as caught:
        switchyard.load("/no/such/dir/no-such.route")
    assert caught.value.diagnostics == []


def test_a_bad_catalog_raises(tmp_path):
    path = tmp_path / "models.json"
    path.write_text("{")
    with pytest.raises(ValueError, match="models.json"):
        switchyard.load(EXAMPLE, catalog=path)


# Each bad context, and the error `switchyard eval --context` reports for the
# same JSON (None: not expressible in JSON, checked by its message only).
CASES = [
    ({"tier": "gold"}, "tier", '"free" | "basic" | "pro" | "enterprise"', "gold"),
    ({"tier": 3}, "tier", '"free" | "basic" | "pro" | "enterprise"', "the int 3"),
    ({"needs_tools": "yes"}, "needs_tools", "bool", 'the string "yes"'),
    ({"prompt_tokens": 1.5}, "prompt_tokens", "int", "the float 1.5"),
    ({"budget": "lots"}, "budget", "float", 'the string "lots"'),
    ({"region": ["eu"]}, "region", '"us" | "eu" | "apac"', None),
]


@pytest.mark.parametrize("ctx,field,expected,got", CASES)
def test_bad_contexts_name_the_field_as_the_cli_does(cli, ctx, field, expected, got):
    router = switchyard.load(EXAMPLE)
    with pytest.raises(switchyard.ContextError) as caught:
        router.decide(ctx)
    e = caught.value
    assert isinstance(e, ValueError)
    assert e.field == field
    assert e.expected == expected
    if got is not None:
        assert e.got == got
        out = run_cli(cli, "eval", str(EXAMPLE), "--context", json.dumps(ctx))
        assert out.returncode == 2
        assert out.stderr.strip() == f"error: --context: {e}"
    else:
        assert e.got == "a list"
        assert str(e) == f"field `region`: expected {expected}, got a list"


def test_numbers_outside_what_the_field_holds():
    router = switchyard.load(EXAMPLE)
    with pytest.raises(switchyard.ContextError, match="prompt_tokens") as caught:
        router.decide({"prompt_tokens": 2**70})
    assert caught.value.got == str(2**70)
    with pytest.raises(switchyard.ContextError, match="finite") as caught:
        router.decide({"budget": float("nan")})
    assert caught.value.field == "budget"
    with pytest.raises(switchyard.ContextError, match="finite"):
        router.decide({"budget": float("inf")})


def test_none_is_not_given_and_unknown_keys_are_ignored():
    router = switchyard.load(EXAMPLE)
    assert router.decide({"tier": None, "tsk": "code"}).rule == "free-tier"
    # Not a declared field either: ignored (strict contexts refuse it).
    assert router.decide({3: "x", "tier": "pro", "task": "code"}).rule == "code"


def test_strict_contexts_refuse_undeclared_keys(cli):
    router = switchyard.load(EXAMPLE, strict=True)
    with pytest.raises(switchyard.ContextError) as caught:
        router.decide({"tier": "pro", "tsk": "code"})
    e = caught.value
    assert (e.field, e.nearest) == ("tsk", "task")
    out = run_cli(cli, "eval", str(EXAMPLE), "--strict-context", "--context", '{"tier": "pro", "tsk": "code"}')
    assert out.stderr.strip() == f"error: --context: {e}"
    with pytest.raises(TypeError, match="context keys must be strings"):
        router.decide({3: "x"})
    assert router.decide({"tier": "pro", "task": "code"}).rule == "code"


def test_errors_leave_the_router_usable():
    router = switchyard.load(EXAMPLE)
    for _ in range(3):
        with pytest.raises(switchyard.ContextError):
            router.decide({"tier": "gold"})
    assert router.decide({"tier": "pro", "task": "code"}).rule == "code"
