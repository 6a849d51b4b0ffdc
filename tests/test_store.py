"""The watch list on disk: kept across restarts, written atomically, never lost.

A damaged file is left exactly as it is and nothing is written over it; every change keeps
copies; a copy can be brought back. Time comes from a virtual clock, so nothing sleeps.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lox24tui.api import InvalidBulkId
from lox24tui.clock import VirtualClock
from lox24tui.state.store import (
    KEPT_COPIES,
    NothingToRestore,
    Removed,
    WatchedBulk,
    WatchList,
    WatchListDamaged,
)
from tests.files_on_disk import files_under

A = "da0fa78c-4699-11ea-a637-96000028b339"
B = "0e03b500-ca4a-11f0-8002-96000028b339"
C = "00000000-0000-1000-8000-000000000003"


def ids_of(n: int) -> list[str]:
    return [f"00000000-0000-1000-8000-{k:012d}" for k in range(100, 100 + n)]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=1_764_150_000.0)  # 2025-11-26 09:40:00 UTC


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "watchlist.json"


def saved(path: Path, clock: VirtualClock, *ids: str) -> WatchList:
    """A list written through the store, one change per id, a minute apart."""
    watchlist = WatchList(path, now=clock.now)
    for bulk_id in ids:
        watchlist.add(bulk_id, f"label {bulk_id[-3:]}")
        clock.advance(60)
    return watchlist


# ------------------------------------------------------------------ reading and changing


def test_round_trip_keeps_ids_labels_and_order(path: Path) -> None:
    first, problem = WatchList.load(path)
    assert problem is None and first.entries == []
    first.add(B, "second campaign")
    first.add(A.upper(), "first\tcampaign\x1b[31m")
    again, problem = WatchList.load(path)
    assert problem is None
    assert again.ids == [B, A]
    assert again.label_of(A) == "first campaign [31m"
    assert A in again and C not in again
    assert again.index_of(A) == 1


def test_a_missing_file_is_an_empty_list_and_nothing_is_created(path: Path) -> None:
    watchlist, problem = WatchList.load(path)
    assert watchlist.entries == [] and problem is None
    assert not path.parent.exists()
    assert watchlist.backups() == []


def test_duplicates_and_invalid_ids_are_refused(path: Path) -> None:
    watch = WatchList(path)
    assert watch.add(A) is True
    assert watch.add(A) is False
    assert watch.add_many([(A, ""), (B, ""), (B, "")]) == [B]
    with pytest.raises(InvalidBulkId):
        watch.add("../me")
    assert watch.ids == [A, B]


def test_remove_and_put_back_in_place(path: Path) -> None:
    watch = WatchList(path)
    watch.add_many([(A, "a"), (B, "b"), (C, "c")])
    assert watch.remove(B) == Removed(1, WatchedBulk(B, "b"))
    assert watch.remove(B) is None
    assert WatchList.load(path)[0].ids == [A, C]
    removed = watch.remove_many([C, A, ids_of(1)[0]])
    assert removed == [Removed(0, WatchedBulk(A, "a")), Removed(1, WatchedBulk(C, "c"))]
    assert watch.put_back(removed) == [A, C]
    assert watch.put_back([Removed(1, WatchedBulk(B, "b"))]) == [B]
    assert WatchList.load(path)[0].ids == [A, B, C]
    assert watch.put_back(removed) == []  # on the list already: nothing to put back


def test_a_bulk_put_back_into_a_shorter_list_goes_last(path: Path) -> None:
    watch = WatchList(path)
    watch.add_many([(A, ""), (B, ""), (C, "")])
    (gone,) = watch.remove_many([C])
    watch.remove_many([A, B])
    watch.add(ids_of(1)[0])
    assert watch.put_back([gone]) == [C]
    assert WatchList.load(path)[0].ids == [ids_of(1)[0], C]


def test_labels_change_and_unknown_ids_are_ignored(path: Path) -> None:
    watch = WatchList(path)
    watch.add(A, "old")
    watch.set_label(A, "new\nname")
    watch.set_label(B, "not watched")
    again = WatchList.load(path)[0]
    assert again.label_of(A) == "new name" and again.ids == [A]


def test_a_change_applies_to_the_list_as_it_is_on_disk_now(path: Path) -> None:
    mine, theirs = WatchList(path), WatchList(path)
    mine.add(A)
    theirs.add(B)  # theirs never read A, but adds to the list on disk
    mine.set_label(A, "mine")
    assert WatchList.load(path)[0].entries == [WatchedBulk(A, "mine"), WatchedBulk(B, "")]
    assert mine.ids == [A, B]


# ------------------------------------------------------------------ damaged files


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"version": 1, "bulks": [{"id": "da0fa78c-', "not valid JSON at line 1"),
        (b"", "not valid JSON at line 1"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b"[1, 2]", 'expected an object with a "bulks" list'),
        (b'{"bulks": {}}', 'expected an object with a "bulks" list'),
        (b"[" * 100_000, "nested too deeply"),
    ],
    ids=["truncated", "empty", "not-utf8", "a-list", "bulks-not-a-list", "too-deep"],
)
def test_a_damaged_file_is_reported_and_left_exactly_as_it_is(
    path: Path, content: bytes, reason: str
) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(WatchListDamaged) as raised:
        WatchList.load(path)
    assert raised.value.path == path and raised.value.reason == reason
    assert str(raised.value) == (
        f"The watch list {path} cannot be read ({reason}); it was left as it is."
    )
    assert files_under(path.parent) == {"watchlist.json": content}


def test_a_file_that_cannot_be_opened_is_damaged_too(path: Path) -> None:
    path.mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(WatchListDamaged, match="a folder stands where the file should be"):
        WatchList.load(path)
    assert path.is_dir()


def test_no_change_is_written_over_a_damaged_file(path: Path, clock: VirtualClock) -> None:
    watch = saved(path, clock, A, B)
    (gone,) = watch.remove_many([B])
    damaged = path.read_bytes()[:-5]
    path.write_bytes(damaged)
    before = files_under(path.parent)
    changes: list[Callable[[], object]] = [
        lambda: watch.add(C),
        lambda: watch.remove(A),
        lambda: watch.remove_many([A]),
        lambda: watch.put_back([gone]),
        lambda: watch.set_label(A, "new"),
    ]
    for change in changes:
        with pytest.raises(WatchListDamaged):
            change()
    assert files_under(path.parent) == before
    assert watch.entries == [WatchedBulk(A, f"label {A[-3:]}")]


def test_unreadable_entries_are_left_out_reported_and_kept_by_the_next_change(
    path: Path,
) -> None:
    path.parent.mkdir(parents=True)
    original = json.dumps({"version": 1, "bulks": [{"id": A, "label": "ok"}, {"id": "../me"}, 7]})
    path.write_text(original)
    watch, problem = WatchList.load(path)
    assert watch.ids == [A]
    assert problem is not None
    assert problem.message.startswith(f"2 entries of the watch list {path} could not be read")
    assert "('../me', 7)" in problem.message and str(watch.backups_folder) in problem.message
    assert files_under(path.parent) == {
        "watchlist.json": original.encode()
    }  # reading wrote nothing
    watch.add(B)
    assert WatchList.load(path) == (watch, None)
    assert original.encode() in [copy.path.read_bytes() for copy in watch.backups()]


@pytest.mark.parametrize(
    ("bad", "shown"),
    [(["x"], "1 entry of the watch list"), (["p", "q", "r", "s"], "('p', 'q', 'r', …)")],
)
def test_the_report_of_unreadable_entries_counts_them(
    path: Path, bad: list[str], shown: str
) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"bulks": [A, *bad]}))
    watch, problem = WatchList.load(path)
    assert watch.ids == [A]
    assert problem is not None and shown in problem.message


# ------------------------------------------------------------------ copies


def test_every_change_keeps_a_copy_newest_first(path: Path, clock: VirtualClock) -> None:
    start = datetime.fromtimestamp(clock.now(), UTC)
    watch = saved(path, clock, A, B)
    watch.remove(A)
    copies = watch.backups()
    assert [c.number for c in copies] == [1, 2, 3]
    assert [[e.bulk_id for e in c.entries] for c in copies] == [[B], [A, B], [A]]
    assert [(c.saved_at - start).total_seconds() for c in copies] == [120, 60, 0]
    assert [c.same_as_file for c in copies] == [True, False, False]
    assert copies[0].path.parent == path.parent / "backups"
    assert copies[0].path.read_bytes() == path.read_bytes()
    assert copies[2].describe() == "the copy from 2025-11-26 09:40:00 with 1 bulk"
    assert copies[1].describe().endswith("with 2 bulks")


def test_only_the_newest_copies_stay_and_other_files_are_left_alone(
    path: Path, clock: VirtualClock
) -> None:
    folder = path.parent / "backups"
    folder.mkdir(parents=True)
    (folder / "notes.json").write_text("mine")
    (folder / "demo-watchlist-20200101T000000.000000Z.json").write_text("{}")
    watch = saved(path, clock, *ids_of(KEPT_COPIES + 5))
    copies = watch.backups()
    assert len(copies) == KEPT_COPIES
    assert [len(c.entries) for c in copies] == list(range(KEPT_COPIES + 5, 5, -1))
    assert (folder / "notes.json").exists()
    assert (folder / "demo-watchlist-20200101T000000.000000Z.json").exists()


def test_copies_stay_in_order_within_an_instant_and_when_the_clock_goes_back(
    path: Path, clock: VirtualClock
) -> None:
    watch = WatchList(path, now=clock.now)
    watch.add(A)
    watch.add(B)  # the same microsecond
    clock.advance(-3600)
    watch.add(C)
    copies = watch.backups()
    assert [len(c.entries) for c in copies] == [3, 2, 1]
    assert len({c.path for c in copies}) == 3
    assert copies[0].saved_at == copies[2].saved_at


def test_a_version_already_kept_is_not_kept_twice(path: Path, clock: VirtualClock) -> None:
    watch = saved(path, clock, A)
    watch.set_label(A, watch.label_of(A))  # writes the same bytes again
    assert len(watch.backups()) == 1


def test_a_version_written_by_hand_is_kept_before_a_change_replaces_it(
    path: Path, clock: VirtualClock
) -> None:
    watch = saved(path, clock, A)
    by_hand = json.dumps({"version": 1, "bulks": [{"id": B, "label": "typed"}]}).encode()
    path.write_bytes(by_hand)
    watch.add(C)
    copies = watch.backups()
    assert [c.path.read_bytes() == by_hand for c in copies] == [False, True, False]
    assert WatchList.load(path)[0].ids == [B, C]


def test_unreadable_copies_are_not_offered(path: Path, clock: VirtualClock) -> None:
    watch = saved(path, clock, A, B, C)
    middle = watch.backups()[1]
    middle.path.write_text("{broken")
    assert [len(c.entries) for c in watch.backups()] == [3, 1]
    assert [c.number for c in watch.backups()] == [1, 2]


# ------------------------------------------------------------------ other writers


def test_reload_follows_other_writers_and_says_what_changed(path: Path) -> None:
    mine = WatchList(path)
    mine.add_many([(A, "a"), (B, "b")])
    assert not mine.changed_on_disk()
    other = WatchList.load(path)[0]
    other.remove(A)
    other.set_label(B, "renamed")
    other.add(C)
    assert mine.changed_on_disk()
    diff = mine.reload()
    assert diff.added == [C] and diff.relabeled == [B]
    assert diff.removed == [Removed(0, WatchedBulk(A, "a"))]
    assert bool(diff) and mine.ids == [B, C]
    assert not mine.changed_on_disk()
    assert not mine.reload()


def test_a_file_that_went_missing_is_no_change(path: Path) -> None:
    mine = WatchList(path)
    mine.add(A)
    path.unlink()
    assert not mine.changed_on_disk()
    assert not mine.reload() and mine.ids == [A]


def test_reload_of_a_damaged_file_keeps_the_list_and_reports_it_once(path: Path) -> None:
    mine = WatchList(path)
    mine.add(A)
    path.write_text("{broken")
    assert mine.changed_on_disk()
    with pytest.raises(WatchListDamaged):
        mine.reload()
    assert mine.ids == [A]
    assert not mine.changed_on_disk()
    assert path.read_text() == "{broken"


# ------------------------------------------------------------------ restoring


def test_restore_brings_back_the_newest_copy_over_a_damaged_file_and_keeps_it_aside(
    path: Path, clock: VirtualClock
) -> None:
    saved(path, clock, *ids_of(22))
    damaged = path.read_bytes()[:-5]
    path.write_bytes(damaged)
    watch = WatchList(path, now=clock.now)  # what a reader that found it damaged holds
    candidate = watch.restore_candidate()
    assert candidate is not None and candidate.number == 1 and len(candidate.entries) == 22
    assert not candidate.same_as_file
    restored = watch.restore()
    assert restored.backup == candidate
    assert watch.ids == ids_of(22) and WatchList.load(path)[0].ids == ids_of(22)
    assert restored.diff.added == ids_of(22) and restored.diff.removed == []
    kept = restored.damaged_kept_at
    assert kept is not None and kept.parent == path.parent and kept.read_bytes() == damaged
    assert kept.name == "watchlist.json.damaged-20251126T100200Z"


def test_restore_over_a_good_file_brings_back_the_version_before_and_can_be_undone(
    path: Path, clock: VirtualClock
) -> None:
    watch = saved(path, clock, A, B)
    assert watch.restore_candidate() == watch.backups()[1]
    restored = watch.restore()
    assert restored.damaged_kept_at is None
    assert restored.diff.removed == [Removed(1, WatchedBulk(B, f"label {B[-3:]}"))]
    assert WatchList.load(path)[0].ids == [A] and watch.ids == [A]
    watch.restore()  # the list it replaced was kept: restoring again undoes the restore
    assert WatchList.load(path)[0].ids == [A, B]


def test_restore_brings_back_a_chosen_copy_exactly(path: Path, clock: VirtualClock) -> None:
    watch = saved(path, clock, A, B, C)
    oldest = watch.backups()[2]
    watch.restore(oldest)
    assert path.read_bytes() == oldest.path.read_bytes()
    assert watch.ids == [A]


def test_restore_says_when_there_is_nothing_to_restore(path: Path, clock: VirtualClock) -> None:
    watch = WatchList(path, now=clock.now)
    with pytest.raises(NothingToRestore, match="No copy of the watch list is kept yet"):
        watch.restore()
    watch.add(A)
    assert watch.restore_candidate() is None
    with pytest.raises(NothingToRestore, match="holds the list as the file holds it now"):
        watch.restore()
    watch.add(B)
    older = watch.backups()[1]
    older.path.unlink()
    with pytest.raises(NothingToRestore, match="is gone or can no longer be read"):
        watch.restore(older)
    assert WatchList.load(path)[0].ids == [A, B]


def test_a_damaged_file_can_be_replaced_by_the_list_in_memory_on_purpose(
    path: Path, clock: VirtualClock
) -> None:
    watch = saved(path, clock, A)
    assert watch.replace_damaged_file() is None  # readable: nothing to replace
    path.write_text("{broken")
    first = watch.replace_damaged_file()
    assert first is not None and first.read_text() == "{broken"
    assert WatchList.load(path)[0].ids == [A]
    path.write_text("{broken again")
    second = watch.replace_damaged_file()  # the same second: a name of its own
    assert second is not None and second.name == first.name + "-2"
    assert second.read_text() == "{broken again" and first.read_text() == "{broken"


def test_a_failed_write_leaves_the_old_file_and_its_copies_whole(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    watch = WatchList(path)
    watch.add(A, "kept")
    before = files_under(path.parent)

    def crash(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match=r"cannot be written .*the change was not saved"):
        watch.add(B)
    assert files_under(path.parent) == before  # no temporary file left behind either


def test_entries_as_people_write_them_by_hand(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {
                "bulks": [
                    {"id": A},  # no label
                    B,  # a bare id
                    {"id": A, "label": "again"},  # a duplicate: the first stands
                    {"id": C, "label": 7},  # a label that is not text
                ]
            }
        ),
        encoding="utf-8",
    )
    watchlist, problem = WatchList.load(path)
    assert problem is None
    assert watchlist.entries == [WatchedBulk(A, ""), WatchedBulk(B, ""), WatchedBulk(C, "")]
    assert watchlist.label_of("00000000-0000-1000-8000-00000000dead") == ""


def test_the_file_stays_readable_for_people(path: Path) -> None:
    watchlist = WatchList(path)
    watchlist.add(A, "Café Ümlaut — Sommer")
    text = path.read_text(encoding="utf-8")
    assert '"label": "Café Ümlaut — Sommer"' in text  # not \\u escapes
    assert text.startswith('{\n  "version": 1,\n  "bulks": [\n    {\n      "id": ')


def test_three_unreadable_entries_are_named_without_an_ellipsis(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"bulks": ["x", "y", "z", A]}), encoding="utf-8")
    _, problem = WatchList.load(path)
    assert problem is not None
    assert "'x', 'y', 'z'" in problem.message and "…" not in problem.message


def test_copies_made_within_one_instant_are_numbered_from_the_second(
    path: Path, clock: VirtualClock
) -> None:
    watchlist = WatchList(path, now=clock.now)
    for bulk_id in (A, B, C):
        watchlist.add(bulk_id)  # the clock stands still
    names = {p.name for p in watchlist.backups_folder.iterdir()}
    stamp = "watchlist-20251126T094000.000000Z"
    assert names == {f"{stamp}.json", f"{stamp}-2.json", f"{stamp}-3.json"}
