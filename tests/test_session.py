"""The watch session without a terminal: undo, following the file, the damaged-file question,
and the engine's updates taken in batches, told as typed events."""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest

from lox24tui.account.guard import WritesDisabled
from lox24tui.api import Account, BulkStatus, Lox24Client, RateLimited, StatusReply, Token
from lox24tui.clock import VirtualClock
from lox24tui.engine.delivery import DeliveryBreakdown
from lox24tui.engine.monitor import Monitor
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.server import serve
from lox24tui.insight.progress import Outlook, estimate
from lox24tui.session.engagement_cache import MAX_AGE, Engaged
from lox24tui.session.events import (
    DamageCleared,
    DamageFound,
    EngineChanged,
    ListChanged,
    Notice,
    RowsChanged,
    SessionEvent,
    StatusMoved,
    UndoChanged,
)
from lox24tui.session.watch_session import WatchSession
from lox24tui.state.history import History
from lox24tui.state.store import WatchList
from tests.state_faults import immutable

from .conftest import Unused

Event = TypeVar("Event", bound=SessionEvent)

IDS = [f"00000000-0000-1000-8000-00000000000{n}" for n in range(1, 6)]


class Recorder:
    """What the session told its front end, in order."""

    def __init__(self, session: WatchSession) -> None:
        self.events: list[SessionEvent] = []
        session.listen(self.events.append)

    def of(self, kind: type[Event]) -> list[Event]:
        return [event for event in self.events if isinstance(event, kind)]

    def notices(self) -> list[str]:
        return [event.message for event in self.events if isinstance(event, Notice)]


def session_on(path: Path, clock: VirtualClock) -> WatchSession:
    watchlist, problem = WatchList.load(path, now=clock.now)
    assert problem is None
    session = WatchSession(watchlist, Monitor(Unused(), clock=clock), clock)  # type: ignore[arg-type]
    session.key_name = {"undo": "u", "palette": "^p"}.__getitem__  # as the dashboard names its keys
    return session


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "watch.json"
    WatchList(path).add_many([(bulk_id, f"Bulk {n}") for n, bulk_id in enumerate(IDS, 1)])
    return path


def test_undo_puts_a_removed_bulk_back_where_it_stood(path: Path, clock: VirtualClock) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    assert session.remove(IDS[2])
    assert IDS[2] not in session.ids and IDS[2] not in session.states
    assert IDS[2] not in session.monitor.watched
    assert told.of(ListChanged) == [ListChanged(removed=frozenset({IDS[2]}))]
    assert told.of(UndoChanged) == [UndoChanged(True)]
    assert told.of(Notice) == [Notice("Stopped watching “Bulk 3” (u undoes it).", timeout=6)]

    session.undo()
    assert told.of(Notice)[-1] == Notice("Watching “Bulk 3” again.", timeout=3)
    assert session.ids == IDS
    assert session.label_of(IDS[2]) == "Bulk 3"
    assert WatchList.load(path)[0].ids == IDS  # saved, in its place
    assert IDS[2] in session.monitor.watched
    assert told.of(ListChanged)[-1] == ListChanged(select=IDS[2])
    assert told.of(UndoChanged)[-1] == UndoChanged(False)
    assert not session.undo_removal.can_undo


def test_a_removal_of_many_names_five_and_counts_the_rest(path: Path, clock: VirtualClock) -> None:
    more = [f"00000000-0000-1000-8000-00000000001{n}" for n in range(2)]
    WatchList.load(path)[0].add_many([(bulk_id, "") for bulk_id in more])  # unlabelled
    session = session_on(path, clock)
    told = Recorder(session)
    assert not session.remove("00000000-0000-1000-8000-000000000099")  # not watched
    assert told.events == []
    other = WatchList.load(path)[0]  # another process takes seven away
    other.remove_many([*IDS[:4], *more])  # six: five named, one counted
    session.file.follow()
    [gone] = told.of(Notice)
    assert isinstance(gone, Notice)
    assert "Gone: “Bulk 1”, “Bulk 2”, “Bulk 3”, “Bulk 4”, " in gone.message
    assert f"{more[0]} and 1 more. u puts them back." in gone.message
    session.undo()
    assert told.of(Notice)[-1] == Notice(
        f"Watching “Bulk 1”, “Bulk 2”, “Bulk 3”, “Bulk 4”, {more[0]} and 1 more again.",
        timeout=3,
    )
    assert session.ids == [*IDS, *more]
    WatchList.load(path)[0].remove_many(IDS)  # five: every one named
    session.file.follow()
    assert told.notices()[-1].endswith(
        "Gone: “Bulk 1”, “Bulk 2”, “Bulk 3”, “Bulk 4”, “Bulk 5”. u puts them back."
    )


