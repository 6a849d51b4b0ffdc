"""``lox24tui report`` as a user runs it: a real process against the fake LOX24 over loopback,
on every demo bulk, in every format."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lox24tui.fake import FakeLox24
from tests.cli_process import WRONG, lox24tui

PHONE = re.compile(r"\+\d{6,}|\+\d{2} •••")


def every_watched(fake: FakeLox24) -> list[str]:
    return [bulk_id for bulk_id, _ in fake.account.watched_demo_ids()]


def test_every_demo_bulk_has_a_report_in_every_format_and_none_names_a_person(
    live_fake: FakeLox24, live_url: str, tmp_path: Path
) -> None:
    ids = every_watched(live_fake)
    markdown = lox24tui("report", *ids, url=live_url)
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.count("\n## ") + markdown.stdout.startswith("## ") == len(ids)
    assert (
        "| delivered |" in markdown.stdout
        and "### Failures by reason and country" in markdown.stdout
    )
    as_json = lox24tui("report", *ids, "--format", "json", url=live_url)
    records = json.loads(as_json.stdout)
    assert [r["id"] for r in records] == ids
    assert all(r["currency"] == "EUR" for r in records)
    spread = next(r for r in records if any(f["country"] == "FR" for f in r["failures"]))
    assert sum(f["count"] for f in spread["failures"]) > 0
    page = tmp_path / "report.html"
    written = lox24tui("report", *ids, "--format", "html", "-o", str(page), url=live_url)
    assert written.returncode == 0, written.stderr
    text = page.read_text("utf-8")
    assert text.startswith("<!doctype html>") and text.count("<section>") == len(ids)
    assert (
        "<svg" in text
        and "<script" not in text
        and "http" not in text.replace("http://www.w3.org/2000/svg", "")
    )  # self-contained: nothing to fetch
    for output in (markdown.stdout, as_json.stdout, text):
        assert not PHONE.search(output)


def test_report_exit_statuses(live_fake: FakeLox24, live_url: str) -> None:
    bulk = every_watched(live_fake)[0]
    bad = lox24tui("report", bulk, "../me", url=live_url)
    assert bad.returncode == 1 and "is not a LOX24 bulk id" in bad.stderr
    assert live_fake.log == []  # refused before any request
    unknown = lox24tui("report", "5e7d0c00-4699-11ea-a637-96000028b300", url=live_url)
    assert unknown.returncode == 1 and "does not know the bulk" in unknown.stderr
    assert unknown.stdout == ""
    refused = lox24tui("report", bulk, url=live_url, token=WRONG)
    assert refused.returncode == 2 and "no report was written" in refused.stderr
