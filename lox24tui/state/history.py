"""What happened to the bulks, kept across restarts: every status change any lox24tui process saw,
in one SQLite file under ``XDG_STATE_HOME``
(:attr:`lox24tui.session.config.Locations.history_file`).

Why SQLite (WAL mode): the dashboard, ``status --watch`` and the ``history`` command may all be
open at once. WAL lets them read while one writes, and SQLite's lock queues writers, so two
processes writing at once lose nothing. Nothing here may stop the rest of lox24tui:

- A locked database is waited for (a busy timeout), then tried once more; changes that still
  could not be written stay with the writer for its next flush.
- A damaged file (garbage, a cut-off copy) is kept aside as ``history.sqlite3.damaged-<time>``,
  never deleted, and a new history is started.
- Any other failure (a full disk, an unwritable folder) turns into a notice.

Problems never raise: they become sentences in :meth:`History.pop_notices`, for the caller to
show once. The schema carries a version (``PRAGMA user_version``) and grows only by
:data:`MIGRATIONS`, applied in order, so a file from any earlier release opens.

One row per change of a bulk, however many processes watch it: two dashboards, or a dashboard
and ``status --watch``, each see every change, a poll apart. Each write checks, inside its
transaction, whether the change is already recorded (:func:`_record_unless_known`), so the
second process to see it writes nothing.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, TypeVar

from lox24tui.api import StatusCode
from lox24tui.api.models import FAILED_CODES
from lox24tui.state.files import aside_name, locked

T = TypeVar("T")

SAME_CHANGE_WINDOW: Final = 3600.0
"""Seconds apart that two processes may see a bulk arrive in a code and still be taken to have
seen the same change. They see it a poll apart: a refresh interval, or at most a back-off
(:data:`lox24tui.engine.cadence.BACKOFF_CAP`) or a scheduled bulk's recheck, all far below an hour.
LOX24's codes move forward only (0, 5, then a final one): a bulk arrives in a code once."""

Migration = tuple["str | Callable[[sqlite3.Connection], None]", ...]
"""One step of the schema: SQL statements, or a function for what SQL alone cannot say."""

