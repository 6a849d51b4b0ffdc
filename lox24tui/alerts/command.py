"""Running an alert's command: a program and its arguments (never a shell line), the event as
one JSON object on its stdin and in a few ``LOX24TUI_*`` variables, and no token anywhere in
its environment.

A command is someone else's program, so it is held to account: stopped (with everything it
started) after its timeout, its output read as it comes so that a flood cannot block it or fill
memory (the first :data:`OUTPUT_KEPT` bytes are kept to be shown, the rest is read and
dropped), and its failure, whatever it is, is a result to show, never an exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from lox24tui.text import sanitise

OUTPUT_KEPT: Final = 2000
"""Bytes of a command's output kept to show (what it printed, stdout and stderr together)."""
STOP_GRACE: Final = 2.0
"""Seconds a command has to end after it is asked to (SIGTERM) before it is killed."""
TOKEN_VARIABLES: Final = ("LOX24_TOKEN",)
"""Where a token may be in the environment; never passed on (accounts add theirs)."""


@dataclass(frozen=True, slots=True)
class CommandResult:
    """How a command went, for the alerts screen, the log and ``alerts test``."""

    program: str
    exit_code: int | None
    """None when it could not start, or was stopped."""
    output: str
    """The start of what it printed (see OUTPUT_KEPT), made safe to show."""
    dropped: int
    """Bytes of output read and not kept."""
    timed_out: bool
    problem: str | None
    """Why it could not start."""
    seconds: float

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def words(self) -> str:
        """ "ran, exit 0", "failed, exit 3", "stopped after 10 s", "could not start: …"."""
        if self.problem is not None:
            return f"could not start: {self.problem}"
        if self.timed_out:
            return f"stopped after {self.seconds:.0f} s (its timeout)"
        if self.exit_code == 0:
            return "ran, exit 0"
        if self.exit_code is not None and self.exit_code < 0:
            return f"failed, killed by signal {-self.exit_code}"
        return f"failed, exit {self.exit_code}"


def command_environment(
    event_variables: Mapping[str, str],
    *,
    secrets: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The command's environment: ours, less every variable that may hold a token
    (:data:`TOKEN_VARIABLES` and ``secrets``, the ones accounts name), plus the event's."""
    environ = os.environ if environ is None else environ
    withheld = {*TOKEN_VARIABLES, *secrets}
    kept = {name: value for name, value in environ.items() if name not in withheld}
    return kept | dict(event_variables)


async def run_command(
    argv: Iterable[str],
    event: Mapping[str, Any],
    environment: Mapping[str, str],
    *,
    seconds: float,
) -> CommandResult:
    """Run ``argv`` with ``event`` as JSON on its stdin, in ``environment`` (see
    :func:`command_environment`), for at most ``seconds``."""
    args = list(argv)
    program = args[0]
    started = time.monotonic()
    try:
        process = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=dict(environment),
            start_new_session=True,  # its own process group: stopping it stops what it started
        )
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return CommandResult(program, None, "", 0, False, f"{program}: {reason}", 0.0)
    kept = bytearray()
    dropped = 0

    async def talk() -> None:
        nonlocal dropped
        assert process.stdin is not None and process.stdout is not None
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            process.stdin.write(json.dumps(event, ensure_ascii=False).encode() + b"\n")
            await process.stdin.drain()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            process.stdin.close()
        while chunk := await process.stdout.read(65536):
            room = OUTPUT_KEPT - len(kept)
            kept.extend(chunk[:room])
            dropped += max(0, len(chunk) - room)
        await process.wait()

    timed_out = False
    try:
        await asyncio.wait_for(talk(), seconds)
    except TimeoutError:
        timed_out = True
        await _stop(process)
    took = time.monotonic() - started
    output = sanitise.lines(kept.decode("utf-8", errors="replace")).strip()
    code = None if timed_out else process.returncode
    return CommandResult(program, code, output, dropped, timed_out, None, took)


async def _stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM to its whole group, then SIGKILL if it does not end within STOP_GRACE."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sent)
        try:
            await asyncio.wait_for(process.wait(), STOP_GRACE)
            return
        except TimeoutError:
            continue
