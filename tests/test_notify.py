"""Notices reach the user: OSC 9 to the terminal (wrapped for tmux, always inert), the desktop's own
notifier where there is one, the terminal where there is none, and never an exception."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from lox24tui.session.notify import Notice, Notifier, NotifyMode, balance_low, bulk_ended
from tests.cli_process import CLI_TIMEOUT

DONE = Notice("Bulk finished", "Black Friday: processed")
OSC9_DONE = "\x1b]9;lox24tui: Bulk finished: Black Friday: processed\x07"


def test_the_terminal_gets_one_osc9_sequence() -> None:
    written: list[str] = []
    Notifier("terminal", writer=written.append).notify(DONE)
    assert written == [OSC9_DONE]


def test_inside_tmux_the_sequence_is_passed_through() -> None:
    written: list[str] = []
    Notifier("terminal", tmux=True, writer=written.append).notify(DONE)
    assert written == [
        "\x1bPtmux;\x1b\x1b]9;lox24tui: Bulk finished: Black Friday: processed\x07\x1b\\"
    ]


@pytest.mark.parametrize("tmux", [False, True])
def test_server_text_cannot_end_the_sequence_or_start_another(tmux: bool) -> None:
    hostile = "x\x07\x1b]0;owned\x1b\\\x9c\x9b2J\x1bP"
    notice = bulk_ended("b" * 36, hostile, 10)
    written: list[str] = []
    Notifier("terminal", tmux=tmux, writer=written.append).notify(notice)
    (sequence,) = written
    inner = sequence.removeprefix("\x1bPtmux;\x1b").removesuffix("\x1b\\") if tmux else sequence
    assert inner.startswith("\x1b]9;lox24tui: Bulk finished: ") and inner.endswith("\x07")
    payload = inner[len("\x1b]9;") : -1]
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in payload)
    assert "x\\x07\\x1b]0;owned\\x1b\\\\x9c\\x9b2J\\x1bP: processed" in payload


def test_off_sends_nothing() -> None:
    written: list[str] = []
    Notifier(NotifyMode.OFF, writer=written.append).notify(DONE)
    assert written == []


def test_what_each_event_says() -> None:
    assert bulk_ended("id-1", "Promo", 10) == Notice("Bulk finished", "Promo: processed")
    assert bulk_ended("id-1", "", 20) == Notice("Bulk failed", "id-1: system error")
    assert bulk_ended("id-1", "Promo", 201) == Notice("Bulk failed", "Promo: no recipients")
    assert bulk_ended("id-1", "Promo", 15) == Notice("Bulk canceled", "Promo: canceled")
    assert bulk_ended("id-1", "Promo", 5) is None and bulk_ended("id-1", "Promo", None) is None
    assert balance_low(Decimal("3.2"), "CHF") == Notice(
        "Balance low", "your LOX24 balance is 3.20 CHF"
    )
    written: list[str] = []
    Notifier("terminal", writer=written.append).notify(bulk_ended("id-1", "Promo", 5))
    assert written == []


def test_a_real_terminal_receives_the_bytes() -> None:
    """The default writer, in a process whose terminal is a pty (as under SSH or a terminal)."""
    controller, terminal = os.openpty()
    script = (
        "from lox24tui.session.notify import Notice, Notifier\n"
        "Notifier('terminal').notify(Notice('Bulk finished', 'Black Friday: processed'))\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,
    ) as child:
        os.close(terminal)
        watchdog = threading.Timer(CLI_TIMEOUT, child.kill)
        watchdog.start()
        received = b""
        try:
            while True:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # EIO: every copy of the terminal's end is closed
                    break
                if not chunk:
                    break
                received += chunk
        finally:
            watchdog.cancel()
            os.close(controller)
    assert child.returncode == 0, received
    assert received == OSC9_DONE.encode()


def fake_notifier(folder: Path, name: str, *, exit_status: int = 0, says: str = "") -> Path:
    """An executable ``name`` in ``folder`` that appends its arguments to ``name.log`` as JSON."""
    log = folder / f"{name}.log"
    program = folder / name
    program.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"with open({str(log)!r}, 'a') as log:\n"
        "    log.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"sys.stderr.write({says!r})\n"
        f"sys.exit({exit_status})\n"
    )
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return log


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The only folder on PATH: the notifiers a test puts there are all there is."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


@pytest.mark.parametrize(
    ("mode", "terminal_too"), [(NotifyMode.DESKTOP, False), (NotifyMode.BOTH, True)]
)
def test_the_desktop_notifier_shows_it(bin_dir: Path, mode: NotifyMode, terminal_too: bool) -> None:
    log = fake_notifier(bin_dir, "notify-send")
    written: list[str] = []
    problems: list[str] = []
    notifier = Notifier(mode, writer=written.append, on_problem=problems.append, platform="linux")
    notifier.notify(DONE)
    notifier.close()
    assert calls(log) == [["--app-name=lox24tui", "--", "Bulk finished", "Black Friday: processed"]]
    assert written == ([OSC9_DONE] if terminal_too else [])
    assert problems == []


def test_on_macos_osascript_gets_the_texts_as_arguments(bin_dir: Path) -> None:
    log = fake_notifier(bin_dir, "osascript")
    notifier = Notifier("desktop", writer=print, platform="darwin")
    notifier.notify(Notice('Bulk "x"', 'a\x1b[2J\' & do shell script "rm"'))
    notifier.close()
    ((*script, separator, title, body),) = calls(log)
    assert separator == "--" and "on run argv" in script
    assert (title, body) == ('lox24tui: Bulk "x"', 'a\\x1b[2J\' & do shell script "rm"')


def test_without_a_desktop_notifier_it_falls_back_to_the_terminal_with_one_warning(
    bin_dir: Path,
) -> None:
    written: list[str] = []
    problems: list[str] = []
    notifier = Notifier("desktop", writer=written.append, on_problem=problems.append)
    notifier.notify(DONE)
    notifier.notify(DONE)
    notifier.close()
    assert written == [OSC9_DONE, OSC9_DONE]
    assert problems == [
        "No desktop notifier (notify-send or osascript) was found, so notifications go to "
        "the terminal instead."
    ]


def test_a_failing_desktop_notifier_hands_over_to_the_terminal(bin_dir: Path) -> None:
    log = fake_notifier(bin_dir, "notify-send", exit_status=1, says="Cannot autolaunch D-Bus\n")
    written: list[str] = []
    problems: list[str] = []
    notifier = Notifier(
        "desktop", writer=written.append, on_problem=problems.append, platform="linux"
    )
    notifier.notify(DONE)
    notifier.close()
    notifier.notify(DONE)
    notifier.close()
    assert len(calls(log)) == 1  # not tried again
    assert written == [OSC9_DONE, OSC9_DONE]
    assert problems == [
        "The desktop notifier notify-send failed (Cannot autolaunch D-Bus), so notifications "
        "go to the terminal from now on."
    ]


def test_a_terminal_that_cannot_be_written_is_one_message_never_an_exception() -> None:
    def broken(_text: str) -> None:
        raise OSError(5, "Input/output error")

    problems: list[str] = []
    notifier = Notifier("terminal", writer=broken, on_problem=problems.append)
    notifier.notify(DONE)
    notifier.notify(DONE)
    assert problems == [
        "A terminal notification could not be written ([Errno 5] Input/output error)."
    ]


def test_without_a_terminal_nothing_lands_in_a_pipe() -> None:
    """Run from cron or with output piped: the sequence would be junk in a log file."""
    script = (
        "from lox24tui.session.notify import Notice, Notifier\n"
        "Notifier('terminal', on_problem=print).notify(Notice('Bulk finished', 'Promo'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "A terminal notification could not be written (there is no terminal to write to).\n"
    )
    assert "\x1b" not in done.stdout + done.stderr
