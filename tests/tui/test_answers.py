"""Issue: every action answered, what the user just did kept in sight (the dashboard's side of
what a newcomer trips on), driven by the Pilot on the demo account."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from pathlib import Path

import httpx
from textual.widgets.data_table import ColumnKey

from lox24tui.engine.bulk_state import BulkState
from lox24tui.fake import FakeLox24
from lox24tui.session.config import Locations, Settings
from lox24tui.state.store import WatchList
from lox24tui.tui.app import Lox24App
from lox24tui.tui.cells import COLUMNS
from lox24tui.tui.screens.add_bulks import AddBulksScreen
from lox24tui.tui.screens.dialogs import ConfirmScreen
from lox24tui.tui.screens.main import MainScreen
from tests.tui.dashboard_driver import (
    by_label,
    column_shown,
    cursor_to,
    pane_text,
    summary_text,
    toasts,
    toasts_saying,
)

from .conftest import WIDE, Demo, advance, app_on, main_of, opened, settle, until


async def test_escape_closes_the_keys_panel_and_then_means_back_again(app: Lox24App) -> None:
    async with opened(app) as pilot:
        await pilot.press("v")  # the pane is open: Esc would close it
        assert main_of(app).pane.display
        await pilot.press("question_mark")
        await until(pilot, lambda: bool(app.screen.query("HelpPanel")), "no keys panel")
        await pilot.press("escape")
        await until(pilot, lambda: not app.screen.query("HelpPanel"), "Esc left the keys panel")
        assert isinstance(app.screen, MainScreen)
        assert main_of(app).pane.display  # the first Esc was the panel's only
        await pilot.press("escape")
        assert not main_of(app).pane.display


async def test_the_pane_says_what_processed_at_is_and_how_many_wait_to_be_sent(
    app: Lox24App,
) -> None:
    async with opened(app) as pilot:
        sending = by_label(app, "Black Friday newsletter")  # in progress: messages still going
        await cursor_to(pilot, app, sending)
        await pilot.press("enter")
        await until(pilot, lambda: "counted" in pane_text(app), "no delivery count in the pane")
        await advance(app, pilot, 10)  # a newer status; the count stays as it was
        text = " ".join(pane_text(app).split())
        assert "time of the last change" in text
        state = app.session.states[sending]
        assert state.reply is not None and state.delivery is not None
        expected, counted = state.reply.status.msg_total_count, state.delivery.total
        assert counted == expected == 12_000  # all created when it started; sent over a while
        waiting = state.delivery.waiting
        assert 0 < waiting < counted
        assert f"waiting to be sent {waiting:,}" in text


async def test_the_add_dialog_shows_its_title_fields_and_buttons_at_80x24(app: Lox24App) -> None:
    async with opened(app, (80, 24)) as pilot:
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AddBulksScreen), "a did not open it")
        await pilot.pause()
        frame = app.screen.query_one("#dialog")
        inside = frame.content_region
        for part in (".title", "#ids", "#label", "#add"):
            region = app.screen.query_one(part).region
            assert inside.contains_region(region), f"{part} is cut off at 80×24"


async def test_notices_name_the_keys_of_the_keymap(demo: Demo) -> None:
    app = demo(
        settings=Settings(
            archive_after=0, keys={"undo": "U", "main.archived": "H", "main.add": "plus"}
        )
    )
    async with opened(app) as pilot:
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "d did not ask")
        question = str(app.screen.query_one("Static").render())
        assert "U undoes it" in question and "u undoes" not in question
        await pilot.press("y")
        await until(pilot, lambda: bool(toasts_saying(app, "(U undoes it)")), "no U in the toast")
        await pilot.press("H")
        await until(pilot, lambda: bool(toasts_saying(app, "archive_after is 0")), "H was silent")
        assert not any("(A " in text for text in toasts(app))


class HeldBack(httpx.AsyncBaseTransport):
    """The fake behind a gate: no answer comes until the test opens it."""

    def __init__(self, fake: FakeLox24) -> None:
        self._inner = httpx.ASGITransport(app=fake)
        self.gate = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self.gate.wait()
        return await self._inner.handle_async_request(request)


async def test_until_lox24_answers_the_bar_and_the_rows_say_checking(
    fake: FakeLox24, tmp_path: Path, locations: Locations
) -> None:
    watchlist = WatchList(tmp_path / "watch.json")
    watchlist.add_many(fake.account.watched_demo_ids())
    held = HeldBack(fake)
    app = app_on(fake, watchlist, locations, transport=held)
    async with app.run_test(size=WIDE) as pilot:
        watched = len(watchlist.ids)
        await until(pilot, lambda: "checking…" in summary_text(app), "the bar never said so")
        assert summary_text(app).startswith(f"{watched} watched · {watched} checking…")
        assert set(column_shown(app, "status")) == {"checking…"}
        held.gate.set()
        await settle(app, pilot)
        assert "checking…" not in summary_text(app)
        assert "checking…" not in column_shown(app, "status")


CHECKED = next(column for column in COLUMNS if column.key == "fresh")


async def test_before_the_first_answers_checked_is_no_wider_than_its_title(
    fake: FakeLox24, tmp_path: Path, locations: Locations
) -> None:
    """The rows' placeholder fits Checked. Columns widen when a text outgrows them and do not
    narrow at each answer, so a wider one left the table wider at 80 columns, or not,
    depending on when LOX24's first answers came."""
    watchlist = WatchList(tmp_path / "watch.json")
    watchlist.add_many(fake.account.watched_demo_ids())
    held = HeldBack(fake)
    app = app_on(fake, watchlist, locations, transport=held)
    async with app.run_test(size=(80, 24)) as pilot:
        table = main_of(app).table
        await until(pilot, lambda: table.row_count == len(watchlist.ids), "the rows shown")
        assert set(column_shown(app, "fresh")) == {"not yet"}
        assert table.columns[ColumnKey("fresh")].width == CHECKED.min_width
        held.gate.set()
        await settle(app, pilot)
        assert "not yet" not in column_shown(app, "fresh")
        assert table.columns[ColumnKey("fresh")].width == CHECKED.min_width


