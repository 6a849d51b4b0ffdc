"""Command-line entry point: parses arguments and hands over; no logic of its own.

Heavy modules (Textual, httpx, uvicorn) are imported inside the command that needs them, so
``lox24tui --help`` and the scripting commands start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from lox24tui import __version__
from lox24tui.commands.completion import SHELLS, complete_if_asked, complete_watched_ids
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.state.files import StateFault


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Prose wrapped to the terminal (argparse reads COLUMNS), tables and examples as written.

    A paragraph is prose when none of its lines is indented or lines up columns with two
    spaces; exit-status tables and example blocks are, so they keep their layout."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.split("\n\n"):
            lines = paragraph.splitlines()
            if lines and not any(line.startswith(" ") or "  " in line for line in lines):
                paragraphs.append(
                    textwrap.fill(
                        " ".join(lines), width, initial_indent=indent, subsequent_indent=indent
                    )
                )
            else:
                paragraphs.append("\n".join(indent + line for line in lines))
        return "\n\n".join(paragraphs) + ("\n" if text.endswith("\n") else "")


EXAMPLES: dict[str, tuple[str, ...]] = {
    "status": (
        "lox24tui status da0fa78c-4699-11ea-a637-96000028b339",
        "lox24tui status ID1 ID2 --json",
        'lox24tui status "$ID" --watch && echo delivered',
    ),
    "bulks": ("lox24tui bulks --since 24h", "lox24tui bulks --status 5 --json"),
    "messages": ("lox24tui messages ID --dlr rejected --mask",),
    "account": ("lox24tui account", "lox24tui account --json"),
    "cancel": ("lox24tui cancel ID1 ID2", "lox24tui cancel ID --yes     # in scripts"),
    "watch": ("lox24tui watch add ID1 ID2 --label 'Black Friday'", "lox24tui watch list"),
    "watch add": (
        "lox24tui watch add ID1 ID2 --label 'Black Friday'",
        "lox24tui bulks --since 2h --json | jq -r .id | lox24tui watch add -",
    ),
    "watch remove": ("lox24tui watch remove ID1 ID2",),
    "watch list": ("lox24tui watch list", "lox24tui watch list --json | jq -r .id"),
    "watch restore": ("lox24tui watch restore --list", "lox24tui watch restore 2"),
    "history": ("lox24tui history --since 36h", "lox24tui history ID --json"),
    "export": ("lox24tui export --output bulks.csv", "lox24tui export --format json > bulks.json"),
    "serve": ("lox24tui serve --port 8000", "lox24tui serve --demo"),
}
"""What each command's --help shows as its examples."""


def _epilog(command: str, rest: str = "") -> str:
    """The examples of ``command``, then ``rest`` (its exit statuses)."""
    lines = "\n".join(f"  {line}" for line in EXAMPLES[command])
    return f"example{'s' if len(EXAMPLES[command]) > 1 else ''}:\n{lines}\n" + (
        f"\n{rest}" if rest else ""
    )


OUTCOME_NAMES = (
    "delivered",
    "queued",
    "submitted",
    "expired",
    "rejected",
    "none",
    "not_sent",
)
"""``messages --dlr`` choices (lox24tui.engine.delivery.OUTCOMES; not imported, to start fast)."""
REFUSED_ALLOWED = 3
"""LOX24's refused requests a minute and the default concurrency
(lox24tui.account.guard.REFUSED_ALLOWED; not imported, to start fast)."""

STOPPED = """\
  2  requests were stopped (a refused token, an inactive account, a rate limit,
     protecting your IP), LOX24 was unreachable (no request answered, for
     network errors or LOX24 system errors), or lox24tui could not start (no
     token, a bad config file)"""

STATUS_EPILOG = f"""\
exit status:
  0  every id was fetched
  1  at least one id was invalid, unknown to LOX24, or could not be fetched, or
     (with --delivery) a bulk's delivery could not be counted
{STOPPED}

exit status with --watch:
  0  every bulk ended processed (10)
  1  a bulk ended canceled (15), in a system error (20) or with no recipients
     (201)
  2  the watch was stopped: an invalid or unknown id, a refused token, an
     inactive account, or a rate limit / IP block (also: no token, bad config
     file)

The token comes from LOX24_TOKEN (or the config file), never from the command line.
"""


WATCH_EPILOG = """\
exit status:
  0  done
  1  an id was invalid or not on the list; the watch-list file cannot be read
     (add, remove and list leave it untouched; restore brings back a good copy);
     or restore found nothing to restore
"""


