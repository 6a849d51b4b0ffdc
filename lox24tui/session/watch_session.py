"""The watch session: what the dashboard watches and what it knows about it, with no Textual in it.

It owns the watch list (ids, labels, order, through the store) and the state of every bulk as
last put on screen, and puts together the parts a front end uses: the events it listens to
(:mod:`~lox24tui.session.events`), undo, the file as other processes and damage change it
(:attr:`WatchSession.file`), the status history (:attr:`WatchSession.history`), the account
(:attr:`WatchSession.balance`) and the engine's controls (:attr:`WatchSession.engine`). The
engine's updates are buffered and taken in batches by :meth:`WatchSession.flush`: applying each
response as it arrives redraws the table every frame and starves the network loop
(benchmarks/README.md). Everything here can be tested without a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from lox24tui.account.guard import WritesDisabled
from lox24tui.api import StatusReply, is_bulk_id, status_label
from lox24tui.clock import Clock
from lox24tui.engine.bulk_state import BulkState, BulkUpdate, Change, export_row
from lox24tui.engine.monitor import Monitor, MonitorEvent, Summary
from lox24tui.session.account_view import AccountView
from lox24tui.session.archive import Archive
from lox24tui.session.engagement_cache import Engaged, EngagementCache
from lox24tui.session.engine_control import EngineControl
from lox24tui.session.events import (
    EngineChanged,
    EventBus,
    ListChanged,
    RowsChanged,
    SessionListener,
    StatusMoved,
)
from lox24tui.session.list_file import ListFile
from lox24tui.session.status_history import StatusHistory, TimelineStep, sample_of
from lox24tui.session.tally import Tally
from lox24tui.session.undo import LastRemoval, names
from lox24tui.state.export import why_not_written, write_export
from lox24tui.state.history import History, ProgressSample, StatusTransition
from lox24tui.state.store import Removed, WatchList, WatchListDamaged
from lox24tui.text import humanize, sanitise

T = TypeVar("T")


class WatchSession:
    """One dashboard's watch list and what it knows of each bulk, between the engine and the
    screens."""

    def __init__(
        self,
        watchlist: WatchList,
        monitor: Monitor,
        clock: Clock,
        *,
        demo: bool = False,
        damage: WatchListDamaged | None = None,
        history: History | None = None,
        archive_after: float = 0,
        low_balance: Decimal = Decimal(0),
        read_only: bool = False,
    ) -> None:
        self.watchlist = watchlist
        self.monitor = monitor
        self.clock = clock
        self.demo = demo
        self._states: dict[str, BulkState] = {}
        self._previous: dict[str, StatusReply] = {}
        self._order: list[str] = []
        self._pending: dict[str, set[Change]] = {}
        self._pending_summary = False
        self.events = EventBus()
        self.undo_removal = LastRemoval(self.events)
        self.history = StatusHistory(history, self.events)
        """The status history: timelines across restarts and processes."""
        self.engagement = EngagementCache(monitor.side.wake)
        """Each bulk's clicks and replies, read when someone looks at it."""
        self.balance = AccountView(low_balance, self._states, self.events)
        self.engine = EngineControl(monitor, clock, self.events, self.balance, self._stale)
        self.file = ListFile(
            watchlist,
            self.events,
            self.undo_removal,
            self._follow_store,
            lambda binding_id: self.key_name(binding_id),
            damage,
        )
        self.archive = Archive(archive_after, self._states, clock, self.events)
        """Bulks that finished ``archive_after`` hours ago, hidden until asked for."""
        self.read_only = read_only
        """Nothing is changed at LOX24 (no cancel); the watch list, which is local, still is."""
        self._tally = Tally()
        """The counts of the states shown (flushed), for the summary bar."""
        self.key_name: Callable[[str], str] = lambda binding_id: binding_id
        """The key a front end runs a binding with ("undo" → "u"): notices that name a key
        take it from here, so a remapped key is named as it is. The front end sets it."""
        self.history.load(watchlist.ids)
        for bulk_id in watchlist.ids:
            self._show_state(monitor.watch(bulk_id))
        self._order = list(watchlist.ids)
        monitor.updates.listen(self._on_engine_event)

    # ------------------------------------------------------------ reading

    @property
    def ids(self) -> list[str]:
        """The watched bulks, in watch-list order."""
        return self.watchlist.ids

    def label_of(self, bulk_id: str) -> str:
        return self.watchlist.label_of(bulk_id)

    def name_of(self, bulk_id: str) -> str:
        return self.watchlist.label_of(bulk_id) or bulk_id

    @property
    def states(self) -> Mapping[str, BulkState]:
        """Each watched bulk as last flushed (what the screen shows)."""
        return self._states

    def timeline(self, bulk_id: str) -> list[TimelineStep]:
        """Each status the bulk was seen in, oldest first: from the history (earlier runs and
        other processes included) when there is one, else what this run saw."""
        recorded = self.history.timeline(bulk_id)
        if recorded is not None:
            return recorded
        state = self._states.get(bulk_id)
        if state is None:
            return []
        delivery_at = state.reply.status.delivery_at if state.reply else None
        return [
            TimelineStep(step.at, status_label(step.code, delivery_at, _at(step.at)))
            for step in state.history
        ]

    def keep_engagement(self, bulk_id: str, engaged: Engaged) -> None:
        """A bulk's clicks and replies were read (or could not be): its row and pane redraw."""
        self.engagement.keep(bulk_id, engaged)
        if bulk_id in self._states:
            self.events.emit(RowsChanged(frozenset({bulk_id})))

    def progress(self, bulk_id: str) -> list[ProgressSample]:
        """The bulk's progress while it sent, oldest first, ending with its latest count (which
        confirms a stall, though it is recorded only when its counts moved)."""
        samples = self.history.progress(bulk_id)
        # the engine's own state: a count that changed nothing is kept there, and not passed
        # on (nothing to redraw), yet it is what proves a stall
        delivery = self.monitor.state(bulk_id).delivery if bulk_id in self._states else None
        if delivery is None or delivery.partial or not samples:
            return samples
        if delivery.taken_at > samples[-1].at:
            return [*samples, sample_of(bulk_id, delivery)]
        return samples

    def can_cancel(self, bulk_id: str) -> bool:
        """Whether canceling is worth offering: not read-only, and the bulk not yet sent in full
        (new, or in progress; LOX24 refuses the rest, and says why)."""
        return self.why_no_cancel(bulk_id) is None

    def why_no_cancel(self, bulk_id: str) -> str | None:
        """Why canceling is not offered for this bulk, in words; None when it is."""
        state = self._states.get(bulk_id)
        if self.read_only:
            return f"Not canceled: {WritesDisabled()}"
        if state is None or state.reply is None:
            return "Its status is not known yet: it can be canceled once LOX24 has answered."
        if state.reply.status.status.is_cancelable:
            return None
        label = state.reply.status.label_at(self.now())
        return f"It cannot be canceled: it is {label}, and only a bulk not yet sent can be."

    def _show_state(self, state: BulkState) -> None:
        self._states[state.bulk_id] = state
        self._tally.set(state, self.clock.now())

    def previous_reply(self, bulk_id: str) -> StatusReply | None:
        """The answer before the last one whose fields differed: the pane marks what changed."""
        return self._previous.get(bulk_id)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), UTC)

    def summary(self, *, archived: bool = True) -> Summary:
        """The engine's state, with counts and totals of the states the rows show (so the bar
        never runs ahead of rows that still say "checking…"); without the archive's bulks
        unless ``archived``, so that it counts the rows on screen."""
        shown = self._tally if archived else self._tally.without(self.archive.tally())
        return replace(
            self.monitor.summary(),
            by_status=dict(shown.by_label),
            total_messages=shown.messages,
            total_price=shown.price,
            watched=shown.bulks,
        )

    def listen(self, listener: SessionListener) -> None:
        self.events.listen(listener)

    def close(self) -> None:
        """The dashboard is closing: what it saw counts as seen; the history file is closed."""
        self.history.close()

    # ------------------------------------------------------------ engine

    @property
    def is_current(self) -> bool:
        """Whether every update the engine reported has been flushed (none waits)."""
        return not self._pending and not self._pending_summary

    def _stale(self) -> None:
        self._pending_summary = True

    def _on_engine_event(self, event: MonitorEvent) -> None:
        if isinstance(event, BulkUpdate):
            if Change.REMOVED in event.changes:
                self._pending.pop(event.bulk_id, None)
            else:
                self._pending.setdefault(event.bulk_id, set()).update(event.changes)
        else:
            self._pending_summary = True

    def flush(self) -> None:
        """Take what the engine reported since the last flush, in one batch: one RowsChanged,
        and a StatusMoved per status change."""
        if self.is_current:
            return
        pending, self._pending = self._pending, {}
        summary, self._pending_summary = self._pending_summary, False
        changed: set[str] = set()
        seen: list[StatusTransition] = []
        sampled: list[ProgressSample] = []
        for bulk_id, changes in pending.items():
            if bulk_id not in self.watchlist:
                continue
            old = self._states.get(bulk_id)
            new = self.monitor.state(bulk_id)
            if Change.FIELDS in changes and old is not None and old.reply is not None:
                self._previous[bulk_id] = old.reply
            self._show_state(new)
            changed.add(bulk_id)
            if Change.STATUS in changes:
                self._announce(bulk_id, old, new)
                seen += self.history.worth_recording(new, self.label_of(bulk_id))
            if Change.DELIVERY in changes:
                sampled += self.history.worth_sampling(new)
        self.history.record(seen, sampled)
        if changed:
            self.events.emit(RowsChanged(frozenset(changed)))
        elif summary:
            self.events.emit(EngineChanged())

    def _announce(self, bulk_id: str, old: BulkState | None, new: BulkState) -> None:
        if old is None or old.reply is None or new.reply is None:
            return
        seen = datetime.fromtimestamp(old.last_checked or self.clock.now(), UTC)
        self.events.emit(
            StatusMoved(
                bulk_id,
                self.name_of(bulk_id),
                new.status_code,
                before=old.reply.status.label_at(seen),
                after=new.reply.status.label_at(self.now()),
                failed=new.reply.status.status.is_failed,
                final=new.is_final,
            )
        )

    # ------------------------------------------------------------ changing the list

    def add(self, ids: Sequence[str], label: str = "") -> list[str]:
        """Watch ``ids`` under one label; returns those that were not watched yet."""
        return self.add_labelled([(bulk_id, label) for bulk_id in ids])

    def add_labelled(self, items: Sequence[tuple[str, str]]) -> list[str]:
        """Watch several bulks, each with its own label; returns those new to the list. Ids
        that are not bulk ids (from LOX24's own lists, say) are left out and named."""
        valid = [(bulk_id, label) for bulk_id, label in items if is_bulk_id(bulk_id)]
        if len(valid) < len(items):
            left = [sanitise.one_line(bulk_id) for bulk_id, _ in items if not is_bulk_id(bulk_id)]
            self.events.notice(f"Not bulk ids, left out: {', '.join(left[:5])}", "warning")
        before = set(self.watchlist.ids)
        self._saved(lambda: self.watchlist.add_many(valid))
        added = [bulk_id for bulk_id in self.watchlist.ids if bulk_id not in before]
        self.archive.added(added)
        self._follow_store(select=added[0] if added else None)
        return added

    def remove(self, bulk_id: str) -> bool:
        """Stop watching a bulk; u puts it back. False if the store refused (it says why)."""
        if bulk_id not in self.watchlist:
            return False
        index = self.watchlist.index_of(bulk_id)
        entry = self.watchlist.entries[index]
        self._saved(lambda: self.watchlist.remove(bulk_id))
        if bulk_id in self.watchlist:
            return False
        self.undo_removal.set([Removed(index, entry)])
        self._follow_store()
        self.events.notice(
            f"Stopped watching {names(self.undo_removal.removed or [])} "
            f"({self.key_name('undo')} undoes it).",
            timeout=6,
        )
        return True

    def undo(self) -> None:
        """Put back what left last, where it stood: the bulk removed here, or every bulk an
        outside change removed."""
        removal = self.undo_removal.removed
        if removal is None:
            self.events.notice("Nothing to undo.", "warning", 5)
            return
        self._saved(lambda: self.watchlist.put_back(removal))
        if self.file.damage is not None:  # refused: nothing was put back, u can try again
            return
        self.undo_removal.set(None)
        for item in removal:
            self._pending.pop(item.entry.bulk_id, None)
        self._follow_store(select=removal[0].entry.bulk_id)
        self.events.notice(f"Watching {names(removal)} again.", timeout=3)

    def set_label(self, bulk_id: str, label: str) -> None:
        self._saved(lambda: self.watchlist.set_label(bulk_id, label))
        self._follow_store()

    def _saved(self, change: Callable[[], T]) -> T | None:
        """Run a watch-list change. If the file cannot be read, the store refused the change
        (nothing changed): say so and offer a good copy. If it cannot be written, say so (the
        change holds in memory for this session)."""
        try:
            return change()
        except WatchListDamaged as damage:
            self.events.notice(f"{damage} This change was not made.", "error", 15)
            self.file.found(damage)
            return None
        except OSError as error:  # a StateFault says which file, why and what to do
            self.events.notice(
                f"{capitalised(str(error))}. It holds for this session only.", "error", 15
            )
            return None

    def _follow_store(self, select: str | None = None) -> None:
        """Make the engine and the screen watch exactly what the store lists (other processes
        may have changed it, and every change of ours re-reads it first)."""
        listed = self.watchlist.ids
        listed_set = set(listed)
        new = [bulk_id for bulk_id in listed if bulk_id not in self._states]
        self.history.load(new)
        for bulk_id in new:
            self._show_state(self.monitor.watch(bulk_id))
        removed = frozenset(b for b in self._states if b not in listed_set)
        for bulk_id in removed:
            self.monitor.unwatch(bulk_id)
            self._states.pop(bulk_id, None)
            self._tally.drop(bulk_id)
            self._previous.pop(bulk_id, None)
            self._pending.pop(bulk_id, None)
            self.engagement.forget(bulk_id)
        if listed != self._order or select is not None:
            self._order = list(listed)
            self.events.emit(ListChanged(removed, select))
        else:  # the same bulks in the same order: labels may differ
            self.events.emit(RowsChanged(frozenset(listed)))

    def export(self, path: str, bulk_ids: Sequence[str]) -> None:
        """Write what the session knows now (no extra requests) of ``bulk_ids``, in that order,
        to ``path``, whole or not at all."""
        now = self.now()
        rows = [export_row(self.label_of(b), self._states[b], now) for b in bulk_ids]
        write_rows(path, rows, self.events)


def write_rows(path: str, rows: list[dict[str, Any]], events: EventBus) -> None:
    """Write an export of the rows shown, and say how it went (a session's notice)."""
    try:
        write_export(path, rows)
    except OSError as error:
        events.notice(f"Cannot write {path}: {why_not_written(error)}", "error")
        return
    events.notice(f"Exported {humanize.plural(len(rows), 'bulk')} to {path}", timeout=5)


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
