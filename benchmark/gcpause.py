"""Cyclic garbage collection paused around bulk allocation of small acyclic objects."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def gc_paused() -> Iterator[None]:
    """Automatic cyclic collection off inside the block, restored as it was after it.

    Reading, scoring and tokenizing allocate hundreds of thousands of records that reference
    counting frees anyway; each collection they would trigger traverses the whole heap (a
    large gold's models included), which made big inputs slow and superlinear."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
