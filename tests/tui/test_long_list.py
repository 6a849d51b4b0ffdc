"""A long watch list: its first screen is drawn before the rest of its rows are added (in
chunks, so keys work meanwhile), and nothing of the list is lost or out of order for it."""

from __future__ import annotations

from pathlib import Path

from lox24tui.fake import FakeLox24, SimulatedAccount, VirtualClock
from lox24tui.session.config import Locations
from lox24tui.state.store import WatchList
from lox24tui.tui.app import Lox24App
from lox24tui.tui.widgets.bulk_table import FIRST_ROWS, BulkTable

from .conftest import app_on, main_of, settle, until, watchlist_path

BULKS = FIRST_ROWS * 5


def long_list(tmp_path: Path, locations: Locations) -> tuple[Lox24App, list[str]]:
    """The dashboard on BULKS finished bulks, labelled "Bulk 1" on; their ids in list order."""
    clock = VirtualClock()
    account = SimulatedAccount.generated(BULKS, clock.now(), final_fraction=1.0)
    ids = [bulk.uuid for bulk in account]
    watchlist = WatchList(watchlist_path(tmp_path))
    watchlist.add_many([(bulk_id, f"Bulk {n}") for n, bulk_id in enumerate(ids, 1)])
    return app_on(FakeLox24(account, clock=clock), watchlist, locations), ids


async def test_ctrl_end_at_start_reaches_the_last_bulk_of_a_long_list(
    tmp_path: Path, locations: Locations
) -> None:
    app, ids = long_list(tmp_path, locations)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("ctrl+end")  # at once, while the rows may still be coming
        table = main_of(app).table
        assert table.selected_id == ids[-1]
        await pilot.pause()
        assert f"Bulk {BULKS}" in on_screen(table)


def on_screen(table: BulkTable) -> str:
    """The table's lines as the terminal shows them."""
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


async def test_every_row_of_a_long_list_comes_in_order_with_its_status(
    tmp_path: Path, locations: Locations
) -> None:
    app, ids = long_list(tmp_path, locations)
    async with app.run_test(size=(160, 45)) as pilot:
        table = main_of(app).table
        await until(pilot, lambda: table.row_count == BULKS, "the rest of the list never came")
        await settle(app, pilot)
        shown = [str(row.key.value) for row in table.ordered_rows]
        assert shown == ids
        labels = {table.get_cell(bulk_id, "label").plain for bulk_id in ids}
        assert labels == {f"Bulk {n}" for n in range(1, BULKS + 1)}
        statuses = {table.get_cell(bulk_id, "status").plain for bulk_id in ids}
        assert statuses == {"processed"}
        await pilot.press("down", "down")
        assert table.selected_id == ids[2]
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert f"Bulk {BULKS}" in on_screen(table)
