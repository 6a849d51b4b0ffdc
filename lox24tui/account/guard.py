"""The account guard: every rule that protects the LOX24 account and the user's IP, in one place.

Every request lox24tui sends, from the engine, a command, a screen or a dialog, asks the guard
first (:meth:`AccountGuard.admit`) and tells it what came back (:meth:`AccountGuard.send` does
both around one call; :class:`GuardedClient` does it for every client call). The rules:

- **Refused credentials.** LOX24 blocks an IP for ten minutes after more than three requests with
  wrong credentials within a minute, counted on its side from when each request arrives. The
  guard counts every request that may be refused *when it is sent*, and allows at most
  :data:`REFUSED_ALLOWED` of them within :data:`REFUSED_WINDOW` seconds (a minute plus a margin).
  What counts: a 401 or 403; a request whose answer never came (LOX24 may have counted it),
  unless no connection was made at all; and, while the token is unproven, a 429. A 5xx is never
  a refused credential. A token is proven only by a success sent after every request that
  counts, and after every refusal came back (a success sent earlier may have reached LOX24
  before the key was revoked): after a refusal or a lost answer, the next request goes out
  alone.
- **Unproven token: one request alone.** A token that no lox24tui process has seen work within
  the last :data:`PROVEN_FOR` seconds is tried with one request at a time: at start, after an
  idle gap, after an outage or a 429 stop, and after a 401 or 403. A 2xx (or a 404: LOX24 looked
  the id up) proves it for every process. So a key revoked overnight costs one refused request,
  not a burst of them.
- **Requests in flight.** Mid-burst the refusals equal the requests in flight, so every request
  holds a place (:mod:`lox24tui.account.in_flight`) from before it is admitted until its answer:
  :data:`REFUSED_ALLOWED` places per server for every process together (a process configured
  with a higher concurrency uses that many). Places held longer than a request may take
  (:attr:`AccountGuard.place_patience`) are named, with the holder's pid.
- **429.** Every request stops until its Retry-After (ten minutes without one), never less than
  the refresh interval, doubling on a streak. A wait read from the shared state is capped at
  :data:`RATE_LIMIT_MAX_WAIT` after it was written (a clock set forward, then back).
- **LOX24 unreachable.** After :data:`UNREACHABLE_AFTER` network errors or 5xx answers in a row,
  only one probe request goes out at a time, at a growing interval, until one succeeds.

The counts, the 429 window, the unreachable state and which tokens are proven are shared by every
lox24tui process on the machine through :class:`FileGuardState` (a small JSON file under a lock),
so a script and a dashboard running side by side obey the rules together. They are kept per
LOX24 server, however its URL is spelled (:func:`server_key`), and so are the places for
requests in flight. Per process: the stop after a refused token (until the user acts) and the
one-request-alone rule.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import logging
import os
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Protocol, TypeVar
from urllib.parse import urlsplit

from lox24tui.account.in_flight import PLACES_FOLDER, PlacesTaken, SharedPlaces
from lox24tui.api import (
    Account,
    AccountError,
    BulkFilters,
    BulkNotFound,
    BulkPage,
    Lox24Error,
    MessagePage,
    NetworkError,
    RateLimited,
    ServerError,
    StatusReply,
    Token,
    WriteRefused,
)
from lox24tui.api.clicks import ClickPage
from lox24tui.api.client import ALL_BULKS
from lox24tui.api.opt_outs import OptOutPage
from lox24tui.api.protocol import Lox24Api
from lox24tui.api.replies import ReplyPage
from lox24tui.api.sms import ALL_MESSAGES, MessageFilters
from lox24tui.clock import Clock, SystemClock
from lox24tui.state.files import (
    LOCK_WAIT,
    LockBusy,
    StateFault,
    aside_name,
    cannot_use,
    file_signature,
    locked,
    os_reason,
    write_atomically,
)
from lox24tui.text import humanize

_log = logging.getLogger(__name__)
"""The debug log (``--log``): each decision that holds requests back or lets them out again."""

T = TypeVar("T")

REFUSED_ALLOWED: Final = 3
"""LOX24 tolerates three bad-credential requests a minute; the fourth blocks the IP."""
REFUSED_WINDOW: Final = 65.0
"""LOX24's minute, plus a margin for clock differences and requests on the way."""
RATE_LIMIT_DEFAULT_WAIT: Final = 600.0
"""LOX24 blocks an IP for ten minutes; a 429 without Retry-After is waited out that long."""
RATE_LIMIT_MAX_WAIT: Final = 3600.0
"""A Retry-After longer than this (or infinite) is capped: the user gets a retry within an hour."""
PROVEN_FOR: Final = 120.0
"""Seconds a token stays proven after it was last seen to work. Twelve refresh intervals at the
default of 10 s, so a dashboard that keeps polling never goes back to one request alone; yet a
key revoked overnight, or during an idle gap, an outage or a ten-minute 429 stop, is tried alone
again first and costs one refused request, not a burst."""
PROOF_WRITE_EVERY: Final = 30.0
"""A success refreshes the proof in memory at once, and in the shared file at most this often:
a steady state writes the file about twice a minute, never on every request."""
CLOCK_SLACK: Final = 1.0
"""How far in the future a time read from the shared state may be before it counts as written
by a clock that was set back since (and is capped)."""
UNREACHABLE_AFTER: Final = 3
"""Network errors or 5xx answers in a row, with no success between, that make LOX24 unreachable."""
PROBE_MAX_WAIT: Final = 60.0
"""The longest wait between two probes while LOX24 is unreachable."""
PROBE_SLOT_SLACK: Final = 5.0
"""A probe slot outlives the request timeout by this much, so a killed process frees it."""
FORMAT_VERSION: Final = 1
STATE_RETRY: Final = 1.0
"""While the shared state cannot be used (a lock held, a full disk), how often it is tried
again; commands try every :data:`LOCK_RETRY` for at most :data:`LOCK_WAIT`."""
LOCK_RETRY: Final = 0.05
PLACE_RETRY: Final = 0.1
"""While other processes hold every place for a request in flight, how often one is tried."""
GUARD_FILE: Final = "the account guard file"


class BreakerKind(StrEnum):
    AUTH = "auth"
    """401/403: stopped until the token changes or the user says to try it again."""
    RATE_LIMITED = "rate_limited"
    """429: stopped until the time given."""
    PROTECTING_IP = "protecting_ip"
    """An unproven token, and a fourth possibly refused request could get the IP blocked."""
    UNREACHABLE = "unreachable"
    """Every recent request failed on the way or on LOX24's side: one probe at a time."""
    BUSY = "busy"
    """An unproven token's request, or a probe, is on the wire: wait for its answer."""
    STATE = "state"
    """The shared state cannot be read or written (a lock held, a full disk, a folder that is
    a file): no request goes out until it can, because none could be counted."""


