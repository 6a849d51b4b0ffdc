"""``lox24tui watch add|remove|list|restore``: the dashboard's watch list, from the shell.

Same store as the dashboard (read-modify-write under a lock), so a running dashboard picks the
change up within seconds and neither side loses the other's update. A list file that cannot be
read stops every command but ``restore`` with exit status 1, and is left exactly as it is:
starting from an empty list here would make every running dashboard drop the bulks it shows.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TextIO

from lox24tui.api import InvalidBulkId, parse_bulk_id
from lox24tui.commands.arguments import UsageError, add_command, epilog, positive
from lox24tui.commands.completion import add_bulk_ids
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.output import complain, print_json, print_line
from lox24tui.session.config import Locations
from lox24tui.state.files import LOCK_WAIT, LockBusy, StateFault
from lox24tui.state.store import NothingToRestore, WatchList, WatchListDamaged

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands

P = ParamSpec("P")


def explain_damage(damage: WatchListDamaged) -> None:
    """Where the damaged file is, and how to bring back a good copy of it."""
    candidate = WatchList(damage.path).restore_candidate()
    if candidate is None:
        advice = (
            "No good copy of it is kept, so `lox24tui watch restore` cannot help: repair it, "
            "or move it away to start a new list."
        )
    else:
        advice = (
            f"`lox24tui watch restore` brings back its newest good copy ({candidate.describe()}"
            "); `lox24tui watch restore --list` shows every copy."
        )
    complain(str(damage))
    print_line(sys.stderr, advice)


def read_watchlist(path: Path) -> WatchList:
    """The list, with any entries it had to leave out reported on stderr. Raises
    :class:`WatchListDamaged` (and changes nothing) when the file cannot be read."""
    watchlist, problem = WatchList.load(path)
    watchlist.waiting = say_waiting
    if problem is not None:
        complain(problem.message)
    return watchlist


def load_or_explain(path: Path) -> WatchList | None:
    """The list, or None after :func:`explain_damage`: for commands that only read it."""
    try:
        return read_watchlist(path)
    except WatchListDamaged as damage:
        explain_damage(damage)
        return None


def say_waiting(busy: LockBusy) -> None:
    """Said once on stderr when a change waits for the lock another process holds."""
    complain(busy.waiting(LOCK_WAIT))


def refuses_damaged_list(run: Callable[P, int]) -> Callable[P, int]:
    """The command stops with exit status 1 on a damaged list, whether it found it so when
    reading or when writing; the store has written nothing over it. A fault of the machine (a
    full disk, a folder that is a file, a lock held too long) stops it with exit status 2."""

    @functools.wraps(run)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> int:
        try:
            return run(*args, **kwargs)
        except WatchListDamaged as damage:
            explain_damage(damage)
            return ExitCode.FAILED
        except StateFault as fault:
            explain_fault(fault)
            return ExitCode.STOPPED

    return guarded


def explain_fault(fault: StateFault) -> None:
    if isinstance(fault, LockBusy):
        complain(f"{fault}; gave up after {LOCK_WAIT:g} s, nothing was changed.")
    else:
        complain(f"{fault}.")


def _words(texts: list[str], stdin: TextIO) -> list[str]:
    words: list[str] = []
    for text in texts:
        if text == "-":
            words += [line.strip() for line in stdin if line.strip()]
        else:
            words.append(text)
    return words


def _bulk_ids(texts: list[str], stdin: TextIO) -> tuple[list[str], bool]:
    """The valid ids, each once, and whether any word was not one (said on stderr)."""
    ids: dict[str, None] = {}
    invalid = False
    for word in _words(texts, stdin):
        try:
            ids[parse_bulk_id(word)] = None
        except InvalidBulkId as error:
            print_line(sys.stderr, f"✗ {error.message}")
            invalid = True
    return list(ids), invalid


@refuses_damaged_list
def run_watch_add(texts: list[str], *, label: str, stdin: TextIO) -> int:
    ids, failed = _bulk_ids(texts, stdin)
    watchlist = read_watchlist(Locations.default().watchlist_file)
    added = watchlist.add_many([(bulk_id, label) for bulk_id in ids]) if ids else []
    for bulk_id in ids:
        note = "added" if bulk_id in added else "already watched"
        print_line(sys.stdout, f"{bulk_id}  {note}")
    return ExitCode.FAILED if failed else ExitCode.OK


@refuses_damaged_list
def run_watch_remove(texts: list[str], *, stdin: TextIO) -> int:
    ids, failed = _bulk_ids(texts, stdin)
    watchlist = read_watchlist(Locations.default().watchlist_file)
    removed = {item.entry.bulk_id for item in watchlist.remove_many(ids)} if ids else set()
    for bulk_id in ids:
        if bulk_id in removed:
            print_line(sys.stdout, f"{bulk_id}  removed")
        else:
            print_line(sys.stderr, f"✗ {bulk_id} is not on the watch list")
            failed = True
    return ExitCode.FAILED if failed else ExitCode.OK


@refuses_damaged_list
def run_watch_list(*, as_json: bool, out: TextIO) -> int:
    for entry in read_watchlist(Locations.default().watchlist_file).entries:
        if as_json:
            print_json(out, {"id": entry.bulk_id, "label": entry.label})
        else:
            print_line(out, f"{entry.bulk_id}  {entry.label}".rstrip())
    return ExitCode.OK


def run_watch_restore(number: int | None, *, show_list: bool, out: TextIO) -> int:
    """Bring back copy ``number`` (1 is the newest), by default the newest that differs from
    the list now; or, with ``show_list``, only show the copies."""
    watchlist = WatchList(Locations.default().watchlist_file, waiting=say_waiting)
    if show_list:
        return _show_copies(watchlist, out)
    copies = watchlist.backups()
    if number is not None and not 1 <= number <= len(copies):
        complain(
            f"there is no copy {number}; `lox24tui watch restore --list` shows the "
            f"{len(copies)} kept in {watchlist.backups_folder}."
        )
        return ExitCode.FAILED
    try:
        restored = watchlist.restore(copies[number - 1] if number else None)
    except NothingToRestore as nothing:
        complain(str(nothing))
        return ExitCode.FAILED
    print_line(out, f"Restored {restored.backup.describe()} to {watchlist.path}.")
    if restored.damaged_kept_at is not None:
        print_line(out, f"The damaged file was kept as {restored.damaged_kept_at}.")
    else:
        print_line(out, "The list it replaced is kept among the copies (watch restore --list).")
    return ExitCode.OK


def _show_copies(watchlist: WatchList, out: TextIO) -> int:
    copies = watchlist.backups()
    if not copies:
        complain(f"no copy of the watch list is kept yet (in {watchlist.backups_folder}).")
        return ExitCode.FAILED
    now = next((copy for copy in copies if copy.same_as_file), None)
    for copy in copies:
        if copy is now:
            note = "  (the list now)"
        elif copy.same_as_file and now is not None:
            note = f"  (the same as {now.number})"  # one list is "now", not two copies of it
        else:
            note = ""
        print_line(out, f"{copy.number:>2}  {copy.when}  {copy.size}{note}")
    return ExitCode.OK


# The command line
EXAMPLES: dict[str, tuple[str, ...]] = {
    "watch": ("lox24tui watch add ID1 ID2 --label 'Black Friday'", "lox24tui watch list"),
    "watch add": (
        "lox24tui watch add ID1 ID2 --label 'Black Friday'",
        "lox24tui bulks --since 2h --json | jq -r .id | lox24tui watch add -",
    ),
    "watch remove": ("lox24tui watch remove ID1 ID2",),
    "watch list": ("lox24tui watch list", "lox24tui watch list --json | jq -r .id"),
    "watch restore": ("lox24tui watch restore --list", "lox24tui watch restore 2"),
}

EPILOG = """\
exit status:
  0  done
  1  an id was invalid or not on the list; the watch-list file cannot be read
     (add, remove and list leave it untouched; restore brings back a good copy);
     or restore found nothing to restore
