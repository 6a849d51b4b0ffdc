"""What the person chose in the dashboard and expects to find again: the theme picked in the
palette, the sort, whether the detail pane is open, whether clicks and replies are shown.

Kept in a state file (XDG_STATE_HOME), not in config.toml: the config is the person's to edit,
and a dashboard writing into it would fight their edits. The config's ``theme`` is where a new
installation starts; a theme picked in the dashboard wins until another is picked.

These are conveniences: a file that cannot be read means starting from the defaults (the
person is told), never a dashboard that does not start.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Final

from lox24tui.state.files import write_atomically

VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class Preferences:
    theme: str | None = None
    """The theme last picked in the dashboard; None until one is picked."""
    sort_column: str | None = None
    """The column the table is sorted by; None: the watch list's own order."""
    sort_reverse: bool = False
    pane_open: bool = False
    """Whether the detail pane was open beside the table when last closed or opened."""
    engagement_columns: bool = False
    """Whether the table shows each bulk's clicks and replies (read as side work when shown)."""


class PreferencesFile:
    """The preferences on disk; ``path`` None keeps them in memory (tests that must not write)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.problem: str | None = None
        """Why the file could not be read, if it could not (the defaults are used then)."""
        self.current = self._read()

    def _read(self) -> Preferences:
        if self.path is None:
            return Preferences()
        try:
            if not self.path.exists():
                return Preferences()
            document = json.loads(self.path.read_text(encoding="utf-8"))
            return _from_document(document)
        except (OSError, UnicodeDecodeError, ValueError, TypeError) as error:
            self.problem = (
                f"Your dashboard preferences ({self.path}) could not be read ({error}); the "
                "defaults are used, and the file is rewritten at your next change."
            )
            return Preferences()

    def update(self, **changes: Any) -> str | None:
        """Change some preferences and save them; returns why they could not be saved, if so
        (they still hold for this session)."""
        updated = replace(self.current, **changes)
        if updated == self.current:
            return None
        self.current = updated
        if self.path is None:
            return None
        document = {"version": VERSION, **asdict(updated)}
        try:
            write_atomically(self.path, json.dumps(document, indent=2) + "\n")
        except OSError as error:
            return f"Your preferences could not be saved ({error.strerror or error})."
        return None


def _from_document(document: object) -> Preferences:
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    theme = document.get("theme")
    column = document.get("sort_column")
    return Preferences(
        theme=theme if isinstance(theme, str) and theme else None,
        sort_column=column if isinstance(column, str) and column else None,
        sort_reverse=document.get("sort_reverse") is True,
        pane_open=document.get("pane_open") is True,
        engagement_columns=document.get("engagement_columns") is True,
    )
