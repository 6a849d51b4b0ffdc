"""Start the fake LOX24 in a process of its own, so the figures measure only the client side.

With ``request_log``, the fake is served by this file run as a script instead of
``lox24tui fake-server``: the same simulated account, plus one line per request in a file
(``unix-time path?query``), so a benchmark counts the requests LOX24 would have received.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from lox24tui.fake import FAKE_TOKEN


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def fake_server(
    bulks: int,
    latency: float,
    final_fraction: float = 0.0,
    messages: int | None = None,
    fields: str = "natural",
    *,
    pending_forever: float = 0.0,
    request_log: Path | None = None,
) -> Iterator[str]:
    port = free_port()
    per_bulk = [] if messages is None else ["--messages", str(messages)]
    options = [
        "--port",
        str(port),
        "--bulks",
        str(bulks),
        "--latency",
        str(latency),
        "--final-fraction",
        str(final_fraction),
        *per_bulk,
        "--fields",
        fields,
        "--pending-forever",
        str(pending_forever),
    ]
    if request_log is None:
        command = [sys.executable, "-m", "lox24tui", "fake-server", *options]
    else:
        command = [sys.executable, __file__, *options, "--request-log", str(request_log)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(
                    f"{url}/me", headers={"X-LOX24-AUTH-TOKEN": FAKE_TOKEN}, timeout=1 + latency
                )
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the fake LOX24 did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def logged_requests(path: Path) -> list[tuple[float, str]]:
    """(unix time, path?query) of every request the fake has received so far."""
    found = []
    with path.open(encoding="utf-8") as log:
        for line in log:
            when, _, target = line.rstrip("\n").partition(" ")
            if target:
                found.append((float(when), target))
    return found


class RequestLog:
    """An ASGI wrapper: one line per HTTP request, written as it arrives."""

    def __init__(self, app: Any, path: Path) -> None:
        self.app = app
        self.file = path.open("a", encoding="utf-8", buffering=1)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"").decode("latin-1")
            self.file.write(f"{time.time():.3f} {scope['path']}{'?' + query if query else ''}\n")
        await self.app(scope, receive, send)


def _serve_logged() -> None:
    import uvicorn

    from lox24tui.fake import FakeLox24, SimulatedAccount

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bulks", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--final-fraction", type=float, default=0.0)
    parser.add_argument("--messages", type=int, default=None)
    parser.add_argument("--fields", default="natural")
    parser.add_argument("--pending-forever", type=float, default=0.0)
    parser.add_argument("--request-log", type=Path, required=True)
    args = parser.parse_args()
    account = SimulatedAccount.generated(
        args.bulks,
        time.time(),
        final_fraction=args.final_fraction,
        messages=args.messages,
        fields=args.fields,
        pending_forever=args.pending_forever,
    )
    app = RequestLog(FakeLox24(account, latency=args.latency), args.request_log)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="none",
        http="h11",
    )


if __name__ == "__main__":
    _serve_logged()
