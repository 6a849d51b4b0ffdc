"""Shared fixtures. Autouse ones keep the developer's own machine out of every test."""

from __future__ import annotations

import logging
import os
import signal
import textwrap
import time
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import keyring
import pytest
from hypothesis import settings
from keyring.backends import fail

from lox24tui.api import Lox24Client, Token
from lox24tui.commands.dashboard import calm_the_garbage_collector
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount, VirtualClock
from lox24tui.fake.server import serve, serve_in_thread
from lox24tui.session.config import Locations
from tests.engine_sources import LIVE

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    # pytest started as a background job of a script ("cmd &" without job control) ignores
    # Ctrl+C, and so would every lox24tui process a test starts: tests that stop one with
    # Ctrl+C would wait for ever. A handled signal is reset to the default in a child.
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Without bytecode files each of the ~100 lox24tui processes the suite starts would compile
# lox24tui from source (0.4 s of CPU to start instead of 0.3). Where PYTHONDONTWRITEBYTECODE
# is set they write them as Python does by default, in the __pycache__ folders git ignores
# (not in a cache of their own: that one would start empty and make the first processes of a
# fresh machine compile every library too).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two workers a core. Much of the suite waits, on lox24tui processes it
    started and on sockets, and a waiting worker leaves its core to another. Measured on two
    cores, one run after the other: 3 workers 148/151 s against 4 workers 127/130 s; 5 workers
    119/114 s against 117/113 s, for 7 % more CPU (so slower with the cores busy); earlier, 6
    workers 157 s against 160 s for 13 % more CPU, 8 workers 161 s."""
    return 2 * (os.cpu_count() or 1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The order that keeps both cores busy (the same in every worker, as xdist needs).

    Tests marked ``waits`` go first: one started last would run alone at the end (a backoff
    of 4 + 8 s made the run 18 s longer). With ``--dist worksteal`` (``pyproject.toml``)
    each worker starts on a quarter of this order, so one worker waits through them while
    the others keep the cores busy. The dashboard's tests keep a core busy, many others
    mostly wait (on processes, sockets): collected in order, the waiting kind came first and
    the cores were a third idle for the first minute, then the dashboard's ran alone. Each
    kind is spread evenly over the rest of the run, in its own order."""
    dashboard = [item for item in items if item.path.parent.name == "tui"]
    others = [item for item in items if item.path.parent.name != "tui"]
    place = {
        id(item): (item.get_closest_marker("waits") is None, (number + 0.5) / len(kind))
        for kind in (dashboard, others)
        for number, item in enumerate(kind)
    }
    items.sort(key=lambda item: place[id(item)])


def pytest_collection_finish() -> None:
    """The dashboard's tests run with the garbage collector set as ``lox24tui`` sets it for
    the dashboard: pytest's own objects and the collected tests frozen out of collections,
    young objects collected less often. With Python's defaults, full collections took a
    quarter of the dashboard tests' CPU (46 a worker, 150 ms each, over 300,000 objects):
    ``tests/tui`` on two cores took 131 s of CPU, 105 s so."""
    calm_the_garbage_collector()


settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None)
"""Repeatable and bounded: the same examples on every run, a few seconds in all."""
settings.register_profile("dev", max_examples=1000, deadline=None)
"""Random and thorough, for hunting (HYPOTHESIS_PROFILE=dev)."""
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """Where the account guard's state file is shared by the "processes" of a test."""
    return tmp_path / "state" / "account-guard.json"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads or writes the developer's config, watch list, state files or token."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LOX24_TOKEN", raising=False)
    monkeypatch.delenv("LOX24_API_URL", raising=False)
    monkeypatch.delenv("LOX24TUI_LOG", raising=False)
    # No keyring: the developer's own stays untouched, in this process and in subprocesses.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    yield
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def lox24_knows_every_filter(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No fake a test made may have been sent a query parameter LOX24 does not know. API
    Platform ignores an unknown filter silently and answers everything, so a client that
    misspelled one would pass every test that does not check this."""
    made: list[FakeLox24] = []
    build = FakeLox24.__init__

    def recorded(fake: FakeLox24, *args: Any, **options: Any) -> None:
        build(fake, *args, **options)
        made.append(fake)

    monkeypatch.setattr(FakeLox24, "__init__", recorded)
    yield
    unknown = [entry for fake in made for entry in fake.unknown_filters]
    assert unknown == [], f"parameters LOX24 would ignore were sent: {unknown}"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def fake(clock: VirtualClock) -> FakeLox24:
    """The demo account as it is at the clock's start, on a clock that moves only when told."""
    return FakeLox24(SimulatedAccount.demo(clock.now()), clock=clock)


@pytest.fixture
def live(fake: FakeLox24) -> str:
    """The id of the demo bulk in progress at the clock's start (LIVE): fetched every interval."""
    return next(bulk.uuid for bulk in fake.account if bulk.label == LIVE)


@pytest.fixture
async def fake_url(fake: FakeLox24) -> AsyncIterator[str]:
    """The fake served over a real loopback socket."""
    async with serve(fake) as url:
        yield url


@pytest.fixture
async def client(fake_url: str) -> AsyncIterator[Lox24Client]:
    """A client of the fake on loopback (no guard: what it asks is what the test counts)."""
    async with Lox24Client(Token(FAKE_TOKEN), fake_url) as opened:
        yield opened


@pytest.fixture
def token() -> str:
    return FAKE_TOKEN


@pytest.fixture
def live_fake() -> FakeLox24:
    """The demo account on the real clock, for CLI subprocesses (they cannot share a virtual
    clock)."""
    return FakeLox24(SimulatedAccount.demo(time.time()))


@pytest.fixture
def live_url(live_fake: FakeLox24) -> Iterator[str]:
    """``live_fake`` served from a thread of its own, for tests without an event loop."""
    with serve_in_thread(live_fake) as url:
        yield url


def write_config(text: str) -> Path:
    """``text`` (dedented) as the config file, where lox24tui reads it in this test's folders."""
    path = Locations.default().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


TOPPED_UP = Decimal("10000.00")
BIG = "2f1c3a00-4699-11ea-a637-96000028b339"
"""A bulk of 50,000 messages that :func:`add_sending_bulk` adds."""


def add_sending_bulk(
    account: SimulatedAccount, start: float, uuid: str = BIG, recipients: int = 50_000
) -> str:
    """A bulk that starts sending at ``start`` and takes ten minutes: the delivery features'
    subject in their tests. The balance is topped up to 10,000 EUR, so it is sent whole."""
    account.add(
        SimBulk(
            uuid=uuid,
            created_at=start - 60,
            delivery_at=start,
            recipients=recipients,
            send_seconds=600,
            label="Sending",
        )
    )
    account.set_balance(TOPPED_UP, start)
    return uuid


class Unused:
    """A status source for an engine that is never started: nothing may be fetched."""

    async def get_bulk_status(self, bulk_id: str) -> object:
        raise AssertionError(f"{bulk_id} was fetched")


@pytest.fixture
def package_logger() -> Iterator[logging.Logger]:
    """The ``lox24tui`` logger, put back as it was after the test attached a log to it."""
    logger = logging.getLogger("lox24tui")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    yield logger
    for handler in logger.handlers[len(handlers) :]:
        handler.close()
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate = propagate
