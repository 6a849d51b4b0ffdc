"""Asks where to export the bulks shown; the format follows the file name (.csv or .json).

It says how many bulks the file will hold (those the filter shows, in the order shown), and an
existing file is replaced only once the user says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from lox24tui.tui.screens.dialogs import ConfirmScreen, OneLineDialog


def default_export_name(now: datetime) -> str:
    return f"lox24tui-export-{now:%Y%m%d-%H%M%S}.csv"


def export_scope(count: int, *, filtered: bool) -> str:
    """What the export will hold, in the user's terms: "13 shown bulks" or "all 19 bulks"."""
    noun = "bulk" if count == 1 else "bulks"
    return f"{count} shown {noun}" if filtered else f"all {count} {noun}"


class ExportScreen(OneLineDialog):
    """Dismisses with the chosen path, or None. Other exports (a bulk's messages) subclass it
    for its file name and overwrite question, and say their own ``HINT``, ``scope``, warnings
    (:meth:`notices`) and choices (:meth:`options`)."""

    HINT: ClassVar[str] = (
        "In the order shown, each with every status field, its last check and last "
        "error. A name ending in .json writes JSON; anything else, CSV."
    )

    def __init__(
        self, suggestion: str, count: int, *, filtered: bool, scope: str | None = None
    ) -> None:
        super().__init__()
        self._suggestion = suggestion
        self._scope = scope or export_scope(count, filtered=filtered)

    def compose(self) -> ComposeResult:
        with self.frame():
            yield Label(f"Export {self._scope}", classes="title")
            yield from self.notices()
            yield Static(self.HINT, classes="hint")
            yield Input(value=self._suggestion, id="path")
            yield from self.options()
            with self.button_row():
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def notices(self) -> Iterator[Widget]:
        """What the reader must know before writing the file, above the rest."""
        return iter(())

    def options(self) -> Iterator[Widget]:
        """Choices about what the file holds, below the file name."""
        return iter(())

    def answered(self, value: str) -> None:
        """Export to ``value``; a file already there is replaced only if the user agrees (a
        folder or a missing one is left to the export to report). Declining keeps this dialog
        open, to choose another name."""
        path = value.strip()
        if not path:
            self.dismiss(None)
            return
        if not Path(path).expanduser().is_file():
            self.dismiss(path)
            return

        def replace(yes: bool | None) -> None:
            if yes:
                self.dismiss(path)

        self.app.push_screen(
            ConfirmScreen(f"{path} exists. Replace it with {self._scope}?", yes="Replace"),
            callback=replace,
        )
