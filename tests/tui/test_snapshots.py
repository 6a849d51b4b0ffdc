"""How the dashboard looks, in demo mode on a frozen clock at a fixed size.

Update after an intended change of looks: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from lox24tui.tui.app import Lox24App

from .conftest import main_of, settle

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


def test_main_screen(snap_compare: Any, demo: Callable[..., Lox24App]) -> None:
    assert snap_compare(demo(), terminal_size=SIZE, run_before=steady)


def test_detail_pane(snap_compare: Any, demo: Callable[..., Lox24App]) -> None:
    async def open_voice_bulk(pilot: Pilot[None]) -> None:
        await steady(pilot)
        app = pilot.app
        assert isinstance(app, Lox24App)
        main_of(app).table.select(app.session.watchlist.ids[2])
        await pilot.press("enter")

    assert snap_compare(demo(), terminal_size=(180, 45), run_before=open_voice_bulk)


def test_add_dialog(snap_compare: Any, demo: Callable[..., Lox24App]) -> None:
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


def test_pane_at_80x24(snap_compare: Any, demo: Callable[..., Lox24App]) -> None:
    """A screen of its own, scrollable, with a footer that fits."""
    assert snap_compare(demo(), terminal_size=(80, 24), run_before=open_first_bulk)


def test_pane_at_120x35(snap_compare: Any, demo: Callable[..., Lox24App]) -> None:
    """Beside the table, from 120 columns."""
    assert snap_compare(demo(), terminal_size=(120, 35), run_before=open_first_bulk)


def test_pane_at_200x50(snap_compare: Any, demo: Callable[..., Lox24App]) -> None:
    """Labels whole, the uuid whole in the pane."""
    assert snap_compare(demo(), terminal_size=(200, 50), run_before=open_first_bulk)


def test_add_dialog_at_60x20(snap_compare: Any, demo: Callable[..., Lox24App]) -> None:
    """The dialog scrolled to its feedback and buttons, on a small terminal."""

    async def submit_a_bad_id(pilot: Pilot[None]) -> None:
        await steady(pilot)
        await pilot.press("a")
        await pilot.press(*"../me")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await still_cursors(pilot)

    assert snap_compare(demo(), terminal_size=(60, 20), run_before=submit_a_bad_id)
