"""Build, check and submit: every number on the leaderboard is recomputed from predictions."""

from __future__ import annotations

import hashlib
import json
import os
import re
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection

from ..errors import IsnadError
from ..gold import Gold, load_gold
from ..scoring import Scoring
from ..transaction import JOURNAL, LOCK, commit, differs, lock, pending, recover
from . import names
from .submission import (SLUG, META_FILE, PREDICTIONS_FILE, SubmissionMeta, Track, check_size,
                         dump_meta, read_meta, slugify, submission_dir)

LEADERBOARD = "leaderboard"
RESULTS = "results"
RESAMPLES = 1000
SEED = 12345
PROJECT_README = "../README.md"  # the repository README's table, refreshed in place
PRIMARY = "attribution.end_to_end"  # what ranks the entries of a track
SIGNIFICANCE = 0.05
ALLOWED = (LEADERBOARD, "README.md")  # what a leaderboard change may write, relative to the root
MAX_README_BYTES = 1024 * 1024
MAX_RESULT_BYTES = 4 * 1024 * 1024


@dataclass
class Entry:
    """One scored submission."""

    slug: str
    meta: SubmissionMeta
    sha256: str
    result: dict[str, Any]  # the `isnad score --json` object plus predictions_sha256
    scoring: Scoring  # the alignments and statistics every number and the page's view come from
    view: dict[str, Any]  # grounded spans with their match status, for the page
    rank: int = 0
    tied_with_above: bool = False  # not significantly different from the entry above
    p_above: float | None = None


def _score(lb: Path, slug: str, gold: Gold, cached: dict[str, Any] | None,
           given: tuple[SubmissionMeta, Path] | None = None) -> Entry:
    from .. import predictions
    from ..safeio import read_bytes
    from ..scoring import align, build_report
    from .view import system_view

    folder = lb / "submissions" / slug
    meta, pred_path = given if given else (read_meta(folder / META_FILE), folder / PREDICTIONS_FILE)
    raw = read_bytes(pred_path, predictions.MAX_FILE_BYTES, predictions.WHAT if given else
                     "a submission's predictions file", follow_symlinks=given is not None)
    sha = hashlib.sha256(raw).hexdigest()
    scoring = align(pred_path, gold)  # read and grounded document by document
    # the submission's metadata goes into its result, so an edit to it shows in `check`
    stored = {"predictions_sha256": sha, "submission": meta.model_dump(mode="json", exclude_none=True)}
    result = None
    if cached is not None and cached.get("predictions_sha256") == sha and cached.get("signature") == _expected_signature(gold):
        # Only the bootstrap intervals are taken from the stored result, and only when every
        # other number in it equals a fresh computation: an edited score is never kept.
        fresh = build_report(scoring, 0, SEED).to_dict()
        if _without_ci(cached) == _without_ci({**fresh, "signature": cached["signature"], **stored}):
            result = cached
    if result is None:
        result = {**build_report(scoring, RESAMPLES, SEED).to_dict(), **stored}
    return Entry(slug, meta, sha, result, scoring, system_view(scoring))


def _without_ci(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_ci(v) for k, v in node.items() if k != "ci"}
    if isinstance(node, list):
        return [_without_ci(v) for v in node]
    return node


def _expected_signature(gold: Gold) -> str:
    from .. import __version__
    from ..report import signature

    return signature(__version__, gold.version, gold.sha256, RESAMPLES, SEED)


def _slugs(lb: Path, strict: bool = True) -> list[str]:
    """The submissions' folder names. ``strict``: anything else in ``submissions/`` is an
    IsnadError; otherwise it is left out (for `check`, which reports it as a stray)."""
    base = lb / "submissions"
    if not base.is_dir() or base.is_symlink():
        return []
    out = []
    for p in sorted(base.iterdir()):
        if p.name.startswith("."):
            continue
        try:
            if not p.is_dir() or p.is_symlink():
                raise IsnadError("not a submission folder", file=str(p))
            if not SLUG.match(p.name):
                raise IsnadError("not a submission folder: its name is no slug (lower-case a-z, 0-9 and dashes)",
                                 file=str(p))
        except IsnadError:
            if strict:
                raise
            continue
        out.append(p.name)
    return out


