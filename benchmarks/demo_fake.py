"""The simulated LOX24 of demo mode: the CPU it spends answering a dashboard.

Records the requests of a demo dashboard (headless, 180×50, on a virtual clock) that opens,
shows the clicks and replies columns and the pane of its first bulk, and stays ten simulated
minutes; then answers the same requests, at the same simulated moments, from fresh fakes,
and prints the fake's CPU per replay. Everything the dashboard and the tests of it show in
demo mode comes from these answers, so their cost is paid at every step of both.

    python benchmarks/demo_fake.py            # 5 replays

Measured (297 requests, one run after the other on the same machine): 1,208 ms best of 5
before the fake kept its uuids and hashes and folded a filter's values once, 561 ms after.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

import httpx
from textual.pilot import Pilot

from lox24tui.clock import VirtualClock
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimulatedAccount
from lox24tui.fake.app import LoggedRequest
from lox24tui.session.config import Locations, Settings
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.main import MainScreen
from lox24tui.tui.setup import demo_setup

SEED = 7


async def record() -> tuple[float, list[LoggedRequest]]:
    """The requests of a demo session, and the simulated moment it started."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        locations = Locations(root / "config", root / "data", root / "state")
        clock = VirtualClock()
        start = clock.now()
        setup = demo_setup(
            Settings(archive_after=0), locations, clock=clock, seed=SEED, account="shop"
        )
        setup.notify_writer = lambda text: None
        app = Lox24App(setup)
        async with app.run_test(size=(180, 50)) as pilot:
            await idle(app, pilot)
            main = next(s for s in app.screen_stack if isinstance(s, MainScreen))
            main.view.toggle_engagement()
            await pilot.press("enter")
            for _ in range(10):
                clock.advance(60)
                await idle(app, pilot)
        transport = setup.transport
        assert isinstance(transport, httpx.ASGITransport)
        fake = transport.app
        assert isinstance(fake, FakeLox24)
        return start, list(fake.log)


async def idle(app: Lox24App, pilot: Pilot[None]) -> None:
    """What is due at this simulated moment has been asked and answered."""
    for _ in range(2):  # answers (clicks, replies) may make more due
        for desk in app.desks:
            await desk.monitor.wait_idle()
        await pilot.pause(0.1)


async def replay(start: float, log: list[LoggedRequest]) -> float:
    """Seconds of CPU a fresh fake spends answering ``log``."""
    clock = VirtualClock()
    fake = FakeLox24(SimulatedAccount.demo(clock.now()), clock=clock, rng=random.Random(SEED))
    headers = {"X-LOX24-AUTH-TOKEN": FAKE_TOKEN, "Accept": "application/ld+json"}
    transport = httpx.ASGITransport(app=fake)
    async with httpx.AsyncClient(transport=transport, base_url="http://fake", headers=headers) as c:
        base = clock.now()
        spent = 0.0
        for entry in log:
            clock.advance(max(0.0, base + entry.at - start - clock.now()))
            before = time.process_time()
            await c.request(entry.method, entry.path + (f"?{entry.query}" if entry.query else ""))
            spent += time.process_time() - before
    return spent


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replays", type=int, default=5)
    args = parser.parse_args()
    start, log = await record()
    await replay(start, log)  # warm: imports, caches of the process
    spent = [await replay(start, log) for _ in range(args.replays)]
    kinds: dict[str, int] = {}
    for entry in log:
        kind = "/" + entry.path.split("/")[1]
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"{len(log)} requests ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})")
    print(
        f"the fake's CPU (client included) per replay: {min(spent) * 1000:.0f} ms best, "
        f"{sum(spent) / len(spent) * 1000:.0f} ms mean, over {args.replays} replays"
    )


if __name__ == "__main__":
    asyncio.run(main())
