"""The account guard's rules, in-process on a virtual clock (fast, so mutation testing can use
them). Guards on one file stand for lox24tui processes on one machine."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lox24tui.account.guard import (
    REFUSED_WINDOW,
    AccountGuard,
    Breaker,
    BreakerKind,
    FileGuardState,
    GuardedClient,
    GuardEvent,
    GuardStopped,
    MemoryGuardState,
    Ticket,
)
from lox24tui.api import (
    AccountNotActive,
    BulkFilters,
    BulkNotFound,
    InvalidToken,
    NetworkError,
    RateLimited,
    ServerError,
    Token,
    UnexpectedStatus,
    UnreadableResponse,
)
from lox24tui.clock import VirtualClock
from lox24tui.fake import FAKE_TOKEN
from lox24tui.text import humanize
from tests.admissions import stop, ticket

WRONG = "1234567:00000000000000000000000000000bad"
SERVER = "https://api.lox24.eu"


@pytest.fixture
def guard(clock: VirtualClock) -> AccountGuard:
    """A guard of the fake's token, its state in memory, at the default interval of 10 s: a 429
    then waits at least 10 s, and LOX24 unreachable is probed again after 20 s."""
    return AccountGuard(Token(FAKE_TOKEN), clock=clock)


def refused() -> InvalidToken:
    return InvalidToken(http_status=401)


def server_error() -> ServerError:
    return ServerError(http_status=502)


def lost() -> NetworkError:
    """LOX24 out of reach: no connection was made (so LOX24 cannot have counted it)."""
    return NetworkError("could not connect to LOX24", never_sent=True)


def unanswered() -> NetworkError:
    """A request LOX24 may have got, whose answer never came back."""
    return NetworkError("no answer within 10 s")


def process(path: Path, clock: VirtualClock, token: str = FAKE_TOKEN) -> AccountGuard:
    """The guard a new lox24tui process would build."""
    state = FileGuardState(path, SERVER, clock=clock)
    return AccountGuard(Token(token), state=state, clock=clock)


def one_request(guard: AccountGuard, outcome: Exception | None) -> None:
    guard.settle(ticket(guard), outcome)  # type: ignore[arg-type]


def after_an_outage(guard: AccountGuard) -> AccountGuard:
    """``guard`` once its token worked and then three requests in a row got no answer."""
    one_request(guard, None)
    for _ in range(3):
        one_request(guard, lost())
    return guard


# ------------------------------------------------------------------ an unproven token


def test_an_unproven_token_goes_out_alone_until_it_works(guard: AccountGuard) -> None:
    first = ticket(guard)
    assert not first.proven
    assert stop(guard).kind == BreakerKind.BUSY
    assert guard.breaker() is None  # waiting for an answer is nothing to show
    guard.settle(first, None)
    assert guard.token_proven
    many = [ticket(guard) for _ in range(20)]
    assert all(t.proven and t.attempt is None for t in many)


@pytest.mark.parametrize(
    "proof",
    [
        BulkNotFound("da0fa78c-4699-11ea-a637-96000028b339", http_status=404),
        UnreadableResponse("not JSON", http_status=200),
    ],
)
def test_a_404_or_an_unreadable_200_proves_the_token(guard: AccountGuard, proof: Exception) -> None:
    one_request(guard, proof)
    assert guard.token_proven


@pytest.mark.parametrize(
    "no_proof",
    [server_error(), lost(), UnexpectedStatus(http_status=418), UnreadableResponse("a bug")],
)
def test_failures_that_say_nothing_of_the_token_leave_it_unproven(
    guard: AccountGuard, no_proof: Exception
) -> None:
    one_request(guard, no_proof)
    assert not guard.token_proven


# ------------------------------------------------------------------ refused credentials


def test_a_fourth_possibly_refused_request_waits_out_the_window_and_its_margin(
    shared: Path, clock: VirtualClock
) -> None:
    start = clock.now()
    for _ in range(3):
        guard = process(shared, clock, WRONG)
        one_request(guard, refused())
        assert guard.breaker() == Breaker(BreakerKind.AUTH, guard.breaker().error)  # type: ignore[union-attr]
        clock.advance(5)
    fourth = process(shared, clock, WRONG)
    blocked = stop(fourth)
    assert blocked.kind == BreakerKind.PROTECTING_IP
    assert blocked.until == start + REFUSED_WINDOW
    assert REFUSED_WINDOW >= 65  # LOX24's minute plus a margin
    clock.advance(start + REFUSED_WINDOW - clock.now() - 0.5)
    assert stop(fourth).kind == BreakerKind.PROTECTING_IP
    clock.advance(0.5)
    assert isinstance(fourth.admit(), Ticket)


def test_refused_requests_count_from_when_they_were_sent(shared: Path, clock: VirtualClock) -> None:
    """LOX24 counts a request when it arrives: a slow 401 still counts from its send time."""
    sent_at = clock.now()
    waiting = []
    for _ in range(3):
        guard = process(shared, clock, WRONG)
        waiting.append((guard, ticket(guard)))
        clock.advance(1)
    clock.advance(40)  # the answers take their time
    for guard, admitted in waiting:
        guard.settle(admitted, refused())
    assert stop(process(shared, clock, WRONG)).until == sent_at + REFUSED_WINDOW


def test_requests_awaiting_an_answer_already_count(shared: Path, clock: VirtualClock) -> None:
    """Three processes with unproven tokens, requests on the wire: a fourth must not go."""
    guards = [process(shared, clock, WRONG) for _ in range(4)]
    for guard in guards[:3]:
        ticket(guard)
    assert stop(guards[3]).kind == BreakerKind.PROTECTING_IP


def test_a_server_error_is_never_a_refused_credential(shared: Path, clock: VirtualClock) -> None:
    """`status` three times on a bulk answered with 502, then on a healthy one: it goes out."""
    for _ in range(5):
        one_request(process(shared, clock), server_error())
    healthy = process(shared, clock)
    assert healthy.breaker() is None
    one_request(healthy, None)
    assert healthy.token_proven


def test_an_unanswered_request_counts_proven_token_or_not(
    shared: Path, clock: VirtualClock
) -> None:
    """LOX24 may have got it and refused it: a key revoked a moment before looks the same."""
    for _ in range(3):
        one_request(process(shared, clock), unanswered())
    assert stop(process(shared, clock)).kind == BreakerKind.PROTECTING_IP
    clock.advance(REFUSED_WINDOW)
    one_request(process(shared, clock), None)  # now proven
    clock.advance(1)
    for _ in range(3):
        one_request(process(shared, clock), unanswered())
    assert not process(shared, clock).token_proven  # its state is unknown again
    assert stop(process(shared, clock)).kind == BreakerKind.PROTECTING_IP


def test_a_connection_never_made_counts_for_nothing(shared: Path, clock: VirtualClock) -> None:
    guard = process(shared, clock)
    for _ in range(3):
        one_request(guard, lost())
    assert stop(guard).kind == BreakerKind.UNREACHABLE


def test_a_429_with_an_unproven_token_counts_too(shared: Path, clock: VirtualClock) -> None:
    one_request(process(shared, clock), RateLimited(retry_after=1, http_status=429))
    clock.advance(10)
    one_request(process(shared, clock, WRONG), refused())
    clock.advance(20)
    one_request(process(shared, clock, WRONG), refused())
    assert stop(process(shared, clock, WRONG)).kind == BreakerKind.PROTECTING_IP


def test_a_refused_proven_token_counts_and_is_unproven_for_everyone(
    shared: Path, clock: VirtualClock
) -> None:
    dashboard, script = process(shared, clock), process(shared, clock)
    one_request(dashboard, None)
    assert script.token_proven
    going = ticket(script)
    assert going.proven  # no waiting: another process proved it
    script.settle(going, None)
    one_request(script, AccountNotActive(http_status=403))
    assert not dashboard.token_proven
    assert script.breaker() is not None and script.breaker().kind == BreakerKind.AUTH  # type: ignore[union-attr]
    assert dashboard.breaker() is None  # the dashboard's own stop needs its own answer
    for _ in range(2):
        one_request(process(shared, clock, WRONG), refused())
    assert stop(process(shared, clock, WRONG)).kind == BreakerKind.PROTECTING_IP


def test_resume_lifts_the_stop_but_not_the_count(clock: VirtualClock) -> None:
    guard = AccountGuard(Token(WRONG), clock=clock)
    events: list[GuardEvent] = []
    guard.listen(state_events(events))
    for _ in range(3):
        one_request(guard, refused())
        assert stop(guard).kind == BreakerKind.AUTH
        guard.resume()
    assert events.count(GuardEvent.CHANGED) == 6
    assert stop(guard).kind == BreakerKind.PROTECTING_IP


def test_an_answer_for_another_token_proves_nothing_for_this_one(clock: VirtualClock) -> None:
    old = AccountGuard(Token(WRONG), clock=clock)
    new = old.for_token(Token(FAKE_TOKEN))
    one_request(old, None)
    assert old.token_proven and not new.token_proven
    assert not ticket(new).proven


# ------------------------------------------------------------------ 429


def test_a_429_stops_every_process_until_its_retry_after(shared: Path, clock: VirtualClock) -> None:
    dashboard, script = process(shared, clock), process(shared, clock)
    one_request(dashboard, None)
    one_request(dashboard, RateLimited(retry_after=120, http_status=429))
    blocked = stop(script)
    assert blocked.kind == BreakerKind.RATE_LIMITED and blocked.until == clock.now() + 120
    assert "429" in blocked.reason(clock.now()) and "2:00 min" in blocked.reason(clock.now())
    clock.advance(119)
    assert stop(script).kind == BreakerKind.RATE_LIMITED
    clock.advance(1)
    assert isinstance(script.admit(), Ticket)


def test_a_429_without_retry_after_waits_ten_minutes(
    guard: AccountGuard, clock: VirtualClock
) -> None:
    one_request(guard, None)
    one_request(guard, RateLimited(http_status=429))
    assert stop(guard).until == clock.now() + 600


def test_429_after_429_waits_longer_and_never_less_than_the_interval(
    guard: AccountGuard, clock: VirtualClock
) -> None:
    one_request(guard, None)
    waits = []
    for _ in range(4):
        one_request(guard, RateLimited(retry_after=0, http_status=429))
        waits.append(stop(guard).until - clock.now())  # type: ignore[operator]
        clock.advance(waits[-1])
    assert waits == [10, 20, 40, 80]
    one_request(guard, RateLimited(retry_after=10**9, http_status=429))
    assert stop(guard).until == clock.now() + 3600


# ------------------------------------------------------------------ LOX24 unreachable


def test_three_failures_in_a_row_make_lox24_unreachable_then_one_probe_at_a_time(
    guard: AccountGuard, clock: VirtualClock
) -> None:
    one_request(guard, None)
    first_failure = clock.now()
    one_request(guard, lost())
    one_request(guard, server_error())
    assert guard.breaker() is None  # two are not a pattern
    one_request(guard, lost())
    blocked = stop(guard)
    assert blocked.kind == BreakerKind.UNREACHABLE
    assert blocked.since == first_failure and blocked.until == clock.now() + 20
    assert "retrying in 20 s" in blocked.reason(clock.now())
    clock.advance(20)
    probe = ticket(guard)
    assert probe.probe
    assert stop(guard).kind == BreakerKind.BUSY
    assert guard.breaker() is not None and guard.breaker().kind == BreakerKind.UNREACHABLE  # type: ignore[union-attr]
    guard.settle(probe, lost())
    assert stop(guard).until == clock.now() + 40  # the waits grow
    clock.advance(40)
    guard.settle(ticket(guard), server_error())
    assert stop(guard).until == clock.now() + 60  # and stop growing at a minute
    clock.advance(60)
    guard.settle(ticket(guard), server_error())
    assert stop(guard).until == clock.now() + 60


def test_answers_on_the_wire_when_lox24_went_away_do_not_lengthen_the_wait(
    guard: AccountGuard, clock: VirtualClock
) -> None:
    one_request(guard, None)
    on_the_wire = [ticket(guard) for _ in range(2)]  # sent before the outage showed
    for _ in range(3):
        one_request(guard, lost())
    for late in on_the_wire:
        guard.settle(late, lost())  # no probes: the first probe still comes in 20 s
    assert stop(guard).until == clock.now() + 20


def test_a_success_between_failures_keeps_lox24_reachable(guard: AccountGuard) -> None:
    for outcome in [lost(), lost(), None, lost(), server_error(), None, lost()]:
        one_request(guard, outcome)
    assert guard.breaker() is None


def test_the_first_answer_after_an_outage_says_lox24_recovered(
    shared: Path, clock: VirtualClock
) -> None:
    guard = process(shared, clock)
    events: list[GuardEvent] = []
    guard.listen(state_events(events))
    one_request(guard, None)
    for _ in range(3):
        one_request(guard, lost())
    clock.advance(20)
    one_request(guard, None)
    assert events == [GuardEvent.CHANGED, GuardEvent.RECOVERED]
    assert guard.breaker() is None and isinstance(guard.admit(), Ticket)


def test_another_process_sees_the_outage_and_probes_once_at_once(
    shared: Path, clock: VirtualClock
) -> None:
    dashboard = after_an_outage(process(shared, clock))
    script = process(shared, clock)
    assert script.breaker() is not None and script.breaker().kind == BreakerKind.UNREACHABLE  # type: ignore[union-attr]
    probe = ticket(script)  # a person just asked: one probe now, not in 20 s
    assert probe.probe
    assert stop(dashboard).kind == BreakerKind.UNREACHABLE  # one probe at a time, machine-wide
    script.settle(probe, lost())
    assert stop(script).kind == BreakerKind.UNREACHABLE
    clock.advance(stop(script).until - clock.now())  # type: ignore[operator]
    one_request(script, None)
    assert dashboard.breaker() is None


def test_a_probe_slot_left_by_a_killed_process_frees_itself(
    shared: Path, clock: VirtualClock
) -> None:
    dashboard = after_an_outage(process(shared, clock))
    ticket(process(shared, clock))  # a script probes, then dies without an answer
    assert stop(process(shared, clock)).kind == BreakerKind.UNREACHABLE
    clock.advance(dashboard.timeout + 5)
    assert ticket(process(shared, clock)).probe


# ------------------------------------------------------------------ the shared file


def test_the_file_holds_no_token(shared: Path, clock: VirtualClock) -> None:
    one_request(process(shared, clock, WRONG), refused())
    one_request(process(shared, clock), None)
    text = shared.read_text("utf-8")
    assert FAKE_TOKEN.split(":")[1] not in text and WRONG.split(":")[1] not in text
    assert oct(shared.stat().st_mode & 0o777) == "0o600"


def test_servers_are_counted_apart(shared: Path, clock: VirtualClock) -> None:
    """The refused count is LOX24's; a simulated LOX24 on this machine has its own."""
    for _ in range(3):
        one_request(process(shared, clock, WRONG), refused())
    other = AccountGuard(
        Token(WRONG), state=FileGuardState(shared, "http://127.0.0.1:8765"), clock=clock
    )
    assert isinstance(other.admit(), Ticket)


