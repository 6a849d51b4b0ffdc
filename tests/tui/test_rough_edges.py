"""Rough edges a new user hit in the dashboard, each checked the way that user would notice it:
by what the table, its headers, the toasts, the summary bar, the panes and dialogs show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, Static

from lox24tui.fake import FakeLox24
from lox24tui.session.config import Locations, load_settings
from lox24tui.state.store import WatchList
from lox24tui.tui.app import Lox24App
from lox24tui.tui.cells import COLUMNS
from lox24tui.tui.screens.token import TokenScreen
from lox24tui.tui.widgets.summary_bar import SummaryBar
from tests.tui.dashboard_driver import (
    by_label,
    cell,
    column_shown,
    cursor_to,
    footer_text,
    message_counts,
    on_screen,
    pane_text,
    paste_into_add_dialog,
    shown_ids,
    summary_text,
    toasts,
    toasts_saying,
)

from .conftest import WIDE, Demo, advance, app_on, fake_of, main_of, opened, settle, until

UNKNOWN_ID = "da0fa78c-4699-11ea-a637-96000028b339"
WRONG_TOKEN = "1234567:" + "0" * 32


def header_of(app: Lox24App, title: str) -> str:
    """The drawn header of the column titled ``title`` (with its arrow, if sorted by)."""
    row = on_screen(main_of(app).table).splitlines()[0]
    match = re.search(rf"{re.escape(title)}( [A-Z]{{3}})?( [▲▼])?", row)
    assert match is not None, f"no {title!r} header in {row!r}"
    return match.group(0)


def arrows(app: Lox24App) -> list[str]:
    return re.findall(r"\S+ [▲▼]", on_screen(main_of(app).table).splitlines()[0])


def palette_entries(app: Lox24App) -> list[str]:
    """What the open command palette lists, top to bottom, each entry's first line."""
    lists = app.screen.query(CommandList)
    if not lists:
        return []
    entries = lists.first()
    return [
        str(entries.get_option_at_index(i).prompt).splitlines()[0]
        for i in range(entries.option_count)
    ]


async def palette_pick(pilot: Pilot[None], search: str) -> None:
    """Type ``search`` into the open command palette and pick what it lists first."""
    app = pilot.app
    assert isinstance(app, Lox24App)
    # typed before the palette is up, the letters would reach the main screen's keys
    await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette opening")
    await pilot.press(*search)
    await until(
        pilot,
        lambda: any(search.lower() in entry.lower() for entry in palette_entries(app)[:1]),
        f"the palette never offered {search!r}",
    )
    await pilot.press("enter")


# ------------------------------------------------------------------ 1. sorting


async def test_s_steps_through_each_column_then_back_to_watch_list_order(app: Lox24App) -> None:
    async with opened(app) as pilot:
        listed = shown_ids(app)
        labels = column_shown(app, "label")
        assert arrows(app) == []
        await pilot.press("s")
        assert header_of(app, "Label") == "Label ▲"
        assert column_shown(app, "label") == sorted(labels, key=str.lower)
        for column in COLUMNS[1:]:
            await pilot.press("s")
            currency = " EUR" if column.key == "cost" else ""  # the account's, from GET /me
            assert header_of(app, column.title) == f"{column.title}{currency} ▲"
            assert len(arrows(app)) == 1
        await pilot.press("s")  # one press per column, and one more: the cycle is over
        assert shown_ids(app) == listed
        assert arrows(app) == []
        assert toasts_saying(app, "Watch-list order")


async def test_capital_s_reverses_the_sort(app: Lox24App) -> None:
    async with opened(app) as pilot:
        labels = column_shown(app, "label")
        await pilot.press("S")
        assert toasts_saying(app, "s sorts it by a column first")
        await pilot.press("s", "S")
        assert header_of(app, "Label") == "Label ▼"
        assert column_shown(app, "label") == sorted(labels, key=str.lower, reverse=True)
        assert toasts_saying(app, "Sorted by Label, descending")
        await pilot.press("S")
        assert header_of(app, "Label") == "Label ▲"
        assert column_shown(app, "label") == sorted(labels, key=str.lower)


