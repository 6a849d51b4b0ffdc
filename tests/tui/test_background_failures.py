"""Background work never fails in silence: a bug below a screen's worker is said on screen in
words and its traceback goes to the debug log (tokens and phone numbers redacted)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import httpx

from lox24tui.session.config import Settings
from lox24tui.state.debuglog import start_log
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.messages import MessagesScreen
from tests.tui.dashboard_driver import WIDE, toasts

from .conftest import settle, until


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
    demo: Callable[..., Lox24App], package_logger: logging.Logger, tmp_path: Path
) -> None:
    log = tmp_path / "debug.log"
    start_log(log)
    app = demo(settings=Settings(archive_after=0, delivery=False))
    assert app.setup.transport is not None
    app.setup.transport = MessagesBreak(app.setup.transport)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(app, pilot)
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
