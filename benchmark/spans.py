"""The one span convention of the project (half-open ``[start, end)`` code-point offsets) and
the one matching rule built on it: one to one, best pairs first."""

from __future__ import annotations

from bisect import bisect_left
from typing import Callable, Iterable, Protocol, Sequence


class HasSpan(Protocol):
    start: int
    end: int


def first_overlap(spans: list[HasSpan]) -> tuple[HasSpan, HasSpan] | None:
    """The first pair of overlapping spans in start order, or None when all are disjoint."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    for prev, cur in zip(ordered, ordered[1:]):
        if cur.start < prev.end:
            return prev, cur
    return None


Pair = tuple[int, int]  # (gold index, prediction index)


def overlapping_pairs(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int | None, int | None] | None]) -> list[Pair]:
    """Every ``(i, j)`` whose spans ``gold[i]`` and ``pred[j]`` (``(start, end)``; None or a
    None start: not placed, pairs with nothing) share a character. A sweep (predictions by
    start, with a running maximum of ends) costs the output plus O((n + m) log m), not n × m."""
    keyed = sorted((p[0], p[1], j) for j, p in enumerate(pred) if p is not None and p[0] is not None)
    starts = [k[0] for k in keyed]
    max_end, m = [], -1
    for _, e, _ in keyed:
        m = max(m, e)
        max_end.append(m)
    out = []
    for i, (gs, ge) in enumerate(gold):
        k = bisect_left(starts, ge) - 1
        while k >= 0 and max_end[k] > gs:
            if keyed[k][1] > gs:
                out.append((i, keyed[k][2]))
            k -= 1
    return out


def rank(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]], pairs: Iterable[Pair],
         tiebreak: Callable[[int, int], tuple] | None = None) -> list[Pair]:
    """``pairs`` best first: descending character Jaccard, ties by gold start, prediction
    start, gold end, prediction end, then ``tiebreak(i, j)`` (smaller first), then the
    indices (a total order, whatever the input order)."""
    def key(ij: Pair) -> tuple:
        (gs, ge), (ps, pe) = gold[ij[0]], pred[ij[1]]
        inter = min(ge, pe) - max(gs, ps)
        return -inter / (ge - gs + pe - ps - inter), gs, ps, ge, pe, tiebreak(*ij) if tiebreak else (), ij

    return sorted(pairs, key=key)


def one_to_one(ranked: Iterable[tuple]) -> list[tuple]:
    """Walk the pairs (``(gold index, prediction index, ...)``) in order, keeping each whose
    gold and prediction are both still free."""
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for p in ranked:
        if p[0] not in used_g and p[1] not in used_p:
            used_g.add(p[0])
            used_p.add(p[1])
            out.append(p)
    return out


def greedy_overlap_matching(gold: Sequence[HasSpan], pred: Sequence[HasSpan]) -> list[Pair]:
    """One-to-one matching of overlapping spans, best pairs first (:func:`rank`).

    >>> from benchmark.text import Segment as S
    >>> greedy_overlap_matching([S(0, 10), S(10, 20)], [S(5, 15)])
    [(0, 0)]
    """
    g, p = [(s.start, s.end) for s in gold], [(s.start, s.end) for s in pred]
    return one_to_one(rank(g, p, overlapping_pairs(g, p)))
