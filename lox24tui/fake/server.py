"""Serving the fake on a real socket: for ``lox24tui fake-server``, the tests and the benchmarks."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import uvicorn

from lox24tui.fake.app import FakeLox24


def _config(app: FakeLox24, host: str, port: int, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        ws="none",
        http="h11",
        timeout_graceful_shutdown=1,
    )


def run(
    app: FakeLox24,
    host: str = "127.0.0.1",
    port: int = 8765,
    listener: socket.socket | None = None,
) -> None:
    """Serve until interrupted; on ``listener`` when the caller has bound the port already."""
    server = uvicorn.Server(_config(app, host, port, "warning"))
    server.run(sockets=[listener] if listener is not None else None)


@asynccontextmanager
async def serve(app: FakeLox24, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve ``app`` in the running event loop on a free port; yields the base URL."""
    server = uvicorn.Server(_config(app, host, port, "error"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("the fake LOX24 server stopped before it started")
            await asyncio.sleep(0.005)
        bound_port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        await task


@contextmanager
def serve_in_thread(app: FakeLox24, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` from a thread of its own (for callers without an event loop, such as tests
    that run the CLI as a subprocess); yields the base URL. ``port`` 0 takes a free one; a given
    one lets a test stop the server and start it again where its clients look for it."""
    server = uvicorn.Server(_config(app, host, port, "error"))
    thread = threading.Thread(target=server.run, name="fake-lox24", daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the fake LOX24 server stopped before it started")
            threading.Event().wait(0.005)
        yield f"http://{host}:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
