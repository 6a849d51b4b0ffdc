"""The messages screen (m): how long after LOX24's answer its first page is on screen.

Runs the fake LOX24 in another process with injected latency, and the dashboard headless in
this one. Opens a bulk's messages screen several times and measures, each time, from the moment
the answer to the first page arrived (its client call returned) to the moment the table shows
its rows and has drawn them (the next idle moment): the screen's own cost, without the
network's.

    python benchmarks/messages_screen.py            # 50 ms latency, 10 openings

Target: under 300 ms.
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

from lox24tui.account.guard import GuardedClient
from lox24tui.api import MessagePage, Token
from lox24tui.api.sms import ALL_MESSAGES, MessageFilters
from lox24tui.fake import FAKE_TOKEN
from lox24tui.session.config import Locations, Settings
from lox24tui.state.store import WatchList
from lox24tui.tui.app import DashboardSetup, Lox24App
from lox24tui.tui.screens.messages import MessagesScreen
from lox24tui.tui.screens.one_bulk import OneBulk


class Timed(GuardedClient):
    """The dashboard's guarded client, noting when each page's answer arrived."""

    answered: list[float] = []

    async def list_messages(
        self, bulk_id: str, *, page: int = 1, filters: MessageFilters = ALL_MESSAGES
    ) -> MessagePage:
        result = await super().list_messages(bulk_id, page=page, filters=filters)
        Timed.answered.append(time.perf_counter())
        return result


async def measure(url: str, bulk_id: str, openings: int) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        locations = Locations(Path(folder) / "c", Path(folder) / "d", Path(folder) / "s")
        watchlist = WatchList(locations.watchlist_file)
        watchlist.add(bulk_id, "Measured")
        settings = Settings(interval=600, delivery=False)
        app = Lox24App(DashboardSetup(settings, watchlist, Token(FAKE_TOKEN), url, locations))
        shown: list[float] = []
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause(1)
            assert app.desk.connection.client is not None
            for _ in range(openings):
                Timed.answered.clear()
                client = Timed(app.desk.connection.client, app.desk.monitor.guard)
                screen = MessagesScreen(OneBulk(client, bulk_id, "Measured", app.session.now))
                await app.push_screen(screen)
                while not screen.table.row_count:  # noqa: ASYNC110 - no event says "rows added"
                    await asyncio.sleep(0.001)
                await pilot.pause()  # and drawn: the screen has processed what follows
                shown.append(time.perf_counter() - Timed.answered[0])
                app.pop_screen()
                await pilot.pause(0.1)
        return shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--openings", type=int, default=10)
    args = parser.parse_args()
    with fake_server(bulks=20, latency=args.latency, messages=50_000) as url:
        ids = asyncio.run(all_ids(url))
        delays = asyncio.run(measure(url, ids[0], args.openings))
    ms = [d * 1000 for d in delays]
    print(
        f"messages screen, first page on screen after LOX24's answer: median "
        f"{statistics.median(ms):.0f} ms, worst {max(ms):.0f} ms over {len(ms)} openings "
        f"(target < 300 ms)"
    )


if __name__ == "__main__":
    main()