BULKS_EPILOG = f"""\
exit status:
  0  the list was printed
  1  LOX24 answered with an error, or the answer could not be read
{STOPPED}
"""

EXPORT_EPILOG = f"""\
exit status:
  0  every watched bulk was fetched and written
  1  some bulks failed (the others are written; stderr names each and why),
     every bulk failed (no file is written), the destination cannot be written
     or its folder does not exist (folders are never created), or the
     watch-list file cannot be read
{STOPPED}; nothing is written then
"""

HISTORY_EPILOG = """\
exit status:
  0  the changes were printed (none, if lox24tui has seen none yet)
  1  an id was invalid, or the history file could not be read (a damaged one is
     kept aside and a new one started; stderr says where)
  2  --since is not an age such as 90m, 36h or 7d, or the config file is bad

The history is written by the dashboard and by `status --watch`; no request is sent.
"""


SERVE_EPILOG = """\
exit status:
  0  the server was stopped (Ctrl+C)
  1  the address or port cannot be used
  2  textual-serve is not installed, or the config file is bad
"""


MESSAGES_EPILOG = f"""\
exit status:
  0  the messages were printed (none, if none match: stderr says so)
  1  the id is invalid or LOX24 does not know that bulk, LOX24 answered with an
     error, or the answer could not be read
{STOPPED}

Phone numbers are recipients' personal data: this is the only command that shows
them (--mask hides all but the country code and the last four digits).
"""

FAKE_SERVER_EPILOG = """\
example:
  lox24tui fake-server --port 8765 &
  export LOX24_API_URL=http://127.0.0.1:8765 LOX24_TOKEN=<the token it prints>

exit status:
  0  the server was stopped (Ctrl+C)
  2  it could not start: the address or port cannot be used (another program
     listens on it)
"""

ACCOUNT_EPILOG = f"""\
exit status:
  0  the account was printed
  1  LOX24 answered with an error, or the answer could not be read
{STOPPED}
"""

