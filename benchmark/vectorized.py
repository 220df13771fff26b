"""The statistics of a big scoring call, for all documents at once, with numpy.

This covers the entities (nervaluate's four schemes and the seqeval projection) and the
quotes (with their cues and speakers). It adds the same columns as the per-document path
of :mod:`benchmark.metrics` (``entity_stats``, ``quote_stats``), and tests/test_fast_paths.py
checks one against the other. Spans get global offsets (each document is shifted past the
previous one), so no candidate, token, chunk or pair crosses a document. The gold side is
computed once per gold and kept: a leaderboard scores every entry against the same one.
This module is imported only for big calls, because importing numpy cold costs more than
a small call."""

from __future__ import annotations

from functools import lru_cache
from itertools import chain
from typing import Any

import numpy as np

from .metrics import ENTITY_SCHEMES, EntityBatch, Stats, match_outcomes, quote_order
from .predictions import PSpan
from .schema import LABELS, QUOTE_TYPES, SPEAKER_KINDS
from .spans import greedy_overlap_matching
from .text import is_word_char

_I64 = np.int64
_LAB_ID = {lab: i + 1 for i, lab in enumerate(LABELS)}  # column label ids; 0 is the overall runs
# A label id's rank in string order: scoring sorts (start, end, label) tuples, labels as strings.
_RANK = np.zeros(len(LABELS) + 1, dtype=_I64)
_RANK[[_LAB_ID[lab] for lab in sorted(LABELS)]] = np.arange(1, len(LABELS) + 1)
_N_LAB = len(LABELS) + 1
_KINDS = ("cor", "inc", "par", "mis", "spu")
_COR, _INC, _PAR, _MIS, _SPU = range(5)
_NAMES = [f"ent.{scheme}.{kind}" if lab == 0 else f"ent.{LABELS[lab - 1]}.{scheme}.{kind}"
          for scheme in ENTITY_SCHEMES for lab in range(_N_LAB) for kind in _KINDS]


def applies(batch: EntityBatch) -> bool:
    """Whether global coordinates can hold the gold documents of ``batch``: each has at
    least one sentence, its sentences are in order and do not overlap, and its items follow
    the previous document's."""
    nxt = batch[0][0] if batch else 0
    for base, g, _ in batch:
        if not g.apart or base != nxt:
            return False
        nxt = base + len(g.bounds)
    return True


class _Gold:
    """The gold side of a batch in global coordinates. Entities are ``(start, end, label id,
    item)``; sentences are their global start and token range; tokens are their start, end
    and item. The chunks of the gold tags are kept as keys (see :func:`_chunks`), with their
    count per item."""

    def __init__(self, batch: EntityBatch) -> None:
        refs = [g for _, g, _ in batch]
        self.refs = refs  # the ids in the cache key stay theirs while cached
        lengths = np.array([len(g.doc.text) + 1 for g in refs], dtype=_I64)
        self.offs = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(_I64)
        self.bases = np.array([base for base, _, _ in batch], dtype=_I64)
        n_sent = np.array([len(g.bounds) for g in refs], dtype=_I64)
        n_true = np.array([len(g.true) for g in refs], dtype=_I64)
        self.n_items = int(n_sent.sum())

        def column(rows: Any, k: int, n: int) -> Any:
            return np.fromiter((r[k] for r in rows), dtype=_I64, count=n)

        bounds = list(chain.from_iterable(g.bounds for g in refs))
        sent_off = np.repeat(self.offs, n_sent)
        self.sent_start = column(bounds, 0, self.n_items) + sent_off
        sent_end = column(bounds, 1, self.n_items) + sent_off
        true = list(chain.from_iterable(g.true for g in refs))
        t_off = np.repeat(self.offs, n_true)
        self.ts, self.te = column(true, 0, len(true)) + t_off, column(true, 1, len(true)) + t_off
        self.tl = np.fromiter((_LAB_ID[r[2]] for r in true), dtype=_I64, count=len(true))
        self.t_it = np.fromiter(chain.from_iterable(g.t_item for g in refs), dtype=_I64, count=len(true)) \
            + np.repeat(self.bases, n_true)
        # the documents joined by one character each, as the offsets have them
        self.tok_s, self.tok_e = _tokens("\n".join(g.doc.text for g in refs), self.sent_start, sent_end)
        self.tok_lo = np.searchsorted(self.tok_s, self.sent_start, side="left")
        self.tok_hi = np.searchsorted(self.tok_s, sent_end, side="left")
        self.tok_item = np.repeat(np.arange(self.n_items, dtype=_I64), self.tok_hi - self.tok_lo)
        keys, items = _chunks(self, self.ts, self.te, self.tl, self.t_it)
        self.chunk_keys = np.sort(keys)
        self.chunk_ng = np.bincount(items, minlength=self.n_items)
        self.size = int(lengths.sum())  # every global offset is below it

    def span_key(self, s: Any, e: Any) -> Any:
        """One integer per span ``[s, e)`` of global offsets (equal only for equal spans)."""
        return s * (self.size + 1) + e


