"""The dashboard speaks the CLI's vocabulary: the table, the detail pane and its timeline, toasts
and the `x` export say "scheduled" for a new bulk whose delivery is ahead, "new" once it has
passed, and name an undocumented code once."""

from __future__ import annotations

import json
import re
from pathlib import Path

from textual.widgets import Input

from lox24tui.clock import VirtualClock
from lox24tui.fake import FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.account import time_uuid
from lox24tui.session.config import Locations
from lox24tui.state.store import WatchList
from lox24tui.tui.app import Lox24App
from tests.tui.dashboard_driver import cell, detail_of, toasts
from tests.vocabulary_bulks import three_bulks

from .conftest import advance, app_on, opened


def dashboard(tmp_path: Path, locations: Locations) -> tuple[Lox24App, list[str]]:
    """Watching a scheduled bulk, a new one past its delivery, one with code 7, and one due in
    15 s (so "soon" goes from scheduled to in progress)."""
    clock = VirtualClock()
    now = clock.now()
    bulks = [*three_bulks(now), SimBulk(time_uuid(now - 600, 4), now - 600, now + 15, 10)]
    fake = FakeLox24(SimulatedAccount(bulks), clock=clock)
    watchlist = WatchList(tmp_path / "w.json")
    watchlist.add_many([(bulk.uuid, "") for bulk in bulks])
    return app_on(fake, watchlist, locations), [bulk.uuid for bulk in bulks]


async def test_the_table_and_the_export_say_the_same(tmp_path: Path, locations: Locations) -> None:
    app, (scheduled, new, odd, soon) = dashboard(tmp_path, locations)
    target = tmp_path / "now.json"
    async with opened(app) as pilot:
        shown = {bulk_id: cell(app, bulk_id, "status") for bulk_id in (scheduled, new, odd, soon)}
        await pilot.press("x")
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
    assert shown == {scheduled: "scheduled", new: "new", odd: "unknown (7)", soon: "scheduled"}
    exported = {record["id"]: record["status"] for record in json.loads(target.read_text())}
    assert exported == shown


async def test_the_detail_pane_names_each_code_once(tmp_path: Path, locations: Locations) -> None:
    app, (scheduled, new, odd, _) = dashboard(tmp_path, locations)
    async with opened(app) as pilot:
        panes = [await detail_of(app, pilot, bulk_id) for bulk_id in (scheduled, new, odd)]
    assert "status scheduled (0) — new, not processed yet" in panes[0]
    assert "status new (0) — new, not processed yet" in panes[1]
    assert "status unknown (7) — status code 7 is not documented" in panes[2]
    assert "voice_lang unknown (XX) is_text_deleted" in panes[2]
    assert "(7) (7)" not in panes[2] and "(XX) (XX)" not in panes[2]


async def test_the_timeline_labels_each_step_as_it_read_then(
    tmp_path: Path, locations: Locations
) -> None:
    app, (_, new, _, soon) = dashboard(tmp_path, locations)
    async with opened(app) as pilot:
        for _ in range(3):  # checks every 10 s, give or take a second of jitter
            await advance(app, pilot, 10)
        assert cell(app, soon, "status").startswith("in progress")
        soon_pane = await detail_of(app, pilot, soon)
        new_pane = await detail_of(app, pilot, new)
        changes = [text for text in toasts(app) if "→" in text]
    step = r"\d\d:\d\d:\d\d"
    assert re.search(rf"timeline {step} scheduled → {step} in progress j raw JSON", soon_pane)
    assert re.search(rf"timeline {step} new j raw JSON", new_pane)
    assert len(changes) == 1 and "scheduled → in progress" in changes[0]
