"""The dialogs' shared frame (Dialog), one for a line of text (OneLineDialog), and two small
dialogs: confirm, edit a label."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol, TypeVar, runtime_checkable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

T = TypeVar("T")


@runtime_checkable
class NamesKeys(Protocol):
    """An App that says which key runs a binding after the person's keymap."""

    def key_name(self, binding_id: str) -> str: ...


class Dialog(ModalScreen[T]):
    """A modal question. Escape closes it with its "no answer" value, so every dialog can be
    left the same way; its body scrolls (``frame``) so that on a small terminal the buttons
    below it stay reachable, and its buttons sit in one row (``button_row``), styled once in
    app.tcss."""

    BINDINGS = [Binding("escape", "cancel", "Close", id="dialog.cancel")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-roomy")]
    """Below 30 rows a dialog tightens (app.tcss), so that at 80×24 its title, its fields and
    its buttons are all on screen at once instead of the title scrolling away."""

    @abstractmethod
    def no_answer(self) -> T:
        """What the dialog dismisses with when closed without an answer."""

    def action_cancel(self) -> None:
        self.dismiss(self.no_answer())

    def key_of(self, binding_id: str) -> str:
        """The key a button names: the App's, after the person's keymap; else the binding's."""
        if isinstance(self.app, NamesKeys):
            return self.app.key_name(binding_id)
        return next(b.key for b in self.BINDINGS if isinstance(b, Binding) and b.id == binding_id)

    def frame(self) -> VerticalScroll:
        """Compose the dialog's widgets inside this (``with self.frame():``)."""
        return VerticalScroll(id="dialog", can_focus=False)

    def button_row(self) -> Horizontal:
        """Compose the dialog's buttons inside this, at the end of the frame."""
        return Horizontal(classes="buttons")


class ConfirmScreen(Dialog[bool]):
    """Yes or no; dismisses with True for yes (escape says no)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str = "Yes") -> None:
        super().__init__()
        self._question = question
        self._yes = yes

    def compose(self) -> ComposeResult:
        with self.frame():
            yield Static(self._question, markup=False)
            with self.button_row():
                yield Button(
                    f"{self._yes} ({self.key_of('confirm.yes')})", variant="error", id="yes"
                )
                yield Button(f"No ({self.key_of('confirm.no')})", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def no_answer(self) -> bool:
        return False

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class OneLineDialog(Dialog[str | None]):
    """Asks for one line: Enter in its field, or any button but Cancel, answers with the
    field's text (:meth:`answered`); Cancel or Escape leaves with None."""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.answered(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.answered(self.query_one(Input).value)

    def answered(self, value: str) -> None:
        self.dismiss(value)

    def no_answer(self) -> None:
        return None


class LabelScreen(OneLineDialog):
    """Edit a label; dismisses with the new label, or None when cancelled."""

    def __init__(self, bulk_id: str, label: str) -> None:
        super().__init__()
        self._bulk_id = bulk_id
        self._label = label

    def compose(self) -> ComposeResult:
        with self.frame():
            yield Label("Label", classes="title")
            yield Static(self._bulk_id, classes="hint", markup=False)
            yield Input(value=self._label, placeholder="A name you will recognise", id="label")
            with self.button_row():
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
