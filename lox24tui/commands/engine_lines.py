"""What holds a long-running command's requests back, said as it changes: one line on stderr,
with the time, each time the engine's state changes (LOX24 unreachable, back, rate-limited, the
IP protected, the token refused, or any other stop the account guard gives a reason for), and
nothing while it stays the same.

``status --watch`` runs for hours in scripts and terminals; without these lines, a watch that
LOX24 no longer answers looks exactly like one whose bulks are slow to change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from lox24tui.account.guard import Breaker, BreakerKind
from lox24tui.commands.output import complain
from lox24tui.text import humanize


class EngineStateLines:
    """Feed it the guard's breaker of every engine summary (:meth:`see`); it says each change.

    The state is the breaker's kind: its reason's countdown ("retrying in 40 s") changes at
    every probe, the state does not. A breaker kind added later is said through its own
    reason, without a change here."""

    def __init__(self, say: Callable[[str], None] = complain) -> None:
        self._say = say
        self._kind: BreakerKind | None = None

    def see(self, breaker: Breaker | None, now: float) -> None:
        kind = None if breaker is None else breaker.kind
        if kind == self._kind:
            return
        before, self._kind = self._kind, kind
        if breaker is None:
            back = "LOX24 answers again" if before == BreakerKind.UNREACHABLE else "requests go out"
            self._say(f"{_when(now)}  {back}.")
        else:
            self._say(f"{_when(now)}  {breaker.reason(now)}")


def _when(now: float) -> str:
    return humanize.local_time(datetime.fromtimestamp(now, UTC))
