"""Alert rules as a person writes them in config.toml: read whole or refused with the file and
line; `alerts check` says how each reads; `alerts test NAME` fires one against the demo and runs
its command for real: a real child process gets the event, and never a token."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from lox24tui.alerts.command import OUTPUT_KEPT, command_environment, run_command
from lox24tui.alerts.conditions import account_holds, bulk_holds
from lox24tui.alerts.rules import AlertRule
from lox24tui.api import StatusCode
from lox24tui.engine.bulk_state import BulkState
from lox24tui.session.config import ConfigError, Locations, load_settings
from tests.bulk_states import BULK, NOW, bulk, sample
from tests.cli_process import lox24tui

from .conftest import write_config

TOKEN = "1234567:abcdefabcdefabcdefabcdefabcdefab"
"""A token in the form LOX24 gives (the demo needs none: it is what must not leak)."""


def refused(text: str) -> str:
    write_config(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={})
    return str(caught.value)


def recorder(tmp_path: Path) -> tuple[list[str], Path]:
    """A command (a real Python child process) that writes what it got, its stdin and its
    environment, to a file."""
    seen = tmp_path / "seen.json"
    script = (
        "import json, os, sys; "
        "seen = {'stdin': sys.stdin.read(), 'env': dict(os.environ)}; "
        f"json.dump(seen, open({str(seen)!r}, 'w'))"
    )
    return [sys.executable, "-c", script], seen


def test_rules_are_read_with_their_condition_bulks_and_actions() -> None:
    write_config(
        """
        interval = 10

        [[alerts]]
        name = "failures"
        when = "failure_rate"
        above = 10
        after = 200
        label = "Black Friday"
        desktop = true
        command = ["/usr/bin/logger", "-t", "lox24"]

        [[alerts]]
        name = "money"
        when = "balance_below"
        amount = 50
        """
    )
    rules = load_settings(environ={}).alerts
    assert [rule.name for rule in rules] == ["failures", "money"]
    failures, money = rules
    assert failures.threshold_words == "the failure rate passes 10% after 200 reports"
    assert failures.covers("x", "black friday newsletter") and not failures.covers("x", "Promo")
    assert failures.actions == ["toast", "desktop", "command"] and failures.timeout == 10
    assert money.threshold_words == "the balance falls below 50" and money.covers("x", "")


@pytest.mark.parametrize(
    ("rule", "line", "said"),
    [  # the second alert starts on line 6 (its [[alerts]]); its rule's lines are 8, 9, 10
        ('when = "stalled"', 6, 'alert 2: when = "stalled" needs minutes'),
        ('when = "stalled"\nminutes = 5\nabove = 3', 6, 'above is not for when = "stalled"'),
        ('when = "status"\nstatus = "done"', 9, 'status of alert 2 must be one of "scheduled"'),
        (
            'when = "counted"\ncommnd = ["x"]',
            9,
            "alert 2 has no setting called commnd; did you mean command?",
        ),
        ('when = "counted"\ncommand = []', 9, "command of alert 2"),
        ('when = "counted"\ncommand = [""]', 9, "must start with the program to run"),
        ('when = "counted"\ntimeout = 900', 9, "timeout of alert 2 must be at most 300"),
        ('when = "balance_below"\namount = 5\nlabel = "x"', 6, "about the account: no label"),
        ('when = "counted"\ntoast = false', 6, "does nothing: give it a command"),
        ('when = "counted"\nids = ["../me"]', 9, "ids of alert 2"),
        ('when = "sometimes"', 8, "when of alert 2 must be one of"),
    ],
)
def test_a_rule_that_would_misbehave_is_refused_with_its_file_and_line(
    rule: str, line: int, said: str
) -> None:
    first = '[[alerts]]\nname = "first"\nwhen = "counted"\n\n'
    message = refused(f'interval = 10\n{first}[[alerts]]\nname = "second"\n{rule}\n')
    assert message.startswith(f"{Locations.default().config_file}, line {line}: "), message
    assert said in message


def test_two_rules_of_one_name_are_refused() -> None:
    message = refused(
        '[[alerts]]\nname = "a"\nwhen = "counted"\n\n[[alerts]]\nname = "a"\nwhen = "counted"\n'
    )
    assert 'two alerts are called "a"' in message


def test_alerts_check_says_how_each_rule_reads_and_refuses_a_broken_one() -> None:
    write_config(
        """
        [[alerts]]
        name = "stuck"
        when = "stalled"
        minutes = 15
        ids = ["5e7d0c00-4699-11ea-a637-96000028b339"]
        bell = true
        """
    )
    done = lox24tui("alerts", "check", token=None)
    assert done.returncode == 0, done.stderr
    assert "● stuck: when a bulk in progress has not moved for 15 min" in done.stdout
    assert "for 1 bulks (5e7d0c00…); then toast, bell" in done.stdout
    write_config('[[alerts]]\nname = "stuck"\nwhen = "stalled"\n')
    broken = lox24tui("alerts", "check", token=None)
    assert broken.returncode == 2
    assert 'line 1: alert 1: when = "stalled" needs minutes' in broken.stderr
    assert "Traceback" not in broken.stderr


def test_alerts_test_sends_a_real_child_the_event_and_no_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv, seen = recorder(tmp_path)
    shop_token = "7654321:" + "5" * 32
    monkeypatch.setenv("SHOP_TOKEN", shop_token)  # an account's token, where the config says
    write_config(
        f"""
        [accounts.shop]
        token_env = "SHOP_TOKEN"

        [[alerts]]
        name = "failures"
        when = "failure_rate"
        above = 5
        label = "Password reset"
        command = {json.dumps(argv)}
        """
    )
    done = lox24tui("alerts", "test", "failures", token=TOKEN)  # LOX24_TOKEN set for lox24tui
    assert done.returncode == 0, done.stderr
    assert "command " + sys.executable + ": ran, exit 0" in done.stdout
    got = json.loads(seen.read_text(encoding="utf-8"))
    event = json.loads(got["stdin"])
    assert event["rule"] == "failures" and event["condition"] == "failure_rate"
    assert event["label"] == "Password reset codes (Unicode)" and event["test"] is True
    assert event["messages"] == 3200 and event["failed"] > 0 and event["version"] == 1
    assert got["env"]["LOX24TUI_RULE"] == "failures"
    assert got["env"]["LOX24TUI_BULK_ID"] == event["bulk_id"]
    assert "LOX24_TOKEN" not in got["env"] and "SHOP_TOKEN" not in got["env"]
    assert TOKEN not in json.dumps(got)  # in no variable, under no name
    assert shop_token not in json.dumps(got)


def test_alerts_test_names_the_rules_when_one_is_not_there() -> None:
    write_config('[[alerts]]\nname = "done"\nwhen = "counted"\n')
    done = lox24tui("alerts", "test", "dnoe", token=None)
    assert done.returncode == 1
    assert 'no alert is called "dnoe" (the alerts: done)' in done.stderr


async def test_a_command_that_hangs_is_stopped_with_what_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    started = (
        "import subprocess, sys, time; "
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        f"open({str(pid_file)!r}, 'w').write(str(child.pid)); "
        "print('working', flush=True); time.sleep(60)"
    )
    result = await run_command(
        [sys.executable, "-c", started], {"rule": "x"}, command_environment({}), seconds=1.5
    )
    assert result.timed_out and result.exit_code is None and not result.ok
    assert result.words.startswith("stopped after") and result.words.endswith("(its timeout)")
    assert result.output == "working"
    grandchild = int(pid_file.read_text())
    await until_gone(grandchild)  # what it started was stopped with it


async def test_a_failing_command_says_its_exit_status_and_output() -> None:
    script = "import sys; print('no route to chat'); sys.exit(3)"
    result = await run_command([sys.executable, "-c", script], {}, {}, seconds=10)
    assert result.exit_code == 3 and result.words == "failed, exit 3"
    assert result.output == "no route to chat"


async def test_a_flood_of_output_is_read_and_dropped_past_what_is_kept() -> None:
    script = "import sys; sys.stdout.write('x' * 5_000_000 + '\\x1b[2J')"
    result = await run_command([sys.executable, "-c", script], {}, {}, seconds=30)
    assert result.ok and len(result.output) == OUTPUT_KEPT
    assert result.dropped == 5_000_004 - OUTPUT_KEPT


async def test_a_program_that_is_not_there_says_so() -> None:
    result = await run_command(["/no/such/program"], {}, {}, seconds=5)
    assert result.words == "could not start: /no/such/program: No such file or directory"


async def until_gone(pid: int) -> None:
    """Wait for process ``pid`` to end (it was signalled; init reaps it), failing after 10 s."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        if _zombie(pid):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"process {pid} still runs")


