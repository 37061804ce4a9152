#!/usr/bin/env python3
"""switchyard's `router.decide(dict)` against the routing guide's pure-Python
engine, measured side by side in one run.

The baseline is the engine OpenRouter's routing-rules guide writes: a
`RoutingContext` dataclass, a list of `RoutingRule`s whose conditions are
lambdas (`lambda ctx: ctx.user_tier == "free"`), sorted by priority once,
the first match wins, each condition wrapped in try/except. Its lambdas are
made from the same rules switchyard loads (the peers' JSON, written by the
benches' `traffic` example beside the `.route` file), as the Python text a
person would type, compiled once.

Workloads (`benches/src/`, default seed): the guide's 8 rules, and a
multi-tenant ruleset of 1,000 rules over 2,000 tenants; 100,000 contexts
with Zipf-like tenant traffic, as JSON lines. Every engine's decisions are
checked to be the same rule for every context before anything is timed.

Timed, per context (median of the passes, each pass over every context):

- `guide`: the guide's engine on `RoutingContext` objects built before
  timing (the guide's own setting: the most favourable to it);
- `guide from dict`: the same, building the `RoutingContext` from the dict
  in the loop (what an app holding JSON pays);
- `switchyard`: `router.decide(ctx).rule` on the dict `json.loads` gave.

The loops take turns within each pass, so load from other processes falls
on all of them alike.

And where switchyard's time goes: the crossing (a native method call that
does almost nothing: `Health.is_down`), the call with an empty dict
(crossing, result object and a decision on the defaults), and the engine's
decision alone (`switchyard bench` on the same files, one thread).

Run from the repository root, with the package built optimised into the
current interpreter (`pip install ./python`: maturin's release profile):

    python python/bench/bench_decide.py [--dir target/traffic] [--passes 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List

import switchyard

ROOT = Path(__file__).resolve().parents[2]
FIELDS = {
    "tenant": str,
    "user_tier": str,
    "task_type": str,
    "budget_remaining": float,
    "prompt_tokens_est": int,
    "needs_tools": bool,
    "needs_vision": bool,
    "max_latency_ms": int,
}


# The routing guide's engine, written the guide's way.


@dataclass
class RoutingContext:
    user_tier: str
    task_type: str
    budget_remaining: float
    prompt_tokens_est: int
    needs_tools: bool
    needs_vision: bool
    max_latency_ms: int
    tenant: str


@dataclass
class RoutingRule:
    name: str
    priority: int
    condition: Callable[[RoutingContext], bool]
    model: str
    fallbacks: List[str]
    max_tokens: int = 1024

    def matches(self, ctx: RoutingContext) -> bool:
        try:
            return bool(self.condition(ctx))
        except Exception:
            return False


def route(rules: List[RoutingRule], ctx: RoutingContext) -> RoutingRule:
    for rule in rules:
        if rule.matches(ctx):
            return rule
    raise LookupError("no rule matched")


COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def python_text(c: dict) -> str:
    """A condition as the Python a person would type in the lambda."""
    op = c["op"]
    if op == "true":
        return "True"
    if op in ("and", "or"):
        parts = [python_text(a) for a in c["args"]]
        return f"({f' {op} '.join(parts)})" if parts else ("True" if op == "and" else "False")
    if op == "not":
        return f"(not {python_text(c['arg'])})"
    if op in COMPARE:
        return f"ctx.{c['field']} {COMPARE[op]} {c['value']!r}"
    if op == "in":
        return f"ctx.{c['field']} in {tuple(c['values'])!r}"
    if op == "field-truthy":
        return f"ctx.{c['field']}"
    raise ValueError(f"unknown op {op!r}")


def guide_rules(path: Path) -> List[RoutingRule]:
    rules = [
        RoutingRule(
            name=r["name"],
            priority=r["priority"],
            condition=eval(f"lambda ctx: {python_text(r['condition'])}"),  # noqa: S307 - our own text
            model=r["model"],
            fallbacks=r["fallbacks"],
            max_tokens=r["max_tokens"],
        )
        for r in json.loads(path.read_text())["rules"]
    ]
    return sorted(rules, key=lambda r: r.priority)


# Measuring.


def interleaved_ns(loops: Dict[str, Callable[[], None]], n: int, passes: int) -> Dict[str, tuple]:
    """Per context, the median and the fastest of `passes` passes of each
    loop, the loops taking turns within every pass (so a change in the
    machine's load falls on all of them alike)."""
    times: Dict[str, List[float]] = {name: [] for name in loops}
    for loop in loops.values():
        loop()  # warm-up
    for _ in range(passes):
        for name, loop in loops.items():
            t = time.perf_counter_ns()
            loop()
            times[name].append((time.perf_counter_ns() - t) / n)
    return {name: (statistics.median(ts), min(ts)) for name, ts in times.items()}


def workload(folder: Path, label: str, contexts: int) -> tuple:
    rules = folder / f"rules-{label}.route"
    peers = folder / f"rules-{label}.json"
    traffic = folder / f"contexts-{contexts}.jsonl"
    if not (rules.exists() and peers.exists() and traffic.exists()):
        subprocess.run(
            ["cargo", "run", "-q", "--release", "-p", "switchyard-benches", "--example", "traffic",
             "--", str(folder), label, str(contexts)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return rules, peers, traffic


def engine_alone_ns(rules: Path, traffic: Path) -> float:
    """`switchyard bench`'s p50 of `decide` alone, one thread."""
    subprocess.run(["cargo", "build", "-q", "--release", "--bin", "switchyard"], cwd=ROOT, check=True)
    meta = json.loads(subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                                     cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    cli = Path(meta["target_directory"]) / "release" / "switchyard"
    out = subprocess.run([str(cli), "bench", str(rules), "--contexts", str(traffic), "--threads", "1",
                          "--min-time", "2", "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    report = json.loads(out)
    return float(report["latency_ns"]["p50"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", default=str(ROOT / "target" / "traffic"))
    ap.add_argument("--contexts", type=int, default=100_000)
    ap.add_argument("--passes", type=int, default=5)
    args = ap.parse_args()
    folder = Path(args.dir)
    print(f"python {sys.version.split()[0]}, switchyard from {Path(switchyard.__file__).parent}, "
          f"{os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    rows = []
    for label in ("seed", "1000"):
        rules_route, rules_json, traffic = workload(folder, label, args.contexts)
        dicts = [json.loads(line) for line in traffic.read_text().splitlines() if line.strip()]
        n = len(dicts)
        objects = [RoutingContext(**d) for d in dicts]
        guide = guide_rules(rules_json)
        router = switchyard.load(rules_route)
        decide = router.decide

        # The same rule for every context, before anything is timed.
        want = [route(guide, c).name for c in objects]
        got = [decide(d).rule for d in dicts]
        mismatches = sum(1 for a, b in zip(want, got) if a != b)
        if mismatches:
            print(f"{label}: {mismatches} of {n} decisions differ", file=sys.stderr)
            return 1

        def run_guide():
            for c in objects:
                route(guide, c).name

        def run_guide_dict():
            for d in dicts:
                route(guide, RoutingContext(**d)).name

        def run_switchyard():
            for d in dicts:
                decide(d).rule

        health = switchyard.Health()
        is_down = health.is_down
        empty = [{} for _ in range(n)]

        def run_crossing():
            for _ in dicts:
                is_down("m")

        def run_empty():
            for d in empty:
                decide(d)

        med = interleaved_ns(
            {
                "guide": run_guide,
                "guide from dict": run_guide_dict,
                "switchyard": run_switchyard,
                "crossing": run_crossing,
                "empty dict": run_empty,
            },
            n,
            args.passes,
        )
        alone = engine_alone_ns(rules_route, traffic)
        med["engine alone"] = (alone, alone)
        rows.append((label, n, med))

    print()
    print("| ruleset | guide (RoutingContext built before) | guide from dict | switchyard `decide(dict).rule` "
          "| guide ÷ switchyard | crossing (`Health.is_down`) | `decide({})` | engine alone (`switchyard bench` p50) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")

    def ns(pair):
        return f"{pair[0]:,.0f} ns ({pair[1]:,.0f})"

    for label, n, m in rows:
        name = "routing guide, 8 rules" if label == "seed" else f"{label} rules, 2,000 tenants"
        ratio = f"{m['guide'][0] / m['switchyard'][0]:.1f}× ({m['guide'][1] / m['switchyard'][1]:.1f}×)"
        print(f"| {name} | {ns(m['guide'])} | {ns(m['guide from dict'])} | {ns(m['switchyard'])} | {ratio} "
              f"| {ns(m['crossing'])} | {ns(m['empty dict'])} | {m['engine alone'][0]:,.0f} ns |")
    print(f"\n{rows[0][1]:,} contexts; per context, the median of the passes (the fastest pass in "
          "parentheses); every decision checked against the guide's engine.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
