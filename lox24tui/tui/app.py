"""The dashboard application: owns the watch list, the client and the engine, and turns the
engine's updates into batched screen changes.

Updates are buffered and applied at most a few times a second: applying each response as it
arrives redraws the table every frame and starves the network loop (PERFORMANCE.md).
"""

from __future__ import annotations

import gc
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import httpx
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from lox24tui.api import (
    AccountError,
    BulkPage,
    InvalidToken,
    Lox24ClientPool,
    Lox24Error,
    RateLimited,
    StatusCode,
    StatusReply,
    Token,
)
from lox24tui.clock import Clock, SystemClock
from lox24tui.config import ConfigError, Locations, Settings, save_token
from lox24tui.export import export_row, format_for, render
from lox24tui.files import write_atomically
from lox24tui.ledger import CredentialLedger
from lox24tui.monitor import BreakerKind, BulkState, BulkUpdate, Change, Monitor, MonitorEvent
from lox24tui.store import LoadProblem, WatchedBulk, WatchList
from lox24tui.tui.screens.discover import DiscoverScreen
from lox24tui.tui.screens.main import MainScreen
from lox24tui.tui.screens.token import TokenChoice, TokenScreen

T = TypeVar("T")

FLUSH_SECONDS = 0.5
"""How often buffered updates reach the screen: at most 2.5 repaints a second."""
TIMES_SECONDS = 5.0
"""How often relative times ("12 s ago") are redrawn."""
DEMO_INTERVAL = 5.0
GC_YOUNG_THRESHOLD = 20_000
"""Allocations between young-generation collections (Python's default is 700)."""
WATCHLIST_POLL_SECONDS = 2.0
"""How often the watch-list file is checked for changes made outside (``lox24tui watch``)."""


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
    seed: int | None = None
    """Seeds the engine's jitter, for repeatable snapshots."""
    ledger: CredentialLedger | None = None
    """Where refused-token requests are counted; the real account shares a file with the CLI."""


