"""How the dashboard looks, in demo mode on a frozen clock at a fixed size.

Update after an intended change of looks: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import fcntl
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from lox24tui.alerts.rules import AlertRule
from lox24tui.clock import VirtualClock
from lox24tui.session.config import Locations, Settings
from lox24tui.state.store import WatchList
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.damaged_list import DamagedListScreen
from lox24tui.tui.screens.dialogs import ConfirmScreen
from lox24tui.tui.screens.failures import FailuresScreen
from lox24tui.tui.screens.replies import RepliesScreen
from lox24tui.tui.screens.send_again import RetryExportScreen
from lox24tui.tui.setup import demo_setup
from tests.tui.dashboard_driver import column_shown, palette_search

from .conftest import Demo, main_of, settle, until

DEMO_FIRST = "0e03b500-0000-1000-8000-000000000001"

SIZE = (160, 40)


async def settled(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, Lox24App)
    await settle(app, pilot)


async def steady(pilot: Pilot[None]) -> None:
    """Settled, with the mouse off the table (no hover highlight) and the cursor on row one."""
    await settled(pilot)
    app = pilot.app
    assert isinstance(app, Lox24App)
    await pilot.hover("#summary")
    main_of(app).table.move_cursor(row=0)


async def still_cursors(pilot: Pilot[None]) -> None:
    """No text cursor at all: whether a blinking cursor is drawn depends on when the picture
    is taken (under load, it differed), and a blink is not a change of looks."""
    for field in pilot.app.screen.query("Input, TextArea"):
        field.cursor_blink = False  # type: ignore[attr-defined]
    pilot.app.screen.set_focus(None)
    await pilot.pause()


def test_main_screen(snap_compare: Any, demo: Demo) -> None:
    assert snap_compare(demo(), terminal_size=SIZE, run_before=steady)


def test_detail_pane(snap_compare: Any, demo: Demo) -> None:
    async def open_voice_bulk(pilot: Pilot[None]) -> None:
        await steady(pilot)
        app = pilot.app
        assert isinstance(app, Lox24App)
        voice = app.session.watchlist.ids[2]
        main_of(app).table.select(voice)
        await pilot.press("enter")
        known = app.session.engagement.get
        await until(pilot, lambda: known(voice) is not None, "its clicks and replies read")
        await settled(pilot)

    assert snap_compare(demo(), terminal_size=(180, 45), run_before=open_voice_bulk)


def test_add_dialog(snap_compare: Any, demo: Demo) -> None:
    async def paste_ids(pilot: Pilot[None]) -> None:
        await steady(pilot)
        await pilot.press("a")
        await pilot.press(*"da0fa78c-4699-11ea-a637-96000028b339, ../me")
        await pilot.press("ctrl+s")
        await settled(pilot)  # the valid id is added and checked behind the dialog
        await still_cursors(pilot)

    assert snap_compare(demo(), terminal_size=SIZE, run_before=paste_ids)


async def open_first_bulk(pilot: Pilot[None]) -> None:
    """The detail of the first bulk: beside the table, or over it on a narrow terminal."""
    await steady(pilot)
    await pilot.press("enter")
    await pilot.pause()


def test_pane_at_80x24(snap_compare: Any, demo: Demo) -> None:
    """A screen of its own, scrollable, with a footer that fits."""
    assert snap_compare(demo(), terminal_size=(80, 24), run_before=open_first_bulk)


def test_pane_at_120x35(snap_compare: Any, demo: Demo) -> None:
    """Beside the table, from 120 columns."""
    assert snap_compare(demo(), terminal_size=(120, 35), run_before=open_first_bulk)


def test_pane_at_200x50(snap_compare: Any, demo: Demo) -> None:
    """Labels whole, the uuid whole in the pane."""
    assert snap_compare(demo(), terminal_size=(200, 50), run_before=open_first_bulk)


def test_add_dialog_at_60x20(snap_compare: Any, demo: Demo) -> None:
    """The dialog scrolled to its feedback and buttons, on a small terminal."""

    async def submit_a_bad_id(pilot: Pilot[None]) -> None:
        await steady(pilot)
        await pilot.press("a")
        await pilot.press(*"../me")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await still_cursors(pilot)

    assert snap_compare(demo(), terminal_size=(60, 20), run_before=submit_a_bad_id)


# Every screen and dialog at the two sizes a newcomer tries first: the smallest terminal we
# support, and a roomy one. Each is opened as a person would, with keys.

NEWCOMER_SIZES = {"80x24": (80, 24), "160x45": (160, 45)}


async def _rows_in(pilot: Pilot[None], table_id: str) -> None:
    await until(
        pilot,
        lambda: (
            bool(pilot.app.screen.query(table_id))
            and pilot.app.screen.query_one(table_id, DataTable).row_count > 0
        ),
        f"{table_id} stayed empty",
    )


async def _on_label(pilot: Pilot[None], label: str) -> None:
    app = pilot.app
    assert isinstance(app, Lox24App)
    bulk_id = next(e.bulk_id for e in app.session.watchlist.entries if e.label == label)
    main_of(app).table.select(bulk_id)
    await pilot.pause()


async def _main(pilot: Pilot[None]) -> None:
    await steady(pilot)


async def _clicks_and_replies(pilot: Pilot[None]) -> None:
    """The table with its clicks and replies columns, shown from the palette and filled."""
    app = pilot.app
    assert isinstance(app, Lox24App)
    await steady(pilot)
    await palette_search(pilot, "Show clicks")
    await pilot.press("enter")
    await until(pilot, lambda: "clicks" in main_of(app).table.columns, "no clicks column")
    await until(pilot, lambda: "…" not in column_shown(app, "clicks"), "clicks never filled in")
    app.clear_notifications()
    await steady(pilot)


async def _pane(pilot: Pilot[None]) -> None:
    await open_first_bulk(pilot)


async def _messages(pilot: Pilot[None]) -> None:
    await steady(pilot)
    await _on_label(pilot, "Password reset codes (Unicode)")
    await pilot.press("m")
    await _rows_in(pilot, "#messages-table")
    await pilot.pause()


async def _send_again(pilot: Pilot[None]) -> None:
    await _messages(pilot)
    await pilot.press("r")
    await until(pilot, lambda: isinstance(pilot.app.screen, RetryExportScreen), "r asked nothing")
    await still_cursors(pilot)


async def _failures(pilot: Pilot[None]) -> None:
    await _messages(pilot)
    await pilot.press("f")
    await until(pilot, lambda: isinstance(pilot.app.screen, FailuresScreen), "f opened nothing")
    screen = pilot.app.screen
    assert isinstance(screen, FailuresScreen)
    await until(pilot, lambda: screen.failures is not None, "the failures never came")
    await pilot.pause()


async def _clicks(pilot: Pilot[None]) -> None:
    await steady(pilot)
    await _on_label(pilot, "Black Friday newsletter")
    await pilot.press("m")
    await _rows_in(pilot, "#messages-table")
    await pilot.press("l")
    await _rows_in(pilot, "#clicks-table")
    await pilot.pause()


async def _replies(pilot: Pilot[None]) -> None:
    await _messages(pilot)
    await pilot.press("a")
    await until(pilot, lambda: isinstance(pilot.app.screen, RepliesScreen), "a opened nothing")
    screen = pilot.app.screen
    assert isinstance(screen, RepliesScreen)
    await until(pilot, lambda: screen.checked > 0 and not screen.is_busy, "never checked")
    await pilot.pause()


async def _discover(pilot: Pilot[None]) -> None:
    await steady(pilot)
    await pilot.press("i")
    await _rows_in(pilot, "#discover-table")
    await still_cursors(pilot)


def _dialog_of(key: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """The dialog that ``key`` opens over the settled dashboard, its cursor still."""

    async def run_before(pilot: Pilot[None]) -> None:
        await steady(pilot)
        await pilot.press(key)
        await still_cursors(pilot)

    return run_before


async def _cancel(pilot: Pilot[None]) -> None:
    await steady(pilot)
    await _on_label(pilot, "Tomorrow's morning promo")
    await pilot.press("X")
    await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), "X did not ask")
    await pilot.pause()


async def _alerts(pilot: Pilot[None]) -> None:
    """The alerts screen of a demo whose rule held at start for the finished bulks."""
    await steady(pilot)
    await pilot.press("exclamation_mark")
    await _rows_in(pilot, "#alerts-table")
    pilot.app.clear_notifications()  # the start's toast counts them; its timing is not a look
    await pilot.pause()


async def _keys(pilot: Pilot[None]) -> None:
    await steady(pilot)
    await pilot.press("question_mark")
    await until(pilot, lambda: bool(pilot.app.screen.query("HelpPanel")), "no keys panel")
    await pilot.pause()


NEWCOMER_SCREENS = {
    "main": _main,
    "clicks-and-replies": _clicks_and_replies,
    "pane": _pane,
    "messages": _messages,
    "send-again": _send_again,
    "failures": _failures,
    "clicks": _clicks,
    "replies": _replies,
    "import": _discover,
    "add": _dialog_of("a"),
    "token": _dialog_of("t"),
    "export": _dialog_of("x"),
    "cancel": _cancel,
    "keys": _keys,
}
WITH_ALERTS = {"alerts": _alerts}
"""Screens of a demo with alert rules (the newcomer's demo has none)."""


@pytest.mark.parametrize("size", NEWCOMER_SIZES)
@pytest.mark.parametrize("screen", NEWCOMER_SCREENS)
def test_every_screen(snap_compare: Any, demo: Demo, screen: str, size: str) -> None:
    assert snap_compare(
        demo(), terminal_size=NEWCOMER_SIZES[size], run_before=NEWCOMER_SCREENS[screen]
    )


@pytest.mark.parametrize("size", NEWCOMER_SIZES)
@pytest.mark.parametrize("screen", WITH_ALERTS)
def test_every_alerts_screen(snap_compare: Any, demo: Demo, screen: str, size: str) -> None:
    rule = AlertRule.model_validate(
        {"name": "finished", "when": "status", "status": "processed", "bell": True}
    )
    app = demo(settings=Settings(archive_after=0, alerts=(rule,)))
    assert snap_compare(app, terminal_size=NEWCOMER_SIZES[size], run_before=WITH_ALERTS[screen])


@pytest.fixture
def fixed_places(monkeypatch: pytest.MonkeyPatch) -> Iterator[Locations]:
    """Folders whose names are the same in every run: the damaged-list dialog names its file.
    One test at a time uses them: under xdist, the 80×24 and 160×45 runs would otherwise see
    each other's backup copies (and the dialog offers to restore one)."""
    root = Path(tempfile.gettempdir()) / "lox24tui-snapshot"
    with open(Path(tempfile.gettempdir()) / "lox24tui-snapshot.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.rmtree(root, ignore_errors=True)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            monkeypatch.setenv(name, str(root / name.lower()))
        yield Locations.default()
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("size", NEWCOMER_SIZES)
def test_the_damaged_list_dialog(snap_compare: Any, fixed_places: Locations, size: str) -> None:
    path = fixed_places.demo_watchlist_file
    WatchList(path, now=VirtualClock().now).add_many([(DEMO_FIRST, "Black Friday")])
    path.write_bytes(path.read_bytes()[:-5])
    setup = demo_setup(
        Settings(archive_after=0), fixed_places, clock=VirtualClock(), seed=7, account="shop"
    )
    setup.notify_writer = lambda text: None

    async def asked(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: isinstance(pilot.app.screen, DamagedListScreen), "no question")
        await settled(pilot)  # the bar behind it (the balance) as it will stay
        await still_cursors(pilot)

    assert snap_compare(Lox24App(setup), terminal_size=NEWCOMER_SIZES[size], run_before=asked)


@pytest.mark.parametrize("size", NEWCOMER_SIZES)
def test_two_accounts_side_by_side(snap_compare: Any, locations: Locations, size: str) -> None:
    """The demo as ``lox24tui --demo`` shows it: the shop (EUR) and its Swiss branch (CHF),
    an account column, and a line each in the summary bar."""
    setup = demo_setup(Settings(archive_after=0), locations, clock=VirtualClock(), seed=7)
    for account in setup.accounts:
        account.notify_writer = lambda text: None
    assert snap_compare(Lox24App(setup), terminal_size=NEWCOMER_SIZES[size], run_before=steady)
