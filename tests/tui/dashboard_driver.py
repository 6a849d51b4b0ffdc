"""Reading and driving the dashboard as a person does: the text of the table, the pane, the bar,
the footer and the toasts, and the keys that move the cursor or fill a dialog."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, TextArea

from lox24tui.clock import VirtualClock
from lox24tui.fake import FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.account import SYSTEM_ERROR, time_uuid
from lox24tui.state.store import WatchList
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.add_bulks import AddBulksScreen
from lox24tui.tui.screens.discover import DiscoverScreen
from lox24tui.tui.screens.messages import MessagesScreen
from lox24tui.tui.widgets.detail_pane import DetailPane
from lox24tui.tui.widgets.summary_bar import SummaryBar

from .conftest import advance, fake_of, main_of, settle, until


def cell(app: Lox24App, bulk_id: str, column: str) -> str:
    return main_of(app).table.get_cell(bulk_id, column).plain


def shown_ids(app: Lox24App) -> list[str]:
    table = main_of(app).table
    return [
        str(table.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value)
        for row in range(table.row_count)
    ]


def column_shown(app: Lox24App, column: str) -> list[str]:
    """One column's text, top to bottom, as the table shows it now."""
    return [cell(app, bulk_id, column).strip() for bulk_id in shown_ids(app)]


def message_counts(app: Lox24App) -> list[int]:
    """The Messages column, top to bottom, as numbers ("12,000" is 12000)."""
    return [int(text.replace(",", "")) for text in column_shown(app, "messages")]


def toasts(app: Lox24App) -> list[str]:
    return [str(toast.render()) for toast in app.screen.query("Toast")]


def toasts_saying(app: Lox24App, text: str) -> list[Widget]:
    return [toast for toast in app.screen.query("Toast") if text in str(toast.render())]


def summary_text(app: Lox24App) -> str:
    return str(main_of(app).query_one(SummaryBar).render())


def pane_lines(app: Lox24App) -> list[Strip]:
    """The detail pane beside the table, line by line as drawn (text and styles), from its
    first line to its last, scrolled into view or not."""
    pane = main_of(app).query_one("#pane", DetailPane)
    return [
        line
        for part in pane.children
        if part.display
        for line in part.render_lines(part.region.reset_offset)
    ]


def pane_text(app: Lox24App) -> str:
    return "\n".join(line.text for line in pane_lines(app))


def by_label(app: Lox24App, label: str) -> str:
    return next(e.bulk_id for e in app.session.watchlist.entries if e.label == label)


async def cursor_to(pilot: Pilot[None], app: Lox24App, bulk_id: str) -> None:
    """Move the table's cursor onto ``bulk_id``'s row with the arrow keys, as a person would."""
    steps = shown_ids(app).index(bulk_id) - main_of(app).table.cursor_row
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps))
    assert main_of(app).table.selected_id == bulk_id


async def select(pilot: Pilot[None], app: Lox24App, label: str) -> str:
    """Move the cursor onto the bulk labelled ``label``, as a person would; its id."""
    bulk_id = by_label(app, label)
    await cursor_to(pilot, app, bulk_id)
    return bulk_id


async def open_import(pilot: Pilot[None], app: Lox24App) -> DiscoverScreen:
    """Press i and wait for the import screen's first page of the account's bulks."""
    await pilot.press("i")
    screen = app.screen
    assert isinstance(screen, DiscoverScreen)
    await until(pilot, lambda: screen.table.row_count == 30, "the first page never came")
    return screen


async def paste_into_add_dialog(
    pilot: Pilot[None], app: Lox24App, pasted: str, label: str = ""
) -> AddBulksScreen:
    """Press a, paste ``pasted`` (and a label) and press ctrl+s; returns the dialog, which stays
    open when something needs fixing."""
    await pilot.press("a")
    dialog = app.screen
    assert isinstance(dialog, AddBulksScreen)
    dialog.query_one(TextArea).text = pasted
    dialog.query_one("#label", Input).value = label
    await pilot.press("ctrl+s")
    return dialog


