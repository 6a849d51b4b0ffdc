"""What a person sees of the dashboard's wiring: the command palette names each action's key as
its binding has it (a keymap's too), escape closes every dialog without an answer, and opening
the detail pane offers its keys (in the keys panel and the palette) only while it is open."""

from __future__ import annotations

from pathlib import Path

import pytest

from lox24tui.session.config import Locations
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.export import ExportScreen
from tests.files_on_disk import damage, files_under, saved_list
from tests.tui.dashboard_driver import (
    close_palette,
    keys_panel_text,
    palette_lines,
    palette_search,
    toasts,
)

from .conftest import WIDE, Demo, main_of, opened, settle, until


async def test_a_palette_entry_names_the_key_of_its_binding(app: Lox24App) -> None:
    async with opened(app) as pilot:
        entries = await palette_search(pilot, "Export")
        assert "Export Write the bulks shown as CSV or JSON (x)" in entries


async def test_a_rebound_key_shows_in_the_palette_and_runs_the_action(app: Lox24App) -> None:
    async with app.run_test(size=WIDE) as pilot:
        app.set_keymap({"main.export": "f5"})
        await settle(app, pilot)
        entries = await palette_search(pilot, "Export")
        assert "Export Write the bulks shown as CSV or JSON (f5)" in entries
        assert not any("(x)" in entry for entry in entries)
        await close_palette(pilot, app)
        await pilot.press("x")
        assert app.screen is main_of(app)  # x no longer exports
        await pilot.press("f5")
        assert isinstance(app.screen, ExportScreen)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("d", id="confirm"),
        pytest.param("e", id="label"),
        pytest.param("t", id="token"),
        pytest.param("x", id="export"),
        pytest.param("a", id="add"),
    ],
)
async def test_escape_closes_a_dialog_without_an_answer(app: Lox24App, key: str) -> None:
    async with opened(app) as pilot:
        before = app.session.watchlist.entries
        await pilot.press(key)
        assert app.screen is not main_of(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is main_of(app)
        assert app.session.watchlist.entries == before


async def test_escape_leaves_the_damaged_list_question_for_later(
    demo: Demo, locations: Locations
) -> None:
    path: Path = locations.demo_watchlist_file
    saved_list(path)
    before = damage(path)
    app = demo()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await until(pilot, lambda: app.screen is not main_of(app), "the damaged-list question")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is main_of(app), "the question closing")
        assert any("Nothing was written" in text for text in toasts(app))
        assert files_under(path.parent) == before  # nothing written


async def test_the_pane_keys_are_offered_only_while_the_pane_is_open(app: Lox24App) -> None:
    async with opened(app) as pilot:
        await pilot.press("question_mark")
        await until(pilot, lambda: "Quit" in keys_panel_text(app), "the keys panel")
        assert "Raw JSON" not in keys_panel_text(app)
        await pilot.press("v")
        await until(pilot, lambda: "Raw JSON" in keys_panel_text(app), "j in the keys panel")
        assert "Copy request id" in keys_panel_text(app)
        await pilot.press("v")
        await until(
            pilot,
            lambda: "Quit" in (shown := keys_panel_text(app)) and "Raw JSON" not in shown,
            "j leaving the panel",
        )
        await pilot.press("question_mark")
        await pilot.press("v")
        offered = "Raw JSON The detail pane: fields or raw JSON (j)"
        await palette_search(pilot, "Raw")
        await until(pilot, lambda: offered in palette_lines(app), "j offered with the pane open")
