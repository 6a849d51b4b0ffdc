"""The clicks screen as a person uses it: `l` on a bulk's messages."""

from __future__ import annotations

from textual.widgets import Static

from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.clicks import ClicksScreen
from tests.tui.dashboard_driver import open_messages

from .conftest import advance, until

SIZE = (120, 35)


async def test_l_lists_the_clicks_with_country_and_browser_and_no_ip(app: Lox24App) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_messages(app, pilot)
        await advance(app, pilot, 1800)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, ClicksScreen), "l opened nothing")
        screen = app.screen
        assert isinstance(screen, ClicksScreen)
        await until(pilot, lambda: screen.table.row_count > 0, "no clicks listed")
        assert screen.total is not None and screen.total >= screen.table.row_count
        state = str(screen.query_one("#clicks-state", Static).render())
        assert f"{screen.total:,} clicks on the short links (requests, not people)" in state
        shown = " ".join(
            screen.table.get_cell_at((row, col)).plain  # type: ignore[arg-type]
            for row in range(screen.table.row_count)
            for col in range(len(screen.table.columns))
        )
        assert "GB" in shown and "198.51.100." not in shown and "Mozilla" not in shown
