"""``lox24tui monitor`` as a server runs it: the watch list without a screen, the alert rules
acting as bulks change, timed lines on stderr, SIGTERM ends it with 0; and LOX24 refusing the
token does not end it (it says so and waits)."""

from __future__ import annotations

import json
import signal
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.account import time_uuid
from lox24tui.fake.server import serve_in_thread
from lox24tui.session.config import Locations
from lox24tui.state.store import WatchList
from tests.cli_process import WRONG, cli_env
from tests.lines import running


def watching(tmp_path: Path, rule: str) -> tuple[FakeLox24, str, Path]:
    """A bulk on the watch list that ends processed about 10 s from now, a config polling it
    every 2 s with ``rule``, and the file its command appends each event to."""
    now = time.time()
    bulk = SimBulk(time_uuid(now - 600, 1), now - 600, now - 60, 100, send_seconds=70)
    watchlist = WatchList(Locations.default().watchlist_file)
    watchlist.add_many([(bulk.uuid, "Spring sale")])
    events = tmp_path / "events.jsonl"
    environment = tmp_path / "environment.json"  # what the command's environment held
    command = [
        sys.executable,
        "-c",
        f"import json, os, sys; open({str(events)!r}, 'a').write(sys.stdin.read()); "
        f"json.dump(dict(os.environ), open({str(environment)!r}, 'w'))",
    ]
    config = Locations.default().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "interval = 2\n\n" + textwrap.dedent(rule) + f"command = {json.dumps(command)}\n"
    )
    return FakeLox24(SimulatedAccount([bulk])), bulk.uuid, events


def until_written(path: Path, deadline: float = 30.0) -> None:
    """Wait for the command (a process of its own) to write ``path``; fail after ``deadline``."""
    end = time.monotonic() + deadline
    while not (path.exists() and path.stat().st_size > 0):
        assert time.monotonic() < end, f"{path} was never written"
        time.sleep(0.05)


@pytest.mark.waits
def test_the_monitor_fires_the_rules_as_bulks_change_and_stops_on_sigterm(tmp_path: Path) -> None:
    fake, bulk, events = watching(
        tmp_path, '[[alerts]]\nname = "done"\nwhen = "status"\nstatus = "processed"\n'
    )
    with Locations.default().config_file.open("a") as config:  # an account's token variable
        config.write('\n[accounts.shop]\ntoken_env = "SHOP_TOKEN"\n')
    shop_token = "7654321:" + "5" * 32
    with (
        serve_in_thread(fake) as url,
        running("monitor", env=cli_env(url, FAKE_TOKEN) | {"SHOP_TOKEN": shop_token}) as monitor,
    ):
        monitor.stderr.wait_for_line("monitoring 1 bulk")
        moved = monitor.stderr.wait_for_line("Spring sale: in progress → processed")
        monitor.stderr.wait_for_line(
            "Alert: done: Spring sale: a bulk reaches processed", after=moved
        )
        until_written(events)
        monitor.process.send_signal(signal.SIGTERM)
        assert monitor.wait() == 0
    event = json.loads(events.read_text())
    assert event["bulk_id"] == bulk and event["rule"] == "done" and event["test"] is False
    held = (tmp_path / "environment.json").read_text()
    assert FAKE_TOKEN not in held and shop_token not in held  # no token, under any name
    lines = monitor.stderr.lines
    assert lines[-1].endswith("stopped") and all(line[:2].isdigit() for line in lines)
    assert "Traceback" not in monitor.stderr.text


def test_a_refused_token_is_said_and_waited_out_never_an_exit(tmp_path: Path) -> None:
    fake, _, _ = watching(tmp_path, '[[alerts]]\nname = "done"\nwhen = "counted"\n')
    with serve_in_thread(fake) as url, running("monitor", env=cli_env(url, WRONG)) as monitor:
        monitor.stderr.wait_for_line("tried again in 15 min, alone")
        assert monitor.process.poll() is None  # still watching
        refused = [entry for entry in fake.log if entry.status == 401]
        assert len(refused) == 1  # one request told it; nothing more until the retry
        monitor.process.send_signal(signal.SIGTERM)
        assert monitor.wait() == 0
    assert "Traceback" not in monitor.stderr.text
