"""The ``cue-rules`` baseline: Arabic reporting cues and complementizers, with a speaker linker.

A cue (قال، أضاف، أكد/مؤكدا، دعا، شدد على ...) opens a quote. After its subject (VSO),
a complementizer (إن، أن، بأن، إلى أن ...) opens indirect content that runs to the end of
the clause; content that holds quotation marks is mixed; quotation marks after the
subject (and an optional colon or «قائلا») are a direct quote. Verbs of the ``obj``
frame (دعا، طالب، اتهم ...) take their complement as content. A quotation that is
followed by «، قال ...» or «كما قال ...» is a direct quote of the postposed cue. Quoted
names and titles with no cue are not quotes. The speaker is the subject after the cue,
else a mention just before it (SVO), else, for a cue with no subject (pro-drop «وأضاف»,
participles «مؤكدا»), the previous quote's speaker.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from operator import attrgetter

from .arabic import normalize
from .base import Prediction, Speaker, most_overlapping
from .entities import EntityTagger, Mention, Token, _lex, default_tagger, document_tokens
from .lexicon import Cue, complementizers
from .quotes import QUOTE_MARKS, MarkedSpan, marked_spans

_PUNCT_STOP = {".", "!", "?", "؟", "؛", ";"}
_CLAUSE_PUNCT = {"،", ",", ".", ":", "؛", ";", "!", "?", "؟", "-", "–", "—"}
_TRAILING_ATTRIBUTION = {"وفق", "وفقا", "حسب", "بحسب", "حسبما", "بحسبما", "على"}
_POSTPOSED = {"كما", "حسبما", "بحسب", "حسب", "وفق", "وفقا"}
_ADVERBIALS = {"اليوم", "امس", "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعة", "السبت",
               "ايضا", "كذلك", "مجددا", "مساء", "صباح"}
_SAYING = {"قائلا", "قائلة", "قائلين"}
_CLAUSE_BREAKERS = (_TRAILING_ATTRIBUTION | _POSTPOSED) - {"على"}


@dataclass(frozen=True)
class CueHit:
    """A reporting cue at token ``index``: span without proclitics, and its lexicon entry."""

    index: int
    start: int
    end: int
    cue: Cue


def find_cues(toks: list[Token]) -> list[CueHit]:
    """Every reporting cue of the document (proclitics و ف stripped)."""
    out = []
    for t in toks:
        hit = t.info.cue
        if hit is not None:
            out.append(CueHit(t.index, t.start + hit[0], t.end, hit[1]))
    return out


@dataclass
class _Doc:
    text: str
    toks: list[Token]
    mentions: list[Mention]
    by_first: dict[int, Mention]
    marks: list[MarkedSpan]
    mark_by_open: dict[int, MarkedSpan]
    cue_at: dict[int, CueHit]
    # derived indexes (sentences are runs of consecutive tokens; mentions and marks are
    # sorted and never overlap, so their starts and ends are both increasing)
    _starts: list[int] = field(init=False, repr=False)
    _sents: list[int] = field(init=False, repr=False)
    mention_firsts: list[int] = field(init=False, repr=False)
    mention_lasts: list[int] = field(init=False, repr=False)
    mark_opens: list[int] = field(init=False, repr=False)
    _titled: dict[str, tuple[list[int], list[Mention]]] = field(init=False, repr=False)
    _comp: dict[int, int | None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._starts = list(map(attrgetter("start"), self.toks))
        self._sents = list(map(attrgetter("sentence"), self.toks))  # non-decreasing
        self.mention_firsts = [m.first for m in self.mentions]
        self.mention_lasts = [m.last for m in self.mentions]
        self.mark_opens = [m.open for m in self.marks]
        titled: dict[str, tuple[list[int], list[Mention]]] = {}
        for m in self.mentions:
            if m.label == "PER" and m.title:
                for w in set(m.title):
                    starts, ms = titled.setdefault(w, ([], []))
                    starts.append(m.start)
                    ms.append(m)
        self._titled = titled
        self._comp = {}

    def sentence_end(self, i: int) -> int:
        sents = self._sents
        if i >= len(sents):  # content would start past the last token: nothing left
            return len(sents)
        return bisect_right(sents, sents[i], i)

    def sentence_start(self, i: int) -> int:
        sents = self._sents
        return bisect_left(sents, sents[i], 0, i + 1)

    def token_at(self, offset: int) -> int:
        return max(0, bisect_right(self._starts, offset) - 1)

    def last_titled_person(self, word: str, before: int) -> Mention | None:
        """The last PER mention starting before ``before`` whose title holds ``word``."""
        hit = self._titled.get(word)
        if hit is None:
            return None
        k = bisect_left(hit[0], before) - 1
        return hit[1][k] if k >= 0 else None


def _prepare(text: str) -> _Doc:
    toks = document_tokens(text)
    mentions = default_tagger().tag(text, toks)
    marks = marked_spans(text)
    return _Doc(text, toks, mentions, {m.first: m for m in mentions}, marks,
                {m.open: m for m in marks}, {c.index: c for c in find_cues(toks)})


_COMP_INDEX: list = []


def _complementizer_index() -> dict[str, tuple[tuple[str, ...], ...]]:
    """First word -> the rest of every complementizer starting with it, longest first."""
    seqs = complementizers()
    if not _COMP_INDEX or _COMP_INDEX[0] is not seqs:
        index: dict[str, list[tuple[str, ...]]] = {}
        for seq in seqs:
            if seq:
                index.setdefault(seq[0], []).append(seq[1:])
        _COMP_INDEX[:] = [seqs, {w: tuple(sorted(r, key=len, reverse=True)) for w, r in index.items()},
                          any(not seq for seq in seqs)]
    return _COMP_INDEX[1]


def _complementizer_at(doc: _Doc, k: int) -> int | None:
    """Token index after a complementizer sequence starting at ``k``, else None."""
    memo = doc._comp
    if k in memo:
        return memo[k]
    index = _complementizer_index()
    if _COMP_INDEX[2]:  # pragma: no cover - an empty complementizer matches anywhere
        memo[k] = _complementizer_scan(doc, k)
        return memo[k]
    toks = doc.toks
    best = None
    if k < len(toks):
        end = doc.sentence_end(k)
        for w in toks[k].info.stems:
            for rest in index.get(w, ()):
                j = k + 1 + len(rest)
                if best is not None and j <= best:
                    break
                if j <= end and all(toks[k + 1 + n].norm == r for n, r in enumerate(rest)):
                    best = j
                    break
    memo[k] = best
    return best


def _complementizer_scan(doc: _Doc, k: int) -> int | None:
    end = doc.sentence_end(k) if k < len(doc.toks) else k
    for seq in complementizers():
        j = k + len(seq)
        if j <= end and all(normalize(doc.toks[k + n].text) == w or (n == 0 and w in doc.toks[k].stem_set())
                            for n, w in enumerate(seq)):
            return j
    return None


def _span(m) -> dict:
    return {"start": m.start, "end": m.end}


class _Linker:
    """Finds the subject of a cue and remembers the last speaker (for pro-drop)."""

    def __init__(self, doc: _Doc) -> None:
        self.doc = doc
        self.last: dict | None = None
        self.lex = _lex()
        self.tagger = EntityTagger()

    def _title_at(self, k: int) -> int | None:
        hit = self.tagger._match(self.doc.toks, k, self.lex.titles, self.lex.title_max)
        return hit[0] if hit else None

    def _resolve_nominal(self, k: int, end_title: int, before: int) -> dict | None:
        """An earlier PER introduced with the same title word (e.g. «الوزير» -> a minister)."""
        head = self.doc.toks[k].readings[-1][1]
        head = head[2:] if head.startswith("ال") else head
        m = self.doc.last_titled_person(head, before)
        return _span(m) if m is not None else None

    def subject_after(self, c: int) -> tuple[dict | None, int]:
        """Speaker span named after the cue at token ``c`` and the token index after the
        subject (``c + 1`` when there is none)."""
        doc, toks = self.doc, self.doc.toks
        end = min(doc.sentence_end(c), c + 12)
        k = c + 1
        first_title = None
        while k < end:
            t = toks[k]
            if t.text in _CLAUSE_PUNCT or t.text in QUOTE_MARKS or _complementizer_at(doc, k) is not None \
                    or k in doc.cue_at:
                break
            m = doc.by_first.get(k)
            if m is not None:
                if m.label == "PER":
                    return _span(m), m.last
                if m.label in ("ORG", "GPE") and (k == c + 1 or first_title is not None):
                    if first_title is None:
                        return _span(m), m.last
                    k = m.last
                    continue
                if m.label in ("NORP", "GPE", "ORG", "LOC") and first_title is not None:
                    k = m.last
                    continue
                break
            if k == c + 1 or first_title is not None:
                te = self._title_at(k)
                if te is not None:
                    first_title = first_title if first_title is not None else k
                    k = te
                    continue
            if first_title is not None and (t.norm.startswith("ال") or t.norm in ("باسم", "لدى")) \
                    and not (t.stem_set() & self.lex.stop):
                k += 1
                continue
            if first_title is None and k == c + 1 and t.norm in ("مسؤول", "مصدر", "مصادر", "مسؤولون", "مراقبون"):
                first_title = k
                k += 1
                continue
            break
        if first_title is not None:
            resolved = self._resolve_nominal(first_title, k, toks[first_title].start)
            t0 = toks[first_title]
            return resolved or {"start": t0.start + t0.readings[-1][0], "end": toks[k - 1].end}, k
        return None, c + 1

    def subject_before(self, c: int) -> dict | None:
        """SVO: a PER/ORG/GPE mention ending at most two tokens before the cue, same sentence."""
        lo = self.doc.sentence_start(c)
        mentions = self.doc.mentions
        # the mentions ending after ``c`` (a suffix of the sorted list) can neither match nor stop the scan
        for idx in range(bisect_right(self.doc.mention_lasts, c) - 1, -1, -1):
            m = mentions[idx]
            if m.first >= lo and c - m.last <= 2 and m.label in ("PER", "ORG", "GPE"):
                between = self.doc.toks[m.last:c]
                if all(t.text in ("،", ",") for t in between):
                    return _span(m)
            if m.last <= lo:
                break
        return None

    def speaker(self, hit: CueHit) -> tuple[dict | None, int]:
        if hit.cue.participle:
            return self.last, hit.index + 1
        sp, after = self.subject_after(hit.index)
        if sp is None:
            sp = self.subject_before(hit.index) or self.last
        return sp, after


class CueRulesBaseline:
    """Rule-based quotes and speakers from Arabic reporting cues (see module docstring)."""

    name = "cue-rules"
    description = ("Arabic reporting cues and complementizers for direct, indirect and mixed quotes; "
                   "VSO/SVO/pro-drop speaker linking.")

    # -- content -----------------------------------------------------------------
    def _clause_end(self, doc: _Doc, s: int) -> int:
        """Token index where reported content starting at ``s`` ends (exclusive)."""
        toks, end = doc.toks, doc.sentence_end(s)
        k = s
        while k < end:
            t = toks[k]
            m = doc.mark_by_open.get(t.start)
            if m is not None:
                k = doc.token_at(m.close) + 1
                continue
            if t.text in _PUNCT_STOP:
                break
            if k in doc.cue_at and k > s:
                prev = toks[k - 1].text
                if prev in ("،", ",") or t.text[:1] in "وف":
                    break
            if t.text in ("،", ",") and k + 1 < end and toks[k + 1].norm in _CLAUSE_BREAKERS:
                break
            k += 1
        while k > s and toks[k - 1].text in _CLAUSE_PUNCT:
            k -= 1
        return k

    def _reported(self, doc: _Doc, s: int, e: int, qtype: str) -> dict | None:
        if e <= s:
            return None
        start, end = doc.toks[s].start, doc.toks[e - 1].end
        # a quotation inside [start, end): the first one opening at or after ``start``
        # closes first (the marks never overlap)
        first = bisect_left(doc.mark_opens, start)
        inside = first < len(doc.marks) and doc.marks[first].close < end
        if qtype == "indirect" and inside:
            qtype = "mixed"
        return {"start": start, "end": end, "type": qtype}

    def _direct_after(self, doc: _Doc, k: int, limit: int) -> MarkedSpan | None:
        """A quotation opening at token ``k`` (after an optional «قائلا» and colon)."""
        toks = doc.toks
        while k < limit and (toks[k].text in (":", "،", ",") or toks[k].norm in _SAYING):
            k += 1
        if k < limit:
            return doc.mark_by_open.get(toks[k].start)
        return None

    def analyse(self, text: str) -> tuple[list[dict], _Doc]:
        """Quotes (with cue and speaker) and the prepared document."""
        doc = _prepare(text)
        link = _Linker(doc)
        quotes: list[dict] = []
        used_marks: set[int] = set()
        used_cues: set[int] = set()
        taken_until = 0  # character offset: no quote may start before it

        events = sorted([(c.start, "cue", c) for c in doc.cue_at.values()]
                        + [(m.open, "mark", m) for m in doc.marks], key=lambda e: e[0])
        for pos, kind, obj in events:
            if kind == "mark":
                m: MarkedSpan = obj
                if m.open in used_marks or m.open < taken_until:
                    continue
                q = self._standalone_mark(doc, link, m, used_cues)
                if q:
                    used_marks.add(m.open)
                    quotes.append(q)
                    taken_until = m.close + 1
                    link.last = q["speaker"] or link.last
                continue
            hit: CueHit = obj
            if hit.index in used_cues or hit.start < taken_until:
                continue
            q, consumed = self._from_cue(doc, link, hit)
            if q is None:
                continue
            used_cues.add(hit.index)
            used_cues.update(consumed)
            opens = doc.mark_opens
            used_marks.update(opens[bisect_left(opens, q["start"] - 1):bisect_left(opens, q["end"] + 1)])
            quotes.append(q)
            taken_until = q["end"]
            if q["speaker"] is not None:
                link.last = q["speaker"]
        return quotes, doc

    def _from_cue(self, doc: _Doc, link: _Linker, hit: CueHit) -> tuple[dict | None, set[int]]:
        toks, c = doc.toks, hit.index
        limit = doc.sentence_end(c)
        speaker, after = link.speaker(hit)
        cue_span = {"start": hit.start, "end": hit.end}
        consumed: set[int] = set()
        if c + 1 < limit and toks[c + 1].norm in _SAYING:
            cue_span["end"] = toks[c + 1].end
            consumed.add(c + 1)
        # direct: a quotation right after the subject
        mark = self._direct_after(doc, after, limit)
        if mark is not None:
            for k in range(after, doc.token_at(mark.open)):
                consumed.add(k)
            return {"start": mark.start, "end": mark.end, "type": "direct", "cue": cue_span,
                    "speaker": speaker}, consumed
        # indirect / mixed: a complementizer after the subject, adverbials allowed between
        k, gap = after, 0
        while k < limit and gap <= 6:
            t = toks[k]
            if t.text in _PUNCT_STOP or t.text in QUOTE_MARKS or (k in doc.cue_at and k > after):
                break
            if k == after and t.stem_set() & set(hit.cue.strip):
                k += 1
                continue
            s = _complementizer_at(doc, k)
            if s is not None and "comp" in hit.cue.frames:
                q = self._reported(doc, s, self._clause_end(doc, s), "indirect")
                return (dict(q, cue=cue_span, speaker=speaker) if q else None), consumed
            if "obj" in hit.cue.frames and "comp" not in hit.cue.frames:
                break
            k += 1
            gap += 1
        if "obj" in hit.cue.frames:
            s = after
            while s < limit and (toks[s].text in ("،", ",") or toks[s].norm in _ADVERBIALS):
                s += 1
            if s < limit and toks[s].stem_set() & set(hit.cue.strip):
                s += 1
            s2 = _complementizer_at(doc, s) if s < limit else None
            s = s2 if s2 is not None else s
            if s < limit and toks[s].text not in _CLAUSE_PUNCT:
                e = self._clause_end(doc, s)
                if e - s >= 2:
                    q = self._reported(doc, s, e, "indirect")
                    return (dict(q, cue=cue_span, speaker=speaker) if q else None), consumed
        return None, consumed

    def _standalone_mark(self, doc: _Doc, link: _Linker, m: MarkedSpan, used_cues: set[int]) -> dict | None:
        """A quotation not claimed by a preceding cue: postposed cue, or after a colon."""
        toks = doc.toks
        o = doc.token_at(m.open)
        c = doc.token_at(m.close) + 1
        limit = len(toks)
        k = c
        while k < limit and k - c < 3 and (toks[k].text in ("،", ",", "-", "–") or toks[k].norm in _POSTPOSED):
            k += 1
        if k < limit and k in doc.cue_at and toks[k].sentence == toks[o].sentence or \
                k < limit and k in doc.cue_at and k - c <= 2:
            hit = doc.cue_at[k]
            used_cues.add(k)
            if hit.cue.participle:
                sp = link.last
            else:
                sp, _ = link.subject_after(k)
                sp = sp or link.last
            return {"start": m.start, "end": m.end, "type": "direct",
                    "cue": {"start": hit.start, "end": hit.end}, "speaker": sp}
        if o > 0 and toks[o - 1].text == ":" and min(c - 1, limit) - min(o + 1, limit) >= 3:
            sp = None
            lo = doc.sentence_start(o)
            # the last mention ending by ``o - 1`` that starts in the sentence (mentions are
            # sorted: once one starts before ``lo`` every earlier one does)
            for idx in range(bisect_right(doc.mention_lasts, o - 1) - 1, -1, -1):
                mm = doc.mentions[idx]
                if mm.first < lo:
                    break
                if mm.label in ("PER", "ORG", "GPE"):
                    sp = _span(mm)
                    break
            return {"start": m.start, "end": m.end, "type": "direct", "cue": None,
                    "speaker": sp or link.last}
        return None

    # -- interface ---------------------------------------------------------------
    def predict(self, document_id: str, text: str) -> Prediction:
        quotes, doc = self.analyse(text)
        return {"document_id": document_id, "entities": [m.as_dict() for m in doc.mentions],
                "quotes": [{k: q[k] for k in ("start", "end", "type", "cue", "speaker")} for q in quotes]}

    def attribute(self, document_id: str, text: str, quotes: list[dict]) -> list[Speaker]:
        return attribute_with_linker(text, quotes)


def attribute_with_linker(text: str, quotes: list[dict], predicted: list[dict] | None = None) -> list[Speaker]:
    """Speakers of given quote spans: the speaker of the overlapping rule-based quote,
    else the subject of the nearest cue before the quote in its sentence (or the cue
    right after it), else the last speaker before it, else the nearest preceding PER."""
    base = CueRulesBaseline()
    if predicted is None:
        predicted, doc = base.analyse(text)
    else:
        doc = _prepare(text)
    link = _Linker(doc)
    out: list[Speaker] = []
    for q in quotes:
        best = most_overlapping(q, predicted)
        if best is not None and best.get("speaker") is not None:
            out.append(best["speaker"])
            continue
        earlier = [p for p in predicted if p["end"] <= q["start"] and p.get("speaker")]
        link.last = earlier[-1]["speaker"] if earlier else None
        i = doc.token_at(q["start"])
        lo = doc.sentence_start(i) if doc.toks else 0
        sp = None
        for k in range(i - 1, lo - 1, -1):
            if k in doc.cue_at:
                sp, _ = link.speaker(doc.cue_at[k])
                break
        if sp is None and doc.toks:
            j = doc.token_at(q["end"]) + 1
            while j < len(doc.toks) and doc.toks[j].text in {"»", "”", '"', "،", ",", "“"} | _POSTPOSED:
                j += 1
            if j < len(doc.toks) and j in doc.cue_at:
                sp, _ = link.speaker(doc.cue_at[j])
        if sp is None:
            sp = link.last
        if sp is None:
            per = [m for m in doc.mentions if m.label == "PER" and m.start < q["start"]]
            sp = _span(per[-1]) if per else None
        out.append(sp)
    return out
