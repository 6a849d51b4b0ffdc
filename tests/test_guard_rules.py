"""The guard's rules at their edges, in-process on a virtual clock: a proof that ages, a success
overtaken by a refusal, waits from the shared file that lie too far ahead, one budget per server
however its URL is spelled, and an unreachable LOX24 told apart from a refused token."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from lox24tui.account.guard import (
    PROBE_MAX_WAIT,
    PROBE_SLOT_SLACK,
    PROOF_WRITE_EVERY,
    PROVEN_FOR,
    RATE_LIMIT_MAX_WAIT,
    REFUSED_ALLOWED,
    REFUSED_WINDOW,
    AccountGuard,
    BreakerKind,
    FileGuardState,
    GuardedClient,
    GuardEvent,
    Ticket,
    WritesDisabled,
    concurrency_warning,
    server_key,
)
from lox24tui.api import (
    BulkNotFound,
    InvalidToken,
    Lox24Client,
    NetworkError,
    RateLimited,
    ServerError,
    Token,
    count_messages,
)
from lox24tui.clock import VirtualClock
from lox24tui.fake import FAKE_TOKEN, FakeLox24
from lox24tui.text import humanize
from tests.admissions import stop, ticket

SERVER = "https://api.lox24.eu"


def process(path: Path, clock: VirtualClock, url: str = SERVER) -> AccountGuard:
    """The guard a new lox24tui process would build for ``url``."""
    return AccountGuard(Token(FAKE_TOKEN), state=FileGuardState(path, server_key(url)), clock=clock)


def proven_a_while_ago(path: Path, clock: VirtualClock) -> AccountGuard:
    """A process whose token worked, long enough ago that its proof is due to be written
    again."""
    guard = process(path, clock)
    guard.settle(ticket(guard), None)
    clock.advance(PROOF_WRITE_EVERY + 1)
    return guard


def write_state(path: Path, state: dict[str, object]) -> None:
    """The shared file as another process (or an older lox24tui) left it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, SERVER: state}), encoding="utf-8")


# ------------------------------------------------------------------ a proof ages


def test_a_token_not_seen_to_work_recently_goes_out_alone_again(
    shared: Path, clock: VirtualClock
) -> None:
    guard = process(shared, clock)
    guard.settle(ticket(guard), None)
    burst = [ticket(guard) for _ in range(3)]
    assert all(t.proven for t in burst)
    for admitted in burst:
        guard.settle(admitted, None)
    clock.advance(PROVEN_FOR)  # an idle gap, a night
    later = process(shared, clock)  # the next morning's command
    first = ticket(later)
    assert not first.proven
    assert stop(later).kind == BreakerKind.BUSY  # the rest wait for its answer
    later.settle(first, InvalidToken(http_status=401))  # revoked meanwhile
    assert stop(later).kind == BreakerKind.AUTH  # one refusal, not a burst of them


def test_a_steady_stream_of_successes_stays_proven_and_rarely_writes_the_file(
    shared: Path, clock: VirtualClock
) -> None:
    """A dashboard polling once a second for ten minutes: never alone again, and the shared
    file is written about every PROOF_WRITE_EVERY seconds, not on every request."""
    guard = process(shared, clock)
    guard.settle(ticket(guard), None)
    writes = 0
    signature = (shared.stat().st_ino, shared.stat().st_mtime_ns)
    seconds = 600
    for _ in range(seconds * 4):  # four requests a second
        clock.advance(0.25)
        admitted = ticket(guard)
        assert admitted.proven
        guard.settle(admitted, None)
        now = (shared.stat().st_ino, shared.stat().st_mtime_ns)
        if now != signature:
            writes, signature = writes + 1, now
    assert writes <= seconds / PROOF_WRITE_EVERY + 1
    assert writes >= 1  # the proof in the file is kept fresh for the other processes
    assert process(shared, clock).token_proven


