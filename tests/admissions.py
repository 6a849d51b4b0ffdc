"""What the account guard answers when a request asks to go out: a ticket, or the breaker that
stops it. Shared by the guard's tests, which read each answer as the product would."""

from __future__ import annotations

from lox24tui.account.guard import AccountGuard, Breaker, Ticket


def ticket(guard: AccountGuard) -> Ticket:
    """The ticket a request gets now; fails the test if the guard stops it."""
    admitted = guard.admit()
    assert isinstance(admitted, Ticket), admitted
    return admitted


def stop(guard: AccountGuard) -> Breaker:
    """What stops a request now; fails the test if the guard lets it out."""
    admitted = guard.admit()
    assert isinstance(admitted, Breaker), admitted
    return admitted
