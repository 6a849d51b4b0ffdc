"""Notices that reach the user when the dashboard is not in front of them: a bulk finished, failed
or was canceled, the balance is low. The ``notify`` setting picks where they go:

- ``terminal``: an OSC 9 notification (``ESC ] 9 ; text BEL``), which the terminal turns into a
  desktop notification (iTerm2, WezTerm, kitty, foot, Windows Terminal…). It travels with the
  terminal's own bytes, so it works over SSH; inside tmux it is wrapped in tmux's passthrough.
- ``desktop``: the machine's own notifier, ``notify-send`` (Linux) or ``osascript`` (macOS), run
  in a worker thread with a timeout so the caller never waits. Where there is none, the notices go
  to the terminal instead, with one warning. (A library such as desktop-notifier would add D-Bus
  and platform packages for what these two commands do.)
- ``both``, or ``off``.

Every text is made inert first (:mod:`lox24tui.text.sanitise`): a label or server text holding ESC,
BEL or ST cannot end the sequence early or smuggle one of its own to the terminal. The notifier
never raises into its caller: each kind of failure becomes one message for ``on_problem``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final

from lox24tui.api.models import status_info
from lox24tui.text import humanize
from lox24tui.text.sanitise import one_line

MAX_TEXT: Final = 240
"""Characters of a notice kept; terminals and notification daemons cut longer ones anyway."""
DESKTOP_TIMEOUT: Final = 5.0
"""Seconds a desktop notifier may take before it is given up on."""
APP: Final = "lox24tui"

Writer = Callable[[str], object]
"""Writes text to the terminal as it is, at once (no buffering until a later line)."""
ProblemHandler = Callable[[str], None]
"""Receives each problem as one sentence for the user. Desktop failures are found in a worker
thread and reported from it: a Textual app passes them on with ``call_from_thread``."""


class NotifyMode(StrEnum):
    TERMINAL = "terminal"
    DESKTOP = "desktop"
    BOTH = "both"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class Notice:
    """What to tell: a short title and one line of body."""

    title: str
    body: str

    @property
    def text(self) -> str:
        """The one line a terminal notification carries. It starts with the app's name, so it
        never starts with digits and a ``;`` that some terminals read as an OSC 9 sub-command."""
        return f"{APP}: {self.title}: {self.body}"


def bulk_ended(bulk_id: str, label: str, code: int | None) -> Notice | None:
    """The notice for a bulk that reached a final status; None for any other status."""
    status = status_info(code)
    if not status.is_final:
        return None
    title = (
        "Bulk finished"
        if status.is_sent
        else "Bulk failed"
        if status.is_failed
        else "Bulk canceled"
    )
    return Notice(title, f"{label or bulk_id}: {status.label}")


def balance_low(balance: Decimal, currency: str) -> Notice:
    return Notice("Balance low", f"your LOX24 balance is {humanize.money(balance, currency)}")


def osc9(text: str, *, tmux: bool) -> str:
    """The OSC 9 sequence for ``text``, made inert and cut to :data:`MAX_TEXT`; wrapped in tmux's
    DCS passthrough (every ESC inside doubled) when ``tmux``."""
    safe = one_line(text)[:MAX_TEXT]
    sequence = f"\x1b]9;{safe}\x07"
    if not tmux:
        return sequence
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def terminal_writer() -> Writer:
    """Writes to the controlling terminal (``/dev/tty``), or else to whichever of the process's
    real stderr and stdout is a terminal (Textual draws on stderr, and captures ``sys.stdout``
    but not the file descriptors). Never to a pipe or a file, where the sequence would be junk."""

    def write(text: str) -> None:
        data = text.encode("utf-8")
        try:
            descriptor = os.open("/dev/tty", os.O_WRONLY | os.O_NOCTTY)
        except OSError:
            _write_all(_terminal_stream(), data)
            return
        try:
            _write_all(descriptor, data)
        finally:
            os.close(descriptor)

    return write


def _terminal_stream() -> int:
    for stream in (sys.__stderr__, sys.__stdout__):
        if stream is not None and stream.isatty():
            stream.flush()
            return stream.fileno()
    raise OSError("there is no terminal to write to")


def _write_all(descriptor: int, data: bytes) -> None:
    while data:
        data = data[os.write(descriptor, data) :]


def desktop_command(notice: Notice, platform: str = sys.platform) -> list[str] | None:
    """The command that shows ``notice`` on this desktop; None where there is no notifier. The
    texts go as arguments (no shell, no AppleScript quoting), after ``--``, so a label starting
    with ``-`` is never read as an option."""
    title, body = one_line(notice.title)[:MAX_TEXT], one_line(notice.body)[:MAX_TEXT]
    if platform == "darwin":
        program = shutil.which("osascript")
        script = [
            "-e",
            "on run argv",
            "-e",
            "display notification (item 2 of argv) with title (item 1 of argv)",
            "-e",
            "end run",
        ]
        return None if program is None else [program, *script, "--", f"{APP}: {title}", body]
    program = shutil.which("notify-send")
    return None if program is None else [program, f"--app-name={APP}", "--", title, body]


class Notifier:
    """Sends notices where the ``notify`` setting says. Never raises; never blocks on a desktop
    notifier."""

    def __init__(
        self,
        mode: NotifyMode | str = NotifyMode.TERMINAL,
        *,
        tmux: bool = False,
        writer: Writer | None = None,
        on_problem: ProblemHandler | None = None,
        platform: str = sys.platform,
        timeout: float = DESKTOP_TIMEOUT,
    ) -> None:
        """``tmux``: wrap terminal notices for tmux (:func:`lox24tui.session.config.inside_tmux`).
        ``writer``: how to reach the terminal (default :func:`terminal_writer`); a Textual app
        may pass its driver's write."""
        self.mode = NotifyMode(mode)
        self.tmux = tmux
        self._writer = writer or terminal_writer()
        self._on_problem = on_problem or _ignore
        self._platform = platform
        self._timeout = timeout
        self._told: set[str] = set()
        self._lock = threading.Lock()
        self._desktop_failed = False
        self._executor: ThreadPoolExecutor | None = None

    def notify(self, notice: Notice | None) -> None:
        """Send ``notice`` (None: nothing to send, so callers can pass :func:`bulk_ended`'s
        answer straight on)."""
        if notice is None or self.mode is NotifyMode.OFF:
            return
        to_terminal = self.mode in (NotifyMode.TERMINAL, NotifyMode.BOTH)
        if self.mode in (NotifyMode.DESKTOP, NotifyMode.BOTH):
            command = None if self._desktop_failed else desktop_command(notice, self._platform)
            if command is None:
                if not self._desktop_failed:
                    self._problem(
                        "desktop-missing",
                        "No desktop notifier (notify-send or osascript) was found, so "
                        "notifications go to the terminal instead.",
                    )
                to_terminal = True
            else:
                self._start(command, notice, also_terminal=not to_terminal)
        if to_terminal:
            self._to_terminal(notice)

    def close(self, wait: bool = True) -> None:
        """Let the desktop notices on their way finish (each within the timeout) when ``wait``."""
        if self._executor is not None:
            self._executor.shutdown(wait=wait)
            self._executor = None

    def _to_terminal(self, notice: Notice) -> None:
        try:
            self._writer(osc9(notice.text, tmux=self.tmux))
        except Exception as error:  # a closed terminal, a full pipe: never the caller's problem
            self._problem("terminal", f"A terminal notification could not be written ({error}).")

    def _start(self, command: list[str], notice: Notice, *, also_terminal: bool) -> None:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lox24tui-notify")
        self._executor.submit(self._run, command, notice, also_terminal)

    def _run(self, command: list[str], notice: Notice, to_terminal_on_failure: bool) -> None:
        """In the worker thread: show ``notice`` on the desktop; if that fails, in the terminal
        (when it did not go there already), and from now on only there."""
        try:
            done = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                timeout=self._timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            reason = f"no answer within {self._timeout:g} s"
        except OSError as error:
            reason = str(error)
        else:
            if done.returncode == 0:
                return
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            reason = said[0] if said else f"exit status {done.returncode}"
        self._desktop_failed = True
        self._problem(
            "desktop-failed",
            f"The desktop notifier {os.path.basename(command[0])} failed ({reason}), so "
            "notifications go to the terminal from now on.",
        )
        if to_terminal_on_failure:
            self._to_terminal(notice)

    def _problem(self, kind: str, message: str) -> None:
        """Tell ``on_problem`` about each kind of failure once: a broken notifier must not turn
        every bulk into a warning."""
        with self._lock:
            if kind in self._told:
                return
            self._told.add(kind)
        with contextlib.suppress(Exception):
            self._on_problem(one_line(message))


def _ignore(_message: str) -> None:
    pass
