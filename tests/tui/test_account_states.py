"""What the summary bar says when the account guard holds requests back."""

from __future__ import annotations

import re
from collections.abc import Callable

from lox24tui.clock import Timer, VirtualClock
from lox24tui.session.config import Locations, Settings
from lox24tui.tui.app import Lox24App
from lox24tui.tui.setup import demo_setup
from tests.tui.dashboard_driver import summary_text, toasts

from .conftest import Demo, advance, fake_of, opened, until


async def test_an_outage_reads_unreachable_not_live_and_clears_when_lox24_answers(
    app: Lox24App,
) -> None:
    async with opened(app) as pilot:
        assert "● Live" in summary_text(app)
        fake = fake_of(app)
        fake.fail("status", status=503)
        for _ in range(6):
            await advance(app, pilot, 5)
        text = summary_text(app)
        assert re.search(r"LOX24 unreachable since \d\d:\d\d", text) and "● Live" not in text
        assert "retrying in" in text or "probing now" in text
        fake.clear_faults()
        for _ in range(4):
            await advance(app, pilot, 20)
        assert "● Live" in summary_text(app)
        assert "unreachable" not in summary_text(app)


class BreakingClock(VirtualClock):
    """A clock whose timers break once armed: a stand-in for any bug in the engine's loop."""

    armed = False

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer:
        if self.armed:
            raise RuntimeError("the clock broke")
        return super().call_later(seconds, callback)


async def test_a_failed_engine_says_so_instead_of_live(demo: Demo) -> None:
    clock = BreakingClock()
    app = Lox24App(demo_setup(Settings(), Locations.default(), clock=clock, seed=7, account="shop"))
    async with opened(app) as pilot:
        clock.armed = True
        await pilot.press("R")  # the engine wakes, and its loop breaks
        await until(pilot, lambda: "Not refreshing" in summary_text(app), "the failure shown")
        assert "● Live" not in summary_text(app)
        assert "the refresh engine failed (RuntimeError: the clock broke)" in summary_text(app)
        assert any("Restart lox24tui" in toast for toast in toasts(app))
