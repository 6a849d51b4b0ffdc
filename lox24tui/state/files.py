"""Writing files so that a crash or a kill never leaves half of one behind, so that two
processes writing the same file queue instead of racing, and so that a fault of the machine
(a full disk, a read-only folder, a lock held by a stopped process) is told in words.

The only place that turns an :class:`OSError` into words for people (:func:`os_reason`):
every front end shows these faults the same way, never with an errno number."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, TextIO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, atomic writes still hold
    fcntl = None  # type: ignore[assignment]

LOCK_WAIT: Final = 5.0
"""Seconds a command waits for a lock another lox24tui process holds before it gives up. A
lock is held for a few milliseconds (one read and one write), so a longer wait means the
holder is stopped or stuck."""
LOCK_RETRY: Final = 0.05
"""Seconds between two tries of a lock that is held."""

_REASONS: Final[dict[int, tuple[str, str]]] = {
    errno.ENOSPC: ("no space left on the device", "free some space"),
    errno.EDQUOT: ("the disk quota is used up", "free some space"),
    errno.EFBIG: ("the file would be too large", "free some space"),
    errno.EACCES: ("permission denied", "fix its permissions"),
    errno.EPERM: (
        "the operating system does not permit it, e.g. the file or its folder is immutable",
        "fix its permissions or attributes (chattr -i)",
    ),
    errno.EROFS: ("the file system is read-only", "mount it writable"),
    errno.EISDIR: ("a folder stands where the file should be", "move the folder away"),
    errno.ENOTDIR: ("a part of its path is a file, not a folder", "move that file away"),
    errno.EEXIST: ("a part of its path is a file, not a folder", "move that file away"),
    errno.ENOENT: ("its folder does not exist and cannot be made", "create the folder"),
    errno.EIO: ("the device reported an input/output error", "check the disk"),
    errno.EMFILE: ("too many files are open", "close some programs and try again"),
    errno.ENFILE: ("too many files are open", "close some programs and try again"),
    errno.ENAMETOOLONG: ("its name is too long", "choose a shorter folder"),
    errno.ELOOP: ("its path loops through symbolic links", "fix the links"),
}


def os_reason(error: OSError) -> tuple[str, str]:
    """What went wrong and what to do about it, in words (never an errno number)."""
    known = _REASONS.get(error.errno) if error.errno is not None else None
    if known is not None:
        return known
    words = (error.strerror or "the operating system refused it").lower()
    return words, "check the disk and the folder's permissions"


class StateFault(OSError):
    """A file lox24tui keeps its state in cannot be used. The message says which file, why
    and what to do; what it means for the request or change at hand, the caller adds. An
    :class:`OSError`, so that no handler of machine faults lets one through as a traceback."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path

    def __str__(self) -> str:
        return str(self.args[0])


class LockBusy(StateFault):
    """Another process holds the lock of a file, and did not let go in time."""

    def __init__(self, what: str, path: Path, holder: int | None) -> None:
        self.what = what
        self.lock = lock_path(path)
        self.holder = holder
        by = f"process {holder}" if holder is not None else "another process"
        super().__init__(
            f"{what} {path} is locked by {by} (another lox24tui, perhaps stopped or stuck; "
            f"its lock file is {self.lock})",
            path,
        )

    def waiting(self, seconds: float | None = None) -> str:
        """What is said while waiting (once): for how long at most, when that is known."""
        by = f"process {self.holder}" if self.holder is not None else "another process"
        most = "" if seconds is None else f" up to {seconds:g} s"
        return (
            f"waiting{most} for the lock on {self.what} {self.path}, held by {by} "
            f"(lock file {self.lock})"
        )


def cannot_use(what: str, path: Path, error: OSError, done: str = "written") -> StateFault:
    """The words for ``error`` met while using ``what`` at ``path`` ("the watch list"; ``done``
    says how: "written", "read", "moved aside"). A folder that is a file is named as such."""
    if isinstance(error, StateFault):
        return error
    blocker = not_a_folder(path.parent)
    if blocker is None and error.errno in (errno.ENOTDIR, errno.EEXIST) and error.filename:
        blocker = not_a_folder(Path(os.fsdecode(error.filename)))  # e.g. the copies' folder
    if blocker is not None:
        return StateFault(
            f"{what} {path} cannot be {done}: {blocker} is a file, not a folder; move it away, "
            "or point XDG_DATA_HOME / XDG_STATE_HOME at a folder",
            path,
        )
    why, todo = os_reason(error)
    return StateFault(f"{what} {path} cannot be {done} ({why}); {todo}", path)


def not_a_folder(folder: Path) -> Path | None:
    """The nearest of ``folder`` and its parents that exists but is not a folder, if any."""
    for candidate in (folder, *folder.parents):
        try:
            if candidate.is_dir():
                return None
            if candidate.exists():
                return candidate
        except OSError:
            return None
    return None


def lock_path(path: Path) -> Path:
    """The lock file beside ``path``: it holds the pid of the process that took it last."""
    return path.with_name(path.name + ".lock")


def lock_holder(path: Path) -> int | None:
    """The pid written into ``path``'s lock file by the process that took it last, if any."""
    try:
        text = lock_path(path).read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


@contextlib.contextmanager
def locked(
    path: Path,
    *,
    what: str = "the file",
    wait: float = LOCK_WAIT,
    waiting: Callable[[LockBusy], None] | None = None,
) -> Iterator[None]:
    """An exclusive lock on a file beside ``path`` (POSIX), held for the block. While another
    process holds it, tries again for ``wait`` seconds (0: once, never blocking), telling
    ``waiting`` once; then raises :class:`LockBusy`. A lock file that cannot be made raises
    :class:`StateFault`. The holder's pid is written into the lock file (flock does not tell)."""
    if fcntl is None:
        yield
        return
    lock = lock_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock, "a+", encoding="ascii")  # noqa: SIM115 - closed below, always
    except OSError as error:
        raise cannot_use(what, path, error) from None
    with handle:
        _take(handle, path, what, wait, waiting)
        try:
            with contextlib.suppress(OSError):  # the pid is a courtesy: a full disk may refuse it
                handle.truncate(0)
                handle.write(f"{os.getpid()}\n")
                handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _take(
    handle: TextIO,
    path: Path,
    what: str,
    wait: float,
    waiting: Callable[[LockBusy], None] | None,
) -> None:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            busy = LockBusy(what, path, lock_holder(path))
            if time.monotonic() >= deadline:
                raise busy from None
            if waiting is not None and not told:
                waiting(busy)
                told = True
            time.sleep(LOCK_RETRY)


def aside_name(path: Path, now: float) -> Path:
    """Where a damaged ``path`` is kept: beside it, named for when it was found
    (``watchlist.json.damaged-20251126T094000Z``), never over an earlier one."""
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    counter = 1
    while aside.exists():
        counter += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{counter}")
    return aside


def write_atomically(path: Path, text: str | bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``text`` so that a reader (or a crash) sees the old or the new file,
    never a mix: write a temporary file beside it, fsync, rename over, fsync the folder.
    Bytes are written as they are (a copy of a file that may not even be UTF-8)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def file_signature(path: Path) -> tuple[int, int, int] | None:
    """What changes whenever a file is written (inode, mtime, size): a cheap way to notice that
    another process wrote it; None when it is not there."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)
