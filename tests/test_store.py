"""The watch list on disk: kept across restarts, written atomically, never silently emptied."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lox24tui.api import InvalidBulkId
from lox24tui.store import WatchList

A = "da0fa78c-4699-11ea-a637-96000028b339"
B = "0e03b500-ca4a-11f0-8002-96000028b339"


def test_round_trip_keeps_ids_labels_and_order(tmp_path: Path) -> None:
    path = tmp_path / "data" / "watch.json"
    first, problem = WatchList.load(path)
    assert problem is None and first.entries == []
    first.add(B, "second campaign")
    first.add(A.upper(), "first\tcampaign\x1b[31m")
    again, problem = WatchList.load(path)
    assert problem is None
    assert again.ids == [B, A]
    assert again.label_of(A) == "first campaign [31m"


def test_duplicates_and_invalid_ids_are_refused(tmp_path: Path) -> None:
    watch = WatchList(tmp_path / "w.json")
    assert watch.add(A) is True
    assert watch.add(A) is False
    assert watch.add_many([(A, ""), (B, ""), (B, "")]) == [B]
    with pytest.raises(InvalidBulkId):
        watch.add("../me")
    assert watch.ids == [A, B]


def test_remove_and_put_back_in_place(tmp_path: Path) -> None:
    watch = WatchList(tmp_path / "w.json")
    third = "00000000-0000-1000-8000-000000000003"
    watch.add_many([(A, "a"), (B, "b"), (third, "c")])
    removed = watch.remove(B)
    assert removed is not None and WatchList.load(watch.path)[0].ids == [A, third]
    watch.insert(*removed)
    assert WatchList.load(watch.path)[0].ids == [A, B, third]


def test_a_corrupt_file_is_moved_aside_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text("{not json")
    watch, problem = WatchList.load(path)
    assert watch.entries == []
    assert problem is not None and problem.kept_at is not None
    assert problem.kept_at.read_text() == "{not json"
    assert "could not be read" in problem.message and problem.kept_at.name in problem.message
    assert not path.exists()


def test_unreadable_entries_are_reported_and_the_original_copied(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    original = json.dumps({"version": 1, "bulks": [{"id": A, "label": "ok"}, {"id": "../me"}, 7]})
    path.write_text(original)
    watch, problem = WatchList.load(path)
    assert watch.ids == [A]
    assert problem is not None and "2 entries" in problem.message
    assert problem.kept_at is not None and problem.kept_at.read_text() == original


def test_a_failed_write_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    watch = WatchList(tmp_path / "w.json")
    watch.add(A, "kept")

    def crash(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        watch.add(B)
    assert WatchList.load(watch.path)[0].ids == [A]
    leftovers = [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")]
    assert leftovers == ["w.json"]  # no temporary file left behind