_WORD, _SPACE, _OTHER = 0, 1, 2


@lru_cache(maxsize=1)
def _bmp_classes() -> Any:
    """The class (word, space, other) of every code point below U+10000, as the tokenizer
    sees them (``text.is_word_char``, ``str.isspace``)."""
    return np.array([_class(chr(c)) for c in range(0x10000)], dtype=np.uint8)


def _class(ch: str) -> int:
    return _WORD if is_word_char(ch) else _SPACE if ch.isspace() else _OTHER


def _tokens(text: str, starts: Any, ends: Any) -> tuple[Any, Any]:
    """The tokens of ``text.token_spans(text, s, e)`` for every sentence ``[s, e)`` (in
    order, apart), as arrays of starts and ends: a run of word characters, or one other
    character that is not whitespace, never crossing a sentence's bounds. Computed from a
    class per character, not a regex match per token (a corpus has a million)."""
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cls = _bmp_classes()[np.minimum(cp, 0xFFFF)]
    astral = np.flatnonzero(cp > 0xFFFF)
    if len(astral):
        cls[astral] = [_class(chr(c)) for c in cp[astral].tolist()]
    n = len(cp)
    edge = np.bincount(starts, minlength=n + 1)[:n + 1] - np.bincount(ends, minlength=n + 1)[:n + 1]
    inside = np.cumsum(edge)[:n] > 0
    first = np.zeros(n + 1, dtype=bool)
    first[starts] = True  # a sentence's first character: no run continues into it
    word = (cls == _WORD) & inside
    other = (cls == _OTHER) & inside
    joined_prev = np.concatenate(([False], word[:-1])) & ~first[:n]
    joined_next = np.concatenate((word[1:], [False])) & ~first[1:]
    tok_s = np.flatnonzero(other | (word & ~joined_prev))
    tok_e = np.flatnonzero(other | (word & ~joined_next)) + 1
    return tok_s.astype(_I64), tok_e.astype(_I64)


_CACHE: dict[tuple, _Gold] = {}
_CACHED = 4  # golds kept (a few tens of MB each for a million tokens)


def _gold(batch: EntityBatch) -> _Gold:
    key = tuple((base, id(g)) for base, g, _ in batch)
    gold = _CACHE.pop(key, None)
    if gold is None:
        while len(_CACHE) >= _CACHED:
            del _CACHE[next(iter(_CACHE))]  # the least recently used
        gold = _Gold(batch)
    _CACHE[key] = gold
    return gold


def _chunks(gold: _Gold, s: Any, e: Any, lab: Any, item: Any) -> tuple[Any, Any]:
    """The strict IOB2 chunks of spans projected onto the gold tokens (see
    ``metrics.projected_chunks``), as keys ``(first token, last token, label)`` with their items.
    The spans must be sorted by (start, end, label), in global coordinates, with their
    sentences as items.

    A span's tokens are those of its sentence that it overlaps, ``first..last``. The earlier
    spans of the sentence have taken every token up to the greatest ``last`` before it (they
    start no later), so its run starts after that token. A run that is left empty gives no
    chunk. Token indices grow from sentence to sentence, so one running maximum over the
    whole corpus serves every sentence."""
    first = np.maximum(np.searchsorted(gold.tok_e, s, side="right"), gold.tok_lo[item])
    last = np.minimum(np.searchsorted(gold.tok_s, e, side="left") - 1, gold.tok_hi[item] - 1)
    if len(last):
        taken = np.concatenate(([-1], np.maximum.accumulate(last)[:-1]))
        first = np.maximum(first, taken + 1)
    has = first <= last
    first, last = first[has], last[has]
    return (first * (len(gold.tok_s) + 1) + last) * _N_LAB + lab[has], gold.tok_item[first]


