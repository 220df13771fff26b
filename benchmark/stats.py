"""Statistics derived from the alignments: each figure's sums over the corpus, per breakdown
and per gold sentence (the bootstrap's items).

A figure is a ratio of sums: P = Σ hits of the counted predictions / their number, R = the
same over the gold elements. Each prediction and gold element has an outcome, which the
figure's weights turn into a hit (1, 0, ½ for a partial entity; an outcome without a weight
is not counted; a float outcome, the covered share of quotes.proportional, is its own hit).
Outcomes are counted by (figure, side, key), the key naming a breakdown (a label, a quote
type, a speaker kind) or an item: a gold element's own sentence, a prediction's gold
partner's (so no resample holds more hits than predictions), else the sentence its start
falls in (the document's first for an ungrounded one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from math import fsum
from typing import Hashable, Sequence

from .metrics import ENTITY_SCHEMES, DocumentAlignment, Matching, gold_index
from .schema import LABELS, QUOTE_TYPES, SPEAKER_KINDS

HEADLINE = ("entities.strict", "entities.exact", "entities.partial", "entities.type", "entities.seqeval",
            "quotes.exact", "quotes.exact_typed", "quotes.overlap", "quotes.proportional",
            "cues.exact", "cues.overlap", "cues.linked", "attribution.end_to_end")
QUOTE_METRICS = ("exact", "exact_typed", "overlap", "proportional")

ENTITY = {"COR": 1, "PAR": 0.5, "INC": 0, "SPU": 0, "MIS": 0}
EXACT = {"exact": 1, "overlap": 0, "false_alarm": 0, "missed": 0}
OVERLAP = {"exact": 1, "overlap": 1, "false_alarm": 0, "missed": 0}
HIT = {True: 1, False: 0}
WEIGHTS = {**{f"entities.{s}": ENTITY for s in ENTITY_SCHEMES},
           "entities.seqeval": {"correct": 1, "false_alarm": 0, "missed": 0},
           "quotes.exact": EXACT, "quotes.exact_typed": HIT, "quotes.overlap": OVERLAP, "quotes.proportional": None,
           "cues.exact": EXACT, "cues.overlap": OVERLAP, "cues.linked": {"right": 1, "wrong": 0, "missing": 0},
           "attribution.end_to_end": {"correct": 1, "wrong": 0, "missed": 0}}


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

    def figure(self, name: str) -> Tally:
        """A headline figure by name, e.g. ``"entities.strict"``."""
        layer, metric = name.split(".")
        if layer == "entities":
            return self.entities.seqeval if metric == "seqeval" else self.entities.schemes[metric]
        if layer == "quotes":
            return self.quotes.metrics[metric]
        return self.cues[metric] if layer == "cues" else self.attribution.end_to_end


def headline(al: DocumentAlignment) -> dict[str, Matching]:
    """Every headline figure's outcomes in one document (its weights: ``WEIGHTS``)."""
    pred, ents, q = al.prediction, al.entities, al.quotes
    out = {f"entities.{s}": ents.schemes[s] for s in ENTITY_SCHEMES}
    out["entities.seqeval"] = ents.seqeval
    gold_types = [x.type.value for x in al.gold.quotes]
    typed = tuple(o == "exact" and x.type == gold_types[i] for x, o, i in zip(pred.quotes, q.matching.pred, q.matching.pred_gold))
    out.update({"quotes.exact": q.matching,
                "quotes.exact_typed": q.matching._replace(pred=typed, gold=tuple(j is not None and typed[j]
                                                                                for j in q.matching.gold_pred)),
                "quotes.overlap": q.matching,
                "quotes.proportional": q.matching._replace(pred=q.pred_coverage, gold=q.gold_coverage),
                "cues.exact": al.cues, "cues.overlap": al.cues, "cues.linked": q.cue, "attribution.end_to_end": q.speaker})
    return out


def count(counts: Counter, tag: Hashable, m: Matching, pred_keys: Sequence | None = None,
          gold_keys: Sequence | None = None) -> None:
    """Add each side's outcomes of ``m`` to ``counts`` as ``((tag, side), key, outcome)``
    (key None without keys)."""
    for side, outcomes, keys in (("pred", m.pred, pred_keys), ("gold", m.gold, gold_keys)):
        if keys is None:
            for outcome, n in Counter(outcomes).items():
                counts[(tag, side), None, outcome] += n
        else:
            for (key, outcome), n in Counter(zip(keys, outcomes)).items():
                counts[(tag, side), key, outcome] += n


