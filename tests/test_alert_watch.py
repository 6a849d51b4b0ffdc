"""When an alert fires: when its condition starts to hold, once, across processes sharing the
history file, and again after it cleared; what fired stays listed with when it cleared."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from lox24tui.alerts.rules import AlertRule
from lox24tui.api import StatusCode
from lox24tui.clock import VirtualClock
from lox24tui.engine.bulk_state import BulkState
from lox24tui.session.alert_watch import ACCOUNT, HELD_AT_START, AlertWatch
from lox24tui.state.history import History, ProgressSample
from tests.bulk_states import BULK, NOW, bulk, sample

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


def test_two_accounts_on_one_history_each_fire_for_their_own_balance(tmp_path: Path) -> None:
    """Two accounts below their low balance are two alerts: one account's claim must not keep
    the other's from firing (they share the history, as every process does)."""
    clock = VirtualClock()
    path = tmp_path / "history.sqlite3"
    with History(path, clock=clock.now) as mine, History(path, clock=clock.now) as theirs:
        shop = AlertWatch([LOW], mine, clock, account="shop")
        swiss = AlertWatch([LOW], theirs, clock, account="swiss")
        assert fired(shop, "60") == [] and fired(swiss, "60") == []
        assert fired(shop, "40") == ["low"]
        assert fired(swiss, "40") == ["low"]
        subjects = {entry.subject for entry in mine.alert_log()}
        assert subjects == {"account:shop", "account:swiss"}


def test_without_a_history_it_fires_once_in_this_process() -> None:
    clock = VirtualClock()
    watch = AlertWatch([LOW], None, clock)
    assert fired(watch, "60") == [] and fired(watch, "40") == ["low"] and fired(watch, "40") == []


# ---------------------------------------------------------------- bulks

DONE = AlertRule.model_validate({"name": "done", "when": "status", "status": "processed"})
STUCK = AlertRule.model_validate(
    {"name": "stuck", "when": "stalled", "minutes": 5, "label": "Spring"}
)
OTHER = "6f8e1d00-4699-11ea-a637-96000028b339"


def check(
    watch: AlertWatch, *states: BulkState, asked: list[str] | None = None, quiet: float = 600
) -> list[str]:
    """The rules that fire for these bulks now (NOW), as "rule bulk"; their progress samples
    say nothing went out for the last ``quiet`` seconds; ``asked`` collects the bulks whose
    samples were read."""

    def samples_of(bulk_id: str) -> list[ProgressSample]:
        if asked is not None:
            asked.append(bulk_id)
        return [sample(NOW - quiet - 120, 100), sample(NOW - quiet, 200), sample(NOW - 1, 200)]

    labels = {BULK: "Spring sale", OTHER: "Autumn"}
    fired = watch.check_bulks(states, labels.__getitem__, samples_of)
    return [f"{firing.rule.name} {firing.subject}" for firing in fired]


def no_samples(_: str) -> list[ProgressSample]:
    return []


def test_a_bulk_fires_when_it_reaches_the_status_after_being_seen_before_it(
    tmp_path: Path,
) -> None:
    clock = VirtualClock(NOW)
    with History(tmp_path / "history.sqlite3", clock=clock.now) as history:
        watch = AlertWatch([DONE], history, clock)
        assert check(watch, BulkState(BULK)) == []  # not checked yet: not seen either way
        assert check(watch, bulk(StatusCode.IN_PROGRESS)) == []
        fired = watch.check_bulks([bulk(StatusCode.PROCESSED)], lambda _: "Spring sale", no_samples)
        assert [(f.rule.name, f.subject) for f in fired] == [("done", BULK)]
        event = fired[0].event
        assert (event.label, event.status, event.messages) == ("Spring sale", "processed", 1000)
        assert check(watch, bulk(StatusCode.PROCESSED)) == []


def test_each_bulk_that_held_at_start_is_counted_and_listed_as_not_fired(tmp_path: Path) -> None:
    clock = VirtualClock(NOW)
    with History(tmp_path / "history.sqlite3", clock=clock.now) as history:
        watch = AlertWatch([DONE], history, clock)
        ended = [bulk(StatusCode.PROCESSED), bulk(StatusCode.PROCESSED, bulk_id=OTHER)]
        assert check(watch, *ended) == [] and watch.held_at_start == 2
        listed = {(entry.rule, entry.subject, entry.outcome) for entry in history.alert_log()}
        assert listed == {("done", BULK, HELD_AT_START), ("done", OTHER, HELD_AT_START)}


def test_a_stall_is_looked_for_only_in_bulks_sending_that_the_rule_covers() -> None:
    clock = VirtualClock(NOW)
    watch = AlertWatch([STUCK], None, clock)
    asked: list[str] = []
    sending = bulk(StatusCode.IN_PROGRESS)
    assert check(watch, bulk(StatusCode.PROCESSED), asked=asked) == [] and asked == []
    assert check(watch, bulk(StatusCode.IN_PROGRESS, bulk_id=OTHER), asked=asked) == []
    assert asked == []  # "Autumn" is not a Spring bulk
    assert check(watch, sending, asked=asked, quiet=240) == [] and asked == [BULK]  # 4 min
    assert check(watch, sending, asked=asked, quiet=300) == ["stuck " + BULK]  # 5 min


def test_the_account_firing_carries_the_balance_and_names_the_account() -> None:
    clock = VirtualClock(NOW)
    watch = AlertWatch([LOW, DONE], None, clock)
    assert watch.check_account(None, "EUR") == []  # no balance read: nothing to say
    assert fired(watch, "60") == []
    (firing,) = watch.check_account(Decimal("40.5"), "CHF")
    assert firing.subject == ACCOUNT and firing.rule is LOW
    assert (firing.event.balance, firing.event.currency) == ("40.5", "CHF")
    assert check(watch, bulk(StatusCode.PROCESSED)) == []  # a bulk rule: held at first sight
