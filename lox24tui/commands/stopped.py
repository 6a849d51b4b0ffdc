"""When a one-shot command exits with 2 (``ExitCode.STOPPED``) rather than 1: one rule for every
command that sends requests, so that a script reads the same answer from ``status`` of one id,
of five ids, from ``bulks``, ``export`` or ``cancel``.

- 2: nothing more could be sent: the account guard stopped the requests, LOX24 refused the
  token or the account, or rate-limited the IP (:func:`lox24tui.account.guard.stops_everything`); or
  **LOX24 was unreachable**: not one request was answered, for network errors or LOX24 system
  errors (5xx). Trying again later is what helps, whatever the ids.
- 1: LOX24 answered, and something in the answers failed: an unknown bulk, an unreadable
  answer, or a network error or 5xx for some requests while others were answered.
"""

from __future__ import annotations

from collections.abc import Iterable

from lox24tui.account.guard import GuardStopped, stops_everything
from lox24tui.api import Lox24Error, NetworkError, ServerError


def unreachable(error: Lox24Error) -> bool:
    """Whether ``error`` says LOX24 gave no usable answer: a network error (no connection, a
    timeout) or a LOX24 system error (5xx), as the account guard counts it too."""
    return isinstance(error, NetworkError | ServerError)


def stopped_by(outcomes: Iterable[Lox24Error | None]) -> Lox24Error | None:
    """Of the outcomes of a command's requests (None: answered), the error it exits with 2 for
    (see the module's rule), or None: then any error among them makes it exit with 1."""
    errors: list[Lox24Error] = []
    answered = False
    for outcome in outcomes:
        if outcome is None:
            answered = True
        else:
            errors.append(outcome)
            answered = answered or not (unreachable(outcome) or isinstance(outcome, GuardStopped))
    stop = next((error for error in errors if stops_everything(error)), None)
    if stop is None and not answered:
        stop = next((error for error in errors if unreachable(error)), None)
    return stop
