"""Per-item sufficient statistics of a scoring run, and the figures computed from them.

Items are the gold sentences (all documents, in order). Every count is put on one item: a
matched pair on the gold element's sentence, an unmatched prediction on the sentence its
start falls in (``Document.sentence_index``; an ungrounded one on its document's first
sentence), an unmatched gold element on its own sentence. Every figure is then a ratio of
sums of item columns, so aggregation (and the bootstrap) only re-sums counts.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from .dataset import iob2
from .grounding import normalize
from .predictions import PQuote
from .schema import LABELS, QUOTE_TYPES, SPEAKER_KINDS, Document
from .spans import greedy_overlap_matching, overlap_length, overlapping_pairs
from .text import span_tokens, tokenize

ENTITY_SCHEMES = ("strict", "exact", "partial", "type")
QUOTE_METRICS = ("exact", "exact_typed", "overlap", "proportional")
CUE_METRICS = ("exact", "overlap")


def _entity_derived() -> dict[str, tuple[tuple[str, float], ...]]:
    # nervaluate's ACT, POS and TP of every scheme (overall and per label) are sums of outcome
    # columns: kept implicit so scoring adds one number per outcome, computed on demand
    out = {}
    for scheme in ENTITY_SCHEMES:
        for prefix in [f"ent.{scheme}"] + [f"ent.{lab}.{scheme}" for lab in LABELS]:
            out[f"{prefix}.act"] = tuple((f"{prefix}.{k}", 1) for k in ("cor", "inc", "par", "spu"))
            out[f"{prefix}.pos"] = tuple((f"{prefix}.{k}", 1) for k in ("cor", "inc", "par", "mis"))
            half = ((f"{prefix}.par", 0.5),) if scheme in ("partial", "type") else ()
            out[f"{prefix}.tp"] = ((f"{prefix}.cor", 1),) + half
    return out


DERIVED = _entity_derived()


class Stats:
    """Named columns of per-item numbers (one entry per gold sentence).

    A column is sparse, ``{item: value}`` (a defaultdict of 0, so callers add into it in
    place): most items have nothing in most of the hundreds of columns, and a dense list per
    column made a large corpus's statistics cost more memory and time than its scoring. The
    big path (``benchmark.vectorized``) stores its integer columns whole instead, as numpy
    arrays of ``n`` (:meth:`set_dense`); asking for one with :meth:`column` makes it sparse again."""

    def __init__(self, n_items: int) -> None:
        self.n = n_items
        self.cols: dict[str, defaultdict[int, float]] = {}
        self.dense: dict[str, Any] = {}  # key → integer numpy array of n (never also in cols)
        self.derived = DERIVED  # key → the weighted stored columns it is the per-item sum of

    def keys(self) -> list[str]:
        """Every stored column."""
        return list(self.cols) + list(self.dense)

    def column(self, key: str) -> defaultdict[int, float]:
        """The stored column ``key`` (created empty): callers add into it in place."""
        col = self.cols.get(key)
        if col is None:
            col = self.cols[key] = defaultdict(int)
            arr = self.dense.pop(key, None)
            if arr is not None:
                nz = arr.nonzero()[0]
                col.update(zip(nz.tolist(), arr[nz].tolist()))
        return col

    def set_dense(self, key: str, arr: Any) -> None:
        """Add the integer numpy array ``arr`` (one value per item) to column ``key``."""
        col = self.cols.pop(key, None)
        if key in self.dense:
            arr = self.dense[key] + arr
        if col:
            arr = arr.copy()
            for i, v in col.items():
                arr[i] += v
        self.dense[key] = arr

    def add(self, key: str, item: int, value: float = 1) -> None:
        self.column(key)[item] += value

    def _dense(self, col: dict[int, float]) -> list[float]:
        out: list[float] = [0] * self.n
        for i, v in col.items():
            out[i] = v
        return out

    def _stored(self, key: str) -> list[float] | None:
        col = self.cols.get(key)
        if col is not None:
            return self._dense(col)
        arr = self.dense.get(key)
        return None if arr is None else arr.tolist()

    def values(self, key: str) -> list[float] | None:
        """The per-item values (a list of ``n``) of a stored or derived column (None when it
        has none): what the bootstrap resamples."""
        if key in self.cols or key in self.dense or key not in self.derived:
            return self._stored(key)
        out: list[float] | None = None
        for part, w in self.derived[key]:
            c = self._stored(part)
            if c is None:
                continue
            if out is None:
                out = c if w == 1 else [w * y if y else y for y in c]
            else:  # the value the per-item additions would have given (an int stays an int)
                out = [x + w * y if y else x for x, y in zip(out, c)]
        return out

    def total(self, key: str) -> float:
        col = self.values(key)
        return sum(col) if col is not None else 0

    def totals(self) -> dict[str, float]:
        # in item order, as the sum over every item would add them (the missing ones are
        # zeros, which change no sum): float totals stay the same to the last bit; the dense
        # columns are integers (any order gives the same sum)
        out = {k: sum([v[i] for i in sorted(v)]) for k, v in self.cols.items()}
        for k, arr in self.dense.items():
            out[k] = int(arr.sum())
        for key, parts in self.derived.items():
            present = [(out[p], w) for p, w in parts if p in out]
            if present:
                total = 0
                for t, w in present:
                    if t:
                        total = total + w * t
                out[key] = total
        return out


def div(a: Any, b: Any) -> Any:
    """a / b, 0 where b is 0 (scalars or numpy arrays)."""
    if isinstance(b, (int, float)):
        return a / b if b else 0.0
    import numpy as np

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b != 0)


def prf(tp_p: Any, n_p: Any, tp_r: Any, n_r: Any) -> tuple[Any, Any, Any]:
    """Precision tp_p/n_p, recall tp_r/n_r and their harmonic mean; every 0/0 is 0."""
    p, r = div(tp_p, n_p), div(tp_r, n_r)
    return p, r, div(2 * p * r, p + r)


@dataclass(frozen=True)
class Figure:
    """A P/R/F figure: the four columns it is a ratio of."""

    tp_p: str
    n_p: str
    tp_r: str
    n_r: str

    def compute(self, totals: dict[str, Any]) -> tuple[Any, Any, Any]:
        g = lambda k: totals.get(k, 0)  # noqa: E731
        return prf(g(self.tp_p), g(self.n_p), g(self.tp_r), g(self.n_r))


def _fig(prefix: str, tp: str = "tp", np_: str = "np", ng: str = "ng") -> Figure:
    return Figure(f"{prefix}.{tp}", f"{prefix}.{np_}", f"{prefix}.{tp}", f"{prefix}.{ng}")


def figures() -> dict[str, Figure]:
    """Every figure by dotted report path (headline ones and breakdowns)."""
    out: dict[str, Figure] = {}
    for s in ENTITY_SCHEMES:
        out[f"entities.{s}"] = _fig(f"ent.{s}", "tp", "act", "pos")
        for lab in LABELS:
            out[f"entities.per_label.{lab}.{s}"] = _fig(f"ent.{lab}.{s}", "tp", "act", "pos")
    out["entities.seqeval"] = _fig("seq")
    for m in QUOTE_METRICS:
        if m == "proportional":
            out["quotes.proportional"] = Figure("q.proportional.sp", "q.proportional.np",
                                                "q.proportional.sr", "q.proportional.ng")
        else:
            out[f"quotes.{m}"] = _fig(f"q.{m}")
        for t in QUOTE_TYPES:
            if m == "proportional":
                out[f"quotes.per_type.{t}.{m}"] = Figure(f"q.{t}.proportional.sp", f"q.{t}.proportional.np",
                                                         f"q.{t}.proportional.sr", f"q.{t}.proportional.ng")
            else:
                out[f"quotes.per_type.{t}.{m}"] = _fig(f"q.{t}.{m}")
    for m in CUE_METRICS:
        out[f"cues.{m}"] = _fig(f"cue.{m}")
    out["attribution.end_to_end"] = Figure("att.correct", "att.np", "att.correct", "att.ng")
    return out


HEADLINE = ("entities.strict", "entities.exact", "entities.partial", "entities.type", "entities.seqeval",
            "quotes.exact", "quotes.exact_typed", "quotes.overlap", "quotes.proportional",
            "cues.exact", "cues.overlap", "attribution.end_to_end")


# --- entities: the SemEval-2013 schemes exactly as nervaluate (1.2) implements them ----------


def _sufficient_overlap(p: tuple, t: tuple) -> bool:
    # nervaluate's test on inclusive ends (end - 1), min_overlap_percentage = 1.0
    ps, pe, ts, te = p[0], p[1] - 1, t[0], t[1] - 1
    if ps > te or pe < ts:
        return False
    return ((min(pe, te) - max(ps, ts) + 1) / (te - ts + 1)) * 100.0 >= 1.0


def overlap_candidates(true: list[tuple], pred: list[tuple]) -> list[list[int]]:
    """For each prediction, the gold spans (indices, ascending) it overlaps enough for
    nervaluate; ``true`` sorted by start. Only these can ever be matched to it, so a sweep
    (bisect on starts, running maximum of ends) replaces the scan over every gold span."""
    starts = [t[0] for t in true]
    max_end: list[int] = []
    for t in true:
        max_end.append(max(t[1], max_end[-1]) if max_end else t[1])
    out = []
    for p in pred:
        k = bisect_left(starts, p[1]) - 1
        found = []
        while k >= 0 and max_end[k] > p[0]:
            t = true[k]
            if t[1] > p[0] and ((min(p[1], t[1]) - max(p[0], t[0])) / (t[1] - t[0])) * 100.0 >= 1.0:
                found.append(k)  # _sufficient_overlap, inlined (the same arithmetic)
            k -= 1
        found.reverse()
        out.append(found)
    return out


def match_outcomes(scheme: str, true: list[tuple], pred: list[tuple],
                   cands: list[list[int]]) -> tuple[list[tuple[str, int | None]], list[int]]:
    """nervaluate's strategy for ``scheme`` over predictions in list order: each one's outcome
    with the gold index it takes (None when spurious), and the gold indices left missed.
    ``cands`` are the gold spans each prediction may take (see :func:`overlap_candidates`);
    nervaluate scans every gold span, but only those can hit or count as overlapping."""
    matched: set[int] = set()
    out: list[tuple[str, int | None]] = []
    typed = scheme == "type"
    labelled = scheme == "strict"
    near = "par" if scheme == "partial" else "inc"
    for p, c in zip(pred, cands):
        hit = other = None
        if typed:  # the nearest same-label gold span (first on ties), else the first other one
            best = None
            for ti in c:
                if ti in matched:
                    continue
                t = true[ti]
                if p[2] == t[2]:
                    dist = abs(p[0] - t[0]) + abs(p[1] - t[1])
                    if best is None or dist < best:
                        hit, best = ti, dist
                elif other is None:
                    other = ti
        else:  # the first gold span with the same boundaries (and label), else the first overlapping
            for ti in c:
                if ti in matched:
                    continue
                t = true[ti]
                if p[0] == t[0] and p[1] == t[1] and (not labelled or p[2] == t[2]):
                    hit = ti
                    break
                if other is None:
                    other = ti
        if hit is not None:
            out.append(("cor", hit))
            matched.add(hit)
        elif other is not None:
            out.append((near, other))
            matched.add(other)
        else:
            out.append(("spu", None))
    return out, [ti for ti in range(len(true)) if ti not in matched]


def nervaluate_outcomes(scheme: str, true: list[tuple], pred: list[tuple]) -> list[tuple[str, int | None, int | None]]:
    """(outcome, pred index, true index) for spans ``(start, end, label)``, following
    nervaluate's strategy for ``scheme`` (strict, exact, partial, type) in list order."""
    order = sorted(range(len(true)), key=lambda i: true[i][0])  # the sweep wants gold in start order
    cands = overlap_candidates([true[i] for i in order], pred)
    kinds, missed = match_outcomes(scheme, true, pred, [sorted(order[k] for k in c) for c in cands])
    return [(k, pi, ti) for pi, (k, ti) in enumerate(kinds)] + [("mis", None, ti) for ti in missed]


