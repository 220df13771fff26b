"""The rich console that the command line prints its tables through."""

from __future__ import annotations

import sys
from typing import IO, Any

# Wide enough for any table: off a terminal nothing is wrapped, so each line written (a
# signature, a table row) is one line of the file, whatever $COLUMNS or $FORCE_COLOR say.
UNWRAPPED = 10_000


def console(file: IO[str] | None = None) -> Any:
    """A ``rich.console.Console`` that wraps tables to the width of a terminal, and nothing
    when the output is a pipe or a file. Long text lines are never split by rich itself
    (``soft_wrap``): a terminal folds them for display, and a copy of them stays one line."""
    from rich.console import Console

    stream = file or sys.stdout
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        terminal = False
    # no highlighting: it would colour the digits of a signature at a terminal
    return Console(file=file, soft_wrap=True, highlight=False, width=None if terminal else UNWRAPPED)
