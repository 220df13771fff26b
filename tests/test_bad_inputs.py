"""The corpus of bad inputs (tests/bad_inputs/, table in expected.yaml) through the real CLI.

Every refused input: exit code 2, exactly one line on stderr naming the file (and line and
field where there is one), no traceback, nothing on stdout, and for `submit` the leaderboard
byte for byte as it was. A predictions file gets the very same line from `validate`, `score`,
`compare` (as either system) and `submit`: one validation path. The accepted oddities (BOM, CRLF, U+2028 in a string, a text span
not in the document, HTML or path-like names) are scored, each checked on its own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
TABLE = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
REPO = Path(__file__).resolve().parent.parent
DOC_ID = "000_017b6ea0ad0b3e21"
SUBMIT_NAME = "Bad input"  # slug bad-input: sorts before every stored submission, so it is read first


def isnad(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmark.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=120, cwd=cwd)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root``, by relative path (the whole scratch repository)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture()
def board(tmp_path) -> Path:
    """A scratch repository holding a copy of the repository's leaderboard/ (and a gold/
    folder: the leaderboard commands act on the benchmark's repository only)."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "leaderboard", root / "leaderboard")
    (root / "gold").mkdir()
    return root


def assert_refused(r: subprocess.CompletedProcess, where: str | None, fragment: str) -> None:
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stdout == ""
    assert r.stderr.endswith("\n") and r.stderr.count("\n") == 1, r.stderr
    line = r.stderr.rstrip("\n")
    if where is not None:
        assert line.startswith(f"error: {where}"), line
    assert fragment in line, line
    if where is not None:
        assert line.startswith(f"error: {where}{fragment}"), line


# --- generated inputs (too big to commit) ---------------------------------------------------


def _huge(path: Path) -> None:
    with open(path, "wb") as fh:  # sparse: 200 MB of size, no 200 MB of disk
        fh.write(b'{"document_id": "%s"}\n' % DOC_ID.encode())
        fh.truncate(200 * 1024 * 1024)


def _long_line(path: Path) -> None:
    size = 10 * 1024 * 1024
    head, tail = b'{"document_id": "', b'"}'
    with open(path, "wb") as fh:
        fh.write(b"\n" + head + b"x" * (size - len(head) - len(tail)) + tail)


def _nested(path: Path) -> None:
    depth = 100_000
    path.write_text('{"document_id": "%s", "entities": %s%s}\n' % (DOC_ID, "[" * depth, "]" * depth), encoding="utf-8")


GENERATORS = {"huge-200mb.jsonl": _huge, "line-10mb.jsonl": _long_line, "nested-100k.jsonl": _nested,
              "fifo.jsonl": os.mkfifo, "folder.jsonl": Path.mkdir, "missing.jsonl": lambda path: None}
# One validation path: each of these reads a predictions file the same way
PREDICTION_COMMANDS = ("validate", "score", "compare-a", "compare-b", "submit")
WRITERS = ("submit", "leaderboard-build", "gold-build")  # each runs on its own scratch copy


def test_the_table_lists_every_corpus_file_once():
    listed = list(TABLE["predictions"]) + list(TABLE["refused"]) + list(TABLE["accepted"])
    on_disk = sorted(p.name for p in CORPUS.iterdir() if p.name not in ("expected.yaml", ".gitattributes"))
    assert sorted(listed) == on_disk
    assert len(set(listed)) == len(listed)
    assert set(TABLE["generated"]) == set(GENERATORS)


def _args(command: str, path: Path, root: Path | None) -> list[str]:
    good = str(CORPUS / "good.jsonl")
    return {"validate": ["validate", str(path)], "score": ["score", str(path)],
            "compare-a": ["compare", str(path), good, "--bootstrap", "1"],
            "compare-b": ["compare", good, str(path), "--bootstrap", "1"],
            "submit": ["submit", str(path), "--name", SUBMIT_NAME, "--date", "2026-12-01", "--root", str(root)],
            "leaderboard-build": ["leaderboard", "build", "--root", str(root)],
            "gold-build": ["gold", "build", "--root", str(root)]}[command]