# ------------------------------------------------------------------ guarded calls


class Answers:
    """A client whose answers the test hands out one at a time."""

    def __init__(self) -> None:
        self.calls = 0
        self.answers: asyncio.Queue[Exception | None] = asyncio.Queue()

    async def check_token(self) -> dict[str, object]:
        self.calls += 1
        answer = await self.answers.get()
        if answer is not None:
            raise answer
        return {}


async def test_guarded_calls_wait_for_the_unproven_tokens_first_answer(
    clock: VirtualClock,
) -> None:
    source = Answers()
    client = GuardedClient(source, AccountGuard(Token(FAKE_TOKEN), clock=clock))  # type: ignore[arg-type]
    calls = [asyncio.create_task(client.check_token()) for _ in range(5)]
    for _ in range(10):
        await asyncio.sleep(0)
    assert source.calls == 1
    for _ in range(5):
        source.answers.put_nowait(None)
    await asyncio.gather(*calls)
    assert source.calls == 5


async def test_a_guarded_call_the_rules_stop_sends_nothing_and_says_why(
    clock: VirtualClock,
) -> None:
    source = Answers()
    client = GuardedClient(source, AccountGuard(Token(WRONG), clock=clock))  # type: ignore[arg-type]
    source.answers.put_nowait(refused())
    with pytest.raises(InvalidToken):
        await client.check_token()
    with pytest.raises(GuardStopped) as stopped:
        await client.check_token()
    assert source.calls == 1
    assert stopped.value.kind == "not_sent"
    assert stopped.value.message.startswith("LOX24 rejected the API token (401)")
    assert stopped.value.http_status == 401


