"""One vocabulary of status labels across the CLI and exports: a new bulk (0) whose delivery is
still ahead reads "scheduled" everywhere, one whose delivery has passed reads "new", and an
undocumented code names itself once. Subprocesses against the fake over loopback."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from lox24tui.fake import FakeLox24, SimulatedAccount
from lox24tui.fake.server import serve_in_thread
from lox24tui.session.config import Locations
from lox24tui.state.store import WatchList
from tests.cli_process import lox24tui
from tests.vocabulary_bulks import three_bulks


@dataclass(frozen=True)
class Account:
    url: str
    scheduled: str
    """Status 0, delivery tomorrow."""
    new: str
    """Status 0, delivery an hour ago."""
    odd: str
    """Status 7, which the contract does not document, in voice language "XX" (nor that)."""

    @property
    def expected(self) -> dict[str, tuple[int, str]]:
        """Bulk id → (status_code, label) every output must agree on."""
        return {
            self.scheduled: (0, "scheduled"),
            self.new: (0, "new"),
            self.odd: (7, "unknown (7)"),
        }


@pytest.fixture
def account() -> Iterator[Account]:
    """The three bulks on a fake LOX24 and on the watch list."""
    bulks = three_bulks(time.time())
    WatchList(Locations.default().watchlist_file).add_many([(b.uuid, "") for b in bulks])
    with serve_in_thread(FakeLox24(SimulatedAccount(bulks))) as url:
        yield Account(url, *(bulk.uuid for bulk in bulks))


def labels_of(records: list[dict[str, object]]) -> dict[str, tuple[object, object]]:
    return {str(r["id"]): (r["status_code"], r["status"]) for r in records}


def test_bulks_json_says_scheduled_new_and_unknown(account: Account) -> None:
    done = lox24tui("bulks", "--json", url=account.url)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert labels_of(records) == account.expected


def test_bulks_for_people_uses_the_same_labels(account: Account) -> None:
    done = lox24tui("bulks", url=account.url)
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines()}
    for bulk_id, (_, label) in account.expected.items():
        assert f"  {label} " in lines[bulk_id]


def test_status_json_says_scheduled_new_and_unknown(account: Account) -> None:
    done = lox24tui("status", *account.expected, "--json", url=account.url)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert labels_of(records) == account.expected


def test_status_for_people_shows_each_code_once(account: Account) -> None:
    done = lox24tui("status", *account.expected, url=account.url)
    assert done.returncode == 0, done.stderr
    headers = [line for line in done.stdout.splitlines() if line.startswith("●")]
    assert headers == [
        f"● {account.scheduled}  scheduled (0)",
        f"● {account.new}  new (0)",
        f"● {account.odd}  unknown (7)",
    ]
    assert "    voice         unknown (XX)\n" in done.stdout


def test_csv_and_json_exports_use_the_same_labels(account: Account) -> None:
    as_csv = lox24tui("export", url=account.url)
    as_json = lox24tui("export", "--format", "json", url=account.url)
    assert as_csv.returncode == as_json.returncode == 0, as_csv.stderr + as_json.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {r["id"]: (int(r["status_code"]), r["status"]) for r in rows} == account.expected
    assert labels_of(json.loads(as_json.stdout)) == account.expected
