"""Build, check and submit: every number on the leaderboard is recomputed from predictions."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import IsnadError
from ..gold import Gold, load_gold
from ..scoring import Scoring
from .submission import (META_FILE, PREDICTIONS_FILE, SubmissionMeta, Track, check_size, dump_meta,
                         read_meta, slugify, submission_dir)

LEADERBOARD = "leaderboard"
RESULTS = "results"
RESAMPLES = 1000
SEED = 12345
PROJECT_README = "../README.md"  # the repository README's table, refreshed in place
PRIMARY = "attribution.end_to_end"  # what ranks the entries of a track
SIGNIFICANCE = 0.05


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
    from ..predictions import read_predictions
    from ..scoring import align, build_report
    from .view import system_view

    folder = lb / "submissions" / slug
    meta, pred_path = given if given else (read_meta(folder / META_FILE), folder / PREDICTIONS_FILE)
    check_size(pred_path)
    raw = pred_path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    scoring = align(read_predictions(pred_path, gold), gold)
    result = None
    if cached is not None and cached.get("predictions_sha256") == sha and cached.get("signature") == _expected_signature(gold):
        # Only the bootstrap intervals are taken from the stored result, and only when every
        # other number in it equals a fresh computation: an edited score is never kept.
        fresh = build_report(scoring, 0, SEED).to_dict()
        if _without_ci(cached) == _without_ci({**fresh, "signature": cached["signature"], "predictions_sha256": sha}):
            result = cached
    if result is None:
        result = {**build_report(scoring, RESAMPLES, SEED).to_dict(), "predictions_sha256": sha}
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


def _slugs(lb: Path) -> list[str]:
    base = lb / "submissions"
    if not base.is_dir():
        return []
    out = []
    for p in sorted(base.iterdir()):
        if p.name.startswith("."):
            continue
        if not p.is_dir() or p.is_symlink():
            raise IsnadError("not a submission folder", file=str(p))
        submission_dir(lb.parent, p.name)  # refuses a folder name that is not a slug
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
            incoming: dict[str, tuple[SubmissionMeta, Path]] | None = None) -> list[Entry]:
    """Score every submission under ``lb/submissions``, plus ``incoming`` ones (slug → meta
    and predictions file, replacing a stored one of the same slug), and rank them. With
    ``use_cache`` a stored result's intervals are reused when everything else in it checks."""
    incoming = incoming or {}
    out = []
    for slug in sorted(set(_slugs(lb)) | set(incoming)):
        cached = None
        res = lb / RESULTS / f"{slug}.json"
        if use_cache and res.is_file():
            try:
                cached = json.loads(res.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                cached = None
        out.append(_score(lb, slug, gold, cached, incoming.get(slug)))
    _rank(out)
    return out


def build_outputs(lb: Path, gold: Gold | None = None, use_cache: bool = True,
                  incoming: dict[str, tuple[SubmissionMeta, Path]] | None = None) -> dict[str, str]:
    """Every generated file of the leaderboard folder ``lb``, as ``{path relative to lb: text}``."""
    from .render import render_html, render_markdown

    gold = gold or load_gold()
    ents = entries(lb, gold, use_cache, incoming)
    out = {f"{RESULTS}/{e.slug}.json": json.dumps(e.result, ensure_ascii=False, indent=2) + "\n" for e in ents}
    out["README.md"] = render_markdown(ents, gold)
    out["index.html"] = render_html(ents, gold)
    project_readme = _project_readme(lb.parent / "README.md", ents)
    if project_readme is not None:
        out[PROJECT_README] = project_readme
    return out


def _project_readme(path: Path, ents: list[Entry]) -> str | None:
    """The repository README with its generated leaderboard table refreshed (None if it has none)."""
    from .render import render_tables

    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    begin, end = "<!-- generated:leaderboard -->\n", "<!-- /generated:leaderboard -->"
    if begin not in text or end not in text:
        return None
    head, rest = text.split(begin, 1)
    return head + begin + render_tables(ents, heading_level=3) + rest[rest.index(end):]


def _stale_results(lb: Path, outputs: dict[str, str]) -> list[Path]:
    folder = lb / RESULTS
    return [p for p in sorted(folder.glob("*.json")) if f"{RESULTS}/{p.name}" not in outputs] if folder.is_dir() else []


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    with open(path, "wb") as fh:
        fh.write(data)


def _swap_in(root: Path, prepare) -> list[str]:
    """Copy ``leaderboard/`` to a staging folder, let ``prepare(staging)`` change it, then
    swap it in with two renames. Any failure before the swap leaves ``leaderboard/`` as it was."""
    lb = root / LEADERBOARD
    staging = root / f".{LEADERBOARD}.staging-{os.getpid()}"
    old = root / f".{LEADERBOARD}.old-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        if lb.is_dir():
            shutil.copytree(lb, staging, symlinks=True)
        else:
            staging.mkdir()
        changed = prepare(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if lb.is_dir():
        os.rename(lb, old)
    os.rename(staging, lb)
    shutil.rmtree(old, ignore_errors=True)
    return changed


def _regenerate(staging: Path, outputs: dict[str, str]) -> list[str]:
    changed = []
    for p in _stale_results(staging, outputs):
        p.unlink()
        changed.append(f"{LEADERBOARD}/{RESULTS}/{p.name} (removed)")
    for rel, content in outputs.items():
        if rel == PROJECT_README:
            continue  # outside leaderboard/: written by _refresh_project_readme after the swap
        path = staging / rel
        if path.is_file() and path.read_text(encoding="utf-8") == content:
            continue
        _write(path, content)
        changed.append(f"{LEADERBOARD}/{rel}")
    return changed


def _refresh_project_readme(root: Path, outputs: dict[str, str]) -> list[str]:
    content = outputs.get(PROJECT_README)
    path = root / "README.md"
    if content is None or path.read_text(encoding="utf-8") == content:
        return []
    tmp = path.with_name(f".README.md.{os.getpid()}")
    _write(tmp, content)
    os.replace(tmp, path)
    return ["README.md"]


def build(root: Path, gold: Gold | None = None) -> list[str]:
    """Regenerate results, README.md and index.html from ``leaderboard/submissions`` (and the
    table between the ``generated:leaderboard`` marks of the repository README)."""
    outputs = build_outputs(root / LEADERBOARD, gold)  # read from the real files: errors name them
    changed = _swap_in(root, lambda staging: _regenerate(staging, outputs))
    return changed + _refresh_project_readme(root, outputs)


def check(root: Path, gold: Gold | None = None) -> list[str]:
    """Problems, each naming a file: what is committed differs from what would be generated."""
    lb = root / LEADERBOARD
    outputs = build_outputs(lb, gold, use_cache=False)
    problems = [f"{LEADERBOARD}/{RESULTS}/{p.name}: no such submission (stale result)" for p in _stale_results(lb, outputs)]
    for rel, content in outputs.items():
        path = lb / rel
        name = "README.md (its leaderboard table)" if rel == PROJECT_README else f"{LEADERBOARD}/{rel}"
        if not path.is_file():
            problems.append(f"{name}: missing (run `isnad leaderboard build`)")
        elif path.read_text(encoding="utf-8") != content:
            problems.append(f"{name}: differs from what the submissions generate (run `isnad leaderboard build`)")
    return problems


def submit(root: Path, predictions: Path, meta: SubmissionMeta, *, replace: bool = False,
           gold: Gold | None = None) -> str:
    """Validate and score ``predictions``, add it as a submission and rebuild; returns the slug.
    Nothing is written when any step fails."""
    return submit_many(root, [(predictions, meta)], replace=replace, gold=gold)[0]


def submit_many(root: Path, items: list[tuple[Path, SubmissionMeta]], *, replace: bool = False,
                gold: Gold | None = None) -> list[str]:
    """:func:`submit` for several submissions at once, with a single rebuild (all or nothing)."""
    gold = gold or load_gold()
    incoming: dict[str, tuple[SubmissionMeta, Path]] = {}
    for predictions, meta in items:
        slug = slugify(meta.name)
        if slug in incoming:
            raise IsnadError(f"two submissions share the slug {slug!r}", field="name")
        if submission_dir(root, slug).exists() and not replace:
            raise IsnadError(f"submission {slug!r} exists (use --replace to overwrite it)", field="name")
        check_size(predictions)
        incoming[slug] = (meta, predictions)
    raw = {slug: path.read_bytes() for slug, (_, path) in incoming.items()}
    outputs = build_outputs(root / LEADERBOARD, gold, incoming=incoming)

    def prepare(staging: Path) -> list[str]:
        for slug, (meta, _) in incoming.items():
            folder = staging / "submissions" / slug
            shutil.rmtree(folder, ignore_errors=True)
            _write(folder / META_FILE, dump_meta(meta))
            _write(folder / PREDICTIONS_FILE, raw[slug])
        return _regenerate(staging, outputs)

    _swap_in(root, prepare)
    _refresh_project_readme(root, outputs)
    return list(incoming)
