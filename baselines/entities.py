"""A generic Arabic entity tagger built from general-knowledge lexicons (no training data).

Gazetteers of countries, cities, regions and organizations; nisba adjectives for NORP;
organization patterns (``وزارة`` + definite genitive chain); titles followed by a name
and common given names for PER; surnames of names already found, propagated through
the document. Proclitics ``و ف ب ل ك`` are stripped when matching and left out of spans,
where the clitic rule of :func:`baselines.arabic.stems` puts the boundary; a given name is
only read after ``و ف`` (``لدينا`` is "we have", not ل + a name).

Public interface: :func:`document_tokens`, :class:`Token`, :class:`Mention`,
:meth:`EntityTagger.tag` (:func:`default_tagger`) and :func:`title_at`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, count
from operator import attrgetter
from typing import Mapping, NamedTuple

from benchmark.text import split_sentences, token_spans

from .arabic import is_arabic_word, preposition_on_hamza, stems, without_article
from .lexicon import Cue, cues, gazetteer, phrase_set, word_set


class Token:
    """A token of the document with its sentence and its clitic-stripped readings.

    ``norm`` is the normalized token (the first reading); ``info`` holds what depends on
    the token's text alone (lexicon flags), shared by every occurrence of that text."""

    __slots__ = ("index", "start", "end", "text", "sentence", "info")

    def __init__(self, index: int, start: int, end: int, text: str, sentence: int,
                 readings: tuple[tuple[int, str], ...] | None = None, info: _WordInfo | None = None) -> None:
        self.index = index
        self.start = start
        self.end = end
        self.text = text
        self.sentence = sentence
        self.info = info if info is not None else _word_info(text) if readings is None \
            or tuple(readings) == _word_info(text).readings else _WordInfo(text, readings)

    @property
    def readings(self) -> tuple[tuple[int, str], ...]:
        return self.info.readings

    @property
    def norm(self) -> str:
        return self.info.norm

    def stem_set(self) -> set[str]:
        return set(self.info.stems)

    @property
    def stems(self) -> frozenset[str]:
        """The normalized readings of the token (with and without its proclitics)."""
        return self.info.stems

    @property
    def is_arabic(self) -> bool:
        """Made of Arabic letters (and marks)."""
        return self.info.arabic

    @property
    def cue(self) -> tuple[int, Cue] | None:
        """The reporting cue this token is, as ``(offset after و ف, lexicon entry)``."""
        return self.info.cue

    @property
    def is_stop(self) -> bool:
        """Not a word a name can hold: not Arabic, a function word or a reporting cue."""
        return self.info.stop

    @property
    def is_title_word(self) -> bool:
        """The first word of a title (``وزير``, ``الرئيس`` ...)."""
        return self.info.title_word

    def _key(self) -> tuple:
        return (self.index, self.start, self.end, self.text, self.sentence, self.readings)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Token(index={self.index!r}, start={self.start!r}, end={self.end!r}, text={self.text!r}, "
                f"sentence={self.sentence!r}, readings={self.readings!r})")


class _WordInfo:
    """Everything the tagger and the cue finder ask of a token that depends on its text
    alone, computed once per distinct text (the lexicons are fixed)."""

    __slots__ = ("readings", "norm", "stems", "arabic", "stop", "title_word", "al_any", "head", "given", "on_hamza",
                 "gaz_lengths", "title_lengths", "gaz_cand", "head_cand", "title_cand", "given_cand", "cue")

    def __init__(self, text: str, readings: tuple[tuple[int, str], ...] | None = None) -> None:
        lex = _lex()
        self.readings = tuple(stems(text)) if readings is None else tuple(readings)
        self.norm = self.readings[0][1]
        self.stems = frozenset(s for _, s in self.readings)
        self.arabic = is_arabic_word(text)
        conj = stems(text, prepositions=False)
        self.stop = not self.arabic or any(s in lex.stop or s in lex.cue_forms for _, s in conj)
        self.title_word = bool(self.stems & lex.title_words)
        self.on_hamza = preposition_on_hamza(text)
        self.al_any = any(s.startswith("ال") for _, s in self.readings)
        self.head = next(((off, s) for off, s in self.readings if s in lex.heads), None)
        self.given = next(((off, s) for off, s in conj if s in lex.given), None)
        # lengths of the gazetteer / title phrases that may start here, longest first
        self.gaz_lengths = _phrase_lengths(self.readings, lex.gaz_first)
        self.title_lengths = _phrase_lengths(self.readings, lex.title_first)
        # where each tagger pass looks at all (an Arabic word with a lexicon hit)
        self.gaz_cand = self.arabic and bool(self.gaz_lengths)
        self.head_cand = self.arabic and self.head is not None
        self.title_cand = self.arabic and bool(self.title_lengths)
        self.given_cand = self.arabic and self.given is not None
        table = cues()
        self.cue = next(((off, table[s]) for off, s in conj if s in table), None)


