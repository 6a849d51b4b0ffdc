"""What a watch session keeps in the history file and finds there after a restart: a bulk's
progress curve (its pace and ETA survive a restart), when each status was seen, and what the
"While you were away" toast counts. In-process, on a virtual clock, so mutation testing uses
them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from lox24tui.clock import VirtualClock
from lox24tui.engine.delivery import DeliveryBreakdown
from lox24tui.engine.monitor import Monitor
from lox24tui.session.status_history import TimelineStep
from lox24tui.session.watch_session import WatchSession
from lox24tui.state.history import History, StatusTransition
from lox24tui.state.store import WatchList

from .conftest import Unused

BULK = "00000000-0000-1000-8000-000000000001"
OTHER = "00000000-0000-1000-8000-000000000002"
NOT_WATCHED = "00000000-0000-1000-8000-000000000003"
TOTAL = 1_000


@contextmanager
def session_on(tmp_path: Path, clock: VirtualClock) -> Iterator[WatchSession]:
    """A dashboard's session on BULK and OTHER with the history file in ``tmp_path``; closing
    it is the dashboard quitting (what it saw counts as seen)."""
    watchlist = WatchList(tmp_path / "watch.json", now=clock.now)
    if not watchlist.ids:
        watchlist.add_many([(BULK, "Spring sale"), (OTHER, "Reminders")])
    with History(tmp_path / "history.sqlite3", clock=clock.now) as history:
        monitor = Monitor(Unused(), clock=clock)  # type: ignore[arg-type]
        session = WatchSession(watchlist, monitor, clock, history=history)
        try:
            yield session
        finally:
            session.close()


def counted(
    clock: VirtualClock, *, left: int, delivered: int, expired: int = 0
) -> DeliveryBreakdown:
    """A complete delivery count of BULK taken now: ``left`` messages not sent yet, the rest
    sent and split between delivered, expired and waiting for their report."""
    sent = TOTAL - left
    return DeliveryBreakdown(
        delivered=delivered, queued=0, submitted=sent - delivered - expired, expired=expired,
        rejected=0, none=0, not_sent=0, other=0, total=TOTAL, partial=False, settled=False,
        taken_at=clock.now(), waiting=left,
    )  # fmt: skip


def count(session: WatchSession, delivery: DeliveryBreakdown) -> None:
    """A delivery count reaches the engine (as the delivery schedule hands it over), and the
    dashboard's next flush takes it."""
    session.monitor.record_delivery(BULK, delivery)
    session.flush()


def test_the_progress_curve_keeps_each_count_that_moved_while_sending_and_the_last(
    tmp_path: Path, clock: VirtualClock
) -> None:
    start = clock.now()
    with session_on(tmp_path, clock) as session:
        count(session, counted(clock, left=600, delivered=300))
        clock.advance(60)
        handed_on = replace(counted(clock, left=600, delivered=300), queued=50, submitted=50)
        count(session, handed_on)  # messages moved from queued to submitted: no new figure
        clock.advance(30)
        capped = counted(clock, left=500, delivered=400)  # paging stopped at its cap
        count(session, replace(capped, partial=True))  # a lower bound, not a point of the curve
        clock.advance(30)
        count(session, counted(clock, left=200, delivered=700, expired=10))
        on_its_way = counted(clock, left=300, delivered=600)  # taken before the last one
        count(session, replace(on_its_way, taken_at=clock.now() - 30))
        clock.advance(60)
        count(session, counted(clock, left=0, delivered=950, expired=20))  # all gone through
        clock.advance(60)
        count(session, counted(clock, left=0, delivered=975, expired=20))  # late reports
        this_run = session.history.progress(BULK)
    with session_on(tmp_path, clock) as restarted:
        curve = [(s.at - start, s.done, s.delivered, s.failed) for s in restarted.progress(BULK)]
        assert restarted.history.progress(OTHER) == []
    assert curve == [(0, 400, 300, 0), (120, 800, 700, 10), (180, 1_000, 950, 20)]
    assert [(s.at - start, s.done) for s in this_run] == [(at, done) for at, done, *_ in curve]


def seen_elsewhere(
    tmp_path: Path, clock: VirtualClock, *changes: tuple[str, int, int, str]
) -> None:
    """Status changes another lox24tui process records (``status --watch`` in a terminal)."""
    with History(tmp_path / "history.sqlite3", clock=clock.now) as history:
        history.record(
            StatusTransition(bulk_id, before, after, label, clock.now(), "r" * 32)
            for bulk_id, before, after, label in changes
        )


def test_a_restart_shows_when_each_status_was_seen_and_what_changed_while_away(
    tmp_path: Path, clock: VirtualClock
) -> None:
    with session_on(tmp_path, clock) as session:
        first = session.history.away_summary(session.ids)
        assert first is not None and first.since is None  # no dashboard ran before
        assert session.timeline(BULK) == []
    closed = clock.now()
    clock.advance(600)
    seen_elsewhere(
        tmp_path,
        clock,
        (BULK, 5, 10, "processed"),
        (OTHER, 0, 5, "in progress"),
        (NOT_WATCHED, 5, 15, "canceled"),  # another list's bulk: not this dashboard's news
    )
    with session_on(tmp_path, clock) as restarted:
        assert restarted.timeline(BULK) == [TimelineStep(closed + 600, "processed")]
        away = restarted.history.away_summary(restarted.ids)
    assert away is not None and away.since == closed
    assert (away.finished, away.started, away.canceled, away.changed) == (1, 1, 0, 2)
    assert away.text == "While you were away: 1 bulk finished, 1 started sending"
