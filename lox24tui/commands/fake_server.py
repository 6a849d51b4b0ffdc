"""``lox24tui fake-server``: the simulated LOX24 on a real port, for trying the CLI by hand."""

from __future__ import annotations

import errno
import socket
import sys
import time

from lox24tui.commands.exit_codes import ExitCode
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimulatedAccount
from lox24tui.fake.server import run
from lox24tui.text import humanize


def run_fake_server(
    *,
    host: str,
    port: int,
    latency: float,
    bulks: int | None,
    final_fraction: float,
    messages: int | None = None,
    fields: str = "natural",
    pending_forever: float = 0.0,
) -> int:
    try:
        listener = _listen(host, port)
    except OSError as error:
        reason = (
            "another program is listening on it"
            if error.errno == errno.EADDRINUSE
            else (error.strerror or type(error).__name__)
        )
        print(
            f"lox24tui: the fake LOX24 could not start: {host}:{port} cannot be used "
            f"({reason}). Choose another with --port.",
            file=sys.stderr,
        )
        return ExitCode.STOPPED
    now = time.time()
    if bulks is not None:
        account = SimulatedAccount.generated(
            bulks,
            now,
            final_fraction=final_fraction,
            messages=messages,
            fields=fields,
            pending_forever=pending_forever,
        )
    else:
        account = SimulatedAccount.demo(now)
    app = FakeLox24(account, latency=latency)
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
    print("Ctrl+C stops it.", flush=True)
    run(app, host=host, port=port, listener=listener)
    return ExitCode.OK


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, taken before the banner is printed, so a busy port is told in one
    line instead of after a banner that promised a server."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener
