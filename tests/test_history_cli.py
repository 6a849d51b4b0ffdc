"""``lox24tui history`` as a user runs it: a subprocess reading what other processes wrote."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.account import time_uuid
from lox24tui.fake.server import serve_in_thread
from lox24tui.session.config import Locations
from lox24tui.state.history import History, ProgressSample, StatusTransition
from tests.cli_process import HeldClock, cli_env, lox24tui
from tests.lines import running

BULK = "73f43a80-ca52-11f0-8001-96000028b339"
OTHER = "73f43a80-ca52-11f0-8002-96000028b339"
HOSTILE = "Promo \x1b[2J\x9b"


def seed() -> float:
    """Three changes of two bulks: two of them within the last hour, one three hours ago."""
    now = time.time()
    with History(Locations.default().history_file) as history:
        assert history.record(
            [
                StatusTransition(OTHER, None, 10, "processed", now - 3 * 3600, None, ""),
                StatusTransition(BULK, None, 0, "scheduled", now - 1800, "a" * 32, HOSTILE),
                StatusTransition(BULK, 0, 5, "in progress", now - 60, "b" * 32, HOSTILE),
            ]
        )
    return now


def test_history_for_people_shows_each_change_with_the_label_made_inert() -> None:
    seed()
    done = lox24tui("history", token=None)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    assert OTHER in lines[0] and lines[0].endswith("now processed")
    assert "now scheduled  (request " + "a" * 32 + ")" in lines[1]
    assert "Promo \\x1b[2J\\x9b  scheduled → in progress  (request " in lines[2]
    assert "\x1b" not in done.stdout and "\x9b" not in done.stdout


def test_history_json_of_one_bulk_since_an_age() -> None:
    now = seed()
    done = lox24tui("history", BULK, OTHER, "--since", "90m", "--json", token=None)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["to_code"] for r in records] == [0, 5]  # OTHER's change is three hours old
    assert records[1] == {
        "id": BULK,
        "label": HOSTILE,
        "from_code": 0,
        "to_code": 5,
        "status": "in progress",
        "at": datetime.fromtimestamp(now - 60, UTC).isoformat(),
        "request_id": "b" * 32,
    }


def test_history_before_anything_was_seen_prints_nothing_and_creates_nothing() -> None:
    done = lox24tui("history", token=None)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert not Locations.default().history_file.exists()


def test_history_refuses_odd_words() -> None:
    seed()
    bad_age = lox24tui("history", "--since", "soon", token=None)
    assert bad_age.returncode == 2 and "is not an age" in bad_age.stderr
    bad_id = lox24tui("history", "../me", BULK, token=None)
    assert bad_id.returncode == 1 and "../me" in bad_id.stderr
    assert len(bad_id.stdout.splitlines()) == 2  # the valid id's changes are still printed


def test_history_over_a_damaged_file_keeps_it_aside_and_says_so() -> None:
    path = Locations.default().history_file
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00garbage" * 100)
    done = lox24tui("history", token=None)
    assert done.returncode == 1
    assert "was damaged" in done.stderr and "kept aside as history.sqlite3.damaged-" in done.stderr
    assert len(list(path.parent.glob("history.sqlite3.damaged-*"))) == 1


def test_history_help_lists_its_exit_statuses() -> None:
    done = lox24tui("history", "--help", token=None)
    assert done.returncode == 0
    assert "exit status:" in done.stdout and "--since AGE" in done.stdout


@pytest.fixture
def sending_soon(tmp_path: Path) -> Iterator[tuple[FakeLox24, HeldClock, str]]:
    """Two bulks that start sending half a second after the held clock is released and end a
    second and a half later; the refresh interval at its minimum."""
    clock = HeldClock()
    now = clock.start
    bulks = [
        SimBulk(time_uuid(now - 60, n), now - 60, now + 0.5, 100, send_seconds=1.5) for n in (1, 2)
    ]
    config = tmp_path / "config" / "lox24tui"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("interval = 2\n")
    fake = FakeLox24(SimulatedAccount(bulks), clock=clock)
    with serve_in_thread(fake) as url:
        yield fake, clock, url


@pytest.mark.waits
def test_two_watches_of_the_same_bulks_keep_each_change_once(
    sending_soon: tuple[FakeLox24, HeldClock, str],
) -> None:
    fake, clock, url = sending_soon
    ids = [bulk.uuid for bulk in fake.account]
    env = cli_env(url, FAKE_TOKEN)
    watch = ("status", *ids, "--watch", "--json")
    with running(*watch, env=env) as first, running(*watch, env=env) as second:
        for each in (first, second):  # both have seen every bulk before anything changes
            each.stdout.wait_for(
                lambda lines: all(any(i in line for line in lines) for i in ids),
                what="a first status of every bulk",
            )
        clock.release()
        assert (first.wait(), second.wait()) == (0, 0), first.stderr.text + second.stderr.text
    printed = [json.loads(line) for line in first.stdout.lines + second.stdout.lines]
    done = lox24tui("history", "--json", token=None)
    assert done.returncode == 0, done.stderr
    kept = [json.loads(line) for line in done.stdout.splitlines()]
    for bulk_id in ids:
        codes = [k["to_code"] for k in kept if k["id"] == bulk_id]
        assert codes == sorted(set(codes)), kept  # each code arrived at once, in order
        assert set(codes) == {c["to"] for c in printed if c["id"] == bulk_id}
        assert codes[0] == 0 and codes[-1] == 10
    assert len(kept) < len(printed)


def test_history_of_a_bulk_shows_how_it_sent_as_the_dashboard_counted_it() -> None:
    now = seed()
    samples = [
        ProgressSample(BULK, now - 600 + 60 * minute, 6_000, sent, 0, sent - 10, 10)
        for minute, sent in enumerate((600, 1_200, 2_400, 3_000, 6_000))
    ]
    with History(Locations.default().history_file) as history:
        assert history.record([], samples)
    done = lox24tui("history", BULK, token=None)
    assert done.returncode == 0, done.stderr
    curve = done.stdout.splitlines()[-1]
    # 600 a minute, then 1,200, 600 and 3,000: the highest bar is the last minute's
    assert curve == f"{BULK}  progress  10% → 100% in 4 min · 3,000 a minute at most ▂▄▂█"
    as_json = lox24tui("history", BULK, "--json", token=None)
    progress = json.loads(as_json.stdout.splitlines()[-1])["progress"]
    assert [point["sent"] for point in progress] == [600, 1_200, 2_400, 3_000, 6_000]
    everything = lox24tui("history", token=None)
    assert "  progress  " not in everything.stdout  # curves only for the bulks named
