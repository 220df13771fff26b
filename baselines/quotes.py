"""Quotation-mark pairing: the spans between matching « » „ “ ” and ASCII " marks."""

from __future__ import annotations

from dataclasses import dataclass

#: opening mark -> the closing marks that end it
PAIRS: dict[str, tuple[str, ...]] = {"«": ("»",), "„": ("“", "”"), "“": ("”", "“"), "‹": ("›",), '"': ('"',)}
QUOTE_MARKS = frozenset("«»„“”‹›\"")


@dataclass(frozen=True)
class MarkedSpan:
    """A quoted stretch: ``open``/``close`` are the mark offsets, ``start``/``end`` the
    content (whitespace-trimmed, between the marks)."""

    open: int
    close: int
    start: int
    end: int


def marked_spans(text: str) -> list[MarkedSpan]:
    """Outermost quotation-mark pairs of ``text``, in order; a pair never crosses a newline
    and an unclosed mark is ignored. Nested pairs are part of their outer pair.

    >>> t = 'قال: «نحن هنا» و"هناك"'
    >>> [t[s.start:s.end] for s in marked_spans(t)]
    ['نحن هنا', 'هناك']
    """
    out: list[MarkedSpan] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        closers = PAIRS.get(ch)
        if closers is None:
            i += 1
            continue
        depth, j, close = 0, i + 1, None
        while j < n and text[j] != "\n":
            c = text[j]
            if c in closers and depth == 0:
                close = j
                break
            if c == ch and ch not in closers:
                depth += 1
            elif c in closers:
                depth -= 1
            j += 1
        if close is None:
            i += 1
            continue
        s, e = i + 1, close
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(MarkedSpan(i, close, s, e))
        i = close + 1
    return out