def test_a_success_sent_before_a_refusal_does_not_prove_the_token_again(
    shared: Path, clock: VirtualClock
) -> None:
    """Revoked mid-burst: the first request's 2xx arrives after the second one's 401."""
    guard = proven_a_while_ago(shared, clock)
    early = ticket(guard)
    clock.advance(0.1)  # the key is revoked here
    late = ticket(guard)
    guard.settle(late, InvalidToken(http_status=401))
    guard.settle(early, None)
    guard.resume()  # the user says to try again
    assert not guard.token_proven
    assert not process(shared, clock).token_proven
    assert not ticket(guard).proven


# ------------------------------------------------------------------ waits from the file


def test_a_block_far_in_the_future_is_capped_and_says_until_when(
    shared: Path, clock: VirtualClock
) -> None:
    """A clock set forward, a 429, the clock set back: not "1636726350:42 min"."""
    now = clock.now()
    write_state(shared, {"blocked_until": now + 98_203_581_042})
    blocked = stop(process(shared, clock))
    assert blocked.kind == BreakerKind.RATE_LIMITED
    assert blocked.until == now + RATE_LIMIT_MAX_WAIT
    reason = blocked.reason(now)
    assert f"until {humanize.clock_time(now + RATE_LIMIT_MAX_WAIT)} (60:00 min)" in reason
    clock.advance(30)
    assert stop(process(shared, clock)).until == now + RATE_LIMIT_MAX_WAIT  # counts down
    clock.advance(RATE_LIMIT_MAX_WAIT - 30)
    assert isinstance(process(shared, clock).admit(), Ticket)


def test_a_block_is_capped_from_when_it_was_written(shared: Path, clock: VirtualClock) -> None:
    now = clock.now()
    write_state(shared, {"blocked_until": now + 10**9, "blocked_at": now - 600})
    assert stop(process(shared, clock)).until == now - 600 + RATE_LIMIT_MAX_WAIT


def test_a_block_written_by_a_clock_ahead_is_capped_from_now(
    shared: Path, clock: VirtualClock
) -> None:
    now = clock.now()
    write_state(shared, {"blocked_until": now + 86_400 + 600, "blocked_at": now + 86_400})
    assert stop(process(shared, clock)).until == now + RATE_LIMIT_MAX_WAIT


def test_refusals_counted_in_the_future_end_one_window_from_now(
    shared: Path, clock: VirtualClock
) -> None:
    now = clock.now()
    write_state(shared, {"attempts": [{"at": now + 10**8, "ticket": None, "refused": True}] * 3})
    blocked = stop(process(shared, clock))
    assert blocked.kind == BreakerKind.PROTECTING_IP
    assert blocked.until == now + REFUSED_WINDOW


def test_a_proof_from_the_future_proves_nothing(shared: Path, clock: VirtualClock) -> None:
    guard = process(shared, clock)
    guard.settle(ticket(guard), None)
    document = json.loads(shared.read_text("utf-8"))
    key = next(iter(document[SERVER]["proven"]))
    write_state(shared, {"proven": {key: clock.now() + 10**6}})
    assert not process(shared, clock).token_proven


# ------------------------------------------------------------------ one server, one budget


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (
            ["https://api.lox24.eu", "HTTPS://API.LOX24.EU/", "https://api.lox24.eu:443"],
            "https://api.lox24.eu",
        ),
        (
            [
                "http://localhost:8765",
                "http://LOCALHOST:8765/",
                "http://127.0.0.1:8765",
                "http://[::1]:8765",
            ],
            "http://localhost:8765",
        ),
        (["http://example.test:80/api/", "http://Example.Test/api"], "http://example.test/api"),
    ],
)
def test_one_server_has_one_name_however_it_is_spelled(spellings: list[str], key: str) -> None:
    assert {server_key(url) for url in spellings} == {key}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("http://localhost:8765", "http://localhost:8766"),
        ("https://api.lox24.eu", "http://api.lox24.eu"),
        ("https://api.lox24.eu", "https://api.lox24.eu:8443"),
        ("http://[::2]:80", "http://localhost"),
    ],
)
def test_different_servers_keep_different_names(one: str, other: str) -> None:
    assert server_key(one) != server_key(other)