async def test_a_cancelled_unproven_request_still_counts(clock: VirtualClock) -> None:
    source = Answers()
    guard = AccountGuard(Token(WRONG), state=MemoryGuardState(), clock=clock)
    call = asyncio.create_task(GuardedClient(source, guard).check_token())  # type: ignore[arg-type]
    for _ in range(5):
        await asyncio.sleep(0)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    for _ in range(2):
        one_request(guard, unanswered())
    assert stop(guard).kind == BreakerKind.PROTECTING_IP


# ------------------------------------------------------------------ what people read


NOW = 1_764_150_000.0


@pytest.mark.parametrize(
    ("breaker", "sentence"),
    [
        (
            Breaker(BreakerKind.AUTH, AccountNotActive(http_status=403)),
            "LOX24 refused the account (403): it is not activated yet, it is blocked, or its "
            "API key is not active. Contact LOX24 support.",
        ),
        (Breaker(BreakerKind.AUTH), "LOX24 refused the token."),
        (
            Breaker(BreakerKind.RATE_LIMITED, until=NOW + 75),
            "LOX24 answered 429 (too many requests, or this IP is blocked); no requests until "
            "09:41 (1:15 min).",
        ),
        (
            Breaker(BreakerKind.PROTECTING_IP, until=NOW + 0.2, refused=1),
            "requests with a refused or unproven token already went out 3 times within the "
            "last minute (from any lox24tui); to keep LOX24 from blocking this IP, the next one "
            "waits until 09:40 (1 s).",
        ),
        (
            Breaker(BreakerKind.PROTECTING_IP, until=NOW + 30),
            "LOX24 cannot be reached: 3 requests with a token not yet proven got no answer "
            "within the last minute (from any lox24tui), and LOX24 may have counted them; to "
            "keep it from blocking this IP, the next one waits until 09:40 (30 s).",
        ),
        (
            Breaker(BreakerKind.UNREACHABLE, until=NOW + 20, since=NOW - 60),
            "LOX24 unreachable since 09:39 (network errors or LOX24 system errors); retrying in "
            "20 s.",
        ),
        (
            Breaker(BreakerKind.UNREACHABLE),
            "LOX24 unreachable (network errors or LOX24 system errors); a probe is on its way.",
        ),
        (Breaker(BreakerKind.BUSY), "another request is waiting for its answer."),
        (Breaker(BreakerKind.PROTECTING_IP, until=NOW - 3), "waits until 09:39 (0 s)."),
    ],
)
def test_each_stop_says_why_in_a_sentence(
    breaker: Breaker, sentence: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "UTC")
    import time

    time.tzset()
    try:
        assert breaker.reason(NOW).endswith(sentence)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_stopped_request_carries_the_answer_that_stopped_it(clock: VirtualClock) -> None:
    cause = InvalidToken(http_status=401, request_id="a" * 32)
    stopped = GuardStopped(Breaker(BreakerKind.AUTH, cause), clock.now())
    assert stopped.breaker.kind == BreakerKind.AUTH
    assert (stopped.http_status, stopped.request_id) == (401, "a" * 32)
    assert str(stopped).startswith("LOX24 rejected the API token (401)")


