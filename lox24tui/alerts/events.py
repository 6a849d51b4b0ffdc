"""What an alert tells: one event, as JSON on a command's stdin, as ``LOX24TUI_*`` variables, and
as one line of text for a toast, a notification or a log.

Nothing personal is in it (no phone number, no message text, no reply): a command may post it
to a chat. No token either: a command's environment never holds one
(:func:`lox24tui.alerts.command.command_environment`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from lox24tui.alerts.rules import AlertRule, Condition
from lox24tui.engine.bulk_state import BulkState
from lox24tui.insight.forecast import Forecast
from lox24tui.text import sanitise

VERSION = 1
"""The event's shape; a field may be added, none renamed or removed without a new version."""


@dataclass(frozen=True, slots=True)
class AlertEvent:
    rule: str
    condition: str
    text: str
    """One line a person reads: what happened, to which bulk."""
    at: float
    bulk_id: str | None = None
    label: str = ""
    status: str | None = None
    status_code: int | None = None
    messages: int | None = None
    delivered: int | None = None
    failed: int | None = None
    balance: str | None = None
    """The account's balance, as LOX24 gave it (exact), for the account's conditions."""
    currency: str | None = None
    scheduled_spend: str | None = None
    """What the scheduled bulks would cost (exact; the bulks whose cost is known), for the
    spend condition."""
    test: bool = False
    """Fired by ``alerts test``, not by a condition that holds."""

    def json(self) -> dict[str, Any]:
        record = asdict(self)
        record["version"] = VERSION
        record["at"] = datetime.fromtimestamp(self.at, UTC).isoformat()
        return record

    def variables(self) -> dict[str, str]:
        """The ``LOX24TUI_*`` variables a command gets beside the JSON on its stdin."""
        found = {
            "LOX24TUI_RULE": self.rule,
            "LOX24TUI_CONDITION": self.condition,
            "LOX24TUI_TEXT": self.text,
            "LOX24TUI_BULK_ID": self.bulk_id or "",
            "LOX24TUI_STATUS": self.status or "",
            "LOX24TUI_TEST": "1" if self.test else "0",
        }
        return {name: sanitise.one_line(value) for name, value in found.items()}


def bulk_event(
    rule: AlertRule, state: BulkState, label: str, at: float, *, test: bool = False
) -> AlertEvent:
    """The event of a rule about one bulk, from the bulk as the engine last saw it."""
    status = state.reply.status if state.reply is not None else None
    when = datetime.fromtimestamp(at, UTC)
    label_word = status.label_at(when) if status is not None else None
    delivery = state.delivery
    name = label or state.bulk_id
    text = f"{name}: {rule.threshold_words}"
    if label_word is not None:
        text += f" (now {label_word})"
    return AlertEvent(
        rule=rule.name,
        condition=str(rule.when),
        text=sanitise.one_line(text),
        at=at,
        bulk_id=state.bulk_id,
        label=sanitise.one_line(label),
        status=label_word,
        status_code=status.status_code if status is not None else None,
        messages=status.msg_total_count if status is not None else None,
        delivered=delivery.delivered if delivery is not None else None,
        failed=delivery.failed if delivery is not None else None,
        test=test,
    )


def account_event(
    rule: AlertRule,
    balance: Decimal | None,
    currency: str | None,
    at: float,
    *,
    forecast: Forecast | None = None,
    test: bool = False,
) -> AlertEvent:
    """The event of a rule about the account (its balance, its scheduled spend)."""
    amount = "unknown" if balance is None else f"{balance} {currency or ''}".strip()
    text = f"LOX24 account: {rule.threshold_words} (balance {amount})"
    spend = None
    if rule.when is Condition.SPEND_OVER_BALANCE and forecast is not None:
        text = f"LOX24 account: {forecast.sentence(balance, currency)}"
        spend = str(forecast.cost)
    return AlertEvent(
        rule=rule.name,
        condition=str(rule.when),
        text=sanitise.one_line(text),
        at=at,
        balance=None if balance is None else str(balance),
        currency=currency,
        scheduled_spend=spend,
        test=test,
    )