def _check_all(name: str, commands: dict[str, str], path: Path, tmp_path: Path) -> list[str]:
    """Run each command on ``path`` (side by side: each writer has its own scratch copy of the
    repository) and check every refusal; returns the lines printed, by command."""
    boards = {}
    for command in set(commands) & set(WRITERS):
        root = boards[command] = tmp_path / f"repo-{command}"
        shutil.copytree(REPO / "leaderboard", root / "leaderboard")
        (root / "gold").mkdir()
    where = {c: path for c in commands}
    if "leaderboard-build" in commands:
        folder = boards["leaderboard-build"] / "leaderboard/submissions/bad-yaml"
        folder.mkdir()
        shutil.copy(path, folder / "submission.yaml")
        shutil.copy(folder.parent / "null/predictions.jsonl", folder / "predictions.jsonl")
        where["leaderboard-build"] = folder / "submission.yaml"
    if "gold-build" in commands:
        for part in ("gold", "seeds"):
            shutil.copytree(REPO / part, boards["gold-build"] / part, dirs_exist_ok=True)
        source = next((boards["gold-build"] / "gold/source").glob("*.yaml"))
        shutil.copy(path, source)
        where["gold-build"] = source
    before = {c: snapshot(root) for c, root in boards.items()}
    listing = {c: sorted(p.name for p in root.iterdir()) for c, root in boards.items()}
    args = {c: _args(c, path, boards.get(c)) for c in commands}
    procs = {c: subprocess.Popen([sys.executable, "-m", "benchmark.cli", *a], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")
             for c, a in args.items()}
    printed = []
    for command, fragment in commands.items():
        out, err = procs[command].communicate(timeout=120)
        r = subprocess.CompletedProcess(args[command], procs[command].returncode, out, err)
        try:
            assert_refused(r, str(where[command]), fragment)
            if command in boards:
                assert snapshot(boards[command]) == before[command], "the leaderboard changed"
                assert sorted(p.name for p in boards[command].iterdir()) == listing[command], "staging left behind"
        except AssertionError as exc:
            raise AssertionError(f"isnad {command} {name}: {exc}") from None
        printed.append(r.stderr)
    assert not Path("/tmp/isnad-pwned").exists()
    return printed


def _same_verdict(name: str, fragment: str, path: Path, tmp_path: Path) -> None:
    printed = _check_all(name, dict.fromkeys(PREDICTION_COMMANDS, fragment), path, tmp_path)
    assert len(set(printed)) == 1, dict(zip(PREDICTION_COMMANDS, printed))


@pytest.mark.parametrize("name", list(TABLE["predictions"]))
def test_one_verdict_for_a_predictions_file(tmp_path, name):
    _same_verdict(name, TABLE["predictions"][name], CORPUS / name, tmp_path)


@pytest.mark.parametrize("name", list(TABLE["refused"]))
def test_refused(tmp_path, name):
    _check_all(name, TABLE["refused"][name], CORPUS / name, tmp_path)


@pytest.mark.parametrize("name", list(TABLE["generated"]))
def test_one_verdict_for_a_generated_file(tmp_path, name):
    path = tmp_path / name
    GENERATORS[name](path)
    _same_verdict(name, TABLE["generated"][name], path, tmp_path)


@pytest.mark.parametrize("name, fragment", list(TABLE["names"].items()))
def test_refused_names(board, name, fragment):
    before = snapshot(board)
    r = isnad("submit", str(CORPUS / "good.jsonl"), "--name", name, "--root", str(board))
    assert_refused(r, None, fragment)
    assert r.stderr.startswith(f"error: {fragment}")
    assert snapshot(board) == before


# --- accepted -------------------------------------------------------------------------------


def _score(path: Path) -> dict:
    r = isnad("score", str(path), "--json", "--bootstrap", "20", "--seed", "7")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return json.loads(r.stdout)


@pytest.mark.parametrize("name, plain", [
    ("bom.jsonl", lambda b: b.removeprefix(b"\xef\xbb\xbf")),
    ("crlf.jsonl", lambda b: b.replace(b"\r\n", b"\n")),
])
def test_bom_and_crlf_score_as_the_plain_file(tmp_path, name, plain):
    raw = (CORPUS / name).read_bytes()
    assert plain(raw) != raw
    (tmp_path / "plain.jsonl").write_bytes(plain(raw))
    odd, ref = _score(CORPUS / name), _score(tmp_path / "plain.jsonl")
    assert odd == ref
    assert odd["quotes"]["overlap"]["f1"] > 0 and odd["entities"]["seqeval"]["f1"] > 0
    assert odd == _score(CORPUS / "good.jsonl")


def test_a_line_separator_inside_a_string_is_not_a_line_end():
    raw = (CORPUS / "line-separator-in-string.jsonl").read_text(encoding="utf-8")
    assert "\u2028" in raw and len(raw.splitlines()) > 1  # str.splitlines would cut the JSON line
    r = isnad("validate", str(CORPUS / "line-separator-in-string.jsonl"))
    assert r.returncode == 0, r.stderr
    assert "5 entities" in r.stdout


def test_a_text_span_not_in_the_document_is_a_false_positive():
    d = _score(CORPUS / "text-not-in-document.jsonl")
    g = d["grounding"]
    assert (g["text_spans"], g["exact"], g["failed"]) == (3, 2, 1), g  # quote 0 and its cue found, quote 1 not
    assert g["examples"] == [{"document_id": DOC_ID, "field": "quotes[1]", "text": "هذا النص ليس في المقال"}]
    counts = d["quotes"]["counts"]["overlap"]
    assert (counts["predicted"], counts["matched"]) == (2, 1)
    assert d["quotes"]["overlap"]["precision"] == 0.5


def test_a_plain_string_speaker_is_a_text_speaker(tmp_path):
    line = json.loads((CORPUS / "speaker-string.jsonl").read_text(encoding="utf-8"))
    assert isinstance(line["quotes"][0]["speaker"], str)
    line["quotes"][0]["speaker"] = {"text": line["quotes"][0]["speaker"]}
    (tmp_path / "text.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    plain = _score(CORPUS / "speaker-string.jsonl")
    assert plain == _score(tmp_path / "text.jsonl") and plain["attribution"]["counts"]["correct"] == 1


def test_html_and_path_names_are_kept_inside_and_escaped(board):
    name = "../../<img src=x onerror=alert(1)> & co"
    r = isnad("submit", str(CORPUS / "good.jsonl"), "--name", name, "--date", "2026-12-01", "--root", str(board))
    assert r.returncode == 0, r.stderr
    slug = "img-src-x-onerror-alert-1-co"
    assert f"submitted {slug}" in r.stdout
    assert sorted(p.name for p in board.iterdir()) == ["gold", "leaderboard"]
    assert not (board.parent / "x").exists() and not (board.parent.parent / "x").exists()
    assert (board / "leaderboard/submissions" / slug / "predictions.jsonl").read_bytes() == \
        (CORPUS / "good.jsonl").read_bytes()
    page = (board / "leaderboard/index.html").read_text(encoding="utf-8")
    readme = (board / "leaderboard/README.md").read_text(encoding="utf-8")
    assert "<img src=x" not in page and "<img src=x" not in readme
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; co" in page
    assert yaml.safe_load((board / "leaderboard/submissions" / slug / "submission.yaml").read_text(
        encoding="utf-8"))["name"] == name


@pytest.mark.parametrize("edit, fragment", [
    (lambda line: line.replace('"id": ', '"id": "x", "id": ', 1), ':1: bad JSON: duplicate key "id" in an object'),
    (lambda line: line + "\nnull", ":2: expected a JSON object, got null"),
])
def test_a_gold_folder_is_read_by_the_same_rules(tmp_path, edit, fragment):
    gold = tmp_path / "gold"
    shutil.copytree(REPO / "gold/data", gold / "data")
    docs = gold / "data/documents.jsonl"
    docs.write_text(edit(docs.read_text(encoding="utf-8").rstrip("\n")) + "\n", encoding="utf-8")
    r = isnad("validate", str(CORPUS / "good.jsonl"), "--gold", str(gold))
    assert_refused(r, str(docs.resolve()), fragment)
