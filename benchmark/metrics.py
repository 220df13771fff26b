"""Per-item sufficient statistics of a scoring run, and the figures computed from them.

Items are the gold sentences (all documents, in order). Every count is put on one item: a
matched pair on the gold element's sentence, an unmatched prediction on the sentence its
start falls in (``Document.sentence_index``; an ungrounded one on its document's first
sentence), an unmatched gold element on its own sentence. Every figure is then a ratio of
sums of item columns, so aggregation (and the bootstrap) only re-sums counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

from .dataset import iob2
from .grounding import normalize
from .predictions import PEntity, PQuote, PSpan
from .schema import LABELS, QUOTE_TYPES, SPEAKER_KINDS, Document
from .spans import greedy_overlap_matching, overlap_length
from .text import tokenize

ENTITY_SCHEMES = ("strict", "exact", "partial", "type")
QUOTE_METRICS = ("exact", "exact_typed", "overlap", "proportional")
CUE_METRICS = ("exact", "overlap")


class Stats:
    """Named columns of per-item numbers (one entry per gold sentence)."""

    def __init__(self, n_items: int) -> None:
        self.n = n_items
        self.cols: dict[str, list[float]] = {}

    def add(self, key: str, item: int, value: float = 1) -> None:
        col = self.cols.get(key)
        if col is None:
            col = self.cols[key] = [0] * self.n
        col[item] += value

    def total(self, key: str) -> float:
        col = self.cols.get(key)
        return sum(col) if col is not None else 0

    def totals(self) -> dict[str, float]:
        return {k: sum(v) for k, v in self.cols.items()}


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


def nervaluate_outcomes(scheme: str, true: list[tuple], pred: list[tuple]) -> list[tuple[str, int | None, int | None]]:
    """(outcome, pred index, true index) for spans ``(start, end, label)``, following
    nervaluate's strategy for ``scheme`` (strict, exact, partial, type) in list order."""
    out: list[tuple[str, int | None, int | None]] = []
    matched: set[int] = set()
    for pi, p in enumerate(pred):
        hit: int | None = None
        other: int | None = None
        best = None
        for ti, t in enumerate(true):
            if ti in matched:
                continue
            if scheme == "strict":
                if p[2] == t[2] and p[0] == t[0] and p[1] == t[1]:
                    hit = ti
                    break
                if other is None and _sufficient_overlap(p, t):
                    other = ti
            elif scheme == "exact":
                if p[0] == t[0] and p[1] == t[1]:
                    hit = ti
                    break
                if other is None and _sufficient_overlap(p, t):
                    other = ti
            elif scheme == "partial":
                if _sufficient_overlap(p, t):
                    if p[0] == t[0] and p[1] == t[1]:
                        hit = ti
                        break
                    if other is None:
                        other = ti
            else:  # type
                if _sufficient_overlap(p, t):
                    dist = abs(p[0] - t[0]) + abs(p[1] - t[1])
                    if p[2] == t[2]:
                        if best is None or dist < best:
                            hit, best = ti, dist
                    elif other is None:
                        other = ti
        if hit is not None:
            out.append(("cor", pi, hit))
            matched.add(hit)
        elif other is not None:
            out.append(("par" if scheme == "partial" else "inc", pi, other))
            matched.add(other)
        else:
            out.append(("spu", pi, None))
    out.extend(("mis", None, ti) for ti in range(len(true)) if ti not in matched)
    return out


def _entity_stats(st: Stats, prefix: str, scheme: str, true: list[tuple], pred: list[tuple],
                  t_item: list[int], p_item: list[int]) -> None:
    half = scheme in ("partial", "type")
    for kind, pi, ti in nervaluate_outcomes(scheme, true, pred):
        item = t_item[ti] if ti is not None else p_item[pi]
        st.add(f"{prefix}.{kind}", item)
        if kind in ("cor", "par", "inc", "spu"):
            st.add(f"{prefix}.act", item)
        if kind in ("cor", "par", "inc", "mis"):
            st.add(f"{prefix}.pos", item)
        if kind == "cor" or (kind == "par" and half):
            st.add(f"{prefix}.tp", item, 1 if kind == "cor" else 0.5)


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


