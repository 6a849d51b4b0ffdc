"""The CLI as a user runs it: subprocesses against the fake LOX24 over loopback."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lox24tui.api.records import CONTRACT_FIELDS
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.server import serve_in_thread
from tests.cli_process import CLI_TIMEOUT, WRONG, HeldClock, cli_env, labelled, lox24tui


def test_status_json_prints_every_contract_field(live_fake: FakeLox24, live_url: str) -> None:
    bulk = labelled(live_fake, "Appointment reminders (voice)")
    done = lox24tui("status", bulk, "--json", url=live_url)
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    record = json.loads(line)
    assert record["id"] == bulk and record["uuid"] == bulk
    assert set(CONTRACT_FIELDS) <= set(record)
    assert record["status_code"] == 5 and record["status"] == "in progress"
    assert record["voice_lang"] == "DE" and record["voice_language"] == "German"
    assert isinstance(record["price"], float) and record["price"] > 0
    assert len(record["request_id"]) == 32


def test_status_for_people(live_fake: FakeLox24, live_url: str) -> None:
    bulk = labelled(live_fake, "Tomorrow's morning promo")
    done = lox24tui("status", bulk, url=live_url)
    assert done.returncode == 0
    assert f"● {bulk}  scheduled (0)" in done.stdout
    assert "delivery" in done.stdout and "(in 17 h)" in done.stdout


def test_an_invalid_id_is_refused_and_nothing_is_sent(live_fake: FakeLox24, live_url: str) -> None:
    done = lox24tui("status", "../me", url=live_url)
    assert done.returncode == 1
    assert "'../me' is not a LOX24 bulk id" in done.stdout
    assert "no request was made for it" in done.stdout
    assert live_fake.log == []


def test_a_mixed_list_reports_each_id_and_fails(live_fake: FakeLox24, live_url: str) -> None:
    good = labelled(live_fake, "Black Friday newsletter")
    missing = "00000000-0000-1000-8000-000000000000"
    done = lox24tui("status", good, "x?y=", missing, "--json", url=live_url)
    assert done.returncode == 1
    records = [json.loads(line) for line in done.stdout.splitlines()]
    by_id = {record["id"]: record for record in records}
    assert by_id["x?y="]["error"]["kind"] == "invalid_id"
    assert by_id[missing]["error"]["kind"] == "not_found"
    assert by_id[missing]["error"]["http_status"] == 404
    assert by_id[good]["status_code"] in (5, 10)
    assert len(live_fake.requests("/bulks")) == 2  # one status request per id
    assert len(live_fake.requests("/sms")) <= 7  # and at most one count per delivery outcome


def test_a_wrong_token_costs_one_request_and_never_shows(
    live_fake: FakeLox24, live_url: str
) -> None:
    ids = [bulk.uuid for bulk in live_fake.account][:20]
    done = lox24tui("status", *ids, "--json", url=live_url, token=WRONG)
    assert done.returncode == 2
    assert len(live_fake.log) == 1 and live_fake.log[0].status == 401
    kinds = [json.loads(line)["error"]["kind"] for line in done.stdout.splitlines()]
    assert kinds.count("invalid_token") == 1 and kinds.count("not_sent") == 19
    assert "dead" not in done.stdout + done.stderr


def test_without_a_token_nothing_is_sent(live_fake: FakeLox24, live_url: str) -> None:
    done = lox24tui(
        "status", labelled(live_fake, "Black Friday newsletter"), url=live_url, token=None
    )
    assert done.returncode == 2
    assert "LOX24_TOKEN" in done.stderr
    assert live_fake.log == []


def test_a_refused_connection_is_reported_not_a_traceback() -> None:
    done = lox24tui("status", "da0fa78c-4699-11ea-a637-96000028b339", url="http://127.0.0.1:9")
    assert done.returncode == 2  # LOX24 unreachable: no request was answered
    assert "network: Could not reach LOX24" in done.stdout
    assert "Traceback" not in done.stderr


def test_help_documents_exit_codes() -> None:
    done = lox24tui("status", "--help")
    assert done.returncode == 0
    assert "exit status" in done.stdout and "LOX24_TOKEN" in done.stdout


def test_a_bad_config_file_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "config" / "lox24tui"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("interval = 0.5\n")
    done = lox24tui("status", "da0fa78c-4699-11ea-a637-96000028b339")
    assert done.returncode == 2
    assert "interval" in done.stderr and "Traceback" not in done.stderr


def test_bulks_lists_the_account_newest_first(live_fake: FakeLox24, live_url: str) -> None:
    done = lox24tui("bulks", "--json", "--limit", "100", url=live_url)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == len(live_fake.account)
    created = [int(r["created_at"]) for r in records]
    assert created == sorted(created, reverse=True)
    assert records[0]["text"] and records[0]["status"]


def test_bulks_filters_by_status_and_age(live_fake: FakeLox24, live_url: str) -> None:
    canceled = lox24tui("bulks", "--status", "15", "--json", url=live_url)
    assert {json.loads(line)["status_code"] for line in canceled.stdout.splitlines()} == {15}
    recent = lox24tui("bulks", "--since", "24h", url=live_url)
    lines = recent.stdout.splitlines()
    assert recent.returncode == 0 and 0 < len(lines) < 12
    assert any(labelled(live_fake, "Black Friday newsletter") in line for line in lines)
    assert lox24tui("bulks", "--since", "yesterday", url=live_url).returncode == 2


def watch_releasing_the_clock(
    fake: FakeLox24, url: str, ids: list[str], *options: str
) -> subprocess.CompletedProcess[str]:
    """Run ``lox24tui status IDS --watch``, letting the fake's held clock run from the moment the
    CLI has printed a first status for every id (so it has seen each one before it changes)."""
    clock = fake.clock
    assert isinstance(clock, HeldClock)
    with (
        tempfile.TemporaryFile("w+") as stderr,
        subprocess.Popen(
            [sys.executable, "-m", "lox24tui", "status", *ids, "--watch", *options],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=cli_env(url, FAKE_TOKEN),
        ) as process,
    ):
        watchdog = threading.Timer(CLI_TIMEOUT, process.kill)  # a hang ends the output early
        watchdog.start()
        lines: list[str] = []
        try:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line)
                if all(any(bulk_id in seen for seen in lines) for bulk_id in ids):
                    clock.release()
            returncode = process.wait()
        finally:
            watchdog.cancel()
            process.kill()
        stderr.seek(0)
        return subprocess.CompletedProcess(process.args, returncode, "".join(lines), stderr.read())


@pytest.fixture
def quick_fake(tmp_path: Path) -> Iterator[tuple[FakeLox24, str]]:
    """Bulks that end within seconds of the fake's clock (held: see HeldClock); the refresh
    interval set to its minimum."""
    from lox24tui.fake.account import time_uuid

    clock = HeldClock()
    now = clock.start
    bulks = [
        SimBulk(time_uuid(now - 60, 1), now - 60, now + 0.5, 100, send_seconds=1.5, label="quick"),
        SimBulk(time_uuid(now - 60, 2), now - 60, now + 0.5, 100, send_seconds=1.5, label="quick2"),
        SimBulk(
            time_uuid(now - 60, 3),
            now - 60,
            now - 30,
            100,
            outcome=15,
            ends_at=now - 40,
            label="canceled",
        ),
    ]
    config = tmp_path / "config" / "lox24tui"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("interval = 2\n")
    fake = FakeLox24(SimulatedAccount(bulks), clock=clock)
    with serve_in_thread(fake) as url:
        yield fake, url


def test_watch_follows_bulks_until_processed_and_keeps_the_history(
    quick_fake: tuple[FakeLox24, str],
) -> None:
    fake, url = quick_fake
    ids = [labelled(fake, "quick"), labelled(fake, "quick2")]
    assert lox24tui("watch", "add", ids[0], "--label", "Quick one", token=None).returncode == 0
    done = watch_releasing_the_clock(fake, url, ids, "--json")
    assert done.returncode == 0, done.stderr
    changes = [json.loads(line) for line in done.stdout.splitlines()]
    for bulk_id in ids:
        steps = [(c["from"], c["to"]) for c in changes if c["id"] == bulk_id]
        assert steps[0] == (None, 0) and steps[-1][1] == 10
        assert [to for _, to in steps] == sorted(to for _, to in steps)
    # what this process saw, another one reads later, labelled as on the watch list
    kept = [
        json.loads(line) for line in lox24tui("history", "--json", token=None).stdout.splitlines()
    ]
    assert [(k["id"], k["from_code"], k["to_code"], k["request_id"]) for k in kept] == [
        (c["id"], c["from"], c["to"], c["request_id"]) for c in changes
    ]
    assert {k["label"] for k in kept if k["id"] == ids[0]} == {"Quick one"}
    assert {k["label"] for k in kept if k["id"] == ids[1]} == {""}


@pytest.mark.waits
def test_watch_for_people_exits_1_when_a_bulk_failed(quick_fake: tuple[FakeLox24, str]) -> None:
    fake, url = quick_fake
    ids = [labelled(fake, "quick"), labelled(fake, "canceled")]
    done = watch_releasing_the_clock(fake, url, ids)
    assert done.returncode == 1
    assert "now canceled" in done.stdout and "→ processed" in done.stdout


@pytest.mark.parametrize(
    ("ids", "token"),
    [
        (["00000000-0000-1000-8000-000000000000"], FAKE_TOKEN),
        (["../me"], FAKE_TOKEN),
        (None, "1234567:" + "0" * 32),
    ],
)
def test_watch_exits_2_when_stopped(
    quick_fake: tuple[FakeLox24, str], ids: list[str] | None, token: str
) -> None:
    fake, url = quick_fake
    ids = ids or [bulk.uuid for bulk in fake.account]
    done = lox24tui("status", *ids, "--watch", url=url, token=token)
    assert done.returncode == 2
    assert len(fake.log) <= 1


@pytest.mark.parametrize("args", [["--limit", "0"], ["--status", "7"], ["--since", "soon"]])
def test_bulks_refuses_odd_arguments(args: list[str]) -> None:
    done = lox24tui("bulks", *args, url="http://127.0.0.1:9")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_repeated_runs_with_a_wrong_token_never_get_the_ip_blocked(
    live_fake: FakeLox24, live_url: str
) -> None:
    bulk = labelled(live_fake, "Black Friday newsletter")
    runs = [lox24tui("status", bulk, "--json", url=live_url, token=WRONG) for _ in range(5)]
    assert [entry.status for entry in live_fake.log] == [401, 401, 401]
    assert live_fake.blocked_for() == 0
    last = json.loads(runs[-1].stdout)
    assert last["error"]["kind"] == "not_sent"
    assert all(run.returncode == 2 for run in runs)
