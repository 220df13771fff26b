"""Statistics derived from the alignments: each figure's sums per document, per breakdown and
per gold sentence (the bootstrap's items).

A figure is a ratio of sums: P = Σ hits of the counted predictions / their number, R = the
same over the gold elements. Each prediction and gold element carries its hit (1, 0, ½ for a
partial entity, a covered share for quotes.proportional) and an item: a gold element its own
sentence, a prediction its gold partner's (so no resample holds more hits than predictions),
else the sentence its start falls in (the document's first for an ungrounded one).
"""

from __future__ import annotations

from collections import Counter
from math import fsum
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Hashable, NamedTuple, Sequence

from .metrics import ENTITY_SCHEMES, DocumentAlignment, GoldIndex, Matching
from .schema import LABELS, QUOTE_TYPES, SPEAKER_KINDS

HEADLINE = ("entities.strict", "entities.exact", "entities.partial", "entities.type", "entities.seqeval",
            "quotes.exact", "quotes.exact_typed", "quotes.overlap", "quotes.proportional",
            "cues.exact", "cues.overlap", "cues.linked", "attribution.end_to_end")
QUOTE_METRICS = ("exact", "exact_typed", "overlap", "proportional")

# outcome → hit; an outcome not listed is not counted ("hidden" seqeval spans, quotes without a cue)
ENTITY = {"COR": 1, "PAR": 0.5, "INC": 0, "SPU": 0, "MIS": 0}
SEQEVAL = {"correct": 1, "false_alarm": 0, "missed": 0}
EXACT = {"exact": 1, "overlap": 0, "false_alarm": 0, "missed": 0}
OVERLAP = {"exact": 1, "overlap": 1, "false_alarm": 0, "missed": 0}
LINKED = {"right": 1, "wrong": 0, "missing": 0}
SPEAKER = {"correct": 1, "wrong": 0, "missed": 0}


@dataclass(frozen=True)
class Tally:
    """The four sums of a P/R/F figure."""

    hit_p: float = 0
    predicted: int = 0
    hit_r: float = 0
    gold: int = 0

    def prf(self) -> tuple[float, float, float]:
        """Precision, recall and F1; any 0/0 is 0, and F1 is 0 when P + R = 0."""
        p = self.hit_p / self.predicted if self.predicted else 0.0
        r = self.hit_r / self.gold if self.gold else 0.0
        return p, r, 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class EntityCounts:
    """nervaluate's outcome counts of one scheme."""

    COR: int = 0
    INC: int = 0
    PAR: int = 0
    MIS: int = 0
    SPU: int = 0

    @classmethod
    def of(cls, m: Matching) -> "EntityCounts":
        return cls(*(m.gold.count(k) for k in ("COR", "INC", "PAR", "MIS")), m.pred.count("SPU"))


@dataclass(frozen=True)
class EntityStats:
    schemes: dict[str, Tally]                # strict, exact, partial, type
    per_label: dict[str, dict[str, Tally]]   # label → scheme → tally (labels with an entity)
    counts: dict[str, EntityCounts]          # scheme → outcome counts
    seqeval: Tally


@dataclass(frozen=True)
class QuoteStats:
    metrics: dict[str, Tally]                # exact, exact_typed, overlap, proportional
    per_type: dict[str, dict[str, Tally]]    # gold quote type → metric → tally


@dataclass(frozen=True)
class AttributionStats:
    end_to_end: Tally
    per_kind: dict[str, Tally]               # speaker kind → (correct, matched, correct, gold)
    unresolved: int


@dataclass(frozen=True)
class Stats:
    """Every figure's sums, by layer."""

    entities: EntityStats
    quotes: QuoteStats
    cues: dict[str, Tally]                   # exact, overlap, linked
    attribution: AttributionStats

    def __add__(self, other: "Stats") -> "Stats":
        return _add(self, other)

    def figure(self, name: str) -> Tally:
        """A headline figure by name, e.g. ``"entities.strict"``."""
        layer, metric = name.split(".")
        if layer == "entities":
            return self.entities.seqeval if metric == "seqeval" else self.entities.schemes[metric]
        if layer == "quotes":
            return self.quotes.metrics[metric]
        return self.cues[metric] if layer == "cues" else self.attribution.end_to_end


def _add(a: Any, b: Any) -> Any:
    if is_dataclass(a):
        return type(a)(**{f.name: _add(getattr(a, f.name), getattr(b, f.name)) for f in fields(a)})
    if isinstance(a, dict):
        return {k: _add(a[k], b[k]) if k in a and k in b else a.get(k, b.get(k)) for k in {**a, **b}}
    return a + b


class Hits(NamedTuple):
    """One figure's part of a document: each prediction's hit (None: not counted) and item,
    each gold element's hit and item."""

    pred: list[float | None]
    pred_items: list[int]
    gold: list[float | None]
    gold_items: list[int]


