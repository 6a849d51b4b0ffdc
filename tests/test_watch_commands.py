"""lox24tui watch add/remove/list/restore, alone and racing a running dashboard, and what the
scripting commands do with a watch-list file that cannot be read."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lox24tui.clock import VirtualClock
from lox24tui.fake import FakeLox24, SimulatedAccount
from lox24tui.session.config import Locations
from lox24tui.state.store import WatchedBulk, WatchList
from lox24tui.tui.screens.damaged_list import DamagedListScreen
from tests.cli_process import lox24tui
from tests.files_on_disk import files_under

from .tui.conftest import app_on, main_of, settle, until
from .tui.dashboard_driver import paste_into_add_dialog

NOWHERE = "http://127.0.0.1:9"
"""An API address nothing answers at: no test here may reach LOX24."""


@pytest.fixture(autouse=True)
def _state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture
def path() -> Path:
    return Locations.default().watchlist_file


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
            from_app.append(pool.pop(0))  # a person adding bulks while the shells write
            await paste_into_add_dialog(pilot, app, from_app[-1], "mine")
        assert [await shell.wait() for shell in shells] == [0, 0, 0]
        assert from_app  # at least one of the dashboard's writes began while a shell ran
        await until(
            pilot, lambda: len(app.session.watchlist.ids) == 30 + len(from_app), "all on screen"
        )
        await settle(app, pilot)
        on_disk = set(WatchList.load(path)[0].ids)
        assert on_disk == set(from_shell) | set(from_app)
        assert set(app.session.watchlist.ids) == on_disk
        assert main_of(app).table.row_count == 30 + len(from_app)
        assert set(app.desk.monitor.watched) == on_disk
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
        await until(
            pilot,
            lambda: main_of(app).table.row_count == 28 + len(from_app),
            "the removal on screen",
        )
        assert from_app[0] not in app.desk.monitor.watched
    assert all(WatchList.load(path)[0].label_of(i) == "mine" for i in from_app[1:])


def watch(*args: str) -> subprocess.CompletedProcess[str]:
    return lox24tui("watch", *args, token=None)


def damage(path: Path) -> dict[str, bytes]:
    """Cut the last five bytes off the list; returns every file beside it, to compare later."""
    path.write_bytes(path.read_bytes()[:-5])
    return files_under(path.parent)


def says_how_to_restore(done: subprocess.CompletedProcess[str], path: Path) -> bool:
    return (
        done.returncode == 1
        and f"The watch list {path} cannot be read" in done.stderr
        and "`lox24tui watch restore` brings back its newest good copy" in done.stderr
        and "Traceback" not in done.stderr
    )


async def test_a_damaged_list_survives_export_and_watch_add_with_a_dashboard_open(
    path: Path, tmp_path: Path
) -> None:
    """The reported loss: five bytes cut off the list, then `export`, then `watch add`. The
    export moved the file aside and `watch add` started a one-bulk list, which every open
    dashboard adopted. Now both refuse, the file stays, and a good copy comes back."""
    bulks = ids_of(22)
    assert watch("add", *bulks, "--label", "Campaign").returncode == 0
    app = app_on(
        FakeLox24(SimulatedAccount(), clock=VirtualClock()),
        WatchList.load(path)[0],
        Locations.default(),
    )
    async with app.run_test(size=(180, 50)) as pilot:
        before = damage(path)
        out = tmp_path / "out.csv"
        exported = lox24tui("export", "-o", str(out), url=NOWHERE)
        assert says_how_to_restore(exported, path)
        assert not out.exists() and "Exported" not in exported.stderr
        added = watch("add", ids_of(1, offset=50)[0])
        assert says_how_to_restore(added, path)
        assert files_under(path.parent) == before
        await until(pilot, lambda: isinstance(app.screen, DamagedListScreen), "the question")
        assert app.session.watchlist.ids == bulks and main_of(app).table.row_count == 22
    restored = watch("restore")
    assert restored.returncode == 0
    assert WatchList.load(path)[0].ids == bulks


def test_read_only_commands_leave_a_damaged_list_exactly_as_it_is(path: Path) -> None:
    WatchList(path).add_many([(bulk_id, "") for bulk_id in ids_of(3)])
    before = damage(path)
    for args in (["watch", "list"], ["watch", "list", "--json"], ["export", "--format", "json"]):
        done = lox24tui(*args, url=NOWHERE)
        assert says_how_to_restore(done, path), args
        assert done.stdout == ""
    assert files_under(path.parent) == before


def test_writing_commands_refuse_a_damaged_list(path: Path) -> None:
    WatchList(path).add(ids_of(1)[0])
    before = damage(path)
    for args in (["add", ids_of(1, offset=7)[0]], ["remove", ids_of(1)[0]]):
        assert says_how_to_restore(watch(*args), path), args
    assert files_under(path.parent) == before


def test_without_a_good_copy_the_message_says_restore_cannot_help(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text("{broken")
    done = watch("list")
    assert done.returncode == 1 and "No good copy of it is kept" in done.stderr
    assert watch("restore").returncode == 1
    assert path.read_text() == "{broken"


def test_restore_lists_the_copies_and_brings_back_the_one_chosen(path: Path) -> None:
    changes = WatchList(path)
    changes.add(A)
    changes.add(B, "second")
    changes.remove(A)
    listed = watch("restore", "--list")
    assert listed.returncode == 0
    rows = listed.stdout.splitlines()
    assert [re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "TIME", row) for row in rows] == [
        " 1  TIME  1 bulk  (the list now)",
        " 2  TIME  2 bulks",
        " 3  TIME  1 bulk",
    ]
    back = watch("restore")  # the newest copy that differs from the list now
    assert back.returncode == 0 and "Restored the copy from" in back.stdout
    assert "with 2 bulks" in back.stdout and "kept among the copies" in back.stdout
    assert WatchList.load(path)[0].ids == [A, B]
    assert watch("restore", "2").returncode == 0  # copy 2 is now the list the restore replaced
    assert WatchList.load(path)[0].ids == [B]
    chosen = watch("restore", "5")  # the first version of all
    assert chosen.returncode == 0 and WatchList.load(path)[0].ids == [A]


def test_restore_list_calls_only_one_copy_the_list_now(path: Path) -> None:
    changes = WatchList(path)
    changes.add(A)
    changes.add(B)
    changes.remove(B)  # copy 3 (the first) and copy 1 both hold [A], as the file does
    listed = watch("restore", "--list")
    assert listed.returncode == 0
    rows = [
        re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "TIME", r) for r in listed.stdout.splitlines()
    ]
    assert rows == [
        " 1  TIME  1 bulk  (the list now)",
        " 2  TIME  2 bulks",
        " 3  TIME  1 bulk  (the same as 1)",
    ]


def test_restore_exits_1_when_there_is_nothing_to_restore(path: Path) -> None:
    for args in (["restore"], ["restore", "--list"]):
        done = watch(*args)
        assert done.returncode == 1 and "no copy" in done.stderr.lower(), args
    WatchList(path).add(A)
    same = watch("restore")
    assert same.returncode == 1 and "holds the list as the file holds it now" in same.stderr
    missing = watch("restore", "2")
    assert missing.returncode == 1 and "there is no copy 2" in missing.stderr
    assert WatchList.load(path)[0].ids == [A]
    assert watch("restore", "1", "--list").returncode == 2


def test_restore_over_a_damaged_list_keeps_the_damaged_file_aside(path: Path) -> None:
    WatchList(path).add_many([(A, ""), (B, "")])
    damaged = path.read_bytes()[:-5]
    path.write_bytes(damaged)
    done = watch("restore")
    assert done.returncode == 0
    (kept,) = path.parent.glob("watchlist.json.damaged-*")
    assert f"The damaged file was kept as {kept}" in done.stdout
    assert kept.read_bytes() == damaged
    assert WatchList.load(path)[0].ids == [A, B]


def test_entries_that_are_not_bulk_ids_are_reported_and_the_rest_kept(path: Path) -> None:
    path.parent.mkdir(parents=True)
    original = json.dumps({"version": 1, "bulks": [{"id": A, "label": "ok"}, {"id": "../me"}]})
    path.write_text(original)
    listed = watch("list")
    assert listed.returncode == 0 and listed.stdout == f"{A}  ok\n"
    assert "1 entry of the watch list" in listed.stderr and "'../me'" in listed.stderr
    assert path.read_text() == original
    assert watch("add", B).returncode == 0
    assert WatchList.load(path)[0].entries == [WatchedBulk(A, "ok"), WatchedBulk(B, "")]
    assert [c.path.read_text() for c in WatchList(path).backups()][1] == original


def test_removing_several_bulks_is_one_change(path: Path) -> None:
    WatchList(path).add_many([(bulk_id, "") for bulk_id in [A, B, *ids_of(2)]])
    removed = watch("remove", A, B, A)
    assert removed.returncode == 0
    assert removed.stdout == f"{A}  removed\n{B}  removed\n"
    assert len(WatchList(path).backups()) == 2
