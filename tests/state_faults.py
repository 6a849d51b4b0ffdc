"""Real faults of the machine for the state tests, made as root can make them: an immutable
folder or file (``chattr +i``: nothing is created, renamed or replaced there, even by root,
as on a read-only file system or a full disk), and a lock held by a stopped process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from lox24tui.state.files import LockBusy, locked

HOLDER = """
import os, signal, sys
from pathlib import Path
from lox24tui.state.files import locked

with locked(Path(sys.argv[1])):
    print("holding", flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)
"""
"""A lox24tui-like process that takes the lock of a file through lox24tui.state.files, says so on
stdout, and stops itself (SIGSTOP) with the lock held, as a suspended process would."""


PLACE_HOLDER = """
import os, signal, sys
from pathlib import Path
from lox24tui.account.guard import FileGuardState

state = FileGuardState(Path(sys.argv[1]), sys.argv[2])
places = [state.take_place() for _ in range(3)]
assert None not in places, places
print("holding", flush=True)
os.kill(os.getpid(), signal.SIGSTOP)
"""
"""A lox24tui-like process with three requests to ``sys.argv[2]`` on the wire (every place for a
request in flight taken), stopped (SIGSTOP) before any answer came."""


@contextmanager
def immutable(path: Path) -> Iterator[None]:
    """``path`` (a file or a folder) made immutable for the block. Skips where the file system
    or the container does not allow it."""
    if not path.exists():
        path.mkdir(parents=True)
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@contextmanager
def stopped_lock_holder(path: Path) -> Iterator[int]:
    """A real process that holds ``path``'s lock and is stopped; yields its pid. Killed after."""
    with stopped_process(HOLDER, str(path)) as pid:
        yield pid


@contextmanager
def stopped_place_holder(guard_file: Path, server: str) -> Iterator[int]:
    """A real process that holds every place for a request in flight to ``server`` and is
    stopped; yields its pid. Killed after."""
    with stopped_process(PLACE_HOLDER, str(guard_file), server) as pid:
        yield pid


@contextmanager
def stopped_process(script: str, *args: str) -> Iterator[int]:
    holder = subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        os.waitpid(holder.pid, os.WUNTRACED)  # returns once it has stopped itself
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def lock_is_free(path: Path) -> bool:
    """Whether ``path``'s lock can be taken now (it is let go at once)."""
    try:
        with locked(path, wait=0):
            return True
    except LockBusy:
        return False
