"""The data model: gold documents and their layers. Everything on disk goes through it."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class Label(str, Enum):
    """Entity labels (OntoNotes-style subset)."""

    PER = "PER"
    ORG = "ORG"
    GPE = "GPE"
    LOC = "LOC"
    FAC = "FAC"
    NORP = "NORP"
    EVENT = "EVENT"


class QuoteType(str, Enum):
    """How a statement is reported."""

    direct = "direct"
    indirect = "indirect"
    mixed = "mixed"


class SpeakerKind(str, Enum):
    """How the speaker of a quote is expressed in its sentence."""

    named = "named"
    nominal = "nominal"
    implicit = "implicit"


class Model(BaseModel):
    """Base: unknown fields are refused and values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class TextSpan(Model):
    """A half-open ``[start, end)`` slice of the document with its text."""

    start: int = Field(ge=0)
    end: int = Field(gt=0)
    text: str


class Sentence(Model):
    """A sentence boundary."""

    start: int = Field(ge=0)
    end: int = Field(gt=0)


class EntityMention(TextSpan):
    """A named mention; its label is its cluster's."""

    id: str
    label: Label
    cluster: str


class Cluster(Model):
    """An entity: every mention and alias refers to it."""

    id: str
    name: str
    name_en: str
    label: Label
    aliases: list[str]


class Quote(TextSpan):
    """A reported statement: content span, cue, speaker."""

    id: str
    type: QuoteType
    cue: TextSpan
    speaker: str
    speaker_mention: TextSpan | None
    speaker_kind: SpeakerKind


class Document(Model):
    """One annotated article: the ``documents`` config row."""

    id: str
    title: str
    text: str
    language: str
    source: str
    sentences: list[Sentence]
    entities: list[EntityMention]
    clusters: list[Cluster]
    quotes: list[Quote]

    def cluster(self, cluster_id: str) -> Cluster:
        """The cluster with this id (KeyError when absent)."""
        for c in self.clusters:
            if c.id == cluster_id:
                return c
        raise KeyError(cluster_id)

    def sentence_index(self, offset: int) -> int:
        """Index of the sentence holding ``offset``; an offset between sentences
        belongs to the sentence before it (the first one when before all)."""
        best = 0
        for i, s in enumerate(self.sentences):
            if s.start <= offset:
                best = i
            else:
                break
        return best


LABELS: tuple[str, ...] = tuple(x.value for x in Label)
QUOTE_TYPES: tuple[str, ...] = tuple(x.value for x in QuoteType)
SPEAKER_KINDS: tuple[str, ...] = tuple(x.value for x in SpeakerKind)


# --- Predictions: what a system hands in (one object a document in a JSONL file) -----------

from typing import Any  # noqa: E402

from pydantic import ValidationInfo, field_validator, model_validator  # noqa: E402


def _end_after_start(value: int | None, info: ValidationInfo) -> int | None:
    start = info.data.get("start")
    if value is not None and start is not None and value <= start:
        raise ValueError(f"end ({value}) must be greater than start ({start})")
    return value

_SPAN_FORMS = {"anyOf": [{"required": ["start", "end"]}, {"required": ["text"]}]}


class PredSpan(Model):
    """A predicted span: offsets ``start``/``end`` (half-open) or, with no offsets, a ``text``
    grounded in the document (its 0-based ``occurrence``, first by default). With both, the
    offsets are used and the text must equal the document's text there."""

    model_config = ConfigDict(json_schema_extra=_SPAN_FORMS)

    start: int | None = Field(default=None, ge=0, strict=True)
    end: int | None = Field(default=None, gt=0, strict=True)
    text: str | None = Field(default=None, min_length=1)
    occurrence: int | None = Field(default=None, ge=0, strict=True)

    _end = field_validator("end")(_end_after_start)

    @model_validator(mode="after")
    def _one_form(self):
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither")
        if self.start is None and self.text is None:
            raise ValueError("a span needs start and end, or a text")
        if self.occurrence is not None and self.start is not None:
            raise ValueError("occurrence only goes with a text-only span")
        return self


class PredEntity(PredSpan):
    """A predicted entity mention."""

    model_config = ConfigDict(json_schema_extra=_SPAN_FORMS)

    label: Label


class PredSpeaker(Model):
    """Who a predicted quote is attributed to: a gold ``cluster`` id, a span of the document
    (``start``/``end``), or a ``text`` (a name, resolved against the clusters' mentions and aliases)."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": ["cluster"]}, {"required": ["start", "end"]}, {"required": ["text"]}]})

    cluster: str | None = Field(default=None, min_length=1)
    start: int | None = Field(default=None, ge=0, strict=True)
    end: int | None = Field(default=None, gt=0, strict=True)
    text: str | None = Field(default=None, min_length=1)

    _end = field_validator("end")(_end_after_start)

    @model_validator(mode="after")
    def _one_form(self):
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither")
        forms = sum([self.cluster is not None, self.start is not None, self.text is not None and self.start is None])
        if forms == 0:
            raise ValueError("a speaker needs a cluster, start and end, or a text")
        if forms > 1:
            raise ValueError("give one of cluster, start/end or text")
        return self


def _text_form(value: Any) -> Any:
    """A plain string for a cue or a speaker means ``{"text": ...}`` (what LLMs write)."""
    return {"text": value} if isinstance(value, str) else value


def _or_string(schema: dict) -> None:
    schema["anyOf"].insert(0, {"type": "string", "minLength": 1})


class PredQuote(PredSpan):
    """A predicted quote: its content span, optional type and cue, and its speaker (or null).
    A cue or a speaker may be a plain string, read as ``{"text": ...}``."""

    model_config = ConfigDict(json_schema_extra=_SPAN_FORMS)

    type: QuoteType | None = None
    cue: PredSpan | None = Field(default=None, json_schema_extra=_or_string)
    speaker: PredSpeaker | None = Field(default=None, json_schema_extra=_or_string)

    _plain = field_validator("cue", "speaker", mode="before")(_text_form)


class PredictionDocument(Model):
    """One line of a predictions file: everything a system predicts for one gold document."""

    document_id: str = Field(min_length=1)
    entities: list[PredEntity] = Field(default_factory=list)
    quotes: list[PredQuote] = Field(default_factory=list)
