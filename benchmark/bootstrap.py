"""Bootstrap over gold sentences: resample items, re-sum their statistics, recompute figures.

The resamples come from ``random.Random(seed)`` (so they are the same with or without
numpy); sums use numpy when it is already loaded or the job is large (resamples × items
above NUMPY_THRESHOLD), plain Python otherwise (cheaper than importing numpy cold). Intervals are percentile intervals with
linear interpolation (numpy's default method), computed here so both paths agree.
"""

from __future__ import annotations

import math
import operator
import random
import sys
from functools import lru_cache
from typing import Any, Iterable, Sequence

from .metrics import Figure, Stats

DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 12345


def resamples(n_items: int, n: int, seed: int) -> list[list[int]]:
    """``n`` bootstrap samples of item indices (each of size ``n_items``, with replacement)."""
    rng = random.Random(seed)
    population = range(n_items)
    return [rng.choices(population, k=n_items) for _ in range(n)]


def _count(sample: list[int], n_items: int) -> list[int]:
    cnt = [0] * n_items
    for i in sample:
        cnt[i] += 1
    return cnt


CACHED_COUNTS = 2_000_000  # items × resamples up to which the resample counts are kept for reuse


@lru_cache(maxsize=8)
def _shared_counts(n_items: int, n: int, seed: int) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(_count(s, n_items)) for s in resamples(n_items, n, seed))


