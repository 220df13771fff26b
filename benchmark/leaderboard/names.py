"""Names on the leaderboard: which characters a name or an author may hold, and when two
names read alike (so that no entry can pass for another, or for a baseline).

Two names read alike when their keys meet: NFKC folding, case folding and the confusable
skeleton of Unicode TS #39 (each character replaced by the prototype it is confusable with,
from the Unicode confusables table that ``confusable_homoglyphs`` ships), with every run of
spaces and punctuation read as one separator. ``сue‐rules`` (Cyrillic с, U+2010 hyphen),
``Cue-Rules`` and ``cue rules`` all meet ``cue-rules``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

BASELINE_WORD = "baseline"  # reserved: only the project's baselines are marked "(baseline)"
MAX_AUTHORS = 50
MAX_AUTHOR = 100
# never in a name: control, format (bidi overrides, zero-width), private-use, surrogate and
# unassigned characters, and line or paragraph separators
_FORBIDDEN = frozenset(("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"))
_SEPARATORS = re.compile(r"[\W_]+")


def text_problem(value: str, *, newlines: bool = False) -> str | None:
    """Why ``value`` cannot be shown as submitted text (None when it can)."""
    for c in value:
        if c == "\n" and newlines:
            continue
        if 0xDC80 <= ord(c) <= 0xDCFF:  # how Python passes on a command-line byte that is not UTF-8
            return f"holds the byte 0x{ord(c) - 0xDC00:02X}, which is not UTF-8 text"
        if unicodedata.category(c) in _FORBIDDEN:
            return f"contains control or invisible characters (U+{ord(c):04X})"
    return None


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """Character → its confusable prototype. The package's table lists each confusable with
    its prototype, and each prototype with all its confusables; a pair that lists only each
    other gets the smaller of the two as its shared prototype."""
    from confusable_homoglyphs import confusables

    def clean(s: str) -> str:
        return s.replace("\u200e", "")  # the table wraps right-to-left characters in LRMs

    table = {clean(k): [clean(h["c"]) for h in v] for k, v in confusables.confusables_data.items()}
    out = {}
    for char, glyphs in table.items():
        if len(char) != 1 or len(glyphs) != 1 or glyphs[0] == char:
            continue
        proto = glyphs[0]
        if table.get(proto) == [char] and len(proto) == 1:
            proto = min(char, proto)
        if proto != char:
            out[char] = proto
    for _ in range(3):  # make the map idempotent where a prototype is itself mapped
        out = {c: "".join(out.get(x, x) for x in p) for c, p in out.items()}
    return out


def skeleton(text: str) -> str:
    """The TS #39 skeleton of ``text``: NFD, each character to its prototype, NFD."""
    table = _prototypes()
    nfd = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(table.get(c, c) for c in nfd))


def keys(name: str) -> tuple[str, str]:
    """What two names must not share: the skeleton of the case-folded name, and the skeleton
    of the name as written (``l`` and ``I`` meet only there), separators squashed."""
    n = unicodedata.normalize("NFKC", name)
    folded = skeleton(unicodedata.normalize("NFKC", n.casefold()))

    def squash(s: str) -> str:
        return _SEPARATORS.sub(" ", s).strip()

    return squash(folded.casefold()), squash(skeleton(n))


def reads_like(a: str, b: str) -> bool:
    """Whether two names could be taken one for the other."""
    ka, kb = keys(a), keys(b)
    return ka[0] == kb[0] or ka[1] == kb[1]


def uses_reserved_word(name: str) -> bool:
    """Whether ``name`` holds the word "baseline" in any spelling that reads like it."""
    return keys(BASELINE_WORD)[0] in keys(name)[0].replace(" ", "")


def first_alike(name: str, others: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """The first ``(slug, name)`` of ``others`` whose name reads like ``name``."""
    for slug, other in others:
        if reads_like(name, other):
            return slug, other
    return None
