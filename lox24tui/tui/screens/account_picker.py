"""Which account: asked before adding, importing or entering a token when the dashboard shows
several (the account under the cursor comes first, so Enter keeps to it)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from lox24tui.session.all_accounts import AccountTag
from lox24tui.tui.cells import account_text
from lox24tui.tui.screens.dialogs import Dialog


class AccountPicker(Dialog[int | None]):
    """Dismisses with the index of the account picked in ``tags``, or None."""

    def __init__(self, question: str, tags: Sequence[AccountTag]) -> None:
        super().__init__()
        self._question = question
        self._tags = tuple(tags)

    def compose(self) -> ComposeResult:
        with self.frame():
            yield Label(self._question, classes="title")
            yield OptionList(
                *(Option(account_text(tag), id=str(index)) for index, tag in enumerate(self._tags)),
                id="accounts",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def no_answer(self) -> None:
        return None