MIGRATIONS: Final[tuple[Migration, ...]] = (
    # 1, the first release: status transitions, and what each reader (the dashboard) last saw.
    (
        """CREATE TABLE transitions (
            id INTEGER PRIMARY KEY,
            bulk_id TEXT NOT NULL,
            from_code INTEGER,
            to_code INTEGER,
            status TEXT NOT NULL,
            at REAL NOT NULL,
            request_id TEXT,
            label TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX transitions_by_bulk ON transitions (bulk_id, at)",
        "CREATE INDEX transitions_by_time ON transitions (at)",
        "CREATE TABLE seen (reader TEXT PRIMARY KEY, at REAL NOT NULL)",
    ),
    # 2: one row per change, however many processes saw it: the duplicates that processes
    # watching the same bulks wrote before are removed, by the rule every write now follows.
    (
        "CREATE INDEX transitions_by_arrival ON transitions (bulk_id, to_code, at)",
        lambda connection: _drop_repeats(connection),
    ),
    # 3: a sending bulk's progress over time (ProgressSample), for its rate and ETA.
    (
        """CREATE TABLE progress (
            id INTEGER PRIMARY KEY,
            bulk_id TEXT NOT NULL,
            at REAL NOT NULL,
            total INTEGER NOT NULL,
            sent INTEGER NOT NULL,
            not_sent INTEGER NOT NULL,
            delivered INTEGER NOT NULL,
            failed INTEGER NOT NULL
        )""",
        "CREATE INDEX progress_by_bulk ON progress (bulk_id, at)",
    ),
    # 4: the alerts that fired. A row without cleared_at is the claim of a rule for a subject (a
    # bulk, or the account) while its condition holds: one process fires it, once, until it
    # clears; cleared rows stay, for the list of what fired.
    (
        """CREATE TABLE alerts_fired (
            id INTEGER PRIMARY KEY,
            rule TEXT NOT NULL,
            subject TEXT NOT NULL,
            at REAL NOT NULL,
            outcome TEXT NOT NULL DEFAULT '',
            cleared_at REAL
        )""",
        "CREATE UNIQUE INDEX alerts_holding ON alerts_fired (rule, subject) "
        "WHERE cleared_at IS NULL",
        "CREATE INDEX alerts_by_time ON alerts_fired (at)",
    ),
)
"""Each step turns a file of the version before it (its position) into the next one. Steps are
only ever appended, never edited: files in the wild were made by the old ones."""
SCHEMA_VERSION: Final = len(MIGRATIONS)

BUSY_SECONDS: Final = 5.0
"""How long one statement waits for another process's write to end (SQLite's busy timeout)."""
TRIM_EVERY: Final = 3600.0
"""Seconds between two retention trims of a history that stays open (the first write trims)."""
MAX_PENDING: Final = 100_000
"""Changes a writer keeps while the file cannot be written; beyond that the oldest go."""

_DAMAGED: Final = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_BUSY: Final = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_STILL_HOLDING: Final = "WHERE rule = ? AND subject = ? AND cleared_at IS NULL"
"""The firing of a rule for a subject whose condition holds yet (claimed, not cleared)."""

TimeSource = Callable[[], float]
"""Unix seconds now: ``time.time``, or a test's clock."""


@dataclass(frozen=True, slots=True)
class StatusTransition:
    """One status change of one bulk, as a process saw it."""

    bulk_id: str
    from_code: int | None
    """The code before; None when this is the first status seen."""
    to_code: int | None
    status: str
    """The label of ``to_code`` as it read then ("scheduled", "in progress", …)."""
    at: float
    """Unix seconds when it was seen."""
    request_id: str | None = None
    """LOX24's id of the request that brought it (what LOX24 support asks for)."""
    label: str = ""
    """The name the user gave the bulk on the watch list, if known then."""

    @property
    def at_utc(self) -> datetime:
        return datetime.fromtimestamp(self.at, UTC)


@dataclass(frozen=True, slots=True)
class ProgressSample:
    """A bulk's counts at one moment while it sends (from a delivery count): kept so that its
    pace, its ETA and its curve survive a restart, and show in ``history BULK_ID``."""

    bulk_id: str
    at: float
    """Unix seconds when counted."""
    total: int
    """Messages the bulk holds (created when it started sending)."""
    sent: int
    """Gone out to an operator."""
    not_sent: int
    """Held back for good (no funds, blocked, no operator, stopped)."""
    delivered: int
    failed: int
    """Expired, rejected or never sent."""

    @property
    def done(self) -> int:
        """Gone through, one way or the other: what is left to send is ``total - done``."""
        return self.sent + self.not_sent

    def same_counts(self, other: ProgressSample) -> bool:
        return (self.total, self.sent, self.not_sent, self.delivered, self.failed) == (
            other.total,
            other.sent,
            other.not_sent,
            other.delivered,
            other.failed,
        )


MAX_SAMPLES_READ: Final = 2_000
"""Samples read for one bulk at most (the latest): a day of one a minute, and more than a
sparkline or an estimate needs."""

_OUTCOMES: Final[tuple[tuple[str, frozenset[int]], ...]] = (
    ("finished", frozenset({StatusCode.PROCESSED})),
    ("failed", FAILED_CODES),
    ("canceled", frozenset({StatusCode.CANCELED})),
    ("started sending", frozenset({StatusCode.IN_PROGRESS})),
)


@dataclass(frozen=True, slots=True)
class FiredAlert:
    """One firing of an alert rule, as the alerts screen lists it."""

    rule: str
    subject: str
    """The bulk's id, or "account"."""
    at: float
    outcome: str
    """What its actions returned ("command ran, exit 0"); "" while they run."""
    cleared_at: float | None
    """When its condition stopped holding; None while it holds."""


@dataclass(frozen=True, slots=True)
class AwaySummary:
    """What happened since a reader last looked: each bulk counted once, by its latest status."""

    since: float | None
    """When the reader last looked; None the first time (then every count is 0)."""
    finished: int = 0
    failed: int = 0
    """Ended in a system error or with no recipients."""
    canceled: int = 0
    started: int = 0
    """Began sending and had not ended yet."""
    changed: int = 0
    """Bulks with any change, those above included."""

    @property
    def text(self) -> str | None:
        """ "While you were away: 3 bulks finished, 1 failed"; None when nothing ended or
        started."""
        counts = (self.finished, self.failed, self.canceled, self.started)
        parts: list[str] = []
        for (verb, _), count in zip(_OUTCOMES, counts, strict=True):
            if count:
                noun = "" if parts else (" bulk" if count == 1 else " bulks")
                parts.append(f"{count}{noun} {verb}")
        return f"While you were away: {', '.join(parts)}" if parts else None


class History:
    """The history file, open. Safe to use from several threads (one statement at a time)."""

    def __init__(
        self,
        path: Path,
        *,
        retention_days: float = 90,
        clock: TimeSource = time.time,
        busy_seconds: float = BUSY_SECONDS,
        trace: Callable[[str], None] | None = None,
    ) -> None:
        """Open (or create) the history at ``path``; never raises for a damaged or locked file.
        ``trace`` sees every SQL statement run (sqlite3's trace callback), for debugging."""
        self.path = path
        self.retention_days = retention_days
        self._clock = clock
        self._busy_seconds = busy_seconds
        self._trace = trace
        self._lock = threading.RLock()
        self._notices: list[str] = []
        self._connection: sqlite3.Connection | None = None
        self._trimmed_at = float("-inf")
        self._run(_ready, None)  # at once, so that a damaged file is told about at opening

    # ------------------------------------------------------------------ public

    def pop_notices(self) -> list[str]:
        """The problems met since the last call, each a sentence for the user; then forgets them."""
        with self._lock:
            notices, self._notices = self._notices, []
            return notices

    def record(
        self, transitions: Iterable[StatusTransition], samples: Iterable[ProgressSample] = ()
    ) -> bool:
        """Store transitions and progress samples in one transaction (all or none), each unless
        another process recorded the same already (:func:`_record_unless_known`,
        :func:`_sample_unless_known`). False when they could not be stored (a notice says why);
        the caller may try again with the same ones."""
        batch = list(transitions)
        counts = list(samples)
        if not batch and not counts:
            return True

        def insert(connection: sqlite3.Connection) -> bool:
            with _transaction(connection):
                for transition in batch:
                    _record_unless_known(connection, transition)
                for sample in counts:
                    _sample_unless_known(connection, sample)
                if self._clock() - self._trimmed_at >= TRIM_EVERY:
                    self._delete_old(connection)
            return True

        return self._run(insert, False)

    def transitions(
        self, ids: Sequence[str] = (), *, since: float | None = None
    ) -> list[StatusTransition]:
        """The transitions of ``ids`` (every bulk when empty) seen at or after ``since``, oldest
        first: the detail pane's timeline and the ``history`` command read this."""
        clauses = ["at >= ?"]  # rows not trimmed yet (a reader writes nothing) are past it too
        parameters: list[object] = [self._oldest_kept()]
        if ids:
            clauses.append(f"bulk_id IN ({', '.join('?' * len(ids))})")
            parameters.extend(ids)
        if since is not None:
            clauses.append("at >= ?")
            parameters.append(since)
        query = (
            "SELECT bulk_id, from_code, to_code, status, at, request_id, label FROM transitions"
            f" WHERE {' AND '.join(clauses)} ORDER BY at, id"
        )

        def select(connection: sqlite3.Connection) -> list[StatusTransition]:
            return [StatusTransition(*row) for row in connection.execute(query, parameters)]

        return self._run(select, [])

    def samples(self, bulk_id: str) -> list[ProgressSample]:
        """A bulk's progress samples, oldest first (the latest :data:`MAX_SAMPLES_READ`)."""
        query = (
            "SELECT bulk_id, at, total, sent, not_sent, delivered, failed FROM progress"
            " WHERE bulk_id = ? AND at >= ? ORDER BY at DESC, id DESC LIMIT ?"
        )

        def select(connection: sqlite3.Connection) -> list[ProgressSample]:
            rows = connection.execute(query, (bulk_id, self._oldest_kept(), MAX_SAMPLES_READ))
            return [ProgressSample(*row) for row in reversed(rows.fetchall())]

        return self._run(select, [])

    def away_summary(self, reader: str, bulk_ids: Collection[str] | None = None) -> AwaySummary:
        """What changed since ``reader`` (e.g. "dashboard") last called :meth:`mark_seen`, of
        ``bulk_ids`` only when given (the history also holds bulks other processes watch, and
        bulks since removed). A bulk "started sending" only when it was seen to go from new to
        in progress: one first seen while it was already sending did not start meanwhile."""
        wanted = None if bulk_ids is None else set(bulk_ids)

        def summarise(connection: sqlite3.Connection) -> AwaySummary:
            row = connection.execute("SELECT at FROM seen WHERE reader = ?", (reader,)).fetchone()
            if row is None:
                return AwaySummary(since=None)
            latest: dict[str, int | None] = {}
            for bulk_id, from_code, code in connection.execute(
                "SELECT bulk_id, from_code, to_code FROM transitions WHERE at > ? ORDER BY at, id",
                row,
            ):
                if wanted is not None and bulk_id not in wanted:
                    continue
                started = code == StatusCode.IN_PROGRESS and from_code == StatusCode.NEW
                if code == StatusCode.IN_PROGRESS and not started:
                    latest.setdefault(bulk_id, None)  # a change, but not a start
                    continue
                latest[bulk_id] = code
            counts = [sum(1 for code in latest.values() if code in codes) for _, codes in _OUTCOMES]
            finished, failed, canceled, started = counts
            return AwaySummary(
                since=row[0],
                finished=finished,
                failed=failed,
                canceled=canceled,
                started=started,
                changed=len(latest),
            )

        return self._run(summarise, AwaySummary(since=None))

    def mark_seen(self, reader: str, at: float | None = None) -> None:
        """``reader`` has seen everything up to ``at`` (now): call it while the dashboard runs and
        when it quits, so the next start's summary counts only what happened after."""
        when = self._clock() if at is None else at
        self._write(
            "INSERT INTO seen (reader, at) VALUES (?, ?) "
            "ON CONFLICT (reader) DO UPDATE SET at = excluded.at",
            (reader, when),
        )

    def claim_alert(self, rule: str, subject: str, at: float) -> bool | None:
        """Claim the firing of ``rule`` for ``subject``: True for the one process that gets it,
        False when it was claimed already (by this process or another, and not cleared since),
        None when the file could not be used (a notice says why)."""

        def claim(connection: sqlite3.Connection) -> bool:
            with _transaction(connection):
                cursor = connection.execute(
                    "INSERT OR IGNORE INTO alerts_fired (rule, subject, at) VALUES (?, ?, ?)",
                    (rule, subject, at),
                )
                return cursor.rowcount == 1

        return self._run(claim, None)

    def clear_alert(self, rule: str, subject: str, at: float) -> None:
        """The condition no longer holds: the next time it does, the rule fires again."""
        self._write(f"UPDATE alerts_fired SET cleared_at = ? {_STILL_HOLDING}", (at, rule, subject))

    def alert_outcome(self, rule: str, subject: str, outcome: str) -> None:
        """What the firing's actions returned (the command's exit, say), for the alerts list."""
        self._write(
            f"UPDATE alerts_fired SET outcome = ? {_STILL_HOLDING}", (outcome, rule, subject)
        )

    def alerts_holding(self) -> list[tuple[str, str]]:
        """(rule, subject) of the firings whose condition still holds (claimed, not cleared)."""

        def select(connection: sqlite3.Connection) -> list[tuple[str, str]]:
            rows = connection.execute(
                "SELECT rule, subject FROM alerts_fired WHERE cleared_at IS NULL"
            )
            return [(str(rule), str(subject)) for rule, subject in rows]

        return self._run(select, [])

    def alert_log(self, limit: int = 500) -> list[FiredAlert]:
        """What fired, newest first (at most ``limit``), by every process; what fired at one
        moment in the order of its rule and subject, so the list reads the same every time."""

        def select(connection: sqlite3.Connection) -> list[FiredAlert]:
            rows = connection.execute(
                "SELECT rule, subject, at, outcome, cleared_at FROM alerts_fired "
                "ORDER BY at DESC, rule, subject LIMIT ?",
                (limit,),
            )
            return [FiredAlert(*row) for row in rows]

        return self._run(select, [])

    def writer(
        self,
        call_later: Callable[[float, Callable[[], None]], object] | None = None,
        delay: float = 1.0,
    ) -> HistoryWriter:
        """A writer that batches transitions: see :class:`HistoryWriter`."""
        return HistoryWriter(self, call_later=call_later, delay=delay)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._connection.close()
                self._connection = None

    def __enter__(self) -> History:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------ the file

    def _write(self, sql: str, parameters: tuple[object, ...]) -> None:
        """One statement in a transaction of its own, through :meth:`_run`'s rules."""

        def write(connection: sqlite3.Connection) -> None:
            with _transaction(connection):
                connection.execute(sql, parameters)

        self._run(write, None)

    def _run(self, operation: Callable[[sqlite3.Connection], T], fallback: T) -> T:
        """Run ``operation`` on the open file: waited for when locked and tried once more; on a
        damaged file, once more on a new one. Any failure left becomes a notice and ``fallback``."""
        with self._lock:
            for attempt in range(2):
                try:
                    return operation(self._connect())
                except (sqlite3.Error, OSError) as error:
                    problem: sqlite3.Error | OSError = error
                    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
                    if attempt == 0 and code in _DAMAGED:
                        try:
                            self._keep_damaged_aside(error)
                        except OSError as cannot_move:
                            problem = cannot_move
                            break
                    elif attempt == 0 and code in _BUSY:
                        continue
                    else:
                        break
            self._notices.append(f"The history {self.path} could not be used just now ({problem}).")
            return fallback

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                self.path, timeout=self._busy_seconds, isolation_level=None, check_same_thread=False
            )
            try:
                if self._trace is not None:
                    connection.set_trace_callback(self._trace)
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")
                _migrate(connection)
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def _keep_damaged_aside(self, error: sqlite3.Error | OSError) -> None:
        """Move the damaged file (and its WAL) aside, unless another process did so first."""
        self.close()
        aside = aside_name(self.path, self._clock())
        with locked(self.path):
            if _sound(self.path):
                return
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    Path(f"{self.path}{suffix}").replace(f"{aside}{suffix}")
        self._notices.append(
            f"The history {self.path} was damaged ({error}); it was kept aside as {aside.name} "
            "and a new history was started."
        )

    def _delete_old(self, connection: sqlite3.Connection) -> None:
        """Retention: rows older than ``retention_days`` go, progress samples too."""
        connection.execute("DELETE FROM transitions WHERE at < ?", (self._oldest_kept(),))
        connection.execute("DELETE FROM progress WHERE at < ?", (self._oldest_kept(),))
        connection.execute("DELETE FROM alerts_fired WHERE cleared_at < ?", (self._oldest_kept(),))
        self._trimmed_at = self._clock()

    def _oldest_kept(self) -> float:
        return self._clock() - self.retention_days * 86400


