"""What the alert rules fired, newest first, by this dashboard and every other lox24tui process
on the machine (the history file holds each firing): when, which rule, for which bulk, whether
its condition still holds, and what its actions returned. Above the list, the rules in force."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from lox24tui.alerts.rules import AlertRule
from lox24tui.session.alert_watch import ACCOUNT, HELD_AT_START
from lox24tui.state.history import FiredAlert, History
from lox24tui.text import humanize, sanitise
from lox24tui.tui.widgets.footer import Footer

COLUMNS: Final = (
    ("when", "Fired", 12),
    ("rule", "Rule", 16),
    ("subject", "Bulk", 28),
    ("holds", "Condition", 16),
    ("outcome", "What its actions returned", 40),
)
RELOAD_SECONDS: Final = 2.0
"""How often the list is read again while it is open (another process may fire meanwhile)."""


class AlertsScreen(Screen[None]):
    BINDINGS = [Binding("escape", "close", "Back", id="alerts.close")]

    def __init__(
        self,
        rules: Sequence[AlertRule],
        history: History | None,
        name_of: Callable[[str], str],
        now: Callable[[], float],
    ) -> None:
        super().__init__()
        self._rules = tuple(rules)
        self._history = history
        self._name_of = name_of
        self._now = now
        self._shown: list[FiredAlert] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._rules_words(), id="alerts-title", classes="bulk-title", markup=False)
        yield Static("", id="alerts-state", classes="bulk-state", markup=False)
        yield DataTable(id="alerts-table", classes="bulk-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, title, width in COLUMNS:
            table.add_column(title, width=width, key=key)
        self._reload()
        self.set_interval(RELOAD_SECONDS, self._reload)

    def _rules_words(self) -> str:
        if not self._rules:
            return "No alert rules: add [[alerts]] tables to config.toml (README: Alerts)."
        names = ", ".join(rule.name for rule in self._rules)
        return f"Alerts · {humanize.plural(len(self._rules), 'rule')}: {names}"

    def _reload(self) -> None:
        log = self._history.alert_log() if self._history is not None else []
        if log == self._shown:
            return
        self._shown = log
        table = self.query_one(DataTable)
        table.clear()
        now = self._now()
        for fired in log:
            table.add_row(*self._cells(fired, now))
        if self._history is None:
            state = "No history file: what fired is not kept."
        elif not log:
            state = "Nothing fired yet. An alert fires when its condition starts to hold."
        else:
            acted = sum(1 for entry in log if entry.outcome != HELD_AT_START)
            holding = sum(1 for entry in log if entry.cleared_at is None)
            state = (
                f"{humanize.count(acted)} fired, {humanize.count(len(log) - acted)} held when "
                f"first seen (not fired); {humanize.count(holding)} of them still hold"
            )
        self.query_one("#alerts-state", Static).update(state)

    def _cells(self, fired: FiredAlert, now: float) -> list[str]:
        if fired.subject == ACCOUNT:
            subject = "the account"
        elif fired.subject.startswith(f"{ACCOUNT}:"):
            subject = f"the account {fired.subject.removeprefix(f'{ACCOUNT}:')}"
        else:
            subject = self._name_of(fired.subject)
        holds = (
            "holds"
            if fired.cleared_at is None
            else f"cleared {humanize.time_or_day(fired.cleared_at, now)}"
        )
        return [
            humanize.time_or_day(fired.at, now),
            sanitise.one_line(fired.rule),
            sanitise.one_line(subject),
            holds,
            sanitise.one_line(fired.outcome or "…"),
        ]

    def action_close(self) -> None:
        self.dismiss(None)