def _phrase_lengths(readings, index: dict[str, tuple[int, ...]]) -> tuple[int, ...]:
    """Lengths, longest first, of the phrases of ``index`` whose first token is a reading."""
    lengths: set[int] = set()
    for _, stem in readings:
        lengths.update(index.get(stem, ()))
    return tuple(sorted(lengths, reverse=True))


_INFO: dict[str, _WordInfo] = {}
_INFO_LIMIT = 1 << 20


def _word_info(text: str) -> _WordInfo:
    info = _INFO.get(text)
    if info is None:
        if len(_INFO) >= _INFO_LIMIT:
            _INFO.clear()
        info = _INFO[text] = _WordInfo(text)
    return info


def document_tokens(text: str) -> list[Token]:
    """Every token of ``text``, sentence by sentence (benchmark segmentation)."""
    out: list[Token] = []
    append = out.append
    get = _INFO.get
    n = 0
    for si, sent in enumerate(split_sentences(text)):
        for start, end in token_spans(text, sent.start, sent.end):
            tok = text[start:end]
            info = get(tok)
            if info is None:
                info = _word_info(tok)
            append(Token(n, start, end, tok, si, None, info))
            n += 1
    return out


@dataclass(frozen=True)
class Mention:
    """A tagged entity: character span, label, token range ``[first, last)`` and, for a
    PER found after a title, the words of the title and its modifiers (normalized, without
    the article: ``وزير المالية الكندي`` -> ``("وزير", "مالية", "كندي")``)."""

    start: int
    end: int
    label: str
    first: int
    last: int
    title: tuple[str, ...] | None = None

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "label": self.label}


_NAME_LINKS = {"عبد", "ابو", "ابي", "بن", "ابن", "ال", "بنت", "دي", "دو", "فون", "فان", "لا"}
_COMMAS = {"،", ","}
_MODIFIER_WORDS = {"باسم", "لدى", "الرسمي", "العام", "الخاص", "الدائم", "السابق", "السابقة"}


def _genitive_of(toks: list[Token], k: int, mentions: Mapping[int, Mention]) -> bool:
    """Token ``k`` opens the «of ...» complement of a title: ``لل`` + noun (المتحدث
    للحكومة), or ``ل`` + a noun followed by a definite word or a mention (المدير التنفيذي
    لشركة النفط، رئيس الاتحاد لكرة القدم). A name that starts with ``ل`` (لوران) is not
    followed so."""
    t = toks[k]
    if t.text[:1] != "ل" or len(t.readings) < 2 or t.info.stop:
        return False
    if t.norm.startswith("لل"):
        return True
    nxt = k + 1
    if nxt >= len(toks) or toks[nxt].sentence != t.sentence:
        return False
    m = mentions.get(nxt)
    return (m is not None and m.first == nxt) or toks[nxt].norm.startswith("ال")


