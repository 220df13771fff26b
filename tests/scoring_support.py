"""Shared helpers of the scoring tests (random predictions drawn around the gold)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import strategies as st

from benchmark import load_gold
from benchmark.schema import LABELS, QUOTE_TYPES

GOLD = load_gold()
DOC = GOLD.documents[0]
N = len(DOC.text)


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                    encoding="utf-8")
    return path


@st.composite
def shifted(draw, start: int, end: int, max_shift: int = 6) -> tuple[int, int]:
    """A span near [start, end): each boundary kept or moved a little, kept valid."""
    s = start + draw(st.sampled_from([0, 0, 0, draw(st.integers(-max_shift, max_shift))]))
    e = end + draw(st.sampled_from([0, 0, 0, draw(st.integers(-max_shift, max_shift))]))
    s = min(max(0, s), N - 1)
    e = min(max(s + 1, e), N)
    return s, e


@st.composite
def random_spans(draw, gold: list[tuple[int, int, str]], labels=LABELS, spurious: int = 8) -> list[tuple[int, int, str]]:
    """Predictions around gold spans: kept, shifted, relabelled, dropped, plus spurious ones."""
    out = []
    for s, e, lab in gold:
        action = draw(st.sampled_from(["keep", "shift", "label", "drop", "both"]))
        if action == "drop":
            continue
        if action in ("shift", "both"):
            s, e = draw(shifted(s, e))
        if action in ("label", "both"):
            lab = draw(st.sampled_from(labels))
        out.append((s, e, lab))
    for _ in range(draw(st.integers(0, spurious))):
        s = draw(st.integers(0, N - 2))
        e = draw(st.integers(s + 1, min(N, s + 30)))
        out.append((s, e, draw(st.sampled_from(labels))))
    return draw(st.permutations(out))


def gold_entities() -> list[tuple[int, int, str]]:
    return [(m.start, m.end, m.label.value) for m in DOC.entities]


def gold_quotes() -> list[tuple[int, int, str]]:
    return [(q.start, q.end, q.type.value) for q in DOC.quotes]


QUOTE_LABELS = QUOTE_TYPES