def test_odd_entries_in_the_guard_file_are_skipped_and_the_rest_kept(
    shared: Path, clock: VirtualClock
) -> None:
    now = clock.now()
    shared.parent.mkdir(parents=True)
    attempts = [1, "x", {"at": "soon"}, {"at": now - 1, "ticket": 7}, {"at": now - 2}, {}]
    shared.write_text(
        json.dumps({SERVER: {"attempts": attempts, "probe_failures": "2", "proven": {"a": "b"}}}),
        encoding="utf-8",
    )
    guard = process(shared, clock, WRONG)
    one_request(guard, refused())  # two good entries + this one: the count is full
    assert stop(process(shared, clock, WRONG)).kind == BreakerKind.PROTECTING_IP


def test_probes_back_off_across_processes(shared: Path, clock: VirtualClock) -> None:
    dashboard = after_an_outage(process(shared, clock))
    clock.advance(20)
    one_request(dashboard, lost())  # the first probe failed: 40 s to the next
    script = process(shared, clock)
    one_request(script, lost())  # a person asked: one probe at once, failed: 60 s now
    assert stop(dashboard).until == clock.now() + 60


class Pages:
    """A client that says which page it was asked for."""

    async def list_bulks(self, *, page: int = 1, **_: object) -> int:
        return page


