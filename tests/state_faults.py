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
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
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
