"""Reading and validating a predictions file against the gold, and grounding its spans.

A predictions file is JSONL, one :class:`~benchmark.schema.PredictionDocument` a line. Every
problem is an :class:`~benchmark.errors.IsnadError` naming the file, the line and the field.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter, lt
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, NamedTuple, Union

from pydantic import ValidationError

from .errors import IsnadError
from .gold import Gold
from .grounding import ground
from .schema import LABELS, QUOTE_TYPES, Document, PredictionDocument, PredSpan, PredSpeaker

PredictionsInput = Union[str, Path, Iterable[Union[dict, PredictionDocument]]]

MAX_FILE_BYTES = 64 * 1024 * 1024  # a predictions file over this is refused before it is read
MAX_LINE_BYTES = 8 * 1024 * 1024  # and a line over this before it is parsed
_SHORT = 60  # longest repr of an input value quoted in a message


class PSpan(NamedTuple):
    """A grounded predicted span; ``start is None`` when its text could not be grounded."""

    start: int | None
    end: int | None
    text: str | None = None

    @property
    def ok(self) -> bool:
        return self.start is not None


class PEntity(NamedTuple):
    span: PSpan
    label: str


class PQuote(NamedTuple):
    span: PSpan
    type: str | None
    cue: PSpan | None
    speaker: Any  # PredSpeaker | None


class EntityColumns(NamedTuple):
    """A document's grounded predicted entities as columns, in input order (what scoring
    takes: a record per span costs more than the scoring of it at a hundred thousand spans),
    and the labels of those that could not be grounded."""

    starts: list[int]
    ends: list[int]
    labels: list[str]
    lost: list[str]

    @classmethod
    def of(cls, ents: list[PEntity]) -> "EntityColumns":
        ok = [(e.span.start, e.span.end, e.label) for e in ents if e.span.start is not None]
        starts, ends, labels = (list(c) for c in zip(*ok)) if ok else ([], [], [])
        return cls(starts, ends, labels, [e.label for e in ents if e.span.start is None])


class CheckedDocument(NamedTuple):
    """A predictions line that passed the fast check (:func:`_checked_document`): its spans,
    already grounded (they are all offsets), and the input object it was read from."""

    source: dict
    entities: EntityColumns
    quotes: list[PQuote]


class Documents(Mapping[str, PredictionDocument]):
    """The validated documents by id. A line that passed the fast check is kept as its
    :class:`CheckedDocument` and becomes a model only when asked for (scoring never asks:
    building a model per span is most of the cost of reading a large file)."""

    def __init__(self) -> None:
        self._entries: dict[str, PredictionDocument | CheckedDocument] = {}

    def __getitem__(self, doc_id: str) -> PredictionDocument:
        entry = self._entries[doc_id]
        if isinstance(entry, CheckedDocument):  # valid by the fast check: validating cannot fail
            entry = self._entries[doc_id] = PredictionDocument.model_validate(entry.source)
        return entry

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._entries

    def add(self, doc_id: str, entry: PredictionDocument | CheckedDocument) -> None:
        self._entries[doc_id] = entry

    def for_scoring(self, doc_id: str) -> PredictionDocument | CheckedDocument | None:
        """What :func:`ground_document` takes for this document (None when absent)."""
        return self._entries.get(doc_id)


@dataclass
class Predictions:
    """A validated predictions file: one entry per gold document it names."""

    documents: Documents
    lines: dict[str, int]
    source: str
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


def _read_bounded(path: Path, name: str) -> bytes:
    """The file's bytes, refused by size before reading (and read at most one byte past the
    bound, so a pipe or a device that never ends is refused too)."""
    limit = f"the {MAX_FILE_BYTES}-byte ({MAX_FILE_BYTES >> 20} MB) limit for a predictions file"
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise IsnadError(f"{size} bytes is over {limit}", file=name)
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise IsnadError(f"cannot read: {exc.__class__.__name__}: {exc.strerror or exc}", file=name) from None
    if len(data) > MAX_FILE_BYTES:
        raise IsnadError(f"over {limit} (stopped reading at {len(data)} bytes)", file=name)
    return data


def _parse_line(raw: bytes, name: str, n: int) -> Any:
    """One line's JSON value (``None`` for a blank line); every problem is an IsnadError."""
    if len(raw) > MAX_LINE_BYTES:
        raise IsnadError(f"a line of {len(raw)} bytes is over the {MAX_LINE_BYTES}-byte limit for one line",
                         file=name, line=n)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IsnadError(f"invalid UTF-8 at byte {exc.start + 1} of the line (a predictions file is UTF-8)",
                         file=name, line=n) from None
    text = text.removesuffix("\r")  # CRLF line ends
    if not text.strip():
        return None
    if "\0" in text:
        raise IsnadError(f"NUL byte at column {text.index(chr(0)) + 1} (a predictions file is UTF-8 JSON text)",
                         file=name, line=n)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        hint = " (JSONL: one whole JSON object a line)" if text.strip() in ("[", "{") else ""
        raise IsnadError(f"bad JSON: {exc.msg} (column {exc.colno}){hint}", file=name, line=n) from None
    except RecursionError:
        raise IsnadError("bad JSON: nested too deeply", file=name, line=n) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise IsnadError(f"bad JSON: {_short(str(exc), 4 * _SHORT)[1:-1]}", file=name, line=n) from None
    return obj


