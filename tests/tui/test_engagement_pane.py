"""Did anyone click or answer? The pane reads a bulk's clicks and replies when someone looks at
it, in the background and through the guard, fills them in when they come, and keeps them for
five minutes: looking again costs nothing."""

from __future__ import annotations

from lox24tui.api import Lox24Client, Token
from lox24tui.fake import FAKE_TOKEN
from lox24tui.fake.server import serve
from lox24tui.session.engagement_cache import MAX_AGE
from lox24tui.tui.app import Lox24App
from tests.tui.dashboard_driver import by_label, cursor_to, pane_text

from .conftest import advance, fake_of, opened, settle, until

LINKED = "Black Friday newsletter"


def clicks_line(app: Lox24App) -> str:
    return next(line for line in pane_text(app).splitlines() if line.startswith("clicks"))


def asked_for_clicks(app: Lox24App, bulk_id: str) -> int:
    return len(fake_of(app).requests(f"/bulks/{bulk_id}/requests"))


async def test_the_pane_shows_clicks_and_replies_read_once_while_they_are_fresh(
    app: Lox24App,
) -> None:
    async with opened(app) as pilot:
        linked = by_label(app, LINKED)
        assert asked_for_clicks(app, linked) == 0  # nothing is read before someone looks
        await cursor_to(pilot, app, linked)
        await pilot.press("enter")
        await until(pilot, lambda: "on its short links" in pane_text(app), "clicks in the pane")
        assert asked_for_clicks(app, linked) == 1
        fake = fake_of(app)
        async with serve(fake) as url, Lox24Client(Token(FAKE_TOKEN), url) as client:
            expected = (await client.list_clicks(linked)).total
        assert clicks_line(app).split() == [
            "clicks",
            f"{expected:,}",
            "on",
            "its",
            "short",
            "links",
        ]
        replies = next(line for line in pane_text(app).splitlines() if line.startswith("replies"))
        assert "to the first 30 sent messages" in replies
        await pilot.press("down", "up")  # away and back: the counts are kept
        await advance(app, pilot, 60)
        assert asked_for_clicks(app, linked) == 2 and "on its short links" in clicks_line(app)
        await advance(app, pilot, MAX_AGE)
        await pilot.press("down", "up")
        await until(pilot, lambda: asked_for_clicks(app, linked) == 3, "the clicks read again")


async def test_a_bulk_that_sent_nothing_is_not_asked_about(app: Lox24App) -> None:
    async with opened(app) as pilot:
        scheduled = by_label(app, "Tomorrow's morning promo")
        await cursor_to(pilot, app, scheduled)
        await pilot.press("enter")
        await until(pilot, lambda: scheduled in pane_text(app), "the pane on the bulk")
        await settle(app, pilot)
        assert not [worker for worker in app.workers if worker.group == "engagement"]
        assert "clicks" not in pane_text(app) and asked_for_clicks(app, scheduled) == 0


async def test_clicks_that_cannot_be_read_say_why_in_the_pane(app: Lox24App) -> None:
    async with opened(app) as pilot:
        linked = by_label(app, LINKED)
        fake_of(app).fail("status", status=503, path=f"/bulks/{linked}/requests", times=1)
        await cursor_to(pilot, app, linked)
        await pilot.press("enter")
        await until(pilot, lambda: "not read" in pane_text(app), "the reason in the pane")
        assert "LOX24" in clicks_line(app) and app.is_running
        await advance(app, pilot, 10)  # redrawn by the engine's news: still the one answer
        assert "not read" in clicks_line(app) and asked_for_clicks(app, linked) == 1
