"""``lox24tui serve``: the dashboard in a browser, through textual-serve.

Every browser tab gets a dashboard process of its own, started from a command line that
textual-serve also prints and shows on its page. So the token never travels on that line: the
child inherits this process's environment (``LOX24_TOKEN``, the XDG folders, and with them the
account-guard file every lox24tui process shares) and reads its settings the usual way.

Nobody gets a dashboard without the access key (lox24tui/web/access.py), and a served dashboard
is read-only (``--read-only`` on its command line) unless ``--allow-writes`` says otherwise: a
browser tab is easier to leave open, or to reach, than a terminal.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lox24tui.commands.arguments import add_command, epilog
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.listening import cannot_listen, listen
from lox24tui.commands.output import complain
from lox24tui.session.config import ConfigError, load_settings

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands

PAGE_FOLDER = Path(__file__).resolve().parent.parent / "web"
"""Our copy of textual-serve's page template: the same page without its outside font link, and
with a line above the terminal that says whether its dashboards may write."""

NOT_INSTALLED = (
    "`lox24tui serve` needs textual-serve, which is not installed. Install it with: "
    "pip install 'lox24tui[serve]'"
)


READ_ONLY_LINE = "read-only: cancel is off (start lox24tui serve with --allow-writes to allow it)"
WRITES_LINE = "writes allowed: cancel is on (lox24tui serve was started with --allow-writes)"
"""The page's mode line, read-only (the default) or with --allow-writes."""


def served_command(*, demo: bool, read_only: bool = True) -> str:
    """The shell line textual-serve runs for every tab: this Python, this lox24tui, read-only
    unless writes are allowed, and no secret (neither the token nor the access key)."""
    flags = [*(["--read-only"] if read_only else []), *(["--demo"] if demo else [])]
    return shlex.join([sys.executable, "-m", "lox24tui", *flags])


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach ``host``; a name other than localhost may resolve to
    anything, so it counts as reachable from elsewhere."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, *, demo: bool) -> str:
    """What binding beyond loopback means, in plain words."""
    reach = (
        "the simulated demo account"
        if demo
        else "your LOX24 account, with your token, from this machine"
    )
    return (
        f"warning: serving on {host}, not only on this machine. Whoever has the address with "
        f"its key gets the dashboard, and with it {reach}. The key travels in plain HTTP, so "
        "anyone who can watch the network between you and this machine can read it. Use the "
        "default --host 127.0.0.1 unless that is what you want."
    )


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl+C. ``--public-url`` is where browsers reach the server, which
    textual-serve writes into the page for its scripts and websocket; by default
    ``http://host:port``, useless to another machine when the host is 0.0.0.0. ``--read-only``
    wins over ``--allow-writes`` as the config file's ``read_only = true`` does."""
    host, demo, allow_writes, public_url = (
        args.host,
        args.serve_demo,
        args.allow_writes,
        args.public_url,
    )
    try:
        from lox24tui.web.served import KeyedServer
    except ImportError:
        complain(NOT_INSTALLED)
        return ExitCode.STOPPED
    try:  # a bad config file would otherwise fail in every tab, one by one
        settings = load_settings()
    except ConfigError as error:
        complain(str(error))
        return ExitCode.STOPPED
    if allow_writes and (args.read_only or settings.read_only):
        complain(
            "--allow-writes is ignored: lox24tui is read-only here (--read-only or "
            "`read_only = true` in the config file)."
        )
        allow_writes = False
    if not is_loopback(host):
        complain(exposure_warning(host, demo=demo))
    try:
        listener = listen(host, args.port)
    except OSError as error:
        complain(cannot_listen(error, host, args.port))
        return ExitCode.FAILED
    server = KeyedServer(
        served_command(demo=demo, read_only=not allow_writes),
        host=host,
        port=args.port,
        title="lox24tui (demo)" if demo else "lox24tui",
        public_url=public_url.rstrip("/") if public_url else None,
        templates_path=PAGE_FOLDER,
        mode_line=WRITES_LINE if allow_writes else READ_ONLY_LINE,
    )
    server.serve_on(listener)
    return ExitCode.OK


# The command line
EXAMPLES = ("lox24tui serve --port 8000", "lox24tui serve --demo")

EPILOG = """\
exit status:
  0  the server was stopped (Ctrl+C)
  1  the address or port cannot be used
  2  textual-serve is not installed, or the config file is bad
"""


SUMMARY = "serve the dashboard to a web browser"

DESCRIPTION = (
    "Serve the dashboard to a web browser (textual-serve): every browser tab "
    "opens a dashboard of its own. It prints the address to open once, with an access key "
    "in it; without the key the server answers 403 and starts nothing. After the first "
    "visit the browser keeps the key in a cookie. Only this machine can reach it unless "
    "--host says otherwise. Served dashboards are read-only (no cancel) unless "
    "--allow-writes. The token stays in the environment, never in the page or its address. "
    "Needs the `serve` extra: pip install 'lox24tui[serve]'."
)


def declare(commands: Subcommands) -> None:
    parser = add_command(commands, "serve", SUMMARY, DESCRIPTION, epilog(EXAMPLES, EPILOG), run)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="port (%(default)s)")
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers open, when not http://HOST:PORT (with --host 0.0.0.0, or "
        "behind a proxy); the page connects back to it",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        dest="serve_demo",
        help="serve the dashboard on the simulated LOX24 account (no token, no network)",
    )
    parser.add_argument(
        "--allow-writes",
        action="store_true",
        help="let the served dashboards cancel bulks (by default they are read-only)",
    )
