"""``lox24tui serve`` as a user starts it: a subprocess on a free loopback port.

Shared by the serve tests, the browser test and the browser screenshot script. The server runs
in a session of its own, so stopping it also ends every dashboard process a browser tab started.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = 60.0
"""Seconds the server may take to listen (it imports textual-serve and aiohttp first)."""

STOP_TIMEOUT = 15.0
"""Seconds the server may take to stop after Ctrl+C before it is killed."""


@dataclass(frozen=True)
class Served:
    """A running ``lox24tui serve``: its address and where its output goes."""

    url: str
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def output(self) -> str:
        """Everything the server printed so far, stdout then stderr."""
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")

    @property
    def open_url(self) -> str:
        """The address the server printed for people to open: its own, with the access key
        (printed once it listens)."""
        found = re.search(r"^(https?://\S+/\?key=\S+)$", self.output(), re.MULTILINE)
        assert found, f"no address with a key in the output:\n{self.output()}"
        return found[1]

    @property
    def key(self) -> str:
        """The access key alone."""
        return self.open_url.rsplit("=", 1)[1]

    def descendants(self) -> list[int]:
        """The processes the server started (browser tabs' dashboards, and theirs), read from
        /proc: whether a request started anything shows here."""
        found: list[int] = []
        waiting = [self.process.pid]
        while waiting:
            for children in Path(f"/proc/{waiting.pop()}/task").glob("*/children"):
                with suppress(OSError):  # the task ended meanwhile
                    pids = [int(pid) for pid in children.read_text().split()]
                    found += pids
                    waiting += pids
        return found


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


PORT_TRIES = 3
"""Free ports tried in turn: another worker's server may take a port between the moment it is
found free and the moment this one binds it."""

PORT_TAKEN = "another program is listening on it"
"""What ``lox24tui serve`` says, before it exits, when its port is taken."""


@contextmanager
def lox24tui_serve(
    *args: str, env: Mapping[str, str], folder: Path, port: int | None = None
) -> Iterator[Served]:
    """Start ``lox24tui serve --port PORT ARGS`` and yield once it listens."""
    served = listening_serve(args, env, folder, port)
    try:
        yield served
    finally:
        stop(served.process)


def listening_serve(
    args: tuple[str, ...], env: Mapping[str, str], folder: Path, port: int | None
) -> Served:
    """The server listening on ``port``; without one, on a free port, and on another when that
    one was taken meanwhile (the server then says so and exits before printing its address)."""
    for tries_left in reversed(range(1 if port else PORT_TRIES)):
        served = start_serve(args, env, folder, port or free_port())
        try:
            wait_until_listening(served)
        except AssertionError:
            stop(served.process)
            if tries_left and PORT_TAKEN in served.output():
                continue
            raise
        return served
    raise AssertionError("no port tried")  # unreachable: range() above is never empty


def start_serve(args: tuple[str, ...], env: Mapping[str, str], folder: Path, port: int) -> Served:
    """``lox24tui serve --port PORT ARGS`` started, in a session of its own."""
    stdout, stderr = folder / "serve.out", folder / "serve.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "lox24tui", "serve", "--port", str(port), *args],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    return Served(f"http://127.0.0.1:{port}", process, stdout, stderr)


def wait_until_listening(served: Served, says: str = "?key=") -> None:
    """Return once this server has printed ``says`` (serve: its address with the key), which
    both servers print only once their port listens; fail at once if the server exited."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AssertionError(f"lox24tui serve exited early:\n{served.output()}")
        if says in served.output():
            return
        time.sleep(0.05)  # poll: the condition is the server's own words
    raise AssertionError(f"lox24tui serve did not listen within {START_TIMEOUT} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl+C, as a user stops it; then make sure nothing it started is left running."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with suppress(ProcessLookupError):  # dashboards of tabs still open, if any
        os.killpg(process.pid, signal.SIGKILL)
