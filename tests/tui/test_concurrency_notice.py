"""A concurrency above LOX24's three refused requests a minute is the user's choice; the dashboard
says once, at start, what it may cost."""

from __future__ import annotations

from pathlib import Path

import pytest

from lox24tui.session.config import Locations, Settings
from tests.tui.dashboard_driver import toasts, two_bulks_ending_soon

from .conftest import app_on, opened


@pytest.mark.parametrize(("concurrency", "warned"), [(8, True), (3, False)])
async def test_a_raised_concurrency_is_said_once_at_start(
    tmp_path: Path, locations: Locations, concurrency: int, warned: bool
) -> None:
    fake, watchlist = two_bulks_ending_soon(tmp_path)
    settings = Settings(archive_after=0, concurrency=concurrency)
    app = app_on(fake, watchlist, locations, settings=settings)
    async with opened(app):
        said = [text for text in toasts(app) if "concurrency" in text]
        if warned:
            assert len(said) == 1, said
            assert "concurrency 8 is above 3" in said[0]
            assert "up to 8 refused requests" in said[0]
            assert "ten minutes" in said[0]
        else:
            assert said == []
