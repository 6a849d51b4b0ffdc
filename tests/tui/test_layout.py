"""The layout fits the terminal: the detail pane beside the table or over it, scrolled with keys,
columns sized to their content and the terminal, dialogs within the screen."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Button, Static

from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.detail import DetailScreen
from lox24tui.tui.screens.main import MainScreen
from lox24tui.tui.widgets.detail_pane import DetailPane

from .conftest import Demo, main_of, opened, settle, until

UNKNOWN_ID = "da0fa78c-4699-11ea-a637-96000028b339"


def line_of(pane: DetailPane, text: str) -> Region:
    """Where on screen the pane's line holding ``text`` is drawn (its parts are scrolled)."""
    for part in pane.children:
        if not part.display:
            continue
        lines = [strip.text for strip in part.render_lines(part.region.reset_offset)]
        index = next((i for i, line in enumerate(lines) if text in line), None)
        if index is not None:
            return Region(part.region.x, part.region.y + index, part.region.width, 1)
    raise AssertionError(f"{text!r} is nowhere in the pane")


def in_view(pane: DetailPane, text: str) -> bool:
    """The line holding ``text`` is within the part of the pane on screen."""
    return pane.scrollable_content_region.contains_region(line_of(pane, text))


def within_screen(widget: Widget) -> bool:
    return widget.screen.region.contains_region(widget.region)


@pytest.mark.waits
async def test_the_pane_scrolls_to_its_timeline_with_keys_at_80x24(app: Lox24App) -> None:
    async with opened(app, (80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        pane = app.screen.pane
        assert not in_view(pane, "timeline")
        await pilot.press("end")
        await pilot.pause()
        assert in_view(pane, "timeline")
        await pilot.press("home")
        await pilot.pause()
        assert in_view(pane, "msg_total_count") and not in_view(pane, "timeline")
        for _ in range(40):
            await pilot.press("down")
        await pilot.pause()
        assert in_view(pane, "timeline")


async def test_the_side_pane_scrolls_with_keys_once_focused(app: Lox24App) -> None:
    async with opened(app, (120, 24)) as pilot:
        await pilot.press("enter", "tab")
        await pilot.pause()
        pane = main_of(app).pane
        assert pane.display and pane.has_focus
        assert not in_view(pane, "timeline")
        await pilot.press("pagedown", "pagedown", "pagedown")
        await pilot.pause()
        assert in_view(pane, "timeline")


async def test_the_pane_moves_beside_and_over_the_table_as_the_terminal_resizes(
    app: Lox24App,
) -> None:
    async with opened(app, (200, 50)) as pilot:
        bulk_id = app.session.watchlist.ids[1]
        main_of(app).table.select(bulk_id)
        await pilot.press("enter")
        await pilot.pause()
        assert main_of(app).pane.display and main_of(app).pane.bulk_id == bulk_id
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: isinstance(app.screen, DetailScreen), "the pane stayed beside")
        assert isinstance(app.screen, DetailScreen)  # for the type checker
        assert app.screen.pane.bulk_id == bulk_id
        assert within_screen(app.screen.pane)
        await pilot.resize_terminal(200, 50)
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the pane stayed over")
        assert main_of(app).pane.display and main_of(app).pane.bulk_id == bulk_id
        assert main_of(app).pane.region.x > main_of(app).table.region.x


def table_lines(app: Lox24App) -> list[str]:
    """The table as drawn: the header, then each visible row."""
    table = main_of(app).table
    return [strip.text.rstrip() for strip in table.render_lines(table.region.reset_offset)]


def row_line(app: Lox24App, bulk_id: str) -> str:
    return table_lines(app)[1 + main_of(app).table.get_row_index(bulk_id)]


async def test_the_checked_column_is_entirely_visible_at_120_columns(app: Lox24App) -> None:
    async with opened(app, (120, 35)) as pilot:
        app.session.add([UNKNOWN_ID], "")  # a failure, explained in the Checked column
        await settle(app, pilot)
        assert table_lines(app)[0].endswith("Checked")
        for bulk_id in app.session.watchlist.ids:
            checked = main_of(app).table.get_cell(bulk_id, "fresh").plain
            assert row_line(app, bulk_id).endswith(checked), checked
        assert "not found" in row_line(app, UNKNOWN_ID)


@pytest.mark.waits
async def test_with_the_pane_open_at_120_columns_right_scrolls_to_the_checked_column(
    app: Lox24App,
) -> None:
    async with opened(app, (120, 35)) as pilot:
        await pilot.press("v")
        await pilot.pause()
        main = main_of(app)
        assert main.pane.display and "Checked" not in table_lines(app)[0]
        for _ in range(60):
            await pilot.press("right")
            await pilot.pause()
            if "Checked" in table_lines(app)[0]:
                break
        assert table_lines(app)[0].rstrip().endswith("Checked")
        assert main.pane.display
        await pilot.press("home")
        await pilot.pause()
        assert table_lines(app)[0].lstrip().startswith("Label")


async def test_a_long_label_is_shown_whole_at_200_columns(demo: Demo) -> None:
    label = "Quarterly loyalty programme reminder, second wave"
    app = demo()
    async with opened(app, (200, 50)) as pilot:
        app.session.add([UNKNOWN_ID], label)
        await settle(app, pilot)
        assert label in row_line(app, UNKNOWN_ID)


async def test_ids_sharing_their_first_8_characters_are_told_apart(demo: Demo) -> None:
    twins = [UNKNOWN_ID, "da0fa78c-5123-11ea-a637-96000028b339"]
    app = demo()
    async with opened(app, (120, 35)) as pilot:
        app.session.add(twins, "")
        await settle(app, pilot)
        shown = [main_of(app).table.get_cell(bulk_id, "id").plain for bulk_id in twins]
        assert shown[0] != shown[1]
        for bulk_id, text in zip(twins, shown, strict=True):
            assert text in row_line(app, bulk_id)
            assert bulk_id.startswith(text.rstrip("…"))


async def test_the_add_dialog_shows_its_feedback_and_buttons_at_60x20(app: Lox24App) -> None:
    async with opened(app, (60, 20)) as pilot:
        await pilot.press("a")
        await pilot.press(*"not-an-id")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        dialog = app.screen
        feedback = dialog.query_one("#feedback", Static)
        assert "Not bulk ids" in str(feedback.render())
        for widget in [feedback, *dialog.query(Button)]:
            assert within_screen(widget), widget