def _rank(entries: list[Entry]) -> None:
    from ..bootstrap import paired_difference, resampled
    from ..stats import HEADLINE

    f = HEADLINE.index(PRIMARY)
    for track in Track:
        group = [e for e in entries if e.meta.track is track]
        group.sort(key=lambda e: (-e.result["attribution"]["end_to_end"]["f1"],
                                  -e.result["quotes"]["overlap"]["f1"], e.slug))
        # each entry's figure under the resamples, once (the paired test of two neighbours
        # compares them resample by resample)
        observed = [e.scoring.stats.figure(PRIMARY).prf() for e in group]
        samples = [resampled(e.scoring.items, RESAMPLES, SEED)[:, f] for e in group]
        for i, e in enumerate(group):
            e.rank = i + 1
            if i:
                diff = paired_difference(observed[i - 1], observed[i], samples[i - 1], samples[i])["f1"]
                e.p_above = diff["p_value"]
                e.tied_with_above = diff["p_value"] >= SIGNIFICANCE


def entries(lb: Path, gold: Gold, use_cache: bool = True,
            incoming: dict[str, tuple[SubmissionMeta, Path]] | None = None, strict: bool = True) -> list[Entry]:
    """Score every submission under ``lb/submissions``, plus ``incoming`` ones (slug → meta
    and predictions file, replacing a stored one of the same slug), and rank them. With
    ``use_cache`` a stored result's intervals are reused when everything else in it checks;
    without ``strict`` a stray in ``submissions/`` is left out instead of refused."""
    from ..safeio import loads_object, read_text

    incoming = incoming or {}
    out = []
    for slug in sorted(set(_slugs(lb, strict)) | set(incoming)):
        cached = None
        res = lb / RESULTS / f"{slug}.json"
        if use_cache and res.is_file() and not res.is_symlink():
            try:
                cached = loads_object(read_text(res, MAX_RESULT_BYTES, "a result", follow_symlinks=False), str(res))
            except IsnadError:
                cached = None  # rescored in full
        out.append(_score(lb, slug, gold, cached, incoming.get(slug)))
    _rank(out)
    return out


def build_outputs(lb: Path, gold: Gold | None = None, use_cache: bool = True,
                  incoming: dict[str, tuple[SubmissionMeta, Path]] | None = None, strict: bool = True) -> dict[str, str]:
    """Every generated file of the leaderboard folder ``lb``, as ``{path relative to lb: text}``
    (``use_cache``, ``incoming``, ``strict``: as for :func:`entries`)."""
    from .render import render_html, render_markdown

    gold = gold or load_gold()
    ents = entries(lb, gold, use_cache, incoming, strict)
    out = {f"{RESULTS}/{e.slug}.json": json.dumps(e.result, ensure_ascii=False, indent=2) + "\n" for e in ents}
    out["README.md"] = render_markdown(ents, gold)
    out["index.html"] = render_html(ents, gold)
    project_readme = _project_readme(lb.parent / "README.md", ents)
    if project_readme is not None:
        out[PROJECT_README] = project_readme
    return out


BEGIN_MARK, END_MARK = "<!-- generated:leaderboard -->", "<!-- /generated:leaderboard -->"
_MARKLIKE = re.compile(r"<!--\s*/?\s*generated\s*:?[^>]*?-->|<!--[^>]*?leaderboard[^>]*?-->", re.I)


def _project_readme(path: Path, ents: list[Entry]) -> str | None:
    """The repository README with its generated table of the baselines refreshed (None if
    there is no README). It lists the baselines only, under the README's "Baselines" heading: a
    submission changes leaderboard/, never the project's front page. Its two marks must each
    be there once, in order, each on a line of its own; a mark that is missing, doubled or misspelt is an IsnadError naming its line."""
    from ..safeio import read_text
    from .render import render_tables

    if not path.exists() and not path.is_symlink():
        return None
    text = read_text(path, MAX_README_BYTES, "the repository README", follow_symlinks=False)
    lines = text.split("\n")
    found = {BEGIN_MARK: [], END_MARK: []}
    for n, line in enumerate(lines, 1):
        for m in _MARKLIKE.finditer(line):
            mark = m.group(0)
            if mark not in found:
                raise IsnadError(f"{mark[:60]!r} is not one of the leaderboard's marks {BEGIN_MARK!r} and "
                                 f"{END_MARK!r} (misspelt?)", file=str(path), line=n)
            if line != mark:
                raise IsnadError(f"{mark} must be alone on its line", file=str(path), line=n)
            found[mark].append(n)
    for mark, at in found.items():
        if len(at) != 1:
            where = f"on lines {', '.join(map(str, at))}" if at else "missing"
            raise IsnadError(f"the mark {mark} must be there once, around the generated leaderboard table "
                             f"({where})", file=str(path), line=at[1] if len(at) > 1 else None)
    begin, end = found[BEGIN_MARK][0], found[END_MARK][0]
    if end < begin:
        raise IsnadError(f"{END_MARK} comes before {BEGIN_MARK}", file=str(path), line=end)
    table = render_tables([e for e in ents if e.meta.baseline], heading_level=3, ranks=False).removesuffix("\n").split("\n")
    table = [] if table == [""] else table
    return "\n".join(lines[:begin] + table + lines[end - 1:])


