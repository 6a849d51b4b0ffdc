"""A checkbox whose state shows without colour."""

from __future__ import annotations

from textual.widgets import Checkbox


class TickBox(Checkbox):
    """Ticked reads ✔, unticked an empty box: Textual's checkbox draws the same X for both and
    tells them apart by colour only, which a colour-blind user or a monochrome terminal loses."""

    BUTTON_INNER = " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "✔" if self.value else " "
        super().watch_value()
