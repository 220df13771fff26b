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