@dataclass(frozen=True, slots=True)
class Breaker:
    """Why no request may go out now, and until when (None: until someone acts, or an answer
    arrives for BUSY)."""

    kind: BreakerKind
    error: Lox24Error | None = None
    until: float | None = None
    since: float | None = None
    """For UNREACHABLE: when the first failure of the streak happened."""
    refused: int = 0
    """For PROTECTING_IP: how many of the counted requests LOX24 actually refused (401/403);
    0 means they all went unanswered, so LOX24 cannot be reached rather than refusing."""

    def reason(self, now: float) -> str:
        """One sentence a person understands."""
        until = "" if self.until is None else until_text(self.until, now)
        if self.kind in (BreakerKind.AUTH, BreakerKind.STATE):
            return self.error.message if self.error is not None else "LOX24 refused the token."
        if self.kind == BreakerKind.RATE_LIMITED:
            return (
                "LOX24 answered 429 (too many requests, or this IP is blocked); no requests "
                f"{until}."
            )
        if self.kind == BreakerKind.PROTECTING_IP and not self.refused:
            return (
                f"LOX24 cannot be reached: {REFUSED_ALLOWED} requests with a token not yet "
                "proven got no answer within the last minute (from any lox24tui), and LOX24 "
                "may have counted them; to keep it from blocking this IP, the next one waits "
                f"{until}."
            )
        if self.kind == BreakerKind.PROTECTING_IP:
            return (
                f"requests with a refused or unproven token already went out {REFUSED_ALLOWED} "
                "times within the last minute (from any lox24tui); to keep LOX24 from blocking "
                f"this IP, the next one waits {until}."
            )
        if self.kind == BreakerKind.UNREACHABLE:
            since = "" if self.since is None else f" since {humanize.clock_time(self.since)}"
            retry = (
                "a probe is on its way"
                if self.until is None
                else f"retrying in {_wait_text(self.until - now)}"
            )
            return f"LOX24 unreachable{since} (network errors or LOX24 system errors); {retry}."
        return "another request is waiting for its answer."


class GuardStopped(Lox24Error):
    """A request the guard did not let out: nothing was sent."""

    kind = "not_sent"
    title = "not sent"

    def __init__(self, breaker: Breaker, now: float) -> None:
        self.breaker = breaker
        reason = breaker.reason(now)
        super().__init__(reason[:1].upper() + reason[1:])
        if breaker.error is not None:
            self.http_status = breaker.error.http_status
            self.request_id = breaker.error.request_id


class StateUnusable(Lox24Error):
    """The shared guard state cannot be used; the message says which file, why, what to do."""

    kind = "state_unusable"
    title = "guard file"

    def __init__(self, fault: StateFault, gave_up_after: float | None = None) -> None:
        self.fault = fault
        then = "it is free" if isinstance(fault, LockBusy) else "then"
        if isinstance(fault, PlacesTaken):
            then = "one is free"
        if gave_up_after is not None:
            super().__init__(f"{fault}; gave up after {gave_up_after:g} s, nothing was sent.")
        else:
            super().__init__(f"{fault}; no request is sent until {then}.")


class WritesDisabled(Lox24Error):
    """A write (a cancel) asked for while lox24tui runs read-only: nothing was sent."""

    kind = "read_only"
    title = "read-only"

    def _describe(self) -> str:
        return (
            "lox24tui is read-only (--read-only or `read_only = true` in the config file): "
            "it changes nothing at LOX24, so nothing was sent."
        )


def concurrency_warning(concurrency: int) -> str | None:
    """What a ``concurrency`` above :data:`REFUSED_ALLOWED` risks, in the words every front end
    uses (the dashboard at start, ``--help``, the README); None at or below it. A token proven a
    moment ago goes out in bursts, and when the key is revoked mid-burst every request in flight
    is refused."""
    if concurrency <= REFUSED_ALLOWED:
        return None
    return (
        f"concurrency {concurrency} is above {REFUSED_ALLOWED}: a key revoked while requests are "
        f"in flight may cost up to {concurrency} refused requests, and LOX24 blocks this IP for "
        f"ten minutes after more than {REFUSED_ALLOWED} within a minute."
    )


def stops_everything(error: Lox24Error) -> bool:
    """Whether nothing more may be sent after ``error`` (commands exit with STOPPED on it): the
    guard stopped it, LOX24 refused the token or the account, or rate-limited the IP."""
    return isinstance(error, GuardStopped | AccountError | RateLimited)


# --------------------------------------------------------------------- shared state


@dataclass
class Attempt:
    """A request that may count as a refused credential at LOX24, by when it was sent."""

    at: float
    ticket: str | None
    """Set while its answer is awaited; None once the answer confirmed it counts."""
    refused: bool = False
    """Whether LOX24 answered it with 401/403 (else its answer never came)."""
    answered: float | None = None
    """For a refusal, when it came back. Requests reach LOX24 in an order of their own: a
    success sent after a refused request may have arrived before the key was revoked, and its
    answer come after the refusal's; it proves nothing (:meth:`ServerState.refused_since`)."""


