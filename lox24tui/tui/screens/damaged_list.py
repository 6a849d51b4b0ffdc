"""Asks what to do about a watch-list file that cannot be read.

Nothing is written until the user chooses, and no choice deletes anything: restoring or keeping
the list shown puts the damaged file aside first, and "decide later" writes nothing at all.
"""

from __future__ import annotations

from enum import Enum

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Label, Static

from lox24tui.state.store import Backup, WatchListDamaged
from lox24tui.text import humanize
from lox24tui.tui.screens.dialogs import Dialog


class DamageChoice(Enum):
    RESTORE = "restore"
    """Bring back the newest good copy offered."""
    KEEP = "keep"
    """Write the list shown (empty at start-up) in the damaged file's place."""
    LATER = "later"
    """Leave the file as it is; nothing is saved meanwhile."""


class DamagedListScreen(Dialog[DamageChoice]):
    """Dismisses with the user's choice; escape decides later."""

    DEFAULT_CSS = """
    DamagedListScreen #choices {
        height: auto;
        margin-top: 1;
    }
    DamagedListScreen #choices Button {
        width: 100%;
        margin-bottom: 1;
    }
    """
    BINDINGS = [
        Binding("r", "choose('restore')", "Restore the copy", id="damaged.restore"),
        Binding("k", "choose('keep')", "Keep the list shown", id="damaged.keep"),
    ]

    def __init__(self, damage: WatchListDamaged, copy: Backup | None, shown: int) -> None:
        super().__init__()
        self._damage = damage
        self._copy = copy
        self._shown = shown

    def compose(self) -> ComposeResult:
        with self.frame():
            yield Label("The watch list cannot be read", classes="title")
            yield Static(f"{self._damage} Nothing is written until you choose.", markup=False)
            yield Static(
                "Restoring a copy or keeping the list shown first puts the damaged file aside "
                "beside it; it is never deleted.",
                classes="hint",
            )
            with Vertical(id="choices"):
                if self._copy is not None:
                    yield Button(
                        f"Restore {self._copy.describe()} ({self.key_of('damaged.restore')})",
                        variant="primary",
                        id="restore",
                    )
                else:
                    yield Static("No good copy of it is kept, so none can be restored.")
                key = self.key_of("damaged.keep")
                keep = (
                    f"Keep the {humanize.plural(self._shown, 'bulk')} shown here ({key})"
                    if self._shown
                    else f"Go on with an empty list ({key})"
                )
                yield Button(keep, id="keep")
                yield Button("Decide later, saving nothing meanwhile (Esc)", id="later")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_choose(str(event.button.id))

    def no_answer(self) -> DamageChoice:
        return DamageChoice.LATER

    def action_choose(self, choice: str) -> None:
        if choice == DamageChoice.RESTORE.value and self._copy is None:
            return
        self.dismiss(DamageChoice(choice))
