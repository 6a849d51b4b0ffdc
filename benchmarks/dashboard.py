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
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _fake_process import fake_server
from refresh import all_ids

from lox24tui.api import Token
from lox24tui.commands.dashboard import calm_the_garbage_collector
from lox24tui.fake import FAKE_TOKEN
from lox24tui.session.config import Locations, Settings
from lox24tui.state.store import WatchList
from lox24tui.tui.app import DashboardSetup, Lox24App
from lox24tui.tui.screens.main import MainScreen


async def measure(url: str, ids: list[str], concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        locations = Locations(
            Path(folder) / "config", Path(folder) / "data", Path(folder) / "state"
        )
        watchlist = WatchList(locations.watchlist_file)
        watchlist.add_many([(bulk_id, f"Bulk {n}") for n, bulk_id in enumerate(ids, 1)])
        settings = Settings(concurrency=concurrency, interval=600)
        app = Lox24App(DashboardSetup(settings, watchlist, Token(FAKE_TOKEN), url, locations))
        calm_the_garbage_collector()  # as `lox24tui` itself does
        async with app.run_test(size=(160, 45)) as pilot:
            started = time.perf_counter()
            await wait_until_all_checked(app, since=0.0)
            print(f"first load of {len(ids):,} bulks: {time.perf_counter() - started:.2f} s wall")
            await pilot.pause(1)

            cpu, wall = await refresh_cycle(app)
            print(
                f"one refresh cycle, nobody typing: {cpu:.2f} s CPU (target ≤ 1.5 s), "
                f"{wall:.2f} s wall"
            )
            await pilot.pause(1)
            latencies: list[float] = []
            cpu, wall = await refresh_cycle(app, while_running=lambda: press_down(app, latencies))
            print(
                f"one refresh cycle, a key pressed every 0.1 s: {cpu:.2f} s CPU, {wall:.2f} s wall"
            )
    print(
        f"key presses during that cycle: {len(latencies)}, median "
        f"{statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms (target < 100 ms)"
        + (f"  {[round(x) for x in latencies]}" if "-v" in sys.argv else "")
    )


async def refresh_cycle(
    app: Lox24App, while_running: Callable[[], Awaitable[None]] | None = None
) -> tuple[float, float]:
    """Refresh every bulk once; CPU seconds of this process and wall seconds, until the last
    update reached the screen."""
    cycle_start = time.time()
    cpu, wall = time.process_time(), time.perf_counter()
    app.desk.monitor.refresh()
    while not all_checked(app, cycle_start):
        if while_running is not None:
            await while_running()
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.6)  # the last batch reaches the screen
    return time.process_time() - cpu, time.perf_counter() - wall


async def press_down(app: Lox24App, latencies: list[float]) -> None:
    """Press Down as a terminal would deliver it; how long until the table handled it."""
    main = app.screen
    assert isinstance(main, MainScreen), "the main screen is not the one shown"
    table = main.table
    move_down = table.action_cursor_down
    handled = asyncio.Event()
    when: list[float] = []

    def timed_move_down() -> None:
        when.append(time.perf_counter())
        handled.set()
        move_down()

    table.action_cursor_down = timed_move_down  # type: ignore[method-assign]
    try:
        pressed = time.perf_counter()
        app.simulate_key("down")
        await asyncio.wait_for(handled.wait(), timeout=10)
        latencies.append((when[-1] - pressed) * 1000)
    finally:
        table.action_cursor_down = move_down  # type: ignore[method-assign]


def all_checked(app: Lox24App, since: float) -> bool:
    return all(
        state.last_checked is not None and state.last_checked >= since
        for state in app.desk.monitor.states()
    )


async def wait_until_all_checked(app: Lox24App, since: float) -> None:
    while not all_checked(app, since):  # noqa: ASYNC110 - polling from outside the app
        await asyncio.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("-v", action="store_true", help="print every key-press latency")
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
