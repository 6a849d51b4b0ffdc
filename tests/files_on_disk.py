"""The watch list and state files as a person finds them on disk: saved lists, damaged ones,
and what a folder holds afterwards."""

from __future__ import annotations

from pathlib import Path

from lox24tui.clock import VirtualClock
from lox24tui.state.store import (
    WatchList,
)


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (but the lock), with its bytes: what a test expects to stay."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


A = "da0fa78c-4699-11ea-a637-96000028b339"


B = "0e03b500-ca4a-11f0-8002-96000028b339"


C = "00000000-0000-1000-8000-000000000003"


def saved_list(path: Path) -> dict[str, bytes]:
    """Three bulks written through the store (so copies are kept) at the virtual clock's start;
    returns every file beside the list."""
    WatchList(path, now=VirtualClock().now).add_many([(A, "Black Friday"), (B, "Promo"), (C, "")])
    return files_under(path.parent)


def damage(path: Path) -> dict[str, bytes]:
    path.write_bytes(path.read_bytes()[:-5])
    return files_under(path.parent)
