"""Every cell of the README's exit-status table, one test each: the ``lox24tui`` command line
(``lox24tui.cli.main``, in this process) against the fake LOX24 on loopback, a closed loopback
port for "LOX24 unreachable", and what the user sees: the exit status and a phrase on stderr (or
stdout) that says why. A few cells again as real processes, which is where an exit status
lives; and what only a process has (Ctrl+C, a terminal, a port in use)."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.server import serve_in_thread
from lox24tui.session.config import Locations
from lox24tui.state.history import History, StatusTransition
from tests.cli_process import WRONG, answered_on_a_terminal, cli_env, lox24tui, lox24tui_process
from tests.lines import running
from tests.serving import free_port, lox24tui_serve

DONE = "0e2b7a10-4699-11ea-a637-96000028b331"
"""Processed (10) an hour ago."""
CANCELED = "0e2b7a10-4699-11ea-a637-96000028b332"
"""Canceled (15) by its sender."""
SENDING = "0e2b7a10-4699-11ea-a637-96000028b333"
"""Sending (5) for the next hour: cancelable."""
UNKNOWN = "0e2b7a10-4699-11ea-a637-96000028b339"
"""A well-formed id LOX24 does not know (404)."""
INVALID = "../me"
NOT_AN_ID = "is not a LOX24 bulk id"

CLOSED = "closed"
"""Point the command at a loopback port nobody listens on: LOX24 unreachable."""


def account(now: float) -> SimulatedAccount:
    return SimulatedAccount(
        [
            SimBulk(DONE, now - 3600, now - 3000, 10, send_seconds=60),
            SimBulk(CANCELED, now - 3600, now - 600, 10, outcome=15, ends_at=now - 2000),
            SimBulk(SENDING, now - 120, now - 60, 100_000, send_seconds=3600),
        ]
    )


@dataclass(frozen=True)
class Cell:
    """One cell of the table: a command line, what is arranged before it, what it exits with,
    and a phrase that says why."""

    args: tuple[str, ...]
    exit: int
    says: str
    lox24: str = "fake"
    """``fake`` (the fake LOX24), ``closed`` (a port nobody listens on)."""
    token: str | None = FAKE_TOKEN
    arrange: Callable[[FakeLox24, Path], None] | None = None


def fails(kind: str, **options: object) -> Callable[[FakeLox24, Path], None]:
    def arrange(fake: FakeLox24, _: Path) -> None:
        fake.fail(kind, **options)

    return arrange


def inactive_account(fake: FakeLox24, _: Path) -> None:
    fake.account_active = False


def watching(*ids: str) -> Callable[[FakeLox24, Path], None]:
    def arrange(_: FakeLox24, folder: Path) -> None:
        ok = lox24tui("watch", "add", *ids, token=None)
        assert ok.returncode == 0, ok.stderr

    return arrange


def damaged_list(_: FakeLox24, __: Path) -> None:
    path = Locations.default().watchlist_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{broken")


def damaged_history(_: FakeLox24, __: Path) -> None:
    path = Locations.default().history_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00garbage" * 100)


def seen_once(_: FakeLox24, __: Path) -> None:
    with History(Locations.default().history_file) as history:
        assert history.record([StatusTransition(DONE, None, 10, "processed", time.time())])


def bad_config(_: FakeLox24, __: Path) -> None:
    folder = Locations.default().config_file.parent
    folder.mkdir(parents=True, exist_ok=True)
    Locations.default().config_file.write_text("interval = 'often'\n")


def changed_list(fake: FakeLox24, folder: Path) -> None:
    watching(DONE)(fake, folder)
    watching(SENDING)(fake, folder)


UNREACHABLE = "stopped: Could not reach LOX24"
REFUSED = "stopped: LOX24 refused the token"
RATE_LIMITED = "(429)"  # said once, as the watch stops
NO_TOKEN = "no LOX24 token"
BAD_CONFIG = "config.toml"  # the file named, whatever the words
USAGE = "usage: lox24tui"
UNREADABLE = "response could not be read"
INACTIVE = "not activated"
MALFORMED = fails("malformed")
TOO_MANY = fails("status", status=429, retry_after="600")

CELLS: dict[str, Cell] = {
    # status: 0 every id fetched · 1 something failed · 2 stopped / unreachable / cannot start
    "status-0": Cell(("status", DONE), 0, "processed (10)"),
    "status-1-invalid-id": Cell(("status", INVALID, DONE), 1, NOT_AN_ID),
    "status-1-unknown-id": Cell(("status", UNKNOWN), 1, "not found"),
    "status-1-one-of-two-failed": Cell(
        ("status", DONE, SENDING),
        1,
        "LOX24 had a system error",
        arrange=fails("status", status=503, bulk_id=SENDING),
    ),
    "status-1-unreadable-answer": Cell(("status", DONE), 1, UNREADABLE, arrange=MALFORMED),
    "status-2-unreachable-one-id": Cell(("status", DONE), 2, UNREACHABLE, lox24=CLOSED),
    "status-2-unreachable-five-ids": Cell(
        ("status", DONE, CANCELED, SENDING, UNKNOWN, "0e2b7a10-4699-11ea-a637-96000028b330"),
        2,
        "stopped:",
        lox24=CLOSED,
    ),
    "status-2-lox24-system-error": Cell(
        ("status", DONE),
        2,
        "stopped: LOX24 had a system error",
        arrange=fails("status", status=503),
    ),
    "status-2-refused-token": Cell(("status", DONE), 2, "stopped:", token=WRONG),
    "status-2-inactive-account": Cell(("status", DONE), 2, INACTIVE, arrange=inactive_account),
    "status-2-rate-limited": Cell(("status", DONE), 2, "stopped:", arrange=TOO_MANY),
    "status-2-no-token": Cell(("status", DONE), 2, NO_TOKEN, token=None),
    "status-2-bad-config": Cell(("status", DONE), 2, BAD_CONFIG, arrange=bad_config),
    "status-2-odd-words": Cell(("status", DONE, "--fast"), 2, USAGE),
    # status --watch: 0 all processed · 1 one ended badly · 2 stopped (130: Ctrl+C, below)
    "watch-0-all-processed": Cell(("status", DONE, "--watch"), 0, "now processed"),
    "watch-1-ended-badly": Cell(("status", DONE, CANCELED, "--watch"), 1, "now canceled"),
    "watch-2-unknown-id": Cell(("status", UNKNOWN, "--watch"), 2, "stopped:"),
    "watch-2-invalid-id": Cell(("status", INVALID, "--watch"), 2, NOT_AN_ID),
    "watch-2-refused-token": Cell(("status", DONE, "--watch"), 2, "stopped:", token=WRONG),
    "watch-2-inactive-account": Cell(
        ("status", DONE, "--watch"), 2, INACTIVE, arrange=inactive_account
    ),
    "watch-2-rate-limited": Cell(("status", SENDING, "--watch"), 2, RATE_LIMITED, arrange=TOO_MANY),
    "watch-2-no-token": Cell(("status", DONE, "--watch"), 2, NO_TOKEN, token=None),
    # bulks: 0 listed · 1 LOX24's answer failed · 2 stopped / unreachable / cannot start
    "bulks-0": Cell(("bulks",), 0, SENDING),
    "bulks-1-unreadable-answer": Cell(("bulks",), 1, UNREADABLE, arrange=MALFORMED),
    "bulks-2-unreachable": Cell(("bulks",), 2, UNREACHABLE, lox24=CLOSED),
    "bulks-2-refused-token": Cell(("bulks",), 2, "stopped:", token=WRONG),
    "bulks-2-odd-age": Cell(("bulks", "--since", "soon"), 2, "is not an age"),
    # messages
    "messages-0": Cell(("messages", DONE), 0, "delivered (1)"),
    "messages-1-invalid-id": Cell(("messages", INVALID), 1, "../me"),
    "messages-1-unreadable-answer": Cell(("messages", DONE), 1, UNREADABLE, arrange=MALFORMED),
    "messages-2-unreachable": Cell(("messages", DONE), 2, UNREACHABLE, lox24=CLOSED),
    "messages-2-refused-token": Cell(("messages", DONE), 2, "stopped:", token=WRONG),
    # account
    "account-0": Cell(("account",), 0, "balance"),
    "account-1-unreadable-answer": Cell(("account",), 1, UNREADABLE, arrange=MALFORMED),
    "account-2-unreachable": Cell(("account",), 2, UNREACHABLE, lox24=CLOSED),
    "account-2-refused-token": Cell(("account",), 2, "stopped:", token=WRONG),
    # cancel: 0 all canceled · 1 invalid id / refused · 2 nothing sent
    "cancel-0": Cell(("cancel", SENDING, "--yes"), 0, "✓ " + SENDING),
    "cancel-1-refused": Cell(("cancel", DONE, "--yes"), 1, "cannot be canceled"),
    "cancel-1-invalid-id": Cell(("cancel", INVALID, "--yes"), 1, "Nothing was canceled."),
    "cancel-2-read-only": Cell(("--read-only", "cancel", SENDING, "--yes"), 2, "read-only"),
    "cancel-2-no-terminal": Cell(("cancel", SENDING), 2, "add --yes"),
    "cancel-2-unreachable": Cell(("cancel", SENDING, "--yes"), 2, UNREACHABLE, lox24=CLOSED),
    "cancel-2-refused-token": Cell(("cancel", SENDING, "--yes"), 2, "stopped:", token=WRONG),
    # export: 0 all written · 1 some failed, cannot write, damaged list · 2 nothing written
    "export-0": Cell(("export",), 0, DONE, arrange=watching(DONE)),
    "export-1-some-failed": Cell(("export",), 1, f"{UNKNOWN} ", arrange=watching(DONE, UNKNOWN)),
    "export-1-cannot-write": Cell(
        ("export", "-o", "/proc/lox24tui.csv"), 1, "cannot write", arrange=watching(DONE)
    ),
    "export-1-damaged-list": Cell(("export",), 1, "watch restore", arrange=damaged_list),
    "export-2-unreachable": Cell(
        ("export",), 2, "nothing exported", lox24=CLOSED, arrange=watching(DONE)
    ),
    "export-2-refused-token": Cell(
        ("export",), 2, "nothing exported", token=WRONG, arrange=watching(DONE)
    ),
    # watch add|remove|list|restore: 0 done · 1 invalid id, not on the list, damaged, nothing
    # to restore · 2 words it does not understand
    "watch-add-0": Cell(("watch", "add", DONE), 0, "added"),
    "watch-add-1-invalid-id": Cell(("watch", "add", INVALID), 1, "../me"),
    "watch-add-1-damaged-list": Cell(
        ("watch", "add", DONE), 1, "watch restore", arrange=damaged_list
    ),
    "watch-remove-0": Cell(("watch", "remove", DONE), 0, "removed", arrange=watching(DONE)),
    "watch-remove-1-not-on-list": Cell(("watch", "remove", DONE), 1, "not on the watch list"),
    "watch-list-0": Cell(("watch", "list"), 0, DONE, arrange=watching(DONE)),
    "watch-list-1-damaged-list": Cell(("watch", "list"), 1, "watch restore", arrange=damaged_list),
    "watch-restore-0": Cell(("watch", "restore"), 0, "Restored", arrange=changed_list),
    "watch-restore-1-nothing": Cell(("watch", "restore"), 1, "No copy of the watch list"),
    "watch-2-odd-words": Cell(("watch", "tidy"), 2, USAGE),
    # history: 0 printed · 1 invalid id, unreadable history · 2 odd --since, bad config
    "history-0": Cell(("history",), 0, "now processed", arrange=seen_once),
    "history-1-invalid-id": Cell(("history", INVALID), 1, "../me"),
    "history-1-damaged-file": Cell(("history",), 1, "was damaged", arrange=damaged_history),
    "history-2-odd-age": Cell(("history", "--since", "soon"), 2, "is not an age"),
    "history-2-bad-config": Cell(("history",), 2, BAD_CONFIG, arrange=bad_config),
    # serve, fake-server, completion and the dashboard: what stops them starting
    "serve-2-bad-config": Cell(("serve", "--port", "9"), 2, BAD_CONFIG, arrange=bad_config),
    "fake-server-2-odd-words": Cell(("fake-server", "--port", "many"), 2, USAGE),
    "completion-0": Cell(("completion", "bash"), 0, "complete"),
    "completion-2-unknown-shell": Cell(("completion", "tcsh"), 2, USAGE),
    "dashboard-2-bad-config": Cell((), 2, BAD_CONFIG, arrange=bad_config),
    "dashboard-2-demo-with-a-command": Cell(("--demo", "status", DONE), 2, "--demo"),
}


@pytest.fixture
def fake() -> Iterator[tuple[FakeLox24, str]]:
    lox24 = FakeLox24(account(time.time()))
    with serve_in_thread(lox24) as url:
        yield lox24, url


def run_cell(
    cell: Cell,
    fake: tuple[FakeLox24, str],
    folder: Path,
    run: Callable[..., subprocess.CompletedProcess[str]],
) -> subprocess.CompletedProcess[str]:
    lox24, url = fake
    if cell.arrange is not None:
        cell.arrange(lox24, folder)
    address = f"http://127.0.0.1:{free_port()}" if cell.lox24 == CLOSED else url
    return run(*cell.args, url=address, token=cell.token)


@pytest.mark.parametrize("name", list(CELLS))
def test_exit_status(name: str, fake: tuple[FakeLox24, str], tmp_path: Path) -> None:
    cell = CELLS[name]
    done = run_cell(cell, fake, tmp_path, lox24tui)
    shown = done.stdout + done.stderr
    assert done.returncode == cell.exit, shown
    assert cell.says in shown
    assert "Traceback" not in shown and "Errno" not in shown


@pytest.mark.parametrize(
    "name", ["status-0", "status-1-unknown-id", "status-2-refused-token", "watch-2-odd-words"]
)
def test_a_process_exits_with_the_status_of_its_cell(
    name: str, fake: tuple[FakeLox24, str], tmp_path: Path
) -> None:
    """The installed script: ``sys.exit(main())`` in a process of its own, stdin not a terminal."""
    cell = CELLS[name]
    done = run_cell(cell, fake, tmp_path, lox24tui_process)
    assert done.returncode == cell.exit, done.stdout + done.stderr
    assert cell.says in done.stdout + done.stderr


def test_watch_interrupted_exits_130(fake: tuple[FakeLox24, str]) -> None:
    _, url = fake
    with running("status", SENDING, "--watch", env=cli_env(url, FAKE_TOKEN)) as watch:
        watch.stdout.wait_for_line(SENDING)
        assert watch.interrupt() == 130


def test_fake_server_stopped_with_ctrl_c_exits_130() -> None:
    port = free_port()
    with running("fake-server", "--port", str(port), env=cli_env(None, None)) as server:
        server.stdout.wait_for_line("Ctrl+C stops it.")
        assert server.interrupt() == 130


def test_serve_stopped_with_ctrl_c_exits_0(tmp_path: Path) -> None:
    with lox24tui_serve("--demo", env=cli_env(None, None), folder=tmp_path) as served:
        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(timeout=30) == 0


def test_serve_on_a_port_in_use_exits_1(tmp_path: Path) -> None:
    with lox24tui_serve("--demo", env=cli_env(None, None), folder=tmp_path) as first:
        port = first.url.rsplit(":", 1)[1]
        done = subprocess.run(
            [sys.executable, "-m", "lox24tui", "serve", "--demo", "--port", port],
            env=cli_env(None, None),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 1, done.stderr
    assert "another program is listening on it" in done.stderr and "Traceback" not in done.stderr


def on_a_terminal(args: list[str], keys: bytes, until: bytes) -> tuple[int, bytes]:
    """Run ``lox24tui ARGS`` on a pseudo-terminal of 120×40, type ``keys`` once it has written
    ``until``, and return its exit status and everything it wrote."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    written = bytearray()
    try:
        with subprocess.Popen(
            [sys.executable, "-m", "lox24tui", *args],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=cli_env(None, None),
            start_new_session=True,
        ) as process:
            os.close(follower)
            typed = False
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                ready, _, _ = select.select([leader], [], [], 1.0)
                if ready:
                    try:
                        chunk = os.read(leader, 65536)
                    except OSError:  # the terminal closed: the process has ended
                        break
                    if not chunk:
                        break
                    written += chunk
                if not typed and until in written:
                    os.write(leader, keys)
                    typed = True
            status = process.wait(timeout=30)
    finally:
        os.close(leader)
    return status, bytes(written)


def test_the_dashboard_quit_with_q_exits_0() -> None:
    status, written = on_a_terminal(["--demo"], b"q", b"Quit")
    assert status == 0
    assert b"Traceback" not in written


def test_cancel_answered_no_exits_1(fake: tuple[FakeLox24, str]) -> None:
    lox24, url = fake
    done = answered_on_a_terminal("cancel", SENDING, answer=b"n\n", url=url)
    assert done.returncode == 1, done.stderr
    assert "[y/N]" in done.stdout and "Nothing was canceled." in done.stdout
    assert lox24.requests("/bulks") == []