@dataclass
class ServerState:
    """What every lox24tui process on the machine knows about one LOX24 server."""

    attempts: list[Attempt] = field(default_factory=list)
    blocked_until: float = 0.0
    blocked_at: float | None = None
    """When ``blocked_until`` was written: it is never trusted beyond RATE_LIMIT_MAX_WAIT after."""
    unreachable_since: float | None = None
    next_probe_at: float = 0.0
    probe_until: float = 0.0
    probe_failures: int = 0
    proven: dict[str, float] = field(default_factory=dict)
    """Fingerprints of tokens seen to work (never the tokens), with when."""

    def counted(self, now: float) -> list[float]:
        """Send times of possibly refused requests within the window, oldest first."""
        return sorted(a.at for a in self.attempts if a.at > now - REFUSED_WINDOW)

    def may_be_refused(self, now: float, on_the_wire: int) -> int:
        """Requests within the window that LOX24 may count as refused: those answered so (or
        never answered), and the ``on_the_wire`` now, which a key revoked mid-burst would all
        turn into refusals. An unproven request awaiting its answer is both in the count and
        on the wire, so it is taken once; one whose process died is in the count alone."""
        answered = sum(1 for a in self.attempts if a.ticket is None and a.at > now - REFUSED_WINDOW)
        return max(len(self.counted(now)), answered + on_the_wire)

    def refused_in_window(self, now: float) -> int:
        """How many of the counted requests LOX24 actually refused."""
        return sum(1 for a in self.attempts if a.refused and a.at > now - REFUSED_WINDOW)

    def refused_since(self, sent_at: float) -> bool:
        """Whether a refusal came back at or after ``sent_at``: then a success sent at
        ``sent_at`` says nothing of the token now (it may have been revoked in between, or
        have reached LOX24 before a refused request sent earlier). A refusal recorded without
        its answer's time (an older file) is dated by its sending, never later than its answer."""
        return any(a.refused and (a.answered or a.at) >= sent_at for a in self.attempts)

    def forget_old(self, now: float) -> None:
        self.attempts = [a for a in self.attempts if a.at > now - REFUSED_WINDOW]

    def needs_capping(self, now: float, probe_slot: float) -> bool:
        """Whether a time in it lies further ahead than the guard itself would ever set: the
        clock was set back since it was written, or the file was edited."""
        ahead = now + CLOCK_SLACK
        blocked_at = self.blocked_at
        return (
            (
                self.blocked_until > now
                and (
                    blocked_at is None
                    or blocked_at > ahead
                    or self.blocked_until > blocked_at + RATE_LIMIT_MAX_WAIT
                )
            )
            or any(a.at > ahead for a in self.attempts)
            or self.next_probe_at > now + PROBE_MAX_WAIT
            or self.probe_until > now + probe_slot
            or (self.unreachable_since is not None and self.unreachable_since > ahead)
            or any(at > ahead for at in self.proven.values())
        )

    def cap(self, now: float, probe_slot: float) -> None:
        """Bring every time back within what the guard would set, counted from when it was
        written, or from now when that is unknown or ahead: waits end, and say until when."""
        if self.blocked_until > now:
            written = self.blocked_at
            if written is None or written > now + CLOCK_SLACK:
                written = now
            self.blocked_at = written
            self.blocked_until = min(self.blocked_until, written + RATE_LIMIT_MAX_WAIT)
        for attempt in self.attempts:
            attempt.at = min(attempt.at, now)
        self.next_probe_at = min(self.next_probe_at, now + PROBE_MAX_WAIT)
        self.probe_until = min(self.probe_until, now + probe_slot)
        if self.unreachable_since is not None:
            self.unreachable_since = min(self.unreachable_since, now)
        # a proof "from the future" proves nothing: the token goes out alone again
        self.proven = {key: at for key, at in self.proven.items() if at <= now + CLOCK_SLACK}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> ServerState:
        """Tolerant: a field that cannot be read takes its default (the file is advisory)."""
        state = cls()
        if not isinstance(data, dict):
            return state
        for item in data.get("attempts") or []:
            if isinstance(item, dict) and _is_number(item.get("at")):
                ticket = item.get("ticket")
                state.attempts.append(
                    Attempt(
                        float(item["at"]),
                        ticket if isinstance(ticket, str) else None,
                        item.get("refused") is True,
                        float(item["answered"]) if _is_number(item.get("answered")) else None,
                    )
                )
        for name in ("blocked_until", "next_probe_at", "probe_until"):
            if _is_number(data.get(name)):
                setattr(state, name, float(data[name]))
        for name in ("unreachable_since", "blocked_at"):
            if _is_number(data.get(name)):
                setattr(state, name, float(data[name]))
        if isinstance(data.get("probe_failures"), int):
            state.probe_failures = data["probe_failures"]
        proven = data.get("proven")
        if isinstance(proven, dict):
            state.proven = {
                key: float(value)
                for key, value in proven.items()
                if isinstance(key, str) and _is_number(value)
            }
        return state


class GuardState(Protocol):
    """Where a :class:`ServerState` lives: in memory, or in a file every process shares."""

    @property
    def fault(self) -> StateFault | None:
        """Why the state cannot be used now (None: it can): nothing may be sent meanwhile."""
        ...

    def read(self) -> ServerState: ...

    def update(self, change: Callable[[ServerState], T]) -> T:
        """Apply ``change`` to the state as it is now, atomically with respect to other
        processes, and keep the result. Raises :class:`StateFault` (and keeps nothing) when
        the state cannot be written."""
        ...

    def take_place(self) -> int | None:
        """A place for one request in flight (see :mod:`lox24tui.account.in_flight`); None
        while every place is taken. Raises :class:`StateFault` when places cannot be kept."""
        ...

    def free_place(self, place: int) -> None: ...

    def places_in_use(self) -> int:
        """Requests on the wire now, this process's and every other's."""
        ...

    def places_taken(self, waited: float) -> StateFault:
        """Why no place has been free for ``waited`` seconds, for people."""
        ...


class MemoryGuardState:
    """The state of one process (tests, the demo)."""

    fault: StateFault | None = None

    def __init__(self) -> None:
        self._state = ServerState()
        self._in_use = 0

    def read(self) -> ServerState:
        return self._state

    def update(self, change: Callable[[ServerState], T]) -> T:
        return change(self._state)

    def take_place(self) -> int | None:
        """One process: its own concurrency is the only cap on its requests in flight."""
        self._in_use += 1
        return 0

    def free_place(self, place: int) -> None:
        self._in_use = max(0, self._in_use - 1)

    def places_in_use(self) -> int:
        return self._in_use

    def places_taken(self, waited: float) -> StateFault:  # pragma: no cover - never taken
        raise AssertionError("a process's own places are never all taken")


class _Damaged(Exception):
    """The guard file is there but is not a guard file; the message says how."""


