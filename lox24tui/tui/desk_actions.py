"""What the dashboard does with an account's client beside the engine: the import screen, the
add dialog, a new token, and the screens and requests about one bulk (messages, failures,
clicks and replies, cancel). Each goes to the account whose bulk it is, or that the person
picks when there are several, and through that account's guard."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from lox24tui.api import Lox24Error
from lox24tui.session.all_accounts import AllAccounts
from lox24tui.session.engagement_rounds import read_into
from lox24tui.text import humanize
from lox24tui.tui.desk import Desk
from lox24tui.tui.screens.account_picker import AccountPicker
from lox24tui.tui.screens.add_bulks import AddBulksScreen
from lox24tui.tui.screens.discover import DiscoverScreen
from lox24tui.tui.screens.main import MainScreen
from lox24tui.tui.screens.one_bulk import OneBulk

if TYPE_CHECKING:
    from textual.app import App


class DeskActions:
    def __init__(
        self,
        app: App[None],
        desks: Sequence[Desk],
        watching: AllAccounts,
        key_name: Callable[[str], str],
    ) -> None:
        self._app = app
        self._desks = tuple(desks)
        self._watching = watching
        self._key_name = key_name

    @property
    def _several(self) -> bool:
        return len(self._desks) > 1

    def desk_of(self, bulk_id: str) -> Desk:
        """The desk of the account that watches ``bulk_id``."""
        session = self._watching.session_of(bulk_id)
        return next(desk for desk in self._desks if desk.session is session)

    def for_an_account(self, why: str, then: Callable[[Desk], object]) -> None:
        """Run ``then`` for the account the person picks, asked only when there are several
        (the one under the cursor first, so Enter keeps to it)."""
        if not self._several:
            then(self._desks[0])
            return
        main = self._main_screen()
        selected = main.table.selected_id if main is not None else None
        first = self.desk_of(selected) if selected is not None else self._desks[0]
        desks = sorted(self._desks, key=lambda desk: desk is not first)

        def picked(index: int | None) -> None:
            if index is not None:
                then(desks[index])

        self._app.push_screen(AccountPicker(why, [desk.tag for desk in desks]), callback=picked)

    def _main_screen(self) -> MainScreen | None:
        return next((s for s in self._app.screen_stack if isinstance(s, MainScreen)), None)

    def _no_token_yet(self, desk: Desk) -> None:
        key = self._key_name("main.token")
        where = f" for {desk.tag.label}" if self._several else ""
        self._app.notify(
            f"Enter a LOX24 token{where} first ({key}).", severity="warning", markup=False
        )

    # ------------------------------------------------------------ an account's

    def discover(self, desk: Desk) -> None:
        """The import screen, on the account's client and within its rules."""
        client = desk.connection.guarded()
        if client is None:
            self._no_token_yet(desk)
            return
        session = desk.session
        app = self._app

        def picked(items: list[tuple[str, str]] | None) -> None:
            if items:
                session.add_labelled(items)
                app.notify(f"Watching {humanize.plural(len(items), 'more bulk')}.", timeout=4)

        app.push_screen(
            DiscoverScreen(
                client,
                lambda: set(session.ids),
                session.now,
                session.engine.why_blocked,
                session.balance.currency,
                where=f" in {desk.tag.label}" if self._several else "",
            ),
            callback=picked,
        )

    def add_to(self, desk: Desk) -> None:
        """The add dialog, adding to this account's list; an id any account watches is
        skipped (a bulk is one row, under one account)."""
        watching = self._watching

        def added(count: int | None) -> None:
            main = self._main_screen()
            if count and main is not None:
                main.table.focus()

        where = f" in {desk.tag.label}" if self._several else ""
        self._app.push_screen(
            AddBulksScreen(lambda: set(watching.ids), desk.session.add, where=where),
            callback=added,
        )

    def ask_for_token(self, desk: Desk) -> None:
        where = f" of {desk.tag.label}" if self._several else ""
        desk.connection.ask_for_token(f"Enter the LOX24 API token{where} to use from now on.")

    # ------------------------------------------------------------ one bulk

    def one_bulk(self, bulk_id: str) -> OneBulk | None:
        """What a screen about one bulk works with: its account's client (None, and said,
        before that account has a token)."""
        desk = self.desk_of(bulk_id)
        client = desk.connection.guarded()
        if client is None:
            self._no_token_yet(desk)
            return None
        session = desk.session
        return OneBulk(
            client,
            bulk_id,
            session.label_of(bulk_id),
            session.now,
            session.balance.currency,
            lambda: [(step.at, step.label) for step in session.timeline(bulk_id)],
        )

    def read_engagement(self, bulk_id: str) -> None:
        """Someone looks at a bulk: its clicks and replies are read in the background, through
        the guard of its account, and fill the pane (and stay known for a while) when they
        come."""
        desk = self.desk_of(bulk_id)
        client = desk.connection.guarded()
        if client is None:  # no token yet: the pane says nothing of clicks
            desk.session.engagement.release(bulk_id)
            return
        self._app.run_worker(
            read_into(desk.session, client, bulk_id),
            name="reading clicks and replies",
            group="engagement",
            exit_on_error=False,
        )

    async def cancel(self, bulk_id: str) -> None:
        """Cancel at LOX24, through the guard of the bulk's account (which also refuses
        read-only), then show the bulk as LOX24 now has it."""
        desk = self.desk_of(bulk_id)
        session = desk.session
        name = session.name_of(bulk_id)
        client = desk.connection.guarded()
        if client is None:
            self._no_token_yet(desk)
            return
        try:
            reply = await client.cancel_bulk(bulk_id)
        except Lox24Error as error:
            self._app.notify(f"Not canceled: {error}", title=name, severity="error", markup=False)
            return
        self._app.notify(
            f"Canceled: LOX24 now says {reply.status.label_at(session.now())}.",
            title=name,
            markup=False,
        )
        if bulk_id in session.states:  # unless it was removed meanwhile
            session.engine.refresh(bulk_id)  # the row shows it from LOX24's own status
