"""All or nothing: `submit`, `leaderboard build` and `gold build` stopped at every filesystem
step (an error there, or a crash that stops every later step) leave each file whole, old or
new; `check` reports what a stop left, and the next run finishes or clears it. One writer at
a time: `submit`s run at once all land (or are refused), and `check` passes."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark import goldbuild, load_gold
from benchmark.leaderboard import SubmissionMeta, board, build, check, submit
from benchmark.predictions import predictions_from_gold
from benchmark.transaction import JOURNAL, LOCK

REPO = Path(__file__).resolve().parent.parent
# every os function through which a command changes the file system (and open, which may create)
STEPS = ("open", "write", "fsync", "ftruncate", "replace", "rename", "unlink", "rmdir", "mkdir", "makedirs")
README = "# x\n\n<!-- generated:leaderboard -->\n<!-- /generated:leaderboard -->\nafter\n"


class Injected(OSError):
    pass


class Stop:
    """Patches the os steps: the ``at``-th one fails; with ``crash`` every later one fails too
    (the process is gone: no clean-up runs)."""

    def __init__(self, monkeypatch, at: int, crash: bool):
        self.n, self.at, self.crash, self.hit = 0, at, crash, False
        for name in STEPS:
            monkeypatch.setattr(os, name, self._wrap(name, getattr(os, name)))

    def _wrap(self, name, real):
        def step(*args, **kwargs):
            self.n += 1
            if self.n == self.at or (self.crash and self.hit):
                self.hit = True
                raise Injected(errno.EIO, f"injected stop at os.{name} (step {self.n})")
            return real(*args, **kwargs)
        return step


def files(root: Path, under: str) -> dict[str, bytes]:
    base = root / under
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def state(root: Path, under: str) -> dict[str, bytes]:
    """The files that make the committed state: no lock, no journal."""
    out = files(root, under)
    if (root / "README.md").is_file():
        out["README.md"] = (root / "README.md").read_bytes()
    return {k: v for k, v in out.items() if f"/{JOURNAL}/" not in k and not k.endswith(f"/{LOCK}")}


def count_steps(monkeypatch, run) -> int:
    with monkeypatch.context() as m:
        stop = Stop(m, at=0, crash=False)
        run()
    return stop.n


def assert_whole(now: dict[str, bytes], before: dict[str, bytes], after: dict[str, bytes]) -> None:
    for path in set(before) | set(after):
        if path in before and path in after:
            assert path in now, f"{path} is missing"
        if path in now:
            assert now[path] in (before.get(path), after.get(path)), f"{path} is neither its old nor its new version"
    assert set(now) <= set(before) | set(after)


def stop_at_every_step(monkeypatch, tmp_path, template: Path, under: str, run, next_run, checker) -> int:
    """Run ``run`` on a copy of ``template`` stopped at each step in turn; returns the count."""
    probe = tmp_path / "probe"
    shutil.copytree(template, probe)
    before = state(probe, under)
    n = count_steps(monkeypatch, lambda: run(probe))
    after = state(probe, under)
    assert after != before and checker(probe) == []
    for crash in (False, True):
        for k in range(1, n + 1):
            root = tmp_path / f"run-{int(crash)}-{k}"
            shutil.copytree(template, root)
            with monkeypatch.context() as m:
                Stop(m, at=k, crash=crash)
                try:
                    run(root)
                    stopped = False
                except Injected:
                    stopped = True
                except Exception as exc:  # an IsnadError wrapping the stop is fine too
                    assert "injected stop" in str(exc), exc
                    stopped = True
            now = state(root, under)
            where = f"stopped at step {k} of {n}{' (crash)' if crash else ''}"
            try:
                assert_whole(now, before, after)
                if now != before:
                    assert stopped or now == after
                    if now != after:
                        assert checker(root) != [], "a half-applied change passes the check"
                next_run(root)
                final = state(root, under)
                assert final in (before, after), "the next run left neither the old nor the new state"
                assert checker(root) == []
                assert not (root / under / JOURNAL).exists() and not (root / under / LOCK).exists()
            except AssertionError as exc:
                raise AssertionError(f"{where}: {exc}") from None
            shutil.rmtree(root)
    return n


def _jsonl(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


def meta(name: str, **kw) -> SubmissionMeta:
    return SubmissionMeta(name=name, date="2026-12-01", **kw)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A repository with two submissions and a README table."""
    tmp = tmp_path_factory.mktemp("atomic")
    gold = load_gold()
    root = tmp / "repo"
    root.mkdir()
    (root / "README.md").write_text(README, encoding="utf-8")
    submit(root, _jsonl(tmp / "null.jsonl", [{"document_id": d.id, "entities": [], "quotes": []} for d in gold.documents]),
           meta("Null", baseline=True))
    half = predictions_from_gold(gold)
    half[0]["quotes"] = half[0]["quotes"][::2]
    submit(root, _jsonl(tmp / "half.jsonl", half), meta("Half"))
    _jsonl(tmp / "perfect.jsonl", predictions_from_gold(gold))
    return root


@pytest.fixture()
def fast_outputs(monkeypatch):
    """The scoring of each case is the same; only the writing is under test: score once."""
    real, memo = board.build_outputs, {}

    def cached(lb, gold=None, use_cache=True, incoming=None, strict=True):
        key = (use_cache, tuple(sorted(incoming or ())), (lb / "submissions/perfect").exists(), strict)
        if key not in memo:
            memo[key] = real(lb, gold, use_cache, incoming, strict)
        return memo[key]

    monkeypatch.setattr(board, "build_outputs", cached)


