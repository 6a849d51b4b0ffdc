"""Running lox24tui as a person would, against the fake LOX24 with the test's own XDG folders and
the clock held where a test needs it. Shared by every test of a command.

:func:`lox24tui` runs the command line in this process, through ``lox24tui.cli.main`` (what the
installed ``lox24tui`` script calls), with its own environment, stdin, stdout and stderr: what a
command does and says is the same, and the suite saves the 0.35 s a fresh interpreter takes to
import. :func:`lox24tui_process` starts a real process, for what only a process shows: signals,
a terminal, two commands at once, locks and places held by a process id."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout

from lox24tui.cli import main
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
    """``lox24tui ARGS`` run to its end in this process: its exit status, stdout and stderr, as
    a process would give them (argparse's exits included). A run that has not ended after
    CLI_TIMEOUT fails the test (:class:`CommandHung`) rather than hang the suite."""
    out, err = io.StringIO(), io.StringIO()
    with (
        _deadline(CLI_TIMEOUT, args),
        _environment(cli_env(url, token)),
        _empty_stdin(),
        _own_log_handlers(),
        redirect_stdout(out),
        redirect_stderr(err),
    ):
        try:
            status = main(list(args))
        except SystemExit as exit_:
            status = _exit_status(exit_, err)
    return subprocess.CompletedProcess(["lox24tui", *args], status, out.getvalue(), err.getvalue())


def _exit_status(exit_: SystemExit, err: io.StringIO) -> int:
    """The status ``sys.exit(code)`` gives a process: ``None`` is 0, a text is said and is 1."""
    if exit_.code is None:
        return 0
    if isinstance(exit_.code, int):
        return exit_.code
    print(exit_.code, file=err)
    return 1


@contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """The command's environment, and the test's back afterwards, whatever the command set
    (``--account`` sets LOX24TUI_ACCOUNT for what it runs)."""
    before = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


class CommandHung(BaseException):
    """A command run in-process did not end in time. A BaseException, as KeyboardInterrupt is,
    so that no ``except Exception`` of the command takes it for a failure of its own."""


@contextmanager
def _deadline(seconds: float, args: tuple[str, ...]) -> Iterator[None]:
    """Interrupt the command after ``seconds`` (the alarm signal; only the main thread, where
    pytest runs tests, can take it)."""

    def hung(_signal: int, _frame: object) -> None:
        raise CommandHung(f"lox24tui {' '.join(args)} did not end within {seconds:g} s")

    before = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


@contextmanager
def _empty_stdin() -> Iterator[None]:
    """The command's stdin: empty, and not a terminal (as ``< /dev/null``)."""
    before = sys.stdin
    sys.stdin = io.StringIO("")
    try:
        yield
    finally:
        sys.stdin = before


@contextmanager
def _own_log_handlers() -> Iterator[None]:
    """A log the command opened (``--log``, LOX24TUI_LOG) closes with it, as a process's would."""
    logger = logging.getLogger("lox24tui")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    try:
        yield
    finally:
        for handler in logger.handlers:
            if handler not in handlers:
                handler.close()
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def lox24tui_process(
    *args: str,
    url: str | None = None,
    token: str | None = FAKE_TOKEN,
) -> subprocess.CompletedProcess[str]:
    """``lox24tui ARGS`` as a real process, run to its end, stdin not a terminal."""
    return subprocess.run(
        [sys.executable, "-m", "lox24tui", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=cli_env(url, token),
        timeout=CLI_TIMEOUT,
        check=False,
    )


def answered_on_a_terminal(
    *args: str, answer: bytes, url: str, token: str | None = FAKE_TOKEN
) -> subprocess.CompletedProcess[str]:
    """``lox24tui ARGS`` as a real process whose stdin is a terminal, where the person types
    ``answer`` (a question asked only on a terminal); stdout and stderr are read apart."""
    leader, follower = os.openpty()
    try:
        with subprocess.Popen(
            [sys.executable, "-m", "lox24tui", *args],
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(url, token),
        ) as process:
            os.write(leader, answer)
            out, err = process.communicate(timeout=CLI_TIMEOUT)
    finally:
        os.close(leader)
        os.close(follower)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


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
