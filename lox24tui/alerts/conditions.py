"""Whether a rule's condition holds now: for a bulk, from its state as the engine last saw it and
its progress samples; for the account, from its balance and the spend forecast. Pure decisions,
no side effect: what fires and when is :mod:`lox24tui.session.alert_watch`'s."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from lox24tui.alerts.rules import AlertRule, Condition
from lox24tui.api import StatusCode
from lox24tui.engine.bulk_state import BulkState
from lox24tui.insight.forecast import Forecast
from lox24tui.insight.progress import Outlook, estimate
from lox24tui.state.history import ProgressSample


def bulk_holds(
    rule: AlertRule, state: BulkState, samples: Sequence[ProgressSample], now: float
) -> bool:
    """Whether ``rule``'s condition holds for this bulk (False for the account's conditions)."""
    status = state.reply.status if state.reply is not None else None
    delivery = state.delivery
    match rule.when:
        case Condition.STATUS:
            return status is not None and status.label_at(_at(now)) == rule.status
        case Condition.FAILURE_RATE:
            if delivery is None or rule.above is None:
                return False
            reports = delivery.delivered + delivery.failed
            return reports >= rule.after and delivery.failed * 100 > rule.above * reports
        case Condition.STALLED:
            if state.status_code != StatusCode.IN_PROGRESS or rule.minutes is None:
                return False
            stalled = estimate(samples, now)
            return (
                stalled.outlook is Outlook.STALLED
                and stalled.seconds is not None
                and stalled.seconds >= rule.minutes * 60
            )
        case Condition.COUNTED:
            return delivery is not None and delivery.settled and not delivery.partial
    return False


def observed(rule: AlertRule, state: BulkState) -> bool:
    """Whether the engine knows enough of the bulk to say if the condition holds: its status,
    and for the delivery conditions its delivery count."""
    if rule.when in {Condition.FAILURE_RATE, Condition.COUNTED}:
        return state.delivery is not None
    return state.reply is not None


def account_holds(rule: AlertRule, balance: Decimal | None, forecast: Forecast | None) -> bool:
    """Whether ``rule``'s condition holds for the account: its balance, or what its scheduled
    bulks would cost against it (the bulks whose cost is known)."""
    if rule.when is Condition.BALANCE_BELOW:
        return balance is not None and rule.amount is not None and balance < rule.amount
    if rule.when is Condition.SPEND_OVER_BALANCE:
        return forecast is not None and forecast.exceeds(balance)
    return False


def account_observed(rule: AlertRule, balance: Decimal | None, forecast: Forecast | None) -> bool:
    """Whether enough of the account is known to say if the condition holds: the balance, and
    for the spend the forecast too."""
    if rule.when is Condition.SPEND_OVER_BALANCE:
        return balance is not None and forecast is not None
    return balance is not None


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
