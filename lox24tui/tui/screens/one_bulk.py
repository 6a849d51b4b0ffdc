"""What every screen about one bulk works with (its messages, its failures, its retry list)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from lox24tui.account.guard import GuardedClient, GuardStopped
from lox24tui.api import Lox24Error
from lox24tui.text import sanitise


@dataclass(frozen=True)
class OneBulk:
    client: GuardedClient
    """Every request of the screen goes through it, so the account guard's rules hold there."""
    bulk_id: str
    label: str
    now: Callable[[], datetime]
    currency: str | None = None
    """The account's currency, once known."""
    seen: Callable[[], Sequence[tuple[float, str]]] = lambda: ()
    """The statuses lox24tui saw the bulk in, oldest first (unix time, label)."""

    @property
    def name(self) -> str:
        """“Black Friday” (73f43a80-…), sanitised; the id alone without a label."""
        named = f"“{self.label}” ({self.bulk_id})" if self.label else self.bulk_id
        return sanitise.one_line(named)


def why_unanswered(error: Lox24Error) -> str:
    """Why a screen has no answer from LOX24, in the words every screen uses (to follow a
    colon; capitalised to begin a line): the account guard held the request back, or
    LOX24 answered with an error."""
    if isinstance(error, GuardStopped):
        return f"requests to LOX24 are held: {error}"
    return f"LOX24 answered: {error}"
