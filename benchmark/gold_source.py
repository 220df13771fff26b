"""The human-readable gold source (YAML with text anchors) and its compilation to a Document."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, ValidationError

from . import text as textmod
from .anchors import Anchor, resolve
from .errors import IsnadError
from .schema import (Cluster, Document, EntityMention, Label, Model, Quote, QuoteType, Sentence,
                     SpeakerKind, TextSpan)
from .spans import first_overlap
from .text import QUOTE_MARKS
from .yamlsafe import Path_, dotted, line_of, load_yaml

# A span may leave out the proclitics at the start of a word, in Arabic's order: a
# conjunction (و ف), then a preposition (ب ل ك): «وبباريس» → «باريس». Nothing else may be cut.
_PROCLITICS = re.compile("[وف]?[بلك]?")


def boundary_problem(text: str, start: int, end: int) -> str | None:
    """Why ``[start, end)`` may not be a span, or None when its boundaries are allowed.

    A span starts and ends on a non-space character and ends at a word's end. It starts
    at a word's start, or after the word's proclitics (an optional و or ف, then an optional
    ب ل or ك), but never between the two lams of «لل»: ل + ال is written «لل» with the
    alif dropped, and ل + a word that starts with ل («للبنان») looks the same, so a word
    that starts with «لل» after its proclitic is taken whole.

    >>> t = "وللمعارضة وبباريس"
    >>> t[1:9], boundary_problem(t, 1, 9), t[12:17], boundary_problem(t, 12, 17)
    ('للمعارضة', None, 'باريس', None)
    >>> boundary_problem(t, 2, 9)
    'starts between the two lams of «لل» (a word that starts with «لل» is taken whole)'
    """
    if text[start].isspace() or text[end - 1].isspace():
        return "starts or ends with a space"
    word = textmod.is_word_char
    if end < len(text) and word(text[end]) and word(text[end - 1]):
        return "ends inside a word"
    if start == 0 or not (word(text[start]) and word(text[start - 1])):
        return None
    first = start
    while first > 0 and word(text[first - 1]):
        first -= 1
    prefix = text[first:start]
    if not _PROCLITICS.fullmatch(prefix):
        return f"starts inside a word, after {prefix!r} (only a و or ف, then a ب ل or ك, may be left out)"
    if prefix.endswith("ل") and text[start] == "ل":
        return "starts between the two lams of «لل» (a word that starts with «لل» is taken whole)"
    return None


class SourceCluster(Model):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    name_en: str
    label: Label
    aliases: list[str] = []


class SourceEntity(Anchor):
    cluster: str


class SourceQuote(Model):
    type: QuoteType
    content: Anchor
    cue: Anchor
    speaker: str
    speaker_mention: Anchor | None
    speaker_kind: SpeakerKind


class DocumentMeta(Model):
    id: str
    seed: str
    language: str = "ar"
    source: str


class SourceFile(Model):
    """One annotation file: an annotator's pass, or the adjudicated gold (with ``document``)."""

    version: str | None = None
    document: DocumentMeta | None = None
    annotator: str
    notes: list[str] = []
    clusters: list[SourceCluster]
    entities: list[SourceEntity]
    quotes: list[SourceQuote]


def read_source(path: Path) -> tuple[SourceFile, dict[Path_, int]]:
    """Parse and type-check a source file; IsnadError names file, line and field."""
    data, lines = load_yaml(path)
    try:
        return SourceFile.model_validate(data), lines
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise IsnadError(err["msg"], file=str(path), line=line_of(lines, loc), field=dotted(loc) or None) from None