# --- seqeval (strict IOB2) on the projection onto gold tokens ---------------------------------


def iob2_chunks(tags: list[str]) -> set[tuple[str, int, int]]:
    """Entities ``(type, first, last)`` of a tag sequence under seqeval's strict IOB2 scheme:
    a chunk is a ``B-X`` followed by any ``I-X``; an ``I-`` that does not continue one is void."""
    out = set()
    cur: str | None = None
    begin = 0
    for k, tag in enumerate(tags):
        prefix, _, typ = tag.partition("-")
        if cur is not None and prefix == "I" and typ == cur:
            continue
        if cur is not None:
            out.add((cur, begin, k - 1))
            cur = None
        if prefix == "B":
            cur, begin = typ, k
    if cur is not None:
        out.add((cur, begin, len(tags) - 1))
    return out


@lru_cache(maxsize=16)
def _sentence_tokens(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    return tuple((t.start, t.end) for t in tokenize(text, start, end))


def sentence_tags(doc: Document, spans: Iterable[tuple[int, int, str]]) -> list[list[str]]:
    """IOB2 tags of every sentence's tokens for spans ``(start, end, label)``; a span belongs
    to the sentence its start falls in (``benchmark.dataset.iob2`` does the projection)."""
    per: list[list[tuple[int, int, str]]] = [[] for _ in doc.sentences]
    for s, e, lab in spans:
        per[doc.sentence_index(s)].append((s, e, lab))
    return [iob2(list(_sentence_tokens(doc.text, sent.start, sent.end)), per[i])
            for i, sent in enumerate(doc.sentences)]


_MISS = object()


def projected_chunks(text: str, bounds: list[tuple[int, int]], spans: list[tuple[int, int, str]],
                     items: list[int], runs: dict | None = None, record: dict | None = None) -> list[tuple[int, str, int, int]]:
    """The strict IOB2 chunks ``(sentence, label, first token start, last token end)`` that
    ``iob2_chunks(sentence_tags(doc, spans))`` finds, without building tags: ``spans`` sorted,
    ``items`` their sentence indices, ``bounds`` the sentences' ``(start, end)``.

    iob2 gives a span the tokens it overlaps that no earlier span took. Earlier spans start
    no later, so the taken ones are a prefix of its tokens: what is left is a run from the
    first token after the last taken one, tagged B-X I-X…, which is exactly one chunk; a span
    left with no token makes none.

    ``span_tokens`` gives the same run for any ``after <= max(start, lo)`` (the sentence's
    start ``lo``): such runs are kept in ``record`` by ``(start, end, sentence)``, and taken
    from ``runs`` (the gold's: most predicted spans are gold spans) instead of computed."""
    out = []
    current, after = -1, 0
    for (s, e, lab), k in zip(spans, items):
        if k != current:
            current, after = k, 0
        if k >= len(bounds):
            continue
        lo = bounds[k][0]
        free = after <= s or after <= lo
        run = runs.get((s, e, k), _MISS) if runs is not None and free else _MISS
        if run is _MISS:
            run = span_tokens(text, s, e, lo, bounds[k][1], after)
            if record is not None and free:
                record[(s, e, k)] = run
        if run is not None:
            out.append((k, lab, run[0], run[1]))
            after = run[1]
    return out


# --- quotes, cues and attribution -------------------------------------------------------------


def _exact_pairs(gold_keys: list[tuple], pred_keys: list[tuple | None]) -> list[tuple[int, int]]:
    """One-to-one pairs of equal keys (in gold order, each pred used once)."""
    free: dict[tuple, list[int]] = {}
    for j, k in enumerate(pred_keys):
        if k is not None:
            free.setdefault(k, []).append(j)
    pairs = []
    for i, k in enumerate(gold_keys):
        js = free.get(k)
        if js:
            pairs.append((i, js.pop(0)))
    return pairs


class _ColumnsOf(dict):
    """The columns ``st.column(fmt % x)`` by ``x``, each looked up (and created) once."""

    def __init__(self, st: Stats, fmt: str) -> None:
        super().__init__()
        self.st, self.fmt = st, fmt

    def __missing__(self, x: str) -> defaultdict[int, float]:
        col = self[x] = self.st.column(self.fmt % x)
        return col


def _pair_columns(st: Stats, prefix: str, cats: bool) -> tuple:
    """The columns :func:`_pair_stats` adds into, looked up once per ``st`` and prefix."""
    memo = st.__dict__.setdefault("_pair_memo", {})
    cols = memo.get(prefix)
    if cols is None:
        tp, ng, np_ = (st.column(f"{prefix}.{k}") for k in ("tp", "ng", "np"))
        if cats:
            head, _, metric = prefix.partition(".")
            cols = (tp, ng, np_) + tuple(_ColumnsOf(st, f"{head}.%s.{metric}.{k}") for k in ("tp", "ng", "np"))
        else:
            cols = (tp, ng, np_, None, None, None)
        memo[prefix] = cols
    return cols


def _pair_stats(st: Stats, prefix: str, pairs: list[tuple[int, int]], g_item: list[int], p_item: list[int],
                g_cat: list[str] | None = None, p_cat: list[str | None] | None = None) -> None:
    """tp / np / ng columns for a one-to-one matching, overall and (with categories) per
    category: a prediction takes its matched gold's category, else its own.

    A matched prediction is counted on its gold's item, like the match itself, so that
    every bootstrap resample keeps tp <= np (a prediction may start in another sentence)."""
    tp, ng, np_, tp_c, ng_c, np_c = _pair_columns(st, prefix, g_cat is not None)
    if pairs:
        p_item = p_item[:]
        for i, j in pairs:
            p_item[j] = it = g_item[i]
            tp[it] += 1
    for it in g_item:
        ng[it] += 1
    for it in p_item:
        np_[it] += 1
    if g_cat is None:
        return
    for i, _ in pairs:
        tp_c[g_cat[i]][g_item[i]] += 1
    for cat, it in zip(g_cat, g_item):
        ng_c[cat][it] += 1
    cats = p_cat[:] if p_cat else [None] * len(p_item)
    for i, j in pairs:
        cats[j] = g_cat[i]
    for cat, it in zip(cats, p_item):
        if cat is not None:
            np_c[cat][it] += 1


def speaker_mentions(doc: Document) -> list[tuple[int, int, str]]:
    """Gold mentions a speaker span can land on: entity mentions and quote speaker mentions,
    as ``(start, end, cluster)`` in document order."""
    out = [(m.start, m.end, m.cluster) for m in doc.entities]
    out += [(q.speaker_mention.start, q.speaker_mention.end, q.speaker) for q in doc.quotes if q.speaker_mention]
    return sorted(set(out))


class SpeakerIndex:
    """Resolution of predicted speakers to gold clusters in one document."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.mentions = speaker_mentions(doc)
        self.clusters = {c.id for c in doc.clusters}
        self._names: list[tuple[str, list[str]]] | None = None

    @classmethod
    def of(cls, doc: Document) -> "SpeakerIndex":
        return cls(doc)

    @property
    def names(self) -> list[tuple[str, list[str]]]:
        """Cluster id and its normalized name, aliases and mention strings; built on the first
        text speaker (normalizing every mention is most of the index's cost)."""
        if self._names is None:
            by_cluster: dict[str, list[str]] = {}
            for s, e, k in self.mentions:
                by_cluster.setdefault(k, []).append(self.doc.text[s:e])
            names = []
            for c in self.doc.clusters:
                normed: list[str] = []
                for x in [c.name, *c.aliases, *by_cluster.get(c.id, ())]:
                    n = normalize(x)
                    if n and n not in normed:
                        normed.append(n)
                names.append((c.id, normed))
            self._names = names
        return self._names

    def resolve(self, speaker: Any) -> str | None:
        """The cluster a predicted speaker refers to, or None (unresolved)."""
        if speaker is None:
            return None
        if speaker.cluster is not None:
            return speaker.cluster if speaker.cluster in self.clusters else None
        if speaker.start is not None:
            best, best_len = None, 0
            for s, e, c in self.mentions:  # document order: ties go to the earliest
                n = max(0, min(e, speaker.end) - max(s, speaker.start))
                if n > best_len:
                    best, best_len = c, n
            return best
        text = normalize(speaker.text)
        if not text:
            return None
        for cid, strings in self.names:
            if text in strings:
                return cid
        best, best_len = None, 0
        for cid, strings in self.names:
            if strings:
                longest = max(strings, key=len)
                if longest in text and len(longest) > best_len:
                    best, best_len = cid, len(longest)
        return best


class GoldIndex:
    """What scoring needs of one gold document, computed once: gold documents are frozen,
    and the same ones are scored again and again (a leaderboard, a sweep of systems)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.bounds = [(s.start, s.end) for s in doc.sentences]
        self.starts = [s for s, _ in self.bounds]
        self._sorted = all(a <= b for a, b in zip(self.starts, self.starts[1:]))
        # at least one sentence, in order and apart: what global coordinates need (benchmark.vectorized)
        self.apart = bool(self.bounds) and all(e <= s for (_, e), (s, _) in zip(self.bounds, self.bounds[1:]))
        item = self.item
        self.true = sorted((m.start, m.end, m.label._value_) for m in doc.entities)
        self.t_item = [item(s) for s, _, _ in self.true]
        self._chunks: set | None = None
        self._runs: dict[tuple[int, int, int], tuple[int, int] | None] = {}
        self.quotes = sorted(doc.quotes, key=lambda q: (q.start, q.end))
        self.q_item = [item(q.start) for q in self.quotes]
        self.q_type = [q.type._value_ for q in self.quotes]
        self.q_spans = [(q.start, q.end) for q in self.quotes]
        self.q_typed = [(q.start, q.end, q.type._value_) for q in self.quotes]
        self.cues = [q.cue for q in self.quotes]
        self.cue_item = [item(c.start) for c in self.cues]
        self.cue_spans = [(c.start, c.end) for c in self.cues]
        self.speakers = SpeakerIndex.of(doc)

    @property
    def chunks(self) -> set[tuple[int, str, int, int]]:
        """The chunks of the gold's own tags (:func:`projected_chunks`), built on first use
        (a big call projects with numpy and never asks)."""
        if self._chunks is None:
            self._chunks = set(projected_chunks(self.doc.text, self.bounds, self.true, self.t_item, record=self._runs))
        return self._chunks

    @property
    def runs(self) -> dict[tuple[int, int, int], tuple[int, int] | None]:
        """The gold spans' token runs, which :func:`projected_chunks` takes for predicted spans
        equal to gold ones."""
        self.chunks  # noqa: B018 - recorded while the chunks are built
        return self._runs

    def item(self, offset: int) -> int:
        """``doc.sentence_index(offset)``, by bisection when the sentences are in order."""
        if not self._sorted:
            return self.doc.sentence_index(offset)
        return max(0, bisect_right(self.starts, offset) - 1)


_INDEXES: dict[int, GoldIndex] = {}
_MAX_INDEXES = 2048


def gold_index(doc: Document) -> GoldIndex:
    """The cached :class:`GoldIndex` of ``doc`` (by identity: the entry holds the document, so
    its id cannot be reused while cached)."""
    gi = _INDEXES.get(id(doc))
    if gi is None or gi.doc is not doc:
        if len(_INDEXES) >= _MAX_INDEXES:
            _INDEXES.clear()
        gi = _INDEXES[id(doc)] = GoldIndex(doc)
    return gi


# The outcomes of a prediction that overlaps exactly one gold span, which overlaps no other
# prediction (most of them): no competition, so nervaluate's strategies reduce to comparing
# boundaries and labels. Per scheme: (same boundaries and label, same boundaries, same label)
# → outcome of the overall run, and of the run of the common label when the labels agree.
def _pair_outcome(scheme: str, same_span: bool, same_label: bool) -> str:
    if scheme == "strict":
        return "cor" if same_span and same_label else "inc"
    if scheme == "exact":
        return "cor" if same_span else "inc"
    if scheme == "partial":
        return "cor" if same_span else "par"
    return "cor" if same_label else "inc"


class _EntityColumns:
    """The outcome columns one pattern adds to, looked up once per pattern and document."""

    def __init__(self, st: Stats) -> None:
        self.st = st
        self.cache: dict[tuple, list[defaultdict[int, float]]] = {}

    def key(self, scheme: str, label: str | None, kind: str) -> defaultdict[int, float]:
        return self.st.column(f"ent.{scheme}.{kind}" if label is None else f"ent.{label}.{scheme}.{kind}")

    def pair(self, t_label: str, p_label: str, same_span: bool) -> list[defaultdict[int, float]]:
        """Columns of an isolated pair (on the gold item): overall, then per label."""
        k = (t_label, p_label, same_span)
        cols = self.cache.get(k)
        if cols is None:
            same = t_label == p_label
            cols = [self.key(sc, None, _pair_outcome(sc, same_span, same)) for sc in ENTITY_SCHEMES]
            if same:
                cols += [self.key(sc, t_label, _pair_outcome(sc, same_span, True)) for sc in ENTITY_SCHEMES]
            else:  # apart in the per-label runs: the gold is missed there (the prediction
                # is spurious in its own label's runs: the caller adds those)
                cols += [self.key(sc, t_label, "mis") for sc in ENTITY_SCHEMES]
            self.cache[k] = cols
        return cols

    def alone(self, label: str, kind: str) -> list[defaultdict[int, float]]:
        """Columns of a span nothing overlaps (spurious or missed in all eight runs)."""
        k = (label, kind)
        cols = self.cache.get(k)
        if cols is None:
            cols = self.cache[k] = [self.key(sc, lab, kind) for sc in ENTITY_SCHEMES for lab in (None, label)]
        return cols


def _entity_stats(st: Stats, base: int, g: GoldIndex, pred: list[tuple], p_item: list[int], lost: list[str]) -> None:
    """nervaluate's four schemes, overall and per label, as outcome columns (ACT, POS and TP
    are derived from them: see DERIVED). Candidates are found once for all eight runs. A pair
    that overlaps nothing else takes its outcomes from the closed form; predictions that
    compete (and the gold spans they share) go through the strategies: the overall runs with
    every candidate, the per-label runs in one pass with same-label candidates (the labels
    never compete there)."""
    true, t_item = g.true, g.t_item
    cands = overlap_candidates(true, pred)
    takers = [0] * len(true)
    for c in cands:
        for ti in c:
            takers[ti] += 1
    cols = _EntityColumns(st)
    crowded = []
    for pi, c in enumerate(cands):
        p = pred[pi]
        if not c:
            for col in cols.alone(p[2], "spu"):
                col[base + p_item[pi]] += 1
        elif len(c) == 1 and takers[c[0]] == 1:
            t = true[c[0]]
            it = base + t_item[c[0]]
            for col in cols.pair(t[2], p[2], p[0] == t[0] and p[1] == t[1]):
                col[it] += 1
            if t[2] != p[2]:
                for col in cols.alone(p[2], "spu")[1::2]:  # spurious in its own label's runs
                    col[base + p_item[pi]] += 1
        else:
            crowded.append(pi)
    for ti, n in enumerate(takers):
        if not n:
            for col in cols.alone(true[ti][2], "mis"):
                col[base + t_item[ti]] += 1
    if crowded:
        sub = [pred[pi] for pi in crowded]
        shared = sorted({ti for pi in crowded for ti in cands[pi]})
        sub_cands = [cands[pi] for pi in crowded]
        same = [[ti for ti in c if true[ti][2] == p[2]] for p, c in zip(sub, sub_cands)]
        for scheme in ENTITY_SCHEMES:
            for candidates, per_label in ((sub_cands, False), (same, True)):
                outcomes, _ = match_outcomes(scheme, true, sub, candidates)
                taken = set()
                for (kind, ti), p, pi in zip(outcomes, sub, crowded):
                    taken.add(ti)
                    label = p[2] if per_label else None
                    cols.key(scheme, label, kind)[base + (t_item[ti] if ti is not None else p_item[pi])] += 1
                for ti in shared:
                    if ti not in taken:
                        cols.key(scheme, true[ti][2] if per_label else None, "mis")[base + t_item[ti]] += 1
    for lab in lost:  # ungrounded: spurious, on the document's first item
        for scheme in ENTITY_SCHEMES:
            cols.key(scheme, None, "spu")[base] += 1
            cols.key(scheme, lab, "spu")[base] += 1


EntityBatch = list  # of (base, GoldIndex, EntityColumns), one per document


def entity_stats(st: Stats, batch: EntityBatch) -> None:
    """The entity columns (nervaluate's schemes and seqeval) of every document of ``batch``,
    one document at a time. Both sides are sorted (nervaluate's outcome depends on the order);
    an ungrounded prediction is spurious. ``benchmark.vectorized.entity_stats`` adds the
    same columns for a big call at once."""
    for base, g, cols in batch:
        pred = sorted(zip(cols.starts, cols.ends, cols.labels))
        if g._sorted:  # GoldIndex.item, inlined
            starts = g.starts
            p_item = [max(0, bisect_right(starts, s) - 1) for s, _, _ in pred]
        else:
            p_item = [g.item(s) for s, _, _ in pred]
        _entity_stats(st, base, g, pred, p_item, cols.lost)
        _seqeval_stats(st, base, g, pred, p_item, len(cols.lost))


def _seqeval_stats(st: Stats, base: int, g: GoldIndex, pred: list[tuple], p_item: list[int], lost: int) -> None:
    """seqeval strict IOB2 counts per sentence: chunks of the gold tags against chunks of the
    predictions projected on the gold tokens (ungrounded ones: predicted, never correct)."""
    tp, ng, np_ = st.column("seq.tp"), st.column("seq.ng"), st.column("seq.np")
    for k, _, _, _ in g.chunks:
        ng[base + k] += 1
    gold = g.chunks
    for key in projected_chunks(g.doc.text, g.bounds, pred, p_item, runs=g.runs):
        np_[base + key[0]] += 1
        if key in gold:
            tp[base + key[0]] += 1
    np_[base] += lost


def quote_order(q: PQuote) -> tuple:
    """The order predicted quotes are scored in (so that their input order never matters):
    grounded ones by start, end, type and cue start, then the ungrounded ones."""
    return (q.span.start is None, q.span.start or 0, q.span.end or 0, q.type or "",
            q.cue.start if q.cue and q.cue.ok else -1)


def _quote_stats(st: Stats, base: int, g: GoldIndex, quotes: list[PQuote]) -> None:
    first = base
    gq = g.quotes
    g_item = [base + k for k in g.q_item]
    g_type = g.q_type
    pq = sorted(quotes, key=quote_order)
    pq_item = [base + g.item(q.span.start) if q.span.ok else first for q in pq]
    p_type = [q.type for q in pq]
    spans = [(q.span.start, q.span.end) if q.span.ok else None for q in pq]
    _pair_stats(st, "q.exact", _exact_pairs(g.q_spans, spans), g_item, pq_item, g_type, p_type)
    typed = [(s[0], s[1], t) if s is not None else None for s, t in zip(spans, p_type)]
    _pair_stats(st, "q.exact_typed", _exact_pairs(g.q_typed, typed), g_item, pq_item, g_type, p_type)
    ok = [j for j, q in enumerate(pq) if q.span.ok]
    ok_spans = [pq[j].span for j in ok]
    touching_pairs = overlapping_pairs(gq, ok_spans)
    overlap = [(i, ok[j]) for i, j in greedy_overlap_matching(gq, ok_spans, touching_pairs)]
    _pair_stats(st, "q.overlap", overlap, g_item, pq_item, g_type, p_type)

    # proportional overlap (Johansson & Moschitti): per prediction the gold quote it covers
    # best (the first on ties, in gold order), per gold quote the best coverage
    touching: dict[int, list[int]] = {}
    for i, j in sorted(touching_pairs):
        touching.setdefault(ok[j], []).append(i)
    best_g = [0.0] * len(gq)
    sp_all, np_all, sr_all, ng_all = (st.column(f"q.proportional.{k}") for k in ("sp", "np", "sr", "ng"))
    sp_c, np_c, sr_c, ng_c = (_ColumnsOf(st, f"q.%s.proportional.{k}") for k in ("sp", "np", "sr", "ng"))
    for j, q in enumerate(pq):
        val, cat = 0.0, p_type[j]
        if q.span.ok:
            plen = q.span.end - q.span.start
            for i in touching.get(j, ()):
                g_ = gq[i]
                n = overlap_length(g_, q.span)
                if n / plen > val:
                    val, cat = n / plen, g_type[i]
                best_g[i] = max(best_g[i], n / (g_.end - g_.start))
        it = pq_item[j]  # overall, then the category's (each column adds in the same order)
        sp_all[it] += val
        np_all[it] += 1
        if cat:
            sp_c[cat][it] += val
            np_c[cat][it] += 1
    for i in range(len(gq)):
        it = g_item[i]
        sr_all[it] += best_g[i]
        ng_all[it] += 1
        sr_c[g_type[i]][it] += best_g[i]
        ng_c[g_type[i]][it] += 1

    # cues
    gc_item = [base + k for k in g.cue_item]
    pcues = [q.cue for q in pq if q.cue is not None]
    pc_item = [base + g.item(c.start) if c.ok else first for c in pcues]
    _pair_stats(st, "cue.exact", _exact_pairs(g.cue_spans, [(c.start, c.end) if c.ok else None for c in pcues]),
                gc_item, pc_item)
    okc = [j for j, c in enumerate(pcues) if c.ok]
    cpairs = [(i, okc[j]) for i, j in greedy_overlap_matching(g.cues, [pcues[j] for j in okc])]
    _pair_stats(st, "cue.overlap", cpairs, gc_item, pc_item)

    # attribution over the quote overlap matching
    resolved = [g.speakers.resolve(q.speaker) for q in pq]
    att_np, unresolved = st.column("att.np"), st.column("att.unresolved")
    on_gold = {j: g_item[i] for i, j in overlap}  # as in _pair_stats: correct <= np per resample
    for j, it in enumerate(pq_item):
        it = on_gold.get(j, it)
        att_np[it] += 1
        if resolved[j] is None:
            unresolved[it] += 1
    att_ng, kind_ng = st.column("att.ng"), _ColumnsOf(st, "att.%s.ng")
    for i, q in enumerate(gq):
        att_ng[g_item[i]] += 1
        kind_ng[q.speaker_kind._value_][g_item[i]] += 1
    correct, kind_correct = st.column("att.correct"), _ColumnsOf(st, "att.%s.correct")
    matched, kind_matched = st.column("att.matched") if overlap else None, _ColumnsOf(st, "att.%s.matched")
    for i, j in overlap:
        kind = gq[i].speaker_kind._value_
        matched[g_item[i]] += 1
        kind_matched[kind][g_item[i]] += 1
        if resolved[j] is not None and resolved[j] == gq[i].speaker:
            correct[g_item[i]] += 1
            kind_correct[kind][g_item[i]] += 1


def quote_stats(st: Stats, batch: list) -> None:
    """The quote, cue and attribution columns of every document of ``batch`` (``(base,
    GoldIndex, [PQuote])``), one document at a time; ``benchmark.vectorized.quote_stats``
    adds the same columns for a big call at once."""
    for base, g, quotes in batch:
        _quote_stats(st, base, g, quotes)


def speaker_kind_rows(totals: dict[str, float]) -> dict[str, dict]:
    out = {}
    for k in SPEAKER_KINDS:
        c, m, g = (totals.get(f"att.{k}.{x}", 0) for x in ("correct", "matched", "ng"))
        out[k] = {"recall": div(c, g), "accuracy_on_matched": div(c, m),
                  "correct": int(c), "matched": int(m), "gold": int(g)}
    return out
