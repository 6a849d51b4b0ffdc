"""What a firing does, wherever the engine runs (the dashboard, the headless monitor): its words
said (a toast, or a log line), the bell, a desktop notification, and its command run in the
background, whose result is kept with the firing in the history and said when it failed. The
front end gives the ways to say, ring and run; the rules are checked here after each flush of
the engine's updates, and every :data:`SWEEP_SECONDS` for stalls, which come with time."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, Final, Protocol

from lox24tui.alerts.command import command_environment, run_command
from lox24tui.session.alert_watch import AlertWatch, Firing
from lox24tui.session.notify import Notice
from lox24tui.session.watch_session import WatchSession
from lox24tui.state.history import History
from lox24tui.text import humanize

_log = logging.getLogger(__name__)

SWEEP_SECONDS: Final = 30.0
"""How often every bulk is checked for the conditions that come with time (a stall)."""


class Say(Protocol):
    def __call__(self, text: str, *, title: str, warning: bool) -> None: ...


class AlertActions:
    def __init__(
        self,
        session: WatchSession,
        watch: AlertWatch,
        history: History | None,
        *,
        say: Say,
        bell: Callable[[], None],
        notify: Callable[[Notice], None],
        spawn: Callable[[Coroutine[Any, Any, None], str], object],
        withheld: Iterable[str] = (),
    ) -> None:
        self._session = session
        self.watch = watch
        self._history = history
        self._say = say
        self._bell = bell
        self._notify = notify
        self._spawn = spawn
        """Runs a command's coroutine in the background (a worker, a task), named."""
        self._withheld = frozenset(withheld)
        """Variables that may hold a token (``LOX24_TOKEN`` is always among them, and each one
        an account names): never in a command's environment."""
        self._told_start = False

    def bulks_changed(self, bulk_ids: Iterable[str]) -> None:
        """Check the rules for these bulks (their states just changed)."""
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

    def account_seen(self) -> None:
        """The balance or the spend forecast was read again (the session holds both)."""
        balance = self._session.balance
        self._act(
            self.watch.check_account(balance.balance_amount, balance.currency, balance.forecast)
        )

    def _tell_what_held_at_start(self) -> None:
        held = self.watch.held_at_start
        if held and not self._told_start and self._session.is_current:
            self._told_start = True
            self._say(
                f"{humanize.plural(held, 'alert condition')} held already when first seen: "
                "not fired (an alert fires when its condition starts to hold).",
                title="Alerts",
                warning=False,
            )

    def _act(self, firings: list[Firing]) -> None:
        for firing in firings:
            rule, event = firing.rule, firing.event
            _log.info("alert %s fired for %s: %s", rule.name, firing.subject, event.text)
            if rule.toast:
                self._say(event.text, title=f"Alert: {rule.name}", warning=True)
            if rule.bell:
                self._bell()
            if rule.desktop:
                self._notify(Notice(f"Alert: {rule.name}", event.text))
            if rule.command is not None:
                self._spawn(self._command(firing), f"alert {rule.name}")
            elif self._history is not None:
                self._history.alert_outcome(rule.name, firing.subject, ", ".join(rule.actions))

    async def _command(self, firing: Firing) -> None:
        rule, event = firing.rule, firing.event
        assert rule.command is not None
        environment = command_environment(event.variables(), secrets=self._withheld)
        result = await run_command(rule.command, event.json(), environment, seconds=rule.timeout)
        _log.info("alert %s: command %s: %s", rule.name, result.program, result.words)
        if self._history is not None:
            self._history.alert_outcome(rule.name, firing.subject, f"command {result.words}")
        if not result.ok:
            said = f" It said: {result.output.splitlines()[0]}" if result.output else ""
            self._say(
                f"The command of alert {rule.name} {result.words}.{said}",
                title="Alerts",
                warning=True,
            )
