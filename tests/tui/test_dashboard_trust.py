"""The dashboard keeps its promises: the demo never touches the real setup, a failed write says
where it failed."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Checkbox, Input

from lox24tui.fake import FAKE_TOKEN, FakeLox24
from lox24tui.session.accounts import AccountConfig
from lox24tui.session.config import Locations, Settings
from lox24tui.state.store import WatchList
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.token import TokenScreen
from tests.tui.dashboard_driver import toasts

from .conftest import app_on, main_of, opened, settle, until


async def test_a_token_entered_in_the_demo_is_never_saved(
    app: Lox24App, locations: Locations
) -> None:
    async with opened(app) as pilot:
        await pilot.press("t")
        screen = app.screen
        assert isinstance(screen, TokenScreen)
        assert not screen.query(Checkbox)  # no "save it" to tick in the demo
        screen.query_one("#token", Input).value = FAKE_TOKEN
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is main_of(app), "the main screen")
        await settle(app, pilot)
    assert not locations.config_file.exists()
    assert not locations.guard_file.exists()  # the demo's account rules stay in memory


async def test_a_token_entered_for_a_named_account_is_never_saved_as_the_default(
    fake: FakeLox24, tmp_path: Path, locations: Locations
) -> None:
    shop = AccountConfig(token_env="SHOP_TOKEN", label="Shop EUR")
    settings = Settings(archive_after=0, accounts={"shop": shop})
    settings.account = "shop"  # as `--account shop` with SHOP_TOKEN unset
    app = app_on(fake, WatchList(tmp_path / "w.json"), locations, token=None, settings=settings)
    async with app.run_test(notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, TokenScreen), "no token asked for")
        assert not app.screen.query(Checkbox)  # its token stays where its table says
        app.screen.query_one("#token", Input).value = FAKE_TOKEN
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is main_of(app), "the main screen")
        assert "Shop EUR · LOX24 bulks, live" in app.sub_title  # which account this is
    assert not locations.config_file.exists()  # the default account's token is untouched


async def test_an_export_to_an_unwritable_place_names_that_place(
    app: Lox24App, tmp_path: Path
) -> None:
    async with opened(app) as pilot:
        await pilot.press("x")
        app.screen.query_one(Input).value = str(tmp_path)  # a folder, not a file
        await pilot.press("enter")
        await pilot.pause()
        (message,) = [t for t in toasts(app) if "Cannot write" in t]
        assert f"Cannot write {tmp_path}: a folder stands where the file should be" in message
        assert f".{tmp_path.name}." not in message
