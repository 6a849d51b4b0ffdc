"""The frame of a screen that lists something about one bulk read from LOX24 (its clicks, its
failures, its replies): a title, a state line that says what is happening in words, a table,
and what a refused or failed request says there."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.widgets.data_table import CursorType

from lox24tui.api import Lox24Error
from lox24tui.session.watch_session import capitalised
from lox24tui.text import sanitise
from lox24tui.tui.screens.one_bulk import OneBulk, why_unanswered
from lox24tui.tui.widgets.footer import Footer
from lox24tui.tui.workers import SaysWorkerFailures

T = TypeVar("T")


class OneBulkTableScreen(SaysWorkerFailures, Screen[None]):
    """Its parts are named ``#<NAME>-title``, ``-state`` and ``-table`` (tests and TCSS find
    them); every request goes through the bulk's guarded client."""

    NAME: ClassVar[str]
    CURSOR: ClassVar[CursorType] = "row"
    READING: ClassVar[str] = "Reading…"
    """The state line until the first answer."""

    def __init__(self, bulk: OneBulk) -> None:
        super().__init__()
        self.bulk = bulk

    def title_words(self) -> str:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        name = self.NAME
        yield Header()
        yield Static(self.title_words(), id=f"{name}-title", classes="bulk-title", markup=False)
        yield Static(self.READING, id=f"{name}-state", classes="bulk-state", markup=False)
        yield DataTable(
            id=f"{name}-table", classes="bulk-table", cursor_type=self.CURSOR, zebra_stripes=True
        )
        yield from self.compose_below()
        yield Footer()

    def compose_below(self) -> ComposeResult:
        """What goes between the table and the footer (nothing, unless a screen says)."""
        yield from ()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(f"#{self.NAME}-table", DataTable)

    def say(self, text: str) -> None:
        """The state line, one clean line whatever the text holds."""
        self.query_one(f"#{self.NAME}-state", Static).update(sanitise.one_line(text))

    async def asked(self, call: Awaitable[T]) -> T | None:
        """LOX24's answer, or None once the state line says why there is none: the guard
        holds requests, or LOX24 answered with an error."""
        try:
            return await call
        except Lox24Error as error:
            self.say(capitalised(why_unanswered(error)))
        return None

    def action_close(self) -> None:
        self.dismiss(None)
