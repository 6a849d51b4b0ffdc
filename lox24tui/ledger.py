"""Where refused-token requests are remembered, so the three-a-minute rule holds across runs.

LOX24 blocks an IP after more than three bad-credential requests within a minute, whichever
program sent them. The engine counts them in a ledger: in memory by default, or in a small file
under the data folder that every lox24tui process on the machine shares, so four quick
``lox24tui status`` runs with a wrong token cannot add up to a block either.
"""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from typing import Final, Protocol

from lox24tui.files import locked, write_atomically

KEEP: Final = 16
"""Only the most recent entries matter (the rule looks at three within a minute)."""


class CredentialLedger(Protocol):
    def record(self, at: float) -> None:
        """A request that may have carried bad credentials went out at ``at`` (unix seconds)."""
        ...

    def recent(self, since: float) -> list[float]:
        """The recorded times after ``since``, oldest first."""
        ...


class MemoryLedger:
    """The ledger of one process."""

    def __init__(self) -> None:
        self._times: deque[float] = deque(maxlen=KEEP)

    def record(self, at: float) -> None:
        self._times.append(at)

    def recent(self, since: float) -> list[float]:
        return sorted(at for at in self._times if at > since)


class FileLedger:
    """A ledger every lox24tui process shares, in a JSON file written under a lock. A file that
    cannot be read counts as empty (and is rewritten on the next record)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, at: float) -> None:
        with locked(self.path):
            times = sorted([*self._read(), at])[-KEEP:]
            write_atomically(self.path, json.dumps(times) + "\n")

    def recent(self, since: float) -> list[float]:
        return [at for at in self._read() if at > since]

    def _read(self) -> list[float]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        if not isinstance(data, list):
            return []
        return sorted(float(x) for x in data if isinstance(x, int | float))
