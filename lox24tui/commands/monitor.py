"""``lox24tui monitor``: the dashboard's engine without a screen, for a server or a systemd unit.

It watches the watch list (and follows its file: ids added from the dashboard or ``watch add``
come in), with delivery counts, the balance and the alert rules, until it is stopped
(SIGTERM: exit 0; Ctrl+C: 130). It writes what happens to stderr, one timed line each, for
journald. It never exits because LOX24 said no: a rate limit or an outage is waited out by the
account guard, and a refused token is tried again, alone, after :data:`AUTH_RETRY` (the guard's
rules hold for it as for any request). ``status --watch`` stays what it is: explicit ids, until
they are final.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from lox24tui.account.guard import BreakerKind, GuardedClient
from lox24tui.api import Account, Lox24ClientPool, Token
from lox24tui.clock import SystemClock
from lox24tui.commands import output
from lox24tui.commands.arguments import add_command, epilog
from lox24tui.commands.engine_lines import EngineStateLines
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.engine.monitor import Monitor, MonitorEvent, Summary
from lox24tui.session.account_work import start_side_work
from lox24tui.session.alert_actions import SWEEP_SECONDS, AlertActions
from lox24tui.session.alert_watch import AlertWatch
from lox24tui.session.config import Locations, Settings, inside_tmux
from lox24tui.session.events import Notice, RowsChanged, SessionEvent, StatusMoved
from lox24tui.session.notify import Notifier
from lox24tui.session.watch_session import WatchSession
from lox24tui.state.history import History
from lox24tui.state.store import WatchList, WatchListDamaged
from lox24tui.text import humanize, sanitise

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands

AUTH_RETRY: Final = 15 * 60.0
"""Seconds after a refused token before it is tried again (one request, alone)."""
TICK: Final = 0.5
"""Seconds between two flushes of the engine's updates (the dashboard's pace)."""
FOLLOW_EVERY: Final = 2.0
"""Seconds between two looks at the watch-list file."""


def say(text: str, *, title: str = "", warning: bool = False) -> None:
    """One line on stderr: the time, then what happened, made inert (server text in it)."""
    mark = "⚠ " if warning else ""
    head = f"{title}: " if title else ""
    output.print_line(sys.stderr, f"{datetime.now().strftime('%H:%M:%S')}  {mark}{head}{text}")


def run_monitor() -> int:
    loaded = output.settings_or_exit()
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded
    locations = Locations.default()
    try:
        watchlist, _ = WatchList.load(locations.watchlist_file)
    except WatchListDamaged as damage:
        output.complain(
            f"the watch list cannot be used ({sanitise.one_line(str(damage))}); open the "
            "dashboard (lox24tui) to restore it, then start the monitor again"
        )
        return ExitCode.STOPPED
    try:
        return asyncio.run(_monitor(settings, token, watchlist, locations))
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED


async def _monitor(
    settings: Settings, token: Token, watchlist: WatchList, locations: Locations
) -> int:
    loop = asyncio.get_running_loop()
    stopped: asyncio.Future[int] = loop.create_future()

    def stop(code: int) -> None:
        if not stopped.done():
            stopped.set_result(code)

    loop.add_signal_handler(signal.SIGTERM, stop, int(ExitCode.OK))
    loop.add_signal_handler(signal.SIGINT, stop, int(ExitCode.INTERRUPTED))
    history = History(locations.history_file, retention_days=settings.history_days)
    async with Lox24ClientPool(
        token, settings.api_url, timeout=settings.timeout, max_connections=settings.concurrency
    ) as client:
        monitor = Monitor(
            client,
            interval=settings.interval,
            concurrency=settings.concurrency,
            side_requests_per_minute=settings.side_requests_per_minute,
            guard=output.shared_guard(settings, token, locations, lock_wait=None),
        )
        headless = Headless(
            settings,
            monitor,
            GuardedClient(client, monitor.guard, read_only=True),
            WatchSession(
                watchlist,
                monitor,
                SystemClock(),
                history=history,
                archive_after=settings.archive_after,
                low_balance=settings.low_balance,
                read_only=True,
            ),
            history,
        )
        say(
            f"monitoring {humanize.plural(len(watchlist.ids), 'bulk')} of "
            f"{locations.watchlist_file} every {settings.interval:g} s, "
            f"{humanize.plural(len(settings.alerts), 'alert rule')}"
        )
        try:
            await headless.run_until(stopped)
        finally:
            await headless.close()
            history.close()
    say("stopped")
    return stopped.result()


class Headless:
    """The engine, the watch session and the alerts, wired for a process without a screen:
    what the dashboard's App does with toasts and workers, said in log lines and run as tasks."""

    def __init__(
        self,
        settings: Settings,
        monitor: Monitor,
        guarded: GuardedClient,
        session: WatchSession,
        history: History,
    ) -> None:
        self._settings = settings
        self._monitor = monitor
        self._session = session
        self._tasks: set[asyncio.Task[None]] = set()
        self._notifier = Notifier(settings.notify, tmux=inside_tmux())
        self._alerts = AlertActions(
            session,
            AlertWatch(settings.alerts, history, session.clock, account=settings.account),
            history,
            say=say,
            bell=lambda: None,  # no terminal to ring
            notify=self._notifier.notify,
            spawn=self._spawn,
            withheld=settings.token_variables,
        )
        self._engine_lines = EngineStateLines(lambda text: say(text))
        self._retry: asyncio.TimerHandle | None = None
        start_side_work(
            session,
            settings,
            lambda: guarded,
            self._alerts,
            low_balance=self._low_balance,
            spend_over=lambda words: say(
                words, title="scheduled spend over the balance", warning=True
            ),
        )
        monitor.updates.listen(self._on_engine)
        session.listen(self._on_session)

    async def run_until(self, stopped: asyncio.Future[int]) -> None:
        """Flush the engine's updates at the dashboard's pace, follow the watch-list file, and
        look for stalls, until ``stopped``."""
        self._monitor.start()
        since_follow = since_sweep = 0.0
        while not stopped.done():
            await asyncio.wait([stopped], timeout=TICK)
            self._session.flush()
            since_follow += TICK
            since_sweep += TICK
            if since_follow >= FOLLOW_EVERY:
                since_follow = 0.0
                self._session.file.follow()
            if since_sweep >= SWEEP_SECONDS:
                since_sweep = 0.0
                self._alerts.sweep()

    async def close(self) -> None:
        """Stop the engine; a command still running is given its time to end."""
        if self._retry is not None:
            self._retry.cancel()
        await self._monitor.stop()
        self._session.flush()
        if self._tasks:
            await asyncio.wait(self._tasks)
        self._session.close()
        self._notifier.close(wait=False)

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _low_balance(self, account: Account) -> None:
        money = humanize.money(account.balance_amount, account.currency)
        say(f"balance {money}, below low_balance", title="LOX24 account", warning=True)

    def _on_engine(self, event: MonitorEvent) -> None:
        """Each change of what holds requests back, in a line; a refused token tried again."""
        if not isinstance(event, Summary):
            return
        self._engine_lines.see(event.breaker, event.at)
        refused = event.breaker is not None and event.breaker.kind == BreakerKind.AUTH
        if refused and self._retry is None:
            say(f"the token is tried again in {humanize.span(AUTH_RETRY)}, alone")
            loop = asyncio.get_running_loop()
            self._retry = loop.call_later(AUTH_RETRY, self._try_again)

    def _try_again(self) -> None:
        self._retry = None
        self._monitor.resume()

    def _on_session(self, event: SessionEvent) -> None:
        match event:
            case StatusMoved():
                say(f"{event.before} → {event.after}", title=event.name, warning=event.failed)
            case Notice():
                say(event.message, title=event.about, warning=event.severity != "information")
            case RowsChanged():
                self._alerts.bulks_changed(event.bulk_ids)


SUMMARY = "watch the watch list without a screen, with alerts (for a server)"
DESCRIPTION = (
    "Run the dashboard's engine without a screen: the watch list (and the bulks added to it "
    "meanwhile), delivery counts, the balance and the alert rules of config.toml, until "
    "stopped (SIGTERM: exit 0; Ctrl+C: 130). What happens goes to stderr, one timed line "
    "each, for journald. A rate limit or an outage is waited out and a refused token tried "
    "again, alone, every 15 minutes: it never exits because LOX24 said no."
)
EXAMPLES = ("lox24tui monitor", "systemd-run --user --unit lox24tui lox24tui monitor")


def declare(commands: Subcommands) -> None:
    add_command(commands, "monitor", SUMMARY, DESCRIPTION, epilog(EXAMPLES), run)


def run(args: argparse.Namespace) -> int:
    return run_monitor()
