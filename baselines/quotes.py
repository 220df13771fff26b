"""Quotation-mark pairing: the spans between matching « » „ “ ” and ASCII " marks."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: opening mark -> the closing marks that end it
PAIRS: dict[str, tuple[str, ...]] = {"«": ("»",), "„": ("“", "”"), "“": ("”", "“"), "‹": ("›",), '"': ('"',)}
QUOTE_MARKS = frozenset("«»„“”‹›\"")

_OPENER = re.compile("[" + re.escape("".join(PAIRS)) + "]")
#: opening mark -> the characters its scan stops at: its closers, itself, a newline
_STOPS = {ch: re.compile("[" + re.escape("".join(sorted(set(cl) | {ch}))) + "\n]") for ch, cl in PAIRS.items()}


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
    i = 0
    while True:
        # jump to the next opening mark, then to the next mark that matters for it
        # (a closer, the opener itself when it nests, or the end of the line)
        mo = _OPENER.search(text, i)
        if mo is None:
            break
        i = mo.start()
        ch = text[i]
        closers = PAIRS[ch]
        nests = ch not in closers
        depth, close = 0, None
        for hit in _STOPS[ch].finditer(text, i + 1):
            c = hit.group()
            if c == "\n":
                break
            if c in closers and depth == 0:
                close = hit.start()
                break
            if nests and c == ch:
                depth += 1
            elif c in closers:
                depth -= 1
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