def tally_by(h: Hits, pred_keys: Sequence[Hashable] | None = None,
             gold_keys: Sequence[Hashable] | None = None) -> dict[Hashable, Tally]:
    """The figure's tally per key (each element's own; all under None without keys). Sums are
    exactly rounded (``math.fsum``), so the order of the predictions never shows in the last bit."""
    hits_of: dict[Hashable, tuple[list, list]] = {}
    for hits, keys, side in ((h.pred, pred_keys, 0), (h.gold, gold_keys, 1)):
        for hit, key in zip(hits, keys if keys is not None else [None] * len(hits)):
            if hit is not None:
                hits_of.setdefault(key, ([], []))[side].append(hit)
    return {k: Tally(fsum(p), len(p), fsum(g), len(g)) for k, (p, g) in hits_of.items()}


def tally(h: Hits) -> Tally:
    return tally_by(h).get(None, Tally())


def _hits(m: Matching, weights: dict[str, float], gold_items: list[int] = (), own_items: list[int] = ()) -> Hits:
    """Each side's hits by ``weights``, and the items (left empty when not given: a breakdown
    needs none)."""
    pred_items = [own if i is None else gold_items[i] for i, own in zip(m.pred_gold, own_items)]
    return Hits([weights.get(o) for o in m.pred], pred_items, [weights.get(o) for o in m.gold], list(gold_items))


def headline_hits(al: DocumentAlignment, gi: GoldIndex) -> dict[str, Hits]:
    """Every headline figure's :class:`Hits` in one document."""
    pred, ents, q = al.prediction, al.entities, al.quotes
    e_items = [gi.item(e.span.start) for e in pred.entities]
    q_items = [gi.item(x.span.start) for x in pred.quotes]
    c_items = [gi.item(x.cue.start if x.cue is not None else None) for x in pred.quotes]
    out = {f"entities.{s}": _hits(ents.schemes[s], ENTITY, gi.entity_items, e_items) for s in ENTITY_SCHEMES}
    out["entities.seqeval"] = _hits(ents.seqeval, SEQEVAL, gi.entity_items, e_items)
    exact = out["quotes.exact"] = _hits(q.matching, EXACT, gi.quote_items, q_items)
    gold_types = [x.type.value for x in gi.doc.quotes]
    typed = [None if h is None else float(h == 1 and pred.quotes[j].type == gold_types[i])
             for j, (h, i) in enumerate(zip(exact.pred, q.matching.pred_gold))]
    out["quotes.exact_typed"] = Hits(typed, exact.pred_items, [0.0 if j is None else typed[j] for j in q.matching.gold_pred],
                                     gi.quote_items)
    out["quotes.overlap"] = _hits(q.matching, OVERLAP, gi.quote_items, q_items)
    out["quotes.proportional"] = Hits(list(q.pred_coverage), exact.pred_items, list(q.gold_coverage), gi.quote_items)
    out["cues.exact"] = _hits(al.cues, EXACT, gi.cue_items, c_items)
    out["cues.overlap"] = _hits(al.cues, OVERLAP, gi.cue_items, c_items)
    out["cues.linked"] = _hits(q.cue, LINKED, gi.quote_items, q_items)
    out["attribution.end_to_end"] = _hits(q.speaker, SPEAKER, gi.quote_items, q_items)
    return out


def document_stats(al: DocumentAlignment, gi: GoldIndex, hits: dict[str, Hits] | None = None) -> Stats:
    """Every figure's sums in one document."""
    hits = hits or headline_hits(al, gi)
    pred, ents, q = al.prediction, al.entities, al.quotes
    labels = [e.label for e in pred.entities]
    per_label: dict[str, dict[str, Tally]] = {}
    for s in ENTITY_SCHEMES:
        for lab, t in tally_by(_hits(ents.within_label[s], ENTITY), labels, gi.labels).items():
            per_label.setdefault(lab, {})[s] = t  # type: ignore[index]
    entities = EntityStats({s: tally(hits[f"entities.{s}"]) for s in ENTITY_SCHEMES},
                           {lab: {s: per_label[lab].get(s, Tally()) for s in ENTITY_SCHEMES}
                            for lab in LABELS if lab in per_label},
                           {s: EntityCounts.of(ents.schemes[s]) for s in ENTITY_SCHEMES}, tally(hits["entities.seqeval"]))
    gold_types = [x.type.value for x in gi.doc.quotes]
    # per type: a prediction goes with the type of the gold quote it is matched with, else its own
    cats = [x.type if i is None else gold_types[i] for x, i in zip(pred.quotes, q.matching.pred_gold)]
    per_type = {m: tally_by(hits[f"quotes.{m}"], cats, gold_types) for m in QUOTE_METRICS}
    quotes = QuoteStats({m: tally(hits[f"quotes.{m}"]) for m in QUOTE_METRICS},
                        {t: {m: per_type[m].get(t, Tally()) for m in QUOTE_METRICS} for t in QUOTE_TYPES})
    kinds = Counter(zip((x.speaker_kind.value for x in gi.doc.quotes), q.speaker.gold))
    per_kind = {k: Tally(kinds[k, "correct"], kinds[k, "correct"] + kinds[k, "wrong"], kinds[k, "correct"],
                         kinds[k, "correct"] + kinds[k, "wrong"] + kinds[k, "missed"]) for k in SPEAKER_KINDS}
    return Stats(entities, quotes, {m: tally(hits[f"cues.{m}"]) for m in ("exact", "overlap", "linked")},
                 AttributionStats(tally(hits["attribution.end_to_end"]), per_kind, q.clusters.count(None)))
