"""Every account the dashboard shows, as one list of rows.

Each account keeps its own :class:`~lox24tui.session.watch_session.WatchSession`: its watch list
(its own file), its engine and guard, its balance. Nothing here merges what must stay apart; it
joins the rows for the screens, and sends what a person does to one bulk to the session of the
account that watches it. With one account it is that account's session and nothing more, so a
config without ``[accounts]`` behaves as it always did.
"""

from __future__ import annotations

from collections import ChainMap, Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from lox24tui.api import StatusReply
from lox24tui.clock import Clock
from lox24tui.engine.bulk_state import PENDING, BulkState, export_row
from lox24tui.engine.monitor import Summary
from lox24tui.session.engagement_cache import Engaged
from lox24tui.session.events import SessionEvent, SessionListener, UndoChanged
from lox24tui.session.status_history import TimelineStep
from lox24tui.session.watch_session import WatchSession, write_rows
from lox24tui.state.history import ProgressSample


@dataclass(frozen=True, slots=True)
class AccountTag:
    """How the dashboard names an account beside its rows."""

    name: str | None
    """Its ``[accounts.NAME]`` (``--account`` takes it); None: the default account."""
    label: str
    """What people call it ("Shop", "Swiss branch")."""
    colour: str | None = None
    """Its colour, as Rich reads it ("green", "#ff8800"); None: the theme's text colour."""

    @property
    def short(self) -> str:
        """What the account filter matches: ``@NAME`` shows its rows only."""
        return self.name or self.label.lower()


@dataclass(frozen=True, slots=True)
class AccountSession:
    """One account: how it is named, and its watch session."""

    tag: AccountTag
    session: WatchSession


