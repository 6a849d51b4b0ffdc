"""Clicks and replies in the table: two columns a person shows from the palette (and finds
again at the next start), filled for every bulk that sent as side work, through the guard and
the side-work budget, and read again at a pace that slows the longer ago a bulk ended. Hidden,
nothing is read for them."""

from __future__ import annotations

import json
from pathlib import Path

from textual.pilot import Pilot

from lox24tui.api import Lox24Client, Token
from lox24tui.clock import VirtualClock
from lox24tui.fake import FAKE_TOKEN, FakeLox24
from lox24tui.fake.server import serve
from lox24tui.session.config import Locations, Settings
from lox24tui.session.engagement_cache import MAX_AGE, QUIET_AGE, SENT
from lox24tui.session.engagement_rounds import REQUESTS
from lox24tui.state.store import WatchList
from lox24tui.tui.app import Lox24App
from tests.tui.dashboard_driver import (
    by_label,
    cell,
    column_shown,
    palette_search,
    shown_ids,
)

from .conftest import Demo, advance, app_on, fake_of, main_of, opened, settle, until

LINKED = "Black Friday newsletter"
"""Sending when the demo starts, with a link."""
SCHEDULED = "Tomorrow's morning promo"
ENDED = "Password reset codes (Unicode)"
"""Processed hours before the demo starts."""


def clicks_asked(app: Lox24App) -> dict[str, int]:
    """Per bulk, how often its clicks were asked for (one per read)."""
    asked: dict[str, int] = {}
    for request in fake_of(app).requests("/bulks/"):
        parts = request.path.split("/")
        if parts[-1] == "requests":
            asked[parts[2]] = asked.get(parts[2], 0) + 1
    return asked


def sent_bulks(app: Lox24App) -> set[str]:
    return {
        bulk_id
        for bulk_id, state in app.session.states.items()
        if state.reply is not None
        and state.reply.status.msg_total_count
        and state.status_code in SENT
    }


async def show_columns(pilot: Pilot[None], app: Lox24App) -> None:
    entries = await palette_search(pilot, "Show clicks")
    assert any(entry.startswith("Show clicks and replies") for entry in entries)
    await pilot.press("enter")
    await until(pilot, lambda: "clicks" in main_of(app).table.columns, "the clicks column")


async def show_and_read(pilot: Pilot[None], app: Lox24App) -> set[str]:
    """Show the columns, wait until every bulk that sent was read; those bulks."""
    await show_columns(pilot, app)
    sent = sent_bulks(app)
    assert sent, "the demo has bulks that sent"
    await until(pilot, lambda: set(clicks_asked(app)) == sent, "every sent bulk read")
    return sent


async def expected_clicks(app: Lox24App, bulk_id: str) -> int | None:
    async with serve(fake_of(app)) as url, Lox24Client(Token(FAKE_TOKEN), url) as client:
        return (await client.list_clicks(bulk_id)).total


async def test_shown_from_the_palette_every_sent_bulk_gets_its_counts_and_they_stay_shown(
    demo: Demo, locations: Locations
) -> None:
    app = demo()
    async with opened(app) as pilot:
        table = main_of(app).table
        assert "clicks" not in table.columns and not clicks_asked(app)
        sent = await show_and_read(pilot, app)
        await settle(app, pilot)
        linked = by_label(app, LINKED)
        assert cell(app, linked, "clicks") == f"{await expected_clicks(app, linked):,}"
        # replies are counted among the first page of sent messages: "+" says there are more
        assert cell(app, linked, "replies").endswith("+")
        assert cell(app, by_label(app, SCHEDULED), "clicks") == "—"
        headers = [str(column.label) for column in table.ordered_columns]
        assert headers.index("Clicks") == headers.index("Delivered") + 1
    saved = json.loads(locations.demo_preferences_file.read_text())
    assert saved["engagement_columns"] is True

    again = demo()
    async with opened(again) as pilot:
        assert "clicks" in main_of(again).table.columns  # as the person left it
        await until(pilot, lambda: set(clicks_asked(again)) == sent, "read at the next start")


async def test_reads_again_while_sending_and_seldom_once_ended(app: Lox24App) -> None:
    async with opened(app) as pilot:
        sent = await show_and_read(pilot, app)
        linked, ended = by_label(app, LINKED), by_label(app, ENDED)
        first = clicks_asked(app)
        await advance(app, pilot, MAX_AGE / 2)
        started = sent_bulks(app) - sent
        assert started, "the demo has bulks that start sending in its first minutes"
        await until(
            pilot,
            lambda: set(clicks_asked(app)) == sent | started,
            "bulks that started sending read at once",
        )
        # none read again so soon
        assert {bulk_id: clicks_asked(app)[bulk_id] for bulk_id in first} == first
        await advance(app, pilot, MAX_AGE / 2 + 1)
        await until(pilot, lambda: clicks_asked(app)[linked] == 2, "the sending bulk read again")
        assert clicks_asked(app)[ended] == 1  # it ended hours ago: its counts keep longer
        await advance(app, pilot, QUIET_AGE)
        await until(pilot, lambda: clicks_asked(app)[ended] == 2, "the ended bulk read again")


async def test_hidden_again_nothing_more_is_read_and_a_sort_by_clicks_ends(
    app: Lox24App, locations: Locations
) -> None:
    async with opened(app) as pilot:
        await show_and_read(pilot, app)
        main_of(app).table.sort_by("clicks", reverse=True)
        await settle(app, pilot)
        most = column_shown(app, "clicks")[0]
        assert most == max(column_shown(app, "clicks"), key=lambda t: int(t.strip("+—") or -1))
        order = shown_ids(app)
        await palette_search(pilot, "Hide clicks")
        await pilot.press("enter")
        await until(pilot, lambda: "clicks" not in main_of(app).table.columns, "columns hidden")
        assert main_of(app).table.sort_column is None
        assert shown_ids(app) == list(app.session.ids) != order  # the watch list's order
        asked = clicks_asked(app)
        await advance(app, pilot, QUIET_AGE * 2)
        assert clicks_asked(app) == asked
    saved = json.loads(locations.demo_preferences_file.read_text())
    assert saved["engagement_columns"] is False and saved["sort_column"] is None


async def test_reads_are_paid_from_the_side_work_budget(
    tmp_path: Path, locations: Locations
) -> None:
    budget = 6  # two reads of three requests a minute, delivery counts and the balance included
    clock = VirtualClock()
    fake = FakeLox24(clock=clock)
    watchlist = WatchList(tmp_path / "watch.json")
    watchlist.add_many(fake.account.watched_demo_ids())
    settings = Settings(archive_after=0, side_requests_per_minute=budget)
    app = app_on(fake, watchlist, locations, settings=settings)
    async with opened(app) as pilot:
        await show_columns(pilot, app)
        counts: list[int] = []
        for _ in range(4):
            await advance(app, pilot, 61)
            counts.append(sum(clicks_asked(app).values()))
        assert counts[-1] > counts[0], f"reads go on, a minute at a time: {counts}"
        a_minute = [later - earlier for earlier, later in zip([0, *counts], counts, strict=False)]
        assert max(a_minute) <= budget // REQUESTS, a_minute
