"""What the command line prints, at the edges: off a terminal nothing is wrapped (the
signature is one line whatever $COLUMNS says), every option has help and a placeholder that
fits it, flags take no value, `isnad predict` shows each span's text."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark.report import signature
from scoring_support import GOLD

FIXTURE = Path(__file__).parent / "fixtures" / "llm_errors.jsonl"
ROOT = Path(__file__).resolve().parent.parent


def isnad(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmark.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=300, env={**os.environ, **env}, cwd=ROOT)


def _signature_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("isnad:")]


@pytest.mark.parametrize("command", [
    ("score", str(FIXTURE), "--bootstrap", "20"),
    ("compare", str(FIXTURE), "leaderboard/submissions/cue-rules/predictions.jsonl", "--bootstrap", "20"),
])
def test_nothing_is_wrapped_off_a_terminal(command):
    r = isnad(*command, COLUMNS="40")
    assert r.returncode == 0, r.stderr
    from benchmark import __version__

    assert _signature_lines(r.stdout) == [signature(__version__, GOLD.version, GOLD.sha256, 20, 12345)]
    assert "\x1b[" not in r.stdout  # no colour codes in a file
    # every table row whole, on one line, wider than $COLUMNS: not wrapped to it
    rows, cells = [], None
    for line in r.stdout.splitlines():
        if line.startswith("┃"):  # a table's header: its rows have as many cell borders
            cells = line.count("┃")
        elif line.startswith("│"):
            rows.append(line)
            assert line.count("│") == cells and line.endswith("│"), line
    assert rows and max(len(line) for line in rows) > 40
    if command[0] == "score":  # an ungrounded text that would wrap at 40 columns stays on its line
        assert any(line.startswith("  ungrounded") and line.endswith("'على المجتمع الدولي أن يتحرك فورا لوقف المجزرة'")
                   for line in r.stdout.splitlines())
    # forced colour (FORCE_COLOR) still wraps nothing
    forced = isnad(*command, COLUMNS="40", FORCE_COLOR="1")
    assert re.sub(r"\x1b\[[0-9;]*m", "", forced.stdout) == r.stdout
