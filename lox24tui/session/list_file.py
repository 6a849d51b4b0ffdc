"""The watch-list file as other processes and damage change it: following the file without a
restart, and the choices when it cannot be read (restore a kept copy, keep the list shown,
decide later). Nothing is written over a damaged file until the person chooses."""

from __future__ import annotations

from collections.abc import Callable

from lox24tui.session.events import DamageCleared, DamageFound, EventBus
from lox24tui.session.undo import LastRemoval, names
from lox24tui.state.store import (
    Backup,
    NothingToRestore,
    WatchList,
    WatchListDamaged,
    WatchListDiff,
)


class ListFile:
    def __init__(
        self,
        watchlist: WatchList,
        events: EventBus,
        undo: LastRemoval,
        follow_store: Callable[[], None],
        key_name: Callable[[str], str],
        damage: WatchListDamaged | None = None,
    ) -> None:
        self._watchlist = watchlist
        self._events = events
        self._undo = undo
        self._follow_store = follow_store
        self._key_name = key_name
        self.damage: WatchListDamaged | None = damage
        """Set while the watch-list file cannot be read; the store refuses changes meanwhile."""

    def follow(self) -> None:
        """Another process changed the watch-list file: follow it, without a restart. A file
        that became unreadable leaves the list shown as it is and offers the last good copy."""
        if not self._watchlist.changed_on_disk():
            return
        try:
            diff = self._watchlist.reload()
        except WatchListDamaged as damage:
            self.found(damage)
            return
        except OSError:  # a StateFault (its lock held, say): followed at the next look
            return
        self._readable_again()
        self._adopt(diff, "The watch list changed outside this window")

    def _adopt(self, diff: WatchListDiff, what: str) -> None:
        """Show the list the store holds now and say what changed. Bulks that left are named,
        and u puts them back: nothing leaves the dashboard silently."""
        if not diff:
            return
        self._follow_store()
        parts = [
            f"{count} {how}"
            for count, how in (
                (len(diff.added), "added"),
                (len(diff.removed), "removed"),
                (len(diff.relabeled), "relabeled"),
            )
            if count
        ]
        if not diff.removed:
            self._events.notice(f"{what}: {', '.join(parts)}.", timeout=6)
            return
        self._undo.set(list(diff.removed))
        self._events.notice(
            f"{what}: {', '.join(parts)}. Gone: {names(diff.removed)}. "
            f"{self._key_name('undo')} puts them back.",
            "warning",
            30,
        )

    def found(self, damage: WatchListDamaged) -> None:
        """The file cannot be read: ask what to do, offering the copy the store would restore."""
        self.damage = damage
        self._events.emit(
            DamageFound(damage, self._watchlist.restore_candidate(), len(self._watchlist.ids))
        )

    def ask_again(self) -> None:
        """Ask again about the damaged file (the person put the question off)."""
        if self.damage is not None:
            self.found(self.damage)

    def put_off(self) -> None:
        if self.damage is None:
            return
        self._events.notice(
            f"Nothing was written: {self.damage.path} stays as it is, and changes made here "
            f"are not saved until you decide ({self._key_name('palette')} → Damaged watch list).",
            "warning",
            15,
        )

    def restore(self, copy: Backup | None = None) -> None:
        """Bring back a kept copy of the list (the store's default choice without one)."""
        try:
            restored = self._watchlist.restore(copy)
        except (NothingToRestore, OSError) as error:
            self._events.notice(f"Nothing was restored: {error}", "error", 15)
            return
        self._readable_again()
        aside = restored.damaged_kept_at
        self._events.notice(
            f"Restored {restored.backup.describe()}."
            + (f" The damaged file was kept as {aside}." if aside else "")
        )
        self._adopt(restored.diff, "Restoring changed the list")

    def keep_list_shown(self) -> None:
        """Save the list shown in place of the damaged file, which is kept aside."""
        try:
            aside = self._watchlist.replace_damaged_file()
        except OSError as error:
            self._events.notice(f"The list could not be written: {error}", "error", 15)
            return
        self._readable_again()
        if aside is None:  # it became readable meanwhile: follow it instead
            self.follow()
            return
        self._events.notice(
            f"The damaged file was kept as {aside}; the list shown is saved in its place."
        )

    def _readable_again(self) -> None:
        if self.damage is not None:
            self.damage = None
            self._events.emit(DamageCleared())
