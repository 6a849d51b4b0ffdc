"""Fixtures for dashboard tests: the demo account in-process, on a virtual clock, in UTC."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from textual.pilot import Pilot

from lox24tui.clock import VirtualClock
from lox24tui.config import Locations, Settings
from lox24tui.fake import FAKE_TOKEN, FakeLox24
from lox24tui.store import WatchList
from lox24tui.tui.app import DashboardSetup, Lox24App
from lox24tui.tui.setup import demo_setup


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local times render the same on every machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def locations() -> Locations:
    return Locations.default()


@pytest.fixture
def demo(locations: Locations) -> Callable[..., Lox24App]:
    """A demo dashboard on a fresh virtual clock (same clock for the app, engine and fake)."""

    def build(**setup_changes: object) -> Lox24App:
        setup = demo_setup(Settings(), locations, clock=VirtualClock(), seed=7)
        for name, value in setup_changes.items():
            setattr(setup, name, value)
        return Lox24App(setup)

    return build


def fake_of(app: Lox24App) -> FakeLox24:
    transport = app.setup.transport
    assert isinstance(transport, httpx.ASGITransport)
    fake = transport.app
    assert isinstance(fake, FakeLox24)
    return fake


def app_on(
    fake: FakeLox24,
    watchlist: WatchList,
    locations: Locations,
    *,
    token: str | None = FAKE_TOKEN,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Lox24App:
    from lox24tui.api import Token

    clock = fake.clock
    assert isinstance(clock, VirtualClock)
    return Lox24App(
        DashboardSetup(
            settings=Settings(),
            watchlist=watchlist,
            token=Token(token) if token else None,
            api_url="http://fake.test",
            locations=locations,
            transport=transport or httpx.ASGITransport(app=fake),
            clock=clock,
        )
    )


async def settle(app: Lox24App, pilot: Pilot[None]) -> None:
    """Let the engine finish what is due, then apply its updates to the screen."""
    await asyncio.wait_for(app.monitor.wait_idle(), timeout=10)
    app.flush()
    await pilot.pause()


async def advance(app: Lox24App, pilot: Pilot[None], seconds: float) -> None:
    clock = app.clock
    assert isinstance(clock, VirtualClock)
    clock.advance(seconds)
    await settle(app, pilot)


def watchlist_path(tmp_path: Path) -> Path:
    return tmp_path / "watch.json"
