"""Asks where to export the watch list; the format follows the file name (.csv or .json)."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.widgets import Button, Input, Label, Static

from lox24tui.tui.screens.dialogs import Dialog


def default_export_name(now: datetime) -> str:
    return f"lox24tui-export-{now:%Y%m%d-%H%M%S}.csv"


class ExportScreen(Dialog[str | None]):
    """Dismisses with the chosen path, or None."""

    def __init__(self, suggestion: str) -> None:
        super().__init__()
        self._suggestion = suggestion

    def compose(self) -> ComposeResult:
        with self.frame():
            yield Label("Export the watch list", classes="title")
            yield Static(
                "Every watched bulk with every status field, its last check and last error. "
                "A name ending in .json writes JSON; anything else, CSV.",
                classes="hint",
            )
            yield Input(value=self._suggestion, id="path")
            with self.button_row():
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export":
            self.dismiss(self.query_one(Input).value.strip() or None)
        else:
            self.dismiss(None)

    def no_answer(self) -> None:
        return None
