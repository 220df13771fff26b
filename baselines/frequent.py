"""The ``frequent-speaker`` baseline: the quotes of ``cue-rules``, every one attributed to
the person the text mentions most often. Quote finding is that of ``cue-rules``; only the
choice of speaker differs, so the gap between the two in attribution is what reading the
reporting clause is worth over always answering the article's main figure."""

from __future__ import annotations

from .analysis import Analysis, analyse
from .base import Prediction, Speaker
from .cue_rules import CueRulesBaseline, prediction
from .entities import Mention


def most_mentioned_person(doc: Analysis) -> Mention | None:
    """The person with the most PER mentions, a person being the mentions that end in the
    same word (``سلمى حداد`` and ``حداد``); ties go to the person mentioned first. Of that
    person, the earliest of the mentions with the most words (the full name)."""
    groups: dict[str, list[Mention]] = {}
    for m in doc.mentions:
        if m.label == "PER":
            groups.setdefault(doc.tokens[m.last - 1].norm, []).append(m)
    if not groups:
        return None
    # dicts keep insertion order, so max() keeps the person mentioned first on ties
    best = max(groups.values(), key=len)
    return max(best, key=lambda m: m.last - m.first)


class FrequentSpeakerBaseline:
    """Cue-rules quotes, each said by the most mentioned person (see module docstring)."""

    name = "frequent-speaker"
    description = ("The cue-rules quotes, each attributed to the person the text mentions most "
                   "(the floor that speaker choice must beat).")

    @staticmethod
    def _speaker(doc: Analysis) -> Speaker:
        m = most_mentioned_person(doc)
        return {"start": m.start, "end": m.end} if m is not None else None

    def predict(self, document_id: str, text: str) -> Prediction:
        doc = analyse(text)
        speaker = self._speaker(doc)
        quotes = [dict(q, speaker=speaker) for q in CueRulesBaseline().read(doc)]
        return prediction(document_id, doc, quotes)

    def attribute(self, document_id: str, text: str, quotes: list[dict]) -> list[Speaker]:
        speaker = self._speaker(analyse(text))
        return [speaker for _ in quotes]
