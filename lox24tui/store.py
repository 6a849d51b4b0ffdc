"""The watch list on disk: which bulks, with which labels, in which order.

Written atomically (temporary file, fsync, rename, fsync of the folder) on every change, so a crash
or a kill at any moment leaves either the old list or the new one. A file that cannot be read is
moved aside with a timestamp and reported; it is never silently replaced by an empty list.
Every change is a read-modify-write under a file lock, so ``lox24tui watch`` and a running
dashboard can change the list at the same time without losing either's update.
The only module that touches the watch-list file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from lox24tui.api import InvalidBulkId, parse_bulk_id
from lox24tui.files import locked as _locked
from lox24tui.files import write_atomically

FORMAT_VERSION: Final = 1
LABEL_MAX: Final = 80


@dataclass(frozen=True, slots=True)
class WatchedBulk:
    bulk_id: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """Why the file could not be used as it was, and where the original was kept."""

    message: str
    kept_at: Path | None


@dataclass
class WatchList:
    """The ordered watch list, persisted at ``path`` after every change."""

    path: Path
    entries: list[WatchedBulk] = field(default_factory=list)
    _labels: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    """bulk id → label, so the table can look labels up without scanning the list."""
    _signature: tuple[int, int, int] | None = field(default=None, init=False, repr=False)
    """The file as this list last read or wrote it, to notice other writers."""

    def __post_init__(self) -> None:
        self._reindex()
        self._signature = _signature(self.path)

    def _reindex(self) -> None:
        self._labels = {entry.bulk_id: entry.label for entry in self.entries}

    @classmethod
    def load(cls, path: Path, *, keep_aside: bool = True) -> tuple[WatchList, LoadProblem | None]:
        """Read the list; a missing file is an empty list. A broken one is kept aside (moved
        with a timestamp) unless ``keep_aside`` is False, for callers that will not go on."""
        if not path.exists():
            return cls(path), None
        signature = _signature(path)  # before reading: a write in between is noticed later
        try:
            raw = path.read_bytes()
            document = json.loads(raw.decode("utf-8"))
            entries, skipped = _entries_from(document)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
            if not keep_aside:
                return cls(path), LoadProblem(
                    f"The watch list {path} cannot be read ({_reason(exc)}); it was left as it "
                    "is. Fix or remove it, or open the dashboard, which keeps it aside.",
                    None,
                )
            kept = _keep_aside(path)
            return cls(path), LoadProblem(
                f"The watch list {path} could not be read ({_reason(exc)}); "
                + (f"it was kept as {kept.name}" if kept else "it could not be moved aside")
                + " and an empty list started.",
                kept,
            )
        if skipped:
            kept = _keep_aside(path, copy=True)
            problem = LoadProblem(
                f"{len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'} of the watch list "
                f"could not be read and were left out ({', '.join(skipped[:3])}); the original "
                f"file was copied to {kept.name if kept else '(copy failed)'}.",
                kept,
            )
            return cls(path, entries), problem
        watchlist = cls(path, entries)
        watchlist._signature = signature
        return watchlist, None

    @property
    def ids(self) -> list[str]:
        return [entry.bulk_id for entry in self.entries]

    def __contains__(self, bulk_id: object) -> bool:
        return bulk_id in self._labels

    def label_of(self, bulk_id: str) -> str:
        return self._labels.get(bulk_id, "")

    def index_of(self, bulk_id: str) -> int:
        return next(i for i, e in enumerate(self.entries) if e.bulk_id == bulk_id)

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

    def remove(self, bulk_id: str) -> tuple[int, WatchedBulk] | None:
        """Remove a bulk; returns its position and entry so the removal can be undone."""
        with self._transaction() as change:
            for index, entry in enumerate(self.entries):
                if entry.bulk_id == bulk_id:
                    del self.entries[index]
                    change.made = True
                    return index, entry
        return None

    def insert(self, index: int, entry: WatchedBulk) -> None:
        """Put an entry back where it was (undo of :meth:`remove`)."""
        with self._transaction() as change:
            if entry.bulk_id not in self:
                self.entries.insert(min(index, len(self.entries)), entry)
                change.made = True

    def set_label(self, bulk_id: str, label: str) -> None:
        with self._transaction() as change:
            if bulk_id in self:
                self.entries[self.index_of(bulk_id)] = WatchedBulk(bulk_id, clean_label(label))
                change.made = True

    def save(self) -> None:
        """Write the list as it is in memory (under the lock, like every change)."""
        with self._transaction(reread=False) as change:
            change.made = True

    # --------------------------------------------------------- other writers

    def changed_on_disk(self) -> bool:
        """Whether someone else (``lox24tui watch``, another dashboard) wrote the file since
        this list last read or wrote it."""
        return _signature(self.path) not in (None, self._signature)

    def reload(self) -> WatchListDiff:
        """Take the list from disk as it is now; returns what changed. A file that cannot be
        read leaves the list as it is (``WatchListDiff.unreadable``); the next change rewrites
        it whole."""
        with _locked(self.path):
            self._signature = _signature(self.path)
            fresh = self._on_disk()
        if fresh is None:
            return WatchListDiff(unreadable=self.path.exists())
        before = {entry.bulk_id: entry.label for entry in self.entries}
        after = {entry.bulk_id: entry.label for entry in fresh}
        self.entries = fresh
        self._reindex()
        return WatchListDiff(
            added=[i for i in after if i not in before],
            removed=[i for i in before if i not in after],
            relabeled=[i for i in after if i in before and before[i] != after[i]],
        )

    def _on_disk(self) -> list[WatchedBulk] | None:
        """The entries in the file now; None when it is missing or unreadable (ours stand)."""
        try:
            entries, _ = _entries_from(json.loads(self.path.read_bytes().decode("utf-8")))
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        return entries

    @contextmanager
    def _transaction(self, *, reread: bool = True) -> Iterator[_Change]:
        """Read-modify-write under a file lock: the change applies to the list as it is on disk
        now, so an update another process made in between is never lost."""
        with _locked(self.path):
            if reread:
                fresh = self._on_disk()
                if fresh is not None:
                    self.entries = fresh
                    self._reindex()
            change = _Change()
            try:
                yield change
            finally:
                self._reindex()
                if change.made:
                    self._write()

    def _write(self) -> None:
        document = {
            "version": FORMAT_VERSION,
            "bulks": [{"id": e.bulk_id, "label": e.label} for e in self.entries],
        }
        write_atomically(self.path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        self._signature = _signature(self.path)


@dataclass
class _Change:
    made: bool = False


@dataclass(frozen=True)
class WatchListDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    relabeled: list[str] = field(default_factory=list)
    unreadable: bool = False
    """The file changed into something that cannot be read; the list shown was kept."""

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.relabeled)


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def clean_label(label: str) -> str:
    """One line, no control characters, a sensible length."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in label).split())
    return text[:LABEL_MAX]


def _entries_from(document: Any) -> tuple[list[WatchedBulk], list[str]]:
    if not isinstance(document, dict) or not isinstance(document.get("bulks"), list):
        raise ValueError('expected an object with a "bulks" list')
    entries: list[WatchedBulk] = []
    skipped: list[str] = []
    for item in document["bulks"]:
        raw_id = item.get("id") if isinstance(item, dict) else item
        label = item.get("label", "") if isinstance(item, dict) else ""
        try:
            bulk_id = parse_bulk_id(str(raw_id))
        except InvalidBulkId:
            skipped.append(repr(raw_id)[:40])
            continue
        if any(entry.bulk_id == bulk_id for entry in entries):
            continue
        entries.append(WatchedBulk(bulk_id, clean_label(label if isinstance(label, str) else "")))
    return entries, skipped


def _keep_aside(path: Path, *, copy: bool = False) -> Path | None:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.broken-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.broken-{stamp}-{counter}")
    try:
        if copy:
            target.write_bytes(path.read_bytes())
        else:
            path.rename(target)
    except OSError:
        return None
    return target


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON at line {exc.lineno}"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(exc) or type(exc).__name__