class HistoryWriter:
    """Collects transitions and stores them in one transaction per :meth:`flush`, so a refresh
    cycle that moves a thousand bulks costs one write. With ``call_later`` (an event loop's or a
    :class:`lox24tui.clock.Clock`'s), the first change after a flush schedules the next flush
    ``delay`` seconds later; without it, the caller flushes (at each engine cycle, and at exit)."""

    def __init__(
        self,
        history: History,
        *,
        call_later: Callable[[float, Callable[[], None]], object] | None = None,
        delay: float = 1.0,
    ) -> None:
        self.history = history
        self._call_later = call_later
        self._delay = delay
        self._pending: list[StatusTransition] = []
        self._scheduled = False

    @property
    def pending(self) -> int:
        """Transitions collected and not stored yet."""
        return len(self._pending)

    def add(self, transition: StatusTransition | None) -> None:
        if transition is None:
            return
        self._pending.append(transition)
        del self._pending[:-MAX_PENDING]
        if self._call_later is not None and not self._scheduled:
            self._scheduled = True
            self._call_later(self._delay, self._flush_scheduled)

    def flush(self) -> bool:
        """Store what was collected, in one transaction. False when it could not be (the history's
        notices say why); the transitions are kept for the next flush."""
        batch = self._pending
        if not batch:
            return True
        self._pending = []
        if self.history.record(batch):
            return True
        self._pending = [*batch, *self._pending][-MAX_PENDING:]
        return False

    def _flush_scheduled(self) -> None:
        self._scheduled = False
        self.flush()