def test_three_spellings_of_one_server_share_one_refused_count(
    shared: Path, clock: VirtualClock
) -> None:
    spellings = ["http://localhost:8765", "http://LOCALHOST:8765", "http://127.0.0.1:8765/"]
    for url in spellings:
        wrong = AccountGuard(
            Token("1234567:00000000000000000000000000000bad"),
            state=FileGuardState(shared, server_key(url)),
            clock=clock,
        )
        wrong.settle(ticket(wrong), InvalidToken(http_status=401))
    assert stop(process(shared, clock, "http://[::1]:8765")).kind == BreakerKind.PROTECTING_IP


# ------------------------------------------------------------------ unreachable is not refused


def test_an_unproven_token_with_lox24_unreachable_says_lox24_cannot_be_reached(
    shared: Path, clock: VirtualClock
) -> None:
    guard = process(shared, clock)
    for _ in range(REFUSED_ALLOWED):
        guard.settle(ticket(guard), NetworkError("cannot connect to LOX24"))
        clock.advance(1)
    blocked = stop(guard)
    assert blocked.kind == BreakerKind.PROTECTING_IP
    reason = blocked.reason(clock.now())
    assert reason.startswith("LOX24 cannot be reached")
    assert "refused" not in reason
    shown = guard.breaker()
    assert shown is not None and "cannot be reached" in shown.reason(clock.now())


def test_a_refused_token_still_says_refused(shared: Path, clock: VirtualClock) -> None:
    wrong = Token("1234567:00000000000000000000000000000bad")
    for _ in range(REFUSED_ALLOWED):
        guard = AccountGuard(wrong, state=FileGuardState(shared, SERVER), clock=clock)
        guard.settle(ticket(guard), InvalidToken(http_status=401))
    blocked = stop(AccountGuard(wrong, state=FileGuardState(shared, SERVER), clock=clock))
    assert f"a refused or unproven token already went out {REFUSED_ALLOWED} times" in (
        blocked.reason(clock.now())
    )


def test_answers_lost_after_a_revocation_leave_no_room_for_a_fourth(
    shared: Path, clock: VirtualClock
) -> None:
    """A burst whose answers never come back may have been refused, every one: no process may
    then probe or burst before the window has passed."""
    dashboard = process(shared, clock)
    dashboard.settle(ticket(dashboard), None)
    clock.advance(1)  # the key is revoked here; a burst goes out, and its answers are lost
    burst = [ticket(dashboard) for _ in range(REFUSED_ALLOWED)]
    for admitted in burst:
        dashboard.settle(admitted, NetworkError("no answer within 10 s"))
    script = process(shared, clock)
    blocked = stop(script)
    assert blocked.kind == BreakerKind.PROTECTING_IP
    assert blocked.until == burst[0].sent_at + REFUSED_WINDOW
    assert "cannot be reached" in blocked.reason(clock.now())
    clock.advance(REFUSED_WINDOW)
    assert ticket(script).probe  # then one request alone, as LOX24 did not answer
    assert stop(dashboard).kind == BreakerKind.UNREACHABLE


# ------------------------------------------------------------------ edges the mutants found


def test_a_concurrency_of_three_is_within_the_rule_and_four_is_not() -> None:
    assert concurrency_warning(REFUSED_ALLOWED) is None
    assert concurrency_warning(REFUSED_ALLOWED + 1) == (
        "concurrency 4 is above 3: a key revoked while requests are in flight may cost up to 4 "
        "refused requests, and LOX24 blocks this IP for ten minutes after more than 3 within a "
        "minute."
    )


def test_a_stop_counts_the_refused_requests_among_those_it_counts(
    shared: Path, clock: VirtualClock
) -> None:
    wrong = Token("1234567:00000000000000000000000000000bad")
    for _ in range(2):
        guard = AccountGuard(wrong, state=FileGuardState(shared, SERVER), clock=clock)
        guard.settle(ticket(guard), InvalidToken(http_status=401))
    guard = AccountGuard(wrong, state=FileGuardState(shared, SERVER), clock=clock)
    guard.settle(ticket(guard), NetworkError("no answer within 10 s"))
    assert stop(process(shared, clock)).refused == 2


