"""A submission: its metadata file, its slug, and the checks its predictions file must pass first."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from enum import Enum
from pathlib import Path

from pydantic import Field, ValidationError, field_validator

from ..errors import IsnadError
from ..schema import Model
from ..yamlsafe import dotted, line_of, load_yaml
from .names import MAX_AUTHOR, MAX_AUTHORS, text_problem

SUBMISSIONS = "leaderboard/submissions"
META_FILE = "submission.yaml"
PREDICTIONS_FILE = "predictions.jsonl"
MAX_META_BYTES = 64 * 1024  # a submission.yaml: a few hundred bytes in practice
MAX_SLUG = 64
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Track(str, Enum):
    """Which task a submission solves."""

    end_to_end = "end-to-end"  # find the quotes, then attribute them
    gold_quotes = "gold-quotes"  # attribute the gold quote spans given to the system


class SubmissionMeta(Model):
    """``submission.yaml``: who made the predictions, and how to find out more."""

    name: str = Field(min_length=1, max_length=100)
    authors: list[str] = Field(default=[], max_length=MAX_AUTHORS)
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

    @field_validator("name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        problem = text_problem(value) or (None if value.strip() else "is blank")
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("description")
    @classmethod
    def _printable(cls, value: str) -> str:
        problem = text_problem(value, newlines=True)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("authors")
    @classmethod
    def _authors(cls, value: list[str]) -> list[str]:
        # the name's character rules, one line each, a bounded length
        for i, author in enumerate(value):
            problem = text_problem(author) or (None if author.strip() else "is blank") or (
                f"is {len(author)} characters long, over the limit of {MAX_AUTHOR}" if len(author) > MAX_AUTHOR else None)
            if problem:
                raise ValueError(f"author {i + 1} {problem}")
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
    if not slug or not SLUG.match(slug):
        raise IsnadError(f"the name {name!r} gives no slug: use Latin letters or digits in it", field="name")
    return slug


def submission_dir(root: Path, slug: str) -> Path:
    """``leaderboard/submissions/<slug>``, refusing any slug that could leave that folder."""
    if not SLUG.match(slug):
        raise IsnadError(f"invalid slug {slug!r}", field="slug")
    base = (root / SUBMISSIONS).resolve()
    path = (base / slug).resolve()
    if path.parent != base:
        raise IsnadError(f"slug {slug!r} leaves {SUBMISSIONS}", field="slug")
    return path


def read_meta(path: Path) -> SubmissionMeta:
    """Parse ``submission.yaml`` (safe YAML, unknown fields refused; a link, a file that is
    not regular and one over :data:`MAX_META_BYTES` are refused before reading)."""
    data, lines = load_yaml(path, MAX_META_BYTES, "a submission.yaml", follow_symlinks=False)
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
    """Refuse a predictions file that is not a regular file or is over the size bound,
    before it is opened (as `validate` and `score` refuse it)."""
    from .. import predictions
    from ..safeio import check_file

    check_file(path, predictions.MAX_FILE_BYTES, predictions.WHAT)
