"""The dashboard when the account guard's file breaks: it never freezes, and says what is wrong."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from textual.pilot import Pilot

from lox24tui.account.guard import FileGuardState
from lox24tui.api import Token
from lox24tui.fake import FAKE_TOKEN, FakeLox24
from lox24tui.session.config import Locations, Settings
from lox24tui.state.store import WatchList
from lox24tui.tui.app import Lox24App
from lox24tui.tui.setup import DashboardSetup, open_watchlist
from tests.state_faults import lock_is_free, stopped_lock_holder, stopped_place_holder
from tests.tui.dashboard_driver import summary_text, toasts

from .conftest import WIDE, _no_terminal, advance, opened, until, watchlist_path

URL = "http://fake.test"


def dashboard(fake: FakeLox24, locations: Locations, tmp_path: Path) -> Lox24App:
    """A dashboard on the shared guard file, as ``lox24tui`` builds it, against the fake."""
    import httpx

    path = watchlist_path(tmp_path)
    WatchList(path).add_many([(bulk.uuid, "") for bulk in list(fake.account)[:3]])
    watchlist, _, _ = open_watchlist(path, fake.clock)  # as the dashboard opens it
    return Lox24App(
        DashboardSetup(
            settings=Settings(archive_after=0),
            watchlist=watchlist,
            token=Token(FAKE_TOKEN),
            api_url=URL,
            locations=locations,
            transport=httpx.ASGITransport(app=fake),
            clock=fake.clock,
            guard_state=FileGuardState(locations.guard_file, URL, clock=fake.clock),
            history_file=locations.history_file,
            notify_writer=_no_terminal,
        )
    )


async def waits_for_and_keys_work(app: Lox24App, pilot: Pilot[None], holder: str) -> None:
    """The state line says nothing is sent and names ``holder``; a key still opens its panel."""
    await until(pilot, lambda: holder in summary_text(app), "the wait on screen")
    assert "Not sending" in summary_text(app)
    await pilot.press("question_mark")
    await until(pilot, lambda: bool(app.screen.query("BindingsTable")), "keys panel")


async def test_a_held_guard_lock_is_shown_and_keys_still_work(
    fake: FakeLox24, locations: Locations, tmp_path: Path
) -> None:
    app = dashboard(fake, locations, tmp_path)
    with stopped_lock_holder(locations.guard_file) as holder:
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            await waits_for_and_keys_work(app, pilot, f"process {holder}")
            assert fake.log == []
            os.kill(holder, signal.SIGKILL)  # the holder is gone: its lock with it
            await until(pilot, lambda: lock_is_free(locations.guard_file), "the lock freed")
            await advance(app, pilot, 2)  # the guard tries the lock again on its clock
            await until(pilot, lambda: "● Live" in summary_text(app), "live again")
            assert fake.log


async def test_places_held_by_a_stopped_process_are_shown_and_keys_still_work(
    fake: FakeLox24, locations: Locations, tmp_path: Path
) -> None:
    """Another lox24tui suspended with three requests on the wire: the dashboard waits for a
    place as long as a request may take, then names the process; killed, it frees them."""
    app = dashboard(fake, locations, tmp_path)
    with stopped_place_holder(locations.guard_file, URL) as holder:
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            for _ in range(32):  # 16 s, in the steps the engine tries again in
                await advance(app, pilot, 0.5)
            await waits_for_and_keys_work(app, pilot, f"by process {holder}")
            assert fake.log == []
            os.kill(holder, signal.SIGKILL)  # the holder is gone: its places with it
            await asyncio.to_thread(os.waitpid, holder, 0)  # gone, its files closed
            await advance(app, pilot, 0.5)
            await until(pilot, lambda: "● Live" in summary_text(app), "live again")
            assert fake.log


async def test_a_folder_where_the_guard_file_should_be_is_moved_aside_not_a_crash(
    fake: FakeLox24, locations: Locations, tmp_path: Path
) -> None:
    (locations.guard_file / "inside").mkdir(parents=True)
    app = dashboard(fake, locations, tmp_path)
    async with opened(app) as pilot:
        await until(pilot, lambda: any("moved aside" in t for t in toasts(app)), "the notice")
        told = [t for t in toasts(app) if "moved aside" in t]
        assert len(told) == 1 and "account-guard.json" in told[0]
        assert "Not refreshing" not in summary_text(app)
        assert not any("please report" in t for t in toasts(app))
        assert "Protecting your IP" in summary_text(app)
        assert fake.log == []
        assert locations.guard_file.is_file()


async def test_a_held_watch_list_lock_never_freezes_the_dashboard(
    fake: FakeLox24, locations: Locations, tmp_path: Path
) -> None:
    app = dashboard(fake, locations, tmp_path)
    async with opened(app) as pilot:
        with stopped_lock_holder(watchlist_path(tmp_path)) as holder:
            await pilot.press("d", "y")  # remove the bulk under the cursor
            await until(
                pilot,
                lambda: any(f"is locked by process {holder}" in t for t in toasts(app)),
                "the held lock named",
            )
            said = next(t for t in toasts(app) if "is locked by process" in t)
            assert "holds for this session only" in said
            await pilot.press("question_mark")  # keys still work
            await until(pilot, lambda: bool(app.screen.query("BindingsTable")), "keys panel")