async def test_a_guarded_list_starts_at_the_first_page(guard: AccountGuard) -> None:
    assert await GuardedClient(Pages(), guard).list_bulks() == 1  # type: ignore[arg-type,comparison-overlap]


async def test_a_cancelled_probe_frees_its_slot_and_proves_nothing(
    shared: Path, clock: VirtualClock
) -> None:
    dashboard = after_an_outage(process(shared, clock))
    clock.advance(20)
    source = Answers()
    call = asyncio.create_task(GuardedClient(source, dashboard).check_token())  # type: ignore[arg-type]
    for _ in range(5):
        await asyncio.sleep(0)
    assert source.calls == 1 and stop(process(shared, clock)).kind == BreakerKind.UNREACHABLE
    call.cancel()  # the user quit while the probe was out
    with pytest.raises(asyncio.CancelledError):
        await call
    assert ticket(process(shared, clock)).probe  # free at once, not after its timeout
    assert dashboard.breaker() is not None  # still unreachable: nothing was learnt


class Broken:
    """A client that fails before it sends anything."""

    def check_token(self) -> Awaitable[dict[str, object]]:
        raise RuntimeError("no coroutine for you")


async def test_a_call_that_breaks_before_sending_holds_nothing_back(guard: AccountGuard) -> None:
    with pytest.raises(RuntimeError):
        await GuardedClient(Broken(), guard).check_token()  # type: ignore[arg-type]
    source = Answers()
    source.answers.put_nowait(None)
    await asyncio.wait_for(GuardedClient(source, guard).check_token(), 5)  # type: ignore[arg-type]
    assert source.calls == 1