def test_undo_with_nothing_to_undo_says_so(path: Path, clock: VirtualClock) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    session.undo()
    assert told.events == [Notice("Nothing to undo.", "warning", 5)]
    assert session.ids == IDS


def test_a_relabel_redraws_the_row_and_is_saved(path: Path, clock: VirtualClock) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    session.set_label(IDS[0], "Black Friday")
    assert told.events == [RowsChanged(frozenset(IDS))]
    assert WatchList.load(path)[0].label_of(IDS[0]) == "Black Friday"


def test_adding_selects_the_first_new_bulk_and_skips_watched_ones(
    path: Path, clock: VirtualClock
) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    new = "00000000-0000-1000-8000-000000000009"
    assert session.add([IDS[0], new], "More") == [new]
    assert session.ids == [*IDS, new]
    assert session.label_of(IDS[0]) == "Bulk 1"  # an id already watched keeps its label
    assert told.of(ListChanged) == [ListChanged(select=new)]
    assert new in session.monitor.watched


def test_changes_made_by_another_process_are_followed_and_removals_can_be_undone(
    path: Path, clock: VirtualClock
) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    other = WatchList.load(path)[0]  # `lox24tui watch` in another terminal
    other.remove_many([IDS[1], IDS[3]])
    other.add("00000000-0000-1000-8000-000000000009", "Added outside")

    session.file.follow()
    assert session.ids == other.ids
    assert sorted(session.monitor.watched) == sorted(other.ids)
    assert told.of(ListChanged) == [ListChanged(removed=frozenset({IDS[1], IDS[3]}))]
    assert told.of(Notice) == [
        Notice(
            "The watch list changed outside this window: 1 added, 2 removed. "
            "Gone: “Bulk 2”, “Bulk 4”. u puts them back.",
            "warning",
            30,  # long enough to read the names and reach for u
        )
    ]

    session.undo()
    assert session.ids[:5] == IDS
    assert WatchList.load(path)[0].ids[:5] == IDS


def test_an_unchanged_file_is_not_read_again(path: Path, clock: VirtualClock) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    session.file.follow()
    assert told.events == []


def test_a_damaged_file_keeps_the_list_shown_and_asks(path: Path, clock: VirtualClock) -> None:
    session = session_on(path, clock)
    session.set_label(IDS[0], "Kept copy")  # a write, so there is a good copy to offer
    told = Recorder(session)
    path.write_text("{ this is not json")

    session.file.follow()
    [found] = told.of(DamageFound)
    assert isinstance(found, DamageFound)
    assert found.copy is not None and found.listed == len(IDS)
    assert session.ids == IDS and session.file.damage is not None

    told.events.clear()
    session.remove(IDS[0])  # refused: the store writes nothing over a damaged file
    assert session.ids == IDS
    assert path.read_text() == "{ this is not json"
    assert any("This change was not made." in text for text in told.notices())

    session.file.restore(found.copy)
    assert session.file.damage is None
    assert told.of(DamageCleared) == [DamageCleared()]
    assert json.loads(path.read_text())  # a good file again
    assert WatchList.load(path)[0].label_of(IDS[0]) == "Kept copy"


def demo_watchlist(fake: FakeLox24, tmp_path: Path) -> tuple[VirtualClock, WatchList]:
    """The fake's clock, and a watch list of the demo's featured bulks."""
    clock = fake.clock
    assert isinstance(clock, VirtualClock)
    watchlist = WatchList(tmp_path / "watch.json", now=clock.now)
    watchlist.add_many(fake.account.watched_demo_ids())
    return clock, watchlist


def demo_session(
    fake: FakeLox24, client: Lox24Client, tmp_path: Path, **options: Any
) -> tuple[VirtualClock, WatchList, Monitor, WatchSession]:
    """A session on the demo's featured bulks, its engine checking every 5 s (not started)."""
    clock, watchlist = demo_watchlist(fake, tmp_path)
    monitor = Monitor(client, interval=5, clock=clock)
    return clock, watchlist, monitor, WatchSession(watchlist, monitor, clock, **options)


