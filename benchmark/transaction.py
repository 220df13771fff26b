"""All-or-nothing writing of a set of files, one writer at a time.

:func:`commit` stages every new file in a journal folder, commits the change with one atomic
rename (of the journal's plan), then moves each staged file into place with an atomic rename.
Before the commit nothing has changed; from the commit on, the change is decided, and any
writer that finds the journal (:func:`recover`, run first under the lock) finishes it. No
file is ever missing or half-written: each is its old or its new version, and after the
recovery all of them are the new ones. :func:`pending` lets a check report a journal left
by a run that was stopped.

:func:`lock` keeps writers apart: an exclusive ``flock`` on a lock file that exists only
while it is held (a crashed holder leaves the file, which the next holder takes over).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import time
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Iterator

from .errors import IsnadError

JOURNAL = ".transaction"
PLAN = "plan.json"
LOCK = ".lock"
LOCK_TIMEOUT = 120.0  # seconds a writer waits for another one to finish
_POLL = 0.05


# --- the lock ----------------------------------------------------------------------------


def _try_lock(path: Path) -> int | None:
    """An fd holding the exclusive lock on the lock file now at ``path``, or None if taken."""
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return None
        raise
    try:
        now = os.lstat(path)
    except FileNotFoundError:
        now = None
    held = os.fstat(fd)
    if now is None or (now.st_dev, now.st_ino) != (held.st_dev, held.st_ino):
        os.close(fd)  # its holder removed it on release: lock the file now at the path
        return -1
    return fd


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii", errors="replace").strip()[:20]
    except OSError:
        pid = ""
    return f" (process {pid})" if pid.isdigit() else ""


@contextmanager
def lock(folder: Path, what: str, timeout: float | None = None) -> Iterator[None]:
    """Hold ``folder/.lock`` exclusively for the block (``folder`` is created if missing,
    and removed again if it is left empty). Waits up to ``timeout`` seconds
    (:data:`LOCK_TIMEOUT`) for another holder, then refuses with an IsnadError."""
    timeout = LOCK_TIMEOUT if timeout is None else timeout
    created = not folder.exists()
    if folder.is_symlink():
        raise IsnadError("a symbolic link: refusing to write through it", file=str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK
    deadline = time.monotonic() + timeout
    fd = None
    try:
        while True:
            fd = _try_lock(path)
            if fd is not None and fd >= 0:
                break
            fd = None
            if time.monotonic() >= deadline:
                raise IsnadError(f"another isnad command is writing {what}{_holder(path)}; waited {timeout:g} s, "
                                 "try again when it has finished", file=str(path))
            time.sleep(_POLL)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        yield
    finally:
        if fd is not None:
            try:
                os.unlink(path)  # while still held: a waiter that locked this file sees it gone
            finally:
                os.close(fd)
        if created:
            try:
                folder.rmdir()
            except OSError:
                pass  # not empty: something was written


def is_locked(folder: Path) -> bool:
    """Whether a live process holds ``folder/.lock`` now (a left-over file is not a lock)."""
    import fcntl

    path = folder / LOCK
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


# --- paths ---------------------------------------------------------------------------------


def _relative(rel: str, allowed: tuple[str, ...]) -> PurePosixPath:
    """``rel`` as a path inside one of the ``allowed`` prefixes (a plan read back from disk
    is input like any other: it may not name a path outside them)."""
    p = PurePosixPath(rel)
    if p.is_absolute() or not p.parts or any(part in ("", ".", "..") for part in p.parts) or "\\" in rel \
            or not any(rel == a or rel.startswith(a.rstrip("/") + "/") for a in allowed):
        raise IsnadError(f"path {rel!r} is outside what this change may write")
    return p


def guard(root: Path, rel: PurePosixPath | str) -> Path:
    """``root/rel``, refusing a symbolic link at any step below ``root`` and a target that is
    not a regular file (writes never go through a link, nor replace a folder or a pipe)."""
    path = root
    parts = PurePosixPath(rel).parts
    for i, part in enumerate(parts):
        path = path / part
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            break
        if stat.S_ISLNK(info.st_mode):
            raise IsnadError("a symbolic link: refusing to write through it", file=str(path))
        last = i == len(parts) - 1
        if last and not stat.S_ISREG(info.st_mode):
            raise IsnadError("not a regular file: refusing to replace it", file=str(path))
        if not last and not stat.S_ISDIR(info.st_mode):
            raise IsnadError("not a folder", file=str(path))
    return root.joinpath(*parts)


def differs(path: Path, data: bytes) -> bool:
    """Whether the file at ``path`` is not exactly ``data`` (sizes are compared first: a
    committed file is read only when it could be equal, and never through a link)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return True
    if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
        return True
    from .safeio import read_bytes

    return read_bytes(path, len(data), "a generated file", follow_symlinks=False) != data


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def check_target(path: Path) -> None:
    """Refuse to write the file ``path`` into a missing folder, or in place of a folder, a
    link or anything but a regular file (checked by :func:`write_file`, and by a command
    before its long work)."""
    if not path.parent.is_dir():
        raise IsnadError(f"no such folder {str(path.parent)!r} to write into", file=str(path))
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        what = "a folder" if stat.S_ISDIR(info.st_mode) else "a symbolic link" if stat.S_ISLNK(info.st_mode) else \
            "not a regular file"
        raise IsnadError(f"{what}: refusing to replace it (name the file to write)", file=str(path))