class AllAccounts:
    """The accounts' rows as one list, in account order, then each list's own order."""

    def __init__(self, accounts: Sequence[AccountSession]) -> None:
        if not accounts:
            raise ValueError("a dashboard shows at least one account")
        self.accounts = tuple(accounts)
        self._states: ChainMap[str, BulkState] = ChainMap(
            *(account.session.states for account in self.accounts)  # type: ignore[arg-type]
        )
        self.engine = AllEngines(self)
        self.engagement = AllEngagement(self)
        self.undo_removal = LastRemovalOfAll(self.accounts[0].session)
        """Whose removal undo puts back: the account that removed last."""
        first = self.accounts[0].session
        self.clock: Clock = first.clock
        self.demo = first.demo
        self.archive_after = first.archive.hours
        for account in self.accounts:
            account.session.listen(self.undo_removal.listener(account.session))

    @property
    def several(self) -> bool:
        """More than one account: the table gets an account column, the bar a line each."""
        return len(self.accounts) > 1

    @property
    def sessions(self) -> Iterator[WatchSession]:
        return (account.session for account in self.accounts)

    def account_of(self, bulk_id: str) -> AccountSession:
        """The account that watches ``bulk_id`` (the first one to list it); the first account
        for an id none lists (so nothing a screen still shows can fail)."""
        if len(self.accounts) == 1:  # asked for every cell: one account costs no search
            return self.accounts[0]
        for account in self.accounts:
            if bulk_id in account.session.states or bulk_id in account.session.watchlist:
                return account
        return self.accounts[0]

    def session_of(self, bulk_id: str) -> WatchSession:
        return self.account_of(bulk_id).session

    def tag_of(self, bulk_id: str) -> AccountTag | None:
        """The account the row belongs to, when there are several to tell apart."""
        return self.account_of(bulk_id).tag if self.several else None

    # ------------------------------------------------------------ reading

    @property
    def ids(self) -> list[str]:
        """Every account's watched bulks, account after account; an id two lists share shows
        once, under the first account (a table has one row per bulk)."""
        if not self.several:
            return self.accounts[0].session.ids
        return list(dict.fromkeys(b for session in self.sessions for b in session.ids))

    @property
    def states(self) -> Mapping[str, BulkState]:
        if len(self.accounts) == 1:  # the session's own dict: a plain lookup per cell
            return self.accounts[0].session.states
        return self._states

    def label_of(self, bulk_id: str) -> str:
        return self.session_of(bulk_id).label_of(bulk_id)

    def name_of(self, bulk_id: str) -> str:
        return self.session_of(bulk_id).name_of(bulk_id)

    def timeline(self, bulk_id: str) -> list[TimelineStep]:
        return self.session_of(bulk_id).timeline(bulk_id)

    def progress(self, bulk_id: str) -> list[ProgressSample]:
        return self.session_of(bulk_id).progress(bulk_id)

    def previous_reply(self, bulk_id: str) -> StatusReply | None:
        return self.session_of(bulk_id).previous_reply(bulk_id)

    def can_cancel(self, bulk_id: str) -> bool:
        return self.session_of(bulk_id).can_cancel(bulk_id)

    def why_no_cancel(self, bulk_id: str) -> str | None:
        return self.session_of(bulk_id).why_no_cancel(bulk_id)

    def is_archived(self, bulk_id: str) -> bool:
        return self.session_of(bulk_id).archive.hides(bulk_id)

    def currency_of(self, bulk_id: str) -> str | None:
        """The currency of the account that watches ``bulk_id``, once its balance was read."""
        return self.session_of(bulk_id).balance.currency

    @property
    def currency(self) -> str | None:
        """The one currency of every account, once known; None while unknown or when the
        accounts pay in different ones (then each amount says its own)."""
        currencies = {session.balance.currency for session in self.sessions}
        return currencies.pop() if len(currencies) == 1 else None

    def now(self) -> datetime:
        return self.accounts[0].session.now()

    @property
    def key_name(self) -> Callable[[str], str]:
        return self.accounts[0].session.key_name

    @key_name.setter
    def key_name(self, key_name: Callable[[str], str]) -> None:
        for session in self.sessions:
            session.key_name = key_name

    def summary(self, *, archived: bool = True) -> Summary:
        """Every account's counts together, and the engine's state of the first account held
        by what is not its own (a 429, an outage, a pause by the person), else of the first:
        a refused token or a missing one is that account's, said on its line and its rows.
        The totals of the cost are added only where the accounts share a currency."""
        sessions = list(self.sessions)
        summaries = [session.summary(archived=archived) for session in sessions]
        if len(summaries) == 1:
            return summaries[0]
        held = [
            summary
            for summary, session in zip(summaries, sessions, strict=True)
            if (summary.breaker is not None or summary.paused) and session.engine.row_stop is None
        ]
        engine = held[0] if held else summaries[0]
        by_status: Counter[str] = Counter()
        for one, session in zip(summaries, sessions, strict=True):
            counts = dict(one.by_status)
            stop = session.engine.row_stop
            if stop is not None and PENDING in counts:  # nothing checks them: said as the rows say
                counts[stop] = counts.pop(PENDING)
            by_status.update(counts)
        return replace(
            engine,
            by_status=dict(by_status),
            total_messages=sum(s.total_messages for s in summaries),
            total_price=sum((s.total_price for s in summaries), Decimal(0)),
            watched=sum(s.watched for s in summaries),
            in_flight=sum(s.in_flight for s in summaries),
            requests_sent=sum(s.requests_sent for s in summaries),
        )

    def archived_count(self) -> int:
        return sum(session.archive.count for session in self.sessions)

    # ------------------------------------------------------------ events

    def flush(self) -> None:
        for session in self.sessions:
            session.flush()

    @property
    def is_current(self) -> bool:
        return all(session.is_current for session in self.sessions)

    # ------------------------------------------------------------ changing the lists

    def remove(self, bulk_id: str) -> bool:
        session = self.session_of(bulk_id)
        removed = session.remove(bulk_id)
        if removed:  # its removal is the last one now, whatever the others hold
            self.undo_removal.last(session, can_undo=True)
        return removed

    def set_label(self, bulk_id: str, label: str) -> None:
        self.session_of(bulk_id).set_label(bulk_id, label)

    def export(self, path: str, bulk_ids: Sequence[str]) -> None:
        """What every account knows now of ``bulk_ids``, in that order, in one file (each row
        from its own account's session)."""
        if not self.several:
            self.accounts[0].session.export(path, bulk_ids)
            return
        now = self.now()
        rows = [export_row(self.label_of(b), self.states[b], now) for b in bulk_ids]
        write_rows(path, rows, self.accounts[0].session.events)