async def run_for(monitor: Monitor, session: WatchSession, clock: VirtualClock, steps: int) -> None:
    """Run the engine for ``steps`` rounds of 5 s, flushing the session after each."""
    monitor.start()
    try:
        for _ in range(steps):
            await asyncio.wait_for(monitor.wait_idle(), 10)
            session.flush()
            clock.advance(5)
    finally:
        await monitor.stop()


async def test_updates_are_taken_in_one_batch_and_status_changes_told(
    fake: FakeLox24, client: Lox24Client, tmp_path: Path
) -> None:
    clock, watchlist, monitor, session = demo_session(fake, client, tmp_path)
    told = Recorder(session)
    monitor.start()
    try:
        await asyncio.wait_for(monitor.wait_idle(), 10)
        assert not session.is_current  # the answers wait for the flush
        assert all(state.reply is None for state in session.states.values())
        session.flush()
        assert session.is_current
        assert told.of(RowsChanged) == [RowsChanged(frozenset(watchlist.ids))]
        assert told.of(StatusMoved) == []  # first answers are not changes
        for _ in range(12):  # a minute: the demo's bulks move on
            clock.advance(5)
            await asyncio.wait_for(monitor.wait_idle(), 10)
            session.flush()
    finally:
        await monitor.stop()
    moved = told.of(StatusMoved)
    assert moved
    for event in moved:
        assert isinstance(event, StatusMoved)
        assert event.before != event.after
        assert event.name == (watchlist.label_of(event.bulk_id) or event.bulk_id)
    last = {event.bulk_id: event for event in moved if isinstance(event, StatusMoved)}
    for bulk_id, event in last.items():
        state = session.states[bulk_id]
        reply = state.reply
        assert reply is not None and event.after == reply.status.label_at(session.now())
        assert event.code == reply.status.status_code
        assert (event.final, event.failed) == (state.is_final, reply.status.status.is_failed)
        assert isinstance(event.before, str) and event.before
    # the pane marks what changed: the answer before the last one whose fields differed
    changed = [b for b in watchlist.ids if session.previous_reply(b) is not None]
    assert changed
    for bulk_id in changed:
        before, now = session.previous_reply(bulk_id), session.states[bulk_id].reply
        assert before is not None and now is not None
        assert before.status.model_dump() != now.status.model_dump()


# ------------------------------------------------------------------ more of the session's rules


def test_export_writes_the_bulks_asked_for_in_that_order(
    path: Path, clock: VirtualClock, tmp_path: Path
) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    target = tmp_path / "out.json"
    session.export(str(target), [IDS[3], IDS[0]])
    records = json.loads(target.read_text())
    assert [(r["id"], r["label"]) for r in records] == [(IDS[3], "Bulk 4"), (IDS[0], "Bulk 1")]
    assert told.events == [Notice(f"Exported 2 bulks to {target}", "information", 5)]


def test_an_export_that_cannot_be_written_names_the_place_and_writes_nothing(
    path: Path, clock: VirtualClock, tmp_path: Path
) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    (tmp_path / "taken").write_text("a file, not a folder")
    target = tmp_path / "taken" / "out.csv"
    session.export(str(target), IDS)
    [notice] = told.events
    assert isinstance(notice, Notice) and notice.severity == "error"
    assert notice.message.startswith(f"Cannot write {target}: ")
    assert ".out.csv." not in notice.message  # never the temporary file's name
    assert not target.exists()


def test_a_change_that_cannot_be_saved_holds_for_the_session_and_says_so(
    path: Path, clock: VirtualClock
) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    folder = session.watchlist.backups_folder
    if folder.exists():
        shutil.rmtree(folder)
    folder.write_text("a file where the copies' folder goes: nothing can be kept there")
    session.set_label(IDS[0], "Unsaved")
    [said] = [e for e in told.of(Notice) if "the change was not saved" in e.message]
    assert isinstance(said, Notice) and (said.severity, said.timeout) == ("error", 15)
    assert f"{folder} is a file, not a folder" in said.message
    assert said.message.endswith("It holds for this session only.")
    assert said.message[0].isupper()  # the OS's words, made a sentence