def test_submit_stopped_at_every_step(monkeypatch, tmp_path, template, fast_outputs):
    perfect = template.parent / "perfect.jsonl"
    n = stop_at_every_step(monkeypatch, tmp_path, template, "leaderboard",
                           lambda root: submit(root, perfect, meta("Perfect")), build, check)
    assert n >= 10  # the lock, each staged file, the commit, each move, the clean-up


def test_leaderboard_build_stopped_at_every_step(monkeypatch, tmp_path, template, fast_outputs):
    edited = tmp_path / "edited"
    shutil.copytree(template, edited)
    (edited / "leaderboard/results/half.json").unlink()
    (edited / "leaderboard/results/ghost.json").write_text("{}\n", encoding="utf-8")  # removed by the build
    (edited / "leaderboard/README.md").write_text("edited\n", encoding="utf-8")
    stop_at_every_step(monkeypatch, tmp_path, edited, "leaderboard", build, build, check)


@pytest.fixture(scope="module")
def gold_template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gold") / "repo"
    for part in ("seeds", "gold"):
        shutil.copytree(REPO / part, root / part)
    src = next((root / "gold/source").glob("*.yaml"))
    text = src.read_text(encoding="utf-8")
    assert '\nversion: "' in text
    src.write_text(text.replace('\nversion: "', '\nversion: "9', 1), encoding="utf-8")  # a new version
    return root


def test_gold_build_stopped_at_every_step(monkeypatch, tmp_path, gold_template):
    outputs = goldbuild.build_outputs(gold_template)
    monkeypatch.setattr(goldbuild, "build_outputs", lambda root: outputs)  # compile once
    n = stop_at_every_step(monkeypatch, tmp_path, gold_template, "gold", goldbuild.build, goldbuild.build,
                           lambda root: [p for p in goldbuild.check(root)])
    assert n >= 10


def test_a_target_that_cannot_be_written_changes_nothing(tmp_path, gold_template):
    root = tmp_path / "repo"
    shutil.copytree(gold_template, root)
    before = state(root, "gold")
    (root / "gold/data/quotes.jsonl").unlink()
    (root / "gold/data/quotes.jsonl").mkdir()  # a folder where a data file goes: refused up front
    with pytest.raises(Exception) as err:
        goldbuild.build(root)
    assert "quotes.jsonl" in str(err.value) and "not a regular file" in str(err.value)
    now = state(root, "gold")
    assert now == {k: v for k, v in before.items() if k != "gold/data/quotes.jsonl"}


def test_check_and_the_next_run_report_what_a_stop_left(tmp_path, template):
    root = tmp_path / "repo"
    shutil.copytree(template, root)
    journal = root / "leaderboard" / JOURNAL
    journal.mkdir()
    (journal / "00000").write_bytes(b"half-staged")
    assert any("stopped before it committed" in p for p in check(root))
    notes = build(root)
    assert notes and "removed what a stopped run had staged" in notes[0]
    assert not journal.exists() and check(root) == []


def test_a_journal_plan_cannot_write_outside(tmp_path, template):
    root = tmp_path / "repo"
    shutil.copytree(template, root)
    journal = root / "leaderboard" / JOURNAL
    journal.mkdir()
    (journal / "00000").write_bytes(b"pwned")
    (journal / "plan.json").write_text(json.dumps([{"path": "../outside.txt", "staged": "00000"}]), encoding="utf-8")
    with pytest.raises(Exception, match="outside"):
        build(root)
    assert not (tmp_path / "outside.txt").exists()


# --- one writer at a time ---------------------------------------------------------------------


def _isnad(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "benchmark.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")


def test_submits_at_once(tmp_path):
    """Four at once (two already lose an entry now and then without the lock; four nearly always)."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "leaderboard", root / "leaderboard")
    (root / "gold").mkdir()
    gold = load_gold()
    names = ("Alpha", "Bravo", "Charlie", "Delta")
    paths = {}
    for i, name in enumerate(names):
        docs = predictions_from_gold(gold)
        docs[0]["quotes"] = docs[0]["quotes"][i:]
        paths[name] = _jsonl(tmp_path / f"{name}.jsonl", docs)
    procs = {name: _isnad("submit", str(paths[name]), "--name", name, "--date", "2026-12-01", "--root", str(root))
             for name in names}
    results = {name: p.communicate(timeout=600) + (p.returncode,) for name, p in procs.items()}
    landed = set()
    for name, (out, err, rc) in results.items():
        assert "Traceback" not in err, err
        if rc == 0:
            landed.add(name)
        else:
            assert rc == 2 and err.count("\n") == 1 and "another isnad command is writing" in err, err
    assert landed, results
    slugs = {p.name for p in (root / "leaderboard/submissions").iterdir()}
    assert {n.lower() for n in names} & slugs == {n.lower() for n in landed}
    readme = (root / "leaderboard/README.md").read_text(encoding="utf-8")
    assert all(f"| {n} |" in readme for n in landed)
    assert check(root) == []
    assert not (root / "leaderboard" / LOCK).exists()


def test_a_held_lock_makes_a_writer_wait_then_refuse(tmp_path, template, monkeypatch):
    from benchmark import transaction
    from benchmark.errors import IsnadError

    root = tmp_path / "repo"
    shutil.copytree(template, root)
    before = state(root, "leaderboard")
    with transaction.lock(root / "leaderboard", "the leaderboard"):
        with pytest.raises(IsnadError, match="another isnad command is writing the leaderboard"):
            with transaction.lock(root / "leaderboard", "the leaderboard", timeout=0.3):
                pass
        monkeypatch.setattr(transaction, "LOCK_TIMEOUT", 0.3)
        with pytest.raises(IsnadError, match=r"another isnad command .* \(process \d+\)"):
            build(root)
    assert state(root, "leaderboard") == before
    assert build(root) == []  # released: the next writer gets it
