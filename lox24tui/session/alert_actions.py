"""Alerts in the dashboard: after each flush of the engine's updates (and every half minute, for
stalls, which come with time, not with an update) the alert rules are checked, and what fires
acts: a toast, the bell, a desktop notification, a command run in a worker whose result is shown
when it fails and kept with the firing in the history."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from lox24tui.alerts.command import command_environment, run_command
from lox24tui.api import Account
from lox24tui.session.alert_watch import AlertWatch, Firing
from lox24tui.session.notify import Notice
from lox24tui.session.watch_session import WatchSession
from lox24tui.state.history import History
from lox24tui.text import humanize
from lox24tui.tui.toasts import SessionToasts

if TYPE_CHECKING:
    from textual.app import App

_log = logging.getLogger(__name__)

SWEEP_SECONDS: Final = 30.0
"""How often every bulk is checked for the conditions that come with time (a stall)."""


class AlertActions:
    def __init__(
        self,
        app: App[None],
        session: WatchSession,
        toasts: SessionToasts,
        watch: AlertWatch,
        history: History | None,
    ) -> None:
        self._app = app
        self._session = session
        self._toasts = toasts
        self.watch = watch
        self._history = history
        self._told_start = False

    def bulks_changed(self, bulk_ids: Iterable[str]) -> None:
        """Check the rules for these bulks (their rows just changed)."""
        if not self.watch.bulk_rules:
            return
        states = self._session.states
        changed = [states[bulk_id] for bulk_id in bulk_ids if bulk_id in states]
        session = self._session
        self._act(self.watch.check_bulks(changed, session.label_of, session.progress))
        self._tell_what_held_at_start()

    def sweep(self) -> None:
        """Every bulk, for the conditions that come with time."""
        self.bulks_changed(list(self._session.states))

    def account_seen(self, account: Account) -> None:
        self._act(self.watch.check_account(account.balance_amount, account.currency))

    def _tell_what_held_at_start(self) -> None:
        held = self.watch.held_at_start
        if held and not self._told_start and self._session.is_current:
            self._told_start = True
            self._app.notify(
                f"{humanize.plural(held, 'alert condition')} held already when first seen: "
                "not fired (an alert fires when its condition starts to hold).",
                title="Alerts",
                timeout=10,
            )

    def _act(self, firings: list[Firing]) -> None:
        for firing in firings:
            rule, event = firing.rule, firing.event
            _log.info("alert %s fired for %s: %s", rule.name, firing.subject, event.text)
            if rule.toast:
                self._app.notify(
                    event.text, title=f"Alert: {rule.name}", severity="warning", markup=False
                )
            if rule.bell:
                self._app.bell()
            if rule.desktop:
                self._toasts.notifier.notify(Notice(f"Alert: {rule.name}", event.text))
            if rule.command is not None:
                self._app.run_worker(
                    self._command(firing),
                    name=f"alert {rule.name}",
                    group="alerts",
                    exit_on_error=False,
                )
            elif self._history is not None:
                self._history.alert_outcome(rule.name, firing.subject, ", ".join(rule.actions))

    async def _command(self, firing: Firing) -> None:
        rule, event = firing.rule, firing.event
        assert rule.command is not None
        environment = command_environment(event.variables())
        result = await run_command(rule.command, event.json(), environment, seconds=rule.timeout)
        _log.info("alert %s: command %s: %s", rule.name, result.program, result.words)
        if self._history is not None:
            self._history.alert_outcome(rule.name, firing.subject, f"command {result.words}")
        if not result.ok:
            self._app.notify(
                f"The command of alert {rule.name} {result.words}."
                + (f" It said: {result.output.splitlines()[0]}" if result.output else ""),
                title="Alerts",
                severity="warning",
                timeout=20,
                markup=False,
            )
