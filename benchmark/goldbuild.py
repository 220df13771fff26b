"""`isnad gold build` and `isnad gold check`: compile the gold source into the dataset files."""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePath

import yaml

from . import dataset
from .agreement import agreement_report, agreement_tables
from .errors import IsnadError
from .gold_source import boundary_problem, compile_source, read_source
from .schema import Document
from .spans import first_overlap
from .transaction import JOURNAL, commit, differs, lock, pending, recover
from .yamlsafe import line_of

SOURCE_DIR = "gold/source"
CARD = "gold/README.md"
AGREEMENT = "gold/agreement.json"
MAX_SEED_BYTES = 4 * 1024 * 1024  # an article is a few kilobytes
MAX_CARD_BYTES = 1024 * 1024
_REGION = re.compile(r"(<!-- generated:(?P<name>[a-z-]+) -->\n)(.*?)(<!-- /generated:(?P=name) -->)", re.S)


def _jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in rows)


def compile_file(path: Path, seeds: Path) -> tuple[Document, str]:
    """Compile one gold source file whose ``document.seed`` names a file in ``seeds``;
    returns the document and the source's version."""
    src, lines = read_source(path)
    if src.document is None or src.version is None:
        raise IsnadError("a gold source needs `version` and `document`", file=str(path), line=1)
    from .safeio import read_text

    name = src.document.seed
    where = {"file": str(path), "line": line_of(lines, ("document", "seed")), "field": "document.seed"}
    if name in ("", ".", "..") or PurePath(name).name != name or "/" in name or "\\" in name:
        raise IsnadError(f"seed {name[:80]!r} is not a file name in seeds/ (no folder, no '..')", **where)
    try:
        text = read_text(seeds / name, MAX_SEED_BYTES, "a seed text", follow_symlinks=False)
    except IsnadError as exc:
        at = f" (line {exc.line} of the seed)" if exc.line else ""
        raise IsnadError(f"seed {name!r}: {exc.message}{at}", **where) from None
    return compile_source(src, text, path=path, lines=lines), src.version


def compile_gold(root: Path) -> tuple[list[Document], str]:
    """Compile every ``gold/source/*.yaml`` (one document each); returns documents and version."""
    sources = sorted((root / SOURCE_DIR).glob("*.yaml"))
    if not sources:
        raise IsnadError("no gold source files", file=str(root / SOURCE_DIR))
    compiled = [compile_file(path, root / "seeds") for path in sources]
    versions = sorted({v for _, v in compiled})
    if len(versions) != 1:
        raise IsnadError(f"source files disagree on the version: {versions}", file=str(root / SOURCE_DIR))
    return [d for d, _ in compiled], versions[0]


def _card(root: Path, docs: list[Document], version: str, agreement: dict) -> str:
    path = root / CARD
    from .safeio import read_text

    old = read_text(path, MAX_CARD_BYTES, "the dataset card", follow_symlinks=False)
    parts = old.split("---\n", 2)
    if not old.startswith("---\n") or len(parts) < 3:
        raise IsnadError("the card must start with a YAML block between --- lines", file=str(path), line=1)
    header = {
        "pretty_name": "isnad-bench gold",
        "language": ["ar"],
        "license": "cc-by-4.0",
        "task_categories": ["token-classification"],
        "task_ids": ["named-entity-recognition"],
        "tags": ["quotation-attribution", "arabic", "speaker-attribution", "coreference"],
        "size_categories": ["n<1K"],
        "configs": [{"config_name": c, **({"default": True} if c == "documents" else {}),
                     "data_files": [{"split": "test", "path": f"data/{c}.jsonl"}]} for c in dataset.CONFIGS],
        "dataset_info": [{"config_name": c, "features": dataset.features(c)._to_yaml_list()}
                         for c in dataset.CONFIGS],
    }
    body = parts[2]
    regions = {"statistics": _statistics(docs, version), "agreement": agreement_tables(agreement)}

    def fill(m: re.Match) -> str:
        if m.group("name") not in regions:
            raise IsnadError(f"unknown generated region {m.group('name')!r}", file=str(path))
        return m.group(1) + regions[m.group("name")] + m.group(4)

    body = _REGION.sub(fill, body)
    return "---\n" + yaml.safe_dump(header, allow_unicode=True, sort_keys=False, width=1000) + "---\n" + body


def _statistics(docs: list[Document], version: str) -> str:
    ents = [m for d in docs for m in d.entities]
    quotes = [q for d in docs for q in d.quotes]
    lines = [f"Gold version {version}.", "",
             "| documents | sentences | tokens | entity mentions | clusters | quotes |", "|---|---|---|---|---|---|",
             f"| {len(docs)} | {sum(len(d.sentences) for d in docs)} | "
             f"{sum(len(r['tokens']) for r in dataset.rows('sentences', docs))} | {len(ents)} | "
             f"{sum(len(d.clusters) for d in docs)} | {len(quotes)} |", ""]
    by_label = {}
    for m in ents:
        by_label[m.label.value] = by_label.get(m.label.value, 0) + 1
    lines += ["| label | mentions |", "|---|---|"] + [f"| {k} | {v} |" for k, v in sorted(by_label.items())] + [""]
    combos: dict[tuple[str, str], int] = {}
    for q in quotes:
        key = (q.type.value, q.speaker_kind.value)
        combos[key] = combos.get(key, 0) + 1
    lines += ["| quote type | speaker kind | quotes |", "|---|---|---|"]
    lines += [f"| {t} | {k} | {n} |" for (t, k), n in sorted(combos.items())] + [""]
    return "\n".join(lines + _speaker_skew(docs))


