"""The port of a command that serves (``serve``, ``fake-server``), taken before anything is
printed about it.

A banner that names an address, or ``serve``'s address with its access key, is a promise that
something answers there. So the socket is bound and listening first, and only then is the
banner printed; a port that cannot be used is said in one line, with what to do, instead of
after a banner that promised a server (or, worse, while another program answers on it).
"""

from __future__ import annotations

import errno
import socket

BACKLOG = 128
"""Connections the kernel may queue before the server accepts them."""

_REASONS: dict[int, tuple[str, str]] = {
    errno.EADDRINUSE: ("another program is listening on it", "Choose another with --port"),
    errno.EADDRNOTAVAIL: ("the address is not one of this machine's", "Choose another with --host"),
    errno.EACCES: (
        "ports below 1024 need administrator rights",
        "Choose one from 1024 up with --port",
    ),
}


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening; :class:`OSError` when it cannot be."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(BACKLOG)
    except OSError:
        listener.close()
        raise
    return listener


def cannot_listen(error: OSError, host: str, port: int) -> str:
    """Why ``host:port`` cannot be used and what to do, in words (never an errno number)."""
    why, todo = _REASONS.get(error.errno or 0) or (
        (error.strerror or type(error).__name__).lower(),
        "Choose another with --host or --port",
    )
    return f"{host}:{port} cannot be used ({why}). {todo}."
