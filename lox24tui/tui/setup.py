"""Building what the dashboard runs on: the user's accounts, or the demo's simulated ones."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from lox24tui.account.guard import FileGuardState, GuardState, MemoryGuardState, server_key
from lox24tui.api import Token
from lox24tui.clock import Clock, SystemClock
from lox24tui.fake import FAKE_TOKEN, SWISS_TOKEN, FakeLox24, SimulatedAccount
from lox24tui.session.all_accounts import AccountTag
from lox24tui.session.config import ConfigError, Locations, Settings, settings_of_account
from lox24tui.session.notify import Writer
from lox24tui.state.preferences import PreferencesFile
from lox24tui.state.store import LoadProblem, WatchList, WatchListDamaged

DEMO_URL = "http://demo.lox24.invalid"
DEMO_SHOP = AccountTag("shop", "Shop", "cyan")
DEMO_SWISS = AccountTag("swiss", "Swiss branch", "magenta")
"""The demo's two simulated accounts, in EUR and in CHF (``--demo --account NAME``: one)."""
DEFAULT_TAG = AccountTag(None, "default")


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
    tag: AccountTag = DEFAULT_TAG
    """How the dashboard names this account beside its rows, when it shows several."""
    others: list[DashboardSetup] = field(default_factory=list)
    """The other accounts shown beside this one, each with its own list, token and server
    (``[accounts.NAME]`` tables, when no ``--account`` picks one)."""

    @property
    def accounts(self) -> list[DashboardSetup]:
        return [self, *self.others]


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
    """The account ``--account`` picked, or the default one; without ``--account``, every
    ``[accounts.NAME]`` side by side (and the default account too, when it has a token).
    Accounts on one server share one guard state: one cached read of the guard file, one set
    of places in flight for this process, one voice when the file is damaged."""
    guard_states: dict[str, FileGuardState] = {}

    def guard_state(of: Settings) -> FileGuardState:
        server = server_key(of.api_url)
        if server not in guard_states:
            guard_states[server] = FileGuardState(
                locations.guard_file, server, concurrency=of.concurrency
            )
        return guard_states[server]

    if settings.account is not None or not settings.accounts:
        tag = _tag_of(settings, settings.account)
        return account_setup(settings, locations, tag, guard_state(settings))
    setups = []
    for name in settings.accounts:
        named = settings_of_account(name, locations)
        setups.append(
            account_setup(
                named,
                replace(locations, account=name),
                _tag_of(settings, name),
                guard_state(named),
            )
        )
    if settings.api_token is not None:
        setups.insert(0, account_setup(settings, locations, DEFAULT_TAG, guard_state(settings)))
    first, *others = setups
    first.others = others
    return first


def _tag_of(settings: Settings, name: str | None) -> AccountTag:
    if name is None:
        return DEFAULT_TAG
    config = settings.accounts[name]  # load_settings refused a name that is not there
    return AccountTag(name, config.label or name, config.colour)


def account_setup(
    settings: Settings, locations: Locations, tag: AccountTag, guard_state: GuardState
) -> DashboardSetup:
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
        guard_state=guard_state,
        preferences=PreferencesFile(locations.preferences_file),
        history_file=locations.history_file,
        tag=tag,
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
    account: str | None = None,
) -> DashboardSetup:
    """The demo's two simulated accounts (a shop in EUR, its Swiss branch in CHF) on one
    simulated LOX24 inside this process (no token, no network, no port); ``account`` names one
    to show alone (``--demo --account shop``). Each has a watch list of its own, seeded on
    first use with bulks that change within the first minute.

    ``clock`` and ``seed`` make it repeatable, for snapshot tests and the screenshots."""
    clock = clock or SystemClock()
    shop = SimulatedAccount.demo(clock.now())
    swiss = SimulatedAccount.swiss_demo(clock.now())
    rng = random.Random(seed) if seed is not None else None
    fake = FakeLox24(shop, clock=clock, rng=rng, more_accounts={SWISS_TOKEN: swiss})
    forget_demo_history(locations)
    server = _DemoServer(httpx.ASGITransport(app=fake), MemoryGuardState())
    simulated = {DEMO_SHOP: (shop, FAKE_TOKEN), DEMO_SWISS: (swiss, SWISS_TOKEN)}
    if account is not None:
        picked = [tag for tag in simulated if tag.short == account]
        if not picked:
            known = ", ".join(tag.short for tag in simulated)
            raise ConfigError(f"the demo has no account called {account!r} (it has {known})")
    else:
        picked = list(simulated)
    first, *others = [
        _demo_account(settings, locations, clock, seed, server, tag, *simulated[tag])
        for tag in picked  # only those shown: nothing is written for the other
    ]
    first.others = others
    return first


@dataclass(frozen=True, slots=True)
class _DemoServer:
    """What the demo's accounts share, being on one (simulated) server."""

    transport: httpx.AsyncBaseTransport
    guard_state: GuardState


def _demo_account(
    settings: Settings,
    locations: Locations,
    clock: Clock,
    seed: int | None,
    server: _DemoServer,
    tag: AccountTag,
    simulated: SimulatedAccount,
    token: str,
) -> DashboardSetup:
    path = locations.demo_watchlist_file
    if tag != DEMO_SHOP:  # the shop's list is the demo's of old
        path = path.with_name(f"{path.stem}-{tag.short}{path.suffix}")
    watchlist, problem, damage = open_watchlist(path, clock)
    if not path.exists():
        watchlist.add_many(simulated.watched_demo_ids())
    return DashboardSetup(
        settings=settings,
        watchlist=watchlist,
        token=Token(token),
        api_url=DEMO_URL,
        locations=locations,
        transport=server.transport,
        clock=clock,
        demo=True,
        load_problem=problem,
        damage=damage,
        seed=seed,
        guard_state=server.guard_state,
        preferences=PreferencesFile(locations.demo_preferences_file),
        history_file=locations.demo_history_file,
        tag=tag,
    )
