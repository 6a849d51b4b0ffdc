"""The dashboard application: builds the engine and the watch session, holds the token and its
client, and turns the session's events into messages for its screens, toasts and dialogs.

The session's buffered updates are flushed at most a few times a second: applying each response
as it arrives redraws the table every frame and starves the network loop (benchmarks/README.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from lox24tui.account.guard import (
    FileGuardState,
    concurrency_warning,
)
from lox24tui.api import (
    BulkFilters,
    Lox24Error,
)
from lox24tui.session.alert_actions import SWEEP_SECONDS
from lox24tui.session.all_accounts import AllAccounts
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
from lox24tui.state.history import AwaySummary
from lox24tui.text import sanitise
from lox24tui.tui.desk import Desk
from lox24tui.tui.desk_actions import DeskActions
from lox24tui.tui.keys import PALETTE, Groups, effective_keymap, keymap_problems, keys_of
from lox24tui.tui.messages import SessionNews
from lox24tui.tui.screens.account_picker import AccountPicker
from lox24tui.tui.screens.add_bulks import AddBulksScreen
from lox24tui.tui.screens.alerts import AlertsScreen
from lox24tui.tui.screens.damaged_list import DamageChoice, DamagedListScreen
from lox24tui.tui.screens.detail import DetailScreen
from lox24tui.tui.screens.dialogs import ConfirmScreen, LabelScreen
from lox24tui.tui.screens.discover import DiscoverScreen
from lox24tui.tui.screens.export import ExportScreen
from lox24tui.tui.screens.failures import FailuresScreen
from lox24tui.tui.screens.main import MainScreen
from lox24tui.tui.screens.main_palette import main_palette
from lox24tui.tui.screens.messages import MessagesExportScreen, MessagesScreen
from lox24tui.tui.screens.token import TokenScreen
from lox24tui.tui.setup import DashboardSetup
from lox24tui.tui.toasts import unknown_theme_words
from lox24tui.tui.widgets.bulk_table import BulkTable
from lox24tui.tui.widgets.bulk_view import BulkView
from lox24tui.tui.widgets.detail_pane import DetailPane
from lox24tui.tui.workers import engine_stop_words, say_worker_failed

FLUSH_SECONDS = 0.5
"""How often buffered updates reach the screen: at most 2.5 repaints a second."""
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
                    ("account", AccountPicker),
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
        several = bool(setup.others)
        self.desks = [Desk(self, account, several=several) for account in setup.accounts]
        """One per account shown: its engine, session, token and side work."""
        self.watching = AllAccounts([desk.account for desk in self.desks])
        """Every account's rows as one list: what the screens show and act on."""
        self.actions = DeskActions(self, self.desks, self.watching, self.key_name)
        """What the dashboard does with an account's client: import, add, a token, one bulk."""
        self._asking_about_damage: Desk | None = None
        """The account whose damaged-list question is on screen, or about to be."""
        self._damage_to_ask: list[Desk] = []
        """Accounts whose damaged list is asked about next (one question at a time)."""
        self.preferences = setup.preferences
        picked = setup.preferences.current.theme
        if picked in self.available_themes:
            self.theme = picked
        elif setup.settings.theme in self.available_themes:
            self.theme = setup.settings.theme
        if several:  # the accounts side by side
            labels = ", ".join(desk.tag.label for desk in self.desks)
            self.sub_title = f"{labels} · {self.SUB_TITLE}"
        elif setup.settings.account_label is not None:  # which of several accounts this is
            self.sub_title = f"{setup.settings.account_label} · {self.SUB_TITLE}"
        self.set_keymap(effective_keymap(setup.settings.keys))
        self.watching.key_name = self.key_name

    @property
    def desk(self) -> Desk:
        """The first account's (the only one's, without ``[accounts]``)."""
        return self.desks[0]

    @property
    def session(self) -> WatchSession:
        """The first account's watch session (the only one's, without ``[accounts]``)."""
        return self.desk.session

    # ------------------------------------------------------------ lifecycle

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.watching, self.preferences)

    def on_mount(self) -> None:
        for desk in self.desks:
            desk.session.listen(partial(self._on_session_event, desk))
        guard_states = {id(d.setup.guard_state): d.setup.guard_state for d in self.desks}
        for guard_state in guard_states.values():  # one per server: said once
            if isinstance(guard_state, FileGuardState):
                guard_state.listen(self.desk.toasts.guard_state)
        for desk in self.desks:
            if desk.setup.load_problem is not None:
                desk.toasts.note(Notice(desk.setup.load_problem.message, "error", 30))
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
        self.set_interval(FLUSH_SECONDS, self._unless_closing(self.watching.flush))
        for desk in self.desks:
            self._start(desk)

    def _start(self, desk: Desk) -> None:
        """One account's timers and engine; its token put to use, or asked for."""
        session = desk.session
        if desk.setup.damage is not None:  # after mounting, so the question is on top
            self.call_after_refresh(session.file.ask_again)
        if desk.alert_actions.watch.bulk_rules:  # stalls come with time, not with updates
            self.set_interval(SWEEP_SECONDS, self._unless_closing(desk.alert_actions.sweep))
        self.set_interval(WATCHLIST_POLL_SECONDS, self._unless_closing(session.file.follow))
        self.run_worker(
            desk.monitor.run(), name=desk.engine_worker, group="engine", exit_on_error=False
        )
        if desk.setup.token is not None:
            desk.connection.use(desk.setup.token)
            away = session.history.away_summary(session.ids)
            if away is not None and away.since is not None:
                self.run_worker(
                    self._say_what_happened_while_away(desk, away),
                    name="telling what happened while lox24tui was closed",
                    exit_on_error=False,
                )
            return
        session.engine.wait_for_token()
        if len(self.desks) > 1:  # no dialog per account at start: its line says it waits
            return
        desk.connection.ask_for_token(
            "No LOX24 API token was found (LOX24_TOKEN, the system keyring or the config "
            "file). Paste one to start; it is checked with a single request."
        )

    async def _say_what_happened_while_away(self, desk: Desk, away: AwaySummary) -> None:
        """What changed since a dashboard last ran, from the history, and how many bulks were
        created in the account meanwhile (one GET /bulks, through the guard)."""
        parts = [away.text] if away.text else []
        client = desk.connection.guarded()
        if client is not None and away.since is not None:
            since = datetime.fromtimestamp(away.since, UTC)
            try:
                page = await client.list_bulks(filters=BulkFilters(created_since=since))
            except Lox24Error:
                page = None  # the guard has taken note; the toast says what is known
            if page is not None:
                watched = set(desk.session.ids)
                new = [b for b in page.items if b.uuid and b.uuid.lower() not in watched]
                if new:
                    more = "+" if page.total is not None and page.total > len(page.items) else ""
                    key = self.key_name("main.import")
                    parts.append(f"{len(new)}{more} new in the account ({key} imports them)")
        if parts:
            text = ", ".join(parts)
            if not away.text:
                text = f"While you were away: {text}"
            title = desk.tag.label if len(self.desks) > 1 else "lox24tui"
            self.notify(text, title=title, timeout=20, markup=False)

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
        for desk in self.desks:
            if desk.engine_worker == event.worker.name:
                desk.session.engine.failed(why)
        self.notify(toast, title="lox24tui", severity="error", timeout=60, markup=False)

    def _remember(self, **changes: object) -> None:
        """A theme picked in the palette holds from now on, over the config's starting one."""
        problem = self.preferences.update(**changes)
        if problem is not None:
            self.notify(problem, title="Preferences", severity="warning", markup=False)

    async def on_unmount(self) -> None:
        for desk in self.desks:
            await desk.monitor.stop()
            desk.session.close()
            desk.toasts.notifier.close(wait=False)
            await desk.connection.close()

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
        """Whether every update the engines reported has left for the screens (none waits for
        the next flush). Tests wait on it, so that the flush timer, not the test, puts updates
        on screen."""
        return self.watching.is_current

    # ------------------------------------------------------------ session → screens

    def _on_session_event(self, desk: Desk, event: SessionEvent) -> None:
        if isinstance(event, RowsChanged):
            desk.alert_actions.bulks_changed(event.bulk_ids)
        match event:
            case RowsChanged() | ListChanged() | EngineChanged() | UndoChanged():
                for screen in self.screen_stack:  # a message each: one is delivered once
                    screen.post_message(SessionNews(event))
            case StatusMoved():
                desk.toasts.announce(event)
            case Notice():
                desk.toasts.note(event)
            case DamageFound():
                self._ask_about_damage(desk, event)
            case DamageCleared():
                if isinstance(self.screen, DamagedListScreen):  # only the top can be dismissed
                    self.screen.dismiss(None)

    def _ask_about_damage(self, desk: Desk, found: DamageFound) -> None:
        """A watch-list file cannot be read: restore the newest good copy, keep the list shown
        (the damaged file goes aside), or decide later. Asked once at a time: another
        account's damaged list is asked about after this one."""
        if self._asking_about_damage is not None:
            if desk is not self._asking_about_damage and desk not in self._damage_to_ask:
                self._damage_to_ask.append(desk)
            return
        self._asking_about_damage = desk
        file = desk.session.file

        def decided(choice: DamageChoice | None) -> None:
            self._asking_about_damage = None
            if choice is DamageChoice.RESTORE:
                file.restore(found.copy)
            elif choice is DamageChoice.KEEP:
                file.keep_list_shown()
            elif choice is DamageChoice.LATER:
                file.put_off()
            if self._damage_to_ask:
                self._damage_to_ask.pop(0).session.file.ask_again()

        screen = DamagedListScreen(found.damage, found.copy, found.listed)
        # after the dialog that made the change has closed, or its dismissal would close this
        self.call_after_refresh(self.push_screen, screen, decided)

    # ------------------------------------------------------------ what needs an account's client

    def on_main_screen_messages_wanted(self, message: MainScreen.MessagesWanted) -> None:
        """The bulk's messages, page by page, through the guard."""
        bulk = self.actions.one_bulk(message.bulk_id)
        if bulk is not None:
            self.push_screen(MessagesScreen(bulk))

    def on_messages_screen_failures_wanted(self, message: MessagesScreen.FailuresWanted) -> None:
        """The bulk's failures by reason and country, read once through the guard."""
        bulk = self.actions.one_bulk(message.bulk_id)
        if bulk is not None:
            self.push_screen(FailuresScreen(bulk))

    def on_detail_pane_engagement_wanted(self, message: DetailPane.EngagementWanted) -> None:
        self.actions.read_engagement(message.bulk_id)

    def on_main_screen_cancel_confirmed(self, message: MainScreen.CancelConfirmed) -> None:
        self.run_worker(
            self.actions.cancel(message.bulk_id),
            name="canceling",
            group="cancel",
            exit_on_error=False,
        )

    def action_discover(self) -> None:
        self.actions.for_an_account("Import bulks from which account?", self.actions.discover)

    def on_main_screen_add_wanted(self) -> None:
        self.actions.for_an_account("Watch bulks in which account?", self.actions.add_to)

    def action_token(self) -> None:
        self.actions.for_an_account("Enter a token for which account?", self.actions.ask_for_token)

    def action_alerts(self) -> None:
        """What the alert rules fired (kept in the history, by every process)."""
        self.push_screen(
            AlertsScreen(
                self.settings.alerts,
                self.session.history.file,
                self.watching.name_of,
                self.clock.now,
            )
        )

    # ------------------------------------------------------------ keys

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
        for desk in self.desks:
            if desk.session.file.damage is not None:
                of = f" of {desk.tag.label}" if len(self.desks) > 1 else ""
                yield SystemCommand(
                    f"Damaged watch list{of}",
                    "Restore a good copy, or keep the list shown",
                    desk.session.file.ask_again,
                )
        yield from main_palette(screen)
