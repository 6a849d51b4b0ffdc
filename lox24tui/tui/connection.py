"""The dashboard's way to LOX24: the client of the token in use, and changing that token.

Every request the dashboard makes beside the engine (the balance, the import screen, messages,
cancel) takes its client from here, wrapped in the account guard; a new token is checked with
one request under its own guard before the engine switches to it.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App

from lox24tui.account.guard import GuardedClient, GuardStopped
from lox24tui.api import Lox24ClientPool, Lox24Error, Token
from lox24tui.engine.monitor import Monitor
from lox24tui.session.config import ConfigError, save_token
from lox24tui.tui.screens.token import TokenChoice, TokenScreen
from lox24tui.tui.setup import DashboardSetup


class Connection:
    """The client of the token in use (None before one), and the token screen that changes it."""

    def __init__(
        self,
        app: App[None],
        setup: DashboardSetup,
        monitor: Monitor,
        in_use: Callable[[], None],
    ) -> None:
        self._app = app
        self._setup = setup
        self._monitor = monitor
        self._in_use = in_use
        """Called once a token is put to use (the engine may send again)."""
        self.client: Lox24ClientPool | None = None

    def guarded(self) -> GuardedClient | None:
        """The client of the token in use, within the guard's rules (and read_only); None
        before a token."""
        if self.client is None:
            return None
        return GuardedClient(
            self.client, self._monitor.guard, read_only=self._setup.settings.read_only
        )

    def ask_for_token(self, reason: str) -> None:
        def chosen(choice: TokenChoice | None) -> None:
            if choice is None:
                return
            self.use(choice.token)
            if choice.save and self._can_save:
                try:
                    saved = save_token(choice.token.reveal(), self._setup.locations)
                except (ConfigError, OSError) as error:
                    self._app.notify(
                        f"The token was not saved: {error}", severity="error", markup=False
                    )
                else:
                    self._app.notify(f"Token {saved.sentence}.", timeout=5, markup=False)

        self._app.push_screen(
            TokenScreen(self.check_token, reason, can_save=self._can_save), callback=chosen
        )

    @property
    def _can_save(self) -> bool:
        """A token entered here is saved as the default account's: never a demo token, and
        never one of an ``[accounts.NAME]``, which keeps its token where its table says."""
        return not self._setup.demo and self._setup.settings.account is None

    async def check_token(self, token: Token) -> Lox24Error | None:
        """One request with a new token, under that token's guard (the refused-credential
        count, the 429 window and an unreachable LOX24 apply to it as to every request)."""
        async with self._client_for(token) as pool:
            client = GuardedClient(pool, self._monitor.guard.for_token(token))
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
            self._setup.api_url,
            transport=self._setup.transport,
            timeout=self._setup.settings.timeout,
            max_connections=self._setup.settings.concurrency,
            now=self._setup.clock.now,
        )

    def use(self, token: Token) -> None:
        old = self.client
        self.client = self._client_for(token)
        self._monitor.use_source(self.client)
        self._in_use()
        if old is not None:
            self._app.run_worker(
                old.aclose(), name="closing the old connections", exit_on_error=False
            )

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
