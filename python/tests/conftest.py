"""Shared fixtures: the repository, the `switchyard` command line built from
it (the tests compare the package with what the CLI prints), and the
example ruleset."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "openrouter.route"
TRAFFIC = Path(__file__).resolve().parent / "data" / "traffic.jsonl"
# A fixed decision time, so `hour`/`weekday` and `test` lines are stable.
AT = 1_700_000_000


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `switchyard` binary of this checkout (built if needed)."""
    subprocess.run(["cargo", "build", "-q", "--bin", "switchyard"], cwd=ROOT, check=True)
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    binary = Path(json.loads(meta.stdout)["target_directory"]) / "debug" / "switchyard"
    assert binary.is_file(), binary
    return binary


def run_cli(cli: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(cli), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
