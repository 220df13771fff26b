"""The Hugging Face configs of the gold: one row type per config, and their features."""

from __future__ import annotations

from typing import Any

from .schema import LABELS, QUOTE_TYPES, Document
from .text import tokenize

CONFIGS: tuple[str, ...] = ("documents", "sentences", "entities", "quotes")
NER_TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{lab}" for lab in LABELS for p in ("B", "I"))
QUOTE_TAG_TYPES: tuple[str, ...] = tuple(t.upper() for t in QUOTE_TYPES)
QUOTE_TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{t}" for t in QUOTE_TAG_TYPES for p in ("B", "I"))


def sentence_id(doc_id: str, index: int) -> str:
    return f"{doc_id}:s{index:02d}"


def iob2(token_spans: list[tuple[int, int]], spans: list[tuple[int, int, str]]) -> list[str]:
    """IOB2 tags of tokens: a token takes a span's tag when it overlaps it; the first
    token of each span is ``B-``; when two spans touch one token the earlier span keeps
    it and the later one starts (``B-``) at its first token still free.

    >>> iob2([(0, 2), (3, 5), (6, 8)], [(0, 5, "PER")])
    ['B-PER', 'I-PER', 'O']
    """
    tags = ["O"] * len(token_spans)
    for start, end, tag in sorted(spans, key=lambda s: (s[0], s[1])):
        first = True
        for k, (ts, te) in enumerate(token_spans):
            if ts < end and start < te and tags[k] == "O":
                tags[k] = ("B-" if first else "I-") + tag
                first = False
    return tags


def document_row(doc: Document) -> dict[str, Any]:
    return doc.model_dump(mode="json")


def sentence_rows(doc: Document) -> list[dict[str, Any]]:
    rows = []
    for i, s in enumerate(doc.sentences):
        toks = tokenize(doc.text, s.start, s.end)
        spans = [(t.start, t.end) for t in toks]
        ents = [(m.start, m.end, m.label.value) for m in doc.entities if s.start <= m.start < s.end]
        quotes = [(q.start, q.end, q.type.value.upper()) for q in doc.quotes if s.start <= q.start < s.end]
        rows.append({
            "id": sentence_id(doc.id, i), "document_id": doc.id, "start": s.start, "end": s.end,
            "text": doc.text[s.start:s.end], "tokens": [doc.text[a:b] for a, b in spans],
            "token_starts": [a for a, _ in spans], "token_ends": [b for _, b in spans],
            "ner_tags": iob2(spans, ents), "quote_tags": iob2(spans, quotes),
        })
    return rows


def entity_rows(doc: Document) -> list[dict[str, Any]]:
    return [{"id": f"{doc.id}:{m.id}", "document_id": doc.id,
             "sentence_id": sentence_id(doc.id, doc.sentence_index(m.start)),
             "start": m.start, "end": m.end, "text": m.text, "label": m.label.value, "cluster": m.cluster}
            for m in doc.entities]


def quote_rows(doc: Document) -> list[dict[str, Any]]:
    rows = []
    for q in doc.quotes:
        si = doc.sentence_index(q.start)
        sent = doc.sentences[si]
        sm = q.speaker_mention
        rows.append({
            "id": f"{doc.id}:{q.id}", "document_id": doc.id, "sentence_id": sentence_id(doc.id, si),
            "start": q.start, "end": q.end, "text": q.text, "type": q.type.value,
            "cue_start": q.cue.start, "cue_end": q.cue.end, "cue_text": q.cue.text,
            "speaker": q.speaker, "speaker_name": doc.cluster(q.speaker).name, "speaker_kind": q.speaker_kind.value,
            "speaker_mention_start": sm.start if sm else None, "speaker_mention_end": sm.end if sm else None,
            "speaker_mention_text": sm.text if sm else None, "context": doc.text[sent.start:sent.end],
        })
    return rows


def rows(config: str, docs: list[Document]) -> list[dict[str, Any]]:
    """Rows of one config, in document order."""
    make = {"documents": lambda d: [document_row(d)], "sentences": sentence_rows,
            "entities": entity_rows, "quotes": quote_rows}[config]
    return [r for d in docs for r in make(d)]


def features(config: str):
    """The typed ``datasets.Features`` of a config (imports datasets: build time only)."""
    from datasets import ClassLabel, Features, List, Value

    s, i32 = Value("string"), Value("int32")
    span = {"start": i32, "end": i32, "text": s}
    label, qtype = ClassLabel(names=list(LABELS)), ClassLabel(names=list(QUOTE_TYPES))
    table = {
        "documents": {
            "id": s, "title": s, "text": s, "language": s, "source": s,
            "sentences": List({"start": i32, "end": i32}),
            "entities": List({"id": s, **span, "label": label, "cluster": s}),
            "clusters": List({"id": s, "name": s, "name_en": s, "label": label, "aliases": List(s)}),
            "quotes": List({"id": s, **span, "type": qtype, "cue": span, "speaker": s,
                            "speaker_mention": span, "speaker_kind": s}),
        },
        "sentences": {
            "id": s, "document_id": s, "start": i32, "end": i32, "text": s, "tokens": List(s),
            "token_starts": List(i32), "token_ends": List(i32),
            "ner_tags": List(ClassLabel(names=list(NER_TAGS))), "quote_tags": List(ClassLabel(names=list(QUOTE_TAGS))),
        },
        "entities": {"id": s, "document_id": s, "sentence_id": s, **span, "label": label, "cluster": s},
        "quotes": {
            "id": s, "document_id": s, "sentence_id": s, **span, "type": qtype,
            "cue_start": i32, "cue_end": i32, "cue_text": s, "speaker": s, "speaker_name": s, "speaker_kind": s,
            "speaker_mention_start": i32, "speaker_mention_end": i32, "speaker_mention_text": s, "context": s,
        },
    }
    return Features(table[config])


def gold_dataset(config: str = "documents", split: str = "test", **kwargs: Any):
    """The bundled gold's ``config`` as a ``datasets.Dataset``, loaded by its path and rebuilt
    from its data files on every call.

    By path: the bare name ``"gold"`` outside the repository is looked up on the Hub and,
    offline, silently served from whatever the datasets cache holds under that name. Rebuilt:
    datasets keys its cache by the card, so another checkout's or an edited data file's rows
    could be served from it (``download_mode`` and ``verification_mode`` may be overridden).
    """
    import datasets

    from .gold import bundled_gold_dir

    if config not in CONFIGS:
        raise ValueError(f"unknown config {config!r} (the gold's configs: {', '.join(CONFIGS)})")
    kwargs.setdefault("download_mode", "force_redownload")
    kwargs.setdefault("verification_mode", "no_checks")
    return datasets.load_dataset(str(bundled_gold_dir()), config, split=split, **kwargs)
