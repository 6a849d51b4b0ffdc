"""``lox24tui serve``: the dashboard in a browser, through textual-serve.

Every browser tab gets a dashboard process of its own, started from a command line that
textual-serve also prints and shows on its page. So the token never travels on that line: the
child inherits this process's environment (``LOX24_TOKEN``, the XDG folders, and with them the
account-guard file every lox24tui process shares) and reads its settings the usual way.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
from pathlib import Path

from lox24tui.commands.output import complain
from lox24tui.config import ConfigError, load_settings
from lox24tui.exit_codes import ExitCode

PAGE_FOLDER = Path(__file__).resolve().parent.parent / "web"
"""Our copy of textual-serve's page template: the same page without its outside font link."""

NOT_INSTALLED = (
    "`lox24tui serve` needs textual-serve, which is not installed. Install it with: "
    "pip install 'lox24tui[serve]'"
)


def served_command(*, demo: bool) -> str:
    """The shell line textual-serve runs for every tab: this Python, this lox24tui, no secret."""
    return shlex.join([sys.executable, "-m", "lox24tui", *(["--demo"] if demo else [])])


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
        f"warning: serving on {host}, not only on this machine. Anyone who can reach this port "
        f"gets the dashboard, and with it {reach}. There is no password. Use the default "
        "--host 127.0.0.1 unless that is what you want."
    )


def run_serve(*, host: str, port: int, public_url: str | None = None, demo: bool) -> int:
    """Serve until Ctrl+C. ``public_url`` is where browsers reach the server, which textual-serve
    writes into the page for its scripts and websocket; by default ``http://host:port``, useless
    to another machine when the host is 0.0.0.0."""
    try:
        from textual_serve.server import Server
    except ImportError:
        complain(NOT_INSTALLED)
        return ExitCode.STOPPED
    try:  # a bad config file would otherwise fail in every tab, one by one
        load_settings()
    except ConfigError as error:
        complain(str(error))
        return ExitCode.STOPPED
    if not is_loopback(host):
        complain(exposure_warning(host, demo=demo))
    server = Server(
        served_command(demo=demo),
        host=host,
        port=port,
        title="lox24tui (demo)" if demo else "lox24tui",
        public_url=public_url.rstrip("/") if public_url else None,
        templates_path=PAGE_FOLDER,
    )
    server.serve()
    return ExitCode.OK
