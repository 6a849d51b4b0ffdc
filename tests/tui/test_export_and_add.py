"""The `x` export follows the screen (filter, sort, a file already there), and the add dialog
keeps every key of a fast burst, driven by the Pilot on the demo account."""

from __future__ import annotations

from collections.abc import Callable

from textual import events

from lox24tui.tui.app import Lox24App

from .conftest import settle, until

WIDE = (180, 50)
NEW_IDS = [f"da0fa78c-4699-11ea-a637-96000000000{n}" for n in range(3)]

KEY_NAMES = {" ": "space", "-": "minus", "\n": "enter", "\t": "tab"}
KEY_CHARACTERS = {"tab": "\t", "enter": "\r", "ctrl+s": "\x13"}


def burst(app: Lox24App, *keys: str) -> None:
    """Send ``keys`` to the app back to back, as a terminal's driver does with a paste or fast
    typing: each a character or a key name. ``pilot.press`` cannot stand in: it waits for the
    app to go idle after every key, so no key ever arrives while an earlier one is pending."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(KEY_NAMES.get(key, key), key))
        else:
            app.post_message(events.Key(key, KEY_CHARACTERS.get(key)))


async def test_a_burst_of_ids_label_and_ctrl_s_adds_every_id_with_its_label_in_order(
    demo: Callable[..., Lox24App],
) -> None:
    app = demo()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(app, pilot)
        before = list(app.watchlist.ids)
        await pilot.press("a")
        burst(app, *"\n".join(NEW_IDS), "tab", *"My label", "ctrl+s")
        await until(pilot, lambda: app.screen is app.main, "the add dialog stayed open")
        assert app.watchlist.ids == [*before, *NEW_IDS]
        assert [app.watchlist.label_of(bulk_id) for bulk_id in NEW_IDS] == ["My label"] * 3


async def test_keys_after_tab_in_a_burst_go_to_the_label(
    demo: Callable[..., Lox24App],
) -> None:
    app = demo()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(app, pilot)
        before = list(app.watchlist.ids)
        await pilot.press("a")
        burst(app, *" ".join(NEW_IDS), "tab", *"My label", "enter")
        await until(pilot, lambda: app.screen is app.main, "the add dialog stayed open")
        assert app.watchlist.ids == [*before, *NEW_IDS]
        assert [app.watchlist.label_of(bulk_id) for bulk_id in NEW_IDS] == ["My label"] * 3
