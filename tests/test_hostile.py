"""The adversarial pass of issue 13 replayed through the real CLI, each finding on a scratch
copy of the repository: links, strays and edits under leaderboard/, README marks, alias
bombs before `check`, impersonating names and authors, pipes and devices given to
`predict`, foreign extractor specs, `evaluate --out` into the wrong place, a gold whose
build stopped half-way. (Stops at every filesystem step and writers at once are in
test_atomic.py; the bad files of every reader in bad_inputs/ and test_bad_inputs.py.)
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark.leaderboard.names import reads_like

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests/bad_inputs"
GOOD = CORPUS / "good.jsonl"
BEGIN, END = "<!-- generated:leaderboard -->", "<!-- /generated:leaderboard -->"


def isnad(*args: str | bytes, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmark.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=timeout, cwd=cwd or REPO)


def refused(r: subprocess.CompletedProcess, fragment: str, code: int = 2) -> str:
    """The one line the command printed on stderr, which holds ``fragment``."""
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == code, (r.returncode, r.stderr, r.stdout[-300:])
    assert r.stderr.count("\n") == 1 and r.stderr.endswith("\n"), r.stderr
    assert fragment in r.stderr, r.stderr
    return r.stderr


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink()}


@pytest.fixture()
def repo(tmp_path) -> Path:
    """A scratch repository: the leaderboard and the README whose table it refreshes."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "leaderboard", root / "leaderboard")
    shutil.copy(REPO / "README.md", root / "README.md")
    (root / "gold").mkdir()  # what tells the repository (the gold is the bundled one)
    assert isnad("leaderboard", "check", "--root", str(root)).returncode == 0
    return root


def submit(root: Path, name: str, *extra: str | bytes) -> subprocess.CompletedProcess:
    return isnad("submit", str(GOOD), "--name", name, "--date", "2026-12-01", "--root", str(root), *extra)


# --- 3. YAML alias bombs: refused before anything expands them, by `check` too --------------


def test_check_refuses_an_alias_bomb_before_expanding_it(repo):
    shutil.copy(CORPUS / "submission-alias-bomb.yaml", repo / "leaderboard/submissions/null/submission.yaml")
    refused(isnad("leaderboard", "check", "--root", str(repo)), "anchors and aliases are not allowed", code=2)


