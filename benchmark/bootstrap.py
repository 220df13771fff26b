"""Bootstrap over gold sentences: resample items, re-sum their statistics, recompute figures.

The resamples come from ``random.Random(seed)`` (so they are the same with or without
numpy); sums use numpy when it is installed. Intervals are percentile intervals with
linear interpolation (numpy's default method), computed here so both paths agree.
"""

from __future__ import annotations

import math
import random
from typing import Any

from .metrics import Figure, Stats

DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 12345


def resamples(n_items: int, n: int, seed: int) -> list[list[int]]:
    """``n`` bootstrap samples of item indices (each of size ``n_items``, with replacement)."""
    rng = random.Random(seed)
    population = range(n_items)
    return [rng.choices(population, k=n_items) for _ in range(n)]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) with linear interpolation between order statistics."""
    xs = sorted(values)
    if not xs:
        return 0.0
    h = (len(xs) - 1) * q / 100.0
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return float(xs[lo] + (h - lo) * (xs[hi] - xs[lo]))


def resampled_totals(stats: Stats, samples: list[list[int]]) -> dict[str, Any]:
    """Column totals under every resample: key → sequence of length len(samples)."""
    keys = list(stats.cols)
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is usually there
        out: dict[str, Any] = {k: [] for k in keys}
        for sample in samples:
            for k in keys:
                col = stats.cols[k]
                out[k].append(sum(col[i] for i in sample))
        return out
    counts = np.zeros((len(samples), stats.n))
    for b, sample in enumerate(samples):
        counts[b] = np.bincount(sample, minlength=stats.n)
    matrix = np.array([stats.cols[k] for k in keys], dtype=float).T  # items × columns
    sums = counts @ matrix
    return {k: sums[:, c] for c, k in enumerate(keys)}


def _as_list(x: Any, n: int) -> list[float]:
    if isinstance(x, (int, float)):
        return [float(x)] * n
    return [float(v) for v in x]


def figure_samples(figure: Figure, totals: dict[str, Any], n: int) -> tuple[list[float], list[float], list[float]]:
    """Precision, recall and F1 under every resample."""
    if totals and not isinstance(next(iter(totals.values())), list):
        p, r, f = figure.compute(totals)
        return _as_list(p, n), _as_list(r, n), _as_list(f, n)
    ps, rs, fs = [], [], []
    for b in range(n):
        p, r, f = figure.compute({k: v[b] for k, v in totals.items()})
        ps.append(p)
        rs.append(r)
        fs.append(f)
    return ps, rs, fs


def intervals(stats: Stats, figs: dict[str, Figure], n: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
              level: float = 95.0) -> dict[str, dict[str, list[float]]]:
    """``{figure: {"precision": [lo, hi], "recall": [...], "f1": [...]}}`` percentile intervals."""
    samples = resamples(stats.n, n, seed)
    totals = resampled_totals(stats, samples)
    a = (100.0 - level) / 2
    out = {}
    for name, fig in figs.items():
        p, r, f = figure_samples(fig, totals, n)
        out[name] = {k: [percentile(v, a), percentile(v, 100 - a)] for k, v in
                     (("precision", p), ("recall", r), ("f1", f))}
    return out


def paired(stats_a: Stats, stats_b: Stats, figs: dict[str, Figure], n: int = DEFAULT_RESAMPLES,
           seed: int = DEFAULT_SEED, level: float = 95.0) -> dict[str, dict[str, dict[str, float | list[float]]]]:
    """Paired bootstrap of A − B on the same resamples: for each figure and component the
    observed difference, its percentile interval and a two-sided p-value
    ``min(1, 2·min(#(d ≤ 0) + 1, #(d ≥ 0) + 1) / (n + 1))`` for the null of no difference."""
    if stats_a.n != stats_b.n:
        raise ValueError("the two runs are not over the same gold")
    samples = resamples(stats_a.n, n, seed)
    ta, tb = resampled_totals(stats_a, samples), resampled_totals(stats_b, samples)
    full_a, full_b = stats_a.totals(), stats_b.totals()
    a = (100.0 - level) / 2
    out = {}
    for name, fig in figs.items():
        obs = [x - y for x, y in zip(fig.compute(full_a), fig.compute(full_b))]
        sa, sb = figure_samples(fig, ta, n), figure_samples(fig, tb, n)
        comp = {}
        for k, o, xa, xb in zip(("precision", "recall", "f1"), obs, sa, sb):
            d = [x - y for x, y in zip(xa, xb)]
            le = sum(1 for v in d if v <= 0)
            ge = sum(1 for v in d if v >= 0)
            p = min(1.0, 2 * min(le + 1, ge + 1) / (n + 1))
            comp[k] = {"difference": float(o), "ci": [percentile(d, a), percentile(d, 100 - a)], "p_value": p}
        out[name] = comp
    return out