CANCEL_EPILOG = """\
exit status:
  0  every bulk was canceled
  1  an id was invalid, LOX24 refused or failed to cancel a bulk (it says why),
     or you answered no
  2  nothing (more) was canceled: lox24tui is read-only (--read-only or
     read_only = true) or there was no terminal to ask on and no --yes (then no
     request was made), or the requests were stopped (a refused token, an
     inactive account, a rate limit, protecting your IP, LOX24 unreachable);
     also: no token, a bad config file
"""


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
        "--read-only",
        action="store_true",
        help="change nothing at LOX24: every action that writes (cancel) is refused; the "
        "watch list, which is local, still changes",
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", help="one of these (lox24tui COMMAND --help says more)"
    )

    status = commands.add_parser(
        "status",
        help="look up bulks once and print their status",
        description="Look up the status of one or more bulks: one request per id, never "
        "retried, under the same account rules as the dashboard (with a token not yet seen to "
        "work, one request first; then at most --concurrency at a time). With --delivery, each "
        "bulk found also has its messages counted by delivery outcome: at most one request per "
        "outcome, seven per bulk.",
        epilog=_epilog("status", STATUS_EPILOG),
        formatter_class=HelpFormatter,
    )
    complete_watched_ids(
        status.add_argument("ids", nargs="+", metavar="ID", help="bulk ids (UUIDs)")
    )
    status.add_argument("--json", action="store_true", help="one JSON object per line, for scripts")
    status.add_argument(
        "--concurrency",
        type=_positive,
        default=None,
        metavar="N",
        help=(
            "at most N requests in flight at once (default: the `concurrency` setting, "
            f"{REFUSED_ALLOWED}). Above {REFUSED_ALLOWED}, a key revoked mid-burst may cost N "
            "refused requests, and LOX24 then blocks this IP for ten minutes"
        ),
    )
    status.add_argument(
        "--delivery",
        action="store_true",
        help="also count each bulk's messages by delivery outcome (up to 7 more requests per "
        "bulk; not with --watch)",
    )
    status.add_argument(
        "--watch",
        action="store_true",
        help="keep refreshing until every bulk is final, printing each status change "
        "(one JSON line per change with --json)",
    )

    bulks = commands.add_parser(
        "bulks",
        help="list the account's recent bulks",
        description="List the account's bulks, newest first (GET /bulks), to find ids.",
        epilog=_epilog("bulks", BULKS_EPILOG),
        formatter_class=HelpFormatter,
    )
    bulks.add_argument(
        "--status",
        type=_status_code,
        action="append",
        default=[],
        metavar="CODE",
        help="only bulks with this status code (repeatable): 0 new, 5 in progress, "
        "10 processed, 15 canceled, 20 system error, 201 no recipients",
    )
    bulks.add_argument("--since", metavar="AGE", help="only bulks created within AGE, e.g. 24h, 7d")
    bulks.add_argument("--json", action="store_true", help="one JSON object per line")
    bulks.add_argument(
        "--limit", type=_positive, default=50, help="at most this many (%(default)s)"
    )

    messages = commands.add_parser(
        "messages",
        help="list a bulk's messages with their delivery outcome",
        description="List a bulk's messages (GET /sms), oldest first, with their delivery "
        "report and status.",
        epilog=_epilog("messages", MESSAGES_EPILOG),
        formatter_class=HelpFormatter,
    )
    messages.add_argument("id", metavar="ID", help="the bulk's id (a UUID)")
    messages.add_argument(
        "--dlr",
        choices=OUTCOME_NAMES,
        metavar="OUTCOME",
        help=f"only messages with this outcome: {', '.join(OUTCOME_NAMES)} (none: sent, no "
        "report yet; not_sent: never sent, e.g. no funds or blocked)",
    )
    messages.add_argument("--mask", action="store_true", help="show phone numbers as +49 ••• 4567")
    messages.add_argument(
        "--json", action="store_true", help="one JSON object per line, LOX24's field names"
    )
    messages.add_argument(
        "--limit", type=_positive, default=100, help="at most this many (%(default)s)"
    )

    account = commands.add_parser(
        "account",
        help="show the account's balance and services",
        description="Show the account (GET /me): balance, currency, when the balance last "
        "changed, and the services it may use.",
        epilog=_epilog("account", ACCOUNT_EPILOG),
        formatter_class=HelpFormatter,
    )
    account.add_argument("--json", action="store_true", help="one JSON object, LOX24's field names")

    cancel = commands.add_parser(
        "cancel",
        help="cancel bulks that have not finished sending",
        description="Cancel bulks (PUT /bulks/{id}/cancel): a new bulk, or one still sending, "
        "stops and its unsent messages are not sent. Asks first on a terminal; one request at "
        "a time, never retried.",
        epilog=_epilog("cancel", CANCEL_EPILOG),
        formatter_class=HelpFormatter,
    )
    complete_watched_ids(
        cancel.add_argument("ids", nargs="+", metavar="ID", help="bulk ids (UUIDs)")
    )
    cancel.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")

    watch = commands.add_parser(
        "watch",
        help="change the dashboard's watch list from the shell",
        description="Add, remove or list watched bulks, or bring back a kept copy of the list; "
        "a running dashboard follows within seconds.",
        epilog=_epilog("watch", WATCH_EPILOG),
        formatter_class=HelpFormatter,
    )
    watch_commands = watch.add_subparsers(
        dest="watch_command",
        metavar="ACTION",
        required=True,
        help="one of these (lox24tui watch ACTION --help says more)",
    )
    watch_add = watch_commands.add_parser(
        "add",
        help="watch bulks ('-' reads ids from stdin)",
        description="Add bulks to the watch list, each once: a running dashboard shows them "
        "within seconds. No request is sent; an id that is not a UUID is named and left out.",
        epilog=_epilog("watch add", WATCH_EPILOG),
        formatter_class=HelpFormatter,
    )
    watch_add.add_argument(
        "ids", nargs="+", metavar="ID", help="bulk ids (UUIDs); '-' reads them from stdin"
    )
    watch_add.add_argument("--label", default="", help="a label for the added bulks")
    watch_remove = watch_commands.add_parser(
        "remove",
        help="stop watching bulks",
        description="Take bulks off the watch list (a copy of the list before is kept: "
        "`watch restore` brings it back). No request is sent; nothing changes at LOX24.",
        epilog=_epilog("watch remove", WATCH_EPILOG),
        formatter_class=HelpFormatter,
    )
    complete_watched_ids(
        watch_remove.add_argument(
            "ids", nargs="+", metavar="ID", help="watched bulk ids; '-' reads them from stdin"
        )
    )
    watch_list = watch_commands.add_parser(
        "list",
        help="print the watch list",
        description="Print the watched bulks, one a line: the id and its label.",
        epilog=_epilog("watch list", WATCH_EPILOG),
        formatter_class=HelpFormatter,
    )
    watch_list.add_argument("--json", action="store_true", help="one JSON object per line")
    watch_restore = watch_commands.add_parser(
        "restore",
        help="bring back a kept copy of the watch list",
        description="Every change of the watch list keeps a copy in the backups folder beside "
        "it (the newest ten). Without N, this brings back the newest copy that differs from the "
        "list now: over a damaged file, simply the newest. A damaged file is kept aside, never "
        "deleted. Exit status 0 when restored (or listed), 1 when there is nothing to restore.",
        epilog=_epilog("watch restore"),
        formatter_class=HelpFormatter,
    )
    watch_restore.add_argument(
        "number",
        nargs="?",
        type=_positive,
        metavar="N",
        help="the copy to bring back, as --list numbers them (1 is the newest)",
    )
    watch_restore.add_argument(
        "--list",
        action="store_true",
        dest="show_list",
        help="only show the copies, newest first, with their time and number of bulks",
    )

    history = commands.add_parser(
        "history",
        help="print the status changes lox24tui has seen",
        description="Print the status changes the dashboard and `status --watch` have seen "
        "(kept for `history_days`, 90 by default), oldest first.",
        epilog=_epilog("history", HISTORY_EPILOG),
        formatter_class=HelpFormatter,
    )
    history.add_argument("ids", nargs="*", metavar="ID", help="only these bulks (default: all)")
    history.add_argument("--since", metavar="AGE", help="only changes within AGE: 90m, 36h, 7d")
    history.add_argument("--json", action="store_true", help="one JSON object per line")

    export = commands.add_parser(
        "export",
        help="write the watch list with every status field as CSV or JSON",
        description="Fetch every watched bulk once and write one row per bulk: its label, "
        "every status field, when it was checked and its last error. The token is never in it.",
        epilog=_epilog("export", EXPORT_EPILOG),
        formatter_class=HelpFormatter,
    )
    export.add_argument(
        "--format",
        choices=["csv", "json"],
        default=None,
        help="csv (default, or from the file name) or json",
    )
    export.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")

    serve = commands.add_parser(
        "serve",
        help="serve the dashboard to a web browser",
        description="Serve the dashboard to a web browser (textual-serve): every browser tab "
        "opens a dashboard of its own. It prints the address to open once, with an access key "
        "in it; without the key the server answers 403 and starts nothing. After the first "
        "visit the browser keeps the key in a cookie. Only this machine can reach it unless "
        "--host says otherwise. Served dashboards are read-only (no cancel) unless "
        "--allow-writes. The token stays in the environment, never in the page or its address. "
        "Needs the `serve` extra: pip install 'lox24tui[serve]'.",
        epilog=_epilog("serve", SERVE_EPILOG),
        formatter_class=HelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port (%(default)s)")
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers open, when not http://HOST:PORT (with --host 0.0.0.0, or "
        "behind a proxy); the page connects back to it",
    )
    serve.add_argument(
        "--demo",
        action="store_true",
        dest="serve_demo",
        help="serve the dashboard on the simulated LOX24 account (no token, no network)",
    )
    serve.add_argument(
        "--allow-writes",
        action="store_true",
        help="let the served dashboards cancel bulks (by default they are read-only)",
    )

    fake = commands.add_parser(
        "fake-server",
        help="serve the simulated LOX24 API on this machine",
        description="Serve a simulated LOX24 API (the demo account) for trying lox24tui "
        "without a LOX24 account. It prints the token it accepts.",
        epilog=FAKE_SERVER_EPILOG,
        formatter_class=HelpFormatter,
    )
    fake.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    fake.add_argument("--port", type=int, default=8765, help="port (%(default)s)")
    fake.add_argument(
        "--latency", type=float, default=0.0, help="seconds every answer waits (%(default)s)"
    )
    fake.add_argument(
        "--bulks",
        type=int,
        default=None,
        metavar="N",
        help="serve N generated bulks instead of the demo account (for load tests)",
    )
    fake.add_argument(
        "--final-fraction",
        type=float,
        default=0.0,
        metavar="F",
        help="with --bulks: the share of bulks already finished (%(default)s)",
    )

    fake.add_argument(
        "--messages",
        type=int,
        default=None,
        metavar="N",
        help="with --bulks: N messages in every bulk (default: random, up to 50,000)",
    )

    fake.add_argument(
        "--fields",
        choices=("natural", "changing", "still"),
        default="natural",
        help="with --bulks: how the bulks still sending change between polls: natural, "
        "changing (message count and price grow every second), still (nothing changes) "
        "(%(default)s)",
    )
    fake.add_argument(
        "--pending-forever",
        type=_fraction,
        default=0.0,
        metavar="F",
        help="with --bulks: the share of each bulk's messages whose delivery report stays "
        "submitted for ever, never final (%(default)s)",
    )

    completion = commands.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print the script that makes your shell complete lox24tui's commands, "
        "options and watched bulk ids (with their labels in zsh and fish). Completing reads "
        "only the saved watch list; it never sends a request to LOX24.",
        epilog='bash:  eval "$(lox24tui completion bash)"    (in ~/.bashrc)\n'
        'zsh:   eval "$(lox24tui completion zsh)"     (in ~/.zshrc)\n'
        "fish:  lox24tui completion fish | source    (in ~/.config/fish/config.fish)",
        formatter_class=HelpFormatter,
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be a number from 0 to 1")
    return value


