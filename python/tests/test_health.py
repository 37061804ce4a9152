"""Model health: down models are skipped, failures cool a model down, one
`Health` is shared by threads."""

from __future__ import annotations

import threading

import pytest

import switchyard

from conftest import EXAMPLE

CTX = {"tier": "pro", "task": "code"}  # claude, then gpt-4o


def test_a_down_model_is_replaced_by_its_fallback():
    router = switchyard.load(EXAMPLE)
    health = switchyard.Health()
    assert router.decide(CTX, health=health).model == "anthropic/claude-3.5-sonnet"
    health.mark_down("anthropic/claude-3.5-sonnet", 30)
    assert health.is_down("anthropic/claude-3.5-sonnet")
    d = router.decide(CTX, health=health)
    assert (d.model, d.fallbacks, d.degraded) == ("openai/gpt-4o", [], False)
    assert router.decide(CTX).model == "anthropic/claude-3.5-sonnet"
    ((model, left),) = health.down_models()
    assert model == "anthropic/claude-3.5-sonnet" and 29 < left <= 30
    health.mark_up("anthropic/claude-3.5-sonnet")
    assert router.decide(CTX, health=health).model == "anthropic/claude-3.5-sonnet"


def test_when_everything_is_down_the_decision_is_degraded():
    router = switchyard.loads('rule r: otherwise -> "m/a" fallback ["m/b"] max_tokens 5')
    health = switchyard.Health()
    health.mark_down("m/a", 60)
    health.mark_down("m/b", 60)
    d = router.decide({}, health=health)
    assert d.degraded and d.model == "m/a"
    assert d.to_dict()["degraded"] is True


def test_failures_cool_a_model_down():
    health = switchyard.Health(failures=2, window=60, cooldown=60)
    health.report_failure("m/a")
    health.report_success("m/a")
    health.report_failure("m/a")
    assert not health.is_down("m/a")
    health.report_failure("m/a")
    assert health.is_down("m/a")


def test_one_health_shared_by_threads():
    router = switchyard.load(EXAMPLE)
    health = switchyard.Health()
    errors = []

    def work(i):
        try:
            for n in range(500):
                if i == 0 and n == 100:
                    health.mark_down("anthropic/claude-3.5-sonnet", 60)
                assert router.decide(CTX, health=health).model in (
                    "anthropic/claude-3.5-sonnet",
                    "openai/gpt-4o",
                )
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert router.decide(CTX, health=health).model == "openai/gpt-4o"


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_durations_must_be_seconds(bad):
    with pytest.raises(ValueError, match="seconds"):
        switchyard.Health().mark_down("m/a", bad)
    with pytest.raises(ValueError, match="seconds"):
        switchyard.Health(cooldown=bad)
