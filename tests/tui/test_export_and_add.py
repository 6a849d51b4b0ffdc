"""The `x` export follows the screen (filter, sort, a file already there), and the add dialog
keeps every key of a fast burst, driven by the Pilot on the demo account."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Label, Static

from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.dialogs import ConfirmScreen, LabelScreen
from lox24tui.tui.screens.export import ExportScreen
from tests.tui.dashboard_driver import shown_ids, toasts

from .conftest import main_of, opened, until

WIDE = (180, 50)
NEW_IDS = [f"da0fa78c-4699-11ea-a637-96000000000{n}" for n in range(3)]

KEY_NAMES = {" ": "space", "-": "minus", "\n": "enter", "\t": "tab"}
KEY_CHARACTERS = {"tab": "\t", "enter": "\r", "ctrl+s": "\x13"}


async def export_dialog(pilot: Pilot[None], app: Lox24App) -> ExportScreen:
    """Press x; returns the export dialog."""
    await pilot.press("x")
    dialog = app.screen
    assert isinstance(dialog, ExportScreen)
    return dialog


def title_of(dialog: ExportScreen) -> str:
    return str(dialog.query_one(".title", Label).render())


async def export_to(pilot: Pilot[None], app: Lox24App, target: Path) -> None:
    """Press x, name ``target`` and press Enter."""
    dialog = await export_dialog(pilot, app)
    dialog.query_one(Input).value = str(target)
    await pilot.press("enter")


def exported_ids(target: Path) -> list[str]:
    return [record["id"] for record in json.loads(target.read_text())]


def burst(app: Lox24App, *keys: str) -> None:
    """Send ``keys`` to the app back to back, as a terminal's driver does with a paste or fast
    typing: each a character or a key name. ``pilot.press`` cannot stand in: it waits for the
    app to go idle after every key, so no key ever arrives while an earlier one is pending."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(KEY_NAMES.get(key, key), key))
        else:
            app.post_message(events.Key(key, KEY_CHARACTERS.get(key)))


@pytest.mark.parametrize(
    ("separator", "submit"),
    [
        ("\n", "ctrl+s"),  # ctrl+s runs at once: the fields must have every key first
        (" ", "enter"),  # Enter reaches the label only if Tab moved the focus in time
    ],
    ids=["ctrl+s", "enter"],
)
async def test_a_burst_of_ids_tab_label_and_submit_adds_every_id_with_its_label_in_order(
    app: Lox24App, separator: str, submit: str
) -> None:
    async with opened(app) as pilot:
        before = list(app.session.watchlist.ids)
        await pilot.press("a")
        burst(app, *separator.join(NEW_IDS), "tab", *"My label", submit)
        await until(pilot, lambda: app.screen is main_of(app), "the add dialog stayed open")
        assert app.session.watchlist.ids == [*before, *NEW_IDS]
        assert [app.session.watchlist.label_of(bulk_id) for bulk_id in NEW_IDS] == ["My label"] * 3


async def test_x_exports_only_the_filtered_rows_in_the_order_shown(
    app: Lox24App, tmp_path: Path
) -> None:
    target = tmp_path / "scheduled.json"
    async with opened(app) as pilot:
        await pilot.press("slash", *"scheduled", "enter")
        shown = shown_ids(app)
        assert 0 < len(shown) < len(app.session.watchlist.ids)
        await export_to(pilot, app, target)
        await until(pilot, lambda: target.exists(), "nothing was exported")
        assert any(f"Exported {len(shown)} bulks" in text for text in toasts(app))
    assert exported_ids(target) == shown


async def test_x_exports_in_the_sorted_order(app: Lox24App, tmp_path: Path) -> None:
    target = tmp_path / "by-label.json"
    async with opened(app) as pilot:
        await pilot.press("s")  # by label, ascending
        shown = shown_ids(app)
        assert shown != app.session.watchlist.ids and sorted(shown) == sorted(
            app.session.watchlist.ids
        )
        await export_to(pilot, app, target)
        await until(pilot, lambda: target.exists(), "nothing was exported")
    assert exported_ids(target) == shown


async def test_the_export_dialog_says_how_many_bulks_it_writes(app: Lox24App) -> None:
    async with opened(app) as pilot:
        dialog = await export_dialog(pilot, app)
        assert title_of(dialog) == f"Export all {len(app.session.watchlist.ids)} bulks"
        await pilot.press("escape", "slash", *"scheduled", "enter")
        dialog = await export_dialog(pilot, app)
        assert title_of(dialog) == f"Export {len(shown_ids(app))} shown bulks"


async def test_an_existing_file_is_kept_when_the_user_says_no(
    app: Lox24App, tmp_path: Path
) -> None:
    target = tmp_path / "mine.json"
    target.write_bytes(b"\x00precious\r\n")
    async with opened(app) as pilot:
        await export_to(pilot, app, target)
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one(Static).render())
        assert f"{target} exists" in question
        await pilot.press("n")
        assert isinstance(app.screen, ExportScreen)  # to choose another name
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is main_of(app), "the export dialog stayed open")
        assert not any("Exported" in text for text in toasts(app))
    assert target.read_bytes() == b"\x00precious\r\n"


async def test_an_existing_file_is_replaced_when_the_user_says_yes(
    app: Lox24App, tmp_path: Path
) -> None:
    target = tmp_path / "old.json"
    target.write_text("old export\n")
    async with opened(app) as pilot:
        await export_to(pilot, app, target)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await until(pilot, lambda: app.screen is main_of(app), "the export dialog stayed open")
        assert any(
            f"Exported {len(app.session.watchlist.ids)} bulks" in text for text in toasts(app)
        )
    assert exported_ids(target) == app.session.watchlist.ids


@pytest.mark.parametrize("leave", ["escape", "cancel"])
async def test_e_relabels_the_row_and_escape_or_cancel_keeps_the_label(
    app: Lox24App, leave: str
) -> None:
    async with opened(app, WIDE) as pilot:
        table = main_of(app).table
        bulk_id = table.selected_id
        assert bulk_id is not None

        def shown() -> str:
            return table.get_cell(bulk_id, "label").plain

        before = shown()
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, LabelScreen), "e opened nothing")
        label = app.screen.query_one("#label", Input)
        assert label.value == before
        label.value = "Kept apart"
        if leave == "escape":
            await pilot.press("escape")
        else:
            await pilot.click("#cancel")
        await until(pilot, lambda: not isinstance(app.screen, LabelScreen), "the dialog stayed")
        assert shown() == before
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, LabelScreen), "e opened nothing")
        app.screen.query_one("#label", Input).value = "Renamed here"
        await pilot.press("enter")
        await until(pilot, lambda: shown() == "Renamed here", "not relabeled")
    saved = json.loads(app.session.watchlist.path.read_text())
    assert any(entry.get("label") == "Renamed here" for entry in saved["bulks"])
