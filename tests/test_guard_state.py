"""The guard fails closed when its shared file breaks: damaged, deleted, unwritable or locked.
In-process, on a virtual clock (fast, for mutation testing); guards on one file stand for
lox24tui processes on one machine. The same faults through real processes are in
test_state_faults_cli.py."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path

import pytest

from lox24tui.account.guard import (
    REFUSED_WINDOW,
    STATE_RETRY,
    AccountGuard,
    Breaker,
    BreakerKind,
    FileGuardState,
    GuardEvent,
    GuardStopped,
    Ticket,
)
from lox24tui.api import InvalidToken, Token
from lox24tui.clock import VirtualClock
from lox24tui.fake import FAKE_TOKEN
from lox24tui.state.files import LOCK_WAIT, locked
from lox24tui.text import humanize
from tests.state_faults import immutable

WRONG = "1234567:00000000000000000000000000000bad"
SERVER = "https://api.lox24.eu"


class Process:
    """What one lox24tui process holds: its view of the shared file, its guard, what it told."""

    def __init__(self, path: Path, clock: VirtualClock, token: str = FAKE_TOKEN) -> None:
        self.told: list[str] = []
        self.state = FileGuardState(path, SERVER, clock=clock, tell=self.told.append)
        self.guard = AccountGuard(Token(token), state=self.state, clock=clock)

    def request(self, outcome: Exception | None = None) -> Ticket | Breaker:
        """One request if the guard lets it out, answered with ``outcome``."""
        admitted = self.guard.admit()
        if isinstance(admitted, Ticket):
            self.guard.settle(admitted, outcome)  # type: ignore[arg-type]
        return admitted


def refused() -> InvalidToken:
    return InvalidToken(http_status=401)


def damage(path: Path, kind: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "folder":
        path.unlink(missing_ok=True)
        (path / "inside").mkdir(parents=True)
        return
    contents = {
        "garbage": b"\x00\xffnot json at all{{",
        "empty": b"",
        "a list": b"[1, 2]",
        "the wrong shape": json.dumps({SERVER: [1, 2]}).encode(),
        "a wrong field": json.dumps({SERVER: {"attempts": True}}).encode(),
        "a number too large": b'{"'
        + SERVER.encode()
        + b'": {"blocked_until": 1'
        + b"0" * 400
        + b"}}",
    }[kind]
    path.write_bytes(contents)


# ------------------------------------------------------------------ damaged


@pytest.mark.parametrize(
    ("kind", "why"),
    [
        ("garbage", "(it is not valid JSON)"),
        ("empty", "(it is empty)"),
        ("a list", "(it is JSON of the wrong shape)"),
        ("the wrong shape", "(it is JSON of the wrong shape)"),
        ("a wrong field", "(it is JSON of the wrong shape)"),
        ("a number too large", "(it is JSON of the wrong shape)"),
        ("folder", "(a folder stands where the file should be)"),
    ],
)
def test_a_damaged_file_is_moved_aside_told_once_and_the_window_counts_as_full(
    shared: Path, clock: VirtualClock, kind: str, why: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="lox24tui")
    damage(shared, kind)
    first = Process(shared, clock, WRONG)
    stopped = first.request(refused())
    assert isinstance(stopped, Breaker) and stopped.kind == BreakerKind.PROTECTING_IP
    assert stopped.until == clock.now() + REFUSED_WINDOW
    # what the file held is unknown: every place of the window counts as possibly refused
    assert "a refused or unproven token already went out 3 times" in stopped.reason(clock.now())
    aside = [p for p in shared.parent.iterdir() if p.name.startswith(shared.name + ".damaged-")]
    assert len(aside) == 1
    assert len(first.told) == 1
    assert str(shared) in first.told[0] and str(aside[0]) in first.told[0]
    assert f"was damaged {why}; it was moved aside" in first.told[0]
    assert f"wait until {humanize.clock_time(clock.now() + REFUSED_WINDOW)}," in first.told[0]
    assert first.told[0].endswith("so that this IP cannot be blocked.")
    assert first.told[0] in caplog.messages  # and the debug log has it, for support
    assert aside[0].name == f"{shared.name}.damaged-20251126T094000Z"  # the clock's start, UTC
    assert json.loads(shared.read_text("utf-8"))["version"] == 1
    assert "Errno" not in first.told[0]
    # another process (and this one, again) finds a good file: nothing more is said
    second = Process(shared, clock, WRONG)
    assert isinstance(second.request(refused()), Breaker)
    assert isinstance(first.request(refused()), Breaker)
    assert second.told == [] and len(first.told) == 1
    clock.advance(REFUSED_WINDOW + 0.1)
    assert isinstance(second.request(refused()), Ticket)


def test_a_proven_token_is_proven_again_after_damage(shared: Path, clock: VirtualClock) -> None:
    process = Process(shared, clock)
    assert isinstance(process.request(None), Ticket)
    damage(shared, "garbage")
    assert isinstance(Process(shared, clock).request(None), Breaker)


def test_a_missing_file_on_the_first_run_is_no_damage(shared: Path, clock: VirtualClock) -> None:
    process = Process(shared, clock, WRONG)
    assert isinstance(process.request(refused()), Ticket)
    assert process.told == []
    assert [p.name for p in shared.parent.iterdir() if "damaged" in p.name] == []


def test_a_process_keeps_what_it_knew_when_the_file_is_deleted(
    shared: Path, clock: VirtualClock
) -> None:
    running = Process(shared, clock, WRONG)
    for _ in range(2):
        running.guard.resume()
        assert isinstance(running.request(refused()), Ticket)
    shared.unlink()
    running.guard.resume()
    assert isinstance(running.request(refused()), Ticket)  # the third, of what it knew
    assert running.told == []
    newcomer = Process(shared, clock, WRONG)
    assert isinstance(newcomer.request(refused()), Breaker)  # the file has all three again


# ------------------------------------------------------------------ cannot be written


def test_a_file_that_cannot_be_written_stops_every_request_and_says_why(
    shared: Path, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="lox24tui")
    proven = Process(shared, clock)
    assert isinstance(proven.request(None), Ticket)
    unproven = Process(shared, clock, WRONG)
    with immutable(shared.parent):
        stopped = unproven.request(refused())
        assert isinstance(stopped, Breaker) and stopped.kind == BreakerKind.STATE
        assert stopped.until == clock.now() + STATE_RETRY  # when it is tried again
        reason = stopped.reason(clock.now())
        assert reason.startswith(f"the account guard file {shared} cannot be written (")
        assert "no request is sent until then" in reason and "Errno" not in reason
        assert unproven.told == [reason.removesuffix(".")]
    assert isinstance(unproven.request(refused()), Ticket)  # written again: the fault is over
    logged = [m for m in caplog.messages if m.startswith("guard: the shared state")]
    assert len(logged) == 2  # once when the fault began, once when it ended
    assert logged[0].startswith(
        f"guard: the shared state cannot be used: the account guard file {shared} cannot be"
    )
    assert logged[1] == "guard: the shared state can be used again"


def test_an_answer_that_cannot_be_recorded_stops_everything_and_is_written_later(
    shared: Path, clock: VirtualClock
) -> None:
    process = Process(shared, clock)
    events: list[GuardEvent] = []
    process.guard.listen(events.append)
    first = process.guard.admit()
    assert isinstance(first, Ticket)
    with immutable(shared.parent):
        process.guard.settle(first, None)
        stopped = process.guard.admit()
        assert isinstance(stopped, Breaker) and stopped.until == clock.now() + STATE_RETRY
        assert process.guard.breaker() is not None
        assert events.count(GuardEvent.CHANGED) == 1  # the stop began: screens redraw
    assert not json.loads(shared.read_text("utf-8"))[SERVER]["proven"]  # not written yet
    clock.advance(1.0)
    assert isinstance(process.request(None), Ticket)  # writes what it could not
    assert events.count(GuardEvent.CHANGED) == 2  # and the stop ended
    document = json.loads(shared.read_text("utf-8"))[SERVER]
    assert document["proven"]  # the answer, written late, and meanwhile counted as refused:
    assert document["attempts"] == [
        {"at": first.sent_at, "ticket": None, "refused": False, "answered": None}
    ]


def test_a_state_folder_that_is_a_file_is_named(tmp_path: Path, clock: VirtualClock) -> None:
    (tmp_path / "state").write_text("not a folder", "utf-8")
    process = Process(tmp_path / "state" / "lox24tui" / "account-guard.json", clock, WRONG)
    stopped = process.request(refused())
    assert isinstance(stopped, Breaker) and stopped.kind == BreakerKind.STATE
    assert f"{tmp_path / 'state'} is a file, not a folder" in stopped.reason(clock.now())


# ------------------------------------------------------------------ a held lock


def test_a_held_lock_stops_requests_that_must_write_and_names_the_holder(
    shared: Path, clock: VirtualClock
) -> None:
    process = Process(shared, clock, WRONG)
    with locked(shared):
        stopped = process.request(refused())
        assert isinstance(stopped, Breaker) and stopped.kind == BreakerKind.STATE
        clock.advance(STATE_RETRY)
        assert isinstance(process.request(refused()), Breaker)
        assert f"process {os.getpid()}" in stopped.reason(clock.now())
        assert stopped.reason(clock.now()).startswith(f"the account guard file {shared} is locked")
        assert stopped.reason(clock.now()).endswith("; no request is sent until it is free.")
        assert f"{shared}.lock" in process.told[0]
    assert isinstance(process.request(refused()), Ticket)
    attempts = json.loads(shared.read_text("utf-8"))[SERVER]["attempts"]
    assert len(attempts) == 1  # the requests the lock held back never counted


async def test_a_command_waits_for_a_held_lock_at_most_lock_wait(
    shared: Path, clock: VirtualClock
) -> None:
    process = Process(shared, clock, WRONG)
    process.state.lock_wait = LOCK_WAIT  # as a command builds it: the words say how long
    with locked(shared):
        waiting = asyncio.create_task(process.guard.admission())
        start = clock.now()
        while not waiting.done():
            await asyncio.sleep(0)
            clock.advance(0.05)
        assert clock.now() - start == pytest.approx(LOCK_WAIT, abs=0.2)
        with pytest.raises(GuardStopped, match=r"is locked by process .*gave up after 5 s"):
            waiting.result()
    assert len(process.told) == 1 and "waiting up to 5 s for the lock" in process.told[0]


async def test_a_lock_freed_within_the_wait_lets_the_request_out(
    shared: Path, clock: VirtualClock
) -> None:
    process = Process(shared, clock, WRONG)
    holding = locked(shared)
    holding.__enter__()
    waiting = asyncio.create_task(process.guard.admission())
    for _ in range(10):
        await asyncio.sleep(0)
        clock.advance(0.05)
    holding.__exit__(None, None, None)
    while not waiting.done():
        await asyncio.sleep(0)
        clock.advance(0.05)
    assert isinstance(waiting.result(), Ticket)


def test_a_damaged_file_that_cannot_be_moved_aside_stops_everything_and_says_so(
    shared: Path, clock: VirtualClock
) -> None:
    damage(shared, "folder")
    Path(f"{shared}.lock").touch()  # left by earlier runs, as it always is
    process = Process(shared, clock)
    with immutable(shared.parent):
        reasons = []
        for _ in range(3):
            stopped = process.request(None)
            assert isinstance(stopped, Breaker) and stopped.kind == BreakerKind.STATE
            reasons.append(stopped.reason(clock.now()))
            clock.advance(1.0)
        reason = reasons[-1]
        assert f"{shared} is damaged (a folder stands where the file should be)" in reason
        assert "cannot be moved aside" in reason and "Errno" not in reason
        assert len(process.told) == 1
    clock.advance(1.0)
    stopped = process.request(None)  # moved aside now: the window counts as full
    assert isinstance(stopped, Breaker) and stopped.kind == BreakerKind.PROTECTING_IP
    assert shared.is_file() and any("moved aside" in text for text in process.told)


def test_damage_found_twice_in_one_second_is_kept_twice(shared: Path, clock: VirtualClock) -> None:
    for _ in range(2):
        damage(shared, "garbage")
        Process(shared, clock).request(None)
    names = sorted(p.name for p in shared.parent.iterdir() if ".damaged-" in p.name)
    assert names == [
        f"{shared.name}.damaged-20251126T094000Z",
        f"{shared.name}.damaged-20251126T094000Z-2",
    ]


def test_a_rate_limit_this_process_knew_outlives_damage(shared: Path, clock: VirtualClock) -> None:
    from lox24tui.api import RateLimited

    process = Process(shared, clock)
    assert isinstance(process.request(None), Ticket)
    assert isinstance(process.request(RateLimited(retry_after=300, http_status=429)), Ticket)
    damage(shared, "garbage")
    stopped = process.request(None)
    assert isinstance(stopped, Breaker) and stopped.kind == BreakerKind.RATE_LIMITED


def test_what_was_found_before_anyone_listened_is_told_to_the_first_listener(
    shared: Path, clock: VirtualClock
) -> None:
    damage(shared, "empty")
    state = FileGuardState(shared, SERVER, clock=clock)
    state.read()
    told: list[str] = []
    state.listen(told.append)
    assert len(told) == 1 and "(it is empty)" in told[0]
    state.listen(told.append)
    assert len(told) == 1


async def test_a_refused_token_is_said_as_refused_while_another_process_holds_the_lock(
    shared: Path, clock: VirtualClock
) -> None:
    process = Process(shared, clock, WRONG)
    first = process.request(None)  # the token works: proven
    assert isinstance(first, Ticket)
    ticket = process.guard.admit()
    assert isinstance(ticket, Ticket)
    with locked(shared):
        process.guard.settle(ticket, refused())  # its answer cannot be written yet
        start = clock.now()
        with pytest.raises(GuardStopped, match="rejected the API token"):
            # no wait for the lock: the token stops it (a wait would never end on this clock)
            await asyncio.wait_for(process.guard.admission(), timeout=10)
        assert clock.now() == start


def test_a_fault_that_begins_and_ends_while_reading_is_told_like_any_other(
    shared: Path, clock: VirtualClock
) -> None:
    """The screens redraw the guard's state on CHANGED: a fault found and ended while reading
    (a damaged file that cannot be moved aside, then can) must say so, or the bar keeps saying
    "not sending" after requests go out again."""
    damage(shared, "folder")
    Path(f"{shared}.lock").touch()
    process = Process(shared, clock)
    events: list[GuardEvent] = []
    process.guard.listen(events.append)
    with immutable(shared.parent):
        assert isinstance(process.request(None), Breaker)
        assert events.count(GuardEvent.CHANGED) == 1  # the stop began
    clock.advance(1.0)
    process.request(None)
    assert process.state.fault is None
    assert events.count(GuardEvent.CHANGED) == 2  # and it ended
