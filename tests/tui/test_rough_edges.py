"""Rough edges a new user hit in the dashboard, each checked the way that user would notice it:
by what the table, its headers, the toasts, the summary bar, the panes and dialogs show."""

from __future__ import annotations

import re
from collections.abc import Callable

from textual.command import CommandList
from textual.pilot import Pilot
from textual.widget import Widget

from lox24tui.tui.app import Lox24App
from lox24tui.tui.cells import COLUMNS

from .conftest import settle, until
from .test_dashboard import (
    WIDE,
    column_shown,
    message_counts,
    shown_ids,
    toasts_saying,
)

UNKNOWN_ID = "da0fa78c-4699-11ea-a637-96000028b339"
WRONG_TOKEN = "1234567:" + "0" * 32


def on_screen(widget: Widget) -> str:
    """A widget's text as drawn, line by line."""
    return "\n".join(strip.text for strip in widget.render_lines(widget.region.reset_offset))


def header_of(app: Lox24App, title: str) -> str:
    """The drawn header of the column titled ``title`` (with its arrow, if sorted by)."""
    row = on_screen(app.main.table).splitlines()[0]
    match = re.search(rf"{re.escape(title)}( [▲▼])?", row)
    assert match is not None, f"no {title!r} header in {row!r}"
    return match.group(0)


def arrows(app: Lox24App) -> list[str]:
    return re.findall(r"\S+ [▲▼]", on_screen(app.main.table).splitlines()[0])


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
    await pilot.press(*search)
    await until(
        pilot,
        lambda: any(search.lower() in entry.lower() for entry in palette_entries(app)[:1]),
        f"the palette never offered {search!r}",
    )
    await pilot.press("enter")


# ------------------------------------------------------------------ 1. sorting


async def test_s_steps_through_each_column_then_back_to_watch_list_order(
    demo: Callable[..., Lox24App],
) -> None:
    app = demo()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(app, pilot)
        listed = shown_ids(app)
        labels = column_shown(app, "label")
        assert arrows(app) == []
        await pilot.press("s")
        assert header_of(app, "Label") == "Label ▲"
        assert column_shown(app, "label") == sorted(labels, key=str.lower)
        for column in COLUMNS[1:]:
            await pilot.press("s")
            assert header_of(app, column.title) == f"{column.title} ▲"
            assert len(arrows(app)) == 1
        await pilot.press("s")  # one press per column, and one more: the cycle is over
        assert shown_ids(app) == listed
        assert arrows(app) == []
        assert toasts_saying(app, "Watch-list order")


async def test_capital_s_reverses_the_sort(demo: Callable[..., Lox24App]) -> None:
    app = demo()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(app, pilot)
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


async def test_the_palette_picks_a_column_or_the_watch_list_order(
    demo: Callable[..., Lox24App],
) -> None:
    app = demo()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(app, pilot)
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
        await until(pilot, lambda: app.screen is app.main, "the palette never closed")
        assert header_of(app, "Messages") == "Messages ▲"
        assert message_counts(app) == sorted(counts)

        await pilot.press("ctrl+p")
        await palette_pick(pilot, "Sort by")
        await palette_pick(pilot, "Watch-list order")
        await until(pilot, lambda: app.screen is app.main, "the palette never closed")
        assert shown_ids(app) == listed and arrows(app) == []
