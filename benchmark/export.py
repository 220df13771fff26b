"""Exports of the compiled gold for other tools: CoNLL-style IOB2 columns and brat standoff.

Both carry the entities (label and cluster), the quotes (type, content, cue, speaker, speaker
mention and kind) and their links exactly, and both are read back by this module
(:func:`read_conll`, :func:`read_brat`), so a round trip can be checked.

**CoNLL** (one file, ``gold.conll``): a ``-DOCSTART-`` line per document, then one token a
line with tab-separated columns, a blank line between sentences::

    TOKEN  NER  QUOTE  CUE  SPEAKER  CLUSTER  START  END

``NER`` (``B-PER`` …) and ``QUOTE`` (``B-DIRECT`` …) are plain IOB2, so the first two or the
first and third columns serve as an ordinary tagging file. ``CUE`` tags a quote's cue with
its id (``B-q01``), ``SPEAKER`` a speaker mention with the ids of the quotes it speaks
(``B-q01,q02``), ``CLUSTER`` an entity mention with its cluster (``B-john-kerry``); ``START``
and ``END`` are the token's code-point offsets in the document. Tokens are the dataset's
tokens, cut further where a span starts after a proclitic («ب» + «باريس»), so that every span
is a run of whole tokens. A ``# quote`` line after ``-DOCSTART-`` gives each quote's id,
speaker cluster and speaker kind, in document order.

**brat** (per document ``ID.txt`` and ``ID.ann``, and the collection's ``annotation.conf``):
entities, quotes (``Quote``), cues (``Cue``) and nominal speaker mentions
(``SpeakerMention``) are text-bound annotations; ``QuoteType`` and ``SpeakerKind`` are
attributes of a quote; ``CueOf`` and ``SaidBy`` relations link a quote to its cue and to its
speaker mention; a ``Reference`` normalization (``isnad:CLUSTER``) gives the cluster of every
entity and speaker mention and the speaker of every quote; clusters of two or more mentions
are also ``Coref`` equivalences, for brat's display.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import IsnadError
from .schema import Document, EntityMention, Label, Quote, QuoteType, SpeakerKind, TextSpan
from .text import tokenize

FORMATS = ("conll", "brat")
CONLL_FILE = "gold.conll"
COLUMNS = ("TOKEN", "NER", "QUOTE", "CUE", "SPEAKER", "CLUSTER", "START", "END")
DOCSTART = "-DOCSTART-"
_NS = "isnad:"


@dataclass(frozen=True)
class Layers:
    """What an export carries of one document: its entities and quotes (ids as in the gold)."""

    entities: list[EntityMention]
    quotes: list[Quote]


def layers(doc: Document) -> Layers:
    """The layers of a gold document that the exports carry."""
    return Layers(list(doc.entities), list(doc.quotes))


# --- CoNLL -----------------------------------------------------------------------------------

def _tokens(doc: Document, start: int, end: int, cuts: set[int]) -> list[tuple[int, int]]:
    out = []
    for t in tokenize(doc.text, start, end):
        edges = [t.start] + sorted(c for c in cuts if t.start < c < t.end) + [t.end]
        out += list(zip(edges, edges[1:]))
    return out


def _tag(tags: list[str], toks: list[tuple[int, int]], span, value: str, what: str) -> None:
    hit = [k for k, (s, e) in enumerate(toks) if span.start <= s and e <= span.end]
    for n, k in enumerate(hit):
        tag = ("B-" if n == 0 else "I-") + value
        if tags[k] != "O" and tags[k] != tag:
            raise IsnadError(f"{what} {span.text!r} overlaps another span of its column")
        tags[k] = tag


def to_conll(docs: list[Document]) -> str:
    """The CoNLL export of ``docs`` (see the module's docstring)."""
    lines = ["# columns: " + " ".join(COLUMNS)]
    for doc in docs:
        lines += [f"{DOCSTART}\t{doc.id}"]
        lines += [f"# quote {q.id} speaker={q.speaker} kind={q.speaker_kind.value}" for q in doc.quotes]
        lines.append("")
        spans = [*doc.entities, *doc.quotes, *(q.cue for q in doc.quotes),
                 *(q.speaker_mention for q in doc.quotes if q.speaker_mention)]
        cuts = {s.start for s in spans} | {s.end for s in spans}
        speakers: dict[tuple[int, int], list[Quote]] = {}
        for q in doc.quotes:
            if q.speaker_mention is not None:
                speakers.setdefault((q.speaker_mention.start, q.speaker_mention.end), []).append(q)
        for sent in doc.sentences:
            toks = _tokens(doc, sent.start, sent.end, cuts)
            cols = {c: ["O"] * len(toks) for c in COLUMNS[1:6]}
            inside = lambda s: sent.start <= s.start < sent.end  # noqa: E731
            for m in filter(inside, doc.entities):
                _tag(cols["NER"], toks, m, m.label.value, "entity")
                _tag(cols["CLUSTER"], toks, m, m.cluster, "entity")
            for q in filter(inside, doc.quotes):
                _tag(cols["QUOTE"], toks, q, q.type.value.upper(), "quote")
                _tag(cols["CUE"], toks, q.cue, q.id, "cue")
            for (s, e), qs in speakers.items():
                if sent.start <= s < sent.end:
                    _tag(cols["SPEAKER"], toks, qs[0].speaker_mention, ",".join(q.id for q in qs), "speaker mention")
            for k, (s, e) in enumerate(toks):
                lines.append("\t".join([doc.text[s:e], *(cols[c][k] for c in COLUMNS[1:6]), str(s), str(e)]))
            lines.append("")
    return "\n".join(lines) + "\n"


def _runs(rows: list[list[str]], col: int) -> list[tuple[str, int, int]]:
    """IOB2 runs of a column: (value, first row, last row)."""
    runs: list[tuple[str, int, int]] = []
    for k, row in enumerate(rows):
        tag = row[col]
        if tag == "O":
            continue
        prefix, value = tag[:2], tag[2:]
        if prefix == "I-" and runs and runs[-1][0] == value and runs[-1][2] == k - 1:
            runs[-1] = (value, runs[-1][1], k)
        else:
            runs.append((value, k, k))
    return runs


def read_conll(content: str) -> dict[str, Layers]:
    """Read a CoNLL export back: ``{document id: Layers}``. A span's text is rebuilt from its
    tokens and offsets, the gaps between tokens read as spaces."""
    docs: dict[str, Layers] = {}
    blocks: list[tuple[str, list[str], list[list[str]]]] = []
    for n, line in enumerate(content.splitlines(), 1):
        if line.startswith(DOCSTART):
            blocks.append((line.split("\t")[1], [], []))
        elif line.startswith("# quote "):
            blocks[-1][1].append(line)
        elif line and not line.startswith("#"):
            row = line.split("\t")
            if len(row) != len(COLUMNS) or not blocks:
                raise IsnadError(f"expected {len(COLUMNS)} tab-separated columns", line=n)
            blocks[-1][2].append(row)
    for doc_id, quote_lines, rows in blocks:
        text_len = max((int(r[7]) for r in rows), default=0)
        chars = [" "] * text_len
        for r in rows:
            chars[int(r[6]):int(r[7])] = r[0]
        text = "".join(chars)

        def span(first: int, last: int) -> TextSpan:
            s, e = int(rows[first][6]), int(rows[last][7])
            return TextSpan(start=s, end=e, text=text[s:e])

        ner, clusters = _runs(rows, 1), _runs(rows, 5)
        entities = [EntityMention(id=f"e{k:03d}", **span(a, b).model_dump(), label=Label(lab), cluster=c[0])
                    for k, ((lab, a, b), c) in enumerate(zip(ner, clusters), 1)]
        cues = {v: span(a, b) for v, a, b in _runs(rows, 3)}
        mentions = {q: span(a, b) for v, a, b in _runs(rows, 4) for q in v.split(",")}
        quotes = []
        for (qtype, a, b), line in zip(_runs(rows, 2), quote_lines, strict=True):
            _, _, qid, speaker, kind = line.split(" ")
            quotes.append(Quote(id=qid, **span(a, b).model_dump(), type=QuoteType(qtype.lower()), cue=cues[qid],
                                speaker=speaker.removeprefix("speaker="), speaker_mention=mentions.get(qid),
                                speaker_kind=SpeakerKind(kind.removeprefix("kind="))))
        docs[doc_id] = Layers(entities, quotes)
    return docs


# --- brat ------------------------------------------------------------------------------------

def annotation_conf() -> str:
    """brat's ``annotation.conf`` for the export: the types, relations and attributes used."""
    return "\n".join([
        "[entities]", *(lab.value for lab in Label), "Quote", "Cue", "SpeakerMention", "",
        "[relations]", "CueOf\tArg1:Quote, Arg2:Cue",
        "SaidBy\tArg1:Quote, Arg2:" + "|".join([*(lab.value for lab in Label), "SpeakerMention"]),
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "Coref\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive", "",
        "[events]", "",
        "[attributes]", "QuoteType\tArg:Quote, Value:" + "|".join(t.value for t in QuoteType),
        "SpeakerKind\tArg:Quote, Value:" + "|".join(k.value for k in SpeakerKind), ""])


def to_brat(doc: Document) -> str:
    """The ``.ann`` standoff of one document (its ``.txt`` is ``doc.text``)."""
    lines: list[str] = []
    ids = {"T": 0, "R": 0, "A": 0, "N": 0}

    def new(kind: str) -> str:
        ids[kind] += 1
        return f"{kind}{ids[kind]}"

    def textbound(kind: str, s: TextSpan) -> str:
        tid = new("T")
        lines.append(f"{tid}\t{kind} {s.start} {s.end}\t{s.text}")
        return tid

    def reference(target: str, cluster: str) -> None:
        lines.append(f"{new('N')}\tReference {target} {_NS}{cluster}\t{doc.cluster(cluster).name_en}")

    by_span: dict[tuple[int, int], str] = {}
    members: dict[str, list[str]] = {}
    for m in doc.entities:
        tid = textbound(m.label.value, m)
        by_span[(m.start, m.end)] = tid
        members.setdefault(m.cluster, []).append(tid)
        reference(tid, m.cluster)
    for q in doc.quotes:
        qid = textbound("Quote", q)
        lines.append(f"{new('A')}\tQuoteType {qid} {q.type.value}")
        lines.append(f"{new('A')}\tSpeakerKind {qid} {q.speaker_kind.value}")
        reference(qid, q.speaker)
        lines.append(f"{new('R')}\tCueOf Arg1:{qid} Arg2:{textbound('Cue', q.cue)}")
        if q.speaker_mention is not None:
            key = (q.speaker_mention.start, q.speaker_mention.end)
            if key not in by_span:
                by_span[key] = textbound("SpeakerMention", q.speaker_mention)
                members.setdefault(q.speaker, []).append(by_span[key])
                reference(by_span[key], q.speaker)
            lines.append(f"{new('R')}\tSaidBy Arg1:{qid} Arg2:{by_span[key]}")
    lines += [f"*\tCoref {' '.join(tids)}" for tids in members.values() if len(tids) > 1]
    return "\n".join(lines) + "\n"


def read_brat(text: str, ann: str) -> Layers:
    """Read one document's brat standoff back (``text`` is its ``.txt``)."""
    bound: dict[str, tuple[str, TextSpan]] = {}
    attrs: dict[str, dict[str, str]] = {}
    refs: dict[str, str] = {}
    rels: dict[str, dict[str, str]] = {}
    for n, line in enumerate(ann.splitlines(), 1):
        fields = line.split("\t")
        head = fields[1].split(" ") if len(fields) > 1 else []
        if line.startswith("T"):
            kind, s, e = head[0], int(head[1]), int(head[2])
            if text[s:e] != fields[2]:
                raise IsnadError(f"text-bound {fields[0]} says {fields[2]!r}, the text has {text[s:e]!r}", line=n)
            bound[fields[0]] = (kind, TextSpan(start=s, end=e, text=fields[2]))
        elif line.startswith("A"):
            attrs.setdefault(head[1], {})[head[0]] = head[2]
        elif line.startswith("N"):
            refs[head[1]] = head[2].removeprefix(_NS)
        elif line.startswith("R"):
            rels.setdefault(head[1].removeprefix("Arg1:"), {})[head[0]] = head[2].removeprefix("Arg2:")
    labels = {lab.value for lab in Label}
    ents = sorted(((s, kind, refs[t]) for t, (kind, s) in bound.items() if kind in labels), key=lambda x: x[0].start)
    entities = [EntityMention(id=f"e{k:03d}", **s.model_dump(), label=Label(kind), cluster=c)
                for k, (s, kind, c) in enumerate(ents, 1)]
    quotes = []
    found = sorted(((s, t) for t, (kind, s) in bound.items() if kind == "Quote"), key=lambda x: x[0].start)
    for k, (s, t) in enumerate(found, 1):
        said = rels.get(t, {}).get("SaidBy")
        quotes.append(Quote(id=f"q{k:02d}", **s.model_dump(), type=QuoteType(attrs[t]["QuoteType"]),
                            cue=bound[rels[t]["CueOf"]][1], speaker=refs[t],
                            speaker_mention=bound[said][1] if said else None,
                            speaker_kind=SpeakerKind(attrs[t]["SpeakerKind"])))
    return Layers(entities, quotes)


# --- files -----------------------------------------------------------------------------------

def export_files(docs: list[Document], fmt: str) -> dict[str, str]:
    """``{file name: content}`` of an export in format ``fmt`` (``conll`` or ``brat``)."""
    if fmt == "conll":
        return {CONLL_FILE: to_conll(docs)}
    if fmt == "brat":
        out = {"annotation.conf": annotation_conf()}
        for doc in docs:
            out[f"{doc.id}.txt"] = doc.text
            out[f"{doc.id}.ann"] = to_brat(doc)
        return out
    raise IsnadError(f"unknown export format {fmt!r} (one of: {', '.join(FORMATS)})", field="--format")


def export(docs: list[Document], fmt: str, out_dir: Path) -> list[str]:
    """Write the export into ``out_dir`` (created if needed), all files or none
    (:mod:`benchmark.transaction`); returns the files written."""
    from .transaction import JOURNAL, commit, lock, recover

    files = export_files(docs, fmt)
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise IsnadError("not a folder", file=str(out_dir))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IsnadError(f"cannot make the folder: {exc.strerror or exc}", file=str(out_dir)) from None
    names = tuple(files)
    with lock(out_dir, "the export"):
        recover(out_dir, out_dir / JOURNAL, names)
        commit(out_dir, out_dir / JOURNAL, {n: c.encode("utf-8") for n, c in files.items()}, names)
    return [str(out_dir / name) for name in files]
