"""When an alert fires: when its condition starts to hold, once, across processes sharing the
history file, and again after it cleared; what fired stays listed with when it cleared."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from lox24tui.alerts.rules import AlertRule
from lox24tui.clock import VirtualClock
from lox24tui.session.alert_watch import ACCOUNT, AlertWatch
from lox24tui.state.history import History

LOW = AlertRule.model_validate({"name": "low", "when": "balance_below", "amount": 50})


def fired(watch: AlertWatch, balance: str) -> list[str]:
    return [f.rule.name for f in watch.check_account(Decimal(balance), "EUR")]


def test_it_fires_when_the_condition_starts_to_hold_and_again_after_it_cleared(
    tmp_path: Path,
) -> None:
    clock = VirtualClock()
    with History(tmp_path / "history.sqlite3", clock=clock.now) as history:
        watch = AlertWatch([LOW], history, clock)
        assert fired(watch, "60") == []
        clock.advance(60)
        assert fired(watch, "40") == ["low"]
        assert fired(watch, "30") == []  # still below: once
        clock.advance(60)
        assert fired(watch, "80") == []  # cleared
        clock.advance(60)
        assert fired(watch, "45") == ["low"]  # and again
        log = history.alert_log()
        assert [(entry.rule, entry.subject) for entry in log] == [("low", ACCOUNT)] * 2
        newest, first = log
        assert newest.cleared_at is None and first.cleared_at == first.at + 60


def test_what_held_when_first_seen_is_claimed_without_firing(tmp_path: Path) -> None:
    clock = VirtualClock()
    with History(tmp_path / "history.sqlite3", clock=clock.now) as history:
        watch = AlertWatch([LOW], history, clock)
        assert fired(watch, "10") == [] and watch.held_at_start == 1
        assert fired(watch, "10") == [] and watch.held_at_start == 1
        assert history.alerts_holding() == [("low", ACCOUNT)]


def test_two_processes_on_one_history_fire_once_and_a_restart_does_not_fire_again(
    tmp_path: Path,
) -> None:
    clock = VirtualClock()
    path = tmp_path / "history.sqlite3"
    with History(path, clock=clock.now) as mine, History(path, clock=clock.now) as theirs:
        one, two = AlertWatch([LOW], mine, clock), AlertWatch([LOW], theirs, clock)
        assert fired(one, "60") == [] and fired(two, "60") == []
        assert fired(one, "40") + fired(two, "40") == ["low"]
        restarted = AlertWatch([LOW], theirs, clock)
        assert fired(restarted, "60") == []  # clears what the others claimed
        assert fired(restarted, "40") == ["low"]


def test_without_a_history_it_fires_once_in_this_process() -> None:
    clock = VirtualClock()
    watch = AlertWatch([LOW], None, clock)
    assert fired(watch, "60") == [] and fired(watch, "40") == ["low"] and fired(watch, "40") == []