LIFECYCLE = ("scheduled", "new", "in progress", "processed", "canceled", "system error")


async def test_status_sorts_in_lifecycle_order_and_a_dash_stays_last_both_ways(
    app: Lox24App,
) -> None:
    async with opened(app) as pilot:
        await pilot.press(*"sss")  # label, id, status
        steps = [
            next(i for i, word in enumerate(LIFECYCLE) if label.startswith(word))
            for label in column_shown(app, "status")
            if label.startswith(LIFECYCLE)
        ]
        assert steps == sorted(steps) and len(set(steps)) >= 4
        await pilot.press(*"ss")  # messages, delivered
        delivered = column_shown(app, "delivered")
        assert "—" in delivered and delivered[0] != "—"
        assert delivered[-delivered.count("—") :] == ["—"] * delivered.count("—")
        await pilot.press("S")  # descending: the dashes still last
        delivered = column_shown(app, "delivered")
        assert delivered[0] != "—"
        assert delivered[-delivered.count("—") :] == ["—"] * delivered.count("—")


async def test_costs_line_up_with_two_decimals_while_the_pane_keeps_the_exact_amount(
    app: Lox24App,
) -> None:
    async with opened(app) as pilot:
        odd = None
        for _ in range(20):  # until a price runs to fractions of a cent (the demo's 0.075)
            await advance(app, pilot, 1)
            odd = next((b for b, s in app.session.states.items() if _past_cents(s)), None)
            if odd is not None:
                break
        costs = [text for text in column_shown(app, "cost") if text != "—"]
        assert costs and all(re.fullmatch(r"[\d,]+\.\d\d", text) for text in costs), costs
        assert odd is not None  # the demo prices in fractions of a cent
        await cursor_to(pilot, app, odd)
        await pilot.press("enter")
        reply = app.session.states[odd].reply
        assert reply is not None and reply.status.price is not None
        assert f"{reply.status.price:,}" in pane_text(app)  # every decimal LOX24 sent


def _past_cents(state: BulkState) -> bool:
    price = state.reply.status.price if state.reply is not None else None
    return price is not None and price != price.quantize(Decimal("0.01"))


async def test_the_bar_names_a_remapped_pause_key(demo: Demo) -> None:
    app = demo(settings=Settings(archive_after=0, keys={"main.pause": "P"}))
    async with opened(app) as pilot:
        await pilot.press("P")
        await until(pilot, lambda: "Paused" in summary_text(app), "P did not pause")
        assert "P resumes." in summary_text(app) and "p resumes" not in summary_text(app)


async def test_at_80_columns_a_refused_token_still_shows_the_keys_out_of_it(
    fake: FakeLox24, tmp_path: Path, locations: Locations
) -> None:
    watchlist = WatchList(tmp_path / "watch.json")
    watchlist.add_many(fake.account.watched_demo_ids())
    app = app_on(fake, watchlist, locations, token="1234567:" + "0" * 32)
    async with opened(app, (80, 24)):
        state_line = summary_text(app).splitlines()[1]
        assert "LOX24 refused the token (401)" in state_line
        assert "t enters a new token, p tries this one again." in state_line
