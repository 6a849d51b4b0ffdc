"""lox24tui watch add/remove/list, alone and racing a running dashboard."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from lox24tui.config import Locations
from lox24tui.fake import FakeLox24, SimulatedAccount
from lox24tui.store import WatchList

from .test_cli import lox24tui
from .tui.conftest import app_on, settle

A = "da0fa78c-4699-11ea-a637-96000028b339"
B = "0e03b500-ca4a-11f0-8002-96000028b339"


def ids_of(n: int, offset: int = 0) -> list[str]:
    return [f"00000000-0000-1000-8000-{k:012d}" for k in range(offset, offset + n)]


def test_add_list_remove() -> None:
    added = lox24tui("watch", "add", A, "../me", "--label", "Campaign", token=None)
    assert added.returncode == 1
    assert f"{A}  added" in added.stdout and "'../me' is not a LOX24 bulk id" in added.stderr
    again = lox24tui("watch", "add", A.upper(), token=None)
    assert again.returncode == 0 and "already watched" in again.stdout
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOX24_")}
    piped = subprocess.run(
        [sys.executable, "-m", "lox24tui", "watch", "add", "-"],
        input=f"{B}\n\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert piped.returncode == 0
    listed = lox24tui("watch", "list", "--json", token=None)
    assert [json.loads(line) for line in listed.stdout.splitlines()] == [
        {"id": A, "label": "Campaign"},
        {"id": B, "label": ""},
    ]
    removed = lox24tui("watch", "remove", A, ids_of(1)[0], token=None)
    assert removed.returncode == 1 and "is not on the watch list" in removed.stderr
    assert WatchList.load(Locations.default().watchlist_file)[0].ids == [B]


async def test_watch_commands_racing_a_running_dashboard_lose_nothing() -> None:
    from lox24tui.clock import VirtualClock

    clock = VirtualClock()
    fake = FakeLox24(SimulatedAccount(), clock=clock)
    path = Locations.default().watchlist_file
    watchlist, _ = WatchList.load(path)
    app = app_on(fake, watchlist, Locations.default())
    from_shell, pool = ids_of(30), ids_of(400, offset=100)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOX24_")}
    async with app.run_test(size=(180, 50)) as pilot:
        shells = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "lox24tui",
                "watch",
                "add",
                *from_shell[n::3],
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
            )
            for n in range(3)
        ]
        from_app: list[str] = []
        while any(shell.returncode is None for shell in shells) and pool:
            from_app.append(pool.pop(0))  # the dashboard writing while the shells write
            app.add_bulks([from_app[-1]], "mine")
            await asyncio.sleep(0.002)  # lets the shells' exits be noticed
        assert [await shell.wait() for shell in shells] == [0, 0, 0]
        assert len(from_app) > 5  # the writes really overlapped
        await pilot.pause()
        app.pick_up_outside_changes()
        await settle(app, pilot)
        on_disk = set(WatchList.load(path)[0].ids)
        assert on_disk == set(from_shell) | set(from_app)
        assert set(app.watchlist.ids) == on_disk
        assert app.main.table.row_count == 30 + len(from_app)
        assert set(app.monitor.watched) == on_disk
        removed = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "lox24tui",
            "watch",
            "remove",
            from_shell[0],
            from_app[0],
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
        )
        assert await removed.wait() == 0
        app.pick_up_outside_changes()
        await pilot.pause()
        assert app.main.table.row_count == 28 + len(from_app)
        assert from_app[0] not in app.monitor.watched
    assert all(WatchList.load(path)[0].label_of(i) == "mine" for i in from_app[1:])


def test_a_broken_list_file_is_left_alone_and_refused() -> None:
    path = Locations.default().watchlist_file
    path.parent.mkdir(parents=True)
    path.write_text("{broken")
    for args in (["watch", "add", A], ["watch", "remove", A], ["watch", "list"]):
        done = lox24tui(*args, token=None)
        assert done.returncode == 1
        assert "cannot be read" in done.stderr and "Traceback" not in done.stderr
    assert path.read_text() == "{broken"
    assert list(path.parent.glob("*.broken-*")) == []
