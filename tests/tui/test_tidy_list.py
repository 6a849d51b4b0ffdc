"""A list that keeps itself tidy: bulks that finished long ago go to the archive (A shows them),
and with auto_watch every bulk created in the account while the dashboard runs is watched."""

from __future__ import annotations

from pathlib import Path

from lox24tui.clock import VirtualClock
from lox24tui.engine.auto_watch import LOOK_EVERY
from lox24tui.fake import FakeLox24, SimulatedAccount
from lox24tui.fake.account import SimBulk, time_uuid
from lox24tui.session.config import Locations, Settings
from lox24tui.state.store import WatchList
from tests.tui.dashboard_driver import paste_into_add_dialog, shown_ids, summary_text, toasts

from .conftest import Demo, advance, app_on, main_of, opened, until


async def test_bulks_finished_over_a_day_ago_are_archived_and_a_shows_them(demo: Demo) -> None:
    app = demo(settings=Settings(archive_after=24))
    async with opened(app) as pilot:
        session = app.session
        archived = [b for b in session.ids if session.archive.hides(b)]
        assert archived  # the demo has bulks that finished days ago
        for bulk_id in archived:
            state = session.states[bulk_id]
            assert state.is_final
        assert sorted(shown_ids(app)) == sorted(b for b in session.ids if b not in archived)
        rows = len(shown_ids(app))
        # the bar counts the rows on screen, and the archive apart
        assert summary_text(app).startswith(f"{rows} watched")
        assert f"+{len(archived)} archived (A shows)" in summary_text(app)
        await pilot.press("A")
        await until(pilot, lambda: len(shown_ids(app)) == len(session.ids), "A showed nothing")
        assert summary_text(app).startswith(f"{len(session.ids)} watched")
        assert "archive shown (A hides it)" in summary_text(app)  # a marker while shown
        await pilot.press("A")
        await until(pilot, lambda: len(shown_ids(app)) < len(session.ids), "A hid nothing")
        assert summary_text(app).startswith(f"{rows} watched")


async def test_the_archive_marker_fits_at_80_columns_and_names_a_remapped_key(demo: Demo) -> None:
    app = demo(settings=Settings(archive_after=24, keys={"main.archived": "H"}))
    async with opened(app, (80, 24)) as pilot:
        first_line = summary_text(app).splitlines()[0]
        assert first_line.endswith("+4 (H)") or first_line.endswith("+4 archived (H shows)")
        await pilot.press("H")
        await until(pilot, lambda: "archive (H)" in summary_text(app), "no marker at 80 columns")


async def test_with_archive_after_0_nothing_is_hidden(demo: Demo) -> None:
    app = demo(settings=Settings(archive_after=0))
    async with opened(app) as pilot:
        assert len(shown_ids(app)) == len(app.session.ids)
        await pilot.press("A")
        await until(
            pilot,
            lambda: any("archive_after is 0" in text for text in toasts(app)),
            "A said nothing",
        )


async def test_auto_watch_watches_bulks_created_while_it_runs(
    tmp_path: Path, locations: Locations
) -> None:
    clock = VirtualClock()
    now = clock.now()
    old = SimBulk(time_uuid(now - 7200, 1), now - 7200, now - 3600, 10, text="Yesterday's news")
    fake = FakeLox24(SimulatedAccount([old]), clock=clock)
    watchlist = WatchList(tmp_path / "w.json")
    app = app_on(fake, watchlist, locations, settings=Settings(auto_watch=True, archive_after=0))
    async with opened(app) as pilot:
        new = fake.account.add(
            SimBulk(time_uuid(now + 30, 2), now + 30, now + 600, 10, text="Flash sale tonight")
        )
        await advance(app, pilot, 60)
        assert shown_ids(app) == []  # not looked yet: once every LOOK_EVERY seconds
        await advance(app, pilot, LOOK_EVERY)
        await until(pilot, lambda: shown_ids(app) == [new.uuid], "the new bulk never came")
        assert app.session.label_of(new.uuid) == "Flash sale tonight"
        assert old.uuid not in app.session.ids  # created before the dashboard started
        assert any("Auto-watch: watching 1 new bulk" in text for text in toasts(app))

        main_of(app).table.select(new.uuid)
        await pilot.press("d", "y")
        await until(pilot, lambda: shown_ids(app) == [], "the removal")
        await advance(app, pilot, LOOK_EVERY + 1)
        assert shown_ids(app) == []  # a removed bulk is not added again
    looks = {
        entry.at
        for entry in fake.log
        if entry.path == "/bulks" and entry.status == 200 and "created_at%5Bgte%5D" in entry.query
    }
    assert len(looks) == 2  # one look every LOOK_EVERY seconds, no more (the forecast's apart)


async def test_a_finished_bulk_added_by_hand_stays_in_sight(demo: Demo) -> None:
    app = demo(settings=Settings(archive_after=24))
    async with opened(app) as pilot:
        old = next(b for b in app.session.ids if app.session.archive.hides(b))
        app.session.watchlist.remove(old)  # as another lox24tui would have: no undo here
        await until(pilot, lambda: old not in app.session.ids, "the removal was not followed")
        await paste_into_add_dialog(pilot, app, old)
        await until(pilot, lambda: old in shown_ids(app), "the bulk added went into the archive")
        await advance(app, pilot, 10)
        assert old in shown_ids(app)  # finished days ago, added just now: it stays