def _records(source: PredictionsInput) -> tuple[str, list[tuple[int, Any]]]:
    """(name, [(line, parsed JSON object or model)]) of the input.

    A file is UTF-8 JSONL: a leading byte order mark is skipped and CRLF line ends are
    accepted; blank lines are skipped (line numbers still count them). A file with no
    line at all is refused: an empty file is a run that wrote nothing, not a system
    that predicts nothing (that one writes its documents with empty lists)."""
    if isinstance(source, (str, Path)):
        name = str(source)
        data = _read_bounded(Path(source), name)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise IsnadError("UTF-16 text: a predictions file is UTF-8", file=name)
        data = data.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
        out = []
        for n, raw in enumerate(data.split(b"\n"), 1):
            obj = _parse_line(raw, name, n)
            if obj is not None:
                out.append((n, obj))
        if not out:
            raise IsnadError("no predictions in the file (it is empty or blank): a system that predicts nothing "
                             "writes each document with empty lists, {\"document_id\": ..., \"entities\": [], "
                             "\"quotes\": []}", file=name)
        return name, out
    return "<predictions>", [(n, obj) for n, obj in enumerate(source, 1)]


# --- the fast check: the common well-typed form, without building a model per span ---------
# It accepts a subset of what the models and check_against_gold accept, with the same
# meaning, and nothing else: any other line (unusual or invalid) goes through the models, so
# every error message, and which one comes first, is theirs.

_LABEL_SET = frozenset(LABELS)
_TYPE_SET = frozenset(QUOTE_TYPES)
_DOC_KEYS = frozenset(("document_id", "entities", "quotes"))
_QUOTE_KEYS = frozenset(("start", "end", "type", "cue", "speaker"))
_OFFSET_KEYS = frozenset(("start", "end"))
_ENTITY_FIELDS = itemgetter("start", "end", "label")
# a NamedTuple's __new__ is a Python function; tuple.__new__ builds the same record in C
# (a few times faster, which counts at a hundred thousand spans)
_record = tuple.__new__


def _offsets(d: dict, n: int) -> PSpan | None:
    """The span of ``d``'s ``start``/``end`` when both are ints (not bools: the models are
    strict) with ``0 <= start < end <= n``."""
    s, e = d.get("start"), d.get("end")
    if type(s) is int and type(e) is int and 0 <= s < e <= n:
        return _record(PSpan, (s, e, None))
    return None


@lru_cache(maxsize=4096)
def _cluster_speaker(cluster: str) -> PredSpeaker:
    # models are frozen: one per cluster id is shared (building one is most of a quote's check)
    return PredSpeaker.model_construct(cluster=cluster)


def _checked_speaker(d: Any, n: int, clusters: set[str]) -> PredSpeaker | None:
    """``{"cluster"}`` naming a cluster of the document, ``{"start", "end"}`` or ``{"text"}``."""
    if type(d) is not dict:
        return None
    if d.keys() == {"cluster"}:
        c = d["cluster"]
        return _cluster_speaker(c) if type(c) is str and c and c in clusters else None
    if d.keys() == _OFFSET_KEYS:
        span = _offsets(d, n)
        return None if span is None else PredSpeaker.model_construct(start=span.start, end=span.end)
    if d.keys() == {"text"}:
        t = d["text"]
        return PredSpeaker.model_construct(text=t) if type(t) is str and t else None
    return None


