"""The add dialog: one or many ids (pasted lines, commas, spaces), each checked as a UUID.

Valid new ids are added at once; duplicates are skipped with a note; invalid ones are listed back
and left in the box, so nothing typed is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button, Input, Label, Static, TextArea

from lox24tui.api import InvalidBulkId, parse_bulk_id
from lox24tui.text import sanitise
from lox24tui.tui.screens.dialogs import Dialog
from lox24tui.tui.widgets.footer import Footer

_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass
class ParsedIds:
    valid: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


def parse_ids(text: str, watched: set[str]) -> ParsedIds:
    """Split pasted text into new valid ids, already watched or repeated ones, and invalid ones."""
    parsed = ParsedIds()
    for word in _SEPARATORS.split(text):
        if not word:
            continue
        try:
            bulk_id = parse_bulk_id(word)
        except InvalidBulkId:
            parsed.invalid.append(word)
            continue
        if bulk_id in watched or bulk_id in parsed.valid:
            parsed.duplicates.append(bulk_id)
        else:
            parsed.valid.append(bulk_id)
    return parsed


class AddBulksScreen(Dialog[int]):
    """Dismisses with the number of bulks added."""

    BINDINGS = [
        Binding("ctrl+s", "add", "Add", priority=True, id="add.add"),
        # Tab moves the focus as soon as the app reads it. Unbound here, it would first go
        # through the ids box's queue and back up to the app, while the keys after it in a
        # burst were already handed to the box: the label would land among the ids.
        Binding("tab", "app.focus_next", show=False, priority=True, id="add.next"),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True, id="add.previous"),
    ]

    def __init__(
        self,
        watched: Callable[[], set[str]],
        add: Callable[[list[str], str], object],
        *,
        where: str = "",
    ) -> None:
        super().__init__()
        self._watched = watched
        """Every id watched, in any account: a bulk is one row, under one account."""
        self._add = add
        self._where = where
        """ " in Shop": the account they are added to, when there are several."""
        self._added = 0

    def compose(self) -> ComposeResult:
        with self.frame():
            yield Label(f"Watch bulks{self._where}", classes="title", markup=False)
            yield Static(
                "Paste one or more bulk ids: one per line, or separated by commas or spaces. "
                "Tab moves to the label; Ctrl+S or Enter in the label adds them.",
                classes="hint",
            )
            yield TextArea(id="ids", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
            yield Input(placeholder="Label (optional), e.g. Black Friday newsletter", id="label")
            yield Static("", id="feedback", markup=False)
            with self.button_row():
                yield Button("Add", variant="primary", id="add")
                yield Button("Close", id="close")
        yield Footer()  # this dialog's keys, not those of the screen behind it

    def on_mount(self) -> None:
        self.query_one("#ids", TextArea).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "add":
            self.action_add()
        else:
            self.action_cancel()

    def on_input_submitted(self, _: Input.Submitted) -> None:
        self.action_add()

    def action_add(self) -> None:
        """Add once every key sent before this request has reached its field.

        The app hands each key to the focused field's own message queue, and a field applies it
        when that queue gets to it; ctrl+s, a priority binding, runs as soon as the app reads
        it. In a burst (a paste, fast typing, a remote terminal catching up) the last ids or
        the label may still be queued then, and reading the fields at once would lose them.
        A callback queued behind them on each field, in turn, runs after them.

        The last hop runs the adding on the app, as a binding's action runs: what adding
        schedules (the question about a damaged watch-list file) is then the app's, not this
        dialog's, which is closed by the time it runs."""
        area = self.query_one("#ids", TextArea)
        label = self.query_one("#label", Input)
        area.call_later(label.call_later, self.app.call_later, self._add_now)

    def _add_now(self) -> None:
        """Add the valid ids with the label; keep the invalid ones in the box to fix."""
        if not self.is_active:
            return  # an earlier request already closed the dialog
        area = self.query_one("#ids", TextArea)
        label = self.query_one("#label", Input).value
        parsed = parse_ids(area.text, self._watched())
        if parsed.valid:
            self._add(parsed.valid, label)
            self._added += len(parsed.valid)
        notes = []
        if parsed.valid:
            notes.append(f"Added {len(parsed.valid)}.")
        if parsed.duplicates:
            notes.append(f"Skipped {len(parsed.duplicates)} already watched.")
        if parsed.invalid:
            shown = ", ".join(parsed.invalid[:5]) + ("…" if len(parsed.invalid) > 5 else "")
            notes.append(
                f"Not bulk ids (a bulk id is a UUID such as "
                f"da0fa78c-4699-11ea-a637-96000028b339), left below to fix: {shown}"
            )
            area.text = "\n".join(parsed.invalid)
            feedback = self.query_one("#feedback", Static)
            feedback.update(sanitise.one_line(" ".join(notes)))
            feedback.set_class(True, "error")
            self._show_end()
            return
        if not parsed.valid and not parsed.duplicates:
            self.query_one("#feedback", Static).update("Paste at least one bulk id.")
            self._show_end()
            return
        if notes:
            self.notify(" ".join(notes), timeout=4)
        self.dismiss(self._added)

    def _show_end(self) -> None:
        """On a small terminal the dialog scrolls: bring the feedback and the buttons below it
        into view once the feedback has its new height."""
        dialog = self.query_one("#dialog", VerticalScroll)
        self.call_after_refresh(dialog.scroll_end, animate=False)

    def no_answer(self) -> int:
        return self._added
