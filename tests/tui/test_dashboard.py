"""The dashboard as a person uses it, driven by the Pilot on the demo account."""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from textual import events
from textual.coordinate import Coordinate
from textual.widgets import Checkbox, Input, Select, Static, TextArea

from lox24tui.api import is_bulk_id
from lox24tui.api.records import CONTRACT_FIELDS
from lox24tui.clock import VirtualClock
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.account import time_uuid
from lox24tui.session.config import Locations, Settings
from lox24tui.state.store import WatchList
from lox24tui.text import humanize
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.detail import DetailScreen
from lox24tui.tui.screens.discover import DiscoverScreen
from lox24tui.tui.screens.main import MainScreen
from lox24tui.tui.screens.token import TokenScreen
from tests.tui.dashboard_driver import (
    by_label,
    cell,
    column_shown,
    cursor_to,
    message_counts,
    open_import,
    pane_lines,
    pane_text,
    paste_into_add_dialog,
    select,
    shown_ids,
    summary_text,
    toasts,
    toasts_saying,
    two_bulks_ending_soon,
)

from .conftest import WIDE, Demo, advance, app_on, fake_of, main_of, opened, settle, until

UNKNOWN_ID = "da0fa78c-4699-11ea-a637-96000028b339"


def highlighted_fields(app: Lox24App) -> set[str]:
    """The fields whose value the detail pane shows in reverse video (changed at the last
    refresh)."""
    return {
        name[0]
        for line in pane_lines(app)
        if (name := re.search(r"[\w@]\S*", line.text))  # the first word, past the border
        and any(seg.style is not None and seg.style.reverse and seg.text.strip() for seg in line)
    }


def picked_id(screen: DiscoverScreen, row: int) -> str:
    """The bulk id on ``row`` of the import screen's list."""
    value = screen.table.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value
    assert value is not None
    return value


