"""Settings as a newcomer meets them in the dashboard: a malformed token is refused in the
dialog before any request, the toast after saving says where the token really went; and counts
take the right word ("1 more bulk"). An unknown theme's line: test_rough_edges."""

from __future__ import annotations

import keyring
from keyring.backends import null
from textual.widgets import Checkbox, Input, Static

from lox24tui.fake import FAKE_TOKEN, FakeLox24
from lox24tui.session.config import Locations, load_settings
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.token import TokenScreen
from tests.tui.dashboard_driver import open_import, toasts

from .conftest import WIDE, main_of, opened, until


def feedback_of(app: Lox24App) -> str:
    return " ".join(str(app.screen.query_one("#feedback", Static).render()).split())


async def test_a_malformed_token_is_refused_in_the_dialog_before_any_request(
    tokenless: Lox24App, fake: FakeLox24
) -> None:
    app = tokenless
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TokenScreen)
        app.screen.query_one("#token", Input).value = "abc"
        await pilot.press("enter")
        await until(pilot, lambda: "not a LOX24 token" in feedback_of(app), "no answer shown")
        said = feedback_of(app)
        assert "a number, a colon and a hexadecimal key" in said
        assert "rejected" not in said and "401" not in said
        assert isinstance(app.screen, TokenScreen)
    assert fake.log == []


async def test_with_a_keyring_that_keeps_nothing_the_toast_names_the_file(
    tokenless: Lox24App, locations: Locations
) -> None:
    keyring.set_keyring(null.Keyring())  # type: ignore[no-untyped-call]
    app = tokenless
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.pause()
        app.screen.query_one("#token", Input).value = FAKE_TOKEN
        app.screen.query_one("#save", Checkbox).value = True
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is main_of(app), "the token screen stayed open")
        await until(pilot, lambda: any("Token saved" in t for t in toasts(app)), "no toast")
        said = " ".join(" ".join(toasts(app)).split())
        assert f"Token saved in {locations.config_file} (readable by you only)." in said
        assert "system keyring" not in said
    settings = load_settings(locations, environ={})
    assert settings.api_token is not None and settings.api_token.reveal() == FAKE_TOKEN


async def test_importing_one_bulk_says_one_more_bulk(app: Lox24App) -> None:
    async with opened(app) as pilot:
        screen = await open_import(pilot, app)
        said = " ".join(str(screen.query_one("#discover-state", Static).render()).split())
        assert said.startswith("30 bulks of 73, newest first")  # LOX24 says how many in all
        screen.table.move_cursor(row=13)  # the first older bulk, not watched yet
        await pilot.press("space", "w")
        await until(pilot, lambda: app.screen is main_of(app), "the import screen stayed open")
        await until(pilot, lambda: any("Watching" in t for t in toasts(app)), "no toast")
        assert any("Watching 1 more bulk." in text for text in toasts(app)), toasts(app)
