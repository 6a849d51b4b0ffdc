"""The watch list on disk: which bulks, with which labels, in which order. The list is never lost:

- Every change is a read-modify-write under a file lock, so ``lox24tui watch`` and running
  dashboards can change the list at the same time without losing each other's update, and is
  written atomically, so a crash or a kill leaves the old list or the new one.
- Every change keeps copies in ``backups/`` beside the list: the version written and, when it was
  not kept yet, the version it replaces (a hand edit, a file from before copies were kept). The
  newest :data:`KEPT_COPIES` stay, so the last good versions survive whatever befalls the file.
- A file that cannot be read as a watch list is "damaged". It is never moved, rewritten or
  silently replaced by an empty list: reading it raises :class:`WatchListDamaged`, and so does
  every change, so nothing is written over it. Only a choice ends that: :meth:`WatchList.restore`
  brings back a kept copy, :meth:`WatchList.replace_damaged_file` writes the list held in memory;
  both keep the damaged file aside first and never delete it.
- A readable file with entries that are not bulk ids keeps its valid entries; the others are
  reported (:class:`LoadProblem`), and the next change keeps the file as it was among the copies.

- A fault of the machine (a full disk, a read-only folder, a data folder that is a file, a lock
  held by a stopped process) raises :class:`StateFault` with the path and the cause in words. A
  change that was not saved leaves no copy behind, so ``watch restore`` never brings it back.
- A lock another process holds is waited for :attr:`WatchList.lock_wait` seconds at most
  (:data:`LOCK_WAIT` for commands; the dashboard never waits, and tries again later).

The only module that touches the watch-list file and its copies.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from lox24tui.api import InvalidBulkId, parse_bulk_id
from lox24tui.state import files
from lox24tui.state.files import LockBusy, StateFault

FORMAT_VERSION: Final = 1
LABEL_MAX: Final = 80
KEPT_COPIES: Final = 10
"""Copies kept in the backups folder. A change adds one or two, so at least the last five
versions of the list are always there."""
BACKUPS_FOLDER: Final = "backups"

TimeSource = Callable[[], float]
"""Unix seconds now: ``time.time``, or a test's clock."""

_STAMP: Final = "%Y%m%dT%H%M%S.%f"
WHAT: Final = "the watch list"


@dataclass(frozen=True, slots=True)
class WatchedBulk:
    bulk_id: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Removed:
    """A bulk that left the list and where it stood, so that it can be put back (undo)."""

    index: int
    entry: WatchedBulk


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """Entries of a readable file that could not be used; the file itself was left as it is."""

    message: str


