"""Safe YAML reading that remembers the line of every item, for one-line error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import IsnadError

Path_ = tuple[str | int, ...]


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                _walk(value, path + (key.value,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), lines)


def load_yaml(path: Path) -> tuple[Any, dict[Path_, int]]:
    """Parse ``path`` with the safe loader (no tags that build objects) and return the
    data with a map from item path (keys and list indices) to its 1-based line."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IsnadError(f"cannot read: {exc}", file=str(path)) from None
    try:
        loader = yaml.SafeLoader(raw)  # one parse: the node tree, then the data built from it
        try:
            node = loader.get_single_node()
            lines: dict[Path_, int] = {}
            if node is not None:
                _walk(node, (), lines)  # before constructing: merge keys rewrite the tree
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise IsnadError(f"invalid YAML: {problem}", file=str(path), line=line) from None
    return data, lines


def line_of(lines: dict[Path_, int], path: Path_) -> int | None:
    """Line of the deepest known ancestor of ``path``."""
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return None


def dotted(path: Path_) -> str:
    """``('quotes', 3, 'cue')`` → ``quotes[3].cue``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
