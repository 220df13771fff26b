"""The bootstrap over gold sentences: resample the items with replacement, re-sum their
statistics (:class:`ItemStats`), recompute every headline figure. Percentile intervals with
linear interpolation; resamples drawn by numpy's PCG64 from the seed, the same for every
system scored with that seed (a paired comparison uses them on both sides)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 12345
_BLOCK = 4_000_000  # resample counts held at once (items × resamples)


@dataclass(frozen=True)
class ItemStats:
    """Per gold sentence, the four sums of each headline figure:
    ``values[item, figure] = (hit_p, predicted, hit_r, gold)`` (a numpy array)."""

    figures: tuple[str, ...]
    values: Any


def _counts(n_items: int, n: int, seed: int) -> Iterator[Any]:
    """How many times each item is drawn, resample by resample, in blocks (resamples × items)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    step = max(1, _BLOCK // max(1, n_items))
    for first in range(0, n, step):
        rows = min(step, n - first)
        draws = rng.integers(0, n_items, size=(rows, n_items)) + n_items * np.arange(rows)[:, None]
        yield np.bincount(draws.ravel(), minlength=rows * n_items).reshape(rows, n_items)


def resampled(items: ItemStats, n: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> Any:
    """Precision, recall and F1 of every figure under every resample: shape (n, figures, 3)."""
    import numpy as np

    n_items, n_figs = items.values.shape[:2]
    flat = items.values.reshape(n_items, n_figs * 4)
    sums = np.concatenate([c @ flat for c in _counts(n_items, n, seed)]).reshape(n, n_figs, 4)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(sums[..., 1] > 0, sums[..., 0] / sums[..., 1], 0.0)
        r = np.where(sums[..., 3] > 0, sums[..., 2] / sums[..., 3], 0.0)
        f = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
    return np.stack([p, r, f], axis=-1)


def _interval(values: Any, level: float) -> list[float]:
    import numpy as np

    a = (100.0 - level) / 2
    return [float(x) for x in np.percentile(values, [a, 100 - a], method="linear")]


def intervals(items: ItemStats, n: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
              level: float = 95.0) -> dict[str, dict[str, list[float]]]:
    """``{figure: {"precision": [lo, hi], "recall": [...], "f1": [...]}}`` percentile intervals."""
    samples = resampled(items, n, seed)
    return {name: {k: _interval(samples[:, f, c], level) for c, k in enumerate(("precision", "recall", "f1"))}
            for f, name in enumerate(items.figures)}


def paired_difference(observed_a: tuple, observed_b: tuple, samples_a: Any, samples_b: Any,
                      level: float = 95.0) -> dict[str, dict[str, Any]]:
    """One figure of A − B: per component the observed difference, the percentile interval of
    the resampled differences and a two-sided p-value for the null of no difference,
    ``min(1, 2·min(#(d ≤ 0) + 1, #(d ≥ 0) + 1) / (n + 1))``. ``samples_*``: (n, 3) arrays."""
    d = samples_a - samples_b
    n = len(d)
    out = {}
    for c, k in enumerate(("precision", "recall", "f1")):
        le, ge = int((d[:, c] <= 0).sum()), int((d[:, c] >= 0).sum())
        out[k] = {"difference": float(observed_a[c] - observed_b[c]), "ci": _interval(d[:, c], level),
                  "p_value": min(1.0, 2 * min(le + 1, ge + 1) / (n + 1))}
    return out


def paired(items_a: ItemStats, items_b: ItemStats, observed_a: dict[str, tuple], observed_b: dict[str, tuple],
           n: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED, level: float = 95.0) -> dict[str, dict]:
    """Paired bootstrap of A against B on the same resamples, for every figure (observed:
    figure → (P, R, F1) of each run)."""
    if items_a.values.shape != items_b.values.shape:
        raise ValueError("the two runs are not over the same gold")
    sa, sb = resampled(items_a, n, seed), resampled(items_b, n, seed)
    return {name: paired_difference(observed_a[name], observed_b[name], sa[:, f], sb[:, f], level)
            for f, name in enumerate(items_a.figures)}
