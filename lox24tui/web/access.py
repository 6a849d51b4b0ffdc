"""The access key of ``lox24tui serve``, as Jupyter does it: made at start, printed once inside
the address to open, then kept in a cookie.

Every route goes through :meth:`AccessKey.middleware` before textual-serve sees the request: the
page, the websocket that starts a dashboard process, the downloads and the static files. So a
request without the key gets 403 before anything starts. The first visit brings the key in the
query (``/?key=…``); it is answered with a redirect to the same address without it, which sets
an HttpOnly, SameSite=Strict cookie, so the key stays out of the address bar, the history and
the page's scripts.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.typedefs import Handler

QUERY_NAME = "key"
"""The query parameter that brings the key on the first visit."""

KEY_BYTES = 32
"""Random bytes in a key (43 URL-safe characters)."""

FORBIDDEN = (
    "403 Forbidden: this lox24tui dashboard needs its access key. Open the address that "
    "`lox24tui serve` printed when it started (it ends in ?key=…), or start it again for a "
    "new one.\n"
)

_KEY_IN_TEXT = re.compile(rf"([?&]{QUERY_NAME}=)[^&\s\"']*")


def redact(text: str) -> str:
    """``text`` with the value of every ``key=`` query parameter replaced by ``…``."""
    return _KEY_IN_TEXT.sub(r"\1…", text)


class LogWithoutSecrets(logging.Filter):
    """Keeps the key, and tracebacks, out of the server's log. aiohttp's access log writes each
    request line with its query, and the first visit's query holds the key; and textual-serve
    logs errors with rich tracebacks that show local variables, such as the raw bytes of a
    malformed request, cookie included. The message line stays; the traceback goes."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


@dataclass(frozen=True)
class AccessKey:
    """One server's key and the name of the cookie that keeps it. Cookies are per host, not
    per port, so the port is in the name: two servers on one machine keep a key each."""

    value: str = field(repr=False)  # not in a traceback's locals either
    cookie_name: str
    secure: bool = False
    """Whether browsers reach the server over HTTPS (a proxy in front): then the cookie is
    sent over HTTPS only."""

    @classmethod
    def new(cls, port: int, *, secure: bool = False) -> AccessKey:
        """A fresh random key for the server on ``port``."""
        return cls(secrets.token_urlsafe(KEY_BYTES), f"lox24tui-key-{port}", secure)

    def url(self, base: str) -> str:
        """The address to open: ``base`` (the server's public address) with the key."""
        return f"{base.rstrip('/')}/?{QUERY_NAME}={self.value}"

    def matches(self, offered: str | None) -> bool:
        """Whether ``offered`` is the key, compared in constant time (as bytes: any text a
        browser sends can be compared, not only ASCII)."""
        if offered is None:
            return False
        return hmac.compare_digest(offered.encode(), self.value.encode())

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """403 unless the request holds the key, in its query (then a redirect that keeps it
        in the cookie) or in the cookie."""
        if QUERY_NAME in request.query:
            if not self.matches(request.query.get(QUERY_NAME)):
                return forbidden()
            return self._keep_in_cookie(request)
        if not self.matches(request.cookies.get(self.cookie_name)):
            return forbidden()
        return await handler(request)

    def _keep_in_cookie(self, request: web.Request) -> web.Response:
        """The same address without the key, with the cookie that holds it from now on."""
        rest = [(name, value) for name, value in request.query.items() if name != QUERY_NAME]
        response = web.Response(
            status=302,
            headers={
                "Location": str(request.rel_url.with_query(rest)),
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
            },
        )
        response.set_cookie(
            self.cookie_name,
            self.value,
            path="/",
            httponly=True,
            samesite="Strict",
            secure=self.secure,
        )
        return response


def forbidden() -> web.Response:
    """The answer to a request without the key: nothing served, nothing started."""
    return web.Response(status=403, text=FORBIDDEN, headers={"Cache-Control": "no-store"})
