"""Issue: every action answered, what the user just did kept in sight (the dashboard's side of
what a newcomer trips on), driven by the Pilot on the demo account."""

from __future__ import annotations

from collections.abc import Callable

from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.main import MainScreen

from .conftest import main_of, settle, until
from .test_dashboard import WIDE


async def test_escape_closes_the_keys_panel_and_then_means_back_again(
    demo: Callable[..., Lox24App],
) -> None:
    app = demo()
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("v")  # the pane is open: Esc would close it
        assert main_of(app).pane_open
        await pilot.press("question_mark")
        await until(pilot, lambda: bool(app.screen.query("HelpPanel")), "no keys panel")
        await pilot.press("escape")
        await until(pilot, lambda: not app.screen.query("HelpPanel"), "Esc left the keys panel")
        assert isinstance(app.screen, MainScreen)
        assert main_of(app).pane_open  # the first Esc was the panel's only
        await pilot.press("escape")
        assert not main_of(app).pane_open
