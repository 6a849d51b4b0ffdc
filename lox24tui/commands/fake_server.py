"""``lox24tui fake-server``: the simulated LOX24 on a real port, for trying the CLI by hand."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from lox24tui.commands.arguments import add_command, fraction
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.listening import cannot_listen, listen
from lox24tui.commands.output import complain
from lox24tui.text import humanize

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands


def run(args: argparse.Namespace) -> int:
    """Serves the simulated account until Ctrl+C. The fake (and uvicorn) is imported here, not
    when the command line is read: every other command starts without it."""
    from lox24tui.fake import FAKE_TOKEN, SWISS_TOKEN, FakeLox24, SimulatedAccount, server

    host, port, bulks = args.host, args.port, args.bulks
    try:
        listener = listen(host, port)
    except OSError as error:
        complain(f"the fake LOX24 could not start: {cannot_listen(error, host, port)}")
        return ExitCode.STOPPED
    now = time.time()
    if bulks is not None:
        account = SimulatedAccount.generated(
            bulks,
            now,
            final_fraction=args.final_fraction,
            messages=args.messages,
            fields=args.fields,
            pending_forever=args.pending_forever,
        )
    else:
        account = SimulatedAccount.demo(now)
    swiss = SimulatedAccount.swiss_demo(now) if bulks is None else None
    more = {SWISS_TOKEN: swiss} if swiss is not None else {}
    app = FakeLox24(account, latency=args.latency, more_accounts=more)
    url = f"http://{host}:{port}"
    print(f"Fake LOX24 serving {humanize.plural(len(account), 'simulated bulk')} on {url}")
    print("It accepts only this token (not a secret: it opens nothing but this fake):\n")
    print(f"  export LOX24_API_URL={url}")
    print(f"  export LOX24_TOKEN={FAKE_TOKEN}\n")
    featured = account.watched_demo_ids()[:6] if bulks is None else []
    if featured:
        print("Some of its bulks:")
        for bulk_id, label in featured:
            print(f"  {bulk_id}  {label}")
        print(f"\nTry: lox24tui status {featured[0][0]}\n")
    if swiss is not None:
        print(
            f"A second account in CHF ({humanize.plural(len(swiss), 'bulk')}) answers its own "
            "token; for both as [accounts.NAME], in config.toml:\n"
        )
        for name in ("shop", "swiss"):
            print(
                f'  [accounts.{name}]\n  api_url = "{url}"\n  token_env = "{name.upper()}_TOKEN"\n'
            )
        print(f"  export SHOP_TOKEN={FAKE_TOKEN} SWISS_TOKEN={SWISS_TOKEN}")
        print("  lox24tui --account swiss bulks\n")
    print("Ctrl+C stops it.", flush=True)
    server.run(app, host=host, port=port, listener=listener)
    return ExitCode.OK


# The command line

EPILOG = """\
example:
  lox24tui fake-server --port 8765 &
  export LOX24_API_URL=http://127.0.0.1:8765 LOX24_TOKEN=<the token it prints>

exit status:
  0  the server was stopped (Ctrl+C)
  2  it could not start: the address or port cannot be used (another program
     listens on it)
"""


SUMMARY = "serve the simulated LOX24 API on this machine"

DESCRIPTION = (
    "Serve a simulated LOX24 API (the demo account) for trying lox24tui "
    "without a LOX24 account. It prints the token it accepts."
)


def declare(commands: Subcommands) -> None:
    parser = add_command(commands, "fake-server", SUMMARY, DESCRIPTION, EPILOG, run)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    parser.add_argument("--port", type=int, default=8765, help="port (%(default)s)")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds every answer waits (%(default)s)"
    )
    parser.add_argument(
        "--bulks",
        type=int,
        default=None,
        metavar="N",
        help="serve N generated bulks instead of the demo account (for load tests)",
    )
    parser.add_argument(
        "--final-fraction",
        type=float,
        default=0.0,
        metavar="F",
        help="with --bulks: the share of bulks already finished (%(default)s)",
    )

    parser.add_argument(
        "--messages",
        type=int,
        default=None,
        metavar="N",
        help="with --bulks: N messages in every bulk (default: random, up to 50,000)",
    )

    parser.add_argument(
        "--fields",
        choices=("natural", "changing", "still"),
        default="natural",
        help="with --bulks: how the bulks still sending change between polls: natural, "
        "changing (message count and price grow every second), still (nothing changes) "
        "(%(default)s)",
    )
    parser.add_argument(
        "--pending-forever",
        type=fraction,
        default=0.0,
        metavar="F",
        help="with --bulks: the share of each bulk's messages whose delivery report stays "
        "submitted for ever, never final (%(default)s)",
    )
