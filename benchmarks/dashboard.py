"""The dashboard under load: CPU per refresh cycle and key-press latency during a cycle.

Runs the fake LOX24 in another process (so its CPU is not counted) with injected latency, and the
real dashboard headless in this one, watching N bulks. Measures one forced refresh of every bulk
(CPU seconds of this process, wall time) and, while it runs, how long key presses (cursor moves)
take to be handled.

    python benchmarks/dashboard.py              # 1,000 bulks, 50 ms latency, concurrency 20
    python benchmarks/dashboard.py --ids 300

Targets on our 2-core machines: at most 1.5 s CPU per cycle; key presses under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _fake_process import fake_server
from refresh import all_ids

from lox24tui.api import Token
from lox24tui.config import Locations, Settings
from lox24tui.fake import FAKE_TOKEN
from lox24tui.store import WatchList
from lox24tui.tui.app import DashboardSetup, Lox24App


async def measure(url: str, ids: list[str], concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        locations = Locations(Path(folder) / "config", Path(folder) / "data")
        watchlist = WatchList(locations.watchlist_file)
        watchlist.add_many([(bulk_id, f"Bulk {n}") for n, bulk_id in enumerate(ids, 1)])
        settings = Settings(concurrency=concurrency, interval=600)
        app = Lox24App(DashboardSetup(settings, watchlist, Token(FAKE_TOKEN), url, locations))
        async with app.run_test(size=(160, 45)) as pilot:
            started = time.perf_counter()
            await wait_until_all_checked(app, since=0.0)
            print(f"first load of {len(ids):,} bulks: {time.perf_counter() - started:.2f} s wall")
            await pilot.pause(1)

            table = app.main.table
            move_down = table.action_cursor_down
            handled: list[float] = []
            key_handled = asyncio.Event()

            def timed_move_down() -> None:
                handled.append(time.perf_counter())
                key_handled.set()
                move_down()

            table.action_cursor_down = timed_move_down  # type: ignore[method-assign]
            cycle_start = time.time()
            cpu, wall = time.process_time(), time.perf_counter()
            app.monitor.refresh()
            latencies = []
            while not all_checked(app, cycle_start):
                key_handled.clear()
                pressed = time.perf_counter()
                app.simulate_key("down")  # as a terminal would deliver it
                await asyncio.wait_for(key_handled.wait(), timeout=10)
                latencies.append((handled[-1] - pressed) * 1000)
                await asyncio.sleep(0.1)
            await pilot.pause(0.5)  # the last batch reaches the screen
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"one refresh cycle: {cpu:.2f} s CPU (target ≤ 1.5 s), {wall:.2f} s wall, "
        f"{app.monitor.requests_sent:,} requests in all"
    )
    print(
        f"key presses during the cycle: {len(latencies)}, median "
        f"{statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms (target < 100 ms)"
    )


def all_checked(app: Lox24App, since: float) -> bool:
    return all(
        state.last_checked is not None and state.last_checked >= since
        for state in app.monitor.states()
    )


async def wait_until_all_checked(app: Lox24App, since: float) -> None:
    while not all_checked(app, since):  # noqa: ASYNC110 - polling from outside the app
        await asyncio.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    print(
        f"{args.ids:,} watched bulks, {args.latency * 1000:g} ms server latency, "
        f"concurrency {args.concurrency}"
    )
    with fake_server(args.ids, args.latency) as url:
        ids = asyncio.run(all_ids(url))
        asyncio.run(measure(url, ids, args.concurrency))


if __name__ == "__main__":
    main()