def modifiers_end(tokens: list[Token], j: int, mentions: Mapping[int, Mention]) -> int:
    """Index after the modifiers of a title (or a noun) ending before token ``j``, in its
    sentence and at most eight tokens: nationality, place and organisation mentions
    (``mentions`` maps a token index to the mention holding it), definite adjectives and
    genitives, «لـ» + noun (:func:`_genitive_of`) and «باسم», «لدى»...

    >>> toks = document_tokens("المدير الإقليمي لشركة النفط، سامي")
    >>> modifiers_end(toks, 1, {})
    4
    """
    n = len(tokens)
    if j >= n:
        return j
    sent, k = tokens[j - 1].sentence if j else tokens[0].sentence, j
    while k < n and tokens[k].sentence == sent and k - j < 8:
        m = mentions.get(k)
        if m is not None and m.first == k and m.label != "PER":
            k = m.last
            continue
        t = tokens[k]
        if t.norm in _MODIFIER_WORDS or (t.norm.startswith("ال") and not t.info.stop and not t.info.title_word) \
                or _genitive_of(tokens, k, mentions):
            k += 1
            continue
        break
    return k


def _first_word_index(table) -> dict[str, tuple[int, ...]]:
    """First token of the phrases of ``table`` -> their lengths, longest first."""
    lengths: dict[str, set[int]] = {}
    for key in table:
        if key:
            lengths.setdefault(key[0], set()).add(len(key))
    return {w: tuple(sorted(ls, reverse=True)) for w, ls in lengths.items()}


@dataclass
class _Lex:
    gaz: dict = field(default_factory=gazetteer)
    titles: frozenset = field(default_factory=lambda: phrase_set("titles.txt"))
    title_words: frozenset = frozenset()
    heads: frozenset = field(default_factory=lambda: word_set("org_heads.txt"))
    given: frozenset = field(default_factory=lambda: word_set("given_names.txt"))
    stop: frozenset = field(default_factory=lambda: word_set("stopwords.txt"))
    cue_forms: frozenset = field(default_factory=lambda: frozenset(cues()))
    gaz_first: dict = field(default_factory=dict)
    title_first: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.title_words = frozenset(k[0] for k in self.titles)
        self.gaz_first = _first_word_index(self.gaz)
        self.title_first = _first_word_index(self.titles)


@lru_cache(maxsize=1)
def _lex() -> _Lex:
    return _Lex()


def _match(toks: list[Token], i: int, table, lengths: tuple[int, ...]) -> tuple[int, int, tuple] | None:
    """Longest phrase of ``table`` (lengths to try, longest first) starting at token ``i``,
    its first token read without proclitics: ``(end token, offset in token i, key)``."""
    if not lengths:
        return None
    tok = toks[i]
    readings, sent, n = tok.readings, tok.sentence, len(toks)
    for length in lengths:
        j = i + length
        if j > n or toks[j - 1].sentence != sent:
            continue
        if length == 1:  # the last length tried: one reading is a one-word phrase
            return next(((j, off, (stem,)) for off, stem in readings if (stem,) in table), None)
        rest = tuple([t.info.norm for t in toks[i + 1:j]])
        for off, stem in readings:
            key = (stem,) + rest
            if key in table:
                return j, off, key
    return None


def known_word(word: str) -> bool:
    """A normalized word the lexicons list as it stands: a given name, the first word of a
    title, a place or an organisation, an organisation head, a function word or a cue."""
    lex = _lex()
    return word in lex.given or word in lex.title_words or word in lex.gaz_first or word in lex.heads \
        or word in lex.stop or word in lex.cue_forms


class TitleMatch(NamedTuple):
    """A title phrase found by :func:`title_at`: the token after it, the character offset
    in its first token where it starts (after proclitics), and its words (normalized,
    without the article)."""

    end: int
    offset: int
    words: tuple[str, ...]


def title_at(tokens: list[Token], i: int) -> TitleMatch | None:
    """The longest title phrase (``titles.txt``) starting at token ``i``; None when none does.

    >>> toks = document_tokens("ووزير الخارجية قال")
    >>> title_at(toks, 0), title_at(toks, 2)
    (TitleMatch(end=2, offset=1, words=('وزير', 'خارجية')), None)
    """
    hit = _match(tokens, i, _lex().titles, tokens[i].info.title_lengths)
    return TitleMatch(hit[0], hit[1], tuple(without_article(w) for w in hit[2])) if hit else None


_info_of = attrgetter("info")
_gaz_cand = attrgetter("gaz_cand")
_head_cand = attrgetter("head_cand")
_title_cand = attrgetter("title_cand")
_given_cand = attrgetter("given_cand")


