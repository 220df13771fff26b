"""``score()``: predictions against the gold → :class:`~benchmark.report.Report`; ``compare()``."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from .bootstrap import DEFAULT_RESAMPLES, DEFAULT_SEED, intervals, paired
from .gcpause import gc_paused
from .gold import Gold, load_gold
from .metrics import HEADLINE, Stats, entity_stats, figures, gold_index, quote_stats, speaker_kind_rows
from .metrics import div
from .predictions import GroundingLog, Predictions, PredictionsInput, ground_columns, read_predictions
from .report import Report, signature
from .schema import LABELS, QUOTE_TYPES


def _gold(gold: Gold | str | Path | None) -> Gold:
    if isinstance(gold, Gold):
        return gold
    return load_gold(gold)


def statistics(predictions: PredictionsInput | Predictions, gold: Gold) -> tuple[Stats, GroundingLog, list[str]]:
    """Per-sentence sufficient statistics of validated predictions (items: every gold
    sentence, documents in gold order), the grounding log and the warnings."""
    with gc_paused():
        return _statistics(predictions, gold)


def _statistics(predictions: PredictionsInput | Predictions, gold: Gold) -> tuple[Stats, GroundingLog, list[str]]:
    preds = predictions if isinstance(predictions, Predictions) else read_predictions(predictions, gold)
    n = sum(max(1, len(d.sentences)) for d in gold.documents)
    st = Stats(n)
    log = GroundingLog()
    base = 0
    entities: list = []  # (base, GoldIndex, columns): all documents at once (see entity_columns)
    quotes: list = []
    for doc in gold.documents:
        ents, qs = ground_columns(preds.documents.for_scoring(doc.id), doc, log)
        g = gold_index(doc)
        entities.append((base, g, ents))
        quotes.append((base, g, qs))
        base += max(1, len(doc.sentences))
    columns(st, entities, quotes)
    return st, log, preds.warnings


# Above this many predicted entities (or quotes) in one call, their columns are computed with
# numpy, for all documents at once.
VECTORIZED_MIN_ENTITIES = 20_000
VECTORIZED_MIN_QUOTES = 2_000


def _vectorized(entities: list) -> ModuleType | None:
    """``benchmark.vectorized`` when numpy is installed and the gold's documents fit its
    global coordinates (see ``vectorized.applies``), else None."""
    try:
        from . import vectorized
    except ImportError:  # pragma: no cover - numpy is not installed
        return None
    return vectorized if vectorized.applies(entities) else None


def columns(st: Stats, entities: list, quotes: list) -> None:
    """Every column of a call: with numpy where it is big (``benchmark.vectorized``, imported
    only then: numpy costs more to import than a small call takes), one document at a time
    otherwise. Both paths add the same columns."""
    big_e = sum(len(c.starts) for _, _, c in entities) > VECTORIZED_MIN_ENTITIES
    big_q = sum(len(q) for _, _, q in quotes) > VECTORIZED_MIN_QUOTES
    vec = _vectorized(entities) if big_e or big_q else None
    (vec.entity_stats if vec and big_e else entity_stats)(st, entities)
    (vec.quote_stats if vec and big_q else quote_stats)(st, quotes)


def _figure(p: float, r: float, f: float) -> dict[str, Any]:
    return {"precision": float(p), "recall": float(r), "f1": float(f)}


def _set(tree: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        tree = tree.setdefault(part, {})
    tree[parts[-1]] = value


def build_report(st: Stats, log: GroundingLog, warnings: list[str], gold: Gold, bootstrap: int, seed: int) -> Report:
    from . import __version__

    totals = st.totals()
    figs = figures()
    data: dict[str, Any] = {"signature": signature(__version__, gold.version, gold.sha256, bootstrap, seed)}
    for name, fig in figs.items():
        _set(data, name, _figure(*fig.compute(totals)))
    # per-label rows only for labels present in gold or predictions (as nervaluate does)
    per_label = data["entities"]["per_label"]
    for lab in LABELS:
        if not any(totals.get(f"ent.{lab}.strict.{k}", 0) for k in ("act", "pos")):
            del per_label[lab]
    counts = {}
    for s in ("strict", "exact", "partial", "type"):
        c = {k: int(totals.get(f"ent.{s}.{k}", 0)) for k in ("cor", "inc", "par", "mis", "spu", "act", "pos")}
        counts[s] = {k.upper(): v for k, v in c.items()}
    counts["seqeval"] = {"correct": int(totals.get("seq.tp", 0)), "predicted": int(totals.get("seq.np", 0)),
                         "gold": int(totals.get("seq.ng", 0))}
    data["entities"]["counts"] = counts
    data["quotes"]["counts"] = {m: {"matched": int(totals.get(f"q.{m}.tp", 0)), "predicted": int(totals.get(f"q.{m}.np", 0)),
                                    "gold": int(totals.get(f"q.{m}.ng", 0))} for m in ("exact", "exact_typed", "overlap")}
    for t in QUOTE_TYPES:
        data["quotes"]["per_type"][t]["gold"] = int(totals.get(f"q.{t}.overlap.ng", 0))
    data["cues"]["counts"] = {m: {"matched": int(totals.get(f"cue.{m}.tp", 0)), "predicted": int(totals.get(f"cue.{m}.np", 0)),
                                  "gold": int(totals.get(f"cue.{m}.ng", 0))} for m in ("exact", "overlap")}
    att = data["attribution"]
    att["accuracy_on_matched"] = float(div(totals.get("att.correct", 0), totals.get("att.matched", 0)))
    att["counts"] = {"correct": int(totals.get("att.correct", 0)), "matched": int(totals.get("att.matched", 0)),
                     "predicted": int(totals.get("att.np", 0)), "gold": int(totals.get("att.ng", 0)),
                     "unresolved": int(totals.get("att.unresolved", 0))}
    att["per_speaker_kind"] = {k: {kk: (float(vv) if isinstance(vv, float) else vv) for kk, vv in v.items()}
                               for k, v in speaker_kind_rows(totals).items()}
    data["grounding"] = log.to_dict()
    if bootstrap:
        cis = intervals(st, {h: figs[h] for h in HEADLINE}, bootstrap, seed)
        for h, ci in cis.items():
            node: Any = data
            for part in h.split("."):
                node = node[part]
            node["ci"] = ci
    data["warnings"] = list(warnings)
    return Report(data)


def score(predictions: PredictionsInput | Predictions, gold: Gold | str | Path | None = None, *,
          bootstrap: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> Report:
    """Score predictions (a JSONL path, a list of dicts or of ``PredictionDocument``) against
    the gold (bundled by default, or a ``Gold`` or a gold directory). ``bootstrap=0`` skips
    the confidence intervals. Raises IsnadError on invalid input."""
    if bootstrap < 0:
        raise ValueError("bootstrap must be >= 0")
    g = _gold(gold)
    st, log, warnings = statistics(predictions, g)
    with gc_paused():  # the report's many small dicts would set off a collection of the whole heap
        return build_report(st, log, warnings, g, bootstrap, seed)


def compare(a: PredictionsInput, b: PredictionsInput, gold: Gold | str | Path | None = None, *,
            bootstrap: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Paired bootstrap of system A against system B on the same resamples: for each headline
    figure, A's and B's values and, per component, the difference A − B, its interval and p-value."""
    from . import __version__

    g = _gold(gold)
    sa, _, wa = statistics(a, g)
    sb, _, wb = statistics(b, g)
    figs = {h: figures()[h] for h in HEADLINE}
    diffs = paired(sa, sb, figs, max(1, bootstrap), seed)
    ta, tb = sa.totals(), sb.totals()
    out = {"signature": signature(__version__, g.version, g.sha256, max(1, bootstrap), seed), "figures": {}}
    for h, fig in figs.items():
        out["figures"][h] = {"a": _figure(*fig.compute(ta)), "b": _figure(*fig.compute(tb)), "difference": diffs[h]}
    out["warnings"] = wa + wb
    return out
