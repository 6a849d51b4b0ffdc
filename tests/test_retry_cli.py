"""``export --retry`` as a user runs it: a real process against the fake LOX24 over loopback."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from lox24tui.fake import FakeLox24
from tests.cli_process import WRONG, labelled, lox24tui

SENDING = "Black Friday newsletter"
E164 = re.compile(r"\+[1-9][0-9]{3,14}")


def test_retry_writes_e164_numbers_under_a_phone_header_readable_by_the_owner_only(
    live_fake: FakeLox24, live_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "send-again.csv"
    done = lox24tui(
        "export", "--retry", labelled(live_fake, SENDING), "-o", str(target), url=live_url
    )
    assert done.returncode == 0, done.stderr
    lines = target.read_text("ascii").splitlines()
    assert lines[0] == "phone"
    assert lines[1:] and all(E164.fullmatch(line) for line in lines[1:])
    assert len(set(lines[1:])) == len(lines) - 1
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    said = re.search(r"Wrote (\d+) numbers? to send again, from [\d,]+ failed", done.stderr)
    assert said is not None and int(said[1]) == len(lines) - 1, done.stderr
    assert "opted out" in done.stderr
    assert done.stdout == ""
    assert not any(number in done.stderr for number in lines[1:])  # counts, never numbers
    assert all(
        "dlr_code" in e.query or "status_code" in e.query for e in live_fake.requests("/sms")
    )


def test_retry_refuses_a_bad_id_and_a_missing_file_before_any_request(
    live_fake: FakeLox24, live_url: str, tmp_path: Path
) -> None:
    bulk = labelled(live_fake, SENDING)
    bad = lox24tui("export", "--retry", "../me", "-o", str(tmp_path / "x.csv"), url=live_url)
    assert bad.returncode == 1 and "is not a LOX24 bulk id" in bad.stderr
    nowhere = lox24tui("export", "--retry", bulk, url=live_url)
    assert nowhere.returncode == 1 and "name the file with --output FILE" in nowhere.stderr
    no_folder = lox24tui(
        "export", "--retry", bulk, "-o", str(tmp_path / "no" / "x.csv"), url=live_url
    )
    assert no_folder.returncode == 1 and "does not exist" in no_folder.stderr
    assert live_fake.log == []
    assert list(tmp_path.iterdir()) == []


def test_retry_of_a_bulk_lox24_does_not_know_writes_nothing(
    live_fake: FakeLox24, live_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "x.csv"
    unknown = "5e7d0c00-4699-11ea-a637-96000028b300"
    done = lox24tui("export", "--retry", unknown, "-o", str(target), url=live_url)
    assert done.returncode == 1
    assert "does not know the bulk" in done.stderr
    assert not target.exists()


def test_retry_with_a_refused_token_stops_and_writes_nothing(
    live_fake: FakeLox24, live_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "x.csv"
    bulk = labelled(live_fake, SENDING)
    done = lox24tui("export", "--retry", bulk, "-o", str(target), url=live_url, token=WRONG)
    assert done.returncode == 2
    assert "no file was written, the requests were stopped" in done.stderr
    assert not target.exists()
    assert sum(1 for e in live_fake.log if e.status == 401) == 1


def test_retry_without_the_opt_outs_writes_nothing(
    live_fake: FakeLox24, live_url: str, tmp_path: Path
) -> None:
    """A list whose opt-outs could not be checked could reach people who said STOP."""
    target = tmp_path / "x.csv"
    live_fake.fail("status", path="/blocked_numbers", status=503)
    done = lox24tui(
        "export", "--retry", labelled(live_fake, SENDING), "-o", str(target), url=live_url
    )
    assert done.returncode == 1
    assert "no file was written" in done.stderr
    assert not target.exists()
