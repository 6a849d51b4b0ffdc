"""What the dashboard keeps and tells beyond its window: the timeline survives a restart, a
launch says what changed while it was closed, and a finished bulk reaches the terminal as a
notification."""

from __future__ import annotations

from pathlib import Path

from lox24tui.clock import VirtualClock
from lox24tui.fake import FakeLox24, SimulatedAccount
from lox24tui.fake.account import SimBulk, time_uuid
from lox24tui.session.config import Locations, Settings
from lox24tui.state.history import History, StatusTransition
from lox24tui.state.store import WatchList
from tests.tui.dashboard_driver import detail_of, toasts

from .conftest import WIDE, advance, app_on, opened, settle, until


def soon_bulk(now: float) -> SimBulk:
    """Scheduled, sends 15 s from now for a minute, then processed."""
    return SimBulk(time_uuid(now - 600, 9), now - 600, now + 15, 10, label="Soon")


def one_soon_bulk() -> tuple[VirtualClock, SimBulk, FakeLox24]:
    """A fresh clock, and LOX24 with one bulk about to send (:func:`soon_bulk`)."""
    clock = VirtualClock()
    bulk = soon_bulk(clock.now())
    return clock, bulk, FakeLox24(SimulatedAccount([bulk]), clock=clock)


def watching(tmp_path: Path, bulk: SimBulk) -> WatchList:
    watchlist = WatchList(tmp_path / "w.json")
    watchlist.add(bulk.uuid, "Soon")
    return watchlist


async def test_the_timeline_survives_a_restart(tmp_path: Path, locations: Locations) -> None:
    clock, bulk, fake = one_soon_bulk()
    app = app_on(fake, watching(tmp_path, bulk), locations)
    async with opened(app) as pilot:
        await advance(app, pilot, 30)  # in progress
        before = await detail_of(app, pilot, bulk.uuid)
    assert "scheduled →" in before and "in progress" in before

    again = app_on(fake, WatchList.load(tmp_path / "w.json")[0], locations)
    async with again.run_test(size=WIDE) as pilot:
        await settle(again, pilot)
        after = await detail_of(again, pilot, bulk.uuid)
    timeline = before[before.index("timeline") :]
    assert timeline in after  # the same steps, and the restart added none
    with History(locations.history_file, clock=clock.now) as history:
        assert [t.status for t in history.transitions([bulk.uuid])] == [
            "scheduled",
            "in progress",
        ]


async def test_a_launch_says_what_changed_while_it_was_closed(
    tmp_path: Path, locations: Locations
) -> None:
    clock, bulk, fake = one_soon_bulk()
    app = app_on(fake, watching(tmp_path, bulk), locations)
    async with opened(app):
        pass  # a first session sees the bulk scheduled, then closes
    clock.advance(300)  # `lox24tui status --watch` in another terminal sees it finish
    with History(locations.history_file, clock=clock.now) as history:
        history.record(
            [StatusTransition(bulk.uuid, 0, 10, "processed", clock.now(), "r" * 32, "Soon")]
        )
    now = clock.now()  # and someone created a bulk in the account meanwhile
    fake.account.add(SimBulk(time_uuid(now - 60, 5), now - 60, now + 600, 10, text="New"))
    again = app_on(fake, WatchList.load(tmp_path / "w.json")[0], locations)
    async with opened(again) as pilot:
        said = "While you were away: 1 bulk finished, 1 new in the account (i imports them)"
        await until(
            pilot, lambda: any(said in text for text in toasts(again)), f"not said: {toasts(again)}"
        )


async def test_a_finished_bulk_reaches_the_terminal_as_a_notification(
    tmp_path: Path, locations: Locations
) -> None:
    _, bulk, fake = one_soon_bulk()
    written: list[str] = []
    app = app_on(
        fake,
        watching(tmp_path, bulk),
        locations,
        settings=Settings(notify="terminal"),
        notify_writer=written.append,
    )
    async with opened(app) as pilot:
        await advance(app, pilot, 30)
        assert written == []  # in progress is no news worth a notification
        await advance(app, pilot, 60)
    assert len(written) == 1
    assert written[0].startswith("\x1b]9;") and written[0].endswith("\x07")
    assert "Soon" in written[0] and "processed" in written[0]


async def test_a_damaged_history_is_told_under_its_own_title(
    tmp_path: Path, locations: Locations
) -> None:
    _, bulk, fake = one_soon_bulk()
    locations.history_file.parent.mkdir(parents=True, exist_ok=True)
    locations.history_file.write_bytes(b"not a database at all " * 100)
    app = app_on(fake, watching(tmp_path, bulk), locations)
    async with opened(app) as pilot:
        await until(
            pilot,
            lambda: any("was damaged" in text for text in toasts(app)),
            f"the damaged history was never told: {toasts(app)}",
        )
        (told,) = [text for text in toasts(app) if "was damaged" in text]
        assert told.startswith("History")
        assert "Watch list" not in told
