"""Running lox24tui as a person would: a real process with its own XDG folders, against the fake
LOX24, with the clock held where a test needs it. Shared by every test of a command."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from lox24tui.fake import FAKE_TOKEN, FakeLox24, SystemClock

WRONG = "1234567:0000000000000000000000000000dead"


CLI_TIMEOUT = 60.0
"""Seconds a CLI run may take before the test gives up on it (a hang, not a slow machine)."""


def cli_env(url: str | None, token: str | None) -> dict[str, str]:
    """The test's environment (isolated XDG folders) with the given LOX24 settings only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOX24_")}
    if url is not None:
        env["LOX24_API_URL"] = url
    if token is not None:
        env["LOX24_TOKEN"] = token
    return env


def lox24tui(
    *args: str,
    url: str | None = None,
    token: str | None = FAKE_TOKEN,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lox24tui", *args],
        capture_output=True,
        text=True,
        env=cli_env(url, token),
        timeout=CLI_TIMEOUT,
        check=False,
    )


def labelled(fake: FakeLox24, label: str) -> str:
    return next(bulk.uuid for bulk in fake.account if bulk.label == label)


class HeldClock(SystemClock):
    """The fake's clock: real time that stands still until :meth:`release`. A bulk due "half a
    second in" then waits for the test, however long the CLI takes to start on a busy machine."""

    def __init__(self) -> None:
        self.start = time.time()
        self._released_at: float | None = None

    def release(self) -> None:
        """Let time run from now on (again: no effect)."""
        if self._released_at is None:
            self._released_at = time.monotonic()

    def now(self) -> float:
        if self._released_at is None:
            return self.start
        return self.start + time.monotonic() - self._released_at