@pytest.mark.waits
async def test_the_palette_picks_a_column_or_the_watch_list_order(app: Lox24App) -> None:
    async with opened(app) as pilot:
        listed = shown_ids(app)
        counts = message_counts(app)
        await pilot.press("ctrl+p")
        await palette_pick(pilot, "Sort by")
        await until(
            pilot,
            lambda: len(palette_entries(app)) == len(COLUMNS) + 1,
            "the picker does not list one entry per column and the watch-list order",
        )
        titles = {column.title for column in COLUMNS}
        assert set(palette_entries(app)) == titles | {"Watch-list order"}
        await palette_pick(pilot, "Messages")
        await until(pilot, lambda: app.screen is main_of(app), "the palette never closed")
        assert header_of(app, "Messages") == "Messages ▲"
        assert message_counts(app) == sorted(counts)

        await pilot.press("ctrl+p")
        await palette_pick(pilot, "Sort by")
        await palette_pick(pilot, "Watch-list order")
        await until(pilot, lambda: app.screen is main_of(app), "the palette never closed")
        assert shown_ids(app) == listed and arrows(app) == []


# ------------------------------------------------------------------ 2. refresh while paused


async def test_r_while_paused_fetches_that_bulk_and_only_that_one(app: Lox24App) -> None:
    async with opened(app) as pilot:
        store = by_label(app, "Store opening reminder")  # delivery 20 s after start
        await pilot.press("p")
        await advance(app, pilot, 25)
        assert cell(app, store, "status") == "scheduled"  # paused: nobody looked
        sent = len(fake_of(app).log)
        await cursor_to(pilot, app, store)
        await pilot.press("r")
        await settle(app, pilot)
        assert toasts_saying(app, "Refreshing…")
        assert cell(app, store, "status").startswith("in progress")
        assert len(fake_of(app).log) == sent + 1
        assert "Paused" in summary_text(app)


async def test_r_says_why_the_account_guard_holds_the_request(app: Lox24App) -> None:
    async with opened(app) as pilot:
        fake = fake_of(app)
        await pilot.press("p")
        fake.fail("status", status=429, times=1)
        await pilot.press("r")  # sent although paused: LOX24 answers 429
        await settle(app, pilot)
        sent = len(fake.log)
        await pilot.press("r")
        await settle(app, pilot)
        assert len(fake.log) == sent  # the guard kept it back...
        assert toasts_saying(app, "Not refreshed: LOX24 answered 429")  # ...and it says so
        assert len(toasts_saying(app, "Refreshing…")) == 1  # the first r only


# ------------------------------------------------------------------ 3. the token dialog


async def test_the_token_dialog_says_what_to_do_in_it(tokenless: Lox24App) -> None:
    app = tokenless
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, TokenScreen)
        field = dialog.query_one("#token", Input)
        assert "Paste the API token" in on_screen(field)
        assert not re.search(r"\d{7}:", on_screen(field))  # nothing that looks like a token
        field.value = WRONG_TOKEN
        await pilot.press("enter")
        feedback = dialog.query_one("#feedback", Static)
        await until(pilot, lambda: "rejected" in on_screen(feedback), "no answer shown")
        said = " ".join(on_screen(feedback).split())
        assert "Paste another one" in said
        assert "LOX24_TOKEN" not in said


async def test_the_save_checkbox_shows_a_tick_only_when_ticked(tokenless: Lox24App) -> None:
    app = tokenless
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.pause()
        save = app.screen.query_one("#save")
        assert "✔" not in on_screen(save) and "X" not in on_screen(save)
        await pilot.click("#save")
        assert "✔" in on_screen(save)
        await pilot.click("#save")
        assert "✔" not in on_screen(save)


# ------------------------------------------------------------------ 4. small things