def _checked_entities(ents: list, n: int) -> EntityColumns | None:
    """``[{"start", "end", "label"}, …]`` (exactly those keys; int offsets, not bools, with
    ``0 <= start < end <= n``; a known label, a str) as columns. The checks run over whole
    columns (sets of types, min, max): a loop over the spans was most of reading a big file."""
    if not ents:
        return EntityColumns([], [], [], [])
    try:
        if set(map(type, ents)) != {dict} or set(map(len, ents)) != {3}:  # three keys, all found below
            return None
        starts, ends, labels = zip(*map(_ENTITY_FIELDS, ents))
        if set(map(type, starts)) != {int} or set(map(type, ends)) != {int} or set(map(type, labels)) != {str} \
                or not _LABEL_SET.issuperset(labels):
            return None
    except KeyError:
        return None
    if min(starts) < 0 or max(ends) > n or not all(map(lt, starts, ends)):
        return None
    return EntityColumns(list(starts), list(ends), list(labels), [])


def _checked_quote(d: Any, n: int, clusters: set[str]) -> PQuote | None:
    """Offsets, with optional ``type`` (known or null), ``cue`` (offsets or null) and
    ``speaker`` (see :func:`_checked_speaker`, or null)."""
    if type(d) is not dict or not d.keys() <= _QUOTE_KEYS:
        return None
    span = _offsets(d, n)
    typ = d.get("type")
    if span is None or not (typ is None or (type(typ) is str and typ in _TYPE_SET)):
        return None
    cue = d.get("cue")
    if cue is not None:
        if type(cue) is not dict or cue.keys() != _OFFSET_KEYS:
            return None
        cue = _offsets(cue, n)
        if cue is None:
            return None
    speaker = d.get("speaker")
    if speaker is not None:
        speaker = _checked_speaker(speaker, n, clusters)
        if speaker is None:
            return None
    return PQuote(span, typ, cue, speaker)


def _checked_document(obj: dict, by_id: dict[str, Document]) -> CheckedDocument | None:
    """The line as a :class:`CheckedDocument` when it is of a known document and every span
    is in the common form and valid in it; None otherwise (the models then decide)."""
    doc_id = obj.get("document_id")
    if not obj.keys() <= _DOC_KEYS or type(doc_id) is not str or not doc_id or doc_id not in by_id:
        return None
    doc = by_id[doc_id]
    ents, quotes = obj.get("entities", []), obj.get("quotes", [])
    if type(ents) is not list or type(quotes) is not list:
        return None
    n = len(doc.text)
    checked_ents = _checked_entities(ents, n)
    if checked_ents is None:
        return None
    clusters = {c.id for c in doc.clusters}
    checked_quotes = [_checked_quote(q, n, clusters) for q in quotes]
    if None in checked_quotes:
        return None
    return CheckedDocument(obj, checked_ents, checked_quotes)


def read_predictions(source: PredictionsInput, gold: Gold) -> Predictions:
    """Parse and validate predictions (a JSONL path, a list of dicts or of models) against
    the gold. Raises IsnadError at the first problem; a gold document the file does not
    name is predicted as nothing, with a warning."""
    name, records = _records(source)
    by_id = {d.id: d for d in gold.documents}
    docs = Documents()
    lines: dict[str, int] = {}
    for line, obj in records:
        checked = _checked_document(obj, by_id) if type(obj) is dict else None
        if checked is not None:
            doc_id = checked.source["document_id"]
        else:
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
        if checked is None:
            check_against_gold(pred, by_id[doc_id], name, line)
        docs.add(doc_id, checked if checked is not None else pred)
        lines[doc_id] = line
    warnings = [f"{name}: document {d.id!r} absent: scored as predicting nothing"
                for d in gold.documents if d.id not in lines]
    return Predictions(documents=docs, lines=lines, source=name, warnings=warnings)


def validate_predictions(source: PredictionsInput, gold: Gold | None = None) -> Predictions:
    """Validate a predictions file against the gold (bundled by default)."""
    from .gold import load_gold

    return read_predictions(source, gold if gold is not None else load_gold())


