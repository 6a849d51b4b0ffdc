"""Your own keys from config.toml's [keys] table, and the choices the dashboard remembers across
restarts (theme, sort, pane) in a state file of its own."""

from __future__ import annotations

import json
import re
from pathlib import Path

from textual.widgets import Button

from lox24tui.session.config import Locations, Settings, load_settings, save_token
from lox24tui.state.preferences import PreferencesFile
from lox24tui.tui.app import Lox24App
from lox24tui.tui.keys import catalogue
from lox24tui.tui.screens.add_bulks import AddBulksScreen
from lox24tui.tui.screens.dialogs import ConfirmScreen
from tests.conftest import write_config
from tests.tui.dashboard_driver import by_label, cursor_to, keys_panel_text, toasts

from .conftest import WIDE, Demo, fake_of, main_of, opened, settle, until

README = Path(__file__).parents[2] / "README.md"


async def test_a_key_from_the_config_file_opens_its_action(
    demo: Demo, locations: Locations
) -> None:
    write_config('[keys]\n"main.add" = "plus"\n')
    app = demo(settings=load_settings(locations))
    async with opened(app) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is main_of(app)  # a no longer adds
        await pilot.press("question_mark")
        await until(pilot, lambda: bool(app.screen.query("BindingsTable")), "no keys panel")
        assert re.search(r"\+\s+Add", keys_panel_text(app))  # the keys panel shows the new key
        await pilot.press("question_mark")
        await pilot.press("plus")
        await until(pilot, lambda: isinstance(app.screen, AddBulksScreen), "+ did not add")


async def test_u_remapped_still_says_there_is_nothing_to_undo(demo: Demo) -> None:
    app = demo(settings=Settings(keys={"undo": "U"}))
    async with opened(app) as pilot:
        await pilot.press("U")
        await until(
            pilot, lambda: any("Nothing to undo." in text for text in toasts(app)), "U said nothing"
        )


async def test_x_remapped_still_says_that_read_only_cancels_nothing(demo: Demo) -> None:
    settings = Settings(archive_after=0, read_only=True, keys={"main.cancel": "K"})
    app = demo(settings=settings)
    async with opened(app) as pilot:
        await cursor_to(pilot, app, by_label(app, "Tomorrow's morning promo"))
        await pilot.press("K")
        await until(
            pilot,
            lambda: any("lox24tui is read-only" in text for text in toasts(app)),
            "K said nothing",
        )
    assert not any(entry.method == "PUT" for entry in fake_of(app).log)


async def test_an_unknown_id_and_a_clash_are_warned_of_at_start(demo: Demo) -> None:
    app = demo(settings=Settings(keys={"main.ad": "plus", "main.export": "d"}))
    async with opened(app):
        shown = " ".join(toasts(app))
        assert "'main.ad' is not a binding of lox24tui" in shown
        assert "'d' is bound to both main.export and table.remove" in shown


def test_the_readme_lists_every_binding_id_with_its_default() -> None:
    text = README.read_text()
    for entry in catalogue(Lox24App.binding_groups()):
        assert re.search(
            rf"^\| `{re.escape(str(entry.binding_id))}` \| `{re.escape(entry.keys)}` \|", text, re.M
        ), entry


def test_saving_a_token_keeps_the_keys_table(locations: Locations) -> None:
    write_config('interval = 30\n\n[keys]\n"main.add" = "plus"\n')
    save_token("1234567:" + "a" * 32, locations)
    settings = load_settings(locations)
    assert settings.keys == {"main.add": "plus"} and settings.interval == 30


async def test_the_theme_picked_sort_and_pane_are_there_after_a_restart(
    demo: Demo, locations: Locations
) -> None:
    app = demo()
    async with opened(app) as pilot:
        app.theme = "nord"  # what the palette's theme picker does
        await pilot.press("s", "S", "v")  # by label, descending; the pane beside the table
        await pilot.pause()
        assert main_of(app).pane.display
    again = demo()
    async with again.run_test(size=WIDE) as pilot:
        await settle(again, pilot)
        main = main_of(again)
        assert again.theme == "nord"
        assert (main.table.sort_column, main.table.sort_reverse) == ("label", True)
        assert "▼" in str(main.table.columns[next(iter(main.table.columns))].label)
        assert main.pane.display
    assert not locations.preferences_file.exists()  # the demo keeps its own


async def test_a_theme_picked_wins_over_the_config_until_another_is_picked(
    demo: Demo, locations: Locations
) -> None:
    PreferencesFile(locations.demo_preferences_file).update(theme="gruvbox")
    app = demo(settings=Settings(theme="nord"))
    async with opened(app) as pilot:
        assert app.theme == "gruvbox"
        app.theme = "nord"
        await pilot.pause()
    saved = json.loads(locations.demo_preferences_file.read_text())
    assert saved["theme"] == "nord"


async def test_unreadable_preferences_start_from_the_defaults_and_say_so(
    demo: Demo, locations: Locations
) -> None:
    path = locations.demo_preferences_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ not json")
    app = demo()
    async with opened(app) as pilot:
        assert main_of(app).table.sort_column is None
        assert any("preferences" in text and "could not be read" in text for text in toasts(app))
        await pilot.press("s")
        await pilot.pause()
    assert json.loads(path.read_text())["sort_column"] == "label"


async def test_a_dialog_names_the_keys_of_the_keymap_on_its_buttons(demo: Demo) -> None:
    app = demo(settings=Settings(keys={"confirm.yes": "j", "confirm.no": "b"}))
    async with opened(app) as pilot:
        await pilot.press("d")  # remove the bulk under the cursor: asks first
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "no question")
        labels = [str(button.label) for button in app.screen.query(Button)]
        assert any(label.endswith("(j)") for label in labels), labels
        assert "No (b)" in labels
        await pilot.press("b")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), "b did not answer")
