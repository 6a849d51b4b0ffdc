"""Asks where to export the watch list; the format follows the file name (.csv or .json)."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


def default_export_name(now: datetime) -> str:
    return f"lox24tui-export-{now:%Y%m%d-%H%M%S}.csv"


class ExportScreen(ModalScreen[str | None]):
    """Dismisses with the chosen path, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, suggestion: str) -> None:
        super().__init__()
        self._suggestion = suggestion

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", can_focus=False):
            yield Label("Export the watch list", classes="title")
            yield Static(
                "Every watched bulk with every status field, its last check and last error. "
                "A name ending in .json writes JSON; anything else, CSV.",
                classes="hint",
            )
            yield Input(value=self._suggestion, id="path")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export":
            self.dismiss(self.query_one(Input).value.strip() or None)
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
