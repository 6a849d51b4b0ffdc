"""The account rules as a user meets them across processes: each command is a subprocess against
the fake LOX24 over loopback, and what they share goes through the real state folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lox24tui.fake import FakeLox24
from tests.cli_process import WRONG, lox24tui


def ids_of(fake: FakeLox24) -> list[str]:
    return [bulk.uuid for bulk in fake.account]


def statuses(fake: FakeLox24) -> list[int]:
    return [entry.status for entry in fake.log]


def status_requests(fake: FakeLox24) -> list[str]:
    """The status look-ups, without the delivery counts that follow a fetched status."""
    return [entry.path for entry in fake.requests("/bulks")]


def set_config(text: str) -> None:
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "lox24tui"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")


def watch(fake: FakeLox24, url: str, count: int) -> list[str]:
    ids = ids_of(fake)[:count]
    assert lox24tui("watch", "add", *ids, url=url).returncode == 0
    return ids


def use_up_the_refused_count(url: str) -> None:
    for _ in range(3):
        assert lox24tui("status", ids_of_any(), url=url, token=WRONG).returncode == 2


def ids_of_any() -> str:
    return "da0fa78c-4699-11ea-a637-96000028b339"


# ------------------------------------------------------------------ export (item 2)


@pytest.mark.parametrize("stop", ["refused count full", "rate limited", "refused token"])
def test_export_writes_nothing_when_the_requests_are_stopped(
    live_fake: FakeLox24, live_url: str, tmp_path: Path, stop: str
) -> None:
    watch(live_fake, live_url, 4)
    good = tmp_path / "good.csv"
    good.write_text("the export of yesterday\n", encoding="utf-8")
    token: str | None = WRONG
    if stop == "refused count full":
        use_up_the_refused_count(live_url)
    elif stop == "rate limited":
        live_fake.fail("status", status=429, retry_after="600")
        token = None  # the fake's own, good token
    before = len(live_fake.log)
    kwargs: dict[str, str] = {} if token is None else {"token": token}
    done = lox24tui("export", "-o", str(good), url=live_url, **kwargs)
    assert done.returncode == 2, done.stderr
    assert good.read_text(encoding="utf-8") == "the export of yesterday\n"
    assert "nothing exported" in done.stderr
    assert len(live_fake.log) - before <= 1
    assert not list(tmp_path.glob(".good.csv.*"))  # no temporary file left behind


def test_export_with_failed_bulks_writes_the_rest_and_names_them(
    live_fake: FakeLox24, live_url: str, tmp_path: Path
) -> None:
    ids = watch(live_fake, live_url, 5)
    assert lox24tui("watch", "add", ids_of_any(), "--label", "Typo", url=live_url).returncode == 0
    live_fake.fail("status", status=502, bulk_id=ids[1])
    out = tmp_path / "bulks.csv"
    done = lox24tui("export", "-o", str(out), url=live_url)
    assert done.returncode == 1
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 1 + 6
    assert f"{ids[1]}" in done.stderr and "HTTP 502" in done.stderr
    assert f"{ids_of_any()} (Typo) failed" in done.stderr and "404" in done.stderr
    assert ids[0] not in done.stderr


def test_an_unwritable_destination_is_named(
    live_fake: FakeLox24, live_url: str, tmp_path: Path
) -> None:
    watch(live_fake, live_url, 2)
    target = tmp_path / "a-folder"
    target.mkdir()
    done = lox24tui("export", "-o", str(target), url=live_url)
    assert done.returncode == 1
    assert f"cannot write {target}:" in done.stderr
    assert ".a-folder." not in done.stderr  # never the temporary file's name


# ------------------------------------------------------------------ every path counts (item 3)


def test_bulks_with_a_wrong_token_never_gets_the_ip_blocked(
    live_fake: FakeLox24, live_url: str
) -> None:
    runs = [lox24tui("bulks", url=live_url, token=WRONG) for _ in range(4)]
    assert statuses(live_fake) == [401, 401, 401]
    assert live_fake.blocked_for() == 0
    assert [run.returncode for run in runs] == [2, 2, 2, 2]
    assert "stopped: Requests with a refused or unproven token" in runs[-1].stderr
    assert "blocking this IP" in runs[-1].stderr


def test_status_and_bulks_share_one_count(live_fake: FakeLox24, live_url: str) -> None:
    lox24tui("bulks", url=live_url, token=WRONG)
    lox24tui("status", ids_of_any(), url=live_url, token=WRONG)
    lox24tui("bulks", url=live_url, token=WRONG)
    done = lox24tui("status", ids_of_any(), "--json", url=live_url, token=WRONG)
    assert statuses(live_fake) == [401, 401, 401]
    assert json.loads(done.stdout)["error"]["kind"] == "not_sent"


# ------------------------------------------------------------------ no false lockout (item 4)


def test_server_errors_never_lock_the_account_out(live_fake: FakeLox24, live_url: str) -> None:
    broken, healthy = ids_of(live_fake)[:2]
    live_fake.fail("status", status=502, bulk_id=broken)
    for _ in range(3):
        done = lox24tui("status", broken, url=live_url)
        assert done.returncode == 2 and "HTTP 502" in done.stdout  # LOX24 answered no request
    done = lox24tui("status", healthy, url=live_url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [entry.status for entry in live_fake.requests("/bulks")] == [502, 502, 502, 200]
    assert {entry.status for entry in live_fake.requests("/sms")} <= {200}


def test_a_token_another_run_proved_goes_out_at_full_concurrency(
    live_fake: FakeLox24, live_url: str
) -> None:
    ids = ids_of(live_fake)
    assert lox24tui("status", ids[-1], url=live_url).returncode == 0
    live_fake.fail("hang", delay=1.0, bulk_id=ids[0], times=1)  # the first in line is slow
    assert lox24tui("status", *ids, url=live_url).returncode == 0
    # the others did not wait for its answer: the token was already proven
    assert status_requests(live_fake)[-1] == f"/bulks/{ids[0]}/status"


# ------------------------------------------------------------------ one request per id (item 7)


def test_status_asks_for_each_bulk_once_and_never_retries(
    live_fake: FakeLox24, live_url: str
) -> None:
    set_config("timeout = 1\n")
    ids = ids_of(live_fake)
    assert len(ids) >= 10
    live_fake.fail("status", status=502, bulk_id=ids[1])
    live_fake.fail("status", status=503, bulk_id=ids[2])
    live_fake.fail("hang", delay=5.0, bulk_id=ids[3])
    done = lox24tui("status", *ids, "--json", url=live_url)
    assert done.returncode == 1
    asked = status_requests(live_fake)
    assert sorted(asked) == sorted(f"/bulks/{bulk_id}/status" for bulk_id in ids)
    errors = {
        record["id"]: record["error"]["kind"]
        for record in map(json.loads, done.stdout.splitlines())
        if "error" in record
    }
    assert errors == {ids[1]: "server_error", ids[2]: "server_error", ids[3]: "network"}
    assert "will be retried" not in done.stdout


def test_three_exports_ask_three_times_per_bulk(live_fake: FakeLox24, live_url: str) -> None:
    ids = watch(live_fake, live_url, 8)
    live_fake.fail("status", status=500, bulk_id=ids[0])
    for _ in range(3):
        lox24tui("export", url=live_url)
    assert len(live_fake.log) == 3 * len(ids)


# ------------------------------------------------------------------ the demo stays a demo (item 9)


@pytest.mark.parametrize("command", [["watch", "list"], ["status", ids_of_any()], ["export"]])
def test_demo_is_refused_by_commands(command: list[str]) -> None:
    done = lox24tui("--demo", *command, token=None)
    assert done.returncode == 2
    assert "--demo" in done.stderr and "fake-server" in done.stderr
    assert done.stdout == ""