async def test_u_with_nothing_to_undo_answers_and_stays_out_of_the_footer(app: Lox24App) -> None:
    async with opened(app) as pilot:
        assert "Undo" not in footer_text(app)
        await pilot.press("u")
        await until(pilot, lambda: bool(toasts_saying(app, "Nothing to undo")), "u was silent")
        await pilot.press("d", "y")
        await until(pilot, lambda: "Undo" in footer_text(app), "Undo never reached the footer")


async def test_raw_json_of_an_unknown_bulk_shows_the_404_and_its_request_id(
    fake: FakeLox24, tmp_path: Path, locations: Locations
) -> None:
    watchlist = WatchList(tmp_path / "w.json")
    watchlist.add(UNKNOWN_ID, "Typo")
    app = app_on(fake, watchlist, locations)
    async with opened(app) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: "request id" in pane_text(app), "the pane never opened")
        match = re.search(r"request id\s+(\S+)", pane_text(app))
        assert match is not None and match.group(1) != "—"
        request_id = match.group(1)
        await pilot.press("j")
        await until(pilot, lambda: "(404)" in pane_text(app), "j never showed the raw answer")
        raw = " ".join(pane_text(app).split())
        assert request_id in raw
        assert "no response yet" not in raw


async def test_pausing_says_paused_once(app: Lox24App) -> None:
    async with opened(app) as pilot:
        await pilot.press("p")
        assert "Paused (by you)" in summary_text(app)
        assert summary_text(app).lower().count("paused") == 1


async def test_a_label_ending_in_a_period_is_quoted_without_a_double_period(app: Lox24App) -> None:
    async with opened(app) as pilot:
        await paste_into_add_dialog(pilot, app, UNKNOWN_ID, "Black Friday, 27.11.")
        await settle(app, pilot)
        await cursor_to(pilot, app, UNKNOWN_ID)
        await pilot.press("d", "y")
        await pilot.pause()
        [stopped] = [text for text in toasts(app) if "Stopped watching" in text]
        assert "“Black Friday, 27.11.”" in stopped and ".." not in stopped


async def test_the_summary_keeps_to_its_two_lines_at_120_columns(app: Lox24App) -> None:
    async with opened(app, (120, 35)) as pilot:
        await advance(app, pilot, 60)  # more statuses than at the start
        bar = main_of(app).query_one(SummaryBar)

        def lines() -> list[str]:
            return [line.rstrip() for line in on_screen(bar).splitlines()]

        assert bar.region.height == 2
        counts, engine = lines()
        assert not counts.endswith("…") and not engine.endswith("…")
        assert "messages" in counts and "● Live" in engine
        numbers = [int(n) for n in re.findall(r"· (\d+) ", counts)]
        watched = int(counts.split()[0])
        assert watched == 12 and sum(numbers) == watched  # counts folded, none lost

        await pilot.press("slash", "o")
        await pilot.pause()
        assert bar.region.height == 2
        counts, _ = lines()
        assert re.search(r"filter: \d+ of 12 shown$", counts)
        await pilot.press("escape")

        fake_of(app).fail("status", status=503)
        for _ in range(6):
            await advance(app, pilot, 5)
        assert bar.region.height == 2
        _, engine = lines()
        assert "LOX24 unreachable since" in engine and "until it answers)" in engine

        await pilot.resize_terminal(60, 35)  # too narrow for anything: cropped, never wrapped
        await until(
            pilot,
            lambda: all(line.endswith("…") for line in lines()),
            "the bar's lines were never cropped at 60 columns",
        )
        assert bar.region.height == 2 and len(lines()) == 2


async def test_a_misspelt_theme_is_named_at_start(demo: Demo, locations: Locations) -> None:
    locations.config_file.parent.mkdir(parents=True, exist_ok=True)
    locations.config_file.write_text('theme = "textual-drak"\n')
    app = demo(settings=load_settings(locations))
    async with opened(app):
        [warning] = [text for text in toasts(app) if "textual-drak" in text]
        assert f"(theme in {locations.config_file}, line 1)" in warning
        assert "Did you mean textual-dark" in warning
        assert "^p → Theme" in warning