def _status_code(text: str) -> int:
    known = (0, 5, 10, 15, 20, 201)
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value not in known:
        raise argparse.ArgumentTypeError(f"must be one of {', '.join(map(str, known))}")
    return value


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
    try:
        _start_log(args.log)
        if args.command == "status":
            from lox24tui.commands.status import run_status

            if args.watch and args.delivery:
                parser.error("status: --delivery counts once; it does not go with --watch")
            return run_status(
                args.ids,
                as_json=args.json,
                watch=args.watch,
                delivery=args.delivery,
                concurrency=args.concurrency,
            )
        if args.command == "watch":
            from lox24tui.commands import watch as watch_commands

            if args.watch_command == "add":
                return watch_commands.run_watch_add(args.ids, label=args.label)
            if args.watch_command == "remove":
                return watch_commands.run_watch_remove(args.ids)
            if args.watch_command == "restore":
                if args.show_list and args.number is not None:
                    parser.error("watch restore: give N or --list, not both")
                return watch_commands.run_watch_restore(args.number, show_list=args.show_list)
            return watch_commands.run_watch_list(as_json=args.json)
        if args.command == "export":
            from lox24tui.commands.export import run_export
            from lox24tui.state.export import format_for

            fmt = args.format or (format_for(args.output) if args.output else "csv")
            return run_export(fmt=fmt, output=args.output)
        if args.command == "history":
            from lox24tui.commands.history import run_history

            return run_history(args.ids, since=args.since, as_json=args.json)
        if args.command == "bulks":
            from lox24tui.commands.bulks import run_bulks

            return run_bulks(
                statuses=args.status, since=args.since, as_json=args.json, limit=args.limit
            )
        if args.command == "completion":
            from lox24tui.commands.completion import script

            print(script(args.shell), end="")
            return ExitCode.OK
        if args.command == "serve":
            from lox24tui.commands.serve import run_serve

            return run_serve(
                host=args.host,
                port=args.port,
                public_url=args.public_url,
                demo=args.serve_demo,
                allow_writes=args.allow_writes,
                read_only=args.read_only,
            )
        if args.command == "messages":
            from lox24tui.commands.messages import run_messages

            return run_messages(
                args.id, outcome=args.dlr, mask=args.mask, as_json=args.json, limit=args.limit
            )
        if args.command == "account":
            from lox24tui.commands.account import run_account

            return run_account(as_json=args.json)
        if args.command == "cancel":
            from lox24tui.commands.cancel import run_cancel

            return run_cancel(args.ids, yes=args.yes, read_only=args.read_only)
        if args.command == "fake-server":
            from lox24tui.commands.fake_server import run_fake_server

            return run_fake_server(
                host=args.host,
                port=args.port,
                latency=args.latency,
                bulks=args.bulks,
                final_fraction=args.final_fraction,
                messages=args.messages,
                fields=args.fields,
                pending_forever=args.pending_forever,
            )
        if args.command is None:
            from lox24tui.commands.dashboard import run_dashboard

            return run_dashboard(demo=args.demo, read_only=args.read_only)
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
    parser.print_help()
    return ExitCode.STOPPED


def _start_log(flag: Path | None) -> None:
    from lox24tui.session.config import log_file

    path = flag or log_file()
    if path is not None:
        from lox24tui.state.debuglog import start_log

        start_log(path)


if __name__ == "__main__":
    sys.exit(main())
