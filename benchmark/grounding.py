"""Grounding text-only predictions in the document: text → half-open offsets.

Rule (``norm:ar-v1``): the exact text first (its ``occurrence``-th occurrence, overlapping
ones counted, 0 by default); failing that, the same occurrence of the text under Arabic
normalization, mapped back to offsets of the original text. The normalization strips
diacritics and tatweel, folds أ إ آ ٱ → ا, ى → ي, ة → ه, folds each run of whitespace to one
space, and ignores quotation marks (and whitespace) enclosing the searched text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .text import QUOTE_MARKS, occurrences

NORMALIZATION = "ar-v1"

# harakat, tanwin, Quranic marks, superscript alef, and tatweel (the same set text.py treats as marks)
_REMOVED = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = {"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
         "\u0649": "\u064a", "\u0629": "\u0647"}
_ENCLOSING = QUOTE_MARKS + " \t\r\n\u00a0\u200f\u200e"


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """The normalized text and, for each of its characters, the offset in ``text`` it comes from.

    >>> normalize_with_map("أَنا  هنا")
    ('انا هنا', [0, 2, 3, 4, 6, 7, 8])
    """
    out: list[str] = []
    where: list[int] = []
    prev_space = False
    for i, ch in enumerate(text):
        if _REMOVED.match(ch):
            continue
        if ch.isspace():
            if prev_space:
                continue
            prev_space = True
            out.append(" ")
            where.append(i)
            continue
        prev_space = False
        out.append(_FOLD.get(ch, ch))
        where.append(i)
    return "".join(out), where


def normalize(text: str) -> str:
    """Arabic normalization ``ar-v1`` of a string, enclosing quotation marks and spaces removed.

    >>> normalize('«وزيرُ الخارجيّة»') == normalize('وزير الخارجية')
    True
    """
    return normalize_with_map(text.strip(_ENCLOSING))[0].strip()


@lru_cache(maxsize=64)
def _normalized_document(text: str) -> tuple[str, tuple[int, ...]]:
    norm, where = normalize_with_map(text)
    return norm, tuple(where)


@dataclass(frozen=True)
class Grounded:
    """Where a text landed: offsets and how (``exact`` or ``normalized``); ``None`` offsets
    when it could not be grounded."""

    start: int | None
    end: int | None
    how: str  # "exact", "normalized" or "failed"

    @property
    def ok(self) -> bool:
        return self.start is not None


def ground(document_text: str, text: str, occurrence: int | None = None) -> Grounded:
    """Offsets of ``text`` in the document, exact match first, then under normalization.

    >>> d = "قال وزيرُ الخارجيّة إن"
    >>> ground(d, "وزيرُ")
    Grounded(start=4, end=9, how='exact')
    >>> g = ground(d, '"وزير الخارجية"'); (g.how, d[g.start:g.end])
    ('normalized', 'وزيرُ الخارجيّة')
    >>> ground(d, "كيري").how
    'failed'
    """
    k = occurrence or 0
    found = occurrences(document_text, text)
    if len(found) > k:
        return Grounded(found[k], found[k] + len(text), "exact")
    query = normalize(text)
    if query:
        norm, where = _normalized_document(document_text)
        hits = occurrences(norm, query)
        if len(hits) > k:
            i = hits[k]
            start = where[i]
            end = where[i + len(query) - 1] + 1
            # take along the marks (diacritics, tatweel) that follow the last letter
            while end < len(document_text) and _REMOVED.match(document_text[end]):
                end += 1
            return Grounded(start, end, "normalized")
    return Grounded(None, None, "failed")