def two_bulks_ending_soon(tmp_path: Path) -> tuple[FakeLox24, WatchList]:
    """Two bulks sending now, watched, on a virtual clock: "finishing" ends processed and
    "failing" in a system error, both 15 s in (between two of the engine's 10 s checks)."""
    clock = VirtualClock()
    now = clock.now()
    bulks = [
        SimBulk(time_uuid(now - 600, 1), now - 600, now - 60, 1000, 75, label="finishing"),
        SimBulk(
            time_uuid(now - 600, 2),
            now - 600,
            now - 60,
            1000,
            600,
            outcome=SYSTEM_ERROR,
            ends_at=now + 15,
            label="failing",
        ),
    ]
    watchlist = WatchList(tmp_path / "w.json")
    watchlist.add_many([(bulk.uuid, bulk.label) for bulk in bulks])
    return FakeLox24(SimulatedAccount(bulks), clock=clock), watchlist


def on_screen(widget: Widget) -> str:
    """A widget's text as drawn, line by line."""
    return "\n".join(strip.text for strip in widget.render_lines(widget.region.reset_offset))


def footer_text(app: Lox24App) -> str:
    return " ".join(str(key.render()) for key in app.screen.query("FooterKey"))


def keys_panel_text(app: Lox24App) -> str:
    """The keys panel's text; "" while it is not shown, or is being rebuilt after the keys
    changed (Textual replaces its table then)."""
    tables = app.screen.query("BindingsTable")
    return on_screen(tables.first(Widget)) if tables else ""


async def detail_of(app: Lox24App, pilot: Pilot[None], bulk_id: str) -> str:
    """The detail pane's text for a bulk, one line however the pane wraps it."""
    main_of(app).table.select(bulk_id)
    if not main_of(app).pane.display:
        await pilot.press("enter")
    await until(
        pilot,
        lambda: bulk_id in pane_text(app) and "timeline" in pane_text(app),
        "the pane showing the bulk's timeline",
    )
    return " ".join(pane_text(app).replace("▏", " ").split())


async def palette_search(pilot: Pilot[None], search: str) -> list[str]:
    """Open the command palette, type ``search`` and return what it lists, each entry's title
    and help on one line."""
    app = pilot.app
    await pilot.press("ctrl+p")
    # typed before the palette is up, the letters would reach the main screen's keys
    await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette opening")
    await pilot.press(*search)
    await until(
        pilot,
        lambda: any(search.lower() in entry.lower() for entry in palette_lines(app)),
        f"the palette never offered {search!r}",
    )
    return palette_lines(app)


def palette_lines(app: App[None]) -> list[str]:
    """What the open command palette lists so far (it fills in as its search runs)."""
    lists = app.screen.query(CommandList)
    if not lists:
        return []
    entries = lists.first()
    return [
        " ".join(str(entries.get_option_at_index(i).prompt).split())
        for i in range(entries.option_count)
    ]


async def close_palette(pilot: Pilot[None], app: Lox24App) -> None:
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is main_of(app), "the palette never closed")


SENDING = "Black Friday newsletter"
"""A demo bulk sending when the demo starts, with a link: its reports arrive as the clock goes."""


def bulk_of(app: Lox24App, label: str = SENDING) -> str:
    return next(bulk.uuid for bulk in fake_of(app).account if bulk.label == label)


async def open_messages(
    app: Lox24App, pilot: Pilot[None], label: str = SENDING, *, rows: bool = True
) -> MessagesScreen:
    """The messages screen on a demo bulk, opened with m on its row, once its first page is
    listed (and has ``rows``), a minute after the demo started (reports have arrived)."""
    await settle(app, pilot)
    await advance(app, pilot, 60)
    await cursor_to(pilot, app, bulk_of(app, label))
    await pilot.press("m")
    await until(pilot, lambda: isinstance(app.screen, MessagesScreen), "m opened no messages")
    screen = app.screen
    assert isinstance(screen, MessagesScreen)
    await until(pilot, lambda: screen.is_mounted and not screen.reading_page, "never loaded")
    if rows:
        await until(pilot, lambda: screen.table.row_count > 0, "no rows")
    return screen


def column(screen: MessagesScreen, key: str) -> list[str]:
    """One column of a screen's table, top to bottom."""
    table = screen.table
    return [table.get_cell(row.key, key).plain for row in table.ordered_rows]