"""


SUMMARY = "change the dashboard's watch list from the shell"

DESCRIPTION = (
    "Add, remove or list watched bulks, or bring back a kept copy of the list; "
    "a running dashboard follows within seconds."
)

ADD_SUMMARY = "watch bulks ('-' reads ids from stdin)"

ADD_DESCRIPTION = (
    "Add bulks to the watch list, each once: a running dashboard shows them "
    "within seconds. No request is sent; an id that is not a UUID is named and left out."
)

REMOVE_SUMMARY = "stop watching bulks"

REMOVE_DESCRIPTION = (
    "Take bulks off the watch list (a copy of the list before is kept: "
    "`watch restore` brings it back). No request is sent; nothing changes at LOX24."
)

LIST_SUMMARY = "print the watch list"

LIST_DESCRIPTION = "Print the watched bulks, one a line: the id and its label."

RESTORE_SUMMARY = "bring back a kept copy of the watch list"

RESTORE_DESCRIPTION = (
    "Every change of the watch list keeps a copy in the backups folder beside "
    "it (the newest ten). Without N, this brings back the newest copy that differs from the "
    "list now: over a damaged file, simply the newest. A damaged file is kept aside, never "
    "deleted. Exit status 0 when restored (or listed), 1 when there is nothing to restore."
)


def declare(commands: Subcommands) -> None:
    parser = add_command(
        commands, "watch", SUMMARY, DESCRIPTION, epilog(EXAMPLES["watch"], EPILOG), run
    )
    watch_commands = parser.add_subparsers(
        dest="watch_command",
        metavar="ACTION",
        required=True,
        help="one of these (lox24tui watch ACTION --help says more)",
    )
    actions = {
        "add": (ADD_SUMMARY, ADD_DESCRIPTION, EPILOG),
        "remove": (REMOVE_SUMMARY, REMOVE_DESCRIPTION, EPILOG),
        "list": (LIST_SUMMARY, LIST_DESCRIPTION, EPILOG),
        "restore": (RESTORE_SUMMARY, RESTORE_DESCRIPTION, ""),  # its statuses are its own
    }
    watch_add, watch_remove, watch_list, watch_restore = (
        add_command(
            watch_commands, name, summary, description, epilog(EXAMPLES[f"watch {name}"], rest)
        )
        for name, (summary, description, rest) in actions.items()
    )
    watch_add.add_argument(
        "ids", nargs="+", metavar="ID", help="bulk ids (UUIDs); '-' reads them from stdin"
    )
    watch_add.add_argument("--label", default="", help="a label for the added bulks")
    add_bulk_ids(watch_remove, help="watched bulk ids; '-' reads them from stdin")
    watch_list.add_argument("--json", action="store_true", help="one JSON object per line")
    watch_restore.add_argument(
        "number",
        nargs="?",
        type=positive,
        metavar="N",
        help="the copy to bring back, as --list numbers them (1 is the newest)",
    )
    watch_restore.add_argument(
        "--list",
        action="store_true",
        dest="show_list",
        help="only show the copies, newest first, with their time and number of bulks",
    )


def run(args: argparse.Namespace) -> int:
    if args.watch_command == "add":
        return run_watch_add(args.ids, label=args.label, stdin=sys.stdin)
    if args.watch_command == "remove":
        return run_watch_remove(args.ids, stdin=sys.stdin)
    if args.watch_command == "restore":
        if args.show_list and args.number is not None:
            raise UsageError("watch restore: give N or --list, not both")
        return run_watch_restore(args.number, show_list=args.show_list, out=sys.stdout)
    return run_watch_list(as_json=args.json, out=sys.stdout)
