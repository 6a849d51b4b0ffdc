"""Building what the dashboard runs on: the user's account, or the demo's simulated one."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from lox24tui.account.guard import FileGuardState, GuardState, server_key
from lox24tui.api import Token
from lox24tui.clock import Clock, SystemClock
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimulatedAccount
from lox24tui.session.config import Locations, Settings
from lox24tui.session.notify import Writer
from lox24tui.state.preferences import PreferencesFile
from lox24tui.state.store import LoadProblem, WatchList, WatchListDamaged

DEMO_URL = "http://demo.lox24.invalid"


@dataclass
class DashboardSetup:
    """Everything the dashboard runs on; the CLI, the demo and the tests each build one."""

    settings: Settings
    watchlist: WatchList
    token: Token | None
    api_url: str
    locations: Locations
    transport: httpx.AsyncBaseTransport | None = None
    clock: Clock = field(default_factory=SystemClock)
    demo: bool = False
    load_problem: LoadProblem | None = None
    damage: WatchListDamaged | None = None
    """The watch-list file could not be read: the dashboard asks what to do, writing nothing
    until the user chooses (``watchlist`` is then an empty list held in memory)."""
    seed: int | None = None
    """Seeds the engine's jitter, for repeatable snapshots."""
    guard_state: GuardState | None = None
    """What the account guard shares: the real account shares a file with every other lox24tui
    process; the demo and tests keep it in memory."""
    preferences: PreferencesFile = field(default_factory=lambda: PreferencesFile(None))
    """What the person chose in the dashboard (theme, sort, pane); the demo has its own file."""
    history_file: Path | None = None
    """Where status changes are recorded (the demo has its own file); None keeps none."""
    notify_writer: Writer | None = None
    """How notifications reach the terminal (tests record them); None: the terminal itself."""


def open_watchlist(
    path: Path, clock: Clock
) -> tuple[WatchList, LoadProblem | None, WatchListDamaged | None]:
    """The saved list. A damaged file gives an empty list held in memory, and the damage, for
    the dashboard to ask about; nothing is written before the user chooses."""
    try:
        watchlist, problem = WatchList.load(path, now=clock.now)
    except WatchListDamaged as damage:
        return WatchList(path, now=clock.now, lock_wait=0), None, damage
    watchlist.lock_wait = 0  # the dashboard never waits for a lock: it says so, and goes on
    return watchlist, problem, None


def real_setup(settings: Settings, locations: Locations) -> DashboardSetup:
    clock = SystemClock()
    watchlist, problem, damage = open_watchlist(locations.watchlist_file, clock)
    return DashboardSetup(
        settings=settings,
        watchlist=watchlist,
        token=settings.api_token,
        api_url=settings.api_url,
        locations=locations,
        clock=clock,
        load_problem=problem,
        damage=damage,
        guard_state=FileGuardState(
            locations.guard_file, server_key(settings.api_url), concurrency=settings.concurrency
        ),
        preferences=PreferencesFile(locations.preferences_file),
        history_file=locations.history_file,
    )


def forget_demo_history(locations: Locations) -> None:
    """Each demo simulates its account afresh, so last run's history would tell of changes that
    never happened to these bulks: the demo starts its history anew (never the user's)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{locations.demo_history_file}{suffix}").unlink(missing_ok=True)


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
    path = locations.demo_watchlist_file
    forget_demo_history(locations)
    watchlist, problem, damage = open_watchlist(path, clock)
    if not path.exists():
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
        damage=damage,
        seed=seed,
        preferences=PreferencesFile(locations.demo_preferences_file),
        history_file=locations.demo_history_file,
    )
