"""switchyard: routing policies for LLM requests sent through OpenRouter.

Write the policy as rules in a ``.route`` file, load it once, and decide per
request from the dict your app already has::

    import switchyard
    from openai import OpenAI

    router = switchyard.load("rules/", catalog="models.json")
    d = router.decide({"tier": "pro", "task": "code"})
    client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=KEY)
    reply = client.chat.completions.create(**d.openai_kwargs(messages))

The engine is switchyard's Rust crate: the same checks, decisions and
OpenRouter bodies as the ``switchyard`` command line (``d.to_dict()`` is
what ``switchyard eval`` prints; ``d.openai_kwargs(...)`` makes the official
``openai`` client send what ``switchyard body`` prints).
"""

from __future__ import annotations

import atexit
import os
import weakref
from typing import Any, Callable, Optional, Union

from . import _native
from ._native import (
    ContextError,
    Decision,
    Diagnostic,
    Health,
    LiveRouter,
    OpenRouterError,
    ReloadEvent,
    ResponseError,
    Router,
    RulesetError,
    read_response,
)

__all__ = [
    "ContextError",
    "Decision",
    "Diagnostic",
    "Health",
    "LiveRouter",
    "OpenRouterError",
    "ReloadEvent",
    "ResponseError",
    "Router",
    "RulesetError",
    "load",
    "loads",
    "read_response",
    "watch",
]

PathLike = Union[str, "os.PathLike[str]"]


def load(path: PathLike, catalog: Optional[PathLike] = None, *, strict: bool = False) -> Router:
    """Load a ruleset: a ``.route`` file, or every ``.route`` file of a folder.

    ``catalog`` is OpenRouter's model list (``GET /api/v1/models`` saved as
    JSON), needed by rulesets that use ``require`` or ``cheapest``. With
    ``strict``, a context key the ruleset does not declare raises
    ``ContextError`` naming the nearest field instead of being ignored.

    Raises ``RulesetError`` (its ``str()`` is what ``switchyard check``
    prints, its ``.diagnostics`` the list) when the ruleset has errors.
    """
    return _native.load(path, catalog=catalog, strict=strict)


def loads(text: str, catalog: Optional[PathLike] = None, *, strict: bool = False) -> Router:
    """Load a ruleset from a string (named ``<inline>`` in diagnostics)."""
    return _native.loads(text, catalog=catalog, strict=strict)


_watchers: "weakref.WeakSet[LiveRouter]" = weakref.WeakSet()


def watch(
    path: PathLike,
    catalog: Optional[PathLike] = None,
    *,
    strict: bool = False,
    on_reload: Optional[Callable[[ReloadEvent], Any]] = None,
    debounce: float = 0.05,
    poll_interval: Optional[float] = 1.0,
) -> LiveRouter:
    """Load a ruleset and keep it fresh from disk (hot reload).

    A background thread recompiles when the files change and swaps the new
    table in; an edit that breaks the ruleset is reported and the last good
    table keeps serving. ``on_reload(event)`` is called for the initial load
    and every reload (from the reload thread; an exception it raises goes to
    ``sys.unraisablehook`` and the watcher carries on). Use it as a context
    manager, or call ``close()``; watchers still open at exit are closed.
    """
    live = _native.watch(
        path,
        catalog=catalog,
        strict=strict,
        on_reload=on_reload,
        debounce=debounce,
        poll_interval=poll_interval,
    )
    _watchers.add(live)
    return live


@atexit.register
def _close_watchers() -> None:
    # A reload thread must not call into an interpreter that is shutting down.
    for live in list(_watchers):
        live.close()
