"""Server text with terminal escape sequences reaches the terminal inert, from every command.

A bulk whose ``ip`` clears the screen and turns it red (plus a C1 CSI) is served by the fake over
loopback; the CLI runs as a subprocess, as a user runs it.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lox24tui.fake import FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.account import time_uuid
from lox24tui.fake.server import serve_in_thread
from lox24tui.session.config import Locations
from lox24tui.state.store import WatchList
from tests.cli_process import lox24tui
from tests.hostile import HOSTILE, SHOWN, assert_inert


def hostile_bulk(now: float) -> SimBulk:
    """A bulk sent a while ago whose ``ip`` and text carry escape sequences."""
    return SimBulk(
        time_uuid(now - 600, 1),
        created_at=now - 600,
        delivery_at=now - 300,
        recipients=10,
        ip=HOSTILE,
        text=f"{HOSTILE}Sale",
    )


@pytest.fixture
def served() -> Iterator[tuple[str, str]]:
    """(url, bulk id): the hostile bulk on a fake LOX24, and on the watch list."""
    bulk = hostile_bulk(time.time())
    WatchList(Locations.default().watchlist_file).add(bulk.uuid, "odd bulk")
    with serve_in_thread(FakeLox24(SimulatedAccount([bulk]))) as url:
        yield url, bulk.uuid


def test_export_to_the_terminal_shows_escapes_instead_of_running_them(
    served: tuple[str, str],
) -> None:
    url, bulk_id = served
    done = lox24tui("export", url=url)
    assert done.returncode == 0, done.stderr
    assert_inert(done.stdout + done.stderr)
    (row,) = csv.DictReader(io.StringIO(done.stdout))
    assert row["id"] == bulk_id and row["ip"] == SHOWN


def test_an_exported_csv_file_holds_escapes_not_controls(
    served: tuple[str, str], tmp_path: Path
) -> None:
    url, _ = served
    target = tmp_path / "bulks.csv"
    done = lox24tui("export", "-o", str(target), url=url)
    assert done.returncode == 0, done.stderr
    text = target.read_text(encoding="utf-8-sig")
    assert_inert(text + done.stderr)
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["ip"] == SHOWN


def test_json_exports_escape_controls_and_keep_the_value(served: tuple[str, str]) -> None:
    url, _ = served
    done = lox24tui("export", "--format", "json", url=url)
    assert done.returncode == 0, done.stderr
    assert_inert(done.stdout)
    assert "\\u001b[2J\\u001b[31m\\u009b" in done.stdout
    (record,) = json.loads(done.stdout)
    assert record["ip"] == HOSTILE


def test_status_for_people_shows_escapes(served: tuple[str, str]) -> None:
    url, bulk_id = served
    done = lox24tui("status", bulk_id, url=url)
    assert done.returncode == 0, done.stderr
    assert_inert(done.stdout + done.stderr)
    assert f"    ip            {SHOWN}\n" in done.stdout


def test_status_json_lines_escape_controls(served: tuple[str, str]) -> None:
    url, bulk_id = served
    done = lox24tui("status", bulk_id, "--json", url=url)
    assert done.returncode == 0, done.stderr
    assert_inert(done.stdout)
    assert json.loads(done.stdout)["ip"] == HOSTILE


def test_bulks_for_people_shows_the_text_with_escapes(served: tuple[str, str]) -> None:
    url, bulk_id = served
    done = lox24tui("bulks", url=url)
    assert done.returncode == 0, done.stderr
    assert_inert(done.stdout + done.stderr)
    header, line = done.stdout.splitlines()
    assert header.startswith("ID")
    assert line.startswith(bulk_id) and line.endswith(f"{SHOWN}Sale")
