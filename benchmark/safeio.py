"""Checked, bounded reading of input files: a regular file under a size limit, then its bytes.

Every file a command reads goes through :func:`read_bytes` (or :func:`read_text`): the path
is checked before it is opened (a pipe would block the open, a device never ends, a folder
is no file), its size is refused over the caller's limit, and at most one byte past the limit
is read, so a file that grows while it is read is refused too. JSON text is parsed by
:func:`loads` (duplicate keys, NaN and non-object lines refused), the one JSON reader of
input files; a JSON Lines file is read by :func:`read_jsonl`.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from .errors import IsnadError

_KIND = {stat.S_IFIFO: "a pipe", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFDIR: "a folder",
         stat.S_IFSOCK: "a socket", stat.S_IFLNK: "a symbolic link"}


def _kind(mode: int) -> str:
    return _KIND.get(stat.S_IFMT(mode), "not a regular file")


def size_limit_text(limit: int) -> str:
    """``67108864-byte (64 MB)``: a limit as the messages give it."""
    mb = limit / (1 << 20)
    return f"{limit}-byte ({mb:g} MB)" if mb >= 1 and mb == int(mb) else f"{limit}-byte"


def check_file(path: Path, limit: int, what: str, *, follow_symlinks: bool = True) -> os.stat_result:
    """Refuse ``path`` unless it is a regular file of at most ``limit`` bytes (nothing is
    opened); ``follow_symlinks=False`` refuses a symbolic link too."""
    try:
        info = os.stat(path, follow_symlinks=follow_symlinks)
    except OSError as exc:
        raise IsnadError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    if not stat.S_ISREG(info.st_mode):
        raise IsnadError(f"{_kind(info.st_mode)}, not a regular file: {what} is read from a regular file",
                         file=str(path))
    if info.st_size > limit:
        raise IsnadError(f"{info.st_size} bytes is over the {size_limit_text(limit)} limit for {what}",
                         file=str(path))
    return info


def read_bytes(path: Path, limit: int, what: str, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of the regular file ``path``, refused (IsnadError naming the file) when it
    is anything else or over ``limit`` bytes."""
    before = check_file(path, limit, what, follow_symlinks=follow_symlinks)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        # non-blocking: a pipe put in the file's place after the check cannot hang the open
        fd = os.open(path, flags)
    except OSError as exc:
        raise IsnadError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != (before.st_dev, before.st_ino):
            raise IsnadError("changed while it was being read", file=str(path))
        os.set_blocking(fd, True)
        chunks, got = [], 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as exc:
        raise IsnadError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    finally:
        os.close(fd)
    if got > limit:
        raise IsnadError(f"grew over the {size_limit_text(limit)} limit for {what} while it was being read",
                         file=str(path))
    return b"".join(chunks)


def decode(data: bytes, path: Path | str, what: str) -> str:
    """UTF-8 text (a leading byte order mark dropped); invalid UTF-8 is refused naming its line."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise IsnadError(f"invalid UTF-8 at byte {column} of the line ({what} is UTF-8 text)",
                         file=str(path), line=line) from None


def read_text(path: Path, limit: int, what: str, *, follow_symlinks: bool = True) -> str:
    """:func:`read_bytes`, decoded as UTF-8."""
    return decode(read_bytes(path, limit, what, follow_symlinks=follow_symlinks), path, what)


class DuplicateKey(ValueError):
    """A JSON object names the same key twice."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(f"duplicate key {json.dumps(key, ensure_ascii=False)[:80]} in an object")
            seen.add(key)
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads(text: str) -> Any:
    """``json.loads`` that refuses what the standard does not define or a reader could take
    two ways: a key given twice in one object (json keeps the last one silently), and
    ``NaN``/``Infinity``. Raises ``ValueError`` (``json.JSONDecodeError`` for syntax,
    :class:`DuplicateKey`), or ``RecursionError`` for nesting too deep."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def loads_object(text: str, file: str, line: int | None = None, *, hint: str = "") -> dict[str, Any]:
    """One JSON object (a line of a JSON Lines file, or a whole JSON file); anything else,
    ``null`` included, is an IsnadError naming the file and line (``hint`` ends the message
    of a value that is no object)."""
    try:
        value = loads(text)
    except json.JSONDecodeError as exc:
        raise IsnadError(f"bad JSON: {exc.msg} (column {exc.colno})", file=file, line=line) from None
    except RecursionError:
        raise IsnadError("bad JSON: nested too deeply", file=file, line=line) from None
    except ValueError as exc:  # a duplicate key, NaN, an integer of too many digits
        raise IsnadError(f"bad JSON: {str(exc)[:200]}", file=file, line=line) from None
    if not isinstance(value, dict):
        got = "null" if value is None else type(value).__name__
        raise IsnadError(f"expected a JSON object, got {got}{hint}", file=file, line=line)
    return value


def jsonl_objects(data: bytes, file: str, what: str, line_limit: int) -> list[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` of each line of JSON Lines ``data``: UTF-8 (a leading byte
    order mark skipped), LF or CRLF line ends, blank lines skipped (and still counted). A line
    over ``line_limit`` bytes, one that is not UTF-8, holds a NUL byte or is not one JSON
    object (``null`` and arrays included) is an IsnadError naming ``file`` and its line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IsnadError(f"UTF-16 text: {what} is UTF-8", file=file)
    data = data.removeprefix(b"\xef\xbb\xbf")
    out = []
    for n, raw in enumerate(data.split(b"\n"), 1):
        if len(raw) > line_limit:
            raise IsnadError(f"a line of {len(raw)} bytes is over the {line_limit}-byte limit for one line",
                             file=file, line=n)
        try:
            text = raw.decode("utf-8").removesuffix("\r")
        except UnicodeDecodeError as exc:
            raise IsnadError(f"invalid UTF-8 at byte {exc.start + 1} of the line ({what} is UTF-8)",
                             file=file, line=n) from None
        if not text.strip():
            continue
        if "\0" in text:
            raise IsnadError(f"NUL byte at column {text.index(chr(0)) + 1} ({what} is UTF-8 JSON text)",
                             file=file, line=n)
        # a line that parses and starts with "[" is an array
        array = " (JSONL: one object a line, not an array)" if text.lstrip().startswith("[") else ""
        try:
            obj = loads_object(text, file, n, hint=array)
        except IsnadError as exc:
            if text.strip() in ("[", "{"):  # a pretty-printed file
                raise IsnadError(f"{exc.message} (JSONL: one whole JSON object a line)", file=file, line=n) from None
            raise
        out.append((n, obj))
    return out


def read_jsonl(path: Path, limit: int, what: str, *, line_limit: int,
               follow_symlinks: bool = True) -> list[tuple[int, dict[str, Any]]]:
    """:func:`read_bytes`, then :func:`jsonl_objects`: the checked objects of a JSON Lines file."""
    data = read_bytes(path, limit, what, follow_symlinks=follow_symlinks)
    return jsonl_objects(data, str(path), what, line_limit)
