"""What the commands say to a newcomer: every message true, every action answered. Each test runs
lox24tui as a subprocess against the fake LOX24 over loopback and reads what a user would read."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk
from tests.cli_process import CLI_TIMEOUT, WRONG, lox24tui

from .serving import free_port, stop

UNKNOWN = "da0fa78c-4699-11ea-a637-96000028b339"
"""A well-formed bulk id the demo account does not have."""


def watch(fake: FakeLox24, url: str, ids: list[str]) -> None:
    done = lox24tui("watch", "add", *ids, url=url)
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------ export (item 10)


def test_an_export_in_which_every_bulk_failed_writes_no_file(
    live_fake: FakeLox24, live_url: str, tmp_path: Path
) -> None:
    ids = [bulk.uuid for bulk in live_fake.account][:2]
    watch(live_fake, live_url, ids)
    live_fake.fail("malformed")  # LOX24 answers, unreadably: each bulk fails, nothing stops
    target = tmp_path / "bulks.csv"
    done = lox24tui("export", "-o", str(target), url=live_url)
    assert done.returncode == 1
    assert not target.exists()
    assert all(f"{bulk_id} ({bulk_id}) failed:" in done.stderr for bulk_id in ids)
    assert "every watched bulk failed, so no file was written" in done.stderr
    assert "Exported" not in done.stderr
    to_stdout = lox24tui("export", url=live_url)
    assert to_stdout.returncode == 1 and to_stdout.stdout == ""


def test_an_export_into_a_missing_folder_is_refused_and_names_it(
    live_fake: FakeLox24, live_url: str, tmp_path: Path
) -> None:
    watch(live_fake, live_url, [bulk.uuid for bulk in live_fake.account][:1])
    before = len(live_fake.log)
    target = tmp_path / "that" / "is" / "missing" / "x.csv"
    done = lox24tui("export", "-o", str(target), url=live_url)
    assert done.returncode == 1
    assert f"{tmp_path / 'that'} does not exist. Create the folder first" in done.stderr
    assert not (tmp_path / "that").exists()
    assert len(live_fake.log) == before  # refused before any request


# ------------------------------------------------------------------ messages (item 11)


def test_messages_of_an_unknown_bulk_says_lox24_does_not_know_it(
    live_fake: FakeLox24, live_url: str
) -> None:
    done = lox24tui("messages", UNKNOWN, url=live_url)
    assert done.returncode == 1
    assert f"LOX24 does not know the bulk {UNKNOWN} on this account (404)." in done.stderr
    assert done.stdout == ""


def test_messages_of_a_known_bulk_without_any_say_so_and_succeed(
    live_fake: FakeLox24, live_url: str
) -> None:
    scheduled = next(b.uuid for b in live_fake.account if b.label == "Tomorrow's morning promo")
    done = lox24tui("messages", scheduled, "--dlr", "rejected", url=live_url)
    assert done.returncode == 0, done.stderr
    assert f"The bulk {scheduled} has no messages with the outcome rejected." in done.stderr
    assert done.stdout == ""


# ------------------------------------------------------------------ fake-server (item 12)


def test_fake_server_on_a_busy_port_says_so_before_any_banner() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        done = lox24tui("fake-server", "--port", str(port), token=None)
    assert done.returncode == 2
    assert done.stdout == ""  # no banner promising a server that never came
    assert f"the fake LOX24 could not start: 127.0.0.1:{port} cannot be used" in done.stderr
    assert "another program is listening on it" in done.stderr and "--port" in done.stderr
    assert "Traceback" not in done.stderr


def test_fake_server_on_a_free_port_prints_its_banner_and_answers() -> None:
    port = free_port()
    with subprocess.Popen(
        [sys.executable, "-m", "lox24tui", "fake-server", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    ) as process:
        try:
            assert process.stdout is not None
            banner = process.stdout.readline().decode()  # printed once the port is bound
            assert f"on http://127.0.0.1:{port}" in banner
            answer = httpx.get(
                f"http://127.0.0.1:{port}/me",
                headers={"X-LOX24-AUTH-TOKEN": FAKE_TOKEN},
                timeout=CLI_TIMEOUT,
            )
            assert answer.status_code == 200
        finally:
            stop(process)


# ------------------------------------------------------------------ a 403 (item 20)


def test_a_403_names_all_three_causes_and_support(live_fake: FakeLox24, live_url: str) -> None:
    live_fake.fail("status", status=403)
    bulk = next(iter(live_fake.account)).uuid
    done = lox24tui("status", bulk, url=live_url)
    assert done.returncode == 2
    said = done.stdout + done.stderr
    assert "it is not activated yet, it is blocked, or its API key is not active" in said
    assert "Contact LOX24 support." in said
    assert "wait for the activation" not in said


# ------------------------------------------------------------------ the token (items 14, 15)


def set_config(text: str) -> Path:
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "lox24tui"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")
    return folder / "config.toml"


def test_a_refused_token_from_the_config_file_names_the_file(
    live_fake: FakeLox24, live_url: str
) -> None:
    path = set_config(f'interval = 30\ntoken = "{WRONG}"\n')
    done = lox24tui("status", UNKNOWN, url=live_url, token=None)
    assert done.returncode == 2
    assert f"rejected the API token from {path}, line 2 (401)" in done.stdout + done.stderr
    assert "LOX24_TOKEN" not in done.stdout + done.stderr


def test_a_refused_token_from_the_environment_names_the_variable(
    live_fake: FakeLox24, live_url: str
) -> None:
    done = lox24tui("status", UNKNOWN, url=live_url, token=WRONG)
    assert done.returncode == 2
    said = done.stdout + done.stderr
    assert "rejected the API token from the environment variable LOX24_TOKEN (401)" in said


def test_a_malformed_token_is_refused_before_any_request(
    live_fake: FakeLox24, live_url: str
) -> None:
    done = lox24tui("status", UNKNOWN, url=live_url, token="abc")
    assert done.returncode == 2
    assert "the token in the environment variable LOX24_TOKEN cannot be used" in done.stderr
    assert "a number, a colon and a hexadecimal key" in done.stderr
    assert live_fake.log == []


# ------------------------------------------------------------------ zero is no time (item 18)

ZERO = "0e000000-4699-11ea-a637-96000028b339"
NO_TIME_SHOWN_AS_1970 = re.compile(r"\b1970\b")
"""The year as a date shows it, never four digits inside an id or a hash (random)."""


def test_a_time_of_zero_is_no_time_in_status_and_messages(
    live_fake: FakeLox24, live_url: str
) -> None:
    now = time.time()
    live_fake.account.add(
        SimBulk(
            uuid=ZERO,
            created_at=now - 3600,
            delivery_at=now - 3500,
            recipients=1000,
            label="Sent at once",
            quirks=frozenset({"zero_times"}),
        )
    )
    status = lox24tui("status", ZERO, url=live_url)
    assert status.returncode == 0, status.stderr
    assert not NO_TIME_SHOWN_AS_1970.search(status.stdout)
    record = json.loads(lox24tui("status", ZERO, "--json", url=live_url).stdout)
    assert record["delivery_at"] is None
    messages = lox24tui("messages", ZERO, "--dlr", "not_sent", "--limit", "3", url=live_url)
    assert messages.returncode == 0, messages.stderr
    assert "never sent" in messages.stdout
    assert not NO_TIME_SHOWN_AS_1970.search(messages.stdout)


# ------------------------------------------------------------------ stdout and stderr (item 24)


def test_bulks_for_people_starts_with_a_header(live_fake: FakeLox24, live_url: str) -> None:
    done = lox24tui("bulks", "--limit", "3", url=live_url)
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split() == ["ID", "CREATED", "STATUS", "MESSAGES", "PRICE", "TEXT"]
    assert len(rows) == 3 and header.index("CREATED") == rows[0].index(rows[0].split()[1])
    as_json = lox24tui("bulks", "--limit", "3", "--json", url=live_url)
    assert all(line.startswith("{") for line in as_json.stdout.splitlines())


def test_bulks_that_match_nothing_say_so_on_stderr(live_fake: FakeLox24, live_url: str) -> None:
    done = lox24tui("bulks", "--status", "20", "--since", "1m", url=live_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and "No bulk in the account matches." in done.stderr


def test_a_stopped_cancel_is_said_once_on_stderr(live_fake: FakeLox24, live_url: str) -> None:
    bulk = next(b.uuid for b in live_fake.account if b.label == "Tomorrow's morning promo")
    done = lox24tui("cancel", bulk, "--yes", url=live_url, token=WRONG)
    assert done.returncode == 2
    assert done.stdout.strip() == f"✗ {bulk}  not canceled: bad token"
    assert done.stderr.count("rejected the API token") == 1


# ------------------------------------------------------------------ help (item 25)

COMMANDS = [
    [],
    ["status"],
    ["bulks"],
    ["messages"],
    ["failures"],
    ["account"],
    ["cancel"],
    ["watch"],
    ["watch", "add"],
    ["watch", "remove"],
    ["watch", "list"],
    ["watch", "restore"],
    ["history"],
    ["report"],
    ["export"],
    ["serve"],
    ["fake-server"],
    ["completion"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "lox24tui")
def test_every_help_says_what_the_command_does_with_an_example_within_the_terminal(
    command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    done = lox24tui(*command, "--help", token=None)
    assert done.returncode == 0, done.stderr
    usage, description, *_ = done.stdout.split("\n\n")
    assert usage.startswith("usage: lox24tui") and len(description.split()) >= 6
    assert "example" in done.stdout or "bash:" in done.stdout
    too_long = [line for line in done.stdout.splitlines() if len(line) > 80]
    assert too_long == []
    for block in done.stdout.split("positional arguments:")[1:]:  # explained, never bare
        first = block.splitlines()[1]
        assert len(first.split()) > 1, first


def test_help_prose_follows_the_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    wide = lox24tui("status", "--help", token=None).stdout
    monkeypatch.setenv("COLUMNS", "60")
    narrow = lox24tui("status", "--help", token=None).stdout
    assert max(map(len, wide.split("\n\n")[1].splitlines())) > 80
    assert max(map(len, narrow.split("\n\n")[1].splitlines())) <= 60


# ------------------------------------------------------------------ counts (item 21)


def test_an_export_of_one_bulk_says_one_bulk(
    live_fake: FakeLox24, live_url: str, tmp_path: Path
) -> None:
    watch(live_fake, live_url, [next(iter(live_fake.account)).uuid])
    target = tmp_path / "one.csv"
    done = lox24tui("export", "-o", str(target), url=live_url)
    assert done.returncode == 0, done.stderr
    assert f"Exported 1 bulk to {target}" in done.stderr
