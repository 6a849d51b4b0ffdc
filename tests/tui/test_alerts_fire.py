"""Alerts in the dashboard: a rule fires when its condition starts to hold, once, across restarts
and processes; its toast shows and its command (a real child process) gets the event; a
condition that held already when the dashboard started does not fire (no storm)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from textual.widgets import DataTable

from lox24tui.alerts.rules import AlertRule
from lox24tui.clock import VirtualClock
from lox24tui.session.config import Locations, Settings
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.alerts import AlertsScreen
from tests.tui.dashboard_driver import toasts, toasts_saying, two_bulks_ending_soon

from .conftest import advance, app_on, opened, until


def appender(tmp_path: Path) -> tuple[tuple[str, ...], Path]:
    """A command that appends each event it gets (its stdin) as a line to a file."""
    log = tmp_path / "events.jsonl"
    script = f"import sys; open({str(log)!r}, 'a').write(sys.stdin.read())"
    return (sys.executable, "-c", script), log


def events_in(log: Path) -> list[dict[str, object]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line]


def with_rule(**rule: object) -> Settings:
    return Settings(archive_after=0, alerts=(AlertRule.model_validate(rule),))


async def test_a_rule_fires_once_when_its_bulk_reaches_the_status(
    tmp_path: Path, locations: Locations
) -> None:
    command, log = appender(tmp_path)
    fake, watchlist = two_bulks_ending_soon(tmp_path)
    settings = with_rule(
        name="done", when="status", status="processed", label="finishing", command=command
    )
    app = app_on(fake, watchlist, locations, settings=settings)
    async with opened(app) as pilot:
        assert not toasts_saying(app, "Alert: done") and not events_in(log)  # sending still
        await advance(app, pilot, 20)  # "finishing" ends processed 15 s in
        await until(pilot, lambda: len(events_in(log)) == 1, "the command never got the event")
        event = events_in(log)[0]
        assert event["rule"] == "done" and event["status"] == "processed"
        assert event["label"] == "finishing" and event["test"] is False
        assert any("finishing: a bulk reaches processed" in text for text in toasts(app))
        await advance(app, pilot, 60)
        assert len(events_in(log)) == 1  # once, however often the bulk is checked again
        await pilot.press("exclamation_mark")  # what fired, and what it returned
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), "! opened nothing")
        table = app.screen.query_one("#alerts-table", DataTable)
        await until(pilot, lambda: table.row_count == 1, "the firing is not listed")
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[1:] == ["done", "finishing", "holds", "command ran, exit 0"]
        await pilot.press("escape")

    again = app_on(fake, watchlist, locations, settings=settings)  # a restart, same history
    async with opened(again) as pilot:
        await advance(again, pilot, 30)
        assert len(events_in(log)) == 1
        assert not [text for text in toasts(again) if "held already" in text]  # it fired before


async def test_a_condition_that_held_at_start_does_not_fire_and_is_counted_once(
    tmp_path: Path, locations: Locations
) -> None:
    command, log = appender(tmp_path)
    fake, watchlist = two_bulks_ending_soon(tmp_path)
    clock = fake.clock
    assert isinstance(clock, VirtualClock)
    clock.advance(60)  # both ended before the dashboard starts
    settings = with_rule(name="ended", when="status", status="processed", command=command)
    app = app_on(fake, watchlist, locations, settings=settings)
    async with opened(app) as pilot:
        await until(
            pilot,
            lambda: any("1 alert condition held already" in text for text in toasts(app)),
            "the start was not said",
        )
        await advance(app, pilot, 30)
        assert events_in(log) == []


async def test_a_failing_command_is_said_and_the_dashboard_goes_on(
    tmp_path: Path, locations: Locations
) -> None:
    fake, watchlist = two_bulks_ending_soon(tmp_path)
    failing = (sys.executable, "-c", "import sys; print('chat is down'); sys.exit(4)")
    settings = with_rule(name="broke", when="status", status="system error", command=failing)
    app = app_on(fake, watchlist, locations, settings=settings)
    async with opened(app) as pilot:
        await advance(app, pilot, 20)  # "failing" ends in a system error 15 s in
        await until(
            pilot,
            lambda: any("The command of alert broke failed, exit 4" in t for t in toasts(app)),
            "the failure was not said",
        )
        assert any("It said: chat is down" in text for text in toasts(app))
        assert app.is_running


async def test_two_dashboards_on_one_history_fire_a_rule_once(
    tmp_path: Path, locations: Locations
) -> None:
    command, log = appender(tmp_path)
    fake, watchlist = two_bulks_ending_soon(tmp_path)
    settings = with_rule(name="done", when="status", status="processed", command=command)
    first: Lox24App = app_on(fake, watchlist, locations, settings=settings)
    second: Lox24App = app_on(fake, watchlist, locations, settings=settings)
    async with opened(first) as one, opened(second) as two:
        await advance(first, one, 20)  # one clock: the fake's, both dashboards'

        await advance(second, two, 0)
        await until(one, lambda: len(events_in(log)) >= 1, "neither fired")
        await advance(first, one, 10)
        await advance(second, two, 10)
        assert len(events_in(log)) == 1
