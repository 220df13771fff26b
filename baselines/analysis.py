"""One analysed text per document, shared by the baselines: tokens and sentences, entity
mentions of the generic tagger, quotation-mark pairs and reporting cues, with the lookups
the rules ask of them. Built once per document by :func:`analyse`; read-only afterwards."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter

from .arabic import stems
from .entities import Mention, Token, default_tagger, document_tokens, known_word
from .lexicon import Cue
from .quotes import MarkedSpan, marked_spans


@dataclass(frozen=True)
class CueHit:
    """A reporting cue at token ``index``: its span without the proclitics و ف, whether
    one was attached (a cue that opens a new clause), and its lexicon entry."""

    index: int
    start: int
    end: int
    cue: Cue
    conjoined: bool


def find_cues(tokens: list[Token]) -> list[CueHit]:
    """Every reporting cue among ``tokens`` (proclitics و ف stripped)."""
    out = []
    for t in tokens:
        hit = t.cue
        if hit is not None:
            out.append(CueHit(t.index, t.start + hit[0], t.end, hit[1], hit[0] > 0))
    return out


class Analysis:
    """The analysed text. ``tokens`` are in document order, sentence by sentence;
    ``mentions`` and ``marks`` are sorted and never overlap."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Token] = document_tokens(text)
        self.mentions: list[Mention] = default_tagger().tag(text, self.tokens)
        self.marks: list[MarkedSpan] = marked_spans(text)
        self.cues: list[CueHit] = find_cues(self.tokens)
        self.mention_at: dict[int, Mention] = {m.first: m for m in self.mentions}
        self.mark_at: dict[int, MarkedSpan] = {m.open: m for m in self.marks}
        self.cue_at: dict[int, CueHit] = {c.index: c for c in self.cues}
        self._starts = list(map(attrgetter("start"), self.tokens))
        self._sents = list(map(attrgetter("sentence"), self.tokens))  # non-decreasing
        self.mention_lasts = [m.last for m in self.mentions]
        self.mark_opens = [m.open for m in self.marks]
        titled: dict[str, tuple[list[int], list[Mention]]] = {}
        for m in self.mentions:
            if m.label == "PER" and m.title:
                starts, ms = titled.setdefault(m.title[0], ([], []))
                starts.append(m.start)
                ms.append(m)
        self._titled = titled

    @cached_property
    def bare_words(self) -> frozenset[str]:
        """The normalized text of every token (words the text itself attests)."""
        return frozenset(t.norm for t in self.tokens)

    # -- positions ----------------------------------------------------------------------
    def sentence_end(self, i: int) -> int:
        """Index after the last token of token ``i``'s sentence (``i`` past the end: the end)."""
        sents = self._sents
        if i >= len(sents):
            return len(sents)
        return bisect_right(sents, sents[i], i)

    def sentence_start(self, i: int) -> int:
        """Index of the first token of token ``i``'s sentence."""
        sents = self._sents
        return bisect_left(sents, sents[i], 0, i + 1)

    def token_at(self, offset: int) -> int:
        """Index of the token starting at or last before character ``offset``."""
        return max(0, bisect_right(self._starts, offset) - 1)

    def mark_inside(self, start: int, end: int) -> bool:
        """True when a quotation mark pair lies within characters ``[start, end)``."""
        k = bisect_left(self.mark_opens, start)
        return k < len(self.marks) and self.marks[k].close < end

    def quoted(self, start: int, end: int) -> bool:
        """True when characters ``[start, end)`` lie inside a quotation-mark pair."""
        k = bisect_right(self.mark_opens, start) - 1
        return k >= 0 and end <= self.marks[k].close

    def marks_between(self, start: int, end: int) -> list[int]:
        """Opening offsets of the pairs opening within ``[start, end]``."""
        opens = self.mark_opens
        return opens[bisect_left(opens, start):bisect_right(opens, end)]

    def mentions_ending_by(self, i: int) -> range:
        """Indexes into ``mentions``, last first, of the mentions ending at or before token ``i``."""
        return range(bisect_right(self.mention_lasts, i) - 1, -1, -1)

    def clause_start(self, i: int) -> int:
        """Character offset where content opening a clause on token ``i`` starts: after a
        conjunction و ف (وتستعد -> تستعد), unless the whole token is a word the lexicons
        know (وزير، وليد، واشنطن keep their first letter)."""
        t = self.tokens[i]
        if t.text[:1] in "وف" and not known_word(t.norm):
            readings = stems(t.text, prepositions=False)
            if len(readings) > 1:
                return t.start + readings[1][0]
        return t.start

    # -- people -------------------------------------------------------------------------
    def last_titled_person(self, words: tuple[str, ...], before: int) -> Mention | None:
        """The last PER mention starting before character ``before`` whose title begins
        with ``words[0]`` and holds every other word (``("وزير", "كندي")`` finds the
        person introduced as «وزير المالية الكندي»)."""
        hit = self._titled.get(words[0])
        if hit is None:
            return None
        starts, ms = hit
        for k in range(bisect_left(starts, before) - 1, -1, -1):
            if set(words[1:]) <= set(ms[k].title or ()):
                return ms[k]
        return None


def analyse(text: str) -> Analysis:
    """The analysed text of one document (build it once and pass it to every rule)."""
    return Analysis(text)
