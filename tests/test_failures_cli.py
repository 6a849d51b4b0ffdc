"""``lox24tui failures`` as a user runs it: a real process against the fake LOX24 over loopback."""

from __future__ import annotations

import json

from lox24tui.fake import FakeLox24
from tests.cli_process import WRONG, labelled, lox24tui

SPREAD = "Password reset codes (Unicode)"


def test_failures_prints_reason_by_country_and_json_that_adds_up(
    live_fake: FakeLox24, live_url: str
) -> None:
    bulk = labelled(live_fake, SPREAD)
    table = lox24tui("failures", bulk, url=live_url)
    assert table.returncode == 0, table.stderr
    head, *rows = table.stdout.splitlines()
    assert head.split()[:1] == ["REASON"] and {"DE", "GB", "FR", "AT"} <= set(head.split())
    every = next(row for row in rows if row.startswith("every reason"))
    assert "100.0%" in every
    records = [
        json.loads(line)
        for line in lox24tui("failures", bulk, "--json", url=live_url).stdout.splitlines()
    ]
    assert records and {r["country"] for r in records} >= {"DE", "GB", "FR", "AT"}
    total = sum(r["count"] for r in records)
    assert f" {total:,} " in every
    assert abs(sum(r["share"] for r in records) - 1) < 0.01
    assert "+49" not in table.stdout + json.dumps(records)  # counts, never numbers
    assert all(
        "dlr_code" in e.query or "status_code" in e.query for e in live_fake.requests("/sms")
    )


def test_failures_of_a_bulk_without_any_says_so(live_fake: FakeLox24, live_url: str) -> None:
    done = lox24tui("failures", labelled(live_fake, "Tomorrow's morning promo"), url=live_url)
    assert done.returncode == 0
    assert (
        done.stdout.strip() == "No failed messages: nothing expired, was rejected or went unsent."
    )


def test_failures_exit_statuses(live_fake: FakeLox24, live_url: str) -> None:
    bad = lox24tui("failures", "../me", url=live_url)
    assert bad.returncode == 1 and "is not a LOX24 bulk id" in bad.stderr
    assert live_fake.log == []
    unknown = lox24tui("failures", "5e7d0c00-4699-11ea-a637-96000028b300", url=live_url)
    assert unknown.returncode == 1 and "does not know the bulk" in unknown.stderr
    refused = lox24tui("failures", labelled(live_fake, SPREAD), url=live_url, token=WRONG)
    assert refused.returncode == 2 and "rejected the API token" in refused.stderr
