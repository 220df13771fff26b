"""The two simplest baselines: ``null`` (predicts nothing) and ``quote-marks`` (quotation marks alone)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from .base import Prediction, Speaker, empty_prediction
from .entities import Mention, default_tagger, document_tokens
from .quotes import marked_spans


class NullBaseline:
    """Predicts no entity and no quote: the floor every score is read against."""

    name = "null"
    description = "Predicts nothing (the floor of every metric)."

    def predict(self, document_id: str, text: str) -> Prediction:
        return empty_prediction(document_id)

    def attribute(self, document_id: str, text: str, quotes: list[dict]) -> list[Speaker]:
        return [None for _ in quotes]


def nearest_preceding_person(mentions: list[Mention], sentence_of, offset: int) -> Mention | None:
    """The last PER mention starting before ``offset`` in the same or the previous sentence."""
    here = sentence_of(offset)
    best = None
    for m in mentions:
        if m.label == "PER" and m.start < offset and here - sentence_of(m.start) <= 1:
            best = m
    return best


def _sentence_lookup(text: str):
    from benchmark.text import split_sentences

    starts = [s.start for s in split_sentences(text)] or [0]
    return lambda off: max(0, bisect_right(starts, off) - 1)


class _PersonFinder:
    """:func:`nearest_preceding_person` for many offsets of one document: the mentions are
    sorted by start, so the answer is the last PER starting before the offset, when it is
    in the same or the previous sentence (a binary search instead of a scan)."""

    def __init__(self, mentions: list[Mention], sentence_of) -> None:
        self.persons = sorted((m for m in mentions if m.label == "PER"), key=lambda m: m.start)
        self.starts = [m.start for m in self.persons]
        self.sentence_of = sentence_of

    def __call__(self, offset: int) -> Mention | None:
        k = bisect_left(self.starts, offset) - 1
        if k < 0:
            return None
        m = self.persons[k]
        return m if self.sentence_of(offset) - self.sentence_of(m.start) <= 1 else None


class QuoteMarksBaseline:
    """Every quotation-mark pair is a direct quote; its speaker is the nearest preceding
    PER of the generic tagger in the same or previous sentence (cf. CoreNLP QuoteAnnotator)."""

    name = "quote-marks"
    description = "Direct quotes from quotation marks alone; speaker = nearest preceding PER mention."

    def predict(self, document_id: str, text: str) -> Prediction:
        mentions = default_tagger().tag(text, document_tokens(text))
        nearest = _PersonFinder(mentions, _sentence_lookup(text))
        quotes = []
        for span in marked_spans(text):
            m = nearest(span.open)
            quotes.append({"start": span.start, "end": span.end, "type": "direct", "cue": None,
                           "speaker": {"start": m.start, "end": m.end} if m else None})
        return {"document_id": document_id, "entities": [m.as_dict() for m in mentions], "quotes": quotes}

    def attribute(self, document_id: str, text: str, quotes: list[dict]) -> list[Speaker]:
        mentions = default_tagger().tag(text, document_tokens(text))
        nearest = _PersonFinder(mentions, _sentence_lookup(text))
        out: list[Speaker] = []
        for q in quotes:
            m = nearest(q["start"])
            out.append({"start": m.start, "end": m.end} if m else None)
        return out
