"""``lox24tui watch add|remove|list``: the dashboard's watch list, from the shell.

Same store as the dashboard (read-modify-write under a lock), so a running dashboard picks the
change up within seconds and neither side loses the other's update.
"""

from __future__ import annotations

import sys
from typing import TextIO

from lox24tui.api import InvalidBulkId, parse_bulk_id
from lox24tui.commands.output import complain, print_json, print_line
from lox24tui.config import Locations
from lox24tui.store import WatchList

EXIT_OK, EXIT_FAILED = 0, 1


def _load() -> WatchList | None:
    """The list, or None (said why) when its file cannot be read: starting from an empty list
    here would make every running dashboard drop the bulks it shows."""
    watchlist, problem = WatchList.load(Locations.default().watchlist_file, keep_aside=False)
    if problem is not None:
        complain(problem.message)
        return None
    return watchlist


def _split(texts: list[str], stdin: TextIO) -> list[str]:
    words: list[str] = []
    for text in texts:
        if text == "-":
            words += [line.strip() for line in stdin if line.strip()]
        else:
            words.append(text)
    return words


def run_watch_add(texts: list[str], *, label: str, stdin: TextIO = sys.stdin) -> int:
    ids: list[str] = []
    failed = False
    for word in _split(texts, stdin):
        try:
            ids.append(parse_bulk_id(word))
        except InvalidBulkId as error:
            print_line(sys.stderr, f"✗ {error.message}")
            failed = True
    watchlist = _load()
    if watchlist is None:
        return EXIT_FAILED
    added = watchlist.add_many([(bulk_id, label) for bulk_id in ids]) if ids else []
    for bulk_id in ids:
        note = "added" if bulk_id in added else "already watched"
        print_line(sys.stdout, f"{bulk_id}  {note}")
    return EXIT_FAILED if failed else EXIT_OK


def run_watch_remove(texts: list[str], *, stdin: TextIO = sys.stdin) -> int:
    watchlist = _load()
    if watchlist is None:
        return EXIT_FAILED
    failed = False
    for word in _split(texts, stdin):
        try:
            bulk_id = parse_bulk_id(word)
        except InvalidBulkId as error:
            print_line(sys.stderr, f"✗ {error.message}")
            failed = True
            continue
        if watchlist.remove(bulk_id) is None:
            print_line(sys.stderr, f"✗ {bulk_id} is not on the watch list")
            failed = True
        else:
            print_line(sys.stdout, f"{bulk_id}  removed")
    return EXIT_FAILED if failed else EXIT_OK


def run_watch_list(*, as_json: bool, out: TextIO = sys.stdout) -> int:
    watchlist = _load()
    if watchlist is None:
        return EXIT_FAILED
    for entry in watchlist.entries:
        if as_json:
            print_json(out, {"id": entry.bulk_id, "label": entry.label})
        else:
            print_line(out, f"{entry.bulk_id}  {entry.label}".rstrip())
    return EXIT_OK