def test_every_yaml_the_project_reads_goes_through_yamlsafe():
    """One YAML reader (anchors, merge keys, duplicate keys and huge integers refused)."""
    readers = {"load", "safe_load", "full_load", "unsafe_load", "load_all", "safe_load_all", "compose", "parse"}
    calls = []
    for path in sorted([*(REPO / "benchmark").rglob("*.py"), *(REPO / "baselines").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in readers \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "yaml":
                calls.append(f"{path.relative_to(REPO)}:{node.lineno}")
            # a reader reached another way: imported by name, or the module under another name
            if path.name != "yamlsafe.py" and (
                    isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "yaml"
                    or isinstance(node, ast.Import) and any(a.name == "yaml" and a.asname for a in node.names)):
                calls.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert calls == [], calls


# --- 5. the README's marks: missing, doubled or misspelt is a problem, never a pass ----------


def _drop_table(text: str) -> str:
    head, rest = text.split(BEGIN + "\n", 1)
    return head + "| 1 | cue-rules | 0.990 |\n" + rest.split(END + "\n", 1)[1]


@pytest.mark.parametrize("edit, fragment", [
    (lambda t: t.replace(BEGIN + "\n", "", 1), f"README.md: the mark {BEGIN} must be there once"),
    (lambda t: t.replace(END + "\n", "", 1), f"README.md: the mark {END} must be there once"),
    (_drop_table, f"README.md: the mark {BEGIN} must be there once"),
    (lambda t: t.replace(END, END + "\n" + END, 1), "(on lines"),
    (lambda t: t.replace(BEGIN, BEGIN + "\n" + BEGIN, 1), "(on lines"),
    (lambda t: t.replace(BEGIN, "<!-- generated:leaderbord -->", 1), "is not one of the leaderboard's marks"),
    (lambda t: t.replace(BEGIN, "<!--generated:leaderboard-->", 1), "(misspelt?)"),
    (lambda t: t.replace(END, "<!-- generated:/leaderboard -->", 1), "(misspelt?)"),
    (lambda t: t.replace(BEGIN, "see " + BEGIN, 1), "must be alone on its line"),
    (lambda t: t.replace(BEGIN, END, 1).replace(END, BEGIN, 2).replace(BEGIN, END, 1), "comes before"),
])
def test_check_fails_on_a_mark_missing_doubled_or_misspelt(repo, edit, fragment):
    readme = repo / "README.md"
    text = edit(readme.read_text(encoding="utf-8"))
    readme.write_text(text, encoding="utf-8")
    assert fragment in refused(isnad("leaderboard", "check", "--root", str(repo)), "README.md", code=1)
    before = files(repo)
    refused(isnad("leaderboard", "build", "--root", str(repo)), fragment.removeprefix("README.md: "))
    assert files(repo) == before


def test_check_fails_on_an_edited_table_between_the_marks(repo):
    readme = repo / "README.md"
    text = readme.read_text(encoding="utf-8")
    row = next(line for line in text.split(BEGIN)[1].split("\n") if line.startswith("| null (baseline)"))
    readme.write_text(text.replace(row, row.replace("0.000", "0.990", 1)), encoding="utf-8")
    refused(isnad("leaderboard", "check", "--root", str(repo)), "README.md (its leaderboard table): differs", code=1)


# --- 6. links inside leaderboard/: never written through, always a problem -------------------


@pytest.mark.parametrize("rel", ["index.html", "results", "README.md", "submissions",
                                 "submissions/null/predictions.jsonl", "submissions/null"])
def test_a_link_inside_the_leaderboard_is_never_written_through(repo, tmp_path, rel):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / Path(rel).name
    shutil.move(repo / "leaderboard" / rel, target)
    (repo / "leaderboard" / rel).symlink_to(target, target_is_directory=target.is_dir())
    before = files(outside)
    for r in (submit(repo, "Linked"), isnad("leaderboard", "build", "--root", str(repo))):
        refused(r, "symbolic link")
    assert files(outside) == before
    problems = isnad("leaderboard", "check", "--root", str(repo))
    assert problems.returncode == 1 and f"leaderboard/{rel}: a symbolic link" in problems.stderr
    assert files(outside) == before


def test_the_leaderboard_folder_as_a_link_is_refused(repo, tmp_path):
    shutil.move(repo / "leaderboard", tmp_path / "elsewhere")
    (repo / "leaderboard").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    before = files(tmp_path / "elsewhere")
    refused(submit(repo, "Linked"), "a symbolic link: refusing to write through it")
    assert files(tmp_path / "elsewhere") == before
    refused(isnad("leaderboard", "check", "--root", str(repo)), "leaderboard: a symbolic link", code=1)


# --- 13. strays and metadata edits under leaderboard/ -----------------------------------------


def _edit_meta(field: str, old: str, new: str):
    def edit(root: Path) -> None:
        path = root / "leaderboard/submissions/null/submission.yaml"
        text = path.read_text(encoding="utf-8")
        assert f"{field}: {old}" in text
        path.write_text(text.replace(f"{field}: {old}", f"{field}: {new}"), encoding="utf-8")
    return edit


def _write(rel: str, data: bytes = b"x\n"):
    def edit(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return edit


@pytest.mark.parametrize("edit, fragment", [
    (_write("leaderboard/notes.txt"), "leaderboard/notes.txt: a stray file"),
    (_write("leaderboard/results/notes.txt"), "leaderboard/results/notes.txt: a stray file"),
    (_write("leaderboard/submissions/null/extra/x.txt"), "leaderboard/submissions/null/extra/: a stray folder"),
    (_write("leaderboard/submissions/null/predictions.jsonl.orig"), "a stray file"),
    (_write("leaderboard/submissions/Not A Slug/x.txt"), "leaderboard/submissions/Not A Slug/: a stray folder"),
    (_write("leaderboard/results/ghost.json", b"{}\n"), "results/ghost.json: no such submission (stale result)"),
    (_edit_meta("date", "'2026-12-01'", "'2020-01-01'"), "leaderboard/results/null.json: differs"),
    (_edit_meta("description", "Predicts nothing", "Predicts everything"), "leaderboard/results/null.json: differs"),
    (_edit_meta("track", "end-to-end", "gold-quotes"), "leaderboard/results/null.json: differs"),
    (_edit_meta("date", "'2026-12-01'", "2026-12-01"), "submission.yaml: not as `isnad submit` writes it"),
])
def test_check_fails_on_strays_and_metadata_edits(repo, edit, fragment):
    edit(repo)
    r = isnad("leaderboard", "check", "--root", str(repo))
    assert r.returncode == 1 and fragment in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_check_fails_on_an_entry_marked_baseline_that_is_none(repo):
    assert submit(repo, "Mine").returncode == 0
    path = repo / "leaderboard/submissions/mine/submission.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("baseline: false", "baseline: true"), encoding="utf-8")
    assert isnad("leaderboard", "build", "--root", str(repo)).returncode == 0  # even once rebuilt
    r = isnad("leaderboard", "check", "--root", str(repo))
    assert r.returncode == 1 and "submissions/mine/submission.yaml: marked baseline, but not one of the project's" \
        in r.stderr, r.stderr


# --- 11. impersonation: the name rules (the CLI cases are the "names" of bad_inputs/) ---------


@pytest.mark.parametrize("a, b", [
    ("\u0441ue-rules", "cue-rules"),  # Cyrillic es
    ("cue\u2010rules", "cue-rules"),  # U+2010 hyphen
    ("Cue  Rules.", "cue-rules"),  # case, spaces, punctuation
    ("Stra\u00dfe Tagger", "STRASSE tagger"),  # case folding
    ("\ufb01ne tagger", "fine tagger"),  # NFKC: the fi ligature
    ("\uff4d\uff59 \uff54\uff41\uff47\uff47\uff45\uff52", "my tagger"),  # NFKC: full-width letters
    ("\U0001d41c\U0001d42e\U0001d41e-rules", "cue-rules"),  # mathematical bold
    ("rn-tagger", "m-tagger"),  # a confusable pair of letters
    ("I1", "l1"),
])
def test_names_that_read_alike_meet(a, b):
    assert reads_like(a, b) and reads_like(b, a)


@pytest.mark.parametrize("a, b", [("cue-rules", "cue-rules-v2"), ("Alpha", "Alpine"), ("supervised", "supervisor"),
                                  ("null", "nil")])
def test_names_that_read_differently_do_not_meet(a, b):
    assert not reads_like(a, b)


def test_only_the_baselines_are_marked_baseline_and_none_is_replaced(repo):
    before = files(repo)
    r = submit(repo, "Fancy", "--baseline")  # baselines are submitted by `isnad baselines run` alone
    assert r.returncode == 2 and "No such option: --baseline" in r.stderr, r.stderr
    refused(submit(repo, "null", "--replace"), "name: 'null' is a baseline's entry")
    refused(submit(repo, "Cue Rules", "--replace"), "name: 'cue-rules' is a baseline's entry")
    refused(submit(repo, "cue-rules-gold-quotes", "--replace"), "is a baseline's entry")
    assert files(repo) == before


# --- 12. authors: the name's character rules, a length and a count limit ----------------------


@pytest.mark.parametrize("authors, fragment", [
    ([b"\xff"], "--authors: author 1 holds the byte 0xFF, which is not UTF-8 text"),
    (["ok", "a\x01b"], "--authors: author 2 contains control or invisible characters (U+0001)"),
    (["x\u202e"], "--authors: author 1 contains control or invisible characters (U+202E)"),
    (["line\nbreak"], "--authors: author 1 contains control or invisible characters (U+000A)"),
    (["  "], "--authors: author 1 is blank"),
    (["a" * 120_000], "--authors: author 1 is 120000 characters long, over the limit of 100"),
    ([f"a{i}" for i in range(2000)], "--authors: List should have at most 50 items"),
])
def test_authors_get_the_name_rules_and_limits(repo, authors, fragment):
    before = files(repo)
    args = [x for a in authors for x in ("--authors", a)]
    r = refused(submit(repo, "Authored", *args), fragment)
    assert len(r) < 400
    assert files(repo) == before


# --- 8. predict: a pipe, a device, a text over 16 MB ------------------------------------------


def test_predict_refuses_a_pipe_a_device_and_a_text_over_16_mb(tmp_path):
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    refused(isnad("predict", "null", "--text-file", str(fifo), timeout=60), "a pipe, not a regular file")
    refused(isnad("predict", "null", "--text-file", "/dev/zero", timeout=60), "a device, not a regular file")
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(16 * 1024 * 1024 + 1)
    refused(isnad("predict", "null", "--text-file", str(big), timeout=60),
            f"{big}: 16777217 bytes is over the 16777216-byte (16 MB) limit for a text to predict on")
    (tmp_path / "bad.txt").write_bytes(b"ok\n\xff")
    refused(isnad("predict", "null", "--text-file", str(tmp_path / "bad.txt")), "bad.txt:2: invalid UTF-8")


# --- 10. tracebacks: foreign extractor specs, evaluate --out, option values -------------------


def raising_factory():
    raise RuntimeError("boom")


def exiting_factory():
    sys.exit(3)


@pytest.mark.parametrize("spec, fragment", [
    ("os:system", "extractor 'os:system' lacks name, description, predict"),
    ("sys:exit", "extractor 'sys:exit' lacks name"),
    ("builtins:eval", "lacks name"),
    ("subprocess:Popen", "extractor 'subprocess:Popen' is a callable that needs arguments (args)"),
    ("benchmark.cli:app", "lacks name"),
    (":", "is not of the form 'module:object'"),
    ("os:", "is not of the form 'module:object'"),
    ("os:path:x", "is not of the form 'module:object'"),
    ("no_such_module:Thing", "cannot load extractor 'no_such_module:Thing': No module named"),
    ("tests.test_hostile:raising_factory", "making the extractor 'tests.test_hostile:raising_factory' raised "
                                           "RuntimeError: boom"),
    ("tests.test_hostile:exiting_factory", "raised SystemExit: 3"),
])
def test_an_extractor_spec_is_loaded_or_refused_in_one_line(tmp_path, spec, fragment):
    (tmp_path / "t.txt").write_text("قال الرئيس إن الاجتماع مفيد.\n", encoding="utf-8")
    refused(isnad("predict", spec, "--text-file", str(tmp_path / "t.txt")), fragment)


@pytest.mark.parametrize("target, fragment", [
    ("missing/x.jsonl", "missing/x.jsonl: no such folder 'missing' to write into"),
    ("folder", "folder: a folder: refusing to replace it"),
    ("link.jsonl", "link.jsonl: a symbolic link: refusing to replace it"),
])
def test_evaluate_out_refuses_a_missing_folder_a_folder_or_a_link(tmp_path, target, fragment):
    (tmp_path / "folder").mkdir()
    (tmp_path / "link.jsonl").symlink_to(tmp_path / "elsewhere.jsonl")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    refused(isnad("evaluate", "null", "--bootstrap", "0", "--out", target, cwd=tmp_path), fragment)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # no temp file left


def test_evaluate_out_writes_the_predictions_whole(tmp_path):
    r = isnad("evaluate", "null", "--bootstrap", "0", "--json", "--out", "null.jsonl", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null.jsonl"]
    assert (tmp_path / "null.jsonl").read_bytes() == (REPO / "leaderboard/submissions/null/predictions.jsonl").read_bytes()


def test_write_file_stopped_at_the_rename_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    from benchmark.errors import IsnadError
    from benchmark.transaction import write_file

    path = tmp_path / "out.jsonl"
    path.write_bytes(b"old\n")

    def stop(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", stop)
    with pytest.raises(IsnadError, match="out.jsonl: cannot write: No space left on device"):
        write_file(path, b"new\n")
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"] and path.read_bytes() == b"old\n"


@pytest.mark.parametrize("args, fragment", [
    (["--seed", "-1"], "Invalid value for '--seed'"),
    (["--seed", "9" * 5000], "Invalid value for '--seed'"),
    (["--bootstrap", "99999999999"], "Invalid value for '--bootstrap'"),
])
def test_out_of_range_options_are_usage_errors(args, fragment):
    r = isnad("score", str(GOOD), *args)
    assert r.returncode == 2 and "Traceback" not in r.stderr and fragment in " ".join(r.stderr.split()), r.stderr


# --- 9. a gold whose build stopped half-way is not scored against ------------------------------


def test_a_gold_whose_build_stopped_half_way_is_not_read(tmp_path):
    from benchmark.transaction import JOURNAL, PLAN

    gold = tmp_path / "gold"
    shutil.copytree(REPO / "gold/data", gold / "data")
    assert isnad("validate", str(GOOD), "--gold", str(gold)).returncode == 0
    (gold / JOURNAL).mkdir()
    (gold / JOURNAL / PLAN).write_text("[]", encoding="utf-8")
    for command in ("validate", "score"):
        refused(isnad(command, str(GOOD), "--gold", str(gold)), "a gold build was stopped half-way")


@pytest.mark.parametrize("seed, fragment", [
    ("../../../etc/passwd", "is not a file name in seeds/"),
    ("/etc/passwd", "is not a file name in seeds/"),
    ("..", "is not a file name in seeds/"),
    ("sub/x.txt", "is not a file name in seeds/"),
    ("missing.txt", "seed 'missing.txt': cannot read"),
    ("fifo.txt", "seed 'fifo.txt': a pipe, not a regular file"),
    ("link.txt", "seed 'link.txt': a symbolic link"),
])
def test_a_seed_outside_seeds_is_refused(tmp_path, seed, fragment):
    root = tmp_path / "repo"
    for part in ("gold", "seeds"):
        shutil.copytree(REPO / part, root / part)
    os.mkfifo(root / "seeds/fifo.txt")
    (root / "seeds/link.txt").symlink_to(next((root / "seeds").glob("*.txt")))
    source = next((root / "gold/source").glob("*.yaml"))
    text = source.read_text(encoding="utf-8")
    line = next(x for x in text.split("\n") if x.strip().startswith("seed:"))
    source.write_text(text.replace(line, line.split("seed:")[0] + f"seed: '{seed}'"), encoding="utf-8")
    before = files(root / "gold")
    r = refused(isnad("gold", "build", "--root", str(root), timeout=60), fragment)
    assert f"{source}:" in r and "document.seed" in r
    assert files(root / "gold") == before