class Lox24App(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "lox24tui"
    SUB_TITLE = "LOX24 bulks, live"
    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="Quit lox24tui"),
        Binding("question_mark", "keys", "Keys", tooltip="Show every key"),
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
            ledger=setup.ledger,
        )
        self.states: dict[str, BulkState] = {}
        self.previous_replies: dict[str, StatusReply] = {}
        self.last_removal: tuple[int, WatchedBulk] | None = None
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
        _calm_the_garbage_collector()
        self.monitor.listen(self._on_engine_event)
        if self.setup.load_problem is not None:
            self.notify(
                self.setup.load_problem.message,
                title="Watch list",
                severity="error",
                timeout=30,
                markup=False,
            )
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
        """Another process changed the watch-list file: follow it, without a restart."""
        if not self.watchlist.changed_on_disk():
            return
        diff = self.watchlist.reload()
        if diff.unreadable:
            self.notify(
                f"{self.watchlist.path} was changed into something that cannot be read. The list "
                "shown is kept, and your next change here writes it whole again.",
                title="Watch list",
                severity="warning",
                timeout=15,
                markup=False,
            )
            return
        if not diff:
            return
        self._follow_store()
        parts = [
            f"{len(ids)} {what}"
            for ids, what in (
                (diff.added, "added"),
                (diff.removed, "removed"),
                (diff.relabeled, "relabeled"),
            )
            if ids
        ]
        self.notify(
            f"The watch list changed outside this window: {', '.join(parts)}.",
            title="Watch list",
            timeout=6,
        )

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
        """Run a watch-list change; if the file cannot be written, say so (the change stays in
        memory for this session) instead of crashing."""
        try:
            return change()
        except OSError as error:
            self.notify(
                f"The watch list could not be saved ({error.strerror or error}); the change "
                "holds for this session only.",
                title="Watch list",
                severity="error",
                markup=False,
                timeout=15,
            )
            return None

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
        self.last_removal = (index, entry)
        self.monitor.unwatch(bulk_id)
        self.states.pop(bulk_id, None)
        self.previous_replies.pop(bulk_id, None)
        self.main.forget(bulk_id)
        self.main.refresh_bindings()
        self._follow_store()
        label = entry.label or bulk_id
        self.notify(f"Stopped watching {label}. u undoes it.", markup=False, timeout=6)

    def undo_removal(self) -> None:
        if self.last_removal is None:
            self.notify("Nothing to undo.", severity="warning")
            return
        index, entry = self.last_removal
        self.last_removal = None
        self.main.refresh_bindings()
        self._saved(lambda: self.watchlist.insert(index, entry))
        self._pending.pop(entry.bulk_id, None)
        self.states[entry.bulk_id] = self.monitor.watch(entry.bulk_id)
        self._follow_store()
        self.main.rebuild()
        self.main.table.select(entry.bulk_id)
        self.notify(f"Watching {entry.label or entry.bulk_id} again.", markup=False, timeout=3)

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
                _GuardedLister(self),
                lambda: set(self.watchlist.ids),
                self.now,
                self.discovery_blocked,
            ),
            callback=picked,
        )

    def discovery_blocked(self) -> str | None:
        """Why no list request may go out now (the engine's breakers apply to it too)."""
        breaker = self.monitor.breaker
        if breaker is not None and breaker.kind == BreakerKind.AUTH:
            return "LOX24 refused the token; t enters a new one."
        if breaker is not None and breaker.kind == BreakerKind.RATE_LIMITED:
            left = int((breaker.until or 0) - self.clock.now())
            return f"LOX24 rate limit, {left} s left."
        if self.monitor.bad_credentials_wait() > 0:
            return "protecting your IP after refused requests; try again in a minute."
        return None

    def add_labelled(self, items: list[tuple[str, str]]) -> None:
        """Watch several bulks, each with its own label."""
        self._saved(lambda: self.watchlist.add_many(items))
        self._follow_store()

    def export_to(self, path: str) -> None:
        """Write what the dashboard knows now (no extra requests) to ``path``."""
        rows = [export_row(self.watchlist.label_of(b), self.states[b]) for b in self.watchlist.ids]
        try:
            text = render(rows, format_for(path), for_file=True)
            write_atomically(Path(path).expanduser(), text)
        except OSError as error:
            self.notify(f"The export failed: {error}", severity="error", markup=False)
            return
        self.notify(f"Exported {len(rows)} bulks to {path}", timeout=5, markup=False)

    # ------------------------------------------------------------ token

    def ask_for_token(self, reason: str) -> None:
        def chosen(choice: TokenChoice | None) -> None:
            if choice is None:
                return
            self._use_token(choice.token)
            if choice.save:
                try:
                    path = save_token(choice.token.reveal(), self.setup.locations)
                except (ConfigError, OSError) as error:
                    self.notify(f"The token was not saved: {error}", severity="error", markup=False)
                else:
                    self.notify(
                        f"Token saved in {path} (readable by you only).", timeout=5, markup=False
                    )

        self.push_screen(TokenScreen(self.check_token, reason), callback=chosen)

    async def check_token(self, token: Token) -> Lox24Error | None:
        """One request with a new token, within the engine's bad-credential rule."""
        wait = self.monitor.bad_credentials_wait()
        if wait > 0:
            return Lox24Error(
                f"Three tokens were refused within the last minute; to keep LOX24 from blocking "
                f"your IP, try again in {int(wait) + 1} s."
            )
        async with self._client_for(token) as client:
            try:
                await client.check_token()
            except InvalidToken as error:
                self.monitor.note_bad_credentials()
                return error
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
        yield SystemCommand("Add bulks", "Watch one or more bulk ids (a)", main.action_add)
        yield SystemCommand(
            "Refresh all", "Fetch every watched bulk now (R)", main.action_refresh_all
        )
        yield SystemCommand("Pause or resume", "Stop or restart polling (p)", main.action_pause)
        yield SystemCommand("Filter", "Show only matching bulks (/)", main.action_filter)
        yield SystemCommand(
            "Detail pane", "Show or hide the selected bulk in full (v)", main.action_toggle_detail
        )
        yield SystemCommand("Sort", "Sort by the next column (s)", main.table.action_cycle_sort)
        yield SystemCommand(
            "Remove bulk", "Stop watching the selected bulk (d)", main.table.action_remove
        )
        yield SystemCommand(
            "Edit label", "Rename the selected bulk (e)", main.table.action_edit_label
        )
        yield SystemCommand(
            "Refresh bulk", "Fetch the selected bulk now (r)", main.table.action_refresh_bulk
        )
        yield SystemCommand(
            "Copy bulk id", "Copy the selected bulk's id (c)", main.table.action_copy_id
        )
        yield SystemCommand("Undo remove", "Put back the last bulk removed (u)", main.action_undo)
        yield SystemCommand("Enter token", "Use another LOX24 API token (t)", main.action_token)
        yield SystemCommand("Export", "Write the watch list as CSV or JSON (x)", main.action_export)
        yield SystemCommand(
            "Import bulks", "Pick from the account's recent bulks (i)", main.action_discover
        )
        if main.pane.display:
            yield SystemCommand(
                "Raw JSON", "Detail pane: fields or raw JSON (j)", main.action_raw_json
            )
            yield SystemCommand(
                "Copy request id", "The one in the detail pane (C)", main.action_copy_request_id
            )


def _calm_the_garbage_collector() -> None:
    """Full collections of a process holding Textual and a thousand bulks took 100-130 ms,
    freezing key presses mid-refresh (benchmarks/dashboard.py). What exists at start-up is
    frozen out of collections, and young objects are collected less often."""
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, gen1, gen2)


class _GuardedLister:
    """The engine's client for list requests, counting a refused token like the engine does."""

    def __init__(self, app: Lox24App) -> None:
        self._app = app

    async def list_bulks(
        self,
        *,
        page: int = 1,
        status_codes: Sequence[int] = (),
        created_since: datetime | None = None,
    ) -> BulkPage:
        client = self._app.client
        if client is None:
            raise InvalidToken()
        try:
            return await client.list_bulks(
                page=page, status_codes=status_codes, created_since=created_since
            )
        except (AccountError, RateLimited) as error:
            self._app.monitor.report_failure(error)  # the same stops as the engine's own
            raise


class _NoClient:
    """Stands in until a token is known; the engine is paused meanwhile, so it is never called."""

    async def get_bulk_status(self, bulk_id: str) -> StatusReply:
        raise InvalidToken()
