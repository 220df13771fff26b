"""Text anchors: how the gold source names a span without typing offsets."""

from __future__ import annotations

from pydantic import Field

from .schema import Model
from .text import occurrences


class Anchor(Model):
    """A span named by its text, optionally a longer ``context`` holding it once, and
    optionally the 0-based ``occurrence`` of the context (or of the text) in the document."""

    text: str = Field(min_length=1)
    context: str | None = None
    occurrence: int | None = Field(default=None, ge=0)


def resolve(anchor: Anchor, text: str) -> tuple[int, int]:
    """Offsets ``(start, end)`` of the anchor in ``text``; ValueError saying why not.

    >>> resolve(Anchor(text="b", context="ab"), "b ab b")
    (3, 4)
    """
    outer = anchor.context if anchor.context is not None else anchor.text
    what = "context" if anchor.context is not None else "text"
    found = occurrences(text, outer)
    if not found:
        raise ValueError(f"{what} {outer!r} not found in the document")
    if anchor.occurrence is None:
        if len(found) > 1:
            raise ValueError(f"{what} {outer!r} occurs {len(found)} times; add a context or an occurrence")
        base = found[0]
    elif anchor.occurrence >= len(found):
        raise ValueError(f"occurrence {anchor.occurrence} of {what} {outer!r} asked, it occurs {len(found)} times")
    else:
        base = found[anchor.occurrence]
    if anchor.context is None:
        return base, base + len(anchor.text)
    inner = occurrences(anchor.context, anchor.text)
    if len(inner) != 1:
        raise ValueError(f"text {anchor.text!r} occurs {len(inner)} times in its context (needs exactly 1)")
    start = base + inner[0]
    return start, start + len(anchor.text)
