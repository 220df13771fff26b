"""What the command line prints, at the edges: off a terminal nothing is wrapped (the
signature is one line whatever $COLUMNS says) and columns stay aligned, every option has help
and a placeholder that fits it (arguments their plain metavar), flags take no value, `isnad
predict` shows each span's text, the leaderboard commands refuse a folder that is not the
repository."""

from __future__ import annotations

import json
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


def isnad(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmark.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=300, env={**os.environ, **env}, cwd=cwd)


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


def _commands():
    """Every command of the CLI as (path, click command)."""
    import typer

    from benchmark.cli import app

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, (*path, name))
        else:
            yield path, cmd

    return list(walk(typer.main.get_command(app), ()))


def test_every_option_has_help_and_a_fitting_placeholder():
    commands = _commands()
    assert len(commands) >= 12
    for path, cmd in commands:
        assert cmd.help and "\n" not in cmd.help.split("\n\n")[0].strip(), (path, "summary on one line")
        for param in cmd.params:
            where = (path, param.name)
            assert getattr(param, "help", None), where
            if getattr(param, "is_flag", False):
                assert param.metavar == "", where  # a flag shows no value placeholder
            else:
                assert param.metavar and param.metavar == param.metavar.upper(), where


@pytest.mark.parametrize("path", [("score",), ("compare",), ("evaluate",), ("submit",), ("predict",), ("gold", "find")])
def test_help_shows_flags_without_a_value(path):
    r = isnad(*path, "--help", COLUMNS="200")
    assert r.returncode == 0, r.stderr
    assert "<bool>" not in r.stdout
    for line in r.stdout.splitlines():
        m = re.match(r"│\s*(?:\*\s*)?(--[a-z-]+)\s+(\S+)", line)
        if m and m.group(1) in ("--json", "--baseline", "--replace", "--offsets-only", "--strict", "--help"):
            assert m.group(2)[0].isupper() and not m.group(2).isupper(), line  # the help text, no placeholder


def test_a_flag_given_a_value_is_refused():
    r = isnad("score", str(FIXTURE), "--json", "true")
    assert r.returncode == 2 and "true" in r.stderr


def test_gold_find_width_sets_the_context():
    r = isnad("gold", "find", "جون كيري", "--width", "3")
    assert r.returncode == 0, r.stderr
    first = r.stdout.splitlines()[0]
    context = first.split(": ", 1)[1]
    assert re.fullmatch(r"….{3}\[جون كيري\].{3}…", context), first


def test_predict_prints_each_span_text_beside_its_offsets(tmp_path):
    text = (ROOT / "seeds" / "000_017b6ea0ad0b3e21.txt").read_text(encoding="utf-8")
    f = tmp_path / "article.txt"
    f.write_text(text, encoding="utf-8")
    r = isnad("predict", "cue-rules", "--text-file", str(f), "--id", GOLD.documents[0].id)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 1
    pred = json.loads(r.stdout)
    spans = list(pred["entities"])
    for q in pred["quotes"]:
        spans += [q] + [q[k] for k in ("cue", "speaker") if isinstance(q.get(k), dict)]
    with_offsets = [s for s in spans if "start" in s]
    assert len(with_offsets) > 10 and pred["quotes"]
    assert all(s["text"] == text[s["start"]:s["end"]] for s in with_offsets)
    # still a valid prediction, scoring as the bare form does
    bare = isnad("predict", "cue-rules", "--text-file", str(f), "--id", GOLD.documents[0].id, "--offsets-only")
    assert bare.returncode == 0, bare.stderr
    assert '"text"' not in bare.stdout
    from benchmark import score

    full, plain = score([pred], bootstrap=0).to_dict(), score([json.loads(bare.stdout)], bootstrap=0).to_dict()
    assert plain["grounding"]["text_spans"] == 0
    for d in (full, plain):
        del d["grounding"]
    assert full == plain


REPOSITORY_COMMANDS = [("submit", str(FIXTURE), "--name", "Stray"), ("leaderboard", "build"),
                       ("leaderboard", "check"), ("baselines", "run", "null")]


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("command", REPOSITORY_COMMANDS,
                         ids=["submit", "leaderboard-build", "leaderboard-check", "baselines-run"])
def test_leaderboard_commands_refuse_a_folder_that_is_not_the_repository(tmp_path, command):
    """Run outside the checkout, or given a --root that is not one, a command that writes or
    checks the leaderboard refuses in one line and leaves the folder as it was."""
    stray = tmp_path / "stray"
    stray.mkdir()
    half = tmp_path / "half"  # a leaderboard/ without the gold/ beside it
    (half / "leaderboard").mkdir(parents=True)
    for where, args in ((stray, command), (ROOT, (*command, "--root", str(stray))),
                        (ROOT, (*command, "--root", str(half)))):
        target = stray if "--root" not in args or args[-1] == str(stray) else half
        before = _files(target)
        r = isnad(*args, cwd=where)
        assert (r.returncode, r.stdout) == (2, ""), (args, r.stdout, r.stderr)
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
        assert r.stderr.startswith(f"error: {target.resolve()}: not the isnad-bench repository"), r.stderr
        assert "--root DIR" in r.stderr
        assert _files(target) == before


def test_help_shows_plain_argument_placeholders():
    """An argument is shown by its metavar alone (FILE, [NAME]...), never as {FILE} or with
    a type such as <path>, <str> or <list[str]> beside it."""
    from typer.testing import CliRunner

    from benchmark.cli import app

    for path, cmd in _commands():
        r = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert r.exit_code == 0, (path, r.output)
        usage = next(line for line in r.output.splitlines() if "Usage:" in line).split()
        args = [p for p in cmd.params if p.param_type_name == "argument"]
        expected = [(p.metavar if p.required else f"[{p.metavar}]") + ("..." if p.nargs != 1 else "") for p in args]
        assert usage[usage.index("[OPTIONS]") + 1:] == expected, (path, usage)
        assert not re.search(r"\{[A-Z_]+\}|<[a-z][a-z\[\], ]*>", r.output), (path, r.output)


def test_baselines_list_is_aligned_off_a_terminal():
    r = isnad("baselines", "list")
    assert r.returncode == 0, r.stderr
    rows = r.stdout.splitlines()
    starts = {len(line) - len(line.split(None, 1)[1]) for line in rows}
    assert len(rows) >= 5 and len(starts) == 1, rows  # every description starts in one column