class WatchListDamaged(Exception):
    """The file is there but cannot be read as a watch list. Nothing was changed on disk: it is
    left where it is until someone restores a copy or replaces it on purpose."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"The watch list {path} cannot be read ({reason}); it was left as it is.")
        self.path = path
        self.reason = reason


class NothingToRestore(Exception):
    """No kept copy can be brought back; the message says why."""


@dataclass(frozen=True, slots=True)
class Backup:
    """A kept copy of the list: a version that was good when it was saved."""

    number: int
    """1 is the newest."""
    path: Path
    saved_at: datetime
    entries: tuple[WatchedBulk, ...]
    same_as_file: bool
    """It holds the list the file holds now (restoring it would change nothing)."""

    @property
    def when(self) -> str:
        """When it was saved, in local time: '2025-11-26 09:40:00'."""
        return self.saved_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")

    @property
    def size(self) -> str:
        """'1 bulk', '12 bulks'."""
        return f"{len(self.entries)} bulk{'' if len(self.entries) == 1 else 's'}"

    def describe(self) -> str:
        """'the copy from 2025-11-26 09:40:00 with 12 bulks'."""
        return f"the copy from {self.when} with {self.size}"


@dataclass(frozen=True)
class WatchListDiff:
    """How the list changed when it was taken from disk again."""

    added: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    relabeled: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.relabeled)


@dataclass(frozen=True, slots=True)
class Restored:
    """What :meth:`WatchList.restore` did."""

    backup: Backup
    diff: WatchListDiff
    """The list in memory before and after."""
    damaged_kept_at: Path | None
    """Where the damaged file it replaced was kept, if it replaced one."""


@dataclass(frozen=True, slots=True)
class _Contents:
    raw: bytes
    entries: list[WatchedBulk]
    skipped: list[str]


@dataclass
class WatchList:
    """The ordered watch list, persisted at ``path`` after every change."""

    path: Path
    entries: list[WatchedBulk] = field(default_factory=list)
    now: TimeSource = field(default=time.time, repr=False, compare=False)
    """Stamps the copies kept in the backups folder."""
    lock_wait: float = field(default=files.LOCK_WAIT, repr=False, compare=False)
    """Seconds to wait for the lock another process holds (0: try once, never block)."""
    waiting: Callable[[LockBusy], None] | None = field(default=None, repr=False, compare=False)
    """Told once when a change has to wait for that lock (a command says so on stderr)."""
    _labels: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    """bulk id → label, so the table can look labels up without scanning the list."""
    _signature: tuple[int, int, int] | None = field(default=None, init=False, repr=False)
    """The file as this list last read or wrote it, to notice other writers."""

    def __post_init__(self) -> None:
        self._reindex()
        self._signature = files.file_signature(self.path)

    def _reindex(self) -> None:
        self._labels = {entry.bulk_id: entry.label for entry in self.entries}

    @classmethod
    def load(
        cls, path: Path, *, now: TimeSource = time.time
    ) -> tuple[WatchList, LoadProblem | None]:
        """Read the list; a missing file is an empty list (and nothing is created). Raises
        :class:`WatchListDamaged`, leaving the file as it is, when it cannot be read."""
        signature = files.file_signature(
            path
        )  # before reading: a write in between is noticed later
        contents = _read(path)
        watchlist = cls(path, contents.entries if contents else [], now)
        watchlist._signature = signature
        return watchlist, (watchlist._problem_with(contents) if contents else None)

    def _problem_with(self, contents: _Contents) -> LoadProblem | None:
        skipped = contents.skipped
        if not skipped:
            return None
        shown = ", ".join(skipped[:3]) + (", …" if len(skipped) > 3 else "")
        return LoadProblem(
            f"{len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'} of the watch list "
            f"{self.path} could not be read and were left out ({shown}). The file was left as "
            f"it is; the next change keeps a copy of it in {self.backups_folder}."
        )

    @property
    def ids(self) -> list[str]:
        return [entry.bulk_id for entry in self.entries]

    def __contains__(self, bulk_id: object) -> bool:
        return bulk_id in self._labels

    def label_of(self, bulk_id: str) -> str:
        return self._labels.get(bulk_id, "")

    def index_of(self, bulk_id: str) -> int:
        return next(i for i, e in enumerate(self.entries) if e.bulk_id == bulk_id)

    # --------------------------------------------------------- changes

    def add(self, bulk_id: str, label: str = "") -> bool:
        """Append a bulk; False (and no change) when it is already watched."""
        return bool(self.add_many([(bulk_id, label)]))

    def add_many(self, items: list[tuple[str, str]]) -> list[str]:
        """Append several bulks with one write; returns the ids that were new."""
        wanted = [(parse_bulk_id(bulk_id), label) for bulk_id, label in items]
        added: dict[str, None] = {}
        with self._transaction() as change:
            for bulk_id, label in wanted:
                if bulk_id in self or bulk_id in added:
                    continue
                self.entries.append(WatchedBulk(bulk_id, clean_label(label)))
                added[bulk_id] = None
            change.made = bool(added)
        return list(added)

    def remove(self, bulk_id: str) -> Removed | None:
        """Remove a bulk; returns where it stood, so the removal can be undone."""
        removed = self.remove_many([bulk_id])
        return removed[0] if removed else None

    def remove_many(self, bulk_ids: Sequence[str]) -> list[Removed]:
        """Remove several bulks with one write; returns those that were on the list."""
        leaving = set(bulk_ids)
        with self._transaction() as change:
            removed = [Removed(i, e) for i, e in enumerate(self.entries) if e.bulk_id in leaving]
            self.entries = [entry for entry in self.entries if entry.bulk_id not in leaving]
            change.made = bool(removed)
        return removed

    def put_back(self, removed: Sequence[Removed]) -> list[str]:
        """Undo removals with one write: each bulk goes back where it stood (or last, when the
        list got shorter). Returns the ids put back; those on the list again already are not."""
        back: list[str] = []
        with self._transaction() as change:
            present = set(self.ids)
            for item in sorted(removed, key=lambda r: r.index):
                if item.entry.bulk_id not in present:
                    self.entries.insert(min(item.index, len(self.entries)), item.entry)
                    present.add(item.entry.bulk_id)
                    back.append(item.entry.bulk_id)
            change.made = bool(back)
        return back

    def set_label(self, bulk_id: str, label: str) -> None:
        with self._transaction() as change:
            if bulk_id in self:
                self.entries[self.index_of(bulk_id)] = WatchedBulk(bulk_id, clean_label(label))
                change.made = True

    # --------------------------------------------------------- other writers

    def changed_on_disk(self) -> bool:
        """Whether someone else (``lox24tui watch``, another dashboard) wrote the file since
        this list last read or wrote it. A file that went missing is not a change."""
        return files.file_signature(self.path) not in (None, self._signature)

    def reload(self) -> WatchListDiff:
        """Take the list from disk as it is now; returns what changed. A missing file changes
        nothing (the next change writes it whole). Raises :class:`WatchListDamaged` when the
        file cannot be read: the list in memory stays, and that version of the file counts as
        seen (it is not reported again)."""
        with self._locked():
            self._signature = files.file_signature(self.path)
            contents = _read(self.path)
        return self._take(contents.entries) if contents else WatchListDiff()

    def _take(self, fresh: list[WatchedBulk]) -> WatchListDiff:
        before = {entry.bulk_id: entry.label for entry in self.entries}
        after = {entry.bulk_id: entry.label for entry in fresh}
        removed = [Removed(i, e) for i, e in enumerate(self.entries) if e.bulk_id not in after]
        self.entries = list(fresh)
        self._reindex()
        return WatchListDiff(
            added=[i for i in after if i not in before],
            removed=removed,
            relabeled=[i for i in after if i in before and before[i] != after[i]],
        )

    # --------------------------------------------------------- copies

    @property
    def backups_folder(self) -> Path:
        return self.path.parent / BACKUPS_FOLDER

    def backups(self) -> list[Backup]:
        """The kept copies that can be read, newest first, numbered from 1."""
        return _Copies(self).listed(_entries_or_none(self.path))

    def restore_candidate(self) -> Backup | None:
        """What :meth:`restore` brings back by default: the newest copy that holds another list
        than the file does now. Over a damaged file, that is simply the newest copy."""
        return _candidate(self.backups())

    def restore(self, backup: Backup | None = None) -> Restored:
        """Bring back a kept copy (by default :meth:`restore_candidate`) as the list, and take it
        into memory. A good file it replaces is kept among the copies first (so a restore can be
        undone by another); a damaged one is kept aside beside the list. Raises
        :class:`NothingToRestore` when there is no copy to bring back."""
        with self._locked():
            try:
                current, damaged = _read(self.path), False
            except WatchListDamaged:
                current, damaged = None, True
            copies = self.backups()
            chosen = backup or _candidate(copies)
            if chosen is None:
                raise NothingToRestore(self._why_nothing_to_restore(copies))
            contents = _contents_of_copy(chosen)
            kept_at = self._keep_damaged_aside() if damaged else None
            self._save(contents.raw, replacing=current)
        return Restored(chosen, self._take(contents.entries), kept_at)

    def _why_nothing_to_restore(self, copies: list[Backup]) -> str:
        if not copies:
            return (
                f"No copy of the watch list is kept yet; every change keeps one in "
                f"{self.backups_folder}."
            )
        return f"Every copy in {self.backups_folder} holds the list as the file holds it now."

    def replace_damaged_file(self) -> Path | None:
        """Write the list held in memory over a damaged file, which is kept aside first (never
        deleted); returns where. None, and nothing written, when the file can be read again:
        :meth:`reload` follows it then."""
        with self._locked():
            try:
                _read(self.path)
            except WatchListDamaged:
                kept_at = self._keep_damaged_aside()
                self._save(self._rendered(), replacing=None)
                return kept_at
        return None

    def _keep_damaged_aside(self) -> Path:
        """A copy of the damaged file beside it, under a name of its own; the caller then
        replaces the file atomically, so no reader ever finds it missing."""
        target = files.aside_name(self.path, self.now())
        try:
            files.write_atomically(target, self.path.read_bytes())
        except OSError as error:
            raise files.cannot_use(WHAT, self.path, error, done="kept aside") from None
        return target

    # --------------------------------------------------------- writing

    @contextmanager
    def _transaction(self) -> Iterator[_Change]:
        """Read-modify-write under a file lock: the change applies to the list as it is on disk
        now, so an update another process made in between is never lost. A damaged file raises
        :class:`WatchListDamaged` before anything changes, in memory or on disk."""
        with self._locked():
            on_disk = _read(self.path)
            if on_disk is not None:
                self.entries = on_disk.entries
                self._reindex()
            change = _Change()
            try:
                yield change
            finally:
                self._reindex()
                if change.made:
                    self._save(self._rendered(), replacing=on_disk)

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        return files.locked(self.path, what=WHAT, wait=self.lock_wait, waiting=self.waiting)

    def _rendered(self) -> bytes:
        document = {
            "version": FORMAT_VERSION,
            "bulks": [{"id": e.bulk_id, "label": e.label} for e in self.entries],
        }
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def _save(self, raw: bytes, *, replacing: _Contents | None) -> None:
        """Write ``raw`` as the list; copies of the version it replaces (unless kept already)
        and of itself are kept first, so a failed copy leaves the list untouched. When the list
        itself cannot be written, the copy of a change that was never saved goes again (a
        restore must not bring it back). Raises :class:`StateFault`, in words."""
        copies = _Copies(self)
        try:
            if replacing is not None:
                copies.keep(replacing.raw)
            kept = copies.keep(raw)
            try:
                files.write_atomically(self.path, raw)
            except OSError:
                if kept is not None:
                    kept.unlink(missing_ok=True)
                raise
        except OSError as error:
            fault = files.cannot_use(WHAT, self.path, error)
            raise StateFault(f"{fault}; the change was not saved", self.path) from None
        copies.prune()
        self._signature = files.file_signature(self.path)


@dataclass
class _Change:
    made: bool = False


class _Copies:
    """The backups folder of one list: ``<list name>-<UTC time>[-<n>].json``, newest kept."""

    def __init__(self, watchlist: WatchList) -> None:
        self._folder = watchlist.backups_folder
        self._stem = watchlist.path.stem
        self._now = watchlist.now
        self._name = re.compile(rf"{re.escape(self._stem)}-(\d{{8}}T\d{{6}}\.\d{{6}})Z(?:-(\d+))?")

    def _found(self) -> list[tuple[datetime, int, Path]]:
        """Every copy with its time and counter, newest first."""
        if not self._folder.is_dir():
            return []
        found = []
        for path in self._folder.glob("*.json"):
            match = self._name.fullmatch(path.stem)
            if match:
                saved_at = datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC)
                found.append((saved_at, int(match[2] or 1), path))
        return sorted(found, reverse=True)

    def keep(self, raw: bytes) -> Path | None:
        """Add a copy of ``raw``, unless the newest copy holds exactly these bytes; returns the
        new copy. It is always the newest, even within the same microsecond or after the clock
        went back."""
        found = self._found()
        saved_at, counter = datetime.fromtimestamp(self._now(), UTC), 1
        if found:
            newest_at, newest_counter, newest = found[0]
            if _bytes_of(newest) == raw:
                return None
            if saved_at <= newest_at:
                saved_at, counter = newest_at, newest_counter + 1
        suffix = f"-{counter}" if counter > 1 else ""
        copy = self._folder / f"{self._stem}-{saved_at:{_STAMP}}Z{suffix}.json"
        files.write_atomically(copy, raw)
        return copy

    def prune(self) -> None:
        """Delete all but the newest :data:`KEPT_COPIES`; a copy that will not go stays."""
        for _, _, path in self._found()[KEPT_COPIES:]:
            with contextlib.suppress(OSError):
                path.unlink()

    def listed(self, current: list[WatchedBulk] | None) -> list[Backup]:
        copies: list[Backup] = []
        for saved_at, _, path in self._found():
            with contextlib.suppress(WatchListDamaged, StateFault):
                contents = _read(path)
                if contents is not None:
                    entries = tuple(contents.entries)
                    same = contents.entries == current
                    copies.append(Backup(len(copies) + 1, path, saved_at, entries, same))
        return copies


def _candidate(copies: list[Backup]) -> Backup | None:
    return next((copy for copy in copies if not copy.same_as_file), None)


def _contents_of_copy(backup: Backup) -> _Contents:
    try:
        contents = _read(backup.path)
    except WatchListDamaged:
        contents = None
    if contents is None:
        raise NothingToRestore(f"The copy {backup.path} is gone or can no longer be read.")
    return contents


def _read(path: Path) -> _Contents | None:
    """The file as it is now; None when there is none. Raises :class:`WatchListDamaged`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise WatchListDamaged(path, "a folder stands where the file should be") from None
    except OSError as exc:  # not damage: a fault of the machine (a folder that is a file…)
        raise files.cannot_use(WHAT, path, exc, done="read") from None
    try:
        entries, skipped = _entries_from(json.loads(raw.decode("utf-8")))
    except (ValueError, RecursionError) as exc:  # JSON and UTF-8 errors are ValueErrors
        raise WatchListDamaged(path, _reason(exc)) from None
    return _Contents(raw, entries, skipped)


def _entries_or_none(path: Path) -> list[WatchedBulk] | None:
    """The entries in the file now: [] when there is none, None when it is damaged."""
    try:
        contents = _read(path)
    except WatchListDamaged:
        return None
    return contents.entries if contents else []


def _bytes_of(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def clean_label(label: str) -> str:
    """One line, no control characters, a sensible length."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in label).split())
    return text[:LABEL_MAX]


def _entries_from(document: Any) -> tuple[list[WatchedBulk], list[str]]:
    if not isinstance(document, dict) or not isinstance(document.get("bulks"), list):
        raise ValueError('expected an object with a "bulks" list')
    entries: list[WatchedBulk] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for item in document["bulks"]:
        raw_id = item.get("id") if isinstance(item, dict) else item
        label = item.get("label", "") if isinstance(item, dict) else ""
        try:
            bulk_id = parse_bulk_id(str(raw_id))
        except InvalidBulkId:
            skipped.append(repr(raw_id)[:40])
            continue
        if bulk_id in seen:
            continue
        seen.add(bulk_id)
        entries.append(WatchedBulk(bulk_id, clean_label(label if isinstance(label, str) else "")))
    return entries, skipped


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON at line {exc.lineno}"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)
