"""Predictions against the gold: :func:`align` (the alignments and their statistics),
:func:`score` (→ :class:`~benchmark.report.Report`) and :func:`compare` (paired bootstrap)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .bootstrap import DEFAULT_RESAMPLES, DEFAULT_SEED, ItemStats, paired
from .gold import Gold, load_gold
from .grounding import GroundedDocument, ground_document
from .metrics import DocumentAlignment, align as align_document
from .predictions import Predictions, PredictionsInput, read_predictions
from .report import Report, build_report, signature
from .stats import HEADLINE, Stats, corpus_stats, item_tallies


@dataclass
class Scoring:
    """A predictions file against the gold: one alignment per gold document (gold order),
    the statistics of every figure, and the warnings of the reading."""

    gold: Gold
    documents: tuple[DocumentAlignment, ...]
    stats: Stats
    warnings: list[str] = field(default_factory=list)

    @cached_property
    def items(self) -> ItemStats:
        """The headline figures' sums per gold sentence (all documents, in order; a document
        without sentences is one item)."""
        import numpy as np

        n, per_item = item_tallies(self.documents)
        values = np.zeros((n, len(HEADLINE), 4))
        for f, name in enumerate(HEADLINE):
            for item, t in per_item.get(name, {}).items():
                values[item, f] = (t.hit_p, t.predicted, t.hit_r, t.gold)
        return ItemStats(HEADLINE, values)

    @cached_property
    def grounding(self) -> dict[str, Any]:
        """How the text spans were grounded: counts, and the first ones that were not."""
        how = Counter(h for al in self.documents for _, h, _ in al.prediction.spans())
        failed = [x for al in self.documents for x in al.prediction.ungrounded()]
        return {"text_spans": sum(how.values()) - how["offsets"], "exact": how["exact"],
                "normalized": how["normalized"], "failed": len(failed), "examples": failed[:10]}


def _gold(gold: Gold | str | Path | None) -> Gold:
    return gold if isinstance(gold, Gold) else load_gold(gold)


def read_grounded(predictions: PredictionsInput, gold: Gold) -> Predictions:
    """Read and validate predictions, keeping each document's grounding."""
    text = {d.id: d.text for d in gold.documents}
    return read_predictions(predictions, gold, lambda pred: ground_document(text[pred.document_id], pred))


def align(predictions: PredictionsInput | Predictions, gold: Gold | str | Path | None = None) -> Scoring:
    """Read, ground and align predictions (a JSONL path, a list of dicts or of
    ``PredictionDocument``, or a read :class:`Predictions`) against the gold (bundled by
    default). A gold document the predictions leave out is aligned with an empty prediction."""
    g = _gold(gold)
    preds = predictions if isinstance(predictions, Predictions) else read_grounded(predictions, g)
    docs = []
    for doc in g.documents:
        pred = preds.documents.get(doc.id, GroundedDocument(doc.id, (), ()))
        docs.append(align_document(doc, pred if isinstance(pred, GroundedDocument) else ground_document(doc.text, pred)))
    return Scoring(g, tuple(docs), corpus_stats(docs), list(preds.warnings))


def score(predictions: PredictionsInput | Predictions, gold: Gold | str | Path | None = None, *,
          bootstrap: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> Report:
    """Score predictions against the gold (bundled by default, or a ``Gold`` or a gold
    directory). ``bootstrap=0`` skips the confidence intervals. Raises IsnadError on invalid input."""
    if bootstrap < 0:
        raise ValueError("bootstrap must be >= 0")
    return build_report(align(predictions, gold), bootstrap, seed)


def compare(a: PredictionsInput, b: PredictionsInput, gold: Gold | str | Path | None = None, *,
            bootstrap: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Paired bootstrap of system A against system B on the same resamples: for each headline
    figure, A's and B's values and, per component, the difference A − B, its interval and p-value."""
    from . import __version__

    g = _gold(gold)
    sa, sb = align(a, g), align(b, g)
    obs_a = {h: sa.stats.figure(h).prf() for h in HEADLINE}
    obs_b = {h: sb.stats.figure(h).prf() for h in HEADLINE}
    n = max(1, bootstrap)
    diffs = paired(sa.items, sb.items, obs_a, obs_b, n, seed)
    fig = lambda prf: dict(zip(("precision", "recall", "f1"), prf))  # noqa: E731
    return {"signature": signature(__version__, g.version, g.sha256, n, seed),
            "figures": {h: {"a": fig(obs_a[h]), "b": fig(obs_b[h]), "difference": diffs[h]} for h in HEADLINE},
            "warnings": sa.warnings + sb.warnings}