def resample_counts(n_items: int, n: int, seed: int) -> Iterable[Sequence[int]]:
    """How many times each item is drawn, per resample of :func:`resamples`. Small ones are
    computed once per (n_items, n, seed) and shared: a leaderboard bootstraps every entry on
    the same resamples. Large ones are produced one at a time (they would not fit)."""
    if n_items * n <= CACHED_COUNTS:
        return _shared_counts(n_items, n, seed)
    return (_count(s, n_items) for s in resamples(n_items, n, seed))


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) with linear interpolation between order statistics."""
    xs = sorted(values)
    if not xs:
        return 0.0
    h = (len(xs) - 1) * q / 100.0
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return float(xs[lo] + (h - lo) * (xs[hi] - xs[lo]))


def _use_numpy(work: int) -> bool:
    # importing numpy (~0.1 s) costs more than a small bootstrap: use it when it is already
    # loaded or the job is big; both paths give the same sums
    if "numpy" in sys.modules and sys.modules["numpy"] is not None:
        return True
    if work < NUMPY_THRESHOLD:
        return False
    try:
        import numpy  # noqa: F401
    except ImportError:  # pragma: no cover
        return False
    return True


NUMPY_THRESHOLD = 200_000  # resamples × items above which numpy is imported


def resampled_totals(stats: Stats, n: int, seed: int, keys: list[str] | None = None) -> dict[str, Any]:
    """Column totals under each of the ``n`` resamples of ``seed``: key → sequence of length n."""
    keys = stats.keys() if keys is None else keys
    zero = [0] * stats.n
    cols = [stats.values(k) or zero for k in keys]
    if _use_numpy(n * stats.n):
        import numpy as np

        matrix = np.zeros((n, stats.n))
        for b, cnt in enumerate(resample_counts(stats.n, n, seed)):
            matrix[b] = cnt
        sums = matrix @ np.array(cols, dtype=float).T
        return {k: sums[:, c] for c, k in enumerate(keys)}
    if stats.n * n <= CACHED_COUNTS:
        # shared resamples: a column equal to one seen before (the gold counts of every
        # submission, or two submissions alike) is not summed again
        return {k: _shared_column_totals(tuple(col), n, seed) for k, col in zip(keys, cols)}
    out: dict[str, Any] = {k: [] for k in keys}
    lists = [out[k] for k in keys]
    mul = operator.mul
    for cnt in resample_counts(stats.n, n, seed):
        for col, acc in zip(cols, lists):
            acc.append(sum(map(mul, cnt, col)))
    return out


@lru_cache(maxsize=4096)
def _shared_column_totals(col: tuple[float, ...], n: int, seed: int) -> list[float]:
    # read-only: the list is shared by every caller with an equal column
    mul = operator.mul
    return [sum(map(mul, cnt, col)) for cnt in _shared_counts(len(col), n, seed)]


def _columns(figs: dict[str, Figure]) -> list[str]:
    return sorted({c for f in figs.values() for c in (f.tp_p, f.n_p, f.tp_r, f.n_r)})


def _as_list(x: Any, n: int) -> list[float]:
    if isinstance(x, (int, float)):
        return [float(x)] * n
    return [float(v) for v in x]


def figure_samples(figure: Figure, totals: dict[str, Any], n: int) -> tuple[list[float], list[float], list[float]]:
    """Precision, recall and F1 under every resample."""
    if totals and not isinstance(next(iter(totals.values())), list):
        p, r, f = figure.compute(totals)
        return _as_list(p, n), _as_list(r, n), _as_list(f, n)
    zero = [0] * n
    cols = [totals.get(k, zero) for k in (figure.tp_p, figure.n_p, figure.tp_r, figure.n_r)]
    ps, rs, fs = [], [], []
    for tpp, npp, tpr, npr in zip(*cols):
        p = tpp / npp if npp else 0.0
        r = tpr / npr if npr else 0.0
        ps.append(p)
        rs.append(r)
        fs.append(2 * p * r / (p + r) if p + r else 0.0)
    return ps, rs, fs


def resampled_figures(stats: Stats, figs: dict[str, Figure], n: int = DEFAULT_RESAMPLES,
                      seed: int = DEFAULT_SEED) -> dict[str, tuple[list[float], list[float], list[float]]]:
    """Precision, recall and F1 of every figure under every resample."""
    totals = resampled_totals(stats, n, seed, _columns(figs))
    return {name: figure_samples(fig, totals, n) for name, fig in figs.items()}


def intervals(stats: Stats, figs: dict[str, Figure], n: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
              level: float = 95.0) -> dict[str, dict[str, list[float]]]:
    """``{figure: {"precision": [lo, hi], "recall": [...], "f1": [...]}}`` percentile intervals."""
    a = (100.0 - level) / 2
    return {name: {k: [percentile(v, a), percentile(v, 100 - a)] for k, v in zip(("precision", "recall", "f1"), prf)}
            for name, prf in resampled_figures(stats, figs, n, seed).items()}


def paired(stats_a: Stats, stats_b: Stats, figs: dict[str, Figure], n: int = DEFAULT_RESAMPLES,
           seed: int = DEFAULT_SEED, level: float = 95.0) -> dict[str, dict[str, dict[str, float | list[float]]]]:
    """Paired bootstrap of A − B on the same resamples: for each figure and component the
    observed difference, its percentile interval and a two-sided p-value
    ``min(1, 2·min(#(d ≤ 0) + 1, #(d ≥ 0) + 1) / (n + 1))`` for the null of no difference."""
    if stats_a.n != stats_b.n:
        raise ValueError("the two runs are not over the same gold")
    full_a, full_b = stats_a.totals(), stats_b.totals()
    ra, rb = resampled_figures(stats_a, figs, n, seed), resampled_figures(stats_b, figs, n, seed)
    return {name: paired_difference(fig.compute(full_a), fig.compute(full_b), ra[name], rb[name], n, level)
            for name, fig in figs.items()}


def paired_difference(obs_a: tuple, obs_b: tuple, resampled_a: tuple, resampled_b: tuple, n: int,
                      level: float = 95.0) -> dict[str, dict[str, float | list[float]]]:
    """:func:`paired` for one figure, from each run's observed (P, R, F) and its values under
    the resamples (:func:`resampled_figures`): a ranking computes those once per entry."""
    a = (100.0 - level) / 2
    comp = {}
    for k, xo, yo, xa, xb in zip(("precision", "recall", "f1"), obs_a, obs_b, resampled_a, resampled_b):
        d = [x - y for x, y in zip(xa, xb)]
        le = sum(1 for v in d if v <= 0)
        ge = sum(1 for v in d if v >= 0)
        p = min(1.0, 2 * min(le + 1, ge + 1) / (n + 1))
        comp[k] = {"difference": float(xo - yo), "ci": [percentile(d, a), percentile(d, 100 - a)], "p_value": p}
    return comp
