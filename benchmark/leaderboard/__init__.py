"""The leaderboard: submissions in, generated tables and page out, never a typed-in number."""

from .board import build, build_outputs, check, submit, submit_many
from .submission import SubmissionMeta, slugify

__all__ = ["SubmissionMeta", "build", "build_outputs", "check", "slugify", "submit", "submit_many"]
