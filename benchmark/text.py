"""Deterministic sentence segmentation and tokenization of a document's text."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A word is a run of letters and digits together with Arabic combining marks
# (harakat, tanwin, superscript alef) and tatweel, which Python's \w leaves out.
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
_TOKEN = re.compile(rf"(?:[^\W_]|[{_MARKS}])+|[^\s]")
_WORD_CHAR = re.compile(rf"[^\W_]|[{_MARKS}]")

# The seed joins its paragraphs with "., "; other texts put them on lines of their own.
_PARAGRAPH_JOIN = re.compile(r"\.,\s+|\n+")


# Quotation marks of Arabic and Western typography (ASCII ones included).
QUOTE_MARKS = "\"'«»“”„‟‘’‚‛‹›「」『』"

# Arabic proclitics a span may leave out at the start of its first word (و ف ب ل ك).
PROCLITICS = "وفبلك"
MAX_PROCLITICS = 3


def occurrences(haystack: str, needle: str) -> list[int]:
    """Every start position of ``needle`` in ``haystack``, overlapping ones included.

    >>> occurrences("aaa", "aa")
    [0, 1]
    """
    out, i = [], haystack.find(needle)
    while i >= 0:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out


def is_word_char(ch: str) -> bool:
    """Whether ``ch`` belongs to a word token (a letter, a digit, an Arabic mark or tatweel)."""
    return _WORD_CHAR.match(ch) is not None


def is_whole_words(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` starts and ends at token boundaries, up to
    ``MAX_PROCLITICS`` proclitics (و ف ب ل ك) left out before its first word.

    >>> is_whole_words("وباريس باريسية", 2, 7), is_whole_words("وباريس باريسية", 8, 13)
    (True, False)
    """
    if end < len(text) and is_word_char(text[end - 1]) and is_word_char(text[end]):
        return False
    k = start
    while k > 0 and is_word_char(text[start]) and is_word_char(text[k - 1]):
        if start - k >= MAX_PROCLITICS or text[k - 1] not in PROCLITICS:
            return False
        k -= 1
    return True


@dataclass(frozen=True)
class Segment:
    """A half-open ``[start, end)`` slice of the document text."""

    start: int
    end: int


def _trimmed(text: str, start: int, end: int) -> Segment | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Segment(start, end) if end > start else None


def split_sentences(text: str) -> list[Segment]:
    """Split a document into sentences: the first line (up to the first newline) is the
    title; the rest is cut after every ``.`` followed by ``,`` and whitespace (the seed's
    paragraph joint; the comma belongs to no sentence) and at every line break. Pieces are
    trimmed of whitespace; empty ones are dropped.

    >>> t = "Title \\n\\nA b., C d."
    >>> [t[s.start:s.end] for s in split_sentences(t)]
    ['Title', 'A b.', 'C d.']
    """
    newline = text.find("\n")
    cuts = [(0, newline)] if newline >= 0 else []
    cursor = newline + 1
    for joint in _PARAGRAPH_JOIN.finditer(text, cursor):
        cuts.append((cursor, joint.start() + (text[joint.start()] == ".")))
        cursor = joint.end()
    cuts.append((cursor, len(text)))
    return [seg for a, b in cuts if (seg := _trimmed(text, a, b))]


def token_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The tokens of ``text[start:end]`` as ``(start, end)`` document offsets: whitespace
    separates tokens, every punctuation or quotation mark is a token of its own, clitics are
    not split (``وقال`` is one token).

    >>> t = 'وقال: "نعم (..) لا"'
    >>> [t[a:b] for a, b in token_spans(t)]
    ['وقال', ':', '"', 'نعم', '(', '.', '.', ')', 'لا', '"']
    """
    return [m.span() for m in _TOKEN.finditer(text, start, len(text) if end is None else end)]


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """:func:`token_spans` as :class:`Segment` objects."""
    return [Segment(s, e) for s, e in token_spans(text, start, end)]