def test_a_success_sent_at_the_same_moment_as_a_refusal_proves_nothing(
    shared: Path, clock: VirtualClock
) -> None:
    guard = proven_a_while_ago(shared, clock)
    early, late = ticket(guard), ticket(guard)
    guard.settle(late, InvalidToken(http_status=401))
    guard.settle(early, None)
    assert not process(shared, clock).token_proven


def test_a_block_written_just_within_the_clock_slack_counts_from_then(
    shared: Path, clock: VirtualClock
) -> None:
    now = clock.now()
    write_state(shared, {"blocked_until": now + 10**6, "blocked_at": now + 1})
    assert stop(process(shared, clock)).until == now + 1 + RATE_LIMIT_MAX_WAIT


def test_a_proof_survives_the_capping_of_other_times(shared: Path, clock: VirtualClock) -> None:
    guard = process(shared, clock)
    guard.settle(ticket(guard), None)
    document = json.loads(shared.read_text("utf-8"))
    key = next(iter(document[SERVER]["proven"]))
    for proven_at in (clock.now(), clock.now() + 1):  # now, and just within the slack
        write_state(shared, {"proven": {key: proven_at}, "blocked_until": clock.now() + 10**6})
        assert process(shared, clock).token_proven


def test_an_outage_written_by_a_clock_ahead_is_capped(shared: Path, clock: VirtualClock) -> None:
    now = clock.now()
    write_state(
        shared,
        {"unreachable_since": now + 10**6, "probe_until": now + 10**6, "next_probe_at": 0},
    )
    guard = process(shared, clock)
    blocked = stop(guard)
    assert blocked.kind == BreakerKind.UNREACHABLE
    assert blocked.since == now
    assert blocked.until == now + PROBE_MAX_WAIT + PROBE_SLOT_SLACK


def test_an_outage_start_from_a_clock_ahead_is_capped_alone(
    shared: Path, clock: VirtualClock
) -> None:
    """Another process's probe is on the wire (a sane slot); only "since" lies ahead."""
    now = clock.now()
    write_state(shared, {"unreachable_since": now + 10**6, "probe_until": now + 5})
    blocked = stop(process(shared, clock))
    assert blocked.kind == BreakerKind.UNREACHABLE
    assert (blocked.since, blocked.until) == (now, now + 5)


def test_a_probe_slot_from_a_clock_ahead_is_capped_alone(shared: Path, clock: VirtualClock) -> None:
    now = clock.now()
    write_state(shared, {"unreachable_since": now - 60, "probe_until": now + 10**6})
    blocked = stop(process(shared, clock))
    assert (blocked.since, blocked.until) == (now - 60, now + PROBE_MAX_WAIT + PROBE_SLOT_SLACK)


def test_the_next_probe_written_by_a_clock_ahead_is_capped(
    shared: Path, clock: VirtualClock
) -> None:
    guard = process(shared, clock)
    guard.settle(ticket(guard), None)
    for _ in range(3):  # this process sees LOX24 unreachable itself
        guard.settle(ticket(guard), NetworkError("could not connect", never_sent=True))
    document = json.loads(shared.read_text("utf-8"))
    document[SERVER]["next_probe_at"] = clock.now() + 10**6
    shared.write_text(json.dumps(document), encoding="utf-8")
    assert stop(guard).until == clock.now() + PROBE_MAX_WAIT


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("HTTP://Host:99999/", "http://host:99999"),  # a port out of range: spelled as given
        ("http://[2001:DB8::1]:8080/", "http://[2001:db8::1]:8080"),
        ("https:///v1", "https:///v1"),
        ("https://h/X/", "https://h/X"),
    ],
)
def test_odd_urls_keep_a_name_of_their_own(url: str, key: str) -> None:
    assert server_key(url) == key


def test_a_read_only_run_says_why_nothing_was_sent() -> None:
    assert str(WritesDisabled()) == (
        "lox24tui is read-only (--read-only or `read_only = true` in the config file): it "
        "changes nothing at LOX24, so nothing was sent."
    )