class LastRemovalOfAll:
    """Undo across accounts: what left last, in the account it left (a bulk removed here, or
    bulks another process removed from an account's file)."""

    def __init__(self, first: WatchSession) -> None:
        self._first = first
        self._order: list[WatchSession] = []
        """The accounts with something to undo, the one that removed last at the end."""

    def listener(self, session: WatchSession) -> SessionListener:
        def heard(event: SessionEvent) -> None:
            if isinstance(event, UndoChanged):
                self.last(session, can_undo=event.can_undo)

        return heard

    def last(self, session: WatchSession, *, can_undo: bool) -> None:
        if session in self._order:
            self._order.remove(session)
        if can_undo:
            self._order.append(session)

    @property
    def can_undo(self) -> bool:
        return bool(self._order)

    def undo(self) -> None:
        """Put back what left last (with nothing to undo, the first account says so)."""
        (self._order[-1] if self._order else self._first).undo()


class AllEngines:
    """The accounts' engines, as the person controls them: pause and resume act on all; a
    refresh of one bulk goes to its account's."""

    def __init__(self, accounts: AllAccounts) -> None:
        self._accounts = accounts

    @property
    def interval(self) -> float:
        return self._accounts.accounts[0].session.engine.interval

    @property
    def waiting_for_token(self) -> bool:
        return all(session.engine.waiting_for_token for session in self._accounts.sessions)

    @property
    def held(self) -> bool:
        return any(session.engine.held for session in self._accounts.sessions)

    @property
    def counting_down(self) -> bool:
        return any(session.engine.counting_down for session in self._accounts.sessions)

    @property
    def failure(self) -> str | None:
        return next((s.engine.failure for s in self._accounts.sessions if s.engine.failure), None)

    def pause(self) -> None:
        for session in self._accounts.sessions:
            session.engine.pause()

    def resume(self) -> None:
        for session in self._accounts.sessions:
            session.engine.resume()

    def refresh_all(self) -> None:
        for session in self._accounts.sessions:
            session.engine.refresh_all()

    def refresh(self, bulk_id: str) -> str | None:
        return self._accounts.session_of(bulk_id).engine.refresh(bulk_id)

    def stop_of(self, bulk_id: str) -> str | None:
        """Why the row's account checks none of its bulks (a refused token, no token), when
        there are several accounts: its rows say it, and only its rows."""
        accounts = self._accounts
        return accounts.session_of(bulk_id).engine.row_stop if accounts.several else None

    def stops(self) -> dict[AccountTag, str | None]:
        return {a.tag: a.session.engine.row_stop for a in self._accounts.accounts}

    def prioritise(self, bulk_ids: Sequence[str]) -> None:
        """Each engine gets the bulks on screen that are its own, in screen order."""
        for account in self._accounts.accounts:
            session = account.session
            session.engine.prioritise([b for b in bulk_ids if b in session.states])


class AllEngagement:
    """Each bulk's clicks and replies, kept by its own account (read with its token)."""

    def __init__(self, accounts: AllAccounts) -> None:
        self._accounts = accounts

    @property
    def in_table(self) -> bool:
        return self._accounts.accounts[0].session.engagement.in_table

    def show_in_table(self, shown: bool) -> None:
        for session in self._accounts.sessions:
            session.engagement.show_in_table(shown)

    def get(self, bulk_id: str) -> Engaged | None:
        return self._accounts.session_of(bulk_id).engagement.get(bulk_id)

    def claim(self, state: BulkState, now: float) -> bool:
        return self._accounts.session_of(state.bulk_id).engagement.claim(state, now)

    def due(self, state: BulkState, now: float) -> float | None:
        return self._accounts.session_of(state.bulk_id).engagement.due(state, now)

    def reading(self, bulk_id: str) -> bool:
        return self._accounts.session_of(bulk_id).engagement.reading(bulk_id)

    def release(self, bulk_id: str) -> None:
        self._accounts.session_of(bulk_id).engagement.release(bulk_id)