def _pair_stats(st: Stats, prefix: str, pairs: list[tuple[int, int]], n_gold: int, n_pred: int,
                g_item: list[int], p_item: list[int], g_cat: list[str] | None = None,
                p_cat: list[str | None] | None = None) -> None:
    """tp / np / ng columns for a one-to-one matching, overall and (with categories) per
    category: a prediction takes its matched gold's category, else its own."""
    matched_p = {j: i for i, j in pairs}
    for i, _ in pairs:
        st.add(f"{prefix}.tp", g_item[i])
    for i in range(n_gold):
        st.add(f"{prefix}.ng", g_item[i])
    for j in range(n_pred):
        st.add(f"{prefix}.np", p_item[j])
    st.cols.setdefault(f"{prefix}.tp", [0] * st.n)
    if g_cat is None:
        return
    head, _, metric = prefix.partition(".")
    for i, _ in pairs:
        st.add(f"{head}.{g_cat[i]}.{metric}.tp", g_item[i])
    for i in range(n_gold):
        st.add(f"{head}.{g_cat[i]}.{metric}.ng", g_item[i])
    for j in range(n_pred):
        cat = g_cat[matched_p[j]] if j in matched_p else (p_cat[j] if p_cat else None)
        if cat is not None:
            st.add(f"{head}.{cat}.{metric}.np", p_item[j])


def speaker_mentions(doc: Document) -> list[tuple[int, int, str]]:
    """Gold mentions a speaker span can land on: entity mentions and quote speaker mentions,
    as ``(start, end, cluster)`` in document order."""
    out = [(m.start, m.end, m.cluster) for m in doc.entities]
    out += [(q.speaker_mention.start, q.speaker_mention.end, q.speaker) for q in doc.quotes if q.speaker_mention]
    return sorted(set(out))


@dataclass
class SpeakerIndex:
    """Resolution of predicted speakers to gold clusters in one document."""

    mentions: list[tuple[int, int, str]]
    names: list[tuple[str, list[str]]]  # cluster id, normalized mention/alias strings
    clusters: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, doc: Document) -> "SpeakerIndex":
        mentions = speaker_mentions(doc)
        names = []
        for c in doc.clusters:
            strings = [c.name, *c.aliases] + [doc.text[s:e] for s, e, k in mentions if k == c.id]
            normed = []
            for x in strings:
                n = normalize(x)
                if n and n not in normed:
                    normed.append(n)
            names.append((c.id, normed))
        return cls(mentions, names, {c.id for c in doc.clusters})

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