class _Compiler:
    def __init__(self, src: SourceFile, text: str, path: Path, lines: dict[Path_, int]):
        self.src, self.text, self.path, self.lines = src, text, path, lines
        self.sentences = [Sentence(start=s.start, end=s.end) for s in textmod.split_sentences(text)]

    def fail(self, where: Path_, message: str) -> IsnadError:
        return IsnadError(message, file=str(self.path), line=line_of(self.lines, where), field=dotted(where))

    def span(self, anchor: Anchor, where: Path_) -> TextSpan:
        try:
            start, end = resolve(anchor, self.text)
        except ValueError as exc:
            raise self.fail(where, str(exc)) from None
        problem = boundary_problem(self.text, start, end)
        if problem:
            raise self.fail(where, f"span {anchor.text!r} {problem}")
        return TextSpan(start=start, end=end, text=self.text[start:end])

    def sentence_of(self, span: TextSpan) -> int | None:
        for i, s in enumerate(self.sentences):
            if s.start <= span.start and span.end <= s.end:
                return i
        return None

    def compile(self, doc_id: str, title: str, language: str, source: str) -> Document:
        src = self.src
        clusters: dict[str, SourceCluster] = {}
        for i, c in enumerate(src.clusters):
            if c.id in clusters:
                raise self.fail(("clusters", i, "id"), f"duplicate cluster id {c.id!r}")
            for j, alias in enumerate(c.aliases):
                if alias not in self.text:
                    raise self.fail(("clusters", i, "aliases", j), f"alias {alias!r} does not occur in the document")
            clusters[c.id] = c

        mentions = []
        for i, e in enumerate(src.entities):
            where = ("entities", i)
            if e.cluster not in clusters:
                raise self.fail(where + ("cluster",), f"unknown cluster {e.cluster!r}")
            mentions.append((self.span(e, where), e.cluster, where))
        mentions.sort(key=lambda m: (m[0].start, m[0].end))
        for (a, _, _), (b, _, wb) in zip(mentions, mentions[1:]):
            if b.start < a.end:
                raise self.fail(wb, f"mention {b.text!r} overlaps mention {a.text!r}")
        entities = [EntityMention(id=f"e{n:03d}", start=s.start, end=s.end, text=s.text,
                                  label=clusters[cid].label, cluster=cid)
                    for n, (s, cid, _) in enumerate(mentions, 1)]
        mention_spans = {(m.start, m.end): m.cluster for m in entities}

        quotes = []
        for i, q in enumerate(src.quotes):
            quotes.append(self._quote(q, ("quotes", i), clusters, mention_spans))
        quotes.sort(key=lambda x: x[0].start)
        pair = first_overlap([q for q, _ in quotes])
        if pair:
            later = next(w for q, w in quotes if q is pair[1])
            raise self.fail(later, f"quote {pair[1].text[:30]!r}… overlaps another quote")
        final_quotes = [q.model_copy(update={"id": f"q{n:02d}"}) for n, (q, _) in enumerate(quotes, 1)]

        out_clusters = []
        for c in src.clusters:
            forms = [m.text for m in entities if m.cluster == c.id]
            forms += [q.speaker_mention.text for q in final_quotes if q.speaker == c.id and q.speaker_mention]
            forms += c.aliases
            unique = sorted(set(forms), key=lambda f: (self.text.find(f), f))
            out_clusters.append(Cluster(id=c.id, name=c.name, name_en=c.name_en, label=c.label, aliases=unique))
        return Document(id=doc_id, title=title, text=self.text, language=language, source=source,
                        sentences=self.sentences, entities=entities, clusters=out_clusters, quotes=final_quotes)

    def _quote(self, q: SourceQuote, where: Path_, clusters: dict[str, SourceCluster],
               mention_spans: dict[tuple[int, int], str]) -> tuple[Quote, Path_]:
        content = self.span(q.content, where + ("content",))
        cue = self.span(q.cue, where + ("cue",))
        if q.speaker not in clusters:
            raise self.fail(where + ("speaker",), f"unknown cluster {q.speaker!r}")
        sent = self.sentence_of(content)
        if sent is None:
            raise self.fail(where + ("content",), "quote crosses a sentence boundary")
        if self.sentence_of(cue) != sent:
            raise self.fail(where + ("cue",), "cue is not in the sentence of its quote")
        if cue.start < content.end and content.start < cue.end:
            raise self.fail(where + ("cue",), "cue overlaps the quote content")
        self._check_type(q.type, content, where + ("type",))
        mention = None
        if q.speaker_mention is not None:
            mention = self.span(q.speaker_mention, where + ("speaker_mention",))
            if self.sentence_of(mention) != sent:
                raise self.fail(where + ("speaker_mention",), "speaker mention is not in the sentence of its quote")
        expected = (SpeakerKind.implicit if mention is None else
                    SpeakerKind.named if (mention.start, mention.end) in mention_spans else SpeakerKind.nominal)
        if q.speaker_kind != expected:
            raise self.fail(where + ("speaker_kind",), f"is {q.speaker_kind.value}, the speaker mention makes it {expected.value}")
        if mention is not None and expected is SpeakerKind.named and mention_spans[(mention.start, mention.end)] != q.speaker:
            raise self.fail(where + ("speaker_mention",), f"names cluster {mention_spans[(mention.start, mention.end)]!r}, not the speaker {q.speaker!r}")
        quote = Quote(id="", start=content.start, end=content.end, text=content.text, type=q.type, cue=cue,
                      speaker=q.speaker, speaker_mention=mention, speaker_kind=q.speaker_kind)
        return quote, where

    def _check_type(self, qtype: QuoteType, content: TextSpan, where: Path_) -> None:
        inner = any(c in QUOTE_MARKS for c in content.text)
        before = self.text[content.start - 1] if content.start else ""
        after = self.text[content.end] if content.end < len(self.text) else ""
        if qtype is QuoteType.direct and not (before in QUOTE_MARKS and after in QUOTE_MARKS and not inner):
            raise self.fail(where, "a direct quote's content must lie just inside a pair of quotation marks")
        if qtype is QuoteType.mixed and not inner:
            raise self.fail(where, "a mixed quote must contain a quoted fragment")
        if qtype is QuoteType.indirect and inner:
            raise self.fail(where, "an indirect quote contains quotation marks (mixed?)")


def compile_source(src: SourceFile, text: str, *, path: Path, lines: dict[Path_, int] | None = None,
                   doc_id: str | None = None) -> Document:
    """Resolve every anchor of ``src`` against ``text`` and check the layers' invariants.

    Raises IsnadError naming the file, line and field of the first problem."""
    compiler = _Compiler(src, text, path, lines or {})
    meta = src.document
    first = compiler.sentences[0] if compiler.sentences else Sentence(start=0, end=0)
    return compiler.compile(doc_id=doc_id or (meta.id if meta else "unknown"),
                            title=text[first.start:first.end],
                            language=meta.language if meta else "ar",
                            source=meta.source if meta else "")
