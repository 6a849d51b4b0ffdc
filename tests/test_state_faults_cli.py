"""Faults of lox24tui's own state, as a user meets them: real command processes against the
fake LOX24 on loopback, a real SIGSTOPped lock holder, real unwritable files (chattr +i) and a
data or state folder that is a file. In-process twins: test_guard_state.py, test_state_files.py."""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lox24tui.fake import FAKE_TOKEN, FakeLox24
from lox24tui.session.config import Locations
from lox24tui.state.files import LOCK_WAIT
from tests.cli_process import CLI_TIMEOUT, WRONG, cli_env, labelled, lox24tui
from tests.state_faults import immutable, stopped_lock_holder

BOUND = LOCK_WAIT + 20.0
"""A command facing a held lock must be done within this (the wait, plus starting Python on a
busy machine)."""


def no_machine_words(text: str) -> None:
    assert "Errno" not in text and "Traceback" not in text and "please report" not in text


def damage(path: Path, kind: str) -> None:
    if kind == "folder":
        path.unlink()
        (path / "inside").mkdir(parents=True)
    else:
        contents = {"garbage": "}{ not json", "empty": "", "wrong shape": "[1, 2]"}[kind]
        path.write_text(contents, "utf-8")


@pytest.mark.parametrize("kind", ["garbage", "empty", "wrong shape", "folder"])
def test_a_damaged_guard_file_never_lets_more_than_three_refusals_out(
    live_fake: FakeLox24, live_url: str, kind: str
) -> None:
    bulk = labelled(live_fake, "Black Friday newsletter")
    guard_file = Locations.default().guard_file
    first = lox24tui("status", bulk, url=live_url, token=WRONG)
    assert first.returncode == 2 and guard_file.is_file()
    damage(guard_file, kind)
    runs = [lox24tui("status", bulk, url=live_url, token=WRONG) for _ in range(3)]
    assert [entry.status for entry in live_fake.log] == [401]  # the window counts as full
    notices = [run.stderr for run in runs if "moved aside" in run.stderr]
    assert len(notices) == 1 and str(guard_file) in notices[0]
    assert all(run.returncode == 2 for run in runs)
    for run in runs:
        no_machine_words(run.stderr)


def test_an_unwritable_guard_file_stops_the_command_and_says_what_to_do(
    live_fake: FakeLox24, live_url: str
) -> None:
    bulk = labelled(live_fake, "Black Friday newsletter")
    guard_file = Locations.default().guard_file
    with immutable(guard_file.parent):  # not even root may create or replace a file there
        done = lox24tui("status", bulk, "--json", url=live_url)
    assert done.returncode == 2
    assert live_fake.log == []
    # the first file it must write there: the guard file, or a place for a request in flight
    assert f" {guard_file.parent}/" in done.stderr
    assert "cannot be written (" in done.stderr
    assert "no request is sent until then" in done.stderr
    assert json.loads(done.stdout)["error"]["kind"] == "not_sent"
    no_machine_words(done.stderr + done.stdout)


def test_a_state_folder_that_is_a_file_is_named(
    live_fake: FakeLox24, live_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "state-file").write_text("not a folder", "utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state-file"))
    done = lox24tui("status", labelled(live_fake, "Black Friday newsletter"), url=live_url)
    assert done.returncode == 2 and live_fake.log == []
    assert f"{tmp_path / 'state-file'} is a file, not a folder" in done.stderr
    no_machine_words(done.stderr + done.stdout)


@pytest.mark.waits
def test_a_command_waits_for_a_held_guard_lock_a_few_seconds_then_says_so(
    live_fake: FakeLox24, live_url: str
) -> None:
    bulk = labelled(live_fake, "Black Friday newsletter")
    guard_file = Locations.default().guard_file
    with stopped_lock_holder(guard_file) as holder:
        started = time.monotonic()
        done = lox24tui("status", bulk, url=live_url)  # a token not proven yet: it must write
        took = time.monotonic() - started
    assert done.returncode == 2 and took < BOUND
    assert live_fake.log == []
    waiting = [line for line in done.stderr.splitlines() if "waiting up to 5 s" in line]
    assert len(waiting) == 1
    assert str(guard_file) in waiting[0] and f"process {holder}" in waiting[0]
    assert f"is locked by process {holder}" in done.stdout + done.stderr
    assert "gave up after 5 s, nothing was sent" in done.stdout + done.stderr
    no_machine_words(done.stderr + done.stdout)


@pytest.mark.waits
def test_watch_add_waits_for_a_held_list_lock_a_few_seconds_then_says_so(
    live_fake: FakeLox24,
) -> None:
    bulk = next(iter(live_fake.account)).uuid
    watchlist = Locations.default().watchlist_file
    with stopped_lock_holder(watchlist) as holder:
        started = time.monotonic()
        done = lox24tui("watch", "add", bulk)
        took = time.monotonic() - started
    assert done.returncode == 2 and took < BOUND
    assert f"waiting up to 5 s for the lock on the watch list {watchlist}" in done.stderr
    assert f"process {holder}" in done.stderr and "gave up after 5 s" in done.stderr
    assert not watchlist.exists()
    no_machine_words(done.stderr)


def test_a_watch_list_write_that_fails_leaves_no_copy_to_restore(live_fake: FakeLox24) -> None:
    first, second = [bulk.uuid for bulk in live_fake.account][:2]
    watchlist = Locations.default().watchlist_file
    assert lox24tui("watch", "add", first).returncode == 0
    with immutable(watchlist):  # the list cannot be replaced; its folder still takes copies
        done = lox24tui("watch", "add", second)
    assert done.returncode == 2
    assert f"the watch list {watchlist} cannot be written" in done.stderr
    assert "the change was not saved" in done.stderr
    no_machine_words(done.stderr)
    copies = list((watchlist.parent / "backups").glob("*.json"))
    assert copies and not any(second in copy.read_text("utf-8") for copy in copies)
    restored = lox24tui("watch", "restore")
    assert second not in lox24tui("watch", "list").stdout, restored.stdout


def test_a_data_folder_that_is_a_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data-file").write_text("not a folder", "utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-file"))
    done = lox24tui("watch", "list")
    assert done.returncode == 2
    assert f"{tmp_path / 'data-file'} is a file, not a folder" in done.stderr
    no_machine_words(done.stderr)


def test_status_watch_says_it_waits_for_a_held_lock_and_goes_on_when_it_is_free(
    live_fake: FakeLox24, live_url: str
) -> None:
    bulk = labelled(live_fake, "Password reset codes (Unicode)")  # processed already
    guard_file = Locations.default().guard_file
    with stopped_lock_holder(guard_file) as holder:
        watching = subprocess.Popen(
            [sys.executable, "-m", "lox24tui", "status", "--watch", bulk],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(live_url, FAKE_TOKEN),
        )
        try:
            assert watching.stderr is not None
            ready, _, _ = select.select([watching.stderr], [], [], CLI_TIMEOUT)
            assert ready, "status --watch said nothing while it waited"
            said = watching.stderr.readline()
            assert f"waiting for the lock on the account guard file {guard_file}" in said
            assert f"process {holder}" in said and "up to" not in said
            assert live_fake.log == []
        except BaseException:
            watching.kill()
            raise
    out, err = watching.communicate(timeout=CLI_TIMEOUT)  # the holder is gone: it goes on
    assert watching.returncode == 0, err
    assert bulk in out
    no_machine_words(err)
