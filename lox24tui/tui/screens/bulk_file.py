"""A file made from one bulk's answers (its campaign report, its numbers to send again): the
same steps for each, so that each says its failures the same way. Ask where; then, in a worker
of the screen, ask LOX24 (through the account guard) and write the file whole or not at all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar, TypeVar

from textual.screen import Screen

from lox24tui.api import Lox24Error
from lox24tui.state.export import why_not_written
from lox24tui.text import sanitise
from lox24tui.tui.screens.export import ExportScreen
from lox24tui.tui.screens.one_bulk import OneBulk, why_unanswered

Made = TypeVar("Made")


class BulkFileScreen(ExportScreen):
    """Where to write one kind of file about one bulk."""

    KIND: ClassVar[str]
    """In the suggested name: ``lox24tui-KIND-73f43a80-20261206-101500.SUFFIX``."""
    SUFFIX: ClassVar[str]
    WHAT: ClassVar[str]
    """The file in the user's words, in the dialog's title: "Export the WHAT"."""
    GATHERING: ClassVar[str]
    """Said while LOX24 is asked (it may take a few pages)."""

    def __init__(self, bulk: OneBulk) -> None:
        stamp = f"{bulk.now().astimezone():%Y%m%d-%H%M%S}"  # a second file gets a name of its own
        suggestion = f"lox24tui-{self.KIND}-{bulk.bulk_id[:8]}-{stamp}.{self.SUFFIX}"
        super().__init__(suggestion, 0, filtered=True, scope=f"the {self.WHAT}")


def ask_and_write(
    screen: Screen[None],
    dialog: BulkFileScreen,
    gather: Callable[[], Awaitable[Made]],
    write: Callable[[str, Made], str],
) -> None:
    """Push ``dialog``; once a file is named, ``gather()`` and ``write(path, made)`` run as one
    worker of ``screen`` (a second one cancels the first), its failure said like every
    worker's. ``write`` returns the toast: never a number or a token in it."""

    async def made_and_written(path: str) -> None:
        screen.notify(dialog.GATHERING, timeout=3)
        try:
            made = await gather()
        except Lox24Error as error:
            say_failed(f"Nothing written to {path}: {why_unanswered(error)}")
            return
        try:
            said = write(path, made)
        except OSError as error:
            say_failed(f"Cannot write {path}: {why_not_written(error)}")
            return
        screen.notify(sanitise.one_line(said), timeout=8, markup=False)

    def say_failed(text: str) -> None:  # sanitised: it may quote LOX24
        screen.notify(sanitise.one_line(text), severity="error", markup=False)

    def chosen(path: str | None) -> None:
        if path:
            name = f"making the {dialog.WHAT}"
            screen.run_worker(
                made_and_written(path), group=name, exclusive=True, exit_on_error=False, name=name
            )

    screen.app.push_screen(dialog, callback=chosen)
