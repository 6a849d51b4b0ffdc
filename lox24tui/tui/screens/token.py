"""Asks for the API token when there is none (or it was refused), checks it with one request,
and offers to save it in the config file (mode 0600)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.widgets import Button, Input, Label, Static

from lox24tui.api import InvalidToken, Lox24Error, Token
from lox24tui.text import sanitise
from lox24tui.tui.screens.dialogs import Dialog
from lox24tui.tui.widgets.tick_box import TickBox
from lox24tui.tui.workers import SaysWorkerFailures


@dataclass(frozen=True)
class TokenChoice:
    token: Token
    save: bool


TokenCheck = Callable[[Token], Awaitable[Lox24Error | None]]


class TokenScreen(SaysWorkerFailures, Dialog[TokenChoice | None]):
    """Dismisses with the checked token, or None when the user gives up."""

    def __init__(self, check: TokenCheck, reason: str, *, can_save: bool = True) -> None:
        super().__init__()
        self._check = check
        self._reason = reason
        self._can_save = can_save
        """False in demo mode (a demo token must never reach the user's real config file) and
        for a named account (its token stays where its table says)."""

    def compose(self) -> ComposeResult:
        with self.frame():
            yield Label("LOX24 API token", classes="title")
            yield Static(self._reason, classes="hint", markup=False)
            yield Input(
                placeholder="Paste the API token from your LOX24 account here",
                password=True,
                id="token",
            )
            if self._can_save:
                yield TickBox("Save it in the config file (readable by you only)", id="save")
            yield Static("", id="feedback", markup=False)
            with self.button_row():
                yield Button("Check and use", variant="primary", id="use")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#token", Input).focus()

    def on_input_submitted(self, _: Input.Submitted) -> None:
        self._try()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "use":
            self._try()
        else:
            self.action_cancel()

    def _try(self) -> None:
        value = self.query_one("#token", Input).value.strip()
        if not value:
            self._say("Paste the token from your LOX24 account.")
            return
        try:
            token = Token(value)
        except ValueError as problem:
            self._say(f"That is not a LOX24 token: {problem}.")
            return
        self._say("Checking with one request…", error=False)
        self.query_one("#use", Button).disabled = True
        self._verify(token)

    @work(exclusive=True, exit_on_error=False, name="checking the token")
    async def _verify(self, token: Token) -> None:
        try:
            problem = await self._check(token)
        finally:
            self.query_one("#use", Button).disabled = False
        if problem is not None:
            self._say(_what_to_do_here(problem))
            return
        save = self._can_save and self.query_one("#save", TickBox).value
        self.dismiss(TokenChoice(token, save))

    def _say(self, text: str, *, error: bool = True) -> None:
        feedback = self.query_one("#feedback", Static)
        feedback.update(sanitise.one_line(text))
        feedback.set_class(error, "error")

    def no_answer(self) -> None:
        return None


def _what_to_do_here(problem: Lox24Error) -> str:
    """A refused token's own message says to set LOX24_TOKEN, which is the way on outside the
    dashboard; in this dialog, the way on is to paste another token."""
    if isinstance(problem, InvalidToken):
        return (
            "LOX24 rejected the API token (401): it is wrong or not active. Paste another one "
            "from your LOX24 account."
        )
    return problem.message
