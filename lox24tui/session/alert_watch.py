"""Which alerts fire now. A rule fires for a subject (a bulk, or the account) when its condition
starts to hold, once, until it clears: the firing is claimed in the history file, so a
dashboard and a headless monitor on one machine, or a restart, never fire it twice.

No storm on start-up: a condition that already holds when a subject is first seen (a list of
finished bulks, say) is claimed without firing, and only counted; it fires when it holds after
having been seen not to. Without a history file (or when it cannot be used) claims are kept in
this process only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from lox24tui.alerts.conditions import account_holds, account_observed, bulk_holds, observed
from lox24tui.alerts.events import AlertEvent, account_event, bulk_event
from lox24tui.alerts.rules import ACCOUNT_WIDE, AlertRule, Condition
from lox24tui.api import StatusCode
from lox24tui.clock import Clock
from lox24tui.engine.bulk_state import BulkState
from lox24tui.insight.forecast import Forecast
from lox24tui.state.history import History, ProgressSample

ACCOUNT: Final = "account"
"""The subject of the default account's conditions; ``account:NAME`` an ``[accounts.NAME]``'s,
so that two accounts' low balances are two firings, not one claimed by whichever came first."""
HELD_AT_START: Final = "held when first seen: not fired"
"""The outcome kept for a condition claimed without firing (no storm on start-up)."""


@dataclass(frozen=True, slots=True)
class Firing:
    rule: AlertRule
    subject: str
    event: AlertEvent


class AlertWatch:
    def __init__(
        self,
        rules: Sequence[AlertRule],
        history: History | None,
        clock: Clock,
        *,
        account: str | None = None,
    ) -> None:
        self.rules = tuple(rules)
        self.account_subject = ACCOUNT if account is None else f"{ACCOUNT}:{account}"
        """What the account's conditions are claimed for, in the history every process shares."""
        self._history = history
        self._clock = clock
        self._claimed: set[tuple[str, str]] = set()
        """Claims known to exist (ours, another process's, an earlier run's): only these are
        cleared when their condition stops holding, so a check costs no write otherwise."""
        self._seen_clear: set[tuple[str, str]] = set()
        """Seen not to hold: from then on, holding fires."""
        self.held_at_start = 0
        """Conditions that held when first seen, claimed without firing."""
        if history is not None:
            self._claimed.update(history.alerts_holding())

    @property
    def bulk_rules(self) -> tuple[AlertRule, ...]:
        return tuple(rule for rule in self.rules if rule.when not in ACCOUNT_WIDE)

    def check_bulks(
        self,
        states: Iterable[BulkState],
        label_of: Callable[[str], str],
        samples_of: Callable[[str], Sequence[ProgressSample]],
    ) -> list[Firing]:
        """The firings among these bulks' conditions now."""
        now = self._clock.now()
        fired: list[Firing] = []
        rules = self.bulk_rules
        for state in states:
            label = label_of(state.bulk_id)
            for rule in rules:
                if not rule.covers(state.bulk_id, label) or not observed(rule, state):
                    continue
                sending = state.status_code == StatusCode.IN_PROGRESS
                stalls = rule.when is Condition.STALLED and sending  # else no samples needed
                samples = samples_of(state.bulk_id) if stalls else ()
                holds = bulk_holds(rule, state, samples, now)
                if self._fires(rule.name, state.bulk_id, holds, now):
                    fired.append(Firing(rule, state.bulk_id, bulk_event(rule, state, label, now)))
        return fired

    def check_account(
        self, balance: Decimal | None, currency: str | None, forecast: Forecast | None = None
    ) -> list[Firing]:
        """The firings among the account's conditions, at a new reading of the balance or of
        the spend forecast."""
        now = self._clock.now()
        subject = self.account_subject
        return [
            Firing(rule, subject, account_event(rule, balance, currency, now, forecast=forecast))
            for rule in self.rules
            if rule.when in ACCOUNT_WIDE
            and account_observed(rule, balance, forecast)
            and self._fires(rule.name, subject, account_holds(rule, balance, forecast), now)
        ]

    def _fires(self, rule: str, subject: str, holds: bool, now: float) -> bool:
        key = (rule, subject)
        if not holds:
            self._seen_clear.add(key)
            if key in self._claimed:
                self._claimed.discard(key)
                if self._history is not None:
                    self._history.clear_alert(rule, subject, now)
            return False
        if key in self._claimed:
            return False
        claimed = self._history.claim_alert(rule, subject, now) if self._history else True
        self._claimed.add(key)
        if claimed is False:  # another process fired it
            return False
        if key not in self._seen_clear:  # held when first seen: no storm on start-up
            self.held_at_start += 1
            if self._history is not None:
                self._history.alert_outcome(rule, subject, HELD_AT_START)
            return False
        return True  # claimed (or the history cannot be used: fired once here, said elsewhere)
