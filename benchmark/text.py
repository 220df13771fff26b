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
    """Split a document into sentences.

    Rules: the first line (up to the first newline) is the title sentence; the rest
    is split after every ``.`` that is followed by ``,`` and whitespace (the seed's
    paragraph joint) and at every line break. The period stays in its sentence, the
    comma belongs to none.
    Surrounding whitespace is trimmed; empty pieces are dropped.

    >>> t = "Title \\n\\nA b., C d."
    >>> [t[s.start:s.end] for s in split_sentences(t)]
    ['Title', 'A b.', 'C d.']
    """
    pieces: list[Segment] = []
    newline = text.find("\n")
    body_start = 0
    if newline >= 0:
        title = _trimmed(text, 0, newline)
        if title:
            pieces.append(title)
        body_start = newline + 1
    cursor = body_start
    for joint in _PARAGRAPH_JOIN.finditer(text, body_start):
        cut = joint.start() + (1 if text[joint.start()] == "." else 0)
        seg = _trimmed(text, cursor, cut)
        if seg:
            pieces.append(seg)
        cursor = joint.end()
    seg = _trimmed(text, cursor, len(text))
    if seg:
        pieces.append(seg)
    return pieces


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """Tokens of ``text[start:end]`` with document offsets.

    Whitespace separates tokens; every punctuation mark or quotation mark is a token of
    its own; clitics are not split (``وقال`` is one token).

    >>> t = 'وقال: "نعم (..) لا"'
    >>> [t[s.start:s.end] for s in tokenize(t)]
    ['وقال', ':', '"', 'نعم', '(', '.', '.', ')', 'لا', '"']
    """
    return [Segment(s, e) for s, e in token_spans(text, start, end)]


def token_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """:func:`tokenize` as ``(start, end)`` tuples: no object per token, for a whole corpus.

    >>> token_spans("ab, c")
    [(0, 2), (2, 3), (4, 5)]
    """
    return [m.span() for m in _TOKEN.finditer(text, start, len(text) if end is None else end)]
