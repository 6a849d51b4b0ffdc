"""The dashboard application: builds the engine and the watch session, holds the token and its
client, and turns the session's events into messages for its screens, toasts and dialogs.

The session's buffered updates are flushed at most a few times a second: applying each response
as it arrives redraws the table every frame and starves the network loop (benchmarks/README.md).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from lox24tui.account.guard import (
    AccountGuard,
    FileGuardState,
    concurrency_warning,
)
from lox24tui.api import (
    BulkFilters,
    InvalidToken,
    Lox24Error,
    StatusReply,
)
from lox24tui.engine.auto_watch import AutoWatch
from lox24tui.engine.monitor import Monitor
from lox24tui.engine.side_work import SideWork
from lox24tui.session.account_work import start_side_work
from lox24tui.session.alert_actions import SWEEP_SECONDS, AlertActions
from lox24tui.session.alert_watch import AlertWatch
from lox24tui.session.engagement_rounds import EngagementRounds, read_into
from lox24tui.session.events import (
    DamageCleared,
    DamageFound,
    EngineChanged,
    ListChanged,
    Notice,
    RowsChanged,
    SessionEvent,
    StatusMoved,
    UndoChanged,
)
from lox24tui.session.watch_session import WatchSession
from lox24tui.state.history import AwaySummary, History
from lox24tui.text import humanize, sanitise
from lox24tui.tui.connection import Connection
from lox24tui.tui.keys import PALETTE, Groups, effective_keymap, keymap_problems, keys_of
from lox24tui.tui.messages import SessionNews
from lox24tui.tui.screens.add_bulks import AddBulksScreen
from lox24tui.tui.screens.alerts import AlertsScreen
from lox24tui.tui.screens.damaged_list import DamageChoice, DamagedListScreen
from lox24tui.tui.screens.detail import DetailScreen
from lox24tui.tui.screens.dialogs import ConfirmScreen, LabelScreen
from lox24tui.tui.screens.discover import DiscoverScreen
from lox24tui.tui.screens.export import ExportScreen
from lox24tui.tui.screens.failures import FailuresScreen
from lox24tui.tui.screens.main import MainScreen
from lox24tui.tui.screens.messages import MessagesExportScreen, MessagesScreen
from lox24tui.tui.screens.one_bulk import OneBulk
from lox24tui.tui.screens.token import TokenScreen
from lox24tui.tui.setup import DashboardSetup
from lox24tui.tui.toasts import SessionToasts, unknown_theme_words
from lox24tui.tui.widgets.bulk_table import BulkTable
from lox24tui.tui.widgets.bulk_view import BulkView
from lox24tui.tui.widgets.detail_pane import DetailPane
from lox24tui.tui.workers import engine_stop_words, say_worker_failed

FLUSH_SECONDS = 0.5
"""How often buffered updates reach the screen: at most 2.5 repaints a second."""
DEMO_INTERVAL = 5.0
DEMO_SIDE_REQUESTS_PER_MINUTE = 600
"""The simulated account needs no politeness: its delivery counts keep up with the show."""
WATCHLIST_POLL_SECONDS = 2.0
"""How often the watch-list file is checked for changes made outside (``lox24tui watch``)."""


_log = logging.getLogger(__name__)


class Lox24App(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "lox24tui"
    SUB_TITLE = "LOX24 bulks, live"
    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="Quit lox24tui", id="app.quit"),
        Binding("question_mark", "keys", "Keys", tooltip="Show every key", id="app.keys"),
        # Esc closes the keys panel before it means anything to the screen below (a priority
        # binding, offered only while the panel is open: check_action).
        Binding(
            "escape", "close_keys", "Close keys", show=False, priority=True, id="app.close_keys"
        ),
    ]
    """
    | Key | Action |
    | :- | :- |
    | q | Quit. |
    | ? | Show or hide the keys panel. |
    | Esc | Close the keys panel. |
    | ctrl+p | Command palette. |
    """

    @classmethod
    def binding_groups(cls) -> Groups:
        """The nodes whose bindings are active together, by where a person meets them: the
        keymap check (:mod:`lox24tui.tui.keys`) finds a key that now means two things in one."""
        return {
            "the watch list": [cls, MainScreen, BulkView, BulkTable],
            "the detail pane": [cls, MainScreen, BulkView, DetailPane],
            "the detail screen": [cls, DetailScreen, DetailPane],
            "the import screen": [cls, DiscoverScreen],
            "the messages screen": [cls, MessagesScreen],
            "the alerts screen": [cls, AlertsScreen],
            **{
                f"the {name} dialog": [cls, dialog]
                for name, dialog in (
                    ("add", AddBulksScreen),
                    ("confirm", ConfirmScreen),
                    ("label", LabelScreen),
                    ("export", ExportScreen),
                    ("messages export", MessagesExportScreen),
                    ("token", TokenScreen),
                    ("damaged list", DamagedListScreen),
                )
            },
        }

    def __init__(self, setup: DashboardSetup) -> None:
        super().__init__()
        self.setup = setup
        self.clock = setup.clock
        self.settings = setup.settings
        self.monitor = _engine_for(setup)
        self.connection = Connection(self, setup, self.monitor, self._token_in_use)
        history = _history_for(setup)
        self.session = WatchSession(
            setup.watchlist,
            self.monitor,
            setup.clock,
            demo=setup.demo,
            damage=setup.damage,
            history=history,
            archive_after=setup.settings.archive_after,
            low_balance=setup.settings.low_balance,
            read_only=setup.settings.read_only,
        )
        self.toasts = SessionToasts(
            self,
            self.session,
            bell=setup.settings.bell,
            notify=setup.settings.notify,
            notify_writer=setup.notify_writer,
        )
        self.alert_actions = AlertActions(
            self.session,
            AlertWatch(setup.settings.alerts, history, setup.clock),
            history,
            say=lambda text, *, title, warning: self.notify(
                text, title=title, severity="warning" if warning else "information", markup=False
            ),
            bell=self.bell,
            notify=self.toasts.notifier.notify,
            spawn=lambda work, name: self.run_worker(
                work, name=name, group="alerts", exit_on_error=False
            ),
            withheld=setup.settings.token_variables,
        )
        """Alert rules, checked as the engine's updates come, acting when they fire."""

        also: list[SideWork] = []
        if setup.settings.auto_watch:
            also.append(AutoWatch(self.connection.guarded, self._auto_adopt, self.clock))
        also.append(EngagementRounds(self.session, self.connection.guarded))
        self.account_watch = start_side_work(
            self.session,
            setup.settings,
            self.connection.guarded,
            self.alert_actions,
            low_balance=self.toasts.low_balance,
            spend_over=self.toasts.spend_over,
            also=also,
        )
        self._asking_about_damage = False
        """The damaged-list question is on screen, or about to be."""
        self.preferences = setup.preferences
        picked = setup.preferences.current.theme
        if picked in self.available_themes:
            self.theme = picked
        elif setup.settings.theme in self.available_themes:
            self.theme = setup.settings.theme
        if setup.settings.account_label is not None:  # which of several accounts this is
            self.sub_title = f"{setup.settings.account_label} · {self.SUB_TITLE}"
        self.set_keymap(effective_keymap(setup.settings.keys))
        self.session.key_name = self.key_name

    # ------------------------------------------------------------ lifecycle

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.session, self.preferences)

    def on_mount(self) -> None:
        self.session.listen(self._on_session_event)
        if isinstance(self.setup.guard_state, FileGuardState):
            self.setup.guard_state.listen(self.toasts.guard_state)
        if self.setup.load_problem is not None:
            self.toasts.note(Notice(self.setup.load_problem.message, "error", 30))
        if self.settings.theme not in self.available_themes:
            self.notify(
                unknown_theme_words(
                    self.settings.theme,
                    self.available_themes,
                    self.theme,
                    self.key_name(PALETTE),
                    self.setup.locations,
                ),
                title="Settings",
                severity="warning",
                timeout=20,
                markup=False,
            )
        for problem in keymap_problems(self.settings.keys, self.binding_groups()):
            self.notify(problem, title="Keys", severity="warning", timeout=20, markup=False)
        if self.preferences.problem is not None:
            self.notify(self.preferences.problem, title="Preferences", severity="warning")
        risk = concurrency_warning(self.settings.concurrency)
        if risk is not None and not self.setup.demo:
            self.notify(risk, title="Concurrency", severity="warning", timeout=20, markup=False)
        self.theme_changed_signal.subscribe(self, lambda _: self._remember(theme=self.theme))
        if self.setup.damage is not None:  # after mounting, so the question is on top
            self.call_after_refresh(self.session.file.ask_again)
        self.set_interval(FLUSH_SECONDS, self._unless_closing(self.session.flush))
        if self.alert_actions.watch.bulk_rules:  # stalls come with time, not with updates
            self.set_interval(SWEEP_SECONDS, self._unless_closing(self.alert_actions.sweep))
        self.set_interval(WATCHLIST_POLL_SECONDS, self._unless_closing(self.session.file.follow))
        self.run_worker(self.monitor.run(), name="engine", group="engine", exit_on_error=False)
        if self.setup.token is not None:
            self.connection.use(self.setup.token)
            away = self.session.history.away_summary(self.session.ids)
            if away is not None and away.since is not None:
                self.run_worker(
                    self._say_what_happened_while_away(away),
                    name="telling what happened while lox24tui was closed",
                    exit_on_error=False,
                )
        else:
            self.session.engine.wait_for_token()
            self.connection.ask_for_token(
                "No LOX24 API token was found (LOX24_TOKEN, the system keyring or the config "
                "file). Paste one to "
                "start; it is checked with a single request."
            )

    async def _say_what_happened_while_away(self, away: AwaySummary) -> None:
        """What changed since a dashboard last ran, from the history, and how many bulks were
        created in the account meanwhile (one GET /bulks, through the guard)."""
        parts = [away.text] if away.text else []
        client = self.connection.guarded()
        if client is not None and away.since is not None:
            since = datetime.fromtimestamp(away.since, UTC)
            try:
                page = await client.list_bulks(filters=BulkFilters(created_since=since))
            except Lox24Error:
                page = None  # the guard has taken note; the toast says what is known
            if page is not None:
                watched = set(self.session.ids)
                new = [b for b in page.items if b.uuid and b.uuid.lower() not in watched]
                if new:
                    more = "+" if page.total is not None and page.total > len(page.items) else ""
                    key = self.key_name("main.import")
                    parts.append(f"{len(new)}{more} new in the account ({key} imports them)")
        if parts:
            text = ", ".join(parts)
            if not away.text:
                text = f"While you were away: {text}"
            self.notify(text, title="lox24tui", timeout=20, markup=False)

    def _unless_closing(self, tick: Callable[[], None]) -> Callable[[], None]:
        """``tick`` for a timer, skipped once the app is closing: Textual tears the screens down
        before it stops the app's timers, and a tick in between crashed the exit."""
        return lambda: tick() if self.is_running else None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed engine must not leave "Live" on screen: say so, with what to do. Any
        other work of the App says it failed like a screen's (:mod:`lox24tui.tui.workers`)."""
        if event.state != WorkerState.ERROR:
            return
        if event.worker.group != "engine":
            say_worker_failed(self, event.worker)
            return
        why, toast = engine_stop_words(event.worker.error)
        self.session.engine.failed(why)
        self.notify(toast, title="lox24tui", severity="error", timeout=60, markup=False)

    def _remember(self, **changes: object) -> None:
        """A theme picked in the palette holds from now on, over the config's starting one."""
        problem = self.preferences.update(**changes)
        if problem is not None:
            self.notify(problem, title="Preferences", severity="warning", markup=False)

    async def on_unmount(self) -> None:
        await self.monitor.stop()
        self.session.close()
        self.toasts.notifier.close(wait=False)
        await self.connection.close()

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

    @property
    def screen_is_current(self) -> bool:
        """Whether every update the engine reported has left for the screens (none waits for
        the next flush). Tests wait on it, so that the flush timer, not the test, puts updates
        on screen."""
        return self.session.is_current

    # ------------------------------------------------------------ session → screens

    def _on_session_event(self, event: SessionEvent) -> None:
        if isinstance(event, RowsChanged):
            self.alert_actions.bulks_changed(event.bulk_ids)
        match event:
            case RowsChanged() | ListChanged() | EngineChanged() | UndoChanged():
                for screen in self.screen_stack:  # a message each: one is delivered once
                    screen.post_message(SessionNews(event))
            case StatusMoved():
                self.toasts.announce(event)
            case Notice():
                self.toasts.note(event)
            case DamageFound():
                self._ask_about_damage(event)
            case DamageCleared():
                if isinstance(self.screen, DamagedListScreen):  # only the top can be dismissed
                    self.screen.dismiss(None)

    def _ask_about_damage(self, found: DamageFound) -> None:
        """The watch-list file cannot be read: restore the newest good copy, keep the list shown
        (the damaged file goes aside), or decide later. Asked once at a time."""
        if self._asking_about_damage:
            return
        self._asking_about_damage = True

        def decided(choice: DamageChoice | None) -> None:
            self._asking_about_damage = False
            if choice is DamageChoice.RESTORE:
                self.session.file.restore(found.copy)
            elif choice is DamageChoice.KEEP:
                self.session.file.keep_list_shown()
            elif choice is DamageChoice.LATER:
                self.session.file.put_off()

        screen = DamagedListScreen(found.damage, found.copy, found.listed)
        # after the dialog that made the change has closed, or its dismissal would close this
        self.call_after_refresh(self.push_screen, screen, decided)

    # ------------------------------------------------------------ import

    def on_main_screen_messages_wanted(self, message: MainScreen.MessagesWanted) -> None:
        """The bulk's messages, page by page, through the guard."""
        bulk = self._one_bulk(message.bulk_id)
        if bulk is not None:
            self.push_screen(MessagesScreen(bulk))

    def on_messages_screen_failures_wanted(self, message: MessagesScreen.FailuresWanted) -> None:
        """The bulk's failures by reason and country, read once through the guard."""
        bulk = self._one_bulk(message.bulk_id)
        if bulk is not None:
            self.push_screen(FailuresScreen(bulk))

    def on_detail_pane_engagement_wanted(self, message: DetailPane.EngagementWanted) -> None:
        """Someone looks at a bulk: its clicks and replies are read in the background, through
        the guard, and fill the pane (and stay known for a while) when they come."""
        client = self.connection.guarded()
        if client is None:  # no token yet: the pane says nothing of clicks
            self.session.engagement.release(message.bulk_id)
            return
        self.run_worker(
            read_into(self.session, client, message.bulk_id),
            name="reading clicks and replies",
            group="engagement",
            exit_on_error=False,
        )

    def _one_bulk(self, bulk_id: str) -> OneBulk | None:
        """What a screen about one bulk works with; None (and said) before a token is known."""
        client = self.connection.guarded()
        if client is None:
            self._no_token_yet()
            return None
        return OneBulk(
            client,
            bulk_id,
            self.session.label_of(bulk_id),
            self.session.now,
            self.session.balance.currency,
            lambda: [(step.at, step.label) for step in self.session.timeline(bulk_id)],
        )

    def on_main_screen_cancel_confirmed(self, message: MainScreen.CancelConfirmed) -> None:
        self.run_worker(
            self._cancel(message.bulk_id), name="canceling", group="cancel", exit_on_error=False
        )

    async def _cancel(self, bulk_id: str) -> None:
        """Cancel at LOX24, through the guard (which also refuses read-only), then show the
        bulk as LOX24 now has it."""
        name = self.session.name_of(bulk_id)
        client = self.connection.guarded()
        if client is None:
            self._no_token_yet()
            return
        try:
            reply = await client.cancel_bulk(bulk_id)
        except Lox24Error as error:
            self.notify(f"Not canceled: {error}", title=name, severity="error", markup=False)
            return
        self.notify(
            f"Canceled: LOX24 now says {reply.status.label_at(self.session.now())}.",
            title=name,
            markup=False,
        )
        if bulk_id in self.session.states:  # unless it was removed meanwhile
            self.session.engine.refresh(bulk_id)  # the row shows it from LOX24's own status

    def _auto_adopt(self, items: Sequence[tuple[str, str]]) -> set[str]:
        """Watch what auto-watch found; returns the ids on the watch list now."""
        added = self.session.add_labelled(items)
        if added:
            self.notify(
                f"Auto-watch: watching {humanize.plural(len(added), 'new bulk')} created in "
                "the account.",
                title="Watch list",
                timeout=8,
            )
        return set(self.session.ids)

    def action_discover(self) -> None:
        """The import screen, on the engine's client and within its rules."""
        client = self.connection.guarded()
        if client is None:
            self._no_token_yet()
            return
        session = self.session

        def picked(items: list[tuple[str, str]] | None) -> None:
            if items:
                session.add_labelled(items)
                self.notify(f"Watching {humanize.plural(len(items), 'more bulk')}.", timeout=4)

        self.push_screen(
            DiscoverScreen(
                client,
                lambda: set(session.ids),
                session.now,
                session.engine.why_blocked,
                session.balance.currency,
            ),
            callback=picked,
        )

    # ------------------------------------------------------------ token

    def action_alerts(self) -> None:
        """What the alert rules fired (kept in the history, by every process)."""
        session = self.session
        self.push_screen(
            AlertsScreen(
                self.settings.alerts, session.history.file, session.name_of, self.clock.now
            )
        )

    def action_token(self) -> None:
        self.connection.ask_for_token("Enter the LOX24 API token to use from now on.")

    def _token_in_use(self) -> None:
        """A token was put to use: the engine sends again, and the balance is read soon."""
        self.session.engine.token_ready()
        self.account_watch.soon()

    # ------------------------------------------------------------ commands

    def _no_token_yet(self) -> None:
        key = self.key_name("main.token")
        self.notify(f"Enter a LOX24 token first ({key}).", severity="warning", markup=False)

    def key_name(self, binding_id: str) -> str:
        """The key that runs a binding, as the footer shows it ("u", "?", "^s"), after the
        person's [keys]: every text that names a key takes it from here, never a letter
        written into the sentence. ``"palette"`` names the command palette's key, which Textual
        binds itself."""
        if binding_id == PALETTE:
            return self.get_key_display(Binding(self.COMMAND_PALETTE_BINDING, ""))
        first = keys_of(binding_id, self.settings.keys, self.binding_groups()).split(",")[0].strip()
        return self.get_key_display(Binding(first, ""))

    def action_keys(self) -> None:
        if self._keys_shown():
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_close_keys(self) -> None:
        self.action_hide_help_panel()

    def _keys_shown(self) -> bool:
        return bool(self.screen.query("HelpPanel"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_keys":
            return self._keys_shown()
        return True

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not isinstance(screen, MainScreen):
            return
        if self.session.file.damage is not None:
            yield SystemCommand(
                "Damaged watch list",
                "Restore a good copy, or keep the list shown",
                self.session.file.ask_again,
            )
        yield from screen.palette_commands()


class _NoClient:
    """Stands in until a token is known; the engine is paused meanwhile, so it is never called."""

    async def get_bulk_status(self, bulk_id: str) -> StatusReply:
        raise InvalidToken()


def _engine_for(setup: DashboardSetup) -> Monitor:
    """The refresh engine as the settings ask (the demo polls faster, with a bigger side-work
    budget), under a guard with no token yet: the engine is paused until one is known."""
    interval = DEMO_INTERVAL if setup.demo else setup.settings.interval
    return Monitor(
        _NoClient(),
        interval=interval,
        concurrency=setup.settings.concurrency,
        side_requests_per_minute=(
            DEMO_SIDE_REQUESTS_PER_MINUTE if setup.demo else setup.settings.side_requests_per_minute
        ),
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


def _history_for(setup: DashboardSetup) -> History | None:
    if setup.history_file is None:
        return None
    return History(
        setup.history_file, retention_days=setup.settings.history_days, clock=setup.clock.now
    )
