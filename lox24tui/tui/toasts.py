"""What the watch session says to the person while the dashboard runs: a status that moved (a
toast, the bell when a bulk ends, a desktop notice), a notice about the list or the history,
the balance below ``low_balance``, the account guard's file, and the desktop notifier's own
problems; and at start, a theme the config names that does not exist."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.notifications import SeverityLevel

from lox24tui.api import Account
from lox24tui.session.config import Locations, inside_tmux, where_set
from lox24tui.session.events import Notice, StatusMoved
from lox24tui.session.notify import Notifier, NotifyMode, Writer, balance_low, bulk_ended
from lox24tui.session.watch_session import WatchSession
from lox24tui.text import humanize

if TYPE_CHECKING:
    from textual.app import App


class SessionToasts:
    """Toasts, the bell and desktop notifications for what the session says."""

    def __init__(
        self,
        app: App[None],
        session: WatchSession,
        *,
        bell: bool,
        notify: NotifyMode,
        notify_writer: Writer | None = None,
        account: str | None = None,
    ) -> None:
        self._app = app
        self._session = session
        self._account = account
        """The account's label, in every title, when the dashboard shows several."""
        self._bell = bell
        self.notifier = Notifier(
            notify, tmux=inside_tmux(), writer=notify_writer, on_problem=self.notifier_problem
        )
        """Desktop and terminal notifications (``notify`` in the config); its failures are
        said as toasts."""

    def announce(self, moved: StatusMoved) -> None:
        severity: SeverityLevel = "error" if moved.failed else "information"
        self._app.notify(
            f"{moved.before} → {moved.after}",
            title=self._titled(moved.name),
            severity=severity,
            markup=False,
        )
        if moved.final and self._bell:
            self._app.bell()
        self.notifier.notify(
            bulk_ended(moved.bulk_id, self._session.label_of(moved.bulk_id), moved.code)
        )

    def note(self, notice: Notice) -> None:
        """A toast about the watch list or the history, titled so; shown literally, since it
        holds paths and labels."""
        self._app.notify(
            notice.message,
            title=notice.about,
            severity=notice.severity,
            timeout=notice.timeout,
            markup=False,
        )

    def low_balance(self, account: Account) -> None:
        """The balance has just fallen below ``low_balance``: a warning and a notification,
        once until it rises above it again (the session decides when)."""
        balance, currency = account.balance_amount, account.currency
        self._app.notify(
            f"The balance is {humanize.money(balance, currency)}, below your low_balance "
            f"of {humanize.money(self._session.balance.low_balance, currency)}: bulks may stop "
            "sending.",
            title=self._titled("LOX24 account"),
            severity="warning",
            timeout=30,
            markup=False,
        )
        if balance is not None:
            self.notifier.notify(balance_low(balance, currency or ""))

    def spend_over(self, words: str) -> None:
        """The scheduled bulks have just come to cost more than the balance: once."""
        self._app.notify(
            words,
            title=self._titled("Scheduled spend over the balance"),
            severity="warning",
            timeout=30,
            markup=False,
        )

    def _titled(self, title: str) -> str:
        return title if self._account is None else f"{self._account} · {title}"

    def guard_state(self, text: str) -> None:
        """The account guard's file was damaged and moved aside, or cannot be used: once."""
        self._app.notify(
            text[:1].upper() + text[1:] + ".",
            title="Account guard",
            severity="warning",
            timeout=30,
            markup=False,
        )

    def notifier_problem(self, problem: str) -> None:
        """The desktop notifier failed (it may say so from its own thread)."""
        try:
            self._app.call_from_thread(self._say_notifier_problem, problem)
        except RuntimeError:  # said from the app's own thread
            self._say_notifier_problem(problem)

    def _say_notifier_problem(self, problem: str) -> None:
        self._app.notify(problem, title="Notifications", severity="warning", markup=False)


def unknown_theme_words(
    wanted: str, themes: Iterable[str], used: str, palette_key: str, locations: Locations
) -> str:
    """A misspelt ``theme`` in the config file would otherwise be ignored without a word."""
    close = difflib.get_close_matches(wanted, list(themes), n=3)
    guess = f" Did you mean {' or '.join(close)}?" if close else ""
    return (
        f"No theme is called “{wanted}” (theme in {where_set('theme', locations)}), so the "
        f"dashboard uses {used}.{guess} {palette_key} → Theme lists them all."
    )
