"""The filter above the watch table: hidden until asked for, it narrows the table as you type."""

from __future__ import annotations

from textual import on
from textual.widgets import Input

from lox24tui.tui.widgets.bulk_view import BulkView


class FilterField(Input):
    """What is typed narrows ``view``'s table at once (its filter text, trimmed and in lower
    case). Enter hands the keys back to the table; clearing it shows every row again."""

    def __init__(self, view: BulkView, *, placeholder: str, id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id)
        self._view = view

    def open(self, text: str | None = None) -> None:
        """Show it for typing; with ``text`` (the palette's "Show only Shop"), filter by it at
        once and leave the keys with the table."""
        self.display = True
        if text is None:
            self.screen.set_focus(self)  # at once, so keys typed right after the key reach it
            return
        self.value = text
        self._view.filter_text = text.strip().lower()
        self._view.table.focus()

    def clear_away(self) -> bool:
        """Empty and hide it, and show every row; whether it was shown."""
        if not self.display:
            return False
        self.value = ""
        self.display = False
        self._view.filter_text = ""
        self._view.table.focus()
        return True

    @on(Input.Changed)
    def _narrowed(self, event: Input.Changed) -> None:
        self._view.filter_text = event.value.strip().lower()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._view.table.focus()
