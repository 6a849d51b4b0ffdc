"""When will it finish? A sending bulk's share sent in its status cell, and in the pane its pace,
its ETA ("—" at first, "~16 min" once the samples say enough, "stalled 4 min" once nothing
moves) and the curve of its send rate, kept in the history across a restart."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Sparkline

from lox24tui.clock import VirtualClock
from lox24tui.fake import FakeLox24, SimulatedAccount
from lox24tui.fake.account import SimBulk, time_uuid
from lox24tui.session.config import Locations
from lox24tui.state.history import History
from lox24tui.state.store import WatchList
from lox24tui.tui.app import Lox24App
from tests.tui.dashboard_driver import cell, detail_of

from .conftest import WIDE, advance, app_on, main_of, opened, settle

MINUTE = 60.0


def steady_bulk(now: float) -> SimBulk:
    """6,000 messages at 300 a minute, a minute in; after ten minutes of sending (half of it)
    it stops for half an hour."""
    return SimBulk(
        time_uuid(now - 600, 5),
        now - 600,
        now - MINUTE,
        6_000,
        send_seconds=20 * MINUTE,
        pause=(10 * MINUTE, 30 * MINUTE),
        label="Steady",
    )


def watching(tmp_path: Path, bulk: SimBulk) -> WatchList:
    watchlist = WatchList(tmp_path / "w.json")
    watchlist.add(bulk.uuid, "Steady")
    return watchlist


def progress_of(text: str) -> str:
    return text[text.index("progress") : text.index("request id")]


async def minutes(app: Lox24App, pilot: object, count: int) -> None:
    for _ in range(count):
        await advance(app, pilot, MINUTE)  # type: ignore[arg-type]


async def test_the_eta_waits_for_enough_samples_then_follows_the_pace_and_sees_a_stall(
    tmp_path: Path, locations: Locations
) -> None:
    clock = VirtualClock()
    bulk = steady_bulk(clock.now())
    fake = FakeLox24(SimulatedAccount([bulk]), clock=clock)
    app = app_on(fake, watching(tmp_path, bulk), locations)
    async with opened(app) as pilot:
        first = progress_of(await detail_of(app, pilot, bulk.uuid))
        assert "5% sent" in first and "ETA —" in first  # one count says nothing of the pace
        assert re.fullmatch(r"in progress · \d+%", cell(app, bulk.uuid, "status"))
        await minutes(app, pilot, 3)
        sending = progress_of(await detail_of(app, pilot, bulk.uuid))
        # 4 minutes in, 15 left at 300 a minute: the truth is ~15 min
        assert re.search(r"ETA ~1[4-6] min", sending), sending
        assert "300 a minute" in sending
        rate = main_of(app).pane.query_one("#rate", Sparkline)
        assert rate.display and len(rate.data or []) >= 2
        assert set(rate.data or []) == {300.0}
        await minutes(app, pilot, 10)  # half sent at 9 minutes; nothing since
        stalled = progress_of(await detail_of(app, pilot, bulk.uuid))
        assert "50% sent" in stalled and re.search(r"ETA stalled [345] min", stalled), stalled
        assert cell(app, bulk.uuid, "status") == "in progress · stalled"
    with History(locations.history_file, clock=clock.now) as history:
        samples = history.samples(bulk.uuid)
    dones = [s.done for s in samples]
    assert dones == sorted(dones) and dones[-1] == 3_000 and samples[0].total == 6_000
    assert len(samples) < 14  # a sample per change of the counts, not one per minute

    again = app_on(fake, WatchList.load(tmp_path / "w.json")[0], locations)
    async with again.run_test(size=WIDE) as pilot:
        await settle(again, pilot)
        after = progress_of(await detail_of(again, pilot, bulk.uuid))
    assert re.search(r"ETA stalled [345] min", after), after  # the curve survived the restart


async def test_a_bulk_that_sent_everything_says_so_and_its_curve_ends(
    tmp_path: Path, locations: Locations
) -> None:
    clock = VirtualClock()
    bulk = steady_bulk(clock.now())
    bulk.pause = (0.0, 0.0)
    fake = FakeLox24(SimulatedAccount([bulk]), clock=clock)
    app = app_on(fake, watching(tmp_path, bulk), locations)
    async with opened(app) as pilot:
        await minutes(app, pilot, 21)
        done = progress_of(await detail_of(app, pilot, bulk.uuid))
        assert cell(app, bulk.uuid, "status") == "processed"
    assert "all sent" in done and "ETA" not in done
