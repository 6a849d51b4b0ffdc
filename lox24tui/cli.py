"""Command-line entry point: the table of commands, and the one place a command's failure
becomes an exit status; no logic of its own.

Each command module declares its parser and handles what was parsed
(:class:`lox24tui.commands.arguments.Command`). Heavy modules (Textual, uvicorn) are imported
inside the command that needs them, so the scripting commands start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from lox24tui import __version__
from lox24tui.commands import (
    account,
    accounts,
    alerts,
    bulks,
    cancel,
    completion,
    export,
    failures,
    fake_server,
    history,
    messages,
    monitor,
    report,
    serve,
    status,
    watch,
)
from lox24tui.commands.arguments import Command, HelpFormatter, UsageError
from lox24tui.commands.completion import complete_if_asked
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.state.files import StateFault

COMMANDS: Final[tuple[Command, ...]] = (
    status,
    bulks,
    messages,
    failures,
    account,
    accounts,
    cancel,
    watch,
    history,
    report,
    export,
    alerts,
    monitor,
    serve,
    fake_server,
    completion,
)
"""Every command, in the order ``lox24tui --help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lox24tui",
        description="Watch LOX24 SMS bulks: a live terminal dashboard and scripting commands. "
        "Without a command, opens the dashboard on your saved watch list.",
        epilog="examples:\n  lox24tui            # the dashboard\n  lox24tui --demo     # the "
        "dashboard on a simulated account\n  lox24tui COMMAND --help",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lox24tui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the dashboard on a simulated LOX24 account (no token, no network)",
    )
    parser.add_argument(
        "--log",
        type=Path,
        metavar="FILE",
        help="append a debug log for support to FILE (also LOX24TUI_LOG=FILE): requests, "
        "answers, request ids and the engine's decisions; tokens and phone numbers redacted",
    )
    parser.add_argument(
        "--account",
        metavar="NAME",
        help="use the [accounts.NAME] of the config: its server, its token and its own watch "
        "list (also LOX24TUI_ACCOUNT=NAME); without it, the default account",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="change nothing at LOX24: every action that writes (cancel) is refused; the "
        "watch list, which is local, still changes",
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", help="one of these (lox24tui COMMAND --help says more)"
    )

    for command in COMMANDS:
        command.declare(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    complete_if_asked(parser)
    args = parser.parse_args(argv)
    if args.demo and args.command == "serve":
        print("lox24tui: write `lox24tui serve --demo` to serve the demo.", file=sys.stderr)
        return ExitCode.STOPPED
    if args.demo and args.command is not None:
        print(
            f"lox24tui: --demo opens the dashboard on the simulated account; it does not apply "
            f"to `{args.command}`. For commands against a simulated LOX24, run "
            "`lox24tui fake-server` and point LOX24_API_URL and LOX24_TOKEN at it.",
            file=sys.stderr,
        )
        return ExitCode.STOPPED
    if args.account:
        from lox24tui.session.config import use_account

        use_account(args.account)
    try:
        _start_log(args.log)
        run = getattr(args, "run", None)
        if run is not None:
            return int(run(args))
        from lox24tui.commands.dashboard import run_dashboard

        return run_dashboard(demo=args.demo, read_only=args.read_only)
    except UsageError as error:
        parser.error(str(error))
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # `lox24tui bulks | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.FAILED
    except StateFault as fault:  # a state file or folder: its path, the cause in words
        from lox24tui.commands.output import complain

        complain(f"{fault}.")
        return ExitCode.STOPPED
    except OSError as error:  # an unwritable data folder, a full disk…
        from lox24tui.commands.output import complain
        from lox24tui.state.files import os_reason

        why, todo = os_reason(error)  # in words: never "[Errno 28]"
        where = f"{error.filename}: " if error.filename else ""
        complain(f"{where}{why}; {todo}.")
        return ExitCode.FAILED


def _start_log(flag: Path | None) -> None:
    from lox24tui.session.config import log_file

    path = flag or log_file()
    if path is not None:
        from lox24tui.state.debuglog import start_log

        start_log(path)


if __name__ == "__main__":
    sys.exit(main())
