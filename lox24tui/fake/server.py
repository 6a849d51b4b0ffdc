"""Serving the fake on a real socket: for ``lox24tui fake-server``, the tests and the benchmarks."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from typing import Final

import uvicorn

from lox24tui.fake.app import FakeLox24

TICK: Final = 0.1
"""How often uvicorn looks at its clock (the Date header) and at a stop set by a signal."""
DRAIN_LOOK: Final = 0.005
"""How often a stopping server looks whether its connections have closed."""


class _Server(uvicorn.Server):
    """uvicorn's server, stopped without its fixed waits.

    uvicorn notices ``should_exit`` at its next tick (up to 0.1 s), then sleeps 0.1 s more
    after asking the open connections to close, and looks every 0.1 s whether they have: a
    stop cost 0.17 s. A test suite starts and stops a fake a few hundred times, so that was a
    minute of waiting. :meth:`stop` wakes the loop at once, and the connections (idle
    keep-alive ones close as soon as they are asked) are looked at every 5 ms."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Stop serving; callable from any thread."""
        self.should_exit = True
        if self._loop is not None:
            with suppress(RuntimeError):  # its loop has ended already: nothing to wake
                self._loop.call_soon_threadsafe(self._stopping.set)

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()  # a stop() before this is seen by on_tick
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), TICK)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn's own, less its fixed sleep and its lifespan step (off: see _config)
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        state = self.server_state
        with suppress(TimeoutError):
            async with asyncio.timeout(self.config.timeout_graceful_shutdown):
                # uvicorn tells no one when a connection closes: look again shortly
                while (state.connections or state.tasks) and not self.force_exit:  # noqa: ASYNC110
                    await asyncio.sleep(DRAIN_LOOK)
        for task in state.tasks:
            task.cancel("the fake LOX24 server stopped")
        for server in self.servers:
            await server.wait_closed()


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
    server = _Server(_config(app, host, port, "warning"))
    server.run(sockets=[listener] if listener is not None else None)


@asynccontextmanager
async def serve(app: FakeLox24, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve ``app`` in the running event loop on a free port; yields the base URL."""
    server = _Server(_config(app, host, port, "error"))
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
        server.stop()
        await task


@contextmanager
def serve_in_thread(app: FakeLox24, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` from a thread of its own (for callers without an event loop, such as tests
    that run the CLI as a subprocess); yields the base URL. ``port`` 0 takes a free one; a given
    one lets a test stop the server and start it again where its clients look for it."""
    server = _Server(_config(app, host, port, "error"))
    thread = threading.Thread(target=server.run, name="fake-lox24", daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the fake LOX24 server stopped before it started")
            threading.Event().wait(0.005)
        yield f"http://{host}:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.stop()
        thread.join(timeout=10)
