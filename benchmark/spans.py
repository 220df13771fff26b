"""The one span convention of the project: half-open ``[start, end)`` code-point offsets."""

from __future__ import annotations

from bisect import bisect_left
from typing import Protocol


class HasSpan(Protocol):
    start: int
    end: int


def overlaps(a: HasSpan, b: HasSpan) -> bool:
    """True when the two half-open spans share at least one character."""
    return a.start < b.end and b.start < a.end


def overlap_length(a: HasSpan, b: HasSpan) -> int:
    """Number of characters the two spans share (0 when disjoint)."""
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def jaccard(a: HasSpan, b: HasSpan) -> float:
    """Character Jaccard index |a ∩ b| / |a ∪ b| of two non-empty spans."""
    inter = overlap_length(a, b)
    union = (a.end - a.start) + (b.end - b.start) - inter
    return inter / union if union else 0.0


def first_overlap(spans: list[HasSpan]) -> tuple[HasSpan, HasSpan] | None:
    """The first pair of overlapping spans in start order, or None when all are disjoint."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    for prev, cur in zip(ordered, ordered[1:]):
        if cur.start < prev.end:
            return prev, cur
    return None



def overlapping_pairs(gold: list[HasSpan], pred: list[HasSpan]) -> list[tuple[int, int]]:
    """Every ``(gold_index, pred_index)`` whose spans share a character.

    A sweep over predictions sorted by start with a running maximum of ends, so the
    cost is the output size plus O((n + m) log m), not n × m."""
    keyed = sorted([(p.start, p.end, j) for j, p in enumerate(pred)])  # by (start, end), then index
    starts = [k[0] for k in keyed]
    max_end: list[int] = []
    m = None
    for _, e, _ in keyed:
        if m is None or e > m:
            m = e
        max_end.append(m)
    out = []
    for i, g in enumerate(gold):
        gs = g.start
        k = bisect_left(starts, g.end) - 1
        while k >= 0 and max_end[k] > gs:
            if keyed[k][1] > gs:
                out.append((i, keyed[k][2]))
            k -= 1
    return out


def greedy_overlap_matching(gold: list[HasSpan], pred: list[HasSpan],
                            pairs: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """One-to-one matching of overlapping spans, greedy in descending character Jaccard,
    ties broken by gold start, then prediction start (then by index, for total order).
    ``pairs``: ``overlapping_pairs(gold, pred)`` when the caller has it already.

    >>> from benchmark.text import Segment as S
    >>> greedy_overlap_matching([S(0, 10), S(10, 20)], [S(5, 15)])
    [(0, 0)]
    """
    ranked = sorted(overlapping_pairs(gold, pred) if pairs is None else pairs,
                    key=lambda ij: (-jaccard(gold[ij[0]], pred[ij[1]]), gold[ij[0]].start,
                                    pred[ij[1]].start, ij[0], ij[1]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for i, j in ranked:
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return pairs
