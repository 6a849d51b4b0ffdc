"""Background work never fails in silence: a bug below a screen's worker is said on screen in
words and its traceback goes to the debug log (tokens and phone numbers redacted)."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx

from lox24tui.engine.side_work import SideJob
from lox24tui.session.config import Settings
from lox24tui.state.debuglog import start_log
from lox24tui.tui.screens.messages import MessagesScreen
from tests.tui.dashboard_driver import summary_text, toasts

from .conftest import Demo, opened, until


class MessagesBreak(httpx.AsyncBaseTransport):
    """The fake LOX24, but listing messages hits a bug below the screen (not an error LOX24
    could answer: those have words of their own)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/sms":
            raise RuntimeError("a bug while reading the page")
        return await self.inner.handle_async_request(request)


async def test_a_failing_background_job_is_said_on_screen_and_logged(
    demo: Demo, package_logger: logging.Logger, tmp_path: Path
) -> None:
    log = tmp_path / "debug.log"
    start_log(log)
    app = demo(settings=Settings(archive_after=0, delivery=False))
    assert app.setup.transport is not None
    app.setup.transport = MessagesBreak(app.setup.transport)
    async with opened(app) as pilot:
        await pilot.press("m")
        await until(
            pilot, lambda: any("failed" in toast for toast in toasts(app)), "no toast said it"
        )
        said = " ".join(toasts(app))
        assert "Loading the messages failed (RuntimeError: a bug while reading the page)" in said
        assert "lox24tui --log FILE" in said
        assert isinstance(app.screen, MessagesScreen)  # the dashboard goes on
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, MessagesScreen), "no way back")
    text = log.read_text(encoding="utf-8")
    assert "background work failed: loading the messages" in text
    assert "RuntimeError: a bug while reading the page" in text
    assert "Traceback" in text


class BrokenSideWork:
    """Side work with a bug: asked for its next job, it raises (as a bug in the delivery
    schedule or the balance watch would, inside the engine's own loop)."""

    def due_at(self) -> float | None:
        return 0.0

    def take(self, now: float) -> SideJob | None:
        raise RuntimeError("a bug in side work")


async def test_an_engine_that_stops_says_so_on_the_bar_and_in_a_toast(
    demo: Demo, package_logger: logging.Logger, tmp_path: Path
) -> None:
    log = tmp_path / "debug.log"
    start_log(log)
    app = demo()
    async with opened(app) as pilot:
        app.desk.monitor.side.add(BrokenSideWork())
        await until(pilot, lambda: "Not refreshing" in summary_text(app), "the bar says Live")
        assert "the refresh engine failed (RuntimeError: a bug in side work)" in summary_text(app)
        said = " ".join(toasts(app))
        assert "The refresh engine stopped (RuntimeError: a bug in side work)" in said
        assert "please report it" in said
    text = log.read_text(encoding="utf-8")
    assert "the refresh engine stopped" in text and "RuntimeError: a bug in side work" in text
