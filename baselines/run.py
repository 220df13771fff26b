"""Running an extractor: over the gold (either track) or over any text, its output checked."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from benchmark.errors import IsnadError
from benchmark.gold import Gold
from benchmark.schema import PredictionDocument

from .base import Extractor

TRACKS = ("end-to-end", "gold-quotes")


def _call(extractor: Extractor, method: str, *args: Any) -> Any:
    # a user's extractor may raise anything: report it in one line, never a deep traceback
    try:
        return getattr(extractor, method)(*args)
    except IsnadError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of foreign code is reported, not crashed on
        raise IsnadError(f"{method}() raised {type(exc).__name__}: {exc}",
                         file=f"extractor {getattr(extractor, 'name', extractor)!r}") from None


def checked(pred: Any, document_id: str, text: str, who: str) -> dict:
    """The extractor's prediction validated by the prediction model and bounded by ``text``."""
    where = f"extractor {who!r}"
    if not isinstance(pred, dict):
        raise IsnadError(f"returned {type(pred).__name__}, not a dict", file=where)
    try:
        model = PredictionDocument.model_validate({**pred, "document_id": document_id})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise IsnadError(err["msg"], file=where, field=".".join(str(x) for x in err["loc"])) from None
    spans = [("entities", i, e) for i, e in enumerate(model.entities)]
    for i, q in enumerate(model.quotes):
        spans += [("quotes", i, q)] + ([("quotes", i, q.cue)] if q.cue else []) + \
                 ([("quotes", i, q.speaker)] if q.speaker and q.speaker.start is not None else [])
    for layer, i, s in spans:
        if s.start is not None and s.end > len(text):
            raise IsnadError(f"offset {s.end} past the end of the text ({len(text)} characters)",
                             file=where, field=f"{layer}[{i}]")
    return model.model_dump(mode="json", exclude_none=True)


def predict_text(extractor: Extractor, text: str, document_id: str = "document") -> dict:
    """Run ``extractor`` on any text; the prediction is checked before it is returned."""
    if not isinstance(text, str):
        raise IsnadError("the text is not a string")
    return checked(_call(extractor, "predict", document_id, text), document_id, text, extractor.name)


def predict_gold(extractor: Extractor, gold: Gold, track: str = "end-to-end") -> list[dict]:
    """Predictions of ``extractor`` for every gold document, in the scoring format.

    ``end-to-end``: ``predict`` on the text. ``gold-quotes``: the gold quote spans are given
    to ``attribute``, which names their speakers; the quotes are the gold spans, typed as in
    the gold, so only the attribution differs between systems on that track."""
    if track not in TRACKS:
        raise IsnadError(f"unknown track {track!r} (choose from: {', '.join(TRACKS)})", field="--track")
    out = []
    if track == "end-to-end" and callable(getattr(extractor, "prefetch", None)):
        # an adapter that can work on many documents at once (concurrent requests) does it first
        _call(extractor, "prefetch", [(doc.id, doc.text) for doc in gold.documents])
    for doc in gold.documents:
        if track == "end-to-end":
            out.append(predict_text(extractor, doc.text, doc.id))
            continue
        given = [{"start": q.start, "end": q.end} for q in doc.quotes]
        speakers = _call(extractor, "attribute", doc.id, doc.text, given)
        if not isinstance(speakers, list) or len(speakers) != len(given):
            raise IsnadError(f"attribute() must return one speaker per quote ({len(given)})",
                             file=f"extractor {extractor.name!r}")
        quotes = [{"start": q.start, "end": q.end, "type": q.type.value, **({"speaker": s} if s else {})}
                  for q, s in zip(doc.quotes, speakers)]
        out.append(checked({"entities": [], "quotes": quotes}, doc.id, doc.text, extractor.name))
    return out