def test_another_tokens_guard_shares_what_is_known_and_the_settings(
    shared: Path, clock: VirtualClock
) -> None:
    first = AccountGuard(
        Token(WRONG), state=FileGuardState(shared, SERVER), clock=clock, interval=30, timeout=4
    )
    one_request(process(shared, clock), None)  # FAKE_TOKEN proven by another process
    checked = first.for_token(Token(FAKE_TOKEN))
    assert checked.token_proven
    one_request(checked, RateLimited(retry_after=0, http_status=429))
    assert stop(checked).until == clock.now() + 30  # the interval came along
    clock.advance(30)
    for _ in range(3):
        one_request(checked, lost())
    clock.advance(60)
    ticket(checked)  # a probe, whose slot lasts the timeout that came along
    clock.advance(4 + 4.9)
    assert stop(process(shared, clock)).kind == BreakerKind.UNREACHABLE
    clock.advance(0.2)
    assert ticket(process(shared, clock)).probe


def test_an_outage_seen_elsewhere_reads_unreachable_since_then(
    shared: Path, clock: VirtualClock
) -> None:
    dashboard = process(shared, clock)
    one_request(dashboard, None)
    first_failure = clock.now()
    for _ in range(3):
        one_request(dashboard, lost())
        clock.advance(1)
    script = process(shared, clock)
    assert script.breaker() == Breaker(BreakerKind.UNREACHABLE, since=first_failure)


@pytest.mark.parametrize(("status", "proves"), [(200, True), (399, True), (400, False)])
def test_only_an_answer_below_400_proves_the_token(
    guard: AccountGuard, status: int, proves: bool
) -> None:
    one_request(guard, UnexpectedStatus(http_status=status))
    assert guard.token_proven is proves


def test_a_429_changes_what_the_summary_says(guard: AccountGuard) -> None:
    events: list[GuardEvent] = []
    guard.listen(state_events(events))
    one_request(guard, None)
    one_request(guard, RateLimited(retry_after=5, http_status=429))
    assert events == [GuardEvent.CHANGED]


class Lister:
    """Says what it was asked for."""

    async def list_bulks(self, **asked: object) -> dict[str, object]:
        return asked


async def test_a_guarded_list_asks_for_what_was_asked(guard: AccountGuard) -> None:
    since = datetime(2026, 11, 1, tzinfo=UTC)
    asked = await GuardedClient(Lister(), guard).list_bulks(  # type: ignore[arg-type]
        page=3, filters=BulkFilters(status_codes=(5, 10), created_since=since)
    )
    assert asked == {"page": 3, "filters": BulkFilters((5, 10), since)}  # type: ignore[comparison-overlap]


async def test_a_stopped_guarded_call_says_how_long_to_wait(
    guard: AccountGuard, clock: VirtualClock
) -> None:
    one_request(guard, None)
    one_request(guard, RateLimited(retry_after=90, http_status=429))
    clock.advance(30)
    with pytest.raises(GuardStopped) as stopped:
        await GuardedClient(Answers(), guard).check_token()  # type: ignore[arg-type]
    until = humanize.clock_time(clock.now() + 60)
    assert f"no requests until {until} (1:00 min)" in str(stopped.value)


def state_events(events: list[GuardEvent]) -> Callable[[GuardEvent], None]:
    """A listener noting what the guard says of LOX24 and the account (not FREED, which only
    says a request's turn is over)."""

    def note(event: GuardEvent) -> None:
        if event != GuardEvent.FREED:
            events.append(event)

    return note
