"""``status --watch`` says each change of the engine's state as it happens, on stderr with its
time, once per change: a real process against a fake LOX24 that goes away and comes back."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.account import time_uuid
from lox24tui.fake.server import serve_in_thread
from tests.cli_process import cli_env
from tests.lines import running
from tests.serving import free_port

TIME = re.compile(r"^lox24tui: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d  ")
"""Every state line starts with the local time it was seen."""


@pytest.fixture
def sending(tmp_path: Path) -> tuple[FakeLox24, str]:
    """A bulk sending for the next hour, polled at the shortest interval."""
    now = time.time()
    bulk = SimBulk(time_uuid(now - 120, 1), now - 120, now - 60, 100_000, send_seconds=3600)
    config = tmp_path / "config" / "lox24tui"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("interval = 2\n")
    return FakeLox24(SimulatedAccount([bulk])), bulk.uuid


@pytest.fixture
def port() -> Iterator[int]:
    yield free_port()


@pytest.mark.waits
def test_watch_says_when_lox24_goes_away_and_when_it_is_back(
    sending: tuple[FakeLox24, str], port: int
) -> None:
    fake, bulk = sending
    env = cli_env(f"http://127.0.0.1:{port}", FAKE_TOKEN)
    with running("status", bulk, "--watch", env=env) as watch:
        with serve_in_thread(fake, port=port):
            watch.stdout.wait_for_line(bulk)
        seen = len(fake.log)  # the server is gone: connections are refused
        gone = watch.stderr.wait_for_line("LOX24 unreachable")
        # back, but failing: a probe answered 503 keeps it unreachable, and says nothing new
        fake.fail("status", status=503, times=1)
        with serve_in_thread(fake, port=port):
            # probes wait longer after each failure: up to 4 + 8 + 16 s, more on a busy machine
            back = watch.stderr.wait_for_line("LOX24 answers again", after=gone, deadline=180)
            assert [entry.status for entry in fake.log[seen:]][:2] == [503, 200]
            assert watch.interrupt() == 130
    lines = watch.stderr.lines
    states = [line for line in lines if TIME.match(line)]
    assert states == [lines[gone], lines[back]]  # once each, however many probes failed
    assert "(network errors or LOX24 system errors)" in lines[gone]
    assert "Traceback" not in watch.stderr.text and "Errno" not in watch.stderr.text


def test_watch_says_when_it_is_rate_limited_and_stops(sending: tuple[FakeLox24, str]) -> None:
    fake, bulk = sending
    fake.fail("status", status=429, retry_after="120")
    with (
        serve_in_thread(fake) as url,
        running("status", bulk, "--watch", env=cli_env(url, FAKE_TOKEN)) as watch,
    ):
        assert watch.wait() == 2
    said = [line for line in watch.stderr.lines if "429" in line]
    assert len(said) == 1 and said[0].startswith("lox24tui: stopped:"), said  # said once
