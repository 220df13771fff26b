"""Safe YAML reading that remembers the line of every item, for one-line error messages.

The project's YAML files are plain data, so what plain data does not need is refused before
anything is built from it: tags that construct objects (the safe loader), anchors and
aliases (a few hundred bytes of nested aliases expand to gigabytes), merge keys, a key given
twice in one mapping (the last one would win silently), and integers too long to be a count
or an offset (Python refuses to convert them past 4,300 digits, with a traceback).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from .errors import IsnadError

Path_ = tuple[str | int, ...]
MAX_YAML_BYTES = 4 * 1024 * 1024  # a gold source is a few hundred kilobytes
MAX_INTEGER_DIGITS = 18  # any count, offset or occurrence fits; a longer one is a mistake


class _Loader(yaml.SafeLoader):
    """The safe loader without anchors, aliases, merge keys, duplicate keys or huge integers."""

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ConstructorError(None, None, f"alias *{event.anchor} (anchors and aliases are not allowed)",
                                   event.start_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise ConstructorError(None, None, f"anchor &{event.anchor} (anchors and aliases are not allowed)",
                                   event.start_mark)
        return super().compose_node(parent, index)

    def flatten_mapping(self, node):  # noqa: ANN001
        for key, _ in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                raise ConstructorError(None, None, "merge key << (not allowed)", key.start_mark)

    def construct_mapping(self, node, deep=False):  # noqa: ANN001
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                raise ConstructorError(None, None, "a mapping key that is not a plain value", key_node.start_mark)
            if duplicate:
                raise ConstructorError(None, None, f"duplicate key {str(key)[:60]!r} "
                                       f"(first given on line {seen[key].start_mark.line + 1})", key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):  # noqa: ANN001
        digits = len(str(node.value).lstrip("+-").replace("_", ""))
        if digits > MAX_INTEGER_DIGITS:
            raise ConstructorError(None, None, f"an integer of {digits} digits (at most {MAX_INTEGER_DIGITS})",
                                   node.start_mark)
        return super().construct_yaml_int(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                _walk(value, path + (key.value,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), lines)


def load_yaml(path: Path, limit: int = MAX_YAML_BYTES, what: str = "a YAML file", *,
              follow_symlinks: bool = True) -> tuple[Any, dict[Path_, int]]:
    """Parse ``path`` (a regular UTF-8 file of at most ``limit`` bytes) and return the data
    with a map from item path (keys and list indices) to its 1-based line."""
    from .safeio import read_text

    raw = read_text(path, limit, what, follow_symlinks=follow_symlinks)
    try:
        loader = _Loader(raw)  # one parse: the node tree, then the data built from it
        try:
            node = loader.get_single_node()
            lines: dict[Path_, int] = {}
            if node is not None:
                _walk(node, (), lines)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise IsnadError(f"invalid YAML: {problem}", file=str(path), line=line) from None
    except RecursionError:
        raise IsnadError("invalid YAML: nested too deeply", file=str(path)) from None
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