def bells(app: Lox24App, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every ring of the terminal bell, one entry each. A headless run has no terminal to ring,
    so the rings are counted where Textual would write the BEL character."""
    rings: list[int] = []
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    return rings


async def test_the_demo_opens_on_its_watched_bulks(app: Lox24App) -> None:
    async with opened(app):
        assert shown_ids(app) == app.session.watchlist.ids
        friday = cell(app, by_label(app, "Black Friday newsletter"), "status")
        assert re.fullmatch(r"in progress( · \d+%)?", friday)  # the share sent, once counted
        assert cell(app, by_label(app, "Tomorrow's morning promo"), "status") == "scheduled"
        assert cell(app, by_label(app, "Dry run: price check"), "status") == "processed · dry run"
        assert cell(app, by_label(app, "Empty segment test"), "status") == "no recipients"
        assert "12 watched" in summary_text(app) and "Live" in summary_text(app)


async def test_adding_valid_invalid_and_duplicate_ids(app: Lox24App) -> None:
    async with opened(app) as pilot:
        already = app.session.watchlist.ids[0]
        pasted = f"{UNKNOWN_ID}, ../me\n{already} not-a-uuid"
        dialog = await paste_into_add_dialog(pilot, app, pasted, "Pasted")
        assert app.screen is dialog  # stays open: something needs fixing
        assert dialog.query_one(TextArea).text == "../me\nnot-a-uuid"
        feedback = str(dialog.query_one("#feedback", Static).render())
        assert "Added 1" in feedback and "Skipped 1 already watched" in feedback
        assert "../me, not-a-uuid" in feedback
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.session.watchlist.ids[-1] == UNKNOWN_ID
        assert app.session.watchlist.label_of(UNKNOWN_ID) == "Pasted"
        assert cell(app, UNKNOWN_ID, "status") == "not found"
        saved = json.loads(app.session.watchlist.path.read_text())
        assert saved["bulks"][-1] == {"id": UNKNOWN_ID, "label": "Pasted"}
        log = fake_of(app).log
        assert not any(".." in entry.path or "not-a-uuid" in entry.path for entry in log)
        status_paths = [entry.path for entry in log if entry.path.startswith("/bulks/")]
        assert all(is_bulk_id(path.split("/")[2]) for path in status_paths)


async def test_remove_asks_first_and_undo_puts_it_back(app: Lox24App) -> None:
    async with opened(app) as pilot:
        target = app.session.watchlist.ids[2]
        await cursor_to(pilot, app, target)
        await pilot.press("d", "n")
        assert target in app.session.watchlist
        await pilot.press("d", "y")
        await pilot.pause()
        assert target not in app.session.watchlist and target not in shown_ids(app)
        assert target not in json.loads(app.session.watchlist.path.read_text())["bulks"].__repr__()
        await pilot.press("u")
        await settle(app, pilot)
        assert app.session.watchlist.ids[2] == target and target in shown_ids(app)
        assert main_of(app).table.selected_id == target


async def test_the_detail_pane_shows_every_field(app: Lox24App) -> None:
    async with opened(app) as pilot:
        await select(pilot, app, "Appointment reminders (voice)")
        await pilot.press("enter")
        await pilot.pause()
        text = pane_text(app)
        about = ("status", "request id", "last checked", "last error", "timeline")
        fields = [name for name in CONTRACT_FIELDS if name != "status_code"]  # shown as "status"
        for name in (*fields, *about):
            assert name in text, name
        assert "in progress (5)" in text
        assert "German (DE)" in text and "text2speech" in text
        shown = re.search(r"request id +([0-9a-f]{32})", text)
        assert shown is not None
        await pilot.press("C")  # copies it, for LOX24 support
        assert app.clipboard == shown[1]
        await pilot.press("j")
        assert '"voice_lang": "DE"' in pane_text(app)


async def test_the_pane_follows_its_bulk_through_updates(app: Lox24App) -> None:
    async with opened(app) as pilot:
        friday = await select(pilot, app, "Black Friday newsletter")
        await pilot.press("enter", "s")  # sort by label: the row moves, the pane must not
        await advance(app, pilot, 6)
        assert main_of(app).table.selected_id == friday
        assert friday in pane_text(app)
        assert "msg_total_count" in pane_text(app)


async def test_a_status_change_updates_the_row_and_toasts(app: Lox24App) -> None:
    async with opened(app) as pilot:
        store = by_label(app, "Store opening reminder")  # delivery 20 s after start
        assert cell(app, store, "status") == "scheduled"
        await advance(app, pilot, 6)
        await advance(app, pilot, 6)
        await advance(app, pilot, 10)
        assert cell(app, store, "status").startswith("in progress")
        assert toasts_saying(app, "scheduled → in progress")
        await cursor_to(pilot, app, store)
        await pilot.press("enter")
        assert re.search(r"timeline +[\d:]{8} scheduled → [\d:]{8} in\b", pane_text(app))


async def test_each_engine_state_shows_in_the_summary_bar(
    fake: FakeLox24, tmp_path: Path, locations: Locations
) -> None:
    ids = [bulk.uuid for bulk in fake.account][:5]
    watchlist = WatchList(tmp_path / "w.json")
    watchlist.add_many([(bulk_id, "") for bulk_id in ids])

    app = app_on(fake, watchlist, locations, token="1234567:" + "0" * 32)
    async with opened(app) as pilot:
        assert "Stopped" in summary_text(app) and "t enters a new token" in summary_text(app)
        assert len(fake.log) == 1

    fake.fail("status", status=429, times=1)
    app = app_on(fake, watchlist, locations)
    async with opened(app) as pilot:
        assert "Rate limited by LOX24 (429)" in summary_text(app)
        assert "10:00" in summary_text(app)
        await advance(app, pilot, 60)  # nothing is sent meanwhile: only the countdown moves
        await until(pilot, lambda: "9:00" in summary_text(app), "the countdown never moved on")
        assert len(fake.log) == 2

    app = app_on(fake, watchlist, locations)
    async with opened(app) as pilot:
        assert "Live" in summary_text(app)
        await pilot.press("p")
        assert "Paused (by you)" in summary_text(app)


async def test_the_watch_list_survives_a_restart(demo: Demo) -> None:
    app = demo()
    async with opened(app) as pilot:
        await paste_into_add_dialog(pilot, app, UNKNOWN_ID, "Kept")
        await cursor_to(pilot, app, app.session.watchlist.ids[0])
        await pilot.press("d", "y")
        await until(pilot, lambda: len(shown_ids(app)) == 12, "the removed row stayed")
    first_run = app.session.watchlist.ids
    again = demo()
    async with opened(again) as pilot:
        assert again.session.watchlist.ids == first_run
        assert shown_ids(again) == first_run
        assert again.session.watchlist.label_of(UNKNOWN_ID) == "Kept"


async def test_markup_and_escapes_from_the_server_are_shown_literally(
    tmp_path: Path, locations: Locations
) -> None:
    clock = VirtualClock()
    odd = SimBulk(
        uuid=time_uuid(clock.now() - 600, 1),
        created_at=clock.now() - 600,
        delivery_at=clock.now() - 300,
        recipients=10,
        service_code="[bold red]boom[/]\x1b[2J",
        ip="[link=http://x]y[/link]",
        unit_price=Decimal("0.1"),
    )
    fake = FakeLox24(SimulatedAccount([odd]), clock=clock)
    watchlist = WatchList(tmp_path / "w.json")
    watchlist.add(odd.uuid, "[b]label[/b]")
    app = app_on(fake, watchlist, locations)
    async with opened(app) as pilot:
        assert cell(app, odd.uuid, "label") == "[b]label[/b]"
        await cursor_to(pilot, app, odd.uuid)
        await pilot.press("enter")
        await pilot.pause()
        text = pane_text(app)
    assert "[bold red]boom[/]\\x1b[2J" in text
    assert "[link=http://x]y[/link]" in text


async def test_nulls_and_unknown_codes_have_readable_states(
    tmp_path: Path, locations: Locations
) -> None:
    ids = [f"00000000-0000-1000-8000-00000000000{n}" for n in range(4)]
    bodies = {
        ids[0]: {
            "uuid": ids[0],
            **dict.fromkeys(name for name in CONTRACT_FIELDS if name != "uuid"),
        },
        ids[1]: {"uuid": ids[1], "status_code": 42, "price": "oops"},
    }

    def respond(request: httpx.Request) -> httpx.Response:
        bulk_id = request.url.path.split("/")[2]
        if bulk_id in bodies:
            return httpx.Response(200, json=bodies[bulk_id])
        if bulk_id == ids[2]:
            return httpx.Response(502, text="<html><title>502 Bad Gateway</title></html>")
        raise httpx.ConnectError("[Errno 111] Connection refused")

    clock = VirtualClock()
    fake = FakeLox24(SimulatedAccount(), clock=clock)
    watchlist = WatchList(tmp_path / "w.json")
    watchlist.add_many([(bulk_id, "") for bulk_id in ids])
    app = app_on(fake, watchlist, locations, transport=httpx.MockTransport(respond))
    async with opened(app) as pilot:
        assert cell(app, ids[0], "status") == "no status"
        assert cell(app, ids[1], "status") == "unknown (42)"
        assert cell(app, ids[2], "status") == "LOX24 error"
        assert cell(app, ids[3], "status") == "network"
        assert cell(app, ids[2], "fresh").startswith("⚠ LOX24 error, retry in")
        await cursor_to(pilot, app, ids[1])
        await pilot.press("enter")
        await pilot.pause()
        text = " ".join(pane_text(app).split())  # however the pane's width wraps it
        assert "unknown (42) — status" in text and "not documented" in text
        assert "unreadable: 'oops'" in text


async def test_a_narrow_terminal_opens_the_detail_as_a_screen(app: Lox24App) -> None:
    async with opened(app, (100, 30)) as pilot:
        await cursor_to(pilot, app, app.session.watchlist.ids[1])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        body = app.screen.pane.body
        text = "\n".join(line.text for line in body.render_lines(body.region.reset_offset))
        assert app.session.watchlist.ids[1] in text and "msg_total_count" in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_pasted_markup_is_echoed_literally(app: Lox24App) -> None:
    async with opened(app) as pilot:
        dialog = await paste_into_add_dialog(pilot, app, "not-an-id [/b] [@click=app.quit]x[/]")
        feedback = str(dialog.query_one("#feedback", Static).render())
        assert "[/b]" in feedback and "[@click=app.quit]x[/]" in feedback
        assert app.is_running


async def test_a_watch_list_that_cannot_be_written_is_reported_not_fatal(
    app: Lox24App, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with opened(app) as pilot:
        target = app.session.watchlist.ids[0]

        def full_disk(*_: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "replace", full_disk)
        await pilot.press("d", "y")
        await pilot.pause()
        assert target not in shown_ids(app)
        said = [text for text in toasts(app) if "the change was not saved" in text]
        assert said and "no space left on the device" in said[0] and "Errno" not in said[0]
        assert app.is_running


async def test_the_cursor_stays_on_its_bulk_when_a_filtered_row_leaves(app: Lox24App) -> None:
    async with opened(app) as pilot:
        await pilot.press("slash", *"in progress", "enter")
        friday = by_label(app, "Black Friday newsletter")  # finishes 45 s in
        voice = by_label(app, "Appointment reminders (voice)")
        assert shown_ids(app) == [friday, voice]
        await cursor_to(pilot, app, voice)
        for _ in range(10):
            await advance(app, pilot, 6)
        assert friday not in shown_ids(app)
        assert main_of(app).table.selected_id == voice
        assert "filter: " in summary_text(app)


async def test_undo_right_after_remove_shows_the_bulk_again(app: Lox24App) -> None:
    async with opened(app) as pilot:
        done = await select(pilot, app, "Dry run: price check")
        await pilot.press("d", "y", "u")
        await settle(app, pilot)
        assert cell(app, done, "status") == "processed · dry run"


async def test_without_a_token_the_app_asks_checks_once_and_saves_it_privately(
    tokenless: Lox24App, fake: FakeLox24, locations: Locations
) -> None:
    app = tokenless
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TokenScreen)
        assert fake.log == []
        field = app.screen.query_one("#token", Input)
        field.value = "1234567:" + "0" * 32
        await pilot.press("enter")
        await until(
            pilot,
            lambda: "rejected" in str(app.screen.query_one("#feedback").render()),
            "the refused token was never reported",
        )
        feedback = str(app.screen.query_one("#feedback", Static).render())
        assert "rejected the API token" in feedback
        assert len(fake.log) == 1 and fake.log[0].path == "/me"
        field.value = FAKE_TOKEN
        app.screen.query_one("#save", Checkbox).value = True
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is main_of(app), "the token screen stayed open")
        await settle(app, pilot)
        assert "scheduled" in column_shown(app, "status")
        assert "checking…" not in column_shown(app, "status")
    saved = locations.config_file
    assert saved.stat().st_mode & 0o777 == 0o600
    assert FAKE_TOKEN in saved.read_text()


async def test_x_exports_what_the_dashboard_shows(app: Lox24App, tmp_path: Path) -> None:
    async with opened(app) as pilot:
        await pilot.press("x")
        target = tmp_path / "now.json"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert any("Exported 12 bulks" in text for text in toasts(app))
    records = json.loads(target.read_text())
    assert [r["id"] for r in records] == app.session.watchlist.ids
    friday = next(r for r in records if r["label"] == "Black Friday newsletter")
    assert friday["status"] == "in progress" and friday["msg_total_count"] > 0


async def test_import_picks_recent_bulks_without_typing_an_id(app: Lox24App) -> None:
    async with opened(app) as pilot:
        screen = await open_import(pilot, app)
        marks = [screen.table.get_cell_at(Coordinate(row, 0)).plain for row in range(30)]
        # the demo's twelve among the newest, with one not watched: next week's newsletter
        assert marks[:13].count("watched") == 12 and marks[13] == ""
        screen.table.move_cursor(row=13)
        await pilot.press("space", "space")  # pick two older bulks
        picked = [picked_id(screen, row) for row in (13, 14)]
        screen.table.move_cursor(row=29)  # near the end: the next page loads
        await until(pilot, lambda: screen.table.row_count > 30, "the next page never came")
        await pilot.press("w")
        await until(pilot, lambda: app.screen is main_of(app), "the import screen stayed open")
        await settle(app, pilot)
        assert app.session.watchlist.ids[-2:] == picked
        assert all(app.session.watchlist.label_of(bulk_id) for bulk_id in picked)
        assert cell(app, picked[0], "status") in ("processed", "canceled", "system error")


async def test_import_filters_by_status(app: Lox24App) -> None:
    async with opened(app) as pilot:
        screen = await open_import(pilot, app)
        screen.query_one("#status-filter", Select).value = 15
        await until(pilot, lambda: 0 < screen.table.row_count < 30, "the filter never applied")
        rows = range(screen.table.row_count)
        statuses = {screen.table.get_cell_at(Coordinate(r, 2)).plain for r in rows}
        assert statuses == {"canceled"}
        requests = fake_of(app).requests("/bulks")
        assert (
            "status_code%5B%5D=15" in requests[-1].query or "status_code[]=15" in requests[-1].query
        )


async def test_import_with_a_revoked_token_stops_like_the_engine(app: Lox24App) -> None:
    async with opened(app) as pilot:
        fake = fake_of(app)
        fake.token = "7654321:" + "1" * 32  # the account's token was revoked meanwhile
        before = len(fake.log)
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, DiscoverScreen)
        await until(pilot, lambda: "Stopped" in summary_text(app), "the engine never stopped")
        for status in (5, 10, 15):
            screen.query_one("#status-filter", Select).value = status
            await pilot.pause()
        listing = [entry.status for entry in fake.log[before:] if entry.path == "/bulks"]
        assert listing in ([401], [])  # one refused list request at most, then nothing
        await settle(app, pilot)
        assert "Stopped" in summary_text(app) and "t enters a new token" in summary_text(app)


async def test_picks_survive_a_filter_change(app: Lox24App) -> None:
    async with opened(app) as pilot:
        screen = await open_import(pilot, app)
        screen.table.move_cursor(row=20)
        picked = picked_id(screen, 20)
        await pilot.press("space")
        screen.query_one("#status-filter", Select).value = 20
        await until(pilot, lambda: screen.table.row_count < 30, "the filter never applied")
        await pilot.press("w")
        await until(pilot, lambda: app.screen is main_of(app), "the import screen stayed open")
        assert app.session.watchlist.ids[-1] == picked


async def test_sorting_follows_the_values_of_a_column(app: Lox24App) -> None:
    async with opened(app) as pilot:
        labels = column_shown(app, "label")
        counts = message_counts(app)
        assert counts != sorted(counts)  # listed unsorted, so a sort has something to do
        await pilot.press("s")
        assert column_shown(app, "label") == sorted(labels, key=str.lower)
        await pilot.press("S")
        assert column_shown(app, "label") == sorted(labels, key=str.lower, reverse=True)
        await pilot.press(*"sss")  # id ↑, status ↑, messages ↑
        assert message_counts(app) == sorted(counts)


async def test_fields_changed_at_the_last_refresh_are_highlighted(app: Lox24App) -> None:
    async with opened(app) as pilot:
        await cursor_to(pilot, app, by_label(app, "Black Friday newsletter"))  # sending
        await pilot.press("enter")
        assert highlighted_fields(app) == set()  # first sight: nothing to compare with
        await advance(app, pilot, 6)
        highlighted = highlighted_fields(app)
        assert {"price", "processed_at"} <= highlighted  # more sent, and paid for
        assert not {"uuid", "created_at", "delivery_at", "msg_total_count"} & highlighted


@pytest.mark.parametrize("bell", [True, False])
async def test_the_bell_rings_when_a_bulk_finishes_if_set(
    tmp_path: Path, locations: Locations, monkeypatch: pytest.MonkeyPatch, bell: bool
) -> None:
    fake, watchlist = two_bulks_ending_soon(tmp_path)
    app = app_on(fake, watchlist, locations, settings=Settings(bell=bell))
    rings = bells(app, monkeypatch)
    async with opened(app) as pilot:
        assert [s.split(" · ")[0] for s in column_shown(app, "status")] == ["in progress"] * 2
        await advance(app, pilot, 30)
        assert column_shown(app, "status") == ["processed", "system error"]
        assert len(rings) == (2 if bell else 0)


async def test_a_bulk_failing_toasts_as_an_error(tmp_path: Path, locations: Locations) -> None:
    fake, watchlist = two_bulks_ending_soon(tmp_path)
    app = app_on(fake, watchlist, locations)
    async with opened(app) as pilot:
        await advance(app, pilot, 30)
        failed = toasts_saying(app, "in progress → system error")
        done = toasts_saying(app, "in progress → processed")
        assert failed and all(toast.has_class("-error") for toast in failed)
        assert done and not any(toast.has_class("-error") for toast in done)


async def test_escape_clears_the_filter(app: Lox24App) -> None:
    async with opened(app) as pilot:
        await pilot.press("slash", *"scheduled", "enter")
        assert column_shown(app, "status") == ["scheduled"] * 3
        assert "filter: 3 of 12 shown" in summary_text(app)
        await pilot.press("escape")
        assert shown_ids(app) == app.session.watchlist.ids
        assert "filter:" not in summary_text(app)
        await pilot.press("slash")
        assert main_of(app).query_one("#filter", Input).value == ""


async def test_keys_typed_right_after_slash_reach_the_filter_and_a_slash_in_it_is_text(
    app: Lox24App,
) -> None:
    """A burst (fast typing, a paste, a remote terminal catching up) arrives before the filter
    has opened: every key after / must land in it, not in the table that had the focus. The
    keys are posted back to back, as a terminal's driver posts them (``pilot.press`` waits for
    the app between keys, so it cannot show this)."""
    async with opened(app) as pilot:
        for key, character in [("slash", "/"), ("i", "i"), ("n", "n"), ("slash", "/")]:
            app.post_message(events.Key(key, character))
        field = main_of(app).query_one("#filter", Input)
        await until(pilot, lambda: field.value == "in/", "the keys in the filter")
        assert shown_ids(app) == []  # nothing is "in/"
        await pilot.press("backspace")
        await until(pilot, lambda: bool(shown_ids(app)), "rows matching 'in'")


async def test_relative_times_age_between_checks(app: Lox24App) -> None:
    async with opened(app) as pilot:
        sending = next(
            i for i in shown_ids(app) if cell(app, i, "status").startswith("in progress")
        )
        assert cell(app, sending, "fresh") == "just now"
        await pilot.press("p")  # paused: nothing is checked again
        await advance(app, pilot, 90)
        await until(
            pilot,
            lambda: cell(app, sending, "fresh") == "1 min ago",
            f"'checked just now' never aged (still {cell(app, sending, 'fresh')!r})",
        )


async def test_a_finished_bulk_says_when_it_was_checked_and_never_redraws_for_it(
    app: Lox24App,
) -> None:
    async with opened(app) as pilot:
        done = by_label(app, "Dry run: price check")  # final: it is not checked again
        checked = humanize.clock_time(app.clock.now())
        assert cell(app, done, "fresh") == checked  # the time of day (TZ=UTC in these tests)
        await advance(app, pilot, 150)
        assert cell(app, done, "fresh") == checked


async def test_a_change_to_the_watch_list_file_shows_without_a_restart(
    app: Lox24App, locations: Locations
) -> None:
    async with opened(app) as pilot:
        outside, _ = WatchList.load(locations.demo_watchlist_file)  # as `lox24tui watch` does
        outside.add(UNKNOWN_ID, "From the shell")
        notice = "changed outside this window: 1 added"
        await until(pilot, lambda: bool(toasts_saying(app, notice)), "the change went unnoticed")
        assert UNKNOWN_ID in shown_ids(app)
        await settle(app, pilot)
        assert cell(app, UNKNOWN_ID, "label") == "From the shell"
        assert cell(app, UNKNOWN_ID, "status") == "not found"
