"""One watched bulk as the engine knows it, and the records it becomes on disk: a status
transition for the history, a row for an export. The state layer stores those records and never
sees these types, so the engine can change what it keeps without touching the files.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from lox24tui.api import AccountError, BulkNotFound, Lox24Error, RateLimited, StatusReply
from lox24tui.api.records import CONTRACT_FIELDS
from lox24tui.engine.delivery import DeliveryBreakdown
from lox24tui.state.export import COLUMNS
from lox24tui.state.history import StatusTransition


@dataclass(frozen=True, slots=True)
class Transition:
    """A status change the engine observed: the new code and when it was seen."""

    code: int | None
    at: float


@dataclass(frozen=True, slots=True)
class BulkState:
    """Everything the engine knows about one watched bulk. Immutable: each change is a new object,
    so a front end can keep one without it moving under its feet."""

    bulk_id: str
    reply: StatusReply | None = None
    """The last good response."""
    error: Lox24Error | None = None
    """The last failure, cleared by the next success."""
    last_checked: float | None = None
    last_changed: float | None = None
    """When the status code last changed (first seen counts as a change)."""
    next_due: float | None = None
    """When it is fetched next; None when it will not be (final, or the engine is stopped on it)."""
    failures: int = 0
    """Consecutive failed checks."""
    history: tuple[Transition, ...] = ()
    delivery: DeliveryBreakdown | None = None
    """The messages by delivery outcome, as last counted (side work: delivery_schedule.py)."""

    @property
    def status_code(self) -> int | None:
        return self.reply.status.status_code if self.reply else None

    @property
    def is_final(self) -> bool:
        return self.reply is not None and self.reply.status.is_final

    @property
    def not_found(self) -> bool:
        return isinstance(self.error, BulkNotFound)


class Change(StrEnum):
    STATUS = "status"
    """The status code changed (or was seen for the first time)."""
    FIELDS = "fields"
    """Some field of the response changed (counts, price, times…)."""
    ERROR = "error"
    """A new error appeared, or the error went away."""
    CHECKED = "checked"
    """A check completed (always set on updates that follow a request)."""
    REMOVED = "removed"
    DELIVERY = "delivery"
    """New delivery counts."""


@dataclass(frozen=True, slots=True)
class BulkUpdate:
    state: BulkState
    changes: frozenset[Change]

    @property
    def bulk_id(self) -> str:
        return self.state.bulk_id


def after_reply(old: BulkState, reply: StatusReply, now: float) -> BulkUpdate:
    """The bulk once LOX24 answered with its status: checked now, its error gone, its failures
    forgiven; a new status code is a step in its history."""
    changes = {Change.CHECKED}
    code = reply.status.status_code
    history = old.history
    last_changed = old.last_changed
    if old.reply is None or old.reply.status.status_code != code:
        changes.add(Change.STATUS)
        history = (*history, Transition(code, now))
        last_changed = now
    if old.reply is None or old.reply.status.model_dump() != reply.status.model_dump():
        changes.add(Change.FIELDS)
    if old.error is not None:
        changes.add(Change.ERROR)
    new = replace(
        old,
        reply=reply,
        error=None,
        last_checked=now,
        last_changed=last_changed,
        failures=0,
        history=history,
    )
    return BulkUpdate(new, frozenset(changes))


def after_error(old: BulkState, error: Lox24Error, now: float) -> BulkUpdate:
    """The bulk once its check failed: the last answer is kept beside the error. A stop the
    account caused (a refused token, a rate limit) is no failure of this bulk's, so it does
    not lengthen its backoff."""
    stopped_by_account = isinstance(error, AccountError | RateLimited)
    failures = old.failures if stopped_by_account else old.failures + 1
    changes = {Change.CHECKED}
    if type(old.error) is not type(error) or str(old.error) != str(error):
        changes.add(Change.ERROR)
    new = replace(old, error=error, last_checked=now, failures=failures)
    return BulkUpdate(new, frozenset(changes))


PENDING: Final = "pending"
"""The bucket of a bulk LOX24 has not answered for yet."""


def bucket(state: BulkState, now: float) -> str:
    """The label a bulk is counted under in the summary."""
    if state.reply is not None:
        return state.reply.status.label_at(datetime.fromtimestamp(now, UTC))
    if state.not_found:
        return "not found"
    if state.error is not None:
        return "error"
    return PENDING


def transition_from(state: BulkState, label: str = "") -> StatusTransition | None:
    """The transition an engine update with ``Change.STATUS`` announces; None for a state with
    no status (yet)."""
    if state.reply is None or not state.history:
        return None
    status = state.reply.status
    at = state.history[-1].at
    earlier = state.history[-2].code if len(state.history) > 1 else None
    return StatusTransition(
        bulk_id=state.bulk_id,
        from_code=earlier,
        to_code=status.status_code,
        status=status.label_at(datetime.fromtimestamp(at, UTC)),
        at=at,
        request_id=state.reply.request_id,
        label=label,
    )


def export_row(label: str, state: BulkState, now: datetime) -> dict[str, Any]:
    """One bulk as a flat record of plain values (times as aware datetimes), its status label
    as it reads at ``now``, like everywhere else."""
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(label=label, id=state.bulk_id)
    if state.reply is not None:
        status = state.reply.status
        values = status.model_dump()
        for name in CONTRACT_FIELDS:
            row[name] = values.get(name)
        row["status"] = status.label_at(now)
        row["voice_language"] = status.voice_language
        row["request_id"] = state.reply.request_id
    if state.last_checked is not None:
        row["last_checked"] = datetime.fromtimestamp(state.last_checked, UTC)
    if state.error is not None:
        row["last_error_kind"] = state.error.kind
        row["last_error"] = str(state.error)
        row["request_id"] = state.error.request_id or row["request_id"]
    return row