def test_putting_off_the_damage_question_says_nothing_is_written(
    path: Path, clock: VirtualClock
) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    session.file.put_off()
    assert told.events == []  # nothing damaged, nothing to say
    path.write_text("not json")
    session.file.follow()
    told.events.clear()
    session.file.put_off()
    [notice] = told.events
    assert notice == Notice(
        f"Nothing was written: {path} stays as it is, and changes made here are not saved "
        "until you decide (^p → Damaged watch list).",
        "warning",
        15,
    )
    session.file.ask_again()
    assert isinstance(told.events[-1], DamageFound)


def test_keeping_the_list_shown_over_a_damaged_file(path: Path, clock: VirtualClock) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    path.write_text("not json")
    session.file.follow()
    session.file.keep_list_shown()
    assert session.file.damage is None and DamageCleared() in told.events
    assert WatchList.load(path)[0].ids == IDS
    [aside] = path.parent.glob(f"{path.name}.damaged-*")
    assert told.of(Notice)[-1] == Notice(
        f"The damaged file was kept as {aside}; the list shown is saved in its place."
    )
    assert aside.read_text() == "not json"  # kept aside, never deleted


def test_restoring_with_no_copy_says_so(path: Path, clock: VirtualClock, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.json"
    fresh.write_text("not json")
    watchlist = WatchList(fresh, now=clock.now)
    session = WatchSession(watchlist, Monitor(Unused(), clock=clock), clock)  # type: ignore[arg-type]
    told = Recorder(session)
    session.file.restore()
    [notice] = told.events
    assert isinstance(notice, Notice) and notice.severity == "error" and notice.timeout == 15
    assert notice.message.startswith("Nothing was restored: ")


async def test_a_restart_adds_no_step_and_a_change_while_away_is_recorded_as_one(
    fake: FakeLox24, client: Lox24Client, tmp_path: Path
) -> None:
    clock, watchlist = demo_watchlist(fake, tmp_path)
    history_path = tmp_path / "history.sqlite3"

    async def run(seconds: float) -> dict[str, list[str]]:
        monitor = Monitor(client, interval=5, clock=clock)
        with History(history_path, clock=clock.now) as history:
            session = WatchSession(watchlist, monitor, clock, history=history)
            await run_for(monitor, session, clock, int(seconds // 5) + 1)
            return {b: [step.label for step in session.timeline(b)] for b in watchlist.ids}

    first = await run(0)
    assert all(len(steps) == 1 for steps in first.values())  # the status first seen
    clock.advance(600)  # closed for ten minutes: demo bulks move on meanwhile
    second = await run(0)
    for bulk_id, steps in second.items():
        assert steps[: len(first[bulk_id])] == first[bulk_id]
        assert len(steps) <= 2  # at most the one change seen on return
        if len(steps) == 2:
            assert steps[0] != steps[1]
    with History(history_path, clock=clock.now) as history:
        moved = [t for t in history.transitions(watchlist.ids) if t.from_code is not None]
    assert moved and all(t.from_code != t.to_code for t in moved)


def test_archived_means_finished_more_than_archive_after_hours_ago(
    path: Path, clock: VirtualClock
) -> None:
    session = session_on(path, clock)
    assert not any(session.archive.hides(b) for b in IDS)  # no status known yet
    session.archive.hours = 0
    assert not any(session.archive.hides(b) for b in IDS)


def test_only_new_or_sending_bulks_can_be_canceled_and_never_read_only(
    path: Path, clock: VirtualClock
) -> None:
    session = session_on(path, clock)
    assert not session.can_cancel(IDS[0])  # no status known: nothing to offer
    assert not session.can_cancel("00000000-0000-1000-8000-000000000099")  # not watched


async def test_without_a_history_the_timeline_is_what_this_run_saw(
    fake: FakeLox24, client: Lox24Client, tmp_path: Path
) -> None:
    clock, watchlist, monitor, session = demo_session(fake, client, tmp_path, archive_after=24)
    await run_for(monitor, session, clock, 13)
    moved = [b for b in watchlist.ids if len(session.timeline(b)) > 1]
    assert moved  # the demo's bulks move within the first minute
    for bulk_id in moved:
        steps = session.timeline(bulk_id)
        state = session.states[bulk_id]
        assert [s.at for s in steps] == [t.at for t in state.history]
        assert all(a.label != b.label for a, b in itertools.pairwise(steps))
    assert session.timeline("00000000-0000-1000-8000-000000000099") == []

    archived = {b for b in watchlist.ids if session.archive.hides(b)}
    assert archived and session.archive.count == len(archived)
    now = clock.now()
    for bulk_id in watchlist.ids:
        state = session.states[bulk_id]
        assert state.reply is not None
        status = state.reply.status
        ended = status.processed_at or status.delivery_at or status.created_at
        old = ended is not None and now - ended.timestamp() > 24 * 3600
        assert (bulk_id in archived) == (state.is_final and old), bulk_id
    session.archive.hours = 0
    assert not any(session.archive.hides(b) for b in watchlist.ids)
    sending = [b for b in watchlist.ids if session.states[b].status_code in (0, 5)]
    assert sending and all(session.can_cancel(b) for b in sending)
    session.read_only = True
    assert not any(session.can_cancel(b) for b in sending)


def test_ids_that_are_not_bulk_ids_are_left_out_and_named(path: Path, clock: VirtualClock) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    new = "00000000-0000-1000-8000-000000000009"
    assert session.add_labelled([("../me", "x"), (new, "Fine")]) == [new]
    assert Notice("Not bulk ids, left out: ../me", "warning", 10) in told.events
    assert session.label_of(new) == "Fine"
    told.events.clear()
    other = "00000000-0000-1000-8000-000000000008"
    assert session.add_labelled([(other, "")]) == [other]
    assert told.of(Notice) == []  # every id fine: nothing to say
    many = [(f"bad {n}", "") for n in range(7)]
    assert session.add_labelled(many) == []
    assert told.of(Notice) == [
        Notice("Not bulk ids, left out: bad 0, bad 1, bad 2, bad 3, bad 4", "warning", 10)
    ]


def test_a_change_refused_over_a_damaged_file_says_so_exactly(
    path: Path, clock: VirtualClock
) -> None:
    session = session_on(path, clock)
    path.write_text("not json")
    told = Recorder(session)
    session.set_label(IDS[0], "Refused")
    [notice] = [e for e in told.events if isinstance(e, Notice)]
    assert notice.severity == "error" and notice.timeout == 15
    assert notice.message.endswith(" This change was not made.")
    assert str(path) in notice.message
    assert session.label_of(IDS[0]) == "Bulk 1"


def test_an_outside_addition_is_named_without_a_warning(path: Path, clock: VirtualClock) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    other = WatchList.load(path)[0]
    other.add("00000000-0000-1000-8000-000000000009", "Outside")
    session.file.follow()
    assert told.of(Notice) == [
        Notice("The watch list changed outside this window: 1 added.", "information", 6)
    ]
    assert not session.undo_removal.can_undo


def test_restoring_says_which_copy_and_where_the_damaged_file_went(
    path: Path, clock: VirtualClock
) -> None:
    session = session_on(path, clock)
    session.set_label(IDS[0], "Kept")
    path.write_text("not json")
    session.file.follow()
    told = Recorder(session)
    session.file.restore()
    first = told.of(Notice)[0]
    assert isinstance(first, Notice) and first.severity == "information"
    assert first.message.startswith("Restored ")
    assert " The damaged file was kept as " in first.message
    assert session.file.damage is None


def test_the_engine_controls_say_what_they_did_to_the_front_end(
    path: Path, clock: VirtualClock
) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    engine = session.engine
    engine.wait_for_token()
    assert engine.waiting_for_token and engine.held
    assert session.summary().pause_reason == "no API token"
    engine.token_ready()  # the engine goes on; the bar learns it at the next flush
    assert not engine.waiting_for_token and not engine.held and not session.is_current
    session.flush()
    assert told.of(EngineChanged) == [EngineChanged()]
    engine.pause()
    assert engine.held and session.summary().pause_reason == "by you"
    engine.resume()
    assert not engine.held and session.summary().pause_reason is None
    assert len(told.of(EngineChanged)) == 3  # paused, resumed: each said at once
    assert engine.interval == session.monitor.interval and not engine.counting_down
    assert engine.why_blocked() is None
    engine.failed("RuntimeError: boom")
    assert engine.failure == "RuntimeError: boom" and len(told.of(EngineChanged)) == 4


def test_the_account_shown_warns_below_low_balance_and_its_currency_is_inert(
    path: Path, clock: VirtualClock
) -> None:
    watchlist, _ = WatchList.load(path, now=clock.now)
    monitor = Monitor(Unused(), clock=clock)  # type: ignore[arg-type]
    session = WatchSession(watchlist, monitor, clock, low_balance=Decimal("100"))
    told = Recorder(session)
    balance = session.balance
    assert balance.account is None and balance.currency is None
    assert not balance.is_low and not balance.out_of_funds  # not known yet: not low
    fell = balance.seen(Account(balance_amount=Decimal("99.50"), currency="EUR\x1b[2J"))
    assert fell and balance.is_low and told.of(EngineChanged) == [EngineChanged()]
    assert balance.currency is not None and balance.currency.startswith("EUR")
    assert "\x1b" not in balance.currency  # LOX24's text cannot act on the terminal
    assert not balance.seen(Account(balance_amount=Decimal("80"), currency="EUR"))  # said once
    assert not balance.seen(Account(currency="EUR"))  # no balance in the answer: no news
    assert not balance.seen(Account(balance_amount=Decimal("100"), currency="EUR"))
    assert not balance.is_low  # at the threshold is not below it
    assert balance.seen(Account(balance_amount=Decimal("5"), currency="EUR"))  # fell again
    session.engine.token_ready()  # another token: the account shown was the old one's
    assert balance.account is None and not balance.is_low


async def test_the_summary_counts_the_rows_as_last_flushed_and_can_leave_the_archive_out(
    fake: FakeLox24, client: Lox24Client, tmp_path: Path
) -> None:
    clock, watchlist, monitor, session = demo_session(fake, client, tmp_path, archive_after=1)
    waiting = session.summary()
    assert waiting.watched == len(watchlist.ids)
    assert waiting.by_status == {"pending": len(watchlist.ids)} and waiting.total_messages == 0
    await run_for(monitor, session, clock, 1)
    shown = session.summary()
    replies = [s.reply.status for s in session.states.values() if s.reply is not None]
    assert len(replies) == len(watchlist.ids)
    assert sum(shown.by_status.values()) == shown.watched == len(watchlist.ids)
    assert shown.total_messages == sum(status.msg_total_count or 0 for status in replies)
    assert shown.total_price == sum(status.price or Decimal(0) for status in replies)
    hidden = session.archive.count
    assert hidden >= 1  # the demo's bulks that ended days ago
    assert session.summary(archived=False).watched == shown.watched - hidden
    assert not any(
        session.archive.hides(b) for b in watchlist.ids if not session.states[b].is_final
    )


def test_a_damaged_history_is_told_once_to_the_first_listener(
    path: Path, clock: VirtualClock, tmp_path: Path
) -> None:
    history_path = tmp_path / "history.sqlite3"
    history_path.write_bytes(b"this is not a database" * 100)
    watchlist, _ = WatchList.load(path, now=clock.now)
    with History(history_path, clock=clock.now) as history:
        session = WatchSession(
            watchlist,
            Monitor(Unused(), clock=clock),  # type: ignore[arg-type]
            clock,
            history=history,
        )
        assert session.timeline(IDS[0]) == []  # read before anyone listens: kept for later
        told = Recorder(session)
        away = session.history.away_summary(session.ids)
        assert away is not None and away.since is None  # a new history: nothing seen before
        [notice] = told.of(Notice)
        assert notice == Notice(
            f"The history {history_path} was damaged (file is not a database); it was kept "
            f"aside as {next(tmp_path.glob('history.sqlite3.damaged-*')).name} and a new "
            "history was started.",
            "warning",
            15,
            about="History",
        )
        session.history.away_summary(session.ids)
        assert told.of(Notice) == [notice]  # said once


def test_without_a_history_file_nothing_is_recorded_or_summed_up(
    path: Path, clock: VirtualClock
) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    assert session.history.away_summary(session.ids) is None
    assert session.history.timeline(IDS[0]) is None
    session.history.pass_on_notices()
    assert told.events == []


async def fetched_once(
    clock: VirtualClock, tmp_path: Path, bulks: list[SimBulk], archive_after: float = 0
) -> WatchSession:
    """A session watching ``bulks`` (the last one added by hand), each asked for once."""
    watchlist = WatchList(tmp_path / "watch.json", now=clock.now)
    watchlist.add_many([(bulk.uuid, "") for bulk in bulks[:-1]])
    fake = FakeLox24(SimulatedAccount(bulks), clock=clock)
    async with serve(fake) as url, Lox24Client(Token(FAKE_TOKEN), url) as client:
        monitor = Monitor(client, interval=5, clock=clock)
        session = WatchSession(watchlist, monitor, clock, archive_after=archive_after)
        session.add_labelled([(bulks[-1].uuid, "")])  # by hand, now: stays in sight
        await run_for(monitor, session, clock, 1)
    return session


async def test_a_bulk_is_archived_archive_after_hours_after_it_ended_or_was_added(
    clock: VirtualClock, tmp_path: Path
) -> None:
    now = clock.now()
    long_done, recent_done, sending, added_late = (
        f"0e2b7a10-4699-11ea-a637-96000028b33{n}" for n in range(1, 5)
    )
    bulks = [
        SimBulk(long_done, now - 36_000, now - 32_400, 10, send_seconds=60),
        SimBulk(recent_done, now - 7_200, now - 3_600, 10, send_seconds=60),
        SimBulk(sending, now - 120, now - 60, 100_000, send_seconds=36_000),
        SimBulk(added_late, now - 36_000, now - 32_400, 10, send_seconds=60),
    ]
    session = await fetched_once(clock, tmp_path, bulks, archive_after=2)
    assert [b for b in session.ids if session.archive.hides(b)] == [long_done]
    ended = now - 3_600 + 60  # recent_done's processed_at
    clock.advance(ended + 2 * 3600 - clock.now())  # exactly archive_after hours after
    assert not session.archive.hides(recent_done)
    clock.advance(1)
    assert session.archive.hides(recent_done) and not session.archive.hides(added_late)
    clock.advance(now + 2 * 3600 + 1 - clock.now())  # past archive_after since it was added
    assert session.archive.hides(added_late) and not session.archive.hides(sending)
    session.archive.hours = 0  # 0: nothing is ever archived
    assert not any(session.archive.hides(b) for b in session.ids)


async def test_the_archived_count_follows_each_change_however_close_together(
    clock: VirtualClock, tmp_path: Path
) -> None:
    """The summary's "N archived" is worked out again only after a change (not at every
    redraw): two removals within the same minute must each show."""
    now = clock.now()
    done = [f"0e2b7a10-4699-11ea-a637-96000028b34{n}" for n in range(3)]
    bulks = [SimBulk(bulk_id, now - 36_000, now - 32_400, 10, send_seconds=60) for bulk_id in done]
    session = await fetched_once(clock, tmp_path, [*bulks, replace(bulks[0], uuid=IDS[0])], 2)
    assert session.archive.count == 3  # the one added by hand stays in sight
    for left in (2, 1):
        session.remove(done[left])
        assert session.archive.count == left


class RateLimitedSource:
    """LOX24 answering every status request with 429 and Retry-After: 120."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def get_bulk_status(self, bulk_id: str) -> object:
        self.asked.append(bulk_id)
        raise RateLimited(retry_after=120)


async def test_a_refresh_the_guard_holds_back_says_why_and_sends_nothing(
    path: Path, clock: VirtualClock
) -> None:
    source = RateLimitedSource()
    watchlist, _ = WatchList.load(path, now=clock.now)
    monitor = Monitor(source, clock=clock)  # type: ignore[arg-type]
    session = WatchSession(watchlist, monitor, clock)
    monitor.start()
    try:
        await asyncio.wait_for(monitor.wait_idle(), 10)
    finally:
        await monitor.stop()
    assert source.asked == [IDS[0]]  # an unproven token: one request, then the 429 stops all
    clock.advance(20)
    why = session.engine.refresh(IDS[1])
    assert why is not None and "(1:40 min)" in why  # the 429's wait, counted down from now
    assert session.engine.why_blocked() == why
    assert session.engine.held and session.engine.counting_down
    assert source.asked == [IDS[0]]  # the refresh sent nothing


async def test_why_a_bulk_cannot_be_canceled_is_said_in_words(
    clock: VirtualClock, tmp_path: Path
) -> None:
    now = clock.now()
    done, sending, unknown = (f"0e2b7a10-4699-11ea-a637-96000028b33{n}" for n in range(5, 8))
    bulks = [
        SimBulk(done, now - 7_200, now - 3_600, 10, send_seconds=60),
        SimBulk(sending, now - 120, now - 60, 100_000, send_seconds=36_000),
    ]
    session = await fetched_once(clock, tmp_path, bulks)
    assert session.why_no_cancel(sending) is None and session.can_cancel(sending)
    assert session.why_no_cancel(done) == (
        "It cannot be canceled: it is processed, and only a bulk not yet sent can be."
    )
    session.add_labelled([(unknown, "")])  # not asked for yet
    assert session.why_no_cancel(unknown) == (
        "Its status is not known yet: it can be canceled once LOX24 has answered."
    )
    session.read_only = True
    assert session.why_no_cancel(sending) == f"Not canceled: {WritesDisabled()}"


def test_restoring_an_older_copy_over_a_sound_file_names_what_left(
    path: Path, clock: VirtualClock
) -> None:
    session = session_on(path, clock)
    new = "00000000-0000-1000-8000-000000000009"
    session.add_labelled([(new, "Added later")])
    clock.advance(60)
    session.set_label(IDS[0], "Renamed")
    told = Recorder(session)
    oldest = session.watchlist.backups()[-1]  # the list before either change
    session.file.restore(oldest)
    restored, changed = told.of(Notice)
    assert restored == Notice(f"Restored {oldest.describe()}.")  # no damaged file to mention
    assert changed == Notice(
        "Restoring changed the list: 1 removed, 1 relabeled. Gone: “Added later”. "
        "u puts them back.",
        "warning",
        30,
    )
    assert session.ids == IDS and session.label_of(IDS[0]) == "Bulk 1"
    session.undo()
    assert new in session.ids


def test_keeping_the_list_shown_where_nothing_can_be_written_says_so_and_asks_again(
    path: Path, clock: VirtualClock
) -> None:
    session = session_on(path, clock)
    told = Recorder(session)
    path.write_text("not json")
    session.file.follow()
    with immutable(path.parent):
        session.file.keep_list_shown()
    [notice] = told.of(Notice)
    assert notice.message.startswith("The list could not be written: ")
    assert (notice.severity, notice.timeout) == ("error", 15)
    assert session.file.damage is not None  # still damaged: the question stands
    assert path.read_text() == "not json"


def test_a_count_that_changes_nothing_still_proves_a_stall(path: Path, clock: VirtualClock) -> None:
    """The engine keeps a count that found the same figures without telling anyone (nothing to
    redraw); the estimate must still see it, or a stopped bulk keeps its old ETA for ever."""
    session = session_on(path, clock)
    bulk_id = IDS[0]
    counted = DeliveryBreakdown(
        delivered=400, queued=0, submitted=0, expired=0, rejected=0, none=100, not_sent=0,
        other=0, total=1_000, partial=False, settled=False, taken_at=clock.now(), waiting=500,
    )  # fmt: skip
    session.monitor.record_delivery(bulk_id, counted)  # as the delivery schedule does
    session.flush()
    assert [s.done for s in session.progress(bulk_id)] == [500]
    told = Recorder(session)
    clock.advance(240)
    session.monitor.record_delivery(bulk_id, replace(counted, taken_at=clock.now()))
    session.flush()
    assert told.of(RowsChanged) == []  # nothing changed on screen
    samples = session.progress(bulk_id)
    assert [s.at for s in samples] == [clock.now() - 240, clock.now()]
    stalled = estimate(samples, clock.now())
    assert stalled.outlook is Outlook.STALLED and stalled.text == "stalled 4 min"


def test_a_bulk_is_asked_about_once_however_often_it_is_looked_at_meanwhile(
    path: Path, clock: VirtualClock
) -> None:
    """The pane is redrawn with every engine news: each redraw while the clicks are read must
    not read them again (nor, within five minutes, after they came)."""
    session = session_on(path, clock)
    bulk_id = IDS[0]
    reply = StatusReply(bulk_id, BulkStatus(status_code=10, msg_total_count=5), "r" * 32, "{}")
    state = replace(session.monitor.state(bulk_id), reply=reply)
    cache = session.engagement
    assert cache.claim(state, clock.now())
    assert not cache.claim(state, clock.now()) and cache.reading(bulk_id)
    session.keep_engagement(bulk_id, Engaged(clock.now(), None, "LOX24 had a problem"))
    assert not cache.reading(bulk_id) and not cache.claim(state, clock.now() + MAX_AGE - 1)
    assert cache.claim(state, clock.now() + MAX_AGE)
    cache.release(bulk_id)  # no token: the next look asks again
    assert cache.claim(state, clock.now() + MAX_AGE)
    scheduled = StatusReply(IDS[1], BulkStatus(status_code=0, msg_total_count=0), "r" * 32, "{}")
    nothing_sent = replace(state, bulk_id=IDS[1], reply=scheduled)
    assert not cache.claim(nothing_sent, clock.now())