def _stale_results(lb: Path, outputs: dict[str, str]) -> list[Path]:
    folder = lb / RESULTS
    if not folder.is_dir() or folder.is_symlink():
        return []
    return [p for p in sorted(folder.iterdir()) if p.suffix == ".json" and f"{RESULTS}/{p.name}" not in outputs]


def _target(rel: str) -> str:
    """An output's path relative to the repository root."""
    return "README.md" if rel == PROJECT_README else f"{LEADERBOARD}/{rel}"


def _changes(root: Path, outputs: dict[str, str]) -> dict[str, bytes | None]:
    lb = root / LEADERBOARD
    changes: dict[str, bytes | None] = {f"{LEADERBOARD}/{RESULTS}/{p.name}": None for p in _stale_results(lb, outputs)}
    for rel, content in outputs.items():
        data = content.encode("utf-8")
        if differs(root / _target(rel), data):
            changes[_target(rel)] = data
    return changes


def _described(changes: dict[str, bytes | None]) -> list[str]:
    return [f"{rel} (removed)" if data is None else rel for rel, data in changes.items()]


def tree_problems(root: Path, slugs: list[str] | None = None) -> list[str]:
    """Symbolic links anywhere under ``leaderboard/`` and, given the submissions' ``slugs``,
    every file or folder that is not one of the leaderboard's (a stray)."""
    lb = root / LEADERBOARD
    if lb.is_symlink():
        return [f"{LEADERBOARD}: a symbolic link (the leaderboard is a folder of regular files)"]
    if not lb.is_dir():
        return []
    expected_files = {"README.md", "index.html", LOCK}
    expected_dirs = {RESULTS, "submissions"}
    for slug in slugs or []:
        expected_files |= {f"{RESULTS}/{slug}.json", f"submissions/{slug}/{META_FILE}", f"submissions/{slug}/{PREDICTIONS_FILE}"}
        expected_dirs.add(f"submissions/{slug}")
    problems = []
    for folder, dirs, files in os.walk(lb):
        here = Path(folder)
        for name in sorted(dirs + files):
            path = here / name
            rel = path.relative_to(lb).as_posix()
            if rel == JOURNAL or rel.startswith(JOURNAL + "/"):
                continue  # reported by `pending`
            if path.is_symlink():
                problems.append(f"{LEADERBOARD}/{rel}: a symbolic link (the leaderboard holds regular files only)")
            elif slugs is not None and name in dirs and rel not in expected_dirs:
                problems.append(f"{LEADERBOARD}/{rel}/: a stray folder (not a submission nor generated)")
            elif slugs is not None and name in files and (rel not in expected_files or not path.is_file()) \
                    and not (here == lb / RESULTS and name.endswith(".json") and path.is_file()):  # a stale result
                problems.append(f"{LEADERBOARD}/{rel}: a stray file (not part of a submission nor generated)")
        dirs[:] = [d for d in dirs if not (here / d).is_symlink() and (here / d).relative_to(lb).as_posix() != JOURNAL]
    return problems


def _refuse_links(root: Path) -> None:
    links = tree_problems(root)
    if links:
        raise IsnadError(links[0].split(": ", 1)[1] + ": refusing to write through it",
                         file=str(root / links[0].split(": ", 1)[0]))


@contextmanager
def _writing(root: Path):
    """The leaderboard's lock held, an interrupted run finished or cleared, no link in the way;
    yields the notes of what was recovered."""
    with lock(root / LEADERBOARD, "the leaderboard"):
        _refuse_links(root)
        done = recover(root, root / LEADERBOARD / JOURNAL, ALLOWED)
        yield [f"{LEADERBOARD}/ ({done})"] if done else []


