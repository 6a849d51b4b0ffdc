"""The dashboard application: owns the watch list, the client and the engine, and turns the
engine's updates into batched screen changes.

Updates are buffered and applied at most a few times a second: applying each response as it
arrives redraws the table every frame and starves the network loop (benchmarks/README.md).
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Final, TypeVar

import httpx
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from lox24tui import sanitise
from lox24tui.api import (
    InvalidToken,
    Lox24ClientPool,
    Lox24Error,
    StatusCode,
    StatusReply,
    Token,
)
from lox24tui.clock import Clock, SystemClock
from lox24tui.config import ConfigError, Locations, Settings, save_token
from lox24tui.export import export_row, format_for, render
from lox24tui.files import write_atomically
from lox24tui.guard import AccountGuard, GuardedClient, GuardState, GuardStopped
from lox24tui.monitor import BulkState, BulkUpdate, Change, Monitor, MonitorEvent
from lox24tui.store import (
    Backup,
    LoadProblem,
    NothingToRestore,
    Removed,
    WatchList,
    WatchListDamaged,
    WatchListDiff,
)
from lox24tui.tui.screens.damaged_list import DamageChoice, DamagedListScreen
from lox24tui.tui.screens.discover import DiscoverScreen
from lox24tui.tui.screens.main import MainScreen
from lox24tui.tui.screens.token import TokenChoice, TokenScreen

T = TypeVar("T")

FLUSH_SECONDS = 0.5
"""How often buffered updates reach the screen: at most 2.5 repaints a second."""
TIMES_SECONDS = 5.0
"""How often relative times ("12 s ago") are redrawn."""
DEMO_INTERVAL = 5.0
WATCHLIST_POLL_SECONDS = 2.0
"""How often the watch-list file is checked for changes made outside (``lox24tui watch``)."""
PALETTE_BINDINGS: Final = (
    "main.add",
    "main.refresh_all",
    "main.pause",
    "main.filter",
    "main.detail",
    "table.remove",
    "table.label",
    "table.refresh",
    "table.copy_id",
    "undo",
    "main.token",
    "main.export",
    "main.import",
    "main.raw_json",
    "main.copy_request_id",
)
"""The main screen's and the watch table's bindings offered in the command palette, in its
order. Each entry's title, help and key come from the binding itself (see binding_commands)."""


@dataclass
class DashboardSetup:
    """Everything the dashboard runs on; the CLI, the demo and the tests each build one."""

    settings: Settings
    watchlist: WatchList
    token: Token | None
    api_url: str
    locations: Locations
    transport: httpx.AsyncBaseTransport | None = None
    clock: Clock = field(default_factory=SystemClock)
    demo: bool = False
    load_problem: LoadProblem | None = None
    damage: WatchListDamaged | None = None
    """The watch-list file could not be read: the dashboard asks what to do, writing nothing
    until the user chooses (``watchlist`` is then an empty list held in memory)."""
    seed: int | None = None
    """Seeds the engine's jitter, for repeatable snapshots."""
    guard_state: GuardState | None = None
    """What the account guard shares: the real account shares a file with every other lox24tui
    process; the demo and tests keep it in memory."""


