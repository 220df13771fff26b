"""The README's promises: its example prediction scores, its commands exist, its table is generated."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from benchmark import score
from benchmark.cli import app
from benchmark.leaderboard import check


def _readme(root):
    return (root / "README.md").read_text(encoding="utf-8")


def test_example_prediction_is_valid_and_scores(root):
    block = re.search(r"```json\n(.*?)```", _readme(root), re.S).group(1)
    report = score([json.loads(block)], bootstrap=0)
    assert report["grounding"]["failed"] == 0
    assert report.get("quotes.exact")["precision"] == 1.0
    assert report.get("attribution.end_to_end")["precision"] == 1.0
    assert report.get("cues.linked")["precision"] == 1.0


def test_every_isnad_command_in_the_readme_exists(root):
    commands = set(re.findall(r"isnad ([a-z]+(?: [a-z]+)?)", _readme(root)))
    runner = CliRunner()
    assert commands
    for cmd in commands:
        words = cmd.split()
        result = runner.invoke(app, [*words, "--help"])
        if result.exit_code != 0:  # a second word may be an argument, not a sub-command
            result = runner.invoke(app, [words[0], "--help"])
        assert result.exit_code == 0, cmd


def test_quickstart_commands_match_ci(root):
    ci = (root / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install torch==2.13.0 && pip install -e ".[test,hf]" && python -m pytest -q' in _readme(root)
    assert 'python -m pip install -q torch==2.13.0 && python -m pip install -q -e ".[test,hf]" && python -m pytest -q' in ci


def test_the_committed_leaderboard_is_what_the_submissions_generate(root):
    assert "<!-- generated:leaderboard -->" in _readme(root)
    assert check(root) == []


def test_loading_section_loads_every_config_by_path(root):
    from benchmark.dataset import CONFIGS

    text = _readme(root)
    section = text.split("## Loading the gold", 1)[1].split("\n## ", 1)[0]
    code = "".join(re.findall(r"```python\n(.*?)```", text, re.S))
    calls = re.findall(r'load_dataset\("([^"]+)"(?:, "([a-z]+)")?', code)
    assert calls and all(path == "path/to/gold" for path, _ in calls)  # never the bare name "gold"
    assert {config or "documents" for _, config in calls} == set(CONFIGS)
    assert "benchmark.gold_dataset" in section and "HF_HUB_OFFLINE" in section


def test_readme_says_how_long_the_tests_take(root):
    quickstart = _readme(root).split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"tests take about \d+ minutes", quickstart)


def test_the_baselines_heading_shows_the_baselines_only(root):
    text = _readme(root)
    block = text.split("<!-- generated:leaderboard -->", 1)[1].split("<!-- /generated:leaderboard -->")[0]
    heading = text.split("<!-- generated:leaderboard -->", 1)[0].rsplit("\n## ", 1)[1].split("\n", 1)[0]
    assert heading == "Baselines"
    rows = [line for line in block.splitlines() if line.startswith("| ") and not line.startswith("| System")]
    assert rows and all("(baseline)" in line for line in rows)


def test_what_is_scored_states_the_rules_and_its_examples_hold(root):
    from benchmark.goldbuild import compile_file
    from benchmark.metrics import gold_index
    from benchmark.schema import PredSpeaker

    section = _readme(root).split("## What is scored", 1)[1].split("\n## ", 1)[0]
    for rule in ("**Entity schemes, best outcomes first.**", "**seqeval projection.**", "**Quote matching.**",
                 "**Speakers**", "**Text spans**", "`cues.linked`", "nervaluate 1.2"):
        assert rule in section, rule
    fixture = root / "tests" / "fixtures" / "second_article"
    doc, _ = compile_file(fixture / "gold.yaml", fixture)
    minister = re.search(r"«(\S+ \S+ (\S+))» resolves to the minister, not to the NORP of «(\S+)»", section)
    assert minister and minister.group(2) == minister.group(3)
    s = doc.text.index(minister.group(1))
    assert gold_index(doc).resolve(PredSpeaker(start=s, end=s + len(minister.group(1)))) == "amina-musa"
    assert any(m.text == minister.group(3) and m.label.value == "NORP" for m in doc.entities)


def test_the_signature_shown_is_what_isnad_score_prints(root):
    shown = re.findall(r"`(isnad:[^`]+)`", _readme(root))
    assert shown
    for sig in shown:
        boot, seed = re.search(r"\|boot:(\d+)\|seed:(\d+)$", sig).groups()
        r = CliRunner().invoke(app, ["score", str(root / "leaderboard/submissions/null/predictions.jsonl"),
                                     "--json", "--bootstrap", boot, "--seed", seed])
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)["signature"] == sig
