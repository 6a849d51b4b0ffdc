"""What a person does to the refresh engine from a front end (pause, resume, refresh, a new
token), and what the engine's state means to them (held, counting down, why nothing goes out)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from lox24tui.account.guard import Breaker, BreakerKind
from lox24tui.clock import Clock
from lox24tui.engine.monitor import Monitor
from lox24tui.session.account_view import AccountView
from lox24tui.session.events import EngineChanged, EventBus

NO_TOKEN: Final = "no API token"
"""The pause reason while no token is known: the engine waits, and p asks for one."""
BY_YOU: Final = "by you"


class EngineControl:
    def __init__(
        self,
        monitor: Monitor,
        clock: Clock,
        events: EventBus,
        account: AccountView,
        summary_stale: Callable[[], None],
    ) -> None:
        self._monitor = monitor
        self._clock = clock
        self._events = events
        self._account = account
        self._summary_stale = summary_stale
        self.failure: str | None = None
        """Why the refresh engine stopped, if it did (then nothing shown is refreshed)."""

    @property
    def interval(self) -> float:
        return self._monitor.interval

    @property
    def waiting_for_token(self) -> bool:
        return self._monitor.pause_reason == NO_TOKEN

    @property
    def held(self) -> bool:
        """Paused, or stopped by the account guard: resuming is what the person can do."""
        return self._monitor.pause_reason is not None or self._monitor.breaker is not None

    @property
    def counting_down(self) -> bool:
        """A guard's stop that lifts by itself is on: the summary shows the time left."""
        breaker = self._monitor.breaker
        return breaker is not None and breaker.until is not None

    @property
    def row_stop(self) -> str | None:
        """Why none of this account's rows is being checked, in the words a row can show
        ("token refused", "no token"); None while they are (or while a stop that is the
        server's, a 429 or an outage, holds every account: the bar says those)."""
        breaker = self._monitor.breaker
        if breaker is not None and breaker.kind is BreakerKind.AUTH:
            return "token refused"
        if self.waiting_for_token:
            return "no token"
        return None

    def why_blocked(self) -> str | None:
        """Why no request may go out now (the guard's word), or None."""
        breaker = self._monitor.guard.breaker()
        return None if breaker is None else breaker.reason(self._clock.now())

    def changed(self) -> None:
        """The front end changed the engine (a new token): show it with the next flush."""
        self._summary_stale()

    def failed(self, why: str) -> None:
        self.failure = why
        self._events.emit(EngineChanged())

    def wait_for_token(self) -> None:
        self._monitor.pause(NO_TOKEN)

    def token_ready(self) -> None:
        """A new token is in use: the account shown was the old token's."""
        self._account.forget()
        if self.waiting_for_token:
            self._monitor.resume()
        self.changed()

    def pause(self) -> None:
        self._monitor.pause(BY_YOU)
        self._events.emit(EngineChanged())

    def resume(self) -> None:
        """Resume polling; also retries after the guard stopped on a refused token."""
        self._monitor.resume()
        self._events.emit(EngineChanged())

    def refresh_all(self) -> None:
        self._monitor.refresh()

    def prioritise(self, bulk_ids: Sequence[str]) -> None:
        """The bulks on screen, the selected one first: their side work goes first."""
        self._monitor.side.prioritise(bulk_ids)

    def refresh(self, bulk_id: str) -> str | None:
        """Fetch one bulk now, even while paused (a person asked); None when it is on its way,
        else why it cannot go out (the guard decides, as for every request)."""
        blocked: Breaker | None = self._monitor.fetch_now(bulk_id)
        return None if blocked is None else blocked.reason(self._clock.now())
