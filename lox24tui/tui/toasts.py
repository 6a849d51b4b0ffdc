"""What the watch session says to the person while the dashboard runs: a status that moved (a
toast, the bell when a bulk ends, a desktop notice), a notice about the list or the history,
and the desktop notifier's own problems."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.notifications import SeverityLevel

from lox24tui.session.config import inside_tmux
from lox24tui.session.events import Notice, StatusMoved
from lox24tui.session.notify import Notifier, NotifyMode, Writer, bulk_ended
from lox24tui.session.watch_session import WatchSession

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
    ) -> None:
        self._app = app
        self._session = session
        self._bell = bell
        self.notifier = Notifier(
            notify, tmux=inside_tmux(), writer=notify_writer, on_problem=self.notifier_problem
        )
        """Desktop and terminal notifications (``notify`` in the config); its failures are
        said as toasts."""

    def announce(self, moved: StatusMoved) -> None:
        severity: SeverityLevel = "error" if moved.failed else "information"
        self._app.notify(
            f"{moved.before} → {moved.after}", title=moved.name, severity=severity, markup=False
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

    def notifier_problem(self, problem: str) -> None:
        """The desktop notifier failed (it may say so from its own thread)."""
        try:
            self._app.call_from_thread(self._say_notifier_problem, problem)
        except RuntimeError:  # said from the app's own thread
            self._say_notifier_problem(problem)

    def _say_notifier_problem(self, problem: str) -> None:
        self._app.notify(problem, title="Notifications", severity="warning", markup=False)
