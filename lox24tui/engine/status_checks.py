"""The engine's status checks, from the guard's ticket to the bulk's new state.

Kept apart from the loop (:mod:`lox24tui.engine.monitor`), which decides when a check goes out:
here is what a check is. It goes out under the token and guard in use when it was admitted, and
its answer is kept with its bulk, with when to ask again (the cadence's rule). An answer about
the account (a refused token, a 429) that comes back for a token no longer in use proves nothing
about the new one: the bulk is asked again under the new token.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from lox24tui.account.guard import AccountGuard, GuardEvent, Ticket
from lox24tui.api import (
    AccountError,
    Lox24Error,
    RateLimited,
    StatusReply,
    TransientError,
    UnreadableResponse,
)
from lox24tui.api.protocol import StatusSource
from lox24tui.clock import Clock
from lox24tui.engine.bulk_state import BulkUpdate, after_error, after_reply
from lox24tui.engine.cadence import Cadence
from lox24tui.engine.in_flight import InFlight
from lox24tui.engine.watched_bulks import WatchedBulks


@dataclass(frozen=True, slots=True)
class _Request:
    bulk_id: str
    source: StatusSource
    guard: AccountGuard
    """The guard (so the token) it went out under: answers for an old token prove nothing."""
    ticket: Ticket


class StatusChecks:
    """Sends status checks with the client and guard in use (:meth:`use` switches both) and
    settles their answers into the watched bulks, telling the front ends through ``emit``.
    ``changed`` is called after every answer and every word of the guard's; ``poke`` when only
    the loop needs waking."""

    def __init__(
        self,
        source: StatusSource,
        guard: AccountGuard,
        *,
        bulks: WatchedBulks,
        wire: InFlight,
        cadence: Cadence,
        clock: Clock,
        emit: Callable[[BulkUpdate], None],
        changed: Callable[[], None],
        poke: Callable[[], None],
    ) -> None:
        self._bulks = bulks
        self._wire = wire
        self._cadence = cadence
        self._clock = clock
        self._emit = emit
        self._changed = changed
        self._poke = poke
        self.source = source
        self.guard = self._adopt(guard)

    def use(self, source: StatusSource, guard: AccountGuard) -> None:
        """Check with another client under its own guard from now on."""
        self.source = source
        self.guard = self._adopt(guard)

    def launch(self, bulk_id: str, ticket: Ticket) -> None:
        """Send the check of ``bulk_id`` the guard admitted with ``ticket``."""
        request = _Request(bulk_id, self.source, self.guard, ticket)
        self._wire.start(bulk_id, self._check(request))

    def _adopt(self, guard: AccountGuard) -> AccountGuard:
        guard.interval = self._cadence.interval
        guard.listen(lambda event: self._on_guard_event(guard, event))
        return guard

    def _on_guard_event(self, guard: AccountGuard, event: GuardEvent) -> None:
        if guard is not self.guard:
            return
        if event == GuardEvent.FREED:  # perhaps a screen's request held the engine back
            self._poke()
            return
        if event == GuardEvent.RECOVERED:
            # LOX24 is back: what failed meanwhile is due now, not at the end of its backoff
            now = self._clock.now()
            for bulk_id in self._bulks:
                failed = isinstance(self._bulks.state(bulk_id).error, TransientError)
                if failed and bulk_id not in self._wire.ids:
                    self._bulks.schedule(bulk_id, now)
        self._changed()

    async def _check(self, request: _Request) -> None:
        try:
            outcome: StatusReply | Lox24Error
            try:
                outcome = await request.guard.send(
                    request.ticket, lambda: request.source.get_bulk_status(request.bulk_id)
                )
            except asyncio.CancelledError:
                if request.bulk_id in self._bulks:  # first in line when the engine runs again
                    self._bulks.schedule(request.bulk_id, self._clock.now())
                raise
            except Lox24Error as error:
                outcome = error
            except Exception as exc:  # a bug must mark one row, not stop the engine
                outcome = UnreadableResponse(f"the client failed to read it ({type(exc).__name__})")
            self._wire.ids.discard(request.bulk_id)
            try:
                self._settle(request, outcome)
            except Exception as exc:
                reason = f"lox24tui failed to process it ({type(exc).__name__})"
                self._settle(request, UnreadableResponse(reason))
        finally:
            self._wire.ids.discard(request.bulk_id)
            self._changed()

    def _settle(self, request: _Request, outcome: StatusReply | Lox24Error) -> None:
        """Keep what an answer says of its bulk and when to ask again, and tell the front ends."""
        bulk_id = request.bulk_id
        now = self._clock.now()
        watched = bulk_id in self._bulks
        account_said = isinstance(outcome, AccountError | RateLimited)
        if account_said and watched and request.guard is not self.guard:
            self._bulks.schedule(bulk_id, now)  # said of the previous token, not of this one
            return
        if not watched:
            return
        old = self._bulks.state(bulk_id)
        due: float | None
        if isinstance(outcome, Lox24Error):
            update = after_error(old, outcome, now)
            held = account_said or self.guard.breaker() is not None
            due = self._cadence.after_error(outcome, update.state.failures, now, held=held)
        else:
            update = after_reply(old, outcome, now)
            due = self._cadence.after_success(update.state, now)
        self._bulks.set(bulk_id, update.state)
        self._bulks.schedule(bulk_id, due)
        self._emit(BulkUpdate(self._bulks.state(bulk_id), update.changes))