def document_stats(st: Stats, base: int, doc: Document, ents: list[PEntity], quotes: list[PQuote]) -> dict:
    """Add one document's statistics to ``st`` (its sentences are items base, base+1, …).
    Returns document-level extras (unresolved speakers)."""
    item = lambda offset: base + doc.sentence_index(offset)  # noqa: E731
    first = base

    # entities (nervaluate order: both sides sorted; ungrounded ones are spurious)
    true = sorted((m.start, m.end, m.label.value) for m in doc.entities)
    t_item = [item(s) for s, _, _ in true]
    pred = sorted((e.span.start, e.span.end, e.label) for e in ents if e.span.ok)
    p_item = [item(s) for s, _, _ in pred]
    lost = [e.label for e in ents if not e.span.ok]
    for scheme in ENTITY_SCHEMES:
        _entity_stats(st, f"ent.{scheme}", scheme, true, pred, t_item, p_item)
        for lab in lost:
            for key in ("spu", "act"):
                st.add(f"ent.{scheme}.{key}", first)
                st.add(f"ent.{lab}.{scheme}.{key}", first)
        for lab in LABELS:
            tl = [i for i, t in enumerate(true) if t[2] == lab]
            pl = [j for j, p in enumerate(pred) if p[2] == lab]
            if tl or pl:
                _entity_stats(st, f"ent.{lab}.{scheme}", scheme, [true[i] for i in tl], [pred[j] for j in pl],
                              [t_item[i] for i in tl], [p_item[j] for j in pl])

    # seqeval, on the gold tokens of each sentence
    gold_tags = sentence_tags(doc, true)
    pred_tags = sentence_tags(doc, pred)
    for k, (gt, pt) in enumerate(zip(gold_tags, pred_tags)):
        gc, pc = iob2_chunks(gt), iob2_chunks(pt)
        st.add("seq.tp", base + k, len(gc & pc))
        st.add("seq.ng", base + k, len(gc))
        st.add("seq.np", base + k, len(pc))
    if lost:
        st.add("seq.np", first, len(lost))

    # quotes
    gq = sorted(doc.quotes, key=lambda q: (q.start, q.end))
    g_item = [item(q.start) for q in gq]
    g_type = [q.type.value for q in gq]
    pq = sorted(quotes, key=lambda q: (q.span.start is None, q.span.start or 0, q.span.end or 0, q.type or "",
                                       q.cue.start if q.cue and q.cue.ok else -1))
    pq_item = [item(q.span.start) if q.span.ok else first for q in pq]
    p_type = [q.type for q in pq]
    spans = [(q.span.start, q.span.end) if q.span.ok else None for q in pq]
    gspans = [(q.start, q.end) for q in gq]
    _pair_stats(st, "q.exact", _exact_pairs(gspans, spans), len(gq), len(pq), g_item, pq_item, g_type, p_type)
    typed = [(s[0], s[1], t) if s is not None else None for s, t in zip(spans, p_type)]
    _pair_stats(st, "q.exact_typed", _exact_pairs([(s, e, t) for (s, e), t in zip(gspans, g_type)], typed),
                len(gq), len(pq), g_item, pq_item, g_type, p_type)
    ok = [j for j, q in enumerate(pq) if q.span.ok]
    overlap = [(i, ok[j]) for i, j in greedy_overlap_matching(gq, [pq[j].span for j in ok])]
    _pair_stats(st, "q.overlap", overlap, len(gq), len(pq), g_item, pq_item, g_type, p_type)
    # proportional overlap (Johansson & Moschitti)
    best_g = [0.0] * len(gq)
    for j, q in enumerate(pq):
        val, cat = 0.0, p_type[j]
        if q.span.ok:
            plen = q.span.end - q.span.start
            for i, g in enumerate(gq):
                n = overlap_length(g, q.span)
                if n:
                    if n / plen > val:
                        val, cat = n / plen, g_type[i]
                    best_g[i] = max(best_g[i], n / (g.end - g.start))
        for pre in ("q", f"q.{cat}") if cat else ("q",):
            st.add(f"{pre}.proportional.sp", pq_item[j], val)
            st.add(f"{pre}.proportional.np", pq_item[j])
    for i in range(len(gq)):
        for pre in ("q", f"q.{g_type[i]}"):
            st.add(f"{pre}.proportional.sr", g_item[i], best_g[i])
            st.add(f"{pre}.proportional.ng", g_item[i])

    # cues
    gcues = [q.cue for q in gq]
    gc_item = [item(c.start) for c in gcues]
    pcues = [q.cue for q in pq if q.cue is not None]
    pc_item = [item(c.start) if c.ok else first for c in pcues]
    _pair_stats(st, "cue.exact", _exact_pairs([(c.start, c.end) for c in gcues],
                                              [(c.start, c.end) if c.ok else None for c in pcues]),
                len(gcues), len(pcues), gc_item, pc_item)
    okc = [j for j, c in enumerate(pcues) if c.ok]
    cpairs = [(i, okc[j]) for i, j in greedy_overlap_matching(gcues, [pcues[j] for j in okc])]
    _pair_stats(st, "cue.overlap", cpairs, len(gcues), len(pcues), gc_item, pc_item)

    # attribution over the quote overlap matching
    index = SpeakerIndex.of(doc)
    resolved = [index.resolve(q.speaker) for q in pq]
    for j in range(len(pq)):
        st.add("att.np", pq_item[j])
        if resolved[j] is None:
            st.add("att.unresolved", pq_item[j])
    for i, q in enumerate(gq):
        st.add("att.ng", g_item[i])
        st.add(f"att.{q.speaker_kind.value}.ng", g_item[i])
    st.cols.setdefault("att.correct", [0] * st.n)
    for i, j in overlap:
        kind = gq[i].speaker_kind.value
        st.add("att.matched", g_item[i])
        st.add(f"att.{kind}.matched", g_item[i])
        if resolved[j] is not None and resolved[j] == gq[i].speaker:
            st.add("att.correct", g_item[i])
            st.add(f"att.{kind}.correct", g_item[i])
    return {}


def speaker_kind_rows(totals: dict[str, float]) -> dict[str, dict]:
    out = {}
    for k in SPEAKER_KINDS:
        c, m, g = (totals.get(f"att.{k}.{x}", 0) for x in ("correct", "matched", "ng"))
        out[k] = {"recall": div(c, g), "accuracy_on_matched": div(c, m),
                  "correct": int(c), "matched": int(m), "gold": int(g)}
    return out
