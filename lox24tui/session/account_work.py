"""The side work every front end runs beside status checks, wired once: delivery counts, the
balance and the spend forecast (and whatever else a front end adds between them). What is read
is kept in the session (:class:`~lox24tui.session.account_view.AccountView`), the account's
alert rules are checked after each reading, and the front end is told only the news it shows
its own way (a toast, a log line): the balance fell below ``low_balance``; the scheduled spend
went over the balance."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lox24tui.api import Account
from lox24tui.api.protocol import Lox24Api
from lox24tui.engine.account_watch import AccountWatch
from lox24tui.engine.delivery_schedule import DeliverySchedule
from lox24tui.engine.side_work import SideWork
from lox24tui.insight.forecast import Forecast
from lox24tui.session.alert_actions import AlertActions
from lox24tui.session.config import Settings
from lox24tui.session.forecast_rounds import ForecastRounds
from lox24tui.session.watch_session import WatchSession


def start_side_work(
    session: WatchSession,
    settings: Settings,
    client: Callable[[], Lox24Api | None],
    alerts: AlertActions,
    *,
    low_balance: Callable[[Account], None],
    spend_over: Callable[[str], None],
    also: Sequence[SideWork] = (),
) -> AccountWatch:
    """Add the side work to the session's engine; the balance's watch is returned (a new token
    asks it to look again soon)."""
    monitor, clock, view = session.monitor, session.clock, session.balance

    def checked() -> None:
        if view.newly_over():
            spend_over(view.spend_words())
        alerts.account_seen()

    def account_seen(account: Account) -> None:
        if view.seen(account) and account.balance_amount is not None:
            low_balance(account)
        checked()

    def forecast_seen(forecast: Forecast) -> None:
        view.forecast_seen(forecast)
        checked()

    balance = AccountWatch(monitor, client, clock, account_seen, interval=settings.account_interval)
    monitor.side.add(balance)
    if settings.delivery:
        monitor.side.add(
            DeliverySchedule(monitor, client, clock, interval=settings.delivery_interval)
        )
    for work in also:
        monitor.side.add(work)
    monitor.side.add(ForecastRounds(monitor, client, clock, forecast_seen))
    return balance