def tallies(counts: Counter, weights: dict[Hashable, dict | None]) -> dict[Hashable, dict[Hashable, Tally]]:
    """Each tag's tally per key, the outcomes weighted by ``weights[tag]``. Sums are exactly
    rounded (``math.fsum``), so the order of the predictions never shows in the last bit."""
    sums: dict[tuple, tuple[list, list, list, list]] = {}
    for ((tag, side), key, outcome), n in counts.items():
        w = weights.get(tag, False)
        hit = outcome if w is None else w.get(outcome) if w else None
        if hit is not None:
            s = sums.setdefault((tag, key), ([], [], [], []))
            s[0 if side == "pred" else 2].append(hit * n)
            s[1 if side == "pred" else 3].append(n)
    out: dict[Hashable, dict[Hashable, Tally]] = {}
    for (tag, key), (hp, np_, hr, ng) in sums.items():
        out.setdefault(tag, {})[key] = Tally(fsum(hp), sum(np_), fsum(hr), sum(ng))
    return out


def item_tallies(documents: Sequence[DocumentAlignment]) -> tuple[int, dict[Hashable, dict[Hashable, Tally]]]:
    """The number of items (gold sentences; a document without any is one) and each headline
    figure's tally per item. A prediction's item is its gold partner's sentence, else its own."""
    counts: Counter = Counter()
    first = 0
    for al in documents:
        gi, pred = gold_index(al.gold), al.prediction
        own = {"entities": [gi.item(s) for s, _ in al.entities.spans],
               "quotes": [gi.item(x.start) for x in pred.quotes],
               "cues": [gi.item(x.cue.start if x.cue is not None else None) for x in pred.quotes]}
        gold = {"entities": gi.entity_items, "quotes": gi.quote_items, "cues": gi.cue_items}
        for name, m in headline(al).items():
            layer = "quotes" if name in ("cues.linked", "attribution.end_to_end") else name.split(".")[0]
            g = gold[layer]
            count(counts, name, m, [first + (o if i is None else g[i]) for i, o in zip(m.pred_gold, own[layer])],
                  [first + x for x in g])
        first += max(1, len(al.gold.sentences))
    return first, tallies(counts, WEIGHTS)


def corpus_stats(documents: Sequence[DocumentAlignment]) -> Stats:
    """Every figure's sums over the documents."""
    counts: Counter = Counter()
    for al in documents:
        figs = headline(al)
        for name, m in figs.items():
            count(counts, name, m)
        for s in ENTITY_SCHEMES:
            count(counts, ("label", s), al.entities.within_label[s], al.entities.labels, gold_index(al.gold).labels)
        gold_types = [x.type.value for x in al.gold.quotes]
        # per type: a prediction goes with the type of the gold quote it is matched with, else its own
        cats = [x.type if i is None else gold_types[i] for x, i in zip(al.prediction.quotes, al.quotes.matching.pred_gold)]
        for m in QUOTE_METRICS:
            count(counts, ("type", m), figs[f"quotes.{m}"], cats, gold_types)
        for (k, o), n in Counter(zip((x.speaker_kind.value for x in al.gold.quotes), al.quotes.speaker.gold)).items():
            counts[("kind", "gold"), k, o] += n
        counts[("unresolved", "pred"), None, None] += al.quotes.clusters.count(None)
    t = tallies(counts, {**WEIGHTS, **{("label", s): ENTITY for s in ENTITY_SCHEMES},
                         **{("type", m): WEIGHTS[f"quotes.{m}"] for m in QUOTE_METRICS}})
    fig = lambda tag, key=None: t.get(tag, {}).get(key, Tally())  # noqa: E731
    entities = EntityStats({s: fig(f"entities.{s}") for s in ENTITY_SCHEMES},
                           {lab: {s: fig(("label", s), lab) for s in ENTITY_SCHEMES}
                            for lab in LABELS if any(lab in t.get(("label", s), {}) for s in ENTITY_SCHEMES)},
                           {s: EntityCounts(*(counts[(f"entities.{s}", "gold"), None, k] for k in ("COR", "INC", "PAR", "MIS")),
                                            counts[(f"entities.{s}", "pred"), None, "SPU"]) for s in ENTITY_SCHEMES},
                           fig("entities.seqeval"))
    quotes = QuoteStats({m: fig(f"quotes.{m}") for m in QUOTE_METRICS},
                        {ty: {m: fig(("type", m), ty) for m in QUOTE_METRICS} for ty in QUOTE_TYPES})
    kind = {k: [counts[("kind", "gold"), k, o] for o in ("correct", "wrong", "missed")] for k in SPEAKER_KINDS}
    per_kind = {k: Tally(c, c + w, c, c + w + m) for k, (c, w, m) in kind.items()}
    return Stats(entities, quotes, {m: fig(f"cues.{m}") for m in ("exact", "overlap", "linked")},
                 AttributionStats(fig("attribution.end_to_end"), per_kind, counts[("unresolved", "pred"), None, None]))