def _items(gold: _Gold, offsets: Any, doc: Any) -> Any:
    """``GoldIndex.item`` of global offsets: the last sentence starting at or before, else
    the document's first."""
    return np.maximum(np.searchsorted(gold.sent_start, offsets, side="right") - 1, gold.bases[doc])


def entity_stats(st: Stats, batch: EntityBatch) -> None:
    """The entity columns of every document of ``batch`` (it must satisfy :func:`applies`)
    for nervaluate's schemes and for seqeval: ``metrics.entity_stats``, all at once."""
    gold = _gold(batch)
    counts = [len(c.starts) for _, _, c in batch]
    n = sum(counts)
    doc = np.repeat(np.arange(len(batch), dtype=_I64), counts)
    ps = np.fromiter(chain.from_iterable(c.starts for _, _, c in batch), dtype=_I64, count=n) + gold.offs[doc]
    pe = np.fromiter(chain.from_iterable(c.ends for _, _, c in batch), dtype=_I64, count=n) + gold.offs[doc]
    pl = np.fromiter(map(_LAB_ID.__getitem__, chain.from_iterable(c.labels for _, _, c in batch)),
                     dtype=_I64, count=n)
    order = np.lexsort((_RANK[pl], pe, ps))  # sorted() of (start, end, label) in each document
    ps, pe, pl, doc = ps[order], pe[order], pl[order], doc[order]
    p_it = _items(gold, ps, doc)
    lost = [(_LAB_ID[lab], base) for base, _, c in batch for lab in c.lost]
    lost_lab = np.array([x for x, _ in lost], dtype=_I64)
    lost_item = np.array([b for _, b in lost], dtype=_I64)
    _schemes(st, gold, ps, pe, pl, p_it, lost_lab, lost_item)

    keys, items = _chunks(gold, ps, pe, pl, p_it)
    at = np.minimum(np.searchsorted(gold.chunk_keys, keys), max(len(gold.chunk_keys) - 1, 0))
    hit = gold.chunk_keys[at] == keys if len(gold.chunk_keys) else np.zeros(len(keys), dtype=bool)
    pad = st.n - gold.n_items
    st.set_dense("seq.tp", np.pad(np.bincount(items[hit], minlength=gold.n_items), (0, pad)))
    st.set_dense("seq.ng", np.pad(gold.chunk_ng, (0, pad)))
    predicted = np.bincount(items, minlength=gold.n_items) + np.bincount(lost_item, minlength=gold.n_items)
    st.set_dense("seq.np", np.pad(predicted, (0, pad)))  # an ungrounded one: predicted, never correct


