"""One account in the dashboard: its engine under its guard, its watch session, its way to LOX24
(the token in use), and the work beside the engine (balance, delivery counts, forecast, alerts).

The dashboard has one desk per account it shows; each is wired here, once, so that two accounts
side by side are two of the same thing and never share what must stay apart (a token, a list, a
refused-token stop). What is the server's (the 429 window, the refused count, an outage) they
share through the guard's state, which the setup gives to every account on one server.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lox24tui.account.guard import AccountGuard
from lox24tui.api import InvalidToken, StatusReply
from lox24tui.engine.auto_watch import AutoWatch
from lox24tui.engine.monitor import Monitor
from lox24tui.engine.side_work import SideWork
from lox24tui.session.account_work import start_side_work
from lox24tui.session.alert_actions import AlertActions
from lox24tui.session.alert_watch import AlertWatch
from lox24tui.session.all_accounts import AccountSession
from lox24tui.session.engagement_rounds import EngagementRounds
from lox24tui.session.watch_session import WatchSession
from lox24tui.state.history import History
from lox24tui.text import humanize
from lox24tui.tui.connection import Connection
from lox24tui.tui.setup import DashboardSetup
from lox24tui.tui.toasts import SessionToasts

if TYPE_CHECKING:
    from textual.app import App

DEMO_INTERVAL = 5.0
DEMO_SIDE_REQUESTS_PER_MINUTE = 600
"""The simulated account needs no politeness: its delivery counts keep up with the show."""


class Desk:
    """Everything the dashboard runs for one account."""

    def __init__(self, app: App[None], setup: DashboardSetup, *, several: bool) -> None:
        self.setup = setup
        self.tag = setup.tag
        self._app = app
        self.monitor = engine_for(setup)
        self.connection = Connection(app, setup, self.monitor, self._token_in_use)
        history = history_for(setup)
        settings = setup.settings
        self.session = WatchSession(
            setup.watchlist,
            self.monitor,
            setup.clock,
            demo=setup.demo,
            damage=setup.damage,
            history=history,
            archive_after=settings.archive_after,
            low_balance=settings.low_balance,
            read_only=settings.read_only,
        )
        self.toasts = SessionToasts(
            app,
            self.session,
            bell=settings.bell,
            notify=settings.notify,
            notify_writer=setup.notify_writer,
            account=self.tag.label if several else None,
        )
        self.alert_actions = AlertActions(
            self.session,
            AlertWatch(settings.alerts, history, setup.clock, account=self.tag.name),
            history,
            say=lambda text, *, title, warning: app.notify(
                text, title=title, severity="warning" if warning else "information", markup=False
            ),
            bell=app.bell,
            notify=self.toasts.notifier.notify,
            spawn=lambda work, name: app.run_worker(
                work, name=name, group="alerts", exit_on_error=False
            ),
            withheld=settings.token_variables,
        )
        """Alert rules, checked as the engine's updates come, acting when they fire."""
        also: list[SideWork] = []
        if settings.auto_watch:
            also.append(AutoWatch(self.connection.guarded, self._auto_adopt, setup.clock))
        also.append(EngagementRounds(self.session, self.connection.guarded))
        self.account_watch = start_side_work(
            self.session,
            settings,
            self.connection.guarded,
            self.alert_actions,
            low_balance=self.toasts.low_balance,
            spend_over=self.toasts.spend_over,
            also=also,
        )

    @property
    def account(self) -> AccountSession:
        return AccountSession(self.tag, self.session)

    @property
    def engine_worker(self) -> str:
        """The name of this account's engine worker (its failure stops this account only)."""
        return f"engine of {self.tag.label}"

    def _token_in_use(self) -> None:
        """A token was put to use: the engine sends again, and the balance is read soon."""
        self.session.engine.token_ready()
        self.account_watch.soon()

    def _auto_adopt(self, items: Sequence[tuple[str, str]]) -> set[str]:
        """Watch what auto-watch found; returns the ids on the watch list now."""
        added = self.session.add_labelled(items)
        if added:
            self._app.notify(
                f"Auto-watch: watching {humanize.plural(len(added), 'new bulk')} created in "
                "the account.",
                title="Watch list",
                timeout=8,
            )
        return set(self.session.ids)


class _NoClient:
    """Stands in until a token is known; the engine is paused meanwhile, so it is never called."""

    async def get_bulk_status(self, bulk_id: str) -> StatusReply:
        raise InvalidToken()


def engine_for(setup: DashboardSetup) -> Monitor:
    """The refresh engine as the settings ask (the demo polls faster, with a bigger side-work
    budget), under a guard with no token yet: the engine is paused until one is known."""
    interval = DEMO_INTERVAL if setup.demo else setup.settings.interval
    return Monitor(
        _NoClient(),
        interval=interval,
        concurrency=setup.settings.concurrency,
        side_requests_per_minute=(
            DEMO_SIDE_REQUESTS_PER_MINUTE if setup.demo else setup.settings.side_requests_per_minute
        ),
        clock=setup.clock,
        rng=random.Random(setup.seed) if setup.seed is not None else None,
        guard=AccountGuard(
            None,
            state=setup.guard_state,
            clock=setup.clock,
            interval=interval,
            timeout=setup.settings.timeout,
        ),
    )


def history_for(setup: DashboardSetup) -> History | None:
    if setup.history_file is None:
        return None
    return History(
        setup.history_file, retention_days=setup.settings.history_days, clock=setup.clock.now
    )