class Lox24App(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "lox24tui"
    SUB_TITLE = "LOX24 bulks, live"
    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="Quit lox24tui", id="app.quit"),
        Binding("question_mark", "keys", "Keys", tooltip="Show every key", id="app.keys"),
    ]
    """
    | Key | Action |
    | :- | :- |
    | q | Quit. |
    | ? | Show or hide the keys panel. |
    | ctrl+p | Command palette. |
    """

    def __init__(self, setup: DashboardSetup) -> None:
        super().__init__()
        self.setup = setup
        self.clock = setup.clock
        self.demo = setup.demo
        self.watchlist = setup.watchlist
        self.settings = setup.settings
        self.client: Lox24ClientPool | None = None
        interval = DEMO_INTERVAL if setup.demo else setup.settings.interval
        self.monitor = Monitor(
            _NoClient(),
            interval=interval,
            concurrency=setup.settings.concurrency,
            clock=setup.clock,
            rng=random.Random(setup.seed) if setup.seed is not None else None,
            guard=AccountGuard(
                None,
                state=setup.guard_state,
                clock=setup.clock,
                interval=interval,
                timeout=setup.settings.timeout,
            ),
        )
        self.states: dict[str, BulkState] = {}
        self.previous_replies: dict[str, StatusReply] = {}
        self._asking_about_damage = False
        """The damaged-list question is on screen, or about to be."""
        self.engine_failure: str | None = None
        """Why the refresh engine stopped, if it did (then nothing on screen is refreshed)."""
        self.last_removal: list[Removed] | None = None
        """What u puts back: the bulk removed here last, or those an outside change removed."""
        self.watchlist_damage: WatchListDamaged | None = setup.damage
        """Set while the watch-list file cannot be read; the store refuses changes meanwhile."""
        self._pending: dict[str, set[Change]] = {}
        self._pending_summary = False
        for bulk_id in self.watchlist.ids:
            self.states[bulk_id] = self.monitor.watch(bulk_id)
        if setup.settings.theme in self.available_themes:
            self.theme = setup.settings.theme

    # ------------------------------------------------------------ lifecycle

    def get_default_screen(self) -> Screen[None]:
        return MainScreen()

    def on_mount(self) -> None:
        self.monitor.listen(self._on_engine_event)
        if self.setup.load_problem is not None:
            self._note(self.setup.load_problem.message, severity="error", timeout=30)
        if self.settings.theme not in self.available_themes:
            self._warn_of_unknown_theme()
        if self.setup.damage is not None:  # after mounting, so the question is on top
            self.call_after_refresh(self.offer_restore, self.setup.damage)
        self.set_interval(FLUSH_SECONDS, self._unless_closing(self.flush))
        self.set_interval(TIMES_SECONDS, self._unless_closing(self._refresh_times))
        self.set_interval(1.0, self._unless_closing(self._tick_countdown))
        self.set_interval(
            WATCHLIST_POLL_SECONDS, self._unless_closing(self.pick_up_outside_changes)
        )
        self.run_worker(self.monitor.run(), name="engine", group="engine", exit_on_error=False)
        if self.setup.token is not None:
            self._use_token(self.setup.token)
        else:
            self.monitor.pause("no API token")
            self.ask_for_token(
                "No LOX24 API token was found (LOX24_TOKEN or the config file). Paste one to "
                "start; it is checked with a single request."
            )

    def _unless_closing(self, tick: Callable[[], None]) -> Callable[[], None]:
        """``tick`` for a timer, skipped once the app is closing: Textual tears the screens down
        before it stops the app's timers, and a tick in between crashed the exit."""
        return lambda: tick() if self.is_running else None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed engine must not leave "Live" on screen: say so, with what to do."""
        if event.worker.group != "engine" or event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        self.engine_failure = f"{type(error).__name__}: {error}" if error else "unknown error"
        self.notify(
            f"The refresh engine stopped ({self.engine_failure}): statuses are no longer "
            "refreshed. Restart lox24tui; if it happens again, please report it.",
            title="lox24tui",
            severity="error",
            timeout=60,
            markup=False,
        )
        self.main.show_summary()

    def _warn_of_unknown_theme(self) -> None:
        """A misspelt ``theme`` in the config file would otherwise be ignored without a word."""
        wanted = self.settings.theme
        close = difflib.get_close_matches(wanted, list(self.available_themes), n=3)
        guess = f" Did you mean {' or '.join(close)}?" if close else ""
        self.notify(
            f"No theme is called “{wanted}” (the theme key in {self.setup.locations.config_file}),"
            f" so the dashboard uses {self.theme}.{guess} ctrl+p → Theme lists them all.",
            title="Settings",
            severity="warning",
            timeout=20,
            markup=False,
        )

    async def on_unmount(self) -> None:
        await self.monitor.stop()
        if self.client is not None:
            await self.client.aclose()

    @property
    def main(self) -> MainScreen:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("the main screen is not mounted")

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), UTC)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast, the screens' and widgets' included, passes here: toasts quote labels,
        paths and error messages, so control characters in them are made visible first.
        (Callers quoting such text also pass ``markup=False``, so ``[b]`` in it stays text.)"""
        super().notify(
            sanitise.one_line(message),
            title=sanitise.one_line(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    # ------------------------------------------------------------ engine → screen

    def _on_engine_event(self, event: MonitorEvent) -> None:
        if isinstance(event, BulkUpdate):
            if Change.REMOVED in event.changes:
                self._pending.pop(event.bulk_id, None)
            else:
                self._pending.setdefault(event.bulk_id, set()).update(event.changes)
        else:
            self._pending_summary = True

    def flush(self) -> None:
        """Apply what the engine reported since the last flush, in one batch."""
        if not self._pending and not self._pending_summary:
            return
        pending, self._pending = self._pending, {}
        self._pending_summary = False
        changed: set[str] = set()
        for bulk_id, changes in pending.items():
            if bulk_id not in self.watchlist:
                continue
            old = self.states.get(bulk_id)
            new = self.monitor.state(bulk_id)
            if Change.FIELDS in changes and old is not None and old.reply is not None:
                self.previous_replies[bulk_id] = old.reply
            self.states[bulk_id] = new
            changed.add(bulk_id)
            if Change.STATUS in changes:
                self._announce(bulk_id, old, new)
        self.main.apply(changed)

    @property
    def screen_is_current(self) -> bool:
        """Whether every update the engine reported is on screen (none waits for the next
        flush). Tests wait on it, so that the flush timer, not the test, puts updates on screen."""
        return not self._pending and not self._pending_summary

    def _announce(self, bulk_id: str, old: BulkState | None, new: BulkState) -> None:
        if old is None or old.reply is None or new.reply is None:
            return
        label = self.watchlist.label_of(bulk_id) or bulk_id
        seen = datetime.fromtimestamp(old.last_checked or self.clock.now(), UTC)
        before = old.reply.status.label_at(seen)  # as it was shown: "scheduled", not "new"
        after = new.reply.status.label_at(self.now())
        failed = new.reply.status.status_code in (StatusCode.SYSTEM_ERROR, StatusCode.NO_RECIPIENTS)
        severity: SeverityLevel = "error" if failed else "information"
        self.notify(f"{before} → {after}", title=label, severity=severity, markup=False)
        if new.is_final and self.settings.bell:
            self.bell()

    def _refresh_times(self) -> None:
        self.main.refresh_times()

    def _tick_countdown(self) -> None:
        breaker = self.monitor.breaker
        if breaker is not None and breaker.until is not None:
            self.main.show_summary()

    # ------------------------------------------------------------ watch list

    def pick_up_outside_changes(self) -> None:
        """Another process changed the watch-list file: follow it, without a restart. A file
        that became unreadable leaves the list shown as it is and offers the last good copy."""
        if not self.watchlist.changed_on_disk():
            return
        try:
            diff = self.watchlist.reload()
        except WatchListDamaged as damage:
            self.offer_restore(damage)
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
            self._note(f"{what}: {', '.join(parts)}.", timeout=6)
            return
        self.last_removal = list(diff.removed)
        self.main.refresh_bindings()
        self._note(
            f"{what}: {', '.join(parts)}. Gone: {_names(diff.removed)}. u puts them back.",
            severity="warning",
            timeout=30,
        )

    def offer_restore(self, damage: WatchListDamaged) -> None:
        """The watch-list file cannot be read. The list shown stays, nothing is written, and
        the user is asked: restore the newest good copy, keep the list shown (the damaged file
        goes aside), or decide later."""
        self.watchlist_damage = damage
        if self._asking_about_damage:
            return
        self._asking_about_damage = True
        copy = self.watchlist.restore_candidate()

        def decided(choice: DamageChoice | None) -> None:
            self._asking_about_damage = False
            if choice is DamageChoice.RESTORE:
                self.restore_watchlist(copy)
            elif choice is DamageChoice.KEEP:
                self._keep_list_over_damaged()
            elif choice is DamageChoice.LATER:
                self._note(
                    f"Nothing was written: {damage.path} stays as it is, and changes made here "
                    "are not saved until you decide (ctrl+p → Damaged watch list).",
                    severity="warning",
                    timeout=15,
                )

        screen = DamagedListScreen(damage, copy, len(self.watchlist.entries))
        # after the dialog that made the change has closed, or its dismissal would close this
        self.call_after_refresh(self.push_screen, screen, decided)

    def restore_watchlist(self, copy: Backup | None = None) -> None:
        """Bring back a kept copy of the list (the store's default choice without one)."""
        try:
            restored = self.watchlist.restore(copy)
        except (NothingToRestore, OSError) as error:
            self._note(f"Nothing was restored: {error}", severity="error", timeout=15)
            return
        self._readable_again()
        aside = restored.damaged_kept_at
        self._note(
            f"Restored {restored.backup.describe()}."
            + (f" The damaged file was kept as {aside}." if aside else "")
        )
        self._adopt(restored.diff, "Restoring changed the list")

    def _keep_list_over_damaged(self) -> None:
        try:
            aside = self.watchlist.replace_damaged_file()
        except OSError as error:
            self._note(f"The list could not be written: {error}", severity="error", timeout=15)
            return
        self._readable_again()
        if aside is None:  # it became readable meanwhile: follow it instead
            self.pick_up_outside_changes()
            return
        self._note(f"The damaged file was kept as {aside}; the list shown is saved in its place.")

    def _readable_again(self) -> None:
        """The file can be read (again): changes are saved, and no question is pending."""
        self.watchlist_damage = None
        if isinstance(self.screen, DamagedListScreen):  # only the top screen can be dismissed
            self.screen.dismiss(None)

    def _follow_store(self) -> None:
        """Make the engine and the table watch exactly what the store lists (other processes
        may have changed it, and every change of ours re-reads it first)."""
        listed = set(self.watchlist.ids)
        changed = False
        for bulk_id in self.watchlist.ids:
            if bulk_id not in self.states:
                self.states[bulk_id] = self.monitor.watch(bulk_id)
                changed = True
        for bulk_id in [b for b in self.states if b not in listed]:
            self.monitor.unwatch(bulk_id)
            self.states.pop(bulk_id, None)
            self.previous_replies.pop(bulk_id, None)
            self.main.forget(bulk_id)
            changed = True
        if changed or len(self.main.table.rows) != len(listed):
            self.main.rebuild()
        else:
            self.main.apply(listed)

    def _saved(self, change: Callable[[], T]) -> T | None:
        """Run a watch-list change. If the file cannot be read, the store refused the change
        (nothing changed): say so and offer a good copy. If it cannot be written, say so (the
        change stays in memory for this session) instead of crashing."""
        try:
            return change()
        except WatchListDamaged as damage:
            self._note(f"{damage} This change was not made.", severity="error", timeout=15)
            self.offer_restore(damage)
            return None
        except OSError as error:
            self._note(
                f"The watch list could not be saved ({error.strerror or error}); the change "
                "holds for this session only.",
                severity="error",
                timeout=15,
            )
            return None

    def _note(
        self, message: str, *, severity: SeverityLevel = "information", timeout: float = 10
    ) -> None:
        """A toast about the watch list; shown literally, since it holds paths and labels."""
        self.notify(message, title="Watch list", severity=severity, timeout=timeout, markup=False)

    def add_bulks(self, ids: list[str], label: str) -> None:
        before = set(self.watchlist.ids)
        self._saved(lambda: self.watchlist.add_many([(bulk_id, label) for bulk_id in ids]))
        added = [bulk_id for bulk_id in self.watchlist.ids if bulk_id not in before]
        for bulk_id in added:
            self.states[bulk_id] = self.monitor.watch(bulk_id)
        self.main.apply(set(added))
        self._follow_store()
        if added:
            self.main.table.select(added[0])

    def remove_bulk(self, bulk_id: str) -> None:
        if bulk_id not in self.watchlist:
            return
        index = self.watchlist.index_of(bulk_id)
        entry = self.watchlist.entries[index]
        self._saved(lambda: self.watchlist.remove(bulk_id))
        if bulk_id in self.watchlist:
            return
        self.last_removal = [Removed(index, entry)]
        self.monitor.unwatch(bulk_id)
        self.states.pop(bulk_id, None)
        self.previous_replies.pop(bulk_id, None)
        self.main.forget(bulk_id)
        self.main.refresh_bindings()
        self._follow_store()
        self.notify(
            f"Stopped watching {_names(self.last_removal)} (u undoes it).", markup=False, timeout=6
        )

    def undo_removal(self) -> None:
        """Put back what left last, where it stood, through the store: the bulk removed here,
        or every bulk an outside change removed."""
        if self.last_removal is None:
            self.notify("Nothing to undo.", severity="warning")
            return
        removal, self.last_removal = self.last_removal, None
        self._saved(lambda: self.watchlist.put_back(removal))
        if self.watchlist_damage is not None:  # refused: nothing was put back, u can try again
            self.last_removal = removal
            return
        self.main.refresh_bindings()
        for item in removal:
            self._pending.pop(item.entry.bulk_id, None)
        self._follow_store()
        self.main.table.select(removal[0].entry.bulk_id)
        self.notify(f"Watching {_names(removal)} again.", markup=False, timeout=3)

    def set_label(self, bulk_id: str, label: str) -> None:
        self._saved(lambda: self.watchlist.set_label(bulk_id, label))
        self.main.apply({bulk_id})
        self._follow_store()

    def open_discover(self) -> None:
        """The import screen, on the engine's client and within its rules."""
        if self.client is None:
            self.notify("Enter a LOX24 token first (t).", severity="warning")
            return

        def picked(items: list[tuple[str, str]] | None) -> None:
            if items:
                self.add_labelled(items)
                self.notify(f"Watching {len(items)} more bulks.", timeout=4)

        self.push_screen(
            DiscoverScreen(
                GuardedClient(self.client, self.monitor.guard),
                lambda: set(self.watchlist.ids),
                self.now,
                self.discovery_blocked,
            ),
            callback=picked,
        )

    def discovery_blocked(self) -> str | None:
        """Why no list request may go out now: the guard's word, as for the engine."""
        breaker = self.monitor.guard.breaker()
        return None if breaker is None else breaker.reason(self.clock.now())

    def add_labelled(self, items: list[tuple[str, str]]) -> None:
        """Watch several bulks, each with its own label."""
        self._saved(lambda: self.watchlist.add_many(items))
        self._follow_store()

    def export_to(self, path: str, bulk_ids: list[str]) -> None:
        """Write what the dashboard knows now (no extra requests) of ``bulk_ids``, in that
        order, to ``path``."""
        now = self.now()
        rows = [export_row(self.watchlist.label_of(b), self.states[b], now) for b in bulk_ids]
        try:
            text = render(rows, format_for(path), for_file=True)
            write_atomically(Path(path).expanduser(), text)
        except OSError as error:
            why = error.strerror or type(error).__name__  # never the temporary file's name
            self.notify(f"Cannot write {path}: {why}", severity="error", markup=False)
            return
        self.notify(f"Exported {len(rows)} bulks to {path}", timeout=5, markup=False)

    # ------------------------------------------------------------ token

    def ask_for_token(self, reason: str) -> None:
        def chosen(choice: TokenChoice | None) -> None:
            if choice is None:
                return
            self._use_token(choice.token)
            if choice.save and not self.demo:
                try:
                    path = save_token(choice.token.reveal(), self.setup.locations)
                except (ConfigError, OSError) as error:
                    self.notify(f"The token was not saved: {error}", severity="error", markup=False)
                else:
                    self.notify(
                        f"Token saved in {path} (readable by you only).", timeout=5, markup=False
                    )

        self.push_screen(
            TokenScreen(self.check_token, reason, can_save=not self.demo), callback=chosen
        )

    async def check_token(self, token: Token) -> Lox24Error | None:
        """One request with a new token, under that token's guard (the refused-credential
        count, the 429 window and an unreachable LOX24 apply to it as to every request)."""
        async with self._client_for(token) as pool:
            client = GuardedClient(pool, self.monitor.guard.for_token(token))
            try:
                await client.check_token()
            except GuardStopped as stopped:
                return stopped
            except Lox24Error as error:
                return error
        return None

    def _client_for(self, token: Token) -> Lox24ClientPool:
        return Lox24ClientPool(
            token,
            self.setup.api_url,
            transport=self.setup.transport,
            timeout=self.settings.timeout,
            max_connections=self.settings.concurrency,
            now=self.clock.now,
        )

    def _use_token(self, token: Token) -> None:
        old = self.client
        self.client = self._client_for(token)
        self.monitor.use_source(self.client)
        if self.monitor.pause_reason == "no API token":
            self.monitor.resume()
        if old is not None:
            self.run_worker(old.aclose(), exit_on_error=False)
        self._pending_summary = True

    # ------------------------------------------------------------ commands

    def action_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not isinstance(screen, MainScreen):
            return
        main = self.main
        if self.watchlist_damage is not None:
            damage = self.watchlist_damage
            yield SystemCommand(
                "Damaged watch list",
                "Restore a good copy, or keep the list shown",
                lambda: self.offer_restore(damage),
            )
        yield SystemCommand(
            "Sort by…", "Pick a column, or the watch-list order (s, S)", main.table.action_pick_sort
        )
        yield from self.binding_commands(main)

    def binding_commands(self, main: MainScreen) -> Iterator[SystemCommand]:
        """A palette entry per binding in PALETTE_BINDINGS, written from the binding: its
        description, its tooltip and the key that runs it now (the keymap's, if it rebinds
        it), so the palette cannot name another key than the footer and the keys panel. An
        action its node disables (check_action) is left out, as the footer leaves it out;
        a key that does not reach it from the focused widget (typing in the filter) is not
        named."""
        declared = {
            binding.id: (node, binding)
            for node in (main, main.table)
            for binding in node.BINDINGS
            if isinstance(binding, Binding)
        }
        active = {
            found.binding.id: found.binding
            for found in main.active_bindings.values()
            if found.binding.id
        }
        for binding_id in PALETTE_BINDINGS:
            node, binding = declared[binding_id]
            if node.check_action(binding.action, ()) is False:
                continue
            help_text = binding.tooltip
            if binding_id in active:
                help_text += f" ({self.get_key_display(active[binding_id])})"
            yield SystemCommand(
                binding.description, help_text, partial(self.run_action, binding.action, node)
            )


def _names(removed: Sequence[Removed], most: int = 5) -> str:
    """'“Black Friday”, 0e03b500-… and 3 more': labels where there are some."""
    names = [
        f"“{item.entry.label}”" if item.entry.label else item.entry.bulk_id for item in removed
    ]
    more = len(names) - most
    return ", ".join(names[:most]) + (f" and {more} more" if more > 0 else "")


class _NoClient:
    """Stands in until a token is known; the engine is paused meanwhile, so it is never called."""

    async def get_bulk_status(self, bulk_id: str) -> StatusReply:
        raise InvalidToken()
