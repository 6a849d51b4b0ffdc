"""Shell completion through argcomplete: the shell asks ``lox24tui`` itself what fits.

argcomplete walks the very parser that :func:`lox24tui.cli.build_parser` assembles, so subcommands
and options never drift from ``--help``. The generated scripts only call back into ``lox24tui``;
what they offer for a bulk id comes from :func:`watched_ids`, which reads the saved watch list
and nothing else: completing never sends a request to LOX24.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any, Final

from lox24tui.commands.arguments import add_command
from lox24tui.commands.exit_codes import ExitCode

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands

SHELLS: Final = ("bash", "zsh", "fish")
PROGRAM: Final = "lox24tui"


def watched_ids(
    prefix: str, parsed_args: argparse.Namespace | None = None, **_: Any
) -> dict[str, str]:
    """Watched bulk ids starting with ``prefix``, each with its label (zsh and fish show it).

    Ids already on the command line are left out; after ``--account NAME``, that account's
    list is read. A watch list that is missing, unreadable or damaged completes nothing: a Tab
    press must never print a traceback into the prompt.
    """
    import dataclasses

    from lox24tui.session.config import Locations
    from lox24tui.state.store import WatchList, WatchListDamaged

    locations = Locations.default()
    account = getattr(parsed_args, "account", None)
    if account:
        locations = dataclasses.replace(locations, account=account)
    try:
        watchlist, _problem = WatchList.load(locations.watchlist_file)
    except (WatchListDamaged, OSError):
        return {}
    typed = set(getattr(parsed_args, "ids", None) or ())
    return {
        entry.bulk_id: entry.label
        for entry in watchlist.entries
        if entry.bulk_id.startswith(prefix) and entry.bulk_id not in typed
    }


def complete_watched_ids(action: argparse.Action) -> argparse.Action:
    """Offer the watched ids for ``action`` (an id argument): the one line every command that
    takes bulk ids adds, e.g. ``complete_watched_ids(parser.add_argument("ids", ...))``."""
    action.completer = watched_ids  # type: ignore[attr-defined]  # argcomplete reads it
    return action


def add_bulk_ids(parser: argparse.ArgumentParser, help: str = "bulk ids (UUIDs)") -> None:
    """The ``ID…`` argument of every command that takes bulk ids, completed from the watch list."""
    complete_watched_ids(parser.add_argument("ids", nargs="+", metavar="ID", help=help))


def complete_if_asked(parser: argparse.ArgumentParser) -> None:
    """Answer the shell and exit when this run is a completion request (argcomplete's
    ``_ARGCOMPLETE`` in the environment); otherwise return at once, without importing
    argcomplete, so that every other run starts as fast as before. The variable is
    argcomplete's protocol with the shell, not a setting, hence read here and not in config.py."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    import argcomplete

    argcomplete.autocomplete(parser)


def script(shell: str) -> str:
    """The completion script for ``shell``, to be sourced by it (README: "Shell completion")."""
    from argcomplete.shell_integration import shellcode

    return shellcode([PROGRAM], shell=shell)


# The command line


SUMMARY = "print a shell completion script (bash, zsh or fish)"

DESCRIPTION = (
    "Print the script that makes your shell complete lox24tui's commands, "
    "options and watched bulk ids (with their labels in zsh and fish). Completing reads "
    "only the saved watch list; it never sends a request to LOX24."
)


def declare(commands: Subcommands) -> None:
    parser = add_command(
        commands,
        "completion",
        SUMMARY,
        DESCRIPTION,
        'bash:  eval "$(lox24tui completion bash)"    (in ~/.bashrc)\n'
        'zsh:   eval "$(lox24tui completion zsh)"     (in ~/.zshrc)\n'
        "fish:  lox24tui completion fish | source    (in ~/.config/fish/config.fish)",
        run,
    )
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def run(args: argparse.Namespace) -> int:
    print(script(args.shell), end="")
    return ExitCode.OK
