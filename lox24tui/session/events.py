"""What the watch session tells front ends, as typed events, and the one place they are sent
from. A front end listens (the dashboard's App turns each event into a Textual message) and
never reaches into the session's parts to find out what changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from lox24tui.state.store import Backup, WatchListDamaged

Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True, slots=True)
class RowsChanged:
    """These bulks' states or labels changed: their rows, and a detail view of them, are stale."""

    bulk_ids: frozenset[str]


@dataclass(frozen=True, slots=True)
class ListChanged:
    """Which bulks are watched, or their order, changed."""

    removed: frozenset[str] = frozenset()
    """Bulks no longer watched: a detail view of one of them closes."""
    select: str | None = None
    """The bulk the person will want to see next (the first one added or put back)."""


@dataclass(frozen=True, slots=True)
class EngineChanged:
    """Paused, resumed, stopped by the guard, failed, or on a new token: the summary is stale."""


@dataclass(frozen=True, slots=True)
class UndoChanged:
    """Whether there is something to undo changed (the Undo key comes and goes with it)."""

    can_undo: bool


@dataclass(frozen=True, slots=True)
class StatusMoved:
    """A watched bulk's status changed while it was watched (not its first answer)."""

    bulk_id: str
    name: str
    """Its label, or its id when it has none."""
    code: int | None
    """The new status code."""
    before: str
    """The status as it read when it was last shown ("scheduled", not "new")."""
    after: str
    failed: bool
    final: bool


@dataclass(frozen=True, slots=True)
class TimelineStep:
    """One status a bulk was seen in, labelled as it read then."""

    at: float
    label: str


@dataclass(frozen=True, slots=True)
class Notice:
    """Something about the watch list (or the history) to tell the person. Quotes paths and
    labels: show it literally."""

    message: str
    severity: Severity = "information"
    timeout: float = 10
    about: str = "Watch list"
    """What it is about, the toast's title: "Watch list", or "History" for the history file."""


@dataclass(frozen=True, slots=True)
class DamageFound:
    """The watch-list file cannot be read. The list shown stays and nothing is written until the
    person chooses: restore ``copy``, keep the list shown, or decide later."""

    damage: WatchListDamaged
    copy: Backup | None
    listed: int
    """How many bulks the list shown holds (what "keep" would save)."""


@dataclass(frozen=True, slots=True)
class DamageCleared:
    """The file can be read again: a pending question about it is moot."""


SessionEvent = (
    RowsChanged
    | ListChanged
    | EngineChanged
    | UndoChanged
    | StatusMoved
    | Notice
    | DamageFound
    | DamageCleared
)
SessionListener = Callable[[SessionEvent], None]


class EventBus:
    """Sends each event to every listener, in the order they listened. Counts the changes of
    what the rows show, so that work derived from them (the archive's counts) is redone only
    after one."""

    def __init__(self) -> None:
        self._listeners: list[SessionListener] = []
        self.generation = 0
        """Bumped whenever the states shown or the list change."""

    def listen(self, listener: SessionListener) -> None:
        self._listeners.append(listener)

    @property
    def heard(self) -> bool:
        """Someone listens (notices found before that wait for them)."""
        return bool(self._listeners)

    def emit(self, event: SessionEvent) -> None:
        if isinstance(event, RowsChanged | ListChanged):
            self.generation += 1
        for listener in list(self._listeners):
            listener(event)

    def notice(self, message: str, severity: Severity = "information", timeout: float = 10) -> None:
        self.emit(Notice(message, severity, timeout))