def _ready(_connection: sqlite3.Connection) -> None:
    """Nothing more to do once the file is open and migrated."""


def _record_unless_known(connection: sqlite3.Connection, transition: StatusTransition) -> bool:
    """Insert ``transition`` unless the history already holds that change of the bulk, as
    another process saw it; True when a row was written. It is the same change when the bulk

    - arrived in the same code within :data:`SAME_CHANGE_WINDOW` by another row (LOX24's codes
      move forward only, so a bulk arrives in a code once; two processes see it a poll apart,
      and may have seen different codes before it, one of them having missed a short one);
    - or already had that code by the row before it (a process that starts, or starts again,
      sees "now" a state already recorded).

    A first sighting (no code before, as the process saw it) of a bulk the history knows in
    another code is kept as the move from that code: the history says what came before."""
    t = transition
    arrived = connection.execute(
        "SELECT 1 FROM transitions WHERE bulk_id = ? AND to_code IS ? AND at BETWEEN ? AND ? "
        "LIMIT 1",
        (t.bulk_id, t.to_code, t.at - SAME_CHANGE_WINDOW, t.at + SAME_CHANGE_WINDOW),
    ).fetchone()
    if arrived is not None:
        return False
    before = connection.execute(
        "SELECT to_code FROM transitions WHERE bulk_id = ? AND at <= ? "
        "ORDER BY at DESC, id DESC LIMIT 1",
        (t.bulk_id, t.at),
    ).fetchone()
    if before is not None and before[0] == t.to_code:
        return False
    from_code = before[0] if t.from_code is None and before is not None else t.from_code
    connection.execute(
        "INSERT INTO transitions (bulk_id, from_code, to_code, status, at, request_id, label) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (t.bulk_id, from_code, t.to_code, t.status, t.at, t.request_id, t.label),
    )
    return True