def _speaker_skew(docs: list[Document]) -> list[str]:
    """Quotes per speaker, and what always answering the most frequent speaker scores."""
    names = {c.id: c.name_en for d in docs for c in d.clusters}
    counts: dict[str, int] = {}
    for q in (q for d in docs for q in d.quotes):
        counts[q.speaker] = counts.get(q.speaker, 0) + 1
    if not counts:
        return []
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    lines = ["| speaker | quotes | share |", "|---|---|---|"]
    lines += [f"| {names[k]} | {n} | {n / total:.0%} |" for k, n in ranked]
    top, n = ranked[0]
    return lines + ["", f"The speakers are skewed: {n} of {total} quotes are {names[top]}'s, so a system that "
                        f"always answers {names[top]} gets {n / total:.0%} of the speakers right.", ""]


def build_outputs(root: Path) -> dict[str, str]:
    """Everything `isnad gold build` writes, as ``{relative path: content}``; writes nothing."""
    docs, version = compile_gold(root)
    out = {f"gold/data/{c}.jsonl": _jsonl(dataset.rows(c, docs)) for c in dataset.CONFIGS}
    out["gold/data/meta.json"] = json.dumps({"version": version, "documents": [d.id for d in docs]},
                                            ensure_ascii=False, indent=2) + "\n"
    agreement = agreement_report(root, docs)
    out[AGREEMENT] = json.dumps(agreement, ensure_ascii=False, indent=2) + "\n"
    out[CARD] = _card(root, docs, version, agreement)
    return out


GOLD = "gold"


def write_outputs(root: Path, outputs: dict[str, str]) -> list[str]:
    """Write the changed files all or nothing (:mod:`benchmark.transaction`); returns them.
    Hold the gold's lock (:func:`build` does)."""
    changes: dict[str, bytes | None] = {}
    for rel, content in outputs.items():
        data = content.encode("utf-8")
        if differs(root / rel, data):
            changes[rel] = data
    commit(root, root / GOLD / JOURNAL, changes, (GOLD,))
    return list(changes)


def build(root: Path) -> list[str]:
    """Compile and write the gold, all or nothing; returns the files that changed (and what
    was done with the leftovers of an interrupted build)."""
    with lock(root / GOLD, "the gold"):
        done = recover(root, root / GOLD / JOURNAL, (GOLD,))
        notes = [f"{GOLD}/ ({done})"] if done else []
        return notes + write_outputs(root, build_outputs(root))


def validate_document(doc: Document) -> list[str]:
    """Invariants of a compiled document, checked on the data files themselves."""
    problems = []
    n = len(doc.text)
    labels = {c.id: c.label for c in doc.clusters}

    def span_ok(what: str, s) -> None:
        if not (0 <= s.start < s.end <= n):
            problems.append(f"{what}: offsets [{s.start}, {s.end}) out of range")
        elif doc.text[s.start:s.end] != s.text:
            problems.append(f"{what}: text {s.text!r} differs from its slice {doc.text[s.start:s.end]!r}")
        elif cut := boundary_problem(doc.text, s.start, s.end):
            problems.append(f"{what}: span {s.text!r} {cut}")

    for m in doc.entities:
        span_ok(f"entity {m.id}", m)
        if m.cluster not in labels:
            problems.append(f"entity {m.id}: dangling cluster {m.cluster!r}")
        elif labels[m.cluster] != m.label:
            problems.append(f"entity {m.id}: label {m.label.value} differs from its cluster's {labels[m.cluster].value}")
    for q in doc.quotes:
        span_ok(f"quote {q.id}", q)
        span_ok(f"quote {q.id} cue", q.cue)
        if q.speaker_mention is not None:
            span_ok(f"quote {q.id} speaker_mention", q.speaker_mention)
        if q.speaker not in labels:
            problems.append(f"quote {q.id}: dangling speaker {q.speaker!r}")
    for what, spans in (("entity", doc.entities), ("quote", doc.quotes)):
        pair = first_overlap(list(spans))
        if pair:
            problems.append(f"{what} {pair[1].id} overlaps {what} {pair[0].id}")
    for a, b in zip(doc.sentences, doc.sentences[1:]):
        if b.start < a.end:
            problems.append(f"sentences overlap at {b.start}")
    return [f"{doc.id}: {p}" for p in problems]


def check(root: Path) -> list[str]:
    """Problems with the committed gold: invalid data files or files stale against the source."""
    from .gold import read_documents

    journal = pending(root / GOLD / JOURNAL)
    if journal:
        return [f"{GOLD}/{JOURNAL}: {journal}"]
    problems = []
    docs_path = root / "gold/data/documents.jsonl"
    if docs_path.is_file():
        for doc in read_documents(docs_path):
            problems += [f"{docs_path}: {p}" for p in validate_document(doc)]
    for rel, content in build_outputs(root).items():
        path = root / rel
        if not path.is_file():
            problems.append(f"{rel}: missing (run `isnad gold build`)")
        elif differs(path, content.encode("utf-8")):
            problems.append(f"{rel}: stale, differs from what the source compiles to (run `isnad gold build`)")
    return problems
