"""Loading the compiled gold: from the checkout, or from the installed package."""

from __future__ import annotations

import hashlib
import json
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


def read_documents(path: Path) -> list[Document]:
    """Parse a ``documents.jsonl`` file; IsnadError names the line and field."""
    docs = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise IsnadError(f"cannot read: {exc}", file=str(path)) from None
    for n, line in enumerate(lines, 1):
        try:
            docs.append(Document.model_validate_json(line))
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
    path = root / DOCUMENTS_FILE
    if not path.is_file():
        raise IsnadError("no compiled gold here (run `isnad gold build`)", file=str(path))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    meta_path = root / "data" / "meta.json"
    version = json.loads(meta_path.read_text(encoding="utf-8"))["version"] if meta_path.is_file() else "unknown"
    return Gold(documents=_parse(str(path), digest), version=version, sha256=digest, path=root)


def load_gold(directory: str | Path | None = None) -> Gold:
    """The gold read straight from its JSONL files (never from a datasets cache, so an
    edited file is never served stale). Defaults to the bundled gold.

    >>> load_gold().documents[0].id
    '000_017b6ea0ad0b3e21'
    """
    root = Path(directory) if directory is not None else bundled_gold_dir()
    return _load(root.resolve())