SAME_SAMPLE_WINDOW: Final = 120.0
"""Seconds apart that two processes may count a bulk and still be taken to have seen the same
counts: both count it about once a minute."""


def _sample_unless_known(connection: sqlite3.Connection, sample: ProgressSample) -> bool:
    """Insert ``sample`` unless another process recorded the same counts of the bulk close by
    (two dashboards both count a sending bulk): one curve, however many watch it."""
    known = connection.execute(
        "SELECT 1 FROM progress WHERE bulk_id = ? AND at BETWEEN ? AND ? AND total = ?"
        " AND sent = ? AND not_sent = ? AND delivered = ? AND failed = ? LIMIT 1",
        (
            sample.bulk_id,
            sample.at - SAME_SAMPLE_WINDOW,
            sample.at + SAME_SAMPLE_WINDOW,
            sample.total,
            sample.sent,
            sample.not_sent,
            sample.delivered,
            sample.failed,
        ),
    ).fetchone()
    if known is not None:
        return False
    connection.execute(
        "INSERT INTO progress (bulk_id, at, total, sent, not_sent, delivered, failed)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            sample.bulk_id,
            sample.at,
            sample.total,
            sample.sent,
            sample.not_sent,
            sample.delivered,
            sample.failed,
        ),
    )
    return True