def build(root: Path, gold: Gold | None = None) -> list[str]:
    """Regenerate results, README.md and index.html from ``leaderboard/submissions`` (and the
    table between the ``generated:leaderboard`` marks of the repository README), all or
    nothing; returns what changed."""
    with _writing(root) as notes:
        outputs = build_outputs(root / LEADERBOARD, gold)  # read from the real files: errors name them
        changes = _changes(root, outputs)
        commit(root, root / LEADERBOARD / JOURNAL, changes, ALLOWED)
    return notes + _described(changes)


def _stored_meta(lb: Path, slugs: list[str]) -> dict[str, SubmissionMeta]:
    return {slug: read_meta(lb / "submissions" / slug / META_FILE) for slug in slugs}


def check(root: Path, gold: Gold | None = None, baselines: Collection[str] = ()) -> list[str]:
    """Problems, each naming a file: what is committed differs from what would be generated,
    a file that is not the leaderboard's, a link, a left-over journal, a README mark, a name
    that reads like another's, an entry marked baseline that is not one of ``baselines``
    (when given)."""
    lb = root / LEADERBOARD
    with _reading(lb):
        journal = pending(lb / JOURNAL)
        if journal:
            return [f"{LEADERBOARD}/{JOURNAL}: {journal}"]
        problems = tree_problems(root, _slugs(lb, strict=False) if lb.is_dir() and not lb.is_symlink() else None)
        if any("symbolic link" in p for p in problems):
            return problems  # nothing is read through a link
        try:
            outputs = build_outputs(lb, gold, use_cache=False, strict=False)  # strays are reported above
        except IsnadError as exc:
            if exc.file != str(root / "README.md"):
                raise
            return [f"README.md:{exc.line}: {exc.message}" if exc.line else f"README.md: {exc.message}"]
        problems += [f"{LEADERBOARD}/{RESULTS}/{p.name}: no such submission (stale result)" for p in _stale_results(lb, outputs)]
        for rel, content in outputs.items():
            path = root / _target(rel)
            name = "README.md (its leaderboard table)" if rel == PROJECT_README else f"{LEADERBOARD}/{rel}"
            if not path.is_file():
                problems.append(f"{name}: missing (run `isnad leaderboard build`)")
            elif differs(path, content.encode("utf-8")):
                problems.append(f"{name}: differs from what the submissions generate (run `isnad leaderboard build`)")
        stored = _stored_meta(lb, _slugs(lb, strict=False))
        for slug, meta in stored.items():
            path = lb / "submissions" / slug / META_FILE
            if differs(path, dump_meta(meta).encode("utf-8")):
                problems.append(f"{LEADERBOARD}/submissions/{slug}/{META_FILE}: not as `isnad submit` writes it "
                                "(edited by hand? submit again with --replace)")
        problems += _name_clashes(stored, baselines)
    return problems


@contextmanager
def _reading(lb: Path):
    """Hold the lock while checking, when it can be had (a read-only checkout cannot take it)."""
    with ExitStack() as stack:
        try:
            if lb.is_dir() and not lb.is_symlink():  # a link is reported, never locked through
                stack.enter_context(lock(lb, "the leaderboard"))
        except OSError:
            pass
        yield


def _false_baseline(slug: str, meta: SubmissionMeta, baselines: Collection[str]) -> bool:
    """An entry marked baseline that is not one of the project's ``baselines`` (when given)."""
    return bool(meta.baseline and baselines and slug not in baselines)


def _name_clashes(metas: dict[str, SubmissionMeta], baselines: Collection[str]) -> list[str]:
    out = []
    items = sorted(metas.items())
    for i, (slug, meta) in enumerate(items):
        if _false_baseline(slug, meta, baselines):
            out.append(f"{LEADERBOARD}/submissions/{slug}/{META_FILE}: marked baseline, but not one of the "
                       f"project's baselines ({', '.join(sorted(baselines))})")
        other = names.first_alike(meta.name, [(s, m.name) for s, m in items[:i]])
        if other:
            out.append(f"{LEADERBOARD}/submissions/{slug}/{META_FILE}: name {meta.name!r} reads like that of "
                       f"{other[0]} ({other[1]!r})")
        if not meta.baseline and names.uses_reserved_word(meta.name):
            out.append(f"{LEADERBOARD}/submissions/{slug}/{META_FILE}: name {meta.name!r} uses the word "
                       f"{names.BASELINE_WORD!r}, reserved for the project's baselines")
    return out


