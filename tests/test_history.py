"""The history file: it survives restarts, loses nothing when two processes write at once, keeps a
damaged file aside instead of stopping, opens files of every earlier schema, trims old rows, and
writes a whole engine cycle in one transaction."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lox24tui.api import BulkStatus, StatusReply
from lox24tui.clock import VirtualClock
from lox24tui.engine.bulk_state import BulkState, Transition, transition_from
from lox24tui.session.config import Locations
from lox24tui.state.history import (
    MIGRATIONS,
    SCHEMA_VERSION,
    History,
    StatusTransition,
    apply_migration,
)

BULK = "73f43a80-ca52-11f0-8001-96000028b339"
OTHER = "73f43a80-ca52-11f0-8002-96000028b339"
NOW = 1_764_150_000.0
DAY = 86_400.0


def step(
    bulk_id: str, to_code: int, at: float, status: str = "", label: str = ""
) -> StatusTransition:
    return StatusTransition(bulk_id, None, to_code, status or str(to_code), at, "r" * 32, label)


@pytest.fixture
def path() -> Path:
    return Locations.default().history_file


def counting_transactions(statements: list[str]) -> int:
    return sum(1 for sql in statements if sql.startswith("BEGIN"))


def test_the_history_file_lives_under_xdg_state_home(tmp_path: Path) -> None:
    locations = Locations.default()
    assert locations.history_file == tmp_path / "state" / "lox24tui" / "history.sqlite3"
    assert locations.demo_history_file.parent == locations.history_file.parent
    assert locations.demo_history_file != locations.history_file


def test_transitions_survive_a_restart(path: Path) -> None:
    with History(path, clock=lambda: NOW) as history:
        writer = history.writer()
        writer.add(StatusTransition(BULK, None, 0, "scheduled", NOW - 60, "a" * 32, "Promo"))
        writer.add(StatusTransition(BULK, 0, 5, "in progress", NOW - 30, "b" * 32, "Promo"))
        writer.add(step(OTHER, 10, NOW - 10))
        assert writer.flush()
    with History(path, clock=lambda: NOW) as reopened:
        assert reopened.transitions([BULK]) == [
            StatusTransition(BULK, None, 0, "scheduled", NOW - 60, "a" * 32, "Promo"),
            StatusTransition(BULK, 0, 5, "in progress", NOW - 30, "b" * 32, "Promo"),
        ]
        assert [t.bulk_id for t in reopened.transitions()] == [BULK, BULK, OTHER]
        assert [t.to_code for t in reopened.transitions(since=NOW - 30)] == [5, 10]
        assert reopened.pop_notices() == []


def test_a_thousand_transitions_cost_one_transaction(path: Path) -> None:
    statements: list[str] = []
    clock = VirtualClock(NOW)
    with History(path, clock=clock.now, trace=statements.append) as history:
        writer = history.writer(call_later=clock.call_later, delay=1.0)
        statements.clear()
        for number in range(1000):
            writer.add(step(f"{number:08d}-ca52-11f0-8001-96000028b339", 5, NOW))
        assert counting_transactions(statements) == 0 and writer.pending == 1000
        clock.advance(1.0)  # the engine cycle's flush
        assert counting_transactions(statements) == 1 and writer.pending == 0
        assert len(history.transitions()) == 1000


def test_a_locked_history_is_waited_for_and_nothing_is_lost(path: Path) -> None:
    History(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    with History(path, busy_seconds=0.01, clock=lambda: NOW) as history:
        writer = history.writer()
        writer.add(step(BULK, 5, NOW))
        assert not writer.flush()
        assert writer.pending == 1
        (notice,) = history.pop_notices()
        assert "could not be used just now (database is locked)" in notice
        other.execute("COMMIT")
        assert writer.flush()
        assert [t.to_code for t in history.transitions()] == [5]
    other.close()


WRITER = textwrap.dedent(
    """
    import sys
    import time
    from pathlib import Path
    from lox24tui.state.history import History, StatusTransition

    path, name = Path(sys.argv[1]), sys.argv[2]
    with History(path) as history:
        writer = history.writer()
        for batch in range(100):
            for number in range(5):
                bulk = f"{name}-{batch:03d}-{number}"
                writer.add(StatusTransition(bulk, None, 5, "in progress", time.time(), None, name))
            writer.flush()  # the file busy beyond the wait (a loaded machine): kept for the next
        for _ in range(20):
            if writer.flush():
                break
        assert writer.pending == 0, history.pop_notices()
    """
)


def test_two_processes_writing_at_once_lose_nothing(path: Path) -> None:
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    for writer in writers:
        _, stderr = writer.communicate(timeout=120)
        assert writer.returncode == 0, stderr
    with History(path) as history:
        seen = history.transitions()
    assert len(seen) == 1000
    assert len({t.bulk_id for t in seen}) == 1000
    assert {t.label for t in seen} == {"first", "second"}


def test_a_damaged_file_is_kept_aside_and_a_new_history_started(path: Path) -> None:
    path.parent.mkdir(parents=True)
    garbage = b"this is not a database, just bytes " * 200
    path.write_bytes(garbage)
    stamp = datetime.fromtimestamp(NOW, UTC).strftime("%Y%m%dT%H%M%SZ")
    with History(path, clock=lambda: NOW) as history:
        (notice,) = history.pop_notices()
        assert f"kept aside as history.sqlite3.damaged-{stamp}" in notice
        assert "a new history was started" in notice
        assert history.record([step(BULK, 10, NOW)])
    assert path.with_name(f"history.sqlite3.damaged-{stamp}").read_bytes() == garbage
    with History(path, clock=lambda: NOW) as reopened:
        assert [t.to_code for t in reopened.transitions()] == [10]
        assert reopened.pop_notices() == []


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_a_file_of_every_earlier_schema_is_migrated(path: Path, version: int) -> None:
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as old:  # as a release of that version left it
        for steps in MIGRATIONS[:version]:
            apply_migration(old, steps)
        old.execute(f"PRAGMA user_version = {version}")
    old.close()
    with History(path, clock=lambda: NOW) as history:
        assert history.record([step(BULK, 5, NOW)])
        assert [t.to_code for t in history.transitions([BULK])] == [5]
        assert history.pop_notices() == []
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    check.close()


def rows_in(path: Path) -> int:
    """What the file holds, whatever the queries show."""
    with sqlite3.connect(path) as raw:
        count: int = raw.execute("SELECT count(*) FROM transitions").fetchone()[0]
    raw.close()
    return count


def test_rows_older_than_the_retention_are_trimmed(path: Path) -> None:
    clock = VirtualClock(NOW)
    with History(path, retention_days=90, clock=clock.now) as history:
        assert history.record([step(BULK, 0, NOW - 91 * DAY), step(BULK, 5, NOW - 89 * DAY)])
        assert rows_in(path) == 1
        assert [t.to_code for t in history.transitions()] == [5]
    clock.advance(2 * DAY)
    with History(path, retention_days=90, clock=clock.now) as reader:
        assert reader.transitions() == []  # past the retention, although no write trimmed it yet
        assert rows_in(path) == 1
        assert reader.record([step(BULK, 10, clock.now())])
        assert rows_in(path) == 1


def test_while_you_were_away_counts_each_bulk_by_its_latest_status(path: Path) -> None:
    clock = VirtualClock(NOW)
    with History(path, clock=clock.now) as history:
        first = history.away_summary("dashboard")
        assert first.since is None and first.text is None
        history.record([step("before", 10, NOW - 5)])
        history.mark_seen("dashboard")
        clock.advance(3600)
        history.record(
            [
                step("a", 5, NOW + 10),
                step("a", 10, NOW + 20),
                step("b", 10, NOW + 30),
                step("c", 10, NOW + 40),
                step("d", 20, NOW + 50),
                replace(step("e", 5, NOW + 60), from_code=0),
                step("f", 5, NOW + 70),  # first seen already sending: it did not start now
            ]
        )
        away = history.away_summary("dashboard")
        assert (away.finished, away.failed, away.started, away.changed) == (3, 1, 1, 6)
        assert away.text == "While you were away: 3 bulks finished, 1 failed, 1 started sending"
        watched = history.away_summary("dashboard", ["a", "d", "f"])  # b, c, e not watched now
        assert watched.text == "While you were away: 1 bulk finished, 1 failed"
        assert history.away_summary("status-watch").text is None  # each reader has its own mark
        history.mark_seen("dashboard")
        assert history.away_summary("dashboard").text is None


def test_one_failure_reads_in_the_singular(path: Path) -> None:
    clock = VirtualClock(NOW)
    with History(path, clock=clock.now) as history:
        history.mark_seen("dashboard")
        history.record([step("x", 201, NOW + 1)])
        assert history.away_summary("dashboard").text == "While you were away: 1 bulk failed"


def test_an_engine_state_becomes_a_transition_labelled_as_it_read_then() -> None:
    ahead = datetime.fromtimestamp(NOW + 60, UTC)
    first = BulkState(
        BULK,
        reply=StatusReply(BULK, BulkStatus(uuid=BULK, status_code=0, delivery_at=ahead), "q", "{}"),
        history=(Transition(0, NOW),),
    )
    assert transition_from(first, "Promo") == StatusTransition(
        BULK, None, 0, "scheduled", NOW, "q", "Promo"
    )
    sending = BulkState(
        BULK,
        reply=StatusReply(BULK, BulkStatus(uuid=BULK, status_code=5), "r", "{}"),
        history=(Transition(0, NOW), Transition(5, NOW + 70)),
    )
    assert transition_from(sending) == StatusTransition(BULK, 0, 5, "in progress", NOW + 70, "r")
    assert transition_from(BulkState(BULK)) is None


def moves(history: History, bulk_id: str = BULK) -> list[tuple[int | None, int | None]]:
    return [(t.from_code, t.to_code) for t in history.transitions([bulk_id])]


def test_a_change_two_processes_saw_is_kept_once(path: Path) -> None:
    """Each process sees the bulk first, then its moves, a poll apart; one of them misses the
    short "in progress" and sees 0 → 10."""
    first = [
        StatusTransition(BULK, None, 0, "scheduled", NOW, "a" * 32),
        StatusTransition(BULK, 0, 5, "in progress", NOW + 60, "b" * 32),
        StatusTransition(BULK, 5, 10, "processed", NOW + 70, "c" * 32),
    ]
    second = [
        StatusTransition(BULK, None, 0, "scheduled", NOW + 3, "d" * 32),
        StatusTransition(BULK, 0, 10, "processed", NOW + 72, "e" * 32),
    ]
    with History(path, clock=lambda: NOW) as one, History(path, clock=lambda: NOW) as other:
        assert one.record(first[:2])
        assert other.record(second)
        assert one.record(first[2:])
        assert moves(one) == [(None, 0), (0, 5), (0, 10)]
        assert [t.request_id for t in one.transitions()] == ["a" * 32, "b" * 32, "e" * 32]


def test_a_restart_does_not_record_the_state_again(path: Path) -> None:
    with History(path, clock=lambda: NOW) as history:
        assert history.record([step(BULK, 5, NOW)])
    with History(path, clock=lambda: NOW + 2 * DAY) as restarted:
        assert restarted.record([step(BULK, 5, NOW + 2 * DAY)])  # "now in progress" again
        assert restarted.record([step(BULK, 10, NOW + 2 * DAY + 10)])  # first sighting of it
        assert moves(restarted) == [(None, 5), (5, 10)]


def test_a_history_with_repeated_rows_keeps_one_of_each(path: Path) -> None:
    """A file written by two processes of the release before: each change twice."""
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as old:
        apply_migration(old, MIGRATIONS[0])
        old.execute("PRAGMA user_version = 1")
        for at, from_code, to_code in [
            (NOW, None, 0),
            (NOW + 1, None, 0),
            (NOW + 60, 0, 5),
            (NOW + 62, 0, 5),
            (NOW + 70, 5, 10),
            (NOW + 75, 0, 10),
        ]:
            old.execute(
                "INSERT INTO transitions (bulk_id, from_code, to_code, status, at) "
                "VALUES (?, ?, ?, ?, ?)",
                (BULK, from_code, to_code, str(to_code), at),
            )
        old.execute(
            "INSERT INTO transitions (bulk_id, from_code, to_code, status, at) "
            "VALUES (?, NULL, 10, '10', ?)",
            (OTHER, NOW),
        )
    old.close()
    with History(path, clock=lambda: NOW) as history:
        assert moves(history) == [(None, 0), (0, 5), (5, 10)]
        assert [t.at for t in history.transitions([BULK])] == [NOW, NOW + 60, NOW + 70]
        assert moves(history, OTHER) == [(None, 10)]
        assert history.pop_notices() == []
