"""Type stubs of switchyard's native module (the Rust engine)."""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, TypedDict, Union

_Path = Union[str, os.PathLike[str]]
_Json = Any

class RulesetInfo(TypedDict):
    version: Optional[str]
    hash: str

class RulesetError(Exception):
    """A ruleset that does not load; ``str()`` is what ``switchyard check`` prints."""

    diagnostics: List[Diagnostic]

class ContextError(ValueError):
    """A context value that does not fit the schema (or, strict, an undeclared key)."""

    field: Optional[str]
    expected: Optional[str]
    got: Optional[str]
    nearest: Optional[str]

class OpenRouterError(Exception):
    """An error OpenRouter reported."""

    status: int
    code: Optional[str]
    message: str
    error_type: Optional[str]
    provider: Optional[str]
    metadata: Optional[Dict[str, _Json]]
    retryable: bool
    retry_next_model: bool
    retry_after: Optional[float]

class ResponseError(ValueError):
    """A response that is not a chat completion OpenRouter could send."""

class Diagnostic:
    """One diagnostic, as ``switchyard check --format json`` reports it."""

    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> Literal["error", "warning", "note"]: ...
    @property
    def message(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def end_line(self) -> int: ...
    @property
    def end_column(self) -> int: ...
    @property
    def help(self) -> Optional[str]: ...

class Decision:
    """The decision of the first matching rule."""

    @property
    def rule(self) -> str: ...
    @property
    def variant(self) -> Optional[str]: ...
    @property
    def model(self) -> str: ...
    @property
    def fallbacks(self) -> List[str]: ...
    @property
    def max_tokens(self) -> Optional[int]: ...
    @property
    def options(self) -> Dict[str, _Json]: ...
    @property
    def tags(self) -> List[str]: ...
    @property
    def degraded(self) -> bool: ...
    @property
    def est_max_cost_usd(self) -> Optional[float]: ...
    @property
    def ruleset(self) -> RulesetInfo: ...
    def to_dict(self) -> Dict[str, _Json]:
        """The decision JSON, exactly what ``switchyard eval`` prints."""
    def to_json(self) -> str:
        """The decision JSON text, as ``switchyard eval`` prints it."""
    def body(self, messages: Sequence[Mapping[str, Any]], **fields: _Json) -> Dict[str, _Json]:
        """The OpenRouter request body (what ``switchyard body`` prints)."""
    def openai_kwargs(self, messages: Sequence[Mapping[str, Any]], **extra: Any) -> Dict[str, Any]:
        """Keyword arguments for ``client.chat.completions.create(**kwargs)``."""

class Explanation(TypedDict):
    rules: List[Dict[str, _Json]]
    decision: Optional[Dict[str, _Json]]

class TestOutcome(TypedDict):
    name: str
    expected_rule: str
    expected_model: Optional[str]
    got_rule: Optional[str]
    got_model: Optional[str]
    passed: bool
    file: str
    line: int
    column: int

class Router:
    """A compiled ruleset; deciding is safe from many threads at once."""

    @property
    def warnings(self) -> List[Diagnostic]: ...
    @property
    def ruleset(self) -> RulesetInfo: ...
    def decide(
        self, ctx: Mapping[str, Any], health: Optional[Health] = None, at: Optional[int] = None
    ) -> Optional[Decision]: ...
    def explain(self, ctx: Mapping[str, Any], at: Optional[int] = None) -> Explanation: ...
    def test(self, at: Optional[int] = None) -> List[TestOutcome]: ...

class ReloadEvent:
    """What a reload did."""

    @property
    def kind(self) -> Literal["loaded", "failed", "recovered"]: ...
    @property
    def generation(self) -> int: ...
    @property
    def error(self) -> Optional[RulesetError]: ...
    @property
    def warnings(self) -> List[Diagnostic]: ...

class ReloadStatus(TypedDict):
    generation: int
    version: Optional[str]
    hash: str
    warnings: List[Diagnostic]
    last_error: Optional[RulesetError]
    failed_reloads: int
    watch_error: Optional[str]
    last_good_load: float
    last_check: float

class LiveRouter:
    """A hot-reloaded ruleset: ``decide``, ``explain`` and ``test`` on the table served."""

    @property
    def warnings(self) -> List[Diagnostic]: ...
    @property
    def closed(self) -> bool: ...
    def decide(
        self, ctx: Mapping[str, Any], health: Optional[Health] = None, at: Optional[int] = None
    ) -> Optional[Decision]: ...
    def explain(self, ctx: Mapping[str, Any], at: Optional[int] = None) -> Explanation: ...
    def test(self, at: Optional[int] = None) -> List[TestOutcome]: ...
    def reload_now(self) -> Optional[int]: ...
    def status(self) -> ReloadStatus: ...
    def close(self) -> None: ...
    def __enter__(self) -> LiveRouter: ...
    def __exit__(self, *args: object) -> bool: ...

class Health:
    """Which models are down; share one across routers and threads."""

    def __init__(self, *, failures: int = 3, window: float = 60.0, cooldown: float = 60.0) -> None: ...
    def mark_down(self, model: str, seconds: float) -> None: ...
    def mark_up(self, model: str) -> None: ...
    def report_failure(self, model: str) -> None: ...
    def report_success(self, model: str) -> None: ...
    def is_down(self, model: str) -> bool: ...
    def down_models(self) -> List[Tuple[str, float]]: ...

class Usage(TypedDict):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost: Optional[float]
    cost_source: Literal["response", "catalog", "unknown"]

class Outcome(TypedDict):
    id: str
    model: str
    provider: Optional[str]
    finish_reason: Optional[str]
    usage: Optional[Usage]

def load(path: _Path, *, catalog: Optional[_Path] = None, strict: bool = False) -> Router: ...
def loads(text: str, *, catalog: Optional[_Path] = None, strict: bool = False) -> Router: ...
def watch(
    path: _Path,
    *,
    catalog: Optional[_Path] = None,
    strict: bool = False,
    on_reload: Optional[Callable[[ReloadEvent], Any]] = None,
    debounce: float = 0.05,
    poll_interval: Optional[float] = 1.0,
) -> LiveRouter: ...
def read_response(response: Union[Mapping[str, Any], str, bytes, Any], status: int = 200) -> Outcome: ...