def _drop_repeats(connection: sqlite3.Connection) -> None:
    """Schema step 2: the rows written again by a second process go. Every row is recorded
    anew, oldest first, by the rule every write follows (:func:`_record_unless_known`)."""
    rows = connection.execute(
        "SELECT bulk_id, from_code, to_code, status, at, request_id, label FROM transitions "
        "ORDER BY at, id"
    ).fetchall()
    connection.execute("DELETE FROM transitions")
    for row in rows:
        _record_unless_known(connection, StatusTransition(*row))


def _migrate(connection: sqlite3.Connection) -> None:
    """Bring the file to :data:`SCHEMA_VERSION`, under a write lock so that two processes
    opening a new file at once do not both create it. A file from a newer lox24tui is used as
    it is: migrations only ever add."""
    if connection.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return
    with _transaction(connection):
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        for steps in MIGRATIONS[version:]:
            apply_migration(connection, steps)
        if version < SCHEMA_VERSION:
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def apply_migration(connection: sqlite3.Connection, steps: Migration) -> None:
    """Run one schema step's statements and functions, in order (also how a test builds a file
    as an earlier release left it)."""
    for step in steps:
        if isinstance(step, str):
            connection.execute(step)
        else:
            step(connection)


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """One write transaction: IMMEDIATE takes the write lock at its start, so waiting for another
    writer happens through the busy timeout instead of failing half-way."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _sound(path: Path) -> bool:
    """Whether the file at ``path`` reads as a whole database now (another process may have
    replaced a damaged one meanwhile)."""
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=BUSY_SECONDS)) as probe:
            return bool(probe.execute("PRAGMA quick_check").fetchone()[0] == "ok")
    except sqlite3.Error:
        return False
