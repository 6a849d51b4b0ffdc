"""Server text with terminal escape sequences is shown inert in the dashboard.

One bulk on the account has escape sequences in its text and ``ip``. It is imported (the import
table shows its text), which labels it with that text; the watch table, the detail pane and the
toast announcing its status change then quote it without a raw control character."""

from __future__ import annotations

from pathlib import Path

from textual.coordinate import Coordinate
from textual.pilot import Pilot

from lox24tui.clock import VirtualClock
from lox24tui.fake import FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.account import time_uuid
from lox24tui.session.config import Locations
from lox24tui.state.store import WatchList
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.discover import DiscoverScreen
from tests.hostile import HOSTILE, SHOWN, assert_inert
from tests.tui.dashboard_driver import cell, pane_text, toasts

from .conftest import WIDE, advance, app_on, main_of, settle, until


def hostile_app(tmp_path: Path, locations: Locations) -> tuple[Lox24App, str]:
    """An empty watch list on an account holding one bulk, due in 15 s, whose text and ``ip``
    carry escape sequences."""
    clock = VirtualClock()
    now = clock.now()
    bulk = SimBulk(
        time_uuid(now - 600, 1),
        created_at=now - 600,
        delivery_at=now + 15,
        recipients=10,
        ip=HOSTILE,
        text=f"{HOSTILE}Sale",
    )
    fake = FakeLox24(SimulatedAccount([bulk]), clock=clock)
    return app_on(fake, WatchList(tmp_path / "w.json"), locations), bulk.uuid


async def open_import(app: Lox24App, pilot: Pilot[None]) -> DiscoverScreen:
    """The import screen, once it lists the account's one bulk."""
    await settle(app, pilot)
    await pilot.press("i")
    screen = app.screen
    assert isinstance(screen, DiscoverScreen)
    await until(pilot, lambda: screen.table.row_count == 1, "the import list")
    return screen


async def import_it(app: Lox24App, pilot: Pilot[None]) -> None:
    """Pick the account's one bulk on the import screen and watch it."""
    await open_import(app, pilot)
    await pilot.press("space", "w")
    await until(pilot, lambda: app.screen is main_of(app), "the main screen")
    await settle(app, pilot)


async def test_the_import_table_shows_escapes_in_a_bulks_text(
    tmp_path: Path, locations: Locations
) -> None:
    app, bulk_id = hostile_app(tmp_path, locations)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        table = (await open_import(app, pilot)).table
        row = [table.get_cell_at(Coordinate(0, column)).plain for column in range(7)]
    assert row[5] == f"{SHOWN}Sale" and row[6] == bulk_id
    assert_inert("".join(row))


async def test_a_label_taken_from_server_text_is_inert_in_the_table(
    tmp_path: Path, locations: Locations
) -> None:
    app, bulk_id = hostile_app(tmp_path, locations)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await import_it(app, pilot)
        label = cell(app, bulk_id, "label")
    assert "[2J" in label and label.endswith("Sale")
    assert_inert(label)


async def test_the_detail_pane_shows_escapes(tmp_path: Path, locations: Locations) -> None:
    app, bulk_id = hostile_app(tmp_path, locations)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await import_it(app, pilot)
        main_of(app).table.select(bulk_id)
        await pilot.press("enter")
        await until(pilot, lambda: "timeline" in pane_text(app), "the pane's timeline")
        text = pane_text(app)
    assert_inert(text)
    assert f"ip              {SHOWN}" in text


async def test_a_toast_quoting_server_text_is_inert(tmp_path: Path, locations: Locations) -> None:
    app, _ = hostile_app(tmp_path, locations)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await import_it(app, pilot)
        for _ in range(3):  # checks every 10 s, give or take a second of jitter
            await advance(app, pilot, 10)
        changes = [text for text in toasts(app) if "scheduled → in progress" in text]
    assert len(changes) == 1 and "[31m" in changes[0] and "Sale" in changes[0]
    assert_inert(changes[0])