def submit(root: Path, predictions: Path, meta: SubmissionMeta, *, replace: bool = False,
           gold: Gold | None = None, baselines: Collection[str] = ()) -> str:
    """Validate and score ``predictions``, add it as a submission and rebuild; returns the slug.
    Nothing is written when any step fails. ``baselines`` are the project's baselines' names:
    reserved for entries marked baseline, and the only names such an entry may have."""
    return submit_many(root, [(predictions, meta)], replace=replace, gold=gold, baselines=baselines)[0]


def _check_names(incoming: dict[str, tuple[SubmissionMeta, Path]], stored: dict[str, SubmissionMeta],
                 baselines: Collection[str]) -> None:
    """Refuse a name that reads like another entry's, or passes for a baseline: only the
    ``baselines`` are marked baseline (when given), and no other entry takes a baseline's
    place, not even with ``replace``."""
    held = set(baselines) | {s for s, m in stored.items() if m.baseline}
    for slug, (meta, _) in incoming.items():
        if _false_baseline(slug, meta, baselines):
            raise IsnadError(f"only the project's baselines ({', '.join(sorted(baselines))}) are marked baseline",
                             field="baseline")
        if not meta.baseline and names.uses_reserved_word(meta.name):
            raise IsnadError(f"the word {names.BASELINE_WORD!r} is reserved for the project's baselines; "
                             "choose a name without it", field="name")
        if not meta.baseline and slug in held:
            raise IsnadError(f"{slug!r} is a baseline's entry: a submission cannot replace it; choose another name",
                             field="name")
        others = [(s, m.name) for s, m in stored.items() if s not in incoming] + [(b, b) for b in baselines] + \
            [(s, m.name) for s, (m, _) in incoming.items()]
        alike = names.first_alike(meta.name, [(s, n) for s, n in others if s != slug])
        if alike:
            raise IsnadError(f"{meta.name!r} reads like the name of the entry {alike[0]!r} ({alike[1]!r}); "
                             "choose a name that reads differently", field="name")


def submit_many(root: Path, items: list[tuple[Path, SubmissionMeta]], *, replace: bool = False,
                gold: Gold | None = None, baselines: Collection[str] = ()) -> list[str]:
    """:func:`submit` for several submissions at once, with a single rebuild (all or nothing)."""
    from .. import predictions as preds
    from ..safeio import read_bytes

    gold = gold or load_gold()
    with _writing(root):
        lb = root / LEADERBOARD
        incoming: dict[str, tuple[SubmissionMeta, Path]] = {}
        for predictions, meta in items:
            slug = slugify(meta.name)
            if slug in incoming:
                raise IsnadError(f"two submissions share the slug {slug!r}", field="name")
            check_size(predictions)
            incoming[slug] = (meta, predictions)
        _check_names(incoming, _stored_meta(lb, _slugs(lb)), baselines)
        for slug in incoming:
            if submission_dir(root, slug).exists() and not replace:
                raise IsnadError(f"submission {slug!r} exists (use --replace to overwrite it)", field="name")
        raw = {slug: read_bytes(path, preds.MAX_FILE_BYTES, preds.WHAT)
               for slug, (_, path) in incoming.items()}
        outputs = build_outputs(lb, gold, incoming=incoming)
        for slug, (_, path) in incoming.items():
            scored = json.loads(outputs[f"{RESULTS}/{slug}.json"])["predictions_sha256"]
            if scored != hashlib.sha256(raw[slug]).hexdigest():
                raise IsnadError("changed while it was being submitted: what is stored must be what was scored",
                                 file=str(path))
        changes: dict[str, bytes | None] = {}
        for slug, (meta, _) in incoming.items():
            changes[f"{LEADERBOARD}/submissions/{slug}/{META_FILE}"] = dump_meta(meta).encode("utf-8")
            changes[f"{LEADERBOARD}/submissions/{slug}/{PREDICTIONS_FILE}"] = raw[slug]
        changes.update(_changes(root, outputs))
        commit(root, lb / JOURNAL, changes, ALLOWED)
    return list(incoming)
