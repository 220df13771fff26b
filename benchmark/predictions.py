"""Reading a predictions file and validating it against the gold.

A predictions file is JSONL, one :class:`~benchmark.schema.PredictionDocument` a line. Every
line goes through the same models (``isnad validate``, ``score``, ``compare`` and ``submit``
alike); every problem is an :class:`~benchmark.errors.IsnadError` naming the file, the line
and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Union

from pydantic import ValidationError

from .errors import IsnadError
from .gold import Gold
from .schema import Document, PredictionDocument, PredSpan

PredictionsInput = Union[str, Path, Iterable[Union[dict, PredictionDocument]]]

MAX_FILE_BYTES = 20 * 1024 * 1024  # a predictions file over this is refused before it is read
MAX_LINE_BYTES = 8 * 1024 * 1024  # and a line over this before it is parsed
WHAT = "a predictions file"  # how the messages name it
_SHORT = 60  # longest repr of an input value quoted in a message


@dataclass
class Predictions:
    """A validated predictions file: one model per gold document it names (or what the
    reader was asked to keep of it), and the warnings of the reading."""

    documents: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def _short(value: Any, most: int = _SHORT) -> str:
    """``repr(value)``, cut to a readable length (input values are quoted in one-line messages)."""
    r = repr(value)
    return r if len(r) <= most else r[:most - 1] + "…"


def _field(loc: tuple) -> str:
    out = ""
    for part in loc:
        if not isinstance(part, int) and (not str(part).isprintable() or len(str(part)) > _SHORT):
            part = _short(str(part))  # a key of the input: never a line break or a page of text
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _pydantic_error(exc: ValidationError, file: str, line: int) -> IsnadError:
    err = exc.errors()[0]
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field"
    elif err["type"] == "enum":
        msg = f"{msg}, got {_short(err.get('input'))}"
    if len(msg) > 4 * _SHORT or not msg.isprintable():
        msg = _short(msg, 4 * _SHORT)[1:-1]
    return IsnadError(msg, file=file, line=line, field=_field(tuple(err["loc"])) or None)


def _check_span(span: PredSpan | Any, doc: Document, file: str, line: int, where: str) -> None:
    if getattr(span, "start", None) is None:
        return
    n = len(doc.text)
    if span.end > n:
        raise IsnadError(f"offset {_short(span.end)} out of range (document {doc.id} has {n} characters)",
                         file=file, line=line, field=f"{where}.end")
    if span.text is not None and doc.text[span.start:span.end] != span.text:
        raise IsnadError(f"text {_short(span.text)} differs from the document's {_short(doc.text[span.start:span.end])} "
                         f"at [{span.start}, {span.end})", file=file, line=line, field=f"{where}.text")


def check_against_gold(pred: PredictionDocument, doc: Document, file: str, line: int) -> None:
    """Offsets within the document, texts agreeing with offsets, cluster ids known."""
    clusters = {c.id for c in doc.clusters}
    for i, e in enumerate(pred.entities):
        _check_span(e, doc, file, line, f"entities[{i}]")
    for i, q in enumerate(pred.quotes):
        _check_span(q, doc, file, line, f"quotes[{i}]")
        if q.cue is not None:
            _check_span(q.cue, doc, file, line, f"quotes[{i}].cue")
        if q.speaker is not None:
            _check_span(q.speaker, doc, file, line, f"quotes[{i}].speaker")
            if q.speaker.cluster is not None and q.speaker.cluster not in clusters:
                raise IsnadError(f"unknown cluster id {_short(q.speaker.cluster)} in document {doc.id}",
                                 file=file, line=line, field=f"quotes[{i}].speaker.cluster")


def _records(source: PredictionsInput) -> tuple[str, list[tuple[int, Any]]]:
    """(name, [(line, parsed JSON object or model)]) of the input.

    A file is read by :func:`benchmark.safeio.read_jsonl` (a regular file under the size
    limit, UTF-8 JSON Lines, every line one JSON object without a duplicate key). A file with
    no line at all is refused: an empty file is a run that wrote nothing, not a system that
    predicts nothing (that one writes its documents with empty lists)."""
    if isinstance(source, (str, Path)):
        from .safeio import read_jsonl

        name = str(source)
        out = read_jsonl(Path(source), MAX_FILE_BYTES, WHAT, line_limit=MAX_LINE_BYTES)
        if not out:
            raise IsnadError("no predictions in the file (it is empty or blank): a system that predicts nothing "
                             "writes each document with empty lists, {\"document_id\": ..., \"entities\": [], "
                             "\"quotes\": []}", file=name)
        return name, out
    return "<predictions>", [(n, obj) for n, obj in enumerate(source, 1)]


def read_predictions(source: PredictionsInput, gold: Gold,
                     keep: Callable[[PredictionDocument], Any] | None = None) -> Predictions:
    """Parse and validate predictions (a JSONL path, a list of dicts or of models) against
    the gold. Raises IsnadError at the first problem; a gold document the file does not
    name is predicted as nothing, with a warning. ``keep`` turns each validated model into
    what is kept of it (scoring keeps its grounding, so that the models of a large file
    are never all held at once)."""
    name, records = _records(source)
    by_id = {d.id: d for d in gold.documents}
    docs: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for line, obj in records:
        if isinstance(obj, PredictionDocument):
            pred = obj
        else:
            if not isinstance(obj, dict):
                hint = " (JSONL: one object a line, not an array)" if isinstance(obj, list) else ""
                raise IsnadError(f"expected a JSON object, got {type(obj).__name__}{hint}", file=name, line=line)
            try:
                pred = PredictionDocument.model_validate(obj)
            except ValidationError as exc:
                raise _pydantic_error(exc, name, line) from None
        doc_id = pred.document_id
        if doc_id not in by_id:
            known = ", ".join(repr(i) for i in list(by_id)[:3]) + (", …" if len(by_id) > 3 else "")
            raise IsnadError(f"unknown document id {_short(doc_id)} (the gold's documents: {known})",
                             file=name, line=line, field="document_id")
        if doc_id in lines:
            raise IsnadError(f"duplicate document {_short(doc_id)} (first on line {lines[doc_id]})",
                             file=name, line=line, field="document_id")
        check_against_gold(pred, by_id[doc_id], name, line)
        docs[doc_id] = pred if keep is None else keep(pred)
        lines[doc_id] = line
    warnings = [f"{name}: document {d.id!r} absent: scored as predicting nothing"
                for d in gold.documents if d.id not in lines]
    return Predictions(docs, warnings)


def predictions_from_gold(gold: Gold, *, text_only: bool = False, speaker: str = "cluster") -> list[dict]:
    """The gold written as predictions (a perfect system): offsets, or with ``text_only``
    the spans' texts with their occurrence. ``speaker`` is "cluster", "span" or "text" (a
    quote without a speaker mention: its cluster)."""
    from .text import occurrences

    def span(doc: Document, s: int, e: int) -> dict:
        t = doc.text[s:e]
        return {"text": t, "occurrence": occurrences(doc.text, t).index(s)} if text_only else {"start": s, "end": e}

    def who(q: Any) -> dict:
        m = q.speaker_mention
        if speaker == "cluster" or m is None:
            return {"cluster": q.speaker}
        return {"start": m.start, "end": m.end} if speaker == "span" else {"text": m.text}

    return [{"document_id": doc.id,
             "entities": [{**span(doc, m.start, m.end), "label": m.label.value} for m in doc.entities],
             "quotes": [{**span(doc, q.start, q.end), "type": q.type.value, "cue": span(doc, q.cue.start, q.cue.end),
                         "speaker": who(q)} for q in doc.quotes]} for doc in gold.documents]


SCHEMA_FILE = Path(__file__).with_name("prediction.schema.json")


def prediction_schema() -> dict:
    """JSON Schema (draft 2020-12) of one line of a predictions file, generated from
    :class:`~benchmark.schema.PredictionDocument`."""
    schema = PredictionDocument.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://isnad-bench/prediction.schema.json", **schema}
