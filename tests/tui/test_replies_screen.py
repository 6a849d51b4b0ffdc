"""The replies screen as a person uses it: `a` on a bulk's messages. Replies are written by
anyone with a phone: markup, escape sequences and right-to-left marks must show, not act."""

from __future__ import annotations

from textual.widgets import Static

from lox24tui.fake import SimBulk
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.replies import RepliesScreen
from tests.tui.dashboard_driver import open_messages, paste_into_add_dialog

from .conftest import fake_of, main_of, until

SIZE = (120, 35)
HOSTILE = "Answered by pranksters"
HOSTILE_BULK = "5e7d0c00-4699-11ea-a637-96000028b339"


def with_hostile_replies(app: Lox24App) -> None:
    fake = fake_of(app)
    now = fake.clock.now()
    fake.account.add(
        SimBulk(
            uuid=HOSTILE_BULK,
            created_at=now - 3 * 86_400,
            delivery_at=now - 3 * 86_400,
            recipients=900,
            send_seconds=60,
            label=HOSTILE,
            quirks=frozenset({"hostile_replies"}),
        )
    )


async def test_a_replies_text_shows_as_text_and_its_number_masked(app: Lox24App) -> None:
    with_hostile_replies(app)
    async with app.run_test(size=SIZE) as pilot:
        await paste_into_add_dialog(pilot, app, HOSTILE_BULK, HOSTILE)  # watched, as a person does
        await until(pilot, lambda: app.screen is main_of(app), "the add dialog stayed open")
        await open_messages(app, pilot, HOSTILE)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, RepliesScreen), "a opened nothing")
        screen = app.screen
        assert isinstance(screen, RepliesScreen)
        await until(pilot, lambda: screen.table.row_count > 0, "no replies found")
        state = str(screen.query_one("#replies-state", Static).render())
        assert (
            f"to the first {screen.checked:,} of" in state and "matched through msg_uuid" in state
        )
        cells = [
            screen.table.get_cell_at((row, col)).plain  # type: ignore[arg-type]
            for row in range(screen.table.row_count)
            for col in range(3)
        ]
        shown = " ".join(cells)
        assert "\x1b" not in shown and "\u202e" not in shown
        assert any(c.startswith("+44 ••• ") for c in cells)
        assert not any(c.startswith("+447700") for c in cells)
        for row in range(screen.table.row_count):  # each reply's whole text, below the table
            screen.table.move_cursor(row=row)
            await pilot.pause()
            below = str(screen.query_one("#replies-text", Static).render())
            assert "\x1b" not in below and "\u202e" not in below
            assert below == screen.table.get_cell_at((row, 2)).plain  # type: ignore[arg-type]
        texts = [reply.text or "" for reply in screen.replies]
        assert any(("\x1b" in t or "\u202e" in t or "[" in t) for t in texts)  # hostile indeed
        for row, text in enumerate(texts):  # markup is shown as written, never obeyed
            if "[" in text:
                assert "[" in screen.table.get_cell_at((row, 2)).plain  # type: ignore[arg-type]