class FileGuardState:
    """One JSON file, keyed by server URL, read and written under a lock. Reads are cached by
    the file's identity (inode, mtime, size), so checking before each request costs a stat.

    It fails closed, because the file is what keeps every lox24tui within LOX24's rules:

    - A damaged file (not JSON, empty, the wrong shape, a folder) is moved aside, the user is
      told once with both names, and the refused-credential window counts as full from then on:
      nothing that could be refused goes out until :data:`REFUSED_WINDOW` has passed. A file
      that cannot be moved aside is a :attr:`fault`.
    - A missing file is no damage: on the first run there is none. A process that read or
      wrote the file before keeps what it knew, and writes it back with its next change.
    - A file that cannot be written (a full disk, a read-only or immutable folder, a folder
      that is a file) or whose lock another process holds is a :attr:`fault`, raised as
      :class:`StateFault` by :meth:`update` and kept until an update works again.
    - The lock is only ever tried, never waited for: the dashboard's event loop must not stop
      on it; the guard tries again (commands for at most :data:`LOCK_WAIT` seconds).
    """

    def __init__(
        self,
        path: Path,
        server: str,
        *,
        clock: Clock | None = None,
        tell: Callable[[str], None] | None = None,
        lock_wait: float | None = None,
        concurrency: int = REFUSED_ALLOWED,
    ) -> None:
        """``tell`` hears what people must be told (see :meth:`listen`); ``lock_wait``: how long
        the guard's user waits for a held lock (a command), for the words; None: it never
        gives up (the dashboard). Requests in flight to the server from every process
        together are capped at :data:`REFUSED_ALLOWED`; a process's ``concurrency`` above that
        (with its warning) widens the cap for that process's requests."""
        self.path = path
        self._places = SharedPlaces(
            path.parent / PLACES_FOLDER, server, max(REFUSED_ALLOWED, concurrency)
        )
        self.lock_wait = lock_wait
        self.server = server
        self._clock: Clock = clock or SystemClock()
        self._cached: tuple[tuple[int, int, int] | None, ServerState] | None = None
        self._known: ServerState | None = None
        """This server's state as this process last read or wrote it."""
        self.fault: StateFault | None = None
        self._tell = tell
        self._untold: list[str] = []
        self._told: set[str] = set()

    def listen(self, tell: Callable[[str], None]) -> None:
        """Send what must be told to people (a damaged file moved aside, a fault) to ``tell``,
        from now on and what was found before."""
        self._tell = tell
        untold, self._untold = self._untold, []
        for text in untold:
            tell(text)

    def read(self) -> ServerState:
        """The state as the file holds it; never raises. A missing file reads as what this
        process knew; a damaged one is moved aside (see the class)."""
        signature = file_signature(self.path)
        if signature is None:
            return self._known or ServerState()
        if self._cached is not None and self._cached[0] == signature:
            return self._cached[1]
        try:
            state = self._from(self._document())
        except _Damaged:
            repaired = self._repair()
            if self.fault is not None:  # not moved aside yet: the guard tries again, not reads
                self._cached = (signature, repaired)
            return repaired
        except OSError:  # unreadable: the next update says why
            return self._known or ServerState()
        self._cached = (signature, state)
        self._known = state
        return state

    def update(self, change: Callable[[ServerState], T]) -> T:
        try:
            with locked(self.path, what=GUARD_FILE, wait=0):
                result = self._update_locked(change)
        except OSError as error:
            fault = cannot_use(GUARD_FILE, self.path, error)
            self._set_fault(fault)
            raise fault from None
        if self.fault is not None:
            self.fault = None
            self._told.clear()
        return result

    def take_place(self) -> int | None:
        return self._places.take()

    def free_place(self, place: int) -> None:
        self._places.free(place)

    def places_in_use(self) -> int:
        return self._places.in_use()

    def places_taken(self, waited: float) -> StateFault:
        return self._places.taken(waited)

    def _update_locked(self, change: Callable[[ServerState], T]) -> T:
        try:
            document = self._document()
            state = self._from(document)
        except _Damaged as damage:
            state = self._put_aside(str(damage))
            document = {}
        result = change(state)
        written = {**(document or {}), "version": FORMAT_VERSION, self.server: state.to_json()}
        write_atomically(self.path, json.dumps(written) + "\n", mode=0o600)
        self._cached = (file_signature(self.path), state)
        self._known = state
        return result

    def _from(self, document: dict[str, Any] | None) -> ServerState:
        if document is None:  # missing: what this process knew, or nothing on a first run
            return ServerState.from_json(self._known.to_json() if self._known else None)
        try:
            return ServerState.from_json(document.get(self.server))
        except (TypeError, ValueError, OverflowError) as error:  # a list where a number goes…
            raise _Damaged("it is JSON of the wrong shape") from error

    def _document(self) -> dict[str, Any] | None:
        """The whole file; None when there is none. Raises :class:`_Damaged`, or OSError when it
        cannot be read."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise _Damaged("a folder stands where the file should be") from None
        if not raw.strip():
            raise _Damaged("it is empty")
        try:
            document = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            raise _Damaged("it is not valid JSON") from None
        if not isinstance(document, dict) or not isinstance(document.get(self.server, {}), dict):
            raise _Damaged("it is JSON of the wrong shape")
        return document

    def _repair(self) -> ServerState:
        """Found damaged on a read: moved aside under the lock (unless another process did it
        first); when that cannot be done now, the window counts as full in memory."""
        try:
            return self.update(lambda state: state)
        except StateFault:
            return self._full_window(self._known)

    def _put_aside(self, why: str) -> ServerState:
        """Move the damaged file aside (under the lock) and start from a full window."""
        aside = aside_name(self.path, self._clock.now())
        try:
            os.rename(self.path, aside)
        except OSError as error:
            raise _cannot_move(self.path, why, error) from None
        state = self._full_window(self._known)
        until = humanize.clock_time(self._clock.now() + REFUSED_WINDOW)
        self._say(
            f"{GUARD_FILE} {self.path} was damaged ({why}); it was moved aside to {aside}. "
            f"Requests that LOX24 could refuse wait until {until}, as if the last minute's "
            "allowance were used up, so that this IP cannot be blocked."
        )
        return state

    def _full_window(self, known: ServerState | None) -> ServerState:
        """No token proven, and :data:`REFUSED_ALLOWED` possibly refused requests just now."""
        now = self._clock.now()
        # unknown requests that may have been refused: the bar says "protecting your IP"
        state = ServerState(attempts=[Attempt(now, None, True) for _ in range(REFUSED_ALLOWED)])
        if known is not None:
            state.blocked_until = known.blocked_until
        return state

    def _set_fault(self, fault: StateFault) -> None:
        self.fault = fault
        if isinstance(fault, LockBusy):
            self._say(f"{fault.waiting(self.lock_wait)}; no request is sent until it is free")
        else:
            self._say(f"{fault}; no request is sent until then")

    def _say(self, text: str) -> None:
        """Tell people once (per fault, until it ends)."""
        if text in self._told:
            return
        self._told.add(text)
        _log.warning("%s", text)
        if self._tell is None:
            self._untold.append(text)
        else:
            self._tell(text)


def _cannot_move(path: Path, why: str, error: OSError) -> StateFault:
    reason, todo = os_reason(error)
    return StateFault(
        f"{GUARD_FILE} {path} is damaged ({why}) and cannot be moved aside ({reason}); {todo}",
        path,
    )


# --------------------------------------------------------------------- the guard


@dataclass(frozen=True, slots=True)
class Ticket:
    """One admitted request: what the guard needs to know when its answer arrives."""

    sent_at: float
    proven: bool
    """Whether the token was proven when it went out."""
    attempt: str | None
    """The id of its entry in the refused-credential count, while it may still count."""
    probe: bool
    """Whether it is the one probe of an unreachable LOX24."""
    place: int | None = None
    """The place it holds among the requests in flight from every process (until settled)."""


class GuardEvent(StrEnum):
    CHANGED = "changed"
    """A stop began or ended: summaries are out of date."""
    RECOVERED = "recovered"
    """LOX24 answered again after being unreachable: what failed meanwhile is due at once."""
    FREED = "freed"
    """A request that held the others back (a probe, an unproven token's) is over: requests
    waiting for it may go, whoever sent it (the engine, a screen, a command)."""


_tickets = itertools.count()


class AccountGuard:
    """The rules for one token against one LOX24 server. :meth:`for_token` makes the guard of
    another token on the same shared state (a token being checked, a new token in use)."""

    def __init__(
        self,
        token: Token | str | None = None,
        *,
        state: GuardState | None = None,
        clock: Clock | None = None,
        interval: float = 10.0,
        timeout: float = 10.0,
    ) -> None:
        self._state: GuardState = state or MemoryGuardState()
        self._clock: Clock = clock or SystemClock()
        self._fingerprint = _fingerprint(token)
        self.interval = interval
        """The refresh interval: the shortest wait after a 429, and the first probe's wait."""
        self.timeout = timeout
        self._auth_stop: Lox24Error | None = None
        self._rate_limit_error: RateLimited | None = None
        self._rate_limit_streak = 0
        self._failure_streak: list[float] = []
        """Send times of network errors and 5xx answers in a row, oldest first."""
        self._seen_working: float | None = None
        """When this process last saw the token work (the shared file may be up to
        PROOF_WRITE_EVERY older); it counts only while the file still holds a proof."""
        self._probed = False
        """Whether this process has seen LOX24 unreachable itself (or probed it once)."""
        self._unproven_in_flight = 0
        self._probe_in_flight = False
        self._answered = asyncio.Event()
        self._listeners: list[Callable[[GuardEvent], None]] = []
        self._unwritten: list[Callable[[ServerState], object]] = []
        """Changes the shared state could not take (a fault): written before the next one."""
        self._retry_at = 0.0
        self._crowd: Breaker | None = None
        """Why the last request found no place free (other processes hold them all), until
        ``_crowd.until``; then the next request tries again."""
        self._crowded_since: float | None = None
        self._place_fault: StateFault | None = None
        """Why places for requests in flight cannot be kept (tried again after ``_retry_at``)."""

    @property
    def place_patience(self) -> float:
        """How long a request may wait for a place before the holders are named: longer than
        any request may take."""
        return self.timeout + PROBE_SLOT_SLACK

    def for_token(self, token: Token | str | None) -> AccountGuard:
        return AccountGuard(
            token,
            state=self._state,
            clock=self._clock,
            interval=self.interval,
            timeout=self.timeout,
        )

    def listen(self, listener: Callable[[GuardEvent], None]) -> None:
        self._listeners.append(listener)

    # ------------------------------------------------------------------ reading

    @property
    def token_proven(self) -> bool:
        """Whether the token was seen to work within the last PROVEN_FOR seconds."""
        now = self._clock.now()
        return self._fresh(now, self._current(now))

    def _fresh(self, now: float, state: ServerState) -> bool:
        shared = state.proven.get(self._fingerprint)
        if shared is None:  # never proven, or refused since (by any process)
            return False
        last = max(shared, self._seen_working or shared)
        if not now - PROVEN_FOR < last <= now + CLOCK_SLACK:
            return False
        # a request sent since, refused or never answered, leaves the token's state unknown
        return not any(a.at >= last for a in state.attempts if a.at > now - REFUSED_WINDOW)

    def _current(self, now: float) -> ServerState:
        """The shared state, with any time further ahead than the guard would set capped (and
        the cap written, so every process then counts down to the same moment). A fault of
        the shared file may begin or end inside the read (damage moved aside, or not): told
        like one met while writing, so the screens redraw."""
        was = self._state.fault
        state = self._state.read()
        if (was is None) != (self._state.fault is None):
            self._tell(GuardEvent.CHANGED)
        # another process may run with a longer timeout: its probe slot is not too far ahead
        slot = max(self.timeout, PROBE_MAX_WAIT) + PROBE_SLOT_SLACK
        if not state.needs_capping(now, slot):
            return state
        _log.debug("guard: times in the shared state lie too far ahead; capped")

        def cap(shared: ServerState) -> ServerState:
            shared.cap(now, slot)
            return shared

        written = self._write(cap)
        # a state that cannot be written is capped where it is read, in memory
        return cap(state) if isinstance(written, StateFault) else written

    def breaker(self) -> Breaker | None:
        """Why nothing may be sent now, for people (a request merely waiting for another's
        answer is not shown)."""
        self._recover()
        now = self._clock.now()
        state = self._current(now)
        breaker = self._blocked(now, state)
        if breaker is None or breaker.kind == BreakerKind.BUSY:
            if self._place_fault is not None:  # between two tries
                return self._state_breaker(now, self._place_fault)
            if state.unreachable_since is not None:
                return Breaker(BreakerKind.UNREACHABLE, since=state.unreachable_since)
        return None if breaker is None or breaker.kind == BreakerKind.BUSY else breaker

    def blocked(self) -> Breaker | None:
        """Why the next request may not go out now (BUSY included); None when it may."""
        self._recover()
        now = self._clock.now()
        return self._blocked(now, self._current(now))

    def _state_breaker(self, now: float, fault: StateFault) -> Breaker:
        """Nothing goes out while the shared state cannot be used; it is tried again then."""
        return Breaker(BreakerKind.STATE, StateUnusable(fault), until=max(now, self._retry_at))

    def _blocked(self, now: float, state: ServerState) -> Breaker | None:
        if self._auth_stop is not None:
            return Breaker(BreakerKind.AUTH, self._auth_stop)
        if self._state.fault is not None:
            return self._state_breaker(now, self._state.fault)
        if self._place_fault is not None and now < self._retry_at:
            return self._state_breaker(now, self._place_fault)
        if self._crowd is not None and self._crowd.until is not None and now < self._crowd.until:
            return self._crowd
        if state.blocked_until > now:
            return Breaker(BreakerKind.RATE_LIMITED, self._rate_limit_error, state.blocked_until)
        if self._probe_in_flight:
            return Breaker(BreakerKind.BUSY)
        if not self._fresh(now, state):
            if self._unproven_in_flight:
                return Breaker(BreakerKind.BUSY)
            counted = state.counted(now)
            if len(counted) >= REFUSED_ALLOWED:
                until = counted[-REFUSED_ALLOWED] + REFUSED_WINDOW
                return Breaker(
                    BreakerKind.PROTECTING_IP, until=until, refused=state.refused_in_window(now)
                )
        if state.unreachable_since is not None:
            # another process's probe is on the wire, or the next probe is not due yet
            wait_until = max(state.probe_until, state.next_probe_at if self._probed else 0.0)
            if wait_until > now:
                return Breaker(
                    BreakerKind.UNREACHABLE, until=wait_until, since=state.unreachable_since
                )
        return None

    # ------------------------------------------------------------------ admitting

    def admit(self) -> Ticket | Breaker:
        """Let one request out now (the returned ticket goes to :meth:`settle` with its answer),
        or say why not. Decided under the shared lock when it writes, so two processes cannot
        both take the last place."""
        self._recover(force=True)
        now = self._clock.now()
        state = self._current(now)
        breaker = self._blocked(now, state)
        if breaker is not None:
            if breaker.kind != BreakerKind.BUSY:
                _log.debug("guard holds a request back: %s", breaker.reason(now))
            return breaker
        place = self._take_place(now)
        if isinstance(place, Breaker):
            return place
        # read again now that the place is ours: the answer that freed it is in the state by
        # now (answers are recorded before their places are let go), a refusal included
        state = self._current(now)
        breaker = self._blocked(now, state)
        if breaker is not None:
            self._state.free_place(place)
            return breaker
        proven = self._fresh(now, state)
        probing = state.unreachable_since is not None
        if proven and not probing:
            return Ticket(now, True, None, False, place)  # the common case: nothing to write
        attempt = None if proven else f"{os.getpid()}-{next(_tickets)}"
        # every request on the wire may come back refused (a key revoked mid-burst), so one
        # that may be refused goes only while they and the counted ones leave room; looked at
        # before the state is read under the lock, so an answer let go meanwhile is counted
        on_the_wire = 0 if proven else self._state.places_in_use()

        def take(shared: ServerState) -> Ticket | Breaker:
            again = self._blocked(now, shared)
            if again is not None:
                return again
            if attempt is not None and shared.may_be_refused(now, on_the_wire) > REFUSED_ALLOWED:
                return Breaker(BreakerKind.BUSY, until=now + PLACE_RETRY)
            shared.forget_old(now)
            if attempt is not None:
                shared.attempts.append(Attempt(now, attempt))
            probe = shared.unreachable_since is not None
            if probe:
                shared.probe_until = now + self.timeout + PROBE_SLOT_SLACK
            return Ticket(now, proven, attempt, probe, place)

        admitted = self._write(take)
        if not isinstance(admitted, Ticket):
            self._state.free_place(place)
        if isinstance(admitted, Breaker) and admitted.kind == BreakerKind.BUSY:
            self._crowd = admitted  # tried again shortly: the answers on the wire decide
        if isinstance(admitted, StateFault):
            return self._state_breaker(now, admitted)
        if isinstance(admitted, Ticket):
            if not admitted.proven or admitted.probe:
                why = "the token is not proven yet" if not admitted.proven else "LOX24 probe"
                _log.debug("guard lets one request out alone: %s", why)
            if not admitted.proven:
                self._unproven_in_flight += 1
            if admitted.probe:
                self._probed = True
                self._probe_in_flight = True
        return admitted

    def _take_place(self, now: float) -> int | Breaker:
        """A place among the requests in flight from every process, or why there is none: BUSY
        while others hold them all (tried again every :data:`PLACE_RETRY`), and after
        :attr:`place_patience` a STATE breaker that names the holders; a STATE breaker when
        places cannot be kept at all (a read-only folder…)."""
        try:
            place = self._state.take_place()
        except StateFault as fault:
            self._retry_at = now + STATE_RETRY
            was, self._place_fault = self._place_fault, fault
            if was is None:
                _log.debug("guard: places for requests in flight cannot be kept: %s", fault)
                self._tell(GuardEvent.CHANGED)
            return self._state_breaker(now, fault)
        if self._place_fault is not None:
            self._place_fault = None
            self._tell(GuardEvent.CHANGED)
        if place is not None:
            told = self._crowd is not None and self._crowd.kind == BreakerKind.STATE
            self._crowd = self._crowded_since = None
            if told:
                self._tell(GuardEvent.CHANGED)
            return place
        last = self._crowd.until if self._crowd is not None else None
        if self._crowded_since is None or last is None or now > last + STATE_RETRY:
            self._crowded_since = now  # crowded again after a while: the wait starts anew
        waited = now - self._crowded_since
        until = now + PLACE_RETRY
        if waited < self.place_patience:
            self._crowd = Breaker(BreakerKind.BUSY, until=until)
            return self._crowd
        was_told = self._crowd is not None and self._crowd.kind == BreakerKind.STATE
        taken = self._state.places_taken(self.place_patience)
        self._crowd = Breaker(BreakerKind.STATE, StateUnusable(taken), until=until)
        if not was_told:
            _log.debug("guard: %s", taken)
            self._tell(GuardEvent.CHANGED)
        return self._crowd

    async def admission(self) -> Ticket:
        """Wait while another request must be answered first (an unproven token, a probe) or
        every place for a request in flight is taken; raise :class:`GuardStopped` when the
        rules stop the request. A lock another process holds is tried again for at most
        :data:`LOCK_WAIT` seconds; places held by others, for :attr:`place_patience`."""
        lock_wait_from: float | None = None
        while True:
            admitted = self.admit()
            if isinstance(admitted, Ticket):
                return admitted
            now = self._clock.now()
            if admitted.kind == BreakerKind.BUSY:
                if admitted.until is None:
                    await self._answered.wait()
                else:
                    await self._answer_or_time(admitted.until - now)
                continue
            error = admitted.error
            if isinstance(error, StateUnusable) and isinstance(error.fault, PlacesTaken):
                gave_up = StateUnusable(error.fault, gave_up_after=self.place_patience)
                raise GuardStopped(Breaker(BreakerKind.STATE, gave_up), now)
            fault = self._state.fault
            if admitted.kind == BreakerKind.STATE and isinstance(fault, LockBusy):
                lock_wait_from = now if lock_wait_from is None else lock_wait_from
                if now - lock_wait_from < LOCK_WAIT:
                    await self._clock.sleep(LOCK_RETRY)
                    continue
                gave_up = StateUnusable(fault, gave_up_after=LOCK_WAIT)
                raise GuardStopped(Breaker(BreakerKind.STATE, gave_up), now)
            raise GuardStopped(admitted, now)

    async def _answer_or_time(self, seconds: float) -> None:
        """Until one of this process's requests is answered (its place is free) or ``seconds``
        have passed (another process's may be). The timer is set before this yields, so a
        clock that moves meanwhile wakes it."""
        woken = asyncio.get_running_loop().create_future()

        def wake(_: object = None) -> None:
            if not woken.done():
                woken.set_result(None)

        timer = self._clock.call_later(max(0.0, seconds), wake)
        answered = asyncio.ensure_future(self._answered.wait())
        answered.add_done_callback(wake)
        try:
            await woken
        finally:
            timer.cancel()
            answered.cancel()

    async def send(self, ticket: Ticket, call: Callable[[], Awaitable[T]]) -> T:
        """Make one admitted request and tell the guard how it went; whatever happens, the
        ticket is settled (a ticket left open would hold back every later request)."""
        try:
            result = await call()
        except Lox24Error as error:
            self.settle(ticket, error)
            raise
        except BaseException:
            self._abandon(ticket)
            raise
        self.settle(ticket, None)
        return result

    # ------------------------------------------------------------------ answers

    def _let_go(self, ticket: Ticket) -> None:
        """Free the request's place, once its answer is in the shared state (never before: a
        request waiting for the place reads the state once it has it)."""
        if ticket.place is not None:
            self._state.free_place(ticket.place)
            if self._crowd is not None:  # the place just freed is for whoever waits, now
                self._crowd = replace(self._crowd, until=self._clock.now())

    def _release(self, ticket: Ticket) -> None:
        if not ticket.proven:
            self._unproven_in_flight = max(0, self._unproven_in_flight - 1)
        if ticket.probe:
            self._probe_in_flight = False

    def _abandon(self, ticket: Ticket) -> None:
        """A request cancelled, or broken on this side, before its answer: it says nothing of
        LOX24, but LOX24 may have counted it (its place in the refused count stays)."""
        self._release(ticket)
        if ticket.probe:

            def free_the_probe(shared: ServerState) -> None:
                shared.probe_until = 0.0

            self._write(free_the_probe, keep=True)
        self._let_go(ticket)
        self._answered.set()
        self._answered = asyncio.Event()
        if ticket.probe or not ticket.proven:
            for listener in list(self._listeners):
                listener(GuardEvent.FREED)

    def settle(self, ticket: Ticket, outcome: Lox24Error | None) -> None:
        """Take in the answer to an admitted request (None: it succeeded)."""
        self._release(ticket)
        now = self._clock.now()
        answer = Answer.of(outcome)
        events = self._note_in_process(answer, outcome, ticket)
        state = self._state.read()
        was_fresh = self._fresh(now, state)
        if answer is Answer.REFUSED:
            self._seen_working = None
        elif answer is Answer.WORKED and not state.refused_since(ticket.sent_at):
            self._seen_working = max(self._seen_working or ticket.sent_at, ticket.sent_at)
        plan = Settlement(
            answer=answer,
            counts=answer.counts_as_refused(proven=ticket.proven),
            proof_due=answer is Answer.WORKED
            and not _recent(state.proven.get(self._fingerprint), now, PROOF_WRITE_EVERY),
            proof_to_drop=answer is Answer.REFUSED and self._fingerprint in state.proven,
            rate_wait=self._rate_limit_wait(outcome) if isinstance(outcome, RateLimited) else None,
            enters_unreachable=answer.is_trouble
            and state.unreachable_since is None
            and len(self._failure_streak) >= UNREACHABLE_AFTER,
            recovers=answer is Answer.WORKED and state.unreachable_since is not None,
            ticket=ticket,
        )
        decision = plan.decision or (
            f"the token works (proven for every lox24tui for {PROVEN_FOR:g} s)"
            if answer is Answer.WORKED and not was_fresh
            else None
        )
        if decision is not None:
            _log.debug("guard: %s", decision)
        if plan.needs_write:
            event = self._record(plan, now)
            if event is not None:
                events.add(event)
                if event == GuardEvent.CHANGED and plan.enters_unreachable:
                    self._probed = True
        self._let_go(ticket)
        self._answered.set()
        self._answered = asyncio.Event()
        if ticket.probe or not ticket.proven:
            events.add(GuardEvent.FREED)
        for event in sorted(events):
            for listener in list(self._listeners):
                listener(event)

    def _note_in_process(
        self, answer: Answer, outcome: Lox24Error | None, ticket: Ticket
    ) -> set[GuardEvent]:
        """What this process keeps of an answer: the stop after a refused token, and the
        streaks of trouble and of 429s."""
        events: set[GuardEvent] = set()
        if isinstance(outcome, AccountError):
            self._auth_stop = outcome
            events.add(GuardEvent.CHANGED)
        if isinstance(outcome, RateLimited):
            events.add(GuardEvent.CHANGED)
        if answer.is_trouble:
            self._failure_streak.append(ticket.sent_at)
        elif answer is Answer.WORKED:
            self._failure_streak.clear()
            self._rate_limit_streak = 0
        return events

    def _record(self, plan: Settlement, now: float) -> GuardEvent | None:
        """Write what an answer changed for every process into the shared state; the event it
        makes (LOX24 answers again, or became unreachable), None when the write failed."""
        ticket = plan.ticket

        def record(shared: ServerState) -> GuardEvent | None:
            shared.forget_old(now)
            if ticket.attempt is not None:
                shared.attempts = [a for a in shared.attempts if a.ticket != ticket.attempt]
            if plan.counts:
                refused = plan.answer is Answer.REFUSED
                shared.attempts.append(
                    Attempt(ticket.sent_at, None, refused, now if refused else None)
                )
            if plan.answer is Answer.REFUSED:
                shared.proven.pop(self._fingerprint, None)
            elif plan.answer is Answer.WORKED and not shared.refused_since(ticket.sent_at):
                # the proof dates from when the request went out: LOX24 accepted the token
                # then, and a refusal sent later (by anyone) outranks it
                shared.proven[self._fingerprint] = max(
                    shared.proven.get(self._fingerprint, ticket.sent_at), ticket.sent_at
                )
            if plan.rate_wait is not None and now + plan.rate_wait > shared.blocked_until:
                shared.blocked_until = now + plan.rate_wait
                shared.blocked_at = now
            if ticket.probe:
                shared.probe_until = 0.0
            if plan.answer is Answer.WORKED and shared.unreachable_since is not None:
                shared.unreachable_since = None
                shared.probe_failures = 0
                shared.next_probe_at = 0.0
                return GuardEvent.RECOVERED
            if (
                plan.answer.is_trouble
                and shared.unreachable_since is None
                and plan.enters_unreachable
            ):
                shared.unreachable_since = self._failure_streak[-UNREACHABLE_AFTER]
                shared.probe_failures = 0
                shared.next_probe_at = now + self._probe_wait(0)
                return GuardEvent.CHANGED
            if plan.answer.is_trouble and ticket.probe and shared.unreachable_since is not None:
                shared.probe_failures += 1
                shared.next_probe_at = now + self._probe_wait(shared.probe_failures)
                return GuardEvent.CHANGED
            return None

        def record_or_count(shared: ServerState) -> GuardEvent | None:
            """``record``, written late: meanwhile it counted as refused."""
            event = record(shared)
            if not plan.counts:
                shared.attempts.append(Attempt(ticket.sent_at, None))
            return event

        written = self._write(record, keep=record_or_count)
        return None if isinstance(written, StateFault) else written

    def _write(
        self,
        change: Callable[[ServerState], T],
        *,
        keep: Callable[[ServerState], object] | bool = False,
    ) -> T | StateFault:
        """``change`` written to the shared state, after whatever could not be written before;
        the fault when the state cannot be written (``keep``: the change, or what to write in
        its place, is kept for later). Listeners hear when a fault begins or ends."""
        earlier = list(self._unwritten)

        def everything(shared: ServerState) -> T:
            for unwritten in earlier:
                unwritten(shared)
            return change(shared)

        was = self._state.fault
        try:
            result = self._state.update(everything)
        except StateFault as fault:
            if keep is not False:
                self._unwritten.append(change if keep is True else keep)
            self._retry_at = self._clock.now() + STATE_RETRY
            if was is None:
                _log.debug("guard: the shared state cannot be used: %s", fault)
                self._tell(GuardEvent.CHANGED)
            return fault
        del self._unwritten[: len(earlier)]
        if was is not None:
            _log.debug("guard: the shared state can be used again")
            self._tell(GuardEvent.CHANGED)
        return result

    def _recover(self, *, force: bool = False) -> None:
        """While the shared state cannot be used, try it again (every :data:`STATE_RETRY`
        seconds, or at once with ``force``), writing what could not be written."""
        if self._state.fault is None and not self._unwritten:
            return
        if not force and self._clock.now() < self._retry_at:
            return
        self._write(lambda shared: None)

    def _tell(self, event: GuardEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    def resume(self) -> None:
        """The user says to try the token again: the stop lifts (the next request still goes
        out alone, and the refused-credential count still applies)."""
        if self._auth_stop is not None:
            self._auth_stop = None
            for listener in list(self._listeners):
                listener(GuardEvent.CHANGED)

    def _rate_limit_wait(self, error: RateLimited) -> float:
        self._rate_limit_streak += 1
        self._rate_limit_error = error
        wait = error.retry_after if error.retry_after is not None else RATE_LIMIT_DEFAULT_WAIT
        # Retry-After 0 (or a date in the past) must not turn into a request storm, and
        # 429 after 429 waits longer each time.
        floor = self.interval * 2.0 ** min(self._rate_limit_streak - 1, 16)
        return min(max(wait, floor), RATE_LIMIT_MAX_WAIT)

    def _probe_wait(self, failures: int) -> float:
        return min(PROBE_MAX_WAIT, 2 * self.interval * 2.0 ** min(failures, 16))


# --------------------------------------------------------------------- guarded calls


class GuardedClient:
    """A client whose every call asks the guard first and tells it the answer. Commands and
    screens only ever hold one of these; a call the guard stops raises :class:`GuardStopped`.
    With ``read_only`` every write raises :class:`WritesDisabled` before asking anything."""

    def __init__(self, client: Lox24Api, guard: AccountGuard, *, read_only: bool = False) -> None:
        self.client = client
        self.guard = guard
        self.read_only = read_only

    async def _call(self, call: Callable[[], Awaitable[T]]) -> T:
        ticket = await self.guard.admission()
        return await self.guard.send(ticket, call)

    async def get_bulk_status(self, bulk_id: str) -> StatusReply:
        return await self._call(lambda: self.client.get_bulk_status(bulk_id))

    async def list_bulks(self, *, page: int = 1, filters: BulkFilters = ALL_BULKS) -> BulkPage:
        return await self._call(lambda: self.client.list_bulks(page=page, filters=filters))

    async def check_token(self) -> dict[str, Any]:
        return await self._call(self.client.check_token)

    async def list_messages(
        self, bulk_id: str, *, page: int = 1, filters: MessageFilters = ALL_MESSAGES
    ) -> MessagePage:
        return await self._call(
            lambda: self.client.list_messages(bulk_id, page=page, filters=filters)
        )

    async def get_account(self) -> Account:
        return await self._call(self.client.get_account)

    async def list_clicks(self, bulk_id: str, *, page: int = 1) -> ClickPage:
        return await self._call(lambda: self.client.list_clicks(bulk_id, page=page))

    async def list_replies(self, *, page: int = 1, msg_uuids: Sequence[str] = ()) -> ReplyPage:
        return await self._call(lambda: self.client.list_replies(page=page, msg_uuids=msg_uuids))

    async def list_opt_outs(self, *, page: int = 1, number: str | None = None) -> OptOutPage:
        return await self._call(lambda: self.client.list_opt_outs(page=page, number=number))

    async def cancel_bulk(self, bulk_id: str) -> StatusReply:
        if self.read_only:
            raise WritesDisabled()
        return await self._call(lambda: self.client.cancel_bulk(bulk_id))


# --------------------------------------------------------------------- helpers


class Answer(StrEnum):
    """What an answer says about the token and about LOX24: the one question each rule asks."""

    WORKED = "the token works"
    """A success, or any answer LOX24 gave after it accepted the token: a 404 (it looked the id
    up), a write refused by read-only, anything below 400."""
    REFUSED = "LOX24 refused the token or the account"
    """A 401 or 403."""
    RATE_LIMITED = "rate-limited"
    LOST = "no answer after the request went out"
    """LOX24 may have got it and refused it: it counts like a refusal, proven token or not."""
    NOT_SENT = "no connection"
    SERVER_ERROR = "a 5xx"
    OTHER = "an answer that says nothing of the token"

    @classmethod
    def of(cls, outcome: Lox24Error | None) -> Answer:
        if outcome is None or isinstance(outcome, BulkNotFound | WriteRefused):
            return cls.WORKED
        if outcome.http_status is not None and outcome.http_status < 400:
            return cls.WORKED
        if isinstance(outcome, AccountError):
            return cls.REFUSED
        if isinstance(outcome, RateLimited):
            return cls.RATE_LIMITED
        if isinstance(outcome, NetworkError):
            return cls.NOT_SENT if outcome.never_sent else cls.LOST
        if isinstance(outcome, ServerError):
            return cls.SERVER_ERROR
        return cls.OTHER

    @property
    def is_trouble(self) -> bool:
        """LOX24 may be unreachable: counted towards the probe-only state."""
        return self in {Answer.LOST, Answer.NOT_SENT, Answer.SERVER_ERROR}

    def counts_as_refused(self, *, proven: bool) -> bool:
        """Whether the request counts against :data:`REFUSED_ALLOWED` (a 429 does while the
        token is unproven: LOX24 may have counted a refusal before it limited)."""
        return self in {Answer.REFUSED, Answer.LOST} or (self is Answer.RATE_LIMITED and not proven)


@dataclass(frozen=True, slots=True)
class Settlement:
    """What one answer changes for every process, decided before the shared file is touched."""

    answer: Answer
    counts: bool
    """It counts as a refused request."""
    proof_due: bool
    """The token worked and the shared proof is older than :data:`PROOF_WRITE_EVERY`."""
    proof_to_drop: bool
    """The token was refused and some process had proven it."""
    rate_wait: float | None
    """A 429's wait for every request."""
    enters_unreachable: bool
    recovers: bool
    """LOX24 answers again after it was unreachable."""
    ticket: Ticket

    @property
    def needs_write(self) -> bool:
        return (
            self.ticket.attempt is not None
            or self.counts
            or self.proof_due
            or self.proof_to_drop
            or self.rate_wait is not None
            or self.enters_unreachable
            or self.recovers
            or self.ticket.probe
        )

    @property
    def decision(self) -> str | None:
        """What the answer changed for every request, as a line of the debug log."""
        if self.answer is Answer.REFUSED:
            return "LOX24 refused the token or the account; requests stop"
        if self.rate_wait is not None:
            return f"rate-limited: every request waits {self.rate_wait:g} s"
        if self.enters_unreachable:
            return "LOX24 unreachable: one probe at a time"
        if self.recovers:
            return "LOX24 answers again"
        return None


def _recent(at: float | None, now: float, within: float) -> bool:
    """``at`` lies within the last ``within`` seconds (not in the future: a clock set back)."""
    return at is not None and now - within < at <= now


def _fingerprint(token: Token | str | None) -> str:
    """Enough to tell tokens apart, nothing to recover one from. Without a token (a test's
    stand-in client), a fingerprint no other guard shares."""
    if token is None:
        return secrets.token_hex(12)
    value = token.reveal() if isinstance(token, Token) else token
    return hashlib.sha256(f"lox24tui:{value}".encode()).hexdigest()[:24]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def until_text(until: float, now: float) -> str:
    """ "until 09:41 (1:15 min)": the clock time a wait ends, and how long that is from now."""
    return f"until {humanize.clock_time(until)} ({_wait_text(until - now)})"


def server_key(api_url: str) -> str:
    """The one name of a LOX24 server, however its URL is spelled, so that it has one budget of
    refused requests and one 429 stop: scheme and host in lower case, the default port (443 for
    https, 80 for http) left out, ``localhost``, ``127.0.0.1`` and ``[::1]`` as one, no
    trailing slash. Used wherever the shared guard state is opened."""
    text = api_url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text.lower().rstrip("/")
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if host in _LOOPBACK_NAMES:
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


_LOOPBACK_NAMES: Final = frozenset({"localhost", "127.0.0.1", "::1"})
_DEFAULT_PORTS: Final = {"https": 443, "http": 80}


def _wait_text(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d} min" if minutes else f"{rest} s"
