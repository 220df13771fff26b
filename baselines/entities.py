"""A generic Arabic entity tagger built from general-knowledge lexicons (no training data).

Gazetteers of countries, cities, regions and organizations; nisba adjectives for NORP;
organization patterns (``وزارة`` + definite genitive chain); titles followed by a name
and common given names for PER; surnames of names already found, propagated through
the document. Proclitics ``و ف ب ل ك`` are stripped when matching and left out of spans.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from benchmark.text import split_sentences, tokenize

from .arabic import is_arabic_word, normalize, stems
from .lexicon import cues, gazetteer, phrase_set, word_set


@dataclass(frozen=True)
class Token:
    """A token of the document with its sentence and its clitic-stripped readings."""

    index: int
    start: int
    end: int
    text: str
    sentence: int
    readings: tuple[tuple[int, str], ...]

    @property
    def norm(self) -> str:
        return self.readings[0][1]

    def stem_set(self) -> set[str]:
        return {s for _, s in self.readings}


def document_tokens(text: str) -> list[Token]:
    """Every token of ``text``, sentence by sentence (benchmark segmentation)."""
    out: list[Token] = []
    for si, sent in enumerate(split_sentences(text)):
        for seg in tokenize(text, sent.start, sent.end):
            tok = text[seg.start:seg.end]
            out.append(Token(len(out), seg.start, seg.end, tok, si, tuple(stems(tok))))
    return out


@dataclass(frozen=True)
class Mention:
    """A tagged entity: character span, label, token range ``[first, last)`` and, for a
    PER found after a title, the title (normalized, without the article)."""

    start: int
    end: int
    label: str
    first: int
    last: int
    title: tuple[str, ...] | None = None

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "label": self.label}


_NAME_LINKS = {"عبد", "ابو", "ابي", "بن", "ابن", "ال", "بنت", "دي", "دو", "فون", "فان", "لا"}
_MODIFIER_WORDS = {"باسم", "لدى", "الرسمي", "العام", "الخاص", "الدائم", "السابق", "السابقة"}


@dataclass
class _Lex:
    gaz: dict = field(default_factory=gazetteer)
    gaz_max: int = 0
    titles: frozenset = field(default_factory=lambda: phrase_set("titles.txt"))
    title_max: int = 0
    title_words: frozenset = frozenset()
    heads: frozenset = field(default_factory=lambda: word_set("org_heads.txt"))
    given: frozenset = field(default_factory=lambda: word_set("given_names.txt"))
    stop: frozenset = field(default_factory=lambda: word_set("stopwords.txt"))
    cue_forms: frozenset = field(default_factory=lambda: frozenset(cues()))

    def __post_init__(self) -> None:
        self.gaz_max = max(len(k) for k in self.gaz)
        self.title_max = max(len(k) for k in self.titles)
        self.title_words = frozenset(k[0] for k in self.titles)


@lru_cache(maxsize=1)
def _lex() -> _Lex:
    return _Lex()


def _is_stop(tok: Token, lex: _Lex) -> bool:
    if not is_arabic_word(tok.text):
        return True
    return any(s in lex.stop or s in lex.cue_forms for _, s in stems(tok.text, prepositions=False))


class EntityTagger:
    """Tag PER ORG GPE LOC NORP mentions in any Arabic text.

    >>> t = "وقال الرئيس الفرنسي جان دوبوا في باريس إن الاتحاد الأوروبي سيجتمع."
    >>> [(t[m.start:m.end], m.label) for m in EntityTagger().tag(t)]
    [('الفرنسي', 'NORP'), ('جان دوبوا', 'PER'), ('باريس', 'GPE'), ('الاتحاد الأوروبي', 'ORG')]
    """

    def tag(self, text: str, tokens: list[Token] | None = None) -> list[Mention]:
        toks = tokens if tokens is not None else document_tokens(text)
        lex = _lex()
        covered: dict[int, Mention] = {}
        mentions: list[Mention] = []
        self._titles_at: set[int] = set()

        def add(m: Mention) -> None:
            for k in range(m.first, m.last):
                old = covered.get(k)
                if old is not None and old in mentions:
                    mentions.remove(old)
                    for kk in range(old.first, old.last):
                        covered.pop(kk, None)
            mentions.append(m)
            for k in range(m.first, m.last):
                covered[k] = m

        self._gazetteer(toks, lex, add, covered)
        self._organizations(toks, lex, add, covered)
        self._titled_persons(toks, lex, add, covered)
        self._given_names(toks, lex, add, covered)
        self._surnames(toks, lex, add, covered, mentions)
        return sorted(mentions, key=lambda m: m.start)

    # -- passes -------------------------------------------------------------------
    @staticmethod
    def _span(toks: list[Token], i: int, j: int, off: int, label: str, title=None) -> Mention:
        return Mention(toks[i].start + off, toks[j - 1].end, label, i, j, title)

    def _match(self, toks, i, table, maxlen) -> tuple[int, int, tuple] | None:
        """Longest phrase of ``table`` starting at token ``i`` (first token clitic-stripped)."""
        sent = toks[i].sentence
        for length in range(maxlen, 0, -1):
            j = i + length
            if j > len(toks) or toks[j - 1].sentence != sent:
                continue
            rest = tuple(t.norm for t in toks[i + 1:j])
            for off, stem in toks[i].readings:
                key = (stem,) + rest
                if key in table:
                    return j, off, key
        return None

    def _gazetteer(self, toks, lex, add, covered) -> None:
        i = 0
        while i < len(toks):
            hit = self._match(toks, i, lex.gaz, lex.gaz_max) if is_arabic_word(toks[i].text) else None
            if hit:
                j, off, key = hit
                add(self._span(toks, i, j, off, lex.gaz[key]))
                i = j
            else:
                i += 1

    def _organizations(self, toks, lex, add, covered) -> None:
        i = 0
        while i < len(toks):
            if i in covered or not is_arabic_word(toks[i].text):
                i += 1
                continue
            head = next(((off, s) for off, s in toks[i].readings if s in lex.heads), None)
            if head is None:
                i += 1
                continue
            j, sent = i + 1, toks[i].sentence
            while j < len(toks) and toks[j].sentence == sent and j - i <= 5:
                m = covered.get(j)
                if m is not None:
                    if m.first == j and m.label in ("GPE", "NORP", "LOC"):
                        j = m.last
                        continue
                    break
                t = toks[j]
                if _is_stop(t, lex) or t.stem_set() & lex.title_words:
                    break
                if any(s.startswith("ال") for _, s in t.readings):
                    j += 1
                    continue
                break
            if j > i + 1:
                add(self._span(toks, i, j, head[0], "ORG"))
                i = j
            else:
                i += 1

    def _name_run(self, toks, k, lex, covered, limit=4) -> int:
        """End (exclusive) of the run of name-like tokens starting at ``k``."""
        j, sent = k, toks[k].sentence if k < len(toks) else -1
        while j < len(toks) and toks[j].sentence == sent and j - k < limit:
            t = toks[j]
            if j in covered or _is_stop(t, lex) or t.stem_set() & lex.title_words or len(t.norm) < 2:
                break
            prev = toks[j - 1].norm if j > k else None
            if j > k and t.text[:1] == "و" and t.norm not in lex.given:
                break
            if t.norm.startswith("ال"):
                if j == k or t.norm in lex.gaz:
                    break
                if prev not in _NAME_LINKS and j - k > 1:
                    break
            j += 1
        while j > k and toks[j - 1].norm in _NAME_LINKS:
            j -= 1
        return j

    def _titled_persons(self, toks, lex, add, covered) -> None:
        i = 0
        while i < len(toks):
            if i in covered or not is_arabic_word(toks[i].text):
                i += 1
                continue
            hit = self._match(toks, i, lex.titles, lex.title_max)
            if hit is None:
                i += 1
                continue
            j, _, key = hit
            self._titles_at.update(range(i, j))
            title = (key[0][2:] if key[0].startswith("ال") else key[0],) + key[1:]
            sent = toks[i].sentence
            k, loose = j, []
            while k < len(toks) and toks[k].sentence == sent and k - j < 8:
                m = covered.get(k)
                if m is not None and m.first == k and m.label != "PER":
                    k = m.last
                    continue
                t = toks[k]
                if t.norm in _MODIFIER_WORDS:
                    k += 1
                    continue
                if t.norm.startswith("ال") and not _is_stop(t, lex) and not (t.stem_set() & lex.title_words):
                    loose.append(k)
                    k += 1
                    continue
                break
            end = self._name_run(toks, k, lex, covered) if k < len(toks) and toks[k].sentence == sent else k
            if end > k:
                add(self._span(toks, k, end, 0, "PER", title))
                i = end
                continue
            if loose and loose[-1] == k - 1 and not toks[k - 1].norm.endswith(("ي", "ية", "ين", "ون")):
                add(self._span(toks, k - 1, k, 0, "PER", title))
            i = max(j, k)

    def _given_names(self, toks, lex, add, covered) -> None:
        i = 0
        while i < len(toks):
            if i in covered or i in self._titles_at or not is_arabic_word(toks[i].text):
                i += 1
                continue
            hit = next(((off, s) for off, s in toks[i].readings if s in lex.given), None)
            if hit is None:
                i += 1
                continue
            end = self._name_run(toks, i + 1, lex, covered, limit=3) if i + 1 < len(toks) \
                and toks[i + 1].sentence == toks[i].sentence else i + 1
            if hit[1] in _NAME_LINKS and end == i + 1:
                i += 1
                continue
            add(self._span(toks, i, end, hit[0], "PER"))
            i = end

    def _surnames(self, toks, lex, add, covered, mentions) -> None:
        names = {}
        for m in mentions:
            if m.label == "PER" and m.last - m.first >= 2:
                last = toks[m.last - 1].norm
                if len(last) >= 3 and last not in lex.stop:
                    names[last] = m
        if not names:
            return
        for i, t in enumerate(toks):
            if i in covered:
                continue
            hit = next(((off, s) for off, s in t.readings if s in names), None)
            if hit is not None:
                add(self._span(toks, i, i + 1, hit[0], "PER", names[hit[1]].title))


@lru_cache(maxsize=1)
def default_tagger() -> EntityTagger:
    return EntityTagger()


def tag_entities(text: str) -> list[dict]:
    """Entity dicts ``{"start","end","label"}`` of the generic tagger."""
    return [m.as_dict() for m in default_tagger().tag(text)]
