"""The watch session: what the dashboard watches and what it knows about it, with no Textual in it.

It owns the watch list (ids, labels, order, through the store), undo, following the file when
another process changes it, and the state of every bulk as last put on screen. The engine's
updates are buffered and taken in batches by :meth:`WatchSession.flush`: applying each response
as it arrives redraws the table every frame and starves the network loop (benchmarks/README.md).

Front ends read the session and act through it; it tells them what changed through the typed
events below (the dashboard's App turns each into a Textual message). Everything here can be
tested without a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final, Literal, TypeVar

from lox24tui.account.guard import Breaker, WritesDisabled
from lox24tui.api import Account, StatusReply, is_bulk_id, status_label
from lox24tui.clock import Clock
from lox24tui.engine.bulk_state import BulkState, BulkUpdate, Change, export_row, transition_from
from lox24tui.engine.monitor import Monitor, MonitorEvent, Summary
from lox24tui.session.config import below_low_balance
from lox24tui.session.tally import Tally
from lox24tui.state.export import why_not_written, write_export
from lox24tui.state.history import AwaySummary, History, StatusTransition
from lox24tui.state.store import (
    Backup,
    NothingToRestore,
    Removed,
    WatchList,
    WatchListDamaged,
    WatchListDiff,
)
from lox24tui.text import humanize, sanitise

T = TypeVar("T")
Severity = Literal["information", "warning", "error"]

DASHBOARD_READER: Final = "dashboard"
"""Whose last look "While you were away" counts from, in the history."""
NO_TOKEN = "no API token"
"""The pause reason while no token is known: the engine waits, and p asks for one."""
BY_YOU = "by you"


# ------------------------------------------------------------------ events


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
        self.damage: WatchListDamaged | None = damage
        """Set while the watch-list file cannot be read; the store refuses changes meanwhile."""
        self.engine_failure: str | None = None
        """Why the refresh engine stopped, if it did (then nothing shown is refreshed)."""
        self.account: Account | None = None
        """The account as LOX24 last described it (balance, currency); None until then."""
        self._states: dict[str, BulkState] = {}
        self._previous: dict[str, StatusReply] = {}
        self._order: list[str] = []
        self._last_removal: list[Removed] | None = None
        self._pending: dict[str, set[Change]] = {}
        self._pending_summary = False
        self._listeners: list[SessionListener] = []
        self.history = history
        """Where status changes are recorded, so that a restart keeps the timeline (and what
        other lox24tui processes saw shows too); None keeps only this run's."""
        self.archive_after = archive_after
        """Hours after which a finished bulk is archived (hidden until asked for); 0 never."""
        self.low_balance = low_balance
        """Below this balance the summary warns (0: never)."""
        self.read_only = read_only
        """Nothing is changed at LOX24 (no cancel); the watch list, which is local, still is."""
        self._recorded: dict[str, list[StatusTransition]] = {}
        self._unrecorded: list[StatusTransition] = []
        """Changes the history could not take yet (busy, or failing): tried again next flush."""
        self._generation = 0
        """Bumped whenever the states shown change (flush, list change)."""
        self._archived: tuple[tuple[int, int], Tally] | None = None
        self._tally = Tally()
        """The counts of the states shown (flushed), for the summary bar."""
        self._added_at: dict[str, float] = {}
        """When bulks were added in this run: one the person just asked to see is not
        archived until archive_after hours after that, however long ago it finished."""
        self.key_name: Callable[[str], str] = lambda binding_id: binding_id
        """The key a front end runs a binding with ("undo" → "u"): notices that name a key
        take it from here, so a remapped key is named as it is. The front end sets it."""
        self._load_timelines(watchlist.ids)
        for bulk_id in watchlist.ids:
            self._show_state(monitor.watch(bulk_id))
        self._order = list(watchlist.ids)
        monitor.listen(self._on_engine_event)

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
        if self.history is not None:
            return [TimelineStep(t.at, t.status) for t in self._recorded.get(bulk_id, [])]
        state = self._states.get(bulk_id)
        if state is None:
            return []
        delivery_at = state.reply.status.delivery_at if state.reply else None
        return [
            TimelineStep(step.at, status_label(step.code, delivery_at, _at(step.at)))
            for step in state.history
        ]

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

    def archived_count(self) -> int:
        """How many watched bulks the archive hides."""
        return self._archive().bulks

    def _archive(self) -> Tally:
        """The counts of the bulks the archive hides. Worked out again only after a flush or a
        change of the list, or once a minute (time archives bulks too): the summary asks for it
        at every redraw, and at 10,000 bulks a pass costs ~15 ms."""
        key = (self._generation, int(self.clock.now() // 60))
        if self._archived is None or self._archived[0] != key:
            archive = Tally()
            now = self.clock.now()
            for bulk_id in filter(self.is_archived, self._states):
                archive.set(self._states[bulk_id], now)
            self._archived = (key, archive)
        return self._archived[1]

    def _show_state(self, state: BulkState) -> None:
        self._states[state.bulk_id] = state
        self._tally.set(state, self.clock.now())

    def is_archived(self, bulk_id: str) -> bool:
        """Finished more than ``archive_after`` hours ago (by LOX24's times: when it was
        processed, else when it was to be delivered, else created), and not added by the
        person within that time (what they just asked to see stays in sight)."""
        state = self._states.get(bulk_id)
        if not self.archive_after or state is None or state.reply is None or not state.is_final:
            return False
        status = state.reply.status
        ended = status.processed_at or status.delivery_at or status.created_at
        if ended is None:
            return False
        since = max(ended.timestamp(), self._added_at.get(bulk_id, 0.0))
        return self.clock.now() - since > self.archive_after * 3600

    def previous_reply(self, bulk_id: str) -> StatusReply | None:
        """The answer before the last one whose fields differed: the pane marks what changed."""
        return self._previous.get(bulk_id)

    @property
    def can_undo(self) -> bool:
        return self._last_removal is not None

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), UTC)

    def summary(self, *, archived: bool = True) -> Summary:
        """The engine's state, with counts and totals of the states the rows show (so the bar
        never runs ahead of rows that still say "checking…"); without the archive's bulks
        unless ``archived``, so that it counts the rows on screen."""
        shown = self._tally if archived else self._tally.without(self._archive())
        return replace(
            self.monitor.summary(),
            by_status=dict(shown.by_label),
            total_messages=shown.messages,
            total_price=shown.price,
            watched=shown.bulks,
        )

    @property
    def interval(self) -> float:
        return self.monitor.interval

    @property
    def is_current(self) -> bool:
        """Whether every update the engine reported has been flushed (none waits)."""
        return not self._pending and not self._pending_summary

    @property
    def waiting_for_token(self) -> bool:
        return self.monitor.pause_reason == NO_TOKEN

    @property
    def held(self) -> bool:
        """Paused, or stopped by the account guard: resuming is what the person can do."""
        return self.monitor.paused or self.monitor.breaker is not None

    @property
    def counting_down(self) -> bool:
        """A guard's stop that lifts by itself is on: the summary shows the time left."""
        breaker = self.monitor.breaker
        return breaker is not None and breaker.until is not None

    def why_blocked(self) -> str | None:
        """Why no request may go out now (the guard's word), or None."""
        breaker = self.monitor.guard.breaker()
        return None if breaker is None else breaker.reason(self.clock.now())

    # ------------------------------------------------------------ events

    def listen(self, listener: SessionListener) -> None:
        self._listeners.append(listener)

    def _emit(self, event: SessionEvent) -> None:
        if isinstance(event, RowsChanged | ListChanged):
            self._generation += 1
        for listener in list(self._listeners):
            listener(event)

    def _notice(
        self, message: str, severity: Severity = "information", timeout: float = 10
    ) -> None:
        self._emit(Notice(message, severity, timeout))

    # ------------------------------------------------------------ engine

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
                seen += self._worth_recording(new)
        self._record(seen)
        if changed:
            self._emit(RowsChanged(frozenset(changed)))
        elif summary:
            self._emit(EngineChanged())

    def _announce(self, bulk_id: str, old: BulkState | None, new: BulkState) -> None:
        if old is None or old.reply is None or new.reply is None:
            return
        seen = datetime.fromtimestamp(old.last_checked or self.clock.now(), UTC)
        failed = new.reply.status.status.is_failed
        self._emit(
            StatusMoved(
                bulk_id,
                self.name_of(bulk_id),
                new.status_code,
                before=old.reply.status.label_at(seen),
                after=new.reply.status.label_at(self.now()),
                failed=failed,
                final=new.is_final,
            )
        )

    # ------------------------------------------------------------ history

    def _load_timelines(self, ids: Sequence[str]) -> None:
        if self.history is None or not ids:
            return
        for transition in self.history.transitions(ids):
            self._recorded.setdefault(transition.bulk_id, []).append(transition)
        self._pass_on_history_notices()

    def _worth_recording(self, state: BulkState) -> list[StatusTransition]:
        """The change to record, if it is one: the first status this run sees is no change when
        the history already ends in it (a restart), and when it ends in another one, the change
        happened while no lox24tui watched."""
        transition = transition_from(state, self.label_of(state.bulk_id))
        if self.history is None or transition is None:
            return []
        known = self._recorded.get(state.bulk_id)
        if transition.from_code is None and known:
            if known[-1].to_code == transition.to_code:
                return []
            transition = replace(transition, from_code=known[-1].to_code)
        return [transition]

    def _record(self, transitions: list[StatusTransition]) -> None:
        """One transaction per flush, however many bulks changed. What the history could not
        take is shown in the timeline all the same, and offered to it again next flush."""
        if self.history is None:
            return
        for transition in transitions:
            self._recorded.setdefault(transition.bulk_id, []).append(transition)
        batch = self._unrecorded + transitions
        if not batch:
            return
        if self.history.record(batch):
            self._unrecorded = []
            self.history.mark_seen(DASHBOARD_READER)
        else:
            self._unrecorded = batch
        self._pass_on_history_notices()

    def away_summary(self) -> AwaySummary | None:
        """What changed since a dashboard last ran ("While you were away: 3 bulks finished");
        None without a history."""
        if self.history is None:
            return None
        summary = self.history.away_summary(DASHBOARD_READER, self.watchlist.ids)
        self._pass_on_history_notices()
        return summary

    def _pass_on_history_notices(self) -> None:
        """The history's problems, to whoever listens; kept until someone does (the timelines
        are read before the dashboard listens, and a damaged file is found right then)."""
        if self.history is not None and self._listeners:
            for text in self.history.pop_notices():
                self._emit(Notice(text, "warning", 15, about="History"))

    def close(self) -> None:
        """The dashboard is closing: what it saw counts as seen; the history file is closed."""
        if self.history is not None:
            self.history.mark_seen(DASHBOARD_READER)
            self.history.close()

    def engine_changed(self) -> None:
        """The front end changed the engine (a new token): show it with the next flush."""
        self._pending_summary = True

    def account_seen(self, account: Account) -> None:
        self.account = account
        self._emit(EngineChanged())

    @property
    def balance_is_low(self) -> bool:
        balance = self.account.balance_amount if self.account is not None else None
        return below_low_balance(balance, self.low_balance)

    @property
    def out_of_funds(self) -> bool:
        """LOX24 held messages of a watched bulk back for want of funds (status 3000) at its
        latest count, and the balance has not risen since: the account needs topping up."""
        if self.account is None:
            return False
        changed = self.account.balance_changed_at
        for state in self._states.values():
            delivery = state.delivery
            if delivery is None or not delivery.no_funds:
                continue
            if changed is None or changed.timestamp() <= delivery.taken_at:
                return True
        return False

    @property
    def currency(self) -> str | None:
        """The account's currency, once known: every money column uses it. LOX24's text, so
        made inert like all of it."""
        currency = self.account.currency if self.account is not None else None
        return sanitise.one_line(currency) if currency else None

    def engine_failed(self, why: str) -> None:
        self.engine_failure = why
        self._emit(EngineChanged())

    def wait_for_token(self) -> None:
        self.monitor.pause(NO_TOKEN)

    def token_ready(self) -> None:
        """A new token is in use: the account shown was the old token's."""
        self.account = None
        if self.waiting_for_token:
            self.monitor.resume()
        self.engine_changed()

    def pause(self) -> None:
        self.monitor.pause(BY_YOU)
        self._emit(EngineChanged())

    def resume(self) -> None:
        """Resume polling; also retries after the guard stopped on a refused token."""
        self.monitor.resume()
        self._emit(EngineChanged())

    def refresh_all(self) -> None:
        self.monitor.refresh()

    def prioritise(self, bulk_ids: Sequence[str]) -> None:
        """The bulks on screen, the selected one first: their side work goes first."""
        self.monitor.prioritise(bulk_ids)

    def refresh(self, bulk_id: str) -> str | None:
        """Fetch one bulk now, even while paused (a person asked); None when it is on its way,
        else why it cannot go out (the guard decides, as for every request)."""
        blocked: Breaker | None = self.monitor.fetch_now(bulk_id)
        return None if blocked is None else blocked.reason(self.clock.now())

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
            self._notice(f"Not bulk ids, left out: {', '.join(left[:5])}", "warning")
        before = set(self.watchlist.ids)
        self._saved(lambda: self.watchlist.add_many(valid))
        added = [bulk_id for bulk_id in self.watchlist.ids if bulk_id not in before]
        now = self.clock.now()
        self._added_at.update(dict.fromkeys(added, now))
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
        self._set_undo([Removed(index, entry)])
        self._follow_store()
        self._notice(
            f"Stopped watching {names(self._last_removal or [])} "
            f"({self.key_name('undo')} undoes it).",
            timeout=6,
        )
        return True

    def undo(self) -> None:
        """Put back what left last, where it stood: the bulk removed here, or every bulk an
        outside change removed."""
        removal = self._last_removal
        if removal is None:
            self._notice("Nothing to undo.", "warning", 5)
            return
        self._saved(lambda: self.watchlist.put_back(removal))
        if self.damage is not None:  # refused: nothing was put back, u can try again
            return
        self._set_undo(None)
        for item in removal:
            self._pending.pop(item.entry.bulk_id, None)
        self._follow_store(select=removal[0].entry.bulk_id)
        self._notice(f"Watching {names(removal)} again.", timeout=3)

    def set_label(self, bulk_id: str, label: str) -> None:
        self._saved(lambda: self.watchlist.set_label(bulk_id, label))
        self._follow_store()

    def _set_undo(self, removal: list[Removed] | None) -> None:
        had = self._last_removal is not None
        self._last_removal = removal
        if had != (removal is not None):
            self._emit(UndoChanged(removal is not None))

    def _saved(self, change: Callable[[], T]) -> T | None:
        """Run a watch-list change. If the file cannot be read, the store refused the change
        (nothing changed): say so and offer a good copy. If it cannot be written, say so (the
        change holds in memory for this session)."""
        try:
            return change()
        except WatchListDamaged as damage:
            self._notice(f"{damage} This change was not made.", "error", 15)
            self._found_damage(damage)
            return None
        except OSError as error:  # a StateFault says which file, why and what to do
            self._notice(f"{capitalised(str(error))}. It holds for this session only.", "error", 15)
            return None

    def _follow_store(self, select: str | None = None) -> None:
        """Make the engine and the screen watch exactly what the store lists (other processes
        may have changed it, and every change of ours re-reads it first)."""
        listed = self.watchlist.ids
        listed_set = set(listed)
        new = [bulk_id for bulk_id in listed if bulk_id not in self._states]
        self._load_timelines([bulk_id for bulk_id in new if bulk_id not in self._recorded])
        for bulk_id in new:
            self._show_state(self.monitor.watch(bulk_id))
        removed = frozenset(b for b in self._states if b not in listed_set)
        for bulk_id in removed:
            self.monitor.unwatch(bulk_id)
            self._states.pop(bulk_id, None)
            self._tally.drop(bulk_id)
            self._previous.pop(bulk_id, None)
            self._pending.pop(bulk_id, None)
        if listed != self._order or select is not None:
            self._order = list(listed)
            self._emit(ListChanged(removed, select))
        else:  # the same bulks in the same order: labels may differ
            self._emit(RowsChanged(frozenset(listed)))

    # ------------------------------------------------------------ the file

    def follow_file(self) -> None:
        """Another process changed the watch-list file: follow it, without a restart. A file
        that became unreadable leaves the list shown as it is and offers the last good copy."""
        if not self.watchlist.changed_on_disk():
            return
        try:
            diff = self.watchlist.reload()
        except WatchListDamaged as damage:
            self._found_damage(damage)
            return
        except OSError:  # a StateFault (its lock held, say): followed at the next look
            return
        self._readable_again()
        self._adopt(diff, "The watch list changed outside this window")

    def _adopt(self, diff: WatchListDiff, what: str) -> None:
        """Show the list the store holds now and say what changed. Bulks that left are named,
        and u puts them back: nothing leaves the dashboard silently."""
        if not diff:
            return
        self._follow_store()
        parts = [
            f"{count} {how}"
            for count, how in (
                (len(diff.added), "added"),
                (len(diff.removed), "removed"),
                (len(diff.relabeled), "relabeled"),
            )
            if count
        ]
        if not diff.removed:
            self._notice(f"{what}: {', '.join(parts)}.", timeout=6)
            return
        self._set_undo(list(diff.removed))
        self._notice(
            f"{what}: {', '.join(parts)}. Gone: {names(diff.removed)}. "
            f"{self.key_name('undo')} puts them back.",
            "warning",
            30,
        )

    def _found_damage(self, damage: WatchListDamaged) -> None:
        self.damage = damage
        self._emit(DamageFound(damage, self.watchlist.restore_candidate(), len(self.ids)))

    def ask_about_damage(self) -> None:
        """Ask again about the damaged file (the person put the question off)."""
        if self.damage is not None:
            self._found_damage(self.damage)

    def put_off_damage(self) -> None:
        if self.damage is None:
            return
        self._notice(
            f"Nothing was written: {self.damage.path} stays as it is, and changes made here "
            "are not saved until you decide (ctrl+p → Damaged watch list).",
            "warning",
            15,
        )

    def restore(self, copy: Backup | None = None) -> None:
        """Bring back a kept copy of the list (the store's default choice without one)."""
        try:
            restored = self.watchlist.restore(copy)
        except (NothingToRestore, OSError) as error:
            self._notice(f"Nothing was restored: {error}", "error", 15)
            return
        self._readable_again()
        aside = restored.damaged_kept_at
        self._notice(
            f"Restored {restored.backup.describe()}."
            + (f" The damaged file was kept as {aside}." if aside else "")
        )
        self._adopt(restored.diff, "Restoring changed the list")

    def keep_list_over_damaged(self) -> None:
        """Save the list shown in place of the damaged file, which is kept aside."""
        try:
            aside = self.watchlist.replace_damaged_file()
        except OSError as error:
            self._notice(f"The list could not be written: {error}", "error", 15)
            return
        self._readable_again()
        if aside is None:  # it became readable meanwhile: follow it instead
            self.follow_file()
            return
        self._notice(f"The damaged file was kept as {aside}; the list shown is saved in its place.")

    def _readable_again(self) -> None:
        if self.damage is not None:
            self.damage = None
            self._emit(DamageCleared())

    # ------------------------------------------------------------ export

    def export(self, path: str, bulk_ids: Sequence[str]) -> None:
        """Write what the session knows now (no extra requests) of ``bulk_ids``, in that order,
        to ``path``, whole or not at all."""
        now = self.now()
        rows = [export_row(self.label_of(b), self._states[b], now) for b in bulk_ids]
        try:
            write_export(path, rows)
        except OSError as error:
            self._notice(f"Cannot write {path}: {why_not_written(error)}", "error")
            return
        self._notice(f"Exported {humanize.plural(len(rows), 'bulk')} to {path}", timeout=5)


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def names(removed: Sequence[Removed], most: int = 5) -> str:
    """'“Black Friday”, 0e03b500-… and 3 more': labels where there are some."""
    shown = [
        f"“{item.entry.label}”" if item.entry.label else item.entry.bulk_id for item in removed
    ]
    more = len(shown) - most
    return ", ".join(shown[:most]) + (f" and {more} more" if more > 0 else "")


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
