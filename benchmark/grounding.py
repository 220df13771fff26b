"""Grounding text-only predictions in the document's text: text → half-open offsets.

The one grounding of the project: the scorer, ``isnad validate`` and both adapters use it. It
reads only the document's text, never its annotations (the rules: README, "Text spans").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .schema import PredictionDocument, PredSpan, PredSpeaker
from .text import QUOTE_MARKS, is_whole_words, occurrences

NORMALIZATION = "ar-v1"

# harakat, tanwin, Quranic marks, superscript alef, and tatweel (the set text.py treats as marks)
_REMOVED = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans({"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
                       "\u0649": "\u064a", "\u0629": "\u0647"})
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
        if _REMOVED.match(ch) or (prev_space and ch.isspace()):
            continue
        prev_space = ch.isspace()
        out.append(" " if prev_space else ch.translate(_FOLD))
        where.append(i)
    return "".join(out), where


def normalize(text: str) -> str:
    """Arabic normalization ``ar-v1``: diacritics and tatweel removed, أ إ آ ٱ → ا, ى → ي,
    ة → ه, each run of whitespace one space, enclosing quotation marks and spaces removed.

    >>> normalize('«وزيرُ الخارجيّة»') == normalize('وزير الخارجية')
    True
    """
    return normalize_with_map(text.strip(_ENCLOSING))[0].strip()


@lru_cache(maxsize=64)
def _normalized_document(text: str) -> tuple[str, tuple[int, ...]]:
    norm, where = normalize_with_map(text)
    return norm, tuple(where)


def find(document_text: str, text: str) -> tuple[list[tuple[int, int]], str]:
    """Every occurrence ``(start, end)`` of ``text`` (overlapping ones included), and how they
    were found: "exact", else "normalized" under :func:`normalize` (the span then takes along
    the marks that follow its last letter), else "failed" (no occurrence)."""
    hits = occurrences(document_text, text)
    if hits:
        return [(h, h + len(text)) for h in hits], "exact"
    query = normalize(text)
    if not query:
        return [], "failed"
    norm, where = _normalized_document(document_text)
    out = []
    for h in occurrences(norm, query):
        end = where[h + len(query) - 1] + 1
        while end < len(document_text) and _REMOVED.match(document_text[end]):
            end += 1
        out.append((where[h], end))
    return out, "normalized" if out else "failed"


class Span(NamedTuple):
    """A predicted span in the document: ``start``/``end`` are None when its text was not
    found. ``how``: "offsets" (given), "exact", "normalized" or "failed"; ``text`` as given."""

    start: int | None
    end: int | None
    how: str = "offsets"
    text: str | None = None

    @property
    def ok(self) -> bool:
        return self.start is not None


class GroundedEntity(NamedTuple):
    """A predicted entity in the document; ``start``, ``end``, ``how`` and ``text`` as in :class:`Span`."""

    start: int | None
    end: int | None
    label: str
    how: str = "offsets"
    text: str | None = None
    ok = Span.ok


class GroundedQuote(NamedTuple):
    """A predicted quote in the document; ``start``, ``end``, ``how`` and ``text`` as in :class:`Span`."""

    start: int | None
    end: int | None
    type: str | None
    cue: Span | None
    speaker: PredSpeaker | None  # resolved to a cluster by the scorer
    how: str = "offsets"
    text: str | None = None
    ok = Span.ok


@dataclass(frozen=True)
class GroundedDocument:
    """A prediction with every span in the document (entities and quotes in input order).
    The entities are kept as plain tuples ``(start, end, label, how, text)``, which Python's
    cyclic garbage collector stops tracking (a named tuple it tracks for good: a large
    file's hundreds of thousands of them would lengthen every full collection);
    ``entities`` reads them as :class:`GroundedEntity`."""

    document_id: str
    entity_rows: tuple[tuple, ...]
    quotes: tuple[GroundedQuote, ...]

    @property
    def entities(self) -> tuple[GroundedEntity, ...]:
        return tuple(map(GroundedEntity._make, self.entity_rows))

    def spans(self) -> list[tuple[str, str, str | None]]:
        """Every span's field, how it was grounded and its text as given, in input order."""
        out = [(f"entities[{i}]", how, text) for i, (_, _, _, how, text) in enumerate(self.entity_rows)]
        for i, q in enumerate(self.quotes):
            out.append((f"quotes[{i}]", q.how, q.text))
            if q.cue is not None:
                out.append((f"quotes[{i}].cue", q.cue.how, q.cue.text))
        return out

    def ungrounded(self) -> list[dict]:
        """The text spans that could not be found, in input order, with their field."""
        return [{"document_id": self.document_id, "field": f, "text": text} for f, how, text in self.spans()
                if how == "failed"]


def _fixed(document_text: str, span: PredSpan) -> Span | None:
    """The span of offsets, or of a text with an occurrence; None for a text to be placed."""
    if span.start is not None:
        return Span(span.start, span.end)
    return None if span.occurrence is None else ground(document_text, span.text, span.occurrence)


def _place(document_text: str, spans: list[PredSpan]) -> list[Span]:
    """Spans of one kind: fixed ones as given; the others placed longest text first, at
    whole-word occurrences (:func:`~benchmark.text.is_whole_words`) before the others, never
    overlapping a span of the kind already placed, the k-th listing of a text at its k-th such
    free occurrence in document order."""
    out = [_fixed(document_text, s) for s in spans]
    listings: dict[str, list[int]] = {}
    for i, s in enumerate(spans):
        if out[i] is None:
            listings.setdefault(s.text, []).append(i)
    if not listings:
        return out  # type: ignore[return-value]
    taken = bytearray(len(document_text))  # 1 where a span of this kind is placed
    for s in out:
        if s is not None and s.ok:
            taken[s.start:s.end] = b"\1" * (s.end - s.start)
    for text in sorted(listings, key=lambda t: (-len(t), t)):
        hits, how = find(document_text, text)
        whole = [is_whole_words(document_text, *h) for h in hits]
        chosen: list[tuple[int, int]] = []
        for h in [h for h, w in zip(hits, whole) if w] + [h for h, w in zip(hits, whole) if not w]:
            if len(chosen) == len(listings[text]):
                break
            if taken.find(1, *h) < 0:  # free (also of the chosen ones)
                chosen.append(h)
                taken[h[0]:h[1]] = b"\1" * (h[1] - h[0])
        chosen.sort()
        for k, i in enumerate(listings[text]):
            out[i] = Span(*chosen[k], how, text) if k < len(chosen) else Span(None, None, "failed", text)
    return out  # type: ignore[return-value]


def _near(document_text: str, cue: PredSpan, quote: Span) -> Span:
    """A cue as given, else at its occurrence nearest its quote (the distance between the two
    spans, 0 when they overlap; ties to the earlier), its first when the quote was not found."""
    fixed = _fixed(document_text, cue)
    if fixed is not None:
        return fixed
    hits, how = find(document_text, cue.text)
    if not hits:
        return Span(None, None, "failed", cue.text)
    best = min(hits, key=lambda h: max(0, h[0] - quote.end, quote.start - h[1])) if quote.ok else hits[0]
    return Span(*best, how, cue.text)


def ground_document(document_text: str, pred: PredictionDocument) -> GroundedDocument:
    """Offsets for every predicted span of one document.

    >>> from benchmark.schema import PredictionDocument as P
    >>> g = ground_document("قال كيري: نعم. قال أيضا: لا", P.model_validate(
    ...     {"document_id": "d", "quotes": [{"text": "لا", "cue": "قال"}]}))
    >>> g.quotes[0][:2], g.quotes[0].cue[:2]
    ((25, 27), (15, 18))
    """
    entities = _place(document_text, list(pred.entities))
    quotes = _place(document_text, list(pred.quotes))
    return GroundedDocument(
        pred.document_id,
        tuple((s.start, s.end, e.label.value, s.how, s.text) for s, e in zip(entities, pred.entities)),
        tuple(GroundedQuote(s.start, s.end, q.type.value if q.type else None,
                            _near(document_text, q.cue, s) if q.cue is not None else None, q.speaker, s.how, s.text)
              for s, q in zip(quotes, pred.quotes)))


def ground(document_text: str, text: str, occurrence: int | None = None) -> Span:
    """The ``occurrence``-th (0 by default) occurrence of ``text``: exact, else normalized.

    >>> d = "قال وزيرُ الخارجيّة إن"
    >>> ground(d, "وزيرُ")
    Span(start=4, end=9, how='exact', text='وزيرُ')
    >>> g = ground(d, '"وزير الخارجية"'); (g.how, d[g.start:g.end])
    ('normalized', 'وزيرُ الخارجيّة')
    >>> ground(d, "كيري").how
    'failed'
    """
    hits, how = find(document_text, text)
    k = occurrence or 0
    return Span(*hits[k], how, text) if k < len(hits) else Span(None, None, "failed", text)
