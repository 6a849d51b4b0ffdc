"""Places for requests in flight: at most a few requests to one LOX24 server are on the wire at
once, from every lox24tui process on this machine together.

Why a shared cap: when a key is revoked, every request already on its way is refused, and LOX24
blocks the IP after the third refusal within a minute. Each process caps its own requests (its
``concurrency``), but two commands, or a dashboard and a command, would each burst up to theirs
at the moment of revocation. Only a cap the processes share keeps that at three.

How: one lock file per place and server, in a folder beside the guard file. A request holds a
place (an exclusive ``flock``, only ever tried, never waited for) from before it is admitted
until its answer is in. The kernel lets go of the locks of a process that ends, however it ends,
so a killed process never keeps a place. A stopped one does: the guard waits for a place as long
as a request may take, then says whose the places are (each holder writes its pid into the file).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import weakref
from pathlib import Path
from typing import BinaryIO, Final

from lox24tui.state.files import StateFault, cannot_use

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no shared cap, each process keeps its own
    fcntl = None  # type: ignore[assignment]

PLACES_FOLDER: Final = "requests-in-flight"
"""The folder of the places' lock files, beside the guard file."""
WHAT: Final = "the places for requests in flight"


class PlacesTaken(StateFault):
    """Every place has been taken for longer than any request may take: its holder is stopped or
    stuck (a process that ended would have let go)."""

    def __init__(self, folder: Path, count: int, holders: list[int], waited: float) -> None:
        if holders:
            by = "process" + ("es " if len(holders) > 1 else " ") + ", ".join(map(str, holders))
        else:
            by = "other processes"
        super().__init__(
            f"all {count} places for requests to LOX24 have been taken for more than "
            f"{waited:g} s by {by} (another lox24tui, perhaps stopped or stuck; their lock files "
            f"are in {folder})",
            folder,
        )
        self.holders = holders


class SharedPlaces:
    """``count`` places for requests to one server, shared by every process that uses the same
    folder. Two instances in one process compete like two processes (each opens its own files)."""

    def __init__(self, folder: Path, server: str, count: int) -> None:
        self.folder = folder
        self.count = count
        self._stem = hashlib.sha256(server.encode("utf-8")).hexdigest()[:16]
        self._files: dict[int, BinaryIO] = {}
        """Each place's lock file, opened once and kept open (a lock lives on an open file)."""
        self._closing = contextlib.ExitStack()
        """Closes every file opened, once these places are no longer used."""
        weakref.finalize(self, self._closing.close)
        self._mine: set[int] = set()

    def path(self, place: int) -> Path:
        return self.folder / f"{self._stem}-{place}.lock"

    def take(self) -> int | None:
        """A free place, now held by this instance; None when every place is taken. Raises
        :class:`StateFault` when the lock files cannot be made or used: then no request can
        be counted, and none may go out."""
        for place in range(self.count):
            if place in self._mine:
                continue
            if self._try(place):
                self._mine.add(place)
                return place
        return None

    def free(self, place: int) -> None:
        if place not in self._mine:
            return
        self._mine.discard(place)
        handle = self._files.get(place)
        if handle is None or fcntl is None:
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_UN)
        except OSError:  # closing the file lets go of the lock as well
            self._forget(place)

    def in_use(self) -> int:
        """How many places are held now, by this instance and by others (each other place is
        tried and let go at once)."""
        held = len(self._mine)
        for place in range(self.count):
            if place not in self._mine and not self._free_now(place):
                held += 1
        return held

    def _free_now(self, place: int) -> bool:
        if fcntl is None:
            return True
        try:
            handle = self._open(place)
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError:  # cannot be kept: taking a place says so
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True

    def holders(self) -> list[int]:
        """The pids of the processes that hold the places this instance does not."""
        pids: set[int] = set()
        for place in range(self.count):
            if place in self._mine:
                continue
            with contextlib.suppress(OSError, ValueError):
                pids.add(int(self.path(place).read_bytes().strip() or b"-"))
        return sorted(pids)

    def taken(self, waited: float) -> PlacesTaken:
        return PlacesTaken(self.folder, self.count, self.holders(), waited)

    def _try(self, place: int) -> bool:
        if fcntl is None:
            return True
        for _ in range(2):  # a second time when the file was deleted or replaced meanwhile
            handle = self._open(place)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            except OSError as error:
                self._forget(place)
                raise cannot_use(WHAT, self.path(place), error) from None
            if self._still_there(place, handle):
                with contextlib.suppress(OSError):  # the pid is a courtesy, for the words
                    os.pwrite(handle.fileno(), f"{os.getpid():>10}\n".encode("ascii"), 0)
                return True
            self._forget(place)  # a lock on a file no one else opens: take the new one
        return False

    def _open(self, place: int) -> BinaryIO:
        handle = self._files.get(place)
        if handle is not None:
            return handle
        path = self.path(place)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = open(path, "a+b", buffering=0)  # noqa: SIM115 - kept open on purpose
        except OSError as error:
            raise cannot_use(WHAT, path, error) from None
        self._files[place] = handle
        self._closing.callback(handle.close)
        return handle

    def _still_there(self, place: int, handle: BinaryIO) -> bool:
        try:
            on_disk = os.stat(self.path(place))
        except OSError:
            return False
        held = os.fstat(handle.fileno())
        return (on_disk.st_dev, on_disk.st_ino) == (held.st_dev, held.st_ino)

    def _forget(self, place: int) -> None:
        handle = self._files.pop(place, None)
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.close()
