"""A ``lox24tui`` process run as a user runs it, whose stdout and stderr are read line by line as
they come, so a test waits for a line (with a deadline), never for a time.

Shared by the tests that follow a long-running command (``status --watch``) while something
around it changes: a second process, a LOX24 that goes away and comes back.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import IO

DEADLINE = 60.0
"""Seconds a test waits for a line before it fails (a hang, not a slow machine)."""


class Lines:
    """The lines one stream of a process printed so far, filled by a thread of its own."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._closed = False
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        with stream:
            for line in stream:
                with self._changed:
                    self.lines.append(line.rstrip("\n"))
                    self._changed.notify_all()
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait_for(
        self, condition: Callable[[list[str]], bool], *, what: str, deadline: float = DEADLINE
    ) -> list[str]:
        """Return the lines once ``condition`` holds for them; fail after ``deadline`` seconds
        or when the stream ended without it."""
        end = time.monotonic() + deadline
        with self._changed:
            while not condition(self.lines):
                left = end - time.monotonic()
                if self._closed or left <= 0:
                    raise AssertionError(f"no {what} within {deadline:g} s; lines:\n{self.text}")
                self._changed.wait(left)
            return list(self.lines)

    def wait_for_line(self, part: str, *, after: int = 0, deadline: float = DEADLINE) -> int:
        """The index of the first line from ``after`` on that contains ``part``."""
        lines = self.wait_for(
            lambda seen: any(part in x for x in seen[after:]), what=repr(part), deadline=deadline
        )
        return next(i for i in range(after, len(lines)) if part in lines[i])

    def wait_closed(self, deadline: float = DEADLINE) -> list[str]:
        lines = self.wait_for(lambda _: self._closed, what="end of output", deadline=deadline)
        self._reader.join()
        return lines

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class Running:
    """A started ``lox24tui`` process and its two streams."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        assert process.stdout is not None and process.stderr is not None
        self.stdout = Lines(process.stdout)
        self.stderr = Lines(process.stderr)

    def wait(self, deadline: float = DEADLINE) -> int:
        """The exit status, once the process ended and its output was read whole."""
        status = self.process.wait(timeout=deadline)
        self.stdout.wait_closed()
        self.stderr.wait_closed()
        return status

    def interrupt(self) -> int:
        """Ctrl+C, as a user stops it; its exit status."""
        self.process.send_signal(signal.SIGINT)
        return self.wait()


@contextmanager
def running(*args: str, env: Mapping[str, str]) -> Iterator[Running]:
    """``python -m lox24tui ARGS``; killed at the end if the test left it running."""
    process = subprocess.Popen(
        [sys.executable, "-m", "lox24tui", *args],
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = Running(process)
    try:
        yield started
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (started.stdout, started.stderr):
            stream.wait_closed()
