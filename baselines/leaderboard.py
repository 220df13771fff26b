"""Putting the baselines on the leaderboard: each one, on both tracks, as ordinary submissions."""

from __future__ import annotations

import datetime
import json
import tempfile
from pathlib import Path

from benchmark.gold import Gold, load_gold
from benchmark.leaderboard import SubmissionMeta, submit_many
from benchmark.leaderboard.submission import META_FILE, SUBMISSIONS, read_meta

from .registry import get_baseline, leaderboard_description, list_baselines
from .run import TRACKS, predict_gold


def _slug(name: str, track: str) -> str:
    return name if track == "end-to-end" else f"{name}-{track}"


def baseline_slugs() -> list[str]:
    """The leaderboard entries of the project's baselines (each on both tracks): the only
    entries marked baseline, and names no submission may take."""
    return [_slug(name, track) for name, _ in list_baselines() for track in TRACKS]


def run_baselines(root: Path, names: list[str] | None = None, gold: Gold | None = None) -> list[str]:
    """Predict with each baseline on both tracks and submit all of them in one rebuild.
    A submission's date is kept when it exists already, so reruns are byte-identical."""
    gold = gold or load_gold()
    names = names or [n for n, _ in list_baselines()]
    items = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            extractor = get_baseline(name)
            for track in TRACKS:
                slug = _slug(name, track)
                existing = root / SUBMISSIONS / slug / META_FILE
                date = read_meta(existing).date if existing.is_file() else datetime.date.today()
                path = Path(tmp) / f"{slug}.jsonl"
                rows = predict_gold(extractor, gold, track)
                path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
                meta = SubmissionMeta(name=slug, authors=["isnad-bench developers"], track=track, date=date,
                                      baseline=True, description=leaderboard_description(name))
                items.append((path, meta))
        return submit_many(root, items, replace=True, gold=gold, baselines=baseline_slugs())