# --- grounding ---------------------------------------------------------------------------


@dataclass
class GroundingLog:
    """How text-only spans were grounded: counts and the failures (kept as false positives)."""

    exact: int = 0
    normalized: int = 0
    failures: list[dict] = field(default_factory=list)

    def to_dict(self, examples: int = 10) -> dict:
        return {"text_spans": self.exact + self.normalized + len(self.failures), "exact": self.exact,
                "normalized": self.normalized, "failed": len(self.failures),
                "examples": self.failures[:examples]}


def _ground_span(span: PredSpan, doc: Document, log: GroundingLog, where: str) -> PSpan:
    if span.start is not None:
        return PSpan(span.start, span.end)
    g = ground(doc.text, span.text, span.occurrence)
    if g.how == "exact":
        log.exact += 1
    elif g.how == "normalized":
        log.normalized += 1
    else:
        log.failures.append({"document_id": doc.id, "field": where, "text": span.text,
                             "occurrence": span.occurrence or 0})
    return PSpan(g.start, g.end, span.text)


def ground_document(pred: PredictionDocument | CheckedDocument | None, doc: Document,
                    log: GroundingLog) -> tuple[list[PEntity], list[PQuote]]:
    """Offsets for every predicted span of one document (text-only ones grounded)."""
    if pred is None:
        return [], []
    if isinstance(pred, CheckedDocument):  # offsets only: grounded already
        c = pred.entities
        return [PEntity(PSpan(s, e), lab) for s, e, lab in zip(c.starts, c.ends, c.labels)], list(pred.quotes)
    ents = [PEntity(_ground_span(e, doc, log, f"entities[{i}]"), e.label.value) for i, e in enumerate(pred.entities)]
    quotes = []
    for i, q in enumerate(pred.quotes):
        cue = _ground_span(q.cue, doc, log, f"quotes[{i}].cue") if q.cue is not None else None
        quotes.append(PQuote(_ground_span(q, doc, log, f"quotes[{i}]"), q.type.value if q.type else None,
                             cue, q.speaker))
    return ents, quotes


def ground_columns(pred: PredictionDocument | CheckedDocument | None, doc: Document,
                   log: GroundingLog) -> tuple[EntityColumns, list[PQuote]]:
    """:func:`ground_document` with the entities as columns (what scoring takes)."""
    if isinstance(pred, CheckedDocument):
        return pred.entities, list(pred.quotes)
    ents, quotes = ground_document(pred, doc, log)
    return EntityColumns.of(ents), quotes


def predictions_from_gold(gold: Gold, *, text_only: bool = False, speaker: str = "cluster") -> list[dict]:
    """The gold written as predictions (a perfect system): offsets, or with ``text_only``
    the spans' texts with their occurrence. ``speaker`` is "cluster", "span" or "text"."""
    from .text import occurrences

    def span(doc: Document, s: int, e: int) -> dict:
        if not text_only:
            return {"start": s, "end": e}
        t = doc.text[s:e]
        return {"text": t, "occurrence": occurrences(doc.text, t).index(s)}

    out = []
    for doc in gold.documents:
        quotes = []
        for q in doc.quotes:
            if speaker == "cluster" or q.speaker_mention is None:
                spk: dict | None = {"cluster": q.speaker}
            elif speaker == "span":
                spk = {"start": q.speaker_mention.start, "end": q.speaker_mention.end}
            else:
                spk = {"text": q.speaker_mention.text}
            quotes.append({**span(doc, q.start, q.end), "type": q.type.value,
                           "cue": span(doc, q.cue.start, q.cue.end), "speaker": spk})
        out.append({"document_id": doc.id,
                    "entities": [{**span(doc, m.start, m.end), "label": m.label.value} for m in doc.entities],
                    "quotes": quotes})
    return out


SCHEMA_FILE = Path(__file__).with_name("prediction.schema.json")


def prediction_schema() -> dict:
    """JSON Schema (draft 2020-12) of one line of a predictions file, generated from
    :class:`~benchmark.schema.PredictionDocument`."""
    schema = PredictionDocument.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://isnad-bench/prediction.schema.json", **schema}
