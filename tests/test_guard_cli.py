"""The guard's rules as users meet them: real ``lox24tui`` processes against the fake LOX24 over
loopback, sharing the real state folder. The fake counts what LOX24 would: the refused requests
it received, and whether it blocked the IP."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lox24tui.account.guard import RATE_LIMIT_MAX_WAIT, REFUSED_ALLOWED, server_key
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimulatedAccount
from lox24tui.fake.server import serve_in_thread
from lox24tui.session.config import Locations
from lox24tui.text import humanize
from tests.cli_process import WRONG, cli_env, lox24tui

REVOKED_FOR = "1234567:feedfacefeedfacefeedfacefeedface"
"""The token the fake accepts once the one the user holds has been revoked."""


@pytest.fixture
def forty() -> FakeLox24:
    """An account of forty bulks, on the real clock (subprocesses cannot share a virtual one)."""
    return FakeLox24(SimulatedAccount.generated(40, time.time()))


@pytest.fixture
def forty_url(forty: FakeLox24) -> Iterator[str]:
    with serve_in_thread(forty) as url:
        yield url


def refusals(fake: FakeLox24) -> int:
    return sum(1 for entry in fake.log if entry.status in (401, 403))


def ids(fake: FakeLox24) -> list[str]:
    return [bulk.uuid for bulk in fake.account]


def guard_file() -> Path:
    return Locations.default().guard_file


def age_every_proof(seconds: float) -> None:
    """The guard file as it stands after ``seconds`` without a request: e.g. overnight."""
    document = json.loads(guard_file().read_text(encoding="utf-8"))
    for key, state in document.items():
        if isinstance(state, dict):
            state["proven"] = {fp: at - seconds for fp, at in state.get("proven", {}).items()}
            document[key] = state
    guard_file().write_text(json.dumps(document), encoding="utf-8")


def test_a_token_revoked_overnight_costs_one_refused_request(
    forty: FakeLox24, forty_url: str
) -> None:
    every = ids(forty)
    assert lox24tui("status", every[0], url=forty_url).returncode == 0  # proven yesterday
    age_every_proof(8 * 3600)
    forty.token = REVOKED_FOR  # the key was rotated in LOX24's web account overnight
    done = lox24tui("status", *every, url=forty_url)
    assert done.returncode == 2, done.stderr
    said = done.stdout + done.stderr
    assert "rejected the API token from the environment variable LOX24_TOKEN (401)" in said
    assert refusals(forty) == 1  # tried alone first: no burst
    assert forty.blocked_for() == 0


def test_a_token_revoked_right_after_it_worked_costs_at_most_the_default_concurrency(
    forty: FakeLox24, forty_url: str
) -> None:
    every = ids(forty)
    assert lox24tui("status", every[0], url=forty_url).returncode == 0  # proven a moment ago
    forty.token = REVOKED_FOR
    done = lox24tui("status", *every, url=forty_url)
    assert done.returncode == 2, done.stderr
    assert refusals(forty) <= REFUSED_ALLOWED
    assert forty.blocked_for() == 0
    assert all(entry.status != 429 for entry in forty.log)


def started(*args: str, url: str) -> subprocess.Popen[str]:
    """A command left running, as a second terminal would."""
    return subprocess.Popen(
        [sys.executable, "-m", "lox24tui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(url, FAKE_TOKEN),
    )


def wait_until(condition: Callable[[], bool], what: str, deadline: float = 30.0) -> None:
    """Wait for something the fake or a process does (not for time to pass)."""
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, f"gave up waiting for {what}"
        time.sleep(0.005)


def test_two_commands_bursting_when_the_key_is_revoked_cost_three_refusals_together(
    forty: FakeLox24, forty_url: str
) -> None:
    """The cap on requests in flight is the machine's, not each process's: two commands at the
    default concurrency never have more than three requests on the wire together, so a key
    revoked mid-burst costs at most three refusals, however many commands run."""
    every = ids(forty)
    assert lox24tui("status", every[0], url=forty_url).returncode == 0  # proven a moment ago
    forty.latency = 0.4  # every answer takes a while: both commands keep their bursts going
    first = started("status", *every[:20], url=forty_url)
    second = started("status", *every[20:], url=forty_url)
    try:
        wait_until(lambda: len(forty.log) >= 1 + 9, "both commands to be bursting")
        forty.token = REVOKED_FOR  # the key is rotated while requests are on the wire
        for command in (first, second):
            _, stderr = command.communicate(timeout=60)
            assert command.returncode == 2, stderr
    finally:
        for command in (first, second):
            command.kill()
    assert forty.max_in_flight <= REFUSED_ALLOWED
    assert refusals(forty) <= REFUSED_ALLOWED
    assert forty.blocked_for() == 0


@pytest.mark.waits
def test_a_stopped_command_holding_every_place_is_named_and_a_killed_one_frees_them(
    forty: FakeLox24, forty_url: str
) -> None:
    """A command suspended (ctrl+z) with its requests on the wire keeps its places: another
    command waits as long as a request may take, then says whose they are and exits 2. Killed,
    it lets go at once."""
    every = ids(forty)
    config = Locations.default().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("timeout = 1\n", "utf-8")  # the wait is a request's timeout + 5 s
    assert lox24tui("status", every[0], url=forty_url).returncode == 0
    forty.latency = 30.0
    holder = started("status", *every[:3], url=forty_url)
    try:
        wait_until(lambda: forty.in_flight == REFUSED_ALLOWED, "three requests on the wire")
        holder.send_signal(signal.SIGSTOP)
        forty.latency = 0.0
        began = time.monotonic()
        done = lox24tui("status", every[5], url=forty_url)
        waited = time.monotonic() - began
        assert done.returncode == 2, done.stderr
        assert f"have been taken for more than 6 s by process {holder.pid}" in done.stderr
        assert "gave up after 6 s, nothing was sent" in done.stderr
        assert waited >= 6
        assert [e for e in forty.log if every[5] in e.path] == []
        holder.kill()
        holder.wait()
        freed = lox24tui("status", every[5], url=forty_url)
        assert freed.returncode == 0, freed.stderr
    finally:
        holder.kill()
        holder.communicate()


def test_one_server_spelled_three_ways_has_one_refused_count(
    forty: FakeLox24, forty_url: str
) -> None:
    port = forty_url.rsplit(":", 1)[1]
    spellings = [
        f"http://localhost:{port}",
        f"http://LOCALHOST:{port}",
        f"http://127.0.0.1:{port}/",
    ]
    started = time.monotonic()
    outputs = []
    for url in spellings:
        for _ in range(2):
            done = lox24tui("status", ids(forty)[0], url=url, token=WRONG)
            assert done.returncode == 2, done.stderr
            outputs.append(done.stdout + done.stderr)
    assert time.monotonic() - started < 65  # all within LOX24's minute
    assert refusals(forty) <= REFUSED_ALLOWED
    assert forty.blocked_for() == 0
    assert "to keep LOX24 from blocking this IP" in outputs[-1]


def test_a_block_far_in_the_future_is_capped_and_shown_as_a_time(
    forty: FakeLox24, forty_url: str
) -> None:
    """A clock set forward, a 429 written, the clock set back."""
    guard_file().parent.mkdir(parents=True, exist_ok=True)
    before = time.time()
    far = before + 98_203_581_042
    guard_file().write_text(
        json.dumps({"version": 1, server_key(forty_url): {"blocked_until": far}}), "utf-8"
    )
    done = lox24tui("status", ids(forty)[0], url=forty_url)
    after = time.time()
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert not forty.log  # nothing was sent
    assert "1636726350" not in said
    ends = {humanize.clock_time(at + RATE_LIMIT_MAX_WAIT) for at in (before, after)}
    assert any(f"no requests until {end} (" in said for end in ends), said
    assert "min)" in said


def test_status_watch_with_a_bad_token_says_stopped_once_and_never_retrying(
    forty: FakeLox24, forty_url: str
) -> None:
    done = lox24tui("status", "--watch", *ids(forty)[:3], url=forty_url, token=WRONG)
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("lox24tui: stopped: LOX24 rejected the API token from the ")
    assert "retrying" not in done.stderr
    assert refusals(forty) == 1


def test_lox24_unreachable_with_a_new_token_says_so_and_not_refused(tmp_path: Path) -> None:
    with serve_in_thread(FakeLox24(SimulatedAccount.generated(5, time.time()))) as url:
        pass  # the port is free again: nothing listens there any more
    bulk_ids = [f"da0fa78c-4699-11ea-a637-96000028b33{n}" for n in range(5)]
    done = lox24tui("status", *bulk_ids, url=url)
    said = done.stdout + done.stderr
    assert done.returncode != 0
    assert "LOX24 unreachable" in said
    assert "refused" not in said


def test_status_help_gives_the_default_concurrency_and_what_more_costs() -> None:
    done = lox24tui("status", "--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert f"the `concurrency` setting, {REFUSED_ALLOWED})" in text
    assert "a key revoked mid-burst may cost N refused requests" in text
    assert "ten minutes" in text


def test_status_with_a_bad_token_says_the_refusal_once_on_each_stream(
    forty: FakeLox24, forty_url: str
) -> None:
    done = lox24tui("status", *ids(forty)[:3], url=forty_url, token=WRONG)
    assert done.returncode == 2
    rows = done.stdout.splitlines()
    assert len(rows) == 3
    assert sum("rejected the API token" in row for row in rows) == 1  # the row it came back on
    assert all(row.endswith("held back by the stop above") for row in rows[1:])
    assert done.stderr.count("rejected the API token") == 1