async def test_each_guarded_call_asks_lox24_what_was_asked(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    bulk = next(iter(fake.account)).uuid
    async with Lox24Client(Token(FAKE_TOKEN), fake_url) as client:
        guarded = GuardedClient(client, AccountGuard(Token(FAKE_TOKEN), clock=clock))
        await guarded.get_account()
        await guarded.list_messages(bulk)
        await count_messages(guarded, bulk, dlr_code=1, status_codes=[0], is_sent=True)
        await guarded.cancel_bulk(bulk)
    asked = [(entry.method, entry.path, entry.query) for entry in fake.log]
    assert asked[0][:2] == ("GET", "/me")
    assert asked[1][:2] == ("GET", "/sms") and "page=1" in asked[1][2]
    counted = asked[2][2]
    assert "dlr_code" in counted and "is_sent" in counted and "status" in counted
    assert asked[3][:2] == ("PUT", f"/bulks/{bulk}/cancel")


class Cancelled:
    """A client whose call is cancelled before its answer (the user quit, a screen closed)."""

    async def check_token(self) -> dict[str, object]:
        raise asyncio.CancelledError


@pytest.mark.parametrize("cancelled", [False, True], ids=["answered", "cancelled"])
@pytest.mark.parametrize(("proven", "freed"), [(False, True), (True, False)])
async def test_a_request_that_ends_frees_the_others_only_when_it_held_them_back(
    clock: VirtualClock, cancelled: bool, proven: bool, freed: bool
) -> None:
    """Until the token is proven one request goes alone: however it ends, the others go on."""
    guard = AccountGuard(Token(FAKE_TOKEN), clock=clock)
    if proven:
        guard.settle(ticket(guard), None)
    events: list[GuardEvent] = []
    guard.listen(events.append)
    if cancelled:
        with pytest.raises(asyncio.CancelledError):
            await GuardedClient(Cancelled(), guard).check_token()  # type: ignore[arg-type]
    else:
        guard.settle(ticket(guard), None)
    assert (GuardEvent.FREED in events) == freed


def test_a_429_stop_is_checked_without_writing_the_file(shared: Path, clock: VirtualClock) -> None:
    guard = process(shared, clock)
    guard.settle(ticket(guard), None)
    guard.settle(ticket(guard), RateLimited(retry_after=600, http_status=429))
    ends = clock.now() + 600
    written = shared.read_bytes()
    for _ in range(20):
        clock.advance(10)
        assert stop(process(shared, clock)).until == ends
    assert shared.read_bytes() == written


def test_a_process_that_saw_the_token_work_lately_stays_proven_though_the_file_lags(
    shared: Path, clock: VirtualClock
) -> None:
    dashboard = process(shared, clock)
    dashboard.settle(ticket(dashboard), None)  # written to the file
    clock.advance(PROOF_WRITE_EVERY - 1)
    dashboard.settle(ticket(dashboard), None)  # in memory only
    clock.advance(PROVEN_FOR - PROOF_WRITE_EVERY + 2)  # the file's proof is stale now
    assert ticket(dashboard).proven
    assert not process(shared, clock).token_proven  # a new process knows only the file


def test_a_failure_proves_nothing_in_memory_either(shared: Path, clock: VirtualClock) -> None:
    guard = process(shared, clock)
    guard.settle(ticket(guard), None)
    clock.advance(PROVEN_FOR - 10)
    guard.settle(ticket(guard), ServerError(http_status=502))
    clock.advance(20)
    assert not guard.token_proven


def test_a_404_between_failures_keeps_lox24_reachable(shared: Path, clock: VirtualClock) -> None:
    guard = process(shared, clock)
    guard.settle(ticket(guard), None)
    never = NetworkError("could not connect", never_sent=True)
    for outcome in [never, never, BulkNotFound("x", http_status=404), never]:
        guard.settle(ticket(guard), outcome)
    assert guard.breaker() is None


def test_after_a_recovery_the_next_outage_probes_from_the_first_wait_again(
    shared: Path, clock: VirtualClock
) -> None:
    guard = process(shared, clock)
    guard.settle(ticket(guard), None)
    never = NetworkError("could not connect", never_sent=True)
    events: list[GuardEvent] = []
    for _ in range(3):
        guard.settle(ticket(guard), never)
    clock.advance(20)
    guard.listen(events.append)
    guard.settle(ticket(guard), never)  # a probe fails: the next waits longer
    assert GuardEvent.CHANGED in events
    clock.advance(40)
    guard.settle(ticket(guard), None)  # the next probe: LOX24 answers again
    for _ in range(3):
        guard.settle(ticket(guard), never)
    assert stop(guard).until == clock.now() + 20


def test_the_debug_log_says_what_each_answer_changed(
    shared: Path, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    """What support reads in ``--log``: one line per decision, in words."""
    caplog.set_level("DEBUG", logger="lox24tui.account.guard")
    guard = process(shared, clock)
    never = NetworkError("could not connect", never_sent=True)
    guard.settle(ticket(guard), None)
    for _ in range(3):
        guard.settle(ticket(guard), never)
    clock.advance(20)
    guard.settle(ticket(guard), None)
    guard.settle(ticket(guard), RateLimited(retry_after=90, http_status=429))
    clock.advance(90)
    guard.settle(ticket(guard), InvalidToken(http_status=401))
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("guard: ")]
    assert said == [
        "guard: the token works (proven for every lox24tui for 120 s)",
        "guard: LOX24 unreachable: one probe at a time",
        "guard: LOX24 answers again",
        "guard: rate-limited: every request waits 90 s",
        "guard: LOX24 refused the token or the account; requests stop",
    ]


def test_the_debug_log_says_why_requests_wait_or_go_alone(
    shared: Path, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="lox24tui.account.guard")
    guard = process(shared, clock)
    first = ticket(guard)
    stop(guard)  # merely waiting for the first answer: nothing to log
    guard.settle(first, None)
    never = NetworkError("could not connect", never_sent=True)
    for _ in range(3):
        guard.settle(ticket(guard), never)
    clock.advance(20)
    guard.settle(ticket(guard), None)  # the probe
    write_state(shared, {"blocked_until": clock.now() + 10**9})
    stop(guard)
    said = [r.getMessage() for r in caplog.records]
    until = humanize.clock_time(clock.now() + RATE_LIMIT_MAX_WAIT)
    assert [line for line in said if not line.startswith("guard: ")] == [
        "guard lets one request out alone: the token is not proven yet",
        "guard lets one request out alone: LOX24 probe",
        "guard holds a request back: LOX24 answered 429 (too many requests, or this IP is "
        f"blocked); no requests until {until} (60:00 min).",
    ]
    assert "guard: times in the shared state lie too far ahead; capped" in said


def test_times_the_guard_itself_sets_are_read_never_rewritten(
    shared: Path, clock: VirtualClock
) -> None:
    """Every wait at its longest and every time a second ahead (another process's clock):
    all within what a guard writes, so reading them rewrites nothing. Each request of every
    process reads the file: a needless write is a lock taken under every other process."""
    now = clock.now()
    slot = PROBE_MAX_WAIT + 5  # the longest probe slot a guard with a 10 s timeout takes
    edge = now + 1  # one second ahead: the slack allowed between two processes' clocks
    write_state(
        shared,
        {
            "blocked_until": now + RATE_LIMIT_MAX_WAIT,
            "blocked_at": now,
            "attempts": [{"at": edge, "ticket": None, "refused": True}],
            "next_probe_at": now + PROBE_MAX_WAIT,
            "probe_until": now + slot,
            "unreachable_since": edge,
            "proven": {"0" * 16: edge},
        },
    )
    before = shared.read_bytes()
    assert stop(process(shared, clock)).until == now + RATE_LIMIT_MAX_WAIT
    assert shared.read_bytes() == before
    clock.advance(RATE_LIMIT_MAX_WAIT - 1)  # the block as written, not shortened
    assert stop(process(shared, clock)).kind == BreakerKind.RATE_LIMITED