def _schemes(st: Stats, gold: _Gold, ps: Any, pe: Any, pl: Any, p_it: Any, lost_lab: Any, lost_item: Any) -> None:
    """``metrics._entity_stats`` over all documents at once. Isolated pairs, lone spans and
    ungrounded ones take their outcomes from the closed form, vectorized. The competing ones
    go through ``match_outcomes`` as in the per-document path: documents never compete, so
    one pass over all of them in order gives each document's outcomes. Every outcome is an
    event (column, item), and one bincount counts them all."""
    ts, te, tl, t_it = gold.ts, gold.te, gold.tl, gold.t_it
    n_items = st.n
    # candidates (overlap_candidates): the gold is sorted by start, within each document and
    # so globally; of the sweep's pairs, those nervaluate counts as overlapping
    n_t, n_p = len(ts), len(ps)
    pair_t, pair_p = _sweep(ts, te, ps, pe)
    a_s, a_e, b_s, b_e = ps[pair_p], pe[pair_p], ts[pair_t], te[pair_t]
    keep = (b_e > a_s) & (((np.minimum(a_e, b_e) - np.maximum(a_s, b_s)) / (b_e - b_s)) * 100.0 >= 1.0)
    pair_p, pair_t = pair_p[keep], pair_t[keep]
    n_cand = np.bincount(pair_p, minlength=n_p)
    takers = np.bincount(pair_t, minlength=n_t)

    ev_col: list = []  # column ids: (scheme * _N_LAB + label) * 5 + kind
    ev_item: list = []

    def events(scheme: int, label: Any, kind: Any, item: Any) -> None:
        ev_col.append((scheme * _N_LAB + label) * 5 + kind)
        ev_item.append(item)

    # lone predictions and missed gold: the same kind in all eight runs
    alone = n_cand == 0
    missed = takers == 0
    for sc in range(4):
        for labels, items, kind in ((pl[alone], p_it[alone], _SPU), (tl[missed], t_it[missed], _MIS),
                                    (lost_lab, lost_item, _SPU)):
            events(sc, 0, kind, items)
            events(sc, labels, kind, items)
    # isolated pairs: one candidate, taken by no other prediction
    single = n_cand == 1
    first = np.searchsorted(pair_p, np.arange(n_p, dtype=_I64), side="left")
    cand1 = pair_t[np.minimum(first, max(len(pair_t) - 1, 0))] if len(pair_t) else np.zeros(n_p, dtype=_I64)
    iso = single & (takers[cand1] == 1) if len(pair_t) else single
    crowded = np.flatnonzero(~alone & ~iso)
    ip, it_ = np.flatnonzero(iso), cand1[iso]
    same_span = (ps[ip] == ts[it_]) & (pe[ip] == te[it_])
    same_lab = pl[ip] == tl[it_]
    g_item, g_lab, p_lab, own_item = t_it[it_], tl[it_], pl[ip], p_it[ip]
    outcome = (np.where(same_span & same_lab, _COR, _INC), np.where(same_span, _COR, _INC),
               np.where(same_span, _COR, _PAR), np.where(same_lab, _COR, _INC))
    for sc in range(4):
        events(sc, 0, outcome[sc], g_item)
        events(sc, g_lab, np.where(same_lab, outcome[sc], _MIS), g_item)  # apart: the gold missed
        events(sc, p_lab[~same_lab], _SPU, own_item[~same_lab])  # and the prediction spurious

    if len(crowded):  # the strategies, on the competing predictions and the gold they share
        sel = np.isin(pair_p, crowded)
        cp, ct = pair_p[sel], pair_t[sel]
        shared = np.unique(ct)
        local = np.searchsorted(shared, ct)
        true = list(zip(ts[shared].tolist(), te[shared].tolist(), tl[shared].tolist()))
        t_items = t_it[shared].tolist()
        sub = list(zip(ps[crowded].tolist(), pe[crowded].tolist(), pl[crowded].tolist()))
        sub_items = p_it[crowded].tolist()
        bounds = np.searchsorted(cp, crowded, side="left").tolist() + [len(cp)]
        local_l = local.tolist()
        sub_cands = [local_l[bounds[k]:bounds[k + 1]] for k in range(len(crowded))]
        same = [[ti for ti in c if true[ti][2] == p[2]] for p, c in zip(sub, sub_cands)]
        cols, items = [], []
        for sc, scheme in enumerate(ENTITY_SCHEMES):
            for candidates, per_label in ((sub_cands, False), (same, True)):
                outcomes, _ = match_outcomes(scheme, true, sub, candidates)
                taken = set()
                for (kind, ti), p, p_item_ in zip(outcomes, sub, sub_items):
                    taken.add(ti)
                    cols.append((sc * _N_LAB + (p[2] if per_label else 0)) * 5 + _KINDS.index(kind))
                    items.append(t_items[ti] if ti is not None else p_item_)
                for ti in range(len(true)):
                    if ti not in taken:
                        cols.append((sc * _N_LAB + (true[ti][2] if per_label else 0)) * 5 + _MIS)
                        items.append(t_items[ti])
        ev_col.append(np.array(cols, dtype=_I64))
        ev_item.append(np.array(items, dtype=_I64))

    n_cols = 4 * _N_LAB * 5
    code = np.concatenate([np.broadcast_to(np.asarray(c, dtype=_I64), np.shape(i)) * n_items + i
                           for c, i in zip(ev_col, ev_item)])
    if n_cols * n_items <= 16_000_000:
        counts = np.bincount(code, minlength=n_cols * n_items).reshape(n_cols, n_items)
        for c in np.flatnonzero(counts.any(axis=1)).tolist():
            st.set_dense(_NAMES[c], counts[c])
    else:  # one column at a time (their events sorted together)
        code.sort()
        col_of = code // n_items
        cuts = np.flatnonzero(np.diff(col_of)) + 1
        for seg in np.split(code, cuts):
            if len(seg):
                c = int(seg[0] // n_items)
                st.set_dense(_NAMES[c], np.bincount(seg - c * n_items, minlength=n_items))



# --- quotes, cues and attribution -----------------------------------------------------------

QuoteBatch = list  # of (base, GoldIndex, [PQuote]), one per document

_TYPE_ID = {t: i for i, t in enumerate(QUOTE_TYPES)}


class _GoldQuotes:
    """The gold quotes of a batch in global coordinates, in each document's order
    (``GoldIndex.quotes``). Each has its span, item, type id, speaker-kind id and speaker
    number (one per document and cluster), and its cue's span and item."""

    def __init__(self, batch: QuoteBatch, offs: list[int]) -> None:
        self.speaker_ids: list[dict[str, int]] = []  # per document: cluster id → number
        rows = []
        for (base, g, _), off in zip(batch, offs):
            ids: dict[str, int] = {}
            self.speaker_ids.append(ids)
            for q, k, ck in zip(g.quotes, g.q_item, g.cue_item):
                spk = ids.setdefault(q.speaker, len(rows))  # numbers never shared across documents
                rows.append((q.start + off, q.end + off, base + k, _TYPE_ID[q.type._value_],
                             SPEAKER_KINDS.index(q.speaker_kind._value_), spk,
                             q.cue.start + off, q.cue.end + off, base + ck))
        a = np.array(rows, dtype=_I64).reshape(-1, 9)
        (self.s, self.e, self.item, self.type, self.kind, self.speaker,
         self.cue_s, self.cue_e, self.cue_item) = (a[:, k].copy() for k in range(9))


def quote_stats(st: Stats, batch: QuoteBatch) -> None:
    """The quote, cue and attribution columns of every document of ``batch`` (it must
    satisfy :func:`applies`): ``metrics.quote_stats``, all at once. Float columns (the
    proportional scores) are added one value at a time in the per-document path's order, so
    their sums are the same to the last bit."""
    if not batch:
        return
    gold = _gold(batch)
    gq = getattr(gold, "quotes", None)
    if gq is None:
        gq = gold.quotes = _GoldQuotes(batch, gold.offs.tolist())
    rows = []
    for d, ((base, g, quotes), off) in enumerate(zip(batch, gold.offs.tolist())):
        ids, resolve = gq.speaker_ids[d], g.speakers.resolve
        for q in sorted(quotes, key=quote_order):
            sp, cue, r = q.span, q.cue, resolve(q.speaker)
            ok, cue_ok = sp.start is not None, cue is not None and cue.start is not None
            rows.append((d, ok, sp.start + off if ok else 0, sp.end + off if ok else 1,
                         _TYPE_ID[q.type] if q.type else -1, cue is not None, cue_ok,
                         cue.start + off if cue_ok else 0, cue.end + off if cue_ok else 1,
                         -1 if r is None else ids.get(r, -2)))  # -2: a cluster no gold quote has
    a = np.array(rows, dtype=_I64).reshape(-1, 10)
    doc, ok, ps, pe, p_type, has_cue, cue_ok, cs, ce, resolved = (a[:, k] for k in range(10))
    ok, has_cue, cue_ok = ok.astype(bool), has_cue.astype(bool), cue_ok.astype(bool)
    p_item = np.where(ok, _items(gold, ps, doc), gold.bases[doc])

    g_key, p_key = gold.span_key(gq.s, gq.e), gold.span_key(ps, pe)
    mg, mp = _exact(g_key, p_key, ok)
    _pair(st, "q.exact", mg, mp, gq.item, p_item, gq.type, p_type)
    mg, mp = _exact(g_key * 4 + gq.type, p_key * 4 + p_type, ok & (p_type >= 0))
    _pair(st, "q.exact_typed", mg, mp, gq.item, p_item, gq.type, p_type)
    okj = np.flatnonzero(ok)
    pg, pp = _overlapping(gq.s, gq.e, ps[okj], pe[okj])
    og, op = _greedy(gq.s, gq.e, ps[okj], pe[okj], pg, pp)
    op = okj[op]
    _pair(st, "q.overlap", og, op, gq.item, p_item, gq.type, p_type)
    _proportional(st, gq, ps, pe, p_type, p_item, pg, okj[pp])

    ci = np.flatnonzero(has_cue)  # the predicted cues, in the quotes' order
    c_ok = cue_ok[ci]
    c_item = np.where(c_ok, _items(gold, cs[ci], doc[ci]), gold.bases[doc[ci]])
    gk, pk = gold.span_key(gq.cue_s, gq.cue_e), gold.span_key(cs[ci], ce[ci])
    mg_, mp_ = _exact(gk, pk, c_ok)
    _pair(st, "cue.exact", mg_, mp_, gq.cue_item, c_item)
    cj = np.flatnonzero(c_ok)
    cg, cp = _overlapping(gq.cue_s, gq.cue_e, cs[ci][cj], ce[ci][cj])
    mg_, mp_ = _greedy(gq.cue_s, gq.cue_e, cs[ci][cj], ce[ci][cj], cg, cp)
    _pair(st, "cue.overlap", mg_, cj[mp_], gq.cue_item, c_item)

    # attribution over the quote overlap matching, a matched prediction on its gold's item
    on = p_item.copy()
    on[op] = gq.item[og]
    _count(st, "att.np", on)
    _count(st, "att.unresolved", on[resolved == -1])
    _count(st, "att.ng", gq.item)
    right = (resolved[op] >= 0) & (resolved[op] == gq.speaker[og])
    _count(st, "att.matched", gq.item[og])
    _count(st, "att.correct", gq.item[og][right])
    for k, kind in enumerate(SPEAKER_KINDS):
        _count(st, f"att.{kind}.ng", gq.item[gq.kind == k])
        _count(st, f"att.{kind}.matched", gq.item[og][gq.kind[og] == k])
        _count(st, f"att.{kind}.correct", gq.item[og][right & (gq.kind[og] == k)])


def _count(st: Stats, key: str, items: Any) -> None:
    if len(items):
        st.set_dense(key, np.bincount(items, minlength=st.n))


def _pair(st: Stats, prefix: str, mg: Any, mp: Any, g_item: Any, p_item: Any,
          g_cat: Any = None, p_cat: Any = None) -> None:
    """``metrics._pair_stats`` for a matching given as gold and prediction indices."""
    p_it = p_item.copy()
    p_it[mp] = g_item[mg]
    _count(st, f"{prefix}.tp", g_item[mg])
    _count(st, f"{prefix}.ng", g_item)
    _count(st, f"{prefix}.np", p_it)
    if g_cat is None:
        return
    head, _, metric = prefix.partition(".")
    cat = p_cat.copy()
    cat[mp] = g_cat[mg]
    for t, name in enumerate(QUOTE_TYPES):
        _count(st, f"{head}.{name}.{metric}.tp", g_item[mg][g_cat[mg] == t])
        _count(st, f"{head}.{name}.{metric}.ng", g_item[g_cat == t])
        _count(st, f"{head}.{name}.{metric}.np", p_it[cat == t])


def _ranks(ids: Any) -> Any:
    """Each entry's occurrence number among the equal ones before it."""
    order = np.argsort(ids, kind="stable")
    sid = ids[order]
    new = np.flatnonzero(np.concatenate(([True], sid[1:] != sid[:-1])))
    group = np.repeat(new, np.diff(np.append(new, len(sid))))
    out = np.empty_like(ids)
    out[order] = np.arange(len(ids)) - group
    return out


def _exact(g_key: Any, p_key: Any, p_valid: Any) -> tuple[Any, Any]:
    """``metrics._exact_pairs``: the k-th gold of a key with the k-th valid prediction of it."""
    pj = np.flatnonzero(p_valid)
    if not len(g_key) or not len(pj):
        return np.zeros(0, dtype=_I64), np.zeros(0, dtype=_I64)
    keys = np.concatenate((g_key, p_key[pj]))
    _, inv = np.unique(keys, return_inverse=True)
    inv = inv.reshape(-1).astype(_I64)
    gi, pi = inv[:len(g_key)], inv[len(g_key):]
    r = len(keys) + 1
    _, a, b = np.intersect1d(gi * r + _ranks(gi), pi * r + _ranks(pi), assume_unique=True, return_indices=True)
    return a.astype(_I64), pj[b]


def _sweep(gs: Any, ge: Any, ps: Any, pe: Any) -> tuple[Any, Any]:
    """The (gold, prediction) index pairs a prediction may overlap, for gold sorted by start:
    the gold spans that start before its end, from the first whose running maximum of ends
    passes its start (every overlapping pair is among them; callers test each)."""
    if not len(gs) or not len(ps):
        return np.zeros(0, dtype=_I64), np.zeros(0, dtype=_I64)
    hi = np.searchsorted(gs, pe, side="left")
    lo = np.minimum(np.searchsorted(np.maximum.accumulate(ge), ps, side="right"), hi)
    width = hi - lo
    pair_p = np.repeat(np.arange(len(ps), dtype=_I64), width)
    pair_g = np.repeat(lo - np.concatenate(([0], np.cumsum(width)[:-1])), width) + np.arange(len(pair_p), dtype=_I64)
    return pair_g, pair_p


def _overlapping(gs: Any, ge: Any, ps: Any, pe: Any) -> tuple[Any, Any]:
    """``spans.overlapping_pairs``: (gold, prediction) indices of the pairs that share a
    character."""
    order = np.argsort(gs, kind="stable")
    pg, pp = _sweep(gs[order], ge[order], ps, pe)
    keep = ge[order][pg] > ps[pp]
    return order[pg[keep]], pp[keep]


def _greedy(gs: Any, ge: Any, ps: Any, pe: Any, pg: Any, pp: Any) -> tuple[Any, Any]:
    """``spans.greedy_overlap_matching`` over the overlapping pairs ``(pg, pp)``. A pair whose
    gold and prediction overlap nothing else is matched; the others go through the greedy
    rule, their indices kept in order (its ties go by index)."""
    n_g = np.bincount(pg, minlength=len(gs))
    n_p = np.bincount(pp, minlength=len(ps))
    iso = (n_g[pg] == 1) & (n_p[pp] == 1)
    mg, mp = [pg[iso]], [pp[iso]]
    if not iso.all():
        cg, cp = pg[~iso], pp[~iso]
        ug, up = np.unique(cg), np.unique(cp)
        gold = [PSpan(a, b) for a, b in zip(gs[ug].tolist(), ge[ug].tolist())]
        pred = [PSpan(a, b) for a, b in zip(ps[up].tolist(), pe[up].tolist())]
        local = list(zip(np.searchsorted(ug, cg).tolist(), np.searchsorted(up, cp).tolist()))
        for i, j in greedy_overlap_matching(gold, pred, local):
            mg.append(ug[i:i + 1])
            mp.append(up[j:j + 1])
    return np.concatenate(mg).astype(_I64), np.concatenate(mp).astype(_I64)


def _proportional(st: Stats, gq: _GoldQuotes, ps: Any, pe: Any, p_type: Any, p_item: Any, pg: Any, pp: Any) -> None:
    """Proportional overlap over the overlapping pairs ``(pg, pp)``: per prediction the best
    share of it a gold quote covers (the first in gold order on ties, whose type it then
    takes), per gold quote the best share of it covered."""
    n = np.minimum(gq.e[pg], pe[pp]) - np.maximum(gq.s[pg], ps[pp])
    of_p = n / (pe[pp] - ps[pp])
    of_g = n / (gq.e[pg] - gq.s[pg])
    val = np.zeros(len(ps))
    cat = p_type.copy()
    if len(pp):
        order = np.lexsort((pg, -of_p, pp))
        best = order[np.concatenate(([True], pp[order][1:] != pp[order][:-1]))]
        val[pp[best]] = of_p[best]
        cat[pp[best]] = gq.type[pg[best]]
    best_g = np.zeros(len(gq.s))
    np.maximum.at(best_g, pg, of_g)
    _count(st, "q.proportional.np", p_item)
    _count(st, "q.proportional.ng", gq.item)
    for t, name in enumerate(QUOTE_TYPES):
        _count(st, f"q.{name}.proportional.np", p_item[cat == t])
        _count(st, f"q.{name}.proportional.ng", gq.item[gq.type == t])
    # the float columns one value at a time, in order (sums to the last bit)
    # (a type's columns made on its first value, as there)
    sp, sr = st.column("q.proportional.sp"), st.column("q.proportional.sr")
    sp_c: dict[int, Any] = {}
    sr_c: dict[int, Any] = {}
    for it, v, c in zip(p_item.tolist(), val.tolist(), cat.tolist()):
        sp[it] += v
        if c >= 0:
            col = sp_c.get(c)
            if col is None:
                col = sp_c[c] = st.column(f"q.{QUOTE_TYPES[c]}.proportional.sp")
            col[it] += v
    for it, v, c in zip(gq.item.tolist(), best_g.tolist(), gq.type.tolist()):
        sr[it] += v
        col = sr_c.get(c)
        if col is None:
            col = sr_c[c] = st.column(f"q.{QUOTE_TYPES[c]}.proportional.sr")
        col[it] += v
