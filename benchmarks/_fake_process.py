"""Start the fake LOX24 in a process of its own, so the figures measure only the client side."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

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
) -> Iterator[str]:
    port = free_port()
    per_bulk = [] if messages is None else ["--messages", str(messages)]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lox24tui",
            "fake-server",
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
        ],
        stdout=subprocess.DEVNULL,
    )
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
