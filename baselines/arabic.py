"""Arabic string helpers for the baselines: normalization for matching and proclitic stripping."""

from __future__ import annotations

import re

_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ک": "ك", "ی": "ي"})
_MARK_CHARS = set(chr(c) for c in range(0x0610, 0x061B)) | set(chr(c) for c in range(0x064B, 0x0660)) \
    | {"\u0670", "\u0640"} | set(chr(c) for c in range(0x06D6, 0x06EE))

CONJUNCTIONS = "وف"
PREPOSITIONS = "بلك"


def normalize(s: str) -> str:
    """Matching form: no diacritics or tatweel, hamzated alefs as bare alef.

    ``ى`` and ``ة`` are kept (``على`` must not become the name ``علي``).

    >>> normalize("أَكَّدَ")
    'اكد'
    """
    return _MARKS.sub("", s).translate(_ALEF)


def _skip(token: str, i: int) -> int:
    """Index after the letter at ``i`` and any combining marks that follow it."""
    i += 1
    while i < len(token) and token[i] in _MARK_CHARS:
        i += 1
    return i


def stems(token: str, *, prepositions: bool = True) -> list[tuple[int, str]]:
    """Readings of a token with its proclitics removed, as ``(offset, normalized stem)``,
    the unstripped token first; ``offset`` is where a span naming the stem starts.

    This is the clitic rule of the gold (``gold/GUIDELINES.md`` §0, span boundaries): a span
    starts at the token, or after its proclitics in Arabic's order, a conjunction ``و ف``
    then a preposition ``ب ل ك``. ``لل`` is ``ل`` + the article with its alif dropped, or
    ``ل`` + a word that begins with ``ل`` (``للبنان``): it reads both ways (``الامم``,
    ``لبنان``), but no span starts between the two lams, so the offset of both readings
    stays before ``لل`` (the word is taken whole, the preposition with it).
    A stem keeps at least two letters.

    >>> stems("وبباريس")
    [(0, 'وبباريس'), (1, 'بباريس'), (2, 'باريس')]
    >>> stems("وللأمم")
    [(0, 'وللامم'), (1, 'للامم'), (1, 'لامم'), (1, 'الامم')]
    """
    out = [(0, normalize(token))]
    bases = [0]
    if token[:1] in CONJUNCTIONS and len(normalize(token)) > 3:
        j = _skip(token, 0)
        out.append((j, normalize(token[j:])))
        bases.append(j)
    if prepositions:
        for b in list(bases):
            if token[b:b + 1] in PREPOSITIONS and len(normalize(token[b:])) > 3:
                j = _skip(token, b)
                if token[b] == "ل" and token[j:j + 1] == "ل":
                    out += [(b, normalize(token[j:])), (b, "ا" + normalize(token[j:]))]
                else:
                    out.append((j, normalize(token[j:])))
    seen, uniq = set(), []
    for off, s in out:
        if (off, s) not in seen:
            seen.add((off, s))
            uniq.append((off, s))
    return uniq


def preposition_on_hamza(token: str) -> bool:
    """A preposition ``ب ل ك`` attached to a word that begins with a hamzated alef
    (``بإطلاق``, ``لإنهاء``, ``بأداء``): a verbal noun's phrase, which no name begins with.

    >>> preposition_on_hamza("بإطلاق"), preposition_on_hamza("باسل")
    (True, False)
    """
    bare = _MARKS.sub("", token)
    return len(bare) > 2 and bare[0] in PREPOSITIONS and bare[1] in "أإآ"


def without_article(word: str) -> str:
    """A normalized word without the article ``ال`` (``الوزير`` -> ``وزير``).

    >>> without_article("الوزير"), without_article("الى")
    ('وزير', 'الى')
    """
    return word[2:] if word.startswith("ال") and len(word) > 3 else word


def is_arabic_word(token: str) -> bool:
    """True when the token is made of Arabic letters (and marks)."""
    return bool(token) and all("\u0600" <= ch <= "\u06ff" or ch in _MARK_CHARS for ch in token) \
        and any("\u0621" <= ch <= "\u064a" for ch in token)
