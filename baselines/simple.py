"""The two simplest baselines: ``null`` (predicts nothing) and ``quote-marks`` (quotation marks alone)."""

from __future__ import annotations

from bisect import bisect_left

from .analysis import Analysis, analyse
from .base import Prediction, Speaker, empty_prediction
from .entities import Mention


class NullBaseline:
    """Predicts no entity and no quote: the floor every score is read against."""

    name = "null"
    description = "Predicts nothing (the floor of every metric)."

    def predict(self, document_id: str, text: str) -> Prediction:
        return empty_prediction(document_id)

    def attribute(self, document_id: str, text: str, quotes: list[dict]) -> list[Speaker]:
        return [None for _ in quotes]


class _PersonFinder:
    """The nearest PER mention starting before an offset, when it is in the same or the
    previous sentence (mentions sorted by start: a binary search)."""

    def __init__(self, doc: Analysis) -> None:
        self.doc = doc
        self.persons = [m for m in doc.mentions if m.label == "PER"]
        self.starts = [m.start for m in self.persons]

    def __call__(self, offset: int) -> Mention | None:
        k = bisect_left(self.starts, offset) - 1
        if k < 0:
            return None
        m = self.persons[k]
        sentence = self.doc.tokens[self.doc.token_at(offset)].sentence
        return m if sentence - self.doc.tokens[m.first].sentence <= 1 else None


class QuoteMarksBaseline:
    """Every quotation-mark pair is a direct quote; its speaker is the nearest preceding
    PER of the generic tagger in the same or previous sentence (cf. CoreNLP QuoteAnnotator)."""

    name = "quote-marks"
    description = "Direct quotes from quotation marks alone; speaker = nearest preceding PER mention."

    def predict(self, document_id: str, text: str) -> Prediction:
        doc = analyse(text)
        nearest = _PersonFinder(doc)
        quotes = []
        for span in doc.marks:
            m = nearest(span.open)
            quotes.append({"start": span.start, "end": span.end, "type": "direct", "cue": None,
                           "speaker": {"start": m.start, "end": m.end} if m else None})
        return {"document_id": document_id, "entities": [m.as_dict() for m in doc.mentions], "quotes": quotes}

    def attribute(self, document_id: str, text: str, quotes: list[dict]) -> list[Speaker]:
        nearest = _PersonFinder(analyse(text))
        out: list[Speaker] = []
        for q in quotes:
            m = nearest(q["start"])
            out.append({"start": m.start, "end": m.end} if m else None)
        return out
