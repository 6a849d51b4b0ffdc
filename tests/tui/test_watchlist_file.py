"""The dashboard and its watch-list file: a damaged file is asked about, never overwritten
unasked; bulks that another program removes are named and can be put back."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import SystemCommand
from textual.pilot import Pilot
from textual.widgets import Button, Static

from lox24tui.fake import FakeLox24
from lox24tui.session.config import Locations
from lox24tui.state.store import WatchList
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.damaged_list import DamagedListScreen
from tests.cli_process import lox24tui
from tests.files_on_disk import A, B, C, damage, files_under, saved_list
from tests.tui.dashboard_driver import paste_into_add_dialog, shown_ids, toasts

from .conftest import WIDE, Demo, app_on, opened, settle, until

D = "00000000-0000-1000-8000-000000000004"


def dialog_text(app: Lox24App) -> str:
    screen = app.screen
    assert isinstance(screen, DamagedListScreen)
    texts = [str(widget.render()) for widget in screen.query(Static)]
    return "\n".join(texts + [str(button.label) for button in screen.query(Button)])


async def asked(app: Lox24App, pilot: Pilot[None]) -> str:
    """What the question about the damaged file says, once it is on screen."""
    await until(
        pilot, lambda: isinstance(app.screen, DamagedListScreen), "the damaged-list question"
    )
    await pilot.pause()
    return dialog_text(app)


@pytest.fixture
def damaged_demo(demo: Demo, locations: Locations) -> tuple[Lox24App, Path, dict[str, bytes]]:
    """A demo dashboard about to start on its list, damaged after three bulks were saved; and
    every file beside the list as it is then."""
    path = locations.demo_watchlist_file
    saved_list(path)
    before = damage(path)
    return demo(), path, before


@pytest.fixture
def running(fake: FakeLox24, locations: Locations) -> tuple[Lox24App, Path]:
    """A dashboard about to start on a good list of three bulks."""
    path = locations.watchlist_file
    saved_list(path)
    return app_on(fake, WatchList.load(path)[0], locations), path


async def broken_while_running(
    app: Lox24App, pilot: Pilot[None], path: Path
) -> tuple[str, dict[str, bytes]]:
    """Another program damages the list under a running dashboard: what the dashboard asks,
    and every file beside the list then."""
    await settle(app, pilot)
    before = damage(path)
    return await asked(app, pilot), before  # the dashboard notices by itself


def damage_commands(app: Lox24App) -> list[SystemCommand]:
    return [c for c in app.get_system_commands(app.screen) if "Damaged" in c.title]


async def test_starting_on_a_damaged_list_asks_first_and_writes_nothing_meanwhile(
    damaged_demo: tuple[Lox24App, Path, dict[str, bytes]],
) -> None:
    app, path, before = damaged_demo
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        text = await asked(app, pilot)
        assert f"The watch list {path} cannot be read (not valid JSON at line" in text
        assert "Restore the copy from 2025-11-26 09:40:00 with 3 bulks (r)" in text
        assert "Go on with an empty list (k)" in text
        assert files_under(path.parent) == before
        assert shown_ids(app) == []
        await pilot.press("r")
        await settle(app, pilot)
        assert shown_ids(app) == [A, B, C]
        (aside,) = path.parent.glob("demo-watchlist.json.damaged-*")
        assert aside.read_bytes() == before["demo-watchlist.json"]
        assert any(f"The damaged file was kept as {aside}" in note for note in toasts(app))
    assert WatchList.load(path)[0].ids == [A, B, C]


async def test_going_on_with_an_empty_list_keeps_the_damaged_file_aside(
    demo: Demo, locations: Locations
) -> None:
    path = locations.demo_watchlist_file
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 1, "bulks": [{"id": "da0fa78c-')
    app = demo()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        text = await asked(app, pilot)
        assert "No good copy of it is kept, so none can be restored." in text
        await pilot.press("r")  # nothing to restore: the question stays
        assert isinstance(app.screen, DamagedListScreen)
        await pilot.press("k")
        await paste_into_add_dialog(pilot, app, A)
        await settle(app, pilot)
        assert shown_ids(app) == [A]
    (aside,) = path.parent.glob("demo-watchlist.json.damaged-*")
    assert aside.read_text() == '{"version": 1, "bulks": [{"id": "da0fa78c-'
    assert WatchList.load(path)[0].ids == [A]


async def test_deciding_later_leaves_the_file_and_refuses_changes_until_decided(
    damaged_demo: tuple[Lox24App, Path, dict[str, bytes]],
) -> None:
    app, path, before = damaged_demo
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await asked(app, pilot)
        await pilot.press("escape")
        assert any("Nothing was written" in note for note in toasts(app))
        await paste_into_add_dialog(pilot, app, D, "refused")
        await asked(app, pilot)  # a change asks again
        assert any("This change was not made" in note for note in toasts(app))
        assert files_under(path.parent) == before
        await pilot.press("escape")
        await pilot.pause()
        (command,) = damage_commands(app)
        command.callback()
        await asked(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        assert shown_ids(app) == [A, B, C]


async def test_a_running_dashboard_keeps_its_list_when_the_file_breaks_and_restores_it(
    running: tuple[Lox24App, Path],
) -> None:
    app, path = running
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        text, before = await broken_while_running(app, pilot, path)
        assert "Restore the copy from 2025-11-26 09:40:00 with 3 bulks (r)" in text
        assert "Keep the 3 bulks shown here (k)" in text
        assert shown_ids(app) == [A, B, C]
        assert files_under(path.parent) == before
        await pilot.press("r")
        await settle(app, pilot)
        assert shown_ids(app) == [A, B, C]
        assert not any("removed" in note for note in toasts(app))
    assert WatchList.load(path)[0].ids == [A, B, C]
    assert len(list(path.parent.glob("watchlist.json.damaged-*"))) == 1


async def test_a_restore_from_the_shell_answers_the_open_question(
    running: tuple[Lox24App, Path],
) -> None:
    app, path = running
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await broken_while_running(app, pilot, path)
        assert lox24tui("watch", "restore", token=None).returncode == 0
        await until(
            pilot, lambda: not isinstance(app.screen, DamagedListScreen), "the question closing"
        )
        assert shown_ids(app) == [A, B, C]
        assert damage_commands(app) == []


async def test_bulks_removed_outside_are_named_and_u_puts_them_back(
    running: tuple[Lox24App, Path],
) -> None:
    app, path = running
    async with opened(app) as pilot:
        assert lox24tui("watch", "remove", A, C, token=None).returncode == 0
        await until(pilot, lambda: shown_ids(app) == [B], "the outside removal on screen")
        (note,) = [note for note in toasts(app) if "Gone:" in note]
        assert "2 removed" in note and f"Gone: “Black Friday”, {C}." in note
        assert "u puts them back" in note
        await pilot.press("u")
        await settle(app, pilot)
        assert shown_ids(app) == [A, B, C]
        assert WatchList.load(path)[0].ids == [A, B, C]
        assert WatchList.load(path)[0].label_of(A) == "Black Friday"
