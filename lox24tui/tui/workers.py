"""One way for background work to fail: in words on screen, with its traceback in the debug log.

Textual tells only the node that started a worker when it fails (``Worker.StateChanged`` does
not bubble), and a worker started with ``exit_on_error=False`` that nobody listens to fails in
silence. Every node that starts workers mixes in :class:`SaysWorkerFailures`; the App keeps its
own words for the engine (:meth:`lox24tui.tui.app.Lox24App.on_worker_state_changed`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from textual.worker import Worker, WorkerState

from lox24tui.state.files import StateFault, os_reason

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode

_log = logging.getLogger(__name__)


def say_worker_failed(app: App[Any], worker: Worker[Any]) -> None:
    """A toast that names the work and the error, and the traceback in the debug log (which
    redacts tokens and phone numbers on its way out)."""
    error = worker.error
    what = worker.name or "some background work"
    _log.error("background work failed: %s", what, exc_info=error)
    why = f"{type(error).__name__}: {error}" if error is not None else "an unknown error"
    app.notify(  # the App's notify makes the error's text inert
        f"{what.capitalize()} failed ({why}). The rest of lox24tui goes on; if it happens "
        "again, please report it (lox24tui --log FILE keeps the details).",
        title="Background work failed",
        severity="error",
        timeout=30,
        markup=False,
    )


def engine_stop_words(error: BaseException | None) -> tuple[str, str]:
    """Why the refresh engine stopped, for the bar, and the toast that says what to do. A fault
    of the machine (an unwritable folder, a full disk) is said in words, never as an errno;
    anything else is a bug to report. The traceback goes to the debug log."""
    _log.error("the refresh engine stopped", exc_info=error)
    if isinstance(error, OSError):
        if isinstance(error, StateFault):
            text = str(error)
        else:
            why, todo = os_reason(error)
            text = f"{error.filename}: {why}; {todo}" if error.filename else f"{why}; {todo}"
        return text, (
            f"The refresh engine stopped: {text}. Statuses are no longer refreshed; restart "
            "lox24tui once that is fixed."
        )
    why = f"{type(error).__name__}: {error}" if error else "unknown error"
    return why, (
        f"The refresh engine stopped ({why}): statuses are no longer refreshed. Restart "
        "lox24tui; if it happens again, please report it."
    )


class SaysWorkerFailures:
    """A mixin for screens (and the App) that start workers: no failure goes unsaid."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            node: DOMNode = self  # type: ignore[assignment]
            say_worker_failed(node.app, event.worker)
