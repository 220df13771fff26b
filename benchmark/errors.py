"""The project's one error type: bad input, reported as a single readable line."""

from __future__ import annotations


class IsnadError(Exception):
    """Invalid input. Rendered as ``FILE:LINE: FIELD: message``; the CLI exits with 2.

    >>> str(IsnadError("snippet not found", file="gold/source/x.yaml", line=12, field="entities[3].text"))
    'gold/source/x.yaml:12: entities[3].text: snippet not found'
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"