class EntityTagger:
    """Tag PER ORG GPE LOC NORP mentions in any Arabic text.

    >>> t = "وقال الرئيس البرازيلي خوسيه دا كوستا في مدريد إن الاتحاد الأوروبي سيجتمع."
    >>> [(t[m.start:m.end], m.label) for m in EntityTagger().tag(t)]
    [('البرازيلي', 'NORP'), ('خوسيه دا كوستا', 'PER'), ('مدريد', 'GPE'), ('الاتحاد الأوروبي', 'ORG')]
    """

    def tag(self, text: str, tokens: list[Token] | None = None) -> list[Mention]:
        toks = tokens if tokens is not None else document_tokens(text)
        lex = _lex()
        covered: dict[int, Mention] = {}
        # the mentions in the order they were added, keyed by their first token (the
        # mentions never share a token, so the key is unique and removal is O(1))
        by_first: dict[int, Mention] = {}
        self._titles_at: set[int] = set()

        def add(m: Mention) -> None:
            get = covered.get
            for k in range(m.first, m.last):
                old = get(k)
                if old is not None:
                    del by_first[old.first]
                    for kk in range(old.first, old.last):
                        covered.pop(kk, None)
            by_first[m.first] = m
            for k in range(m.first, m.last):
                covered[k] = m

        infos = list(map(_info_of, toks))
        self._gazetteer(toks, lex, add, covered, infos)
        self._organizations(toks, lex, add, covered, infos)
        self._titled_persons(toks, lex, add, covered, infos)
        self._given_names(toks, lex, add, covered, infos)
        self._surnames(toks, lex, add, covered, list(by_first.values()), infos)
        return sorted(by_first.values(), key=lambda m: m.start)

    # -- passes -------------------------------------------------------------------
    @staticmethod
    def _span(toks: list[Token], i: int, j: int, off: int, label: str, title=None) -> Mention:
        return Mention(toks[i].start + off, toks[j - 1].end, label, i, j, title)

    def _gazetteer(self, toks, lex, add, covered, infos) -> None:
        i = 0
        for c in list(compress(count(), map(_gaz_cand, infos))):
            if c < i:
                continue
            i = c
            hit = _match(toks, i, lex.gaz, infos[i].gaz_lengths)
            if hit:
                j, off, key = hit
                add(self._span(toks, i, j, off, lex.gaz[key]))
                i = j
            else:
                i += 1

    def _organizations(self, toks, lex, add, covered, infos) -> None:
        i = 0
        for c in list(compress(count(), map(_head_cand, infos))):
            if c < i or c in covered:
                continue
            i = c
            head = infos[i].head
            j, sent = i + 1, toks[i].sentence
            while j < len(toks) and toks[j].sentence == sent and j - i <= 5:
                m = covered.get(j)
                if m is not None:
                    if m.first == j and m.label in ("GPE", "NORP", "LOC"):
                        j = m.last
                        continue
                    break
                f = infos[j]
                if f.stop or f.title_word:
                    break
                if f.al_any:
                    j += 1
                    continue
                break
            if j > i + 1:
                add(self._span(toks, i, j, head[0], "ORG"))
                i = j
            else:
                i += 1

    def _name_run(self, toks, k, lex, covered, limit=4) -> int:
        """End (exclusive) of the name starting at token ``k``: up to ``limit`` name words,
        the links of Arabic name chains between them (بن، عبد، آل، أبو ...) not counted, so
        a chain such as «فلان بن عبد الله آل فلان» is one name; a preposition on a hamzated
        alef (بإطلاق، لإنهاء) ends it, as no name begins so."""
        n = len(toks)
        j, words, sent = k, 0, toks[k].sentence if k < n else -1
        surname = False  # the last word was a definite surname (حسن الترابي): only a link may follow
        while j < n and toks[j].sentence == sent:
            t = toks[j]
            f = t.info
            if j in covered or f.stop or f.title_word or f.on_hamza or len(t.norm) < 2:
                break
            if t.norm in _NAME_LINKS:
                surname = False
                j += 1
                continue
            if words == limit or surname:
                break
            if j > k and t.text[:1] == "و" and t.norm not in lex.given:
                break
            if t.norm.startswith("ال"):
                # a definite word ends a name, except after a link (عبد الله) or as a second
                # word (حسن الترابي); a gazetteer word never continues one
                if j == k or (t.norm,) in lex.gaz:
                    break
                if toks[j - 1].norm not in _NAME_LINKS:
                    if words > 1:
                        break
                    surname = True
            words += 1
            j += 1
        while j > k and toks[j - 1].norm in _NAME_LINKS:
            j -= 1
        return j

    def _titled_persons(self, toks, lex, add, covered, infos) -> None:
        """A name after a title and its modifiers («وزير الخارجية الكيني جون موانغي»), or
        set off by commas after them (apposition: «الوزيرة الكينية، أمينة موسى،»)."""
        i = 0
        n = len(toks)
        for c in list(compress(count(), map(_title_cand, infos))):
            if c < i or c in covered:
                continue
            i = c
            hit = _match(toks, i, lex.titles, infos[i].title_lengths)
            if hit is None:
                i += 1
                continue
            j, _, key = hit
            self._titles_at.update(range(i, j))
            sent = toks[i].sentence
            k = modifiers_end(toks, j, covered)
            title = tuple(without_article(w) for w in key) + tuple(without_article(toks[x].norm) for x in range(j, k)
                                                         if toks[x].info.arabic)
            end = self._name_run(toks, k, lex, covered) if k < n and toks[k].sentence == sent else k
            if end > k:
                add(self._span(toks, k, end, 0, "PER", title))
                i = end
                continue
            if k + 1 < n and toks[k].text in _COMMAS and toks[k + 1].sentence == sent:
                end = self._name_run(toks, k + 1, lex, covered)
                if end > k + 1 and (end == n or toks[end].sentence != sent or toks[end].text in _COMMAS):
                    add(self._span(toks, k + 1, end, 0, "PER", title))
                    i = end
                    continue
            last = toks[k - 1]
            if k > j and k - 1 not in covered and last.norm.startswith("ال") and last.info.head is None \
                    and not last.norm.endswith(("ي", "ية", "ين", "ون")):
                add(self._span(toks, k - 1, k, 0, "PER", title))
            i = max(j, k)

    def _given_names(self, toks, lex, add, covered, infos) -> None:
        i = 0
        titles_at = self._titles_at
        for c in list(compress(count(), map(_given_cand, infos))):
            if c < i or c in covered or c in titles_at:
                continue
            i = c
            hit = infos[i].given
            end = max(i + 1, self._name_run(toks, i, lex, covered))
            if hit[1] in _NAME_LINKS and end == i + 1:
                i += 1
                continue
            add(self._span(toks, i, end, hit[0], "PER"))
            i = end

    def _surnames(self, toks, lex, add, covered, mentions, infos=None) -> None:
        names = {}
        for m in mentions:
            # the word after a link (بن فلان، آل فلان) is not used alone for the person
            if m.label == "PER" and m.last - m.first >= 2 and toks[m.last - 2].norm not in _NAME_LINKS:
                last = toks[m.last - 1].norm
                if len(last) >= 3 and last not in lex.stop:
                    names[last] = m
        if not names:
            return
        # the surname hit of each distinct word, then only the tokens that have one
        if infos is None:
            infos = list(map(_info_of, toks))
        hits = {}
        for info in dict.fromkeys(infos):
            hit = next(((off, s) for off, s in info.readings if s in names), None)
            if hit is not None:
                hits[info] = hit
        if not hits:
            return
        for i in [k for k, f in enumerate(infos) if f in hits]:
            if i in covered:
                continue
            hit = hits[infos[i]]
            add(self._span(toks, i, i + 1, hit[0], "PER", names[hit[1]].title))


@lru_cache(maxsize=1)
def default_tagger() -> EntityTagger:
    return EntityTagger()


def tag_entities(text: str) -> list[dict]:
    """Entity dicts ``{"start","end","label"}`` of the generic tagger."""
    return [m.as_dict() for m in default_tagger().tag(text)]
