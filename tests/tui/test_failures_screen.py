"""The failures screen as a person uses it: from a bulk's messages (`f`), a table of reason ×
country; Enter on a cell lists exactly those messages, without another request."""

from __future__ import annotations

from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import Static

from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.failures import FailuresScreen
from lox24tui.tui.screens.messages import MessagesScreen
from lox24tui.tui.screens.send_again import RetryExportScreen
from tests.tui.dashboard_driver import column, open_messages

from .conftest import fake_of, until

SIZE = (120, 35)
SPREAD = "Password reset codes (Unicode)"


async def open_failures(
    app: Lox24App, pilot: Pilot[None], label: str = SPREAD, *, rows: bool = True
) -> FailuresScreen:
    """`f` on the bulk's messages, once the failures are read."""
    await open_messages(app, pilot, label, rows=rows)
    await pilot.press("f")
    await until(pilot, lambda: isinstance(app.screen, FailuresScreen), "f opened nothing")
    screen = app.screen
    assert isinstance(screen, FailuresScreen)
    await until(pilot, lambda: screen.failures is not None, "the failures never came")
    return screen


def state_of(screen: FailuresScreen) -> str:
    return str(screen.query_one("#failures-state", Static).render())


async def test_enter_on_a_cell_lists_exactly_its_messages_without_a_request(app: Lox24App) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_failures(app, pilot)
        failures = screen.failures
        assert failures is not None and failures.total > 0
        assert f"{failures.total} failed messages" in state_of(screen)
        assert "they cost" in state_of(screen)
        assert f"country read from the number for {failures.from_number}" in state_of(screen)
        reason = failures.reasons[0]
        country = next(c for c in failures.countries if failures.count(reason, c))
        cell = Coordinate(0, 1 + failures.countries.index(country))
        screen.table.cursor_coordinate = cell
        assert screen.table.get_cell_at(cell).plain == str(failures.count(reason, country))
        asked = len(fake_of(app).log)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MessagesScreen), "enter opened nothing")
        listed = app.screen
        assert isinstance(listed, MessagesScreen)
        await until(pilot, lambda: listed.table.row_count > 0, "no rows")
        expected = sorted(str(m.phone) for m in failures.messages(reason, country))
        assert sorted(column(listed, "phone")) == expected
        assert len(fake_of(app).log) == asked  # listed from what the screen had read
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "not back on the failures")


async def test_the_failures_screen_offers_the_retry_list(app: Lox24App) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_failures(app, pilot)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RetryExportScreen), "r asked nothing")


async def test_a_bulk_without_failures_says_so(app: Lox24App) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_failures(app, pilot, "Tomorrow's morning promo", rows=False)
        assert "No failed messages" in state_of(screen)
        assert screen.table.row_count == 1  # "every reason", all zero
