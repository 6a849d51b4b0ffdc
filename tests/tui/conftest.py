"""Fixtures for dashboard tests: the demo account in-process, on a virtual clock, in UTC."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from textual.pilot import Pilot

from lox24tui.account.guard import BreakerKind
from lox24tui.clock import VirtualClock
from lox24tui.fake import FAKE_TOKEN, FakeLox24
from lox24tui.session.config import Locations, Settings
from lox24tui.state.store import WatchList
from lox24tui.tui import app as app_module
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.main import MainScreen
from lox24tui.tui.setup import DashboardSetup, demo_setup
from lox24tui.tui.widgets import detail_pane


@pytest.fixture(autouse=True, scope="session")
def _quick_pauses() -> Iterator[None]:
    """The Pilot's pauses (after each key, in ``pause()``, before a snapshot) look for an idle
    app over 5 ms windows instead of Textual's 20 ms. The dashboard's tests pause some 1,700
    times; with 20 ms windows they spent 52 s of the suite waiting, measured. A test waits for
    what it checks by naming it (``until``, ``settle``), not on a pause's length: the two
    that did showed at once with short pauses and now say what they wait for. ``textual._wait``
    is private: should it change, this fails loudly here instead of slowing the tests unseen."""
    from textual import _wait

    before = _wait.SLEEP_GRANULARITY, _wait.SLEEP_IDLE
    assert before == (1 / 50, 1 / 50 / 20), f"textual._wait changed: {before}"
    _wait.SLEEP_GRANULARITY, _wait.SLEEP_IDLE = 0.005, 0.005 / 20  # its ratio kept
    yield
    _wait.SLEEP_GRANULARITY, _wait.SLEEP_IDLE = before


WIDE = (180, 50)
"""The terminal most dashboard tests run in: every column and the pane beside the table."""


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


Demo = Callable[..., Lox24App]
"""What the ``demo`` fixture gives: build the demo dashboard, with any setup changed by name."""


@pytest.fixture
def demo(locations: Locations) -> Demo:
    """A demo dashboard on a fresh virtual clock (same clock for the app, engine and fake), of
    the demo's shop account alone, as ``lox24tui --demo --account shop`` shows it (the tests of
    both accounts side by side build theirs)."""

    def build(**setup_changes: object) -> Lox24App:
        # every demo bulk on screen, however old (tests of the archive set archive_after)
        setup = demo_setup(
            Settings(archive_after=0), locations, clock=VirtualClock(), seed=7, account="shop"
        )
        setup.notify_writer = _no_terminal  # unless a test records them
        for name, value in setup_changes.items():
            setattr(setup, name, value)
        return Lox24App(setup)

    return build


@pytest.fixture
def app(demo: Demo) -> Lox24App:
    """The demo dashboard as it starts, setup unchanged (not running yet: ``opened`` runs it)."""
    return demo()


@pytest.fixture
def tokenless(fake: FakeLox24, tmp_path: Path, locations: Locations) -> Lox24App:
    """A dashboard on the demo account (the ``fake`` fixture), three bulks watched, started
    without a token: the token dialog is the first thing it shows."""
    watchlist = WatchList(tmp_path / "w.json")
    watchlist.add_many([(bulk.uuid, "") for bulk in list(fake.account)[:3]])
    return app_on(fake, watchlist, locations, token=None)


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
    settings: Settings | None = None,
    notify_writer: Callable[[str], object] | None = None,
) -> Lox24App:
    from lox24tui.api import Token

    clock = fake.clock
    assert isinstance(clock, VirtualClock)
    return Lox24App(
        DashboardSetup(
            settings=settings or Settings(archive_after=0),
            watchlist=watchlist,
            token=Token(token) if token else None,
            api_url="http://fake.test",
            locations=locations,
            transport=transport or httpx.ASGITransport(app=fake),
            clock=clock,
            history_file=locations.history_file,
            notify_writer=notify_writer or _no_terminal,
        )
    )


def _no_terminal(text: str) -> None:
    """Notifications in tests go nowhere (the terminal running pytest is not the app's)."""


PATIENCE = 20.0
"""Seconds a helper waits for what should come within a few timer ticks. Only a condition that
never comes true (a timer that does not run, an update that is lost) uses it up, so it can be
generous: a busy machine makes the wait longer, never the test wrong."""


@pytest.fixture(autouse=True)
def _quick_timers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's own timers, at shorter periods: a test then waits milliseconds for a flush, a
    redraw of relative times or a look at the watch-list file, instead of seconds. What runs on
    the timers is production's; only how often it runs changes. Relative times are redrawn
    every second, not faster: with the pane open each redraw costs ~15 ms of CPU, paid for the
    whole of every such test, and the few tests that wait for one wait a second at most."""
    monkeypatch.setattr(app_module, "FLUSH_SECONDS", 0.05)
    monkeypatch.setattr(detail_pane, "TIMES_SECONDS", 1.0)
    monkeypatch.setattr(app_module, "WATCHLIST_POLL_SECONDS", 0.2)


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Let the app run (its timers, workers and messages) until ``condition`` holds, then let the
    screen take in what that queued; fail, saying ``what`` did not happen, only if it never does
    (see PATIENCE).

    The wait between looks is a plain sleep, in which the app runs as it does between keys: the
    Pilot's pause would also wait for every widget of the screen to empty its queue and force a
    redraw, each time (measured with the pane open: 0.23 s of CPU a second of waiting, against
    0.08 s, the app's own timers)."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} (waited {PATIENCE:g} s)")
        await asyncio.sleep(0.01)
    await pilot.pause()


async def settle(app: Lox24App, pilot: Pilot[None]) -> None:
    """Let the engine finish what is due, then wait until the app's flush timer has put every
    update it reported on screen (tests never flush by hand: the timer is part of what they
    check)."""
    for _ in range(100):
        for desk in app.desks:  # each account's engine
            await asyncio.wait_for(desk.monitor.wait_idle(), timeout=PATIENCE)
        if not await _waited_for_the_others(app):
            break
    await until(
        pilot, lambda: app.screen_is_current, "the engine's updates never reached the screen"
    )
    await pilot.pause()


async def _waited_for_the_others(app: Lox24App) -> bool:
    """Accounts on one server share what is on the wire: an account whose unproven token may
    not send while the others' requests are out waits PLACE_RETRY and tries again (the guard's
    rule). On the virtual clock that wait passes only when the test moves it: moved here, by
    that wait and no more, so that settling means every account's first answers are in."""
    clock = app.clock
    if len(app.desks) < 2 or not isinstance(clock, VirtualClock):
        return False
    waits = [
        breaker.until
        for desk in app.desks
        if (breaker := desk.monitor.guard.blocked()) is not None
        and breaker.kind is BreakerKind.BUSY
        and breaker.until is not None
    ]
    if not waits:
        return False
    clock.advance(max(0.0, min(waits) - clock.now()))
    return True


@asynccontextmanager
async def opened(app: Lox24App, size: tuple[int, int] = (180, 50)) -> AsyncIterator[Pilot[None]]:
    """The dashboard as a person first sees it: running at ``size`` (wide by default), toasts
    shown, and LOX24's first answers on screen."""
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(app, pilot)
        yield pilot


async def advance(app: Lox24App, pilot: Pilot[None], seconds: float) -> None:
    """Move the virtual clock that the engine and the fake share (Textual's timers keep real
    time), then settle."""
    clock = app.clock
    assert isinstance(clock, VirtualClock)
    clock.advance(seconds)
    await settle(app, pilot)


def watchlist_path(tmp_path: Path) -> Path:
    return tmp_path / "watch.json"


def main_of(app: Lox24App) -> MainScreen:
    """The dashboard's main screen, wherever it is in the stack (dialogs may be on top)."""
    return next(screen for screen in app.screen_stack if isinstance(screen, MainScreen))