def _zombie(pid: int) -> bool:
    """Ended, not yet reaped: as good as gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return False


# ---------------------------------------------------------------- conditions, at their thresholds


def rule(**fields: object) -> AlertRule:
    return AlertRule.model_validate({"name": "r", **fields})


@pytest.mark.parametrize(
    ("delivered", "failed", "holds"),
    [(90, 10, False), (89, 11, True), (0, 0, False), (40, 10, False)],  # 10 % is not past 10 %
)
def test_the_failure_rate_holds_past_its_share_once_enough_reports_are_in(
    delivered: int, failed: int, holds: bool
) -> None:
    failures = rule(when="failure_rate", above=10, after=100)
    state = bulk(StatusCode.IN_PROGRESS, delivered=delivered, failed=failed)
    assert bulk_holds(failures, state, (), NOW) is holds


@pytest.mark.parametrize(("quiet_minutes", "holds"), [(14.9, False), (15, True), (40, True)])
def test_a_stall_holds_once_nothing_went_out_for_its_minutes(
    quiet_minutes: float, holds: bool
) -> None:
    moved = NOW - quiet_minutes * 60
    samples = [sample(moved - 120, 100), sample(moved, 200), sample(NOW - 1, 200)]
    stalled = rule(when="stalled", minutes=15)
    assert bulk_holds(stalled, bulk(StatusCode.IN_PROGRESS), samples, NOW) is holds
    assert bulk_holds(stalled, bulk(StatusCode.PROCESSED), samples, NOW) is False


def test_status_and_counted_hold_as_the_bulk_says() -> None:
    processed = rule(when="status", status="processed")
    assert bulk_holds(processed, bulk(StatusCode.PROCESSED), (), NOW)
    assert not bulk_holds(processed, bulk(StatusCode.IN_PROGRESS), (), NOW)
    assert not bulk_holds(processed, BulkState(BULK), (), NOW)  # not checked yet
    scheduled = rule(when="status", status="scheduled")  # status 0, its delivery still ahead
    assert bulk_holds(scheduled, bulk(StatusCode.NEW, delivery_at=NOW + 600), (), NOW)
    assert not bulk_holds(scheduled, bulk(StatusCode.NEW, delivery_at=NOW - 600), (), NOW)
    failures = rule(when="failure_rate", above=5)
    assert not bulk_holds(failures, BulkState(BULK, bulk(StatusCode.PROCESSED).reply), (), NOW)
    low = rule(when="balance_below", amount=50)
    assert not bulk_holds(low, bulk(StatusCode.PROCESSED), (), NOW)  # about the account
    counted = rule(when="counted")
    assert bulk_holds(counted, bulk(StatusCode.PROCESSED, delivered=1000, settled=True), (), NOW)
    assert not bulk_holds(counted, bulk(StatusCode.PROCESSED, delivered=990), (), NOW)


@pytest.mark.parametrize(("balance", "holds"), [("49.99", True), ("50", False), (None, False)])
def test_the_balance_holds_below_its_amount(balance: str | None, holds: bool) -> None:
    low = rule(when="balance_below", amount=50)
    assert account_holds(low, None if balance is None else Decimal(balance), None) is holds
