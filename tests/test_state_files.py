"""The watch-list store and the file helpers when the machine fails them: in-process and fast
(for mutation testing). Real faults: an immutable file or folder, a data folder that is a file,
a lock held by another process. The same through commands: test_state_faults_cli.py."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from lox24tui.state.files import LockBusy, StateFault, cannot_use, lock_holder, locked, os_reason
from lox24tui.state.store import WatchList
from tests.state_faults import immutable, stopped_lock_holder

A = "da0fa78c-4699-11ea-a637-96000028b339"
B = "0e03b500-ca4a-11f0-8002-96000028b339"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "watchlist.json"


def copies_holding(watch: WatchList, bulk_id: str) -> list[Path]:
    copies = watch.backups()
    return [copy.path for copy in copies if any(e.bulk_id == bulk_id for e in copy.entries)]


def test_a_change_that_could_not_be_saved_leaves_no_copy_to_restore(path: Path) -> None:
    watch = WatchList(path)
    watch.add(A)
    with immutable(path), pytest.raises(StateFault) as raised:
        watch.add(B)
    message = str(raised.value)
    assert str(path) in message and "the change was not saved" in message
    assert "Errno" not in message and "[" not in message
    assert copies_holding(WatchList(path), B) == []
    assert [e.bulk_id for e in WatchList.load(path)[0].entries] == [A]


def test_a_data_folder_that_is_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file", "utf-8")
    path = tmp_path / "data" / "lox24tui" / "watchlist.json"
    with pytest.raises(StateFault, match=f"{tmp_path / 'data'} is a file, not a folder"):
        WatchList.load(path)
    with pytest.raises(StateFault, match="is a file, not a folder"):
        WatchList(path).add(A)


def test_a_held_lock_is_waited_for_then_named_with_its_holder(path: Path) -> None:
    told: list[LockBusy] = []
    watch = WatchList(path, lock_wait=0.2, waiting=told.append)
    with stopped_lock_holder(path) as holder, pytest.raises(LockBusy) as raised:
        watch.add(A)
    assert raised.value.holder == holder and f"process {holder}" in str(raised.value)
    assert len(told) == 1 and f"{path}.lock" in told[0].waiting(5)
    assert "up to 5 s" in told[0].waiting(5)
    assert not path.exists()


def test_a_lock_that_is_free_again_is_taken_and_carries_the_pid(path: Path) -> None:
    with stopped_lock_holder(path), pytest.raises(LockBusy):
        WatchList(path, lock_wait=0).add(A)
    WatchList(path, lock_wait=0).add(A)
    assert lock_holder(path) == os.getpid()


def test_the_lock_is_never_waited_for_with_no_wait(path: Path) -> None:
    told: list[LockBusy] = []
    with locked(path), pytest.raises(LockBusy), locked(path, wait=0, waiting=told.append):
        pass
    assert told == []


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (errno.ENOSPC, "no space left on the device"),
        (errno.EACCES, "permission denied"),
        (errno.EROFS, "the file system is read-only"),
        (errno.EPERM, "does not permit it"),
        (errno.EISDIR, "a folder stands where the file should be"),
        (errno.EXDEV, "invalid cross-device link"),
    ],
)
def test_machine_faults_are_told_in_words_never_numbers(number: int, words: str) -> None:
    what, todo = os_reason(OSError(number, os.strerror(number)))
    assert words in what and todo
    message = str(cannot_use("the watch list", Path("/x/list.json"), OSError(number, "x")))
    assert str(number) not in message.replace("/x/list.json", "")
    assert message.startswith("the watch list /x/list.json cannot be written (")
