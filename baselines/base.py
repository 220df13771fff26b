"""The extractor interface every baseline implements, and helpers to build and check predictions."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from benchmark.schema import LABELS, QUOTE_TYPES

Prediction = dict[str, Any]
Speaker = dict[str, Any] | None


@runtime_checkable
class Extractor(Protocol):
    """What isnad-bench runs: a named system that reads an Arabic article and returns its
    entities and quotes, and that can name the speaker of given quote spans.

    ``predict`` returns ``{"document_id", "entities": [{"start","end","label"}],
    "quotes": [{"start","end","type","cue","speaker"}]}`` with half-open ``str`` offsets;
    ``cue`` is ``{"start","end"}`` or None; ``speaker`` is ``{"start","end"}`` (a span of
    the text), ``{"text": ...}`` or None.

    ``attribute`` is the given-quotes track: for each ``{"start","end"}`` quote, a speaker
    (same forms as above) or None. :func:`attribute_from_predict` is a default.
    """

    name: str
    description: str

    def predict(self, document_id: str, text: str) -> Prediction: ...

    def attribute(self, document_id: str, text: str, quotes: list[dict]) -> list[Speaker]: ...


def empty_prediction(document_id: str) -> Prediction:
    """A prediction with nothing in it."""
    return {"document_id": document_id, "entities": [], "quotes": []}


def attribute_from_predict(extractor: Extractor, document_id: str, text: str,
                           quotes: list[dict]) -> list[Speaker]:
    """Default given-quotes attribution: run ``predict`` and give each given quote the
    speaker of the predicted quote that overlaps it most (None when none overlaps)."""
    predicted = extractor.predict(document_id, text)["quotes"]
    out: list[Speaker] = []
    for q in quotes:
        best = most_overlapping(q, predicted)
        out.append(best.get("speaker") if best else None)
    return out


def most_overlapping(span: dict, candidates: list[dict]) -> dict | None:
    """The candidate sharing most characters with ``span`` (the first on ties; None when
    none overlaps)."""
    best, best_len = None, 0
    for c in candidates:
        inter = min(span["end"], c["end"]) - max(span["start"], c["start"])
        if inter > best_len:
            best, best_len = c, inter
    return best


def check_prediction(pred: Prediction, text: str) -> list[str]:
    """Problems of a prediction against its text (empty list when valid): offsets in
    range and non-empty, known labels and types, no two quotes overlapping."""
    problems = []

    def span_ok(where: str, d: dict) -> None:
        s, e = d.get("start"), d.get("end")
        if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
            problems.append(f"{where}: bad span {s}..{e}")
        elif not text[s:e].strip():
            problems.append(f"{where}: blank span {s}..{e}")

    for k, ent in enumerate(pred.get("entities", [])):
        span_ok(f"entities[{k}]", ent)
        if ent.get("label") not in LABELS:
            problems.append(f"entities[{k}]: unknown label {ent.get('label')!r}")
    quotes = pred.get("quotes", [])
    for k, q in enumerate(quotes):
        span_ok(f"quotes[{k}]", q)
        if q.get("type") not in QUOTE_TYPES:
            problems.append(f"quotes[{k}]: unknown type {q.get('type')!r}")
        if q.get("cue") is not None:
            span_ok(f"quotes[{k}].cue", q["cue"])
        sp = q.get("speaker")
        if sp is not None and "text" not in sp:
            span_ok(f"quotes[{k}].speaker", sp)
    ordered = sorted(quotes, key=lambda q: (q["start"], q["end"]))
    for a, b in zip(ordered, ordered[1:]):
        if b["start"] < a["end"]:
            problems.append(f"quotes overlap: {a['start']}..{a['end']} and {b['start']}..{b['end']}")
    return problems
