"""Loading the compiled gold: from the checkout, or from the installed package."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from .errors import IsnadError
from .schema import Document

DOCUMENTS_FILE = "data/documents.jsonl"


def bundled_gold_dir() -> Path:
    """The gold folder: ``gold/`` of the checkout this module sits in, else the copy
    installed as the data package ``benchmark._gold``."""
    here = Path(__file__).resolve().parent
    checkout = here.parent / "gold"
    if (checkout / DOCUMENTS_FILE).is_file():
        return checkout
    return here / "_gold"  # the wheel maps gold/ to benchmark/_gold (see pyproject.toml)


@dataclass(frozen=True)
class Gold:
    """The gold documents with the version and content hash that identify them."""

    documents: tuple[Document, ...]
    version: str
    sha256: str
    path: Path

    def document(self, doc_id: str) -> Document:
        for d in self.documents:
            if d.id == doc_id:
                return d
        raise KeyError(doc_id)


MAX_DOCUMENTS_BYTES = 64 * 1024 * 1024  # the compiled gold is well under a megabyte
MAX_META_BYTES = 64 * 1024


def read_documents(path: Path) -> list[Document]:
    """Parse a ``documents.jsonl`` file; IsnadError names the line and field."""
    from .safeio import read_jsonl

    docs = []
    for n, obj in read_jsonl(path, MAX_DOCUMENTS_BYTES, "a gold documents file", line_limit=MAX_DOCUMENTS_BYTES):
        try:
            docs.append(Document.model_validate(obj))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(x) for x in err["loc"]) or None
            raise IsnadError(err["msg"], file=str(path), line=n, field=field) from None
    return docs


@lru_cache(maxsize=8)
def _parse(path: str, sha256: str) -> tuple[Document, ...]:
    # keyed by content hash: an edited file is parsed anew, an unchanged one once
    return tuple(read_documents(Path(path)))


def _load(root: Path) -> Gold:
    from .transaction import JOURNAL, PLAN

    path = root / DOCUMENTS_FILE
    if not path.is_file():
        raise IsnadError("no compiled gold here (run `isnad gold build`)", file=str(path))
    if (root / JOURNAL / PLAN).exists():  # a build stopped half-way: some files new, some old
        raise IsnadError("a gold build was stopped half-way: run `isnad gold build` to finish it "
                         "(the gold is read only when it is whole)", file=str(root / JOURNAL))
    from .safeio import loads_object, read_bytes, read_text

    digest = hashlib.sha256(read_bytes(path, MAX_DOCUMENTS_BYTES, "a gold documents file")).hexdigest()
    meta_path = root / "data" / "meta.json"
    version = "unknown"
    if meta_path.is_file():
        version = loads_object(read_text(meta_path, MAX_META_BYTES, "the gold's meta.json"), str(meta_path)).get("version")
        if not isinstance(version, str):
            raise IsnadError("no version string", file=str(meta_path), field="version")
    return Gold(documents=_parse(str(path), digest), version=version, sha256=digest, path=root)


def load_gold(directory: str | Path | None = None) -> Gold:
    """The gold read straight from its JSONL files (never from a datasets cache, so an
    edited file is never served stale). Defaults to the bundled gold.

    >>> load_gold().documents[0].id
    '000_017b6ea0ad0b3e21'
    """
    root = Path(directory) if directory is not None else bundled_gold_dir()
    return _load(root.resolve())
