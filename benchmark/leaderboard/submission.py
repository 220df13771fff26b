"""A submission: its metadata file, its slug, and the limits a predictions file must keep."""

from __future__ import annotations

import datetime as _dt
import re
import stat
import unicodedata
from enum import Enum
from pathlib import Path

from pydantic import Field, ValidationError, field_validator

from ..errors import IsnadError
from ..schema import Model
from ..yamlsafe import dotted, line_of, load_yaml

SUBMISSIONS = "leaderboard/submissions"
META_FILE = "submission.yaml"
PREDICTIONS_FILE = "predictions.jsonl"
MAX_PREDICTIONS_BYTES = 20 * 1024 * 1024
MAX_SLUG = 64
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Track(str, Enum):
    """Which task a submission solves."""

    end_to_end = "end-to-end"  # find the quotes, then attribute them
    gold_quotes = "gold-quotes"  # attribute the gold quote spans given to the system


class SubmissionMeta(Model):
    """``submission.yaml``: who made the predictions, and how to find out more."""

    name: str = Field(min_length=1, max_length=100)
    authors: list[str] = []
    url: str | None = None
    paper: str | None = None
    description: str = Field(default="", max_length=2000)
    track: Track = Track.end_to_end
    date: _dt.date
    baseline: bool = False

    @field_validator("url", "paper")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        # only http(s): a javascript: or data: URL would run in the page
        if value is not None and not re.match(r"^https?://[^\s<>\"']+$", value):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("name", "description")
    @classmethod
    def _printable(cls, value: str) -> str:
        if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") and c not in "\n" for c in value):
            raise ValueError("contains control or invisible characters")
        return value


def slugify(name: str) -> str:
    """The submission's folder name: lower-case ASCII letters, digits and dashes.

    >>> slugify("Cue Rules (v2) — Ārabic!")
    'cue-rules-v2-arabic'
    >>> slugify("../../x")
    'x'
    """
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:MAX_SLUG].strip("-")
    if not slug or not _SLUG.match(slug):
        raise IsnadError(f"the name {name!r} gives no slug: use Latin letters or digits in it", field="name")
    return slug


def submission_dir(root: Path, slug: str) -> Path:
    """``leaderboard/submissions/<slug>``, refusing any slug that could leave that folder."""
    if not _SLUG.match(slug):
        raise IsnadError(f"invalid slug {slug!r}", field="slug")
    base = (root / SUBMISSIONS).resolve()
    path = (base / slug).resolve()
    if path.parent != base:
        raise IsnadError(f"slug {slug!r} leaves {SUBMISSIONS}", field="slug")
    return path


def read_meta(path: Path) -> SubmissionMeta:
    """Parse ``submission.yaml`` (safe YAML, unknown fields refused)."""
    data, lines = load_yaml(path)
    try:
        return SubmissionMeta.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise IsnadError(err["msg"], file=str(path), line=line_of(lines, loc), field=dotted(loc) or None) from None


def dump_meta(meta: SubmissionMeta) -> str:
    """``submission.yaml`` text, fields in a fixed order."""
    import yaml

    data = meta.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def check_size(path: Path) -> None:
    """Refuse a predictions file over the size bound before reading it."""
    try:
        info = path.stat()
    except OSError as exc:
        raise IsnadError(f"cannot read: {exc.strerror}", file=str(path)) from None
    if not stat.S_ISREG(info.st_mode):
        # a pipe or a device reports size 0 and could be endless: only regular files
        raise IsnadError("not a regular file (a pipe or device cannot be submitted)", file=str(path))
    size = info.st_size
    if size > MAX_PREDICTIONS_BYTES:
        raise IsnadError(f"{size} bytes is over the {MAX_PREDICTIONS_BYTES}-byte limit for a predictions file",
                         file=str(path))
