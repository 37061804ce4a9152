"""Hot reload: `switchyard.watch` follows the files while threads decide;
a broken edit keeps the last good table; callbacks run with the GIL and an
exception in one is reported and never stops the watcher."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

import switchyard


def ruleset(model: str) -> str:
    return (
        'context { tier: "free" | "pro" = "free" }\n'
        f'rule pro: when tier == "pro" -> "{model}" max_tokens 100\n'
        'rule default: otherwise -> "openai/gpt-4o-mini" max_tokens 100\n'
    )


BROKEN = 'context { tier: "free" | "pro" = "free" }\nrule pro: when tier == "gold" ->\n'


def write(path, text):
    # Write-then-rename, as editors save.
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_reloads_under_writes_while_threads_decide(tmp_path):
    path = tmp_path / "rules.route"
    write(path, ruleset("model/a"))
    events = []
    with switchyard.watch(path, on_reload=events.append, debounce=0.01, poll_interval=0.05) as live:
        assert [e.kind for e in events] == ["loaded"] and events[0].generation == 1
        seen, errors = set(), []
        stop = threading.Event()

        def decide():
            try:
                while not stop.is_set():
                    seen.add(live.decide({"tier": "pro"}).model)
            except BaseException as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=decide) for _ in range(4)]
        for t in threads:
            t.start()
        for i in range(40):
            write(path, BROKEN if i % 10 == 9 else ruleset(f"model/{'ab'[i % 2]}"))
            time.sleep(0.02)
        write(path, ruleset("model/final"))
        assert wait_for(lambda: live.decide({"tier": "pro"}).model == "model/final")
        assert wait_for(lambda: "model/final" in seen)
        stop.set()
        for t in threads:
            t.join()
        assert errors == []
        assert seen <= {"model/a", "model/b", "model/final"}
        assert "model/final" in seen
        kinds = {e.kind for e in events}
        assert "loaded" in kinds
        status = live.status()
        assert status["generation"] >= 2
        assert status["last_error"] is None
        assert status["hash"] == live.decide({}).ruleset["hash"]
        assert status["last_good_load"] <= status["last_check"]
    assert live.closed
    with pytest.raises(RuntimeError, match="closed"):
        live.decide({})


def test_a_broken_edit_keeps_the_last_good_table(tmp_path):
    path = tmp_path / "rules.route"
    write(path, ruleset("model/a"))
    events = []
    live = switchyard.watch(path, on_reload=events.append, poll_interval=None)
    try:
        write(path, BROKEN)
        with pytest.raises(switchyard.RulesetError) as caught:
            live.reload_now()
        assert caught.value.diagnostics[0].code == "E001" or caught.value.diagnostics
        assert live.decide({"tier": "pro"}).model == "model/a"
        failed = [e for e in events if e.kind == "failed"]
        assert failed and isinstance(failed[0].error, switchyard.RulesetError)
        assert str(failed[0].error) == str(caught.value)
        status = live.status()
        assert isinstance(status["last_error"], switchyard.RulesetError)
        assert status["failed_reloads"] >= 1
        write(path, ruleset("model/b"))
        assert live.reload_now() >= 2
        assert live.decide({"tier": "pro"}).model == "model/b"
        assert live.status()["last_error"] is None
        assert live.test() == []
        assert live.explain({"tier": "pro"})["rules"] == [{"rule": "pro", "matched": True}]
    finally:
        live.close()


def test_an_exception_in_the_callback_is_reported_and_the_watcher_goes_on(tmp_path, monkeypatch):
    path = tmp_path / "rules.route"
    write(path, ruleset("model/a"))
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u))
    calls = []

    def callback(event):
        calls.append(event.kind)
        raise ValueError(f"callback failed on {event.kind}")

    with switchyard.watch(path, on_reload=callback, debounce=0.01, poll_interval=0.05) as live:
        write(path, ruleset("model/b"))
        assert wait_for(lambda: live.decide({"tier": "pro"}).model == "model/b")
        assert wait_for(lambda: len(reported) >= 2)
        write(path, ruleset("model/c"))
        assert wait_for(lambda: live.decide({"tier": "pro"}).model == "model/c")
    assert calls[:2] == ["loaded", "loaded"]
    assert all(isinstance(u.exc_value, ValueError) for u in reported)
    assert "callback failed on loaded" in str(reported[0].exc_value)


def test_a_ruleset_that_does_not_load_at_first_raises(tmp_path):
    path = tmp_path / "rules.route"
    write(path, BROKEN)
    with pytest.raises(switchyard.RulesetError):
        switchyard.watch(path)


def test_an_unclosed_watcher_is_collected(tmp_path):
    path = tmp_path / "rules.route"
    write(path, ruleset("model/a"))
    live = switchyard.watch(path, on_reload=lambda e: None, poll_interval=0.01)
    assert live.decide({"tier": "pro"}).model == "model/a"
    del live
    import gc

    gc.collect()