def write_file(path: Path, data: bytes) -> None:
    """Write the one file ``path`` whole or not at all: the bytes go to a new file beside it,
    which one atomic rename puts in place (and which is removed when anything fails);
    :func:`check_target` first."""
    import secrets

    check_target(path)
    tmp = path.parent / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        _write_new(tmp, data)
        os.replace(tmp, path)
    except OSError as exc:
        raise IsnadError(f"cannot write: {exc.strerror or exc}", file=str(path)) from None
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


# --- the transaction -----------------------------------------------------------------------


def _apply(root: Path, journal: Path, plan: list[dict]) -> None:
    touched = set()
    for op in plan:
        target = guard(root, op["path"])
        if "staged" in op:
            src = journal / op["staged"]
            if src.is_file() and not src.is_symlink():
                target.parent.mkdir(parents=True, exist_ok=True)
                guard(root, op["path"])  # the folders just made are folders
                os.replace(src, target)
                touched.add(target.parent)
            elif not target.is_file():
                raise IsnadError(f"the journal's staged {op['staged']} for {op['path']} is missing",
                                 file=str(journal / PLAN))
        elif target.exists():
            os.unlink(target)
            touched.add(target.parent)
    for folder in sorted(touched):
        _fsync_dir(folder)
    os.unlink(journal / PLAN)
    shutil.rmtree(journal)


def commit(root: Path, journal: Path, changes: dict[str, bytes | None], allowed: tuple[str, ...]) -> None:
    """Write ``changes`` (path relative to ``root`` → new bytes, or None to delete) all or
    nothing through the journal folder ``journal``. Hold the lock, and :func:`recover` first."""
    if not changes:
        return
    plan: list[dict] = []
    for rel in changes:
        guard(root, _relative(rel, allowed))
        parent = root / PurePosixPath(rel).parent
        while not parent.exists():
            parent = parent.parent
        if not os.access(parent, os.W_OK | os.X_OK):
            raise IsnadError("cannot write here (permission denied)", file=str(parent))
    if journal.is_symlink() or journal.exists():
        raise IsnadError("a journal is in the way (run the command again to finish or clear it)", file=str(journal))
    journal.mkdir(parents=True)
    committed = False
    try:
        for n, (rel, data) in enumerate(changes.items()):
            if data is None:
                plan.append({"path": rel})
                continue
            name = f"{n:05d}"
            _write_new(journal / name, data)
            plan.append({"path": rel, "staged": name})
        _write_new(journal / f"{PLAN}.tmp", json.dumps(plan, ensure_ascii=False).encode("utf-8"))
        os.replace(journal / f"{PLAN}.tmp", journal / PLAN)  # the commit
        committed = True
        _fsync_dir(journal)
    except BaseException:
        if not committed:
            shutil.rmtree(journal, ignore_errors=True)
        raise
    _apply(root, journal, plan)


def pending(journal: Path) -> str | None:
    """What an interrupted run left in ``journal`` (None when there is nothing)."""
    if not journal.exists() and not journal.is_symlink():
        return None
    if (journal / PLAN).is_file():
        return "a committed change that a stopped run did not finish (the next build finishes it)"
    return "the staged files of a run stopped before it committed (the next build removes them)"


def recover(root: Path, journal: Path, allowed: tuple[str, ...]) -> str | None:
    """Finish (when committed) or remove (when not) what an interrupted run left in
    ``journal``; returns what was done, or None. Hold the lock."""
    from .safeio import loads, read_bytes

    if journal.is_symlink() or (journal.exists() and not journal.is_dir()):
        raise IsnadError("not a journal folder (a link or a file): remove it", file=str(journal))
    if not journal.exists():
        return None
    plan_path = journal / PLAN
    if not plan_path.is_file():
        shutil.rmtree(journal)
        return f"removed what a stopped run had staged in {journal.name}"
    try:
        plan = loads(read_bytes(plan_path, 1 << 20, "a journal plan", follow_symlinks=False).decode("utf-8"))
        ok = isinstance(plan, list) and all(
            isinstance(op, dict) and isinstance(op.get("path"), str) and set(op) <= {"path", "staged"}
            and (("staged" not in op) or (isinstance(op["staged"], str) and op["staged"].isdigit())) for op in plan)
    except (ValueError, RecursionError):
        ok = False
    if not ok:
        raise IsnadError("unreadable journal plan: remove the folder and rebuild", file=str(plan_path))
    for op in plan:
        _relative(op["path"], allowed)
    _apply(root, journal, plan)
    return f"finished the change a stopped run had committed in {journal.name}"
