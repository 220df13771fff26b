"""Every metric, defined by the alignment it computes between a document's gold and a grounded
prediction: which prediction went with which gold element, and the outcome. Every count, the
per-sentence statistics of the bootstrap and the leaderboard's error view come from it.

See the README ("What is scored") for the rules in prose.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable, NamedTuple, Sequence

from .grounding import GroundedDocument, normalize
from .schema import Document, PredSpeaker
from .spans import Pair, one_to_one, overlapping_pairs, rank
from .text import occurrences, token_spans

ENTITY_SCHEMES = ("strict", "exact", "partial", "type")


class Matching(NamedTuple):
    """A one-to-one alignment, readable from either side. ``pred[j]`` is the outcome of the
    j-th prediction (input order; None when it takes no part, e.g. a quote without a cue)
    and ``pred_gold[j]`` the gold element it went with (None when unpaired); ``gold[i]`` and
    ``gold_pred[i]`` the same for the i-th gold element (the document's order)."""

    pred: tuple[str | None, ...]
    pred_gold: tuple[int | None, ...]
    gold: tuple[str | None, ...]
    gold_pred: tuple[int | None, ...]


def _matching(n_gold: int, n_pred: int, pairs: Iterable[tuple[int, int, str]], unpaired_pred: str | None,
              unpaired_gold: str | None, takes_part: Sequence[bool] | None = None) -> Matching:
    """The matching of ``(gold index, prediction index, outcome)`` pairs; the others take the
    unpaired outcomes (a prediction that does not take part: None)."""
    pred: list[str | None] = [unpaired_pred] * n_pred if takes_part is None else \
        [unpaired_pred if t else None for t in takes_part]
    gold: list[str | None] = [unpaired_gold] * n_gold
    pred_gold: list[int | None] = [None] * n_pred
    gold_pred: list[int | None] = [None] * n_gold
    for i, j, outcome in pairs:
        pred[j] = gold[i] = outcome
        pred_gold[j], gold_pred[i] = i, j
    return Matching(tuple(pred), tuple(pred_gold), tuple(gold), tuple(gold_pred))


# --- what is kept of a gold document -------------------------------------------------------


class GoldIndex:
    """What scoring needs of one gold document, computed once (gold documents are frozen and
    scored again and again: a leaderboard, a sweep of systems)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.starts = [s.start for s in doc.sentences]
        self.entities = [(m.start, m.end) for m in doc.entities]
        self.labels = [m.label.value for m in doc.entities]
        self.quotes = [(q.start, q.end) for q in doc.quotes]
        self.cues = [(q.cue.start, q.cue.end) for q in doc.quotes]
        self.entity_items = [self.item(s) for s, _ in self.entities]
        self.quote_items = [self.item(s) for s, _ in self.quotes]
        self.cue_items = [self.item(s) for s, _ in self.cues]

    def item(self, offset: int | None) -> int:
        """The sentence an offset belongs to (between two sentences: the one before; before
        all, or None for an ungrounded span: the first), as ``Document.sentence_index``."""
        return 0 if offset is None else max(0, bisect_right(self.starts, offset) - 1)

    @cached_property
    def tokens(self) -> tuple[list[int], list[int], list[tuple[int, int]]]:
        """Token starts and ends of every sentence in order, and each sentence's token range."""
        starts: list[int] = []
        ends: list[int] = []
        ranges = []
        for s in self.doc.sentences:
            first = len(starts)
            spans = token_spans(self.doc.text, s.start, s.end)
            starts += [a for a, _ in spans]
            ends += [b for _, b in spans]
            ranges.append((first, len(starts)))
        return starts, ends, ranges

    @cached_property
    def chunks(self) -> list[tuple | None]:
        """The seqeval chunk of each gold entity (:func:`project`)."""
        return project(self, [(s, e, lab) for (s, e), lab in zip(self.entities, self.labels)])

    @cached_property
    def chunk_index(self) -> dict[tuple, int]:
        """Each gold chunk's entity."""
        return {c: i for i, c in enumerate(self.chunks) if c is not None}

    @cached_property
    def mentions(self) -> list[tuple[int, int, str]]:
        """``(start, end, cluster)`` a speaker span can land on: the entity mentions and the
        speaker mentions (document order), then every occurrence of each cluster's name and
        aliases (cluster order)."""
        doc = self.doc
        out = sorted({(m.start, m.end, m.cluster) for m in doc.entities} |
                     {(q.speaker_mention.start, q.speaker_mention.end, q.speaker) for q in doc.quotes if q.speaker_mention})
        for c in doc.clusters:
            for form in dict.fromkeys([c.name, *c.aliases]):
                out += [(h, h + len(form), c.id) for h in occurrences(doc.text, form)] if form else []
        return out

    @cached_property
    def names(self) -> list[tuple[str, list[str]]]:
        """Each cluster id with its normalized name, aliases and annotated mentions."""
        by_cluster: dict[str, list[str]] = {}
        for s, e, c in self.mentions:
            by_cluster.setdefault(c, []).append(self.doc.text[s:e])
        return [(c.id, list(dict.fromkeys(n for n in map(normalize, [c.name, *c.aliases, *by_cluster.get(c.id, ())]) if n)))
                for c in self.doc.clusters]

    def resolve(self, speaker: PredSpeaker | None) -> str | None:
        """The cluster a predicted speaker refers to, or None (unresolved): a cluster id as
        given; a span, the cluster of the mention it overlaps most (ties: the longer mention,
        then the earlier one, then an annotated mention before an alias occurrence); a text,
        the cluster with a name, alias or mention equal to it after normalization, else the
        cluster whose longest form it contains (the longest such form; ties: the first cluster)."""
        if speaker is None:
            return None
        if speaker.cluster is not None:
            return speaker.cluster
        if speaker.start is not None:
            best, key = None, (0, 0, 0)
            for s, e, c in self.mentions:
                k = (min(e, speaker.end) - max(s, speaker.start), e - s, -s)
                if k[0] > 0 and k > key:
                    best, key = c, k
            return best
        text = normalize(speaker.text)
        found = next((cid for cid, forms in self.names if text in forms), None) if text else None
        if found is None and text:
            longest = [(max(map(len, forms)), cid) for cid, forms in self.names
                       if forms and max(forms, key=len) in text]
            found = max(longest, key=lambda x: x[0])[1] if longest else None
        return found


_INDEXES: dict[int, GoldIndex] = {}


def gold_index(doc: Document) -> GoldIndex:
    """The cached :class:`GoldIndex` of ``doc`` (by identity: the entry holds the document, so
    its id cannot be reused while it is cached)."""
    gi = _INDEXES.get(id(doc))
    if gi is None or gi.doc is not doc:
        if len(_INDEXES) >= 4096:
            _INDEXES.clear()
        gi = _INDEXES[id(doc)] = GoldIndex(doc)
    return gi


# --- entities: SemEval-2013 schemes, best outcomes first --------------------------------------


def entity_matchings(gold: list[tuple[int, int]], gold_labels: list[str], pred: list[tuple[int, int]],
                     pred_labels: list[str], ranked: list[Pair]) -> tuple[dict[str, Matching], dict[str, Matching]]:
    """Every scheme's pairing, and the same schemes pairing only entities of one label (the
    per-label figures: each label scored on its own, as nervaluate does). Among ``ranked``
    (overlapping pairs, best first) the pairs the scheme counts correct (COR) go first, then
    the other ones (INC; partial: PAR); unpaired predictions are SPU, unpaired gold entities
    MIS. Exact and partial pair alike (only the name of a near pair differs); within one
    label, strict pairs as exact does, and type keeps its correct pairs only."""
    pairs = [(i, j, gold[i] == pred[j], gold_labels[i] == pred_labels[j]) for i, j in ranked]
    both = [(i, j, "COR") for i, j, span, label in pairs if span and label]
    strict = one_to_one(both + [(i, j, "INC") for i, j, span, label in pairs if not (span and label)])
    exact = one_to_one([(i, j, "COR") for i, j, span, _ in pairs if span] +
                       [(i, j, "INC") for i, j, span, _ in pairs if not span])
    typed = one_to_one([(i, j, "COR") for i, j, _, label in pairs if label] +
                       [(i, j, "INC") for i, j, _, label in pairs if not label])
    within = one_to_one(both + [(i, j, "INC") for i, j, span, label in pairs if label and not span])

    def matching(kept: list[tuple[int, int, str]], near: str = "INC") -> Matching:
        return _matching(len(gold), len(pred), kept if near == "INC" else
                         [(i, j, near if o == "INC" else o) for i, j, o in kept], "SPU", "MIS")

    one_label = matching(within)
    return ({"strict": matching(strict), "exact": matching(exact), "partial": matching(exact, "PAR"),
             "type": matching(typed)},
            {"strict": one_label, "exact": one_label, "partial": matching(within, "PAR"),
             "type": matching([p for p in typed if p[2] == "COR"])})


def project(gi: GoldIndex, spans: list[tuple[int | None, int | None, str]]) -> list[tuple | None]:
    """The seqeval chunk ``(label, first token, last token)`` of each span, None when it keeps
    no token. A span belongs to the sentence its start falls in and takes that sentence's
    tokens it overlaps; spans go in order of (start, end, label, index), and a token already
    taken stays with the earlier span (so a span keeps a run of tokens: B- on its first kept
    token, I- on the rest, one chunk)."""
    starts, ends, ranges = gi.tokens
    out: list[tuple | None] = [None] * len(spans)
    sentence, after = -1, -1  # tokens up to `after` are taken in the current sentence
    for s, e, label, j in sorted((s, e, lab, j) for j, (s, e, lab) in enumerate(spans) if s is not None):
        k = gi.item(s)
        if k >= len(ranges):
            continue
        if k != sentence:
            sentence, after = k, -1
        lo, hi = ranges[k]
        first = max(bisect_right(ends, s, lo, hi), after + 1)
        last = bisect_left(starts, e, lo, hi) - 1
        if first <= last:
            out[j] = (label, first, last)
            after = last
    return out


def seqeval_matching(gi: GoldIndex, chunks: list[tuple | None], grounded: list[bool]) -> Matching:
    """Predicted chunks equal to a gold chunk are "correct", the other ones "false_alarm", the
    gold chunks left "missed"; a span that keeps no token is "hidden" (seqeval never sees it),
    an ungrounded prediction a false alarm."""
    gold_of = gi.chunk_index
    pairs = [(gold_of[c], j, "correct") for j, c in enumerate(chunks) if c in gold_of]
    m = _matching(len(gi.chunks), len(chunks), pairs, "false_alarm", "missed")
    return m._replace(pred=tuple("hidden" if c is None and ok else o for c, ok, o in zip(chunks, grounded, m.pred)),
                      gold=tuple("hidden" if c is None else o for c, o in zip(gi.chunks, m.gold)))


@dataclass(frozen=True)
class EntityAlignment:
    """``spans`` and ``labels``: the predictions aligned; ``schemes``: strict, exact, partial
    and type; ``within_label``: the same schemes pairing only entities of one label (the
    per-label figures); ``seqeval``: the chunks."""

    spans: tuple[tuple[int | None, int | None], ...]
    labels: tuple[str, ...]
    schemes: dict[str, Matching]
    within_label: dict[str, Matching]
    seqeval: Matching


def entity_pairs(gold: list[tuple[int, int]], gold_labels: list[str], pred: list[tuple[int | None, int | None]],
                 pred_labels: list[str]) -> list[Pair]:
    """The pairs that may match, best first (:func:`~benchmark.spans.rank`; between equal
    spans a prediction of the gold entity's label first, then by the labels): entities that
    share at least one character and 1% of the gold entity's (nervaluate's minimum overlap,
    which only a gold entity of over 100 characters notices); an ungrounded prediction
    (None offsets) pairs with nothing."""
    pairs = overlapping_pairs(gold, pred)
    return rank(gold, pred, [(i, j) for i, j in pairs if 100 * (min(gold[i][1], pred[j][1]) - max(gold[i][0], pred[j][0]))
                             >= gold[i][1] - gold[i][0]],
                lambda i, j: (gold_labels[i] != pred_labels[j], gold_labels[i], pred_labels[j]))


def align_entities(gi: GoldIndex, entities: Sequence[tuple]) -> EntityAlignment:
    """Every scheme's matching (:func:`entity_matchings`) and the seqeval chunks (:func:`project`)
    of entity rows ``(start, end, label, ...)`` (``GroundedDocument.entity_rows``)."""
    pred = tuple((r[0], r[1]) for r in entities)
    labels = tuple(r[2] for r in entities)
    ranked = entity_pairs(gi.entities, gi.labels, pred, labels)
    chunks = project(gi, [(s, e, lab) for (s, e), lab in zip(pred, labels)])
    return EntityAlignment(pred, labels, *entity_matchings(gi.entities, gi.labels, pred, labels, ranked),
                           seqeval_matching(gi, chunks, [s is not None for s, _ in pred]))


# --- quotes, cues and speakers ----------------------------------------------------------------


@dataclass(frozen=True)
class QuoteAlignment:
    """``matching``: "exact" (same span) or "overlap" pairs, "false_alarm", "missed".
    On the same pairs: ``cue`` (cues.linked) pred "right" / "wrong" / None (no cue), gold
    "right" / "wrong" / "missing"; ``speaker`` pred "correct" / "wrong", gold "correct" /
    "wrong" / "missed"; ``clusters``: each prediction's speaker resolved (None: unresolved).
    ``pred_coverage`` / ``gold_coverage``: quotes.proportional, the largest share of each
    span that one span of the other side covers."""

    matching: Matching
    cue: Matching
    speaker: Matching
    clusters: tuple[str | None, ...]
    pred_coverage: tuple[float, ...]
    gold_coverage: tuple[float, ...]


def overlap_matching(gold: list[tuple[int, int]], pred: list[tuple[int | None, int | None]],
                     tiebreak: Callable[[int, int], tuple] | None = None) -> tuple[list[Pair], Matching]:
    """Overlapping pairs, and the one-to-one matching of them best first (:func:`~benchmark.spans.rank`);
    outcomes "exact", "overlap", "false_alarm", "missed"; a prediction with no span (None)
    takes no part."""
    pairs = overlapping_pairs(gold, pred)
    kept = [(i, j, "exact" if gold[i] == pred[j] else "overlap") for i, j in one_to_one(rank(gold, pred, pairs, tiebreak))]
    return pairs, _matching(len(gold), len(pred), kept, "false_alarm", "missed", [p is not None for p in pred])


def _coverage(pairs: list[Pair], spans: list, other: list, side: int) -> tuple[float, ...]:
    best = [0.0] * len(spans)
    for pair in pairs:
        a, b = spans[pair[side]], other[pair[1 - side]]
        best[pair[side]] = max(best[pair[side]], (min(a[1], b[1]) - max(a[0], b[0])) / (a[1] - a[0]))
    return tuple(best)


def align_quotes(gi: GoldIndex, quotes: Sequence) -> QuoteAlignment:
    """The overlap matching of quotes, and on it the cues, the speakers and the proportional
    coverage. Among equal pairs (equal predicted spans of one gold quote) the best outcome
    goes first: the gold quote's type, then a cue on its cue, then its speaker; then the
    type, the cue and the speaker's cluster decide, so that the order of the predictions never does."""
    doc = gi.doc
    pred = [(q.start, q.end) for q in quotes]
    clusters = tuple(gi.resolve(q.speaker) for q in quotes)

    def linked(i: int, j: int) -> bool:
        cue = quotes[j].cue
        return cue is not None and cue.ok and cue.start < gi.cues[i][1] and gi.cues[i][0] < cue.end

    def best(i: int, j: int) -> tuple:
        q, g, cue = quotes[j], doc.quotes[i], quotes[j].cue
        return (q.type != g.type.value, not linked(i, j), clusters[j] != g.speaker, q.type or "",
                (0, 0, 0) if cue is None else (1, cue.start, cue.end) if cue.ok else (2, 0, 0), clusters[j] or "")

    pairs, m = overlap_matching(gi.quotes, pred, best)
    cue_pred = [None if q.cue is None else "right" if i is not None and linked(i, j) else "wrong"
                for j, (q, i) in enumerate(zip(quotes, m.pred_gold))]
    cue_gold = ["missing" if j is None or cue_pred[j] is None else cue_pred[j] for j in m.gold_pred]
    said = [j is not None and clusters[j] == q.speaker for q, j in zip(doc.quotes, m.gold_pred)]
    spk_pred = ["correct" if i is not None and said[i] else "wrong" for i in m.pred_gold]
    spk_gold = ["missed" if j is None else "correct" if ok else "wrong" for j, ok in zip(m.gold_pred, said)]
    return QuoteAlignment(m, m._replace(pred=tuple(cue_pred), gold=tuple(cue_gold)),
                          m._replace(pred=tuple(spk_pred), gold=tuple(spk_gold)), clusters,
                          _coverage(pairs, pred, gi.quotes, 1), _coverage(pairs, gi.quotes, pred, 0))


@dataclass(frozen=True)
class DocumentAlignment:
    """Every metric's alignment of one document: ``prediction`` is the grounded prediction
    (input order) the indices refer to; gold indices refer to the ``gold`` document's lists.
    ``cues``: the cue spans on their own (cues.exact, cues.overlap), indexed by quote."""

    gold: Document
    prediction: GroundedDocument
    entities: EntityAlignment
    quotes: QuoteAlignment
    cues: Matching


def align(doc: Document, pred: GroundedDocument) -> DocumentAlignment:
    """Every metric's alignment of a grounded prediction with the gold document. Between equal
    cue spans, the cue of a quote that overlaps the gold cue's quote goes first, then by the
    quotes' spans."""
    gi = gold_index(doc)
    cues = [None if q.cue is None else (q.cue.start, q.cue.end) for q in pred.quotes]
    quotes = [(q.start, q.end) if q.ok else (-1, -1) for q in pred.quotes]

    def by_quote(i: int, j: int) -> tuple:
        (gs, ge), (ps, pe) = gi.quotes[i], quotes[j]
        return not (ps < ge and gs < pe), ps, pe

    return DocumentAlignment(doc, pred, align_entities(gi, pred.entity_rows), align_quotes(gi, pred.quotes),
                             overlap_matching(gi.cues, cues, by_quote)[1])
