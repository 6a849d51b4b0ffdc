"""textual-serve's :class:`Server`, with the access key in front of every route and the page
saying whether the dashboards it starts may write. Imports textual-serve, so only ``lox24tui
serve`` imports this module, once it knows textual-serve is installed."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server

from lox24tui.web.access import AccessKey, LogWithoutSecrets


class KeyedServer(Server):
    """A textual-serve server that serves nothing, and starts no dashboard, without its key.

    The key is made here, printed once (:meth:`on_startup`) and then only compared: it is not
    on the served command line, in the page, or in any log line."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        title: str,
        public_url: str | None,
        templates_path: str | os.PathLike[str],
        mode_line: str,
    ) -> None:
        super().__init__(
            command,
            host=host,
            port=port,
            title=title,
            public_url=public_url,
            templates_path=templates_path,
        )
        self.access = AccessKey.new(port, secure=self.public_url.startswith("https:"))
        self.mode_line = mode_line
        """What the page says about writes, above the terminal."""

    def initialize_logging(self) -> None:
        """textual-serve's logging (one line per request, and errors), without the key and
        without tracebacks: on every handler, so every logger that reaches one is covered."""
        super().initialize_logging()
        for handler in logging.getLogger().handlers:
            handler.addFilter(LogWithoutSecrets())

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.insert(0, self.access.middleware)
        aiohttp_jinja2.get_env(app).globals["mode_line"] = self.mode_line
        return app

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve's banner, then the one place the key is shown: the address to open.
        Printed plainly (not through rich, which would wrap a long address) and flushed, so
        that it shows at once when the output goes to a file or a pipe."""
        await super().on_startup(app)
        print(
            f"\nOpen this address (it holds the access key, shown only here):\n"
            f"{self.access.url(self.public_url)}\n",
            flush=True,
        )

    def serve_on(self, listener: socket.socket) -> None:
        """textual-serve's :meth:`Server.serve` on a socket already listening: the caller binds
        the port before this prints anything (lox24tui/commands/listening.py), so the banner
        and the address with the key appear only when something answers there."""
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        loop.add_signal_handler(signal.SIGINT, self.request_exit)
        loop.add_signal_handler(signal.SIGTERM, self.request_exit)
        web.run_app(self._make_app(), sock=listener, handle_signals=False, loop=loop, print=None)

    def __repr__(self) -> str:  # no key in a traceback's locals
        return f"KeyedServer({self.command!r}, port={self.port})"
