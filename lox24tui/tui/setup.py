"""Building what the dashboard runs on: the user's account, or the demo's simulated one."""

from __future__ import annotations

import random

import httpx

from lox24tui.api import Token
from lox24tui.clock import Clock, SystemClock
from lox24tui.config import Locations, Settings
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimulatedAccount
from lox24tui.guard import FileGuardState
from lox24tui.store import WatchList
from lox24tui.tui.app import DashboardSetup

DEMO_URL = "http://demo.lox24.invalid"


def real_setup(settings: Settings, locations: Locations) -> DashboardSetup:
    watchlist, problem = WatchList.load(locations.watchlist_file)
    return DashboardSetup(
        settings=settings,
        watchlist=watchlist,
        token=settings.api_token,
        api_url=settings.api_url,
        locations=locations,
        load_problem=problem,
        guard_state=FileGuardState(locations.guard_file, settings.api_url),
    )


def demo_setup(
    settings: Settings,
    locations: Locations,
    *,
    clock: Clock | None = None,
    seed: int | None = None,
) -> DashboardSetup:
    """The simulated account inside this process (no token, no network, no port), and a watch
    list of its own, seeded on first use with bulks that change within the first minute.

    ``clock`` and ``seed`` make it repeatable, for snapshot tests and the screenshots."""
    clock = clock or SystemClock()
    account = SimulatedAccount.demo(clock.now())
    fake = FakeLox24(account, clock=clock, rng=random.Random(seed) if seed is not None else None)
    watchlist, problem = WatchList.load(locations.demo_watchlist_file)
    if not watchlist.entries and problem is None and not locations.demo_watchlist_file.exists():
        watchlist.add_many(account.watched_demo_ids())
    return DashboardSetup(
        settings=settings,
        watchlist=watchlist,
        token=Token(FAKE_TOKEN),
        api_url=DEMO_URL,
        locations=locations,
        transport=httpx.ASGITransport(app=fake),
        clock=clock,
        demo=True,
        load_problem=problem,
        seed=seed,
    )
